/**
 * The simulated kube-apiserver the rule status tests write to: both rule CRDs installed, objects
 * created over HTTP as a user would, a KubeClient on its kubeconfig, and counts of the reads and
 * writes each object received (what "no write when nothing changed" is measured with).
 */
import assert from 'node:assert/strict';
import { KubeClient } from '../../src/kube/index.js';
import { silentLogger } from '../../src/logging.js';
import type { RuleObjectOutcome } from '../../src/rules/rule-object-outcome.js';
import { RuleStatusWriter, type RuleStatusWriterOptions } from '../../src/rules/rule-status.js';
import { clusterMetricRuleCrd, GROUP, metricRule, metricRuleCrd, VERSION } from '../harness/crd-fixtures.js';
import { crdClient, TOKEN, type Obj } from '../harness/crd-http.js';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

export interface StatusKube {
  kube: FakeKube;
  client: KubeClient;
  kubeconfig: string;
  call: ReturnType<typeof crdClient>['call'];
  close(): Promise<void>;
}

export async function startStatusKube(): Promise<StatusKube> {
  const tmp: TempDir = await makeTempDir('rule-status');
  const kube = await startFakeKube({
    tokens: { [TOKEN]: { username: 'admin', groups: ['system:masters'] } },
  });
  kube.installCustomResourceDefinition(metricRuleCrd());
  kube.installCustomResourceDefinition(clusterMetricRuleCrd());
  kube.ensureNamespace('team-a');
  const kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
  const client = KubeClient.fromKubeconfig(kubeconfig);
  return {
    kube,
    client,
    kubeconfig,
    call: crdClient(kube).call,
    async close() {
      client.close();
      await kube.close();
      await tmp.remove();
    },
  };
}

/** The object's path (a ClusterMetricRule's when namespace is null). */
export function pathOf(name: string, namespace: string | null = 'team-a'): string {
  return namespace === null
    ? `/apis/${GROUP}/${VERSION}/clustermetricrules/${name}`
    : `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/metricrules/${name}`;
}

/** Creates the object over HTTP; returns it as stored. */
export async function createRule(
  sk: StatusKube,
  name: string,
  namespace: string | null = 'team-a',
): Promise<Obj> {
  const collection = pathOf(name, namespace).replace(/\/[^/]+$/, '');
  const res = await sk.call('POST', collection, metricRule(name, namespace ?? undefined));
  assert.equal(res.status, 201, res.body);
  return res.json<Obj>();
}

export async function getRule(
  sk: StatusKube,
  name: string,
  namespace: string | null = 'team-a',
): Promise<Obj> {
  const res = await sk.call('GET', pathOf(name, namespace));
  assert.equal(res.status, 200, res.body);
  return res.json<Obj>();
}

/** The user of the writers' kubeconfig (the tests' own calls are `admin`'s). */
const WRITER_USER = 'test-admin';

/** Requests the writers sent with this method to exactly this path so far. */
export function requests(sk: StatusKube, method: string, path: string): number {
  return sk.kube.requestLog.filter((e) => e.user === WRITER_USER && e.method === method && e.path === path)
    .length;
}

export const statusWrites = (sk: StatusKube, name: string, namespace: string | null = 'team-a'): number =>
  requests(sk, 'PUT', `${pathOf(name, namespace)}/status`);

export const reads = (sk: StatusKube, name: string, namespace: string | null = 'team-a'): number =>
  requests(sk, 'GET', pathOf(name, namespace));

/** An accepted, ready outcome for the stored object, with changes. */
export function outcomeFor(obj: Obj, changes: Partial<RuleObjectOutcome> = {}): RuleObjectOutcome {
  return {
    kind: obj.kind === 'ClusterMetricRule' ? 'ClusterMetricRule' : 'MetricRule',
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    generation: obj.metadata.generation,
    accepted: true,
    errors: [],
    lostTo: undefined,
    ready: true,
    readyMessage: undefined,
    metrics: ['pods/http_requests_per_second', 'pods/http_errors_per_second'],
    ...changes,
  };
}

export function writer(sk: StatusKube, opts: Partial<RuleStatusWriterOptions> = {}): RuleStatusWriter {
  return new RuleStatusWriter({ client: sk.client, logger: silentLogger(), ...opts });
}

/** Reports and waits until the writer has nothing in flight. */
export async function reportAndSettle(w: RuleStatusWriter, outcomes: RuleObjectOutcome[]): Promise<void> {
  w.report(outcomes);
  await w.idle();
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export function conditionOf(obj: Obj, type: string): Condition {
  const conditions = (obj.status?.conditions ?? []) as Condition[];
  const found = conditions.find((c) => c.type === type);
  assert.ok(found, `no ${type} condition in ${JSON.stringify(obj.status)}`);
  return found;
}

/** [status, reason] of Accepted and Ready. */
export function verdict(obj: Obj): string[][] {
  return ['Accepted', 'Ready'].map((t) => {
    const c = conditionOf(obj, t);
    return [c.status, c.reason];
  });
}
