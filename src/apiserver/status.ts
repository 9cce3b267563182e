/**
 * The one place where errors become metav1.Status answers. Typed ApiErrors keep their code,
 * reason and message; anything else is a 500 whose details stay in the log.
 */
import type { ServerResponse } from 'node:http';
import { ApiError, type StatusDetails } from '../errors.js';
import { sendJSONText } from './respond.js';

/** The kube-apiserver's message for a path nothing serves. */
export const NOT_FOUND_MESSAGE = 'the server could not find the requested resource';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): StatusBody {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details !== undefined) body.details = details;
  return body;
}

export function statusFromError(err: unknown): StatusBody {
  if (err instanceof ApiError) return statusBody(err.code, err.reason, err.message, err.details);
  return statusBody(
    500,
    'InternalError',
    'Internal error occurred: the request could not be completed (see the adapter log)',
  );
}

export function sendStatus(res: ServerResponse, status: StatusBody): void {
  const headers: Record<string, string> = {};
  if (status.code === 503 || status.code === 429)
    headers['Retry-After'] = String(status.details?.retryAfterSeconds ?? 1);
  sendJSONText(res, status.code, JSON.stringify(status), headers);
}
