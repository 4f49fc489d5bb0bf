/**
 * The shape part of `npm run bench`, in a process of its own: how long a fingerprint takes (the five fixtures
 * and a generated four-minute song), a distance (direct and warped), and `similar` over 48 generated songs
 * read from disk (plots off and on). Not a test: nothing is asserted. Retrieval quality is measured by
 * `npx tsx scripts/evaluate-shape.ts`, not here.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAnalysisFile } from '../../src/sources/files.js';
import { shapeFingerprint } from '../../src/shape/fingerprint.js';
import { directDistance, warpedDistance } from '../../src/shape/distance.js';
import { formFileName, generateFormAnalysis, generateFormSet } from '../../src/synth/forms.js';
import { runSimilar } from '../../src/jobs/similar.js';
import { FIXTURE_CASES } from '../helpers/fixtures.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => unknown | Promise<unknown>, runs = RUNS): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  console.log(`\nshape fingerprints and similar (median of ${RUNS} after a warm-up, ms)`);
  for (const c of FIXTURE_CASES) {
    const a = await readAnalysisFile(c.input);
    console.log(`  fingerprint ${c.name.padEnd(34)} ${(await time(() => shapeFingerprint(a))).toFixed(1).padStart(7)}   (${a.segments.length} segments, ${a.bars.length} bars)`);
  }
  const four = generateFormAnalysis({ form: 'ABABCB', seed: 1, tempoBpm: 96, bars: { A: 16, B: 16, C: 16 } });
  console.log(`  fingerprint generated ABABCB, ${four.track.duration.toFixed(0)} s       ${(await time(() => shapeFingerprint(four))).toFixed(1).padStart(7)}   (${four.segments.length} segments)`);
  const a = shapeFingerprint(four).values;
  const b = shapeFingerprint(generateFormAnalysis({ form: 'AABA', seed: 2 })).values;
  console.log(`  direct distance (2,016 values)                 ${(await time(() => directDistance(a, b), 200)).toFixed(3).padStart(7)}`);
  console.log(`  warped distance (64 × 64, 3 alignments)        ${(await time(() => warpedDistance(a, b), 50)).toFixed(3).padStart(7)}`);

  const dir = await mkdtemp(join(tmpdir(), 'songscope-bench-shape-'));
  try {
    const set = generateFormSet({ kind: 'same-form', perGroup: 6, seed: 0 });
    for (const [i, s] of set.entries()) {
      const { provenance: _p, ...analysis } = s.analysis;
      await writeFile(join(dir, formFileName(s.form, i)), JSON.stringify(analysis));
    }
    const query = join(dir, formFileName(set[0].form, 0));
    for (const plots of [false, true]) {
      const ms = await time(() => runSimilar(query, dir, { outDir: join(dir, 'out'), resolve: { useCache: false }, plots }), 3);
      console.log(`  similar over ${set.length} generated songs, plots ${plots ? 'on ' : 'off'}       ${ms.toFixed(0).padStart(7)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`  peak RSS of the shape process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

await main();
