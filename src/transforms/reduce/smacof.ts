/**
 * Metric MDS by SMACOF (stress majorisation), the out-of-sample placement of new points against a fixed
 * configuration, and the `mds` reducer built from both.
 */
import { ParameterError } from '../../errors.js';
import { createRandom, DEFAULT_SEED, subSeed } from '../../util/random.js';
import { euclideanDistances, squaredDistance, type Points } from '../points.js';
import { encodeNumbers, integerField, numberField, numbersField } from '../modelJson.js';
import { checkDissimilarities, checkProjected } from './checks.js';
import { REDUCER_KIND, type Embedding, type FittedReducer, type ReducerJson, type ReduceOptions } from './types.js';

export interface SmacofOptions {
  /** Output dimensions (any positive integer; {@link reduce} only asks for 2 or 3). */
  ndims: number;
  /** Seed; start `s` draws its uniform initial configuration from `createRandom(subSeed(seed, s))`. Default DEFAULT_SEED. */
  seed?: number;
  /** Independent starts; the lowest final stress wins (the earliest on ties). Default 4. */
  nInit?: number;
  /** Iterations per start. Default 300. */
  maxIter?: number;
  /** Convergence tolerance (scikit-learn's `eps`, see {@link smacof}). Default 1e-3. */
  eps?: number;
  /**
   * A starting configuration [shape=(n, ndims)], row-major (scikit-learn's `init`): one start from it,
   * `seed` and `nInit` unused. Not modified.
   */
  init?: Float64Array;
}

export interface SmacofResult {
  /** The configuration of the best start (centred, as every Guttman transform is) [shape=(n, ndims)]. */
  points: Points;
  /** Raw stress of the best start as scikit-learn's `stress_` (see {@link smacof} for which iterate it measures). */
  stress: number;
  /** Iterations run by the best start (scikit-learn's `n_iter`). */
  iterations: number;
  /** Raw stress at the start of every iteration of the best start; never increases (up to rounding) [shape=(iterations)]. */
  stressHistory: number[];
}

/**
 * Metric multidimensional scaling by SMACOF (stress majorisation), reproducing scikit-learn 1.2's
 * `smacof(dissimilarities, metric=True, n_components=ndims, n_init, max_iter, eps)` step by step:
 *
 * 1. Start: X uniform in [0, 1) of shape (n, ndims), filled row by row (sklearn's
 *    `random_state.uniform(size=n*ndims).reshape(n, ndims)`), from `createRandom(subSeed(seed, start))`.
 * 2. Each iteration: distances of X; raw stress σ = ½·Σ_{i,j} (‖x_i − x_j‖ − δ_ij)² (each pair once);
 *    Guttman transform X ← (1/n)·B(X)·X with B_ij = −δ_ij/‖x_i − x_j‖ (a zero distance counts as 1e-5),
 *    B_ii = −Σ_{j≠i} B_ij.
 * 3. Stop — exactly sklearn's criterion — when `old − σ / dis < eps`, where `dis = Σ_i ‖x_i‖` of the *new*
 *    X and `old` is the previous iteration's `σ / dis`; or after `maxIter` iterations.
 *
 * As in scikit-learn, the returned `stress` is the σ computed in the last iteration, i.e. the stress of the
 * configuration *before* the final Guttman transform (the returned one is at most that). Majorisation
 * guarantees σ never increases, which `stressHistory` shows. The criterion divides by Σ‖x_i‖, so `eps` is
 * relative to the size of the configuration but not dimensionless; with the default 1e-3 a start may stop
 * before the stress is fully minimised — lower `eps` and raise `maxIter` for a tight fit.
 *
 * Cost: O(n²·ndims) per iteration, at most `nInit × maxIter` iterations.
 *
 * @param dissimilarities - symmetric, zero diagonal, finite, ≥ 0 [shape=(n, n)] row-major
 * @throws ParameterError for a malformed matrix (`n`, `dissimilarities`) or a bad option (`ndims`, `seed`,
 *   `nInit`, `maxIter`, `eps`, `init`)
 */
