/**
 * A LIST of a collection in pages (limit/continue), handing each page over as it arrives so that a
 * caller can keep only its compact records of it: the full objects of a whole collection are
 * never alive at once. Used by the watch-backed caches (list-watch.ts) and by the direct LISTs
 * that stand in for a cache that has not synced.
 */
import { abortedError } from '../deadline.js';
import { UnavailableError } from '../errors.js';
import type { KubeClient } from './client.js';

/** The parts of every Kubernetes object the list/watch machinery itself reads. */
export interface KubeObjectLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** An object as the API server sent it: read by a transform, then dropped. */
export type RawObject = KubeObjectLike & Record<string, unknown>;

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: RawObject[];
}

export interface PagedListOptions {
  /** Server-side filters and other query parameters (undefined values are left out). */
  query: Record<string, string | undefined>;
  accept?: string;
  pageSize: number;
  /** Deadline of each page. */
  timeoutMs: number;
  /** A collection that needs more pages than this is an error (a server looping on continue). */
  maxPages: number;
  signal?: AbortSignal;
}

/** Lists every page, calling onPage with each page's items; resolves the list's resourceVersion. */
export async function listPages(
  client: KubeClient,
  path: string,
  options: PagedListOptions,
  onPage: (items: RawObject[]) => void,
): Promise<string> {
  let cont: string | undefined;
  let resourceVersion = '';
  for (let page = 0; page < options.maxPages; page++) {
    const body = await client.requestJSON<ListBody>('GET', path, {
      query: { ...options.query, limit: String(options.pageSize), continue: cont },
      accept: options.accept,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    if (options.signal?.aborted === true) throw abortedError(options.signal);
    onPage(body.items ?? []);
    resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
    cont = body.metadata?.continue;
    if (cont === undefined || cont === '') return resourceVersion;
  }
  throw new UnavailableError(`listing ${path} did not end`);
}
