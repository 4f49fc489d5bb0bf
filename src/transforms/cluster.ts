/**
 * Clustering and segmentation of the time points of one track, and the scores that compare them.
 *
 * - {@link kmeans}: k-means (scikit-learn's greedy k-means++ start, Lloyd iterations, `nInit` seeded
 *   restarts) — recurring clusters: the same label may come back later in the track.
 * - {@link contiguousWard}: Ward agglomeration restricted to neighbouring time points — `k` contiguous
 *   segments.
 * - {@link noveltyCurve} / {@link noveltyBoundaries} / {@link noveltySegments}: Foote's checkerboard
 *   novelty on a self-similarity matrix — segments between novelty peaks.
 * - {@link adjustedRandIndex}: agreement of two labelings (as `sklearn.metrics.adjusted_rand_score`).
 * - {@link labelsToBoundaries}, {@link sectionBoundaries}, {@link boundaryFMeasure}: boundary lists and
 *   the boundary hit rate of `mir_eval.segment.detection` (see {@link BOUNDARY_CONVENTIONS}).
 *
 * Every random step draws from `util/random.ts`, so the same input and seed give identical output.
 * Labels are always canonical: 0 is the label of the first time point, 1 the next new label in time
 * order, and so on.
 */
import { createRandom, DEFAULT_SEED, subSeed, type Random } from '../util/random.js';
import { squaredDistance, type Points } from './points.js';
import type { SimilarityMatrix } from './correlate.js';

// ---------------------------------------------------------------------------------------------------
// k-means
// ---------------------------------------------------------------------------------------------------

export interface KMeansOptions {
  /** Seed of the k-means++ starts; restart `r` uses `subSeed(seed, r)`. Default DEFAULT_SEED. */
  seed?: number;
  /** Independent starts; the one with the lowest inertia wins (scikit-learn's `n_init`). Default 10. */
  nInit?: number;
  /** Lloyd iterations per start. Default 300. */
  maxIter?: number;
  /**
   * Convergence tolerance relative to the data: a start stops when the summed squared centre shift is
   * ≤ `tol · mean(per-column population variance)` (scikit-learn's `tol`). Default 1e-4.
   */
  tol?: number;
}

export interface KMeansResult {
  /** Cluster of each point, canonical (0 = cluster of point 0, then order of first appearance) [shape=(n)]. */
  labels: Int32Array;
  /**
   * Cluster centres, row `c` for label `c` [shape=(kEff, d)]. `kEff = k` unless the points have fewer
   * than `k` distinct values, in which case `kEff` is that number (identical points are never split).
   */
  centroids: Points;
  /** Sum of squared distances from each point to its centre. */
  inertia: number;
  /** Lloyd iterations run by the winning start. */
  iterations: number;
}

/**
 * k-means clustering, as scikit-learn's `KMeans(n_clusters=k, n_init, max_iter, tol, algorithm='lloyd')`
 * but with songscope's seeded generator (so the labels are not sklearn's bit for bit, only the same kind
 * of solution).
 *
 * Each start uses scikit-learn's greedy k-means++ (first centre uniform, then for each further centre
 * `2 + ⌊ln k⌋` candidates drawn ∝ D² and the one that lowers the potential most kept), then Lloyd
 * iterations until the labels stop changing or the centres move less than the tolerance; an empty cluster
 * is re-seeded with the point farthest from its centre (as scikit-learn does). Ties in assignment go to
 * the lower centre index. The start with the lowest inertia wins (the earliest on ties).
 *
 * If the points have fewer than `k` distinct values the result has only that many clusters (see
 * {@link KMeansResult.centroids}).
 *
 * @param points - the points [shape=(n, d)], all finite
 * @param k - number of clusters, 1 ≤ k ≤ n
 * @throws RangeError for k outside [1, n], non-finite values or bad options
 */
