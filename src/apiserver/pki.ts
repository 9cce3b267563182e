/**
 * Minimal certificate issuing (ECDSA P-256) for local use: the self-signed serving pair of
 * `--cert-dir` and the demo's client CA. Production certificates come from the operator.
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface IssuedPair {
  certPem: string;
  keyPem: string;
}

export interface Issuer extends IssuedPair {
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

type CryptoKey = webcrypto.CryptoKey;

function provider(): void {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
}

function serial(): string {
  // Positive, 16 bytes.
  return '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export interface CertificateRequest {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client';
  days: number;
}

function subject(r: { commonName: string; organizations?: string[] }): string {
  const esc = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${esc(r.commonName)}`, ...(r.organizations ?? []).map((o) => `O=${esc(o)}`)].join(', ');
}

function leafExtensions(r: CertificateRequest): x509.Extension[] {
  const sans = [
    ...(r.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(r.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([
      r.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    ]),
  ];
  if (sans.length > 0) ext.push(new x509.SubjectAlternativeNameExtension(sans));
  return ext;
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + days * 86_400_000) };
}

/** A self-signed leaf (no CA), e.g. the `--cert-dir` serving certificate. */
export async function selfSignedCertificate(r: CertificateRequest): Promise<IssuedPair> {
  provider();
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subject(r),
    ...validity(r.days),
    keys: keys,
    signingAlgorithm: ALG,
    extensions: leafExtensions(r),
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: (await keyPem(keys.privateKey)) + '\n' };
}

export async function createCertificateAuthority(commonName: string, days: number): Promise<Issuer> {
  provider();
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subject({ commonName }),
    ...validity(days),
    keys: keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    ],
  });
  return {
    cert,
    privateKey: keys.privateKey,
    certPem: cert.toString('pem') + '\n',
    keyPem: (await keyPem(keys.privateKey)) + '\n',
  };
}

export async function issueCertificate(ca: Issuer, r: CertificateRequest): Promise<IssuedPair> {
  provider();
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const params = {
    serialNumber: serial(),
    subject: subject(r),
    issuer: ca.cert.subject,
    ...validity(r.days),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: ALG,
    extensions: leafExtensions(r),
  };
  const cert = await x509.X509CertificateGenerator.create(params);
  return { certPem: cert.toString('pem') + '\n', keyPem: (await keyPem(keys.privateKey)) + '\n' };
}
