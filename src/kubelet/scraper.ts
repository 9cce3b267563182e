/**
 * Scrapes every node's kubelet once per resolution tick with bounded concurrency. Each scrape has
 * its own deadline and a node is never scraped twice at once, so a hung or slow kubelet holds one
 * slot and delays no other node's data. Nodes come from a watch; a node that appears is scraped at
 * once, and a node whose first scrape left it without an answer (no usageNanoCores, as on
 * /metrics/resource, and no pair yet) is scraped again after a short warm-up instead of a whole
 * resolution later. State changes (failing, recovered) are logged once each.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TimeoutError, errorMessage } from '../errors.js';
import { Informer, KubeApiError, type KubeClient, type WatchFailureObserver } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { NodeScrapeState } from '../explain/index.js';
import type { NodeUsageQuery, PodUsageQuery, ResourceUsageSource } from '../providers/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import { decodeResourceMetrics } from './decode-resource.js';
import { DecodeError, decodeSummary } from './decode-summary.js';
import { KubeletHttpClient, ScrapeError, type ScrapeErrorKind } from './kubelet-client.js';
import { kubeletTargets, nodeRecordFrom, type KubeletTarget, type NodeRecord } from './nodes.js';
import { UsageStore } from './store.js';
import type { KubeletScraperOptions, NodeScrape } from './types.js';

export interface KubeletScraperDeps {
  /** Lister client: its nodes watch, and its bearer token for the kubelets unless a client certificate is given. */
  client: KubeClient;
  options: KubeletScraperOptions;
  logger: Logger;
  metrics?: SelfMetrics;
  /** A node informer to share (started and stopped by its owner); default: the scraper's own. */
  nodes?: Informer<NodeRecord>;
}

/** Creates the informer of node records on /api/v1/nodes (the scraper's, or one to share). */
export function createNodeInformer(
  client: KubeClient,
  logger: Logger,
  onWatchFailure?: WatchFailureObserver,
): Informer<NodeRecord> {
  return new Informer<NodeRecord>(
    client,
    { path: '/api/v1/nodes', transform: nodeRecordFrom, onWatchFailure },
    logger,
  );
}

interface Cycle {
  start: number;
  remaining: number;
}

interface NodeState {
  inFlight: boolean;
  queued: boolean;
  /** 'ok' after a success, the error kind after a failure, undefined before the first try. */
  status: 'ok' | ScrapeErrorKind | undefined;
  successes: number;
  warmup: NodeJS.Timeout | undefined;
  /** Warm-up scrapes since the node last had complete data. */
  warmups: number;
  /**
   * The authority (host:port) that answered last, tried first next time; PROXY when the node
   * was reached through the API server; undefined before a success or after it stopped answering.
   */
  address?: string | undefined;
  /** Its node address type (interned by the node record), or PROXY_TYPE: for the per-type gauge. */
  addressType?: string | undefined;
  /** For explain (diagnoseNode), in ms since the epoch; NaN when not applicable. */
  warmupAt: number;
  failingSince: number;
  lastSuccessMs: number;
  /** The last failure's message and the address it was sent to. */
  lastMessage: string | undefined;
  lastAddress: string | undefined;
}

/** NodeState.address of a node reached through the API server's node proxy. */
const PROXY = 'apiserver';
/** The address type a proxied node counts as in metrics_adapter_kubelet_address_type. */
const PROXY_TYPE = 'APIServerProxy';
/** A node on the proxy (--kubelet-via-apiserver=fallback) tries its own addresses again every this many scrapes. */
const PROXY_RETRY_DIRECT = 20;
/** Size cap of a kubelet answer read through the API server (the direct client's default). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

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

/**
 * Warm-up scrapes of a node without an answer: after the first delay, then every twice that (1,
 * then every 2 s by default) while their sum stays below the resolution, the next tick scraping
 * anyway. A kubelet refreshes its stats every ~10 s (cAdvisor housekeeping), so the scrape 1 s
 * after the first usually finds the same point; spacing them evenly (not doubling) puts the second
 * point at most one warm-up step after the kubelet's next refresh. Hard bound on their number.
 */
