#!/usr/bin/env node
// Bundles the `metrics-adapter` command into dist/bundle/ with esbuild: one tree-shaken ES module
// per entry point plus shared chunks, so a running adapter loads only the code it uses. Measured
// (docs/benchmarks.md, "Footprint"): @kubernetes/client-node's package entry loads every generated
// API model (≈ 80 MiB resident) although the adapter uses only its kubeconfig loader; bundled,
// only that loader and what it reaches are left. The rule tools and the demo stay in chunks of
// their own that `serve` never loads (dynamic imports in src/cli/index.ts).
//
//   node scripts/bundle.mjs [--outdir=DIR]
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.find((a) => a.startsWith('--outdir='));
const outdir = outArg === undefined ? path.join(root, 'dist', 'bundle') : path.resolve(outArg.slice(9));

/**
 * @kubernetes/client-node declares no `sideEffects`, so a bundler must keep every module its
 * `export *` entry reaches (watch, exec, port-forward, the generated API with ~700 models and
 * their ObjectSerializer). Its modules only declare classes, functions and tables; saying so lets
 * esbuild keep just what the kubeconfig loader uses. Checked: the bundle's KubeConfig loads files,
 * in-cluster config, tokens, exec plugins and client certificates as before (test/deploy/bundle.test.ts).
 */
const clientNodeIsPure = {
  name: 'client-node-is-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const fromClientNode = args.importer.includes('/@kubernetes/client-node/');
      if (!fromClientNode && args.path !== '@kubernetes/client-node') return undefined;
      const r = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      if (r.errors.length > 0 || !r.path.includes('/@kubernetes/client-node/dist/')) return r;
      return { ...r, sideEffects: false };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only: identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  // Chunks beside main.js: the demo finds rules/ two directories up, as from dist/cli/.
  chunkNames: '[name]-[hash]',
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
  metafile: true,
  plugins: [clientNodeIsPure],
});
const bytes = Object.values(result.metafile.outputs)
  .filter((o) => o.entryPoint !== undefined || o.imports !== undefined)
  .reduce((n, o) => n + o.bytes, 0);
process.stdout.write(
  `bundle: ${path.relative(root, outdir) || outdir} (${(bytes / 1048576).toFixed(1)} MiB with source maps)\n`,
);
