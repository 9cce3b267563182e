/**
 * One Prometheus call shared by the identical queries in flight (the client's query coalescing).
 * A caller whose signal fires stops waiting at once; when the last caller with a signal has gone
 * (and none without one is waiting), the call itself is aborted, which frees its query slot or
 * closes its connection.
 */
import { abortedError } from '../deadline.js';

export class SharedCall<T> {
  readonly promise: Promise<T>;
  /** Called when the call is aborted for lack of callers. */
  onAbandon: (() => void) | undefined;
  private readonly abort = new AbortController();
  private waiting = 0;
  private pinned = false;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.abort.signal);
    // Callers handle the outcome; an abandoned call's rejection has nobody left to tell.
    this.promise.catch(() => undefined);
  }

  join(signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) {
      this.pinned = true;
      return this.promise;
    }
    if (signal.aborted) return Promise.reject(abortedError(signal));
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        reject(abortedError(signal));
        this.leave(signal);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private leave(signal: AbortSignal): void {
    this.waiting--;
    if (this.waiting > 0 || this.pinned || this.abort.signal.aborted) return;
    this.onAbandon?.();
    this.abort.abort(signal.reason);
  }
}
