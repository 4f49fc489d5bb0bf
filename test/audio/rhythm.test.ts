import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFrameFeatures } from '../../src/audio/features.js';
import { analyzeRhythm } from '../../src/audio/rhythm.js';
import { HOP, type FrameFeatures, type RhythmAnalysis, type TimedEvent } from '../../src/audio/types.js';
import { groove, type GrooveOptions } from './tonal-signals.js';
import { bandLoop, beatFMeasure, chord, clickTrack, drumPattern, meanTempo, mix, silence, whiteNoise, SR, type TestSignal } from './signals.js';
import { assertClose } from '../helpers/assert.js';

const TEMPOS = [60, 75, 90, 100, 120, 128, 140, 160, 180];
const DURATION = 20;

function analyze(sig: TestSignal): RhythmAnalysis {
  return analyzeRhythm(computeFrameFeatures(sig.samples), sig.samples.length / SR);
}

function checkEvents(events: TimedEvent[], name: string, durationS: number): void {
  let prev = -Infinity;
  events.forEach((e, i) => {
    for (const k of ['start', 'duration', 'confidence'] as const) {
      if (!Number.isFinite(e[k])) assert.fail(`${name}[${i}].${k} = ${e[k]}`);
    }
    assert.ok(e.start >= 0 && e.start > prev, `${name}[${i}].start ${e.start} ascending and ≥ 0`);
    assert.ok(e.duration >= 0, `${name}[${i}].duration ${e.duration} ≥ 0`);
    assert.ok(e.start + e.duration <= durationS + 1e-6, `${name}[${i}] ends at ${e.start + e.duration} ≤ ${durationS}`);
    assert.ok(e.confidence >= 0 && e.confidence <= 1, `${name}[${i}].confidence ${e.confidence} in [0, 1]`);
    prev = e.start;
  });
}

/** Every number finite, confidences in [0, 1], events ascending inside the signal. */
function checkValid(r: RhythmAnalysis, durationS: number): void {
  assert.ok(Number.isFinite(r.tempo) && r.tempo >= 0, `tempo ${r.tempo}`);
  assert.ok(r.tempo === 0 || (r.tempo >= 30 && r.tempo <= 250), `tempo ${r.tempo} in range`);
  for (const k of ['tempoConfidence', 'timeSignatureConfidence'] as const) {
    assert.ok(Number.isFinite(r[k]) && r[k] >= 0 && r[k] <= 1, `${k} ${r[k]} in [0, 1]`);
  }
  assert.ok(Number.isInteger(r.timeSignature) && r.timeSignature >= 3 && r.timeSignature <= 7, `timeSignature ${r.timeSignature}`);
  checkEvents(r.beats, 'beats', durationS);
  checkEvents(r.bars, 'bars', durationS);
  checkEvents(r.tatums, 'tatums', durationS);
  if (r.beats.length === 0) {
    assert.equal(r.bars.length, 0, 'no bars without beats');
    assert.equal(r.tatums.length, 0, 'no tatums without beats');
  }
  const beatStarts = new Set(r.beats.map((b) => b.start));
  for (const bar of r.bars) assert.ok(beatStarts.has(bar.start), `bar at ${bar.start} starts on a beat`);
}

