/**
 * The slice of the fuzz suite that runs inside `npm test` (test/fuzz/suite.ts `sliceCases`): one case of
 * every mutator of every family, plus one case of each defect the full run found (seed 0; the 50 MB and
 * 3-hour cases left to `npm run fuzz`), each through the built CLI under the contract of
 * test/fuzz/runner.ts. Cases that are unclean on the code the suite was written against are skipped with
 * their cause (test/fuzz/known-defects.ts `KNOWN_DEFECT_CASES`); delete an entry once its defect is fixed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { buildCorpus } from './corpus.js';
import { KNOWN_DEFECT_CASES } from './known-defects.js';
import { runCase } from './runner.js';
import { SLICE_SEED, sliceCases } from './suite.js';

const tmpRoot = join(tmpdir(), `songscope-fuzz-slice-${process.pid}`);
const corpus = await buildCorpus(join(tmpRoot, 'corpus'));
const cases = sliceCases(corpus);

after(async () => {
  await rm(tmpRoot, { recursive: true, force: true });
});

describe(`fuzz slice: ${cases.length} cases, seed ${SLICE_SEED} (npm run fuzz runs 2,000)`, { concurrency: 2 }, () => {
  for (const c of cases) {
    const known = KNOWN_DEFECT_CASES[c.id];
    test(`${c.id} [${c.kind}] ${c.what.slice(0, 100)}`, { skip: known ? `known defect ${known}` : false }, async () => {
      const r = await runCase(c, { cli: CLI, tmpRoot: join(tmpRoot, 'cases') });
      assert.equal(
        r.status,
        'clean',
        `${c.id} is ${r.status}: ${r.problems.join('; ')}\n  exit ${r.exit}; stderr: ${r.stderr.trim().slice(0, 500)}\n  again: npm run fuzz -- --case ${c.id} --seed ${SLICE_SEED}`,
      );
    });
  }
});
