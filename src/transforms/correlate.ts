/**
 * Timepoint-by-timepoint similarity (the self-similarity matrix of a track).
 */
import type { FeatureMatrix } from '../matrix/featureMatrix.js';

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
  if (metric === 'euclidean') return euclideanRows(matrix);
  const centre = metric === 'pearson';
  const n = matrix.rows;
  const k = matrix.columns.length;
  // Centre and scale each row to unit norm, stored row-major for cache-friendly dot products.
  const unit = new Float64Array(n * k);
  const defined = new Uint8Array(n);
  const undefinedRows: number[] = [];
  for (let r = 0; r < n; r++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const x = matrix.data[c * n + r];
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (Number.isNaN(sum) || (centre ? min === max : min === 0 && max === 0)) {
      undefinedRows.push(r);
      continue;
    }
    const mean = centre ? sum / k : 0;
    let ss = 0;
    for (let c = 0; c < k; c++) {
      const d = matrix.data[c * n + r] - mean;
      unit[r * k + c] = d;
      ss += d * d;
    }
    const norm = Math.sqrt(ss);
    for (let c = 0; c < k; c++) unit[r * k + c] /= norm;
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
        for (let c = 0; c < k; c++) r += unit[i * k + c] * unit[j * k + c];
        r = Math.max(-1, Math.min(1, r));
      }
      values[i * n + j] = r;
      values[j * n + i] = r;
    }
  }
  return { n, timeMs: matrix.timeMs, values, undefinedRows, metric };
}

function euclideanRows(matrix: FeatureMatrix): SimilarityMatrix {
  const n = matrix.rows;
  const k = matrix.columns.length;
  const rows = new Float64Array(n * k);
  const defined = new Uint8Array(n);
  const undefinedRows: number[] = [];
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (let c = 0; c < k; c++) {
      const x = matrix.data[c * n + r];
      rows[r * k + c] = x;
      if (Number.isNaN(x)) ok = false;
    }
    if (ok) defined[r] = 1;
    else undefinedRows.push(r);
  }
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let v = NaN;
      if (defined[i] && defined[j]) {
        let ss = 0;
        for (let c = 0; c < k; c++) {
          const d = rows[i * k + c] - rows[j * k + c];
          ss += d * d;
        }
        v = Math.sqrt(ss);
      }
      values[i * n + j] = v;
      values[j * n + i] = v;
    }
    if (!defined[i]) values[i * n + i] = NaN;
  }
  return { n, timeMs: matrix.timeMs, values, undefinedRows, metric: 'euclidean' };
}
