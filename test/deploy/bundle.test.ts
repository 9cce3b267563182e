/**
 * The shipped program is the esbuild bundle (`npm run build` → dist/bundle/main.js, the package's
 * `bin` and the image's entrypoint). These tests build it afresh and run it as an operator would:
 * `--version`, `--help`, and `serve` against the simulated kube-apiserver and a real Prometheus,
 * which exercises what the bundle trimmed from @kubernetes/client-node (kubeconfig loading and
 * credentials) and the lazily loaded certificate issuer (`--cert-dir`).
 *
 * Footprint guard: the serving adapter's resident memory at rest, with the node flags the image
 * sets (NODE_OPTIONS in the Dockerfile), stays under a bound with margin above what
 * `npm run bench:footprint` measures (docs/benchmarks.md, "Footprint"). It reads memory, not
 * time, so a loaded machine does not make it flaky.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { baseFlags, call, createAdapterPki, type AdapterPki } from '../helpers/adapter.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { runProcess, startProcess, type ManagedProcess } from '../helpers/process.js';
import { startPrometheus, type PrometheusInstance } from '../helpers/prometheus.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1048576;
/** Measured 75–80 MiB here (bench:footprint); the unbundled build is ≈ 155 MiB. */
const RSS_BOUND_MiB = 96;
const SETTLE_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** NODE_OPTIONS as the image's Dockerfile sets it. */
async function imageNodeOptions(): Promise<string[]> {
  const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const m = /^ENV\s+NODE_OPTIONS="([^"]*)"/m.exec(text);
  assert.ok(m?.[1] !== undefined, 'the Dockerfile sets NODE_OPTIONS');
  return m[1].split(/\s+/).filter(Boolean);
}

