/**
 * `metrics-adapter demo` as a user runs it: the real CLI (through tsx) with the machine's
 * Prometheus, in a scratch working directory and with its own TMPDIR, so that what the demo
 * leaves behind (`.metrics-adapter-demo/`, `metrics-adapter-demo-*` temporary directories) can be
 * checked on every way out: SIGTERM and SIGINT (during start-up and once ready), start-up errors
 * (taken port, running demo, bad rules, no Prometheus, a --prometheus-url that does not answer),
 * Prometheus dying, an uncaught exception. Once ready, the demo is used as a user would: the
 * printed commands, `kubectl top`, an external metric and `explain` with the demo's kubeconfig.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { runCli } from './rule-tools-env.js';
import { freePort, LOOPBACK } from '../helpers/ports.js';
import { startProcess, type ManagedProcess } from '../helpers/process.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const THROW_WHEN_READY = new URL('./fixtures/throw-when-ready.mjs', import.meta.url).href;
/** tsx compiling the sources, Prometheus starting, two scrapes, the first discovery. */
const READY_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 20_000;

interface Demo {
  proc: ManagedProcess;
  cwd: TempDir;
  port: number;
  stateDir: string;
}

/**
 * One TMPDIR for every demo of this file: tsx keeps its compile cache there too, so only the
 * first demo compiles the sources. Each demo names its own temporary directory; after all of
 * them, none may be left.
 */
let sharedTmp: Promise<TempDir> | undefined;
async function tmpDir(): Promise<string> {
  // The promise, not the directory, is shared: concurrent tests ask at the same moment.
  sharedTmp ??= makeTempDir('demo-tmp');
  return (await sharedTmp).path;
}

interface DemoStart {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  preload?: string;
  /** Reuse the working directory of a running demo. */
  beside?: Demo;
  port?: number;
}

async function startDemo(o: DemoStart = {}): Promise<Demo> {
  const cwd = o.beside?.cwd ?? (await makeTempDir('demo-cwd'));
  const port = o.port ?? (await freePort());
  const preload = o.preload !== undefined ? ['--import', o.preload] : [];
  const proc = await startProcess(
    process.execPath,
    ['--import', TSX, ...preload, MAIN, 'demo', `--secure-port=${port}`, ...(o.args ?? [])],
    { cwd: cwd.path, env: { ...process.env, TMPDIR: await tmpDir(), ...o.env }, name: 'demo' },
  );
  return { proc, cwd, port, stateDir: join(cwd.path, '.metrics-adapter-demo') };
}

async function finished(demo: Demo): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const exit = await demo.proc.waitForExit(READY_TIMEOUT_MS);
  return { code: exit.code, stdout: demo.proc.output('stdout'), stderr: demo.proc.output('stderr') };
}

async function dispose(...demos: Demo[]): Promise<void> {
  for (const d of demos) await d.proc.stop({ graceMs: 10_000 });
  for (const d of new Set(demos.map((x) => x.cwd))) await d.remove();
}

