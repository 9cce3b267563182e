import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, parseCommandLine } from '../../src/config/flags.js';
import { closestMatch, damerauLevenshtein, suggestionThreshold } from '../../src/config/suggest.js';

describe('damerauLevenshtein', () => {
  const cases: { a: string; b: string; want: number }[] = [
    { a: '', b: '', want: 0 },
    { a: '', b: 'abc', want: 3 },
    { a: 'abc', b: '', want: 3 },
    { a: 'config', b: 'config', want: 0 },
    { a: 'Config', b: 'config', want: 0 },
    { a: 'prometheus-ulr', b: 'prometheus-url', want: 1 }, // adjacent swap
    { a: 'prometheus-lru', b: 'prometheus-url', want: 2 }, // not adjacent: two substitutions
    { a: 'secure-prot', b: 'secure-port', want: 1 },
    { a: 'secureport', b: 'secure-port', want: 1 }, // insertion
    { a: 'kubeconfigg', b: 'kubeconfig', want: 1 }, // deletion
    { a: 'kubeconfog', b: 'kubeconfig', want: 1 }, // substitution
    { a: 'ca', b: 'abc', want: 3 }, // optimal string alignment: no edit after a swap
    { a: 'kitten', b: 'sitting', want: 3 },
  ];
  for (const c of cases) {
    it(`"${c.a}" ↔ "${c.b}" = ${c.want}`, () => {
      assert.equal(damerauLevenshtein(c.a, c.b), c.want);
      assert.equal(damerauLevenshtein(c.b, c.a), c.want, 'symmetric');
    });
  }
});

describe('suggestionThreshold', () => {
  const cases: { name: string; want: number }[] = [
    { name: 'v', want: 0 },
    { name: 'vv', want: 0 },
    { name: 'cfg', want: 1 },
    { name: 'config', want: 1 },
    { name: 'secure-port', want: 2 },
    { name: 'prometheus-url', want: 3 },
    { name: 'authentication-tolerate-lookup-failure', want: 3 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.want}`, () => assert.equal(suggestionThreshold(c.name), c.want));
  }
});

describe('closestMatch', () => {
  it('prefers the nearest candidate and the first listed on a tie', () => {
    assert.equal(closestMatch('abcd', ['abxx', 'abcx', 'abcy']), 'abcx');
  });
  it('returns nothing beyond the threshold', () => {
    assert.equal(closestMatch('zzzzzz', ['config', 'secure-port']), undefined);
  });
});

describe('unknown flags suggest the closest known flag', () => {
  const cases: { arg: string; want: string }[] = [
    { arg: '--prometheus-ulr', want: 'unknown flag: --prometheus-ulr (did you mean --prometheus-url?)' },
    {
      arg: '--prometheus-ulr=http://x',
      want: 'unknown flag: --prometheus-ulr (did you mean --prometheus-url?)',
    },
    { arg: '--secure-prot=8443', want: 'unknown flag: --secure-prot (did you mean --secure-port?)' },
    { arg: '--securePort=8443', want: 'unknown flag: --securePort (did you mean --secure-port?)' },
    { arg: '--kubconfig=x', want: 'unknown flag: --kubconfig (did you mean --kubeconfig?)' },
    { arg: '-confg=x', want: 'unknown flag: --confg (did you mean --config?)' },
    { arg: '--bind-adress=::1', want: 'unknown flag: --bind-adress (did you mean --bind-address?)' },
    { arg: '--tls-cert=x', want: 'unknown flag: --tls-cert (see --help)' },
    {
      arg: '--metrics-relist-intervall=1m',
      want: 'unknown flag: --metrics-relist-intervall (did you mean --metrics-relist-interval?)',
    },
    { arg: '--nope', want: 'unknown flag: --nope (see --help)' },
    { arg: '--x', want: 'unknown flag: --x (see --help)' },
    { arg: '--prometheus', want: 'unknown flag: --prometheus (see --help)' },
  ];
  for (const c of cases) {
    it(c.arg, () => {
      assert.throws(
        () => parseCommandLine(['serve', c.arg]),
        (err: unknown) => err instanceof FlagError && err.message === c.want,
      );
    });
  }
});
