#!/usr/bin/env node
// The layering of src/, checked on every `npm run lint`: a module may import only from its own
// layer or a lower one, and no two files may import each other, even through others. Upward
// imports and circles are how a codebase stops having parts; this makes either one a lint error
// rather than something a reviewer has to notice.
//
// Usage: node scripts/check-layers.mjs [--src DIR]   (default: the repository's src/)
// Every relative import is an edge (static, dynamic, `export … from`, and type-only ones: a type
// import is still a dependency of the design). Package imports are not the concern here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layers, top to bottom: an import may go to the same or a lower layer. A folder of src/ is
 * one layer with all its subfolders; a top-level file is named with its `.ts`. docs/architecture.md
 * shows this same order.
 */
export const LAYERS = [
  ['main.ts'],
  ['cli'],
  ['server.ts', 'readiness.ts', 'cluster-access.ts', 'metric-apis.ts'],
  ['apiserver'],
  ['kubelet'],
  ['explain'],
  ['providers'],
  ['rules'],
  ['prometheus'],
  ['kube'],
  ['promql', 'deadline.ts'],
  [
    'config',
    'gotemplate',
    'self-metrics.ts',
    'logging.ts',
    'errors.ts',
    'map-limited.ts',
    'version.ts',
    'stale-connection.ts',
  ],
];

/**
 * Upward imports allowed by name, each one edge (paths relative to src/). An exemption whose
 * importing file exists but no longer has that import is itself an error, so none outlives its
 * reason.
 */
const EXEMPTIONS = [];

/** Every .ts file under dir, as paths relative to root with '/' separators, sorted. */
function sourceFiles(root, dir = root) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(root, path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts'))
      out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/** The relative imports of one file, with the line each is on. */
function importsOf(text) {
  const lineStarts = ts.computeLineStarts(text);
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.filter((f) => f.fileName.startsWith('./') || f.fileName.startsWith('../'))
    .map((f) => ({
      spec: f.fileName,
      line: ts.computeLineAndCharacterOfPosition(lineStarts, f.pos).line + 1,
    }));
}

/** The file an ESM specifier names (`./x.js` is x.ts on disk), relative to root, or undefined. */
function resolveImport(root, from, spec) {
  const target = resolve(root, dirname(from), spec);
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')];
  const hit = candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
  return hit === undefined ? undefined : relative(root, hit).split(sep).join('/');
}

function layerIndex(file) {
  const top = file.split('/')[0];
  const i = LAYERS.findIndex((layer) => layer.includes(top));
  return i < 0 ? undefined : i;
}

const layerName = (i) => LAYERS[i].map((n) => (n.endsWith('.ts') ? n : `${n}/`)).join(', ');

/** The circles of the graph: per strongly connected component (Tarjan), its files and one loop. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? new Set()).has(v);
    if (component.length > 1 || selfLoop) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => ({
    files: component.sort(),
    loop: loopThrough(graph, new Set(component)),
  }));
}

/** A shortest circle through the component's first file (breadth-first within the component). */
function loopThrough(graph, members) {
  const start = [...members].sort()[0];
  const from = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let u = v; u !== start; path.unshift(u)) u = from.get(u);
        return [...path, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The problems of the tree under srcDir, as lines to print; empty when it is layered. */
export function checkLayers(srcDir) {
  const problems = [];
  const files = sourceFiles(srcDir);
  const graph = new Map(files.map((f) => [f, new Set()]));
  const show = (f) => `src/${f}`;
  const usedExemptions = new Set();
  for (const file of files) {
    const from = layerIndex(file);
    if (from === undefined) {
      problems.push(
        `${show(file)}: not in any layer (add its folder or file to LAYERS in scripts/check-layers.mjs)`,
      );
      continue;
    }
    for (const { spec, line } of importsOf(readFileSync(join(srcDir, file), 'utf8'))) {
      const target = resolveImport(srcDir, file, spec);
      if (target === undefined) {
        problems.push(`${show(file)}:${line}: imports '${spec}', which is no file under src/`);
        continue;
      }
      graph.get(file).add(target);
      const to = layerIndex(target);
      if (to === undefined || to >= from) continue;
      const edge = `${file} -> ${target}`;
      if (EXEMPTIONS.includes(edge)) {
        usedExemptions.add(edge);
        continue;
      }
      problems.push(
        `${show(file)}:${line} → ${show(target)}: upward import (layer ${layerName(from)} may not import layer ${layerName(to)})`,
      );
    }
  }
  for (const edge of EXEMPTIONS) {
    const [from] = edge.split(' -> ');
    if (graph.has(from) && !usedExemptions.has(edge))
      problems.push(`exemption '${edge}' is no longer needed: remove it from scripts/check-layers.mjs`);
  }
  for (const { files: members, loop } of cycles(graph)) {
    const others = members.filter((f) => !loop.includes(f));
    problems.push(
      `import cycle: ${loop.map(show).join(' → ')}` +
        (others.length > 0 ? ` (and in the same circle: ${others.map(show).join(', ')})` : ''),
    );
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--src');
  const srcDir = resolve(
    at >= 0 && args[at + 1] !== undefined
      ? args[at + 1]
      : join(dirname(fileURLToPath(import.meta.url)), '..', 'src'),
  );
  const problems = checkLayers(srcDir);
  if (problems.length > 0) {
    process.stderr.write(
      `${problems.join('\n')}\n\nLayers of src/, top to bottom (an import may go to the same or a lower layer):\n` +
        LAYERS.map((_, i) => `  ${layerName(i)}`).join('\n') +
        '\n',
    );
    process.exit(1);
  }
}