interface Case {
  name: string;
  make: () => TestSignal;
  /** Expected tatums per beat (2 straight, 3 swung), when asserted. */
  tatumsPerBeat?: number;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const bpm of TEMPOS) {
    const seed = bpm;
    out.push(
      { name: `clicks ${bpm} BPM 4/4`, make: () => clickTrack({ bpm, durationS: DURATION, meter: 4, seed }), tatumsPerBeat: 2 },
      { name: `clicks ${bpm} BPM 3/4`, make: () => clickTrack({ bpm, durationS: DURATION, meter: 3, seed }) },
      { name: `clicks ${bpm} BPM 4/4, +5 % drift`, make: () => clickTrack({ bpm, durationS: DURATION, meter: 4, drift: 0.05, seed }) },
      { name: `clicks ${bpm} BPM 3/4, −5 % drift`, make: () => clickTrack({ bpm, durationS: DURATION, meter: 3, drift: -0.05, seed }) },
      { name: `drums ${bpm} BPM 4/4 straight`, make: () => drumPattern({ bpm, durationS: DURATION, meter: 4, seed }), tatumsPerBeat: 2 },
      {
        name: `drums ${bpm} BPM 3/4 swing`,
        make: () => drumPattern({ bpm, durationS: DURATION, meter: 3, swing: 2 / 3, seed }),
        tatumsPerBeat: bpm <= 160 ? 3 : undefined,
      },
      { name: `drums ${bpm} BPM 4/4 swing, +5 % drift`, make: () => drumPattern({ bpm, durationS: DURATION, meter: 4, swing: 2 / 3, drift: 0.05, seed }) },
      { name: `drums ${bpm} BPM 3/4 straight, −5 % drift`, make: () => drumPattern({ bpm, durationS: DURATION, meter: 3, drift: -0.05, seed }) },
    );
  }
  // Downbeats marked only by harmony and bass (the drums' kick is the same on 1 and 3, no crash).
  for (const bpm of [75, 120, 160]) {
    out.push(
      { name: `band ${bpm} BPM 4/4 (chords + bass, unaccented drums)`, make: () => bandLoop({ bpm, durationS: DURATION, meter: 4, seed: bpm }) },
      { name: `band ${bpm} BPM 3/4 (chords + bass, unaccented drums)`, make: () => bandLoop({ bpm, durationS: DURATION, meter: 3, seed: bpm }) },
    );
  }
  return out;
}

// Measured over these 78 cases: tempo within 0.044 % (clicks 160 BPM 4/4), beat F ≥ 0.973 and downbeat F ≥ 0.923 (both
// band 75 BPM 3/4), tempo confidence ≥ 0.632 (clicks 60 BPM 4/4, +5 % drift), tatums exactly 2 or 3 a beat.
describe('analyzeRhythm on generated rhythms (tempo ±0.05 %, beat F ≥ 0.97 at ±70 ms after 5 s, meter, downbeats)', () => {
  for (const c of cases()) {
    test(c.name, (t) => {
      const sig = c.make();
      const r = analyze(sig);
      checkValid(r, sig.samples.length / SR);
      const ref = meanTempo(sig.beats);
      const err = (r.tempo - ref) / ref;
      const beats = beatFMeasure(sig.beats, r.beats.map((b) => b.start));
      const downs = beatFMeasure(sig.downbeats ?? [], r.bars.map((b) => b.start));
      t.diagnostic(
        `tempo ${r.tempo.toFixed(2)} vs ${ref.toFixed(2)} (${(100 * err).toFixed(2)} %), beat F ${beats.fMeasure.toFixed(3)}, ` +
          `meter ${r.timeSignature} (${r.timeSignatureConfidence.toFixed(2)}), downbeat F ${downs.fMeasure.toFixed(3)}, tempo conf ${r.tempoConfidence.toFixed(2)}`,
      );
      assert.ok(Math.abs(err) <= 0.0005, `tempo ${r.tempo.toFixed(2)} BPM vs ${ref.toFixed(2)} (${(100 * err).toFixed(2)} %)`);
      assert.ok(beats.fMeasure >= 0.97, `beat F-measure ${beats.fMeasure.toFixed(3)} (P ${beats.precision.toFixed(3)}, R ${beats.recall.toFixed(3)})`);
      assert.equal(r.timeSignature, sig.meter, `time signature ${r.timeSignature}, expected ${sig.meter}`);
      assert.ok(downs.fMeasure >= 0.92, `downbeat F-measure ${downs.fMeasure.toFixed(3)}`);
      assert.ok(r.tempoConfidence >= 0.6, `tempo confidence ${r.tempoConfidence}`);
      if (c.tatumsPerBeat !== undefined) {
        assert.equal(r.tatums.length, c.tatumsPerBeat * r.beats.length, `${r.tatums.length} tatums for ${r.beats.length} beats, expected ${c.tatumsPerBeat} a beat`);
      }
    });
  }
});

