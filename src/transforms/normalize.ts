/**
 * Normalisation of feature matrices, with hypertools 0.8's semantics for the z-scores.
 *
 * Modes ({@link NORMALIZE_MODES}):
 * - `zscore-within` — hypertools 0.8 `normalize='within'`: each input's columns z-scored with that
 *   input's own mean and population standard deviation (ddof = 0); a constant column becomes zeros.
 * - `zscore-across` — hypertools 0.8 `normalize='across'`: the columns of every input z-scored with the
 *   statistics of all inputs stacked on top of each other (so it needs several inputs to mean anything).
 * - `zscore-row` — hypertools 0.8 `normalize='row'`: each row (time point) z-scored across its features.
 * - `minmax` — each input's columns scaled to [0, 1] (constant column → 0). This is what hypertools ≥ 1.0
 *   calls `Normalize`; it is named `minmax` here so nobody mistakes it for the z-scores above.
 * - `none` — values unchanged.
 */
import { ParameterError } from '../errors.js';
import type { FeatureMatrix } from '../matrix/featureMatrix.js';
import { CompensatedSum } from '../util/sum.js';
import { encodeNumbers, MODEL_JSON_VERSION, modelObject, numbersField, type ModelJsonHeader } from './modelJson.js';
import type { Points } from './points.js';

/** Per-column mean and population standard deviation [shape=(columns)]. */
export interface ColumnStats {
  mean: Float64Array;
  /** Population standard deviation (ddof = 0). */
  std: Float64Array;
  /** 1 where every value of the column is the same (std is then exactly 0). */
  constant: Uint8Array;
}

/**
 * Mean and population std of every column (two-pass, so large offsets do not cost precision). Missing
 * values (NaN, an empty cell of a matrix file) are skipped, as pandas' `mean()`/`std()` skip them; a
 * column without any value has NaN statistics.
 */