export function smacof(dissimilarities: Float64Array, n: number, options: SmacofOptions): SmacofResult {
  const { ndims } = options;
  const seed = options.seed ?? DEFAULT_SEED;
  const nInit = options.nInit ?? 4;
  const maxIter = options.maxIter ?? 300;
  const eps = options.eps ?? 1e-3;
  checkDissimilarities(dissimilarities, n);
  if (!Number.isInteger(ndims) || ndims < 1) throw new ParameterError('ndims', String(ndims), 'a positive integer');
  if (!Number.isFinite(seed)) throw new ParameterError('seed', String(seed), 'a finite number');
  if (!Number.isInteger(nInit) || nInit < 1) throw new ParameterError('nInit', String(nInit), 'a positive integer');
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ParameterError('maxIter', String(maxIter), 'a positive integer');
  if (!(eps >= 0)) throw new ParameterError('eps', String(eps), 'a number ≥ 0');

  if (options.init) {
    if (options.init.length !== n * ndims) {
      throw new ParameterError('init', `${options.init.length} values`, `n × ndims = ${n} × ${ndims} values`);
    }
    return smacofSingle(dissimilarities, n, ndims, Float64Array.from(options.init), maxIter, eps);
  }
  let best: SmacofResult | undefined;
  for (let start = 0; start < nInit; start++) {
    const random = createRandom(subSeed(seed, start));
    const init = new Float64Array(n * ndims);
    for (let i = 0; i < init.length; i++) init[i] = random();
    const run = smacofSingle(dissimilarities, n, ndims, init, maxIter, eps);
    if (best === undefined || run.stress < best.stress) best = run;
  }
  return best!;
}

/** One SMACOF start from `x` (overwritten). */
function smacofSingle(delta: Float64Array, n: number, k: number, x0: Float64Array, maxIter: number, eps: number): SmacofResult {
  let x = x0;
  let next: Float64Array = new Float64Array(n * k);
  const history: number[] = [];
  let oldStress: number | undefined;
  let stress = 0;
  let iterations = 0;
  const inv = 1 / n;
  for (let it = 0; it < maxIter; it++) {
    iterations = it + 1;
    next.fill(0);
    stress = k === 2 ? guttman2(delta, n, x, next) : k === 3 ? guttman3(delta, n, x, next) : guttmanK(delta, n, k, x, next);
    history.push(stress);
    let dis = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const v = next[i * k + c] * inv;
        next[i * k + c] = v;
        s += v * v;
      }
      dis += Math.sqrt(s);
    }
    const tmp = x;
    x = next;
    next = tmp;
    const normalised = stress / dis;
    if (oldStress !== undefined && oldStress - normalised < eps) break;
    oldStress = normalised;
  }
  return { points: { n, d: k, data: x }, stress, iterations, stressHistory: history };
}

/**
 * The Guttman step, one pass over the pairs i < j: returns the raw stress of `x` [shape=(n, k)] and
 * accumulates B(x)·x into `out` (zeroed by the caller), (B(x)·x)_i = Σ_j r_ij·(x_i − x_j),
 * r_ij = δ_ij / ‖x_i − x_j‖ (a zero distance counts as 1e-5) — unscaled by 1/n. Row i's sums are kept
 * apart and added to `out` once, after its pairs.
 *
 * This is the definition; {@link guttman2} and {@link guttman3} are the same arithmetic in the same order,
 * unrolled, and give bit-identical results (a test checks it). The unrolled copies exist because the
 * generic loop costs 1.8–3.1× as much per iteration (measured at n = 250 and 1000, k = 2 and 3) and SMACOF
 * runs up to `nInit × maxIter` of them; {@link reduce} only asks for 2 or 3 dimensions, other `ndims`
 * (from {@link smacof}) take this one.
 *
 * Exported for the tests only (not re-exported by `../reduce.ts`).
 */
export function guttmanK(delta: Float64Array, n: number, k: number, x: Float64Array, out: Float64Array): number {
  let stress = 0;
  const diff = new Float64Array(k);
  const acc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const oi = i * k;
    const row = i * n;
    acc.fill(0);
    for (let j = i + 1; j < n; j++) {
      const oj = j * k;
      let s = 0;
      for (let c = 0; c < k; c++) {
        const v = x[oi + c] - x[oj + c];
        diff[c] = v;
        s += v * v;
      }
      const dist = Math.sqrt(s);
      const dl = delta[row + j];
      const e = dist - dl;
      stress += e * e;
      const r = dl / (dist === 0 ? 1e-5 : dist);
      for (let c = 0; c < k; c++) {
        const t = r * diff[c];
        acc[c] += t;
        out[oj + c] -= t;
      }
    }
    for (let c = 0; c < k; c++) out[oi + c] += acc[c];
  }
  return stress;
}

