/**
 * What the demo writes and says for its user: the kubeconfig for kubectl, the one-line summary
 * of the rules, the sentence that ends a demo whose Prometheus does not answer, and the "Try:"
 * commands for the APIs the rules feed.
 */
import { relative } from 'node:path';
import type { CompiledRules } from '../rules/types.js';
import { CUSTOM_DISCOVERY_PATH, EXTERNAL_DISCOVERY_PATH, type ClientCertificate } from './demo-ready.js';
import { DEMO_NAMESPACE, DEMO_QUEUE } from './demo-workload.js';

export function kubeconfigText(serverUrl: string, client: ClientCertificate): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [
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
  ].join('\n');
}

export function describeRules(rules: CompiledRules): string {
  const n = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;
  return [
    n(rules.custom.length, 'rule'),
    n(rules.external.length, 'external rule'),
    rules.resource !== undefined ? 'resourceRules' : 'no resourceRules',
  ].join(', ');
}

export function unreachableSentence(url: string, problem: string): string {
  return (
    `Prometheus at ${url} does not answer (${problem}), so the demo has nothing to serve; ` +
    'start it, or point --prometheus-url at one that runs, or leave the flag out and the demo starts its own'
  );
}

/**
 * The "Try:" list: commands per API the rules feed (`kubectl top` for resourceRules); requests for
 * the demo's own metrics only with the demo rules.
 */
export function tryCommands(k: string, rules: CompiledRules, demoRules: boolean): string[] {
  const lines: string[] = [];
  if (!demoRules) {
    if (rules.custom.length > 0) lines.push(`  ${k} get --raw ${CUSTOM_DISCOVERY_PATH}`);
    if (rules.external.length > 0) lines.push(`  ${k} get --raw ${EXTERNAL_DISCOVERY_PATH}`);
  }
  if (demoRules && rules.custom.length > 0)
    lines.push(
      `  ${k} get --raw ${CUSTOM_DISCOVERY_PATH}`,
      `  ${k} get --raw "/apis/custom.metrics.k8s.io/v1beta2/namespaces/${DEMO_NAMESPACE}/pods/*/http_requests_per_second?labelSelector=app%3Dweb"`,
      `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta1/namespaces/${DEMO_NAMESPACE}/services/web/http_requests_per_second`,
      `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta2/namespaces/${DEMO_NAMESPACE}/deployments.apps/web/http_requests_per_second`,
      `  ${k} get --raw /apis/custom.metrics.k8s.io/v1beta2/namespaces/${DEMO_NAMESPACE}/metrics/http_requests_per_second`,
    );
  if (demoRules && rules.external.length > 0)
    lines.push(
      `  ${k} get --raw "/apis/external.metrics.k8s.io/v1beta1/namespaces/${DEMO_NAMESPACE}/queue_messages_ready?labelSelector=queue%3D${DEMO_QUEUE.name}"`,
    );
  if (rules.resource !== undefined) lines.push(`  ${k} top node`, `  ${k} top pod -n ${DEMO_NAMESPACE}`);
  return lines;
}

/** Relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') ? file : r;
}
