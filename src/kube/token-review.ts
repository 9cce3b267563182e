/**
 * Bearer token authentication by TokenReview (authentication.k8s.io/v1), as the generic
 * apiserver's delegating authenticator does it: `spec.audiences` are the adapter's API audiences
 * (none: the kube-apiserver checks its own), an answer that authenticates the token for audiences
 * that do not meet ours is a rejection, and answers are cached — authenticated and rejected ones
 * each for their own TTL, failures not at all. The cache is keyed by a hash of the token, so no
 * raw token stays in memory beyond the request, and concurrent reviews of one token share a call.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { KubeClient } from './client.js';
import type { UserInfo } from './types.js';

export type TokenReviewOutcome =
  { authenticated: true; user: UserInfo; audiences: string[] } | { authenticated: false; reason: string };

export interface TokenReviewerOptions {
  /** --api-audiences; empty: the kube-apiserver's own audiences decide. */
  audiences: readonly string[];
  /** How long an authenticated answer is used. 0: not cached. */
  allowedTtlMs: number;
  /** How long a rejection is used. 0: not cached. */
  deniedTtlMs: number;
  maxEntries?: number;
  timeoutMs?: number;
  /** Clock of the cache (tests); default performance.now. */
  now?: () => number;
}

export interface TokenReviewResult {
  outcome: TokenReviewOutcome;
  /** 'hit' when the answer came from the cache (or from a review already in flight). */
  source: 'hit' | 'review';
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  audiences?: string[];
  error?: string;
}

/** Non-reversible cache key: the raw token is never stored. */
export function tokenCacheKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

export class TokenReviewer {
  private readonly cache: LRUCache<string, TokenReviewOutcome, string>;

  constructor(
    private readonly client: KubeClient,
    private readonly options: TokenReviewerOptions,
  ) {
    const now = options.now;
    this.cache = new LRUCache<string, TokenReviewOutcome, string>({
      max: options.maxEntries ?? 10_000,
      ttl: Math.max(options.allowedTtlMs, options.deniedTtlMs, 1),
      ...(now !== undefined ? { perf: { now }, ttlResolution: 0 } : {}),
      fetchMethod: async (_key, _stale, { context, options: setOptions }) => {
        const outcome = await this.call(context);
        const ttl = outcome.authenticated ? this.options.allowedTtlMs : this.options.deniedTtlMs;
        // A TTL of 1 ms still lets concurrent callers share the answer, yet keeps nothing.
        setOptions.ttl = Math.max(1, ttl);
        return outcome;
      },
    });
  }

  /** Throws when the review itself fails (the Kubernetes API unreachable or answering an error). */
  async review(token: string): Promise<TokenReviewResult> {
    const status: LRUCache.Status<string, TokenReviewOutcome, string> = {};
    const outcome = await this.cache.fetch(tokenCacheKey(token), { context: token, status });
    if (outcome === undefined) throw new Error('TokenReview returned no answer');
    const source = status.fetch === 'hit' || status.fetch === 'inflight' ? 'hit' : 'review';
    // Callers may add to the user (system:authenticated): never hand out the cached object.
    return { outcome: structuredClone(outcome), source };
  }

  /** Cached answers (tests, and a gauge if ever wanted). */
  get size(): number {
    return this.cache.size;
  }

  /** What the cache holds, for inspection: token hashes and answers. */
  contents(): [string, TokenReviewOutcome][] {
    return [...this.cache.entries()];
  }

  private async call(token: string): Promise<TokenReviewOutcome> {
    const spec: Record<string, unknown> = { token };
    if (this.options.audiences.length > 0) spec.audiences = [...this.options.audiences];
    const answer = await this.client.requestJSON<{ status?: TokenReviewStatus }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec },
        timeoutMs: this.options.timeoutMs ?? 10_000,
      },
    );
    const status = answer.status ?? {};
    if (status.authenticated !== true) {
      return { authenticated: false, reason: status.error ?? 'the token was not authenticated' };
    }
    const audiences = status.audiences ?? [];
    if (this.options.audiences.length > 0) {
      // Like the webhook authenticator: the token must be good for at least one of our audiences.
      const ours = audiences.filter((a) => this.options.audiences.includes(a));
      if (ours.length === 0) {
        return {
          authenticated: false,
          reason: `the token is valid for ${JSON.stringify(audiences)}, none of the API audiences ${JSON.stringify(this.options.audiences)}`,
        };
      }
    }
    const u = status.user ?? {};
    if (typeof u.username !== 'string' || u.username === '') {
      return { authenticated: false, reason: 'TokenReview authenticated the token without a user name' };
    }
    return {
      authenticated: true,
      audiences,
      user: {
        name: u.username,
        uid: typeof u.uid === 'string' ? u.uid : '',
        groups: Array.isArray(u.groups) ? u.groups.filter((g) => typeof g === 'string') : [],
        extra: extraFrom(u.extra),
      },
    };
  }
}

function extraFrom(extra: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (extra === null || typeof extra !== 'object') return out;
  for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}
