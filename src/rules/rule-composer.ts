/**
 * Keeps the discovery's rules the merge of the rules file and the cluster's rule objects: a file
 * reload and an object change both end here and lead to the same merged set. Changes apply one
 * at a time, in the order they came. After each relist with the merged rules it tells the
 * listeners what became of every rule object (the status writer subscribes).
 */
import type { ResourceMapper } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { MetricDiscovery } from './discovery.js';
import { mergeRules, type MergedRules, type RuleObjectEntry } from './merge-rules.js';
import type { RuleObjectOutcome } from './rule-object-outcome.js';
import { ruleObjectOutcomes } from './rule-object-outcomes.js';
import type { RulesSink } from './reload.js';
import { EMPTY_RULES, type CompiledRules } from './types.js';

export type RuleOutcomesListener = (outcomes: RuleObjectOutcome[]) => void;

/** What a status writer subscribes to. */
export interface RuleOutcomeSource {
  /** Called after each relist (and so after each change) while rule objects are in use. */
  onOutcomes(listener: RuleOutcomesListener): () => void;
  /** The last outcomes given to the listeners; empty while rule objects are not in use. */
  readonly outcomes: readonly RuleObjectOutcome[];
}

export interface RuleComposerOptions {
  discovery: MetricDiscovery;
  mapper: ResourceMapper;
  logger: Logger;
}

export class RuleComposer implements RulesSink, RuleOutcomeSource {
  private file: CompiledRules = EMPTY_RULES;
  /** Undefined while rule objects are not in use (no outcomes then). */
  private objects: RuleObjectEntry[] | undefined;
  private merged: MergedRules = mergeRules(EMPTY_RULES, []);
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<RuleOutcomesListener>();
  private last: RuleObjectOutcome[] = [];

  constructor(private readonly o: RuleComposerOptions) {
    o.discovery.onRelisted(() => this.emit());
  }

  get outcomes(): readonly RuleObjectOutcome[] {
    return this.last;
  }

  onOutcomes(listener: RuleOutcomesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The rules file's rules (initial load and each reload). */
  setRules(rules: CompiledRules): Promise<void> {
    this.file = rules;
    return this.apply();
  }

  /** Every rule object the cluster holds now, each compiled on its own. */
  setObjects(entries: RuleObjectEntry[]): Promise<void> {
    this.objects = entries;
    return this.apply();
  }

  private apply(): Promise<void> {
    const run = this.queue.then(async () => {
      this.merged = mergeRules(this.file, this.objects ?? []);
      await this.o.discovery.setRules(this.merged.rules);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(): void {
    // A periodic relist may finish with the rules of before a change: its outcomes would mix both.
    if (this.objects === undefined || this.o.discovery.rules !== this.merged.rules) return;
    const d = this.o.discovery;
    this.last = ruleObjectOutcomes(this.merged, {
      catalog: d.catalog,
      seriesShapes: (rule) => d.seriesShapes(rule),
      mapper: this.o.mapper,
    });
    for (const listener of this.listeners) {
      try {
        listener(this.last);
      } catch (err) {
        this.o.logger.error({ err: (err as Error).message }, 'rule outcome listener failed');
      }
    }
  }
}
