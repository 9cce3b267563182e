/**
 * metav1.Status bodies and small HTTP utilities shared by the simulated kube-apiserver and
 * kube-aggregator. Shapes follow what the real apiserver writes (field order included, since
 * some tests compare raw bodies).
 */
import type http from 'node:http';
import { TLSSocket } from 'node:tls';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** The reason the real apiserver uses for each error code. */
export const REASON_FOR_CODE: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function failureStatus(
  code: number,
  message: string,
  reason?: string,
  details?: StatusDetails,
): KubeStatus {
  const r = reason ?? REASON_FOR_CODE[code];
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    ...(r !== undefined ? { reason: r } : {}),
    ...(details !== undefined ? { details } : {}),
    code,
  };
}

/** 401 exactly as the real apiserver answers an unauthenticated request. */
export function unauthorizedStatus(): KubeStatus {
  return failureStatus(401, 'Unauthorized', 'Unauthorized');
}

/** The generic 404 of an unknown path or resource. */
export function notFoundPathStatus(): KubeStatus {
  return failureStatus(404, 'the server could not find the requested resource', 'NotFound', {});
}

/** `pods "x" not found`, `deployments.apps "x" not found`. */
export function notFoundObjectStatus(group: string, resource: string, name: string): KubeStatus {
  const qualified = group === '' ? resource : `${resource}.${group}`;
  const details: StatusDetails = { name };
  if (group !== '') details.group = group;
  details.kind = resource;
  return failureStatus(404, `${qualified} "${name}" not found`, 'NotFound', details);
}

export function methodNotAllowedStatus(): KubeStatus {
  return failureStatus(
    405,
    'the server does not allow this method on the requested resource',
    'MethodNotAllowed',
    {},
  );
}

export function notAcceptableStatus(): KubeStatus {
  return failureStatus(
    406,
    'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    'NotAcceptable',
  );
}

export function expiredStatus(message: string): KubeStatus {
  return failureStatus(410, message, 'Expired');
}

export function sendJson(
  res: http.ServerResponse,
  code: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendStatus(
  res: http.ServerResponse,
  status: KubeStatus,
  headers: http.OutgoingHttpHeaders = {},
): void {
  sendJson(res, status.code, status, headers);
}

/** Reads a request body up to maxBytes (default 3 MiB, the apiserver's limit) within timeoutMs. */
export function readBody(
  req: http.IncomingMessage,
  maxBytes = 3 * 1024 * 1024,
  timeoutMs = 10_000,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`request body not received within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        req.destroy();
        reject(new Error('request entity too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Adds system:authenticated like the real authenticators do (once). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = [...(user.groups ?? [])];
  if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
  return { ...user, groups };
}

/**
 * The user of a verified TLS client certificate: CN is the user name, every O a group,
 * as Kubernetes' x509 authenticator maps them. Undefined when there is no verified certificate.
 */
export function userFromClientCertificate(req: http.IncomingMessage): UserInfo | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const subject = (cert as { subject?: Record<string, string | string[] | undefined> }).subject;
  if (subject === undefined) return undefined;
  const cn = subject.CN;
  const username = Array.isArray(cn) ? cn[0] : cn;
  if (username === undefined || username === '') return undefined;
  const o = subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { username, groups };
}

/** The bearer token of an `Authorization: Bearer <token>` header. */
export function bearerToken(req: http.IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** RFC 3339 with second precision, as metav1.Time is serialized. */
export function kubeTimestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