async function vmRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  assert.ok(m?.[1] !== undefined, 'VmRSS in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

describe('the bundled program (dist/bundle/main.js)', () => {
  let dir: TempDir;
  let main: string;
  before(async () => {
    dir = await makeTempDir('bundle-test');
    const r = await runProcess(
      process.execPath,
      [join(ROOT, 'scripts', 'bundle.mjs'), `--outdir=${join(dir.path, 'dist', 'bundle')}`],
      { cwd: ROOT, timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    main = join(dir.path, 'dist', 'bundle', 'main.js');
  });
  after(() => dir.remove());

  it('is what package.json names as bin and the Dockerfile runs', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    assert.equal(pkg.bin['metrics-adapter'], 'dist/bundle/main.js');
    assert.match(pkg.scripts.build ?? '', /scripts\/bundle\.mjs/);
    assert.match(
      await readFile(join(ROOT, 'Dockerfile'), 'utf8'),
      /ENTRYPOINT \["node", "dist\/bundle\/main\.js"\]/,
    );
  });

  it('answers --version and --help', async () => {
    const v = await runProcess(process.execPath, [main, '--version'], { timeoutMs: 30_000 });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^metrics-adapter \d+\.\d+\.\d+/);
    const h = await runProcess(process.execPath, [main, '--help'], { timeoutMs: 30_000 });
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /--prometheus-url/);
  });

  describe('serve, against the simulated kube-apiserver and a real Prometheus', () => {
    // Undefined until before() got that far, so after() stops only what was started.
    let kube: FakeKube | undefined;
    let exporter: Exporter | undefined;
    let prom: PrometheusInstance | undefined;
    let pki: AdapterPki;
    let adapter: ManagedProcess | undefined;
    let url: string;
    before(async () => {
      const exp = (exporter = await startExporter());
      for (let i = 0; i < 10; i++) {
        const labels = { namespace: 'demo', pod: `web-${i}` };
        exp.set('http_requests_total', labels, 100 * i);
        exp.set('queue_depth', labels, i);
        exp.set('container_memory_working_set_bytes', { ...labels, container: 'web' }, 5e7);
      }
      const p = (prom = await startPrometheus({ scrapeTargets: [exp.target], scrapeIntervalSeconds: 1 }));
      const k = (kube = await startFakeKube());
      k.setPods(
        'demo',
        Array.from({ length: 10 }, (_, i) => ({ name: `web-${i}`, labels: { app: 'web' } })),
      );
      k.setAllowedUsers(['tester']);
      pki = await createAdapterPki(dir.path);
      // A bearer-token kubeconfig: client-node's loader and credential plumbing, as bundled.
      const kubeconfig = await k.writeKubeconfig(dir.path, { user: 'token' });
      const env = { ...process.env, NODE_OPTIONS: (await imageNodeOptions()).join(' ') };
      adapter = await startProcess(
        process.execPath,
        [
          main,
          ...baseFlags(pki, [
            `--kubeconfig=${kubeconfig}`,
            '--authentication-skip-lookup',
            `--prometheus-url=${p.url}`,
            `--config=${join(ROOT, 'rules', 'default.yaml')}`,
          ]),
        ],
        { env, name: 'bundled-adapter' },
      );
      const line = await adapter.waitForOutput('serving securely', { timeoutMs: 60_000 });
      url = `https://127.0.0.1:${String((JSON.parse(line.line) as { port: number }).port)}`;
    });
    after(async () => {
      await adapter?.stop();
      await prom?.stop();
      await exporter?.close();
      await kube?.close();
    });

    it('serves custom metrics from Prometheus with the cluster credentials of the kubeconfig', async () => {
      let body = '';
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
        const res = await call(
          { url },
          pki,
          '/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/pods/*/http_requests_per_second?labelSelector=app%3Dweb',
          { cert: pki.tester },
        );
        body = res.body;
        if (res.status === 200 && (JSON.parse(body) as { items: unknown[] }).items.length === 10) break;
      }
      const list = JSON.parse(body) as { kind: string; items: { describedObject: { name: string } }[] };
      assert.equal(list.kind, 'MetricValueList', body);
      assert.equal(list.items.length, 10, body);
      // The request reached the simulated kube-apiserver with the kubeconfig's token (SAR).
      assert.ok(
        kube!.sarLog.some((e) => e.spec.user === 'tester'),
        'a SubjectAccessReview was sent',
      );
    });

    it('check runs series lookups through prometheus-query, which the bundle loads on demand', async () => {
      const r = await runProcess(
        process.execPath,
        [main, 'check', `--config=${join(ROOT, 'rules', 'default.yaml')}`, `--prometheus-url=${prom!.url}`],
        { timeoutMs: 60_000 },
      );
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 0, out);
      assert.doesNotMatch(out, /Prometheus request failed|not a constructor/);
      assert.match(out, /http_requests_per_second/);
    });

    it(`stays under ${RSS_BOUND_MiB} MiB resident at rest`, async () => {
      await sleep(SETTLE_MS);
      const rss = await vmRss(adapter!.pid);
      assert.ok(
        rss <= RSS_BOUND_MiB * MiB,
        `VmRSS ${(rss / MiB).toFixed(1)} MiB > ${RSS_BOUND_MiB} MiB (npm run bench:footprint shows where it goes)`,
      );
    });
  });

  it('writes a self-signed serving pair with --cert-dir (the lazily loaded issuer)', async () => {
    const certDir = join(dir.path, 'self-signed');
    const kube = await startFakeKube();
    try {
      const kubeconfig = await kube.writeKubeconfig(dir.path, {
        user: 'token',
        fileName: 'cert-dir.kubeconfig',
      });
      const p = await startProcess(
        process.execPath,
        [
          main,
          '--secure-port=0',
          '--bind-address=127.0.0.1',
          `--cert-dir=${certDir}`,
          `--kubeconfig=${kubeconfig}`,
          '--authentication-skip-lookup',
          '--prometheus-url=http://127.0.0.1:1',
          '--kubelet-scraper=false',
        ],
        { name: 'bundled-adapter-cert-dir' },
      );
      try {
        await p.waitForOutput('serving securely', { timeoutMs: 60_000 });
        const cert = await readFile(join(certDir, 'apiserver.crt'), 'utf8');
        assert.match(cert, /^-----BEGIN CERTIFICATE-----/);
      } finally {
        await p.stop();
      }
    } finally {
      await kube.close();
    }
  });
});
