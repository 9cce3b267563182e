/**
 * `node --import tsx bench/express-cost.ts [--quick] [--json]` (also a section of `npm run bench`,
 * in a fresh process of its own, unless `--no-express-cost`): what the express HTTP layer costs
 * per request. The HPA Pods query for
 * 100 pods is served (a) by the adapter's express app (createApp: accounting, path decoding,
 * client-certificate authentication, method check, authorization, the custom.metrics router) and
 * (b) by a bare node:http listener that parses the URL and calls the same handler function
 * (CustomMetricsApi.answer) directly. Both run behind the same SecureServer (HTTPS, client
 * certificate) in this process; the provider is a fixed in-memory 100-item answer and the
 * authorizer always allows, so only the HTTP layer differs. Requests are sequential on one
 * keep-alive connection per side, in alternating rounds; the difference per request is reported
 * as the median over rounds of the per-round median difference, and the mean over rounds of the
 * per-round mean difference. Goal: ≤ 0.15 ms.
 */
import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ApiGroupRegistry } from '../src/apiserver/api-groups.js';
import { createApp } from '../src/apiserver/app.js';
import { Authenticator } from '../src/apiserver/authn.js';
import { ANONYMOUS } from '../src/apiserver/authn.js';
import type { Authorizer } from '../src/apiserver/authz.js';
import { CustomMetricsApi, type CustomMetricSource } from '../src/apiserver/custom-metrics-api.js';
import { HealthChecks } from '../src/apiserver/health.js';
import { messageClassesFor } from '../src/apiserver/message-classes.js';
import { buildOpenApiDocuments } from '../src/apiserver/openapi.js';
import { sendJSON } from '../src/apiserver/respond.js';
import { SecureServer } from '../src/apiserver/secure-server.js';
import { checkServingPair, parseCertificateBundle } from '../src/apiserver/x509.js';
import { silentLogger } from '../src/logging.js';
import type { CustomMetricParams, CustomMetricValue } from '../src/providers/index.js';
import { SelfMetrics } from '../src/self-metrics.js';
import { createCA } from '../test/helpers/certs.js';
import { LOOPBACK } from '../test/helpers/ports.js';
import { runProcess } from '../test/helpers/process.js';
import { BenchClient } from './http.js';
import { mean, median, percentile } from './load.js';

export const EXPRESS_COST_GOAL_MS = 0.15;

const PODS = 100;
const WARMUP = 2_000;
const PATH =
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/small/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb';

export interface ExpressCostOptions {
  rounds: number;
  /** Timed requests per side and round (after a warm-up of a fifth as many). */
  perRound: number;
}

export interface ExpressCost {
  command: string;
  pods: number;
  rounds: number;
  perRound: number;
  bodyBytes: number;
  /** Median over rounds of each round's per-request median (ms). */
  medianMs: { express: number; bare: number };
  /** Median over rounds of each round's 99th percentile (ms). */
  p99Ms: { express: number; bare: number };
  /** Median over rounds of (express − bare) per-request medians (ms). */
  medianDifferenceMs: number;
  /** Mean over rounds of (express − bare) per-request means (ms). */
  meanDifferenceMs: number;
  /** Each round's (express − bare) median difference, in order (ms). */
  roundDifferencesMs: number[];
  /**
   * Median over rounds of (express − bare) CPU time of this process per request (ms): client and
   * server share the process, so only the server side differs; less sensitive to a busy machine
   * than latency, but it includes work on V8's helper threads (GC).
   */
  cpuDifferenceMs: number;
}

function fixedValues(): CustomMetricValue[] {
  const timestamp = new Date('2026-01-01T00:00:00Z');
  return Array.from({ length: PODS }, (_, i) => ({
    describedObject: {
      kind: 'Pod',
      apiVersion: '/v1',
      namespace: 'small',
      name: `web-${String(i).padStart(2, '0')}`,
    },
    metric: 'http_requests_per_second',
    timestamp,
    windowSeconds: 120,
    value: (i % 7) + 1,
  }));
}

/** The bare side: the URL parsed by hand into the route's params, then the same handler. */
function bareListener(api: CustomMetricsApi): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q));
    const s = (q < 0 ? url : url.slice(0, q))
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
    const params: CustomMetricParams = {
      namespace: s[4] ?? '',
      resource: s[5] ?? '',
      name: s[6] ?? '',
      metric: s[7] ?? '',
    };
    const abort = new AbortController();
    api.answer({ params, query, user: ANONYMOUS, signal: abort.signal }).then(
      (body) => sendJSON(res, body, query),
      (err: unknown) => {
        res.writeHead(500).end(String(err));
      },
    );
  };
}