describe('analyzeRhythm without a pulse never fails', () => {
  const noPulse: Array<[string, () => TestSignal]> = [
    ['silence', () => silence(10)],
    ['white noise', () => whiteNoise(15, -20, 3)],
    ['a sustained chord', () => chord([261.63, 329.63, 392.0], 15)],
  ];
  for (const [name, make] of noPulse) {
    test(`${name}: tempo 0, no beats`, () => {
      const sig = make();
      const r = analyze(sig);
      checkValid(r, sig.samples.length / SR);
      assert.equal(r.tempo, 0, `tempo ${r.tempo}`);
      assert.equal(r.beats.length, 0, `${r.beats.length} beats`);
    });
  }

  test('a 3 s click track: valid, a beat on every click', () => {
    const sig = clickTrack({ bpm: 120, durationS: 3 });
    const r = analyze(sig);
    checkValid(r, 3);
    const score = beatFMeasure(sig.beats, r.beats.map((b) => b.start), 0.07, 0);
    // measured: the 5 clicks, each with its beat
    assert.deepEqual([score.matched, r.beats.length, sig.beats.length], [5, 5, 5], `${score.matched} of ${r.beats.length} beats on the ${sig.beats.length} clicks`);
  });

  test('degenerate features: no frames, NaN and negative onsets', () => {
    const empty = computeFrameFeatures(new Float32Array(0));
    checkValid(analyzeRhythm(empty, 0), 0);
    const f: FrameFeatures = computeFrameFeatures(clickTrack({ bpm: 100, durationS: 8 }).samples);
    const broken: FrameFeatures = { ...f, onset: f.onset.map((v, i) => (i % 7 === 0 ? Number.NaN : i % 11 === 0 ? -5 : v)) };
    checkValid(analyzeRhythm(broken, 8), 8);
    checkValid(analyzeRhythm(f, Number.NaN), (f.frames * HOP) / SR);
  });

  test('drums under a sustained chord keep their beat', () => {
    const sig = mix(drumPattern({ bpm: 110, durationS: DURATION }), chord([110, 220, 277.18, 329.63], DURATION, 0.15));
    const r = analyze(sig);
    checkValid(r, DURATION);
    const score = beatFMeasure(sig.beats, r.beats.map((b) => b.start));
    // measured 1: every beat (one missed of the 27 scored would give 0.981)
    assert.equal(score.fMeasure, 1, `beat F ${score.fMeasure} (P ${score.precision}, R ${score.recall})`);
  });
});

// (how long features and rhythm take on four minutes is the "features" and "beats" stages of `npm run bench`)
describe('rhythm over a whole song', () => {
  test('a 4-minute drum loop whose tempo drifts ±3 % keeps its beat', () => {
    const sig = drumPattern({ bpm: 123, durationS: 240, drift: 0.03 });
    const r = analyzeRhythm(computeFrameFeatures(sig.samples), 240);
    checkValid(r, 240);
    const score = beatFMeasure(sig.beats, r.beats.map((b) => b.start));
    // measured 1: every beat (one missed of the ~480 scored would give 0.999)
    assert.equal(score.fMeasure, 1, `beat F ${score.fMeasure} (P ${score.precision}, R ${score.recall})`);
  });
});