export function columnStats(matrix: FeatureMatrix): ColumnStats {
  const k = matrix.columns.length;
  const n = matrix.rows;
  const mean = new Float64Array(k);
  const std = new Float64Array(k);
  const constant = new Uint8Array(k);
  for (let c = 0; c < k; c++) {
    const col = matrix.data.subarray(c * n, (c + 1) * n);
    // Compensated sums: a 4-minute column is 240,000 values, where a plain sum loses ~1e-12 relative
    // (and the event path, which sums ~1,000 runs, would then disagree with it in the 12th digit).
    const sum = new CompensatedSum();
    let count = 0;
    for (let i = 0; i < n; i++) {
      const x = col[i];
      if (x === x) {
        sum.add(x);
        count++;
      }
    }
    const m = count > 0 ? sum.value / count : NaN;
    const ss = new CompensatedSum();
    const addSquare = (d: number) => ss.add(d * d);
    // Exactly constant? (mean and std can be off by an ulp for repeated non-dyadic values.)
    let same = count > 0;
    if (count === n) {
      for (let i = 0; i < n; i++) addSquare(col[i] - m);
      for (let i = 1; same && i < n; i++) same = col[i] === col[0];
    } else {
      let first = NaN;
      for (let i = 0; i < n; i++) {
        const x = col[i];
        if (x !== x) continue;
        addSquare(x - m);
        if (first !== first) first = x;
        else if (x !== first) same = false;
      }
    }
    mean[c] = m;
    std[c] = count > 0 ? Math.sqrt(ss.value / count) : NaN;
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

/** The normalisation modes, as the CLI names them. */
export const NORMALIZE_MODES = Object.freeze(['zscore-within', 'zscore-across', 'zscore-row', 'minmax', 'none'] as const);
export type NormalizeMode = (typeof NORMALIZE_MODES)[number];

/**
 * Running per-column statistics over any number of matrices (or row blocks), merged with Chan et al.'s
 * pairwise update so that stacking many tracks loses no precision. What `zscore-across` needs, computed
 * one track at a time so an album never has to be held in memory at once.
 */
export class RunningColumnStats {
  /** Rows seen. */
  count = 0;
  /** Values seen per column (rows minus missing values). */
  readonly counts: Float64Array;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the mean. */
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(readonly columns: number) {
    this.counts = new Float64Array(columns);
    this.mean = new Float64Array(columns);
    this.m2 = new Float64Array(columns);
    this.min = new Float64Array(columns).fill(Infinity);
    this.max = new Float64Array(columns).fill(-Infinity);
  }

  /**
   * Add every row of `matrix` (its column count must match); missing values (NaN) are skipped.
   *
   * @throws ParameterError (`matrix`) when its column count differs from the statistics'
   */
  add(matrix: FeatureMatrix): this {
    if (matrix.columns.length !== this.columns) {
      throw new ParameterError('matrix', `${matrix.columns.length} columns`, `${this.columns} columns, as the statistics have`);
    }
    const n = matrix.rows;
    if (n === 0) return this;
    const own = columnStats(matrix);
    for (let c = 0; c < this.columns; c++) {
      const col = matrix.data.subarray(c * n, (c + 1) * n);
      let lo = Infinity;
      let hi = -Infinity;
      let values = 0;
      for (let i = 0; i < n; i++) {
        const x = col[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (x === x) values++;
      }
      if (values === 0) continue;
      if (lo < this.min[c]) this.min[c] = lo;
      if (hi > this.max[c]) this.max[c] = hi;
      this.mergeColumn(c, values, own.mean[c], own.std[c]);
    }
    this.count += n;
    return this;
  }

  /**
   * Merge the summary of `values` more values of column `c` — their mean and population std — into the
   * running mean and sum of squared deviations (Chan et al.'s pairwise update). Does not touch `min`,
   * `max` or `count`: {@link add} keeps those; callers that only have summaries keep their own.
   */
  mergeColumn(c: number, values: number, mean: number, std: number): void {
    if (values <= 0) return;
    const seen = this.counts[c];
    const total = seen + values;
    const delta = mean - this.mean[c];
    this.mean[c] += (delta * values) / total;
    this.m2[c] += std * std * values + (delta * delta * seen * values) / total;
    this.counts[c] = total;
  }

  /** The statistics as {@link ColumnStats} (population std; `constant` where min equals max; NaN for a column without values). */
  stats(): ColumnStats {
    const std = new Float64Array(this.columns);
    const constant = new Uint8Array(this.columns);
    const mean = Float64Array.from(this.mean);
    for (let c = 0; c < this.columns; c++) {
      const values = this.counts[c];
      std[c] = values > 0 ? Math.sqrt(this.m2[c] / values) : NaN;
      if (!(values > 0)) mean[c] = NaN;
      constant[c] = values > 0 && this.min[c] === this.max[c] ? 1 : 0;
    }
    return { mean, std, constant };
  }
}

/**
 * The statistics of several matrices stacked row-wise (what `zscore-across` divides by).
 *
 * @throws ParameterError (`matrices`) for none, (`matrix`) for matrices of different column counts
 */
export function stackedColumnStats(matrices: readonly FeatureMatrix[]): ColumnStats {
  if (matrices.length === 0) throw new ParameterError('matrices', 'none', 'at least one matrix');
  const running = new RunningColumnStats(matrices[0].columns.length);
  for (const m of matrices) running.add(m);
  return running.stats();
}

/** Each row z-scored across its columns (population std; a constant row becomes zeros). */
export function zscoreRows(matrix: FeatureMatrix): FeatureMatrix {
  const n = matrix.rows;
  const k = matrix.columns.length;
  const out = new Float64Array(matrix.data.length);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += matrix.data[c * n + r];
    const m = sum / k;
    let ss = 0;
    let same = true;
    const first = matrix.data[r];
    for (let c = 0; c < k; c++) {
      const x = matrix.data[c * n + r];
      const d = x - m;
      ss += d * d;
      if (x !== first) same = false;
    }
    const s = Math.sqrt(ss / k);
    for (let c = 0; c < k; c++) out[c * n + r] = same || s === 0 ? 0 : (matrix.data[c * n + r] - m) / s;
  }
  return { ...matrix, data: out, metadata: { ...matrix.metadata, normalization: 'zscore-row' } };
}

/** Each column scaled to [0, 1] by its own minimum and maximum (a constant column becomes zeros). */
export function minmaxColumns(matrix: FeatureMatrix): FeatureMatrix {
  const n = matrix.rows;
  const out = new Float64Array(matrix.data.length);
  for (let c = 0; c < matrix.columns.length; c++) {
    const src = matrix.data.subarray(c * n, (c + 1) * n);
    const dst = out.subarray(c * n, (c + 1) * n);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (src[i] < lo) lo = src[i];
      if (src[i] > hi) hi = src[i];
    }
    const range = hi - lo;
    if (!(range > 0)) continue; // constant (or empty, or NaN-only) column: zeros
    for (let i = 0; i < n; i++) dst[i] = (src[i] - lo) / range;
  }
  return { ...matrix, data: out, metadata: { ...matrix.metadata, normalization: 'minmax' } };
}

/**
 * Normalise one or more matrices with `mode` (see the module comment). The result has one matrix per
 * input, each with `metadata.normalization = mode`; `zscore-across` uses the statistics of all inputs.
 */
export function normalize(matrices: readonly FeatureMatrix[], mode: NormalizeMode): FeatureMatrix[] {
  switch (mode) {
    case 'zscore-within':
      return matrices.map((m) => zscoreWithin(m));
    case 'zscore-across': {
      if (matrices.length === 0) return [];
      const stats = stackedColumnStats(matrices);
      return matrices.map((m) => {
        const z = zscoreWithin(m, { stats });
        return { ...z, metadata: { ...z.metadata, normalization: 'zscore-across', normalization_inputs: String(matrices.length) } };
      });
    }
    case 'zscore-row':
      return matrices.map(zscoreRows);
    case 'minmax':
      return matrices.map(minmaxColumns);
    case 'none':
      return matrices.map((m) => ({ ...m, metadata: { ...m.metadata, normalization: 'none' } }));
  }
}

// ---- a fitted z-score normaliser that saves and loads ------------------------------------------------

/** The `kind` of a saved normaliser. */
export const NORMALIZER_KIND = 'songscope/normalizer';

/** A saved normaliser (see `modelJson.ts`): the column statistics, NaN written as null. */
export interface NormalizerJson extends ModelJsonHeader {
  kind: typeof NORMALIZER_KIND;
  /** The column names it was fitted on (null when fitted on unnamed points). */
  columns: string[] | null;
  mean: (number | null)[];
  std: (number | null)[];
  /** 1 for a column with one value throughout (it normalises to 0). */
  constant: number[];
}

/**
 * Column z-scores with statistics fitted once (on one track, on a corpus of tracks, or on points) and
 * applied to any matrix or points with the same columns: `(x − mean) / std` with the population std, 0 for
 * a constant column — {@link zscoreWithin}'s arithmetic with given statistics. Saves as JSON
 * ({@link loadNormalizer}), so a corpus-wide fit can be stored and new tracks normalised with it.
 */
export interface FittedNormalizer {
  /** The column names it was fitted on; undefined when fitted on points. */
  readonly columns: readonly string[] | undefined;
  /** The fitted statistics [shape=(columns)]. */
  readonly stats: ColumnStats;
  /**
   * The matrix z-scored with the fitted statistics (a new matrix; `metadata.normalization = 'zscore-fitted'`).
   *
   * @throws ParameterError (`matrix`) for another number of columns, or other column names
   */
  transform(matrix: FeatureMatrix): FeatureMatrix;
  /**
   * Points (rows of the same features) z-scored with the fitted statistics.
   *
   * @throws ParameterError (`points`) for another number of features
   */
  transformPoints(points: Points): Points;
  /** The statistics as plain JSON (`JSON.stringify` it to save). */
  toJSON(): NormalizerJson;
}

/**
 * Fit a normaliser: the column statistics of a matrix ({@link columnStats}), of several matrices stacked
 * row-wise ({@link stackedColumnStats}: a corpus-wide fit), or of points (each column over the points).
 * Missing values (NaN) are skipped, as {@link columnStats} skips them.
 *
 * @throws ParameterError (`matrices`) for an empty list, (`matrix`) for matrices of different columns
 */
export function fitNormalizer(input: FeatureMatrix | readonly FeatureMatrix[] | Points): FittedNormalizer {
  if (Array.isArray(input)) {
    const matrices = input as readonly FeatureMatrix[];
    if (matrices.length === 0) throw new ParameterError('matrices', 'none', 'at least one matrix');
    const columns = matrices[0].columns;
    matrices.forEach((m, i) => {
      if (m.columns.length !== columns.length || m.columns.some((c, k) => c !== columns[k])) {
        throw new ParameterError('matrix', `matrix ${i} has columns ${m.columns.join(', ')}`, `the columns of matrix 0: ${columns.join(', ')}`);
      }
    });
    return normalizerOf(stackedColumnStats(matrices), columns.slice());
  }
  if ('columns' in input) return normalizerOf(columnStats(input), input.columns.slice());
  const { n, d, data } = input as Points;
  // The points' columns as a column-major matrix, for columnStats.
  const columnMajor = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) columnMajor[c * n + i] = data[i * d + c];
  const asMatrix = { rows: n, columns: Array.from({ length: d }, (_, c) => String(c)), timeMs: new Int32Array(n), data: columnMajor, metadata: {} };
  return normalizerOf(columnStats(asMatrix), undefined);
}

