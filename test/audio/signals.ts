/**
 * Test audio generated in code (no fixtures): click tracks, simple drum patterns, swing, tempo drift, a small
 * band (drums + one chord a bar + bass), tones, chords, noise and silence. Every generator is deterministic
 * (seeded with `src/util/random.ts`) and returns mono samples at 22,050 Hz together with the ground truth it was
 * built from. Also a mir_eval-style beat F-measure ({@link beatFMeasure}) to score beat trackers.
 *
 * Usage:
 *   const s = clickTrack({ bpm: 120, durationS: 20 });           // s.samples, s.beats, s.downbeats
 *   const d = drumPattern({ bpm: 90, durationS: 20, meter: 3, swing: 2 / 3, drift: 0.05 });
 *   const c = chord([261.63, 329.63, 392], 10);                   // no beats
 *   const b = bandLoop({ bpm: 110, durationS: 20 });              // drums + C–Am–F–G, one chord a bar
 *
 * Tempo drift: `drift = d` makes the tempo change linearly over the signal from `bpm·(1 − d)` to `bpm·(1 + d)`
 * (negative `d` slows down); the beat times are the exact solutions of that linear tempo ramp. The average
 * tempo of a signal is best taken as `60 / mean(inter-beat interval)` ({@link meanTempo}).
 */
import { createRandom, type Random } from '../../src/util/random.js';

/** Sample rate of every generated signal. */
export const SR = 22050;

/** A generated signal and its ground truth (times in seconds). */
export interface TestSignal {
  samples: Float32Array;
  sampleRate: number;
  /** True beat times (empty when there is no pulse). */
  beats: number[];
  /** True downbeat (bar start) times, when the signal has a meter. */
  downbeats?: number[];
  /** Beats per bar, when the signal has a meter. */
  meter?: number;
}

/** Options shared by the rhythmic generators. */
export interface RhythmOptions {
  bpm: number;
  durationS: number;
  /** Beats per bar (default 4); beat 1 of each bar is accented. */
  meter?: number;
  /** Linear tempo change, fraction: from `bpm·(1 − drift)` to `bpm·(1 + drift)` over the signal (default 0). */
  drift?: number;
  /** Time of the first beat, s (default 0.5). */
  startS?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Level of a steady background noise, dBFS (default −60; `-Infinity` for none). */
  noiseDb?: number;
}

/**
 * Beat times of a (possibly drifting) tempo: beat `k` at the time the beat phase
 * `φ(t) = ∫ bpm(τ)/60 dτ` (from `startS`) reaches `k`, `bpm(τ)` ramping linearly over `[startS, durationS]`.
 * Beats later than `durationS − 0.05` s are dropped.
 */
export function beatTimes(bpm: number, durationS: number, drift = 0, startS = 0.5): number[] {
  const span = Math.max(1e-9, durationS - startS);
  const b0 = (bpm * (1 - drift)) / 60; // beats per second at the start
  const b1 = (bpm * (1 + drift)) / 60;
  const a = (b1 - b0) / (2 * span); // φ(t') = b0·t' + a·t'²
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const tp = Math.abs(a) < 1e-12 ? k / b0 : (-b0 + Math.sqrt(b0 * b0 + 4 * a * k)) / (2 * a);
    if (!Number.isFinite(tp)) break;
    const t = startS + tp;
    if (t > durationS - 0.05) break;
    out.push(t);
  }
  return out;
}

/** 60 / mean inter-beat interval (0 for fewer than two beats). */
export function meanTempo(beats: readonly number[]): number {
  if (beats.length < 2) return 0;
  return (60 * (beats.length - 1)) / (beats[beats.length - 1] - beats[0]);
}

/** Add uniform white noise of RMS `db` dBFS (nothing for `-Infinity`). */
export function addNoise(buf: Float32Array, db: number, random: Random): void {
  if (!Number.isFinite(db)) return;
  const amp = Math.pow(10, db / 20) * Math.sqrt(3); // uniform noise of that RMS
  for (let i = 0; i < buf.length; i++) buf[i] += amp * (2 * random() - 1);
}