/** The temporary directory the demo announced, if it got that far. */
function runDirOf(demo: Demo): string | undefined {
  const m = /temporary files \(.*\) in (\S+), removed/.exec(demo.proc.output('stdout'));
  return m?.[1];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Waits for the progress line naming Prometheus's pid and URL. */
async function prometheusOf(demo: Demo): Promise<{ pid: number; url: string }> {
  const line = await demo.proc.waitForOutput(/Prometheus \(pid \d+\) is up on \S+/, {
    timeoutMs: READY_TIMEOUT_MS,
  });
  const m = /Prometheus \(pid (\d+)\) is up on (\S+)/.exec(line.line);
  assert.ok(m !== null);
  return { pid: Number(m[1]), url: String(m[2]) };
}

/** True once `url` stops answering (within 10 s). */
async function stopsAnswering(url: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function waitReady(demo: Demo): Promise<void> {
  await demo.proc.waitForOutput(/^ready: metrics-adapter demo on https:\/\/127\.0\.0\.1:\d+/, {
    timeoutMs: READY_TIMEOUT_MS,
    stream: 'stdout',
  });
}

/** Everything a finished demo must have undone. */
async function assertCleanedUp(demo: Demo, prometheusUrl?: string): Promise<void> {
  const run = runDirOf(demo);
  assert.ok(
    run !== undefined && run.startsWith(await tmpDir()),
    `no temporary directory announced:\n${demo.proc.tail()}`,
  );
  assert.equal(await exists(run), false, `${run} left behind`);
  assert.equal(await exists(join(demo.stateDir, 'demo.lock')), false, 'demo.lock left behind');
  if (prometheusUrl !== undefined)
    assert.equal(await stopsAnswering(prometheusUrl), true, 'Prometheus still answers');
}

/** For demos that must fail before creating anything. */
async function assertNothingCreated(demo: Demo): Promise<void> {
  assert.equal(runDirOf(demo), undefined, 'a temporary directory was created');
  assert.equal(await exists(demo.stateDir), false, '.metrics-adapter-demo/ was created');
}

/** A `kubectl top` table as {NAME: [cpu millicores, memory Mi]}. */
function topTable(stdout: string): Record<string, [number, number]> {
  const rows: Record<string, [number, number]> = {};
  for (const line of stdout.trim().split('\n').slice(1)) {
    const [name, cpu, ...rest] = line.trim().split(/\s+/);
    const memory = rest.find((c) => c.endsWith('Mi'));
    rows[name ?? ''] = [Number.parseInt(cpu ?? '', 10), Number.parseInt(memory ?? '', 10)];
  }
  return rows;
}

/**
 * All three APIs of the demo answer what its workload table says (src/cli/demo-workload.ts),
 * through the real clients: kubectl top (nodes and pods, with the stand-in cluster's objects), an
 * external metric, and explain with the demo's kubeconfig (no --adapter-url).
 */
async function assertWholeProduct(kubeconfig: string, prometheusUrl: string): Promise<void> {
  const nodes = await runKubectl(['top', 'node'], { kubeconfig });
  assert.equal(nodes.code, 0, nodes.stderr);
  // Pods plus each node's own processes: 0.2 + 0.05 + 0.10 cores, 600 + 40 + 48 MiB; 0.4 + 0.15, 1200 + 56.
  const near = (got: number, want: number): boolean => Math.abs(got - want) <= Math.max(2, want * 0.05);
  const wantNodes: Record<string, [number, number]> = {
    'demo-node-1': [350, 688],
    'demo-node-2': [550, 1256],
  };
  const gotNodes = topTable(nodes.stdout);
  assert.deepEqual(Object.keys(gotNodes).sort(), Object.keys(wantNodes), nodes.stdout);
  for (const [name, [cpu, mem]] of Object.entries(wantNodes)) {
    const [gotCpu, gotMem] = gotNodes[name] ?? [Number.NaN, Number.NaN];
    assert.ok(near(gotCpu, cpu) && gotMem === mem, `${name}: ${nodes.stdout}`);
  }
  assert.match(nodes.stdout, /demo-node-1\s+\d+m\s+1[78]%/, "CPU% from the node objects' allocatable");

  const pods = await runKubectl(['top', 'pod', '-n', 'demo'], { kubeconfig });
  assert.equal(pods.code, 0, pods.stderr);
  const wantPods: Record<string, [number, number]> = {
    'web-0': [50, 40],
    'web-1': [100, 48],
    'web-2': [150, 56],
  };
  const gotPods = topTable(pods.stdout);
  assert.deepEqual(Object.keys(gotPods).sort(), Object.keys(wantPods), pods.stdout);
  for (const [name, [cpu, mem]] of Object.entries(wantPods)) {
    const [gotCpu, gotMem] = gotPods[name] ?? [Number.NaN, Number.NaN];
    assert.ok(near(gotCpu, cpu) && gotMem === mem, `${name}: ${pods.stdout}`);
  }
  const none = await runKubectl(['top', 'pod', '-n', 'default'], { kubeconfig });
  assert.match(none.stdout + none.stderr, /No resources found in default namespace/);

  const external = await runKubectl(
    [
      'get',
      '--raw',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/demo/queue_messages_ready?labelSelector=queue%3Dorders',
    ],
    { kubeconfig },
  );
  assert.equal(external.code, 0, external.stderr);
  const list = JSON.parse(external.stdout) as {
    items: { metricLabels: Record<string, string>; value: string }[];
  };
  assert.deepEqual(
    list.items.map((i) => [i.metricLabels.queue, i.value]),
    [['orders', '60']],
  );

  const explainPod = await runCli(['explain', '--kubeconfig', kubeconfig, 'pod', 'demo/web-1']);
  assert.equal(explainPod.code, 0, explainPod.stderr);
  assert.match(explainPod.stdout, /pod demo\/web-1:\n\s+answered by prometheus \(window 10s/);
  const explainPath = await runCli([
    'explain',
    '--kubeconfig',
    kubeconfig,
    '--config',
    fileURLToPath(new URL('../../rules/demo.yaml', import.meta.url)),
    '--prometheus-url',
    prometheusUrl,
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/deployments.apps/web/http_requests_per_second',
  ]);
  assert.equal(explainPath.code, 0, explainPath.stderr);
  assert.match(explainPath.stdout, /resources: from the cluster.s API discovery/);
  assert.match(explainPath.stdout, /answer: 200: 1 item/);
}

after(async () => {
  if (sharedTmp === undefined) return;
  const tmp = await sharedTmp;
  const left = (await readdir(tmp.path)).filter((n) => n.startsWith('metrics-adapter-demo-'));
  await tmp.remove();
  assert.deepEqual(left, [], 'temporary directories left behind by the demos');
});

describe('metrics-adapter demo', { concurrency: 2 }, () => {
  it('serves, lists the metrics when it says ready, refuses a second demo without touching its files, and cleans up on SIGTERM', async () => {
    const first = await startDemo();
    const others: Demo[] = [];
    try {
      const prom = await prometheusOf(first);
      await waitReady(first);
      const stdout = first.proc.output('stdout');
      for (const step of [
        'starting Prometheus',
        'waiting for the first 5 scrapes',
        "waiting until custom.metrics.k8s.io, external.metrics.k8s.io, metrics.k8s.io list the rules' metrics",
      ])
        assert.match(stdout, new RegExp(step), `progress line "${step}"`);
      for (const tryLine of [
        / top node$/m,
        / top pod -n demo$/m,
        /external\.metrics\.k8s\.io\/v1beta1\/namespaces\/demo\/queue_messages_ready\?labelSelector=queue%3Dorders"$/m,
      ])
        assert.match(stdout, tryLine, 'in the Try list');

      const kubeconfig = join(first.stateDir, 'kubeconfig');
      const discovery = await runKubectl(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2'], {
        kubeconfig,
      });
      assert.equal(discovery.code, 0, discovery.stderr);
      const names = (JSON.parse(discovery.stdout) as { resources: { name: string }[] }).resources.map(
        (r) => r.name,
      );
      for (const want of [
        'pods/http_requests_per_second',
        'deployments.apps/http_requests_per_second',
        'pods/queue_messages_ready',
      ])
        assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);

      const files = ['kubeconfig', 'client-ca.crt', 'demo.lock'];
      const before = await Promise.all(
        files.map(async (f) => {
          const p = join(first.stateDir, f);
          return { f, text: await readFile(p, 'utf8'), mtime: (await stat(p)).mtimeMs };
        }),
      );
      const lock = JSON.parse(before[2]!.text) as { pid: number; port: number };
      assert.deepEqual([lock.pid, lock.port], [first.proc.pid, first.port]);

      const badRules = join(first.cwd.path, 'bad.yaml');
      await writeFile(badRules, 'rules:\n  - seriesQuery: up\n    metricQuery: x\n');
      const seconds: { args: string[]; port: number; stderr: RegExp; elsewhere?: boolean }[] = [
        {
          args: [],
          port: first.port,
          stderr: new RegExp(
            `a metrics-adapter demo \\(pid ${first.proc.pid}\\) is already running on https://127\\.0\\.0\\.1:${first.port}`,
          ),
        },
        { args: [`--config=${badRules}`], port: first.port, stderr: /already running/ },
        {
          args: [],
          port: await freePort(),
          stderr: new RegExp(`another metrics-adapter demo \\(pid ${first.proc.pid}\\) is running`),
        },
        {
          // Started in another directory: named by the port, not mistaken for another program.
          args: [],
          port: first.port,
          elsewhere: true,
          stderr: new RegExp(
            `a metrics-adapter demo started in ${first.cwd.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid ${first.proc.pid}\\) already uses port ${first.port}: stop it with Ctrl-C there \\(or kill ${first.proc.pid}\\), or run this one with --secure-port=\\d+`,
          ),
        },
      ];
      const results = await Promise.all(
        seconds.map(async (s) => {
          const second = await startDemo({
            beside: s.elsewhere === true ? undefined : first,
            port: s.port,
            args: s.args,
          });
          others.push(second);
          return { r: await finished(second), second, want: s.stderr };
        }),
      );
      for (const { r, second, want } of results) {
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, want);
        assert.equal(runDirOf(second), undefined, 'the second demo created a temporary directory');
        if (second.cwd !== first.cwd) await assertNothingCreated(second);
      }
      for (const b of before) {
        const p = join(first.stateDir, b.f);
        assert.equal(await readFile(p, 'utf8'), b.text, `${b.f} rewritten`);
        assert.equal((await stat(p)).mtimeMs, b.mtime, `${b.f} touched`);
      }
      // The TLS session of the running demo still accepts the kubeconfig's client certificate.
      const value = await runKubectl(
        [
          'get',
          '--raw',
          '/apis/custom.metrics.k8s.io/v1beta1/namespaces/demo/services/web/http_requests_per_second',
        ],
        { kubeconfig },
      );
      assert.equal(value.code, 0, value.stderr);
      assert.match(value.stdout, /"metricName":"http_requests_per_second"/);

      await assertWholeProduct(kubeconfig, prom.url);

      first.proc.child.kill('SIGTERM');
      const exit = await first.proc.waitForExit(EXIT_TIMEOUT_MS);
      assert.equal(exit.code, 0, first.proc.tail());
      await assertCleanedUp(first, prom.url);
      assert.equal(await exists(kubeconfig), true, 'the kubeconfig stays for the next run');
    } finally {
      await dispose(first);
      for (const o of others) await o.proc.stop();
      for (const o of others) if (o.cwd !== first.cwd) await o.cwd.remove();
    }
  });

  it('with an externalRules-only file, is ready once the external API lists its metric', async () => {
    const rules = fileURLToPath(new URL('../../rules/examples/queue-depth-external.yaml', import.meta.url));
    const demo = await startDemo({ args: [`--config=${rules}`] });
    try {
      await waitReady(demo);
      const stdout = demo.proc.output('stdout');
      assert.match(stdout, /\(0 rules, 1 external rule, no resourceRules\)/);
      assert.match(stdout, /waiting until external\.metrics\.k8s\.io lists the rules' metrics/);
      assert.match(stdout, /get --raw \/apis\/external\.metrics\.k8s\.io\/v1beta1$/m);
      assert.doesNotMatch(stdout, /custom\.metrics\.k8s\.io|top pod/, 'nothing about APIs without rules');
      const value = await runKubectl(
        ['get', '--raw', '/apis/external.metrics.k8s.io/v1beta1/namespaces/demo/queue_messages_ready'],
        { kubeconfig: join(demo.stateDir, 'kubeconfig') },
      );
      assert.equal(value.code, 0, value.stderr);
      assert.match(value.stdout, /"metricLabels":\{"queue":"orders"\},.*"value":"60"/);
    } finally {
      await dispose(demo);
    }
  });

  it('gives up on a --prometheus-url that does not answer, in one plain sentence', async () => {
    const closed = await freePort();
    const started = Date.now();
    const demo = await startDemo({ args: [`--prometheus-url=http://${LOOPBACK}:${closed}`] });
    try {
      const r = await finished(demo);
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stderr,
        new RegExp(
          `^metrics-adapter demo: Prometheus at http://${LOOPBACK.replace(/\./g, '\\.')}:${closed} does not answer \\(.*ECONNREFUSED.*\\), so the demo has nothing to serve; start it, or point --prometheus-url at one that runs`,
          'm',
        ),
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line:\n${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /seriesQuery|resources mapping|"level"/);
      assert.ok(Date.now() - started < 45_000, 'gave up within the 15 s it allows Prometheus');
      await assertCleanedUp(demo);
      assert.equal(
        await exists(join(demo.stateDir, 'kubeconfig')),
        false,
        'no kubeconfig of a demo that never served',
      );
    } finally {
      await dispose(demo);
    }
  });

  it('says which program holds the port, and writes nothing', async () => {
    const blocker = net.createServer();
    blocker.listen(0, LOOPBACK);
    await once(blocker, 'listening');
    const port = (blocker.address() as net.AddressInfo).port;
    const demo = await startDemo({ port });
    try {
      const r = await finished(demo);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`port ${port} is in use by another program; use --secure-port`));
      await assertNothingCreated(demo);
    } finally {
      blocker.close();
      await dispose(demo);
    }
  });

  it('reports a bad rules file (file:line:col) before writing anything', async () => {
    const cwd = await makeTempDir('demo-cwd');
    const bad = join(cwd.path, 'bad.yaml');
    await writeFile(bad, 'rules:\n  - seriesQuery: up\n    metricQuery: x\n');
    const demo = await startDemo({ args: [`--config=${bad}`] });
    try {
      const r = await finished(demo);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:5: error: rules\\[0\\]: unknown key "metricQuery"`,
        ),
      );
      await assertNothingCreated(demo);
    } finally {
      await dispose(demo);
      await cwd.remove();
    }
  });

  it('fails cleanly when Prometheus is not on PATH', async () => {
    // The demo finds Prometheus through PATH; node itself is started by absolute path.
    const demo = await startDemo({ env: { PATH: join(tmpdir(), 'metrics-adapter-test-no-such-dir') } });
    try {
      const r = await finished(demo);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the demo needs Prometheus: "prometheus" is not on PATH/);
      assert.equal(await exists(demo.stateDir), false);
      await assertCleanedUp(demo);
    } finally {
      await dispose(demo);
    }
  });

  it('cleans up on SIGINT during start-up', async () => {
    const demo = await startDemo();
    try {
      const prom = await prometheusOf(demo);
      demo.proc.child.kill('SIGINT');
      const exit = await demo.proc.waitForExit(EXIT_TIMEOUT_MS);
      assert.equal(exit.code, 0, demo.proc.tail());
      assert.doesNotMatch(demo.proc.output('stdout'), /^ready: /m);
      await assertCleanedUp(demo, prom.url);
    } finally {
      await dispose(demo);
    }
  });

  it('cleans up on SIGINT once ready (Ctrl-C)', async () => {
    const demo = await startDemo();
    try {
      const prom = await prometheusOf(demo);
      await waitReady(demo);
      demo.proc.child.kill('SIGINT');
      const exit = await demo.proc.waitForExit(EXIT_TIMEOUT_MS);
      assert.equal(exit.code, 0, demo.proc.tail());
      await assertCleanedUp(demo, prom.url);
    } finally {
      await dispose(demo);
    }
  });

  it('stops and cleans up when Prometheus dies', async () => {
    const demo = await startDemo();
    try {
      const prom = await prometheusOf(demo);
      await waitReady(demo);
      process.kill(prom.pid, 'SIGKILL');
      const exit = await demo.proc.waitForExit(EXIT_TIMEOUT_MS);
      assert.equal(exit.code, 1, demo.proc.tail());
      assert.match(demo.proc.output('stderr'), /Prometheus exited unexpectedly \(SIGKILL\); stopping/);
      await assertCleanedUp(demo);
    } finally {
      await dispose(demo);
    }
  });

  it('cleans up after an uncaught exception', async () => {
    const demo = await startDemo({ preload: THROW_WHEN_READY });
    try {
      const prom = await prometheusOf(demo);
      await waitReady(demo);
      const exit = await demo.proc.waitForExit(EXIT_TIMEOUT_MS);
      assert.notEqual(exit.code, 0);
      assert.match(demo.proc.output('stderr'), /injected by the test: an uncaught exception after ready/);
      await assertCleanedUp(demo, prom.url);
    } finally {
      await dispose(demo);
    }
  });
});
