/**
 * The walkthrough's HPA is a valid autoscaling/v2 object asking for the metric the example rule
 * yields, and the page shows the same manifest as manifests/examples/hpa-http-requests.yaml.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { parse, parseAllDocuments } from 'yaml';
import { parseRulesText } from '../../src/config/rules-file.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const MANIFEST = 'manifests/examples/hpa-http-requests.yaml';

function strip(yaml: string): string {
  return yaml
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .trim();
}

describe(MANIFEST, () => {
  const docs = parseAllDocuments(repoFile(MANIFEST));

  it('is one valid autoscaling/v2 HorizontalPodAutoscaler', () => {
    assert.equal(docs.length, 1);
    const hpa = new HorizontalPodAutoscaler(
      docs[0]?.toJS() as ConstructorParameters<typeof HorizontalPodAutoscaler>[0],
    );
    hpa.validate();
  });

  it('is refused by the validator when broken, so the check above means something', () => {
    const broken = docs[0]?.toJS() as { spec: { maxReplicas: unknown } };
    broken.spec.maxReplicas = 'ten';
    assert.throws(() => new HorizontalPodAutoscaler(broken as never).validate());
  });

  it('targets the average of http_requests_per_second per pod', () => {
    const hpa = new HorizontalPodAutoscaler(docs[0]?.toJS() as never);
    const metrics = hpa.spec?.metrics ?? [];
    assert.equal(metrics.length, 1);
    const pods = metrics[0]?.pods;
    assert.equal(metrics[0]?.type, 'Pods');
    assert.ok(pods);
    assert.equal(pods.metric.name, 'http_requests_per_second');
    assert.equal(pods.target.type, 'AverageValue');
    assert.notEqual(pods.target.averageValue, undefined);
  });

  it('asks for a name the example rule yields', () => {
    const { config, diagnostics } = parseRulesText(
      repoFile('rules/examples/http-requests.yaml'),
      'http-requests.yaml',
    );
    assert.deepEqual(diagnostics, []);
    const [rule] = config.rules;
    const series = 'http_requests_total';
    const matches = new RegExp(rule?.name.matches?.value ?? '');
    assert.equal(
      series.replace(matches, (rule?.name.as?.value ?? '').replace('${1}', '$1')),
      'http_requests_per_second',
    );
  });

  it('is shown unchanged in docs/walkthrough.md', () => {
    const page = repoFile('docs/walkthrough.md');
    const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const hpaBlock = blocks.find((b) => b.includes('kind: HorizontalPodAutoscaler'));
    assert.ok(hpaBlock, 'no HorizontalPodAutoscaler in docs/walkthrough.md');
    assert.equal(strip(hpaBlock), strip(repoFile(MANIFEST)));
    assert.deepEqual(parse(hpaBlock), docs[0]?.toJS());
  });
});
