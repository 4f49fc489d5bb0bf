/**
 * The local-analyzer part of `npm run bench`, in a process of its own: decoding plus analysis of a
 * four-minute 44.1 kHz stereo 16-bit WAV (a generated band: drums, chords, bass at 120 BPM), with the
 * split by stage (decode, spectra/features, beats, segments, sections) and the peak memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { analyzeAudioFileTimed } from '../../src/audio/analyzer.js';
import type { StageTimings } from '../../src/audio/analyzer.js';
import { bandLoop } from '../audio/signals.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** A 22,050 Hz mono signal as 44.1 kHz stereo 16-bit PCM (linear interpolation; the content is below 11 kHz). */
function toWav44(samples: Float32Array): Uint8Array {
  const n = samples.length * 2;
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  const g = peak > 0 ? 0.9 / peak : 1;
  for (let i = 0; i < n; i++) {
    const j = i / 2;
    const a = samples[Math.floor(j)];
    const b = samples[Math.min(samples.length - 1, Math.floor(j) + 1)];
    const v = (a + (b - a) * (j - Math.floor(j))) * g;
    left[i] = Math.round(v * 32767);
    right[i] = Math.round(v * 0.9 * 32767);
  }
  const w = new wavefile.WaveFile();
  w.fromScratch(2, 44100, '16', [left, right]);
  return w.toBuffer();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-bench-audio-'));
  try {
    const signal = bandLoop({ bpm: 120, durationS: 240, meter: 4 });
    const path = join(dir, 'band-4min.wav');
    await writeFile(path, toWav44(signal.samples));
    console.log(`\nlocal analyzer: decode + analyse a 4-minute 44.1 kHz stereo 16-bit WAV (generated band, 120 BPM), median of ${RUNS} after a warm-up, ms`);
    const all: StageTimings[] = [];
    let last;
    for (let i = 0; i <= RUNS; i++) {
      const r = await analyzeAudioFileTimed(path);
      last = r.analysis;
      if (i > 0) all.push(r.timings);
    }
    all.sort((a, b) => a.total - b.total);
    const t = all[Math.floor(all.length / 2)];
    console.log(
      `  total ${t.total.toFixed(0)} = decode ${t.decode.toFixed(0)} + spectra/features ${t.features.toFixed(0)} + beats ${t.rhythm.toFixed(0)} + segments ${t.segments.toFixed(0)} + sections ${t.sections.toFixed(0)} + key/track ${t.track.toFixed(0)}`,
    );
    if (last) {
      console.log(
        `  found: tempo ${last.track.tempo?.toFixed(2)} BPM, ${last.beats.length} beats, ${last.segments.length} segments, ${last.sections.length} sections, key ${last.track.key} mode ${last.track.mode}`,
      );
    }
    console.log(`  peak RSS of the audio process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
