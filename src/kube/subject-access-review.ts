/**
 * Authorization by SubjectAccessReview, with decisions cached briefly (allowed and denied with
 * their own TTLs, like the generic apiserver's webhook cache). Concurrent reviews of the same
 * question share one call; failures are not cached.
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
}

export class SubjectAccessReviewer {
  private readonly cache: LRUCache<string, AccessDecision, AccessReviewRequest>;

  constructor(
    private readonly client: KubeClient,
    private readonly options: SubjectAccessReviewerOptions,
  ) {
    this.cache = new LRUCache<string, AccessDecision, AccessReviewRequest>({
      max: options.maxEntries ?? 10_000,
      ttl: Math.max(options.allowedTtlMs, options.deniedTtlMs, 1),
      fetchMethod: async (_key, _stale, { context, options: setOptions }) => {
        const decision = await this.call(context);
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
    return decision;
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
