/**
 * `check` on every rules file the project ships (rules/ and rules/examples/, whose examples of
 * rule objects are checked object by object), without a cluster or a Prometheus: each compiles
 * with no errors, its resourceRules queries render and parse.
 * (The same files against a real Prometheus: test/rules/rule-sets.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkRulesFile } from '../../src/cli/rule-tools/index.js';
import { BUILTIN_RESOURCES, ResourceIndex } from '../../src/kube/index.js';

const RULES = fileURLToPath(new URL('../../rules/', import.meta.url));

function ruleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? ruleFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

describe('check on the shipped rule sets (no cluster, no Prometheus)', () => {
  const files = ruleFiles(RULES);
  it('finds the rule sets, and the examples of rule objects', () => {
    assert.ok(files.length >= 5, files.join(', '));
    for (const f of ['examples/clustermetricrule-http.yaml', 'examples/metricrule-team-queue.yaml'])
      assert.ok(files.includes(join(RULES, f)), f);
  });
  for (const file of files) {
    it(file.slice(RULES.length), async () => {
      const report = await checkRulesFile({
        file,
        mapper: new ResourceIndex(BUILTIN_RESOURCES),
        resourcesFrom: 'builtin',
        maxAgeMs: 60_000,
      });
      assert.equal(report.compiled, true, JSON.stringify(report.diagnostics));
      assert.equal(report.errors, 0, JSON.stringify(report.diagnostics));
      for (const q of report.resourceRules) assert.deepEqual(q.syntax, { ok: true }, JSON.stringify(q));
    });
  }
});
