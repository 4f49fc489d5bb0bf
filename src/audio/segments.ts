/**
 * Segments (the analyzer's "short sound" layer): onsets are the peaks of the onset-strength envelope picked
 * with an adaptive threshold; consecutive onsets bound the segments, which tile the whole track `[0, duration]`
 * as Spotify's do. Every segment carries Spotify's fields, computed from the frame features over its frames
 * (the frames whose centres fall inside it):
 *
 *  - `confidence`: the onset's strength above its local mean, relative to the track's robust maximum
 *    ({@link onsetScale}) and damped for small absolute rises ({@link onsetConfidence}), in [0, 1]. The leading
 *    segment before the first onset has confidence 0 (as Spotify's). Splits of over-long segments (see below)
 *    carry the (usually low) strength at the split point.
 *  - `loudness_start`: dB (RMS, dBFS) of the frame centred on the segment start; `loudness_max` the loudest frame
 *    in the segment and `loudness_max_time` its offset from the start (s). Loudnesses are floored at −60 dB,
 *    Spotify's floor.
 *  - `loudness_end`: **Spotify's convention**: 0 for every segment except the last, which carries the loudness
 *    of the track's last frame (−60 for a silent ending).
 *  - `pitches`: the segment's mean chroma (C first) divided by its maximum, so the strongest class is 1. A segment
 *    with no chroma energy at all (digital silence) gets all 1s: the flat vector Spotify reports for noise, which
 *    keeps the invariant "max = 1".
 *  - `timbre`: 12 coefficients on songscope's own basis (an MFCC basis, **not** Spotify's proprietary one; only
 *    the scales and the meaning of the first two are similar):
 *      - `timbre[0]` = clamp(60 + loudness, 0, 60) with the loudness the power mean of the segment's frames in dBFS
 *        — loudness-like as Spotify's `timbre_01` (0 … ~60, 0 for silence);
 *      - `timbre[1]` = −{@link TIMBRE_SCALE} × MFCC₁ — brightness-like: positive when the high bands dominate;
 *      - `timbre[k]` = {@link TIMBRE_SCALE} × MFCCₖ for k = 2 … 11.
 *    The MFCCs are the segment's mean (DCT-II of the log-mel spectrum), scaled by a fixed constant (never per
 *    track), which brings them to roughly Spotify's ±200 range and keeps them comparable across tracks. (They are
 *    level-independent only as far as the log-mel spectrum is: bands at the features' absolute power floor, in very
 *    quiet passages or tracks, bend them.)
 *
 * Over-long segments (sustained sounds without onsets) are split at their strongest onset-envelope value (at least
 * {@link SPLIT_MARGIN_S} from either end) until none is longer than {@link MAX_SEGMENT_S} (with ties broken towards
 * the middle, so silence splits evenly).
 */
import type { Segment } from '../analysis/types.js';
import type { FrameFeatures } from './types.js';

/** Minimum gap between two onsets, s (≈ 3 frames). */
export const MIN_ONSET_GAP_S = 0.07;
/** A peak must be the largest envelope value within this many seconds on either side. */
export const PEAK_WINDOW_S = 0.07;
/** The adaptive threshold's moving-mean window: this many seconds before and after each frame. */
export const MEAN_WINDOW_S = 0.15;
/** A peak must exceed the local mean by this fraction of the track's robust maximum… */
export const ONSET_DELTA = 0.02;
/** …and by at least this much in absolute terms (dB of log-mel rise summed over the bands: a steady tone flutters by ≤ 5)… */
export const ONSET_MIN_FLUX = 12;
/** …and be above this many times the local mean (suppresses the flutter of stationary noise, peaks ≈ 1.7 × its mean). */
export const ONSET_RATIO = 1.8;
/** Segments longer than this are split (s). */
export const MAX_SEGMENT_S = 2;
/** Splits of over-long segments stay this far from the segment's ends, s (the envelope rises before an onset). */
export const SPLIT_MARGIN_S = 0.25;
/** Fixed scale of the MFCCs in `timbre[1…11]`. */
export const TIMBRE_SCALE = 2.5;
/** Absolute reference of the confidence: a rise of this much flux above the local mean gives 1 − 1/e of the relative confidence. */
export const CONFIDENCE_FLUX_REF = 50;
/** Spotify's loudness floor, dB. */
export const LOUDNESS_FLOOR_DB = -60;

const EPS = 1e-9;

/** One detected onset: a frame index and its strength in [0, 1]. */
export interface Onset {
  frame: number;
  confidence: number;
}

/** Round to `d` decimals (keeps the JSON small and the output stable). */
export function round(x: number, d: number): number {
  const f = 10 ** d;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no −0
}

/** The `q`-quantile (0…1) of a copy of `xs` (0 for an empty array). */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const n = xs.length;
  if (n === 0) return 0;
  const s = Float64Array.from(xs as ArrayLike<number>).sort();
  const pos = Math.min(n - 1, Math.max(0, q * (n - 1)));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The robust maximum of an onset envelope: the larger of its 99.5th percentile and a quarter of its maximum
 * (the latter for sparse material, where fewer than 0.5 % of the frames hold onsets).
 */
