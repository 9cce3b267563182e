/**
 * Where the service-account signing keys come from for local token verification: the cluster
 * (issuer discovery and JWKS through the Kubernetes API) or, for offline use, a JWKS file with the
 * issuer given by flag. A key set is reloaded when a token names a key it does not hold (a key
 * rotation), at most once per `minRefreshIntervalMs`, and in the background when it is older than
 * `maxAgeMs`, so that keys the cluster stopped publishing stop being accepted.
 */
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { errorMessage } from '../errors.js';
import {
  parseJsonWebKeySet,
  readIssuerDiscovery,
  readServiceAccountKeys,
  type JsonWebKeySetDocument,
  type KubeClient,
} from '../kube/index.js';
import type { Logger } from '../logging.js';

export interface IssuerKeys {
  /** Issuers whose tokens these keys verify. */
  issuers: ReadonlySet<string>;
  keys: JWTVerifyGetKey;
  /** Key ids in the set (a token naming another one triggers a reload). */
  kids: ReadonlySet<string>;
  loadedAt: number;
}

/** Loads issuers and keys; throws when they cannot be had. */
export type IssuerKeysLoader = () => Promise<{ issuers: string[]; jwks: JsonWebKeySetDocument }>;

export function clusterKeysLoader(client: KubeClient, issuers: readonly string[]): IssuerKeysLoader {
  return async () => {
    // Issuers given by flag win (several issuers, or a discovery document that is not readable).
    const names = issuers.length > 0 ? [...issuers] : [await readIssuerDiscovery(client)];
    return { issuers: names, jwks: await readServiceAccountKeys(client) };
  };
}

export function fileKeysLoader(path: string, issuers: readonly string[]): IssuerKeysLoader {
  return async () => {
    const text = await readFile(path, 'utf8');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`--service-account-jwks-file ${path}: ${errorMessage(err)}`);
    }
    return { issuers: [...issuers], jwks: parseJsonWebKeySet(doc, `--service-account-jwks-file ${path}`) };
  };
}

export interface IssuerKeySetOptions {
  load: IssuerKeysLoader;
  /** Named in logs: "the cluster" or the file. */
  source: string;
  logger: Logger;
  minRefreshIntervalMs?: number;
  maxAgeMs?: number;
  now?: () => number;
}

export class IssuerKeySet {
  private current: IssuerKeys | undefined;
  private loading: Promise<IssuerKeys | undefined> | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private loadCount = 0;

  constructor(private readonly o: IssuerKeySetOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Loads made so far (tests). */
  get loads(): number {
    return this.loadCount;
  }

  /** The keys, loading them first if there are none yet (rate-limited); undefined when unavailable. */
  async get(): Promise<IssuerKeys | undefined> {
    const c = this.current;
    if (c !== undefined) {
      if (this.now() - c.loadedAt > (this.o.maxAgeMs ?? 300_000)) void this.refresh();
      return c;
    }
    return this.refresh();
  }

  /**
   * Reloads unless a load was tried less than minRefreshIntervalMs ago (`force`: a file changed);
   * concurrent calls share one load.
   */
  async refresh(force = false): Promise<IssuerKeys | undefined> {
    if (this.loading !== undefined) return this.loading;
    if (!force && this.now() - this.lastAttempt < (this.o.minRefreshIntervalMs ?? 10_000))
      return this.current;
    this.lastAttempt = this.now();
    this.loading = this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<IssuerKeys | undefined> {
    this.loadCount++;
    try {
      const { issuers, jwks } = await this.o.load();
      const kids = new Set<string>();
      for (const k of jwks.keys) if (typeof k.kid === 'string') kids.add(k.kid);
      const keys = createLocalJWKSet(jwks);
      const before = this.current;
      this.current = { issuers: new Set(issuers), keys, kids, loadedAt: this.now() };
      if (
        before === undefined ||
        !sameSet(before.kids, kids) ||
        !sameSet(before.issuers, this.current.issuers)
      )
        this.o.logger.info(
          { source: this.o.source, issuers, keyIds: [...kids] },
          'service-account token keys loaded',
        );
      return this.current;
    } catch (err) {
      this.o.logger.warn(
        { source: this.o.source, err: errorMessage(err) },
        'cannot load the service-account token keys; tokens are checked by TokenReview alone until they load',
      );
      return this.current;
    }
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
