/**
 * The hostile-request corpus as data: each case is a request (method, raw target, headers, the
 * identity that sends it) and the outcome it must get — a metav1.Status with a code and reason, a
 * plain answer from node's HTTP parser (`transport`), an OK answer, or a dropped connection — and,
 * when it reaches Prometheus, the exact PromQL selectors it must produce.
 *
 * Expected codes follow the Kubernetes API rules, with an independent oracle (oracle.ts): a
 * namespace is a DNS-1123 label, an object name a Kubernetes name, selector values Kubernetes
 * label values, a metric name anything without control characters or '/'. Valid-but-unknown
 * things are 404; nothing a client sends changes the query's shape.
 *
 * Extending: LIMIT_CASES (at the bottom) is the table for limits that land later (URL length
 * 414, slow clients): add rows there with `category: 'limits'` and the expectation.
 */
import {
  isDnsLabel,
  isLabelValue,
  isMetricName,
  isObjectName,
  isQualifiedName,
  isResourceName,
  selectorToken,
} from './oracle.js';

export const CUSTOM = '/apis/custom.metrics.k8s.io';
export const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1';
export const RESOURCE = '/apis/metrics.k8s.io/v1beta1';

/** Who sends the request (certificates made in the test's setup). */
export type Identity =
  | 'tester' // client-CA certificate, allowed by the SubjectAccessReview policy
  | 'none'
  | 'selfSigned'
  | 'stranger' // CN front-proxy-client from a CA nobody trusts
  | 'expiredProxy'
  | 'rogueProxy' // front-proxy CA, CN not in --requestheader-allowed-names
  | 'proxyServerOnly' // front-proxy CA, allowed CN, serverAuth only (no clientAuth EKU)
  | 'clientServerOnly' // client CA, serverAuth only
  | 'expiredClient'
  | 'frontProxy'; // the real front proxy: headers are believed (control case)

export type Outcome =
  /** A metav1.Status answer (with `details.kind`, when given). */
  | { status: number; reason: string; detailsKind?: string }
  /** 200 with a JSON list; `items` are the names it must hold (any order), when given. */
  | { ok: true; items?: readonly string[] }
  /** Answered by node's HTTP parser before the app sees it: this code, no Status body. */
  | { transport: number }
  /** Connection closed without an answer. */
  | 'dropped';

export interface ExpectedSelector {
  metric: string;
  /** [label, op, value] — exactly these, in any order. */
  matchers: readonly (readonly [string, string, string])[];
}

/** One query Prometheus must receive: its skeleton (selectors blanked) and selectors. */
export interface ExpectedQuery {
  skeleton: string;
  selectors: readonly ExpectedSelector[];
}

export interface HostileCase {
  category: string;
  name: string;
  method?: string;
  target: string;
  headers?: readonly (readonly [string, string])[];
  /** Default 'tester'. */
  identity?: Identity;
  expect: Outcome;
  /** Queries Prometheus must receive, in any order; absent: none at all. */
  promql?: readonly ExpectedQuery[];
  /** The user every SubjectAccessReview of this request must name; absent: any allowed user. */
  sarUser?: string;
  /** A slow client: only this many bytes of the request are sent (on a fresh connection). */
  stallAfterBytes?: number;
  /** How long to wait for the outcome; default 10 000 ms. */
  timeoutMs?: number;
}

const enc = encodeURIComponent;
const BAD = { status: 400, reason: 'BadRequest' } as const;
const NOT_FOUND = { status: 404, reason: 'NotFound' } as const;
const UNAUTHORIZED = { status: 401, reason: 'Unauthorized' } as const;
const METHOD = { status: 405, reason: 'MethodNotAllowed' } as const;
/** Refused by node's parser (beyond the 32 KiB head); the adapter still answers with a Status. */
const HEAD_TOO_LARGE = { status: 431, reason: 'RequestHeaderFieldsTooLarge' } as const;

// ---- The data every query is about (the test's exporter and fake kube match this) ----

export const NAMESPACE = 'shop';
/** Pods and their labels; `x.y` next to `xzy` catches an unescaped regex dot. */
export const PODS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'web-0': { app: 'web', tier: 'stable' },
  'web-1': { app: 'web', tier: 'canary' },
  'x.y': { app: 'a.b', tier: 'stable' },
  xzy: { app: 'aXb', tier: 'stable' },
};
/** hostile_gauge's `shard` label per pod. */
export const SHARDS: Readonly<Record<string, string>> = {
  'web-0': 'a.b',
  'web-1': 'aXb',
  'x.y': 'c-d',
  xzy: 'cXd',
};
export const QUEUES = ['a.b', 'aXb', 'c-d', 'cXd'] as const;
export const NODE = 'n1';
/** A namespace whose one pod has no series at all. */
export const IDLE_NAMESPACE = 'idle';
export const IDLE_POD = 'idle-0';

// ---- Expected PromQL, from the rules the test loads (see corpus.test.ts) ----

const CUSTOM_SKELETON = 'sum(hostile_gauge{…}) by (pod)';
const NS_SKELETON = 'sum(hostile_gauge{…}) by (namespace)';
const EXTERNAL_SKELETON = 'sum(queue_depth{…}) by (queue)';

type M = readonly [string, string, string];

function customQuery(matchers: readonly M[], skeleton = CUSTOM_SKELETON): ExpectedQuery {
  return { skeleton, selectors: [{ metric: 'hostile_gauge', matchers }] };
}

function externalQuery(matchers: readonly M[]): ExpectedQuery {
  return { skeleton: EXTERNAL_SKELETON, selectors: [{ metric: 'queue_depth', matchers }] };
}

