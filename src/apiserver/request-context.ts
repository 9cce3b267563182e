/**
 * What the middleware learns about a request and hands on to the routes, kept in `res.locals`:
 * the raw path, its decoded segments, the query, the caller and an abort signal for upstream
 * calls. The first middleware creates it; each later step fills in its part.
 */
import type { UserInfo } from '../kube/index.js';

/** The `route` label of the request metrics. */
export type RouteFamily =
  | 'root'
  | 'health'
  | 'metrics'
  | 'openapi'
  | 'discovery'
  | 'custom-metrics'
  | 'external-metrics'
  | 'resource-metrics'
  | 'other';

export interface RequestContext {
  /**
   * The path as sent, still percent-encoded: what the router matches and what a non-resource
   * SubjectAccessReview names. Not URL-normalized (no `..` resolution), so that authorization and
   * routing always see the same path.
   */
  readonly path: string;
  /** The raw query string, `?` included, or ''. */
  readonly search: string;
  readonly query: URLSearchParams;
  /** Decoded non-empty path segments (after the path decoding step). */
  segments: readonly string[];
  family: RouteFamily;
  /** Anonymous until authentication says otherwise. */
  user: UserInfo;
  /**
   * True once the authorization step allowed this request by asking the authorizer; false for an
   * always-allowed path, which nobody reviewed.
   */
  authorized: boolean;
  /** Aborted when the client goes away before the answer is written. */
  readonly signal: AbortSignal;
}

declare module 'express-serve-static-core' {
  interface Locals {
    context: RequestContext;
  }
}
