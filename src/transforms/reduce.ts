/**
 * Dimensionality reduction of a point set (time bins × features of a track, or tracks × features of an
 * album) to 2 or 3 dimensions, for trajectory plots and for classifiers that want few features.
 *
 * Models ({@link REDUCE_MODELS}):
 * - `pca` — principal component analysis as scikit-learn's `PCA(n_components=ndims)`: centred, not scaled.
 * - `mds` — metric multidimensional scaling by SMACOF, as scikit-learn 1.2's
 *   `MDS(n_components=ndims, metric=True, n_init=4, max_iter=300, eps=1e-3, dissimilarity='euclidean')`
 *   (see {@link smacof}).
 * - `classical-mds` — Torgerson's classical scaling (see {@link classicalMds}); on Euclidean distances it
 *   equals PCA's coordinates (Gower 1966), and it is computed that way by {@link reduce}.
 * - `umap` — umap-js (`UMAP({nComponents: ndims, nNeighbors: min(15, n − 1)})`) with a seeded generator.
 *
 * Conventions:
 * - **Signs** (pca, classical-mds): an eigen/singular vector is only defined up to sign. Each output axis
 *   is oriented so that the coordinate of largest absolute value is positive — scikit-learn 1.2's
 *   `svd_flip(U, Vt)` (`u_based_decision=True`), under which PCA and classical MDS give the same
 *   coordinates, not just the same up to sign. Near-ties (|values| within a relative 1e-9 of the largest) go to the lowest point index,
 *   so rounding noise on symmetric data cannot flip an axis; this is the only way the signs can differ
 *   from scikit-learn's exact `argmax`.
 * - **Randomness**: every random step draws from `util/random.ts` (SMACOF start `s` from
 *   `subSeed(seed, s)`, UMAP's fit from `createRandom(seed)` and its projections from
 *   `createRandom(subSeed(seed, 1))`), so the same input, options and seed give
 *   bit-identical output. The numbers are not scikit-learn's (its generator is not reproduced), only the
 *   same algorithm.
 *
 * Cost (n points of d features; measured with d = 26 on one core of the development machine):
 * - pca / classical-mds: O(n·d² + d³) (O(n²·d + n³) when d > n) — ≈ 5 ms at n = 250, ≈ 15 ms at n = 4000.
 * - mds: the n × n distance matrix (8·n² bytes: 128 MB at n = 4000) and O(n²·ndims) per SMACOF iteration,
 *   up to `nInit × maxIter` iterations (≈ 6 ns × n² per 2-D iteration). On real 1 s rows the default
 *   eps = 1e-3 is rarely met, so all 4 × 300 iterations run: ≈ 0.55 s at n = 250, ≈ 110 s at n = 4000
 *   (2-D). Fine for the usual ≤ 500 points; lower `nInit`/`maxIter` for long tracks.
 * - {@link classicalMds} on a dissimilarity matrix: a dense O(n³) eigendecomposition (≈ 0.3 s at n = 250,
 *   ≈ 1.6 s at n = 500); meant for small matrices.
 * - umap: umap-js's approximate neighbours and 500 epochs: ≈ 1.3 s at n = 250, ≈ 17 s at n = 4000.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { UMAP } from 'umap-js';
import { createRandom, DEFAULT_SEED, subSeed, type Random } from '../util/random.js';
import { euclideanDistances, pointsToRows, squaredDistance, type Points } from './points.js';

export type ReduceModel = 'pca' | 'mds' | 'classical-mds' | 'umap';
export const REDUCE_MODELS: readonly ReduceModel[] = Object.freeze(['pca', 'mds', 'classical-mds', 'umap'] as const);

export interface ReduceOptions {
  model: ReduceModel;
  /** Output dimensions (2 or 3). */
  ndims: number;
  /** Seed of every random step (SMACOF starts, UMAP); default DEFAULT_SEED. */
  seed?: number;
  /** SMACOF restarts (scikit-learn's n_init); default 4. */
  nInit?: number;
  /** SMACOF iterations per start; default 300. */
  maxIter?: number;
  /** SMACOF convergence tolerance (scikit-learn's `eps`, see {@link smacof}); default 1e-3. */
  eps?: number;
}

