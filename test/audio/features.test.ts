import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFrameFeatures, melBandCentres, N_MEL, N_MFCC, TOP_DB } from '../../src/audio/features.js';
import { HOP, ANALYSIS_SAMPLE_RATE, type FrameFeatures } from '../../src/audio/types.js';
import { chord, clickTrack, drumPattern, silence, sineTone, whiteNoise, SR } from './signals.js';

function allFinite(a: Float32Array, name: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) assert.fail(`${name}[${i}] = ${a[i]} is not finite`);
  }
}

function checkShape(f: FrameFeatures, nSamples: number): void {
  const frames = nSamples > 0 ? 1 + Math.floor(nSamples / HOP) : 0;
  assert.equal(f.frames, frames, 'frames = 1 + ⌊n / hop⌋');
  assert.equal(f.hop, HOP, 'hop');
  assert.equal(f.sampleRate, ANALYSIS_SAMPLE_RATE, 'sample rate');
  assert.equal(f.nMel, N_MEL, 'nMel');
  assert.ok(f.nMfcc >= 13, `nMfcc ${f.nMfcc} ≥ 13`);
  assert.equal(f.rmsDb.length, frames, 'rmsDb length');
  assert.equal(f.onset.length, frames, 'onset length');
  assert.equal(f.mel.length, frames * f.nMel, 'mel length');
  assert.equal(f.chroma.length, frames * 12, 'chroma length');
  assert.equal(f.mfcc.length, frames * f.nMfcc, 'mfcc length');
  for (const [name, a] of Object.entries({ rmsDb: f.rmsDb, onset: f.onset, mel: f.mel, chroma: f.chroma, mfcc: f.mfcc })) {
    allFinite(a, name);
  }
  for (let i = 0; i < f.onset.length; i++) if (f.onset[i] < 0) assert.fail(`onset[${i}] < 0`);
  for (let i = 0; i < f.chroma.length; i++) if (f.chroma[i] < 0) assert.fail(`chroma[${i}] < 0`);
}

/** Mean of column `c` of a row-major `[frames × width]` array over frames `a … b − 1`. */
function colMean(x: Float32Array, width: number, c: number, a: number, b: number): number {
  let s = 0;
  for (let t = a; t < b; t++) s += x[t * width + c];
  return s / (b - a);
}

describe('computeFrameFeatures: shapes and degenerate input', () => {
  test('empty input has no frames', () => {
    const f = computeFrameFeatures(new Float32Array(0));
    checkShape(f, 0);
  });

  test('a signal shorter than one frame', () => {
    const f = computeFrameFeatures(new Float32Array(300).fill(0.1));
    checkShape(f, 300);
    assert.equal(f.frames, 1, 'one frame');
  });

  test('digital silence: −100 dB, no onsets, no chroma, a flat mel floor', () => {
    const s = silence(3).samples;
    const f = computeFrameFeatures(s);
    checkShape(f, s.length);
    assert.ok(f.rmsDb.every((v) => v === -100), 'rmsDb all −100');
    assert.ok(f.onset.every((v) => v === 0), 'onset all 0');
    assert.ok(f.chroma.every((v) => v === 0), 'chroma all 0');
    assert.ok(f.mel.every((v) => v === f.mel[0]), 'mel constant');
  });

  test('non-finite samples count as zeros', () => {
    const s = sineTone(440, 2).samples;
    s[1000] = Number.NaN;
    s[20000] = Number.POSITIVE_INFINITY;
    const f = computeFrameFeatures(s);
    checkShape(f, s.length);
  });

  test('white noise: finite features, mel within TOP_DB of its maximum', () => {
    const s = whiteNoise(5, -20).samples;
    const f = computeFrameFeatures(s);
    checkShape(f, s.length);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of f.mel) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.ok(hi - lo <= TOP_DB + 1e-3, `mel range ${hi - lo} ≤ ${TOP_DB}`);
  });
});

