/**
 * "Why is my pod missing from `kubectl top`?": for one pod or node, which metrics.k8s.io source
 * answers it, and when none does, every reason that applies, one sentence each, in the order an
 * operator should look at them: the object itself (not found, not Running, not scheduled), the
 * kubelet scraper (scrape failing, not scraped yet, pod or containers missing from the node's
 * answer, one point so far), then Prometheus resourceRules (the PromQL that returned no sample).
 *
 * Built from the running server's live state: the pod and node records of ClusterObjects, the
 * same ordered sources the resource provider asks (so "answered by" is what a request gets now),
 * the scraper's per-node state and the store's per-container points (through KubeletDiagnostics,
 * implemented by src/kubelet: this layer does not import it; the
 * interfaces are in object-types.ts, the causes in object-causes.ts), and the resourceRules queries
 * rendered for this one object and run once. Served at /debug/explain?pod=… / ?node=… and printed
 * by `metrics-adapter explain pod|node`.
 */
import { errorMessage } from '../errors.js';
import { podUsageFor, type ResourceUsageSource } from '../providers/index.js';
import { kubeletNodeLines, kubeletPart, kubeletPodLines, prometheusLines } from './object-causes.js';
import type { ExplainLine, ResourceExplainDeps, ResourceExplanation } from './object-types.js';

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function answeredLine(a: NonNullable<ResourceExplanation['answeredBy']>): ExplainLine {
  return {
    cause: 'answered',
    text: `answered by ${a.source} (window ${a.windowSeconds}s, at ${a.timestamp})`,
  };
}

/** Asks each source in order, as the resource provider does; the first with an answer wins. */
async function firstAnswer<U extends { timestamp: Date; windowMs: number }>(
  sources: readonly ResourceUsageSource[],
  ask: (s: ResourceUsageSource) => Promise<U | undefined>,
  lines: ExplainLine[],
): Promise<ResourceExplanation['answeredBy']> {
  for (const source of sources) {
    try {
      const u = await ask(source);
      if (u !== undefined)
        return {
          source: source.name,
          windowSeconds: seconds(u.windowMs),
          timestamp: u.timestamp.toISOString(),
        };
    } catch (err) {
      lines.push({
        cause: 'source_failed',
        text: `the ${source.name} source failed, so the next one is asked: ${errorMessage(err)}`,
      });
    }
  }
  return undefined;
}

export async function explainPod(
  deps: ResourceExplainDeps,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<ResourceExplanation> {
  const e: ResourceExplanation = { kind: 'pod', namespace, name, answeredBy: undefined, lines: [] };
  const pod = await deps.objects.pod(namespace, name, signal);
  if (pod === undefined) {
    e.lines.push({ cause: 'pod_not_found', text: `pod ${namespace}/${name} is not found in the cluster` });
    return e;
  }
  const causes: ExplainLine[] = [];
  const running = pod.phase === 'Running';
  if (running) {
    e.answeredBy = await firstAnswer(
      deps.sources,
      async (s) => {
        const u =
          s.podUsageOf !== undefined
            ? s.podUsageOf(namespace, name)
            : (await s.podUsage({ namespace, names: [name], signal })).find((x) => x.name === name);
        return u === undefined ? undefined : podUsageFor(pod, u);
      },
      causes,
    );
  } else {
    causes.push({
      cause: 'pod_not_running',
      text: `pod ${namespace}/${name} is ${pod.phase === '' ? 'in no phase yet' : pod.phase}, not Running: metrics.k8s.io reports only Running pods (as metrics-server does)`,
    });
  }
  if (pod.nodeName === '')
    causes.push({
      cause: 'pod_not_scheduled',
      text: `pod ${namespace}/${name} is not scheduled yet (no node), so no kubelet reports it`,
    });
  const by = e.answeredBy?.source;
  // Prometheus is asked first: when it answers, the kubelet's data plays no part.
  kubeletPart(deps.kubelet, by, pod.nodeName, causes, (k) => {
    if (pod.nodeName !== '') kubeletPodLines(k, pod, causes);
  });
  if (by !== 'prometheus')
    await prometheusLines(
      deps.prometheus,
      { namespace, pod: name },
      `pod ${namespace}/${name}`,
      causes,
      e.answeredBy === undefined,
      running,
      signal,
    );
  if (e.answeredBy !== undefined) e.lines.push(answeredLine(e.answeredBy));
  e.lines.push(...causes);
  return e;
}

export async function explainNode(
  deps: ResourceExplainDeps,
  name: string,
  signal?: AbortSignal,
): Promise<ResourceExplanation> {
  const e: ResourceExplanation = { kind: 'node', name, answeredBy: undefined, lines: [] };
  const node = await deps.objects.node(name, signal);
  if (node === undefined) {
    e.lines.push({ cause: 'node_not_found', text: `node ${name} is not found in the cluster` });
    return e;
  }
  const causes: ExplainLine[] = [];
  e.answeredBy = await firstAnswer(
    deps.sources,
    async (s) => (await s.nodeUsage({ names: [name], signal })).find((u) => u.name === name),
    causes,
  );
  const by = e.answeredBy?.source;
  kubeletPart(deps.kubelet, by, name, causes, (k) => kubeletNodeLines(k, name, causes));
  if (by !== 'prometheus')
    await prometheusLines(
      deps.prometheus,
      { node: name },
      `node ${name}`,
      causes,
      e.answeredBy === undefined,
      true,
      signal,
    );
  if (e.answeredBy !== undefined) e.lines.push(answeredLine(e.answeredBy));
  e.lines.push(...causes);
  return e;
}

/** One sentence per line, the object first: what `explain pod|node` prints. */
export function renderResourceExplanationText(e: ResourceExplanation): string {
  const [only] = e.lines;
  if (e.lines.length === 1 && (only?.cause === 'pod_not_found' || only?.cause === 'node_not_found'))
    return `${only.text}\n`;
  const who = e.kind === 'pod' ? `pod ${e.namespace ?? ''}/${e.name}` : `node ${e.name}`;
  const head = e.answeredBy === undefined ? `${who}: not answered by any source` : `${who}:`;
  return `${[head, ...e.lines.map((l) => `  ${l.text}`)].join('\n')}\n`;
}
