import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanVectorAnswer } from '../../src/prometheus/vector-scan.js';

/** What the general path makes of an answer, for comparison. */
function parsed(text: string): { labels: Record<string, string>; value: number; timestamp: number }[] {
  const env = JSON.parse(text) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return env.data.result.map((r) => ({
    labels: r.metric,
    value: Number(r.value[1]),
    timestamp: r.value[0] * 1000,
  }));
}

function scanned(
  text: string,
): { labels: Record<string, string>; value: number; timestamp: number }[] | undefined {
  return scanVectorAnswer(text)?.map((s) => ({
    labels: { ...s.labels },
    value: s.value,
    timestamp: s.timestamp.getTime(),
  }));
}

const answer = (result: string, after = ''): string =>
  `{"status":"success","data":{"resultType":"vector","result":[${result}]}${after}}`;

describe('scanVectorAnswer: reads the compact vector shape exactly as JSON.parse does', () => {
  const cases: [string, string][] = [
    ['empty', answer('')],
    ['one sample', answer('{"metric":{"pod":"web-1"},"value":[1700000000.123,"5.914"]}')],
    ['no labels', answer('{"metric":{},"value":[1700000000,"1"]}')],
    [
      'several samples and labels',
      answer(
        '{"metric":{"namespace":"a","pod":"p-1"},"value":[1700000000.5,"1"]},{"metric":{"namespace":"a","pod":"p-2"},"value":[1700000000.5,"2.5e-3"]}',
      ),
    ],
    ['escapes in labels', answer('{"metric":{"path":"/a\\"b\\\\c\\n","x":"\\u00e9"},"value":[1,"3"]}')],
    ['unicode', answer('{"metric":{"pod":"ünïcødé💥"},"value":[1,"4"]}')],
    [
      'special values',
      answer(
        '{"metric":{"a":"1"},"value":[1,"NaN"]},{"metric":{"a":"2"},"value":[1,"+Inf"]},{"metric":{"a":"3"},"value":[1,"-Inf"]}',
      ),
    ],
    ['warnings after data', answer('{"metric":{},"value":[1,"1"]}', ',"warnings":["x"]')],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const got = scanned(text);
      assert.ok(got, 'the fast path should accept this answer');
      assert.deepEqual(got, parsed(text));
    });
  }
});

describe('scanVectorAnswer: anything else falls back (undefined)', () => {
  const cases: [string, string][] = [
    ['whitespace', '{"status": "success", "data": {"resultType": "vector", "result": []}}'],
    ['other key order', '{"data":{"resultType":"vector","result":[]},"status":"success"}'],
    ['matrix', '{"status":"success","data":{"resultType":"matrix","result":[]}}'],
    ['scalar', '{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}'],
    ['error', '{"status":"error","errorType":"bad_data","error":"x"}'],
    ['native histogram sample', answer('{"metric":{},"histogram":[1,{"count":"1"}]}')],
    ['value before metric', answer('{"value":[1,"1"],"metric":{}}')],
    ['non-string label value', answer('{"metric":{"a":1},"value":[1,"1"]}')],
    ['truncated', answer('{"metric":{"a":"1"},"value":[1,"1"]}').slice(0, -5)],
    ['trailing garbage', `${answer('')}x`],
    ['bad timestamp', answer('{"metric":{},"value":[abc,"1"]}')],
  ];
  for (const [name, text] of cases) it(name, () => assert.equal(scanVectorAnswer(text), undefined));
});

describe('scanVectorAnswer: random label values agree with JSON.parse', () => {
  it('200 random answers', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = [
      'a',
      'Z',
      '0',
      '-',
      '"',
      '\\',
      '\n',
      '\t',
      'é',
      '💥',
      '\u2028',
      '/',
      '{',
      '}',
      ',',
      ':',
      '[',
      ']',
    ];
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: rand(5) }, () => {
        const metric: Record<string, string> = {};
        for (let k = 0; k < rand(4); k++)
          metric[`l${k}`] = Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]).join('');
        return { metric, value: [1_700_000_000 + rand(1000) / 1000, String(rand(100000) / 7)] };
      });
      const text = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: items } });
      assert.deepEqual(scanned(text), parsed(text), text);
    }
  });
});
