/**
 * Reading the Kubernetes API's answers: bodies under a size limit (a runaway answer must not fill
 * memory), and a non-2xx answer turned into a KubeApiError carrying its Status reason and message,
 * which callers branch on (410 Expired re-lists a cache, 403 is a denial, 404 a missing object).
 */
import type http from 'node:http';
import { UnavailableError } from '../errors.js';

/** A non-2xx answer from the Kubernetes API, with the Status message it carried. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function readBody(res: http.IncomingMessage, limit: number): Promise<string> {
  return readBuffer(res, limit).then((b) => b.toString('utf8'));
}

export function readBuffer(res: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.destroy(new UnavailableError(`Kubernetes API answer larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

export function apiErrorFrom(status: number, text: string, method: string, path: string): KubeApiError {
  let message = text.slice(0, 500);
  let reason = '';
  try {
    const s = JSON.parse(text) as { message?: unknown; reason?: unknown };
    if (typeof s.message === 'string') message = s.message;
    if (typeof s.reason === 'string') reason = s.reason;
  } catch {
    // not a Status
  }
  return new KubeApiError(status, reason, `${method} ${path}: ${status} ${message}`);
}
