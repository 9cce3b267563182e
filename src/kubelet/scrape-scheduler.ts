/**
 * When each node is scraped: every node once per resolution tick, a node that appears at once, and
 * a node whose scrape left it without an answer again after a short warm-up. Scrapes run in bounded
 * slots and a node is never scraped twice at once, so a hung or slow kubelet holds one slot and
 * delays no other node's data; one still waiting after slowScrapeMs moves to an overflow pool.
 */
import { performance } from 'node:perf_hooks';
import type { NodeState, NodeStates } from './node-states.js';
import type { KubeletScraperOptions } from './types.js';

/**
 * Warm-up scrapes of a node without an answer: after the first delay, then every twice that (1,
 * then every 2 s by default) while their sum stays below the resolution, the next tick scraping
 * anyway. A kubelet refreshes its stats every ~10 s (cAdvisor housekeeping), so the scrape 1 s
 * after the first usually finds the same point; spacing them evenly (not doubling) puts the second
 * point at most one warm-up step after the kubelet's next refresh. Hard bound on their number.
 */
const MAX_WARMUPS = 16;

/** One tick's scrapes: when it started and how many have not finished. */
interface Cycle {
  start: number;
  remaining: number;
}

export interface SchedulerDeps {
  options: KubeletScraperOptions;
  states: NodeStates;
  isStopped(): boolean;
  /** At each tick: the nodes to scrape in it. */
  beginTick(): readonly { readonly name: string }[];
  scrape(name: string, s: NodeState): Promise<void>;
  /** After each tick and each scrape: readiness may have changed. */
  settled(): void;
  /** Every node of a tick was scraped, in ms since the tick. */
  cycleDone(ms: number): void;
}

export class ScrapeScheduler {
  private queue: { name: string; cycle: Cycle | undefined }[] = [];
  private queueHead = 0;
  private active = 0;
  private overflow = 0;
  private idleWaiters: (() => void)[] = [];
  private tickTimer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Starts the ticks, the first one now. */
  begin(): void {
    this.nextTickAt = performance.now();
    this.tick();
  }

  /** Time left until the next tick, in ms. */
  msToNextTick(): number {
    return Math.max(0, this.nextTickAt - performance.now());
  }

  /** Scrapes a node now (unless it is already queued or being scraped), outside any tick. */
  scrapeNow(name: string): void {
    this.enqueue(name, undefined);
    this.pump();
  }

  /** After a successful scrape: a node still without complete data is scraped again soon. */
  afterSuccess(name: string, s: NodeState, complete: boolean): void {
    if (complete) s.warmups = 0;
    else if (s.warmups < MAX_WARMUPS) this.scheduleWarmup(name, s);
  }

  /** Stops ticks and warm-ups and drops the queue (the caller has set isStopped). */
  halt(): void {
    clearTimeout(this.tickTimer);
    for (const s of this.deps.states.values()) clearTimeout(s.warmup);
    this.queue = [];
    this.queueHead = 0;
  }

  /** Resolves once no scrape is running, or after 2 s. */
  async idle(): Promise<void> {
    if (this.active + this.overflow === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private tick(): void {
    if (this.deps.isStopped()) return;
    const cycle: Cycle = { start: performance.now(), remaining: 0 };
    for (const node of this.deps.beginTick()) {
      if (this.enqueue(node.name, cycle)) cycle.remaining++;
    }
    this.pump();
    this.deps.settled();
    const resolutionMs = this.deps.options.resolutionMs;
    this.nextTickAt += resolutionMs;
    // A late tick (event loop stalled) starts the schedule anew rather than firing a burst.
    if (this.nextTickAt < performance.now()) this.nextTickAt = performance.now() + resolutionMs;
    this.tickTimer = setTimeout(() => this.tick(), this.nextTickAt - performance.now());
  }

  /** False when the node is already queued or being scraped: ticks never overlap for one node. */
  private enqueue(name: string, cycle: Cycle | undefined): boolean {
    const s = this.deps.states.ensure(name);
    if (s.inFlight || s.queued) return false;
    s.queued = true;
    this.queue.push({ name, cycle });
    return true;
  }

  private pump(): void {
    const limit = Math.max(1, this.deps.options.concurrency ?? 64);
    while (!this.deps.isStopped() && this.active < limit && this.queueHead < this.queue.length) {
      const item = this.queue[this.queueHead++];
      if (item === undefined) break;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      const s = this.deps.states.get(item.name);
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
      }, this.deps.options.slowScrapeMs ?? 1_000);
      void this.deps.scrape(item.name, s).finally(() => {
        clearTimeout(slow);
        s.inFlight = false;
        if (slot === 'active') this.active--;
        else this.overflow--;
        this.finishCycle(item.cycle);
        if (this.active + this.overflow === 0) for (const w of this.idleWaiters.splice(0)) w();
        this.pump();
        this.deps.settled();
      });
    }
  }

  private finishCycle(cycle: Cycle | undefined): void {
    if (cycle === undefined || --cycle.remaining > 0) return;
    this.deps.cycleDone(performance.now() - cycle.start);
  }

  private scheduleWarmup(name: string, s: NodeState): void {
    const { warmupMs, resolutionMs } = this.deps.options;
    const first = warmupMs ?? Math.min(resolutionMs / 2, 1_000);
    const ms = s.warmups === 0 ? first : 2 * first;
    // The next tick scrapes the node anyway: stop once the warm-ups would reach it.
    if (first * (1 + 2 * s.warmups) >= resolutionMs) return;
    s.warmups++;
    clearTimeout(s.warmup);
    s.warmupAt = Date.now() + ms;
    s.warmup = setTimeout(() => {
      s.warmup = undefined;
      s.warmupAt = Number.NaN;
      if (this.deps.isStopped() || !this.deps.states.has(name)) return;
      this.scrapeNow(name);
    }, ms);
  }
}
