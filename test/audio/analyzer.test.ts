/**
 * The local analyzer end to end (src/audio/analyzer.ts) and its segments (src/audio/segments.ts): Spotify's
 * schema and fields, pitches of sustained chords, keys, sections, robustness (silence, noise, very short and
 * arrhythmic signals), segment density, determinism, files and the speed on a 4-minute signal.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeAudioFile, analyzeAudioFileTimed, analyzeSignal, analyzeSignalTimed, integratedLoudness } from '../../src/audio/analyzer.js';
import { computeFrameFeatures } from '../../src/audio/features.js';
import { computeSegments, detectOnsets, MAX_SEGMENT_S, segmentTimbre } from '../../src/audio/segments.js';
import { ANALYSIS_SAMPLE_RATE, LOCAL_ANALYZER_VERSION, type FrameFeatures } from '../../src/audio/types.js';
import { validateAnalysis } from '../../src/analysis/schema.js';
import type { AudioAnalysis } from '../../src/analysis/types.js';
import { chord, drumPattern, mix, silence, sineTone, whiteNoise, SR } from './signals.js';
import { arrhythmicNotes, chordSequence, scaleAndCadence, TEST_CHORDS, threePartPiece } from './tonal-signals.js';
import { assertClose, tempDirPerSuite } from '../helpers/assert.js';

/** Every number anywhere in `v` is finite (NaN would turn into null in JSON). */
function assertFinite(v: unknown, path: string): void {
  if (typeof v === 'number') assert.ok(Number.isFinite(v), `${path} is ${v}`);
  else if (Array.isArray(v)) v.forEach((x, i) => assertFinite(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) assertFinite(x, `${path}.${k}`);
}

/** Valid (no warnings), finite, events inside the track, segments and sections tiling it. */
function assertValid(a: AudioAnalysis, label: string): void {
  const { warnings } = validateAnalysis(JSON.parse(JSON.stringify(a)), label);
  assert.deepEqual(warnings, [], `${label}: validates without warnings`);
  assertFinite(a, label);
  const d = a.track.duration;
  for (const key of ['segments', 'sections'] as const) {
    const ev = a[key];
    assert.ok(ev.length >= 1, `${label}: at least one of ${key}`);
    assert.equal(ev[0].start, 0, `${label}: ${key} start at 0`);
    for (let i = 0; i < ev.length; i++) {
      const end = i + 1 < ev.length ? ev[i + 1].start : d;
      assert.ok(Math.abs(ev[i].start + ev[i].duration - end) < 2e-5, `${label}: ${key}[${i}] ends where the next begins`);
    }
  }
  for (const s of a.segments) {
    assert.ok(s.loudness_max! >= s.loudness_start! - 1e-9 || s.loudness_max_time === 0, `${label}: loudness_max ≥ loudness_start`);
    assert.ok(s.loudness_max_time! >= 0 && s.loudness_max_time! <= s.duration + 1e-9, `${label}: loudness_max_time inside the segment`);
    assert.equal(Math.max(...s.pitches), 1, `${label}: the strongest pitch class is 1`);
    assert.ok(s.pitches.every((p) => p >= 0 && p <= 1), `${label}: pitches in [0, 1]`);
    assert.ok(s.timbre[0] >= 0 && s.timbre[0] <= 60, `${label}: timbre[0] in [0, 60]`);
  }
}

/** Pitch classes of the `n` strongest pitches. */
const topClasses = (p: number[], n: number): number[] =>
  p
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, i]) => i)
    .sort((a, b) => a - b);

/** A 16-bit PCM WAV of `channels` identical channels at `rate` (each analysis-rate sample repeated). */
function wavBytes(samples: Float32Array, rate: number, channels: number): Uint8Array {
  const repeat = rate / SR;
  const frames = Math.round(samples.length * repeat);
  const data = frames * channels * 2;
  const buf = Buffer.alloc(44 + data);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + data, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(data, 40);
  const pcm = new Int16Array(buf.buffer, buf.byteOffset + 44, frames * channels);
  for (let f = 0; f < frames; f++) {
    const v = Math.max(-32768, Math.min(32767, Math.round(samples[Math.min(samples.length - 1, Math.floor(f / repeat))] * 32767)));
    for (let c = 0; c < channels; c++) pcm[f * channels + c] = v;
  }
  return buf;
}

