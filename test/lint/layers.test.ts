/**
 * scripts/check-layers.mjs, the layering check of `npm run lint`, on small src/ trees: it must
 * refuse a circle, an upward import (static, dynamic or type-only) and a file outside every layer,
 * and accept a layered tree, so that a broken checker cannot pass everything in silence.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));

let tmp: TempDir;
let trees = 0;

before(async () => {
  tmp = await makeTempDir('check-layers');
});
after(() => tmp.remove());

/** Writes a src/ tree (path → content) and runs the checker on it. */
async function check(files: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const src = path.join(tmp.path, `tree-${++trees}`, 'src');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(src, file)), { recursive: true });
    await writeFile(path.join(src, file), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, '--src', src], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('check-layers', () => {
  it('accepts imports to the same or a lower layer, of every kind', async () => {
    const r = await check({
      'main.ts': "import { run } from './cli/index.js';\nrun();\n",
      'cli/index.ts': "export { run } from './run.js';\n",
      'cli/run.ts':
        "import type { Options } from '../config/options.js';\nexport async function run(o?: Options) { await import('../rules/index.js'); return o; }\n",
      'rules/index.ts':
        "import { query } from '../prometheus/index.js';\nimport { fail } from '../errors.js';\nexport { query, fail };\n",
      'prometheus/index.ts':
        "import { name } from '../promql/index.js';\nimport { sleep } from 'node:timers/promises';\nexport const query = () => sleep(1).then(() => name);\n",
      'promql/index.ts': "import { fail } from '../errors.js';\nexport const name = 'x'; export { fail };\n",
      'config/options.ts':
        "import { fail } from '../errors.js';\nexport interface Options { f: typeof fail }\n",
      'errors.ts': "// import { run } from './cli/index.js' is only a comment\nexport const fail = 1;\n",
    });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  it('refuses a circle between files of one folder, naming the files in order', async () => {
    const r = await check({
      'prometheus/client.ts':
        "import { run } from './instant-query.js';\nexport interface Sample { v: number }\nexport const c = run;\n",
      'prometheus/instant-query.ts': "import { scan } from './vector-scan.js';\nexport const run = scan;\n",
      'prometheus/vector-scan.ts':
        "import type { Sample } from './client.js';\nexport const scan = (s: Sample) => s;\n",
    });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /import cycle: src\/prometheus\/client\.ts → src\/prometheus\/instant-query\.ts → src\/prometheus\/vector-scan\.ts → src\/prometheus\/client\.ts/,
    );
  });

  it('refuses a circle across folders even when no import in it goes upward', async () => {
    const r = await check({
      'promql/a.ts': "import { b } from '../deadline.js';\nexport const a = b;\n",
      'deadline.ts': "import { a } from './promql/a.js';\nexport const b = 1; export { a };\n",
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /import cycle: src\/deadline\.ts → src\/promql\/a\.ts → src\/deadline\.ts/);
    assert.doesNotMatch(r.stderr, /upward/);
  });

  it('refuses an upward import, naming the file, the line and the two layers', async () => {
    const r = await check({
      'prometheus/client.ts':
        "export const c = 1;\nimport { rule } from '../rules/index.js';\nexport { rule };\n",
      'rules/index.ts': 'export const rule = 1;\n',
    });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /src\/prometheus\/client\.ts:2 → src\/rules\/index\.ts: upward import \(layer prometheus\/ may not import layer rules\/\)/,
    );
  });

  it('counts dynamic and type-only imports as upward imports too', async () => {
    const r = await check({
      'kube/a.ts':
        "import type { P } from '../providers/p.js';\nexport const a = (p?: P) => import('../apiserver/app.js').then(() => p);\n",
      'providers/p.ts': 'export type P = number;\n',
      'apiserver/app.ts': 'export {};\n',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /src\/kube\/a\.ts:1 → src\/providers\/p\.ts: upward import/);
    assert.match(r.stderr, /src\/kube\/a\.ts:2 → src\/apiserver\/app\.ts: upward import/);
  });

  it('places top-level files in their own layers', async () => {
    const r = await check({
      'errors.ts':
        "import { VERSION } from './version.js';\nimport { withDeadline } from './deadline.js';\nexport { VERSION, withDeadline };\n",
      'version.ts': 'export const VERSION = 1;\n',
      'deadline.ts': 'export const withDeadline = 1;\n',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /src\/errors\.ts:2 → src\/deadline\.ts: upward import/);
    assert.doesNotMatch(r.stderr, /src\/errors\.ts:1 /);
  });

  it('refuses an import from server.ts into cli/ other than the one named exemption', async () => {
    const r = await check({
      'server.ts': "import { serve } from './cli/serve.js';\nexport { serve };\n",
      'cli/serve.ts': 'export const serve = 1;\n',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /src\/server\.ts:1 → src\/cli\/serve\.ts: upward import/);
  });

  it('refuses a file in no layer and an import of no file', async () => {
    const r = await check({
      'extra/thing.ts': 'export {};\n',
      'kube/a.ts': "import { gone } from './gone.js';\nexport { gone };\n",
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /src\/extra\/thing\.ts: not in any layer/);
    assert.match(r.stderr, /src\/kube\/a\.ts:1: imports '\.\/gone\.js', which is no file under src\//);
  });
});

describe('check-layers on this repository', () => {
  it('passes', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });
});
