/**
 * A simulated kube-apiserver over HTTPS on 127.0.0.1, speaking the real wire formats for what a
 * metrics adapter needs: discovery, LIST/GET/WATCH of objects (JSON, PartialObjectMetadata and
 * Table representations), SubjectAccessReview, TokenReview (static tokens and service-account
 * JWTs of its issuer, fake-sa-issuer.ts), the issuer's discovery document and JWKS, and the
 * kube-system/extension-apiserver-authentication ConfigMap.
 *
 * CustomResourceDefinitions (kube-crd.ts, kube-custom.ts) are served as the real server serves
 * them: POST/GET/LIST/WATCH/PUT/DELETE of CRDs and of the objects of their served versions
 * (kube-writes.ts: resourceVersion conflicts, the status subresource, metadata.generation), their
 * group-versions in discovery, and Tables with their printer columns (kube-table.ts).
 *
 * Differences from the real apiserver (by design, to stay small and deterministic):
 * - Built-in kinds are read-only over HTTP (get/list/watch); their writes go through the test API
 *   (upsert/remove/setPods), although discovery advertises the real verbs. POST on built-ins
 *   exists only for the two review APIs. No PATCH and no deletecollection anywhere.
 * - No authorization of callers (any authenticated user may do anything); no admission, no
 *   validation of object contents (custom objects are not checked against their CRD's schema),
 *   no aggregated discovery (clients fall back to the legacy documents), no protobuf or YAML, no
 *   server-side apply, no subresources except .../status (GET; PUT for custom resources).
 * - A CRD is Established at once and its deletion completes at once (objects deleted, types
 *   withdrawn, then the CRD; the real one shows a deletionTimestamp until its finalizer ran);
 *   names are not checked for conflicts with other CRDs; no conversion between versions (every
 *   served version shows the stored object with its apiVersion changed).
 * - Deleting an object ignores DeleteOptions (preconditions, propagation) and answers with the
 *   object's last state.
 * - LIST always reads the latest state (resourceVersion/resourceVersionMatch are accepted but not
 *   honored); continue pages are read from the current state, not from a snapshot.
 * - Table output uses the default columns (Name, Created At) for every resource.
 * - Bookmark objects carry only kind, apiVersion and metadata.resourceVersion (the real ones are
 *   an otherwise empty object of the kind). Bookmarks come every bookmarkIntervalMs (real: ~1 min).
 * - A watch without timeoutSeconds lasts defaultWatchTimeoutSeconds (600 s; real: 30–60 min).
 *   sendInitialEvents is honored loosely (initial ADDED events + the initial-events-end bookmark).
 * - Writing a namespaced object creates its namespace if missing (the real one would refuse).
 * - Field selectors: metadata.name/metadata.namespace everywhere plus the per-resource fields the
 *   real server knows for pods, events, secrets, namespaces, nodes (others are 400, as in reality).
 * - HTTP/1.1 only (clients that prefer HTTP/2 fall back via ALPN).
 * - The node proxy (GET /api/v1/nodes/NAME/proxy/PATH) reaches the node's first address of
 *   `kubeletProxy.preferredAddressTypes` (kubeadm's InternalIP,ExternalIP,Hostname by default) at
 *   its status.daemonEndpoints port, without verifying the kubelet's certificate (the real default
 *   without --kubelet-certificate-authority), and answers the kubelet's status and body as they
 *   are. A kubelet it cannot reach is a 503 Status (the real server's code and wording differ by
 *   version); only GET is proxied.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type http from 'node:http';
import { createCA, type CertificateAuthority, type IssuedCertificate } from './certs.js';
import {
  createFakeServiceAccountIssuer,
  DEFAULT_ISSUER,
  type FakeServiceAccountIssuer,
} from './fake-sa-issuer.js';
import {
  apiGroup,
  BUILTIN_GROUP_ORDER,
  builtinSubresources,
  compareKubeVersions,
  groupVersionString,
  subresourceToAPIResource,
  toAPIResource,
  VERBS_ALL,
  type APIGroup,
  type APIResource,
  type ResourceType,
} from './kube-discovery.js';
import {
  KubeObjectStore,
  storeKeyOf,
  UnsupportedFieldError,
  type ChangeEvent,
  type KubeObject,
  type ListFilter,
  type ResourceRef,
} from './kube-store.js';
import { CustomResources } from './kube-custom.js';
import { CRD_REF } from './kube-crd.js';
import { writeKubeconfigFile } from './kubeconfig.js';
import { buildTable } from './kube-table.js';
import { createObject, deleteObject, updateObject, type WriteOutcome } from './kube-writes.js';
import {
  bearerToken,
  expiredStatus,
  failureStatus,
  methodNotAllowedStatus,
  notAcceptableStatus,
  notFoundObjectStatus,
  notFoundPathStatus,
  readBody,
  sendJson,
  sendStatus,
  sleep,
  unauthorizedStatus,
  userFromClientCertificate,
  withAuthenticatedGroup,
  type KubeStatus,
  type UserInfo,
} from './kube-status.js';
import { LOOPBACK, listenOnLoopback } from './ports.js';
import { parseFieldSelector, parseLabelSelector, SelectorParseError } from './selectors.js';

export type { KubeObject, ObjectMeta, ResourceRef } from './kube-store.js';
export type { ResourceType } from './kube-discovery.js';
export type { UserInfo } from './kube-status.js';
export type { FakeServiceAccountIssuer, MintOptions } from './fake-sa-issuer.js';

export interface TokenUser extends UserInfo {
  /** Audiences the token is valid for; default: any. */
  audiences?: string[];
  /**
   * Authenticate the token and answer with exactly these status.audiences, whatever the review
   * asked for (a TokenReview backend that ignores spec.audiences).
   */
  answerAudiences?: string[];
}

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  [field: string]: unknown;
}

export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface SubjectAccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
}

