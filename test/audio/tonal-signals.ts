/**
 * Tonal test audio generated in code: harmonic (piano-/organ-like) notes, chords, scales with cadences in any key,
 * and a three-part piece whose timbre and harmony change at known times. Deterministic; mono, 22,050 Hz.
 */
import { createRandom } from '../../src/util/random.js';
import { drumPattern, SR, type TestSignal } from './signals.js';

/** MIDI note number → Hz (A4 = 69 = 440 Hz). */
export const midiHz = (m: number): number => 440 * 2 ** ((m - 69) / 12);

/** Note options. */
export interface NoteOptions {
  /** Number of harmonics (amplitude 1/k each), default 6. */
  harmonics?: number;
  /** Exponential decay time constant, s (default Infinity: sustained, organ-like). */
  decayS?: number;
  /** Attack/release ramps, s (default 0.01). */
  rampS?: number;
}

/** Add a harmonic note (harmonic k at amplitude `amp / k`) starting at `t` for `durS` seconds. */
export function addNote(buf: Float32Array, t: number, durS: number, freq: number, amp: number, opts: NoteOptions = {}): void {
  const nh = opts.harmonics ?? 6;
  const decay = opts.decayS ?? Infinity;
  const ramp = Math.max(1, Math.round((opts.rampS ?? 0.01) * SR));
  const start = Math.round(t * SR);
  const len = Math.min(Math.round(durS * SR), buf.length - start);
  if (len <= 0) return;
  // the envelope once, then each harmonic by the sine recurrence s[i] = 2·cos(w)·s[i−1] − s[i−2]
  const env = new Float64Array(len);
  const k = Number.isFinite(decay) ? Math.exp(-1 / SR / decay) : 1;
  for (let i = 0, d = 1; i < len; i++, d *= k) env[i] = Math.min(1, i / ramp, (len - 1 - i) / ramp) * d;
  for (let h = 1; h <= nh; h++) {
    const f = freq * h;
    if (f >= SR / 2 - 500) break;
    const w = (2 * Math.PI * f) / SR;
    const c = 2 * Math.cos(w);
    const a = amp / h;
    let s1 = Math.sin(-w); // s[−1]
    let s2 = Math.sin(-2 * w); // s[−2]
    for (let i = 0; i < len; i++) {
      const s0 = c * s1 - s2;
      s2 = s1;
      s1 = s0;
      const j = start + i;
      if (j >= 0) buf[j] += a * env[i] * s0;
    }
  }
}

/** Scale the buffer so its peak is `peak` (default 0.9). */
export function normalize(buf: Float32Array, peak = 0.9): Float32Array {
  let m = 0;
  for (let i = 0; i < buf.length; i++) m = Math.max(m, Math.abs(buf[i]));
  if (m > 0) for (let i = 0; i < buf.length; i++) buf[i] *= peak / m;
  return buf;
}

/** A sustained chord of harmonic notes (MIDI numbers), `durationS` long. */
export function harmonicChord(midis: readonly number[], durationS: number, opts: NoteOptions = {}): TestSignal {
  const buf = new Float32Array(Math.round(durationS * SR));
  for (const m of midis) addNote(buf, 0, durationS, midiHz(m), 0.2, opts);
  return { samples: normalize(buf), sampleRate: SR, beats: [] };
}

const MAJOR_STEPS = [0, 2, 4, 5, 7, 9, 11, 12];
/** Harmonic minor (raised 7th, as in a V chord of a minor key). */
const MINOR_STEPS = [0, 2, 3, 5, 7, 8, 11, 12];

/**
 * A scale up and down (quarter notes of `noteS`) then the cadence I–IV–V–I (minor: i–iv–V–i) as block chords of
 * `chordS` with a bass note an octave below the root. The tonic is the pitch class `tonic` (0 = C) in the octave
 * from C4; `mode` 1 = major, 0 = minor.
 */
