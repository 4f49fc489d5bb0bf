/**
 * Sections (src/audio/sections.ts): beat-synchronous units, Foote novelty, boundaries of generated pieces whose
 * timbre and harmony change at known times, and Spotify's per-section fields.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFrameFeatures } from '../../src/audio/features.js';
import { analyzeRhythm } from '../../src/audio/rhythm.js';
import {
  computeSections,
  footeNovelty,
  MIN_SECTION_S,
  sectionBoundaries,
  unitBoundaries,
} from '../../src/audio/sections.js';
import type { FrameFeatures, RhythmAnalysis, TimedEvent } from '../../src/audio/types.js';
import { beatTimes, drumPattern, whiteNoise, SR } from './signals.js';
import { arrhythmicNotes, songForm, threePartPiece } from './tonal-signals.js';

const events = (times: number[], d = 0.5): TimedEvent[] => times.map((start) => ({ start, duration: d, confidence: 1 }));
const noRhythm: RhythmAnalysis = { tempo: 0, tempoConfidence: 0, timeSignature: 4, timeSignatureConfidence: 0, beats: [], bars: [], tatums: [] };

/** The nearest boundary (other than 0) to each change, and how many boundaries match none. */
function score(starts: number[], changes: number[], tolerance = 3): { errors: number[]; extra: number } {
  const inner = starts.filter((t) => t > 0);
  const errors = changes.map((c) => Math.min(...inner.map((t) => Math.abs(t - c)), Infinity));
  const extra = inner.filter((t) => changes.every((c) => Math.abs(t - c) > tolerance)).length;
  return { errors, extra };
}

// One piece, its features and its rhythm, shared by the tests below.
const piece = threePartPiece();
const pieceFeatures = computeFrameFeatures(piece.samples, SR);
const pieceRhythm = analyzeRhythm(pieceFeatures, piece.durationS);

describe('units', () => {
  test('without beats: fixed half-second units tiling the track', () => {
    const b = unitBoundaries([], 10.2);
    assert.equal(b[0], 0, 'starts at 0');
    assert.equal(b[b.length - 1], 10.2, 'ends at the duration');
    for (let i = 1; i < b.length; i++) assert.ok(b[i] - b[i - 1] > 0.3 && b[i] - b[i - 1] <= 0.7, `unit ${i} is ${b[i] - b[i - 1]} s`);
  });

  test('with beats: one unit per beat, and a long beatless gap cut into beat-sized units', () => {
    const beats = [...beatTimes(120, 10, 0, 0.5), ...beatTimes(120, 30, 0, 20)];
    const b = unitBoundaries(events(beats), 30);
    for (const t of beats) assert.ok(b.some((x) => Math.abs(x - t) < 1e-9), `beat ${t} is a unit boundary`);
    for (let i = 1; i < b.length; i++) assert.ok(b[i] - b[i - 1] <= 1.0 + 1e-9, `unit ${i} (${b[i - 1]}…${b[i]}) at most 2 periods`);
  });
});

describe('Foote novelty', () => {
  test('two opposite uniform blocks: novelty ≈ 1 at the change and ≈ 0 inside', () => {
    const units = 60;
    const dims = 2;
    const data = new Float64Array(units * dims);
    for (let u = 0; u < units; u++) {
      data[u * dims] = u < 30 ? 1 : -1;
      data[u * dims + 1] = 0.01 * Math.sin(u); // a little texture
    }
    const nov = footeNovelty(data, units, dims, 8);
    // measured: 0.99995 at the change, 3.8e-6 at most inside the blocks
    assert.ok(nov[30] > 0.9999, `novelty at the change ${nov[30]}`);
    for (const i of [10, 15, 45, 50]) assert.ok(Math.abs(nov[i]) < 1e-5, `novelty inside a block (unit ${i}) ${nov[i]}`);
    let arg = 0;
    for (let i = 1; i < units; i++) if (nov[i] > nov[arg]) arg = i;
    assert.equal(arg, 30, 'the peak is at the change');
  });
});

describe('section boundaries of a piece with known changes (A: struck C major chord; B: noisy bright Eb minor; A)', () => {
  // Measured: within 0.009 s with the rhythm stage's beats, 0.37 s with the unaligned beats (the nearest beat), 0 s without.
  test('with the rhythm stage’s beats, with unaligned 100 BPM beats, and without beats: a boundary at each change', () => {
    const runs: Array<[string, TimedEvent[], number]> = [
      ['rhythm-stage beats', pieceRhythm.beats, 0.01],
      ['100 BPM beats', events(beatTimes(100, piece.durationS, 0, 0.37), 0.6), 0.4],
      ['no beats', [], 0.01],
    ];
    for (const [label, beats, within] of runs) {
      const { starts, confidences } = sectionBoundaries(pieceFeatures, beats, piece.durationS);
      const { errors, extra } = score(starts, piece.changes);
      for (const [i, e] of errors.entries()) assert.ok(e <= within, `${label}: change at ${piece.changes[i]} s found ${e.toFixed(3)} s away, more than ${within} s (starts ${starts.map((t) => t.toFixed(2))})`);
      assert.equal(extra, 0, `${label}: no spurious boundary (starts ${starts.map((t) => t.toFixed(2))})`);
      assert.ok(confidences.every((c) => c >= 0 && c <= 1), `${label}: confidences in [0, 1]`);
    }
  });

  test('a pop-song form over a steady drum loop (verse / chorus / verse / chorus, 20 s each)', () => {
    const p = songForm();
    const f = computeFrameFeatures(p.samples, SR);
    const { starts } = sectionBoundaries(f, analyzeRhythm(f, p.durationS).beats, p.durationS);
    const { errors, extra } = score(starts, p.changes);
    const withinS = 0.012; // measured 0.011 at most
    for (const [i, e] of errors.entries()) assert.ok(e <= withinS, `change at ${p.changes[i]} s found ${e.toFixed(3)} s away (starts ${starts.map((t) => t.toFixed(2))})`);
    assert.equal(extra, 0, `no spurious boundary (starts ${starts.map((t) => t.toFixed(2))})`);
  });

  test('other change times (25 s and 38 s in 60 s)', () => {
    const p = threePartPiece(25, 38, 60, 11);
    const f = computeFrameFeatures(p.samples, SR);
    const { starts } = sectionBoundaries(f, analyzeRhythm(f, p.durationS).beats, p.durationS);
    const { errors, extra } = score(starts, p.changes);
    const withinS = 0.007; // measured 0.0057 at most
    for (const [i, e] of errors.entries()) assert.ok(e <= withinS, `change at ${p.changes[i]} s found ${e.toFixed(3)} s away (starts ${starts.map((t) => t.toFixed(2))})`);
    assert.equal(extra, 0, `no spurious boundary (starts ${starts.map((t) => t.toFixed(2))})`);
  });
});