describe('test helpers (signals.ts)', () => {
  test('beatFMeasure: mir_eval semantics (5 s trim, ±70 ms, one-to-one)', () => {
    const ref = [6, 6.5, 7, 7.5, 8];
    assert.equal(beatFMeasure(ref, ref).fMeasure, 1, 'identical lists');
    assert.equal(beatFMeasure(ref, ref.map((t) => t + 0.08)).fMeasure, 0, '80 ms late: no match');
    assert.equal(beatFMeasure(ref, ref.map((t) => t - 0.06)).fMeasure, 1, '60 ms early: all match');
    const doubled = beatFMeasure(ref, ref.flatMap((t) => [t, t + 0.01]));
    assert.equal(doubled.matched, 5, 'one estimate per reference');
    assertClose(doubled.precision, 0.5, 1e-15, 'precision: 5 of the 10 estimates');
    assert.equal(beatFMeasure([1, 2, 3], [1, 2, 3]).fMeasure, 0, 'everything before 5 s is trimmed');
    assert.equal(beatFMeasure([1, 2, 3], [1, 2, 3], 0.07, 0).fMeasure, 1, 'no trim with minTime 0');
  });

  test('beatTimes: a linear tempo ramp from bpm·(1 − d) to bpm·(1 + d)', () => {
    const beats = clickTrack({ bpm: 120, durationS: 30, drift: 0.05 }).beats;
    const first = beats[1] - beats[0];
    const last = beats[beats.length - 1] - beats[beats.length - 2];
    // measured: 114.107, 125.709 and 119.903 BPM (the first and last intervals are a beat in from the ends)
    assert.ok(Math.abs(60 / first - 114) < 0.15, `first tempo ${60 / first}`);
    assert.ok(Math.abs(60 / last - 126) < 0.35, `last tempo ${60 / last}`);
    assert.ok(Math.abs(meanTempo(beats) - 120) < 0.15, `mean tempo ${meanTempo(beats)}`);
  });
});

/** A groove of {@link groove} whose loudest beat is not (only) the first of the bar. */
interface GrooveCase {
  name: string;
  opts: Omit<GrooveOptions, 'bpm' | 'durationS' | 'pickup' | 'seed'>;
  /** The control: beat 1 is the loudest (RMS); no claim that another beat has stronger onsets. */
  control?: boolean;
}

/**
 * Mean onset strength (`features.onset`, its peak in frames −1 … +3 around each true beat) at each bar position,
 * beat 1 first: the spectral flux the beat accent is built on.
 */
function onsetByPosition(f: FrameFeatures, sig: TestSignal): number[] {
  const meter = sig.meter ?? 4;
  const downs = new Set(sig.downbeats ?? []);
  const first = sig.beats.findIndex((t) => downs.has(t));
  const sums = new Array<number>(meter).fill(0);
  const counts = new Array<number>(meter).fill(0);
  sig.beats.forEach((t, i) => {
    const pos = (((i - first) % meter) + meter) % meter;
    const b = Math.round((t * SR) / HOP);
    let peak = 0;
    for (let j = Math.max(0, b - 1); j <= Math.min(f.frames - 1, b + 3); j++) peak = Math.max(peak, f.onset[j]);
    sums[pos] += peak;
    counts[pos]++;
  });
  return sums.map((v, p) => v / Math.max(1, counts[p]));
}

const HAT = 0.1;
/** Kick on 1 and 3, a louder snare on 2 and 4. */
const BACKBEAT = [{ kick: 0.5, hat: HAT }, { snare: 0.7, hat: HAT }, { kick: 0.5, hat: HAT }, { snare: 0.7, hat: HAT }];
const GROOVES: GrooveCase[] = [
  { name: '4/4 kick on 1 and 3, louder snare on 2 and 4, chords and bass on 1', opts: { meter: 4, drums: BACKBEAT, bass: 'downbeat' } },
  { name: '4/4 backbeat, chords on 1, no bass (harmony against accent)', opts: { meter: 4, drums: BACKBEAT } },
  {
    name: '4/4 backbeat, chords struck and bass on every beat (only the harmony changes on 1)',
    opts: { meter: 4, drums: BACKBEAT, comping: 'beats', bass: 'beats' },
  },
  {
    name: '4/4 loudest hit (snare + crash) on 3, soft snare on 2 and 4, kick, chords and bass on 1',
    opts: {
      meter: 4,
      drums: [{ kick: 0.5, hat: HAT }, { snare: 0.3, hat: HAT }, { snare: 0.8, crash: 0.4, hat: HAT }, { snare: 0.3, hat: HAT }],
      bass: 'downbeat',
    },
  },
  {
    name: '3/4 accent (loud snare) on 2, kick, chords and bass on 1',
    opts: { meter: 3, drums: [{ kick: 0.5, hat: HAT }, { snare: 0.8, hat: HAT }, { hat: HAT }], bass: 'downbeat' },
  },
  {
    name: '4/4 kick on every beat, louder snare on 2 and 4, a bass line on 1, no chords (bass against accent)',
    opts: {
      meter: 4,
      drums: [{ kick: 0.4, hat: HAT }, { kick: 0.4, snare: 0.7, hat: HAT }, { kick: 0.4, hat: HAT }, { kick: 0.4, snare: 0.7, hat: HAT }],
      comping: 'none',
      bass: 'downbeat',
    },
  },
  {
    name: '4/4 chords and bass on 1 and 3, accent (louder kick + crash) on 1 (harmony ties, accent decides)',
    opts: {
      meter: 4,
      drums: [{ kick: 0.8, crash: 0.2, hat: HAT }, { snare: 0.5, hat: HAT }, { kick: 0.5, hat: HAT }, { snare: 0.5, hat: HAT }],
      chordBeats: 2,
      bass: 'downbeat',
    },
    control: true,
  },
];
const GROOVE_TEMPOS = [90, 120, 140];
const GROOVE_PICKUPS = [0, 1, 2];