/**
 * A normaliser saved with `toJSON()` (and `JSON.stringify`), back; it transforms identically.
 *
 * @throws ParameterError (`json`) for another kind or version, or a field of the wrong shape
 */
export function loadNormalizer(json: unknown): FittedNormalizer {
  const o = modelObject(json, NORMALIZER_KIND);
  const columns = o.columns;
  if (columns !== null && !(Array.isArray(columns) && columns.every((c) => typeof c === 'string'))) {
    throw new ParameterError('json', 'columns that are not a list of names', 'columns, a list of names or null');
  }
  const k = Array.isArray(o.constant) ? o.constant.length : -1;
  if (k < 0 || (columns !== null && columns.length !== k)) {
    throw new ParameterError('json', `constant ${k < 0 ? 'missing' : `with ${k} values`}`, 'constant, one 0 or 1 per column');
  }
  const constant = Uint8Array.from(numbersField(o, 'constant', k), (v, c) => {
    if (v !== 0 && v !== 1) throw new ParameterError('json', `constant[${c}] is ${v}`, 'constant, 0 or 1 per column');
    return v;
  });
  const stats: ColumnStats = { mean: numbersField(o, 'mean', k, true), std: numbersField(o, 'std', k, true), constant };
  return normalizerOf(stats, columns === null ? undefined : (columns as string[]));
}

