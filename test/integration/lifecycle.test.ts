/**
 * The real CLI as a child process: --help, --version, flag errors (one line, exit 2), the
 * self-signed --cert-dir mode, and a graceful SIGTERM while a custom-metrics request waits on a
 * slow Prometheus.
 */
import { flagGroup } from '../../src/config/flag-groups.js';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FLAG_SPECS } from '../../src/config/flags.js';
import {
  baseFlags,
  call,
  createAdapterPki,
  startAdapterProcess,
  type AdapterPki,
} from '../helpers/adapter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import type { HttpsResponse } from '../helpers/https-client.js';
import { LOOPBACK } from '../helpers/ports.js';
import type { ManagedProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import { fingerprintOf, probe, waitUntil } from './support.js';

/** tsx compiles the sources on start: a child takes a few seconds, more on a loaded machine. */
const START_TIMEOUT_MS = 30_000;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runCli(args: string[]): Promise<Finished> {
  const proc = await startAdapterProcess(args);
  try {
    const exit = await proc.waitForExit(START_TIMEOUT_MS);
    return { code: exit.code, stdout: proc.output('stdout'), stderr: proc.output('stderr') };
  } finally {
    await proc.stop({ graceMs: 1_000 });
  }
}

/** Waits for the "serving securely" log line and returns the port it names. */
async function servingPort(proc: ManagedProcess): Promise<number> {
  const line = await proc.waitForOutput('"msg":"serving securely"', {
    timeoutMs: START_TIMEOUT_MS,
    stream: 'stderr',
  });
  const port = (JSON.parse(line.line) as { port?: unknown }).port;
  assert.equal(typeof port, 'number', line.line);
  return port as number;
}

/** 'open' when a TCP connection is accepted, else the error code (ECONNREFUSED, ...). */
function tcpState(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 2_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? err.message);
    });
  });
}

describe('command line', () => {
  let tmp: TempDir;
  let pki: AdapterPki;
  before(async () => {
    tmp = await makeTempDir('lifecycle-cli');
    pki = await createAdapterPki(tmp.path);
  });
  after(async () => {
    await tmp.remove();
  });

  it('--help-all exits 0 and describes every flag with its non-empty default; --version prints the version', async () => {
    const [help, version] = await Promise.all([runCli(['--help-all']), runCli(['--version'])]);
    assert.equal(help.code, 0, help.stderr);
    assert.equal(help.stderr, '');
    const lines = help.stdout.split('\n');
    /** A flag's entry: its line and the wrapped description under it, up to the next flag. */
    const entry = (name: string): string => {
      const i = lines.findIndex((l) => new RegExp(`^\\s+--${name}(\\s|$)`).test(l));
      assert.ok(i >= 0, `--${name} is not in --help-all`);
      let j = i + 1;
      while (j < lines.length && !/^\s+--|^\S|^\s*$/.test(lines[j] ?? '')) j++;
      return lines
        .slice(i + 1, j)
        .map((l) => l.trim())
        .join(' ');
    };
    // The server's flags (check's and explain's own are in their `--help`, test/cli/help.test.ts).
    for (const spec of FLAG_SPECS) if (flagGroup(spec) !== 'tools') entry(spec.name);
    // Defaults as an operator reads them (Go spellings for durations and lists); empty ones unshown.
    const defaults: [string, string][] = [
      ['secure-port', '6443'],
      ['bind-address', '"0.0.0.0"'],
      ['tls-min-version', '"VersionTLS12"'],
      ['requestheader-username-headers', '[X-Remote-User]'],
      ['requestheader-extra-headers-prefix', '[X-Remote-Extra-]'],
      ['authorization-always-allow-paths', '[/healthz,/readyz,/livez]'],
      ['authorization-webhook-cache-authorized-ttl', '10s'],
      ['prometheus-url', '"http://localhost:9090"'],
      ['metrics-relist-interval', '1m0s'],
    ];
    for (const [name, shown] of defaults) {
      const text = entry(name);
      assert.ok(text.endsWith(`(default ${shown})`), `--${name}: ${text}`);
    }
    assert.doesNotMatch(entry('tls-cert-file'), /\(default/);
    assert.match(help.stdout, /-h, --help/);

    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stderr, '');
    assert.equal(version.stdout.trim(), `metrics-adapter ${pkg.version}`);
  });

  it('flag problems print one line naming the flag and exit 2', async () => {
    const serving = [
      `--tls-cert-file=${pki.servingFiles.certFile}`,
      `--tls-private-key-file=${pki.servingFiles.keyFile}`,
    ];
    const cases: { args: string[]; flag: string; says: RegExp }[] = [
      { args: ['--no-such-flag', ...serving], flag: '--no-such-flag', says: /unknown flag/ },
      { args: [...serving, '--secure-port=abc'], flag: '--secure-port', says: /invalid argument "abc"/ },
      { args: [], flag: '--tls-cert-file', says: /no serving certificate/ },
      {
        args: [`--tls-cert-file=${pki.servingFiles.certFile}`],
        flag: '--tls-private-key-file',
        says: /required together/,
      },
    ];
    // Two at a time: each child compiles the sources.
    const results: Finished[] = [];
    for (let i = 0; i < cases.length; i += 2) {
      results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => runCli(c.args)))));
    }
    cases.forEach((c, i) => {
      const r = results[i]!;
      const label = `${c.args.join(' ')} → ${r.code}: ${r.stderr}`;
      assert.equal(r.code, 2, label);
      assert.equal(r.stdout, '', label);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, label);
      assert.ok(lines[0]!.startsWith('metrics-adapter: '), label);
      assert.ok(lines[0]!.includes(c.flag), label);
      assert.match(lines[0]!, c.says, label);
    });
  });
});

