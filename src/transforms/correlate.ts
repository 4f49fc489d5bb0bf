/**
 * Timepoint-by-timepoint similarity (the self-similarity matrix of a track).
 */
import type { FeatureMatrix } from '../matrix/featureMatrix.js';
import { euclideanDistances, pointsFromMatrix, type Points } from './points.js';

/** A square matrix of similarities between the rows of a feature matrix. */
export interface SimilarityMatrix {
  /** Number of time points (rows and columns). */
  n: number;
  /** Start time of each time point, ms [shape=(n)]. */
  timeMs: Int32Array;
  /** Row-major n × n values; NaN where the similarity is undefined. */
  values: Float64Array;
  /** Indices of time points whose similarity is undefined (a constant row, or one holding NaN). */
  undefinedRows: number[];
  metric: SimilarityMetric;
}

/**
 * How two time points are compared: `pearson` (correlation across features, as pandas `.T.corr()`),
 * `cosine` (cosine of the angle between the raw feature vectors) — both similarities in [−1, 1] — or
 * `euclidean` (the distance between the feature vectors: a dissimilarity, 0 on the diagonal).
 */
export const SIMILARITY_METRICS = Object.freeze(['pearson', 'cosine', 'euclidean'] as const);
export type SimilarityMetric = (typeof SIMILARITY_METRICS)[number];

/**
 * Pearson correlation between every pair of rows (time points) across the matrix's columns, as pandas
 * `df.T.corr()`. A row that is constant (e.g. the zero rows a rolling mean leaves at the start) or
 * contains NaN has no defined correlation: its whole row and column are NaN and it is listed in
 * `undefinedRows`, never silently turned into a number.
 */
export function correlateRows(matrix: FeatureMatrix): SimilarityMatrix {
  return similarityRows(matrix, 'pearson');
}

/**
 * Similarity (or, for `euclidean`, distance) between every pair of rows with `metric`. A row holding NaN
 * is undefined for every metric; a constant row is undefined for `pearson`, an all-zero row for `cosine`.
 * Undefined rows are NaN throughout their row and column and listed in `undefinedRows`.
 */
export function similarityRows(matrix: FeatureMatrix, metric: SimilarityMetric = 'pearson'): SimilarityMatrix {
  const points = pointsFromMatrix(matrix);
  const { values, undefinedRows } = metric === 'euclidean' ? euclideanRows(points) : rowSimilarities(points, metric === 'pearson');
  return { n: matrix.rows, timeMs: matrix.timeMs, values, undefinedRows, metric };
}

/** Pairwise values between the rows of a point set, and the rows for which they are undefined. */
export interface RowPairs {
  /** Row-major n × n; NaN in the rows and columns of undefined rows. */
  values: Float64Array;
  /** Rows with no defined value, ascending. */
  undefinedRows: number[];
}

/**
 * Pearson r between every pair of points (rows) across their coordinates — the one Pearson of songscope:
 * the self-similarity matrix, the album's song-by-song correlation (pandas `DataFrame(vecs).T.corr()`)
 * and the clustermap's correlation distance all come from here. A point holding NaN, or whose coordinates
 * are all exactly equal, has no defined correlation (NaN), whatever rounding would make of it.
 */
export function pearsonRows(points: Points): RowPairs {
  return rowSimilarities(points, true);
}

/**
 * Each defined row centred (for Pearson) and scaled to unit length; r is then a dot product, clamped to
 * [−1, 1]. Undefined: a NaN anywhere, or (centred) all values equal, or (uncentred) all zero.
 */
function rowSimilarities(points: Points, centre: boolean): RowPairs {
  const { n, d, data } = points;
  const unit = new Float64Array(n * d);
  const defined = new Uint8Array(n);
  const undefinedRows: number[] = [];
  for (let r = 0; r < n; r++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let c = 0; c < d; c++) {
      const x = data[r * d + c];
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (Number.isNaN(sum) || (centre ? min === max : min === 0 && max === 0)) {
      undefinedRows.push(r);
      continue;
    }
    const mean = centre ? sum / d : 0;
    let ss = 0;
    for (let c = 0; c < d; c++) {
      const v = data[r * d + c] - mean;
      unit[r * d + c] = v;
      ss += v * v;
    }
    const norm = Math.sqrt(ss);
    for (let c = 0; c < d; c++) unit[r * d + c] /= norm;
    defined[r] = 1;
  }
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (!defined[i]) {
      values.fill(NaN, i * n, (i + 1) * n);
      for (let j = 0; j < n; j++) values[j * n + i] = NaN;
      continue;
    }
    values[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      let r = NaN;
      if (defined[j]) {
        r = 0;
        for (let c = 0; c < d; c++) r += unit[i * d + c] * unit[j * d + c];
        r = Math.max(-1, Math.min(1, r));
      }
      values[i * n + j] = r;
      values[j * n + i] = r;
    }
  }
  return { values, undefinedRows };
}

/** Euclidean distance between every pair of rows; a row holding NaN is undefined. */
function euclideanRows(points: Points): RowPairs {
  const { n, d, data } = points;
  const undefinedRows: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) {
      if (Number.isNaN(data[r * d + c])) {
        undefinedRows.push(r);
        break;
      }
    }
  }
  const values = euclideanDistances(points);
  for (const r of undefinedRows) {
    values.fill(NaN, r * n, (r + 1) * n);
    for (let j = 0; j < n; j++) values[j * n + r] = NaN;
  }
  return { values, undefinedRows };
}
