/**
 * The reference pages stay true to the code: every flag of FLAG_SPECS is in
 * docs/configuration.md and every `--flag` it names exists; every key the rules-file loader
 * accepts is in docs/rules.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FLAG_SPECS } from '../../src/config/flag-specs.js';
import { parseRulesText } from '../../src/config/rules-file.js';

const read = (page: string): string => readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');

/** Flags named in inline code spans (`--name`, `--name=value`), spelled with - for _. */
function flagsNamed(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const span of markdown.matchAll(/`([^`\n]+)`/g)) {
    for (const m of (span[1] ?? '').matchAll(/(?:^|[\s,(])--([a-z0-9][a-z0-9_-]*)/g)) {
      names.add((m[1] ?? '').replaceAll('_', '-'));
    }
  }
  return names;
}

/** Not flags of FLAG_SPECS but commands' own switches the page may name. */
const COMMAND_SWITCHES = new Set(['help', 'help-all', 'version']);

describe('docs/configuration.md', () => {
  const doc = read('configuration.md');
  const named = flagsNamed(doc);

  it('names every flag of FLAG_SPECS', () => {
    const missing = FLAG_SPECS.map((f) => f.name).filter((n) => !named.has(n));
    assert.deepEqual(missing, [], `flags missing from docs/configuration.md: ${missing.join(', ')}`);
  });

  it('names no flag that does not exist', () => {
    const known = new Set(FLAG_SPECS.map((f) => f.name));
    const unknown = [...named].filter((n) => !known.has(n) && !COMMAND_SWITCHES.has(n));
    assert.deepEqual(unknown, [], `docs/configuration.md names unknown flags: ${unknown.join(', ')}`);
  });

  it('finds flags only in code spans, with _ read as -', () => {
    assert.deepEqual([...flagsNamed('`--log_dir` and `--v=4`, `a --b-c x`; plain --nope; `x--y`')].sort(), [
      'b-c',
      'log-dir',
      'v',
    ]);
  });
});

/**
 * Where in a rules file keys are checked, with a document putting an unknown key there: the
 * loader's error lists the keys it accepts at that place.
 */
const PLACES: { place: string; yaml: string }[] = [
  { place: 'top level', yaml: 'zzUnknown: 1\n' },
  { place: 'rules[0]', yaml: 'rules:\n  - zzUnknown: 1\n' },
  { place: 'externalRules[0]', yaml: 'externalRules:\n  - zzUnknown: 1\n' },
  { place: 'seriesFilters[0]', yaml: 'rules:\n  - seriesFilters:\n      - zzUnknown: x\n' },
  { place: 'resources', yaml: 'rules:\n  - resources:\n      zzUnknown: 1\n' },
  {
    place: 'resources.overrides.<label>',
    yaml: 'rules:\n  - resources:\n      overrides:\n        pod: { zzUnknown: x, resource: pod }\n',
  },
  { place: 'name', yaml: 'rules:\n  - name:\n      zzUnknown: x\n' },
  {
    place: 'labelValueReplacements[0]',
    yaml: 'externalRules:\n  - labelValueReplacements:\n      - zzUnknown: x\n',
  },
  { place: 'resourceRules', yaml: 'resourceRules:\n  zzUnknown: 1\n' },
  { place: 'resourceRules.cpu', yaml: 'resourceRules:\n  cpu:\n    zzUnknown: 1\n' },
  { place: 'resourceRules.memory', yaml: 'resourceRules:\n  memory:\n    zzUnknown: 1\n' },
];

function acceptedKeys(yaml: string): string[] {
  const { diagnostics } = parseRulesText(yaml, 'probe.yaml');
  const unknown = diagnostics.find((d) => d.message.includes('unknown key "zzUnknown"'));
  assert.ok(unknown, `the loader did not reject an unknown key in:\n${yaml}`);
  const list = /allowed keys: (.+)$/.exec(unknown.message)?.[1];
  assert.ok(list, `no list of allowed keys in: ${unknown.message}`);
  return list.split(', ');
}

describe('docs/rules.md', () => {
  const doc = read('rules.md');
  const documented = new Set<string>();
  for (const span of doc.matchAll(/`([^`\n]+)`/g)) {
    for (const word of (span[1] ?? '').split(/[^A-Za-z0-9_]+/)) if (word !== '') documented.add(word);
  }

  for (const { place, yaml } of PLACES) {
    it(`documents every key the loader accepts at ${place}`, () => {
      const keys = acceptedKeys(yaml);
      assert.ok(keys.length > 0);
      const missing = keys.filter((k) => !documented.has(k));
      assert.deepEqual(missing, [], `keys at ${place} missing from docs/rules.md: ${missing.join(', ')}`);
    });
  }
});
