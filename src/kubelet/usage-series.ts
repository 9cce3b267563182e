/**
 * One series' last two points, updated in place scrape after scrape. CPU is the change of the
 * cumulative counter over the change of the kubelet's own timestamps; a restarted container (its
 * start time changed) or a counter that went down drops the older point, so a rate is never
 * computed across a restart. Memory is the newest working set.
 *
 * Before the second point, a series still answers in two cases, so one scrape suffices:
 * - cold start: a container whose start time lies at most one resolution before its CPU reading
 *   gets the counter over the time since start (the counter began at zero then), window = that
 *   time; as metrics-server 0.6+ does. Preferred when both apply: its window is exactly known.
 * - the kubelet's own rate (Summary API usageNanoCores) next to the counter: rate = that, window =
 *   the resolution (the kubelet does not say over what it measured; metrics-server 0.3.x reported
 *   its --metric-resolution too). Nodes have only this one.
 * Older containers on /metrics/resource (no rate given) still need two points.
 */
import type { UsageSample } from './types.js';

/** Two cumulative CPU points and the newest working set; t0 is NaN while there is one point. */
export class UsageSeries {
  t0 = Number.NaN;
  c0 = 0;
  t1: number;
  c1: number;
  /** The kubelet's rate at t1 (nanocores); NaN when it gave none. */
  nc: number;
  mem: number;
  memT: number;

  constructor(
    s: UsageSample,
    public start: number,
  ) {
    this.t1 = s.cpuTimeMs;
    this.c1 = s.cpuNs;
    this.nc = s.cpuNanoCores ?? Number.NaN;
    this.mem = s.memoryBytes;
    this.memT = s.memoryTimeMs;
  }

  update(s: UsageSample, start: number): void {
    if (s.memoryTimeMs >= this.memT) {
      this.mem = s.memoryBytes;
      this.memT = s.memoryTimeMs;
    }
    const restarted = !Number.isNaN(start) && !Number.isNaN(this.start) && start !== this.start;
    if (restarted || s.cpuNs < this.c1) {
      this.t0 = Number.NaN;
      this.t1 = s.cpuTimeMs;
      this.c1 = s.cpuNs;
      this.nc = s.cpuNanoCores ?? Number.NaN;
      this.start = start;
      this.mem = s.memoryBytes;
      this.memT = s.memoryTimeMs;
      return;
    }
    if (!Number.isNaN(start)) this.start = start;
    // The kubelet answered from the same stats as last time: not a new point.
    if (s.cpuTimeMs <= this.t1) return;
    this.t0 = this.t1;
    this.c0 = this.c1;
    this.t1 = s.cpuTimeMs;
    this.c1 = s.cpuNs;
    this.nc = s.cpuNanoCores ?? Number.NaN;
  }

  get complete(): boolean {
    return !Number.isNaN(this.t0);
  }

  /** Time from the container's start to its one point when that is a cold start, else NaN. */
  private sinceStart(resolutionMs: number): number {
    const d = this.t1 - this.start;
    // NaN start (nodes, or the kubelet did not say) fails both comparisons.
    return d > 0 && d <= resolutionMs ? d : Number.NaN;
  }

  /** Whether the series can answer: two points, a cold start, or the kubelet's own rate. */
  answers(resolutionMs: number): boolean {
    return this.complete || !Number.isNaN(this.nc) || !Number.isNaN(this.sinceStart(resolutionMs));
  }

  /** Nanocores over the window; only when answers(). */
  rate(resolutionMs: number): number {
    if (this.complete) return Math.round(((this.c1 - this.c0) / (this.t1 - this.t0)) * 1000);
    const d = this.sinceStart(resolutionMs);
    if (!Number.isNaN(d)) return Math.round((this.c1 / d) * 1000);
    return Math.round(this.nc);
  }

  /** The window rate() is over, in ms; only when answers(). */
  windowMs(resolutionMs: number): number {
    if (this.complete) return this.t1 - this.t0;
    const d = this.sinceStart(resolutionMs);
    return Number.isNaN(d) ? resolutionMs : d;
  }
}
