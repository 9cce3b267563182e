/**
 * One copy of strings and label sets that repeat across many cached objects: a namespace, a node
 * name, a phase, a container name or a Deployment's labels occur on thousands of pods, and each
 * object parsed from JSON brings its own copy. Caches keep the shared one. The table is bounded
 * (it starts afresh when full), so names that come and go under churn cannot grow it forever;
 * a value interned before a reset and after is merely kept twice.
 */

const MAX_ENTRIES = 50_000;

let strings = new Map<string, string>();
let labelSets = new Map<string, Readonly<Record<string, string>>>();
let nameLists = new Map<string, readonly string[]>();

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY_LIST: readonly string[] = Object.freeze([]);

/** The shared copy of s. */
export function internString(s: string): string {
  const hit = strings.get(s);
  if (hit !== undefined) return hit;
  if (strings.size >= MAX_ENTRIES) strings = new Map();
  strings.set(s, s);
  return s;
}

/**
 * A frozen label set equal to `labels` (keys in their order), shared with every equal set seen
 * before. Non-string values are dropped, as the API never sends them.
 */
export function internLabels(
  labels: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, string>> {
  if (labels === undefined || typeof labels !== 'object') return EMPTY_LABELS;
  const keys = Object.keys(labels);
  if (keys.length === 0) return EMPTY_LABELS;
  let key = '';
  for (const k of keys) {
    const v = labels[k];
    if (typeof v === 'string') key += `${k}\u0000${v}\u0000`;
  }
  const hit = labelSets.get(key);
  if (hit !== undefined) return hit;
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = labels[k];
    if (typeof v === 'string') out[internString(k)] = internString(v);
  }
  if (labelSets.size >= MAX_ENTRIES) labelSets = new Map();
  const frozen = Object.freeze(out);
  labelSets.set(key, frozen);
  return frozen;
}

/** A frozen list equal to `names`, shared with every equal list seen before (container names). */
export function internNames(names: readonly string[]): readonly string[] {
  if (names.length === 0) return EMPTY_LIST;
  const key = names.join('\u0000');
  const hit = nameLists.get(key);
  if (hit !== undefined) return hit;
  if (nameLists.size >= MAX_ENTRIES) nameLists = new Map();
  const frozen = Object.freeze(names.map(internString));
  nameLists.set(key, frozen);
  return frozen;
}

/** Sizes of the tables (tests check they stay bounded). */
export function internSizes(): { strings: number; labelSets: number; nameLists: number } {
  return { strings: strings.size, labelSets: labelSets.size, nameLists: nameLists.size };
}
