/**
 * What the two generators of synthetic analyses share (`./generate.ts`, styles; `./forms.ts`, song forms):
 * Spotify's rounding, the beat/tatum/bar grid, a segment's chroma, and the track section. Every function
 * draws from the `random` it is given in a fixed order, so each generator's output stays byte-identical
 * for the same options.
 */
import type { Analysis, AudioAnalysis, Provenance, TimeInterval, TrackInfoSection } from '../analysis/types.js';
import { randomInt, type Random } from '../util/random.js';

const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};
/** Times: 5 decimals, as Spotify. */
export const t5 = (x: number): number => round(x, 5);
/** Loudness, timbre, confidences: 3 decimals, as Spotify. */
export const d3 = (x: number): number => round(x, 3);
export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
export const uniform = (random: Random, lo: number, hi: number): number => lo + (hi - lo) * random();
/** A confidence in [floor, 1], skewed towards 1. */
export const confidence = (random: Random, floor: number): number => d3(floor + (1 - floor) * Math.sqrt(random()));

/** Scale degrees in semitones above the tonic. */
export const MAJOR_SCALE: readonly number[] = Object.freeze([0, 2, 4, 5, 7, 9, 11]);
export const MINOR_SCALE: readonly number[] = Object.freeze([0, 2, 3, 5, 7, 8, 10]);

/** Within-segment sd of each timbre coefficient (index 0: noise around the loudness-derived value). */
export const SEGMENT_TIMBRE_SD: readonly number[] = Object.freeze([2, 45, 30, 35, 22, 20, 18, 18, 14, 14, 16, 13]);

/** Beats, their halves as tatums, and every `meter`-th beat as a bar, each lasting until the next starts. */
export interface BeatGrid {
  beats: TimeInterval[];
  tatums: TimeInterval[];
  barStarts: number[];
  bars: TimeInterval[];
}

/**
 * The grid on beat starts (seconds, increasing): the last beat lasts `period` and the last bar `meter`
 * periods, both cut at `duration`. Draws one confidence per beat (floor `floor`), then one per bar.
 */
export function beatGrid(random: Random, beatStarts: readonly number[], period: number, meter: number, duration: number, floor: number): BeatGrid {
  const endOf = (starts: readonly number[], i: number, last: number): number => (i + 1 < starts.length ? starts[i + 1] : Math.min(duration, starts[i] + last));
  const beats: TimeInterval[] = beatStarts.map((start, i) => ({ start, duration: t5(endOf(beatStarts, i, period) - start), confidence: confidence(random, floor) }));
  const tatums: TimeInterval[] = [];
  for (const b of beats) {
    const half = t5(b.start + b.duration / 2);
    tatums.push({ start: b.start, duration: t5(half - b.start), confidence: b.confidence });
    if (half < duration) tatums.push({ start: half, duration: t5(b.start + b.duration - half), confidence: b.confidence });
  }
  const barStarts = beatStarts.filter((_, i) => i % meter === 0);
  const bars: TimeInterval[] = barStarts.map((start, i) => ({ start, duration: t5(endOf(barStarts, i, period * meter) - start), confidence: confidence(random, floor) }));
  return { beats, tatums, barStarts, bars };
}

/**
 * A segment's 12 pitch-class strengths: the chord's tones strong, the scale's weaker, a random melody note
 * of the scale, and with probability `noiseChroma` broadband energy on every class; the strongest class
 * is 1, the others relative to it (3 decimals), as Spotify normalises them.
 */
export function segmentPitches(random: Random, scale: readonly number[], chord: readonly number[], chordRoot: number, noiseChroma: number): number[] {
  const melody = scale[randomInt(random, scale.length)];
  const noisy = random() < noiseChroma;
  const raw = new Array<number>(12);
  for (let pc = 0; pc < 12; pc++) {
    let v = 0.03 + 0.12 * random();
    if (scale.includes(pc)) v += 0.05 + 0.15 * random();
    if (chord.includes(pc)) v += 0.45 + 0.4 * random();
    if (pc === chordRoot) v += 0.15;
    if (pc === melody) v += 0.5 * random();
    if (noisy) v += 0.5 + 0.4 * random();
    raw[pc] = v;
  }
  let top = 0;
  for (let pc = 1; pc < 12; pc++) if (raw[pc] > raw[top]) top = pc;
  return raw.map((v, pc) => (pc === top ? 1 : d3(v / raw[top])));
}

/** The `track` section of a generated analysis (22,050 Hz mono, as the analyzer reports); draws its confidences. */
export function trackSection(
  random: Random,
  t: { duration: number; fadeIn: number; fadeOut: number; loudness: number; tempo: number; meter: number; key: number; mode: 0 | 1 },
): TrackInfoSection {
  return {
    num_samples: Math.round(t.duration * 22050),
    duration: t.duration,
    sample_md5: '',
    offset_seconds: 0,
    window_seconds: 0,
    analysis_sample_rate: 22050,
    analysis_channels: 1,
    end_of_fade_in: t.fadeIn,
    start_of_fade_out: t.fadeOut,
    loudness: d3(t.loudness),
    tempo: d3(t.tempo),
    tempo_confidence: confidence(random, 0.5),
    time_signature: t.meter,
    time_signature_confidence: confidence(random, 0.5),
    key: t.key,
    key_confidence: confidence(random, 0.2),
    mode: t.mode,
    mode_confidence: confidence(random, 0.2),
  };
}

/**
 * A generated analysis with the provenance `readAnalysisFile` would give it when read from the file
 * `fileName` (source `file`; title, artist and album from `meta`), except that `location` is `synth:` + the
 * file's stem.
 */
export function withSynthProvenance(audio: AudioAnalysis, fileName: string, analyzerVersion: string): Analysis {
  const meta = audio.meta as { title: string; artist: string; album: string };
  const provenance: Provenance = {
    source: 'file',
    origin: 'file',
    location: `synth:${fileName.replace(/\.json$/, '')}`,
    analyzerVersion,
    title: meta.title,
    artist: meta.artist,
    album: meta.album,
  };
  return { ...audio, provenance };
}
