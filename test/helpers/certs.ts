/**
 * Test PKI built on @peculiar/x509 and Node's WebCrypto (globalThis.crypto).
 *
 * Certificates are made to be accepted by both OpenSSL (Node's tls) and Go's crypto/x509 (kubectl):
 * positive serials of at most 16 octets, CA with basicConstraints(CA, critical) + keyUsage
 * keyCertSign/cRLSign, leaves with keyUsage, extKeyUsage, SKI/AKI and SANs (Go ignores the CN for
 * host-name checks, so servers need DNS/IP SANs).
 * The subject carries CN and one O attribute per organization, each in its own RDN; Kubernetes'
 * x509 authenticator maps CN to the user name and every O to a group.
 */
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const cryptoImpl: webcrypto.Crypto = globalThis.crypto;
x509.cryptoProvider.set(cryptoImpl);

export type KeyAlgorithmName = 'ec' | 'rsa';
export type CertificateUsage = 'server' | 'client' | 'both';

export interface IssueOptions {
  commonName: string;
  /** One subject O attribute each; Kubernetes reads them as groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertificateUsage;
  /** Default: one hour ago (tolerates clock skew). */
  notBefore?: Date;
  /** Default: one day after notBefore's default (now + 24 h). */
  notAfter?: Date;
  /** Default 'ec' (ECDSA P-256); 'rsa' is RSA-2048. */
  keyAlgorithm?: KeyAlgorithmName;
}

export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 ("BEGIN PRIVATE KEY"). */
  keyPem: string;
  /** Leaf followed by the issuing CA (the whole chain, since CAs here are roots). */
  chainPem?: string;
}

export interface CreateCAOptions {
  keyAlgorithm?: KeyAlgorithmName;
  notBefore?: Date;
  notAfter?: Date;
}

export interface CertificateAuthority {
  readonly commonName: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certificate: x509.X509Certificate;
  issue(opts: IssueOptions): Promise<IssuedCertificate>;
}

export interface PemFiles {
  certFile: string;
  keyFile: string;
}

const HOUR_MS = 3_600_000;

function keyParams(alg: KeyAlgorithmName): webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams {
  if (alg === 'rsa') {
    return {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    };
  }
  return { name: 'ECDSA', namedCurve: 'P-256' };
}

function signingAlgorithm(alg: KeyAlgorithmName): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return alg === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
}

async function generateKeys(alg: KeyAlgorithmName): Promise<CryptoKeyPair> {
  return cryptoImpl.subtle.generateKey(keyParams(alg), true, ['sign', 'verify']);
}

/** 16 random octets, first octet in 0x01..0x7f: positive, minimal DER, non-zero. */
function serialNumber(): string {
  const bytes = cryptoImpl.getRandomValues(new Uint8Array(16));
  const first = bytes[0]! & 0x7f;
  bytes[0] = first === 0 ? 0x01 : first;
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await cryptoImpl.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function subjectName(commonName: string, organizations: readonly string[] = []): x509.JsonName {
  const name: x509.JsonName = organizations.map((o) => ({ O: [o] }));
  name.push({ CN: [commonName] });
  return name;
}

function ensureTrailingNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

function validate(opts: IssueOptions): void {
  if (opts.commonName.length === 0) throw new Error('issueCertificate: commonName must not be empty');
  for (const ip of opts.ipAddresses ?? []) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && !ip.includes(':')) {
      throw new Error(`issueCertificate: ${ip} is not an IP address`);
    }
  }
}

function extendedKeyUsages(usage: CertificateUsage): x509.ExtendedKeyUsageType[] {
  switch (usage) {
    case 'server':
      return [x509.ExtendedKeyUsage.serverAuth];
    case 'client':
      return [x509.ExtendedKeyUsage.clientAuth];
    case 'both':
      return [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  }
}

class LocalCA implements CertificateAuthority {
  readonly commonName: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certificate: x509.X509Certificate;
  readonly #keys: CryptoKeyPair;
  readonly #algorithm: KeyAlgorithmName;

  constructor(
    commonName: string,
    certificate: x509.X509Certificate,
    keys: CryptoKeyPair,
    keyPem: string,
    algorithm: KeyAlgorithmName,
  ) {
    this.commonName = commonName;
    this.certificate = certificate;
    this.certPem = ensureTrailingNewline(certificate.toString('pem'));
    this.keyPem = keyPem;
    this.#keys = keys;
    this.#algorithm = algorithm;
  }

  async issue(opts: IssueOptions): Promise<IssuedCertificate> {
    validate(opts);
    const alg = opts.keyAlgorithm ?? 'ec';
    const keys = await generateKeys(alg);
    const now = Date.now();
    const names: x509.JsonGeneralName[] = [
      ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      alg === 'rsa'
        ? new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          )
        : new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(extendedKeyUsages(opts.usage), false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(this.certificate, false),
    ];
    if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: subjectName(opts.commonName, opts.organizations),
      issuer: this.certificate.subject,
      notBefore: opts.notBefore ?? new Date(now - HOUR_MS),
      notAfter: opts.notAfter ?? new Date(now + 24 * HOUR_MS),
      signingAlgorithm: signingAlgorithm(this.#algorithm),
      publicKey: keys.publicKey,
      signingKey: this.#keys.privateKey,
      extensions,
    });
    const certPem = ensureTrailingNewline(cert.toString('pem'));
    return {
      certPem,
      keyPem: ensureTrailingNewline(await privateKeyPem(keys.privateKey)),
      chainPem: certPem + this.certPem,
    };
  }
}

export async function createCA(
  commonName: string,
  opts: CreateCAOptions = {},
): Promise<CertificateAuthority> {
  if (commonName.length === 0) throw new Error('createCA: commonName must not be empty');
  const alg = opts.keyAlgorithm ?? 'ec';
  const keys = await generateKeys(alg);
  const now = Date.now();
  const publicKey = keys.publicKey;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subjectName(commonName),
    notBefore: opts.notBefore ?? new Date(now - HOUR_MS),
    notAfter: opts.notAfter ?? new Date(now + 7 * 24 * HOUR_MS),
    signingAlgorithm: signingAlgorithm(alg),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return new LocalCA(
    commonName,
    cert,
    keys,
    ensureTrailingNewline(await privateKeyPem(keys.privateKey)),
    alg,
  );
}

export function issueCertificate(ca: CertificateAuthority, opts: IssueOptions): Promise<IssuedCertificate> {
  return ca.issue(opts);
}

/** Writes `<name>.crt` (0644) and `<name>.key` (0600) into dir. */
export async function writePemFiles(dir: string, name: string, issued: IssuedCertificate): Promise<PemFiles> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new Error(`writePemFiles: unsafe file name ${JSON.stringify(name)}`);
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await writeFile(certFile, issued.certPem, { mode: 0o644 });
  await writeFile(keyFile, issued.keyPem, { mode: 0o600 });
  return { certFile, keyFile };
}
