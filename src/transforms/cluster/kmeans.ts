/**
 * k-means clustering of points (recurring clusters: the same label may come back later in a track).
 */
import { createRandom, DEFAULT_SEED, subSeed, type Random } from '../../util/random.js';
import { ParameterError } from '../../errors.js';
import { checkFinitePoints, squaredDistance, type Points } from '../points.js';
import { encodeNumbers, integerField, MODEL_JSON_VERSION, modelObject, numberField, numbersField, type ModelJsonHeader } from '../modelJson.js';

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
 * @throws ParameterError for no `points` or a non-finite value (naming the point and feature), `k` outside
 *   [1, n], or a bad `nInit`, `maxIter`, `tol` or `seed`
 */
export function kmeans(points: Points, k: number, options: KMeansOptions = {}): KMeansResult {
  const { n, d } = points;
  const seed = options.seed ?? DEFAULT_SEED;
  const nInit = options.nInit ?? 10;
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-4;
  if (n === 0) throw new ParameterError('points', '0 points', 'at least 1 point');
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ParameterError('k', String(k), `an integer in [1, ${n}] (the number of points)`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new ParameterError('nInit', String(nInit), 'a positive integer');
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ParameterError('maxIter', String(maxIter), 'a positive integer');
  if (!(tol >= 0)) throw new ParameterError('tol', String(tol), 'a number ≥ 0');
  if (!Number.isFinite(seed)) throw new ParameterError('seed', String(seed), 'a finite number');
  checkFinitePoints(points);

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

// ---- a fitted k-means that saves, loads and predicts --------------------------------------------------

/** The `kind` of a saved k-means model. */
export const KMEANS_KIND = 'songscope/kmeans';

/** A saved k-means model (see `../modelJson.ts`). */
export interface KMeansJson extends ModelJsonHeader {
  kind: typeof KMEANS_KIND;
  /** Clusters (the centroids' count, `kEff` of {@link KMeansResult.centroids}). */
  k: number;
  /** Features. */
  d: number;
  /** Centroids, row `c` for label `c` [shape=(k, d)] row-major. */
  centroids: number[];
  /** The training points' labels [shape=(n)]. */
  labels: number[];
  inertia: number;
  iterations: number;
}

/** A k-means fit that assigns new points to its clusters and saves as JSON ({@link loadKMeans}). */
export interface KMeansModel extends KMeansResult {
  /**
   * The label of the nearest centroid (squared Euclidean distance; ties go to the lower label) of each
   * point. For the training points this is their label, barring exact ties.
   *
   * @param points - points of the fitted dimensionality [shape=(m, d)], all finite
   * @returns labels [shape=(m)]
   * @throws ParameterError (`points`) for another number of features or a non-finite value
   */
  predict(points: Points): Int32Array;
  /** The fit as plain JSON (`JSON.stringify` it to save). */
  toJSON(): KMeansJson;
}

/**
 * {@link kmeans}, returned as a model that predicts and saves (mljs's `KMeans` with `predict` and `toJSON`).
 *
 * @throws ParameterError as {@link kmeans}
 */
export function fitKMeans(points: Points, k: number, options: KMeansOptions = {}): KMeansModel {
  return kmeansModel(kmeans(points, k, options));
}

/**
 * A k-means model saved with `toJSON()` (and `JSON.stringify`), back; it predicts identically.
 *
 * @throws ParameterError (`json`) for another kind or version, or a field of the wrong shape
 */
export function loadKMeans(json: unknown): KMeansModel {
  const o = modelObject(json, KMEANS_KIND);
  const k = integerField(o, 'k', 1);
  const d = integerField(o, 'd', 0);
  const centroids = numbersField(o, 'centroids', k * d);
  const n = Array.isArray(o.labels) ? o.labels.length : 0;
  const labels = Int32Array.from(numbersField(o, 'labels', n), (v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v < k)) throw new ParameterError('json', `labels[${i}] is ${v}`, `labels, integers in [0, ${k - 1}]`);
    return v;
  });
  return kmeansModel({ labels, centroids: { n: k, d, data: centroids }, inertia: numberField(o, 'inertia'), iterations: integerField(o, 'iterations', 0) });
}

function kmeansModel(result: KMeansResult): KMeansModel {
  const { n: k, d, data: centres } = result.centroids;
  return {
    ...result,
    predict(points: Points): Int32Array {
      if (points.d !== d) throw new ParameterError('points', `${points.d} features`, `${d} features, as the clusters were fitted on`);
      checkFinitePoints(points);
      const out = new Int32Array(points.n);
      for (let i = 0; i < points.n; i++) {
        let best = 0;
        let bestDist = Infinity;
        for (let c = 0; c < k; c++) {
          let dd = 0;
          for (let j = 0; j < d; j++) {
            const x = points.data[i * d + j] - centres[c * d + j];
            dd += x * x;
          }
          if (dd < bestDist) {
            bestDist = dd;
            best = c;
          }
        }
        out[i] = best;
      }
      return out;
    },
    toJSON(): KMeansJson {
      return {
        kind: KMEANS_KIND,
        version: MODEL_JSON_VERSION,
        k,
        d,
        centroids: encodeNumbers(centres) as number[],
        labels: Array.from(result.labels),
        inertia: result.inertia,
        iterations: result.iterations,
      };
    },
  };
}