export function kmeans(points: Points, k: number, options: KMeansOptions = {}): KMeansResult {
  const { n, d, data } = points;
  const seed = options.seed ?? DEFAULT_SEED;
  const nInit = options.nInit ?? 10;
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-4;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k must be an integer in [1, ${n}], got ${k}`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`nInit must be a positive integer, got ${nInit}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${tol}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`point ${Math.floor(i / d)} has a non-finite value`);
  }

  const tolAbs = tol * meanColumnVariance(points);
  let best: Omit<KMeansResult, 'centroids'> & { centres: Float64Array; k: number } | null = null;
  for (let r = 0; r < nInit; r++) {
    const random = createRandom(subSeed(seed, r));
    const init = kmeansPlusPlus(points, k, random);
    const run = lloyd(points, init.centres, init.k, maxIter, tolAbs);
    if (best === null || run.inertia < best.inertia) best = { ...run, k: init.k };
  }
  const b = best!;
  // Canonical labels: order of first appearance; clusters left empty (possible, rarely) go last.
  const map = new Int32Array(b.k).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) if (map[b.labels[i]] < 0) map[b.labels[i]] = next++;
  for (let c = 0; c < b.k; c++) if (map[c] < 0) map[c] = next++;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = map[b.labels[i]];
  const centroids = new Float64Array(b.k * d);
  for (let c = 0; c < b.k; c++) centroids.set(b.centres.subarray(c * d, (c + 1) * d), map[c] * d);
  return { labels, centroids: { n: b.k, d, data: centroids }, inertia: b.inertia, iterations: b.iterations };
}

function meanColumnVariance(points: Points): number {
  const { n, d, data } = points;
  if (n === 0 || d === 0) return 0;
  let total = 0;
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + c];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const x = data[i * d + c] - mean;
      ss += x * x;
    }
    total += ss / n;
  }
  return total / d;
}

/**
 * scikit-learn's `_kmeans_plusplus` (greedy, `2 + ⌊ln k⌋` local trials). Stops early when every point
 * already coincides with a centre (fewer distinct points than `k`).
 */
function kmeansPlusPlus(points: Points, k: number, random: Random): { centres: Float64Array; k: number } {
  const { n, d, data } = points;
  const centres = new Float64Array(k * d);
  const centrePoints: Points = { n: k, d, data: centres };
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(random() * n));
  centres.set(data.subarray(first * d, (first + 1) * d), 0);
  let closest = new Float64Array(n);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistance(points, i, centrePoints, 0);
    pot += closest[i];
  }
  const cumsum = new Float64Array(n);
  let candidate = new Float64Array(n);
  let bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    if (!(pot > 0)) return { centres: centres.slice(0, c * d), k: c };
    let acc = 0;
    for (let i = 0; i < n; i++) cumsum[i] = acc += closest[i];
    let bestPot = Infinity;
    let bestId = -1;
    for (let t = 0; t < trials; t++) {
      // np.searchsorted(cumsum, r, side='left'), clipped to n − 1.
      const r = random() * pot;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumsum[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      const id = Math.min(lo, n - 1);
      let candPot = 0;
      for (let i = 0; i < n; i++) {
        const dd = Math.min(closest[i], squaredDistance(points, i, points, id));
        candidate[i] = dd;
        candPot += dd;
      }
      if (candPot < bestPot) {
        bestPot = candPot;
        bestId = id;
        const tmp = bestDist;
        bestDist = candidate;
        candidate = tmp;
      }
    }
    centres.set(data.subarray(bestId * d, (bestId + 1) * d), c * d);
    pot = bestPot;
    const tmp = closest;
    closest = bestDist;
    bestDist = tmp;
  }
  return { centres, k };
}

