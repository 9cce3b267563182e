/**
 * Decodes the kubelet's `/metrics/resource` (Prometheus text format 0.0.4): node_cpu_usage_seconds_total,
 * node_memory_working_set_bytes, and per {namespace, pod, container}
 * container_cpu_usage_seconds_total, container_memory_working_set_bytes and
 * container_start_time_seconds, each sample with the kubelet's millisecond timestamp. One pass over
 * the lines, no intermediate series objects.
 */
import { DecodeError } from './decode-summary.js';
import type { ContainerSample, NodeScrape, PodSample } from './types.js';

type Family = 'node_cpu' | 'node_mem' | 'cpu' | 'mem' | 'start';

const FAMILIES: Record<string, Family> = {
  node_cpu_usage_seconds_total: 'node_cpu',
  node_memory_working_set_bytes: 'node_mem',
  container_cpu_usage_seconds_total: 'cpu',
  container_memory_working_set_bytes: 'mem',
  container_start_time_seconds: 'start',
};

interface Partial {
  sample: ContainerSample;
  hasCpu: boolean;
  hasMem: boolean;
}

function unescapeLabel(v: string): string {
  return v.includes('\\') ? v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c)) : v;
}

/** Parses `{a="x",b="y"}` starting at `open` (the brace); returns the labels and the index after `}`. */
function parseLabels(line: string, open: number): { labels: Map<string, string>; end: number } {
  const labels = new Map<string, string>();
  let i = open + 1;
  for (let guard = 0; guard < 64; guard++) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') break;
    const name = line.slice(i, eq).trim();
    let j = eq + 2;
    let escaped = false;
    for (; j < line.length; j++) {
      const ch = line[j];
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') break;
    }
    if (j >= line.length) break;
    labels.set(name, unescapeLabel(line.slice(eq + 2, j)));
    i = j + 1;
  }
  throw new DecodeError(`malformed labels in /metrics/resource line: ${line.slice(0, 200)}`);
}

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default:
      return text === '' ? Number.NaN : Number(text);
  }
}

/** Decodes a /metrics/resource answer; `nowMs` stands in for samples without a timestamp. */
export function decodeResourceMetrics(body: string | Buffer, nowMs = Date.now()): NodeScrape {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let nodeCpu: { v: number; t: number } | undefined;
  let nodeMem: { v: number; t: number } | undefined;
  const pods = new Map<string, { namespace: string; name: string; containers: Map<string, Partial> }>();
  let pos = 0;
  let sawFamily = false;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line === '' || line[0] === '#') continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) throw new DecodeError(`malformed /metrics/resource line: ${line.slice(0, 200)}`);
    const family = FAMILIES[line.slice(0, nameEnd)];
    if (family === undefined) continue;
    sawFamily = true;
    let labels: Map<string, string> | undefined;
    let rest: string;
    if (nameEnd === brace) {
      const parsed = parseLabels(line, brace);
      labels = parsed.labels;
      rest = line.slice(parsed.end).trim();
    } else {
      rest = line.slice(nameEnd + 1).trim();
    }
    const sp = rest.indexOf(' ');
    const value = parseValue(sp < 0 ? rest : rest.slice(0, sp));
    const ts = sp < 0 ? nowMs : Number(rest.slice(sp + 1).trim());
    if (!Number.isFinite(value) || !Number.isFinite(ts)) continue;
    if (family === 'node_cpu') {
      nodeCpu = { v: value, t: ts };
      continue;
    }
    if (family === 'node_mem') {
      nodeMem = { v: value, t: ts };
      continue;
    }
    const namespace = labels?.get('namespace');
    const podName = labels?.get('pod');
    const container = labels?.get('container');
    if (namespace === undefined || podName === undefined || container === undefined) continue;
    const podKey = `${namespace}/${podName}`;
    let pod = pods.get(podKey);
    if (pod === undefined) {
      pod = { namespace, name: podName, containers: new Map() };
      pods.set(podKey, pod);
    }
    let c = pod.containers.get(container);
    if (c === undefined) {
      c = {
        sample: {
          name: container,
          startTimeMs: Number.NaN,
          cpuNs: 0,
          cpuTimeMs: 0,
          memoryBytes: 0,
          memoryTimeMs: 0,
        },
        hasCpu: false,
        hasMem: false,
      };
      pod.containers.set(container, c);
    }
    if (family === 'cpu') {
      c.sample.cpuNs = value * 1e9;
      c.sample.cpuTimeMs = ts;
      c.hasCpu = true;
    } else if (family === 'mem') {
      c.sample.memoryBytes = value;
      c.sample.memoryTimeMs = ts;
      c.hasMem = true;
    } else {
      c.sample.startTimeMs = value * 1000;
    }
  }
  if (!sawFamily && text.trim() !== '' && !text.includes('# TYPE'))
    throw new DecodeError('the /metrics/resource answer is not Prometheus text');
  const out: PodSample[] = [];
  for (const pod of pods.values()) {
    const containers: ContainerSample[] = [];
    let complete = true;
    for (const c of pod.containers.values()) {
      if (c.hasCpu && c.hasMem && c.sample.cpuNs >= 0 && c.sample.memoryBytes >= 0) containers.push(c.sample);
      else complete = false;
    }
    out.push({
      namespace: pod.namespace,
      name: pod.name,
      containers,
      complete: complete && containers.length > 0,
    });
  }
  const node =
    nodeCpu !== undefined && nodeMem !== undefined && nodeCpu.v >= 0 && nodeMem.v >= 0
      ? { cpuNs: nodeCpu.v * 1e9, cpuTimeMs: nodeCpu.t, memoryBytes: nodeMem.v, memoryTimeMs: nodeMem.t }
      : undefined;
  return { node, pods: out };
}
