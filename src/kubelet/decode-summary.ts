/**
 * Decodes the kubelet Summary API (`/stats/summary?only_cpu_and_memory=true`, stats/v1alpha1):
 * node.cpu / node.memory and, per pod (podRef), its containers' cumulative CPU
 * (usageCoreNanoSeconds, at cpu.time), the kubelet's own rate next to it (usageNanoCores, for the
 * first answer) and working set (workingSetBytes, at memory.time).
 */
import type { ContainerSample, NodeScrape, PodSample, UsageSample } from './types.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** RFC 3339 with up to nanosecond fractions → fractional ms since the epoch; NaN when malformed. */
export function parseKubeTime(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const m = RFC3339.exec(text);
  if (m === null) return Number.NaN;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] === undefined ? 0 : Number(`0${m[2]}`) * 1000;
  return whole + frac;
}

interface CpuStats {
  time?: unknown;
  usageNanoCores?: unknown;
  usageCoreNanoSeconds?: unknown;
}
interface MemoryStats {
  time?: unknown;
  workingSetBytes?: unknown;
}
interface SummaryContainer {
  name?: unknown;
  startTime?: unknown;
  cpu?: CpuStats;
  memory?: MemoryStats;
}
interface SummaryPod {
  podRef?: { name?: unknown; namespace?: unknown };
  containers?: SummaryContainer[];
}
interface Summary {
  node?: { cpu?: CpuStats; memory?: MemoryStats };
  pods?: SummaryPod[];
}

function usage(cpu: CpuStats | undefined, memory: MemoryStats | undefined): UsageSample | undefined {
  const cpuNs = cpu?.usageCoreNanoSeconds;
  const mem = memory?.workingSetBytes;
  if (typeof cpuNs !== 'number' || typeof mem !== 'number' || cpuNs < 0 || mem < 0) return undefined;
  const cpuTimeMs = parseKubeTime(cpu?.time);
  if (Number.isNaN(cpuTimeMs)) return undefined;
  const memoryTimeMs = parseKubeTime(memory?.time);
  // Optional: a missing, negative or non-numeric rate only means the first answer waits for a pair.
  const nanoCores = cpu?.usageNanoCores;
  return {
    cpuNs,
    cpuTimeMs,
    memoryBytes: mem,
    memoryTimeMs: Number.isNaN(memoryTimeMs) ? cpuTimeMs : memoryTimeMs,
    cpuNanoCores:
      typeof nanoCores === 'number' && Number.isFinite(nanoCores) && nanoCores >= 0 ? nanoCores : Number.NaN,
  };
}

export class DecodeError extends Error {}

/** Decodes a Summary API answer; throws DecodeError when it is not one. */
export function decodeSummary(body: string | Buffer): NodeScrape {
  let summary: unknown;
  try {
    summary = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new DecodeError('the Summary API answer is not JSON');
  }
  if (summary === null || typeof summary !== 'object' || Array.isArray(summary))
    throw new DecodeError('the Summary API answer is not an object');
  return fromSummary(summary);
}

function fromSummary(summary: Summary): NodeScrape {
  const pods: PodSample[] = [];
  for (const pod of Array.isArray(summary.pods) ? summary.pods : []) {
    const name = pod.podRef?.name;
    const namespace = pod.podRef?.namespace;
    if (typeof name !== 'string' || typeof namespace !== 'string') continue;
    const containers: ContainerSample[] = [];
    let complete = true;
    for (const c of Array.isArray(pod.containers) ? pod.containers : []) {
      if (typeof c.name !== 'string') continue;
      const u = usage(c.cpu, c.memory);
      if (u === undefined) {
        complete = false;
        continue;
      }
      containers.push({ ...u, name: c.name, startTimeMs: parseKubeTime(c.startTime) });
    }
    pods.push({ namespace, name, containers, complete: complete && containers.length > 0 });
  }
  return { node: usage(summary.node?.cpu, summary.node?.memory), pods };
}