const tmp = tempDirPerSuite('analyzer');

describe('segments', () => {
  test('onsets of a hand-made envelope bound the segments; Spotify loudness_end convention', () => {
    const frames = 431; // 10 s
    const f: FrameFeatures = {
      sampleRate: SR,
      hop: 512,
      frames,
      rmsDb: new Float32Array(frames).fill(-20),
      onset: new Float32Array(frames).fill(1),
      nMel: 1,
      mel: new Float32Array(frames),
      chroma: new Float32Array(frames * 12),
      nMfcc: 13,
      mfcc: new Float32Array(frames * 13),
    };
    const hits = [43, 86, 120, 200, 260, 300, 380];
    for (const h of hits) f.onset[h] = 100;
    for (let t = 0; t < frames; t++) f.chroma[t * 12 + 7] = 1; // all G
    f.rmsDb[frames - 1] = -45;
    assert.deepEqual(detectOnsets(f).map((o) => o.frame), hits, 'every spike is an onset, nothing else');
    const segs = computeSegments(f, 10);
    assert.deepEqual(segs.map((s) => Math.round((s.start * SR) / 512)), [0, ...hits], 'segments start at 0 and at each onset');
    assert.equal(segs[0].confidence, 0, 'the leading segment before the first onset has confidence 0');
    // measured: 0.767 the least
    assert.ok(segs.slice(1).every((s) => s.confidence! > 0.75), `strong onsets are confident: ${segs.slice(1).map((s) => s.confidence)}`);
    assert.ok(segs.slice(0, -1).every((s) => s.loudness_end === 0), 'loudness_end is 0 except on the last segment (Spotify)');
    assert.equal(segs[segs.length - 1].loudness_end, -45, 'the last segment ends at the last frame’s loudness');
    assert.ok(segs.every((s) => s.pitches[7] === 1 && s.pitches.filter((p) => p === 0).length === 11), 'pure G pitches');
  });

  test('silence: one loudness floor, flat pitches (all 1), zero timbre; long segments are split', () => {
    const segs = computeSegments(computeFrameFeatures(silence(5).samples, SR), 5);
    assert.equal(segs.length, 4, `5 s of silence split into segments of at most ${MAX_SEGMENT_S} s (measured: 4)`);
    for (const s of segs) {
      assert.ok(s.duration <= MAX_SEGMENT_S + 1e-9, `segment of ${s.duration} s`);
      assert.equal(s.loudness_max, -60, 'silence is at Spotify’s −60 dB floor');
      assert.deepEqual(s.pitches, new Array(12).fill(1), 'silent pitches are flat (all 1)');
      assert.deepEqual(s.timbre, new Array(12).fill(0), 'silent timbre is 0');
    }
  });

  test('timbre is on a fixed scale: MFCCs × 2.5 (c1 negated), timbre[0] = 60 + dB', () => {
    const frames = 10;
    const f: FrameFeatures = {
      sampleRate: SR,
      hop: 512,
      frames,
      rmsDb: new Float32Array(frames).fill(-20),
      onset: new Float32Array(frames),
      nMel: 1,
      mel: new Float32Array(frames),
      chroma: new Float32Array(frames * 12).fill(1),
      nMfcc: 13,
      mfcc: new Float32Array(frames * 13),
    };
    for (let t = 0; t < frames; t++) for (let k = 0; k < 13; k++) f.mfcc[t * 13 + k] = k * (t % 2 === 0 ? 1 : 3); // mean 2k
    const timbre = segmentTimbre(f, 0, frames);
    assert.equal(timbre[0], 40, 'timbre[0] = 60 + (−20 dB)');
    assert.equal(timbre[1], -5, 'timbre[1] = −2.5 × mean c1');
    for (let k = 2; k < 12; k++) assert.equal(timbre[k], 2.5 * 2 * k, `timbre[${k}] = 2.5 × mean c${k}`);
  });

  test('real signals: timbre[0] follows the level; timbre within Spotify-like magnitudes', () => {
    const loud = mix(drumPattern({ bpm: 120, durationS: 6 }), chord([220, 330, 440], 6, 0.1)).samples;
    const quiet = loud.map((x) => x * 10 ** (-12 / 20));
    const fa = computeFrameFeatures(loud, SR);
    const fb = computeFrameFeatures(quiet, SR);
    const d0 = segmentTimbre(fa, 0, fa.frames)[0] - segmentTimbre(fb, 0, fb.frames)[0];
    assertClose(d0, 12, 1e-15, 'the drop of timbre[0] for −12 dB'); // measured exact
    const all = computeSegments(fa, 6).flatMap((s) => s.timbre.slice(1));
    // measured: 206.9 the largest
    assert.ok(Math.max(...all.map(Math.abs)) < 210, `timbre[1…11] within ±210: ${Math.max(...all.map(Math.abs))}`);
  });
});

