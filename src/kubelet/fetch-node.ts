/**
 * One scrape of one node's kubelet: the addresses to try and in which order (the one that answered
 * last first, the API server's node proxy first or last as --kubelet-via-apiserver says), the
 * fall-through to the next address when one cannot be reached, all within one deadline, and the
 * decoded answer. Failures come out as ScrapeErrors whose kind says what to fix.
 */
import { performance } from 'node:perf_hooks';
import { TimeoutError, errorMessage } from '../errors.js';
import { KubeApiError, type KubeClient } from '../kube/index.js';
import type { Logger } from '../logging.js';
import { decodeResourceMetrics } from './decode-resource.js';
import { DecodeError, decodeSummary } from './decode-summary.js';
import { ScrapeError, type KubeletHttpClient } from './kubelet-client.js';
import { PROXY, type Attempt, type NodeState } from './node-states.js';
import { kubeletTargets, type KubeletTarget, type NodeRecord } from './nodes.js';
import type { KubeletScraperOptions, NodeScrape } from './types.js';

/** A node on the proxy (--kubelet-via-apiserver=fallback) tries its own addresses again every this many scrapes. */
const PROXY_RETRY_DIRECT = 20;
/** Size cap of a kubelet answer read through the API server (the direct client's default). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

const PATHS = {
  summary: { path: '/stats/summary?only_cpu_and_memory=true', accept: 'application/json' },
  resource: { path: '/metrics/resource', accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
} as const;

/**
 * True when a scrape failed because the address could not be reached, so another address (or the
 * API server's proxy) may work: refused, unresolvable, no connection made in time, or a serving
 * certificate without this address (another address type, say Hostname, may be in it). Statuses,
 * credentials, CA problems, decoding and a kubelet that accepted but is slow are not.
 */
export function addressFailure(err: unknown): boolean {
  if (!(err instanceof ScrapeError)) return false;
  switch (err.kind) {
    case 'connection_refused':
    case 'dns':
    case 'name_mismatch':
      return true;
    case 'timeout':
    case 'connection':
      return err.notConnected;
    default:
      return false;
  }
}

export interface AttemptPlan {
  /** The node's own addresses, the remembered one first (empty with --kubelet-via-apiserver=always). */
  candidates: KubeletTarget[];
  /** What to try, in order: candidates and the proxy. */
  attempts: Attempt[];
}

/** The order in which to try the ways of reaching a node, from what answered last. */
export function planAttempts(node: NodeRecord, s: NodeState, o: KubeletScraperOptions): AttemptPlan {
  const via = o.viaAPIServer ?? 'never';
  const candidates =
    via === 'always' ? [] : kubeletTargets(node, o.preferredAddressTypes, o.port, o.useNodeStatusPort);
  // The address that worked last is tried first; the others follow in preference order. A node
  // kept on the proxy tries its direct addresses again every PROXY_RETRY_DIRECT successes.
  const remembered =
    s.address === PROXY || s.address === undefined
      ? -1
      : candidates.findIndex((t) => t.authority === s.address);
  if (remembered > 0) candidates.unshift(...candidates.splice(remembered, 1));
  const proxyFirst = via === 'always' || (s.address === PROXY && s.successes % PROXY_RETRY_DIRECT !== 0);
  // With fallback, a node on the proxy whose proxy request fails goes on to its own addresses.
  const attempts: Attempt[] = proxyFirst
    ? [PROXY, ...(via === 'fallback' ? candidates : [])]
    : [...candidates];
  if (via === 'fallback' && !proxyFirst) attempts.push(PROXY);
  return { candidates, attempts };
}

export interface FetchDeps {
  options: KubeletScraperOptions;
  /** The adapter's cluster client, for the API server's node proxy. */
  client: KubeClient;
  http: KubeletHttpClient;
  logger: Logger;
  /** The Authorization header for the kubelets (undefined: none, a client certificate is used). */
  credentials(): Promise<string | undefined>;
  /** Whether to keep the connection open (read at each request: a tick may change it). */
  keepAlive(): boolean;
  isStopped(): boolean;
}

/** What a fetch went through, for the caller to record whether it succeeded or not. */
export interface FetchTrace {
  /** The way that answered, or whose failure is reported. */
  used: Attempt | undefined;
  /** The remembered way (NodeState.address) could not be reached. */
  lostRemembered: boolean;
}

/**
 * Tries the attempts in order until one answers, within the deadline (a performance.now() time),
 * and decodes the answer. Only "this address cannot be reached" falls through to the next.
 */
