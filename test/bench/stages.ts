/**
 * The stage part of `npm run bench`: how long each library stage takes on the real fixtures, in this
 * process. Not a target: a guide to where the time goes, for spotting regressions by eye.
 *
 * Each figure is the median of several runs in this process after one warm-up run. The 1 ms matrix is
 * timed twice: "cold" allocates a fresh Float64Array each time (the kernel mapping ~50 MB of new memory
 * costs more than the resampling), "warm" reuses one buffer (as batch work over albums does).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { buildReportHtml } from '../../src/report/html.js';
import { validateAnalysis } from '../../src/analysis/schema.js';
import { analysisFromJson, readAnalysisFile } from '../../src/sources/files.js';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { zscoreWithin } from '../../src/transforms/normalize.js';
import { binMeans } from '../../src/transforms/resample.js';
import { correlateRows } from '../../src/transforms/correlate.js';
import { analyzeTrack, writeAnalyzeOutputs } from '../../src/jobs/analyze.js';
import type { Analysis } from '../../src/analysis/types.js';
import { contiguousWard } from '../../src/transforms/cluster.js';
import { generateAudioAnalysis } from '../../src/synth/generate.js';
import { createRandom, randomNormal } from '../../src/util/random.js';
import { FIXTURE_CASES, ROOT } from '../helpers/fixtures.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time<T>(fn: () => T | Promise<T>, runs = RUNS): Promise<{ ms: number; first: number; result: T }> {
  const t0 = performance.now();
  let result = await fn();
  const first = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), first, result };
}

const f1 = (x: number) => x.toFixed(1).padStart(7);

async function main(): Promise<void> {
  const jsonCases = FIXTURE_CASES.filter((c) => c.input.endsWith('.json'));
  console.log(`\nlibrary stages on the fixtures, in this process — median of ${RUNS} runs after a warm-up, ms (a guide, not a target)\n`);
  console.log('1 ms matrix: "cold" allocates fresh memory (first touch of ~50 MB dominates); "warm" reuses one buffer');
  console.log('zscore: column statistics + in-place z-score of the 1 ms matrix; 1s corr: 1 s bins + Pearson r\n');
  console.log('fixture                       rows(full)  parse+validate  full cold  full warm  seed warm  zscore  1s corr');
  const buffer = new Float64Array(400_000 * 26);
  let peakRss = 0;
  const track = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  for (const c of jsonCases) {
    const text = await readFile(join(ROOT, c.input), 'utf8');
    const parse = await time(() => validateAnalysis(JSON.parse(text), c.input));
    const analysis = parse.result.analysis;
    const cold = await time(() => buildFeatureMatrix(analysis, { grid: 'full' }), 3);
    const seed = await time(() => buildFeatureMatrix(analysis, { grid: 'seed', buffer }));
    const full = await time(() => buildFeatureMatrix(analysis, { grid: 'full', buffer }));
    const m = full.result;
    const z = await time(() => zscoreWithin(m, { inPlace: true }));
    const zm = z.result;
    const corr = await time(() => correlateRows(binMeans(zm, 1000)));
    track();
    console.log(
      `${c.name.padEnd(30)}${String(m.rows).padStart(10)}  ${f1(parse.ms)}         ${f1(cold.ms)}    ${f1(full.ms)}    ${f1(seed.ms)} ${f1(z.ms)} ${f1(corr.ms)}`,
    );
  }

  const msd = FIXTURE_CASES.find((c) => c.input.endsWith('.h5'))!;
  const h5 = await time(() => readAnalysisFile(join(ROOT, msd.input)));
  console.log(`\nMSD .h5 read + validate (${msd.name}): ${h5.ms.toFixed(1)} ms (first call, loading h5wasm: ${h5.first.toFixed(1)} ms)`);

  // Two kernels whose speed the tests once asserted (transforms/cluster.test.ts and synth/generate.test.ts
  // check what they compute): contiguous Ward on 4000 points × 26 features in 16 runs of 250, and one
  // generated four-minute analysis.
  const random = createRandom(8);
  const ward = { n: 4000, d: 26, data: Float64Array.from({ length: 4000 * 26 }, (_, k) => 2 * Math.floor(k / 26 / 250) + 0.5 * randomNormal(random)) };
  console.log(`\ncontiguous Ward, 4000 points × 26 features, k = 16: ${(await time(() => contiguousWard(ward, 16), 3)).ms.toFixed(1)} ms`);
  let index = 0;
  const generate = await time(() => generateAudioAnalysis({ style: index % 2 ? 'folk' : 'dance', seed: 10, index: index++ }), 20);
  console.log(`one generated four-minute analysis (${generate.result.segments.length} segments): ${generate.ms.toFixed(1)} ms`);

  console.log('\nwhole analyze (library call, outputs written to a temp dir), median ms');
  const dir = await mkdtemp(join(tmpdir(), 'songscope-bench-'));
  try {
    for (const c of jsonCases) {
      const text = await readFile(join(ROOT, c.input), 'utf8');
      const run = async (render: boolean) => {
        const analysis: Analysis = analysisFromJson(JSON.parse(text), c.input, 'file');
        const result = await analyzeTrack(analysis, { render });
        await writeAnalyzeOutputs(analysis, result, join(dir, c.name.replace(/\W+/g, '_')), { report: buildReportHtml });
        return result.timings;
      };
      const without = await time(() => run(false), 3);
      const withRender = await time(() => run(true), 3);
      track();
      const stages = Object.entries(withRender.result)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ');
      console.log(`${c.name.padEnd(30)} no render ${f1(without.ms)}   with render ${f1(withRender.ms)}   (last run: ${stages})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\npeak RSS of this process: ${(peakRss / 2 ** 20).toFixed(0)} MB`);
}

await main();
