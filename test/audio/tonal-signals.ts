/**
 * Tonal test audio generated in code: harmonic (piano-/organ-like) notes, chords, scales with cadences in any key,
 * a three-part piece whose timbre and harmony change at known times, and band grooves with exactly known bars
 * ({@link groove}: drums per bar position, chords, bass, pickup beats). Deterministic; mono, 22,050 Hz.
 */
import { createRandom } from '../../src/util/random.js';
import { addNoise, addNoiseBurst, addTone, beatTimes, drumPattern, POP_PROGRESSION, SR, type RhythmOptions, type TestSignal } from './signals.js';

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

/** Drum hits on one beat of a {@link groove} bar: the amplitude of each instrument (absent or 0 = not played). */
export interface DrumHits {
  /** Kick: a sine swept 150 → 50 Hz, 0.15 s decay (as {@link drumPattern}'s). */
  kick?: number;
  /** Snare: a white-noise burst (0.08 s decay) plus a 190 Hz tone at 0.6 × this amplitude. */
  snare?: number;
  /** Crash: a long (0.5 s decay) high-passed noise burst. */
  crash?: number;
  /** Closed hi-hat: a short (0.02 s) high-passed noise burst on the beat and, at 0.7 × this, half-way to the next. */
  hat?: number;
}

/** Options of {@link groove}. */
export interface GrooveOptions extends RhythmOptions {
  /** Beats per bar. */
  meter: number;
  /** The drums at each position of the bar (`meter` entries, beat 1 first). */
  drums: readonly DrumHits[];
  /**
   * Beats played before the first downbeat (an anacrusis), 0 … meter − 1 (default 0): the first beat of the signal
   * is then beat `meter − pickup + 1` of a bar.
   */
  pickup?: number;
  /**
   * The chords (MIDI notes, root first), cycled, one per `chordBeats` beats from the first downbeat; the pickup
   * beats play the last one. Default {@link POP_PROGRESSION}.
   */
  progression?: readonly (readonly number[])[];
  /** Beats per chord (default `meter`: one chord a bar, changing on beat 1; 2 in 4/4: on beats 1 and 3). */
  chordBeats?: number;
  /**
   * How the chords are played: `'sustain'` (organ-like, held until the next chord; default), `'beats'` (a
   * piano-like strike of the current chord on every beat, so every beat has the same harmonic onset) or `'none'`
   * (only the bass, if any, plays the progression's roots).
   */
  comping?: 'sustain' | 'beats' | 'none';
  /**
   * Bass: the chord's root two octaves down (3 harmonics, 0.8 s decay) on each chord's first beat only
   * (`'downbeat'`), on every beat (`'beats'`: its onsets mark no beat, only its pitch changes with the chord) or
   * not at all (`'none'`, default).
   */
  bass?: 'downbeat' | 'beats' | 'none';
}

/**
 * A band groove with exactly known bars whose loudest beat need not be the first of the bar: drums given per bar
 * position (e.g. a kick on 1 and 3 under a louder snare on 2 and 4), harmonic chords changing on beat 1 (or every
 * `chordBeats` beats), an optional bass, an optional anacrusis so the first beat is not a downbeat, and a steady
 * noise floor (`noiseDb`, default −60 dBFS). Returns the truth (`beats`, `downbeats`, `meter`). Deterministic
 * (noise from `seed`).
 *
 * Usage: `groove({ bpm: 120, durationS: 20, meter: 4, drums: [{ kick: 0.5 }, { snare: 0.7 }, { kick: 0.5 },
 * { snare: 0.7 }], bass: 'downbeat', pickup: 1 })`.
 */
export function groove(opts: GrooveOptions): TestSignal {
  const { meter, drums } = opts;
  const pickup = opts.pickup ?? 0;
  const progression = opts.progression ?? POP_PROGRESSION;
  const comping = opts.comping ?? 'sustain';
  const bass = opts.bass ?? 'none';
  const chordBeats = opts.chordBeats ?? meter;
  const random = createRandom(opts.seed ?? 1);
  const buf = new Float32Array(Math.round(opts.durationS * SR));
  addNoise(buf, opts.noiseDb ?? -60, random);
  const beats = beatTimes(opts.bpm, opts.durationS, opts.drift ?? 0, opts.startS ?? 0.5);
  const beatS = 60 / opts.bpm;
  const end = (i: number): number => (i < beats.length ? beats[i] : Math.min(opts.durationS, beats[beats.length - 1] + beatS));
  const downbeats: number[] = [];
  beats.forEach((t, i) => {
    const rel = i - pickup;
    const pos = ((rel % meter) + meter) % meter;
    if (pos === 0) downbeats.push(t);
    const hits = drums[pos] ?? {};
    if (hits.kick) addTone(buf, t, 150, 50, hits.kick, 0.15, 0.6);
    if (hits.snare) {
      addNoiseBurst(buf, t, hits.snare, 0.08, 0.4, random, false);
      addTone(buf, t, 190, 190, 0.6 * hits.snare, 0.06, 0.3);
    }
    if (hits.crash) addNoiseBurst(buf, t, hits.crash, 0.5, 1.5, random, true);
    if (hits.hat) {
      addNoiseBurst(buf, t, hits.hat, 0.02, 0.1, random, true);
      addNoiseBurst(buf, 0.5 * (t + end(i + 1)), 0.7 * hits.hat, 0.02, 0.1, random, true);
    }
    const chordPos = ((rel % chordBeats) + chordBeats) % chordBeats;
    const chordIndex = Math.floor(rel / chordBeats);
    const notes = progression[((chordIndex % progression.length) + progression.length) % progression.length];
    const chordEnd = end(i + (chordBeats - chordPos));
    if (comping === 'beats') {
      for (const m of notes) addNote(buf, t, end(i + 1) - t, midiHz(m), 0.08, { harmonics: 4, decayS: 0.4, rampS: 0.003 });
    } else if (comping === 'sustain' && (chordPos === 0 || i === 0)) {
      for (const m of notes) addNote(buf, t, chordEnd - t, midiHz(m), 0.06, { harmonics: 4, rampS: 0.02 });
    }
    const bassHere = bass === 'beats' || (bass === 'downbeat' && chordPos === 0);
    if (bassHere) {
      const stop = bass === 'beats' ? end(i + 1) : chordEnd;
      addNote(buf, t, stop - t, midiHz(notes[0] - 24), 0.3, { harmonics: 3, decayS: 0.8, rampS: 0.005 });
    }
  });
  return { samples: normalize(buf, 0.95), sampleRate: SR, beats, downbeats, meter };
}