/** An RE2 alternation of literal names, as the adapter must write it (metacharacters escaped). */
export function literalAlternation(names: readonly string[]): string {
  return names.map((n) => n.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')).join('|');
}

function podMatcher(names: readonly string[]): M {
  const sorted = [...names];
  const [only] = sorted;
  return sorted.length === 1 && only !== undefined
    ? ['pod', '=', only]
    : ['pod', '=~', literalAlternation(sorted)];
}

/** The two resourceRules queries (cpu, memory) for pods `names` in namespace `ns`. */
function podResourceQueries(ns: string, names: readonly string[]): ExpectedQuery[] {
  const base: M[] = [['namespace', '=', ns], podMatcher(names), ['container', '!=', ''], ['pod', '!=', '']];
  return [
    {
      skeleton: 'sum by (pod,container) ( irate ( container_cpu_usage_seconds_total{…}[4m] ) )',
      selectors: [{ metric: 'container_cpu_usage_seconds_total', matchers: base }],
    },
    {
      skeleton: 'sum by (pod,container) ( container_memory_working_set_bytes{…} )',
      selectors: [{ metric: 'container_memory_working_set_bytes', matchers: base }],
    },
  ];
}

function nodeResourceQueries(names: readonly string[]): ExpectedQuery[] {
  const [only] = names;
  const m: M =
    names.length === 1 && only !== undefined
      ? ['node', '=', only]
      : ['node', '=~', literalAlternation(names)];
  return [
    {
      skeleton: 'sum by (node) ( irate( node_cpu_usage_seconds_total{…}[4m] ) )',
      selectors: [{ metric: 'node_cpu_usage_seconds_total', matchers: [m] }],
    },
    {
      skeleton: 'sum by (node) ( node_memory_working_set_bytes{…} )',
      selectors: [{ metric: 'node_memory_working_set_bytes', matchers: [m] }],
    },
  ];
}

// ---- Hostile values, tried in every request field ----

/** PromQL injection and parser-confusion attempts, odd unicode, sizes. */
export const HOSTILE_VALUES: readonly string[] = [
  '"} or vector(1) or x{a="',
  'a"}or vector(1)#',
  ') or up{',
  '{__name__=~".+"}',
  'or vector(1)',
  '.+',
  '.*',
  'a|b',
  'web-0|web-1',
  'x.y',
  '\\"',
  '\\',
  '"',
  "'",
  '`',
  '}',
  '{',
  ']',
  '[5m]',
  ' offset 1h',
  '@ 0',
  'line1\nline2',
  'cr\r',
  'tab\t',
  '\u0000',
  '\u007f',
  '\u001b[31m',
  '$(id)',
  '${1}',
  '# comment',
  '\u202e\u202c',
  '\u2028',
  'ünïcödé',
  '日本語',
  '😀',
  '\ufeffbom',
  'zero\u200bwidth',
  'UPPER',
  '-leading',
  'trailing-',
  'a..b',
  'a_b',
  'a:b',
  '%00',
  '%2F',
  '..',
  '.',
  'x'.repeat(64),
  'x'.repeat(254),
  'x'.repeat(600),
];

function valueCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const pod = `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods`;
  for (const [i, v] of HOSTILE_VALUES.entries()) {
    const e = enc(v);
    const label = JSON.stringify(v.length > 40 ? `${v.slice(0, 20)}…(${v.length})` : v);
    const version = i % 2 === 0 ? 'v1beta1' : 'v1beta2';
    const add = (c: Omit<HostileCase, 'category'> & { category?: string }): void => {
      out.push({ category: 'injection', ...c, name: `${c.name} = ${label}` });
    };
    // Custom metrics: namespace, object name, metric name, resource, selectors.
    add({
      name: 'custom namespace',
      target: `${CUSTOM}/${version}/namespaces/${e}/pods/web-0/hostile_gauge`,
      expect: isDnsLabel(v) ? NOT_FOUND : BAD,
    });
    const objectOk = isObjectName(v);
    const isPod = Object.hasOwn(PODS, v);
    add({
      name: 'custom object name',
      target: `${CUSTOM}/${version}/namespaces/${NAMESPACE}/pods/${e}/hostile_gauge`,
      // A well-formed name of no pod is asked of Prometheus, which has nothing for it.
      expect: isPod ? { ok: true, items: [v] } : objectOk ? NOT_FOUND : BAD,
      ...(objectOk
        ? {
            promql: [
              customQuery([
                ['namespace', '=', NAMESPACE],
                ['pod', '=', v],
              ]),
            ],
          }
        : {}),
    });
    add({
      name: 'custom metric name',
      target: `${pod}/web-0/${e}`,
      expect: isMetricName(v) ? NOT_FOUND : BAD,
    });
    add({
      name: 'custom namespace metric name',
      target: `${CUSTOM}/${version}/namespaces/${NAMESPACE}/metrics/${e}`,
      expect: isMetricName(v) ? NOT_FOUND : BAD,
    });
    add({
      name: 'custom resource',
      target: `${CUSTOM}/${version}/namespaces/${NAMESPACE}/${e}/web-0/hostile_gauge`,
      expect: isResourceName(v) ? NOT_FOUND : BAD,
    });
    add({
      name: 'custom cluster-scoped object name',
      target: `${CUSTOM}/${version}/nodes/${e}/hostile_gauge`,
      // The rule has no node association: a valid name is a 404 before any query.
      expect: objectOk ? NOT_FOUND : BAD,
    });
    // The selector lexer splits at whitespace, as apimachinery's does: `cr\r` is the value `cr`.
    const token = selectorToken(v);
    const valueOk = token !== undefined && isLabelValue(token);
    const t = token ?? '';
    add({
      name: 'metricLabelSelector value',
      target: `${pod}/web-0/hostile_gauge?metricLabelSelector=${enc(`shard=${v}`)}`,
      expect: valueOk ? NOT_FOUND : BAD,
      ...(valueOk
        ? {
            promql: [
              customQuery([
                ['shard', '=', t],
                ['namespace', '=', NAMESPACE],
                ['pod', '=', 'web-0'],
              ]),
            ],
          }
        : {}),
    });
    add({
      name: 'metricLabelSelector notin value',
      target: `${pod}/web-0/hostile_gauge?metricLabelSelector=${enc(`shard notin (${v})`)}`,
      expect: valueOk ? { ok: true, items: ['web-0'] } : BAD,
      ...(valueOk
        ? {
            promql: [
              customQuery([
                ['shard', '!~', literalAlternation([t])],
                ['namespace', '=', NAMESPACE],
                ['pod', '=', 'web-0'],
              ]),
            ],
          }
        : {}),
    });
    add({
      name: 'labelSelector value (pods selected from kube)',
      target: `${pod}/*/hostile_gauge?labelSelector=${enc(`app=${v}`)}`,
      // A valid value selects no pod: nothing to ask Prometheus, an empty list.
      expect: valueOk ? { ok: true, items: [] } : BAD,
    });
    add({
      name: 'labelSelector key',
      target: `${pod}/*/hostile_gauge?labelSelector=${enc(`${v}=web`)}`,
      expect: token !== undefined && isQualifiedName(token) ? { ok: true, items: [] } : BAD,
    });
    // External metrics: namespace, metric name, labelSelector (series selector).
    add({
      name: 'external namespace',
      target: `${EXTERNAL}/namespaces/${e}/queue_depth`,
      expect: isDnsLabel(v) ? { ok: true, items: [] } : BAD,
      ...(isDnsLabel(v) ? { promql: [externalQuery([['namespace', '=', v]])] } : {}),
    });
    add({
      name: 'external metric name',
      target: `${EXTERNAL}/namespaces/${NAMESPACE}/${e}`,
      expect: isMetricName(v) ? NOT_FOUND : BAD,
    });
    add({
      name: 'external labelSelector value',
      target: `${EXTERNAL}/namespaces/${NAMESPACE}/queue_depth?labelSelector=${enc(`queue in (${v})`)}`,
      expect: valueOk ? { ok: true, items: QUEUES.filter((q) => q === t) } : BAD,
      ...(valueOk
        ? {
            promql: [
              externalQuery([
                ['queue', '=~', literalAlternation([t])],
                ['namespace', '=', NAMESPACE],
              ]),
            ],
          }
        : {}),
    });
    // Resource metrics: pod name, namespace, node name, selectors.
    add({
      name: 'resource pod name',
      target: `${RESOURCE}/namespaces/${NAMESPACE}/pods/${e}`,
      // Pods are looked up in kube first: an unknown one is a 404 for kind podmetrics, as
      // metrics-server answers (issue [8/11]), before any query.
      expect: isPod ? { ok: true, items: [v] } : objectOk ? { ...NOT_FOUND, detailsKind: 'podmetrics' } : BAD,
      ...(isPod ? { promql: podResourceQueries(NAMESPACE, [v]) } : {}),
    });
    add({
      name: 'resource namespace',
      target: `${RESOURCE}/namespaces/${e}/pods`,
      expect: isDnsLabel(v) ? { ok: true, items: [] } : BAD,
    });
    add({
      name: 'resource node name',
      target: `${RESOURCE}/nodes/${e}`,
      // As metrics-server answers an unknown node: NotFound for kind nodemetrics.
      expect: objectOk ? { ...NOT_FOUND, detailsKind: 'nodemetrics' } : BAD,
    });
    add({
      name: 'resource labelSelector value',
      target: `${RESOURCE}/namespaces/${NAMESPACE}/pods?labelSelector=${enc(`app=${v}`)}`,
      expect: valueOk ? { ok: true, items: [] } : BAD,
    });
  }
  return out;
}

