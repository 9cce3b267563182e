/**
 * One WATCH request, read as the stream of JSON lines the API server writes, until it ends. A
 * watch that has gone silent (no event, not even a bookmark, for idleMs) is torn down, since a
 * half-open connection would otherwise leave a cache stale forever; a line that never ends is cut
 * at maxEventBytes so a broken server cannot fill memory.
 */
import type { IncomingMessage } from 'node:http';
import type { KubeClient } from './client.js';
import type { RawObject } from './paged-list.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** How a watch ended without failing: the server closed it, or its resourceVersion expired. */
export type WatchEnd = 'ended' | 'expired';

export interface WatchStreamOptions {
  /** Filters, resourceVersion, timeoutSeconds, … (undefined values are left out). */
  query: Record<string, string | undefined>;
  accept?: string;
  /** Deadline of the response headers. */
  openTimeoutMs: number;
  idleMs: number;
  maxEventBytes: number;
  signal: AbortSignal;
  /** Told of the open response, so that stopping can destroy it; undefined once it closed. */
  onResponse: (res: IncomingMessage | undefined) => void;
  /** An object event; throwing ends the watch with that error. */
  onEvent: (type: WatchEventType, obj: RawObject) => void;
  /** The resourceVersion of every event and bookmark, after it was applied. */
  onResourceVersion: (rv: string) => void;
}

interface WatchEvent {
  type?: string;
  object?: RawObject & { code?: number; reason?: string; message?: string };
}

/**
 * An ERROR event saying the watch's resourceVersion is gone from the server's history ("too old
 * resource version"): only a new LIST can continue. client-go reads it the same way (code 410,
 * reason Expired or Gone).
 */
function isExpiredStatus(obj: WatchEvent['object']): boolean {
  return obj?.code === 410 || obj?.reason === 'Expired' || obj?.reason === 'Gone';
}

/**
 * Streams one watch. Resolves 'expired' on a 410 ERROR event, 'ended' when the server ended the
 * stream (or the signal stopped it); rejects when the request failed, the connection broke, the
 * watch went silent, or an event was malformed or an ERROR other than 410.
 */
export async function streamWatch(
  client: KubeClient,
  path: string,
  options: WatchStreamOptions,
): Promise<WatchEnd> {
  const res = await client.openStream(path, {
    query: options.query,
    accept: options.accept,
    timeoutMs: options.openTimeoutMs,
    signal: options.signal,
  });
  if (options.signal.aborted) {
    res.destroy();
    return 'ended';
  }
  options.onResponse(res);
  const { idleMs, maxEventBytes } = options;
  return new Promise((resolve, reject) => {
    let buffered = '';
    let outcome: WatchEnd = 'ended';
    let failure: Error | undefined;
    let idle = setTimeout(onIdle, idleMs);
    function onIdle(): void {
      res.destroy(new Error(`watch silent for ${idleMs} ms`));
    }
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      clearTimeout(idle);
      idle = setTimeout(onIdle, idleMs);
      buffered += chunk;
      let start = 0;
      let nl: number;
      while ((nl = buffered.indexOf('\n', start)) >= 0) {
        const line = buffered.slice(start, nl);
        start = nl + 1;
        if (line.trim() === '') continue;
        try {
          if (apply(line, options) === 'expired') {
            outcome = 'expired';
            res.destroy();
            return;
          }
        } catch (err) {
          failure = err instanceof Error ? err : new Error(String(err));
          res.destroy();
          return;
        }
      }
      buffered = buffered.slice(start);
      if (buffered.length > maxEventBytes) {
        res.destroy(new Error(`watch event larger than ${maxEventBytes / (1024 * 1024)} MiB`));
      }
    });
    res.on('error', () => undefined);
    res.on('close', () => {
      clearTimeout(idle);
      options.onResponse(undefined);
      if (failure !== undefined) reject(failure);
      else if (outcome === 'expired' || res.complete || options.signal.aborted) resolve(outcome);
      else if (res.errored !== null) reject(res.errored);
      else resolve('ended');
    });
  });
}

function apply(line: string, options: WatchStreamOptions): 'expired' | undefined {
  let ev: WatchEvent;
  try {
    ev = JSON.parse(line) as WatchEvent;
  } catch {
    throw new Error('malformed watch event');
  }
  const obj = ev.object;
  switch (ev.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      if (obj !== undefined) options.onEvent(ev.type, obj);
      break;
    case 'BOOKMARK':
      break;
    case 'ERROR':
      if (isExpiredStatus(obj)) return 'expired';
      throw new Error(`watch error: ${obj?.message ?? 'unknown'}`);
    default:
      return undefined;
  }
  const rv = obj?.metadata?.resourceVersion;
  if (rv !== undefined && rv !== '') options.onResourceVersion(rv);
  return undefined;
}