describe('running', () => {
  let tmp: TempDir;
  let kube: FakeKube;
  let pki: AdapterPki;
  let kubeconfig: string;
  const procs: ManagedProcess[] = [];

  before(async () => {
    tmp = await makeTempDir('lifecycle');
    kube = await startFakeKube();
    kube.setAllowedUsers(['tester']);
    pki = await createAdapterPki(tmp.path);
    kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
  });
  after(async () => {
    for (const p of procs) await p.stop({ graceMs: 2_000 });
    await kube.close();
    await tmp.remove();
  });

  it('--cert-dir creates a self-signed certificate, warns loudly and serves with it', async () => {
    const certDir = join(tmp.path, 'self-signed');
    const proc = await startAdapterProcess([
      '--secure-port=0',
      `--bind-address=${LOOPBACK}`,
      `--cert-dir=${certDir}`,
      `--kubeconfig=${kubeconfig}`,
      '--authentication-skip-lookup',
    ]);
    procs.push(proc);
    const port = await servingPort(proc);
    const warning = proc.lines('stderr').find((l) => l.line.includes('SELF-SIGNED'));
    assert.ok(warning !== undefined, proc.tail(20));
    assert.equal((JSON.parse(warning.line) as { level: string }).level, 'warn');
    assert.match(warning.line, /local use only/);
    const certPem = await readFile(join(certDir, 'apiserver.crt'), 'utf8');
    await readFile(join(certDir, 'apiserver.key'), 'utf8');
    // The certificate is its own CA and names 127.0.0.1: a client can pin it.
    const r = await probe(`https://${LOOPBACK}:${port}/healthz`, { ca: certPem });
    assert.equal(r.status, 200, r.error);
    assert.equal(r.fingerprint, fingerprintOf(certPem));
    const exit = await proc.stop({ signal: 'SIGTERM', graceMs: 10_000 });
    assert.deepEqual(exit, { code: 0, signal: null }, proc.tail(20));
  });

  describe('graceful shutdown', () => {
    let prometheus: http.Server;
    let promUrl = '';
    let queryArrived: () => void = () => undefined;
    const queries: string[] = [];
    const QUERY_DELAY_MS = 2_500;

    before(async () => {
      // A tiny Prometheus: series and names at once, instant queries after QUERY_DELAY_MS.
      prometheus = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://prometheus.invalid');
        const send = (data: unknown): void => {
          res
            .writeHead(200, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ status: 'success', data }));
        };
        req.resume();
        switch (url.pathname) {
          case '/api/v1/series':
            send([{ __name__: 'http_requests_total', namespace: 'default', pod: 'web-1' }]);
            return;
          case '/api/v1/label/__name__/values':
            send(['http_requests_total']);
            return;
          case '/api/v1/query': {
            queries.push(url.searchParams.get('query') ?? '');
            queryArrived();
            const timer = setTimeout(() => {
              send({
                resultType: 'vector',
                result: [{ metric: { namespace: 'default', pod: 'web-1' }, value: [Date.now() / 1000, '5'] }],
              });
            }, QUERY_DELAY_MS);
            res.once('close', () => clearTimeout(timer));
            return;
          }
          default:
            res.writeHead(404).end('not found');
        }
      });
      prometheus.listen(0, LOOPBACK);
      await once(prometheus, 'listening');
      promUrl = `http://${LOOPBACK}:${(prometheus.address() as AddressInfo).port}`;
    });
    after(async () => {
      prometheus.closeAllConnections();
      await new Promise<void>((resolve) => prometheus.close(() => resolve()));
    });

    it('SIGHUP re-reads the rules file', async () => {
      const rules = join(tmp.path, 'sighup-rules.yaml');
      await writeFile(
        rules,
        "rules:\n  - seriesQuery: 'http_requests_total{pod!=\"\"}'\n    resources: {template: <<.Resource>>}\n    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n",
      );
      const proc = await startAdapterProcess(
        baseFlags(pki, [
          `--kubeconfig=${kubeconfig}`,
          '--authentication-skip-lookup',
          `--config=${rules}`,
          `--prometheus-url=${promUrl}`,
        ]),
      );
      procs.push(proc);
      await servingPort(proc);
      const from = proc.nextLineIndex();
      proc.child.kill('SIGHUP');
      await proc.waitForOutput(
        (line) => line.includes('"reason":"SIGHUP"') && line.includes('rules reloaded'),
        {
          timeoutMs: 10_000,
          fromLine: from,
        },
      );
      const exit = await proc.stop({ signal: 'SIGTERM', graceMs: 10_000 });
      assert.deepEqual(exit, { code: 0, signal: null }, proc.tail(20));
    });

    it('SIGTERM: the in-flight request completes, readiness fails, new connections are refused, exit 0', async (t) => {
      const rules = join(tmp.path, 'rules.yaml');
      await writeFile(
        rules,
        [
          'rules:',
          `  - seriesQuery: 'http_requests_total{namespace!="",pod!=""}'`,
          '    resources:',
          '      overrides:',
          '        namespace: { resource: namespace }',
          '        pod: { resource: pod }',
          '    name:',
          '      matches: "^(.*)_total$"',
          '      as: "${1}_per_second"',
          `    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'`,
          '',
        ].join('\n'),
      );
      const proc = await startAdapterProcess(
        baseFlags(pki, [
          `--kubeconfig=${kubeconfig}`,
          '--authentication-skip-lookup',
          `--config=${rules}`,
          `--prometheus-url=${promUrl}`,
          '--shutdown-delay-duration=1500ms',
        ]),
      );
      procs.push(proc);
      const port = await servingPort(proc);
      const adapter = { url: `https://${LOOPBACK}:${port}` };
      await waitUntil('readyz', async () => (await call(adapter, pki, '/readyz')).status === 200, {
        timeoutMs: 10_000,
        intervalMs: 100,
      });

      const arrived = new Promise<void>((resolve) => {
        queryArrived = resolve;
      });
      const path =
        '/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-1/http_requests_per_second';
      let inflightDoneAt = 0;
      const inflight: Promise<HttpsResponse> = call(adapter, pki, path, {
        cert: pki.tester,
        timeoutMs: 15_000,
      }).finally(() => {
        inflightDoneAt = Date.now();
      });
      // Awaited below; a failure before that must not become an unhandled rejection.
      inflight.catch(() => undefined);
      let noQuery: NodeJS.Timeout | undefined;
      await Promise.race([
        arrived,
        new Promise<never>((_, reject) => {
          noQuery = setTimeout(() => reject(new Error('no query reached Prometheus within 10 s')), 10_000);
        }),
      ]).finally(() => clearTimeout(noQuery));

      const signalledAt = Date.now();
      proc.child.kill('SIGTERM');

      // During --shutdown-delay-duration the server still answers, with readiness failing.
      let readyz: HttpsResponse | undefined;
      await waitUntil(
        'readyz failing',
        async () => {
          readyz = await call(adapter, pki, '/readyz', { timeoutMs: 2_000 });
          return readyz.status === 500;
        },
        { timeoutMs: 1_300, intervalMs: 25 },
      );
      assert.match(readyz!.body, /^\[-\]shutdown failed/m);
      assert.match(readyz!.body, /readyz check failed/);

      // Then the listener closes while the request is still waiting on Prometheus.
      let refusedAt = 0;
      await waitUntil(
        'new connections refused',
        async () => {
          const state = await tcpState(port);
          if (state === 'ECONNREFUSED') refusedAt = Date.now();
          return state === 'ECONNREFUSED';
        },
        { timeoutMs: 5_000, intervalMs: 50 },
      );

      const res = await inflight;
      assert.equal(res.status, 200, res.body);
      const list = res.json<{
        kind: string;
        items: { metricName: string; value: string; describedObject: object }[];
      }>();
      assert.equal(list.kind, 'MetricValueList');
      assert.deepEqual(
        list.items.map((i) => [i.metricName, i.value, i.describedObject]),
        [
          [
            'http_requests_per_second',
            '5',
            { kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: 'v1' },
          ],
        ],
      );
      assert.ok(refusedAt < inflightDoneAt, 'connections were refused while the request was still in flight');
      assert.equal(queries.length, 1, JSON.stringify(queries));
      assert.match(queries[0]!, /http_requests_total\{.*pod=~?"web-1".*\}/);

      const exit = await proc.waitForExit(10_000);
      const exitedAfter = Date.now() - signalledAt;
      assert.deepEqual(exit, { code: 0, signal: null }, proc.tail(20));
      assert.ok(exitedAfter < 10_000, `exited ${exitedAfter} ms after SIGTERM`);
      assert.ok(proc.output('stderr').includes('shutting down'), proc.tail(20));
      t.diagnostic(
        `readyz failing ${String(readyz?.status)}; refused after ${refusedAt - signalledAt} ms; in-flight answered after ${inflightDoneAt - signalledAt} ms; exit 0 after ${exitedAfter} ms`,
      );
    });
  });
});