export function scaleAndCadence(tonic: number, mode: 0 | 1, noteS = 0.3, chordS = 1.2): TestSignal {
  const root = 60 + tonic;
  const steps = mode === 1 ? MAJOR_STEPS : MINOR_STEPS;
  const third = mode === 1 ? 4 : 3;
  const notes = [...steps, ...steps.slice(0, -1).reverse()];
  const chords: number[][] = [
    [0, third, 7],
    [5, 5 + third, 12],
    [7, 11, 14],
    [0, third, 7],
  ];
  const total = notes.length * noteS + chords.length * chordS + 0.3;
  const buf = new Float32Array(Math.round(total * SR));
  let t = 0;
  for (const s of notes) {
    addNote(buf, t, noteS * 0.95, midiHz(root + s), 0.3, { decayS: 0.8 });
    t += noteS;
  }
  for (const c of chords) {
    for (const s of c) addNote(buf, t, chordS * 0.95, midiHz(root + s), 0.2, { decayS: 1.5 });
    addNote(buf, t, chordS * 0.95, midiHz(root + c[0] - 12), 0.25, { decayS: 1.5 });
    t += chordS;
  }
  return { samples: normalize(buf), sampleRate: SR, beats: [] };
}

/** Part of {@link threePartPiece}: a time span and what plays in it. */
export interface PieceTruth {
  /** Times of the changes, s. */
  changes: number[];
  durationS: number;
}

/**
 * A piece whose timbre and harmony change at known times: `0 … a` s piano-like struck chord A (C major, a new
 * strike every second, decaying), `a … b` s a noisy, bright texture (hi-passed noise bursts on a 120 BPM pulse and a
 * sustained, many-harmonic chord B = E♭ minor), `b … end` s chord A again. Defaults 20, 45, 70 s.
 */
export function threePartPiece(a = 20, b = 45, end = 70, seed = 7): TestSignal & PieceTruth {
  const buf = new Float32Array(Math.round(end * SR));
  const random = createRandom(seed);
  const chordA = [48, 60, 64, 67]; // C3 C4 E4 G4
  const chordB = [51, 63, 66, 70]; // Eb3 Eb4 Gb4 Bb4
  const partA = (from: number, to: number): void => {
    for (let t = from; t < to - 0.05; t += 1) {
      for (const m of chordA) addNote(buf, t, Math.min(1, to - t), midiHz(m), 0.2, { decayS: 0.5, rampS: 0.003 });
    }
  };
  partA(0, a);
  // B: sustained bright chord (many harmonics) …
  for (const m of chordB) addNote(buf, a, b - a, midiHz(m), 0.12, { harmonics: 12, rampS: 0.02 });
  // … and hi-passed noise bursts every half second.
  for (let t = a; t < b - 0.05; t += 0.5) {
    const start = Math.round(t * SR);
    const len = Math.round(0.3 * SR);
    let prev = 0;
    for (let i = 0; i < len && start + i < buf.length; i++) {
      const w = 2 * random() - 1;
      buf[start + i] += 0.15 * Math.exp(-i / SR / 0.12) * (w - prev);
      prev = w;
    }
  }
  partA(b, end);
  return { samples: normalize(buf), sampleRate: SR, beats: [], changes: [a, b], durationS: end };
}

/** A chord of {@link chordSequence}: a name, its MIDI notes. */
export interface NamedChord {
  name: string;
  midis: number[];
}

/** Common test chords (close position around middle C; 7th chords with four notes). */
export const TEST_CHORDS: readonly NamedChord[] = [
  { name: 'C major', midis: [60, 64, 67] },
  { name: 'A minor', midis: [57, 60, 64] },
  { name: 'G7', midis: [55, 59, 62, 65] },
  { name: 'F# major', midis: [54, 58, 61] },
  { name: 'Eb minor', midis: [63, 66, 70] },
  { name: 'D7', midis: [62, 66, 69, 72] },
  { name: 'Bb major', midis: [58, 62, 65] },
  { name: 'E minor', midis: [64, 67, 71] },
];

