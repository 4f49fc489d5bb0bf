/**
 * Print the known-defect list of the `npm test` slice from a full run's results (`npm run fuzz -- --json
 * FILE`, seed 0: the slice's cases are the first of each family there), for test/fuzz/known-defects.ts.
 *
 *   node --import tsx test/fuzz/slice-known.ts results.json
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rm } from 'node:fs/promises';
import { buildCorpus } from './corpus.js';
import { causeOf } from './known-defects.js';
import type { CaseResult } from './runner.js';
import { SLICE_SEED, sliceCases } from './suite.js';

const file = process.argv[2];
if (!file) throw new Error('usage: slice-known.ts results.json');
const run = JSON.parse(readFileSync(file, 'utf8')) as { seed: number; results: CaseResult[] };
if (run.seed !== SLICE_SEED) throw new Error(`the slice is seed ${SLICE_SEED}; ${file} is seed ${run.seed}`);
const dir = join(tmpdir(), `songscope-fuzz-slice-known-${process.pid}`);
const ids = new Set(sliceCases(await buildCorpus(dir)).map((c) => c.id));
await rm(dir, { recursive: true, force: true });
const byId = new Map(run.results.map((r) => [r.id, r]));
const missing = [...ids].filter((id) => !byId.has(id));
if (missing.length) throw new Error(`${file} lacks slice cases ${missing.join(', ')}: run at least --count 2000`);
for (const id of ids) {
  const r = byId.get(id)!;
  if (r.status === 'clean' || r.status === 'skipped') continue;
  const c = causeOf(r);
  process.stdout.write(`  '${id}': '${c.id}: ${c.title.replace(/'/g, "\\'")}',\n`);
}
