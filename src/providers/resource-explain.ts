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
 * implemented by src/kubelet: this layer does not import it), and the resourceRules queries
 * rendered for this one object and run once. Served at /debug/explain?pod=… / ?node=… and printed
 * by `metrics-adapter explain pod|node`.
 */
import { errorMessage } from '../errors.js';
import type { ClusterObjects, PodRecord } from './cluster-objects.js';
import type { DescribedUsageQuery } from './resource-prometheus.js';
import { podUsageFor } from './resource.js';
import type { ResourceUsageSource } from './resource-usage.js';

/** A node's scrapes as the kubelet scraper saw them (KubeletScraper.diagnoseNode). */
export interface NodeScrapeState {
  /** 'ok', the ScrapeErrorKind of the last failure, or 'never' before the first scrape finished. */
  status: string;
  message: string | undefined;
  /** The address (host:port) of the last scrape. */
  address: string | undefined;
  /** Start of the current failing streak (ms since the epoch), undefined while it works. */
  failingSince: number | undefined;
  lastSuccess: number | undefined;
  /** The next scrape: the next warm-up or tick (ms since the epoch). */
  nextScrapeAt: number | undefined;
  /** The scraper's hint for the failure (which flag or permission to check). */
  hint: string | undefined;
}

/** What the kubelet scraper and its store know, read-only. */
export interface KubeletDiagnostics {
  /** Undefined: the scraper does not know the node (not in its node list). */
  diagnoseNode(name: string): NodeScrapeState | undefined;
  /** Undefined: no node's last answer had the pod. */
  diagnosePod(
    namespace: string,
    name: string,
  ): { node: string; complete: boolean; containers: { name: string; points: 1 | 2 }[] } | undefined;
  /** The node's own figures in the store. */
  nodePoints(name: string): { scraped: boolean; points: 0 | 1 | 2 };
  /** e.g. `Summary API` or `/metrics/resource`, for the sentences. */
  endpointName: string;
}

export interface UsageQueryDiagnostics {
  /** Undefined without resourceRules. */
  describe(
    target: { namespace: string; pod: string } | { node: string },
    signal?: AbortSignal,
  ): Promise<DescribedUsageQuery[] | undefined>;
}

export interface ResourceExplainDeps {
  objects: ClusterObjects;
  /** The resource provider's sources, in its order. */
  sources: readonly ResourceUsageSource[];
  /** Undefined when the kubelet scraper is off. */
  kubelet: KubeletDiagnostics | undefined;
  prometheus: UsageQueryDiagnostics | undefined;
}

export type ExplainCause =
  | 'answered'
  | 'pod_not_found'
  | 'node_not_found'
  | 'pod_not_running'
  | 'pod_not_scheduled'
  | 'source_failed'
  | 'kubelet_scraper_off'
  | 'node_unknown_to_scraper'
  | 'node_scrape_failing'
  | 'node_not_scraped_yet'
  | 'pod_missing_from_node'
  | 'pod_incomplete_on_node'
  | 'containers_missing_from_node'
  | 'node_figures_missing'
  | 'one_point_so_far'
  | 'prometheus_no_sample'
  | 'prometheus_query_failed'
  | 'prometheus_incomplete'
  | 'prometheus_not_configured';

export interface ExplainLine {
  cause: ExplainCause;
  /** One sentence. */
  text: string;
  /** The PromQL, for the Prometheus causes. */
  promql?: string;
}

export interface ResourceExplanation {
  kind: 'pod' | 'node';
  namespace?: string;
  name: string;
  /** The source a metrics.k8s.io request gets this object from now; undefined: none (see lines). */
  answeredBy: { source: string; windowSeconds: number; timestamp: string } | undefined;
  /** The answering source first (when there is one), then every cause that applies. */
  lines: ExplainLine[];
}

