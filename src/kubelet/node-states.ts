/**
 * What the scraper keeps per node between scrapes (scheduling flags, warm-ups, the address that
 * answered, the last outcome for explain), and the one log line per change: of state (failing,
 * working again) and of the way the node is reached (address type, the API server's proxy); and what
 * explain reports from it.
 */
import type { Logger } from '../logging.js';
import type { NodeScrapeState } from '../explain/index.js';
import type { SelfMetrics } from '../self-metrics.js';
import type { ScrapeErrorKind } from './kubelet-client.js';
import type { KubeletTarget } from './nodes.js';
import { scrapeHint } from './scrape-hints.js';
import type { KubeletScraperOptions } from './types.js';

export interface NodeState {
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
export const PROXY = 'apiserver';
/** The address type a proxied node counts as in metrics_adapter_kubelet_address_type. */
const PROXY_TYPE = 'APIServerProxy';

/** One way of reaching a node's kubelet: one of its addresses, or the API server's node proxy. */
export type Attempt = KubeletTarget | typeof PROXY;

export interface NodeStatesDeps {
  options: KubeletScraperOptions;
  logger: Logger;
  metrics: SelfMetrics | undefined;
}

export class NodeStates {
  private readonly states = new Map<string, NodeState>();

  constructor(private readonly deps: NodeStatesDeps) {}

  get size(): number {
    return this.states.size;
  }

  get(name: string): NodeState | undefined {
    return this.states.get(name);
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  values(): IterableIterator<NodeState> {
    return this.states.values();
  }

  /** The node's state, created on first use. */
  ensure(name: string): NodeState {
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

  /** Drops a deleted node's state (its warm-up timer and its address type in the gauge); returns it. */
  forget(name: string): NodeState | undefined {
    const s = this.states.get(name);
    if (s !== undefined) {
      clearTimeout(s.warmup);
      if (s.addressType !== undefined) this.deps.metrics?.kubeletAddressType.dec({ type: s.addressType });
    }
    this.states.delete(name);
    return s;
  }

  /**
   * Records the way a node was reached (undefined: none works), keeps the per-type gauge, and
   * logs a change of address type once. A node reached at its first address on its first scrape
   * logs nothing (the expected case, thousands of lines at start otherwise).
   */
  useAddress(
    name: string,
    s: NodeState,
    used: Attempt | undefined,
    candidates: readonly KubeletTarget[],
  ): void {
    const { metrics, options, logger } = this.deps;
    const address = used === undefined ? undefined : used === PROXY ? PROXY : used.authority;
    if (address === s.address) return;
    const type = used === undefined ? undefined : used === PROXY ? PROXY_TYPE : used.address.type;
    const wasType = s.addressType;
    const wasAddress = s.address;
    s.address = address;
    s.addressType = type;
    if (wasType !== type) {
      if (wasType !== undefined) metrics?.kubeletAddressType.dec({ type: wasType });
      if (type !== undefined) metrics?.kubeletAddressType.inc({ type });
    }
    if (used === undefined) return;
    const where =
      used === PROXY
        ? 'through the API server node proxy'
        : `at ${used.address.type} ${used.address.address}`;
    if (
      wasAddress === undefined &&
      (used === PROXY ? options.viaAPIServer === 'always' : candidates[0] === used)
    )
      return;
    const was =
      wasAddress === undefined
        ? candidates[0] === undefined
          ? ''
          : ` (${candidates[0].address.type} ${candidates[0].address.address} unreachable)`
        : ` (was ${wasType === PROXY_TYPE ? 'the API server node proxy' : `${wasType ?? ''} ${wasAddress}`})`;
    logger.info(
      { node: name, addressType: type, address: used === PROXY ? undefined : used.authority },
      `kubelet of node ${name} reached ${where}${was}`,
    );
  }

  /** Records a scrape's outcome; logs a change to failing (with its hint) or back to working once. */
  transition(
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
        this.deps.logger.info({ node, address, previous: prev }, 'kubelet scrape works again');
      return;
    }
    this.deps.logger.warn(
      { node, address, kind: status, err: message },
      `cannot scrape the kubelet of node ${node}: ${scrapeHint(status, this.deps.options)}`,
    );
  }
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

/**
 * What explain says about a known node's scrapes. `s` is undefined for a node the scraper has not
 * queued yet; nextTick is the next tick in ms since the epoch (undefined before the node list is in).
 */
export function diagnose(
  s: NodeState | undefined,
  nextTick: number | undefined,
  o: KubeletScraperOptions,
): NodeScrapeState {
  if (s === undefined) return neverScraped(nextTick);
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
    hint: s.status === 'ok' ? undefined : scrapeHint(s.status, o),
  };
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
