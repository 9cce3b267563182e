/**
 * Starts the adapter for a test — in-process through `startServer` (with options parsed from real
 * command-line flags) or as a child process through the CLI — with a PKI of its own: a serving CA,
 * a client CA and a front-proxy CA, and helpers to call it with any of their certificates.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../../src/config/flags.js';
import { buildServeOptions } from '../../src/config/serve-options.js';
import { createLogger, silentLogger } from '../../src/logging.js';
import { startServer, type RunningServer } from '../../src/server.js';
import {
  createCA,
  issueCertificate,
  writePemFiles,
  type CertificateAuthority,
  type IssuedCertificate,
} from './certs.js';
import { httpsRequest, type HttpsResponse } from './https-client.js';
import { LOOPBACK } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';

export interface AdapterPki {
  servingCA: CertificateAuthority;
  clientCA: CertificateAuthority;
  frontProxyCA: CertificateAuthority;
  serving: IssuedCertificate;
  servingFiles: { certFile: string; keyFile: string };
  clientCAFile: string;
  frontProxyCAFile: string;
  /** A front-proxy client certificate with CN front-proxy-client. */
  frontProxy: IssuedCertificate;
  /** A client certificate for user "tester" in group "testers". */
  tester: IssuedCertificate;
}

export async function createAdapterPki(dir: string): Promise<AdapterPki> {
  const [servingCA, clientCA, frontProxyCA] = await Promise.all([
    createCA('adapter-serving-ca'),
    createCA('adapter-client-ca'),
    createCA('adapter-front-proxy-ca'),
  ]);
  const serving = await issueCertificate(servingCA, {
    commonName: 'metrics-adapter',
    dnsNames: ['localhost', 'metrics-adapter.monitoring.svc'],
    ipAddresses: [LOOPBACK],
    usage: 'server',
  });
  const servingFiles = await writePemFiles(dir, 'serving', serving);
  const clientCAFile = join(dir, 'client-ca.crt');
  const frontProxyCAFile = join(dir, 'front-proxy-ca.crt');
  await writeFile(clientCAFile, clientCA.certPem);
  await writeFile(frontProxyCAFile, frontProxyCA.certPem);
  const frontProxy = await issueCertificate(frontProxyCA, {
    commonName: 'front-proxy-client',
    usage: 'client',
  });
  const tester = await issueCertificate(clientCA, {
    commonName: 'tester',
    organizations: ['testers'],
    usage: 'client',
  });
  return {
    servingCA,
    clientCA,
    frontProxyCA,
    serving,
    servingFiles,
    clientCAFile,
    frontProxyCAFile,
    frontProxy,
    tester,
  };
}

/** Flags for a typical test adapter: real TLS files, both client CAs, a free port on loopback. */
export function baseFlags(pki: AdapterPki, extra: string[] = []): string[] {
  return [
    '--secure-port=0',
    `--bind-address=${LOOPBACK}`,
    `--tls-cert-file=${pki.servingFiles.certFile}`,
    `--tls-private-key-file=${pki.servingFiles.keyFile}`,
    `--client-ca-file=${pki.clientCAFile}`,
    `--requestheader-client-ca-file=${pki.frontProxyCAFile}`,
    '--requestheader-allowed-names=front-proxy-client',
    ...extra,
  ];
}

export interface InProcessAdapter {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** Starts the adapter in this process from command-line flags. */
export async function startAdapter(
  flags: string[],
  opts: { filePollMs?: number; logLevel?: string } = {},
): Promise<InProcessAdapter> {
  const parsed = parseCommandLine(flags);
  const options = buildServeOptions(parsed.values, parsed.given);
  // TEST_ADAPTER_LOG=<level> shows the in-process adapters' logs on stderr when chasing a failure.
  const level = opts.logLevel ?? process.env.TEST_ADAPTER_LOG;
  const logger = level !== undefined && level !== '' ? createLogger(level) : silentLogger();
  const server = await startServer({ options, logger, filePollMs: opts.filePollMs ?? 200 });
  return { server, url: server.url, close: () => server.close(2_000) };
}

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** Runs the real CLI (`node --import tsx src/main.ts …`) as a child process. */
export function startAdapterProcess(args: string[]): Promise<ManagedProcess> {
  return startProcess(process.execPath, ['--import', 'tsx', MAIN, ...args], {});
}

export function mainScript(): string {
  return MAIN;
}

export interface CallOptions {
  /** Client certificate to present (default: none). */
  cert?: IssuedCertificate;
  headers?: Record<string, string | string[]>;
  method?: string;
  timeoutMs?: number;
}

/** An HTTPS request to the adapter, verifying its serving certificate against the serving CA. */
export function call(
  adapter: { url: string },
  pki: AdapterPki,
  path: string,
  opts: CallOptions = {},
): Promise<HttpsResponse> {
  return httpsRequest(`${adapter.url}${path}`, {
    ca: pki.servingCA.certPem,
    cert: opts.cert?.certPem,
    key: opts.cert?.keyPem,
    headers: opts.headers,
    method: opts.method ?? 'GET',
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
}