describe('pitches of sustained chords', () => {
  test('the 3 (or 4) strongest pitch classes of every segment are the chord tones', () => {
    const seq = chordSequence(TEST_CHORDS, 3);
    const a = analyzeSignal(seq.samples);
    assertValid(a, 'chords');
    let checked = 0;
    const wrong: string[] = [];
    for (const { chord: c, start, end } of seq.spans) {
      const want = [...new Set(c.midis.map((m) => m % 12))].sort((x, y) => x - y);
      // segments with at least 3/4 of their length in the chord's span
      const overlap = (s: { start: number; duration: number }): number => Math.min(end, s.start + s.duration) - Math.max(start, s.start);
      const inside = a.segments.filter((s) => overlap(s) >= 0.75 * s.duration);
      assert.ok(inside.length >= 1, `${c.name}: at least one segment inside its span`);
      for (const s of inside) {
        checked++;
        const got = topClasses(s.pitches, want.length);
        if (got.join() !== want.join()) wrong.push(`${c.name} @${s.start}: ${got} ≠ ${want}`);
      }
    }
    assert.deepEqual(wrong, [], `all ${checked} segments show their chord tones`);
  });
});

describe('track key', () => {
  test('scales and cadences in C major, A minor, F# major, Eb minor, Bb major, E minor', () => {
    for (const [k, mode, label] of [
      [0, 1, 'C major'],
      [9, 0, 'A minor'],
      [6, 1, 'F# major'],
      [3, 0, 'Eb minor'],
      [10, 1, 'Bb major'],
      [4, 0, 'E minor'],
    ] as const) {
      const a = analyzeSignal(scaleAndCadence(k, mode).samples);
      assert.deepEqual([a.track.key, a.track.mode], [k, mode], `${label}: key ${a.track.key}, mode ${a.track.mode}`);
      // measured: 0.867 the least (E minor)
      assert.ok(a.track.key_confidence! > 0.86, `${label}: key confidence ${a.track.key_confidence}`);
    }
  });
});

