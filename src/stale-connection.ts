/**
 * Kept-alive connections that the far end (or a proxy or load balancer before it) closed while
 * they sat idle. A request sent on one fails at once, before any answer, and never reached the
 * server, so it may be sent again — Go's transport does the same. Each stale connection is
 * dropped when it fails, so a client that resends until a fresh connection answers or fails is
 * bounded by its pool. Every client here (Kubernetes API, Prometheus, kubelets) only reads, queries
 * or asks for reviews, so sending twice changes nothing.
 */

const staleFailures = new WeakSet<object>();

/** True when `err` failed a request on a reused connection before any answer came. */
export function failedOnStaleConnection(
  request: { reusedSocket?: unknown } | undefined,
  err: { code?: unknown },
  answered: boolean,
): boolean {
  return request?.reusedSocket === true && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
}

/** Marks the error a client fails with as a failure on a stale connection, for resendWhileStale. */
export function staleFailure<E extends object>(err: E): E {
  staleFailures.add(err);
  return err;
}

/**
 * Runs `send` again while it fails with an error marked by staleFailure, at most `maxResends`
 * times more; any other failure, or the last stale one, is thrown as it is.
 */
export async function resendWhileStale<T>(send: () => Promise<T>, maxResends: number): Promise<T> {
  for (let resends = 0; ; resends++) {
    try {
      return await send();
    } catch (err) {
      if (resends >= maxResends || typeof err !== 'object' || err === null || !staleFailures.has(err))
        throw err;
    }
  }
}