// ---- Bad paths ----

function pathCases(): HostileCase[] {
  const c = (target: string, expect: Outcome, name = target): HostileCase => ({
    category: 'paths',
    name,
    target,
    expect,
  });
  const v1 = `${CUSTOM}/v1beta1`;
  return [
    c('/apis/custom.metrics.k8s.io/v1', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/v1beta3/namespaces/shop/pods/web-0/hostile_gauge', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/V1BETA1', NOT_FOUND),
    c('/apis/Custom.Metrics.K8s.Io/v1beta1', NOT_FOUND),
    c('/APIS/custom.metrics.k8s.io/v1beta1', NOT_FOUND),
    c('/apis/evil.example.com/v1beta1/namespaces/shop/pods/web-0/hostile_gauge', NOT_FOUND),
    c('/apis/metrics.k8s.io/v1beta2/nodes', NOT_FOUND),
    c('/apis/external.metrics.k8s.io/v1beta2/namespaces/shop/queue_depth', NOT_FOUND),
    c('/api/v1/namespaces/shop/pods', NOT_FOUND),
    c('/api', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0/hostile_gauge/extra', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0/hostile_gauge/a/b/c', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop', NOT_FOUND),
    c('/apis/custom.metrics.k8s.io/v1beta1/namespaces', NOT_FOUND),
    c('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop', NOT_FOUND),
    c('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_depth/extra', NOT_FOUND),
    c('/apis/external.metrics.k8s.io/v1beta1/queue_depth', NOT_FOUND),
    c('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0/extra', NOT_FOUND),
    c('/apis/metrics.k8s.io/v1beta1/namespaces/shop/nodes', NOT_FOUND),
    c('/apis/metrics.k8s.io/v1beta1/services', NOT_FOUND),
    c('/apis/metrics.k8s.io/v1beta1/nodes/n1/extra', NOT_FOUND),
    // `..` and its encodings are a segment like any other, never a way up the tree.
    c(`${v1}/namespaces/shop/pods/../hostile_gauge`, BAD),
    c(`${v1}/namespaces/../pods/web-0/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/../../../../../../apis`, NOT_FOUND),
    c(`${v1}/../../../healthz`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/%2e%2e/hostile_gauge`, BAD),
    c(`${v1}/namespaces/%2e%2e/pods/web-0/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/%2E%2E/hostile_gauge`, BAD),
    // A metric name is any text: `..` is just an unknown metric.
    c(`${v1}/namespaces/shop/pods/web-0/%2e%2e`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/./hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/%2e/hostile_gauge`, BAD),
    c(`${RESOURCE}/namespaces/shop/pods/..`, BAD),
    c(`${RESOURCE}/namespaces/shop/pods/%2e%2e`, BAD),
    c(`${RESOURCE}/nodes/..`, BAD),
    c(`${EXTERNAL}/namespaces/../queue_depth`, BAD),
    c(`${EXTERNAL}/namespaces/shop/..`, NOT_FOUND),
    c(`${EXTERNAL}/namespaces/shop/%2e%2e`, NOT_FOUND),
    // Encoded slashes stay inside their segment.
    c(`${v1}/namespaces/shop/pods/web-0%2Fhostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0%2F..%2Fweb-1/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop%2Fpods/web-0/hostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0/hostile%2Fgauge`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/hostile%2fgauge`, BAD),
    c(`${v1}%2Fnamespaces%2Fshop%2Fpods%2Fweb-0%2Fhostile_gauge`, NOT_FOUND),
    c(`/apis%2Fcustom.metrics.k8s.io%2Fv1beta1`, NOT_FOUND),
    c(`${EXTERNAL}/namespaces/shop/queue%2Fdepth`, BAD),
    c(`${EXTERNAL}/namespaces/shop%2Fx/queue_depth`, BAD),
    c(`${RESOURCE}/namespaces/shop/pods/web-0%2Fx`, BAD),
    c(`${RESOURCE}/nodes/n1%2F..`, BAD),
    c(`${v1}/namespaces/shop/pods/%5C..%5C/hostile_gauge`, BAD),
    // Empty segments (double slashes) never reach a handler under another reading.
    c(`/apis//custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0/hostile_gauge`, NOT_FOUND),
    c(`${v1}//namespaces/shop/pods/web-0/hostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces//pods/web-0/hostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces/shop//web-0/hostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods//hostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0//hostile_gauge`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge//`, NOT_FOUND),
    c(`${EXTERNAL}/namespaces//queue_depth`, NOT_FOUND),
    c(`${RESOURCE}/namespaces//pods/web-0`, NOT_FOUND),
    c(`${RESOURCE}//nodes`, NOT_FOUND),
    c(`//apis`, NOT_FOUND),
    // Malformed percent-encoding.
    c(`${v1}/namespaces/%ZZ/pods/web-0/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/%`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/%E0%A4%A`, BAD),
    c(`${v1}/namespaces/shop/pods/%C0%AE%C0%AE/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/%FF/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/%ED%A0%80/hostile_gauge`, BAD),
    c(`/apis/%`, BAD),
    c(`${RESOURCE}/nodes/%G1`, BAD),
    // Encoded control characters reach validation and are refused there.
    c(`${v1}/namespaces/shop/pods/web-0%00/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge%00`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge%0A`, BAD),
    c(`${v1}/namespaces/shop%0D%0A/pods/web-0/hostile_gauge`, BAD),
    c(`${EXTERNAL}/namespaces/shop/queue_depth%00`, BAD),
    c(`${RESOURCE}/nodes/n1%00`, BAD),
    // Raw control characters and spaces in the request line: node's parser refuses them.
    c(`${v1}/namespaces/shop/pods/web-0\u0000/hostile_gauge`, BAD, 'raw NUL in the path'),
    c(`${v1}/namespaces/shop/pods/web-0\u0001/hostile_gauge`, BAD, 'raw SOH in the path'),
    c(`${v1}/namespaces/shop/pods/web-0\u007f/hostile_gauge`, BAD, 'raw DEL in the path'),
    c(`${v1}/namespaces/shop/pods/web 0/hostile_gauge`, BAD, 'raw space in the path'),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge\tx`, BAD, 'raw tab in the path'),
    // Request targets that are not paths.
    c(`https://localhost${v1}`, BAD, 'absolute-form target'),
    c(`http://evil.example.com${v1}`, BAD, 'absolute-form target of another host'),
    c('*', BAD, 'asterisk-form target'),
    c(`apis/custom.metrics.k8s.io/v1beta1`, BAD, 'target without a leading slash'),
    // Trailing junk and fragments.
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge;jsessionid=1`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0;x/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge%23frag`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge%3Fq%3D1`, NOT_FOUND),
    c(`${v1}/namespaces/shop/pods/web-0/hostile_gauge%20`, NOT_FOUND),
    // Overlong segments.
    c(`${v1}/namespaces/${'a'.repeat(64)}/pods/web-0/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/${'a'.repeat(254)}/hostile_gauge`, BAD),
    c(`${v1}/namespaces/shop/pods/web-0/${'m'.repeat(513)}`, BAD),
    c(`${v1}/namespaces/shop/${'r'.repeat(254)}/web-0/hostile_gauge`, BAD),
    c(`${EXTERNAL}/namespaces/shop/${'m'.repeat(513)}`, BAD),
    c(`${RESOURCE}/nodes/${'n'.repeat(254)}`, BAD),
  ];
}

// ---- Selector syntax and adversarial selectors ----

function selectorCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const podList = `${CUSTOM}/v1beta2/namespaces/${NAMESPACE}/pods/*/hostile_gauge`;
  const onePod = `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/web-0/hostile_gauge`;
  const ext = `${EXTERNAL}/namespaces/${NAMESPACE}/queue_depth`;
  const res = `${RESOURCE}/namespaces/${NAMESPACE}/pods`;
  const INVALID: readonly string[] = [
    'app in (',
    'app in (web',
    'app in web)',
    'app in ((web))',
    'app in (web))',
    'app in ()x',
    'app notin',
    '=web',
    '!',
    '!!app',
    '!app=web',
    'app!==web',
    'app=~web',
    'app!~web',
    'app=~".+"',
    '{__name__=~".+"}',
    '__name__=~".+"',
    'app=web or vector(1)',
    ') or up{',
    'app=web) or up{(',
    'app="web"',
    "app='web'",
    'app=web\\',
    'app=we\\"b',
    'app=web}',
    'app=web"',
    'app=web\nor vector(1)',
    'app=web,',
    ',app=web',
    'app=web,,tier=stable',
    'app in (web,,)x',
    'app > x',
    'app < 1.5',
    'app>',
    'app in (a b)',
    'app in (a.b, c|d)',
    'app in (.*)',
    'app in (a|b)',
    'app=web;tier=stable',
    'app=web&tier=stable',
    'app:web',
    'a/b/c=web',
    '/app=web',
    'example.com/=web',
    'EXAMPLE.com/app=web',
    `${'k'.repeat(64)}=web`,
    `app=${'v'.repeat(64)}`,
    `app in (${Array.from({ length: 1001 }, (_, i) => `v${i}`).join(',')})`,
    Array.from({ length: 1001 }, (_, i) => `k${i}`).join(','),
    'app in (web)\u0000',
    'app=😀',
    'app=日本',
    'ünï=web',
  ];
  for (const sel of INVALID) {
    const label = JSON.stringify(sel.length > 60 ? `${sel.slice(0, 40)}…(${sel.length})` : sel);
    out.push({
      category: 'selectors',
      name: `labelSelector ${label} on custom pods/*`,
      target: `${podList}?labelSelector=${enc(sel)}`,
      expect: BAD,
    });
    out.push({
      category: 'selectors',
      name: `metricLabelSelector ${label} on custom`,
      target: `${onePod}?metricLabelSelector=${enc(sel)}`,
      expect: BAD,
    });
    out.push({
      category: 'selectors',
      name: `labelSelector ${label} on external`,
      target: `${ext}?labelSelector=${enc(sel)}`,
      expect: BAD,
    });
    out.push({
      category: 'selectors',
      name: `labelSelector ${label} on resource pods`,
      target: `${res}?labelSelector=${enc(sel)}`,
      expect: BAD,
    });
  }
  // Valid Kubernetes selectors that PromQL cannot express are refused on series selectors...
  for (const sel of ['app.kubernetes.io/name=web', 'example.com/app in (a)', 'x>1', 'x<1', 'a-b=c']) {
    out.push({
      category: 'selectors',
      name: `metricLabelSelector ${JSON.stringify(sel)} (no PromQL form)`,
      target: `${onePod}?metricLabelSelector=${enc(sel)}`,
      expect: BAD,
    });
    out.push({
      category: 'selectors',
      name: `external labelSelector ${JSON.stringify(sel)} (no PromQL form)`,
      target: `${ext}?labelSelector=${enc(sel)}`,
      expect: BAD,
    });
  }
  // ...and fine on object selection (matched against kube labels, never PromQL).
  out.push({
    category: 'selectors',
    name: 'labelSelector with a prefixed key on custom pods/* selects nothing',
    target: `${podList}?labelSelector=${enc('app.kubernetes.io/name=web')}`,
    expect: { ok: true, items: [] },
  });
  // Set values match literally: `a.b` must not match `aXb`, in every place a set reaches PromQL.
  out.push({
    category: 'regex-literal',
    name: 'pods selected by app in (a.b): only x.y, and the pod regex escapes the dot',
    target: `${podList}?labelSelector=${enc('app in (a.b)')}`,
    expect: { ok: true, items: ['x.y'] },
    promql: [
      customQuery([
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'x.y'],
      ]),
    ],
  });
  out.push({
    category: 'regex-literal',
    name: 'pods selected by app in (a.b, web): alternation of literal names',
    target: `${podList}?labelSelector=${enc('app in (a.b, web)')}`,
    expect: { ok: true, items: ['web-0', 'web-1', 'x.y'] },
    promql: [customQuery([['namespace', '=', NAMESPACE], podMatcher(['web-0', 'web-1', 'x.y'])])],
  });
  out.push({
    category: 'regex-literal',
    name: 'all pods: x.y and xzy both, each matched literally',
    target: podList,
    expect: { ok: true, items: ['web-0', 'web-1', 'x.y', 'xzy'] },
    promql: [customQuery([['namespace', '=', NAMESPACE], podMatcher(['web-0', 'web-1', 'x.y', 'xzy'])])],
  });
  for (const [sel, items, m] of [
    ['shard in (a.b)', ['web-0'], ['shard', '=~', 'a\\.b']],
    ['shard in (a.b, c-d)', ['web-0', 'x.y'], ['shard', '=~', 'a\\.b|c-d']],
    ['shard notin (a.b)', ['web-1', 'x.y', 'xzy'], ['shard', '!~', 'a\\.b']],
    ['shard=a.b', ['web-0'], ['shard', '=', 'a.b']],
    ['shard!=a.b', ['web-1', 'x.y', 'xzy'], ['shard', '!=', 'a.b']],
    ['shard', ['web-0', 'web-1', 'x.y', 'xzy'], ['shard', '!=', '']],
    ['!shard', [], ['shard', '=', '']],
    ['shard in (a.b,a.b,a.b)', ['web-0'], ['shard', '=~', 'a\\.b']],
  ] as const) {
    out.push({
      category: 'regex-literal',
      name: `metricLabelSelector ${sel} over every pod`,
      target: `${podList}?metricLabelSelector=${enc(sel)}`,
      expect: { ok: true, items },
      promql: [customQuery([m, ['namespace', '=', NAMESPACE], podMatcher(['web-0', 'web-1', 'x.y', 'xzy'])])],
    });
  }
  for (const [sel, items, m] of [
    ['queue in (a.b)', ['a.b'], ['queue', '=~', 'a\\.b']],
    ['queue in (a.b, c-d)', ['a.b', 'c-d'], ['queue', '=~', 'a\\.b|c-d']],
    ['queue notin (a.b, c-d)', ['aXb', 'cXd'], ['queue', '!~', 'a\\.b|c-d']],
    ['queue=a.b', ['a.b'], ['queue', '=', 'a.b']],
  ] as const) {
    out.push({
      category: 'regex-literal',
      name: `external labelSelector ${sel}`,
      target: `${ext}?labelSelector=${enc(sel)}`,
      expect: { ok: true, items },
      promql: [externalQuery([m, ['namespace', '=', NAMESPACE]])],
    });
  }
  // Resource metrics: a set selector over pods whose names hold a dot.
  out.push({
    category: 'regex-literal',
    name: 'resource pods app in (a.b): only x.y',
    target: `${res}?labelSelector=${enc('app in (a.b)')}`,
    expect: { ok: true, items: ['x.y'] },
    promql: podResourceQueries(NAMESPACE, ['x.y']),
  });
  out.push({
    category: 'regex-literal',
    name: 'resource pods: the whole namespace, names regex-escaped',
    target: res,
    expect: { ok: true, items: ['web-0', 'web-1', 'x.y', 'xzy'] },
    promql: podResourceQueries(NAMESPACE, ['web-0', 'web-1', 'x.y', 'xzy']),
  });
  out.push({
    category: 'regex-literal',
    name: 'resource node n1',
    target: `${RESOURCE}/nodes/${NODE}`,
    expect: { ok: true, items: [NODE] },
    promql: nodeResourceQueries([NODE]),
  });
  out.push({
    category: 'regex-literal',
    name: 'custom metric of the namespace object',
    target: `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/metrics/hostile_gauge`,
    expect: { ok: true, items: [NAMESPACE] },
    promql: [customQuery([['namespace', '=', NAMESPACE]], NS_SKELETON)],
  });
  // fieldSelector: only the supported fields and operators, values compared as text.
  const FIELD_INVALID: readonly string[] = [
    'spec.nodeName=n1',
    'metadata.labels.app=web',
    'metadata.name in (web-0)',
    'metadata.name',
    '=web-0',
    'metadata.name=web-0 or vector(1)',
    'metadata.name=web-0,,metadata.namespace=shop',
    'metadata.name=a b',
    'metadata.name>1',
  ];
  for (const sel of FIELD_INVALID) {
    out.push({
      category: 'selectors',
      name: `custom fieldSelector ${JSON.stringify(sel)}`,
      target: `${podList}?fieldSelector=${enc(sel)}`,
      expect: BAD,
    });
  }
  for (const sel of [
    'metadata.uid=1',
    'status.podIP=1.2.3.4',
    'metadata.name=a\\b',
    'metadata.name=a b',
    'metadata.name',
  ]) {
    out.push({
      category: 'selectors',
      name: `resource fieldSelector ${JSON.stringify(sel)}`,
      target: `${res}?fieldSelector=${enc(sel)}`,
      expect: BAD,
    });
  }
  for (const [sel, items] of [
    ['metadata.name=x.y', ['x.y']],
    ['metadata.name!=x.y', ['web-0', 'web-1', 'xzy']],
    ['metadata.name=")or(vector(1)', []],
    ['metadata.name=x.*', []],
    // As in kube: `=~web` is the operator `=` and the value `~web`.
    ['metadata.name=~web', []],
    ['metadata.name==web-0,metadata.namespace=shop', ['web-0']],
  ] as const) {
    out.push({
      category: 'selectors',
      name: `custom fieldSelector ${JSON.stringify(sel)} filters objects by their text`,
      target: `${podList}?fieldSelector=${enc(sel)}`,
      expect: { ok: true, items },
      ...(items.length > 0
        ? { promql: [customQuery([['namespace', '=', NAMESPACE], podMatcher(items)])] }
        : {}),
    });
  }
  // An empty value is a value: `app=` selects pods without the label, and is `app=""` in PromQL.
  for (const sel of ['app=', 'app==']) {
    out.push({
      category: 'selectors',
      name: `labelSelector ${JSON.stringify(sel)} on custom pods/* selects nothing`,
      target: `${podList}?labelSelector=${enc(sel)}`,
      expect: { ok: true, items: [] },
    });
    out.push({
      category: 'selectors',
      name: `metricLabelSelector ${JSON.stringify(sel)} on custom`,
      target: `${onePod}?metricLabelSelector=${enc(sel)}`,
      expect: { ok: true, items: ['web-0'] },
      promql: [
        customQuery([
          ['app', '=', ''],
          ['namespace', '=', NAMESPACE],
          ['pod', '=', 'web-0'],
        ]),
      ],
    });
    out.push({
      category: 'selectors',
      name: `labelSelector ${JSON.stringify(sel)} on external`,
      target: `${ext}?labelSelector=${enc(sel)}`,
      expect: { ok: true, items: [...QUEUES] },
      promql: [
        externalQuery([
          ['app', '=', ''],
          ['namespace', '=', NAMESPACE],
        ]),
      ],
    });
  }
  // A malformed labelSelector is a 400 on a named object too, where it selects nothing: the
  // request is malformed whatever it names (custom-metrics-apiserver parses it on every get).
  for (const sel of ['app in (', '{__name__=~".+"}', 'app=web)or(vector(1)']) {
    out.push({
      category: 'selectors',
      name: `labelSelector ${JSON.stringify(sel)} on a named custom object`,
      target: `${onePod}?labelSelector=${enc(sel)}`,
      expect: BAD,
    });
  }
  out.push({
    category: 'selectors',
    name: 'unsupported fieldSelector on a named custom object',
    target: `${onePod}?fieldSelector=${enc('spec.nodeName=n1')}`,
    expect: BAD,
  });
  // A well-formed one there changes nothing.
  out.push({
    category: 'selectors',
    name: 'labelSelector on a named custom object is not a filter',
    target: `${onePod}?labelSelector=${enc('app=nothing')}`,
    expect: { ok: true, items: ['web-0'] },
    promql: [
      customQuery([
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'web-0'],
      ]),
    ],
  });
  // Repeated parameters: the first counts (url.Values.Get); the second never reaches PromQL.
  out.push({
    category: 'selectors',
    name: 'repeated metricLabelSelector: the first one',
    target: `${onePod}?metricLabelSelector=${enc('shard=a.b')}&metricLabelSelector=${enc('shard!=a.b')}`,
    expect: { ok: true, items: ['web-0'] },
    promql: [
      customQuery([
        ['shard', '=', 'a.b'],
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'web-0'],
      ]),
    ],
  });
  out.push({
    category: 'selectors',
    name: 'repeated labelSelector: the first one',
    target: `${podList}?labelSelector=${enc('app=a.b')}&labelSelector=${enc('app=web')}`,
    expect: { ok: true, items: ['x.y'] },
    promql: [
      customQuery([
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'x.y'],
      ]),
    ],
  });
  // Matchers on the object's own labels only narrow: they cannot widen to other objects.
  out.push({
    category: 'selectors',
    name: 'metricLabelSelector on pod cannot add another pod',
    target: `${onePod}?metricLabelSelector=${enc('pod in (web-0, web-1)')}`,
    expect: { ok: true, items: ['web-0'] },
    promql: [
      customQuery([
        ['pod', '=~', 'web-0|web-1'],
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'web-0'],
      ]),
    ],
  });
  out.push({
    category: 'selectors',
    name: 'external labelSelector on namespace cannot reach another namespace',
    target: `${ext}?labelSelector=${enc('namespace=kube-system')}`,
    expect: { ok: true, items: [] },
    promql: [
      externalQuery([
        ['namespace', '=', 'kube-system'],
        ['namespace', '=', NAMESPACE],
      ]),
    ],
  });
  // The largest set a selector may hold, written out and parsed back whole.
  const many = Array.from({ length: 1000 }, (_, i) => `v${i}.x`);
  out.push({
    category: 'selectors',
    name: 'metricLabelSelector with 1000 set values',
    target: `${onePod}?metricLabelSelector=${enc(`shard in (${many.join(',')})`)}`,
    expect: NOT_FOUND,
    promql: [
      customQuery([
        ['shard', '=~', literalAlternation([...many].sort())],
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'web-0'],
      ]),
    ],
  });
  // watch is not served.
  for (const w of ['true', '1']) {
    out.push({
      category: 'selectors',
      name: `resource pods watch=${w}`,
      target: `${res}?watch=${w}`,
      expect: METHOD,
    });
  }
  return out;
}

// ---- Resource names: what the REST mapper resolves, and what it must not ----

function resourceNameCases(): HostileCase[] {
  const one = [
    customQuery([
      ['namespace', '=', NAMESPACE],
      ['pod', '=', 'web-0'],
    ]),
  ];
  const c = (resource: string, expect: Outcome, promql?: readonly ExpectedQuery[]): HostileCase => ({
    category: 'resource-names',
    name: `custom resource ${JSON.stringify(resource)}`,
    target: `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/${enc(resource)}/web-0/hostile_gauge`,
    expect,
    ...(promql ? { promql } : {}),
  });
  return [
    c('pods', { ok: true, items: ['web-0'] }, one),
    // The REST mapper resolves the singular, as the kube-apiserver's does.
    c('pod', { ok: true, items: ['web-0'] }, one),
    // apimachinery's RESTMapper lower-cases the resource, and `pods.` is group "" (as
    // schema.ParseGroupResource reads it): all the core pods.
    c('Pod', { ok: true, items: ['web-0'] }, one),
    c('PODS', { ok: true, items: ['web-0'] }, one),
    c('pods.', { ok: true, items: ['web-0'] }, one),
    // Short names are kubectl's business, not the API's.
    c('po', NOT_FOUND),
    c('.pods', BAD),
    c('pods..', NOT_FOUND),
    c('pods.v1', NOT_FOUND),
    c('pods.apps', NOT_FOUND),
    c('services', NOT_FOUND),
    c('deployments.apps', NOT_FOUND),
    c('nodes', NOT_FOUND),
    c('pods.evil.example.com', NOT_FOUND),
  ];
}

// ---- Objects that exist without data: 404 for one object, an empty list for a wildcard ----

function absentDataCases(): HostileCase[] {
  const ns = IDLE_NAMESPACE;
  const one = [
    customQuery([
      ['namespace', '=', ns],
      ['pod', '=', IDLE_POD],
    ]),
  ];
  return [
    {
      category: 'absent-data',
      name: 'custom metric of a pod without samples is a 404',
      target: `${CUSTOM}/v1beta1/namespaces/${ns}/pods/${IDLE_POD}/hostile_gauge`,
      expect: NOT_FOUND,
      promql: one,
    },
    {
      category: 'absent-data',
      name: 'custom wildcard without samples is an empty list',
      target: `${CUSTOM}/v1beta2/namespaces/${ns}/pods/*/hostile_gauge`,
      expect: { ok: true, items: [] },
      promql: one,
    },
    {
      category: 'absent-data',
      name: 'resource metrics of a pod without samples: 404 podmetrics',
      target: `${RESOURCE}/namespaces/${ns}/pods/${IDLE_POD}`,
      expect: { ...NOT_FOUND, detailsKind: 'podmetrics' },
      promql: podResourceQueries(ns, [IDLE_POD]),
    },
    {
      category: 'absent-data',
      name: 'resource metrics list of a namespace without samples is empty',
      target: `${RESOURCE}/namespaces/${ns}/pods`,
      expect: { ok: true, items: [] },
      promql: podResourceQueries(ns, [IDLE_POD]),
    },
  ];
}

// ---- Methods ----

function methodCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const targets = [
    `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/web-0/hostile_gauge`,
    `${EXTERNAL}/namespaces/${NAMESPACE}/queue_depth`,
    `${RESOURCE}/namespaces/${NAMESPACE}/pods`,
    `${RESOURCE}/nodes/${NODE}`,
    '/apis',
    `${CUSTOM}/v1beta2`,
  ];
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL']) {
    for (const target of targets) {
      out.push({
        category: 'methods',
        name: `${method} ${target}`,
        method,
        target,
        headers: method === 'TRACE' || method === 'OPTIONS' ? [] : [['Content-Length', '0']],
        expect: METHOD,
      });
    }
  }
  // A method node's parser does not know never reaches the app.
  out.push({
    category: 'methods',
    name: 'unknown method CONNECTX',
    method: 'CONNECTX',
    target: '/apis',
    expect: BAD,
  });
  out.push({
    category: 'methods',
    name: 'lower-case get',
    method: 'get',
    target: '/apis',
    expect: BAD,
  });
  // Anonymous writes are 401 first, as on the kube-apiserver.
  out.push({
    category: 'methods',
    name: 'anonymous DELETE',
    method: 'DELETE',
    target: targets[0] ?? '',
    identity: 'none',
    expect: UNAUTHORIZED,
  });
  return out;
}

// ---- Forged identities ----

const FORGED_HEADERS: readonly (readonly [string, readonly (readonly [string, string])[]])[] = [
  ['admin user', [['X-Remote-User', 'system:admin']]],
  [
    'masters group',
    [
      ['X-Remote-User', 'mallory'],
      ['X-Remote-Group', 'system:masters'],
    ],
  ],
  [
    'extra scopes',
    [
      ['X-Remote-User', 'mallory'],
      ['X-Remote-Extra-Scopes', 'cluster-admin'],
    ],
  ],
  [
    'lower-case names',
    [
      ['x-remote-user', 'system:admin'],
      ['x-remote-group', 'system:masters'],
    ],
  ],
  [
    'repeated user',
    [
      ['X-Remote-User', 'tester'],
      ['X-Remote-User', 'system:admin'],
    ],
  ],
  [
    'Impersonate-User',
    [
      ['Impersonate-User', 'system:admin'],
      ['Impersonate-Group', 'system:masters'],
    ],
  ],
  ['empty user', [['X-Remote-User', '']]],
  [
    'underscored names',
    [
      ['X_Remote_User', 'system:admin'],
      ['X_Remote_Group', 'system:masters'],
    ],
  ],
];

const WRONG_CERTS: readonly Identity[] = [
  'none',
  'selfSigned',
  'stranger',
  'expiredProxy',
  'rogueProxy',
  'proxyServerOnly',
  'clientServerOnly',
  'expiredClient',
];

function identityCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const targets: readonly [string, Outcome, readonly ExpectedQuery[] | undefined][] = [
    [
      `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/web-0/hostile_gauge`,
      { ok: true, items: ['web-0'] },
      [
        customQuery([
          ['namespace', '=', NAMESPACE],
          ['pod', '=', 'web-0'],
        ]),
      ],
    ],
    [
      `${EXTERNAL}/namespaces/${NAMESPACE}/queue_depth`,
      { ok: true, items: [...QUEUES] },
      [externalQuery([['namespace', '=', NAMESPACE]])],
    ],
    [`${RESOURCE}/nodes/${NODE}`, { ok: true, items: [NODE] }, nodeResourceQueries([NODE])],
    ['/apis', { ok: true }, undefined],
  ];
  for (const [hname, headers] of FORGED_HEADERS) {
    for (const identity of WRONG_CERTS) {
      for (const [target] of targets) {
        out.push({
          category: 'identity',
          name: `forged ${hname} with ${identity} certificate → ${target}`,
          target,
          headers,
          identity,
          expect: UNAUTHORIZED,
        });
      }
    }
    // A client-CA certificate is an identity of its own: the headers are ignored.
    for (const [target, expect, promql] of targets) {
      out.push({
        category: 'identity',
        name: `forged ${hname} with the tester's client certificate is ignored → ${target}`,
        target,
        headers,
        identity: 'tester',
        expect,
        ...(promql ? { promql } : {}),
        sarUser: 'tester',
      });
    }
  }
  // Bearer tokens nobody issued, and other schemes: never an identity.
  for (const auth of [
    'Bearer forged',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer ',
  ]) {
    out.push({
      category: 'identity',
      name: `Authorization ${JSON.stringify(auth)} without a certificate`,
      target: '/apis',
      headers: [['Authorization', auth]],
      identity: 'none',
      expect: UNAUTHORIZED,
    });
  }
  // The control: the real front proxy's certificate makes the headers believed.
  out.push({
    category: 'identity',
    name: 'front-proxy certificate + X-Remote-User alice (control)',
    target: `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/web-0/hostile_gauge`,
    headers: [
      ['X-Remote-User', 'alice'],
      ['X-Remote-Group', 'devs'],
    ],
    identity: 'frontProxy',
    expect: { ok: true, items: ['web-0'] },
    promql: [
      customQuery([
        ['namespace', '=', NAMESPACE],
        ['pod', '=', 'web-0'],
      ]),
    ],
    sarUser: 'alice',
  });
  out.push({
    category: 'identity',
    name: 'front-proxy certificate without X-Remote-User',
    target: '/apis',
    headers: [['X-Remote-Group', 'system:masters']],
    identity: 'frontProxy',
    expect: UNAUTHORIZED,
  });
  return out;
}

