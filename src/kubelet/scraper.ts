/**
 * The kubelet scraper: watches the nodes, scrapes each kubelet on the schedule (scrape-scheduler.ts)
 * by its addresses or the API server's proxy (fetch-node.ts), keeps the points (store.ts) and the
 * per-node state (node-states.ts), and answers readiness, explain and metrics.k8s.io from them.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../errors.js';
import { Informer, type KubeClient, type WatchFailureObserver } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { NodeScrapeState } from '../explain/index.js';
import type { NodeUsageQuery, PodUsageQuery, ResourceUsageSource } from '../providers/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import { fetchNode, planAttempts, type FetchDeps, type FetchTrace } from './fetch-node.js';
import { KubeletHttpClient, ScrapeError } from './kubelet-client.js';
import { NodeStates, PROXY, diagnose, type NodeState } from './node-states.js';
import { kubeletTargets, nodeRecordFrom, type NodeRecord } from './nodes.js';
import { ScrapeScheduler } from './scrape-scheduler.js';
import { UsageStore } from './store.js';
import type { KubeletScraperOptions } from './types.js';

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

/** Default of KubeletScraperOptions.keepAliveMaxNodes (see there). */
const KEEP_ALIVE_MAX_NODES = 100;

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
  /** What each scrape needs, once the kubelets' client exists. */
  private fetch: FetchDeps | undefined;
  private readonly states: NodeStates;
  private readonly scheduler: ScrapeScheduler;
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
    this.states = new NodeStates({ options: deps.options, logger: deps.logger, metrics: deps.metrics });
    this.scheduler = new ScrapeScheduler({
      options: deps.options,
      states: this.states,
      isStopped: () => this.stopped,
      beginTick: () => this.beginTick(),
      scrape: (name, s) => this.scrape(name, s),
      settled: () => this.checkReady(),
      cycleDone: (ms) => this.cycleDone(ms),
    });
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
      else if (change === 'added' && this.synced && !this.stopped) this.scheduler.scrapeNow(key.name);
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
    this.fetch = {
      options: o,
      client: this.client,
      http: this.http,
      logger: this.logger,
      credentials: () => this.credentials(),
      keepAlive: () => this.keepAlive,
      isStopped: () => this.isStopped(),
    };
    this.synced = true;
    this.scheduler.begin();
  }

  /** A tick's nodes; credentials are read anew, and many nodes scrape without keep-alive. */
  private beginTick(): readonly NodeRecord[] {
    this.authorization = undefined;
    const nodes = this.nodes.list();
    const keepAlive = nodes.length <= (this.options.keepAliveMaxNodes ?? KEEP_ALIVE_MAX_NODES);
    if (this.keepAlive && !keepAlive) this.http?.closeIdle();
    this.keepAlive = keepAlive;
    return nodes;
  }

  private cycleDone(ms: number): void {
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

  /** One scrape of a node, its outcome recorded: points, state, address, metrics, warm-up. */
  private async scrape(name: string, s: NodeState): Promise<void> {
    const node = this.nodes.get('', name);
    const fetch = this.fetch;
    if (node === undefined || fetch === undefined || this.stopped) return;
    const started = performance.now();
    const deadline = started + this.options.requestTimeoutMs;
    const { candidates, attempts } = planAttempts(node, s, this.options);
    const trace: FetchTrace = { used: undefined, lostRemembered: false };
    try {
      const scrape = await fetchNode(fetch, name, s, attempts, deadline, trace);
      if (this.isStopped() || this.nodes.get('', name) === undefined) return;
      this.store.apply(name, scrape);
      s.successes++;
      this.metrics?.kubeletLastScrapeSuccess.set({ node: name }, Date.now() / 1000);
      this.states.useAddress(name, s, trace.used, candidates);
      const address = trace.used === PROXY ? PROXY : trace.used?.authority;
      this.states.transition(name, s, 'ok', undefined, address);
      this.scheduler.afterSuccess(name, s, this.store.nodeComplete(name));
    } catch (err) {
      if (this.isStopped()) return;
      const e = err instanceof ScrapeError ? err : new ScrapeError('connection', errorMessage(err));
      // The remembered address is forgotten once it cannot be reached (the next scrape starts over
      // from the most preferred); other failures keep it, the address itself works.
      if (trace.lostRemembered && this.states.get(name) === s)
        this.states.useAddress(name, s, undefined, candidates);
      this.metrics?.kubeletScrapeErrors.inc({ kind: e.kind });
      const address = trace.used === PROXY ? PROXY : trace.used?.authority;
      this.states.transition(name, s, e.kind, e.message, address);
    } finally {
      this.metrics?.kubeletScrapeDuration.observe((performance.now() - started) / 1000);
    }
  }

  /** Drops all that is kept for a deleted node: state, points, metric series, socket and TLS session. */
  private forgetNode(name: string, record: NodeRecord | undefined): void {
    const s = this.states.forget(name);
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
    this.scheduler.halt();
    this.unsubscribe?.();
    if (this.ownsInformer) this.nodes.stop();
    this.http?.close();
    await this.scheduler.idle();
  }

  /** What is kept per node, in all (tests check that it shrinks back when nodes go). */
  kept(): { nodeStates: number; idleSockets: number; sessions: number } {
    return { nodeStates: this.states.size, ...(this.http?.kept() ?? { idleSockets: 0, sessions: 0 }) };
  }

  /** What explain says about a node's scrapes; undefined for a node the scraper does not know. */
  diagnoseNode(name: string): NodeScrapeState | undefined {
    const s = this.states.get(name);
    if (s === undefined && this.nodes.get('', name) === undefined) return undefined;
    const nextTick = this.synced ? Date.now() + this.scheduler.msToNextTick() : undefined;
    return diagnose(s, nextTick, this.options);
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
