/**
 * "Ready" for the demo means what a user will check first: the adapter's own discovery document
 * (`/apis/custom.metrics.k8s.io/v1beta2`, fetched with the demo's client certificate) lists the
 * metrics the demo rules promise. The wait is bounded; on timeout it says which are missing.
 */
import https from 'node:https';

export const DISCOVERY_PATH = '/apis/custom.metrics.k8s.io/v1beta2';

/** What the demo rules yield from the demo workload, as `resource/metric` discovery names. */
export const DEMO_METRICS: readonly string[] = [
  'pods/http_requests_per_second',
  'services/http_requests_per_second',
  'deployments.apps/http_requests_per_second',
  'namespaces/http_requests_per_second',
  'pods/queue_messages_ready',
];

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
}

/** The resource names the discovery document lists (the serving certificate is self-signed). */
export function fetchDiscoveredNames(serverUrl: string, client: ClientCertificate): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const req = https.get(
      `${serverUrl}${DISCOVERY_PATH}`,
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
            reject(new Error(`${DISCOVERY_PATH} answered ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`));
            return;
          }
          try {
            const doc = JSON.parse(body) as { resources?: { name?: unknown }[] };
            resolve((doc.resources ?? []).map((r) => String(r.name)));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${DISCOVERY_PATH}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

export interface DiscoveryWait {
  /** One look at discovery. */
  fetchNames(): Promise<string[]>;
  /** Names that must all be listed; empty: any one name will do. */
  expected: readonly string[];
  timeoutMs: number;
  pollMs?: number;
  /** Called between polls while something is missing (e.g. to run a relist now). */
  nudge?: () => Promise<void>;
}

export type DiscoveryWaitResult =
  | { ready: true; names: string[] }
  | { ready: false; names: string[]; missing: string[]; lastError: string | undefined };

export async function waitForDiscovery(w: DiscoveryWait): Promise<DiscoveryWaitResult> {
  const deadline = Date.now() + w.timeoutMs;
  const pollMs = w.pollMs ?? 500;
  let names: string[] = [];
  let lastError: string | undefined;
  const missingOf = (listed: string[]): string[] =>
    w.expected.length === 0
      ? listed.length === 0
        ? ['any metric']
        : []
      : w.expected.filter((e) => !listed.includes(e));
  for (;;) {
    try {
      names = await w.fetchNames();
      lastError = undefined;
    } catch (err) {
      lastError = (err as Error).message;
    }
    const missing = lastError === undefined ? missingOf(names) : missingOf([]);
    if (lastError === undefined && missing.length === 0) return { ready: true, names };
    if (Date.now() + pollMs > deadline) return { ready: false, names, missing, lastError };
    await w.nudge?.().catch(() => undefined);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