// ---- Oversize headers (the adapter's 32 KiB request head) ----

function headerCases(): HostileCase[] {
  const target = `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/web-0/hostile_gauge`;
  return [
    {
      category: 'headers',
      name: 'one 33 KiB header',
      target,
      headers: [['X-Big', 'a'.repeat(33 * 1024)]],
      expect: HEAD_TOO_LARGE,
    },
    {
      category: 'headers',
      name: 'one 17 KiB header (within the 32 KiB head)',
      target,
      headers: [['X-Big', 'a'.repeat(17 * 1024)]],
      expect: { ok: true, items: ['web-0'] },
      promql: [
        customQuery([
          ['namespace', '=', NAMESPACE],
          ['pod', '=', 'web-0'],
        ]),
      ],
    },
    {
      category: 'headers',
      name: '64 KiB of headers',
      target,
      headers: Array.from({ length: 64 }, (_, i) => [`X-H${i}`, 'b'.repeat(1024)] as const),
      expect: HEAD_TOO_LARGE,
    },
    {
      category: 'headers',
      name: '33 KiB X-Remote-User with a client cert',
      target,
      headers: [['X-Remote-User', 'u'.repeat(33 * 1024)]],
      expect: HEAD_TOO_LARGE,
    },
    {
      category: 'headers',
      name: 'header name with a NUL',
      target,
      headers: [['X-Bad\u0000', '1']],
      expect: BAD,
    },
    {
      category: 'headers',
      name: 'header value with a raw CR',
      target,
      headers: [['X-Remote-User', 'a\rb']],
      expect: BAD,
    },
    {
      category: 'headers',
      name: 'header without a colon',
      target,
      headers: [['X-No-Colon', '']].map(([k]) => [`${k ?? ''} no colon`, ''] as const),
      expect: BAD,
    },
  ];
}