describe('whole analyses', () => {
  test('sections of a piece whose timbre and harmony change at 20 s and 45 s', () => {
    const p = threePartPiece();
    const a = analyzeSignal(p.samples);
    assertValid(a, 'piece');
    for (const c of p.changes) {
      const err = Math.min(...a.sections.slice(1).map((s) => Math.abs(s.start - c)));
      // measured: off by 0.009 s and 0.002 s
      assert.ok(err <= 0.01, `a section boundary within 0.01 s of ${c} s (off by ${err.toFixed(2)} s; starts ${a.sections.map((s) => s.start)})`);
    }
    assert.equal(a.sections.length, 3, 'three sections');
  });

  test('Spotify’s track and meta fields; loudness, fades', () => {
    // 3 s silence, 20 s drums over a chord, 3 s silence
    const body = mix(drumPattern({ bpm: 120, durationS: 20 }), chord([220, 277.18, 329.63], 20, 0.1)).samples;
    const x = new Float32Array(26 * SR);
    x.set(body, 3 * SR);
    const a = analyzeSignal(x, { source: { format: 'wav', sampleRate: 44100, channels: 2 } });
    assertValid(a, 'fades');
    const t = a.track;
    for (const k of ['num_samples', 'duration', 'sample_md5', 'offset_seconds', 'window_seconds', 'analysis_sample_rate', 'analysis_channels', 'end_of_fade_in', 'start_of_fade_out', 'loudness', 'tempo', 'tempo_confidence', 'time_signature', 'time_signature_confidence', 'key', 'key_confidence', 'mode', 'mode_confidence']) {
      assert.ok(k in t, `track.${k} present`);
    }
    assert.equal(t.num_samples, x.length, 'num_samples');
    assert.equal(t.analysis_sample_rate, ANALYSIS_SAMPLE_RATE, 'analysis_sample_rate');
    assert.equal(t.analysis_channels, 1, 'analysis_channels');
    // measured: 3.065 s, 22.918 s and 120.062 BPM
    assert.ok(Math.abs(t.end_of_fade_in! - 3) < 0.07, `end_of_fade_in ${t.end_of_fade_in} (the chord starts at 3 s)`);
    assert.ok(Math.abs(t.start_of_fade_out! - 23) < 0.09, `start_of_fade_out ${t.start_of_fade_out} (the chord ends at 23 s)`);
    assert.ok(Math.abs(t.tempo! - 120) < 0.07, `tempo ${t.tempo}`);
    assert.deepEqual(
      { ...a.meta },
      { analyzer_version: LOCAL_ANALYZER_VERSION, platform: 'Node.js', detailed_status: 'OK', status_code: 0, timestamp: 0, analysis_time: 0, input_process: 'wav 2ch 44100->22050' },
      'meta',
    );
    // a sine of amplitude 0.5 has an RMS of −9.03 dBFS
    const sine = analyzeSignal(sineTone(440, 5, 0.5).samples);
    // measured −9.074
    assert.ok(Math.abs(sine.track.loudness! + 9.03) < 0.05, `loudness of a −9 dBFS sine ${sine.track.loudness}`);
    assert.equal(integratedLoudness(new Float32Array(10).fill(-100)), -60, 'silence: −60 dB');
  });

  test('silence, white noise, very short and arrhythmic signals: valid, never NaN', () => {
    const withNaN = whiteNoise(3).samples;
    withNaN[1000] = NaN;
    withNaN[2000] = Infinity;
    const dc = new Float32Array(4 * SR).fill(0.5);
    const clipped = sineTone(100, 4, 1).samples.map((v) => Math.sign(v) * 1.5);
    const cases: Array<[string, Float32Array]> = [
      ['10 s of silence', silence(10).samples],
      ['10 s of white noise', whiteNoise(10).samples],
      ['0.3 s tone', sineTone(440, 0.3).samples],
      ['4.9 s of drums', drumPattern({ bpm: 110, durationS: 4.9 }).samples],
      ['one sample', Float32Array.of(0.3)],
      ['100 samples of silence', new Float32Array(100)],
      ['20 s of arrhythmic notes', arrhythmicNotes(20).samples],
      ['noise with NaN and Infinity', withNaN],
      ['DC offset', dc],
      ['over-full-scale square', clipped],
    ];
    for (const [label, x] of cases) {
      const a = analyzeSignal(x);
      assertValid(a, label);
      assert.ok(a.beats.length <= Math.max(4, a.track.duration * 4), `${label}: few beats (${a.beats.length})`);
    }
    const s = analyzeSignal(silence(10).samples);
    assert.deepEqual([s.beats.length, s.track.tempo, s.track.key, s.track.loudness], [0, 0, -1, -60], 'silence: no beats, tempo 0, no key, −60 dB');
    assert.throws(() => analyzeSignal(new Float32Array(0)), /no audio samples/, 'an empty signal is an error');
  });

  test('segment density on a busy drum + chord signal: three per second', () => {
    const x = mix(drumPattern({ bpm: 120, durationS: 30 }), chord([220, 261.63, 329.63], 30, 0.1)).samples;
    const a = analyzeSignal(x);
    const perS = a.segments.length / a.track.duration;
    // measured 3.03
    assert.ok(perS >= 3 && perS <= 3.1, `${perS.toFixed(2)} segments per second`);
  });

  test('deterministic: the same signal gives the same analysis', () => {
    const x = arrhythmicNotes(12, 4).samples;
    assert.deepEqual(analyzeSignal(x), analyzeSignal(x), 'identical analyses');
  });
});

