/**
 * The Dockerfile, checked statically (no container engine needed): a build stage that compiles, a
 * runtime stage with production dependencies only and nothing else from the build but dist/, a
 * numeric non-root USER that is the Deployment's runAsUser, and the ENTRYPOINT package.json names.
 * .dockerignore keeps everything else (keys from certs/generate.sh included) out of the context.
 */
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { ROOT } from './rendered.js';

interface Instruction {
  op: string;
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions in order, with line continuations joined and comments and blank lines dropped. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending === '') startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const m = /^(\w+)\s+(.*)$/s.exec(full);
    assert.ok(m, `Dockerfile line ${startLine}: "${full}"`);
    instructions.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: startLine });
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'ARG' && stages.length === 0) {
      const [name, value = ''] = ins.args.split('=', 2);
      args.set(name!, value);
    } else if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM at line ${ins.line}`);
      const image = m[1]!.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a?: string, b?: string) => args.get(a ?? b ?? '') ?? '',
      );
      stages.push({ image, name: m[2], instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${ins.op} before FROM at line ${ins.line}`);
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY' || i.op === 'ADD')
    .map((i) => {
      assert.equal(i.op, 'COPY', `ADD at line ${i.line}: use COPY`);
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
    });
}

const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  let stages: Stage[];
  let build: Stage;
  let runtime: Stage;
  let pkg: { bin: Record<string, string>; engines: { node: string } };
  let dockerignore: string[];

  before(async () => {
    ({ stages } = parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8')));
    pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as typeof pkg;
    dockerignore = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    runtime = stages.at(-1)!;
    const built = copies(runtime).find((c) => c.from !== undefined)?.from;
    const found = stages.find((s) => s.name === built);
    assert.ok(found, `the runtime stage copies from a named stage (${built})`);
    build = found;
  });

  it('uses an official Node LTS image (even major, at least the engines minimum) in every stage', () => {
    const minimum = Number(/(\d+)/.exec(pkg.engines.node)?.[1]);
    for (const s of stages) {
      const m = /^node:(\d+)(?:\.\d+)*-[a-z]+(?:-slim)?$/.exec(s.image);
      assert.ok(m, `${s.image} is node:<major>-<debian release>[-slim]`);
      const major = Number(m[1]);
      assert.equal(major % 2, 0, `${s.image}: LTS lines are even`);
      assert.ok(major >= minimum, `${s.image} satisfies engines.node ${pkg.engines.node}`);
    }
  });

  it('the build stage installs with npm ci and runs npm run build', () => {
    const r = runs(build);
    assert.ok(
      r.some((c) => /\bnpm ci\b/.test(c) && !c.includes('--omit=dev')),
      'npm ci with dev dependencies',
    );
    assert.ok(
      r.some((c) => /\bnpm run build\b/.test(c)),
      'npm run build',
    );
  });

  it('the build stage copies what the build reads, and those files exist', async () => {
    const sources = copies(build).flatMap((c) => (c.from === undefined ? c.sources : []));
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts/bundle.mjs',
      'src',
    ]) {
      assert.ok(sources.includes(needed), `build stage copies ${needed}`);
    }
    for (const s of sources) await access(join(ROOT, s));
  });

  it('the runtime stage installs production dependencies only and takes only dist/ from the build', () => {
    const r = runs(runtime);
    const installs = r.filter((c) => /\bnpm (ci|install|i)\b/.test(c));
    assert.ok(installs.length > 0, 'npm ci in the runtime stage');
    for (const c of installs) {
      assert.match(c, /\bnpm ci\b/);
      assert.match(c, /--omit=dev\b/);
    }
    assert.ok(!r.some((c) => /npm run build|\btsc\b/.test(c)), 'no compiling in the runtime stage');
    const fromBuild = copies(runtime).filter((c) => c.from !== undefined);
    assert.deepEqual(
      fromBuild.map((c) => c.sources),
      [[`${build.instructions.find((i) => i.op === 'WORKDIR')?.args}/dist`]],
      'only dist/ from the build stage',
    );
    const fromContext = copies(runtime)
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    assert.deepEqual(fromContext.sort(), ['package-lock.json', 'package.json', 'rules'].sort());
  });

  it('runs as a numeric non-root USER, the Deployment’s runAsUser and runAsGroup', async () => {
    const users = runtime.instructions.filter((i) => i.op === 'USER');
    assert.equal(users.length, 1);
    const m = /^(\d+)(?::(\d+))?$/.exec(users[0]!.args);
    assert.ok(m, `USER ${users[0]!.args} is numeric (runAsNonRoot can only check a number)`);
    const uid = Number(m[1]);
    assert.ok(uid > 0, 'not root');
    const deployment = parse(await readFile(join(ROOT, 'manifests/deployment.yaml'), 'utf8')) as IDeployment;
    const pod = deployment.spec?.template.spec;
    for (const sc of [pod?.securityContext, pod?.containers[0]?.securityContext]) {
      assert.equal(sc?.runAsUser, uid);
      if (m[2] !== undefined) assert.equal(sc.runAsGroup, Number(m[2]));
    }
    const lastUser = runtime.instructions.findLastIndex((i) => i.op === 'USER');
    const lastRun = runtime.instructions.findLastIndex((i) => i.op === 'RUN');
    assert.ok(lastUser > lastRun, 'USER comes after the last RUN (nothing runs as root at start)');
  });

  it('ENTRYPOINT runs the package.json bin with node, in exec form', () => {
    const entry = runtime.instructions.filter((i) => i.op === 'ENTRYPOINT');
    assert.equal(entry.length, 1);
    const argv = JSON.parse(entry[0]!.args) as unknown;
    assert.deepEqual(argv, ['node', pkg.bin['metrics-adapter']]);
    assert.equal(runtime.instructions.filter((i) => i.op === 'CMD').length, 0);
  });

  it('.dockerignore lets in only what the stages copy (no certs, no node_modules)', () => {
    assert.equal(dockerignore[0], '*', 'an allow-list');
    const allowed = dockerignore.slice(1).map((l) => {
      assert.ok(l.startsWith('!'), `${l} re-includes`);
      return l.slice(1).replace(/\/$/, '');
    });
    const fromContext = stages.flatMap((s) =>
      copies(s).flatMap((c) => (c.from === undefined ? c.sources : [])),
    );
    for (const s of fromContext) assert.ok(allowed.includes(s), `${s} is in the build context`);
    for (const a of allowed) {
      assert.ok(fromContext.includes(a), `${a} is let in but never copied`);
      assert.ok(!/^(certs|node_modules|dist|\.git)/.test(a), a);
    }
  });
});