/** Add a decaying sine (optionally sweeping down from `f0` to `f1`) at time `t`. */
export function addTone(buf: Float32Array, t: number, f0: number, f1: number, amp: number, decayS: number, lengthS: number): void {
  const start = Math.round(t * SR);
  const len = Math.round(lengthS * SR);
  const decay = Math.exp(-1 / (decayS * SR)); // per-sample factors of the exponential envelopes
  const sweepDecay = Math.exp(-1 / (0.04 * SR));
  let env = amp;
  let sweep = 1;
  let phase = 0;
  for (let i = 0; i < len; i++, env *= decay, sweep *= sweepDecay) {
    const j = start + i;
    const f = f1 + (f0 - f1) * sweep;
    phase += (2 * Math.PI * f) / SR;
    if (j < 0) continue;
    if (j >= buf.length) break;
    const attack = i < 16 ? i / 16 : 1; // 0.7 ms ramp: no click artefact beyond the onset itself
    buf[j] += env * attack * Math.sin(phase);
  }
}

/** Add a decaying noise burst at `t`; `highpass` uses the first difference of white noise (hat-like). */
export function addNoiseBurst(buf: Float32Array, t: number, amp: number, decayS: number, lengthS: number, random: Random, highpass: boolean): void {
  const start = Math.round(t * SR);
  const len = Math.round(lengthS * SR);
  const decay = Math.exp(-1 / (decayS * SR));
  let env = amp;
  let prev = 0;
  for (let i = 0; i < len; i++, env *= decay) {
    const j = start + i;
    const w = 2 * random() - 1;
    const v = highpass ? 0.5 * (w - prev) : w;
    prev = w;
    if (j < 0) continue;
    if (j >= buf.length) break;
    const attack = i < 16 ? i / 16 : 1;
    buf[j] += env * attack * v;
  }
}

function finish(buf: Float32Array): Float32Array {
  let peak = 0;
  for (let i = 0; i < buf.length; i++) peak = Math.max(peak, Math.abs(buf[i]));
  if (peak > 0.99) for (let i = 0; i < buf.length; i++) buf[i] *= 0.99 / peak;
  return buf;
}

function downbeatsOf(beats: readonly number[], meter: number): number[] {
  return beats.filter((_, i) => i % meter === 0);
}

/**
 * A metronome: a 1 kHz click (decaying sine, 15 ms) on every beat; beat 1 of each bar is a louder (+8 dB),
 * higher (1.6 kHz) click.
 */
export function clickTrack(opts: RhythmOptions): TestSignal {
  const meter = opts.meter ?? 4;
  const random = createRandom(opts.seed ?? 1);
  const buf = new Float32Array(Math.round(opts.durationS * SR));
  addNoise(buf, opts.noiseDb ?? -60, random);
  const beats = beatTimes(opts.bpm, opts.durationS, opts.drift ?? 0, opts.startS ?? 0.5);
  beats.forEach((t, i) => {
    const down = i % meter === 0;
    addTone(buf, t, down ? 1600 : 1000, down ? 1600 : 1000, down ? 0.8 : 0.32, 0.015, 0.08);
  });
  return { samples: finish(buf), sampleRate: SR, beats, downbeats: downbeatsOf(beats, meter), meter };
}

/** Options of {@link drumPattern}. */
export interface DrumOptions extends RhythmOptions {
  /**
   * Position of the off-beat hi-hat inside the beat, as a fraction of the beat (default 0.5 = straight
   * eighths; 2/3 = triplet swing; 0 = no off-beat hat).
   */
  swing?: number;
  /** Accent beat 1 with a louder kick and a crash (default true). */
  accent?: boolean;
}

/**
 * A drum loop. 4/4: kick on 1 and 3, snare on 2 and 4; 3/4: kick on 1, snare on 2 and 3; other meters: kick on 1,
 * snare on the others. A closed hi-hat on every beat and on the off-beat (see `swing`). Beat 1 is accented
 * (a louder kick plus a crash-like long noise burst) unless `accent` is false. Kick: a sine swept 150 → 50 Hz, 0.15 s decay; snare:
 * white-noise burst (0.08 s) plus a 190 Hz tone; hat: high-passed noise burst (0.02 s).
 */
