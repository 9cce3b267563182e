/**
 * A bound on the Prometheus calls running at once (--max-prometheus-queries). Callers beyond it
 * wait in order of arrival, each no longer than its own call's deadline; one that gives up (its
 * deadline passed, or its request was cancelled) leaves the queue without taking a slot. Holding
 * the excess here rather than in Prometheus keeps Prometheus' own query queue for its other users
 * and lets a waiting request fail on its own deadline.
 */
import { abortedError } from '../deadline.js';
import { UnavailableError } from '../errors.js';

interface Waiter {
  grant(): void;
}

export interface SlotsObserver {
  (running: number, queued: number): void;
}

export class QuerySlots {
  private running = 0;
  private readonly queue: Waiter[] = [];

  /** `limit` 0 or less: unlimited. */
  constructor(
    readonly limit: number,
    private readonly observe?: SlotsObserver,
  ) {}

  get size(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  private report(): void {
    this.observe?.(this.running, this.queue.length);
  }

  /** Resolves with the slot's release once one is free; rejects after `waitMs` or when `signal` fires. */
  acquire(waitMs: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(abortedError(signal));
    if (this.limit <= 0 || this.running < this.limit) {
      this.running++;
      this.report();
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const leave = (err: Error): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.report();
        reject(err);
      };
      const onAbort = (): void => leave(abortedError(signal));
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(
        () =>
          leave(
            new UnavailableError(
              `too many Prometheus queries: no slot became free within ${waitMs} ms (--max-prometheus-queries=${this.limit})`,
            ),
          ),
        Math.max(1, waitMs),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.report();
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // The slot passes straight to the next waiter: `running` does not change.
      if (next === undefined) this.running--;
      this.report();
      next?.grant();
    };
  }
}
