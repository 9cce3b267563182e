/**
 * Typed errors shared by every layer. Providers, the rule engine and clients throw these;
 * apiserver/status.ts is the one place that turns them into metav1.Status responses.
 * A plain Error that reaches the HTTP layer becomes a 500 whose message is not shown to the client.
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export abstract class ApiError extends Error {
  abstract readonly code: number;
  abstract readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

export class NotFoundError extends ApiError {
  readonly code = 404;
  readonly reason = 'NotFound';
}

export class BadRequestError extends ApiError {
  readonly code = 400;
  readonly reason = 'BadRequest';
}

export class UnauthorizedError extends ApiError {
  readonly code = 401;
  readonly reason = 'Unauthorized';
}

export class ForbiddenError extends ApiError {
  readonly code = 403;
  readonly reason = 'Forbidden';
}

export class MethodNotAllowedError extends ApiError {
  readonly code = 405;
  readonly reason = 'MethodNotAllowed';
}

export class NotAcceptableError extends ApiError {
  readonly code = 406;
  readonly reason = 'NotAcceptable';
}

/** The request carries a body; these read-only APIs take none. */
export class RequestEntityTooLargeError extends ApiError {
  readonly code = 413;
  readonly reason = 'RequestEntityTooLarge';
}

/**
 * The request target is longer than the server reads. metav1 has no reason for 414 (the
 * kube-apiserver folds long URLs into its header limit); this one names the code.
 */
export class UriTooLongError extends ApiError {
  readonly code = 414;
  readonly reason = 'RequestURITooLong';
}

export class TooManyRequestsError extends ApiError {
  readonly code = 429;
  readonly reason = 'TooManyRequests';
}

export class InternalError extends ApiError {
  readonly code = 500;
  readonly reason = 'InternalError';
}

/** An upstream (Prometheus, the Kubernetes API) could not answer. */
export class UnavailableError extends ApiError {
  readonly code = 503;
  readonly reason = 'ServiceUnavailable';
}

/** An upstream did not answer within the request's deadline. */
export class TimeoutError extends ApiError {
  readonly code = 504;
  readonly reason = 'Timeout';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
