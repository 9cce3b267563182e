/**
 * `metrics-adapter demo`: the adapter running locally without a cluster. It starts a demo
 * workload exporter and the machine's Prometheus (unless --prometheus-url is given), serves the
 * demo rules (unless --config is given) over HTTPS on 127.0.0.1 with a self-signed certificate,
 * and writes a kubeconfig whose client certificate kubectl can use against it.
 *
 * In place of a cluster it uses a fixed table of the standard resources and the demo's objects,
 * and allows every authenticated caller: this mode only listens on loopback.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Authorizer } from '../apiserver/authz.js';
import { createCertificateAuthority, issueCertificate } from '../apiserver/pki.js';
import { FlagError, type ParsedCommandLine } from '../config/flags.js';
import { buildServeOptions } from '../config/serve-options.js';
import { BUILTIN_RESOURCES, ResourceIndex, StaticObjectLister, type ObjectRef } from '../kube/index.js';
import { createLogger } from '../logging.js';
import { startServer, type ClusterAccess } from '../server.js';
import { DEMO_PODS, DemoExporter } from './demo-exporter.js';
import { startLocalPrometheus, type LocalPrometheus } from './demo-prometheus.js';
import { SignalHandlers } from './serve.js';

const STATE_DIR = '.metrics-adapter-demo';

function demoRulesFile(): string {
  return fileURLToPath(new URL('../../rules/demo.yaml', import.meta.url));
}

function demoObjects(): (ObjectRef & { group: string; resource: string })[] {
  const objects: (ObjectRef & { group: string; resource: string })[] = [
    {
      group: '',
      resource: 'namespaces',
      namespace: '',
      name: 'demo',
      labels: { 'kubernetes.io/metadata.name': 'demo' },
    },
    { group: '', resource: 'services', namespace: 'demo', name: 'web', labels: { app: 'web' } },
    { group: 'apps', resource: 'deployments', namespace: 'demo', name: 'web', labels: { app: 'web' } },
  ];
  for (const p of DEMO_PODS)
    objects.push({ group: '', resource: 'pods', namespace: p.namespace, name: p.name, labels: p.labels });
  return objects;
}

const allowAuthenticated: Authorizer = {
  authorize: () => Promise.resolve({ allowed: true, reason: 'demo mode allows every authenticated user' }),
};

interface DemoCredentials {
  clientCAFile: string;
  writeKubeconfig(serverUrl: string): Promise<string>;
}

/** A client CA for the adapter, and (once the address is known) a kubeconfig with a certificate it issued. */
async function demoCredentials(dir: string): Promise<DemoCredentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority('metrics-adapter-demo-client-ca', 30);
  const client = await issueCertificate(ca, {
    commonName: 'demo-user',
    organizations: ['system:masters'],
    usage: 'client',
    days: 30,
  });
  const clientCAFile = join(dir, 'client-ca.crt');
  await writeFile(clientCAFile, ca.certPem, { mode: 0o644 });
  return { clientCAFile, writeKubeconfig: (serverUrl) => writeKubeconfig(dir, serverUrl, client) };
}

async function writeKubeconfig(
  dir: string,
  serverUrl: string,
  client: { certPem: string; keyPem: string },
): Promise<string> {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: metrics-adapter-demo',
      '  cluster:',
      `    server: ${serverUrl}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: demo-user',
      '  user:',
      `    client-certificate-data: ${b64(client.certPem)}`,
      `    client-key-data: ${b64(client.keyPem)}`,
      'contexts:',
      '- name: demo',
      '  context: {cluster: metrics-adapter-demo, user: demo-user}',
      'current-context: demo',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return kubeconfig;
}

export async function demo(parsed: ParsedCommandLine): Promise<number> {
  const values = new Map(parsed.values);
  const given = parsed.given;
  const dir = resolve(STATE_DIR);
  if (!given.has('bind-address')) values.set('bind-address', '127.0.0.1');
  if (!given.has('tls-cert-file') && !given.has('cert-dir')) values.set('cert-dir', join(dir, 'certs'));
  if (!given.has('config')) values.set('config', demoRulesFile());
  if (!given.has('metrics-relist-interval')) values.set('metrics-relist-interval', 15_000);
  if (values.get('bind-address') !== '127.0.0.1' && values.get('bind-address') !== '::1') {
    throw new FlagError(
      '--bind-address',
      '--bind-address: the demo allows every authenticated caller, so it only listens on loopback (127.0.0.1 or ::1)',
    );
  }
  const creds = await demoCredentials(dir);
  if (!given.has('client-ca-file')) values.set('client-ca-file', creds.clientCAFile);
  values.set('authentication-skip-lookup', true);

  let exporter: DemoExporter | undefined;
  let prometheus: LocalPrometheus | undefined;
  if (!given.has('prometheus-url')) {
    exporter = new DemoExporter();
    const target = await exporter.listen();
    try {
      prometheus = await startLocalPrometheus(target);
    } catch (err) {
      exporter.close();
      process.stderr.write(`metrics-adapter demo: ${(err as Error).message}\n`);
      return 1;
    }
    values.set('prometheus-url', prometheus.url);
  }
  const options = buildServeOptions(values, new Set([...given, 'client-ca-file']));
  const logger = createLogger(options.logLevel);
  const cluster: ClusterAccess = {
    mapper: new ResourceIndex(BUILTIN_RESOURCES),
    lister: new StaticObjectLister(demoObjects()),
    authorizer: allowAuthenticated,
    authenticationClient: undefined,
    start: () => Promise.resolve(),
    close: () => {
      exporter?.close();
      void prometheus?.stop();
    },
  };
  try {
    const signals = new SignalHandlers(logger, 0, () => {
      cluster.close();
      process.exit(0);
    });
    const server = await startServer({ options, logger, cluster });
    signals.attach(server);
    await creds.writeKubeconfig(server.url);
    const k = `kubectl --kubeconfig ${join(STATE_DIR, 'kubeconfig')}`;
    process.stdout.write(
      [
        '',
        `metrics-adapter demo is serving on ${server.url} (self-signed certificate; Ctrl-C stops everything)`,
        prometheus !== undefined
          ? `Prometheus (scraping a demo workload every 2 s): ${prometheus.url}`
          : `Prometheus: ${options.prometheus.url}`,
        'Metrics appear once Prometheus has two scrapes (a few seconds). Try:',
        `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta2`,
        `  ${k} get --raw "/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/pods/*/http_requests_per_second?labelSelector=app%3Dweb"`,
        `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta1/namespaces/demo/services/web/http_requests_per_second`,
        `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/deployments.apps/web/http_requests_per_second`,
        `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/metrics/http_requests_per_second`,
        '',
      ].join('\n'),
    );
    return await new Promise<number>(() => undefined);
  } catch (err) {
    cluster.close();
    process.stderr.write(`metrics-adapter demo: ${(err as Error).message}\n`);
    return 1;
  }
}
