/**
 * "Ready" for the demo means what a user will check first: every metrics API that the rules feed
 * lists its metrics, as the adapter itself answers them (fetched with the demo's client
 * certificate): custom.metrics.k8s.io's discovery document for `rules`, external.metrics.k8s.io's
 * for `externalRules`, and metrics.k8s.io's node and pod lists for `resourceRules` (what
 * `kubectl top` shows). The wait is bounded; on timeout it says, per API, what is missing.
 */
import https from 'node:https';
import { DEMO_NODES, DEMO_PODS } from './demo-workload.js';

export const CUSTOM_DISCOVERY_PATH = '/apis/custom.metrics.k8s.io/v1beta2';
export const EXTERNAL_DISCOVERY_PATH = '/apis/external.metrics.k8s.io/v1beta1';
export const NODE_METRICS_PATH = '/apis/metrics.k8s.io/v1beta1/nodes';
export const POD_METRICS_PATH = '/apis/metrics.k8s.io/v1beta1/pods';

/** What the demo rules yield from the demo workload, as `resource/metric` discovery names. */
export const DEMO_METRICS: readonly string[] = [
  'pods/http_requests_per_second',
  'services/http_requests_per_second',
  'deployments.apps/http_requests_per_second',
  'namespaces/http_requests_per_second',
  'pods/queue_messages_ready',
];

export const DEMO_EXTERNAL_METRICS: readonly string[] = ['queue_messages_ready'];

/** metrics.k8s.io's answer for the demo workload, as `nodes/NAME` and `pods/NAMESPACE/NAME`. */
export const DEMO_RESOURCE_OBJECTS: readonly string[] = [
  ...DEMO_NODES.map((n) => `nodes/${n.name}`),
  ...DEMO_PODS.map((p) => `pods/${p.namespace}/${p.name}`),
];

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
}

/** GET `path` from the adapter as the demo user (its serving certificate is self-signed). */
export function fetchJSON(serverUrl: string, client: ClientCertificate, path: string): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const req = https.get(
      `${serverUrl}${path}`,
      {
        cert: client.certPem,
        key: client.keyPem,
        rejectUnauthorized: false,
        agent: false,
        timeout: 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`${path} answered ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`));
            return;
          }
          try {
            resolve(JSON.parse(body));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

/** One metrics API's look: the names it lists now. */
export interface ApiProbe {
  /** The API group, for messages. */
  api: string;
  /** What a user would fetch to see the same. */
  path: string;
  /** Names that must all be listed; empty: any one name will do. */
  expected: readonly string[];
  fetchNames(): Promise<string[]>;
}

/** Which APIs the rules feed: one probe each, asking the adapter at `serverUrl`. */
export function probesFor(
  rules: { custom: number; external: number; resource: boolean },
  get: (path: string) => Promise<unknown>,
  /** The demo's own rules and workload: the exact names are known. */
  demoWorkload: boolean,
): ApiProbe[] {
  const discoveryNames = async (path: string): Promise<string[]> => {
    const doc = (await get(path)) as { resources?: { name?: unknown }[] };
    return (doc.resources ?? []).map((r) => String(r.name));
  };
  const itemNames = async (path: string, prefix: string): Promise<string[]> => {
    const list = (await get(path)) as { items?: { metadata?: { name?: string; namespace?: string } }[] };
    return (list.items ?? []).map(
      (i) =>
        `${prefix}/${i.metadata?.namespace !== undefined ? `${i.metadata.namespace}/` : ''}${i.metadata?.name ?? ''}`,
    );
  };
  const discoveryProbe = (api: string, path: string, demoNames: readonly string[]): ApiProbe => ({
    api,
    path,
    expected: demoWorkload ? demoNames : [],
    fetchNames: () => discoveryNames(path),
  });
  const probes: ApiProbe[] = [];
  if (rules.custom > 0)
    probes.push(discoveryProbe('custom.metrics.k8s.io', CUSTOM_DISCOVERY_PATH, DEMO_METRICS));
  if (rules.external > 0)
    probes.push(discoveryProbe('external.metrics.k8s.io', EXTERNAL_DISCOVERY_PATH, DEMO_EXTERNAL_METRICS));
  if (rules.resource)
    probes.push({
      api: 'metrics.k8s.io',
      path: NODE_METRICS_PATH,
      expected: demoWorkload ? DEMO_RESOURCE_OBJECTS : [],
      fetchNames: async () => [
        ...(await itemNames(NODE_METRICS_PATH, 'nodes')),
        ...(await itemNames(POD_METRICS_PATH, 'pods')),
      ],
    });
  return probes;
}

export interface ApiWait {
  probes: readonly ApiProbe[];
  timeoutMs: number;
  pollMs?: number;
  /** Called between polls while something is missing (e.g. to run a relist now). */
  nudge?: () => Promise<void>;
}

export interface ApiState {
  api: string;
  path: string;
  names: string[];
  /** Empty once the API lists what it should. */
  missing: string[];
  lastError: string | undefined;
}

export interface ApiWaitResult {
  ready: boolean;
  apis: ApiState[];
}

function missingOf(expected: readonly string[], listed: readonly string[]): string[] {
  if (expected.length === 0) return listed.length === 0 ? ['anything'] : [];
  return expected.filter((e) => !listed.includes(e));
}

async function look(p: ApiProbe, previous: ApiState | undefined): Promise<ApiState> {
  try {
    const names = await p.fetchNames();
    return { api: p.api, path: p.path, names, missing: missingOf(p.expected, names), lastError: undefined };
  } catch (err) {
    return {
      api: p.api,
      path: p.path,
      names: previous?.names ?? [],
      missing: missingOf(p.expected, []),
      lastError: (err as Error).message,
    };
  }
}

/** Polls every probe not yet satisfied until all are, or the time is up. */
export async function waitForApis(w: ApiWait): Promise<ApiWaitResult> {
  const deadline = Date.now() + w.timeoutMs;
  const pollMs = w.pollMs ?? 500;
  const states = new Map<string, ApiState>();
  for (;;) {
    for (const p of w.probes) {
      const before = states.get(p.api);
      if (before !== undefined && before.missing.length === 0) continue;
      states.set(p.api, await look(p, before));
    }
    const apis = w.probes.map((p) => states.get(p.api)).filter((s): s is ApiState => s !== undefined);
    if (apis.every((a) => a.missing.length === 0)) return { ready: true, apis };
    if (Date.now() + pollMs > deadline) return { ready: false, apis };
    await w.nudge?.().catch(() => undefined);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One line per API that is not ready, for the timeout message. */
export function describeMissing(apis: readonly ApiState[]): string[] {
  return apis
    .filter((a) => a.missing.length > 0)
    .map(
      (a) =>
        `  ${a.path} (${a.api}) does not list ${a.missing.join(', ')}` +
        ` (it lists: ${a.names.join(', ') || 'nothing'})` +
        (a.lastError !== undefined ? `; last error: ${a.lastError}` : ''),
    );
}
