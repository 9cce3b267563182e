/**
 * The serving certificate: loaded from the operator's files and swapped into the live TLS context
 * when they change (new connections get the new pair; open ones keep theirs). A broken new pair
 * is logged and ignored, so the old one keeps serving. `--cert-dir` creates a self-signed pair for
 * local use only.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { FileSetWatcher } from '../config/file-watch.js';
import type { Logger } from '../logging.js';
import { checkServingPair, type ServingPair } from './x509.js';

export async function loadServingPair(certFile: string, keyFile: string): Promise<ServingPair> {
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return checkServingPair(certPem, keyPem);
}

/** Reuses `<dir>/apiserver.crt|key` when valid, else writes a new self-signed pair there. */
export async function ensureSelfSignedPair(
  dir: string,
  extraHosts: readonly string[],
  logger: Logger,
): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'apiserver.crt');
  const keyFile = join(dir, 'apiserver.key');
  try {
    const pair = await loadServingPair(certFile, keyFile);
    if (new Date(pair.leaf.validTo) > new Date(Date.now() + 24 * 3600_000)) return { certFile, keyFile };
  } catch {
    // Missing or unusable: generate below.
  }
  const dnsNames = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const h of extraHosts) {
    if (h === '' || h === '0.0.0.0' || h === '::') continue;
    if (isIP(h) !== 0) ips.add(h);
    else dnsNames.add(h);
  }
  // Loaded only here: @peculiar/x509 and its ASN.1 schemas cost ≈ 12 MiB resident, and an
  // adapter with the operator's certificates never issues one.
  const { selfSignedCertificate } = await import('./pki.js');
  const pair = await selfSignedCertificate({
    commonName: `metrics-adapter-self-signed@${Math.floor(Date.now() / 1000)}`,
    dnsNames: [...dnsNames],
    ipAddresses: [...ips],
    usage: 'server',
    days: 365,
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(certFile, pair.certPem, { mode: 0o644 });
  await writeFile(keyFile, pair.keyPem, { mode: 0o600 });
  logger.warn(
    { certFile, dnsNames: [...dnsNames], ips: [...ips] },
    'SELF-SIGNED serving certificate created from --cert-dir: for local use only. Clients cannot verify it; give --tls-cert-file and --tls-private-key-file in production.',
  );
  return { certFile, keyFile };
}

/** Keeps the serving pair current; `onChange` receives each new valid pair, `onRejected` each unusable one. */
export class ServingCertificateSource {
  private watcher: FileSetWatcher | undefined;
  private onRejected: ((err: Error) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly certFile: string,
    private readonly keyFile: string,
    private pair: ServingPair,
    private readonly logger: Logger,
  ) {}

  static async open(certFile: string, keyFile: string, logger: Logger): Promise<ServingCertificateSource> {
    const pair = await loadServingPair(certFile, keyFile);
    return new ServingCertificateSource(certFile, keyFile, pair, logger);
  }

  current(): ServingPair {
    return this.pair;
  }

  async watch(
    onChange: (pair: ServingPair) => void,
    pollIntervalMs?: number,
    onRejected?: (err: Error) => void,
  ): Promise<void> {
    this.onRejected = onRejected;
    this.watcher = await FileSetWatcher.start(
      [this.certFile, this.keyFile],
      () => {
        void this.reload().then((pair) => {
          if (pair !== undefined) onChange(pair);
        });
      },
      { pollIntervalMs },
    );
  }

  /**
   * Loads the files again; returns the new pair, or undefined (logged) when they are unusable.
   * Reloads run one after another, so an older read can never replace a newer pair.
   */
  reload(): Promise<ServingPair | undefined> {
    const run = this.queue.then(() => this.reloadNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<ServingPair | undefined> {
    try {
      const pair = await loadServingPair(this.certFile, this.keyFile);
      if (pair.leaf.fingerprint256 === this.pair.leaf.fingerprint256 && pair.keyPem === this.pair.keyPem)
        return undefined;
      this.pair = pair;
      this.logger.info(
        {
          certFile: this.certFile,
          subject: pair.leaf.subject,
          notAfter: pair.leaf.validTo,
          fingerprint: pair.leaf.fingerprint256,
        },
        'serving certificate reloaded',
      );
      return pair;
    } catch (err) {
      this.logger.error(
        { certFile: this.certFile, keyFile: this.keyFile, err: (err as Error).message },
        'new serving certificate rejected; the previous one keeps serving',
      );
      this.onRejected?.(err as Error);
      return undefined;
    }
  }

  close(): void {
    this.watcher?.close();
  }
}