const MAX_WARMUPS = 16;

/** Default of KubeletScraperOptions.keepAliveMaxNodes (see there). */
const KEEP_ALIVE_MAX_NODES = 100;

const PATHS = {
  summary: { path: '/stats/summary?only_cpu_and_memory=true', accept: 'application/json' },
  resource: { path: '/metrics/resource', accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
} as const;

export class KubeletScraper {
  readonly nodes: Informer<NodeRecord>;
  readonly store: UsageStore;
  /** Resolves once every node known at start has complete data or has failed (see isReady). */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private isReadyFlag = false;
  private readonly ownsInformer: boolean;
  private readonly client: KubeClient;
  private readonly options: KubeletScraperOptions;
  private readonly logger: Logger;
  private readonly metrics: SelfMetrics | undefined;
  private http: KubeletHttpClient | undefined;
  private readonly states = new Map<string, NodeState>();
  private queue: { name: string; cycle: Cycle | undefined }[] = [];
  private queueHead = 0;
  private active = 0;
  private overflow = 0;
  private idleWaiters: (() => void)[] = [];
  private tickTimer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;
  private started = false;
  private stopped = false;
  private synced = false;
  private authorization: Promise<string | undefined> | undefined;
  private authFailureLogged = false;
  private unsubscribe: (() => void) | undefined;
  private keepAlive = true;
  /** Duration of the last tick that finished every node, in ms. */
  lastCycleMs: number | undefined;

  constructor(deps: KubeletScraperDeps) {
    this.client = deps.client;
    this.options = deps.options;
    this.store = new UsageStore({ resolutionMs: deps.options.resolutionMs });
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.ownsInformer = deps.nodes === undefined;
    this.nodes = deps.nodes ?? createNodeInformer(deps.client, deps.logger);
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
  }

  /** A method, so that checks after an await are not narrowed away by the compiler. */
  private isStopped(): boolean {
    return this.stopped;
  }

  get isReady(): boolean {
    return this.isReadyFlag;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.nodes.onChange((change, key, _current, previous) => {
      if (change === 'deleted') this.forgetNode(key.name, previous);
      else if (change === 'added' && this.synced && !this.stopped) {
        this.enqueue(key.name, undefined);
        this.pump();
      }
    });
    if (this.ownsInformer) this.nodes.start();
    void this.waitForNodes();
  }

  private async waitForNodes(): Promise<void> {
    for (let i = 0; !this.isStopped() && i < 1_000_000; i++) {
      if (await this.nodes.waitForSync(5_000)) break;
      if (!this.isStopped() && i === 0)
        this.logger.warn('waiting for the node list before scraping kubelets');
    }
    if (this.isStopped()) return;
    const o = this.options;
    const read = (f: string | undefined): Buffer | undefined =>
      f === undefined ? undefined : readFileSync(f);
    // Like metrics-server: without --kubelet-certificate-authority, kubelets are verified against
    // the CA the cluster client trusts (the cluster CA), not the system store.
    const ca =
      read(o.caFile) ??
      (o.insecureTLS ? undefined : await this.client.certificateAuthority().catch(() => undefined));
    if (this.isStopped()) return;
    this.http = new KubeletHttpClient({
      ca,
      cert: read(o.clientCertFile),
      key: read(o.clientKeyFile),
      insecure: o.insecureTLS,
    });
    this.synced = true;
    this.nextTickAt = performance.now();
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.authorization = undefined;
    const cycle: Cycle = { start: performance.now(), remaining: 0 };
    const nodes = this.nodes.list();
    const keepAlive = nodes.length <= (this.options.keepAliveMaxNodes ?? KEEP_ALIVE_MAX_NODES);
    if (this.keepAlive && !keepAlive) this.http?.closeIdle();
    this.keepAlive = keepAlive;
    for (const node of nodes) {
      if (this.enqueue(node.name, cycle)) cycle.remaining++;
    }
    this.pump();
    this.checkReady();
    this.nextTickAt += this.options.resolutionMs;
    // A late tick (event loop stalled) starts the schedule anew rather than firing a burst.
    if (this.nextTickAt < performance.now()) this.nextTickAt = performance.now() + this.options.resolutionMs;
    this.tickTimer = setTimeout(() => this.tick(), this.nextTickAt - performance.now());
  }

  private state(name: string): NodeState {
    let s = this.states.get(name);
    if (s === undefined) {
      s = {
        inFlight: false,
        queued: false,
        status: undefined,
        successes: 0,
        warmup: undefined,
        warmups: 0,
        warmupAt: Number.NaN,
        failingSince: Number.NaN,
        lastSuccessMs: Number.NaN,
        lastMessage: undefined,
        lastAddress: undefined,
      };
      this.states.set(name, s);
    }
    return s;
  }

  /** False when the node is already queued or being scraped: ticks never overlap for one node. */
  private enqueue(name: string, cycle: Cycle | undefined): boolean {
    const s = this.state(name);
    if (s.inFlight || s.queued) return false;
    s.queued = true;
    this.queue.push({ name, cycle });
    return true;
  }

  private pump(): void {
    const limit = Math.max(1, this.options.concurrency ?? 64);
    while (!this.stopped && this.active < limit && this.queueHead < this.queue.length) {
      const item = this.queue[this.queueHead++];
      if (item === undefined) break;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      const s = this.states.get(item.name);
      if (s === undefined) {
        this.finishCycle(item.cycle);
        continue;
      }
      s.queued = false;
      s.inFlight = true;
      this.active++;
      let slot: 'active' | 'overflow' = 'active';
      // A scrape still waiting after slowScrapeMs gives its slot up (to a larger overflow pool), so
      // as many hung kubelets as there are slots cannot stall everyone else until they time out.
      const slow = setTimeout(() => {
        if (slot !== 'active' || this.overflow >= limit * 4) return;
        slot = 'overflow';
        this.active--;
        this.overflow++;
        this.pump();
      }, this.options.slowScrapeMs ?? 1_000);
      void this.scrape(item.name, s).finally(() => {
        clearTimeout(slow);
        s.inFlight = false;
        if (slot === 'active') this.active--;
        else this.overflow--;
        this.finishCycle(item.cycle);
        if (this.active + this.overflow === 0) for (const w of this.idleWaiters.splice(0)) w();
        this.pump();
        this.checkReady();
      });
    }
  }

  private finishCycle(cycle: Cycle | undefined): void {
    if (cycle === undefined || --cycle.remaining > 0) return;
    const ms = performance.now() - cycle.start;
    this.lastCycleMs = ms;
    this.metrics?.kubeletCycleDuration.observe(ms / 1000);
    const counts = this.store.counts();
    this.metrics?.kubeletPointsStored.set({ kind: 'node' }, counts.nodes);
    this.metrics?.kubeletPointsStored.set({ kind: 'pod' }, counts.pods);
    this.metrics?.kubeletPointsStored.set({ kind: 'container' }, counts.containers);
  }

  private credentials(): Promise<string | undefined> {
    if (this.options.clientCertFile !== undefined) return Promise.resolve(undefined);
    this.authorization ??= this.client.authorizationHeader().then(
      (h) => {
        this.authFailureLogged = false;
        return h;
      },
      (err: unknown) => {
        if (!this.authFailureLogged)
          this.logger.error(
            { err: errorMessage(err) },
            'cannot read the credentials for kubelets; scraping without',
          );
        this.authFailureLogged = true;
        return undefined;
      },
    );
    return this.authorization;
  }

  private async scrape(name: string, s: NodeState): Promise<void> {
    const node = this.nodes.get('', name);
    const http = this.http;
    if (node === undefined || http === undefined || this.stopped) return;
    const o = this.options;
    const via = o.viaAPIServer ?? 'never';
    const started = performance.now();
    const deadline = started + o.requestTimeoutMs;
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
    const attempts: (KubeletTarget | typeof PROXY)[] = proxyFirst
      ? [PROXY, ...(via === 'fallback' ? candidates : [])]
      : [...candidates];
    if (via === 'fallback' && !proxyFirst) attempts.push(PROXY);
    let used: KubeletTarget | typeof PROXY | undefined;
    let lostRemembered = false;
    try {
      if (attempts.length === 0) {
        throw new ScrapeError(
          'no_address',
          `the node reports no address of the types ${o.preferredAddressTypes.join(',')}`,
        );
      }
      const { path, accept } = PATHS[o.endpoint];
      const authorization = await this.credentials();
      let body: Buffer | undefined;
      let first: { error: ScrapeError; attempt: KubeletTarget | typeof PROXY } | undefined;
      const tried: string[] = [];
      const describe = (a: KubeletTarget | typeof PROXY): string =>
        a === PROXY ? 'the API server node proxy' : `${a.address.type} ${a.authority}`;
      for (const [i, attempt] of attempts.entries()) {
        used = attempt;
        const remaining = Math.max(1, deadline - performance.now());
        const left = attempts.length - i;
        try {
          body =
            attempt === PROXY
              ? await this.viaProxy(name, remaining)
              : await http.get({
                  authority: attempt.authority,
                  path,
                  accept,
                  authorization,
                  timeoutMs: remaining,
                  // A share of what is left, so a blackholed address leaves time for the others.
                  connectTimeoutMs:
                    left > 1 ? Math.max(Math.floor(remaining / left), Math.min(remaining, 1_000)) : remaining,
                  keepAlive: this.keepAlive,
                });
        } catch (err) {
          // Any failure of the proxy counts: it is the last resort, or (tried first) the way back.
          const unreachable = attempt === PROXY || addressFailure(err);
          if (unreachable && (attempt === PROXY ? PROXY : attempt.authority) === s.address)
            lostRemembered = true;
          // Only "this address cannot be reached" falls through; a kubelet that answered (or
          // accepted and is slow) would answer the same on any address, and asking twice doubles its load.
          if (i + 1 >= attempts.length || !unreachable || performance.now() >= deadline || this.isStopped()) {
            // Every address failed: the most preferred one's failure says most (connection
            // refused: the port; a name mismatch: the certificate), the others are named after it.
            // A failure that stopped the fall-through (the proxy's 403, say) is the one to fix.
            if (first === undefined || !addressFailure(err)) throw err;
            tried.push(`${describe(attempt)}: ${errorMessage(err)}`);
            used = first.attempt;
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
            this.logger.debug(
              { node: name, address: attempt.authority, err: errorMessage(err) },
              'kubelet address unreachable, trying the next',
            );
        }
        if (body !== undefined) break;
      }
      // The last attempt's failure is always thrown above; this only satisfies the compiler.
      if (body === undefined) throw new ScrapeError('connection', 'no address of the node answered');
      let scrape: NodeScrape;
      try {
        scrape = o.endpoint === 'summary' ? decodeSummary(body) : decodeResourceMetrics(body);
      } catch (err) {
        throw new ScrapeError('decode', err instanceof DecodeError ? err.message : errorMessage(err));
      }
      if (this.isStopped() || this.nodes.get('', name) === undefined) return;
      this.store.apply(name, scrape);
      s.successes++;
      this.metrics?.kubeletLastScrapeSuccess.set({ node: name }, Date.now() / 1000);
      this.useAddress(name, s, used, candidates);
      this.transition(name, s, 'ok', undefined, used === PROXY ? PROXY : used?.authority);
      if (this.store.nodeComplete(name)) s.warmups = 0;
      else if (s.warmups < MAX_WARMUPS) this.scheduleWarmup(name, s);
    } catch (err) {
      if (this.isStopped()) return;
      const e = err instanceof ScrapeError ? err : new ScrapeError('connection', errorMessage(err));
      // The remembered address is forgotten once it cannot be reached (the next scrape starts over
      // from the most preferred); other failures keep it, the address itself works.
      if (lostRemembered && this.states.get(name) === s) this.useAddress(name, s, undefined, candidates);
      this.metrics?.kubeletScrapeErrors.inc({ kind: e.kind });
      this.transition(name, s, e.kind, e.message, used === PROXY ? PROXY : used?.authority);
    } finally {
      this.metrics?.kubeletScrapeDuration.observe((performance.now() - started) / 1000);
    }
  }

  /** GET of the node's kubelet endpoint through the API server's node proxy, as the adapter's cluster identity. */
  private async viaProxy(name: string, timeoutMs: number): Promise<Buffer> {
    const o = this.options;
    const { path, accept } = PATHS[o.endpoint];
    const [subpath, query] = path.split('?') as [string, string | undefined];
    const proxyPath = `/api/v1/nodes/${encodeURIComponent(name)}/proxy${subpath}`;
    try {
      return await this.client.requestRaw(proxyPath, {
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

  /**
   * Records the way a node was reached (undefined: none works), keeps the per-type gauge, and
   * logs a change of address type once. A node reached at its first address on its first scrape
   * logs nothing (the expected case, thousands of lines at start otherwise).
   */
  private useAddress(
    name: string,
    s: NodeState,
    used: KubeletTarget | typeof PROXY | undefined,
    candidates: readonly KubeletTarget[],
  ): void {
    const address = used === undefined ? undefined : used === PROXY ? PROXY : used.authority;
    if (address === s.address) return;
    const type = used === undefined ? undefined : used === PROXY ? PROXY_TYPE : used.address.type;
    const wasType = s.addressType;
    const wasAddress = s.address;
    s.address = address;
    s.addressType = type;
    if (wasType !== type) {
      if (wasType !== undefined) this.metrics?.kubeletAddressType.dec({ type: wasType });
      if (type !== undefined) this.metrics?.kubeletAddressType.inc({ type });
    }
    if (used === undefined) return;
    const where =
      used === PROXY
        ? 'through the API server node proxy'
        : `at ${used.address.type} ${used.address.address}`;
    if (
      wasAddress === undefined &&
      (used === PROXY ? this.options.viaAPIServer === 'always' : candidates[0] === used)
    )
      return;
    const was =
      wasAddress === undefined
        ? candidates[0] === undefined
          ? ''
          : ` (${candidates[0].address.type} ${candidates[0].address.address} unreachable)`
        : ` (was ${wasType === PROXY_TYPE ? 'the API server node proxy' : `${wasType ?? ''} ${wasAddress}`})`;
    this.logger.info(
      { node: name, addressType: type, address: used === PROXY ? undefined : used.authority },
      `kubelet of node ${name} reached ${where}${was}`,
    );
  }

  private scheduleWarmup(name: string, s: NodeState): void {
    const first = this.options.warmupMs ?? Math.min(this.options.resolutionMs / 2, 1_000);
    const ms = s.warmups === 0 ? first : 2 * first;
    // The next tick scrapes the node anyway: stop once the warm-ups would reach it.
    if (first * (1 + 2 * s.warmups) >= this.options.resolutionMs) return;
    s.warmups++;
    clearTimeout(s.warmup);
    s.warmupAt = Date.now() + ms;
    s.warmup = setTimeout(() => {
      s.warmup = undefined;
      s.warmupAt = Number.NaN;
      if (this.stopped || !this.states.has(name)) return;
      this.enqueue(name, undefined);
      this.pump();
    }, ms);
  }

  private transition(
    node: string,
    s: NodeState,
    status: 'ok' | ScrapeErrorKind,
    message: string | undefined,
    address: string | undefined,
  ): void {
    const prev = s.status;
    s.status = status;
    recordForDiagnosis(s, status, message, address);
    if (prev === status) return;
    if (status === 'ok') {
      if (prev !== undefined)
        this.logger.info({ node, address, previous: prev }, 'kubelet scrape works again');
      return;
    }
    this.logger.warn(
      { node, address, kind: status, err: message },
      `cannot scrape the kubelet of node ${node}: ${hint(status, this.options)}`,
    );
  }

  /** Drops all that is kept for a deleted node: state, points, metric series, socket and TLS session. */
  private forgetNode(name: string, record: NodeRecord | undefined): void {
    const s = this.states.get(name);
    if (s !== undefined) {
      clearTimeout(s.warmup);
      if (s.addressType !== undefined) this.metrics?.kubeletAddressType.dec({ type: s.addressType });
    }
    this.states.delete(name);
    const o = this.options;
    // Every candidate may have a session (fall-throughs), and the remembered one may be an address
    // the record no longer lists.
    const targets =
      record === undefined
        ? []
        : kubeletTargets(record, o.preferredAddressTypes, o.port, o.useNodeStatusPort);
    for (const t of targets) this.http?.forget(t.authority);
    if (s?.address !== undefined && s.address !== PROXY && !targets.some((t) => t.authority === s.address))
      this.http?.forget(s.address);
    this.store.removeNode(name);
    this.metrics?.kubeletLastScrapeSuccess.remove({ node: name });
    this.checkReady();
  }

  /**
   * Ready once the node list is in and every node either has complete data (an answer: two points,
   * or one with the kubelet's own rate, so one scrape with the Summary API) or its latest scrape failed: nodes that answer have data, the others will not hold readiness hostage.
   */
  private checkReady(): void {
    if (this.isReadyFlag || !this.synced) return;
    for (const node of this.nodes.list()) if (this.holdsReadiness(node.name)) return;
    this.isReadyFlag = true;
    this.resolveReady();
  }

  private holdsReadiness(name: string): boolean {
    const s = this.states.get(name);
    if (s === undefined || s.status === undefined) return true;
    return s.status === 'ok' && !this.store.nodeComplete(name);
  }

  /**
   * What readiness waits for (the /readyz reason): undefined once ready; `nodes: undefined` while
   * the node list is not in yet; otherwise how many of the nodes have neither complete data nor
   * a failed scrape. One pass over the nodes, as the check itself makes.
   */
  readinessProgress(): { nodes: number | undefined; waiting: number } | undefined {
    if (this.isReadyFlag) return undefined;
    if (!this.synced) return { nodes: undefined, waiting: 0 };
    const nodes = this.nodes.list();
    let waiting = 0;
    for (const node of nodes) if (this.holdsReadiness(node.name)) waiting++;
    return { nodes: nodes.length, waiting };
  }

  /** Stops ticks, warm-ups, in-flight scrapes, sockets and (when it owns it) the node informer. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    for (const s of this.states.values()) clearTimeout(s.warmup);
    this.unsubscribe?.();
    if (this.ownsInformer) this.nodes.stop();
    this.queue = [];
    this.queueHead = 0;
    this.http?.close();
    if (this.active + this.overflow > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** What is kept per node, in all (tests check that it shrinks back when nodes go). */
  kept(): { nodeStates: number; idleSockets: number; sessions: number } {
    return { nodeStates: this.states.size, ...(this.http?.kept() ?? { idleSockets: 0, sessions: 0 }) };
  }

  /** What explain says about a node's scrapes; undefined for a node the scraper does not know. */
  diagnoseNode(name: string): NodeScrapeState | undefined {
    const s = this.states.get(name);
    const nextTick = this.synced ? Date.now() + Math.max(0, this.nextTickAt - performance.now()) : undefined;
    if (s === undefined) return this.nodes.get('', name) === undefined ? undefined : neverScraped(nextTick);
    const next = Number.isNaN(s.warmupAt) ? nextTick : Math.min(s.warmupAt, nextTick ?? s.warmupAt);
    if (s.status === undefined) return neverScraped(s.inFlight || s.queued ? Date.now() : next);
    const failing = s.status !== 'ok';
    return {
      status: s.status,
      message: failing ? s.lastMessage : undefined,
      address: s.lastAddress,
      failingSince: failing ? s.failingSince : undefined,
      lastSuccess: Number.isNaN(s.lastSuccessMs) ? undefined : s.lastSuccessMs,
      nextScrapeAt: next,
      hint: s.status === 'ok' ? undefined : hint(s.status, this.options),
    };
  }

  /** The metrics.k8s.io data source: answers from memory, never waits on a kubelet. */
  usageSource(): ResourceUsageSource {
    const store = this.store;
    return {
      name: 'kubelet',
      podUsage: (q: PodUsageQuery) => Promise.resolve(store.podUsage(q.namespace, q.names)),
      podUsageOf: (namespace: string, name: string) => store.podUsageOf(namespace, name),
      nodeUsage: (q: NodeUsageQuery) => Promise.resolve(store.nodeUsage(q.names)),
    };
  }
}

function neverScraped(nextScrapeAt: number | undefined): NodeScrapeState {
  return {
    status: 'never',
    message: undefined,
    address: undefined,
    failingSince: undefined,
    lastSuccess: undefined,
    nextScrapeAt,
    hint: undefined,
  };
}

/** Keeps what diagnoseNode reports: numbers and two strings per node. */
function recordForDiagnosis(
  s: NodeState,
  status: 'ok' | ScrapeErrorKind,
  message: string | undefined,
  address: string | undefined,
): void {
  s.lastAddress = address;
  if (status === 'ok') {
    s.lastSuccessMs = Date.now();
    s.failingSince = Number.NaN;
    s.lastMessage = undefined;
    return;
  }
  if (Number.isNaN(s.failingSince)) s.failingSince = Date.now();
  s.lastMessage = message;
}

function hint(kind: ScrapeErrorKind, o: KubeletScraperOptions): string {
  switch (kind) {
    case 'timeout':
      return `no complete answer within ${o.requestTimeoutMs} ms (--kubelet-request-timeout); the kubelet is overloaded or unreachable`;
    case 'connection_refused':
      return 'connection refused: check --kubelet-port / --kubelet-use-node-status-port and that the kubelet runs';
    case 'unauthorized':
      return o.viaAPIServer === 'always'
        ? "the API server refused the node proxy request (401/403): let the adapter's identity get nodes/proxy (RBAC, docs/security.md)"
        : 'the kubelet refused our credentials (401/403): give --kubelet-client-certificate and --kubelet-client-key, or let our identity get nodes/stats and nodes/metrics (RBAC)';
    case 'unknown_authority':
      return "the kubelet's serving certificate is signed by an unknown authority (x509): give --kubelet-certificate-authority, or --kubelet-insecure-tls";
    case 'name_mismatch':
      return "the kubelet's serving certificate is not valid for the address used (x509 name mismatch): pick another address type with --kubelet-preferred-address-types, or give the kubelets certificates naming it";
    case 'no_address':
      return 'the node has no address of the types in --kubelet-preferred-address-types';
    case 'decode':
      return `the answer could not be decoded (--kubelet-endpoint=${o.endpoint})`;
    case 'http_status':
      return `the kubelet answered with an error status (--kubelet-endpoint=${o.endpoint})`;
    case 'connection':
      return 'connection failed';
    case 'dns':
      return "the node's address does not resolve from the adapter (no such host): put a type the adapter can reach first in --kubelet-preferred-address-types (e.g. InternalIP), or --kubelet-via-apiserver=fallback";
  }
}