export interface Embedding {
  model: ReduceModel;
  /** The embedded points (n × ndims). */
  points: Points;
  /**
   * PCA and classical MDS: fraction of the total variance explained by each axis (scikit-learn's
   * `explained_variance_ratio_`: the axis's variance over the summed variance of all features) [shape=(ndims)].
   */
  explainedVarianceRatio?: number[];
  /**
   * PCA and classical MDS: variance of the points along each axis with ddof = 1 (scikit-learn's
   * `explained_variance_`; the eigenvalues of the covariance matrix) [shape=(ndims)].
   */
  explainedVariance?: number[];
  /** PCA: the principal axes, unit rows in feature space (scikit-learn's `components_`) [shape=(ndims, d)]. */
  components?: Points;
  /** SMACOF: final raw stress of the best start (as scikit-learn's `stress_`). */
  stress?: number;
  /** SMACOF: iterations run by the best start (as scikit-learn's `n_iter_`). */
  iterations?: number;
}

/** A reduction fitted on some points that can place new points in the same space. */
export interface FittedReducer {
  embedding: Embedding;
  /** Coordinates of new points (same dimensionality as the fitted ones) in the fitted space. */
  project(points: Points): Points;
}

/** Smallest number of points UMAP accepts (it needs a few neighbours per point). */
export const UMAP_MIN_POINTS = 4;

/** Relative tolerance under which two |values| count as tied in the sign convention. */
const SIGN_TIE = 1e-9;

/**
 * Reduce `points` to `ndims` dimensions with the chosen model. Same as `fitReducer(points, options).embedding`.
 *
 * @param points - the points [shape=(n, d)], all finite, n ≥ ndims + 1 (n ≥ 4 for umap)
 * @throws RangeError for a bad model/ndims/option, too few points, a non-finite value (naming the point),
 *   all points identical, or pca with fewer features than `ndims`
 */
export function reduce(points: Points, options: ReduceOptions): Embedding {
  return fitReducer(points, options).embedding;
}

/**
 * Fit a reduction on `points` and keep what is needed to place new points in the same space without
 * refitting (used by leak-free cross-validation: fit on training tracks, project the held-out ones).
 *
 * How each model projects (all deterministic):
 * - `pca`: `(x − mean) · componentsᵀ`.
 * - `classical-mds`: Gower's (1968) out-of-sample formula with the training eigenvectors,
 *   `y = ½ Λ^(-1/2) Vᵀ (a − d²)` where `d²` are the new point's squared distances to the training points and
 *   `a_j` the mean squared distance from training point `j` to all training points (an axis with eigenvalue
 *   0 gives 0). On Euclidean input this equals the PCA projection.
 * - `mds`: each new point is placed by minimising its own stress `Σ_j (‖y − y_j‖ − δ_j)²` against the fixed
 *   training configuration (see {@link placeByStress}); the training embedding does not move.
 * - `umap`: umap-js's `transform` (neighbours in the training set, then 100 optimisation epochs of the new
 *   points only), with the generator re-seeded from `subSeed(seed, 1)` at every call so the same call
 *   gives the same answer. umap-js transforms a batch together (a shared edge-weight cut-off and the
 *   generator's sequence), so a point's coordinates depend a little on the batch it comes with.
 *
 * @param points - the training points [shape=(n, d)]
 * @throws RangeError as {@link reduce}; `project` throws RangeError for points of another dimensionality or
 *   non-finite values
 */
