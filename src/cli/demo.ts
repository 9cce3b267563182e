/**
 * `metrics-adapter demo`: the adapter running locally without a cluster. It starts a demo
 * workload exporter and the machine's Prometheus (unless --prometheus-url is given), serves the
 * demo rules (unless --config is given) over HTTPS on 127.0.0.1 with a self-signed certificate,
 * and writes a kubeconfig whose client certificate kubectl can use against it.
 *
 * In place of a cluster it serves a fixed table of the demo's objects (demo-cluster.ts: nodes,
 * pods, a service and a deployment, also readable by `kubectl top` and `explain`), and allows
 * every authenticated caller: this mode only listens on loopback. The demo rules feed all three
 * metrics APIs; "ready" is printed once each API the rules feed lists its metrics (demo-ready.ts).
 *
 * Order matters for a user who starts it twice: everything that can fail without side effects
 * (flags, the port, a running demo, the rules file) is checked before anything is written; the
 * run's certificates and Prometheus data live in its own temporary directory (removed on every
 * way out); `.metrics-adapter-demo/` is written only once the listener is bound.
 */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import type { Authorizer } from '../apiserver/authz.js';
import { createCertificateAuthority, issueCertificate } from '../apiserver/pki.js';
import { FlagError, type ParsedCommandLine } from '../config/flags.js';
import type { FlagValue } from '../config/flag-specs.js';
import { buildServeOptions } from '../config/serve-options.js';
import { BUILTIN_RESOURCES, ResourceIndex, StaticObjectLister } from '../kube/index.js';
import { createLogger } from '../logging.js';
import { loadRules } from '../rules/index.js';
import type { CompiledRules } from '../rules/types.js';
import { redactUrl } from '../prometheus/index.js';
import { startServer, type ClusterAccess, type RunningServer } from '../server.js';
import { DemoCleanup } from './demo-cleanup.js';
import { DemoCluster } from './demo-cluster.js';
import { DemoExporter } from './demo-exporter.js';
import {
  DEMO_FIRST_SAMPLES,
  DEMO_SCRAPE_INTERVAL_S,
  reachPrometheus,
  startLocalPrometheus,
  waitForSamples,
  type LocalPrometheus,
} from './demo-prometheus.js';
import { checkNoConflict, DemoError } from './demo-conflicts.js';
import { describeMissing, fetchJSON, probesFor, waitForApis } from './demo-ready.js';
import { announcePort, DemoStateDir, STATE_DIR } from './demo-state.js';
import { describeRules, displayPath, kubeconfigText, tryCommands, unreachableSentence } from './demo-text.js';
import { DEMO_PODS } from './demo-workload.js';

const FIRST_SCRAPES_TIMEOUT_MS = 30_000;
const DISCOVERY_TIMEOUT_MS = 60_000;
/** How long a Prometheus given with --prometheus-url may take to answer before the demo gives up. */
const PROMETHEUS_REACH_TIMEOUT_MS = 15_000;
/** A relist costs one series query per rule: a few while waiting for the first metrics is cheap. */
const RELIST_NUDGE_MS = 2_000;

function demoRulesFile(): string {
  return fileURLToPath(new URL('../../rules/demo.yaml', import.meta.url));
}