interface RoundStats {
  median: number;
  mean: number;
  p99: number;
  /** CPU time of this process per request. */
  cpu: number;
}

interface Side {
  label: 'express' | 'bare';
  server: SecureServer;
  client: BenchClient;
}

async function timedRequests(client: BenchClient, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await client.send({ method: 'GET', path: PATH });
    out.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`);
  }
  return out;
}

export async function measureExpressCost(
  options: ExpressCostOptions,
  log: (line: string) => void = () => undefined,
): Promise<ExpressCost> {
  const [servingCA, clientCA] = await Promise.all([
    createCA('bench-serving-ca'),
    createCA('bench-client-ca'),
  ]);
  const serving = await servingCA.issue({ commonName: 'bench', ipAddresses: [LOOPBACK], usage: 'server' });
  const user = await clientCA.issue({ commonName: 'bench', organizations: ['benchers'], usage: 'client' });

  const values = fixedValues();
  const provider: CustomMetricSource = {
    listMetrics: () => [],
    getValues: () => Promise.resolve(values),
  };
  const api = new CustomMetricsApi('v1beta2', provider, () => 0);
  const groups = new ApiGroupRegistry();
  groups.register('custom.metrics.k8s.io', 'v1beta2', api);
  const authorizer: Authorizer = { authorize: () => Promise.resolve({ allowed: true, reason: '' }) };
  const logger = silentLogger();
  const app = createApp({
    logger,
    metrics: new SelfMetrics(),
    health: new HealthChecks(),
    authenticator: new Authenticator({
      clientCA: { pem: clientCA.certPem, roots: parseCertificateBundle(clientCA.certPem, 'client CA') },
      requestHeader: undefined,
    }),
    authorizer,
    alwaysAllowPaths: ['/healthz', '/livez', '/readyz'],
    groups,
    openapi: buildOpenApiDocuments({ title: 'bench', version: '0' }),
  });

  const serverOptions = {
    serving: { port: 0, bindAddress: LOOPBACK, minVersion: 'TLSv1.2' as const, ciphers: undefined },
    pair: checkServingPair(serving.certPem, serving.keyPem),
    clientCAPems: [clientCA.certPem],
    logger,
  };
  const sides: Side[] = [];
  try {
    for (const [label, listener, messageClasses] of [
      ['express', app, messageClassesFor(app)],
      ['bare', bareListener(api), undefined],
    ] as const) {
      // As in server.ts: the express side's requests are built with the app's prototypes.
      const server = new SecureServer(listener, { ...serverOptions, messageClasses });
      const address = await server.listen();
      const client = new BenchClient(`https://${LOOPBACK}:${address.port}`, 1, {
        ca: servingCA.certPem,
        cert: user.certPem,
        key: user.keyPem,
      });
      sides.push({ label, server, client });
    }

    const bodies = await Promise.all(sides.map((s) => s.client.send({ method: 'GET', path: PATH })));
    for (const b of bodies) assert.equal(b.status, 200, b.body.toString().slice(0, 300));
    const [expressBody, bareBody] = bodies.map((b) => b.body.toString());
    assert.equal(expressBody, bareBody, 'both sides must answer the same bytes');
    assert.equal((JSON.parse(expressBody ?? '') as { items: unknown[] }).items.length, PODS);

    const stats: Record<Side['label'], RoundStats[]> = { express: [], bare: [] };
    const warmup = Math.max(20, Math.round(options.perRound / 5));
    // Both sides' code optimized before anything counts (round 1 was still slower after 300).
    for (const side of sides) await timedRequests(side.client, WARMUP);
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which side goes first, so drift within a round favours neither.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        await timedRequests(side.client, warmup);
        const cpu0 = process.cpuUsage();
        const latencies = await timedRequests(side.client, options.perRound);
        const cpu = process.cpuUsage(cpu0);
        stats[side.label].push({
          median: median(latencies),
          mean: mean(latencies),
          p99: percentile(latencies, 99),
          cpu: (cpu.user + cpu.system) / 1000 / options.perRound,
        });
      }
      const d = (stats.express[round]?.median ?? NaN) - (stats.bare[round]?.median ?? NaN);
      log(`express cost: round ${round + 1}/${options.rounds}: +${d.toFixed(3)} ms per request (median)`);
    }
    const differences = (key: keyof RoundStats): number[] =>
      stats.express.map((e, i) => e[key] - (stats.bare[i]?.[key] ?? NaN));
    const overRounds = (side: Side['label'], key: keyof RoundStats): number =>
      median(stats[side].map((r) => r[key]));
    return {
      command: 'node --import tsx bench/express-cost.ts',
      pods: PODS,
      rounds: options.rounds,
      perRound: options.perRound,
      bodyBytes: Buffer.byteLength(expressBody ?? ''),
      medianMs: { express: overRounds('express', 'median'), bare: overRounds('bare', 'median') },
      p99Ms: { express: overRounds('express', 'p99'), bare: overRounds('bare', 'p99') },
      medianDifferenceMs: median(differences('median')),
      meanDifferenceMs: mean(differences('mean')),
      roundDifferencesMs: differences('median'),
      cpuDifferenceMs: median(differences('cpu')),
    };
  } finally {
    for (const s of sides) {
      s.client.close();
      await s.server.close(1_000);
    }
  }
}