export function fitReducer(points: Points, options: ReduceOptions): FittedReducer {
  const model = options.model;
  if (!REDUCE_MODELS.includes(model)) {
    throw new RangeError(`unknown reduction model ${JSON.stringify(model)}; expected one of ${REDUCE_MODELS.join(', ')}`);
  }
  const ndims = options.ndims;
  if (ndims !== 2 && ndims !== 3) throw new RangeError(`ndims must be 2 or 3, got ${ndims}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  checkPoints(points, 'point');
  const { n, d } = points;
  const minPoints = model === 'umap' ? Math.max(UMAP_MIN_POINTS, ndims + 1) : ndims + 1;
  if (n < minPoints) {
    throw new RangeError(
      `${model} into ${ndims} dimensions needs at least ${minPoints} points, got ${n}` +
        (model === 'umap' ? '; use pca or mds for so few points' : ''),
    );
  }
  if (d < 1) throw new RangeError('the points have no features (d = 0): nothing to reduce');
  if (model === 'pca' && d < ndims) {
    throw new RangeError(`pca into ${ndims} dimensions needs at least ${ndims} features, got ${d}`);
  }
  if (allIdentical(points)) throw new RangeError(`all ${n} points are identical: there is no structure to reduce`);

  switch (model) {
    case 'pca':
      return fitPca(points, ndims);
    case 'classical-mds':
      return fitClassicalMds(points, ndims);
    case 'mds':
      return fitMds(points, ndims, seed, options);
    case 'umap':
      return fitUmap(points, ndims, seed);
  }
}

// ---------------------------------------------------------------------------------------------------
// PCA and classical MDS of points
// ---------------------------------------------------------------------------------------------------

/** The top `k` principal axes of a point set (shared by PCA and classical MDS). */
interface PrincipalAxes {
  /** Column means [shape=(d)]. */
  mean: Float64Array;
  /** Unit axes in feature space, sign-fixed [shape=(k, d)]. */
  axes: Float64Array;
  /** Coordinates of the points on the axes, `(x − mean) · axesᵀ` [shape=(n, k)]. */
  scores: Float64Array;
  /** Sum of squares of the points along each axis, ‖scores[:, c]‖² [shape=(k)]. */
  sumSquares: number[];
  /** Total sum of squares about the mean, Σ‖x_i − mean‖² (the trace of the cross-product matrix). */
  totalSumSquares: number;
}

/**
 * Top-`k` eigenvectors of the cross-product matrix XcᵀXc of the centred points — through the d × d matrix
 * itself when d ≤ n, else through the n × n Gram matrix XcXcᵀ (same nonzero eigenvalues; v = Xcᵀu/‖Xcᵀu‖).
 * Axes beyond the rank (or beyond d) are completed to an orthonormal set (their scores are ≈ 0).
 */
function principalAxes(points: Points, k: number): PrincipalAxes {
  const { n, d, data } = points;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += data[i * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  const xc = new Float64Array(n * d);
  let totalSumSquares = 0;
  for (let i = 0; i < n * d; i++) {
    const v = data[i] - mean[i % d];
    xc[i] = v;
    totalSumSquares += v * v;
  }

  const kd = Math.min(k, d);
  const axes = new Float64Array(k * d);
  if (d <= n) {
    const cross = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let a = 0; a < d; a++) {
        const xa = xc[o + a];
        if (xa === 0) continue;
        for (let b = a; b < d; b++) cross[a * d + b] += xa * xc[o + b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cross[a * d + b] = cross[b * d + a];
    const { vectors } = symmetricEigen(cross, d, kd);
    for (let c = 0; c < kd; c++) for (let a = 0; a < d; a++) axes[c * d + a] = vectors.get(a, c);
  } else {
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += xc[i * d + a] * xc[j * d + a];
        gram[i * n + j] = s;
        gram[j * n + i] = s;
      }
    }
    const { vectors } = symmetricEigen(gram, n, kd);
    for (let c = 0; c < kd; c++) {
      const v = axes.subarray(c * d, (c + 1) * d);
      for (let i = 0; i < n; i++) {
        const u = vectors.get(i, c);
        for (let a = 0; a < d; a++) v[a] += u * xc[i * d + a];
      }
    }
  }
  orthonormalise(axes, k, d);

  const scores = new Float64Array(n * k);
  const sumSquares: number[] = new Array(k).fill(0);
  for (let c = 0; c < k; c++) {
    const v = axes.subarray(c * d, (c + 1) * d);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += xc[i * d + a] * v[a];
      scores[i * k + c] = s;
      ss += s * s;
    }
    sumSquares[c] = ss;
    if (flipSign(scores, n, k, c)) for (let a = 0; a < d; a++) v[a] = -v[a];
  }
  return { mean, axes, scores, sumSquares, totalSumSquares };
}

function fitPca(points: Points, ndims: number): FittedReducer {
  const { n, d } = points;
  const pa = principalAxes(points, ndims);
  const embedding: Embedding = {
    model: 'pca',
    points: { n, d: ndims, data: pa.scores },
    explainedVariance: pa.sumSquares.map((s) => s / (n - 1)),
    explainedVarianceRatio: pa.sumSquares.map((s) => s / pa.totalSumSquares),
    components: { n: ndims, d, data: new Float64Array(pa.axes) },
  };
  return {
    embedding,
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      for (let i = 0; i < m; i++) {
        for (let c = 0; c < ndims; c++) {
          let s = 0;
          for (let a = 0; a < d; a++) s += (newPoints.data[i * d + a] - pa.mean[a]) * pa.axes[c * d + a];
          out[i * ndims + c] = s;
        }
      }
      return { n: m, d: ndims, data: out };
    },
  };
}

/**
 * Classical MDS of points under Euclidean distances. For D the distance matrix and J the centring matrix,
 * the double-centred B = −½·J·D²·J is exactly the Gram matrix XcXcᵀ of the centred points, whose nonzero
 * eigenvalues are those of XcᵀXc; so the coordinates U·Λ^½ are computed from the d × d cross-product
 * (O(n·d²)) instead of an n × n eigendecomposition, and equal the PCA scores (up to rounding).
 */
function fitClassicalMds(points: Points, ndims: number): FittedReducer {
  const { n, d, data } = points;
  const pa = principalAxes(points, ndims);
  // Eigenvalues of B and its unit eigenvectors U = scores / √λ (an axis with λ ≈ 0 is set to exactly 0).
  const lambda = pa.sumSquares.map((s) => (s > pa.totalSumSquares * 1e-24 ? s : 0));
  const coords = new Float64Array(n * ndims);
  const u = new Float64Array(n * ndims);
  for (let c = 0; c < ndims; c++) {
    const root = Math.sqrt(lambda[c]);
    for (let i = 0; i < n; i++) {
      if (root === 0) continue;
      coords[i * ndims + c] = pa.scores[i * ndims + c];
      u[i * ndims + c] = pa.scores[i * ndims + c] / root;
    }
  }
  // a_j = mean_i ‖x_i − x_j‖² = ‖x_j − mean‖² + (1/n)·Σ_i ‖x_i − mean‖².
  const meanSq = pa.totalSumSquares / n;
  const centroid: Points = { n: 1, d, data: pa.mean };
  const a = new Float64Array(n);
  for (let j = 0; j < n; j++) a[j] = squaredDistance(points, j, centroid, 0) + meanSq;
  const train: Points = { n, d, data: new Float64Array(data) };
  const embedding: Embedding = {
    model: 'classical-mds',
    points: { n, d: ndims, data: coords },
    explainedVariance: lambda.map((l) => l / (n - 1)),
    explainedVarianceRatio: lambda.map((l) => l / pa.totalSumSquares),
  };
  return {
    embedding,
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      const g = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) g[j] = a[j] - squaredDistance(newPoints, i, train, j);
        for (let c = 0; c < ndims; c++) {
          if (lambda[c] === 0) continue;
          let s = 0;
          for (let j = 0; j < n; j++) s += u[j * ndims + c] * g[j];
          out[i * ndims + c] = s / (2 * Math.sqrt(lambda[c]));
        }
      }
      return { n: m, d: ndims, data: out };
    },
  };
}

export interface ClassicalMdsOptions {
  /** Output dimensions (any positive integer < n; {@link reduce} only asks for 2 or 3). */
  ndims: number;
}

export interface ClassicalMdsResult {
  /** Coordinates U·Λ₊^½, sign-fixed as described in the module header [shape=(n, ndims)]. */
  points: Points;
  /** The `ndims` largest eigenvalues of B = −½·J·D²·J, descending, as computed (an axis with a negative one is 0). */
  eigenvalues: number[];
  /** Trace of B (the sum of all its eigenvalues; for Euclidean distances the total sum of squares about the centroid). */
  trace: number;
}

/**
 * Torgerson's classical scaling of a dissimilarity matrix: square it, double-centre it
 * (B = −½·J·D²·J, J = I − 11ᵀ/n), and take the top `ndims` eigenvectors scaled by the square root of their
 * eigenvalues; negative eigenvalues (non-Euclidean dissimilarities) give zero coordinates.
 *
 * This is the literal algorithm, with a dense O(n³) eigendecomposition (≈ 0.3 s at n = 250, ≈ 1.6 s at
 * n = 500). For points under Euclidean distances use `reduce(points, {model: 'classical-mds'})`, which gets
 * the same coordinates in O(n·d²).
 *
 * @param dissimilarities - symmetric, zero diagonal, finite, ≥ 0 [shape=(n, n)] row-major
 * @throws RangeError for a malformed matrix or ndims outside [1, n − 1]
 */
export function classicalMds(dissimilarities: Float64Array, n: number, options: ClassicalMdsOptions): ClassicalMdsResult {
  const { ndims } = options;
  checkDissimilarities(dissimilarities, n);
  if (!Number.isInteger(ndims) || ndims < 1 || ndims >= n) {
    throw new RangeError(`classical MDS of ${n} points needs ndims in [1, ${n - 1}], got ${ndims}`);
  }
  const b = new Float64Array(n * n);
  const rowMean = new Float64Array(n);
  let grand = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // Symmetrised (the input is symmetric to within rounding).
      const v = 0.5 * (dissimilarities[i * n + j] + dissimilarities[j * n + i]);
      const sq = v * v;
      b[i * n + j] = sq;
      rowMean[i] += sq;
    }
    grand += rowMean[i];
    rowMean[i] /= n;
  }
  grand /= n * n;
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) b[i * n + j] = -0.5 * (b[i * n + j] - rowMean[i] - rowMean[j] + grand);
    trace += b[i * n + i];
  }
  const { values, vectors } = symmetricEigen(b, n, ndims);
  const coords = new Float64Array(n * ndims);
  for (let c = 0; c < ndims; c++) {
    const root = values[c] > 0 ? Math.sqrt(values[c]) : 0;
    if (root === 0) continue;
    for (let i = 0; i < n; i++) coords[i * ndims + c] = vectors.get(i, c) * root;
    flipSign(coords, n, ndims, c);
  }
  return { points: { n, d: ndims, data: coords }, eigenvalues: values.slice(0, ndims), trace };
}

// ---------------------------------------------------------------------------------------------------
// Metric MDS (SMACOF)
// ---------------------------------------------------------------------------------------------------

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
 * @throws RangeError for a malformed matrix or bad options
 */
export function smacof(dissimilarities: Float64Array, n: number, options: SmacofOptions): SmacofResult {
  const { ndims } = options;
  const seed = options.seed ?? DEFAULT_SEED;
  const nInit = options.nInit ?? 4;
  const maxIter = options.maxIter ?? 300;
  const eps = options.eps ?? 1e-3;
  checkDissimilarities(dissimilarities, n);
  if (!Number.isInteger(ndims) || ndims < 1) throw new RangeError(`ndims must be a positive integer, got ${ndims}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`nInit must be a positive integer, got ${nInit}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter must be a positive integer, got ${maxIter}`);
  if (!(eps >= 0)) throw new RangeError(`eps must be a number ≥ 0, got ${eps}`);

  if (options.init) {
    if (options.init.length !== n * ndims) throw new RangeError(`init must hold n × ndims = ${n * ndims} values, got ${options.init.length}`);
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
 * One pass over the pairs i < j: returns the raw stress of `x` and accumulates B(x)·x into `out`
 * (B(x)·x)_i = Σ_j r_ij·(x_i − x_j), r_ij = δ_ij / ‖x_i − x_j‖ — unscaled by 1/n.
 */
function guttmanK(delta: Float64Array, n: number, k: number, x: Float64Array, out: Float64Array): number {
  let stress = 0;
  const diff = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const oi = i * k;
    const row = i * n;
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
        out[oi + c] += t;
        out[oj + c] -= t;
      }
    }
  }
  return stress;
}