export function onsetScale(onset: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < onset.length; i++) if (onset[i] > max) max = onset[i];
  if (!(max > EPS)) return 0;
  return Math.max(quantile(onset, 0.995), 0.25 * max);
}

/**
 * Onsets: frames where the envelope is a local maximum within ±{@link PEAK_WINDOW_S}, exceeds its moving mean
 * (±{@link MEAN_WINDOW_S}) by {@link ONSET_DELTA} × the robust maximum (at least {@link ONSET_MIN_FLUX}) and by the
 * factor {@link ONSET_RATIO},
 * and lies at least {@link MIN_ONSET_GAP_S} after the previous onset. Sorted by frame.
 */
export function detectOnsets(features: FrameFeatures): Onset[] {
  const o = features.onset;
  const n = features.frames;
  const fps = features.sampleRate / features.hop;
  const scale = onsetScale(o);
  if (n === 0 || !(scale > EPS)) return [];
  const w = Math.max(1, Math.round(PEAK_WINDOW_S * fps));
  const a = Math.max(1, Math.round(MEAN_WINDOW_S * fps));
  const gap = Math.max(1, Math.round(MIN_ONSET_GAP_S * fps));
  // Prefix sums for the moving mean.
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + o[i];
  const out: Onset[] = [];
  let last = -Infinity;
  for (let t = 0; t < n; t++) {
    const v = o[t];
    if (!(v > EPS)) continue;
    let isMax = true;
    for (let j = Math.max(0, t - w); j <= Math.min(n - 1, t + w) && isMax; j++) {
      // strict on the left (the first of equal values wins), ≥ on the right
      if (j < t ? o[j] >= v : j > t && o[j] > v) isMax = false;
    }
    if (!isMax) continue;
    const lo = Math.max(0, t - a);
    const hi = Math.min(n, t + a + 1);
    const mean = (cum[hi] - cum[lo]) / (hi - lo);
    if (v < mean + Math.max(ONSET_DELTA * scale, ONSET_MIN_FLUX) || v < ONSET_RATIO * mean) continue;
    if (t - last < gap) continue;
    out.push({ frame: t, confidence: onsetConfidence(v, mean, scale) });
    last = t;
  }
  return out;
}

/**
 * Confidence of an onset of envelope value `v` over a local mean `mean`: its rise relative to the track's robust
 * maximum `scale`, damped for small absolute rises (`1 − exp(−rise / CONFIDENCE_FLUX_REF)`), so the flutter of a
 * stationary noise — which can be the track's "maximum" — stays low.
 */
export function onsetConfidence(v: number, mean: number, scale: number): number {
  const rise = v - mean;
  if (!(rise > 0) || !(scale > EPS)) return 0;
  return Math.min(1, rise / scale) * (1 - Math.exp(-rise / CONFIDENCE_FLUX_REF));
}

/** Moving mean of the onset envelope around frame `t` (±{@link MEAN_WINDOW_S}). */
function localMean(o: ArrayLike<number>, t: number, fps: number): number {
  const a = Math.max(1, Math.round(MEAN_WINDOW_S * fps));
  const lo = Math.max(0, t - a);
  const hi = Math.min(o.length, t + a + 1);
  let acc = 0;
  for (let i = lo; i < hi; i++) acc += o[i];
  return hi > lo ? acc / (hi - lo) : 0;
}

/** Power mean of dB values: 10·log10(mean(10^(dB/10))). */
export function powerMeanDb(db: ArrayLike<number>, from = 0, to = db.length): number {
  if (to <= from) return -Infinity;
  let acc = 0;
  for (let i = from; i < to; i++) acc += 10 ** (db[i] / 10);
  return 10 * Math.log10(acc / (to - from));
}

/** Frames `[from, to)` whose centres lie in `[startS, endS)` (at least one frame, clamped to the signal). */
export function frameRange(features: FrameFeatures, startS: number, endS: number): [number, number] {
  const fps = features.sampleRate / features.hop;
  const n = features.frames;
  let from = Math.ceil(startS * fps - 1e-9);
  let to = Math.ceil(endS * fps - 1e-9);
  from = Math.min(Math.max(0, from), Math.max(0, n - 1));
  to = Math.min(Math.max(from + 1, to), n);
  return [from, Math.max(from, to)];
}

/** Mean chroma of frames `[from, to)` divided by its maximum (all 1s when there is no energy). */
export function segmentPitches(features: FrameFeatures, from: number, to: number): number[] {
  const acc = new Float64Array(12);
  for (let t = from; t < to; t++) for (let k = 0; k < 12; k++) acc[k] += features.chroma[t * 12 + k];
  let max = 0;
  for (let k = 0; k < 12; k++) if (acc[k] > max) max = acc[k];
  if (!(max > 0) || !Number.isFinite(max)) return new Array<number>(12).fill(1);
  return Array.from(acc, (v) => round(v / max, 3));
}