export interface SarDecision {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export type SarPolicy = (spec: SubjectAccessReviewSpec) => SarDecision | Promise<SarDecision>;

export interface SarLogEntry {
  spec: SubjectAccessReviewSpec;
  status: SarDecision;
  /** Who posted the review. */
  caller: string;
  time: Date;
}

export interface TokenReviewLogEntry {
  token: string;
  audiences: string[];
  authenticated: boolean;
  caller: string;
  time: Date;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Authenticated user name (undefined when authentication failed). */
  user?: string;
  accept?: string;
  /** Response status (set when the response has been written; 200 for watches). */
  status?: number;
  time: Date;
}

export interface ExtensionAuthenticationConfig {
  /** PEM; default: the fake apiserver's own client CA. null removes the key. */
  clientCA?: string | null;
  requestheaderClientCA?: string;
  requestheaderAllowedNames?: string[];
  requestheaderUsernameHeaders?: string[];
  requestheaderGroupHeaders?: string[];
  requestheaderExtraHeadersPrefix?: string[];
}

export interface PodInput {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeName?: string;
  /** Default "Running". */
  phase?: string;
  podIP?: string;
  ownerReferences?: Array<Record<string, unknown>>;
}

export type KubeconfigUser =
  | { user: 'token'; token?: string; username?: string; groups?: string[]; fileName?: string }
  | { user: 'cert'; commonName?: string; organizations?: string[]; fileName?: string };

export interface FakeKubeOptions {
  /** token → user, used for bearer authentication and TokenReview. */
  tokens?: Record<string, TokenUser>;
  /** Users the default SAR policy allows (besides members of system:masters). */
  allowUsers?: string[];
  sarPolicy?: SarPolicy;
  /** Interval of BOOKMARK events on watches with allowWatchBookmarks; default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Watch event history length; default 1000. */
  watchHistoryLimit?: number;
  /** Watch duration when the client sends no timeoutSeconds; default 600 s. */
  defaultWatchTimeoutSeconds?: number;
  /** Audiences of the apiserver (TokenReview without spec.audiences); default the in-cluster one. */
  apiAudiences?: string[];
  /** The service-account issuer (--service-account-issuer); default the in-cluster one. */
  serviceAccountIssuer?: string;
  /** How the node proxy reaches kubelets (kube-apiserver's --kubelet-* flags). */
  kubeletProxy?: {
    /** --kubelet-preferred-address-types; default kubeadm's InternalIP, ExternalIP, Hostname. */
    preferredAddressTypes?: string[];
    /** Bearer token sent to the kubelets (the real server uses its client certificate). */
    token?: string;
  };
}

export interface FakeKube {
  readonly url: string;
  readonly port: number;
  /** CA of the serving certificate and of accepted client certificates. */
  readonly caPem: string;
  readonly ca: CertificateAuthority;
  /** Newest last; bounded to 10 000 entries. */
  readonly requestLog: RequestLogEntry[];
  readonly sarLog: SarLogEntry[];
  readonly tokenReviewLog: TokenReviewLogEntry[];
  /**
   * Its service-account token issuer: keys, JWKS, minting tokens. Made on first use (its key
   * pairs take a tenth of a second or more, and most tests never see a service-account token).
   */
  serviceAccounts(): Promise<FakeServiceAccountIssuer>;
  /** Requests so far for a path (e.g. '/openid/v1/jwks'). */
  requestCount(path: string): number;
  /** Current global resourceVersion. */
  readonly resourceVersion: string;
  setToken(token: string, user: TokenUser): void;
  removeToken(token: string): void;
  /** undefined restores the default policy. */
  setSarPolicy(policy: SarPolicy | undefined): void;
  setAllowedUsers(users: string[]): void;
  addResourceType(rt: ResourceType): void;
  /** Removes a type (and, when no version of it remains, its objects; open watches on it end). */
  removeResourceType(ref: ResourceRef): void;
  upsert(ref: ResourceRef, obj: KubeObject): KubeObject;
  /**
   * Creates or updates a CustomResourceDefinition (apiextensions.k8s.io/v1) as a client's write
   * would: validated, defaulted, Established; its served versions appear in discovery and serve
   * objects. Throws with the real server's message when it would refuse the CRD.
   */
  installCustomResourceDefinition(crd: KubeObject): KubeObject;
  /** Deletes a CRD, its objects (DELETED events) and its types; false when there was none. */
  removeCustomResourceDefinition(name: string): boolean;
  remove(ref: ResourceRef, name: string, namespace?: string): boolean;
  get(ref: ResourceRef, name: string, namespace?: string): KubeObject | undefined;
  list(ref: ResourceRef, namespace?: string): KubeObject[];
  ensureNamespace(name: string, labels?: Record<string, string>): KubeObject;
  /** Makes the namespace's pods exactly these (creating, updating, deleting as needed). */
  setPods(namespace: string, pods: PodInput[]): void;
  setExtensionApiserverAuthentication(config: ExtensionAuthenticationConfig): void;
  /** Destroys the sockets of all open watches; returns how many. */
  breakWatches(): number;
  /** Ends every open watch cleanly, as its timeoutSeconds running out would; returns how many. */
  endWatches(): number;
  /** While on, watches (open and new) receive nothing; queued events flow when turned off. */
  stallWatches(on: boolean): void;
  /** Forget the event history: watches from any older resourceVersion get 410 Expired. */
  expireHistory(): void;
  openWatchCount(): number;
  /**
   * The next `count` requests whose path starts with pathPrefix get a Status with this code (its
   * reason the real one for the code: 410 is Expired, as for a watch from a compacted
   * resourceVersion). `requests` narrows them to watches or to everything but watches (a
   * collection's LIST and WATCH share a path).
   */
  failNext(
    pathPrefix: string,
    status: number,
    count?: number,
    message?: string,
    requests?: FailedRequests,
  ): void;
  /** Delay before every response (0–60 000 ms). */
  setLatency(ms: number): void;
  issueClientCertificate(commonName: string, organizations?: string[]): Promise<IssuedCertificate>;
  /** Writes a kubeconfig for this server into dir; returns its path. */
  writeKubeconfig(dir: string, opts: KubeconfigUser): Promise<string>;
  close(): Promise<void>;
}

type Representation =
  { kind: 'full' } | { kind: 'meta'; version: string } | { kind: 'table'; version: string };

type RequestShape = 'list' | 'object' | 'watch';

interface Watcher {
  ref: ResourceRef;
  rt: ResourceType;
  filter: ListFilter;
  repr: Representation;
  res: http.ServerResponse;
  headersFlushed: boolean;
  pending: string[];
  timedOut: boolean;
  closed: boolean;
  cleanup: () => void;
}

/** Which requests of a path failNext fails. */
export type FailedRequests = 'all' | 'watch' | 'non-watch';

interface FailureRule {
  prefix: string;
  status: number;
  remaining: number;
  message: string | undefined;
  requests: FailedRequests;
}

/** ?watch=true, or the legacy /watch/ path segment (/api/v1/watch/pods, /apis/g/v/watch/...). */
function isWatchRequest(url: URL): boolean {
  return (
    TRUE_VALUES.has(url.searchParams.get('watch') ?? '') ||
    /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)\/watch\//.test(url.pathname)
  );
}

