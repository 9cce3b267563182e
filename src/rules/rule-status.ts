/**
 * Writes rule objects' `status` from their outcomes, so `kubectl get metricrules` shows whether
 * each rule was accepted, is ready and how many metrics it yields. Every replica of the adapter
 * runs one: a write happens only when the status an object carries differs from what the outcome
 * says (timestamps aside), always against the resourceVersion last read, so replicas that agree
 * write once between them and a conflict ends in a re-read, not a fight. Failures wait for a later
 * report with a per-object backoff; nothing here loops on its own.
 */
import { errorMessage } from '../errors.js';
import { KubeApiError, type KubeClient } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { RuleObjectOutcome } from './rule-object-outcome.js';
import {
  RULE_OBJECT_GROUP,
  RULE_OBJECT_VERSION,
  desiredStatus,
  observedGenerationOf,
  ruleObjectPath,
  sameStatus,
  type RuleObjectStatus,
} from './rule-status-desired.js';

export interface RuleStatusWriterOptions {
  client: Pick<KubeClient, 'requestJSON'>;
  logger: Logger;
  /** Writes (and reads) in flight at once; default 4. */
  concurrency?: number;
  /** Wait before retrying a failing object: doubles per failure from initialBackoffMs up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Deadline of each request; default the client's. */
  timeoutMs?: number;
}

/** What the writer last read or wrote of an object. */
interface Seen {
  uid: string | undefined;
  resourceVersion: string;
  status: unknown;
}

interface Entry {
  outcome: RuleObjectOutcome;
  seen: Seen | undefined;
  /** The object answered 404: nothing is written for this uid again. */
  gone: boolean;
  failures: number;
  /** Epoch ms before which a failing object is not retried. */
  retryAt: number;
  /** The outcome a failure was last logged at warn for (once per object per change). */
  warnedFor: string | undefined;
}

interface ObjectAnswer {
  metadata?: { uid?: string; resourceVersion?: string };
  status?: unknown;
}