/** Lloyd iterations as scikit-learn's `_kmeans_single_lloyd`. */
function lloyd(
  points: Points,
  init: Float64Array,
  k: number,
  maxIter: number,
  tolAbs: number,
): { labels: Int32Array; centres: Float64Array; inertia: number; iterations: number } {
  const { n, d, data } = points;
  let centres = init.slice();
  let newCentres = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const labelsOld = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const counts = new Float64Array(k);
  const assign = (): void => {
    const cs = centres;
    for (let i = 0; i < n; i++) {
      const io = i * d;
      let bi = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const co = c * d;
        let dd = 0;
        for (let j = 0; j < d; j++) {
          const x = data[io + j] - cs[co + j];
          dd += x * x;
        }
        if (dd < bd) {
          bd = dd;
          bi = c;
        }
      }
      labels[i] = bi;
      dist[i] = bd;
    }
  };
  let strict = false;
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    iterations = it + 1;
    assign();
    // Update step: sums, then relocate empty clusters to the farthest points, then means.
    newCentres.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      const o = c * d;
      for (let j = 0; j < d; j++) newCentres[o + j] += data[i * d + j];
    }
    const empty: number[] = [];
    for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
    if (empty.length > 0) {
      const far = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[b] - dist[a] || a - b);
      empty.forEach((c, e) => {
        const p = far[e];
        const old = labels[p];
        for (let j = 0; j < d; j++) {
          newCentres[old * d + j] -= data[p * d + j];
          newCentres[c * d + j] = data[p * d + j];
        }
        counts[old]--;
        counts[c] = 1;
      });
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const o = c * d;
      for (let j = 0; j < d; j++) {
        // A cluster emptied by a relocation keeps its previous centre.
        newCentres[o + j] = counts[c] > 0 ? newCentres[o + j] / counts[c] : centres[o + j];
        const x = newCentres[o + j] - centres[o + j];
        shift += x * x;
      }
    }
    const tmp = centres;
    centres = newCentres;
    newCentres = tmp;
    let same = true;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== labelsOld[i]) {
        same = false;
        break;
      }
    }
    if (same) {
      strict = true;
      break;
    }
    if (shift <= tolAbs) break;
    labelsOld.set(labels);
  }
  // Labels consistent with the final centres (scikit-learn reruns the assignment step).
  if (!strict) assign();
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(points, i, { n: k, d, data: centres }, labels[i]);
  return { labels, centres, inertia, iterations };
}

// ---------------------------------------------------------------------------------------------------
// Adjusted Rand index
// ---------------------------------------------------------------------------------------------------

/**
 * Adjusted Rand index of two labelings of the same points (Hubert & Arabie 1985), computed exactly as
 * `sklearn.metrics.adjusted_rand_score` (pair confusion counts in exact integer arithmetic): 1 for
 * identical partitions whatever the label values, ≈ 0 for chance agreement, negative below chance.
 * When neither labeling splits a pair the other joins (e.g. both put everything in one cluster, or
 * both are all singletons, or there are no points) the result is 1.0, as scikit-learn returns.
 *
 * @param a - labels [shape=(n)], any numbers
 * @param b - labels [shape=(n)], any numbers
 * @throws RangeError if the lengths differ
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`labelings have different lengths (${n} and ${b.length})`);
  const ia = denseIds(a);
  const ib = denseIds(b);
  const ka = ia.count;
  const kb = ib.count;
  const table = new Map<number, number>();
  const rowSums = new Float64Array(ka);
  const colSums = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    const key = ia.ids[i] * kb + ib.ids[i];
    table.set(key, (table.get(key) ?? 0) + 1);
    rowSums[ia.ids[i]]++;
    colSums[ib.ids[i]]++;
  }
  // sklearn.metrics.cluster.pair_confusion_matrix.
  let sumSquares = 0n;
  let rowDot = 0n; // Σ_ij n_ij · colSum_j
  let colDot = 0n; // Σ_ij n_ij · rowSum_i
  for (const [key, v] of table) {
    const bv = BigInt(v);
    sumSquares += bv * bv;
    rowDot += bv * BigInt(colSums[key % kb]);
    colDot += bv * BigInt(rowSums[Math.floor(key / kb)]);
  }
  const nn = BigInt(n);
  const tp = sumSquares - nn;
  const fp = rowDot - sumSquares;
  const fn = colDot - sumSquares;
  const tn = nn * nn - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1.0;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return Number(num) / Number(den);
}

function denseIds(labels: ArrayLike<number>): { ids: Int32Array; count: number } {
  const map = new Map<number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = map.get(labels[i]);
    if (id === undefined) {
      id = map.size;
      map.set(labels[i], id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

// ---------------------------------------------------------------------------------------------------
// Foote novelty
// ---------------------------------------------------------------------------------------------------

/**
 * Foote's novelty curve: a checkerboard kernel with a Gaussian taper slid along the diagonal of a
 * self-similarity matrix.
 *
 * The kernel is `kernelSize × kernelSize` (even) with half-width `h = kernelSize/2`. Value `t` of the
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
 * @param kernelSize - kernel width in bins, a positive even integer
 * @returns the curve [shape=(sim.n)]
 * @throws RangeError for an odd or non-positive kernel size
 */