function ruleApplies(rule: FailureRule, url: URL): boolean {
  if (rule.remaining <= 0 || !url.pathname.startsWith(rule.prefix)) return false;
  if (rule.requests === 'all') return true;
  return isWatchRequest(url) === (rule.requests === 'watch');
}

const TRUE_VALUES = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const MAX_PENDING_EVENTS = 10_000;
const MAX_LOG = 10_000;
const AUTH_CONFIGMAP = { ns: 'kube-system', name: 'extension-apiserver-authentication' };
const CORE_CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps' };
const CORE_NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
const CORE_PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };

/**
 * Parses an Accept header and picks the representation for this kind of request: the first media
 * range the server can produce wins (protobuf and YAML are skipped). Like the real server, asking a
 * list for PartialObjectMetadata (or an object for PartialObjectMetadataList) is a 406, not a
 * fall-through. undefined: nothing acceptable (406).
 */
export function negotiateRepresentation(
  accept: string | undefined,
  shape: RequestShape,
): Representation | { kind: 'error'; message: string } | undefined {
  if (accept === undefined || accept.trim() === '') return { kind: 'full' };
  for (const range of accept.split(',')) {
    const [typePart, ...paramParts] = range.split(';');
    const mediaType = (typePart ?? '').trim().toLowerCase();
    if (mediaType !== 'application/json' && mediaType !== 'application/*' && mediaType !== '*/*') continue;
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
    }
    const as = params.get('as');
    if (as === undefined) return { kind: 'full' };
    const g = params.get('g');
    const v = params.get('v') ?? '';
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'PartialObjectMetadataList') {
      if (shape === 'object') {
        return {
          kind: 'error',
          message: 'you requested PartialObjectMetadataList, but the requested object is not a list',
        };
      }
      return { kind: 'meta', version: v };
    }
    if (as === 'PartialObjectMetadata') {
      if (shape === 'list') {
        return {
          kind: 'error',
          message: 'you requested PartialObjectMetadata, but the requested object is a list',
        };
      }
      return { kind: 'meta', version: v };
    }
    if (as === 'Table' && shape !== 'watch') return { kind: 'table', version: v };
  }
  return undefined;
}

function groupVersion(ref: { group: string; version: string }): string {
  return groupVersionString(ref.group, ref.version);
}

function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: unknown;
      rv?: unknown;
      start?: unknown;
    };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') {
      throw new Error('bad fields');
    }
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw new SelectorParseError(`continue key is not valid: ${token}`);
  }
}

