/**
 * The album part of `npm run bench` (issue 11's album targets): 22 generated 4-minute analyses (the peers'
 * `synth_many.py`), every command a process of its own, spawned as a user runs it:
 *
 * - `songscope album DIR --no-plot` against the notebook's pandas/scikit-learn pipeline on the same files
 *   (`seed_pipeline.py`, the peers'), run alternately: target ≥ 30× faster; its peak RSS ≤ 300 MB;
 * - `songscope album DIR` with every plot, the per-track galleries included: target ≤ 1 s, and its time
 *   against the `--no-plot` run.
 *
 * Then one in-process run of each configuration (`runAlbum`), for the split by stage: not a target, a guide
 * to where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReportHtml } from '../../src/report/html.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { runAlbum } from '../../src/jobs/album.js';
import type { BatchTimings } from '../../src/jobs/batch.js';
import { alternate, baseline, machine, mb, mustRun, report, runsNote, songscope, speedTarget, synthMany, withCpu, x1 } from './lib.js';

const TRACKS = 22;

const split = (t: BatchTimings) =>
  `total ${t.total.toFixed(0).padStart(5)} ms = tracks (read, validate, statistics) ${t.tracks.toFixed(0)} + per-track outputs ${t.perTrack.toFixed(0)} + songs (correlation, clustering, MDS, k-means) ${t.songs.toFixed(0)} + plots/report ${t.plots.toFixed(0)}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'songscope-bench-album-'));
  const cacheDir = join(dir, 'cache');
  try {
    console.log(`\nalbum: ${TRACKS} generated 4-minute analyses, as processes — ${machine()}; ${runsNote()}`);
    const input = join(dir, 'in');
    const { files, generator } = await synthMany(input, TRACKS, 240);
    console.log(`  input: ${files.length} files from ${generator}`);
    const pipeline = baseline('seed_pipeline.py', ['numpy', 'pandas', 'sklearn']);
    if (pipeline.python) mustRun(pipeline.python, ['-c', 'import pandas, sklearn.cluster, sklearn.manifold']); // warm-up, untimed
    songscope(['--help'], { cacheDir });

    const [noPlot, pandas, every] = alternate([
      () => songscope(['album', input, '--no-plot', '-q', '-o', join(dir, 'no-plot')], { cacheDir }),
      pipeline.python ? () => mustRun(pipeline.python!, [pipeline.script!, ...files]) : undefined,
      () => songscope(['album', input, '-q', '-o', join(dir, 'every-plot')], { cacheDir }),
    ]);

    speedTarget(11, `album --no-plot, ${TRACKS} × 4-min analyses`, noPlot!, pandas, 'seed_pipeline.py (pandas + scikit-learn)', 30, pipeline.why);
    const rss = noPlot!.peakRssMB;
    report({
      issue: 11,
      what: 'album --no-plot peak RSS',
      songscope: rss === undefined ? 'not measured' : mb(rss),
      baseline: '—',
      ratio: '—',
      target: '≤ 300 MB',
      status: rss === undefined ? 'SKIPPED' : rss <= 300 ? 'MET' : 'NOT MET',
    });
    report({
      issue: 11,
      what: `album with every plot (per-track galleries too), ${TRACKS} tracks`,
      songscope: withCpu(every!),
      baseline: `album --no-plot ${withCpu(noPlot!)}`,
      ratio: `${x1(every!.wallS / noPlot!.wallS)} the --no-plot run`,
      target: '≤ 1 s',
      status: every!.wallS <= 1 ? 'MET' : 'NOT MET',
    });
    console.log(`  peak RSS with every plot: ${every!.peakRssMB?.toFixed(0)} MB`);

    console.log('  split by stage, one in-process run each (runAlbum, a guide, not a target):');
    const collection = await resolveCollection(input, { useCache: false });
    for (const [label, plots, perTrackPlots] of [
      ['plots off', false, false],
      ['album plots + report.html', true, false],
      ['every plot (per-track too)', true, true],
    ] as const) {
      const r = await runAlbum(collection, { outDir: join(dir, `split-${label.replace(/\W+/g, '-')}`), resolve: { useCache: false }, plots, perTrackPlots, report: buildReportHtml });
      console.log(`    ${label.padEnd(28)} ${split(r.timings)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
