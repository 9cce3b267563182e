/**
 * The ordered usage sources of metrics.k8s.io and what is kept about them across requests: a
 * source that throws is counted, logged and followed by the next one; which sources answered is
 * counted and logged when it changes, never shown to clients; when every source failed, the first
 * failure is the request's error.
 */
import { ApiError, errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import type { ResourceUsageSource } from './resource-usage.js';

export type UsageKind = 'pods' | 'nodes';

export interface UsageSourcesOptions {
  /** Asked in order; later sources only for what earlier ones could not answer. */
  sources: readonly ResourceUsageSource[];
  logger: Logger;
  metrics: SelfMetrics;
}

export class UsageSources {
  private readonly lastSources = new Map<UsageKind, string>();

  constructor(private readonly o: UsageSourcesOptions) {}

  /** The sources, in the order they are asked. */
  get list(): readonly ResourceUsageSource[] {
    return this.o.sources;
  }

  /** Counts who answered and logs when the answering sources of a kind change. */
  record(kind: UsageKind, answered: Map<string, number>, missing: number): void {
    for (const [source, n] of answered)
      if (n > 0) this.o.metrics.resourceMetricsAnswers.inc({ kind, source }, n);
    if (missing > 0) this.o.metrics.resourceMetricsAnswers.inc({ kind, source: 'none' }, missing);
    const used = [...answered].filter(([, n]) => n > 0).map(([s]) => s);
    if (used.length === 0) return;
    const key = used.join(',');
    if (this.lastSources.get(kind) !== key) {
      const previous = this.lastSources.get(kind);
      this.lastSources.set(kind, key);
      this.o.logger.info(
        { kind, sources: used, previous: previous?.split(',') ?? [] },
        'resource metrics now answered by a different source',
      );
    }
  }

  /**
   * Asks the sources in order for `keys`; `ask` queries one source for the keys still missing
   * and returns what it has. Throws the first source error when no source answered anything.
   */
  async fallback<K, U>(
    kind: UsageKind,
    keys: readonly K[],
    ask: (source: ResourceUsageSource, missing: K[]) => Promise<Map<K, U>>,
  ): Promise<Map<K, U>> {
    const found = new Map<K, U>();
    const answered = new Map<string, number>();
    let missing = [...keys];
    let firstError: unknown;
    let failures = 0;
    for (const source of this.list) {
      if (missing.length === 0) break;
      let got: Map<K, U>;
      try {
        got = await ask(source, missing);
      } catch (err) {
        failures++;
        firstError ??= err;
        this.sourceFailed(kind, source, err);
        continue;
      }
      let n = 0;
      for (const [k, u] of got) {
        if (found.has(k)) continue;
        found.set(k, u);
        n++;
      }
      answered.set(source.name, (answered.get(source.name) ?? 0) + n);
      missing = missing.filter((k) => !found.has(k));
    }
    this.record(kind, answered, missing.length);
    if (found.size === 0 && keys.length > 0) this.throwIfAllFailed(failures, firstError);
    return found;
  }

  sourceFailed(kind: UsageKind, source: ResourceUsageSource, err: unknown): void {
    this.o.metrics.resourceSourceFailures.inc({ source: source.name });
    this.o.logger.warn(
      { kind, source: source.name, err: errorMessage(err) },
      'resource usage source failed; asking the next one',
    );
  }

  /** Nothing was answered: when every source failed, the first failure is the request's error. */
  throwIfAllFailed(failures: number, firstError: unknown): void {
    if (failures !== this.list.length || firstError === undefined) return;
    if (firstError instanceof ApiError) throw firstError;
    throw new Error(`no resource usage source could answer: ${errorMessage(firstError)}`, {
      cause: firstError,
    });
  }
}
