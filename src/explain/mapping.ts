/**
 * How samples map to the objects asked for, read the way each provider reads them, so the
 * explanation's "matched" is what the answer holds: custom metrics take the first sample per
 * object (split parts in order) and then leave NaN and infinite values out; resourceRules skip
 * NaN and infinite samples, take the first finite one per pod and container (per node), and key
 * pods by namespace too when the request spans namespaces.
 */
import type { Sample } from '../prometheus/index.js';
import type { UsageQueryPlan } from '../providers/index.js';
import { formatSampleValue } from './queries.js';
import type { SampleMapping } from './types.js';

function emptyMapping(objectLabel: string): SampleMapping {
  return { objectLabel, matched: [], noSample: [], unmatched: [], dropped: [], duplicates: [] };
}

/**
 * Maps samples to the objects asked for, as the custom-metrics provider does: by the object
 * label, the first sample per object, NaN and infinite values left out. `names` undefined: every
 * object (nothing can be "not asked for").
 */
export function mapSamples(
  samples: readonly Sample[],
  objectLabel: string,
  names: readonly string[] | undefined,
): SampleMapping {
  const mapping = emptyMapping(objectLabel);
  const asked = names === undefined ? undefined : new Set(names);
  const seen = new Set<string>();
  for (const s of samples) {
    const value = formatSampleValue(s.value);
    const object = s.labels[objectLabel];
    if (object === undefined || object === '') {
      mapping.unmatched.push({ labels: { ...s.labels }, value, reason: `no ${objectLabel} label` });
      continue;
    }
    if (asked !== undefined && !asked.has(object)) {
      mapping.unmatched.push({ labels: { ...s.labels }, value, reason: 'describes no object asked for' });
      continue;
    }
    if (seen.has(object)) {
      mapping.duplicates.push({ object, value });
      continue;
    }
    seen.add(object);
    if (!Number.isFinite(s.value)) {
      mapping.dropped.push({ object, value });
      continue;
    }
    mapping.matched.push({ object, value, timestamp: s.timestamp.toISOString(), labels: { ...s.labels } });
  }
  if (names !== undefined) mapping.noSample = names.filter((n) => !seen.has(n));
  return mapping;
}

/** The samples of one usage question: its namespace (undefined: all) and what its queries returned. */
export interface UsageAnswer {
  namespace: string | undefined;
  samples: readonly Sample[];
}

/**
 * Maps the samples of one resourceRules query (over every question asked) as the Prometheus
 * usage source reads them: one sample per pod and container (per node). `qualified`: pods are
 * `NAMESPACE/NAME`, the namespace the question's or, for all namespaces, the sample's label.
 * `names` undefined: every object.
 */
export function mapUsageSamples(
  answers: readonly UsageAnswer[],
  plan: UsageQueryPlan,
  qualified: boolean,
  names: readonly string[] | undefined,
): SampleMapping {
  const mapping = emptyMapping(plan.objectLabel);
  const asked = names === undefined ? undefined : new Set(names);
  const seen = new Set<string>();
  const withSample = new Set<string>();
  const pods = plan.containerLabel !== undefined;
  for (const { namespace, samples } of answers)
    for (const s of samples) {
      const value = formatSampleValue(s.value);
      const missing = (label: string): void => {
        mapping.unmatched.push({ labels: { ...s.labels }, value, reason: `no ${label} label` });
      };
      const name = s.labels[plan.objectLabel];
      if (name === undefined || name === '') {
        missing(plan.objectLabel);
        continue;
      }
      let object = name;
      let key = name;
      if (pods) {
        const containerLabel = plan.containerLabel ?? '';
        const container = s.labels[containerLabel];
        if (container === undefined || container === '') {
          missing(containerLabel);
          continue;
        }
        const nsLabel = plan.namespaceLabel ?? '';
        const ns = namespace ?? s.labels[nsLabel];
        if (ns === undefined) {
          missing(nsLabel);
          continue;
        }
        if (qualified) object = `${ns}/${name}`;
        key = `${ns}\u0000${name}\u0000${container}`;
      }
      if (asked !== undefined && !asked.has(object)) {
        mapping.unmatched.push({ labels: { ...s.labels }, value, reason: 'describes no object asked for' });
        continue;
      }
      // The source skips these before taking the first sample: a later finite one still counts.
      if (!Number.isFinite(s.value)) {
        mapping.dropped.push({ object, value });
        continue;
      }
      if (seen.has(key)) {
        mapping.duplicates.push({ object, value });
        continue;
      }
      seen.add(key);
      withSample.add(object);
      mapping.matched.push({ object, value, timestamp: s.timestamp.toISOString(), labels: { ...s.labels } });
    }
  if (names !== undefined) mapping.noSample = names.filter((n) => !withSample.has(n));
  return mapping;
}
