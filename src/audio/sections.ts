/**
 * Sections (the analyzer's large-scale layer): boundaries from the novelty of a beat-synchronous self-similarity
 * (Foote 2000), then Spotify's per-section fields.
 *
 * 1. Units: the beats (from the rhythm stage) cut the track into units; gaps longer than twice the median beat
 *    period (an intro without a pulse, …) are cut into units of about that period. With fewer than
 *    {@link MIN_BEATS} beats the units are fixed {@link FALLBACK_UNIT_S}-second frames.
 * 2. Features per unit: the mean MFCC (c0 … c12: timbre and loudness) and the mean of the frame-max-normalised chroma
 *    (harmony). Each dimension is centred over the track and each of the two blocks scaled to unit total variance,
 *    so timbre and harmony weigh the same.
 * 3. Similarity of units i, j: the cosine of their feature vectors (in [−1, 1]); only the band |i − j| < 2L that the
 *    kernel needs is computed (linear in the track length).
 * 4. Novelty: correlation along the diagonal with a Gaussian-tapered (σ = L/2) checkerboard kernel of half-width
 *    L = {@link KERNEL_HALF_S} s (in units), the diagonal left out and the two signs normalised separately:
 *    novelty = ½ (weighted mean similarity within the two halves − weighted mean similarity across them), so it
 *    is 1 for a change between two internally uniform, opposite parts and 0 inside a uniform part; near the ends
 *    the kernel shrinks symmetrically.
 * 5. Peaks: local maxima of the novelty above {@link NOVELTY_THRESHOLD}, accepted strongest first when at least
 *    {@link MIN_SECTION_S} s from the track's ends and from every accepted boundary.
 *
 * Section fields: `confidence` = min(1, novelty / {@link NOVELTY_FULL}) (1 for the first section, as Spotify);
 * `loudness` the power mean of the frames' RMS (dBFS, floored at −60); `tempo` 60 / median inter-beat interval of
 * the beats inside, `tempo_confidence` the global confidence × the beats' regularity (1 − 4 × mean absolute
 * deviation / median of the intervals, clipped to [0, 1]) — with fewer than 4 beats inside, the global tempo at half
 * the global confidence (0 and 0 without a pulse); `key`/`mode` (+ confidences) from the section's chroma
 * (`./tonal.ts`); `time_signature` the most common number of beats per bar among the bars starting in the section,
 * with confidence the share of those bars that agree × the global confidence — without bars, the global meter at
 * half the global confidence. A track shorter than 2 × {@link MIN_SECTION_S} is one section.
 */
import type { Section } from '../analysis/types.js';
import { estimateKeyOfFrames } from './tonal.js';
import { frameRange, LOUDNESS_FLOOR_DB, powerMeanDb, round } from './segments.js';
import type { FrameFeatures, RhythmAnalysis, TimedEvent } from './types.js';

/** Half-width of the checkerboard kernel, s. */
export const KERNEL_HALF_S = 6;
/** Shortest section, s (also the smallest distance of a boundary from the track's ends). */
export const MIN_SECTION_S = 8;
/** Smallest novelty that makes a boundary. */
export const NOVELTY_THRESHOLD = 0.25;
/** Novelty that gives a boundary confidence 1. */
export const NOVELTY_FULL = 0.6;
/** Fewest beats for beat-synchronous units. */
export const MIN_BEATS = 8;
/** Unit length without beats, s. */
export const FALLBACK_UNIT_S = 0.5;

const EPS = 1e-12;

/** Unit boundaries (s): `[0, …, durationS]`, strictly increasing. */
export function unitBoundaries(beats: readonly TimedEvent[], durationS: number): number[] {
  const starts = beats.map((b) => b.start).filter((t) => Number.isFinite(t) && t > 0 && t < durationS);
  let period = FALLBACK_UNIT_S;
  let cuts = starts;
  if (starts.length >= MIN_BEATS) {
    const ibis = starts.slice(1).map((t, i) => t - starts[i]).filter((d) => d > 0).sort((a, b) => a - b);
    period = ibis.length ? ibis[ibis.length >> 1] : FALLBACK_UNIT_S;
    if (!(period > 0.05 && period < 4)) {
      period = FALLBACK_UNIT_S;
      cuts = [];
    }
  } else {
    cuts = [];
  }
  const raw = [0, ...cuts, durationS];
  const out: number[] = [0];
  for (let i = 1; i < raw.length; i++) {
    const a = out[out.length - 1];
    const b = raw[i];
    if (b - a < 0.02) continue; // shorter than a frame: merge
    const n = Math.max(1, Math.round((b - a) / period));
    if (b - a > 2 * period && n > 1) for (let k = 1; k < n; k++) out.push(a + ((b - a) * k) / n);
    out.push(b);
  }
  if (out[out.length - 1] < durationS) out[out.length - 1] = durationS;
  return out;
}