export function drumPattern(opts: DrumOptions): TestSignal {
  const meter = opts.meter ?? 4;
  const swing = opts.swing ?? 0.5;
  const accent = opts.accent ?? true;
  const random = createRandom(opts.seed ?? 1);
  const buf = new Float32Array(Math.round(opts.durationS * SR));
  addNoise(buf, opts.noiseDb ?? -60, random);
  const beats = beatTimes(opts.bpm, opts.durationS, opts.drift ?? 0, opts.startS ?? 0.5);
  for (let i = 0; i < beats.length; i++) {
    const t = beats[i];
    const pos = i % meter;
    const kick = pos === 0 || (meter === 4 && pos === 2);
    if (kick) addTone(buf, t, 150, 50, pos === 0 && accent ? 0.9 : 0.6, 0.15, 0.6);
    else {
      addNoiseBurst(buf, t, 0.35, 0.08, 0.4, random, false);
      addTone(buf, t, 190, 190, 0.2, 0.06, 0.3);
    }
    if (pos === 0 && accent) addNoiseBurst(buf, t, 0.12, 0.5, 1.5, random, true); // crash
    addNoiseBurst(buf, t, 0.12, 0.02, 0.1, random, true); // hat on the beat
    if (swing > 0) {
      const next = i + 1 < beats.length ? beats[i + 1] : t + (beats.length > 1 ? t - beats[i - 1] : 0.5);
      addNoiseBurst(buf, t + swing * (next - t), 0.08, 0.02, 0.1, random, true);
    }
  }
  return { samples: finish(buf), sampleRate: SR, beats, downbeats: downbeatsOf(beats, meter), meter };
}

/** MIDI note number → Hz (A4 = 69 = 440 Hz). */
export function midiHz(midi: number): number {
  return 440 * Math.pow(2, (midi - 69) / 12);
}

/** C – Am – F – G, as MIDI notes (a C major key; each chord's root first). */
export const POP_PROGRESSION: readonly (readonly number[])[] = Object.freeze([
  [60, 64, 67],
  [57, 60, 64],
  [53, 57, 60],
  [55, 59, 62],
]);

/** Options of {@link bandLoop}. */
export interface BandOptions extends DrumOptions {
  /** One chord (MIDI notes, root first) per bar, cycled (default {@link POP_PROGRESSION}). */
  progression?: readonly (readonly number[])[];
}

/**
 * A small band: {@link drumPattern} (without its downbeat accent unless `accent` is true) plus, for every bar, a
 * sustained chord (sines, the bar's chord) and a bass note on the chord's root two octaves down (decaying over the
 * bar), both starting on the downbeat. Downbeats are marked only by the harmony and the bass by default.
 * Returns the drums' truth and `chords`: the MIDI notes of each bar.
 */
export function bandLoop(opts: BandOptions): TestSignal & { chords: number[][] } {
  const meter = opts.meter ?? 4;
  const progression = opts.progression ?? POP_PROGRESSION;
  const drums = drumPattern({ ...opts, accent: opts.accent ?? false });
  const buf = drums.samples;
  const downs = drums.downbeats ?? [];
  const chords: number[][] = [];
  downs.forEach((t, bar) => {
    const notes = [...progression[bar % progression.length]];
    chords.push(notes);
    const end = bar + 1 < downs.length ? downs[bar + 1] : Math.min(buf.length / SR, t + (meter * 60) / opts.bpm);
    const len = end - t;
    for (const note of notes) addPad(buf, t, len, midiHz(note), 0.06);
    addTone(buf, t, midiHz(notes[0] - 24), midiHz(notes[0] - 24), 0.3, 1.2, len);
  });
  return { ...drums, samples: finish(buf), chords };
}

