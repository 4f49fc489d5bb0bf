/**
 * The album part of `npm run bench`, run in a process of its own so its peak memory is the album's: 22
 * generated four-minute analyses (about 1,000 segments each, written as analysis files like a warm cache)
 * through the whole album pipeline, with plots off and on, reporting the split and the peak RSS.
 */
import { buildReportHtml } from '../../src/report/html.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticAlbum } from '../../src/synth/generate.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { runAlbum } from '../../src/jobs/album.js';
import type { BatchTimings } from '../../src/jobs/batch.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TRACKS = 22;

const fmt = (t: BatchTimings) =>
  `total ${t.total.toFixed(0).padStart(5)} ms = tracks (read, validate, 1 ms matrix, stats) ${t.tracks.toFixed(0)} + per-track outputs ${t.perTrack.toFixed(0)} + songs (correlation, clustering, MDS, k-means) ${t.songs.toFixed(0)} + plots/report ${t.plots.toFixed(0)}`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-bench-album-'));
  try {
    const half = Math.ceil(TRACKS / 2);
    await writeSyntheticAlbum(join(dir, 'in'), { style: 'dance', count: half, seed: 1 });
    await writeSyntheticAlbum(join(dir, 'in'), { style: 'folk', count: TRACKS - half, seed: 2 });
    const collection = await resolveCollection(join(dir, 'in'), { useCache: false });
    console.log(`\nalbum pipeline: ${collection.tracks.length} generated 4-minute analyses, read from disk like a warm cache (median of ${RUNS} after a warm-up)`);
    const run = async (plots: boolean, perTrackPlots: boolean) => {
      const times: BatchTimings[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const r = await runAlbum(collection, { outDir: join(dir, `out-${plots}-${perTrackPlots}-${i}`), resolve: { useCache: false }, plots, perTrackPlots, report: buildReportHtml });
        if (i > 0) times.push(r.timings);
      }
      const med = median(times.map((t) => t.total));
      return times.find((t) => t.total === med)!;
    };
    console.log(`  plots off:                         ${fmt(await run(false, false))}`);
    console.log(`  album plots + report.html:         ${fmt(await run(true, false))}`);
    console.log(`  every plot (per-track too):        ${fmt(await run(true, true))}`);
    console.log(`  peak RSS of the album process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
