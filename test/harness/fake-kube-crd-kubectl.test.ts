/**
 * `kubectl get` of custom resources against the simulated kube-apiserver: the meta.k8s.io Table it
 * asks for carries the CRD's printer columns (evaluated JSONPaths, typed cells, PartialObjectMetadata
 * rows), and the real kubectl prints NAMESPACE NAME READY METRICS AGE for MetricRules across
 * namespaces and NAME READY METRICS AGE for ClusterMetricRules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube.js';
import { httpsRequest } from '../helpers/https-client.js';
import { humanAge } from '../helpers/kube-table.js';
import { runKubectl } from '../helpers/kubectl.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';
import {
  clusterMetricRuleCrd,
  GROUP,
  metricRule,
  metricRuleCrd,
  readyStatus,
  RULE_COLUMNS,
  VERSION,
} from './crd-fixtures.js';

interface Table {
  kind: string;
  apiVersion: string;
  columnDefinitions: Array<{ name: string; type: string; format: string; priority: number }>;
  rows: Array<{
    cells: unknown[];
    object?: { kind: string; metadata: { name: string; namespace?: string } };
  }>;
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const RULES = { group: GROUP, version: VERSION, resource: 'metricrules' };
const CLUSTER_RULES = { group: GROUP, version: VERSION, resource: 'clustermetricrules' };

let kube: FakeKube;
let tmp: TempDir;
let kubeconfig: string;

/** Creates an object and writes its status, as the rule controller will. */
function seed(
  ref: typeof RULES,
  name: string,
  namespace: string | undefined,
  status?: Record<string, unknown>,
): void {
  const stored = kube.upsert(ref, metricRule(name, namespace));
  if (status) kube.upsert(ref, { ...stored, status });
}

before(async () => {
  tmp = await makeTempDir('fake-kube-crd-kubectl');
  kube = await startFakeKube();
  kube.installCustomResourceDefinition(metricRuleCrd());
  kube.installCustomResourceDefinition(clusterMetricRuleCrd());
  kube.ensureNamespace('team-a');
  kube.ensureNamespace('team-b');
  seed(RULES, 'latency', 'team-a', readyStatus(true, 3));
  seed(RULES, 'errors', 'team-b', readyStatus(false, 0));
  seed(RULES, 'fresh', 'team-b');
  seed(CLUSTER_RULES, 'node-usage', undefined, readyStatus(true, 12));
  kubeconfig = await kube.writeKubeconfig(tmp.path, { user: 'token' });
});

after(async () => {
  await kube.close();
  await tmp.remove();
});

/** kubectl's output as rows of cells, cut where the header's words start (empty cells stay ''). */
function rowsOf(stdout: string): string[][] {
  const [header = '', ...lines] = stdout.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => m.index);
  return [header, ...lines].map((line) =>
    starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).trim()),
  );
}

describe('Tables of custom resources', () => {
  it('carry Name and the printer columns, cells typed, rows with PartialObjectMetadata', async () => {
    const token = 'table-token';
    kube.setToken(token, { username: 'admin', groups: ['system:masters'] });
    const res = await httpsRequest(`${kube.url}/apis/${GROUP}/${VERSION}/metricrules?limit=500`, {
      ca: kube.caPem,
      headers: { Authorization: `Bearer ${token}`, Accept: TABLE_ACCEPT },
    });
    assert.equal(res.status, 200, res.body);
    const table = res.json<Table>();
    assert.deepEqual([table.kind, table.apiVersion], ['Table', 'meta.k8s.io/v1']);
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type, c.format]),
      [['Name', 'string', 'name'], ...RULE_COLUMNS.map((c) => [c.name, c.type, ''])],
    );
    assert.deepEqual(
      table.rows.map((r) => r.cells.slice(0, 3)),
      [
        ['latency', 'True', 3],
        ['errors', 'False', 0],
        ['fresh', null, null],
      ],
    );
    for (const r of table.rows) assert.match(String(r.cells[3]), /^\d+s$/, 'a date cell is an age');
    assert.deepEqual(
      table.rows.map((r) => [r.object?.kind, r.object?.metadata.namespace, r.object?.metadata.name]),
      [
        ['PartialObjectMetadata', 'team-a', 'latency'],
        ['PartialObjectMetadata', 'team-b', 'errors'],
        ['PartialObjectMetadata', 'team-b', 'fresh'],
      ],
    );
  });
});

describe('ages in date cells', () => {
  const S = 1_000;
  const H = 3_600 * S;
  const D = 24 * H;
  const cases: Array<[number, string]> = [
    [-2 * S, '<invalid>'],
    [-1.5 * S, '0s'],
    [0, '0s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [187 * S, '3m7s'],
    [10 * 60 * S, '10m'],
    [3 * H - S, '179m'],
    [3 * H + 5 * 60 * S, '3h5m'],
    [47 * H, '47h'],
    [2 * D + 5 * H, '2d5h'],
    [8 * D, '8d'],
    [2 * 365 * D + 3 * D, '2y3d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, age] of cases) {
    it(`${ms} ms is ${age}`, () => assert.equal(humanAge(ms), age));
  }
});

describe('the real kubectl', () => {
  it('get metricrules -A: NAMESPACE NAME READY METRICS AGE', async () => {
    const res = await runKubectl(['get', 'metricrules', '-A'], { kubeconfig });
    assert.equal(res.code, 0, res.stderr);
    const rows = rowsOf(res.stdout);
    assert.deepEqual(rows[0], ['NAMESPACE', 'NAME', 'READY', 'METRICS', 'AGE']);
    assert.deepEqual(
      rows.slice(1).map((r) => r.slice(0, 4)),
      [
        ['team-a', 'latency', 'True', '3'],
        ['team-b', 'errors', 'False', '0'],
        ['team-b', 'fresh', '', ''],
      ],
    );
    for (const r of rows.slice(1)) assert.match(r[r.length - 1] ?? '', /^\d+s$/, `an age: ${r.join(' ')}`);
  });

  it('get clustermetricrules (and its short name): NAME READY METRICS AGE', async () => {
    for (const name of ['clustermetricrules', 'cmr']) {
      const res = await runKubectl(['get', name], { kubeconfig });
      assert.equal(res.code, 0, res.stderr);
      const rows = rowsOf(res.stdout);
      assert.deepEqual(rows[0], ['NAME', 'READY', 'METRICS', 'AGE']);
      assert.deepEqual(rows[1]?.slice(0, 3), ['node-usage', 'True', '12']);
      assert.match(rows[1][3] ?? '', /^\d+s$/);
    }
  });

  it('get metricrule in a namespace, and a missing one is NotFound', async () => {
    const res = await runKubectl(
      ['get', 'mr', 'latency', '-n', 'team-a', '-o', 'jsonpath={.status.metricCount}'],
      {
        kubeconfig,
      },
    );
    assert.deepEqual([res.code, res.stdout], [0, '3']);
    const missing = await runKubectl(['get', 'metricrule', 'nope', '-n', 'team-a'], { kubeconfig });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /metricrules\.metrics-adapter\.io "nope" not found/);
  });
});
