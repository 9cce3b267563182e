/**
 * The incremental reader of /api/v1/series answers: it must give exactly what JSON.parse plus
 * shapesOf give, however the bytes are split, and refuse anything that is not a complete answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MalformedAnswerError,
  SeriesShapeScanner,
  type SeriesAnswer,
} from '../../src/prometheus/series-scan.js';
import { shapesOf } from '../../src/rules/index.js';

function scan(chunks: Iterable<Uint8Array>): SeriesAnswer {
  const s = new SeriesShapeScanner();
  for (const c of chunks) s.write(c);
  return s.end();
}

/** The answer as every split into two chunks, and byte by byte. */
function* splits(bytes: Buffer): Generator<Uint8Array[]> {
  for (let k = 0; k <= bytes.length; k++) yield [bytes.subarray(0, k), bytes.subarray(k)];
  yield Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

function expected(text: string): ReturnType<typeof shapesOf> {
  return shapesOf((JSON.parse(text) as { data: Record<string, string>[] }).data);
}

const SUCCESS: { name: string; text: string }[] = [
  { name: 'no series', text: '{"status":"success","data":[]}' },
  {
    name: 'compact, as Prometheus writes it',
    text: JSON.stringify({
      status: 'success',
      data: [
        { __name__: 'http_requests_total', namespace: 'a', pod: 'p1' },
        { __name__: 'http_requests_total', namespace: 'b', pod: 'p2' },
        { __name__: 'http_requests_total', namespace: 'b', pod: 'p2', service: 's' },
        { __name__: 'up', job: 'x' },
      ],
    }),
  },
  {
    name: 'escapes and unicode in label values and names',
    text: JSON.stringify({
      status: 'success',
      data: [
        { __name__: 'm', pod: 'quote " backslash \\ slash / tab \t newline \n', ns: '\u0001\u001f' },
        { __name__: 'm', pod: 'é 日本 😀 \ud800', ünïcödé: 'x' },
        { __name__: 'm_😀', läbel: '"' },
      ],
    }).replace('slash /', 'slash \\/'),
  },
  {
    name: 'escaped names decode like JSON.parse',
    text: '{"status":"success","data":[{"__name__":"a\\u0062c\\n","l\\u00e9":"v","\\"q\\"":"\\ud83d\\ude00"}]}',
  },
  {
    name: 'whitespace, other key orders, warnings and infos',
    text: `{
      "data" : [ { "pod" : "a" , "__name__" : "x" } ,
                 {"namespace":"n","__name__":"x","pod":"b"} ],
      "warnings": ["w", {"nested": [1, -2.5e3, true, false, null]}],
      "infos": [],
      "status" : "success"
    }\n`,
  },
  {
    name: 'series without a name, with an empty name, repeated and unsorted labels',
    text: '{"status":"success","data":[{"pod":"a"},{"__name__":"","pod":"a"},{"__name__":"x","b":"1","a":"2","b":"3"},{"__name__":"x","a":"1","b":"2"},{"__name__":"y","__name__":"z","a":"1"},{}]}',
  },
];

describe('SeriesShapeScanner', () => {
  for (const c of SUCCESS) {
    it(`reads ${c.name} like JSON.parse + shapesOf, split anywhere`, () => {
      const bytes = Buffer.from(c.text);
      const want = expected(c.text);
      for (const chunks of splits(bytes)) {
        const got = scan(chunks);
        assert.equal(got.status, 'success');
        assert.equal(got.hasData, true);
        assert.deepEqual(got.shapes, want, `split ${chunks.map((x) => x.length).join('+')}`);
      }
    });
  }

  it('shares one string per distinct label name', () => {
    const got = scan([Buffer.from(SUCCESS[1]?.text ?? '')]);
    assert.ok(got.shapes.length >= 2);
    const [a, b] = got.shapes;
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.labels[0], b.labels[0]);
    assert.notEqual(a.labels, b.labels);
  });

  const ERRORS: { name: string; text: string; want: Partial<SeriesAnswer> }[] = [
    {
      name: 'a Prometheus error',
      text: '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \\"}\\""}',
      want: {
        status: 'error',
        errorType: 'bad_data',
        error: '1:5: parse error: unexpected "}"',
        hasData: false,
      },
    },
    {
      name: 'a timeout with data null',
      text: '{"status":"error","data":null,"errorType":"timeout","error":"query timed out"}',
      want: { status: 'error', errorType: 'timeout', error: 'query timed out', hasData: false },
    },
    {
      name: 'success without data',
      text: '{"status":"success"}',
      want: { status: 'success', hasData: false },
    },
  ];
  for (const c of ERRORS) {
    it(`reports ${c.name}, split anywhere`, () => {
      for (const chunks of splits(Buffer.from(c.text))) {
        const got = scan(chunks);
        for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof SeriesAnswer], v, k);
      }
    });
  }

  it('keeps the first 64 KiB of a huge error message', () => {
    const got = scan([Buffer.from(`{"status":"error","error":"${'e'.repeat(200_000)}"}`)]);
    assert.equal(got.error?.length, 64 * 1024);
  });

  const MALFORMED: { name: string; text: string; message: RegExp }[] = [
    { name: 'empty', text: '', message: /empty/ },
    {
      name: 'HTML from a proxy',
      text: '<html>502 Bad Gateway</html>',
      message: /starts with '<', not an object at byte 0/,
    },
    { name: 'a top-level array', text: '[]', message: /not an object/ },
    { name: 'a top-level string', text: '"x"', message: /not an object/ },
    {
      name: 'a label value that is a number',
      text: '{"status":"success","data":[{"a":1}]}',
      message: /label a is not a string/,
    },
    {
      name: 'a series that is not an object',
      text: '{"status":"success","data":[1]}',
      message: /series that is not an object/,
    },
    {
      name: 'a series that is a string',
      text: '{"status":"success","data":["x"]}',
      message: /series that is not an object/,
    },
    {
      name: 'a trailing comma',
      text: '{"status":"success","data":[{"a":"b"},]}',
      message: /series that is not an object|unexpected/,
    },
    { name: 'a missing colon', text: '{"status" "success"}', message: /expected ':'/ },
    { name: 'an unquoted key', text: '{status:"success"}', message: /expected a key/ },
    {
      name: 'an invalid escape',
      text: '{"status":"success","data":[{"a":"\\x"}]}',
      message: /invalid escape/,
    },
    {
      name: 'a short \\u escape',
      text: '{"status":"success","data":[{"a":"\\u12"}]}',
      message: /invalid \\u escape/,
    },
    {
      name: 'a raw control character',
      text: '{"status":"success","data":[{"a":"\n"}]}',
      message: /control character/,
    },
    {
      name: 'an invalid literal',
      text: '{"status":"success","warnings":[tru],"data":[]}',
      message: /invalid literal/,
    },
    {
      name: 'a bad number',
      text: '{"status":"success","warnings":[01],"data":[]}',
      message: /invalid literal/,
    },
    { name: 'garbage after the answer', text: '{"status":"success","data":[]}x', message: /after the end/ },
    { name: 'two answers', text: '{"status":"success","data":[]}{}', message: /after the end/ },
    {
      name: 'a mismatched bracket',
      text: '{"status":"success","data":[{"a":"b"}}',
      message: /unexpected '}' at byte 37/,
    },
  ];
  for (const c of MALFORMED) {
    it(`refuses ${c.name}, split anywhere`, () => {
      for (const chunks of splits(Buffer.from(c.text))) {
        assert.throws(
          () => scan(chunks),
          (e: unknown) => e instanceof MalformedAnswerError && c.message.test(e.message),
        );
      }
    });
  }

  it('refuses every truncation of an answer', () => {
    const text = SUCCESS[2]?.text ?? '';
    const bytes = Buffer.from(text);
    for (let k = 0; k < bytes.length; k++) {
      // Whitespace after the closing brace is the only thing that may be cut off.
      assert.throws(
        () => scan([bytes.subarray(0, k)]),
        (e: unknown) => e instanceof MalformedAnswerError && /ends early|empty/.test(e.message),
        `cut at ${k}`,
      );
    }
  });

  it('refuses a metric name longer than 64 KiB', () => {
    assert.throws(
      () => scan([Buffer.from(`{"status":"success","data":[{"__name__":"${'m'.repeat(70_000)}"}]}`)]),
      /metric name longer than 64 KiB/,
    );
  });

  it('reads a huge answer in random chunks and keeps only its shapes', () => {
    const data: Record<string, string>[] = [];
    for (let g = 0; g < 20; g++)
      for (let p = 0; p < 5_000; p++)
        data.push({ __name__: `gauge_${g}`, namespace: `ns-${p % 7}`, pod: `pod-${p}-é`, job: 'j' });
    for (let p = 0; p < 1_000; p++) data.push({ __name__: 'gauge_0', namespace: 'ns', extra: `${p}` });
    // One label value of 10 MB: skipped, never built as a string.
    data.push({ __name__: 'big', value: 'v'.repeat(10_000_000) });
    const text = JSON.stringify({ status: 'success', data });
    const bytes = Buffer.from(text);
    let seed = 7;
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length;) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const size = 1 + (seed % 70_000);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const got = scan(chunks);
    assert.equal(got.series, data.length);
    assert.deepEqual(got.shapes, expected(text));
    assert.equal(got.shapes.length, 22);
  });
});
