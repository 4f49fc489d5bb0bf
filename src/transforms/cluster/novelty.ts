/**
 * Foote's checkerboard novelty on a self-similarity matrix, its peaks, and the segments between them.
 */
import { ParameterError } from '../../errors.js';
import type { SimilarityMatrix } from '../correlate.js';

/**
 * Foote's novelty curve: a checkerboard kernel with a Gaussian taper slid along the diagonal of a
 * self-similarity matrix.
 *
 * The kernel is `kernelBins × kernelBins` (even) with half-width `h = kernelBins/2`. Value `t` of the
 * curve measures a boundary at the *start* of bin `t`: the kernel covers the `h` bins before `t`
 * ("past") and the `h` bins from `t` on ("future"); past×past and future×future cells weigh +1,
 * past×future cells −1, each times a Gaussian taper `g(u) = exp(−u²/(2σ²))` with `u` the cell's
 * distance (in bins, cell centres at ±½, ±1½, …) from the boundary and `σ = h/2` (the taper of Müller's
 * FMP `compute_kernel_checkerboard_gaussian` with `var = 0.5`), normalised so Σ|kernel| = 1. The matrix
 * is zero-padded outside its edges and NaN entries (undefined similarities) count as 0 — so leading
 * undefined rows (the zero rows a rolling mean leaves) look like padding, and the first defined bin after
 * them responds like a track start (it may come out as a boundary).
 *
 * Negative responses (a "boundary" less similar within than across) are clamped to 0 and the curve is
 * divided by its maximum, so it lies in [0, 1] (all zeros if nothing responds).
 *
 * @param sim - self-similarity matrix (e.g. from `correlateRows`)
 * @param kernelBins - kernel width in bins, a positive even integer
 * @returns the curve [shape=(sim.n)]
 * @throws ParameterError (`kernelBins`) for an odd or non-positive kernel size
 */
export function noveltyCurve(sim: SimilarityMatrix, kernelBins: number): Float64Array {
  if (!Number.isInteger(kernelBins) || kernelBins < 2 || kernelBins % 2 !== 0) {
    throw new ParameterError('kernelBins', String(kernelBins), 'a positive even integer (bins)');
  }
  const n = sim.n;
  const h = kernelBins / 2;
  const sigma = h / 2;
  // Signed, tapered weights of offsets −h … h−1 from the boundary.
  const w = new Float64Array(kernelBins);
  let wAbs = 0;
  for (let a = 0; a < kernelBins; a++) {
    const u = a - h + 0.5;
    w[a] = Math.sign(u) * Math.exp(-(u * u) / (2 * sigma * sigma));
    wAbs += Math.abs(w[a]);
  }
  const norm = wAbs * wAbs;
  const curve = new Float64Array(n);
  const v = sim.values;
  let max = 0;
  for (let t = 0; t < n; t++) {
    let s = 0;
    const aLo = Math.max(0, h - t);
    const aHi = Math.min(kernelBins, n - t + h);
    for (let a = aLo; a < aHi; a++) {
      const row = (t + a - h) * n;
      let rs = 0;
      for (let b = aLo; b < aHi; b++) {
        const x = v[row + t + b - h];
        if (x === x) rs += w[b] * x; // skip NaN
      }
      s += w[a] * rs;
    }
    const value = Math.max(0, s / norm);
    curve[t] = value;
    if (value > max) max = value;
  }
  if (max > 0) for (let t = 0; t < n; t++) curve[t] /= max;
  return curve;
}

export interface NoveltyPeakOptions {
  /** Minimum distance between two boundaries, bins; the stronger peak wins. Default 1 (no limit). */
  minDistanceBins?: number;
  /** Offset above the moving median a peak must exceed (curve units, the curve's max is 1). Default 0.05. */
  threshold?: number;
  /** Width of the centred moving-median window, bins. Default 16. */
  medianWindowBins?: number;
}

/**
 * Boundaries from a novelty curve: the bins `t` (1 ≤ t ≤ n−2) that are local maxima
 * (`c[t−1] < c[t] ≥ c[t+1]`, so a plateau counts once, at its start) and exceed the adaptive threshold
 * `median(c[t−w/2 … t+w/2]) + threshold`. Peaks closer than `minDistanceBins` are thinned strongest first
 * (as `scipy.signal.find_peaks(distance=…)`; equal heights: the earlier peak wins). Bin 0 (the track
 * start, always a boundary) is never returned.
 *
 * @param curve - a novelty curve [shape=(n)]
 * @returns sorted, unique bin indices
 */