/**
 * Sustained harmonic chords one after another, `chordS` each (organ-like: no decay, 10 ms ramps), with the
 * time span of each.
 */
export function chordSequence(chords: readonly NamedChord[], chordS = 3): TestSignal & { spans: Array<{ chord: NamedChord; start: number; end: number }> } {
  const buf = new Float32Array(Math.round(chords.length * chordS * SR));
  const spans = chords.map((c, i) => {
    for (const m of c.midis) addNote(buf, i * chordS, chordS, midiHz(m), 0.2);
    return { chord: c, start: i * chordS, end: (i + 1) * chordS };
  });
  return { samples: normalize(buf), sampleRate: SR, beats: [], spans };
}

/**
 * Arrhythmic material: harmonic notes of random pitch (MIDI 48–84), length (0.1–2 s) and loudness at random
 * (exponentially distributed, mean 0.35 s) onset times.
 */
export function arrhythmicNotes(durationS: number, seed = 3): TestSignal {
  const buf = new Float32Array(Math.round(durationS * SR));
  const random = createRandom(seed);
  for (let t = 0.1; t < durationS; t += -0.35 * Math.log(1 - random())) {
    const m = 48 + Math.floor(random() * 37);
    addNote(buf, t, 0.1 + 1.9 * random(), midiHz(m), 0.05 + 0.2 * random(), { decayS: 0.3 + random(), rampS: 0.005 });
  }
  return { samples: normalize(buf), sampleRate: SR, beats: [] };
}

/**
 * A pop-song form over a steady 120 BPM drum loop: verse (piano-like struck chords C–Am–F–G, 2 s each, soft) and
 * chorus (bright sustained many-harmonic chords F–G–Em–Am, louder, plus a 16th-note shaker), alternating every
 * `partS` seconds: V C V C. Changes at `partS`, `2·partS`, `3·partS`.
 */
export function songForm(partS = 20, seed = 5): TestSignal & PieceTruth {
  const end = 4 * partS;
  const buf = new Float32Array(Math.round(end * SR));
  const random = createRandom(seed);
  const verse = [
    [48, 60, 64, 67],
    [45, 57, 60, 64],
    [41, 57, 60, 65],
    [43, 59, 62, 67],
  ];
  const chorus = [
    [41, 60, 65, 69],
    [43, 59, 62, 67],
    [40, 59, 64, 67],
    [45, 60, 64, 69],
  ];
  for (let part = 0; part < 4; part++) {
    const from = part * partS;
    const isChorus = part % 2 === 1;
    for (let t = from, i = 0; t < from + partS - 0.05; t += 2, i++) {
      const c = (isChorus ? chorus : verse)[i % 4];
      for (const m of c) {
        if (isChorus) addNote(buf, t, 2, midiHz(m), 0.1, { harmonics: 10, rampS: 0.03 });
        else {
          addNote(buf, t, 1, midiHz(m), 0.1, { decayS: 0.4, rampS: 0.003 });
          addNote(buf, t + 1, 1, midiHz(m), 0.07, { decayS: 0.4, rampS: 0.003 });
        }
      }
    }
    if (isChorus) {
      for (let t = from; t < from + partS - 0.05; t += 0.125) {
        const start = Math.round(t * SR);
        let prev = 0;
        for (let i = 0; i < 0.06 * SR && start + i < buf.length; i++) {
          const w = 2 * random() - 1;
          buf[start + i] += 0.05 * Math.exp(-i / SR / 0.02) * (w - prev);
          prev = w;
        }
      }
    }
  }
  const drums = drumPattern({ bpm: 120, durationS: end, seed });
  for (let i = 0; i < buf.length; i++) buf[i] = 0.6 * buf[i] + 0.4 * drums.samples[i];
  return { samples: normalize(buf), sampleRate: SR, beats: drums.beats, changes: [partS, 2 * partS, 3 * partS], durationS: end };
}
