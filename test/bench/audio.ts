/**
 * The local-audio part of `npm run bench` (issue 11's audio targets). The bench cannot ship music, so it
 * generates a 13-track album of varied audio (`localAlbum.ts`: drums, a band, chords, free notes, noise,
 * silence; 0:10 to 7:00, 49.5 minutes) as 44.1 kHz stereo WAV, then runs, each a process of its own:
 *
 * - `songscope album DIR --no-plot` cold (an empty `SONGSCOPE_CACHE_DIR`): seconds per audio-minute,
 *   target ≤ 0.15 on 2 cores (the baseline is the audio itself);
 * - the same again with every analysis cached: target ≤ 10 % of cold;
 * - when `album --help` lists `--jobs`: cold with `--jobs 1` against the default.
 *
 * Then the split by stage of the local analyzer on the album's 4-minute band track, in this process
 * (`analyzeAudioFileTimed`; a guide, not a target).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeAudioFileTimed } from '../../src/audio/analyzer.js';
import type { StageTimings } from '../../src/audio/analyzer.js';
import { writeLocalAlbum } from './localAlbum.js';
import { RUNS, alternate, machine, report, s, songscope, withCpu, x1 } from './lib.js';

/** Cold runs are the longest of the bench: `BENCH_AUDIO_RUNS` (default BENCH_RUNS). */
const AUDIO_RUNS = Math.max(1, Number(process.env.BENCH_AUDIO_RUNS ?? RUNS));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'songscope-bench-audio-'));
  try {
    console.log(`\nlocal audio: a generated 13-track album, as processes — ${machine()}; median of ${AUDIO_RUNS} runs (BENCH_AUDIO_RUNS)`);
    let t = performance.now();
    const album = writeLocalAlbum(join(dir, 'album'));
    const gb = album.files.reduce((n, f) => n + f.bytes, 0) / 1e9;
    console.log(`  wrote ${album.files.length} WAV files (44.1 kHz stereo 16-bit, ${gb.toFixed(2)} GB, ${album.audioMinutes.toFixed(1)} audio-minutes) in ${s((performance.now() - t) / 1000)}:`);
    for (const f of album.files) console.log(`    ${f.path.split('/').pop()!.padEnd(24)} ${f.what}`);

    const help = songscope(['album', '--help'], { cacheDir: join(dir, 'cache-help') }).stdout;
    const hasJobs = /--jobs\b/.test(help);
    const caches: string[] = [];
    const cold = (jobs?: number) => (i: number) => {
      const cacheDir = join(dir, `cache-${jobs ?? 'default'}-${i}`);
      caches.push(cacheDir);
      return songscope(['album', join(dir, 'album'), '--no-plot', '-q', '-o', join(dir, `out-${jobs ?? 'default'}-${i}`), ...(jobs ? ['--jobs', String(jobs)] : [])], { cacheDir, timeoutS: 1800 });
    };
    // the cached run i reads the cache the default cold run i has just filled
    const cached = (i: number) => songscope(['album', join(dir, 'album'), '--no-plot', '-q', '-o', join(dir, `out-cached-${i}`)], { cacheDir: join(dir, `cache-default-${i}`) });
    const [coldT, cachedT, oneT] = alternate([cold(), cached, hasJobs ? cold(1) : undefined], AUDIO_RUNS);

    const perMinute = coldT!.wallS / album.audioMinutes;
    report({
      issue: 11,
      what: `local audio album cold (${album.files.length} WAV, ${album.audioMinutes.toFixed(1)} min), --no-plot`,
      songscope: withCpu(coldT!),
      baseline: `the audio ${album.audioMinutes.toFixed(1)} min`,
      ratio: `${perMinute.toFixed(3)} s per audio-minute${coldT!.cpuS !== undefined ? ` (CPU ${(coldT!.cpuS / album.audioMinutes).toFixed(3)})` : ''}`,
      target: '≤ 0.15 s/audio-min',
      status: perMinute <= 0.15 ? 'MET' : 'NOT MET',
    });
    const share = cachedT!.wallS / coldT!.wallS;
    report({
      issue: 11,
      what: 'local audio album again, every analysis cached',
      songscope: withCpu(cachedT!),
      baseline: `cold ${withCpu(coldT!)}`,
      ratio: `${(share * 100).toFixed(1)} % of cold`,
      target: '≤ 10 %',
      status: share <= 0.1 ? 'MET' : 'NOT MET',
    });
    if (oneT) {
      report({
        issue: 11,
        what: 'local audio album cold, default --jobs against --jobs 1',
        songscope: withCpu(coldT!),
        baseline: `--jobs 1 ${withCpu(oneT)}`,
        ratio: `${x1(oneT.wallS / coldT!.wallS)} faster`,
        target: '— (none set)',
        status: 'INFO',
      });
    } else {
      console.log('  --jobs: `songscope album --help` lists no --jobs option; the --jobs 1 comparison is skipped');
    }
    console.log(`  peak RSS: cold ${coldT!.peakRssMB?.toFixed(0)} MB, cached ${cachedT!.peakRssMB?.toFixed(0)} MB${oneT ? `, --jobs 1 ${oneT.peakRssMB?.toFixed(0)} MB` : ''}`);
    for (const c of caches) rmSync(c, { recursive: true, force: true });

    // the split by stage, in this process, on the 4-minute band track
    const band = album.files.find((f) => f.path.endsWith('04-band.wav'))!;
    console.log(`  the local analyzer on 04-band.wav (4:00), in this process, median of ${RUNS} after a warm-up, ms (a guide, not a target):`);
    const all: StageTimings[] = [];
    let last;
    for (let i = 0; i <= RUNS; i++) {
      const r = await analyzeAudioFileTimed(band.path);
      last = r.analysis;
      if (i > 0) all.push(r.timings);
    }
    all.sort((a, b) => a.total - b.total);
    const st = all[Math.floor((all.length - 1) / 2)]; // the lower median: one real run's split
    console.log(
      `    total ${st.total.toFixed(0)} = decode ${st.decode.toFixed(0)} + spectra/features ${st.features.toFixed(0)} + beats ${st.rhythm.toFixed(0)} + segments ${st.segments.toFixed(0)} + sections ${st.sections.toFixed(0)} + key/track ${st.track.toFixed(0)}`,
    );
    if (last) {
      console.log(
        `    found: tempo ${last.track.tempo?.toFixed(2)} BPM, ${last.beats.length} beats, ${last.segments.length} segments, ${last.sections.length} sections, key ${last.track.key} mode ${last.track.mode}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