function keyOf(o: RuleObjectOutcome): string {
  return `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

function describe(o: RuleObjectOutcome): string {
  return `${o.kind} ${o.namespace === undefined ? '' : `${o.namespace}/`}${o.name}`;
}

function seenFrom(answer: ObjectAnswer): Seen {
  return {
    uid: answer.metadata?.uid,
    resourceVersion: answer.metadata?.resourceVersion ?? '',
    status: answer.status,
  };
}

const isApiError = (err: unknown, code: number): boolean =>
  err instanceof KubeApiError && err.statusCode === code;

export class RuleStatusWriter {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly inFlight = new Set<string>();
  /** Reported again while in flight: looked at once more when the running sync ends. */
  private readonly again = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private readonly concurrency: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private stopped = false;

  constructor(private readonly opts: RuleStatusWriterOptions) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.initialBackoffMs = opts.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = Math.max(this.initialBackoffMs, opts.maxBackoffMs ?? 300_000);
  }

  /** The outcomes of every rule object now; objects missing from them are forgotten. */
  report(outcomes: RuleObjectOutcome[]): void {
    if (this.stopped) return;
    const present = new Set<string>();
    for (const outcome of outcomes) {
      const key = keyOf(outcome);
      present.add(key);
      let entry = this.entries.get(key);
      if (entry === undefined || entry.outcome.uid !== outcome.uid) {
        entry = { outcome, seen: undefined, gone: false, failures: 0, retryAt: 0, warnedFor: undefined };
        this.entries.set(key, entry);
      } else {
        entry.outcome = outcome;
      }
      this.consider(key, entry);
    }
    for (const key of [...this.entries.keys()]) if (!present.has(key)) this.entries.delete(key);
    this.pump();
  }

  /** Resolves when no read or write is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** No request starts after this; those in flight are aborted. Resolves when they have settled. */
  stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queued.clear();
    this.again.clear();
    this.abort.abort();
    return this.idle();
  }

  private consider(key: string, entry: Entry): void {
    if (entry.gone || Date.now() < entry.retryAt) return;
    if (this.inFlight.has(key)) this.again.add(key);
    else if (this.needsSync(entry) && !this.queued.has(key)) {
      this.queued.add(key);
      this.queue.push(key);
    }
  }

  /** Unread, or the status last seen is not what the outcome says (and the outcome is not older). */
  private needsSync(entry: Entry): boolean {
    const { seen, outcome } = entry;
    if (seen === undefined) return true;
    if (seen.uid !== undefined && outcome.uid !== undefined && seen.uid !== outcome.uid) return false;
    if (this.isOlder(outcome, seen.status)) return false;
    return !sameStatus(desiredStatus(outcome, seen.status, new Date()), seen.status);
  }

  /** A replica that saw a newer generation has written already: an older view must not undo it. */
  private isOlder(outcome: RuleObjectOutcome, status: unknown): boolean {
    const written = observedGenerationOf(status);
    return written !== undefined && outcome.generation !== undefined && outcome.generation < written;
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      const entry = this.entries.get(key);
      if (entry === undefined) continue;
      this.inFlight.add(key);
      void this.sync(entry).finally(() => {
        this.inFlight.delete(key);
        // The entry may have been replaced meanwhile (the object was created again): look at the current one.
        const current = this.entries.get(key);
        if (this.again.delete(key) && current !== undefined) this.consider(key, current);
        this.pump();
      });
    }
    if (this.queue.length === 0 && this.inFlight.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async sync(entry: Entry): Promise<void> {
    try {
      const outcome = await this.write(entry);
      if (outcome === 'conflict') {
        this.opts.logger.debug(
          { object: describe(entry.outcome) },
          'rule status: conflicting writes twice in a row; left to the next report',
        );
      }
      entry.failures = 0;
      entry.retryAt = 0;
      entry.warnedFor = undefined;
    } catch (err) {
      if (this.stopped) return;
      if (isApiError(err, 404)) this.forget(entry);
      else this.failed(entry, err);
    }
  }

  /** Reads when needed and writes when the status differs; a conflict re-reads and retries once. */
  private async write(entry: Entry): Promise<'done' | 'conflict'> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (entry.seen === undefined || attempt > 0) entry.seen = await this.read(entry.outcome);
      const seen = entry.seen;
      const outcome = entry.outcome;
      if (seen.uid !== undefined && outcome.uid !== undefined && seen.uid !== outcome.uid) return 'done';
      if (this.isOlder(outcome, seen.status)) return 'done';
      const desired = desiredStatus(outcome, seen.status, new Date());
      if (sameStatus(desired, seen.status)) return 'done';
      try {
        entry.seen = seenFrom(await this.put(outcome, seen, desired));
        return 'done';
      } catch (err) {
        if (!isApiError(err, 409)) throw err;
      }
    }
    return 'conflict';
  }

  private async read(outcome: RuleObjectOutcome): Promise<Seen> {
    this.checkRunning();
    const path = ruleObjectPath(outcome.kind, outcome.namespace, outcome.name);
    return seenFrom(await this.opts.client.requestJSON<ObjectAnswer>('GET', path, this.requestOptions()));
  }

  private put(outcome: RuleObjectOutcome, seen: Seen, status: RuleObjectStatus): Promise<ObjectAnswer> {
    this.checkRunning();
    const path = `${ruleObjectPath(outcome.kind, outcome.namespace, outcome.name)}/status`;
    const metadata = {
      name: outcome.name,
      ...(outcome.namespace !== undefined ? { namespace: outcome.namespace } : {}),
      resourceVersion: seen.resourceVersion,
      ...(seen.uid !== undefined ? { uid: seen.uid } : {}),
    };
    const body = {
      apiVersion: `${RULE_OBJECT_GROUP}/${RULE_OBJECT_VERSION}`,
      kind: outcome.kind,
      metadata,
      status,
    };
    return this.opts.client.requestJSON<ObjectAnswer>('PUT', path, { ...this.requestOptions(), body });
  }

  private requestOptions(): { signal: AbortSignal; timeoutMs?: number } {
    return {
      signal: this.abort.signal,
      ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}),
    };
  }

  private checkRunning(): void {
    if (this.stopped) throw new Error('the rule status writer has stopped');
  }

  /** Deleted: its uid is written no more; an object created again under the name has another uid. */
  private forget(entry: Entry): void {
    const key = keyOf(entry.outcome);
    this.opts.logger.debug({ object: describe(entry.outcome) }, 'rule status: the object is gone');
    if (entry.outcome.uid !== undefined) {
      entry.gone = true;
      entry.seen = undefined;
    } else if (this.entries.get(key) === entry) {
      this.entries.delete(key);
    }
  }

  private failed(entry: Entry, err: unknown): void {
    entry.failures += 1;
    const wait = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(entry.failures - 1, 30));
    entry.retryAt = Date.now() + wait;
    const change = JSON.stringify(entry.outcome);
    const fields = { object: describe(entry.outcome), err: errorMessage(err), retryInMs: wait };
    if (entry.warnedFor === change) {
      this.opts.logger.debug(fields, 'rule status: writing the status failed again');
    } else {
      entry.warnedFor = change;
      this.opts.logger.warn(fields, 'rule status: writing the status failed');
    }
  }
}