/** Beat-synchronous feature vectors (row-major `[units × dims]`), normalised as described in the module comment. */
export function unitFeatures(features: FrameFeatures, bounds: readonly number[]): { data: Float64Array; units: number; dims: number } {
  const units = bounds.length - 1;
  const nM = Math.min(13, features.nMfcc);
  const dims = nM + 12;
  const data = new Float64Array(units * dims);
  for (let u = 0; u < units; u++) {
    const [from, to] = frameRange(features, bounds[u], bounds[u + 1]);
    const row = u * dims;
    let count = 0;
    let ccount = 0;
    for (let t = from; t < to; t++) {
      count++;
      for (let k = 0; k < nM; k++) data[row + k] += features.mfcc[t * features.nMfcc + k];
      let m = 0;
      for (let k = 0; k < 12; k++) m = Math.max(m, features.chroma[t * 12 + k]);
      if (m > 0 && Number.isFinite(m)) {
        ccount++;
        for (let k = 0; k < 12; k++) data[row + nM + k] += features.chroma[t * 12 + k] / m;
      }
    }
    for (let k = 0; k < nM; k++) data[row + k] /= Math.max(1, count);
    for (let k = 0; k < 12; k++) data[row + nM + k] /= Math.max(1, ccount);
  }
  // Centre each dimension; scale each block to unit total variance.
  for (const [b0, b1] of [
    [0, nM],
    [nM, dims],
  ]) {
    let total = 0;
    for (let k = b0; k < b1; k++) {
      let mean = 0;
      for (let u = 0; u < units; u++) mean += data[u * dims + k];
      mean /= Math.max(1, units);
      for (let u = 0; u < units; u++) {
        const v = data[u * dims + k] - mean;
        data[u * dims + k] = v;
        total += v * v;
      }
    }
    const sd = Math.sqrt(total / Math.max(1, units));
    for (let u = 0; u < units; u++) for (let k = b0; k < b1; k++) data[u * dims + k] = sd > EPS ? data[u * dims + k] / sd : 0;
  }
  return { data, units, dims };
}

/** Foote novelty of each unit boundary (index i = the start of unit i), in [−1, 1] (0 for i = 0). */
export function footeNovelty(data: Float64Array, units: number, dims: number, halfWidth: number): Float64Array {
  const L = Math.max(1, halfWidth);
  const W = 2 * L;
  // Norms and the band of cosine similarities S(i, i + d), 0 ≤ d < W.
  const norm = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let s = 0;
    for (let k = 0; k < dims; k++) s += data[u * dims + k] ** 2;
    norm[u] = Math.sqrt(s);
  }
  const band = new Float64Array(units * W);
  for (let i = 0; i < units; i++) {
    for (let d = 0; d < W && i + d < units; d++) {
      const j = i + d;
      let s = 0;
      for (let k = 0; k < dims; k++) s += data[i * dims + k] * data[j * dims + k];
      const n = norm[i] * norm[j];
      band[i * W + d] = n > EPS ? s / n : 0;
    }
  }
  // Gaussian taper of the kernel, σ = L / 2, at offsets ±(k + ½).
  const taper = new Float64Array(L);
  for (let k = 0; k < L; k++) taper[k] = Math.exp(-0.5 * ((k + 0.5) / (L / 2)) ** 2);
  const out = new Float64Array(units);
  for (let i = 1; i < units; i++) {
    const l = Math.min(L, i, units - i);
    let within = 0;
    let wWithin = 0;
    let cross = 0;
    let wCross = 0;
    // offsets a < b in {−l … −1} (before) ∪ {0 … l − 1} (after); S is symmetric and the diagonal carries no
    // information, so each unordered pair is visited once
    for (let a = -l; a < l - 1; a++) {
      const ga = taper[a < 0 ? -a - 1 : a];
      const row = (i + a) * W - a; // band index of S(i + a, i + b) = row + b
      for (let b = a + 1; b < l; b++) {
        const w = ga * taper[b < 0 ? -b - 1 : b];
        const v = band[row + b];
        if (a < 0 && b >= 0) {
          cross += w * v;
          wCross += w;
        } else {
          within += w * v;
          wWithin += w;
        }
      }
    }
    out[i] = wWithin > 0 && wCross > 0 ? 0.5 * (within / wWithin - cross / wCross) : 0;
  }
  return out;
}

