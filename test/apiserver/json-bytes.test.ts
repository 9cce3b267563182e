import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonBytes, bytesOf } from '../../src/apiserver/json-bytes.js';

const tricky = [
  '',
  'web-7c9d5f6b8-bbbbb',
  'a"b',
  'back\\slash',
  'tab\tnew\nline\u0000\u001f',
  'ünïcødé',
  '💥 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  '\u2028\u2029',
  'del\u007f',
];

describe('JsonBytes: writes what JSON.stringify writes, as UTF-8', () => {
  for (const s of tricky) {
    it(JSON.stringify(s), () => {
      const out = new JsonBytes(1);
      out.string(s);
      assert.deepEqual(out.done(), Buffer.from(JSON.stringify(s), 'utf8'));
    });
  }

  it('grows past its first size and keeps what it wrote', () => {
    const out = new JsonBytes(1);
    const expected: string[] = [];
    out.raw('[');
    expected.push('[');
    for (let i = 0; i < 500; i++) {
      const piece = i === 0 ? '' : ',';
      out.bytes(bytesOf(piece));
      out.string(tricky[i % tricky.length] ?? '');
      expected.push(piece, JSON.stringify(tricky[i % tricky.length] ?? ''));
    }
    out.raw(']');
    expected.push(']');
    assert.equal(out.done().toString('utf8'), expected.join(''));
    assert.equal((JSON.parse(out.done().toString('utf8')) as unknown[]).length, 500);
  });
});
