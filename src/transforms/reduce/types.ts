/**
 * The types shared by the reduction models of `../reduce.ts` (the public facade re-exports them).
 */
import type { Points } from '../points.js';
import type { ModelJsonHeader } from '../modelJson.js';

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
  /**
   * The fit as plain JSON (`JSON.stringify` it to save); `loadReducer` gives back a reducer with the same
   * embedding that projects identically. What each model stores is listed at `loadReducer`.
   */
  toJSON(): ReducerJson;
}

/** The `kind` of a saved reducer. */
export const REDUCER_KIND = 'songscope/reducer';

/** A saved reducer: the header, the model and its dimensions, and the model's own fields. */
export interface ReducerJson extends ModelJsonHeader {
  kind: typeof REDUCER_KIND;
  model: ReduceModel;
  /** Output dimensions. */
  ndims: number;
  /** Features of the points it was fitted on (and projects). */
  d: number;
  /** Training points. */
  n: number;
  [field: string]: unknown;
}

