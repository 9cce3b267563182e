/**
 * Authorization by SubjectAccessReview, with decisions cached briefly (allowed and denied with
 * their own TTLs, like the generic apiserver's webhook cache). Concurrent reviews of the same
 * question share one call; failures are not cached.
 *
 * Allowed decisions that are in use are renewed in the background shortly before they expire.
 * The HPA asks each question once per sync period (15 s), longer than the 10 s the decision is
 * kept, so without renewal nearly every HPA request would wait for a SubjectAccessReview round
 * trip. A decision is never used past its TTL: renewal replaces it with a fresh one, and a
 * failed renewal just lets it expire. A renewal that lands while a request is already fetching
 * the expired question is dropped (the fetch brings its own fresh decision).
 */
import { LRUCache } from 'lru-cache';
import type { KubeClient } from './client.js';
import type { AccessDecision, AccessReviewRequest } from './types.js';

interface SubjectAccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface SubjectAccessReviewerOptions {
  allowedTtlMs: number;
  deniedTtlMs: number;
  maxEntries?: number;
  timeoutMs?: number;
  /** A question asked within this long is renewed before it expires (default 60 s). */
  inUseWindowMs?: number;
  /** How often due renewals are looked for (default 1 s). */
  renewTickMs?: number;
}

/** Renew when less than this share of the TTL is left. */
const RENEW_AT_REMAINING = 0.25;
/** Renewals started per tick, at most (the rest wait for the next tick or for a request). */
const RENEWALS_PER_TICK = 100;

export class SubjectAccessReviewer {
  private readonly cache: LRUCache<string, AccessDecision, AccessReviewRequest>;
  /** Allowed questions asked recently, oldest use first. */
  private readonly inUse = new Map<string, { request: AccessReviewRequest; lastUsed: number }>();
  private readonly renewing = new Set<string>();
  /** Keys a request is fetching now: a renewal landing meanwhile must not replace that fetch. */
  private readonly fetching = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: SubjectAccessReviewerOptions,
  ) {
    this.cache = new LRUCache<string, AccessDecision, AccessReviewRequest>({
      max: options.maxEntries ?? 10_000,
      ttl: Math.max(options.allowedTtlMs, options.deniedTtlMs, 1),
      fetchMethod: async (key, _stale, { context, options: setOptions }) => {
        this.fetching.add(key);
        let decision: AccessDecision;
        try {
          decision = await this.call(context);
        } finally {
          this.fetching.delete(key);
        }
        const ttl = decision.allowed ? this.options.allowedTtlMs : this.options.deniedTtlMs;
        if (ttl <= 0) setOptions.ttl = 1;
        else setOptions.ttl = ttl;
        return decision;
      },
    });
  }

  async review(request: AccessReviewRequest): Promise<AccessDecision> {
    const key = JSON.stringify([
      request.user.name,
      request.user.uid,
      [...request.user.groups].sort(),
      Object.entries(request.user.extra).sort(([a], [b]) => (a < b ? -1 : 1)),
      request.resource ?? null,
      request.nonResource ?? null,
    ]);
    const decision = await this.cache.fetch(key, { context: request });
    if (decision === undefined) throw new Error('SubjectAccessReview returned no decision');
    if (decision.allowed && this.options.allowedTtlMs > 0) this.markInUse(key, request);
    return decision;
  }

  /** Stops background renewals. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.inUse.clear();
  }

  private markInUse(key: string, request: AccessReviewRequest): void {
    if (this.closed) return;
    this.inUse.delete(key);
    this.inUse.set(key, { request, lastUsed: Date.now() });
    const max = this.options.maxEntries ?? 10_000;
    while (this.inUse.size > max) {
      const oldest = this.inUse.keys().next();
      if (oldest.done === true) break;
      this.inUse.delete(oldest.value);
    }
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.renewDue(), this.options.renewTickMs ?? 1_000);
      this.timer.unref();
    }
  }

  private renewDue(): void {
    const now = Date.now();
    const ttl = this.options.allowedTtlMs;
    let started = 0;
    for (const [key, use] of this.inUse) {
      if (now - use.lastUsed > (this.options.inUseWindowMs ?? 60_000)) {
        this.inUse.delete(key);
        continue;
      }
      if (started >= RENEWALS_PER_TICK || this.renewing.has(key)) continue;
      const remaining = this.cache.getRemainingTTL(key);
      // 0: gone (the next request fetches it); Infinity: no TTL.
      if (remaining === 0 || !Number.isFinite(remaining) || remaining > ttl * RENEW_AT_REMAINING) continue;
      started++;
      this.renewing.add(key);
      this.call(use.request).then(
        (decision) => {
          this.renewing.delete(key);
          // A request fetching the key gets a fresh decision of its own; writing ours would make
          // lru-cache abort that fetch ('replaced') and fail every request waiting on it.
          if (this.closed || this.fetching.has(key)) return;
          this.cache.set(key, decision, {
            ttl: decision.allowed ? ttl : Math.max(1, this.options.deniedTtlMs),
          });
          if (!decision.allowed) this.inUse.delete(key);
        },
        () => this.renewing.delete(key),
      );
    }
    if (this.inUse.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async call(request: AccessReviewRequest): Promise<AccessDecision> {
    const spec: Record<string, unknown> = {
      user: request.user.name,
      groups: request.user.groups,
      extra: request.user.extra,
    };
    if (request.user.uid !== '') spec.uid = request.user.uid;
    if (request.resource !== undefined) spec.resourceAttributes = request.resource;
    if (request.nonResource !== undefined) spec.nonResourceAttributes = request.nonResource;
    const answer = await this.client.requestJSON<{ status?: SubjectAccessReviewStatus }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
        timeoutMs: this.options.timeoutMs ?? 10_000,
      },
    );
    const status = answer.status ?? {};
    return {
      allowed: status.allowed === true && status.denied !== true,
      reason: status.reason ?? status.evaluationError ?? '',
    };
  }
}
