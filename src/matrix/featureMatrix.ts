/**
 * The feature matrix: the analysis resampled onto a regular time grid, one column per feature.
 *
 * Storage is column-major in one `Float64Array` (column `c` occupies `data[c*rows … (c+1)*rows)`), so a
 * column is a zero-copy `subarray` view and becomes an Arrow vector without copying. The time index is a
 * separate `Int32Array` of integer milliseconds.
 */
import { messages, ParameterError, runtimeError } from '../errors.js';

/** The 12 pitch classes, C first, with flats as Spotify's key names use them. */
export const PITCH_CLASS_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/** The 26 feature columns in order: `bar, beat, pitch_C … pitch_B, timbre_01 … timbre_12`. */
export const FEATURE_COLUMNS: readonly string[] = Object.freeze([
  'bar',
  'beat',
  ...PITCH_CLASS_NAMES.map((p) => `pitch_${p}`),
  ...Array.from({ length: 12 }, (_, i) => `timbre_${String(i + 1).padStart(2, '0')}`),
]);

/** Index of the first pitch column and of the first timbre column in {@link FEATURE_COLUMNS}. */
export const PITCH_OFFSET = 2;
export const TIMBRE_OFFSET = 14;

/** Name of the integer time index column in files. */
export const TIME_COLUMN = 'time_ms';

/**
 * Schema-level metadata carried with a matrix (and into Arrow schema metadata). Well-known keys:
 * `track_id`, `title`, `artist`, `source`, `grid` (`seed` | `full`), `resolution_ms`, `duration_s`,
 * `normalization`, `generator`. Values are strings, as Arrow stores them.
 */
export type MatrixMetadata = Record<string, string>;

export interface FeatureMatrix {
  /** Number of grid rows (time points). */
  readonly rows: number;
  /** Column names, in storage order. */
  readonly columns: readonly string[];
  /** Time of each row in integer milliseconds [shape=(rows)]. */
  readonly timeMs: Int32Array;
  /** Values, column-major [shape=(columns.length × rows)]. */
  readonly data: Float64Array;
  readonly metadata: MatrixMetadata;
}

/** Allocate a zero-filled matrix. */
export function createMatrix(
  timeMs: Int32Array,
  columns: readonly string[] = FEATURE_COLUMNS,
  metadata: MatrixMetadata = {},
): FeatureMatrix {
  const rows = timeMs.length;
  return { rows, columns, timeMs, data: new Float64Array(rows * columns.length), metadata };
}

/**
 * Zero-copy view of column `c` (by index or name).
 *
 * @throws ParameterError (`c`) when the matrix has no such column
 */
export function column(matrix: FeatureMatrix, c: number | string): Float64Array {
  const index = typeof c === 'number' ? c : matrix.columns.indexOf(c);
  if (index < 0 || index >= matrix.columns.length) {
    throw new ParameterError('c', typeof c === 'number' ? String(c) : JSON.stringify(c), `a column of the matrix: ${matrix.columns.join(', ')}, or an index below ${matrix.columns.length}`);
  }
  return matrix.data.subarray(index * matrix.rows, (index + 1) * matrix.rows);
}

/** Value at row `r`, column index `c`. */
export function valueAt(matrix: FeatureMatrix, r: number, c: number): number {
  return matrix.data[c * matrix.rows + r];
}

/** Row `r` as a fresh array of `columns.length` values. */
export function rowAt(matrix: FeatureMatrix, r: number): Float64Array {
  const out = new Float64Array(matrix.columns.length);
  for (let c = 0; c < out.length; c++) out[c] = matrix.data[c * matrix.rows + r];
  return out;
}

/**
 * Check that a matrix can be written: `timeMs.length === rows`, `data.length === rows × columns.length`, and
 * no value column is named `time_ms`.
 *
 * @throws SongscopeError (exit code 1, an internal error: the matrix was built wrong) otherwise.
 */
export function checkMatrix(matrix: FeatureMatrix): void {
  const { rows, columns, timeMs, data } = matrix;
  if (timeMs.length !== rows || data.length !== rows * columns.length) {
    throw runtimeError(
      messages.internal(
        `inconsistent feature matrix: rows ${rows}, timeMs.length ${timeMs.length}, data.length ${data.length} for ${columns.length} columns`,
      ),
    );
  }
  if (columns.includes(TIME_COLUMN)) {
    throw runtimeError(messages.internal(`feature matrix has a value column named ${TIME_COLUMN}`));
  }
}
