/**
 * Column normalisation of a feature matrix.
 *
 * `zscoreWithin` is hypertools 0.8's `normalize='within'` for one track: every column minus its mean,
 * divided by its population standard deviation (ddof = 0); a constant column becomes all zeros instead
 * of NaN. (hypertools ≥ 1.0 renamed things and its `Normalize` is min-max scaling: not this.)
 */
import type { FeatureMatrix } from '../matrix/featureMatrix.js';

/** Per-column mean and population standard deviation [shape=(columns)]. */
export interface ColumnStats {
  mean: Float64Array;
  /** Population standard deviation (ddof = 0). */
  std: Float64Array;
  /** 1 where every value of the column is the same (std is then exactly 0). */
  constant: Uint8Array;
}

/** Mean and population std of every column (two-pass, so large offsets do not cost precision). */
export function columnStats(matrix: FeatureMatrix): ColumnStats {
  const k = matrix.columns.length;
  const n = matrix.rows;
  const mean = new Float64Array(k);
  const std = new Float64Array(k);
  const constant = new Uint8Array(k);
  for (let c = 0; c < k; c++) {
    const col = matrix.data.subarray(c * n, (c + 1) * n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += col[i];
    const m = n > 0 ? sum / n : NaN;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = col[i] - m;
      ss += d * d;
    }
    // Exactly constant? (mean and std can be off by an ulp for repeated non-dyadic values.)
    let same = n > 0;
    for (let i = 1; same && i < n; i++) same = col[i] === col[0];
    mean[c] = m;
    std[c] = n > 0 ? Math.sqrt(ss / n) : NaN;
    constant[c] = same ? 1 : 0;
  }
  return { mean, std, constant };
}

export interface ZscoreOptions {
  /** Overwrite the input's values instead of allocating a new matrix (saves 8 bytes × cells). Default false. */
  inPlace?: boolean;
  /** Statistics to use (e.g. of several tracks stacked); default: the matrix's own. */
  stats?: ColumnStats;
}

/**
 * Z-score every column: (x − mean) / std with the population std; constant columns become 0.
 *
 * @returns a matrix with the same shape and time index; `metadata.normalization = 'zscore-within'`
 */
export function zscoreWithin(matrix: FeatureMatrix, options: ZscoreOptions = {}): FeatureMatrix {
  const stats = options.stats ?? columnStats(matrix);
  const n = matrix.rows;
  const out = options.inPlace ? matrix.data : new Float64Array(matrix.data.length);
  for (let c = 0; c < matrix.columns.length; c++) {
    const src = matrix.data.subarray(c * n, (c + 1) * n);
    const dst = out.subarray(c * n, (c + 1) * n);
    if (stats.constant[c] || stats.std[c] === 0) {
      dst.fill(0);
      continue;
    }
    const m = stats.mean[c];
    const s = stats.std[c];
    for (let i = 0; i < n; i++) dst[i] = (src[i] - m) / s;
  }
  return {
    rows: n,
    columns: matrix.columns,
    timeMs: matrix.timeMs,
    data: out,
    metadata: { ...matrix.metadata, normalization: 'zscore-within' },
  };
}