export function noveltyCurve(sim: SimilarityMatrix, kernelSize: number): Float64Array {
  if (!Number.isInteger(kernelSize) || kernelSize < 2 || kernelSize % 2 !== 0) {
    throw new RangeError(`kernelSize must be a positive even integer, got ${kernelSize}`);
  }
  const n = sim.n;
  const h = kernelSize / 2;
  const sigma = h / 2;
  // Signed, tapered weights of offsets −h … h−1 from the boundary.
  const w = new Float64Array(kernelSize);
  let wAbs = 0;
  for (let a = 0; a < kernelSize; a++) {
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
    const aHi = Math.min(kernelSize, n - t + h);
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
  minDistance?: number;
  /** Offset above the moving median a peak must exceed (curve units, the curve's max is 1). Default 0.05. */
  threshold?: number;
  /** Width of the centred moving-median window, bins. Default 16. */
  medianWindow?: number;
}

/**
 * Boundaries from a novelty curve: the bins `t` (1 ≤ t ≤ n−2) that are local maxima
 * (`c[t−1] < c[t] ≥ c[t+1]`, so a plateau counts once, at its start) and exceed the adaptive threshold
 * `median(c[t−w/2 … t+w/2]) + threshold`. Peaks closer than `minDistance` are thinned strongest first
 * (as `scipy.signal.find_peaks(distance=…)`; equal heights: the earlier peak wins). Bin 0 (the track
 * start, always a boundary) is never returned.
 *
 * @param curve - a novelty curve [shape=(n)]
 * @returns sorted, unique bin indices
 */
export function noveltyBoundaries(curve: ArrayLike<number>, options: NoveltyPeakOptions = {}): number[] {
  const minDistance = options.minDistance ?? 1;
  const threshold = options.threshold ?? 0.05;
  const medianWindow = options.medianWindow ?? 16;
  if (!(minDistance >= 1)) throw new RangeError(`minDistance must be ≥ 1, got ${minDistance}`);
  if (!Number.isInteger(medianWindow) || medianWindow < 1) throw new RangeError(`medianWindow must be a positive integer, got ${medianWindow}`);
  const n = curve.length;
  const half = Math.floor(medianWindow / 2);
  const peaks = localMaxima(curve).filter((t) => {
    const window = Array.from({ length: Math.min(n, t + half + 1) - Math.max(0, t - half) }, (_, i) => curve[Math.max(0, t - half) + i]);
    return curve[t] > median(window) + threshold;
  });
  return thinPeaks(peaks, curve, minDistance);
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

/** Keep peaks strongest first, dropping any closer than `minDistance` to a kept one; sorted by time. */
function thinPeaks(peaks: number[], curve: ArrayLike<number>, minDistance: number): number[] {
  if (minDistance <= 1) return peaks.slice();
  const order = peaks.slice().sort((a, b) => curve[b] - curve[a] || a - b);
  const kept: number[] = [];
  for (const p of order) if (kept.every((q) => Math.abs(p - q) >= minDistance)) kept.push(p);
  return kept.sort((a, b) => a - b);
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface NoveltySegmentOptions extends NoveltyPeakOptions {
  /** Kernel width, bins (even); see {@link noveltyCurve}. */
  kernelSize: number;
  /**
   * Number of segments wanted. If given, the `k − 1` strongest local maxima of the curve (thinned by
   * `minDistance`, the threshold ignored) become the boundaries; if there are fewer, the highest
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
 * @throws RangeError for a bad kernel size or k outside [1, n]
 */
export function noveltySegments(sim: SimilarityMatrix, options: NoveltySegmentOptions): Int32Array {
  const { kernelSize, k } = options;
  const curve = noveltyCurve(sim, kernelSize);
  const n = sim.n;
  let bounds: number[];
  if (k === undefined) {
    bounds = noveltyBoundaries(curve, options);
  } else {
    if (!Number.isInteger(k) || k < 1 || k > Math.max(n, 1)) throw new RangeError(`k must be an integer in [1, ${n}], got ${k}`);
    const minDistance = options.minDistance ?? 1;
    const peaks = thinPeaks(localMaxima(curve), curve, minDistance)
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

// ---------------------------------------------------------------------------------------------------
// Contiguous Ward
// ---------------------------------------------------------------------------------------------------

/**
 * Ward agglomeration constrained to time-contiguous segments: every point starts as its own segment and
 * the *adjacent* pair with the smallest Ward cost `Δ = na·nb/(na+nb) · ‖ca − cb‖²` (the increase of the
 * within-segment sum of squares) is merged until `k` segments remain; ties merge the earlier pair.
 * Each merge scans the live segments' cached costs (O(n)) and recomputes only the two costs that
 * changed (O(d)), O(n²) in all: a few thousand points take milliseconds.
 *
 * @param points - time points in time order [shape=(n, d)]
 * @param k - number of segments, 1 ≤ k ≤ n
 * @returns segment labels 0 … k−1 in time order [shape=(n)]
 * @throws RangeError for k outside [1, n]
 */
export function contiguousWard(points: Points, k: number): Int32Array {
  const { n, d, data } = points;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k must be an integer in [1, ${n}], got ${k}`);
  // Segments are identified by their first point; a doubly linked list in time order.
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const count = new Float64Array(n).fill(1);
  const sums = data.slice();
  const cost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const wardCost = (a: number): number => {
    const b = next[a];
    if (b < 0) return Infinity;
    const na = count[a];
    const nb = count[b];
    let s = 0;
    for (let j = 0; j < d; j++) {
      const x = sums[a * d + j] / na - sums[b * d + j] / nb;
      s += x * x;
    }
    return ((na * nb) / (na + nb)) * s;
  };
  for (let i = 0; i < n; i++) cost[i] = wardCost(i);
  for (let segments = n; segments > k; segments--) {
    let best = -1;
    let bestCost = Infinity;
    for (let a = 0; a >= 0; a = next[a]) {
      if (cost[a] < bestCost) {
        bestCost = cost[a];
        best = a;
      }
    }
    if (best < 0) {
      // Only non-finite costs left (cannot happen for finite data): merge the first pair.
      best = 0;
    }
    const b = next[best];
    count[best] += count[b];
    for (let j = 0; j < d; j++) sums[best * d + j] += sums[b * d + j];
    next[best] = next[b];
    if (next[b] >= 0) prev[next[b]] = best;
    cost[best] = wardCost(best);
    if (prev[best] >= 0) cost[prev[best]] = wardCost(prev[best]);
  }
  const labels = new Int32Array(n);
  let label = -1;
  for (let a = 0; a >= 0; a = next[a]) {
    label++;
    const end = next[a] < 0 ? n : next[a];
    labels.fill(label, a, end);
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------------
// Boundaries and their evaluation
// ---------------------------------------------------------------------------------------------------

/**
 * The conventions of songscope's boundary evaluation ({@link boundaryFMeasure}).
 */
export const BOUNDARY_CONVENTIONS =
  'Boundary lists are times in seconds, sorted, and include the track start (first boundary) and end ' +
  '(last boundary), as mir_eval.util.intervals_to_boundaries gives for a list of segment intervals. ' +
  'Scores are mir_eval.segment.detection(reference_intervals, estimated_intervals, window, beta=1.0, ' +
  'trim=False): an estimated boundary hits a reference boundary when |r − e| ≤ window (window in seconds, ' +
  'plus 1e-9 s of float slack), each boundary is used at most once (maximum bipartite matching), ' +
  'precision = hits/len(estimated), recall = hits/len(reference), F = 2PR/(P+R). By default (trim=false) ' +
  'the start and end boundaries count, which inflates scores for short lists; trim=true drops the first ' +
  'and last boundary of both lists, as mir_eval with trim=True.';

/**
 * The boundary list of a labeling: the first time, every time where the label changes, and `endS`.
 * Changes at or after `endS` (a track end that falls inside the last bin, e.g. an analysis whose last
 * segment overruns `track.duration`) are dropped, so the list stays strictly increasing.
 *
 * @param labels - label per time point [shape=(n)]
 * @param timesS - start of each time point, seconds, increasing [shape=(n)]
 * @param endS - end of the track, seconds (> the first time)
 * @returns boundaries in seconds, including start and end; `[]` for no points
 * @throws RangeError if the lengths differ or `endS` is not after the first time
 */
export function labelsToBoundaries(labels: ArrayLike<number>, timesS: ArrayLike<number>, endS: number): number[] {
  const n = labels.length;
  if (timesS.length !== n) throw new RangeError(`labels (${n}) and times (${timesS.length}) differ in length`);
  if (n === 0) return [];
  if (!(endS > timesS[0])) throw new RangeError(`endS ${endS} is not after the first time ${timesS[0]}`);
  const out = [timesS[0]];
  for (let i = 1; i < n; i++) if (labels[i] !== labels[i - 1] && timesS[i] < endS) out.push(timesS[i]);
  out.push(endS);
  return out;
}

/**
 * The reference boundary list of an analysis: every section start plus `endS`, sorted and de-duplicated
 * (no sections: `[0, endS]`).
 *
 * @param sections - the analysis' sections (`start`, `duration` in seconds)
 * @param endS - end of the track, seconds (usually `track.duration`)
 */
export function sectionBoundaries(sections: readonly { start: number; duration: number }[], endS: number): number[] {
  const times = sections.length > 0 ? sections.map((s) => s.start) : [0];
  times.push(endS);
  return uniqueSorted(times);
}

export interface BoundaryScore {
  precision: number;
  recall: number;
  f: number;
  /** Number of matched boundary pairs. */
  hits: number;
}

/** Float slack on the hit window, seconds (mir_eval compares `|r − e| ≤ window` exactly). */
const WINDOW_SLACK = 1e-9;

/**
 * Boundary detection scores, as `mir_eval.segment.detection(ref_intervals, est_intervals, window,
 * beta=1.0, trim)` on the boundary lists those intervals give. See {@link BOUNDARY_CONVENTIONS}.
 *
 * Both lists are sorted and de-duplicated first (mir_eval's `np.unique`). If either list is empty
 * (after trimming) every score is 0.
 *
 * @param reference - reference boundaries, seconds, including start and end
 * @param estimated - estimated boundaries, seconds, including start and end
 * @param window - hit window, seconds (mir_eval's usual values: 0.5 and 3.0)
 * @param options.trim - drop the first and last boundary of both lists (default false)
 */
export function boundaryFMeasure(reference: readonly number[], estimated: readonly number[], window: number, options: { trim?: boolean } = {}): BoundaryScore {
  if (!(window >= 0)) throw new RangeError(`window must be ≥ 0, got ${window}`);
  let ref = uniqueSorted(reference);
  let est = uniqueSorted(estimated);
  if (options.trim) {
    ref = ref.slice(1, -1);
    est = est.slice(1, -1);
  }
  if (ref.length === 0 || est.length === 0) return { precision: 0, recall: 0, f: 0, hits: 0 };
  const hits = maximumMatching(ref, est, window + WINDOW_SLACK);
  const precision = hits / est.length;
  const recall = hits / ref.length;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f, hits };
}

function uniqueSorted(values: readonly number[]): number[] {
  const s = values.slice().sort((a, b) => a - b);
  return s.filter((v, i) => i === 0 || v !== s[i - 1]);
}

/**
 * Size of a maximum matching between `ref` and `est` where `ref[i]`–`est[j]` may pair if
 * `|ref[i] − est[j]| ≤ window` (augmenting paths, Kuhn's algorithm: exact, O(V·E)).
 */
function maximumMatching(ref: number[], est: number[], window: number): number {
  const adj: number[][] = est.map((e) => {
    const out: number[] = [];
    ref.forEach((r, i) => {
      if (Math.abs(r - e) <= window) out.push(i);
    });
    return out;
  });
  const refMatch = new Int32Array(ref.length).fill(-1);
  let visited = new Uint8Array(ref.length);
  const augment = (j: number): boolean => {
    for (const i of adj[j]) {
      if (visited[i]) continue;
      visited[i] = 1;
      if (refMatch[i] < 0 || augment(refMatch[i])) {
        refMatch[i] = j;
        return true;
      }
    }
    return false;
  };
  let hits = 0;
  for (let j = 0; j < est.length; j++) {
    if (adj[j].length === 0) continue;
    visited = new Uint8Array(ref.length);
    if (augment(j)) hits++;
  }
  return hits;
}
