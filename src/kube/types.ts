/** Shapes shared with the rest of the adapter (callers import them through kube/index.ts). */

/** An authenticated identity, as a kube-apiserver passes it to SubjectAccessReview. */
export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export interface ResourceAttributes {
  namespace: string;
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface NonResourceAttributes {
  path: string;
  verb: string;
}

export interface AccessReviewRequest {
  user: UserInfo;
  resource?: ResourceAttributes;
  nonResource?: NonResourceAttributes;
}

export interface AccessDecision {
  allowed: boolean;
  reason: string;
}
