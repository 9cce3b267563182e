/**
 * A node's kubelet reached at its next address when one cannot be reached (refused, no such host,
 * a serving certificate without that IP), the address that answered reused until it fails, and the
 * API server's node proxy as the last resort (--kubelet-via-apiserver) — against the simulated
 * fleet and kube-apiserver. Failures that are not about the address do not fall through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  classifyTransportError,
  KubeletHttpClient,
  kubeletTargets,
  ScrapeError,
  type KubeletScraperOptions,
  type NodeRecord,
} from '../../src/kubelet/index.js';
import { addressFailure } from '../../src/kubelet/fetch-node.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { type FakeKubeOptions } from '../helpers/fake-kube.js';
import { refusedAddress, unresolvableName, type FleetOptions } from '../helpers/fake-kubelet.js';
import { startScraperEnv, TOKEN, waitFor, type LogLine, type ScraperEnv } from './support.js';

test('kubeletTargets: every address of each preferred type, in the node order, without repeats', () => {
  const node: NodeRecord = {
    name: 'n',
    labels: {},
    creationTimestamp: undefined,
    kubeletPort: 10255,
    addresses: [
      { type: 'InternalIP', address: '10.0.0.1' },
      { type: 'Hostname', address: 'n' },
      { type: 'InternalIP', address: 'fd00::1' },
      { type: 'ExternalIP', address: '10.0.0.1' },
      { type: 'ExternalIP', address: '203.0.113.5' },
    ],
  };
  const cases: { types: string[]; statusPort: boolean; want: string[] }[] = [
    {
      types: ['Hostname', 'InternalIP', 'ExternalIP'],
      statusPort: false,
      want: ['n:10250', '10.0.0.1:10250', '[fd00::1]:10250', '203.0.113.5:10250'],
    },
    { types: ['InternalIP'], statusPort: true, want: ['10.0.0.1:10255', '[fd00::1]:10255'] },
    { types: ['InternalDNS'], statusPort: false, want: [] },
  ];
  for (const c of cases) {
    assert.deepEqual(
      kubeletTargets(node, c.types, 10250, c.statusPort).map((t) => t.authority),
      c.want,
      c.types.join(','),
    );
  }
});

test('address failures fall through, everything else does not', () => {
  const cases: { err: unknown; falls: boolean }[] = [
    { err: classifyTransportError({ code: 'ECONNREFUSED', message: 'refused' }), falls: true },
    { err: classifyTransportError({ code: 'ENOTFOUND', message: 'getaddrinfo' }), falls: true },
    { err: classifyTransportError({ code: 'EAI_AGAIN', message: 'getaddrinfo' }), falls: true },
    { err: classifyTransportError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'x' }), falls: true },
    { err: new ScrapeError('timeout', 'could not connect', true), falls: true },
    { err: new ScrapeError('timeout', 'slow answer', false), falls: false },
    { err: new ScrapeError('connection', 'EHOSTUNREACH', true), falls: true },
    { err: new ScrapeError('connection', 'reset mid-answer', false), falls: false },
    { err: new ScrapeError('unauthorized', '403', false), falls: false },
    { err: new ScrapeError('http_status', '500', false), falls: false },
    { err: new ScrapeError('decode', 'bad json', false), falls: false },
    { err: classifyTransportError({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'x' }), falls: false },
    { err: new Error('not a scrape error'), falls: false },
  ];
  for (const c of cases) {
    const e = c.err as Error;
    assert.equal(
      addressFailure(c.err),
      c.falls,
      `${c.err instanceof ScrapeError ? c.err.kind : 'other'} ${e.message}`,
    );
  }
  assert.equal(classifyTransportError({ code: 'ENOTFOUND', message: 'x' }).kind, 'dns');
});

test('the client tells "never connected" from "connected, then no answer"', { timeout: 20_000 }, async () => {
  // Accepts TCP connections and says nothing (not even the TLS handshake): a hung kubelet.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as net.AddressInfo).port;
  const client = new KubeletHttpClient({ ca: undefined, cert: undefined, key: undefined, insecure: true });
  const get = (authority: string): Promise<ScrapeError> =>
    client
      .get({ authority, path: '/stats/summary', accept: '*/*', authorization: undefined, timeoutMs: 500 })
      .then(
        () => assert.fail(`${authority} answered`),
        (err: unknown) => err as ScrapeError,
      );
  try {
    const cases: { authority: string; kind: string; notConnected: boolean }[] = [
      { authority: `${refusedAddress(7)}:${port}`, kind: 'connection_refused', notConnected: true },
      { authority: `${unresolvableName('node-7')}:${port}`, kind: 'dns', notConnected: true },
      { authority: `127.0.0.1:${port}`, kind: 'timeout', notConnected: false },
    ];
    for (const c of cases) {
      const e = await get(c.authority);
      assert.ok(e instanceof ScrapeError, c.authority);
      assert.equal(e.kind, c.kind, `${c.authority}: ${e.message}`);
      assert.equal(e.notConnected, c.notConnected, c.authority);
      assert.equal(addressFailure(e), c.notConnected, c.authority);
    }
  } finally {
    client.close();
    silent.close();
  }
});

