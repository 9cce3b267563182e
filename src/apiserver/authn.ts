/**
 * Authentication in the order a kube-apiserver uses for aggregated servers:
 *  1. a client certificate issued by the requestheader CA with an allowed CN: the identity comes
 *     from the X-Remote-* headers (front proxy, i.e. the kube-aggregator);
 *  2. a client certificate issued by the client CA: user = CN, groups = O;
 *  3. an `Authorization: Bearer` token (authn-token.ts);
 *  4. nothing: anonymous.
 * Identity headers are trusted only in case 1. A certificate that verifies against neither CA is
 * a failed authentication (401), not anonymity, unless a bearer token authenticates the request
 * (the generic apiserver tries every authenticator before failing). A bearer token that does not
 * authenticate is a 401 too. Without an Authorization header the answer is synchronous: the
 * certificate path costs no promise.
 */
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { UserInfo } from '../kube/index.js';
import type { AuthenticationConfig, RequestHeaderConfig } from './authn-config.js';
import type { TokenAuthenticator } from './authn-token.js';
import { peerChain, subjectNames, verifyClientChain } from './x509.js';

export type AuthenticationResult =
  | { kind: 'user'; user: UserInfo; method: 'requestheader' | 'x509' | 'jwt' | 'tokenreview' }
  | { kind: 'anonymous' }
  | { kind: 'failed'; reason: string };

type CertVerdict =
  | { kind: 'none' }
  | { kind: 'front-proxy'; commonName: string }
  | { kind: 'client'; user: UserInfo }
  | { kind: 'failed'; reason: string };

export const ANONYMOUS: UserInfo = {
  name: 'system:anonymous',
  uid: '',
  groups: ['system:unauthenticated'],
  extra: {},
};

export class Authenticator {
  // Chain verification costs signature checks; a keep-alive connection keeps its certificate, so
  // the verdict is computed once per socket and configuration.
  private verdicts = new WeakMap<TLSSocket, { config: AuthenticationConfig; verdict: CertVerdict }>();

  constructor(
    private config: AuthenticationConfig,
    private readonly tokens?: TokenAuthenticator,
  ) {}

  update(config: AuthenticationConfig): void {
    this.config = config;
  }

  authenticate(req: IncomingMessage): AuthenticationResult | Promise<AuthenticationResult> {
    const certificate = this.authenticateCertificate(req);
    if (certificate.kind === 'user') return certificate;
    const token = bearerToken(req);
    if (token === undefined) return certificate;
    return this.authenticateToken(token);
  }

  private authenticateCertificate(req: IncomingMessage): AuthenticationResult {
    const socket = req.socket;
    const verdict: CertVerdict =
      socket instanceof TLSSocket ? this.certificateVerdict(socket) : { kind: 'none' };
    switch (verdict.kind) {
      case 'none':
        return { kind: 'anonymous' };
      case 'failed':
        return { kind: 'failed', reason: verdict.reason };
      case 'client':
        return { kind: 'user', user: verdict.user, method: 'x509' };
      case 'front-proxy': {
        const rh = this.config.requestHeader;
        if (rh === undefined)
          return { kind: 'failed', reason: 'requestheader authentication is not configured' };
        const user = userFromHeaders(req, rh);
        if (user === undefined)
          return {
            kind: 'failed',
            reason: `front-proxy certificate ${verdict.commonName} sent no user header`,
          };
        return { kind: 'user', user, method: 'requestheader' };
      }
    }
  }

  private async authenticateToken(token: string): Promise<AuthenticationResult> {
    if (token === '') return { kind: 'failed', reason: 'empty bearer token' };
    if (this.tokens === undefined)
      return { kind: 'failed', reason: 'bearer token authentication is not configured' };
    const verdict = await this.tokens.authenticateToken(token);
    if (verdict.kind === 'failed')
      return { kind: 'failed', reason: `invalid bearer token: ${verdict.reason}` };
    return { kind: 'user', user: withAuthenticatedGroup(verdict.user), method: verdict.method };
  }

  private certificateVerdict(socket: TLSSocket): CertVerdict {
    const cached = this.verdicts.get(socket);
    if (cached !== undefined && cached.config === this.config) return cached.verdict;
    const verdict = this.verifyCertificate(socket);
    this.verdicts.set(socket, { config: this.config, verdict });
    return verdict;
  }

  private verifyCertificate(socket: TLSSocket): CertVerdict {
    const chain = peerChain(socket);
    const leaf = chain[0];
    if (leaf === undefined) return { kind: 'none' };
    const names = subjectNames(leaf);
    const rh = this.config.requestHeader;
    let frontProxyProblem: string | undefined;
    if (rh !== undefined && verifyClientChain(chain, rh.ca.roots)) {
      if (rh.allowedNames.length === 0 || rh.allowedNames.includes(names.commonName)) {
        return { kind: 'front-proxy', commonName: names.commonName };
      }
      frontProxyProblem = `front-proxy certificate CN "${names.commonName}" is not in --requestheader-allowed-names`;
    }
    const ca = this.config.clientCA;
    if (ca !== undefined && verifyClientChain(chain, ca.roots)) {
      if (names.commonName === '')
        return { kind: 'failed', reason: 'client certificate has an empty common name' };
      return {
        kind: 'client',
        user: withAuthenticatedGroup({
          name: names.commonName,
          uid: '',
          groups: [...names.organizations],
          extra: {},
        }),
      };
    }
    return {
      kind: 'failed',
      reason: frontProxyProblem ?? 'client certificate is not signed by a trusted CA (or is expired)',
    };
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header, parsed as the apiserver's bearer token
 * authenticator does; undefined when the header is absent or of another scheme (then the request
 * is anonymous, not failed), '' for a Bearer header without a token.
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization?.trim();
  if (header === undefined || header === '') return undefined;
  const parts = header.split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  return parts[1] ?? '';
}

function headerValues(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name] ?? [];
}

function userFromHeaders(req: IncomingMessage, rh: RequestHeaderConfig): UserInfo | undefined {
  let name = '';
  for (const h of rh.usernameHeaders) {
    const v = headerValues(req, h).find((x) => x !== '');
    if (v !== undefined) {
      name = v;
      break;
    }
  }
  if (name === '') return undefined;
  const groups: string[] = [];
  for (const h of rh.groupHeaders) groups.push(...headerValues(req, h));
  let uid = '';
  for (const h of rh.uidHeaders) {
    const v = headerValues(req, h).find((x) => x !== '');
    if (v !== undefined) {
      uid = v;
      break;
    }
  }
  const extra: Record<string, string[]> = {};
  for (const [header, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    for (const prefix of rh.extraHeaderPrefixes) {
      if (!header.startsWith(prefix) || header.length === prefix.length) continue;
      let key = header.slice(prefix.length);
      try {
        key = decodeURIComponent(key);
      } catch {
        // keep the raw key, as the escaping is optional
      }
      (extra[key] ??= []).push(...values);
    }
  }
  return withAuthenticatedGroup({ name, uid, groups, extra });
}

// Like the generic apiserver's AuthenticatedGroupAdder: every authenticated user is in system:authenticated.
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name !== 'system:anonymous' && !user.groups.includes('system:authenticated'))
    user.groups.push('system:authenticated');
  return user;
}