describe('audio files', () => {
  test('a WAV file: validated analysis with local provenance', async () => {
    const path = join(tmp.path, 'my song.wav');
    const x = mix(drumPattern({ bpm: 100, durationS: 12 }), chord([196, 246.94, 293.66], 12, 0.1)).samples;
    await writeFile(path, wavBytes(x, 44100, 2));
    const a = await analyzeAudioFile(path);
    assertValid(a, 'wav');
    assert.deepEqual(
      a.provenance,
      { source: 'local', origin: 'file', location: path, analyzerVersion: LOCAL_ANALYZER_VERSION, title: 'my song' },
      'provenance',
    );
    assert.equal(a.track.duration, 12, 'the 12 s of the file');
    // measured 100.000 BPM
    assert.ok(Math.abs(a.track.tempo! - 100) <= 0.001, `tempo ${a.track.tempo}`);
    assert.equal(a.meta?.input_process, 'wav 2ch 44100->22050', 'input_process');
  });

  // (how long each stage takes is the audio part of `npm run bench`)
  test('a 4-minute 44.1 kHz stereo WAV: a valid analysis at its tempo; the timed variants name every stage', async () => {
    const loop = mix(drumPattern({ bpm: 125, durationS: 15.36 }), chord([220, 261.63, 329.63], 15.36, 0.1)).samples;
    const x = new Float32Array(240 * SR);
    for (let i = 0; i < x.length; i += loop.length) x.set(loop.subarray(0, Math.min(loop.length, x.length - i)), i);
    const path = join(tmp.path, 'long.wav');
    await writeFile(path, wavBytes(x, 44100, 2));
    const { analysis, timings } = await analyzeAudioFileTimed(path);
    assertValid(analysis, '4-minute');
    // measured: tempo 125.003, 499 beats, 125 bars (of 500 beats and 125 bars of 4)
    assert.ok(Math.abs(analysis.track.tempo! - 125) <= 0.005, `tempo ${analysis.track.tempo} within 0.005 BPM of 125`);
    assert.ok(Math.abs(analysis.beats.length - 500) <= 1, `${analysis.beats.length} beats of 500`);
    assert.equal(analysis.bars.length, 125, 'a bar every 4 beats');
    const stages = ['decode', 'features', 'rhythm', 'segments', 'sections', 'track', 'total'];
    assert.deepEqual(Object.keys(timings), stages, 'a time for every stage of the file analysis, and the total');
    assert.ok(Object.values(timings).every(Number.isFinite), `every stage time is a number: ${JSON.stringify(timings)}`);
    const direct = analyzeSignalTimed(x.subarray(0, 10 * SR));
    assert.deepEqual(Object.keys(direct.timings), stages, 'a time for every stage of the signal analysis');
    assert.equal(direct.timings.decode, 0, 'nothing decoded for a signal');
    assert.deepEqual(direct.analysis, analyzeSignal(x.subarray(0, 10 * SR)), 'the timed signal analysis is the untimed one');
  });
});
