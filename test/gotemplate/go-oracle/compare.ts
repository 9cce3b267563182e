/**
 * Replays every gotemplate test table against Go's own text/template and reports any case whose
 * output or error differs. Needs a Go toolchain (not part of CI); run from the repository root:
 *   node --import tsx test/gotemplate/go-oracle/compare.ts
 * Go parse errors carry no column, so ours are compared with the column dropped; Go names the
 * struct type in full where this module says "struct".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { GoMap } from '../../../src/gotemplate/index.js';
import { GoFloat } from '../../../src/gotemplate/values.js';
import { collectCasesInstead, render, type CollectedCase } from '../helpers.js';

interface Encoded {
  k: string;
  v?: unknown;
  elem?: string;
}

function encode(v: unknown): Encoded {
  if (v === null || v === undefined) return { k: 'nil' };
  if (v instanceof GoFloat) return encode(v.value === 0 && Object.is(v.value, -0) ? -0 : v.value);
  switch (typeof v) {
    case 'string':
      return { k: 'str', v };
    case 'boolean':
      return { k: 'bool', v };
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return { k: 'int', v };
      return {
        k: 'float',
        v:
          Number.isFinite(v) && !Object.is(v, -0)
            ? v
            : Object.is(v, -0)
              ? '-0'
              : String(v).replace('Infinity', 'Inf').replace(/^Inf/, '+Inf'),
      };
    default:
      break;
  }
  if (Array.isArray(v)) return { k: 'slice', v: v.map(encode) };
  if (v instanceof Map) {
    let elem = 'iface';
    if (v instanceof GoMap) {
      const zero: unknown = v.zeroValue;
      elem =
        typeof zero === 'string'
          ? 'string'
          : typeof zero === 'boolean'
            ? 'bool'
            : typeof zero === 'number'
              ? 'int'
              : 'iface';
    }
    const entries: [unknown, Encoded][] = [...(v as Map<unknown, unknown>).entries()].map(([key, val]) => [
      key,
      encode(val),
    ]);
    return { k: 'map', elem, v: entries };
  }
  if (typeof v === 'object')
    return { k: 'struct', v: Object.entries(v).map(([key, val]) => [key, encode(val)]) };
  throw new Error(`cannot encode ${typeof v} for Go`);
}

const here = dirname(fileURLToPath(import.meta.url));
const cases: CollectedCase[] = [];
collectCasesInstead(cases);
// Only files made of tables: importing the others would run their tests.
for (const file of readdirSync(join(here, '..')).sort()) {
  const path = join(here, '..', file);
  if (file.endsWith('.test.ts') && readFileSync(path, 'utf8').includes('runCases(')) await import(path);
}

const checkable = cases.filter((c) => c.goSkip === undefined);
const input = checkable.map((c) => ({
  template: c.template,
  data: encode(c.data),
  left: c.delims?.[0] ?? '',
  right: c.delims?.[1] ?? '',
  name: c.tmplName ?? 'tmpl',
  funcs: c.funcs ?? [],
}));
const buildDir = mkdtempSync(join(tmpdir(), 'gotemplate-oracle-'));
const binary = join(buildDir, 'oracle');
execFileSync('go', ['build', '-o', binary, '.'], { cwd: here, stdio: 'inherit' });
const results = JSON.parse(
  execFileSync(binary, { input: JSON.stringify(input), maxBuffer: 1 << 28 }).toString(),
) as {
  out: string;
  err: string;
  skip: string;
}[];
rmSync(buildDir, { recursive: true, force: true });

const normalizeGo = (s: string): string => s.replace(/struct \{(?: \w+ interface \{\};?)* \}/g, 'struct');
let mismatches = 0;
let skipped = cases.length - checkable.length;
checkable.forEach((c, i) => {
  const go = results[i];
  if (go === undefined) throw new Error('oracle returned too few results');
  if (go.skip !== '') {
    skipped++;
    return;
  }
  const ours = render(c);
  let problem = '';
  if (go.err !== '') {
    if (!('error' in ours)) {
      problem = `Go failed with ${JSON.stringify(go.err)}, we printed ${JSON.stringify(ours.out)}`;
    } else {
      const msg = (ours.error as Error).message;
      const oursComparable = go.err.includes('executing')
        ? msg
        : msg.replace(/^(template: [^:]*:\d+):\d+:/, '$1:');
      if (oursComparable !== normalizeGo(go.err)) problem = `error\n    go:   ${go.err}\n    ours: ${msg}`;
    }
  } else if ('error' in ours) {
    problem = `Go printed ${JSON.stringify(go.out)}, we failed with ${(ours.error as Error).message}`;
  } else if (ours.out !== go.out) {
    problem = `output\n    go:   ${JSON.stringify(go.out)}\n    ours: ${JSON.stringify(ours.out)}`;
  }
  if (problem !== '') {
    mismatches++;
    console.log(`MISMATCH ${c.suite} / ${c.name}: ${c.template}\n  ${problem}`);
  }
});
console.log(
  `${checkable.length - mismatches - (skipped - (cases.length - checkable.length))} match, ${mismatches} differ, ${skipped} not checked against Go`,
);
process.exitCode = mismatches === 0 ? 0 : 1;
