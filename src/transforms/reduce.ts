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
 *
 * This file is the public face (the checks common to every model, and the re-exports); each method lives
 * in `reduce/`: `pca.ts` (principal axes: PCA and classical MDS of points), `classicalMds.ts` (of a
 * dissimilarity matrix), `smacof.ts` (SMACOF, out-of-sample placement, the `mds` reducer), `umap.ts`,
 * `linalg.ts` (eigendecomposition, orthonormalisation, the sign convention), `checks.ts`, `types.ts`.
 */
import { ParameterError } from '../errors.js';
import { DEFAULT_SEED } from '../util/random.js';
import type { Points } from './points.js';
import { allIdentical, checkPoints } from './reduce/checks.js';
import { fitClassicalMds, fitPca, loadClassicalMds, loadPca } from './reduce/pca.js';
import { fitMds, loadMds } from './reduce/smacof.js';
import { fitUmap, loadUmap, UMAP_MIN_POINTS } from './reduce/umap.js';
import { REDUCE_MODELS, REDUCER_KIND, type Embedding, type FittedReducer, type ReduceModel, type ReduceOptions } from './reduce/types.js';
import { integerField, modelObject } from './modelJson.js';

export {
  REDUCE_MODELS,
  REDUCER_KIND,
  type Embedding,
  type FittedReducer,
  type ReduceModel,
  type ReduceOptions,
  type ReducerJson,
} from './reduce/types.js';
export { UMAP_MIN_POINTS } from './reduce/umap.js';
export { classicalMds, type ClassicalMdsOptions, type ClassicalMdsResult } from './reduce/classicalMds.js';
export { placeByStress, smacof, type PlaceOptions, type SmacofOptions, type SmacofResult } from './reduce/smacof.js';

/**
 * Reduce `points` to `ndims` dimensions with the chosen model. Same as `fitReducer(points, options).embedding`.
 *
 * @param points - the points [shape=(n, d)], all finite, n ≥ ndims + 1 (n ≥ 4 for umap)
 * @throws ParameterError for a bad `model`, `ndims`, `seed` or SMACOF option (`nInit`, `maxIter`, `eps`), or
 *   unusable `points`: too few, no features, a non-finite value (naming the point and feature), all
 *   identical, or fewer features than `ndims` for pca
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
 * @throws ParameterError as {@link reduce}; `project` throws ParameterError (`points`) for points of another
 *   dimensionality or non-finite values
 */
export function fitReducer(points: Points, options: ReduceOptions): FittedReducer {
  const model = options.model;
  if (!REDUCE_MODELS.includes(model)) {
    throw new ParameterError('model', JSON.stringify(model), `one of ${REDUCE_MODELS.join(', ')}`);
  }
  const ndims = options.ndims;
  if (ndims !== 2 && ndims !== 3) throw new ParameterError('ndims', String(ndims), '2 or 3');
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) throw new ParameterError('seed', String(seed), 'a finite number');
  checkPoints(points, 'point');
  const { n, d } = points;
  const minPoints = model === 'umap' ? Math.max(UMAP_MIN_POINTS, ndims + 1) : ndims + 1;
  if (n < minPoints) {
    throw new ParameterError(
      'points',
      `${n} point${n === 1 ? '' : 's'}`,
      `at least ${minPoints} points for ${model} into ${ndims} dimensions` + (model === 'umap' ? '; pca and mds take fewer' : ''),
    );
  }
  if (d < 1) throw new ParameterError('points', '0 features', 'at least 1 feature to reduce');
  if (model === 'pca' && d < ndims) {
    throw new ParameterError('points', `${d} feature${d === 1 ? '' : 's'}`, `at least ${ndims} features for pca into ${ndims} dimensions`);
  }
  if (allIdentical(points)) {
    throw new ParameterError('points', `all ${n} points identical`, 'points that differ: identical points have no structure to reduce');
  }

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

/**
 * A reducer saved with `FittedReducer.toJSON()` (and `JSON.stringify`), back: the same embedding, and
 * `project` gives the same numbers as the reducer that was saved. What each model stores (all plain
 * arrays of numbers, row-major):
 * - `pca`: the column means and the principal axes (what projecting needs), the training embedding and
 *   the explained variances.
 * - `classical-mds`: the training points, `a_j`, the unit eigenvectors and the eigenvalues (what Gower's
 *   formula needs), the training embedding and the explained variances.
 * - `mds`: the training points and their configuration (what `placeByStress` needs), the stress and the
 *   iterations.
 * - `umap`: the training points, the seed and the embedding; loading fits again (deterministic) and
 *   checks that the embedding comes out the same, so a load costs a whole fit (see `reduce/umap.ts`).
 *
 * @param json - what `toJSON()` gave, e.g. after `JSON.parse`
 * @throws ParameterError (`json`) for another kind or version, an unknown model, or a field of the wrong
 *   shape (naming it)
 */
export function loadReducer(json: unknown): FittedReducer {
  const o = modelObject(json, REDUCER_KIND);
  const model = o.model as ReduceModel;
  if (!REDUCE_MODELS.includes(model)) throw new ParameterError('json', `model ${JSON.stringify(o.model) ?? 'missing'}`, `one of ${REDUCE_MODELS.join(', ')}`);
  const ndims = integerField(o, 'ndims', 2, 3);
  const d = integerField(o, 'd', 1);
  switch (model) {
    case 'pca':
      return loadPca(o, ndims, d);
    case 'classical-mds':
      return loadClassicalMds(o, ndims, d);
    case 'mds':
      return loadMds(o, ndims, d);
    case 'umap':
      return loadUmap(o, ndims, d);
  }
}