/** Timbre vector of frames `[from, to)` (see the module comment). */
export function segmentTimbre(features: FrameFeatures, from: number, to: number): number[] {
  const nM = features.nMfcc;
  const count = Math.max(1, to - from);
  const acc = new Float64Array(12);
  for (let t = from; t < to; t++) for (let k = 1; k < 12 && k < nM; k++) acc[k] += features.mfcc[t * nM + k];
  const loud = powerMeanDb(features.rmsDb, from, to);
  const out = new Array<number>(12);
  out[0] = round(Math.min(60, Math.max(0, 60 + (Number.isFinite(loud) ? loud : -100))), 3);
  for (let k = 1; k < 12; k++) {
    const v = (acc[k] / count) * TIMBRE_SCALE * (k === 1 ? -1 : 1);
    out[k] = round(Number.isFinite(v) ? v : 0, 3);
  }
  return out;
}

const floorDb = (db: number): number => (Number.isFinite(db) ? Math.max(LOUDNESS_FLOOR_DB, db) : LOUDNESS_FLOOR_DB);

/**
 * Segment boundaries (s, strictly increasing, first 0, last `durationS`) with the confidence of each segment's
 * start: the onsets, the leading segment before the first, and splits of over-long segments.
 */
export function segmentBoundaries(features: FrameFeatures, durationS: number): { times: number[]; confidences: number[] } {
  const fps = features.sampleRate / features.hop;
  const onsets = detectOnsets(features);
  const minGap = MIN_ONSET_GAP_S;
  const times: number[] = [0];
  const confidences: number[] = [0];
  for (const o of onsets) {
    const t = o.frame / fps;
    if (t < minGap) {
      // an onset at the very start opens the first segment
      confidences[0] = Math.max(confidences[0], o.confidence);
      continue;
    }
    if (t > durationS - minGap) break;
    times.push(t);
    confidences.push(o.confidence);
  }
  times.push(durationS);

  // Split over-long segments at their strongest onset-envelope value (ties: nearest the middle).
  const scale = onsetScale(features.onset);
  const outT: number[] = [];
  const outC: number[] = [];
  const split = (s: number, e: number, c: number): void => {
    outT.push(s);
    outC.push(c);
    if (e - s <= MAX_SEGMENT_S) return;
    const lo = Math.ceil((s + SPLIT_MARGIN_S) * fps);
    const hi = Math.floor((e - SPLIT_MARGIN_S) * fps);
    const mid = ((s + e) / 2) * fps;
    let best = -1;
    let bestV = -Infinity;
    for (let f = Math.max(0, lo); f <= Math.min(hi, features.frames - 1); f++) {
      const v = features.onset[f];
      if (v > bestV || (v === bestV && Math.abs(f - mid) < Math.abs(best - mid))) {
        best = f;
        bestV = v;
      }
    }
    if (best < 0) best = Math.round(mid);
    const t = best / fps;
    if (!(t > s + minGap / 2 && t < e - minGap / 2)) return;
    outT.pop();
    outC.pop();
    split(s, t, c);
    split(t, e, onsetConfidence(bestV, localMean(features.onset, best, fps), scale));
  };
  for (let i = 0; i + 1 < times.length; i++) split(times[i], times[i + 1], confidences[i]);
  outT.push(durationS);
  return { times: outT, confidences: outC };
}

/**
 * The segments of a track: onset-bounded, tiling `[0, durationS]`, each with Spotify's fields (see the module
 * comment). An empty signal (no frames) gives one silent segment spanning the duration.
 */
export function computeSegments(features: FrameFeatures, durationS: number): Segment[] {
  if (!(durationS > 0)) return [];
  const { times, confidences } = segmentBoundaries(features, durationS);
  const fps = features.sampleRate / features.hop;
  const n = features.frames;
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const start = times[i];
    const end = times[i + 1];
    const base: Segment = {
      start: round(start, 5),
      duration: round(Math.max(0, end - start), 5),
      confidence: round(confidences[i], 3),
      loudness_start: LOUDNESS_FLOOR_DB,
      loudness_max_time: 0,
      loudness_max: LOUDNESS_FLOOR_DB,
      loudness_end: 0,
      pitches: new Array<number>(12).fill(1),
      timbre: new Array<number>(12).fill(0),
    };
    if (n > 0) {
      const [from, to] = frameRange(features, start, end);
      let maxF = from;
      for (let t = from; t < to; t++) if (features.rmsDb[t] > features.rmsDb[maxF]) maxF = t;
      base.loudness_start = round(floorDb(features.rmsDb[from]), 3);
      base.loudness_max = round(floorDb(features.rmsDb[maxF]), 3);
      base.loudness_max_time = round(Math.min(end - start, Math.max(0, maxF / fps - start)), 5);
      base.pitches = segmentPitches(features, from, to);
      base.timbre = segmentTimbre(features, from, to);
    }
    segments.push(base);
  }
  const last = segments[segments.length - 1];
  if (last) last.loudness_end = round(n > 0 ? floorDb(features.rmsDb[n - 1]) : LOUDNESS_FLOOR_DB, 3);
  return segments;
}