export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const ca = await createCA('fake-kube-ca');
  const serving = await ca.issue({
    commonName: 'kube-apiserver',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
    ipAddresses: [LOOPBACK],
    usage: 'server',
  });

  const store = new KubeObjectStore({ historyLimit: opts.watchHistoryLimit ?? 1_000 });
  const subresources = builtinSubresources();
  const tokens = new Map<string, TokenUser>(Object.entries(opts.tokens ?? {}));
  let allowUsers = new Set(opts.allowUsers ?? []);
  let sarPolicy: SarPolicy | undefined = opts.sarPolicy;
  const bookmarkIntervalMs = Math.max(10, opts.bookmarkIntervalMs ?? 1_000);
  const defaultWatchTimeout = opts.defaultWatchTimeoutSeconds ?? 600;
  const apiAudiences = opts.apiAudiences ?? [DEFAULT_ISSUER];
  let issuer: Promise<FakeServiceAccountIssuer> | undefined;
  const serviceAccounts = (): Promise<FakeServiceAccountIssuer> =>
    (issuer ??= createFakeServiceAccountIssuer(opts.serviceAccountIssuer ?? DEFAULT_ISSUER));
  const requestLog: RequestLogEntry[] = [];
  const sarLog: SarLogEntry[] = [];
  const tokenReviewLog: TokenReviewLogEntry[] = [];
  const watchers = new Set<Watcher>();
  const failures: FailureRule[] = [];
  let latencyMs = 0;
  let stalled = false;
  let closed = false;

  const pushBounded = <T>(arr: T[], entry: T): void => {
    arr.push(entry);
    if (arr.length > MAX_LOG) arr.splice(0, arr.length - MAX_LOG);
  };

  const defaultPolicy: SarPolicy = (spec) => {
    if ((spec.groups ?? []).includes('system:masters')) {
      return { allowed: true, reason: 'allowed: member of system:masters' };
    }
    if (spec.user !== undefined && allowUsers.has(spec.user)) {
      return { allowed: true, reason: `RBAC: allowed by fake-kube allow-list to User "${spec.user}"` };
    }
    return { allowed: false };
  };

  // ----- objects -----------------------------------------------------------------------------

  const ensureNamespace = (name: string, labels: Record<string, string> = {}): KubeObject => {
    const existing = store.get(CORE_NAMESPACES, name);
    if (existing && Object.keys(labels).length === 0) return existing;
    return store.upsert(CORE_NAMESPACES, {
      metadata: {
        ...(existing?.metadata ?? {}),
        name,
        labels: { ...(existing?.metadata.labels ?? {}), ...labels, 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  };

  const upsert = (ref: ResourceRef, obj: KubeObject): KubeObject => {
    const rt = store.findType(ref.group, ref.version, ref.resource);
    if (!rt) throw new Error(`fake-kube: unknown resource ${ref.resource} in ${groupVersion(ref) || 'v1'}`);
    if (rt.namespaced) ensureNamespace(obj.metadata.namespace ?? 'default');
    return store.upsert(ref, obj);
  };

  const setExtensionApiserverAuthentication = (config: ExtensionAuthenticationConfig): void => {
    const data: Record<string, string> = {};
    const clientCA = config.clientCA === undefined ? ca.certPem : config.clientCA;
    if (clientCA !== null) data['client-ca-file'] = clientCA;
    if (config.requestheaderAllowedNames)
      data['requestheader-allowed-names'] = JSON.stringify(config.requestheaderAllowedNames);
    if (config.requestheaderClientCA !== undefined)
      data['requestheader-client-ca-file'] = config.requestheaderClientCA;
    if (config.requestheaderExtraHeadersPrefix) {
      data['requestheader-extra-headers-prefix'] = JSON.stringify(config.requestheaderExtraHeadersPrefix);
    }
    if (config.requestheaderGroupHeaders)
      data['requestheader-group-headers'] = JSON.stringify(config.requestheaderGroupHeaders);
    if (config.requestheaderUsernameHeaders) {
      data['requestheader-username-headers'] = JSON.stringify(config.requestheaderUsernameHeaders);
    }
    upsert(CORE_CONFIGMAPS, { metadata: { name: AUTH_CONFIGMAP.name, namespace: AUTH_CONFIGMAP.ns }, data });
  };

  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) ensureNamespace(ns);
  setExtensionApiserverAuthentication({});

  // ----- serialization -----------------------------------------------------------------------

  const typed = (rt: ResourceType, ref: ResourceRef, obj: KubeObject): Record<string, unknown> => ({
    kind: rt.kind,
    apiVersion: groupVersion(ref),
    ...obj,
  });

  const partial = (version: string, obj: KubeObject): Record<string, unknown> => ({
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata,
  });

  const tableOf = (
    version: string,
    objects: KubeObject[],
    listMeta: Record<string, unknown>,
    includeObject: string,
    rt: ResourceType,
    ref: ResourceRef,
  ): Record<string, unknown> => {
    const columns = custom.served(ref)?.columns;
    return buildTable({
      version,
      objects,
      listMeta,
      includeObject,
      typed: (o) => typed(rt, ref, o),
      ...(columns ? { columns } : {}),
    });
  };

  // ----- watches -----------------------------------------------------------------------------

  const flushHeaders = (w: Watcher): void => {
    if (w.headersFlushed || w.res.destroyed) return;
    w.headersFlushed = true;
    w.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    w.res.flushHeaders();
  };

  const endWatch = (w: Watcher): void => {
    if (w.closed) return;
    w.closed = true;
    w.cleanup();
    watchers.delete(w);
    flushHeaders(w);
    if (!w.res.destroyed) w.res.end();
  };

  const writeLine = (w: Watcher, line: string): void => {
    if (w.closed) return;
    if (stalled) {
      w.pending.push(line);
      if (w.pending.length > MAX_PENDING_EVENTS) {
        w.closed = true;
        w.cleanup();
        watchers.delete(w);
        w.res.destroy();
      }
      return;
    }
    flushHeaders(w);
    w.res.write(line);
  };

  const watchEvent = (w: Watcher, type: string, obj: KubeObject): string => {
    const object = w.repr.kind === 'meta' ? partial(w.repr.version, obj) : typed(w.rt, w.ref, obj);
    return `${JSON.stringify({ type, object })}\n`;
  };

  const bookmarkLine = (w: Watcher, annotations?: Record<string, string>): string => {
    const metadata: Record<string, unknown> = {
      resourceVersion: String(store.resourceVersion),
      creationTimestamp: null,
    };
    if (annotations) metadata.annotations = annotations;
    const object =
      w.repr.kind === 'meta'
        ? { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${w.repr.version}`, metadata }
        : { kind: w.rt.kind, apiVersion: groupVersion(w.ref), metadata };
    return `${JSON.stringify({ type: 'BOOKMARK', object })}\n`;
  };

  /** The event as this watcher's filter sees it (objects entering/leaving the selection). */
  const project = (w: Watcher, ev: ChangeEvent): { type: string; object: KubeObject } | undefined => {
    const now = store.matches(w.ref, ev.object, w.filter);
    const before = ev.previous ? store.matches(w.ref, ev.previous, w.filter) : false;
    switch (ev.type) {
      case 'ADDED':
        return now ? { type: 'ADDED', object: ev.object } : undefined;
      case 'DELETED':
        return now ? { type: 'DELETED', object: ev.object } : undefined;
      case 'MODIFIED':
        if (now && before) return { type: 'MODIFIED', object: ev.object };
        if (now) return { type: 'ADDED', object: ev.object };
        if (before) return { type: 'DELETED', object: ev.object };
        return undefined;
    }
  };

  const serveWatch = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rt: ResourceType,
    ref: ResourceRef,
    filter: ListFilter,
    repr: Representation,
    params: URLSearchParams,
  ): void => {
    const rvParam = params.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) {
      sendStatus(res, failureStatus(400, `invalid resource version: ${rvParam}`));
      return;
    }
    const timeoutParam = params.get('timeoutSeconds');
    const timeoutSeconds =
      timeoutParam !== null && /^\d+$/.test(timeoutParam) ? Number(timeoutParam) : defaultWatchTimeout;
    const bookmarks = TRUE_VALUES.has(params.get('allowWatchBookmarks') ?? '');
    const sendInitial = TRUE_VALUES.has(params.get('sendInitialEvents') ?? '');
    const timers: NodeJS.Timeout[] = [];
    const intervals: NodeJS.Timeout[] = [];
    let unsubscribe: () => void = () => undefined;
    const w: Watcher = {
      ref,
      rt,
      filter,
      repr,
      res,
      headersFlushed: false,
      pending: [],
      timedOut: false,
      closed: false,
      cleanup: () => {
        for (const t of timers) clearTimeout(t);
        for (const t of intervals) clearInterval(t);
        unsubscribe();
      },
    };
    watchers.add(w);
    res.on('close', () => {
      if (!w.closed) {
        w.closed = true;
        w.cleanup();
        watchers.delete(w);
      }
    });
    if (!stalled) flushHeaders(w);

    if (rvParam === '' || rvParam === '0' || sendInitial) {
      for (const { object } of store.list(ref, filter)) writeLine(w, watchEvent(w, 'ADDED', object));
      if (sendInitial && bookmarks) writeLine(w, bookmarkLine(w, { 'k8s.io/initial-events-end': 'true' }));
    } else {
      const since = store.eventsSince(storeKeyOf(ref), Number(rvParam));
      if (since === 'expired') {
        const status: KubeStatus = expiredStatus(
          `too old resource version: ${rvParam} (${store.compactedResourceVersion + 1})`,
        );
        writeLine(w, `${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        if (stalled) w.timedOut = true;
        else endWatch(w);
        return;
      }
      for (const ev of since) {
        const p = project(w, ev);
        if (p) writeLine(w, watchEvent(w, p.type, p.object));
      }
    }
    unsubscribe = store.subscribe(storeKeyOf(ref), (ev) => {
      const p = project(w, ev);
      if (p) writeLine(w, watchEvent(w, p.type, p.object));
    });
    if (bookmarks) {
      intervals.push(
        setInterval(() => {
          // A stalled connection sends nothing at all, bookmarks included.
          if (!w.closed && !stalled) writeLine(w, bookmarkLine(w));
        }, bookmarkIntervalMs),
      );
    }
    timers.push(
      setTimeout(() => {
        if (stalled) w.timedOut = true;
        else endWatch(w);
      }, timeoutSeconds * 1000),
    );
    req.socket.setTimeout(0);
  };

  /** Ends the watches of a withdrawn type (all versions' when `gone`: no version remains). */
  const endWatchesOf = (ref: ResourceRef, gone: boolean): void => {
    for (const w of [...watchers]) {
      if (storeKeyOf(w.ref) === storeKeyOf(ref) && (gone || w.ref.version === ref.version)) endWatch(w);
    }
  };

  const custom = new CustomResources(store, endWatchesOf);

  // ----- discovery ---------------------------------------------------------------------------

  const groupVersions = (): Map<string, string[]> => {
    const map = new Map<string, Set<string>>();
    for (const t of store.types()) {
      if (t.group === '') continue;
      let set = map.get(t.group);
      if (!set) {
        set = new Set();
        map.set(t.group, set);
      }
      set.add(t.version);
    }
    const ordered = new Map<string, string[]>();
    const names = [
      ...BUILTIN_GROUP_ORDER.filter((g) => map.has(g)),
      ...[...map.keys()].filter((g) => !BUILTIN_GROUP_ORDER.includes(g)).sort(),
    ];
    for (const g of names) ordered.set(g, [...(map.get(g) ?? [])].sort(compareKubeVersions));
    return ordered;
  };

  const apiGroups = (): APIGroup[] => [...groupVersions()].map(([g, versions]) => apiGroup(g, versions));

  const resourceList = (group: string, version: string): APIResource[] | undefined => {
    const types = store.types().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return undefined;
    const resources = [
      ...types.map(toAPIResource),
      ...[...subresources, ...custom.subresources()]
        .filter(
          (s) =>
            s.group === group &&
            s.version === version &&
            types.some((t) => t.resource === s.name.split('/')[0]),
        )
        .map(subresourceToAPIResource),
    ];
    return resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };

  // ----- reviews -----------------------------------------------------------------------------

  const handleSubjectAccessReview = async (
    body: unknown,
    caller: string,
    res: http.ServerResponse,
  ): Promise<void> => {
    const review = (body ?? {}) as { kind?: string; apiVersion?: string; spec?: SubjectAccessReviewSpec };
    if (review.kind !== undefined && review.kind !== 'SubjectAccessReview') {
      sendStatus(
        res,
        failureStatus(400, `SubjectAccessReview in version "v1" cannot be handled as a ${review.kind}`),
      );
      return;
    }
    const spec = review.spec ?? {};
    const invalid = (field: string, value: string, detail: string): void => {
      sendStatus(
        res,
        failureStatus(
          422,
          `SubjectAccessReview.authorization.k8s.io "" is invalid: ${field}: Invalid value: ${value}: ${detail}`,
          'Invalid',
          {
            group: 'authorization.k8s.io',
            kind: 'SubjectAccessReview',
            causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field }],
          },
        ),
      );
    };
    if ((spec.resourceAttributes === undefined) === (spec.nonResourceAttributes === undefined)) {
      invalid(
        'spec.resourceAttributes',
        JSON.stringify(JSON.stringify(spec.resourceAttributes ?? null)),
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      );
      return;
    }
    if ((spec.user ?? '') === '' && (spec.groups ?? []).length === 0) {
      invalid('spec.user', '""', 'at least one of user or group must be specified');
      return;
    }
    const decision = await (sarPolicy ?? defaultPolicy)(structuredClone(spec));
    const status: SarDecision = { allowed: decision.allowed };
    if (decision.denied === true) status.denied = true;
    if (decision.reason !== undefined && decision.reason !== '') status.reason = decision.reason;
    if (decision.evaluationError !== undefined && decision.evaluationError !== '') {
      status.evaluationError = decision.evaluationError;
    }
    pushBounded(sarLog, { spec: structuredClone(spec), status, caller, time: new Date() });
    sendJson(res, 201, {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    });
  };

  const handleTokenReview = async (
    body: unknown,
    caller: string,
    res: http.ServerResponse,
  ): Promise<void> => {
    const review = (body ?? {}) as { kind?: string; spec?: { token?: string; audiences?: string[] } };
    if (review.kind !== undefined && review.kind !== 'TokenReview') {
      sendStatus(
        res,
        failureStatus(400, `TokenReview in version "v1" cannot be handled as a ${review.kind}`),
      );
      return;
    }
    const spec = review.spec ?? {};
    const token = spec.token ?? '';
    if (token === '') {
      sendStatus(res, failureStatus(400, 'token is required for TokenReview in authentication'));
      return;
    }
    const wanted = spec.audiences && spec.audiences.length > 0 ? spec.audiences : apiAudiences;
    const user = tokens.get(token);
    let status: Record<string, unknown> = { user: {} };
    let authenticated = false;
    if (user) {
      const valid =
        user.answerAudiences ??
        (user.audiences === undefined ? wanted : wanted.filter((a) => user.audiences?.includes(a)));
      if (valid.length === 0) {
        status = {
          user: {},
          error: `[invalid bearer token, token audiences ${JSON.stringify(user.audiences)} is invalid for the target audiences ${JSON.stringify(wanted)}]`,
        };
      } else {
        authenticated = true;
        const u = withAuthenticatedGroup(user);
        const userOut: Record<string, unknown> = { username: u.username };
        if (u.uid !== undefined) userOut.uid = u.uid;
        userOut.groups = u.groups;
        if (u.extra !== undefined) userOut.extra = u.extra;
        status = { authenticated: true, user: userOut, audiences: valid };
      }
    } else {
      const verdict = await (await serviceAccounts()).review(token, wanted);
      if (verdict?.authenticated === true) {
        authenticated = true;
        const userOut: Record<string, unknown> = {
          username: verdict.username,
          uid: verdict.uid,
          groups: verdict.groups,
        };
        if (verdict.extra !== undefined) userOut.extra = verdict.extra;
        status = { authenticated: true, user: userOut, audiences: verdict.audiences };
      } else if (verdict !== undefined) {
        status = { user: {}, error: verdict.error };
      }
    }
    pushBounded(tokenReviewLog, { token, audiences: wanted, authenticated, caller, time: new Date() });
    sendJson(res, 201, {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    });
  };

  // ----- objects over HTTP -------------------------------------------------------------------

  /** POST (create), PUT (update, also of /status) and DELETE of custom resources and CRDs. */
  const serveWrite = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rt: ResourceType,
    ref: ResourceRef,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
  ): Promise<void> => {
    const target = custom.writeTarget(ref, rt);
    const method = req.method ?? '';
    if (!target) {
      sendStatus(res, methodNotAllowedStatus());
      return;
    }
    if (subresource !== undefined && (subresource !== 'status' || !target.statusSubresource)) {
      sendStatus(res, notFoundPathStatus());
      return;
    }
    const allowed =
      (subresource === undefined || method === 'PUT') &&
      (method === 'POST'
        ? name === undefined && (namespace !== undefined || !rt.namespaced)
        : (method === 'PUT' || method === 'DELETE') && name !== undefined);
    if (!allowed) {
      sendStatus(res, methodNotAllowedStatus());
      return;
    }
    let body: unknown;
    try {
      const raw = (await readBody(req)).toString('utf8');
      body = method === 'DELETE' || raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch (err) {
      sendStatus(
        res,
        failureStatus(400, `couldn't get version/kind; json parse error: ${(err as Error).message}`),
      );
      return;
    }
    let outcome: WriteOutcome;
    if (method === 'DELETE') {
      outcome =
        storeKeyOf(ref) === storeKeyOf(CRD_REF)
          ? custom.deleteCrd(name!)
          : deleteObject(target, namespace, name!);
    } else if (method === 'PUT') {
      outcome = updateObject(target, namespace, name!, body, subresource === 'status' ? 'status' : undefined);
    } else if (namespace !== undefined && !store.get(CORE_NAMESPACES, namespace)) {
      outcome = { status: notFoundObjectStatus('', 'namespaces', namespace) };
    } else {
      outcome = createObject(target, namespace, body);
    }
    if (method !== 'DELETE') custom.afterWrite(ref, outcome);
    if ('status' in outcome) sendStatus(res, outcome.status);
    else sendJson(res, outcome.code, typed(rt, ref, outcome.object));
  };

  const serveResource = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    group: string,
    version: string,
    rest: string[],
  ): Promise<void> => {
    let segments = rest;
    let watch = TRUE_VALUES.has(url.searchParams.get('watch') ?? '');
    if (segments[0] === 'watch') {
      watch = true;
      segments = segments.slice(1);
    }
    let namespace: string | undefined;
    if (segments[0] === 'namespaces' && segments.length >= 3) {
      const nsSub =
        group === '' && segments.length === 3 && (segments[2] === 'status' || segments[2] === 'finalize');
      if (!nsSub) {
        namespace = segments[1];
        segments = segments.slice(2);
      }
    }
    const [resource, name, subresource, ...extra] = segments;
    if (resource === undefined || extra.length > 0) {
      sendStatus(res, notFoundPathStatus());
      return;
    }
    const rt = store.findType(group, version, resource);
    if (
      !rt ||
      (rt.namespaced && name !== undefined && namespace === undefined) ||
      (!rt.namespaced && namespace !== undefined)
    ) {
      sendStatus(res, notFoundPathStatus());
      return;
    }
    const ref: ResourceRef = { group, version, resource };
    const verbs = rt.verbs ?? VERBS_ALL;
    if (req.method !== 'GET') {
      await serveWrite(req, res, rt, ref, namespace, name, subresource);
      return;
    }
    if (subresource !== undefined) {
      if (
        subresource !== 'status' ||
        ![...subresources, ...custom.subresources()].some(
          (s) => s.group === group && s.name === `${resource}/status`,
        )
      ) {
        sendStatus(res, notFoundPathStatus());
        return;
      }
    }

    let filter: ListFilter;
    try {
      const label = parseLabelSelector(url.searchParams.get('labelSelector'));
      const field = parseFieldSelector(url.searchParams.get('fieldSelector'));
      store.validateFieldSelector(ref, field);
      filter = { label, field };
      if (namespace !== undefined) filter.namespace = namespace;
    } catch (err) {
      if (err instanceof SelectorParseError || err instanceof UnsupportedFieldError) {
        sendStatus(res, failureStatus(400, err.message));
        return;
      }
      throw err;
    }
    const accept = req.headers.accept;

    if (name !== undefined && !watch) {
      if (!verbs.includes('get')) {
        sendStatus(res, methodNotAllowedStatus());
        return;
      }
      const repr = negotiateRepresentation(accept, 'object');
      if (!repr || repr.kind === 'error') {
        sendStatus(res, repr ? failureStatus(406, repr.message, 'NotAcceptable') : notAcceptableStatus());
        return;
      }
      const obj = store.get(ref, name, namespace);
      if (!obj) {
        sendStatus(res, notFoundObjectStatus(group, resource, name));
        return;
      }
      if (repr.kind === 'meta') sendJson(res, 200, partial(repr.version, obj));
      else if (repr.kind === 'table') {
        sendJson(
          res,
          200,
          tableOf(
            repr.version,
            [obj],
            { resourceVersion: obj.metadata.resourceVersion },
            url.searchParams.get('includeObject') ?? 'Metadata',
            rt,
            ref,
          ),
        );
      } else sendJson(res, 200, typed(rt, ref, obj));
      return;
    }

    if (watch) {
      if (!verbs.includes('watch')) {
        sendStatus(res, methodNotAllowedStatus());
        return;
      }
      const repr = negotiateRepresentation(accept, 'watch');
      if (!repr || repr.kind === 'error') {
        sendStatus(res, repr ? failureStatus(406, repr.message, 'NotAcceptable') : notAcceptableStatus());
        return;
      }
      if (name !== undefined) {
        filter.field = parseFieldSelector(
          `metadata.name=${name.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=')}`,
        );
      }
      serveWatch(req, res, rt, ref, filter, repr, url.searchParams);
      return;
    }

    if (!verbs.includes('list')) {
      sendStatus(res, methodNotAllowedStatus());
      return;
    }
    const repr = negotiateRepresentation(accept, 'list');
    if (!repr || repr.kind === 'error') {
      sendStatus(res, repr ? failureStatus(406, repr.message, 'NotAcceptable') : notAcceptableStatus());
      return;
    }
    let listRV = store.resourceVersion;
    let start = '';
    const continueToken = url.searchParams.get('continue');
    if (continueToken !== null && continueToken !== '') {
      let decoded: { rv: number; start: string };
      try {
        decoded = decodeContinue(continueToken);
      } catch (err) {
        sendStatus(res, failureStatus(400, (err as Error).message));
        return;
      }
      if (decoded.rv < store.compactedResourceVersion) {
        sendStatus(
          res,
          expiredStatus(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          ),
        );
        return;
      }
      listRV = decoded.rv;
      start = decoded.start;
    }
    const limitParam = url.searchParams.get('limit');
    const limit = limitParam !== null && /^\d+$/.test(limitParam) ? Number(limitParam) : 0;
    const listMeta: Record<string, unknown> = { resourceVersion: String(listRV) };
    // Only the page is read (not copied: it is serialized at once), so large collections stay cheap.
    const page = store.page(ref, filter, start, limit);
    const items = page.items;
    if (page.more) {
      const last = items[items.length - 1]!;
      listMeta.continue = encodeContinue(listRV, `${last.key}\u0000`);
      // Like the real server, the count is only known without selectors.
      if ((filter.label?.empty ?? true) && (filter.field?.empty ?? true))
        listMeta.remainingItemCount = page.remaining;
    }
    const objects = items.map((i) => i.object);
    if (repr.kind === 'meta') {
      sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${repr.version}`,
        metadata: listMeta,
        items: objects.map((o) => partial(repr.version, o)),
      });
    } else if (repr.kind === 'table') {
      sendJson(
        res,
        200,
        tableOf(
          repr.version,
          objects,
          listMeta,
          url.searchParams.get('includeObject') ?? 'Metadata',
          rt,
          ref,
        ),
      );
    } else {
      sendJson(res, 200, {
        kind: `${rt.kind}List`,
        apiVersion: groupVersion(ref),
        metadata: listMeta,
        items: objects,
      });
    }
  };

  // ----- node proxy --------------------------------------------------------------------------

  const CORE_NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
  const proxyTypes = opts.kubeletProxy?.preferredAddressTypes ?? ['InternalIP', 'ExternalIP', 'Hostname'];
  const serveNodeProxy = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    name: string,
    rest: string[],
  ): void => {
    if (req.method !== 'GET') {
      sendStatus(res, methodNotAllowedStatus());
      return;
    }
    const node = store.get(CORE_NODES, name);
    if (!node) {
      sendStatus(res, notFoundObjectStatus('', 'nodes', name));
      return;
    }
    const status = (
      node as {
        status?: {
          addresses?: { type?: string; address?: string }[];
          daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
        };
      }
    ).status;
    const addresses = status?.addresses ?? [];
    let host: string | undefined;
    for (const t of proxyTypes) {
      host = addresses.find((a) => a.type === t && typeof a.address === 'string')?.address;
      if (host !== undefined) break;
    }
    if (host === undefined) {
      sendStatus(
        res,
        failureStatus(503, `no preferred addresses found; known addresses: ${JSON.stringify(addresses)}`),
      );
      return;
    }
    const port = status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
    const token = opts.kubeletProxy?.token;
    const upstream = https.request(
      {
        host,
        port,
        path: `/${rest.map(encodeURIComponent).join('/')}${url.search}`,
        method: 'GET',
        rejectUnauthorized: false,
        headers: {
          ...(req.headers.accept !== undefined ? { Accept: req.headers.accept } : {}),
          ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
        },
        timeout: 30_000,
      },
      (answer) => {
        const headers: Record<string, string> = {};
        const type = answer.headers['content-type'];
        if (type !== undefined) headers['Content-Type'] = type;
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('timeout awaiting response headers')));
    upstream.on('error', (err) => {
      if (!res.headersSent)
        sendStatus(res, failureStatus(503, `error trying to reach service: ${err.message}`));
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    upstream.end();
  };

  // ----- request pipeline --------------------------------------------------------------------

  const authenticate = (req: http.IncomingMessage): UserInfo | undefined => {
    const certUser = userFromClientCertificate(req);
    if (certUser) return withAuthenticatedGroup(certUser);
    const token = bearerToken(req);
    if (token !== undefined) {
      const user = tokens.get(token);
      if (user) {
        const { audiences: _a, answerAudiences: _b, ...info } = user;
        return withAuthenticatedGroup(info);
      }
    }
    return undefined;
  };

  const route = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    user: UserInfo,
  ): Promise<void> => {
    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter((s) => s.length > 0)
        .map(decodeURIComponent);
    } catch {
      sendStatus(res, failureStatus(400, `invalid path: ${url.pathname}`));
      return;
    }
    const method = req.method ?? 'GET';
    const getOnly = (fn: () => void): void => {
      if (method !== 'GET') sendStatus(res, methodNotAllowedStatus());
      else fn();
    };
    if (url.pathname === '/.well-known/openid-configuration' || url.pathname === '/openid/v1/jwks') {
      const sa = method === 'GET' ? await serviceAccounts() : undefined;
      getOnly(() =>
        sendJson(
          res,
          200,
          url.pathname === '/openid/v1/jwks'
            ? sa?.jwks()
            : sa?.openIdConfiguration(`https://${LOOPBACK}:${port}`),
        ),
      );
      return;
    }
    if (segments[0] === 'api') {
      if (segments.length === 1) {
        getOnly(() =>
          sendJson(res, 200, {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${LOOPBACK}:${port}` }],
          }),
        );
        return;
      }
      if (segments[1] !== 'v1') {
        sendStatus(res, notFoundPathStatus());
        return;
      }
      if (segments.length === 2) {
        getOnly(() =>
          sendJson(res, 200, {
            kind: 'APIResourceList',
            groupVersion: 'v1',
            resources: resourceList('', 'v1') ?? [],
          }),
        );
        return;
      }
      if (segments[2] === 'nodes' && segments[3] !== undefined && segments[4] === 'proxy') {
        serveNodeProxy(req, res, url, segments[3], segments.slice(5));
        return;
      }
      await serveResource(req, res, url, '', 'v1', segments.slice(2));
      return;
    }
    if (segments[0] === 'apis') {
      if (segments.length === 1) {
        getOnly(() => sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups() }));
        return;
      }
      const group = segments[1]!;
      const versions = groupVersions().get(group);
      if (!versions) {
        sendStatus(res, notFoundPathStatus());
        return;
      }
      if (segments.length === 2) {
        getOnly(() =>
          sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) }),
        );
        return;
      }
      const version = segments[2]!;
      if (!versions.includes(version)) {
        sendStatus(res, notFoundPathStatus());
        return;
      }
      if (segments.length === 3) {
        getOnly(() =>
          sendJson(res, 200, {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: `${group}/${version}`,
            resources: resourceList(group, version) ?? [],
          }),
        );
        return;
      }
      const review =
        segments.length === 4 && version === 'v1'
          ? group === 'authorization.k8s.io' && segments[3] === 'subjectaccessreviews'
            ? 'sar'
            : group === 'authentication.k8s.io' && segments[3] === 'tokenreviews'
              ? 'token'
              : undefined
          : undefined;
      if (review !== undefined) {
        if (method !== 'POST') {
          sendStatus(res, methodNotAllowedStatus());
          return;
        }
        let body: unknown;
        try {
          const raw = await readBody(req);
          body = JSON.parse(raw.toString('utf8'));
        } catch (err) {
          sendStatus(
            res,
            failureStatus(400, `couldn't get version/kind; json parse error: ${(err as Error).message}`),
          );
          return;
        }
        if (review === 'sar') await handleSubjectAccessReview(body, user.username, res);
        else await handleTokenReview(body, user.username, res);
        return;
      }
      await serveResource(req, res, url, group, version, segments.slice(3));
      return;
    }
    sendStatus(res, notFoundPathStatus());
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `https://${LOOPBACK}`);
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: queryObject(url.searchParams),
      time: new Date(),
    };
    if (req.headers.accept !== undefined) entry.accept = req.headers.accept;
    pushBounded(requestLog, entry);
    res.once('close', () => {
      if (res.headersSent) entry.status = res.statusCode;
    });

    if (latencyMs > 0) await sleep(latencyMs);
    const user = authenticate(req);
    if (!user) {
      sendStatus(res, unauthorizedStatus());
      return;
    }
    entry.user = user.username;
    const rule = failures.find((f) => ruleApplies(f, url));
    if (rule) {
      rule.remaining--;
      if (rule.remaining <= 0) failures.splice(failures.indexOf(rule), 1);
      const status = failureStatus(rule.status, rule.message ?? `injected failure (${rule.status})`);
      if (rule.status === 429) {
        status.details = { retryAfterSeconds: 1 };
        sendStatus(res, status, { 'Retry-After': '1' });
      } else sendStatus(res, status);
      return;
    }
    await route(req, res, url, user);
    if (res.headersSent) entry.status = res.statusCode;
  };

  const server = https.createServer(
    {
      key: serving.keyPem,
      cert: serving.certPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent)
          sendStatus(res, failureStatus(500, `internal error: ${(err as Error).message}`));
        else res.destroy();
      });
    },
  );

  const port = await listenOnLoopback(server);
  const url = `https://${LOOPBACK}:${port}`;

  const issueClientCertificate = (
    commonName: string,
    organizations: string[] = [],
  ): Promise<IssuedCertificate> => ca.issue({ commonName, organizations, usage: 'client' });

  return {
    url,
    port,
    caPem: ca.certPem,
    ca,
    requestLog,
    sarLog,
    tokenReviewLog,
    serviceAccounts,
    requestCount: (path) => requestLog.filter((e) => e.path === path).length,
    get resourceVersion() {
      return String(store.resourceVersion);
    },
    setToken(token, user) {
      tokens.set(token, structuredClone(user));
    },
    removeToken(token) {
      tokens.delete(token);
    },
    setSarPolicy(policy) {
      sarPolicy = policy;
    },
    setAllowedUsers(users) {
      allowUsers = new Set(users);
    },
    addResourceType(rt) {
      store.addType({ ...rt, verbs: rt.verbs ?? VERBS_ALL });
    },
    removeResourceType(ref) {
      endWatchesOf(ref, store.removeType(ref));
    },
    upsert,
    installCustomResourceDefinition: (crd) => custom.install(crd),
    removeCustomResourceDefinition: (name) => 'object' in custom.deleteCrd(name),
    remove: (ref, name, namespace) => store.remove(ref, name, namespace),
    get: (ref, name, namespace) => store.get(ref, name, namespace),
    list: (ref, namespace) =>
      store.list(ref, namespace === undefined ? {} : { namespace }).map((i) => i.object),
    ensureNamespace,
    setPods(namespace, pods) {
      ensureNamespace(namespace);
      const wanted = new Set(pods.map((p) => p.name));
      for (const { object } of store.list(CORE_PODS, { namespace })) {
        if (!wanted.has(object.metadata.name)) store.remove(CORE_PODS, object.metadata.name, namespace);
      }
      for (const p of pods) {
        const existing = store.get(CORE_PODS, p.name, namespace);
        const metadata: KubeObject['metadata'] = { name: p.name, namespace };
        if (p.labels) metadata.labels = { ...p.labels };
        if (p.annotations) metadata.annotations = { ...p.annotations };
        if (p.ownerReferences) metadata.ownerReferences = structuredClone(p.ownerReferences);
        const spec: Record<string, unknown> = {
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
        };
        if (p.nodeName !== undefined) spec.nodeName = p.nodeName;
        const status: Record<string, unknown> = { phase: p.phase ?? 'Running' };
        if (p.podIP !== undefined) status.podIP = p.podIP;
        store.upsert(CORE_PODS, {
          metadata: existing ? { ...metadata, uid: existing.metadata.uid } : metadata,
          spec,
          status,
        });
      }
    },
    setExtensionApiserverAuthentication,
    breakWatches() {
      const open = [...watchers];
      for (const w of open) {
        w.closed = true;
        w.cleanup();
        watchers.delete(w);
        w.res.socket?.destroy();
        w.res.destroy();
      }
      return open.length;
    },
    endWatches() {
      const open = [...watchers];
      for (const w of open) endWatch(w);
      return open.length;
    },
    stallWatches(on) {
      stalled = on;
      if (on) return;
      for (const w of [...watchers]) {
        flushHeaders(w);
        for (const line of w.pending.splice(0)) if (!w.res.destroyed) w.res.write(line);
        if (w.timedOut) endWatch(w);
      }
    },
    expireHistory() {
      store.expireHistory();
    },
    openWatchCount() {
      return watchers.size;
    },
    failNext(pathPrefix, status, count = 1, message, requests = 'all') {
      if (!Number.isInteger(status) || status < 400 || status > 599)
        throw new Error(`failNext: bad status ${status}`);
      failures.push({ prefix: pathPrefix, status, remaining: Math.max(1, count), message, requests });
    },
    setLatency(ms) {
      if (!(ms >= 0 && ms <= 60_000)) throw new Error('setLatency: 0..60000 ms');
      latencyMs = ms;
    },
    issueClientCertificate,
    async writeKubeconfig(dir, kc) {
      if (kc.user === 'token') {
        const token = kc.token ?? `fake-kube-${randomUUID()}`;
        if (!tokens.has(token)) {
          tokens.set(token, {
            username: kc.username ?? 'test-admin',
            groups: kc.groups ?? ['system:masters'],
          });
        }
        return writeKubeconfigFile(dir, kc.fileName ?? 'fake-kube.kubeconfig', {
          server: url,
          caPem: ca.certPem,
          credentials: { token },
          clusterName: 'fake-kube',
          userName: tokens.get(token)?.username ?? 'test-admin',
        });
      }
      const cert = await issueClientCertificate(
        kc.commonName ?? 'test-admin',
        kc.organizations ?? ['system:masters'],
      );
      return writeKubeconfigFile(dir, kc.fileName ?? 'fake-kube.kubeconfig', {
        server: url,
        caPem: ca.certPem,
        credentials: { clientCertPem: cert.certPem, clientKeyPem: cert.keyPem },
        clusterName: 'fake-kube',
        userName: kc.commonName ?? 'test-admin',
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of [...watchers]) {
        w.closed = true;
        w.cleanup();
        watchers.delete(w);
        w.res.destroy();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