type Env = ScraperEnv;

function setup(o: {
  fleet: Partial<FleetOptions>;
  kube?: FakeKubeOptions;
  options?: Partial<KubeletScraperOptions>;
}): Promise<Env> {
  return startScraperEnv({
    fleet: { nodes: 1, podsPerNode: 1, ...o.fleet },
    kube: { kubeletProxy: { token: TOKEN }, ...o.kube },
    logLevel: 'debug',
    options: {
      preferredAddressTypes: ['InternalIP', 'Hostname', 'ExternalIP'],
      requestTimeoutMs: 3_000,
      ...o.options,
    },
    start: true,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function addressTypes(m: SelfMetrics): Promise<Record<string, number>> {
  const g = await m.kubeletAddressType.get();
  return Object.fromEntries(
    g.values.filter((v) => v.value !== 0).map((v) => [String(v.labels.type), v.value]),
  );
}

const reached = (e: Env) => e.logs.filter((l) => l.msg.startsWith('kubelet of node node-0 reached'));
const fellThrough = (e: Env) =>
  e.logs.filter((l) => l.msg === 'kubelet address unreachable, trying the next');

test(
  'InternalIP refused, Hostname unresolvable: ExternalIP answers in the same scrape, and is tried first from then on',
  { timeout: 30_000 },
  async () => {
    const e = await setup({
      fleet: {
        nodeAddresses: (n) => [
          { type: 'InternalIP', address: refusedAddress(n.index) },
          { type: 'Hostname', address: unresolvableName(n.name) },
          { type: 'ExternalIP', address: n.address },
        ],
      },
    });
    try {
      await waitFor('complete data', () => e.scraper.store.nodeComplete('node-0'));
      assert.deepEqual(
        reached(e).map((l) => l.msg),
        [
          `kubelet of node node-0 reached at ExternalIP ${e.fleet.addressOf('node-0')} (InternalIP ${refusedAddress(0)} unreachable)`,
        ],
      );
      assert.equal(fellThrough(e).length, 2, 'InternalIP, then Hostname, each tried once');
      assert.ok(!e.logs.some((l) => l.level >= 40), 'no warning: the node was scraped');
      assert.deepEqual(await addressTypes(e.metrics), { ExternalIP: 1 });
      const before = e.fleet.requestCount('node-0');
      await waitFor('two more scrapes', () => e.fleet.requestCount('node-0') >= before + 2);
      assert.equal(fellThrough(e).length, 2, 'the remembered address is tried first: no new fall-through');
      assert.equal(reached(e).length, 1);
    } finally {
      await e.close();
    }
  },
);

test(
  'the remembered address is kept after the preferred one comes back, until it fails; then the preferred one again',
  { timeout: 40_000 },
  async () => {
    const e = await setup({
      fleet: {
        localhostNode: 'node-0',
        nodeAddresses: (n) => [
          { type: 'InternalIP', address: n.address },
          { type: 'Hostname', address: 'localhost' },
        ],
      },
    });
    try {
      await waitFor('complete data', () => e.scraper.store.nodeComplete('node-0'));
      assert.equal(reached(e).length, 0, 'reached at the first address: nothing to log');
      assert.deepEqual(await addressTypes(e.metrics), { InternalIP: 1 });

      await e.fleet.setFault('node-0', { kind: 'refuse' });
      await waitFor('the switch to Hostname', () => reached(e).length === 1);
      assert.match(reached(e)[0]!.msg, /reached at Hostname localhost \(was InternalIP 127\.20\.0\.1:\d+\)$/);
      assert.deepEqual(await addressTypes(e.metrics), { Hostname: 1 });
      assert.ok(!e.logs.some((l) => l.level >= 40), 'the fall-through scraped the node: no failure logged');

      await e.fleet.setFault('node-0', { kind: 'ok' });
      const fallen = fellThrough(e).length;
      await sleep(2_500);
      assert.equal(reached(e).length, 1, 'still on Hostname: it works');
      assert.equal(fellThrough(e).length, fallen);

      await e.fleet.setLocalhostListening(false);
      await waitFor('back to InternalIP', () => reached(e).length === 2);
      assert.match(reached(e)[1]!.msg, /reached at InternalIP 127\.20\.0\.1 \(was Hostname localhost:\d+\)$/);
      assert.deepEqual(await addressTypes(e.metrics), { InternalIP: 1 });
    } finally {
      await e.close();
    }
  },
);

test(
  'a serving certificate without IP SANs: the name mismatch on InternalIP falls through to the Hostname it names',
  { timeout: 30_000 },
  async () => {
    const e = await setup({
      fleet: {
        certificate: 'dns-only',
        localhostNode: 'node-0',
        nodeAddresses: (n) => [
          { type: 'InternalIP', address: n.address },
          { type: 'Hostname', address: 'localhost' },
        ],
      },
    });
    try {
      await waitFor('complete data', () => e.scraper.store.nodeComplete('node-0'));
      assert.match(
        reached(e)[0]?.msg ?? '',
        /reached at Hostname localhost \(InternalIP 127\.20\.0\.1 unreachable\)$/,
      );
      assert.deepEqual(await addressTypes(e.metrics), { Hostname: 1 });
    } finally {
      await e.close();
    }
    // Without the Hostname to fall to, the same certificate is the name mismatch users see.
    const only = await setup({
      fleet: { certificate: 'dns-only' },
      options: { preferredAddressTypes: ['InternalIP'] },
    });
    try {
      await waitFor('the failure', () => only.logs.some((l) => l.kind === 'name_mismatch'));
      assert.deepEqual(await addressTypes(only.metrics), {});
    } finally {
      await only.close();
    }
  },
);

test(
  'an error status or a slow answer is not retried at the next address (one request per scrape)',
  { timeout: 30_000 },
  async () => {
    const e = await setup({
      fleet: {
        localhostNode: 'node-0',
        nodeAddresses: (n) => [
          { type: 'InternalIP', address: n.address },
          { type: 'Hostname', address: 'localhost' },
        ],
      },
      options: { requestTimeoutMs: 400 },
    });
    try {
      await waitFor('complete data', () => e.scraper.store.nodeComplete('node-0'));
      for (const fault of [
        { kind: 'status', status: 500 } as const,
        { kind: 'slow', delayMs: 1_500 } as const,
      ]) {
        await e.fleet.setFault('node-0', fault);
        const kind = fault.kind === 'status' ? 'http_status' : 'timeout';
        await waitFor(`a ${kind} failure`, () => e.logs.some((l) => l.kind === kind));
        const start = e.fleet.requestCount('node-0');
        const failures = e.logs.length;
        await sleep(2_300);
        const scrapes = e.fleet.requestCount('node-0') - start;
        assert.ok(
          scrapes >= 1 && scrapes <= 3,
          `${fault.kind}: ${scrapes} requests in 2.3 s at 1 s resolution`,
        );
        assert.equal(fellThrough(e).length, 0, `${fault.kind}: no fall-through`);
        assert.equal(reached(e).length, 0, `${fault.kind}: still InternalIP`);
        assert.ok(e.logs.length >= failures);
        await e.fleet.setFault('node-0', { kind: 'ok' });
        await waitFor(
          'recovery',
          () =>
            e.logs.filter((l) => l.msg === 'kubelet scrape works again').length >=
            (kind === 'http_status' ? 1 : 2),
        );
      }
    } finally {
      await e.close();
    }
  },
);

test(
  '--kubelet-via-apiserver=fallback: every address unreachable, the node proxy answers; =always uses only it',
  { timeout: 40_000 },
  async () => {
    const unreachable: FleetOptions['nodeAddresses'] = (n) => [
      { type: 'InternalIP', address: refusedAddress(n.index) },
      { type: 'Hostname', address: unresolvableName(n.name) },
      // Reached by the API server only: not among the adapter's preferred types.
      { type: 'ExternalIP', address: n.address },
    ];
    const kube = { kubeletProxy: { token: TOKEN, preferredAddressTypes: ['ExternalIP'] } };
    const e = await setup({
      fleet: { nodeAddresses: unreachable },
      kube,
      options: { preferredAddressTypes: ['InternalIP', 'Hostname'], viaAPIServer: 'fallback' },
    });
    try {
      await waitFor('complete data', () => e.scraper.store.nodeComplete('node-0'));
      assert.equal(
        reached(e)[0]?.msg,
        `kubelet of node node-0 reached through the API server node proxy (InternalIP ${refusedAddress(0)} unreachable)`,
      );
      assert.ok(e.kube.requestCount('/api/v1/nodes/node-0/proxy/stats/summary') >= 1);
      assert.deepEqual(await addressTypes(e.metrics), { APIServerProxy: 1 });
      const proxied = e.kube.requestCount('/api/v1/nodes/node-0/proxy/stats/summary');
      const fallen = fellThrough(e).length;
      await waitFor(
        'two more proxied scrapes',
        () => e.kube.requestCount('/api/v1/nodes/node-0/proxy/stats/summary') >= proxied + 2,
      );
      assert.equal(
        fellThrough(e).length,
        fallen,
        'the proxy is remembered: the dead addresses are not tried each time',
      );
    } finally {
      await e.close();
    }

    const always = await setup({
      fleet: { nodeAddresses: unreachable },
      kube,
      options: {
        preferredAddressTypes: ['InternalIP', 'Hostname'],
        viaAPIServer: 'always',
        endpoint: 'resource',
      },
    });
    try {
      await waitFor('complete data', () => always.scraper.store.nodeComplete('node-0'));
      assert.equal(fellThrough(always).length, 0);
      assert.equal(reached(always).length, 0, 'the only way: nothing to log');
      assert.ok(always.kube.requestCount('/api/v1/nodes/node-0/proxy/metrics/resource') >= 2);
      assert.deepEqual(await addressTypes(always.metrics), { APIServerProxy: 1 });
      // The API server refuses: the hint names nodes/proxy.
      always.kube.failNext('/api/v1/nodes/node-0/proxy', 403, 100, 'nodes "node-0" is forbidden');
      await waitFor('the 403', () => always.logs.some((l) => l.kind === 'unauthorized'));
      const warn = always.logs.find((l) => l.kind === 'unauthorized') as LogLine & { err?: string };
      assert.match(warn.msg, /nodes\/proxy/);
      assert.match(warn.err ?? '', /403/);
    } finally {
      await always.close();
    }
  },
);