/** {@link guttmanK} for k = 2 (same arithmetic, unrolled). */
function guttman2(delta: Float64Array, n: number, x: Float64Array, out: Float64Array): number {
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

/** {@link guttmanK} for k = 3 (same arithmetic, unrolled). */
function guttman3(delta: Float64Array, n: number, x: Float64Array, out: Float64Array): number {
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
 */
export function placeByStress(configuration: Points, delta: ArrayLike<number>, options: PlaceOptions = {}): Float64Array {
  const { n: m, d: k, data: y } = configuration;
  const maxIter = options.maxIter ?? 1000;
  const tol = options.tol ?? 1e-10;
  if (delta.length !== m) throw new RangeError(`expected ${m} dissimilarities, got ${delta.length}`);
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

function fitMds(points: Points, ndims: number, seed: number, options: ReduceOptions): FittedReducer {
  const { n, d, data } = points;
  const result = smacof(euclideanDistances(points), n, {
    ndims,
    seed,
    nInit: options.nInit ?? 4,
    maxIter: options.maxIter ?? 300,
    eps: options.eps ?? 1e-3,
  });
  const train: Points = { n, d, data: new Float64Array(data) };
  const configuration: Points = { n, d: ndims, data: new Float64Array(result.points.data) };
  const embedding: Embedding = {
    model: 'mds',
    points: result.points,
    stress: result.stress,
    iterations: result.iterations,
  };
  return {
    embedding,
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

// ---------------------------------------------------------------------------------------------------
// UMAP
// ---------------------------------------------------------------------------------------------------

function fitUmap(points: Points, ndims: number, seed: number): FittedReducer {
  const { n, d } = points;
  // umap-js keeps the generator it is given; route it through a variable so `project` can re-seed it.
  let random: Random = createRandom(seed);
  const umap = new UMAP({ nComponents: ndims, nNeighbors: Math.min(15, n - 1), random: () => random() });
  const fitted = umap.fit(pointsToRows(points));
  const data = new Float64Array(n * ndims);
  fitted.forEach((row, i) => data.set(row, i * ndims));
  const snapshot = new Float64Array(data);
  const embedding: Embedding = { model: 'umap', points: { n, d: ndims, data } };
  return {
    embedding,
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      if (m === 0) return { n: 0, d: ndims, data: out };
      random = createRandom(subSeed(seed, 1));
      const rows = pointsToRows(newPoints);
      // umap-js moves the training embedding too when the batch has exactly n points (it decides by
      // length); split such a batch so the training embedding stays fixed.
      const batches = m === n ? [rows.slice(0, m - 1), rows.slice(m - 1)] : [rows];
      let at = 0;
      for (const batch of batches) {
        const placed = umap.transform(batch);
        placed.forEach((row) => {
          out.set(row, at * ndims);
          at++;
        });
        // Undo any drift of umap-js's internal training embedding so later calls start from the same state.
        umap.getEmbedding().forEach((row, i) => {
          for (let c = 0; c < ndims; c++) row[c] = snapshot[i * ndims + c];
        });
      }
      return { n: m, d: ndims, data: out };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/**
 * Eigenvalues (descending) and the matching eigenvectors (columns of `vectors`) of a symmetric m × m
 * matrix; only the first `k` are meaningful in order (ties keep the solver's order).
 */
function symmetricEigen(a: Float64Array, m: number, k: number): { values: number[]; vectors: Matrix } {
  const matrix = new Matrix(m, m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) matrix.set(i, j, a[i * m + j]);
  const evd = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, i) => i).sort((p, q) => raw[q] - raw[p] || p - q);
  const take = order.slice(0, Math.min(k, m));
  const vectors = new Matrix(m, take.length);
  const ev = evd.eigenvectorMatrix;
  take.forEach((src, c) => {
    for (let i = 0; i < m; i++) vectors.set(i, c, ev.get(i, src));
  });
  return { values: take.map((i) => raw[i]), vectors };
}

/**
 * Gram–Schmidt (twice, for accuracy) over the `k` rows of length `d`. A row that vanishes against the
 * previous ones (or is exactly zero) is replaced by the first unit basis vector independent of them; rows
 * beyond `d` are set to zero.
 */
function orthonormalise(rows: Float64Array, k: number, d: number): void {
  let basis = 0;
  const reduceAgainst = (v: Float64Array, c: number): number => {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        const w = rows.subarray(p * d, (p + 1) * d);
        const s = dot(v, w);
        for (let a = 0; a < d; a++) v[a] -= s * w[a];
      }
    }
    return Math.sqrt(dot(v, v));
  };
  for (let c = 0; c < k; c++) {
    const v = rows.subarray(c * d, (c + 1) * d);
    if (c >= d) {
      v.fill(0);
      continue;
    }
    const original = Math.sqrt(dot(v, v));
    let norm = reduceAgainst(v, c);
    if (!(original > 0 && norm > 1e-8 * original)) {
      norm = 0;
      while (basis < d && !(norm > 0.5)) {
        v.fill(0);
        v[basis++] = 1;
        norm = reduceAgainst(v, c);
      }
    }
    for (let a = 0; a < d; a++) v[a] /= norm;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Sign convention: negate column `c` of the n × k row-major `values` unless its entry of largest |value|
 * (the first one within a relative {@link SIGN_TIE} of the largest) is already ≥ 0. Returns whether it flipped.
 */
function flipSign(values: Float64Array, n: number, k: number, c: number): boolean {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i * k + c]));
  if (max === 0) return false;
  const threshold = max * (1 - SIGN_TIE);
  for (let i = 0; i < n; i++) {
    const v = values[i * k + c];
    if (Math.abs(v) >= threshold) {
      if (v >= 0) return false;
      for (let j = 0; j < n; j++) values[j * k + c] = -values[j * k + c];
      return true;
    }
  }
  return false;
}

function checkPoints(points: Points, what: string): void {
  const { n, d, data } = points;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 0 || data.length !== n * d) {
    throw new RangeError(`malformed points: n = ${n}, d = ${d} but ${data.length} values`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const p = Math.floor(i / d);
      throw new RangeError(`${what} ${p} has a non-finite value (${data[i]}) in feature ${i - p * d}; drop or fill it before reducing`);
    }
  }
}

function checkProjected(points: Points, d: number): void {
  if (points.d !== d) throw new RangeError(`cannot project points of ${points.d} features into a reduction fitted on ${d}`);
  checkPoints(points, 'new point');
}

function allIdentical(points: Points): boolean {
  const { n, d, data } = points;
  for (let i = 1; i < n; i++) for (let c = 0; c < d; c++) if (data[i * d + c] !== data[c]) return false;
  return true;
}

function checkDissimilarities(delta: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1 || delta.length !== n * n) {
    throw new RangeError(`a dissimilarity matrix of ${n} points needs ${n}×${n} values, got ${delta.length}`);
  }
  let max = 0;
  for (let i = 0; i < delta.length; i++) {
    const v = delta[i];
    if (!Number.isFinite(v) || v < 0) {
      throw new RangeError(`dissimilarity [${Math.floor(i / n)}][${i % n}] is ${v}; all must be finite and ≥ 0`);
    }
    if (v > max) max = v;
  }
  const tol = 1e-10 * Math.max(1, max);
  for (let i = 0; i < n; i++) {
    if (delta[i * n + i] !== 0) throw new RangeError(`dissimilarity [${i}][${i}] is ${delta[i * n + i]}; the diagonal must be 0`);
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(delta[i * n + j] - delta[j * n + i]) > tol) {
        throw new RangeError(`the dissimilarity matrix is not symmetric: [${i}][${j}] = ${delta[i * n + j]} but [${j}][${i}] = ${delta[j * n + i]}`);
      }
    }
  }
}
