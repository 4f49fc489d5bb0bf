/**
 * Bundle the command line into dist/bin/ (part of `npm run build`, after tsc).
 *
 * Why: the CLI is a one-shot process, and Node's ES module loader resolves and compiles each of the
 * ~1,500 files of vega, vega-lite, apache-arrow and d3 on its own; measured here, loading them took a
 * third of `features` (apache-arrow alone: 146 ms unbundled, 40 ms as one file). esbuild puts songscope and
 * its pure-JavaScript dependencies into a few files; code splitting keeps every `import()` lazy, so
 * `--help` still loads neither vega nor Arrow.
 *
 * Left outside the bundle, loaded from node_modules as before: packages that find files next to their own
 * code at run time (native addons, WebAssembly, worker scripts) — DuckDB, resvg, h5wasm, libsvm-js,
 * minimp3-wasm, the FLAC/Vorbis decoders' common runtime, umap-js, piscina.
 *
 * Layout: dist/bin/songscope.js (the `bin`), dist/bin/worker.js (the worker pool's thread entry: the pool
 * finds it next to its own code, `./worker.js`), dist/bin/renderWorker.js (`analyze`'s drawing thread,
 * found the same way), and shared chunks `_*.js`. dist/cli/main.js, tsc's
 * unbundled CLI, still works; the library (dist/index.js) is tsc's alone.
 */
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');

export const EXTERNAL = [
  '@duckdb/node-api',
  '@resvg/resvg-js',
  '@wasm-audio-decoders/common',
  'h5wasm',
  'h5wasm/*',
  'libsvm-js',
  'minimp3-wasm',
  'piscina',
  'umap-js',
  // vega-canvas tries `canvas` (node-canvas) and falls back without it; songscope renders with resvg
  'canvas',
];

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { songscope: 'src/cli/main.ts', worker: 'src/jobs/worker.ts', renderWorker: 'src/jobs/renderWorker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '_[name]-[hash]',
  external: EXTERNAL,
  // CommonJS dependencies (commander, …) call require() for Node's built-ins; an ES module has none
  banner: { js: "import { createRequire as __songscopeRequire } from 'node:module'; const require = __songscopeRequire(import.meta.url);" },
  keepNames: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: false,
});
if (result.errors.length) process.exit(1);
chmodSync(join(outdir, 'songscope.js'), 0o755);
