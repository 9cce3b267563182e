/**
 * Certificate helpers: PEM bundles, serving-pair checks, and client-chain verification against
 * one specific CA bundle. Node's `socket.authorized` accepts a certificate from ANY CA in the
 * server's `ca` list, which is not enough to trust front-proxy headers; this module answers
 * "was this chain issued by exactly this bundle?".
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';
const MAX_CHAIN = 6;

export function splitPemCertificates(pem: string): string[] {
  return pem.match(PEM_CERT) ?? [];
}

/** Parses a CA bundle; throws Error when it holds no certificate or an unparsable one. */
export function parseCertificateBundle(pem: string, what: string): X509Certificate[] {
  const blocks = splitPemCertificates(pem);
  if (blocks.length === 0) throw new Error(`${what}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new Error(`${what}: certificate #${i + 1} cannot be parsed: ${(err as Error).message}`);
    }
  });
}

export interface ServingPair {
  certPem: string;
  keyPem: string;
  leaf: X509Certificate;
}

/** Checks that the certificate chain parses and that the key belongs to the leaf. */
export function checkServingPair(certPem: string, keyPem: string): ServingPair {
  const chain = parseCertificateBundle(certPem, 'serving certificate');
  const leaf = chain[0];
  if (leaf === undefined) throw new Error('serving certificate: empty');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`serving key cannot be parsed: ${(err as Error).message}`);
  }
  if (!leaf.checkPrivateKey(key)) throw new Error('serving key does not match the serving certificate');
  return { certPem, keyPem, leaf };
}

function withinValidity(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** The peer's leaf and the intermediates it sent, in order. */
export function peerChain(socket: TLSSocket): X509Certificate[] {
  const leaf = socket.getPeerX509Certificate();
  if (leaf === undefined) return [];
  const chain = [leaf];
  // Node's types say every link is present; at the end of an incomplete chain it is not.
  type Link = Partial<Pick<DetailedPeerCertificate, 'issuerCertificate' | 'raw'>>;
  let cur: Link = socket.getPeerCertificate(true);
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next: Link | undefined = cur.issuerCertificate;
    if (next === undefined || Object.is(next, cur) || next.raw === undefined) break;
    try {
      chain.push(new X509Certificate(next.raw));
    } catch {
      break;
    }
    cur = next;
  }
  return chain;
}

/**
 * True when `chain[0]` leads, through CA intermediates from `chain`, to a certificate of `roots`,
 * every certificate being within its validity period, and the leaf may be used for client auth.
 */
export function verifyClientChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now = new Date(),
): boolean {
  const leaf = chain[0];
  if (leaf === undefined || roots.length === 0) return false;
  const eku = leaf.keyUsage as string[] | undefined;
  if (eku !== undefined && eku.length > 0 && !eku.includes(CLIENT_AUTH_OID) && !eku.includes(ANY_EKU_OID))
    return false;
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!withinValidity(current, now)) return false;
    const root = roots.find((r) => issuedBy(current, r));
    if (root !== undefined) return withinValidity(root, now);
    const intermediate = chain.find((c) => c !== current && c.ca && issuedBy(current, c));
    if (intermediate === undefined) return false;
    current = intermediate;
  }
  return false;
}

/** Common name and organizations of a certificate subject ("CN=x\nO=a\nO=b"). */
export function subjectNames(cert: X509Certificate): { commonName: string; organizations: string[] } {
  let commonName = '';
  const organizations: string[] = [];
  for (const line of cert.subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = unquoteDnValue(line.slice(eq + 1));
    if (key === 'CN') commonName = value;
    else if (key === 'O') organizations.push(value);
  }
  return { commonName, organizations };
}

// Node escapes subject values holding special characters as JSON strings (CVE-2021-44532).
function unquoteDnValue(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v === 'string') return v;
    } catch {
      return raw;
    }
  }
  return raw;
}