function normalizerOf(stats: ColumnStats, columns: readonly string[] | undefined): FittedNormalizer {
  const k = stats.mean.length;
  return {
    columns,
    stats,
    transform(matrix: FeatureMatrix): FeatureMatrix {
      if (matrix.columns.length !== k) throw new ParameterError('matrix', `${matrix.columns.length} columns`, `${k} columns, as the normaliser was fitted on`);
      if (columns && matrix.columns.some((c, i) => c !== columns[i])) {
        const i = matrix.columns.findIndex((c, j) => c !== columns[j]);
        throw new ParameterError('matrix', `column ${i} named ${JSON.stringify(matrix.columns[i])}`, `the fitted columns (column ${i}: ${JSON.stringify(columns[i])})`);
      }
      const z = zscoreWithin(matrix, { stats });
      return { ...z, metadata: { ...z.metadata, normalization: 'zscore-fitted' } };
    },
    transformPoints(points: Points): Points {
      const { n, d, data } = points;
      if (d !== k) throw new ParameterError('points', `${d} features`, `${k} features, as the normaliser was fitted on`);
      const out = new Float64Array(n * d);
      for (let c = 0; c < d; c++) {
        if (stats.constant[c] || stats.std[c] === 0) continue;
        const m = stats.mean[c];
        const s = stats.std[c];
        for (let i = 0; i < n; i++) out[i * d + c] = (data[i * d + c] - m) / s;
      }
      return { n, d, data: out };
    },
    toJSON(): NormalizerJson {
      return {
        kind: NORMALIZER_KIND,
        version: MODEL_JSON_VERSION,
        columns: columns ? columns.slice() : null,
        mean: encodeNumbers(stats.mean),
        std: encodeNumbers(stats.std),
        constant: Array.from(stats.constant),
      };
    },
  };
}