/** Section boundaries: start times (first 0) and the confidence of each. */
export function sectionBoundaries(
  features: FrameFeatures,
  beats: readonly TimedEvent[],
  durationS: number,
): { starts: number[]; confidences: number[] } {
  if (!(durationS > 2 * MIN_SECTION_S) || features.frames === 0) return { starts: [0], confidences: [1] };
  const bounds = unitBoundaries(beats, durationS);
  const units = bounds.length - 1;
  const durations = bounds.slice(1).map((t, i) => t - bounds[i]).sort((a, b) => a - b);
  const unitS = durations[durations.length >> 1];
  const L = Math.max(2, Math.round(KERNEL_HALF_S / unitS));
  const { data, dims } = unitFeatures(features, bounds);
  const nov = footeNovelty(data, units, dims, L);
  const candidates: number[] = [];
  for (let i = 1; i < units; i++) {
    if (!(nov[i] >= NOVELTY_THRESHOLD)) continue;
    if (nov[i] < nov[i - 1] || (i + 1 < units && nov[i] < nov[i + 1])) continue;
    if (bounds[i] < MIN_SECTION_S || bounds[i] > durationS - MIN_SECTION_S) continue;
    candidates.push(i);
  }
  candidates.sort((a, b) => nov[b] - nov[a] || a - b);
  const accepted: number[] = [];
  for (const i of candidates) {
    if (accepted.every((j) => Math.abs(bounds[i] - bounds[j]) >= MIN_SECTION_S)) accepted.push(i);
  }
  accepted.sort((a, b) => a - b);
  return {
    starts: [0, ...accepted.map((i) => bounds[i])],
    confidences: [1, ...accepted.map((i) => Math.min(1, Math.max(0, nov[i] / NOVELTY_FULL)))],
  };
}

/** Tempo of the beats starting in `[s, e)`: [bpm, regularity 0…1], or undefined with fewer than 4 beats. */
function localTempo(beats: readonly TimedEvent[], s: number, e: number): [number, number] | undefined {
  const inside = beats.filter((b) => b.start >= s && b.start < e).map((b) => b.start);
  if (inside.length < 4) return undefined;
  const ibis = inside.slice(1).map((t, i) => t - inside[i]).filter((d) => d > 0);
  if (ibis.length < 3) return undefined;
  const sorted = [...ibis].sort((a, b) => a - b);
  const med = sorted[sorted.length >> 1];
  if (!(med > 0)) return undefined;
  const mad = ibis.reduce((acc, d) => acc + Math.abs(d - med), 0) / ibis.length;
  return [60 / med, Math.max(0, Math.min(1, 1 - (4 * mad) / med))];
}

/** Meter of the bars starting in `[s, e)`: [beats per bar, share of bars that agree], or undefined. */
function localMeter(rhythm: RhythmAnalysis, beatStarts: Float64Array, s: number, e: number): [number, number] | undefined {
  const counts = new Map<number, number>();
  let bars = 0;
  for (const bar of rhythm.bars) {
    if (bar.start < s || bar.start >= e) continue;
    const n = lowerBound(beatStarts, bar.start + bar.duration - 1e-3) - lowerBound(beatStarts, bar.start - 1e-3);
    if (n < 3 || n > 7) continue;
    bars++;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  if (bars === 0) return undefined;
  let best = 4;
  let bestN = -1;
  for (const [m, c] of [...counts].sort((a, b) => a[0] - b[0])) if (c > bestN) [best, bestN] = [m, c];
  return [best, bestN / bars];
}

/** First index of a sorted array whose value is ≥ x. */
function lowerBound(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sections of a track, tiling `[0, durationS]`, with Spotify's fields (see the module comment). */
export function computeSections(features: FrameFeatures, rhythm: RhythmAnalysis, durationS: number): Section[] {
  if (!(durationS > 0)) return [];
  const { starts, confidences } = sectionBoundaries(features, rhythm.beats, durationS);
  const beatStarts = Float64Array.from(rhythm.beats, (b) => b.start).sort();
  const sections: Section[] = [];
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i];
    const e = i + 1 < starts.length ? starts[i + 1] : durationS;
    const [from, to] = features.frames > 0 ? frameRange(features, s, e) : [0, 0];
    const loud = powerMeanDb(features.rmsDb, from, to);
    const key = estimateKeyOfFrames(features, from, to);
    const tempo = rhythm.tempo > 0 ? localTempo(rhythm.beats, s, e) : undefined;
    const meter = localMeter(rhythm, beatStarts, s, e);
    const globalTempo = Number.isFinite(rhythm.tempo) && rhythm.tempo > 0 ? rhythm.tempo : 0;
    const tConf = Number.isFinite(rhythm.tempoConfidence) ? rhythm.tempoConfidence : 0;
    const msConf = Number.isFinite(rhythm.timeSignatureConfidence) ? rhythm.timeSignatureConfidence : 0;
    sections.push({
      start: round(s, 5),
      duration: round(e - s, 5),
      confidence: round(confidences[i], 3),
      loudness: round(Number.isFinite(loud) ? Math.max(LOUDNESS_FLOOR_DB, loud) : LOUDNESS_FLOOR_DB, 3),
      tempo: round(tempo ? tempo[0] : globalTempo, 3),
      tempo_confidence: round(tempo ? tConf * tempo[1] : globalTempo > 0 ? tConf * 0.5 : 0, 3),
      key: key.key,
      key_confidence: round(key.keyConfidence, 3),
      mode: key.mode,
      mode_confidence: round(key.modeConfidence, 3),
      time_signature: meter ? meter[0] : rhythm.timeSignature,
      time_signature_confidence: round(meter ? msConf * meter[1] : msConf * 0.5, 3),
    });
  }
  return sections;
}
