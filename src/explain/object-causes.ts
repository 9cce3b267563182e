/**
 * The causes `explain pod|node` lists, one sentence each: the kubelet scraper's side (scrape
 * failing, not scraped yet, pod or containers missing from the node's answer, one point so far)
 * and Prometheus resourceRules' (the PromQL that returned no sample or failed).
 */
import type { PodRecord } from '../providers/index.js';
import type { ExplainLine, KubeletDiagnostics, UsageQueryDiagnostics } from './object-types.js';

function time(ms: number): string {
  return new Date(ms).toISOString();
}

function list(names: readonly string[]): string {
  return names.join(', ');
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

export function kubeletPodLines(k: KubeletDiagnostics, pod: PodRecord, lines: ExplainLine[]): void {
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

export function kubeletNodeLines(k: KubeletDiagnostics, node: string, lines: ExplainLine[]): void {
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
export function kubeletPart(
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

export async function prometheusLines(
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