describe('computeFrameFeatures: values', () => {
  test('RMS of a sine of amplitude 0.5 is −9.03 dBFS in full frames', () => {
    const f = computeFrameFeatures(sineTone(441, 3, 0.5).samples);
    // measured: 0.0042 dB off at most
    for (let t = 10; t < f.frames - 10; t += 7) {
      assert.ok(Math.abs(f.rmsDb[t] - 20 * Math.log10(0.5 / Math.SQRT2)) < 0.005, `frame ${t}: ${f.rmsDb[t]} dB`);
    }
  });

  test('a 1 kHz tone peaks in the mel band centred nearest 1 kHz', () => {
    const f = computeFrameFeatures(sineTone(1000, 2).samples);
    const centres = melBandCentres();
    const mid = Math.floor(f.frames / 2);
    let best = 0;
    for (let m = 1; m < f.nMel; m++) if (f.mel[mid * f.nMel + m] > f.mel[mid * f.nMel + best]) best = m;
    let nearest = 0;
    for (let m = 1; m < f.nMel; m++) if (Math.abs(centres[m] - 1000) < Math.abs(centres[nearest] - 1000)) nearest = m;
    assert.equal(best, nearest, `peak band ${best} (${centres[best].toFixed(0)} Hz) is the nearest (measured)`);
  });

  test('even and odd frames agree (two frames share one FFT): a one-hop delay shifts every row by one', () => {
    const s = drumPattern({ bpm: 100, durationS: 4 }).samples;
    const delayed = new Float32Array(s.length + HOP);
    delayed.set(s, HOP);
    const a = computeFrameFeatures(s);
    const b = computeFrameFeatures(delayed);
    let worst = 0;
    for (let t = 3; t < a.frames - 3; t++) {
      for (let m = 0; m < a.nMel; m++) worst = Math.max(worst, Math.abs(a.mel[t * a.nMel + m] - b.mel[(t + 1) * b.nMel + m]));
    }
    assert.equal(worst, 0, 'every mel value shifted by one frame, exactly (measured)');
  });

  test('chroma: A440 → A; a C major triad → C, E, G strongest', () => {
    const a = computeFrameFeatures(sineTone(440, 2).samples);
    const mid = Math.floor(a.frames / 2);
    const rowA = Array.from(a.chroma.slice(mid * 12, mid * 12 + 12));
    assert.equal(rowA.indexOf(Math.max(...rowA)), 9, `A440 chroma ${rowA.map((v) => v.toFixed(3)).join(' ')}`);
    const c = computeFrameFeatures(chord([261.63, 329.63, 392.0], 2).samples);
    const means = Array.from({ length: 12 }, (_, k) => colMean(c.chroma, 12, k, 10, c.frames - 10));
    const top3 = means
      .map((v, k) => [v, k] as const)
      .sort((p, q) => q[0] - p[0])
      .slice(0, 3)
      .map(([, k]) => k)
      .sort((p, q) => p - q);
    assert.deepEqual(top3, [0, 4, 7], `C major chroma ${means.map((v) => v.toExponential(1)).join(' ')}`);
  });

  test('MFCC 0 is the orthonormal DCT-II of the log-mel row (sum / √nMel)', () => {
    const f = computeFrameFeatures(chord([220, 330], 1).samples);
    assert.equal(f.nMfcc, N_MFCC, 'nMfcc');
    for (const t of [3, 20, 40]) {
      let s = 0;
      for (let m = 0; m < f.nMel; m++) s += f.mel[t * f.nMel + m];
      const c0 = s / Math.sqrt(f.nMel);
      assert.ok(Math.abs(f.mfcc[t * f.nMfcc] - c0) < 1e-2 * Math.max(1, Math.abs(c0)), `frame ${t}: ${f.mfcc[t * f.nMfcc]} vs ${c0}`);
    }
  });

  test('onset strength peaks within one frame of every click', () => {
    const sig = clickTrack({ bpm: 100, durationS: 10 });
    const f = computeFrameFeatures(sig.samples);
    const fps = SR / HOP;
    for (const b of sig.beats) {
      const c = b * fps;
      let best = Math.round(c);
      for (let i = Math.round(c) - 5; i <= Math.round(c) + 5; i++) if (i >= 0 && i < f.frames && f.onset[i] > f.onset[best]) best = i;
      assert.ok(Math.abs(best - c) <= 1, `click at ${b.toFixed(3)} s (frame ${c.toFixed(2)}): envelope peak at frame ${best}`);
    }
  });

  // (how long this takes is the "features" stage of `npm run bench`)
  test('a 4-minute signal: 10,336 frames, every feature finite and in range', () => {
    const s = whiteNoise(240, -20).samples;
    const f = computeFrameFeatures(s);
    assert.equal(f.frames, 10336, 'frames of 4 minutes');
    checkShape(f, s.length);
  });
});