const allowAuthenticated: Authorizer = {
  authorize: () => Promise.resolve({ allowed: true, reason: 'demo mode allows every authenticated user' }),
};

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const seconds = (sinceMs: number): string => `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;

export async function demo(parsed: ParsedCommandLine): Promise<number> {
  const values = new Map<string, FlagValue>(parsed.values);
  const given = parsed.given;
  if (!given.has('bind-address')) values.set('bind-address', '127.0.0.1');
  if (!given.has('config')) values.set('config', demoRulesFile());
  if (!given.has('metrics-relist-interval')) values.set('metrics-relist-interval', 15_000);
  values.set('authentication-skip-lookup', true);
  const host = String(values.get('bind-address'));
  if (host !== '127.0.0.1' && host !== '::1') {
    throw new FlagError(
      '--bind-address',
      '--bind-address: the demo allows every authenticated caller, so it only listens on loopback (127.0.0.1 or ::1)',
    );
  }
  const ownCertDir = !given.has('tls-cert-file') && !given.has('cert-dir');
  // Every flag problem surfaces here, before the demo starts anything; the certificate directory
  // is decided (and created) later, in the run's temporary directory.
  if (ownCertDir) values.set('cert-dir', STATE_DIR);
  const checked = buildServeOptions(values, given);
  const state = new DemoStateDir(resolve(STATE_DIR));
  const rulesFile = checked.rules.configFile ?? demoRulesFile();
  let rules: CompiledRules;
  try {
    await checkNoConflict(state, host, checked.serving.port);
    ({ rules } = await loadRules(rulesFile));
    say(`metrics-adapter demo: rules from ${displayPath(rulesFile)} (${describeRules(rules)})`);
  } catch (err) {
    process.stderr.write(`metrics-adapter demo: ${(err as Error).message}\n`);
    return 1;
  }

  const cleanup = new DemoCleanup();
  let server: RunningServer | undefined;
  cleanup.handleSignals(say, () => void server?.reloadRules('SIGHUP'));
  cleanup.add({ orderly: () => state.releaseSync(), atExit: () => state.releaseSync() });
  try {
    const run = await cleanup.makeTempDir();
    say(`- temporary files (certificates, Prometheus data) in ${run}, removed when the demo stops`);
    const ca = await createCertificateAuthority('metrics-adapter-demo-client-ca', 30);
    const client = await issueCertificate(ca, {
      commonName: 'demo-user',
      organizations: ['system:masters'],
      usage: 'client',
      days: 30,
    });
    // The server watches its client CA file: it reads this run's copy, which no other run rewrites.
    const clientCAFile = join(run, 'client-ca.crt');
    await writeFile(clientCAFile, ca.certPem, { mode: 0o644 });
    if (!given.has('client-ca-file')) values.set('client-ca-file', clientCAFile);
    if (ownCertDir) values.set('cert-dir', join(run, 'certs'));

    let prometheus: LocalPrometheus | undefined;
    if (!given.has('prometheus-url')) {
      const exporter = new DemoExporter();
      const target = await exporter.listen();
      cleanup.add({ orderly: () => exporter.close() });
      say(
        `- demo workload: ${DEMO_PODS.length} pods exporting requests, a queue's depth, and CPU and memory on http://${target}/metrics`,
      );
      say('- starting Prometheus…');
      const started = Date.now();
      const prom = await startLocalPrometheus(target, join(run, 'prometheus'));
      prometheus = prom;
      cleanup.add({ orderly: () => prom.stop(), atExit: () => prom.kill() });
      say(
        `- Prometheus (pid ${prom.pid}) is up on ${prom.url} after ${seconds(started)}, scraping every ${DEMO_SCRAPE_INTERVAL_S} s`,
      );
      say(`- waiting for the first ${DEMO_FIRST_SAMPLES} scrapes (the rules' rates are over 10 s)…`);
      const scraped = Date.now();
      if (
        !(await waitForSamples(prom.url, 'http_requests_total', FIRST_SCRAPES_TIMEOUT_MS, DEMO_FIRST_SAMPLES))
      )
        throw new DemoError(
          `Prometheus has not scraped the demo workload ${DEMO_FIRST_SAMPLES} times within ${FIRST_SCRAPES_TIMEOUT_MS / 1000} s; see ${prom.url}/targets`,
        );
      say(`- first scrapes in after ${seconds(scraped)}`);
      values.set('prometheus-url', prom.url);
      void prom.exited.then(({ code, signal }) => {
        if (cleanup.stopping) return;
        process.stderr.write(
          `metrics-adapter demo: Prometheus exited unexpectedly (${signal ?? `code ${code ?? '?'}`}); stopping\n`,
        );
        void cleanup.run().finally(() => process.exit(1));
      });
    } else {
      const url = redactUrl(checked.prometheus.url);
      say(`- checking that Prometheus at ${url} answers…`);
      const problem = await reachPrometheus(checked.prometheus, PROMETHEUS_REACH_TIMEOUT_MS);
      if (problem !== undefined) throw new DemoError(unreachableSentence(url, problem));
    }

    const options = buildServeOptions(values, new Set([...given, 'client-ca-file']));
    const logger = createLogger(options.logLevel);
    const standIn = new DemoCluster();
    const cluster: ClusterAccess = {
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      lister: new StaticObjectLister(standIn.objectRefs()),
      // No kubelets: metrics.k8s.io comes from the rules' resourceRules, for these pods and nodes.
      objects: standIn.clusterObjects(),
      standIn: standIn.apis(),
      kubelet: undefined,
      authorizer: allowAuthenticated,
      authenticationClient: undefined,
      start: () => Promise.resolve(),
      close: () => undefined,
    };
    say(`- starting the adapter on ${host}:${options.serving.port}…`);
    const running = await startServer({ options, logger, cluster });
    server = running;
    cleanup.add({ orderly: () => running.close(2_000) });

    const holder = await state.claim(
      { pid: process.pid, port: running.address.port, url: running.url },
      host,
    );
    if (holder !== undefined)
      throw new DemoError(
        `another metrics-adapter demo (pid ${holder.pid}) started on ${holder.url} meanwhile and uses ${STATE_DIR}/; stop it first`,
      );
    // Until it is ready, a run that ends takes back what it wrote in the state directory (and the
    // directory, if it made it): an early exit leaves no kubeconfig of a demo that never served.
    let settled = false;
    const takeBack = (): void => {
      if (!settled) state.removeWrittenSync();
    };
    cleanup.add({ orderly: takeBack, atExit: takeBack });
    const withdraw = await announcePort({
      pid: process.pid,
      port: running.address.port,
      url: running.url,
      dir: process.cwd(),
    });
    cleanup.add({ orderly: withdraw, atExit: withdraw });
    await state.writeFile('client-ca.crt', ca.certPem, 0o644);
    const kubeconfig = relative(
      process.cwd(),
      await state.writeFile('kubeconfig', kubeconfigText(running.url, client), 0o600),
    );
    say(`- serving on ${running.url}; wrote ${kubeconfig}`);

    const probes = probesFor(
      {
        custom: rules.custom.length,
        external: rules.external.length,
        resource: rules.resource !== undefined,
      },
      (path) => fetchJSON(running.url, client, path),
      !given.has('config') && !given.has('prometheus-url'),
    );
    say(
      `- waiting until ${probes.map((p) => p.api).join(', ') || 'discovery'} list${probes.length === 1 ? 's' : ''} the rules' metrics…`,
    );
    const discovering = Date.now();
    let lastNudge = Date.now();
    const result = await waitForApis({
      probes,
      timeoutMs: DISCOVERY_TIMEOUT_MS,
      nudge: async () => {
        if (Date.now() - lastNudge < RELIST_NUDGE_MS) return;
        lastNudge = Date.now();
        await running.discovery.relist();
      },
    });
    const tryLines = tryCommands(`kubectl --kubeconfig ${kubeconfig}`, rules, !given.has('config'));
    if (!result.ready) {
      // A Prometheus that does not answer by now will not: say so in one sentence and stop.
      const problem = await reachPrometheus(options.prometheus, 0);
      if (problem !== undefined)
        throw new DemoError(unreachableSentence(redactUrl(options.prometheus.url), problem));
      say(
        [
          `- not ready after ${DISCOVERY_TIMEOUT_MS / 1000} s:`,
          ...describeMissing(result.apis),
          `  Check the rules' seriesQuery against the Prometheus at ${redactUrl(options.prometheus.url)} (metrics-adapter check --config ${displayPath(rulesFile)} --prometheus-url …).`,
          '  Still serving; Ctrl-C stops it. Try:',
          ...tryLines.slice(0, 1),
        ].join('\n'),
      );
      settled = true;
      return await new Promise<number>(() => undefined);
    }
    settled = true;
    say(
      `- ${result.apis.map((a) => `${a.api}: ${a.names.length}`).join(', ')} after ${seconds(discovering)}`,
    );
    say(
      [
        '',
        `ready: metrics-adapter demo on ${running.url} (self-signed certificate; Ctrl-C stops everything)`,
        prometheus !== undefined
          ? `Prometheus (scraping a demo workload every ${DEMO_SCRAPE_INTERVAL_S} s): ${prometheus.url}`
          : `Prometheus: ${redactUrl(options.prometheus.url)}`,
        'Try:',
        ...tryLines,
        '',
      ].join('\n'),
    );
    return await new Promise<number>(() => undefined);
  } catch (err) {
    process.stderr.write(`metrics-adapter demo: ${(err as Error).message}\n`);
    await cleanup.run();
    return 1;
  }
}