/** A sustained sine with 10 ms attack and 30 ms release from `t` for `lengthS`. */
function addPad(buf: Float32Array, t: number, lengthS: number, freq: number, amp: number): void {
  const start = Math.round(t * SR);
  const len = Math.round(lengthS * SR);
  const attack = Math.round(0.01 * SR);
  const release = Math.round(0.03 * SR);
  // sin(w·i) by the recurrence s[i + 1] = 2·cos(w)·s[i] − s[i − 1] (exact for a constant frequency).
  const c2 = 2 * Math.cos((2 * Math.PI * freq) / SR);
  let s0 = 0;
  let s1 = Math.sin((2 * Math.PI * freq) / SR);
  for (let i = 0; i < len; i++) {
    const j = start + i;
    if (j >= buf.length) break;
    if (j >= 0) {
      const env = i < attack ? i / attack : len - i < release ? (len - i) / release : 1;
      buf[j] += amp * env * s0;
    }
    const next = c2 * s1 - s0;
    s0 = s1;
    s1 = next;
  }
}

/** A sine tone (or a sum of tones) with 20 ms fade in/out, no pulse. */
export function chord(freqs: readonly number[], durationS: number, amplitude = 0.2): TestSignal {
  const buf = new Float32Array(Math.round(durationS * SR));
  const fade = Math.round(0.02 * SR);
  for (const f of freqs) {
    const w = (2 * Math.PI * f) / SR;
    for (let i = 0; i < buf.length; i++) {
      const env = Math.min(1, i / fade, (buf.length - 1 - i) / fade);
      buf[i] += amplitude * env * Math.sin(w * i);
    }
  }
  return { samples: finish(buf), sampleRate: SR, beats: [] };
}

/** A single sine tone (see {@link chord}). */
export function sineTone(freq: number, durationS: number, amplitude = 0.5): TestSignal {
  return chord([freq], durationS, amplitude);
}

/** Uniform white noise at `db` dBFS RMS. */
export function whiteNoise(durationS: number, db = -20, seed = 1): TestSignal {
  const buf = new Float32Array(Math.round(durationS * SR));
  addNoise(buf, db, createRandom(seed));
  return { samples: buf, sampleRate: SR, beats: [] };
}

/** Digital silence. */
export function silence(durationS: number): TestSignal {
  return { samples: new Float32Array(Math.round(durationS * SR)), sampleRate: SR, beats: [] };
}

/** Mix signals (sample-wise sum, the longest length; truth taken from the first that has beats). */
export function mix(...signals: TestSignal[]): TestSignal {
  const len = Math.max(0, ...signals.map((s) => s.samples.length));
  const buf = new Float32Array(len);
  for (const s of signals) for (let i = 0; i < s.samples.length; i++) buf[i] += s.samples[i];
  const lead = signals.find((s) => s.beats.length > 0) ?? signals[0];
  return { ...lead, samples: finish(buf) };
}

/** Result of {@link beatFMeasure}. */
export interface BeatScore {
  fMeasure: number;
  precision: number;
  recall: number;
  matched: number;
}

/**
 * mir_eval.beat.f_measure semantics: beats before `minTime` (default 5 s, mir_eval's `trim_beats` convention)
 * are dropped from both lists, then estimated and reference beats are matched one-to-one within ±`window` s
 * (default 0.07) — a greedy nearest-first matching, which equals the maximum matching when the window is under
 * half the beat period — and F = 2PR / (P + R). Both empty → F = 0 (mir_eval warns and returns 0).
 */
export function beatFMeasure(reference: readonly number[], estimated: readonly number[], window = 0.07, minTime = 5): BeatScore {
  const ref = reference.filter((t) => t >= minTime);
  const est = estimated.filter((t) => t >= minTime);
  if (ref.length === 0 || est.length === 0) return { fMeasure: 0, precision: 0, recall: 0, matched: 0 };
  const pairs: Array<[number, number, number]> = [];
  for (let i = 0; i < ref.length; i++) {
    for (let j = 0; j < est.length; j++) {
      const d = Math.abs(ref[i] - est[j]);
      if (d <= window) pairs.push([d, i, j]);
    }
  }
  pairs.sort((p, q) => p[0] - q[0]);
  const usedR = new Uint8Array(ref.length);
  const usedE = new Uint8Array(est.length);
  let matched = 0;
  for (const [, i, j] of pairs) {
    if (usedR[i] || usedE[j]) continue;
    usedR[i] = 1;
    usedE[j] = 1;
    matched++;
  }
  const precision = matched / est.length;
  const recall = matched / ref.length;
  const fMeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { fMeasure, precision, recall, matched };
}
