/**
 * Pods' usage from the ordered sources: only Running pods, and only those whose usage covers
 * every container of their spec, as metrics-server does. A source with an in-memory lookup is
 * asked pod by pod; the others per namespace or, for pods of many namespaces, once for the whole
 * cluster. Each source is asked only for the pods still missing.
 */
import { mapLimited } from '../map-limited.js';
import type { PodRecord } from './cluster-objects.js';
import type { UsageSources } from './resource-sources.js';
import type { PodUsage, ResourceUsageSource } from './resource-usage.js';

export interface PodMetricsItem {
  pod: PodRecord;
  usage: PodUsage;
}

/** How a source without an in-memory lookup is asked (options of ResourceMetricsProvider). */
export interface PodAskLimits {
  /** Namespaces asked at once when listing pods of several namespaces (default 8). */
  concurrency?: number;
  /**
   * Above this many namespaces in one request, each source is asked once for every pod it knows
   * (PodUsageQuery without namespace and names) instead of once per namespace (default 16).
   */
  wholeClusterAbove?: number;
}

/** Default of wholeClusterAbove (`explain` plans pods of many namespaces the same way). */
export const WHOLE_CLUSTER_ABOVE = 16;

/** A pod counts when its usage covers every container of its spec (extra containers are dropped). */
export function podUsageFor(pod: PodRecord, usage: PodUsage): PodUsage | undefined {
  const spec = pod.containers;
  const have = usage.containers;
  if (spec.length === 0) return have.length > 0 ? usage : undefined;
  // Pods have a handful of containers: a nested scan is cheaper than a Map per pod.
  let extra = have.length;
  for (const name of spec) {
    let found = false;
    for (const c of have) {
      if (c.name === name) {
        found = true;
        break;
      }
    }
    if (!found) return undefined;
    extra--;
  }
  if (extra === 0) return usage;
  const wanted = new Set(spec);
  return { ...usage, containers: have.filter((c) => wanted.has(c.name)) };
}

/** The pods at `missing` (every pod when undefined) by in-memory lookup; returns how many were found. */
function lookUpPods(
  usageOf: (namespace: string, name: string) => PodUsage | undefined,
  running: readonly PodRecord[],
  slots: (PodMetricsItem | undefined)[],
  missing: readonly number[] | undefined,
): number {
  let n = 0;
  const one = (i: number): void => {
    const pod = running[i] as PodRecord;
    const u = usageOf(pod.namespace, pod.name);
    const usage = u === undefined ? undefined : podUsageFor(pod, u);
    if (usage === undefined) return;
    slots[i] = { pod, usage };
    n++;
  };
  if (missing === undefined) for (let i = 0; i < running.length; i++) one(i);
  else for (const i of missing) one(i);
  return n;
}

/**
 * Running pods with usage, in the order given. Sources are asked in order, each only for the
 * pods still missing; a source with an in-memory lookup (podUsageOf) is asked pod by pod, so a
 * list of every pod allocates one slot per pod rather than indexes and lists of the answer.
 */
export async function podItems(
  sources: UsageSources,
  pods: readonly PodRecord[],
  limits: PodAskLimits,
  signal: AbortSignal | undefined,
): Promise<PodMetricsItem[]> {
  const running = pods.filter((p) => p.phase === 'Running');
  if (running.length === 0) return [];
  const slots = new Array<PodMetricsItem | undefined>(running.length);
  const answered = new Map<string, number>();
  // Indices of the pods still missing; undefined while that is every pod.
  let missing: number[] | undefined;
  let left = running.length;
  let firstError: unknown;
  let failures = 0;
  for (const source of sources.list) {
    if (left === 0) break;
    let n: number;
    try {
      n =
        source.podUsageOf !== undefined
          ? lookUpPods(source.podUsageOf.bind(source), running, slots, missing)
          : await askPods(source, running, slots, missing, limits, signal);
    } catch (err) {
      failures++;
      firstError ??= err;
      sources.sourceFailed('pods', source, err);
      continue;
    }
    answered.set(source.name, (answered.get(source.name) ?? 0) + n);
    left -= n;
    if (left > 0 && n > 0) {
      missing = [];
      for (let i = 0; i < slots.length; i++) if (slots[i] === undefined) missing.push(i);
    }
  }
  sources.record('pods', answered, left);
  if (left === running.length) sources.throwIfAllFailed(failures, firstError);
  const items: PodMetricsItem[] = [];
  for (const item of slots) if (item !== undefined) items.push(item);
  return items;
}

/** The pods at `missing` (every pod when undefined) from a source's list answers; returns how many it had. */
async function askPods(
  source: ResourceUsageSource,
  running: readonly PodRecord[],
  slots: (PodMetricsItem | undefined)[],
  missing: readonly number[] | undefined,
  limits: PodAskLimits,
  signal: AbortSignal | undefined,
): Promise<number> {
  // namespace → pod name → index into `running`
  const byNs = new Map<string, Map<string, number>>();
  const add = (i: number): void => {
    const p = running[i] as PodRecord;
    let names = byNs.get(p.namespace);
    if (names === undefined) byNs.set(p.namespace, (names = new Map<string, number>()));
    names.set(p.name, i);
  };
  if (missing === undefined) for (let i = 0; i < running.length; i++) add(i);
  else for (const i of missing) add(i);
  // Kept aside until every question is answered: a source that fails midway contributes nothing.
  const got: [number, PodMetricsItem][] = [];
  const take = (i: number | undefined, u: PodUsage): void => {
    if (i === undefined || slots[i] !== undefined) return;
    const pod = running[i] as PodRecord;
    const usage = podUsageFor(pod, u);
    if (usage !== undefined) got.push([i, { pod, usage }]);
  };
  const commit = (): number => {
    let n = 0;
    for (const [i, item] of got) {
      if (slots[i] !== undefined) continue;
      slots[i] = item;
      n++;
    }
    return n;
  };
  if (byNs.size > (limits.wholeClusterAbove ?? WHOLE_CLUSTER_ABOVE)) {
    // Pods of many namespaces: one cluster-wide question beats one per namespace.
    for (const u of await source.podUsage({ namespace: undefined, signal }))
      take(byNs.get(u.namespace)?.get(u.name), u);
    return commit();
  }
  await mapLimited([...byNs], limits.concurrency ?? 8, async ([namespace, names]) => {
    const usages = await source.podUsage({ namespace, names: [...names.keys()], signal });
    for (const u of usages) if (u.namespace === namespace) take(names.get(u.name), u);
  });
  return commit();
}