/**
 * The connection and request limits (docs/configuration.md, "Limits"): a target over 16 KiB is a
 * 414 before routing, a head that never finishes is answered 408 and closed after the 10 s head
 * timeout. 429 (in-flight) and 504 (request timeout) need parallel load or a slow Prometheus,
 * which this sequential runner does not make: test/integration/limits.test.ts covers them.
 */
export const LIMIT_CASES: readonly HostileCase[] = [
  {
    category: 'limits',
    name: '17 KiB labelSelector (target over 16 KiB)',
    target: `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/*/hostile_gauge?labelSelector=app%20in%20(${'a'.repeat(17 * 1024)})`,
    expect: { status: 414, reason: 'RequestURITooLong' },
  },
  {
    category: 'limits',
    name: '20 KiB path segment',
    target: `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/${'p'.repeat(20 * 1024)}/hostile_gauge`,
    expect: { status: 414, reason: 'RequestURITooLong' },
  },
  {
    category: 'limits',
    name: 'a head that never finishes',
    target: `${CUSTOM}/v1beta1/namespaces/${NAMESPACE}/pods/web-0/hostile_gauge`,
    stallAfterBytes: 40,
    timeoutMs: 14_000,
    expect: { status: 408, reason: 'Timeout' },
  },
];

export function hostileCorpus(): HostileCase[] {
  return [
    ...pathCases(),
    ...valueCases(),
    ...selectorCases(),
    ...absentDataCases(),
    ...resourceNameCases(),
    ...methodCases(),
    ...identityCases(),
    ...headerCases(),
    ...LIMIT_CASES,
  ];
}
