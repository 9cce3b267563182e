/**
 * A simulated kube-aggregator (the part of kube-apiserver that fronts aggregated API servers) over
 * HTTPS on 127.0.0.1.
 *
 * - Authenticates callers by a client certificate from its cluster CA (user = CN, groups = O, plus
 *   system:authenticated) or a bearer token; anything else gets the 401 Status.
 * - Proxies /apis/{group}/{version}/... of registered APIServices to their serviceURL with its
 *   front-proxy client certificate (CN front-proxy-client, from a separate front-proxy CA), setting
 *   X-Remote-User, one X-Remote-Group per group and X-Remote-Extra-<escaped key> and removing any
 *   such headers (and Authorization / Impersonate-*) the caller sent. The backend's serving
 *   certificate is verified against the APIService caBundle and the serviceURL host unless
 *   insecureSkipTLSVerify. Status code, headers and body stream back unchanged.
 * - Availability like the real controller: 5 parallel GET /apis/{group}/{version} as
 *   system:kube-aggregator / system:masters with a 5 s timeout; Available=True when any answers 2xx.
 *   While an APIService is not available, requests to it get `503 service unavailable` as text.
 *
 * Differences from the real aggregator: no authorization (RBAC) of callers, no impersonation,
 * delegation of non-aggregated paths to a kube-apiserver only when `delegate` is given (else 404;
 * the delegate sees the aggregator's own identity, not the caller's), no aggregated discovery,
 * no protocol upgrades (exec/port-forward), the service is a URL instead of a Service object, and
 * availability is re-checked on a timer (default 30 s) or on demand with checkAvailability().
 * As in the real one, error bodies of the proxy itself (503) are plain text, not Status objects.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { createCA, type CertificateAuthority, type IssuedCertificate } from './certs.js';
import { apiGroup, compareKubeVersions, type APIGroup } from './kube-discovery.js';
import {
  bearerToken,
  failureStatus,
  kubeTimestamp,
  methodNotAllowedStatus,
  notFoundObjectStatus,
  notFoundPathStatus,
  sendJson,
  sendStatus,
  unauthorizedStatus,
  userFromClientCertificate,
  withAuthenticatedGroup,
  type UserInfo,
} from './kube-status.js';
import { writeKubeconfigFile } from './kubeconfig.js';
import { LOOPBACK, listenOnLoopback } from './ports.js';

export interface APIServiceRegistration {
  /** Must be `<version>.<group>`, e.g. v1beta1.custom.metrics.k8s.io. */
  name: string;
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  /** https://127.0.0.1:PORT; undefined simulates a missing Service (ServiceNotFound). */
  serviceURL?: string;
  caBundlePem?: string;
  insecureSkipTLSVerify?: boolean;
  /**
   * The Service this APIService points at. When given, the backend certificate is verified (and
   * SNI sent) for `<name>.<namespace>.svc`, exactly as the real aggregator does, so the backend
   * needs that DNS SAN. When omitted, the serviceURL host is verified instead and the APIService
   * object shows { namespace: 'default', name: 'api' }.
   */
  service?: { namespace: string; name: string };
}

export interface AvailabilityResult {
  available: boolean;
  /** Passed | FailedDiscoveryCheck | ServiceNotFound */
  reason: string;
  message: string;
}

export interface AggregatorRequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  user?: string;
  /** The APIService name when the request was proxied. */
  apiService?: string;
  status?: number;
  time: Date;
}

export interface FakeAggregatorOptions {
  /** Issue client certificates (and the serving certificate) from this CA, e.g. fake-kube's. */
  clusterCA?: CertificateAuthority;
  tokens?: Record<string, UserInfo>;
  /** Periodic availability re-check; default 30 000 ms (as the real controller); 0 disables. */
  availabilityIntervalMs?: number;
  /**
   * The kube-apiserver behind the aggregator (in a real cluster, the same process): requests for
   * paths no APIService claims (/api/v1/nodes, /version, built-in groups) are proxied to it with
   * this client certificate, and /apis merges its groups with the aggregated ones. Without it
   * such paths are 404.
   */
  delegate?: { url: string; caPem: string; client: IssuedCertificate };
}

export interface RequestHeaderAuthentication {
  clientCA: string;
  requestheaderClientCA: string;
  requestheaderAllowedNames: string[];
  requestheaderUsernameHeaders: string[];
  requestheaderGroupHeaders: string[];
  requestheaderExtraHeadersPrefix: string[];
}