const ms3 = (v: number): string => v.toFixed(3);

export function expressCostLine(c: ExpressCost): string {
  const met = c.medianDifferenceMs <= EXPRESS_COST_GOAL_MS ? 'met' : 'MISSED';
  return (
    `express HTTP layer, HPA Pods query for ${c.pods} pods: +${ms3(c.medianDifferenceMs)} ms per request (median; ` +
    `mean +${ms3(c.meanDifferenceMs)} ms; CPU +${ms3(c.cpuDifferenceMs)} ms) over a bare listener, goal ≤ ${EXPRESS_COST_GOAL_MS} ms: ${met}`
  );
}

/** The section of docs/benchmarks.md. */
export function expressCostSection(c: ExpressCost): string {
  return [
    '### The express HTTP layer',
    '',
    `The HPA Pods query for ${c.pods} pods (${c.bodyBytes} bytes) served by the adapter's express app and by a bare ` +
      'node:http listener calling the same handler, both over HTTPS with a client certificate, provider and ' +
      `authorizer stubbed (\`${c.command}\`; ${c.rounds} rounds of ${c.perRound} sequential requests per side).`,
    '',
    '| | per request |',
    '|---|---:|',
    `| express app: median, p99 | ${ms3(c.medianMs.express)} ms, ${ms3(c.p99Ms.express)} ms |`,
    `| bare listener: median, p99 | ${ms3(c.medianMs.bare)} ms, ${ms3(c.p99Ms.bare)} ms |`,
    `| difference, median over rounds | ${ms3(c.medianDifferenceMs)} ms |`,
    `| difference, mean over rounds | ${ms3(c.meanDifferenceMs)} ms |`,
    `| CPU difference (client and server in one process), median over rounds | ${ms3(c.cpuDifferenceMs)} ms |`,
    '',
    `Goal: ≤ ${EXPRESS_COST_GOAL_MS} ms (${c.medianDifferenceMs <= EXPRESS_COST_GOAL_MS ? 'met' : 'missed'}). ` +
      `Per round: ${c.roundDifferencesMs.map(ms3).join(', ')} ms.`,
  ].join('\n');
}

/**
 * measureExpressCost in a child process: the bench's own process has a large heap by then, whose
 * garbage collection would be charged to whichever side allocates more.
 */
export async function runExpressCost(
  quick: boolean,
  log: (line: string) => void = () => undefined,
): Promise<ExpressCost> {
  const self = fileURLToPath(import.meta.url);
  log(`express cost: ${quick ? 'quick ' : ''}run in a fresh process`);
  const r = await runProcess(
    process.execPath,
    ['--import', 'tsx', self, '--json', ...(quick ? ['--quick'] : [])],
    { timeoutMs: 5 * 60_000 },
  );
  for (const line of r.stderr.split('\n')) if (line !== '') log(line);
  if (r.code !== 0) throw new Error(`${self} exited with ${r.code ?? r.signal ?? '?'}`);
  return JSON.parse(r.stdout) as ExpressCost;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  measureExpressCost({ rounds: quick ? 3 : 8, perRound: quick ? 300 : 1_000 }, (l) =>
    process.stderr.write(`${l}\n`),
  ).then(
    (c) => {
      process.stdout.write(
        json
          ? `${JSON.stringify(c)}\n`
          : `${expressCostSection(c)}\n\n${expressCostLine(c)}\n(${os.cpus()[0]?.model ?? 'cpu?'}, node ${process.version})\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
