/** The serving flags: port, address, the serving certificate (or a self-signed one) and TLS settings. */
import { FlagError, listFlag, numberFlag, stringFlag, type FlagValues } from '../flags.js';
import { nodeTlsVersion, opensslCipherList, type NodeTlsVersion } from '../tls-names.js';
import { optionalFile } from './optional-file.js';

export interface ServingOptions {
  port: number;
  bindAddress: string;
  certFile: string | undefined;
  keyFile: string | undefined;
  /** Set when the serving certificate is self-signed into this directory. */
  selfSignedCertDir: string | undefined;
  minVersion: NodeTlsVersion;
  ciphers: string | undefined;
  shutdownDelayMs: number;
}

export function servingOptionsFrom(values: FlagValues): ServingOptions {
  const certFile = optionalFile(values, 'tls-cert-file');
  const keyFile = optionalFile(values, 'tls-private-key-file');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? '--tls-cert-file' : '--tls-private-key-file';
    throw new FlagError(
      missing,
      `${missing} is required together with ${missing === '--tls-cert-file' ? '--tls-private-key-file' : '--tls-cert-file'}`,
    );
  }
  const certDir = stringFlag(values, 'cert-dir');
  if (certFile === undefined && certDir === '') {
    throw new FlagError(
      '--tls-cert-file',
      'no serving certificate: give --tls-cert-file and --tls-private-key-file (or --cert-dir for a self-signed one, for local use only)',
    );
  }
  let ciphers: string | undefined;
  try {
    ciphers = opensslCipherList(listFlag(values, 'tls-cipher-suites'));
  } catch (err) {
    throw new FlagError(
      '--tls-cipher-suites',
      `invalid argument for "--tls-cipher-suites": ${(err as Error).message}`,
    );
  }
  return {
    port: numberFlag(values, 'secure-port'),
    bindAddress: stringFlag(values, 'bind-address'),
    certFile,
    keyFile,
    selfSignedCertDir: certFile === undefined ? certDir : undefined,
    minVersion: nodeTlsVersion(stringFlag(values, 'tls-min-version')),
    ciphers,
    shutdownDelayMs: numberFlag(values, 'shutdown-delay-duration'),
  };
}