function time(ms: number): string {
  return new Date(ms).toISOString();
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function list(names: readonly string[]): string {
  return names.join(', ');
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

function nextScrape(at: number | undefined): string {
  return at === undefined ? 'once the scraper has the node list' : `at ${time(at)}`;
}

/**
 * The scraper's side of a node: failing, not scraped yet, or unknown. Returns true when the last
 * scrape worked (its answer is what the store holds, so the store's view applies).
 */
function scrapeLines(k: KubeletDiagnostics, node: string, lines: ExplainLine[]): boolean {
  const d = k.diagnoseNode(node);
  if (d === undefined) {
    lines.push({
      cause: 'node_unknown_to_scraper',
      text: `node ${node} is not in the kubelet scraper's node list (deleted, or the node watch is not synced yet)`,
    });
    return false;
  }
  if (d.status === 'never') {
    lines.push({
      cause: 'node_not_scraped_yet',
      text: `the kubelet of node ${node} has not been scraped yet (next scrape due ${nextScrape(d.nextScrapeAt)})`,
    });
    return false;
  }
  if (d.status !== 'ok') {
    const since = d.failingSince === undefined ? '' : ` since ${time(d.failingSince)}`;
    const last = d.lastSuccess === undefined ? 'never' : time(d.lastSuccess);
    const at = d.address === undefined ? '' : ` at ${d.address}`;
    lines.push({
      cause: 'node_scrape_failing',
      text: `the scrape of node ${node}'s kubelet${at} fails${since} with ${d.status}: ${d.message ?? 'no message'}; last success: ${last}; ${d.hint ?? ''}`.replace(
        /; $/,
        '',
      ),
    });
    return false;
  }
  return true;
}

function kubeletPodLines(k: KubeletDiagnostics, pod: PodRecord, lines: ExplainLine[]): void {
  if (!scrapeLines(k, pod.nodeName, lines)) return;
  const node = pod.nodeName;
  const d = k.diagnosePod(pod.namespace, pod.name);
  const next = k.diagnoseNode(node)?.nextScrapeAt;
  if (d === undefined) {
    lines.push({
      cause: 'pod_missing_from_node',
      text: `pod ${pod.namespace}/${pod.name} is missing from the last ${k.endpointName} answer of node ${node}'s kubelet`,
    });
    return;
  }
  if (!d.complete) {
    lines.push({
      cause: 'pod_incomplete_on_node',
      text: `node ${d.node}'s last answer has pod ${pod.namespace}/${pod.name} without CPU or memory for some container, so it is left out until one has both`,
    });
    return;
  }
  const have = new Set(d.containers.map((c) => c.name));
  const missing = pod.containers.filter((c) => !have.has(c));
  if (missing.length > 0)
    lines.push({
      cause: 'containers_missing_from_node',
      text: `container${missing.length === 1 ? '' : 's'} ${list(missing)} of pod ${pod.namespace}/${pod.name} ${missing.length === 1 ? 'is' : 'are'} missing from the last ${k.endpointName} answer of node ${d.node}'s kubelet`,
    });
  const wanted = pod.containers.length === 0 ? undefined : new Set(pod.containers);
  const onePoint = d.containers
    .filter((c) => c.points === 1 && (wanted === undefined || wanted.has(c.name)))
    .map((c) => c.name);
  if (onePoint.length > 0)
    lines.push({
      cause: 'one_point_so_far',
      text: `one point so far for container${onePoint.length === 1 ? '' : 's'} ${list(onePoint)} of pod ${pod.namespace}/${pod.name}: a CPU rate needs two (next scrape due ${nextScrape(next)})`,
    });
}

function kubeletNodeLines(k: KubeletDiagnostics, node: string, lines: ExplainLine[]): void {
  if (!scrapeLines(k, node, lines)) return;
  const p = k.nodePoints(node);
  if (p.points === 0)
    lines.push({
      cause: 'node_figures_missing',
      text: `node ${node}'s own CPU or memory figures are missing from the last ${k.endpointName} answer of its kubelet`,
    });
  else if (p.points === 1)
    lines.push({
      cause: 'one_point_so_far',
      text: `one point so far for node ${node}: a CPU rate needs two (next scrape due ${nextScrape(k.diagnoseNode(node)?.nextScrapeAt)})`,
    });
}

/**
 * The kubelet scraper's part: nothing when Prometheus (asked first) answers; when the scraper's
 * kept points answer, only a failing scrape (they are getting old); otherwise `full`.
 */
function kubeletPart(
  k: KubeletDiagnostics | undefined,
  by: string | undefined,
  node: string,
  lines: ExplainLine[],
  full: (k: KubeletDiagnostics) => void,
): void {
  if (by === 'prometheus') return;
  if (k === undefined) {
    if (by === undefined)
      lines.push({
        cause: 'kubelet_scraper_off',
        text: 'the kubelet scraper is off (--kubelet-scraper=false)',
      });
    return;
  }
  if (by === 'kubelet') {
    if (node !== '') scrapeLines(k, node, lines);
    return;
  }
  full(k);
}

async function prometheusLines(
  p: UsageQueryDiagnostics | undefined,
  target: { namespace: string; pod: string } | { node: string },
  what: string,
  lines: ExplainLine[],
  nothingAnswered: boolean,
  /** False for a pod that is not Running: samples or not, it is left out. */
  couldAnswer: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  const queries = p === undefined ? undefined : await p.describe(target, signal);
  if (queries === undefined) {
    if (nothingAnswered)
      lines.push({
        cause: 'prometheus_not_configured',
        text: 'Prometheus is not asked: the rules file has no resourceRules',
      });
    return;
  }
  let empty = 0;
  for (const q of queries) {
    if (q.error !== undefined) {
      lines.push({
        cause: 'prometheus_query_failed',
        text: `Prometheus ${q.path} failed for ${what}: ${q.error}${q.promql === '' ? '' : `; PromQL: ${q.promql}`}`,
        promql: q.promql,
      });
      empty++;
    } else if (q.samples === 0) {
      lines.push({
        cause: 'prometheus_no_sample',
        text: `Prometheus ${q.path} returned no sample for ${what}; PromQL: ${q.promql}`,
        promql: q.promql,
      });
      empty++;
    }
  }
  // Both queries have samples and still no answer: what they hold does not make one.
  if (empty === 0 && queries.length > 0 && couldAnswer)
    lines.push({
      cause: 'prometheus_incomplete',
      text:
        'pod' in target
          ? `Prometheus resourceRules returned samples for ${what}, but not finite CPU and memory for every container its spec names`
          : `Prometheus resourceRules returned samples for ${what}, but not finite CPU and memory`,
    });
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