describe('downbeats where the loudest beat is not the first of the bar (bar F at ±70 ms after 5 s)', () => {
  const barF: number[] = [];
  for (const g of GROOVES) {
    for (const bpm of GROOVE_TEMPOS) {
      for (const pickup of GROOVE_PICKUPS) {
        test(`${g.name}, ${bpm} BPM, ${pickup} pickup beat${pickup === 1 ? '' : 's'}`, (t) => {
          const sig = groove({ ...g.opts, bpm, durationS: DURATION, pickup, seed: bpm + pickup });
          const f = computeFrameFeatures(sig.samples);
          const r = analyzeRhythm(f, sig.samples.length / SR);
          checkValid(r, sig.samples.length / SR);
          const onsets = onsetByPosition(f, sig);
          const strongest = Math.max(...onsets.slice(1));
          t.diagnostic(`mean onset strength by bar position: ${onsets.map((v) => v.toFixed(0)).join(', ')}`);
          if (!g.control) {
            // The premise: another beat's onsets are much stronger than beat 1's (measured ≥ 1.82 ×).
            assert.ok(strongest >= 1.75 * onsets[0], `onsets by position ${onsets.map((v) => v.toFixed(0)).join(', ')}: beat 1 is not clearly weaker`);
          }
          const beats = beatFMeasure(sig.beats, r.beats.map((b) => b.start));
          const downs = beatFMeasure(sig.downbeats ?? [], r.bars.map((b) => b.start));
          barF.push(downs.fMeasure);
          t.diagnostic(`tempo ${r.tempo.toFixed(1)}, beat F ${beats.fMeasure.toFixed(3)}, meter ${r.timeSignature}, bar F ${downs.fMeasure.toFixed(3)}`);
          // measured ≥ 0.978 over these 27 grooves
          assert.ok(beats.fMeasure >= 0.975, `beat F-measure ${beats.fMeasure.toFixed(3)}`);
          assert.equal(r.timeSignature, sig.meter, `time signature ${r.timeSignature}, expected ${sig.meter}`);
          // Measured: 1.000 but for 0.909 and 0.941 (hit on 3, 1 pickup, 90 and 140 BPM): the last beat, a downbeat, is not tracked.
          assert.ok(downs.fMeasure >= 0.9, `bar F-measure ${downs.fMeasure.toFixed(3)} (P ${downs.precision.toFixed(3)}, R ${downs.recall.toFixed(3)})`);
        });
      }
    }
  }
  test('mean bar F over these grooves', (t) => {
    const expected = GROOVES.length * GROOVE_TEMPOS.length * GROOVE_PICKUPS.length;
    assert.equal(barF.length, expected, `${barF.length} of ${expected} grooves scored`);
    const mean = barF.reduce((a, v) => a + v, 0) / barF.length;
    t.diagnostic(`mean bar F ${mean.toFixed(4)} over ${barF.length} grooves`);
    // Measured 0.9976 (0.521 with the accent-only choice this replaced): one more missed downbeat anywhere fails.
    assert.ok(mean >= 0.997, `mean bar F ${mean.toFixed(4)}`);
  });
});