/** {@link guttmanK} for k = 2 (same arithmetic in the same order, unrolled; bit-identical). Exported for the tests. */
export function guttman2(delta: Float64Array, n: number, x: Float64Array, out: Float64Array): number {
  let stress = 0;
  for (let i = 0; i < n; i++) {
    const xi0 = x[2 * i];
    const xi1 = x[2 * i + 1];
    const row = i * n;
    let acc0 = 0;
    let acc1 = 0;
    for (let j = i + 1; j < n; j++) {
      const d0 = xi0 - x[2 * j];
      const d1 = xi1 - x[2 * j + 1];
      const dist = Math.sqrt(d0 * d0 + d1 * d1);
      const dl = delta[row + j];
      const e = dist - dl;
      stress += e * e;
      const r = dl / (dist === 0 ? 1e-5 : dist);
      const t0 = r * d0;
      const t1 = r * d1;
      acc0 += t0;
      acc1 += t1;
      out[2 * j] -= t0;
      out[2 * j + 1] -= t1;
    }
    out[2 * i] += acc0;
    out[2 * i + 1] += acc1;
  }
  return stress;
}

/** {@link guttmanK} for k = 3 (same arithmetic in the same order, unrolled; bit-identical). Exported for the tests. */
export function guttman3(delta: Float64Array, n: number, x: Float64Array, out: Float64Array): number {
  let stress = 0;
  for (let i = 0; i < n; i++) {
    const xi0 = x[3 * i];
    const xi1 = x[3 * i + 1];
    const xi2 = x[3 * i + 2];
    const row = i * n;
    let acc0 = 0;
    let acc1 = 0;
    let acc2 = 0;
    for (let j = i + 1; j < n; j++) {
      const d0 = xi0 - x[3 * j];
      const d1 = xi1 - x[3 * j + 1];
      const d2 = xi2 - x[3 * j + 2];
      const dist = Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
      const dl = delta[row + j];
      const e = dist - dl;
      stress += e * e;
      const r = dl / (dist === 0 ? 1e-5 : dist);
      const t0 = r * d0;
      const t1 = r * d1;
      const t2 = r * d2;
      acc0 += t0;
      acc1 += t1;
      acc2 += t2;
      out[3 * j] -= t0;
      out[3 * j + 1] -= t1;
      out[3 * j + 2] -= t2;
    }
    out[3 * i] += acc0;
    out[3 * i + 1] += acc1;
    out[3 * i + 2] += acc2;
  }
  return stress;
}

export interface PlaceOptions {
  /** Most majorisation steps. Default 1000. */
  maxIter?: number;
  /** Stop when a step moves the point less than `tol` × the mean distance of the configuration from its centroid. Default 1e-10. */
  tol?: number;
}

/**
 * Out-of-sample metric MDS: the position `y` (ndims) minimising `Σ_j (‖y − y_j‖ − δ_j)²` against a fixed
 * configuration `y_j`, by the single-point Guttman (majorisation) update
 * `y ← (1/m)·Σ_j (y_j + δ_j·(y − y_j)/‖y − y_j‖)` (a term with y = y_j contributes y_j), which never
 * increases that stress. Start: the inverse-δ weighted mean of the configuration positions of the
 * ndims + 1 nearest points (by δ; the position itself when some δ is 0). Deterministic. The minimum found
 * is local; the start makes it the natural one for a point near the training data.
 *
 * @param configuration - the fixed configuration [shape=(m, ndims)]
 * @param delta - the new point's dissimilarities to the m configuration points [shape=(m)]
 * @throws ParameterError (`delta`) when it does not hold m values
 */