export interface FakeAggregator {
  readonly url: string;
  readonly port: number;
  /** CA of the serving certificate and of accepted client certificates. */
  readonly caPem: string;
  readonly clusterCA: CertificateAuthority;
  readonly frontProxyCA: CertificateAuthority;
  /** The client certificate the aggregator presents to backends. */
  readonly frontProxyClient: IssuedCertificate;
  readonly requestLog: AggregatorRequestLogEntry[];
  /** Registers (or replaces) and runs the first availability check. */
  registerAPIService(reg: APIServiceRegistration): Promise<AvailabilityResult>;
  unregisterAPIService(name: string): boolean;
  checkAvailability(name: string): Promise<AvailabilityResult>;
  /** The APIService object as GET /apis/apiregistration.k8s.io/v1/apiservices/{name} returns it. */
  getAPIService(name: string): Record<string, unknown> | undefined;
  setToken(token: string, user: UserInfo): void;
  /** The extension-apiserver-authentication settings a backend needs to trust this aggregator. */
  requestHeaderAuthentication(): RequestHeaderAuthentication;
  issueClientCertificate(commonName: string, organizations?: string[]): Promise<IssuedCertificate>;
  writeKubeconfig(
    dir: string,
    opts: { commonName: string; organizations?: string[]; fileName?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

interface Registered {
  reg: APIServiceRegistration;
  uid: string;
  resourceVersion: number;
  creationTimestamp: string;
  condition:
    { status: 'True' | 'False'; reason: string; message: string; lastTransitionTime: string } | undefined;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** RFC 7230 token characters; others (and '%') are percent-encoded, as client-go does. */
const HEADER_TOKEN = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

export function escapeExtraHeaderKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && HEADER_TOKEN.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface NodeNetError extends Error {
  code?: string;
  cert?: { subjectaltname?: string };
  /** The name the certificate was checked against (ERR_TLS_CERT_ALTNAME_INVALID). */
  host?: string;
}

/** A transport error worded the way Go's net/http and crypto/tls report it. */
export function goStyleTransportError(err: unknown, host: string, port: number): string {
  const e = err as NodeNetError;
  const hostPort = `${host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${hostPort}: read: connection reset by peer`;
    case 'ETIMEDOUT':
      return `dial tcp ${hostPort}: i/o timeout`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const wanted = (e.host ?? host).replace(/\.$/, '');
      const sans = (e.cert?.subjectaltname ?? '')
        .split(',')
        .map((s) => s.trim().replace(/^(DNS|IP Address):/, ''))
        .filter((s) => s.length > 0);
      return sans.length === 0
        ? `tls: failed to verify certificate: x509: certificate is not valid for any names, but wanted to match ${wanted}`
        : `tls: failed to verify certificate: x509: certificate is valid for ${sans.join(', ')}, not ${wanted}`;
    }
    default:
      return e.message;
  }
}

const AVAILABILITY_ATTEMPTS = 5;
const AVAILABILITY_TIMEOUT_MS = 5_000;

export async function startFakeAggregator(opts: FakeAggregatorOptions = {}): Promise<FakeAggregator> {
  const clusterCA = opts.clusterCA ?? (await createCA('fake-aggregator-cluster-ca'));
  const frontProxyCA = await createCA('front-proxy-ca');
  const frontProxyClient = await frontProxyCA.issue({ commonName: 'front-proxy-client', usage: 'client' });
  const serving = await clusterCA.issue({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default.svc'],
    ipAddresses: [LOOPBACK],
    usage: 'server',
  });
  const tokens = new Map<string, UserInfo>(Object.entries(opts.tokens ?? {}));
  const services = new Map<string, Registered>();
  const requestLog: AggregatorRequestLogEntry[] = [];
  const inflight = new Set<http.ClientRequest>();
  let resourceVersion = 0;
  let closed = false;

  const svcRef = (reg: APIServiceRegistration): { namespace: string; name: string } =>
    reg.service ?? { namespace: 'default', name: 'api' };

  const backendRequest = (
    reg: APIServiceRegistration,
    method: string,
    pathAndQuery: string,
    headers: http.OutgoingHttpHeaders,
  ): http.ClientRequest => {
    const target = new URL(reg.serviceURL ?? 'https://invalid.invalid');
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const options: https.RequestOptions = {
      host,
      port: Number(target.port || 443),
      method,
      path: pathAndQuery,
      headers: { ...headers, host: target.host },
      cert: frontProxyClient.certPem,
      key: frontProxyClient.keyPem,
      rejectUnauthorized: reg.insecureSkipTLSVerify !== true,
      agent: false,
    };
    if (reg.caBundlePem !== undefined) options.ca = reg.caBundlePem;
    // Node checks the certificate against servername when set (and sends it as SNI).
    if (reg.service) options.servername = `${reg.service.name}.${reg.service.namespace}.svc`;
    else if (isIP(host) === 0) options.servername = host;
    const req = https.request(options);
    inflight.add(req);
    req.once('close', () => inflight.delete(req));
    return req;
  };

  const identityHeaders = (user: UserInfo): http.OutgoingHttpHeaders => {
    const headers: http.OutgoingHttpHeaders = { 'X-Remote-User': user.username };
    if ((user.groups ?? []).length > 0) headers['X-Remote-Group'] = [...(user.groups ?? [])];
    for (const [key, values] of Object.entries(user.extra ?? {})) {
      if (values.length > 0) headers[`X-Remote-Extra-${escapeExtraHeaderKey(key)}`] = [...values];
    }
    return headers;
  };

  const probeOnce = (reg: APIServiceRegistration, discoveryURL: string): Promise<string | undefined> =>
    new Promise<string | undefined>((resolve) => {
      const target = new URL(discoveryURL);
      const port = Number(target.port || 443);
      const host = target.hostname;
      let done = false;
      const finish = (problem: string | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(problem);
      };
      const req = backendRequest(reg, 'GET', `${target.pathname}${target.search}`, {
        ...identityHeaders({ username: 'system:kube-aggregator', groups: ['system:masters'] }),
        Accept: 'application/json, */*',
        'User-Agent': 'kube-aggregator/v1.32.0 (linux/amd64) kubernetes/fake',
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(
          `Get "${discoveryURL}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        );
      }, AVAILABILITY_TIMEOUT_MS);
      req.once('response', (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        finish(code >= 200 && code < 300 ? undefined : `bad status from ${discoveryURL}: ${code}`);
      });
      req.once('error', (err) => finish(`Get "${discoveryURL}": ${goStyleTransportError(err, host, port)}`));
      req.end();
    });

  const setCondition = (entry: Registered, result: AvailabilityResult): void => {
    const status = result.available ? 'True' : 'False';
    const lastTransitionTime =
      entry.condition?.status === status ? entry.condition.lastTransitionTime : kubeTimestamp();
    if (
      entry.condition?.status !== status ||
      entry.condition.reason !== result.reason ||
      entry.condition.message !== result.message
    ) {
      resourceVersion++;
      entry.resourceVersion = resourceVersion;
    }
    entry.condition = { status, reason: result.reason, message: result.message, lastTransitionTime };
  };

  const checkAvailability = async (name: string): Promise<AvailabilityResult> => {
    const entry = services.get(name);
    if (!entry) throw new Error(`fake-aggregator: no APIService ${name}`);
    const { reg } = entry;
    let result: AvailabilityResult;
    if (reg.serviceURL === undefined || reg.serviceURL === '') {
      const svc = svcRef(reg);
      result = {
        available: false,
        reason: 'ServiceNotFound',
        message: `service/${svc.name} in "${svc.namespace}" is not present`,
      };
    } else {
      const discoveryURL = `${reg.serviceURL.replace(/\/+$/, '')}/apis/${reg.group}/${reg.version}`;
      const problems = await Promise.all(
        Array.from({ length: AVAILABILITY_ATTEMPTS }, () => probeOnce(reg, discoveryURL)),
      );
      const failure = problems.every((p) => p !== undefined) ? problems[problems.length - 1] : undefined;
      result =
        failure === undefined
          ? { available: true, reason: 'Passed', message: 'all checks passed' }
          : {
              available: false,
              reason: 'FailedDiscoveryCheck',
              message: `failing or missing response from ${discoveryURL}: ${failure}`,
            };
    }
    // The APIService may have been replaced or removed meanwhile.
    if (services.get(name) === entry) setCondition(entry, result);
    return result;
  };

  const apiServiceObject = (entry: Registered): Record<string, unknown> => {
    const { reg } = entry;
    const svc = svcRef(reg);
    const spec: Record<string, unknown> = {};
    if (reg.serviceURL !== undefined && reg.serviceURL !== '') {
      const u = new URL(reg.serviceURL);
      spec.service = { namespace: svc.namespace, name: svc.name, port: Number(u.port || 443) };
    } else {
      spec.service = { namespace: svc.namespace, name: svc.name, port: 443 };
    }
    spec.group = reg.group;
    spec.version = reg.version;
    if (reg.insecureSkipTLSVerify === true) spec.insecureSkipTLSVerify = true;
    if (reg.caBundlePem !== undefined) spec.caBundle = Buffer.from(reg.caBundlePem).toString('base64');
    spec.groupPriorityMinimum = reg.groupPriorityMinimum;
    spec.versionPriority = reg.versionPriority;
    return {
      kind: 'APIService',
      apiVersion: 'apiregistration.k8s.io/v1',
      metadata: {
        name: reg.name,
        uid: entry.uid,
        resourceVersion: String(entry.resourceVersion),
        creationTimestamp: entry.creationTimestamp,
      },
      spec,
      status: entry.condition ? { conditions: [{ type: 'Available', ...entry.condition }] } : {},
    };
  };

  const groups = (): APIGroup[] => {
    const byGroup = new Map<string, Registered[]>();
    for (const entry of services.values()) {
      const list = byGroup.get(entry.reg.group) ?? [];
      list.push(entry);
      byGroup.set(entry.reg.group, list);
    }
    const ordered = [...byGroup.entries()].map(([group, entries]) => ({
      group,
      priority: Math.max(...entries.map((e) => e.reg.groupPriorityMinimum)),
      versions: entries
        .sort(
          (a, b) =>
            b.reg.versionPriority - a.reg.versionPriority ||
            compareKubeVersions(a.reg.version, b.reg.version),
        )
        .map((e) => e.reg.version),
    }));
    ordered.sort((a, b) => b.priority - a.priority || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    return [apiGroup('apiregistration.k8s.io', ['v1']), ...ordered.map((g) => apiGroup(g.group, g.versions))];
  };

  const authenticate = (req: http.IncomingMessage): UserInfo | undefined => {
    const certUser = userFromClientCertificate(req);
    if (certUser) return withAuthenticatedGroup(certUser);
    const token = bearerToken(req);
    const user = token === undefined ? undefined : tokens.get(token);
    return user ? withAuthenticatedGroup(user) : undefined;
  };

  const proxy = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: Registered,
    user: UserInfo,
    entryLog: AggregatorRequestLogEntry,
  ): void => {
    const { reg } = entry;
    if (entry.condition?.status !== 'True') {
      res.writeHead(503, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end('service unavailable\n');
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      const lower = name.toLowerCase();
      if (value === undefined || HOP_BY_HOP.has(lower) || lower === 'host' || lower === 'authorization')
        continue;
      if (lower.startsWith('x-remote-') || lower.startsWith('impersonate-')) continue;
      headers[name] = value;
    }
    const forwarded = req.headers['x-forwarded-for'];
    const clientIP = req.socket.remoteAddress ?? LOOPBACK;
    headers['x-forwarded-for'] = forwarded === undefined ? clientIP : `${String(forwarded)}, ${clientIP}`;
    Object.assign(headers, identityHeaders(user));
    const target = new URL(reg.serviceURL ?? 'https://invalid.invalid');
    // The real proxy re-encodes the query (url.Values.Encode: keys sorted).
    const incoming = new URL(req.url ?? '/', 'https://aggregator.invalid');
    const params = new URLSearchParams(incoming.search);
    params.sort();
    const query = params.toString();
    const upstream = backendRequest(
      reg,
      req.method ?? 'GET',
      `${incoming.pathname}${query === '' ? '' : `?${query}`}`,
      headers,
    );
    // Discovery requests (/apis/{group}/{version} exactly) get a 5 s deadline, as in the real proxy.
    const isDiscovery = incoming.pathname.split('/').filter((p) => p.length > 0).length === 3;
    const discoveryTimer = isDiscovery
      ? setTimeout(
          () => upstream.destroy(Object.assign(new Error('context deadline exceeded'), { code: 'DEADLINE' })),
          5_000,
        )
      : undefined;
    upstream.once('close', () => clearTimeout(discoveryTimer));
    upstream.once('response', (upRes) => {
      const outHeaders: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upRes.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) outHeaders[name] = value;
      }
      entryLog.status = upRes.statusCode ?? 502;
      res.writeHead(upRes.statusCode ?? 502, outHeaders);
      res.flushHeaders();
      upRes.pipe(res);
      upRes.once('error', () => res.destroy());
      upRes.once('aborted', () => res.destroy());
    });
    upstream.once('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      entryLog.status = 503;
      res.writeHead(503, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(`${goStyleTransportError(err, target.hostname, Number(target.port || 443))}\n`);
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const delegateRequest = (
    method: string,
    pathAndQuery: string,
    onResponse: (upstream: http.IncomingMessage) => void,
  ): http.ClientRequest | undefined => {
    const d = opts.delegate;
    if (d === undefined) return undefined;
    const target = new URL(d.url);
    const r = https.request(
      {
        host: target.hostname,
        port: Number(target.port || 443),
        method,
        path: pathAndQuery,
        ca: d.caPem,
        cert: d.client.certPem,
        key: d.client.keyPem,
        headers: { accept: 'application/json' },
        timeout: 10_000,
      },
      onResponse,
    );
    r.on('timeout', () => r.destroy(new Error('delegate did not answer')));
    inflight.add(r);
    r.once('close', () => inflight.delete(r));
    return r;
  };

  /** Proxies a request no APIService claims to the delegate kube-apiserver. */
  const delegateTo = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const upstream = delegateRequest(req.method ?? 'GET', req.url ?? '/', (up) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    if (upstream === undefined) return false;
    upstream.on('error', (err) => {
      if (!res.headersSent) sendStatus(res, failureStatus(503, 'ServiceUnavailable', err.message));
      else res.destroy();
    });
    upstream.end();
    return true;
  };

  /** The delegate's API groups, for a merged /apis. */
  const delegateGroups = (): Promise<APIGroup[]> =>
    new Promise((resolve) => {
      const r = delegateRequest('GET', '/apis', (up) => {
        let body = '';
        up.setEncoding('utf8');
        up.on('data', (c: string) => (body += c));
        up.on('end', () => {
          try {
            resolve((JSON.parse(body) as { groups?: APIGroup[] }).groups ?? []);
          } catch {
            resolve([]);
          }
        });
      });
      if (r === undefined) {
        resolve([]);
        return;
      }
      r.on('error', () => resolve([]));
      r.end();
    });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', `https://${LOOPBACK}`);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const logEntry: AggregatorRequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      time: new Date(),
    };
    requestLog.push(logEntry);
    if (requestLog.length > 10_000) requestLog.splice(0, requestLog.length - 10_000);
    res.once('close', () => {
      if (logEntry.status === undefined && res.headersSent) logEntry.status = res.statusCode;
    });

    const user = authenticate(req);
    if (!user) {
      sendStatus(res, unauthorizedStatus());
      return;
    }
    logEntry.user = user.username;
    const segments = url.pathname.split('/').filter((s) => s.length > 0);
    const getOnly = (fn: () => void): void => {
      if (req.method !== 'GET') sendStatus(res, methodNotAllowedStatus());
      else fn();
    };
    if (segments[0] !== 'apis') {
      if (!delegateTo(req, res)) sendStatus(res, notFoundPathStatus());
      return;
    }
    if (segments.length === 1) {
      getOnly(() => {
        if (opts.delegate === undefined) {
          sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups() });
          return;
        }
        void delegateGroups().then((builtIn) => {
          const aggregated = groups().filter((g) => !builtIn.some((b) => b.name === g.name));
          sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [...builtIn, ...aggregated] });
        });
      });
      return;
    }
    const group = segments[1]!;
    if (group === 'apiregistration.k8s.io') {
      getOnly(() => {
        if (segments.length === 2) {
          sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, ['v1']) });
        } else if (segments[2] !== 'v1') {
          sendStatus(res, notFoundPathStatus());
        } else if (segments.length === 3) {
          sendJson(res, 200, {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: 'apiregistration.k8s.io/v1',
            resources: [
              {
                name: 'apiservices',
                singularName: 'apiservice',
                namespaced: false,
                kind: 'APIService',
                verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
                categories: ['api-extensions'],
              },
              {
                name: 'apiservices/status',
                singularName: '',
                namespaced: false,
                kind: 'APIService',
                verbs: ['get', 'patch', 'update'],
              },
            ],
          });
        } else if (segments[3] === 'apiservices' && segments.length === 4) {
          sendJson(res, 200, {
            kind: 'APIServiceList',
            apiVersion: 'apiregistration.k8s.io/v1',
            metadata: { resourceVersion: String(resourceVersion) },
            items: [...services.values()]
              .sort((a, b) => (a.reg.name < b.reg.name ? -1 : 1))
              .map((e) => {
                const { kind: _k, apiVersion: _a, ...rest } = apiServiceObject(e);
                return rest;
              }),
          });
        } else if (segments[3] === 'apiservices' && segments.length === 5) {
          const entry = services.get(segments[4]!);
          if (entry) sendJson(res, 200, apiServiceObject(entry));
          else sendStatus(res, notFoundObjectStatus('apiregistration.k8s.io', 'apiservices', segments[4]!));
        } else {
          sendStatus(res, notFoundPathStatus());
        }
      });
      return;
    }
    const versions = groups().find((g) => g.name === group);
    if (!versions) {
      if (!delegateTo(req, res)) sendStatus(res, notFoundPathStatus());
      return;
    }
    if (segments.length === 2) {
      getOnly(() => sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...versions }));
      return;
    }
    const entry = services.get(`${segments[2]!}.${group}`);
    if (!entry) {
      if (!delegateTo(req, res)) sendStatus(res, notFoundPathStatus());
      return;
    }
    logEntry.apiService = entry.reg.name;
    proxy(req, res, entry, user, logEntry);
  };

  const server = https.createServer(
    {
      key: serving.keyPem,
      cert: serving.certPem,
      ca: [clusterCA.certPem],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        if (!res.headersSent)
          sendStatus(res, failureStatus(500, `internal error: ${(err as Error).message}`));
        else res.destroy();
      }
    },
  );
  const port = await listenOnLoopback(server);
  const url = `https://${LOOPBACK}:${port}`;

  const intervalMs = opts.availabilityIntervalMs ?? 30_000;
  let checking = false;
  const periodic =
    intervalMs > 0
      ? setInterval(() => {
          if (checking || closed) return;
          checking = true;
          Promise.all([...services.keys()].map((n) => checkAvailability(n).catch(() => undefined)))
            .catch(() => undefined)
            .finally(() => {
              checking = false;
            });
        }, intervalMs).unref()
      : undefined;

  const issueClientCertificate = (
    commonName: string,
    organizations: string[] = [],
  ): Promise<IssuedCertificate> => clusterCA.issue({ commonName, organizations, usage: 'client' });

  return {
    url,
    port,
    caPem: clusterCA.certPem,
    clusterCA,
    frontProxyCA,
    frontProxyClient,
    requestLog,
    async registerAPIService(reg) {
      if (reg.name !== `${reg.version}.${reg.group}`) {
        throw new Error(
          `APIService name ${JSON.stringify(reg.name)} is invalid: must be ${reg.version}.${reg.group}`,
        );
      }
      if (reg.insecureSkipTLSVerify === true && reg.caBundlePem !== undefined) {
        throw new Error('APIService spec.insecureSkipTLSVerify may not be true if caBundle is present');
      }
      if (reg.serviceURL !== undefined && reg.serviceURL !== '') {
        const u = new URL(reg.serviceURL);
        if (u.protocol !== 'https:') throw new Error(`serviceURL must be https, got ${reg.serviceURL}`);
        if (u.hostname !== LOOPBACK && u.hostname !== 'localhost')
          throw new Error('serviceURL must be a loopback address');
      }
      const previous = services.get(reg.name);
      resourceVersion++;
      services.set(reg.name, {
        reg: structuredClone(reg),
        uid: previous?.uid ?? randomUUID(),
        resourceVersion,
        creationTimestamp: previous?.creationTimestamp ?? kubeTimestamp(),
        condition: undefined,
      });
      return checkAvailability(reg.name);
    },
    unregisterAPIService(name) {
      return services.delete(name);
    },
    checkAvailability,
    getAPIService(name) {
      const entry = services.get(name);
      return entry ? apiServiceObject(entry) : undefined;
    },
    setToken(token, user) {
      tokens.set(token, structuredClone(user));
    },
    requestHeaderAuthentication() {
      return {
        clientCA: clusterCA.certPem,
        requestheaderClientCA: frontProxyCA.certPem,
        requestheaderAllowedNames: ['front-proxy-client'],
        requestheaderUsernameHeaders: ['X-Remote-User'],
        requestheaderGroupHeaders: ['X-Remote-Group'],
        requestheaderExtraHeadersPrefix: ['X-Remote-Extra-'],
      };
    },
    issueClientCertificate,
    async writeKubeconfig(dir, kc) {
      const cert = await issueClientCertificate(kc.commonName, kc.organizations ?? []);
      return writeKubeconfigFile(dir, kc.fileName ?? 'fake-aggregator.kubeconfig', {
        server: url,
        caPem: clusterCA.certPem,
        credentials: { clientCertPem: cert.certPem, clientKeyPem: cert.keyPem },
        clusterName: 'fake-aggregator',
        userName: kc.commonName,
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (periodic) clearInterval(periodic);
      for (const r of inflight) r.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