describe('section fields', () => {
  test('Spotify fields, tiling the track; keys of the parts; loudness of the loud part', () => {
    const sections = computeSections(pieceFeatures, pieceRhythm, piece.durationS);
    assert.equal(sections.length, 3, `three sections (${sections.map((s) => s.start)})`);
    let end = 0;
    for (const [i, s] of sections.entries()) {
      assert.ok(Math.abs(s.start - end) < 1e-4, `section ${i} starts where the previous ends`);
      end = s.start + s.duration;
      for (const k of ['confidence', 'loudness', 'tempo', 'tempo_confidence', 'key', 'key_confidence', 'mode', 'mode_confidence', 'time_signature', 'time_signature_confidence'] as const) {
        const v = s[k];
        assert.ok(typeof v === 'number' && Number.isFinite(v), `section ${i}.${k} = ${v}`);
      }
      for (const k of ['confidence', 'tempo_confidence', 'key_confidence', 'mode_confidence', 'time_signature_confidence'] as const) {
        assert.ok(s[k]! >= 0 && s[k]! <= 1, `section ${i}.${k} = ${s[k]} in [0, 1]`);
      }
    }
    assert.ok(Math.abs(end - piece.durationS) < 1e-4, `the sections end at the duration (${end})`);
    assert.equal(sections[0].confidence, 1, 'the first section has confidence 1');
    assert.deepEqual([sections[0].key, sections[0].mode], [0, 1], 'part A is in C major');
    assert.deepEqual([sections[1].key, sections[1].mode], [3, 0], 'part B is in Eb minor');
    assert.deepEqual([sections[2].key, sections[2].mode], [0, 1], 'part A again');
  });

  test('section tempo from the beats inside; meter from the bars', () => {
    const d = drumPattern({ bpm: 100, durationS: 30, meter: 3 });
    const f = computeFrameFeatures(d.samples, SR);
    const beats = events(d.beats, 0.6);
    const bars = events(d.downbeats ?? [], 1.8);
    const rhythm: RhythmAnalysis = { tempo: 100, tempoConfidence: 0.8, timeSignature: 3, timeSignatureConfidence: 0.9, beats, bars, tatums: [] };
    const sections = computeSections(f, rhythm, 30);
    assert.equal(sections.length, 1, 'a steady loop is one section');
    const s = sections[0];
    // measured: exactly 100 BPM and the track's confidences 0.8 and 0.9
    assert.equal(s.tempo, 100, 'the tempo of the beats inside');
    assert.equal(s.tempo_confidence, 0.8, 'tempo confidence');
    assert.equal(s.time_signature, 3, 'three beats per bar');
    assert.equal(s.time_signature_confidence, 0.9, 'meter confidence');
  });

  test('no pulse, short, noisy and arrhythmic material: one or few sections, at least MIN_SECTION_S long, never NaN', () => {
    const cases: Array<[string, FrameFeatures, number]> = [];
    for (const [label, s, dur] of [
      ['white noise 30 s', whiteNoise(30).samples, 30],
      ['arrhythmic notes 40 s', arrhythmicNotes(40).samples, 40],
      ['4 s of noise', whiteNoise(4).samples, 4],
      ['0.05 s of noise', whiteNoise(0.05).samples, 0.05],
    ] as const) {
      cases.push([label, computeFrameFeatures(s, SR), dur]);
    }
    for (const [label, f, dur] of cases) {
      const sections = computeSections(f, analyzeRhythm(f, dur), dur);
      assert.ok(sections.length >= 1, `${label}: at least one section`);
      for (const [i, s] of sections.entries()) {
        if (sections.length > 1) assert.ok(s.duration >= MIN_SECTION_S - 1e-6, `${label}: section ${i} is ${s.duration} s`);
        for (const v of Object.values(s)) assert.ok(Number.isFinite(v), `${label}: section ${i} has only finite numbers (${JSON.stringify(s)})`);
      }
    }
    const empty = computeSections(cases[0][1], noRhythm, 30);
    assert.equal(empty[0].tempo, 0, 'no pulse: tempo 0');
    assert.equal(empty[0].tempo_confidence, 0, 'no pulse: tempo confidence 0');
  });
});