export function noveltyBoundaries(curve: ArrayLike<number>, options: NoveltyPeakOptions = {}): number[] {
  const minDistanceBins = options.minDistanceBins ?? 1;
  const threshold = options.threshold ?? 0.05;
  const medianWindowBins = options.medianWindowBins ?? 16;
  if (!(minDistanceBins >= 1)) throw new ParameterError('minDistanceBins', String(minDistanceBins), 'a number ≥ 1 (bins)');
  if (!Number.isInteger(medianWindowBins) || medianWindowBins < 1) {
    throw new ParameterError('medianWindowBins', String(medianWindowBins), 'a positive integer (bins)');
  }
  const n = curve.length;
  const half = Math.floor(medianWindowBins / 2);
  const peaks = localMaxima(curve).filter((t) => {
    const window = Array.from({ length: Math.min(n, t + half + 1) - Math.max(0, t - half) }, (_, i) => curve[Math.max(0, t - half) + i]);
    return curve[t] > median(window) + threshold;
  });
  return thinPeaks(peaks, curve, minDistanceBins);
}

function localMaxima(curve: ArrayLike<number>): number[] {
  const out: number[] = [];
  const n = curve.length;
  for (let t = 1; t < n - 1; t++) {
    if (!(curve[t] > curve[t - 1])) continue;
    // Plateau: find where it ends; a peak if it then falls (or runs to the last bin but one).
    let e = t;
    while (e + 1 < n - 1 && curve[e + 1] === curve[t]) e++;
    if (curve[e + 1] <= curve[t]) out.push(t);
  }
  return out;
}

/** Keep peaks strongest first, dropping any closer than `minDistanceBins` to a kept one; sorted by time. */
function thinPeaks(peaks: number[], curve: ArrayLike<number>, minDistanceBins: number): number[] {
  if (minDistanceBins <= 1) return peaks.slice();
  const order = peaks.slice().sort((a, b) => curve[b] - curve[a] || a - b);
  const kept: number[] = [];
  for (const p of order) if (kept.every((q) => Math.abs(p - q) >= minDistanceBins)) kept.push(p);
  return kept.sort((a, b) => a - b);
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface NoveltySegmentOptions extends NoveltyPeakOptions {
  /** Kernel width, bins (even); see {@link noveltyCurve}. */
  kernelBins: number;
  /**
   * Number of segments wanted. If given, the `k − 1` strongest local maxima of the curve (thinned by
   * `minDistanceBins`, the threshold ignored) become the boundaries; if there are fewer, the highest
   * remaining bins fill in. If omitted, the boundaries are those of {@link noveltyBoundaries}.
   */
  k?: number;
}

/**
 * Segment a track at the peaks of its novelty curve. Labels are *segments*, numbered 0, 1, 2, … in time
 * order — unlike k-means labels they never recur: a chorus that comes back gets a new number.
 *
 * @param sim - self-similarity matrix
 * @returns a label per bin [shape=(sim.n)]
 * @throws ParameterError for a bad `kernelBins`, `k` outside [1, n], or a bad `minDistanceBins` or `medianWindowBins`
 */
export function noveltySegments(sim: SimilarityMatrix, options: NoveltySegmentOptions): Int32Array {
  const { kernelBins, k } = options;
  const curve = noveltyCurve(sim, kernelBins);
  const n = sim.n;
  let bounds: number[];
  if (k === undefined) {
    bounds = noveltyBoundaries(curve, options);
  } else {
    if (!Number.isInteger(k) || k < 1 || k > Math.max(n, 1)) {
      throw new ParameterError('k', String(k), `an integer in [1, ${Math.max(n, 1)}] (the number of bins)`);
    }
    const minDistanceBins = options.minDistanceBins ?? 1;
    const peaks = thinPeaks(localMaxima(curve), curve, minDistanceBins)
      .sort((a, b) => curve[b] - curve[a] || a - b)
      .slice(0, k - 1);
    if (peaks.length < k - 1) {
      const taken = new Set(peaks);
      const rest = Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1)
        .filter((t) => !taken.has(t))
        .sort((a, b) => curve[b] - curve[a] || a - b);
      peaks.push(...rest.slice(0, k - 1 - peaks.length));
    }
    bounds = peaks.sort((a, b) => a - b);
  }
  return labelsFromBoundaries(n, bounds);
}

function labelsFromBoundaries(n: number, bounds: number[]): Int32Array {
  const labels = new Int32Array(n);
  let label = 0;
  let next = 0;
  for (let t = 0; t < n; t++) {
    if (next < bounds.length && bounds[next] === t) {
      if (t > 0) label++;
      next++;
    }
    labels[t] = label;
  }
  return labels;
}
