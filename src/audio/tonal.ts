/**
 * Key and mode by key-profile correlation (Krumhansl–Schmuckler): the mean chroma of a track (or of a section) is
 * correlated (Pearson) with the 24 rotations of the Krumhansl–Kessler major and minor probe-tone profiles; the best
 * rotation is the key. Encoded as Spotify does: `key` 0 = C … 11 = B, `mode` 1 = major, 0 = minor; −1/−1 when there
 * is no tonal content (silence).
 *
 * Chroma averaging: each frame's chroma is divided by its own maximum before averaging (so loud frames do not
 * dominate and the vector describes pitch-class *salience*), frames quieter than {@link TONAL_GATE_DB} (dBFS) are
 * skipped.
 *
 * Confidences (in [0, 1]):
 *  - `keyConfidence` = max(0, r₁) × min(1, (r₁ − r₂) / {@link KEY_MARGIN}), r₁ the best correlation and r₂ the
 *    best correlation of any candidate with a *different tonic* (so a relative-major/minor ambiguity lowers it);
 *  - `modeConfidence` = max(0, r₁) × min(1, (r₁ − r_parallel) / {@link MODE_MARGIN}), r_parallel the correlation of
 *    the same tonic in the other mode.
 */
import type { FrameFeatures } from './types.js';

/** Krumhansl–Kessler (1982) probe-tone ratings, major, tonic first. */
export const KK_MAJOR: readonly number[] = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
/** Krumhansl–Kessler (1982) probe-tone ratings, minor, tonic first. */
export const KK_MINOR: readonly number[] = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];
/** Frames quieter than this (dBFS RMS) do not count towards the key. */
export const TONAL_GATE_DB = -70;
/** Correlation margin over the best other tonic that gives full key confidence. */
export const KEY_MARGIN = 0.15;
/** Correlation margin over the parallel mode that gives full mode confidence. */
export const MODE_MARGIN = 0.2;

/** Spotify-encoded key estimate. */
export interface KeyEstimate {
  /** Pitch class of the tonic, 0 = C … 11 = B; −1 when unknown. */
  key: number;
  /** 1 = major, 0 = minor; −1 when unknown. */
  mode: number;
  keyConfidence: number;
  modeConfidence: number;
}

/** The estimate for material without tonal content. */
export const UNKNOWN_KEY: Readonly<KeyEstimate> = Object.freeze({ key: -1, mode: -1, keyConfidence: 0, modeConfidence: 0 });

function pearson(x: ArrayLike<number>, y: ArrayLike<number>, shift: number): number {
  // correlation of x[(i + shift) % 12] with y[i]
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 12; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= 12;
  my /= 12;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < 12; i++) {
    const a = x[(i + shift) % 12] - mx;
    const b = y[i] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  const d = Math.sqrt(sxx * syy);
  return d > 0 ? sxy / d : 0;
}

/**
 * The 24 correlations of a 12-bin chroma vector (C first) with the key profiles: `[major[0..11], minor[0..11]]`,
 * index = tonic pitch class.
 */
export function keyCorrelations(chroma: ArrayLike<number>): { major: number[]; minor: number[] } {
  const major: number[] = [];
  const minor: number[] = [];
  for (let k = 0; k < 12; k++) {
    major.push(pearson(chroma, KK_MAJOR, k));
    minor.push(pearson(chroma, KK_MINOR, k));
  }
  return { major, minor };
}

/** Key, mode and confidences of a 12-bin chroma vector (C first, non-negative). */
export function estimateKey(chroma: ArrayLike<number>): KeyEstimate {
  let max = 0;
  let min = Infinity;
  for (let i = 0; i < 12; i++) {
    const v = chroma[i];
    if (!Number.isFinite(v)) return { ...UNKNOWN_KEY };
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (!(max > 0) || max - min <= 1e-9 * max) return { ...UNKNOWN_KEY };
  const { major, minor } = keyCorrelations(chroma);
  let best = 0;
  let bestMode = 1;
  let r1 = -Infinity;
  for (let k = 0; k < 12; k++) {
    if (major[k] > r1) [r1, best, bestMode] = [major[k], k, 1];
    if (minor[k] > r1) [r1, best, bestMode] = [minor[k], k, 0];
  }
  let r2 = -Infinity;
  for (let k = 0; k < 12; k++) if (k !== best) r2 = Math.max(r2, major[k], minor[k]);
  const rPar = bestMode === 1 ? minor[best] : major[best];
  const pos = Math.max(0, r1);
  const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
  return {
    key: best,
    mode: bestMode,
    keyConfidence: clamp01(pos * Math.min(1, (r1 - r2) / KEY_MARGIN)),
    modeConfidence: clamp01(pos * Math.min(1, (r1 - rPar) / MODE_MARGIN)),
  };
}

/**
 * Mean chroma of frames `[from, to)`, each frame divided by its maximum first; frames quieter than
 * {@link TONAL_GATE_DB} or without chroma energy are skipped (all zeros when none is left).
 */
export function meanChroma(features: FrameFeatures, from = 0, to = features.frames): Float64Array {
  const acc = new Float64Array(12);
  const lo = Math.max(0, from);
  const hi = Math.min(features.frames, to);
  for (let t = lo; t < hi; t++) {
    if (!(features.rmsDb[t] > TONAL_GATE_DB)) continue;
    let m = 0;
    for (let k = 0; k < 12; k++) m = Math.max(m, features.chroma[t * 12 + k]);
    if (!(m > 0) || !Number.isFinite(m)) continue;
    for (let k = 0; k < 12; k++) acc[k] += features.chroma[t * 12 + k] / m;
  }
  return acc;
}

/** Key of frames `[from, to)` of a signal (the whole signal by default). */
export function estimateKeyOfFrames(features: FrameFeatures, from = 0, to = features.frames): KeyEstimate {
  return estimateKey(meanChroma(features, from, to));
}