export function placeByStress(configuration: Points, delta: ArrayLike<number>, options: PlaceOptions = {}): Float64Array {
  const { n: m, d: k, data: y } = configuration;
  const maxIter = options.maxIter ?? 1000;
  const tol = options.tol ?? 1e-10;
  if (delta.length !== m) throw new ParameterError('delta', `${delta.length} dissimilarities`, `${m}, one per configuration point`);
  const x = new Float64Array(k);
  if (m === 0) return x;
  // Start from the nearest points.
  const order = Array.from({ length: m }, (_, j) => j).sort((p, q) => delta[p] - delta[q] || p - q);
  const near = order.slice(0, Math.min(m, k + 1));
  if (delta[near[0]] === 0) {
    for (let c = 0; c < k; c++) x[c] = y[near[0] * k + c];
  } else {
    let wsum = 0;
    for (const j of near) {
      const w = 1 / delta[j];
      wsum += w;
      for (let c = 0; c < k; c++) x[c] += w * y[j * k + c];
    }
    for (let c = 0; c < k; c++) x[c] /= wsum;
  }
  // Scale of the configuration, for the stopping rule.
  const centroid = new Float64Array(k);
  for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) centroid[c] += y[j * k + c] / m;
  let spread = 0;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += (y[j * k + c] - centroid[c]) ** 2;
    spread += Math.sqrt(s) / m;
  }
  const stop = tol * (spread > 0 ? spread : 1);
  const next = new Float64Array(k);
  for (let it = 0; it < maxIter; it++) {
    next.fill(0);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += (x[c] - y[j * k + c]) ** 2;
      const dist = Math.sqrt(s);
      const r = dist === 0 ? 0 : delta[j] / dist;
      for (let c = 0; c < k; c++) next[c] += y[j * k + c] + r * (x[c] - y[j * k + c]);
    }
    let step = 0;
    for (let c = 0; c < k; c++) {
      const v = next[c] / m;
      step += (v - x[c]) ** 2;
      x[c] = v;
    }
    if (Math.sqrt(step) <= stop) break;
  }
  return x;
}

export function fitMds(points: Points, ndims: number, seed: number, options: ReduceOptions): FittedReducer {
  const { n, d, data } = points;
  const result = smacof(euclideanDistances(points), n, {
    ndims,
    seed,
    nInit: options.nInit ?? 4,
    maxIter: options.maxIter ?? 300,
    eps: options.eps ?? 1e-3,
  });
  return mdsReducer({ n, d, ndims, train: new Float64Array(data), configuration: result.points.data, stress: result.stress, iterations: result.iterations });
}

/** What a fitted SMACOF MDS holds: the training points and their configuration (placeByStress needs both). */
interface MdsState {
  n: number;
  d: number;
  ndims: number;
  /** The training points [shape=(n, d)]. */
  train: Float64Array;
  /** Their embedding, the fixed configuration new points are placed against [shape=(n, ndims)]. */
  configuration: Float64Array;
  stress: number;
  iterations: number;
}

/** A saved `mds` reducer back (see `../modelJson.ts`); `o` has passed the header check. */
export function loadMds(o: Record<string, unknown>, ndims: number, d: number): FittedReducer {
  const n = integerField(o, 'n', ndims + 1);
  return mdsReducer({
    n,
    d,
    ndims,
    train: numbersField(o, 'train', n * d),
    configuration: numbersField(o, 'embedding', n * ndims),
    stress: numberField(o, 'stress'),
    iterations: integerField(o, 'iterations', 1),
  });
}

function mdsReducer(state: MdsState): FittedReducer {
  const { n, d, ndims } = state;
  const train: Points = { n, d, data: state.train };
  const configuration: Points = { n, d: ndims, data: new Float64Array(state.configuration) };
  const embedding: Embedding = {
    model: 'mds',
    points: { n, d: ndims, data: state.configuration },
    stress: state.stress,
    iterations: state.iterations,
  };
  return {
    embedding,
    toJSON(): ReducerJson {
      return {
        kind: REDUCER_KIND,
        version: 1,
        model: 'mds',
        ndims,
        d,
        n,
        train: encodeNumbers(state.train),
        embedding: encodeNumbers(configuration.data),
        stress: state.stress,
        iterations: state.iterations,
      };
    },
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      const delta = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) delta[j] = Math.sqrt(squaredDistance(newPoints, i, train, j));
        out.set(placeByStress(configuration, delta), i * ndims);
      }
      return { n: m, d: ndims, data: out };
    },
  };
}