export async function fetchNode(
  deps: FetchDeps,
  name: string,
  s: NodeState,
  attempts: readonly Attempt[],
  deadline: number,
  trace: FetchTrace,
): Promise<NodeScrape> {
  const o = deps.options;
  if (attempts.length === 0) {
    throw new ScrapeError(
      'no_address',
      `the node reports no address of the types ${o.preferredAddressTypes.join(',')}`,
    );
  }
  const { path, accept } = PATHS[o.endpoint];
  const authorization = await deps.credentials();
  let body: Buffer | undefined;
  let first: { error: ScrapeError; attempt: Attempt } | undefined;
  const tried: string[] = [];
  const describe = (a: Attempt): string =>
    a === PROXY ? 'the API server node proxy' : `${a.address.type} ${a.authority}`;
  for (const [i, attempt] of attempts.entries()) {
    trace.used = attempt;
    const remaining = Math.max(1, deadline - performance.now());
    const left = attempts.length - i;
    try {
      body =
        attempt === PROXY
          ? await viaProxy(deps.client, o, name, remaining)
          : await deps.http.get({
              authority: attempt.authority,
              path,
              accept,
              authorization,
              timeoutMs: remaining,
              // A share of what is left, so a blackholed address leaves time for the others.
              connectTimeoutMs:
                left > 1 ? Math.max(Math.floor(remaining / left), Math.min(remaining, 1_000)) : remaining,
              keepAlive: deps.keepAlive(),
            });
    } catch (err) {
      // Any failure of the proxy counts: it is the last resort, or (tried first) the way back.
      const unreachable = attempt === PROXY || addressFailure(err);
      if (unreachable && (attempt === PROXY ? PROXY : attempt.authority) === s.address)
        trace.lostRemembered = true;
      // Only "this address cannot be reached" falls through; a kubelet that answered (or
      // accepted and is slow) would answer the same on any address, and asking twice doubles its load.
      if (i + 1 >= attempts.length || !unreachable || performance.now() >= deadline || deps.isStopped()) {
        // Every address failed: the most preferred one's failure says most (connection
        // refused: the port; a name mismatch: the certificate), the others are named after it.
        // A failure that stopped the fall-through (the proxy's 403, say) is the one to fix.
        if (first === undefined || !addressFailure(err)) throw err;
        tried.push(`${describe(attempt)}: ${errorMessage(err)}`);
        trace.used = first.attempt;
        throw new ScrapeError(
          first.error.kind,
          `${first.error.message}; also tried ${tried.join('; ')}`,
          true,
        );
      }
      if (first === undefined)
        first = {
          error: err instanceof ScrapeError ? err : new ScrapeError('connection', errorMessage(err)),
          attempt,
        };
      else tried.push(`${describe(attempt)}: ${errorMessage(err)}`);
      if (attempt !== PROXY)
        deps.logger.debug(
          { node: name, address: attempt.authority, err: errorMessage(err) },
          'kubelet address unreachable, trying the next',
        );
    }
    if (body !== undefined) break;
  }
  // The last attempt's failure is always thrown above; this only satisfies the compiler.
  if (body === undefined) throw new ScrapeError('connection', 'no address of the node answered');
  try {
    return o.endpoint === 'summary' ? decodeSummary(body) : decodeResourceMetrics(body);
  } catch (err) {
    throw new ScrapeError('decode', err instanceof DecodeError ? err.message : errorMessage(err));
  }
}

/** GET of the node's kubelet endpoint through the API server's node proxy, as the adapter's cluster identity. */
async function viaProxy(
  client: KubeClient,
  o: KubeletScraperOptions,
  name: string,
  timeoutMs: number,
): Promise<Buffer> {
  const { path, accept } = PATHS[o.endpoint];
  const [subpath, query] = path.split('?') as [string, string | undefined];
  const proxyPath = `/api/v1/nodes/${encodeURIComponent(name)}/proxy${subpath}`;
  try {
    return await client.requestRaw(proxyPath, {
      accept,
      timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
    });
  } catch (err) {
    if (err instanceof KubeApiError) {
      if (err.statusCode === 401 || err.statusCode === 403)
        throw new ScrapeError(
          'unauthorized',
          `API server node proxy: ${err.message} (the adapter's identity needs get on nodes/proxy, see docs/security.md)`,
        );
      throw new ScrapeError('http_status', `API server node proxy: ${err.message}`);
    }
    if (err instanceof TimeoutError)
      throw new ScrapeError('timeout', `API server node proxy: ${err.message}`);
    throw new ScrapeError('connection', `API server node proxy: ${errorMessage(err)}`);
  }
}
