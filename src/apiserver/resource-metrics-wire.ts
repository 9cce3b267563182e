/**
 * The NodeMetrics / PodMetrics encodings of metrics-server, written as text: usage as canonical
 * quantities (CPU from nanocores, memory in binary units), the window as a Go duration,
 * creationTimestamp the time of the answer. The parts of a pod's item that outlive one answer are
 * cached, so a list of every pod in a large cluster is mostly lookups.
 */
import type {
  ContainerUsage,
  NodeMetricsItem,
  PodMetricsItem,
  PodRecord,
  PodUsage,
} from '../providers/index.js';
import { cpuQuantity, formatGoDuration, formatTime, memoryQuantity } from './wire.js';

const GROUP_VERSION = 'metrics.k8s.io/v1beta1';

let lastWindowMs = Number.NaN;
let lastWindow = '';
function windowText(ms: number): string {
  if (ms !== lastWindowMs) {
    lastWindow = formatGoDuration(ms);
    lastWindowMs = ms;
  }
  return lastWindow;
}

function labelsJSON(labels: Readonly<Record<string, string>>): string {
  const text = JSON.stringify(labels);
  return text === '{}' ? '' : `,"labels":${text}`;
}

/**
 * The part of a pod's item that depends on the pod record only, ending where the answer's time
 * goes. Records from watch-backed caches live across requests, so this is usually a lookup.
 */
const podPrefixes = new WeakMap<PodRecord, string>();

function podPrefix(pod: PodRecord): string {
  let prefix = podPrefixes.get(pod);
  if (prefix === undefined) {
    prefix =
      '{"metadata":{"name":' +
      JSON.stringify(pod.name) +
      ',"namespace":' +
      JSON.stringify(pod.namespace) +
      labelsJSON(pod.labels) +
      ',"creationTimestamp":"';
    podPrefixes.set(pod, prefix);
  }
  return prefix;
}

/**
 * The part of a pod's item after the answer's time, for one usage object. Sources that keep their
 * figures between scrapes (the kubelet store) hand out the same object until the next scrape, so a
 * list of every pod in a large cluster is mostly lookups. Built from an array joined once: a flat
 * string, where chains of `+` would keep a tree of cons-strings alive until the final join.
 */
const podSuffixes = new WeakMap<PodUsage, string>();

function podSuffix(usage: PodUsage): string {
  let suffix = podSuffixes.get(usage);
  if (suffix !== undefined) return suffix;
  const containers = usage.containers;
  const pieces: string[] = [
    '"},"timestamp":"',
    formatTime(usage.timestamp),
    '","window":"',
    windowText(usage.windowMs),
    '","containers":[',
  ];
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i] as ContainerUsage;
    pieces.push(
      i === 0 ? '{"name":' : ',{"name":',
      JSON.stringify(c.name),
      ',"usage":{"cpu":"',
      cpuQuantity(c.cpuNanoCores),
      '","memory":"',
      memoryQuantity(c.memoryBytes),
      '"}}',
    );
  }
  pieces.push(']}');
  suffix = pieces.join('');
  podSuffixes.set(usage, suffix);
  return suffix;
}

function podItemJSON(item: PodMetricsItem, created: string): string {
  return [podPrefix(item.pod), created, podSuffix(item.usage)].join('');
}

function nodeItemJSON(item: NodeMetricsItem, created: string): string {
  const { node, usage } = item;
  return (
    '"metadata":{"name":' +
    JSON.stringify(node.name) +
    ',"creationTimestamp":"' +
    created +
    '"' +
    labelsJSON(node.labels) +
    '},"timestamp":"' +
    formatTime(usage.timestamp) +
    '","window":"' +
    windowText(usage.windowMs) +
    '","usage":{"cpu":"' +
    cpuQuantity(usage.cpuNanoCores) +
    '","memory":"' +
    memoryQuantity(usage.memoryBytes) +
    '"}'
  );
}

/** metrics-server stamps objects with the time of the answer, not the pod's or node's creation. */
function createdNow(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The PodMetricsList as one text. */
export function encodePodMetricsList(items: readonly PodMetricsItem[], now = new Date()): string {
  return encodePodMetricsListPieces(items, now).join('');
}

/**
 * The PodMetricsList as pieces, mostly cached per pod and per usage (see podPrefix/podSuffix):
 * written as they are (respond.ts), a list of every pod allocates little beyond this array.
 */
export function encodePodMetricsListPieces(items: readonly PodMetricsItem[], now = new Date()): string[] {
  const created = createdNow(now);
  // One flat array of pieces, joined once or written as they are: no new string per item (the
  // separator is a piece of its own rather than a fresh ",{…" per pod).
  const parts = new Array<string>(Math.max(0, items.length * 4 - 1) + 2);
  parts[0] = `{"kind":"PodMetricsList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[`;
  let k = 1;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PodMetricsItem;
    if (i > 0) parts[k++] = ',';
    parts[k++] = podPrefix(item.pod);
    parts[k++] = created;
    parts[k++] = podSuffix(item.usage);
  }
  parts[k] = ']}';
  return parts;
}

export function encodePodMetrics(item: PodMetricsItem, now = new Date()): string {
  return `{"kind":"PodMetrics","apiVersion":"${GROUP_VERSION}",${podItemJSON(item, createdNow(now)).slice(1)}`;
}

export function encodeNodeMetricsList(items: readonly NodeMetricsItem[], now = new Date()): string {
  const created = createdNow(now);
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = `{${nodeItemJSON(items[i] as NodeMetricsItem, created)}}`;
  return `{"kind":"NodeMetricsList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[${parts.join(',')}]}`;
}

export function encodeNodeMetrics(item: NodeMetricsItem, now = new Date()): string {
  return `{"kind":"NodeMetrics","apiVersion":"${GROUP_VERSION}",${nodeItemJSON(item, createdNow(now))}}`;
}
