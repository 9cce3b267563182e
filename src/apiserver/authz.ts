/**
 * Delegated authorization: a SubjectAccessReview per (user, attributes), cached by the reviewer;
 * some paths (health by default) are always allowed, even for anonymous callers.
 */
import type { AccessDecision, AccessReviewRequest, UserInfo } from '../kube/index.js';
import type { RequestInfo } from './request-info.js';

export class PathAllowList {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(paths: readonly string[]) {
    for (const p of paths) {
      if (p.endsWith('*')) this.prefixes.push(p.slice(0, -1));
      else this.exact.add(p);
    }
  }

  allows(path: string): boolean {
    return this.exact.has(path) || this.prefixes.some((p) => path.startsWith(p));
  }
}

export interface Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Promise<AccessDecision>;
}

/** Asks the cluster. */
export class SubjectAccessReviewAuthorizer implements Authorizer {
  constructor(private readonly reviewer: { review: (r: AccessReviewRequest) => Promise<AccessDecision> }) {}

  authorize(user: UserInfo, info: RequestInfo): Promise<AccessDecision> {
    return info.kind === 'resource'
      ? this.reviewer.review({ user, resource: info.attributes })
      : this.reviewer.review({ user, nonResource: info.attributes });
  }
}
