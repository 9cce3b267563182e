/**
 * Request deadlines carried by the abort signal every layer already receives. The HTTP layer
 * registers when a request's signal will fire (--request-timeout); clients that take a signal
 * (Prometheus, the Kubernetes API) bound their own timeouts by what is left, so an upstream call
 * never outlives the request it serves. Kept beside the signal rather than passed as another
 * parameter, so that nothing between the HTTP layer and the clients has to change.
 */
import { ApiError, UnavailableError } from './errors.js';

const deadlines = new WeakMap<AbortSignal, number>();

/** Records that `signal` aborts at `atMs` (a Date.now() value). */
export function setDeadline(signal: AbortSignal, atMs: number): void {
  deadlines.set(signal, atMs);
}

/** Milliseconds left before `signal`'s deadline; undefined when it has none. */
export function remainingMs(signal: AbortSignal | undefined): number | undefined {
  if (signal === undefined) return undefined;
  const at = deadlines.get(signal);
  return at === undefined ? undefined : at - Date.now();
}

/** `ownMs` bounded by the time left on `signal` (at least 1 ms, so a timer is still armed). */
export function boundedTimeout(ownMs: number, signal: AbortSignal | undefined): number {
  const left = remainingMs(signal);
  return Math.max(1, Math.floor(left === undefined ? ownMs : Math.min(ownMs, left)));
}

/**
 * The error a call gives up with when its signal fired: the signal's own reason when it is a
 * typed error (the request deadline's Timeout), otherwise "cancelled" (the client went away).
 */
export function abortedError(signal: AbortSignal | undefined): ApiError {
  const reason: unknown = signal?.reason;
  return reason instanceof ApiError ? reason : new UnavailableError('the request was cancelled');
}
