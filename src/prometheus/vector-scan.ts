/**
 * A fast reader for the answer Prometheus writes for an instant vector:
 *   {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[t,"v"]},...]}}
 * For a 2000-pod answer JSON.parse plus the garbage it leaves was the largest single cost of the
 * adapter (docs/benchmarks.md). This scanner reads exactly that compact shape and gives up
 * (returns undefined) on anything else — other key orders, whitespace, histograms, extra fields
 * inside a sample — so the caller falls back to JSON.parse and nothing is ever misread.
 */
import type { Sample } from './types.js';

const PREFIX = '{"status":"success","data":{"resultType":"vector","result":[';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Reads a JSON string starting at the opening quote; returns [value, index after the closing quote]. */
function readString(text: string, start: number): [string, number] | undefined {
  if (text.charCodeAt(start) !== QUOTE) return undefined;
  const end = text.indexOf('"', start + 1);
  if (end < 0) return undefined;
  const raw = text.slice(start + 1, end);
  if (raw.indexOf('\\') < 0) return [raw, end + 1];
  // Rare: escapes. Find the real closing quote, then let JSON.parse decode the literal.
  let i = start + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) break;
  }
  if (i >= text.length) return undefined;
  try {
    return [JSON.parse(text.slice(start, i + 1)) as string, i + 1];
  } catch {
    return undefined;
  }
}

function expect(text: string, at: number, literal: string): number | undefined {
  return text.startsWith(literal, at) ? at + literal.length : undefined;
}

/** The samples of a compact vector answer, or undefined when the text is not in that exact shape. */
export function scanVectorAnswer(text: string): Sample[] | undefined {
  let i: number | undefined = expect(text, 0, PREFIX);
  if (i === undefined) return undefined;
  const out: Sample[] = [];
  let lastTs = '';
  let lastDate = new Date(0);
  if (text.charCodeAt(i) === 0x5d /* ] */) return tail(text, i + 1) ? out : undefined;
  for (;;) {
    i = expect(text, i, '{"metric":{');
    if (i === undefined) return undefined;
    const labels: Record<string, string> = {};
    if (text.charCodeAt(i) !== 0x7d /* } */) {
      for (;;) {
        const key = readString(text, i);
        if (key === undefined || text.charCodeAt(key[1]) !== 0x3a /* : */) return undefined;
        const value = readString(text, key[1] + 1);
        if (value === undefined) return undefined;
        labels[key[0]] = value[0];
        i = value[1];
        const c = text.charCodeAt(i);
        if (c === 0x2c /* , */) {
          i++;
          continue;
        }
        if (c === 0x7d) break;
        return undefined;
      }
    }
    i = expect(text, i, '},"value":[');
    if (i === undefined) return undefined;
    const comma = text.indexOf(',', i);
    if (comma < 0) return undefined;
    const ts = text.slice(i, comma);
    const value = readString(text, comma + 1);
    if (value === undefined) return undefined;
    i = expect(text, value[1], ']}');
    if (i === undefined) return undefined;
    if (ts !== lastTs) {
      const seconds = Number(ts);
      if (!Number.isFinite(seconds)) return undefined;
      lastTs = ts;
      lastDate = new Date(seconds * 1000);
    }
    out.push({ labels, value: Number(value[0]), timestamp: lastDate });
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      continue;
    }
    if (c === 0x5d) return tail(text, i + 1) ? out : undefined;
    return undefined;
  }
}

/** After the result array: the closing of data and of the envelope, optionally with warnings/infos. */
function tail(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 0x7d /* } */) return false;
  const rest = text.slice(at + 1).trimEnd();
  return rest === '}' || rest.startsWith(',"warnings":') || rest.startsWith(',"infos":');
}
