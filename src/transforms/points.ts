/**
 * Small row-major point sets: what clustering, dimensionality reduction and classification work on
 * (time bins × features for one track, or tracks × features for an album). A feature matrix is
 * column-major for cheap columns; these are row-major for cheap rows.
 */
import { ParameterError } from '../errors.js';
import type { FeatureMatrix } from '../matrix/featureMatrix.js';

/** `n` points of `d` dimensions, row-major: point `i` is `data[i*d … (i+1)*d)`. */
export interface Points {
  readonly n: number;
  readonly d: number;
  readonly data: Float64Array;
}

/** Allocate `n × d` zeros. */
export function createPoints(n: number, d: number): Points {
  return { n, d, data: new Float64Array(n * d) };
}

/** The rows of a (column-major) feature matrix as points. */
export function pointsFromMatrix(matrix: FeatureMatrix): Points {
  const n = matrix.rows;
  const d = matrix.columns.length;
  const data = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    const col = matrix.data.subarray(c * n, (c + 1) * n);
    for (let i = 0; i < n; i++) data[i * d + c] = col[i];
  }
  return { n, d, data };
}

/**
 * Points from an array of rows (all of one length).
 *
 * @throws ParameterError (`rows`) when a row's length differs from the first row's
 */
export function pointsFromRows(rows: ArrayLike<number>[]): Points {
  const n = rows.length;
  const d = n > 0 ? rows[0].length : 0;
  const data = new Float64Array(n * d);
  rows.forEach((row, i) => {
    if (row.length !== d) throw new ParameterError('rows', `row ${i} has ${row.length} values`, `${d} values in every row, as row 0 has`);
    for (let j = 0; j < d; j++) data[i * d + j] = row[j];
  });
  return { n, d, data };
}

/**
 * Check that `points` holds n × d values, all finite.
 *
 * @param parameter - the argument's name in the message (`points`)
 * @param what - how one point is named in the message (`point`, `new point`)
 * @param expected - what the caller accepts (default `finite values`)
 * @throws ParameterError naming the first non-finite value: `points: point 6 has NaN in feature 2 (expected finite values)`
 */
export function checkFinitePoints(points: Points, parameter = 'points', what = 'point', expected = 'finite values'): void {
  const { n, d, data } = points;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 0 || data.length !== n * d) {
    throw new ParameterError(parameter, `n = ${n}, d = ${d} with ${data.length} values`, 'n × d values');
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const p = Math.floor(i / d);
      throw new ParameterError(parameter, `${what} ${p} has ${data[i]} in feature ${i - p * d}`, expected);
    }
  }
}

/** Point `i` as a zero-copy view. */
export function pointAt(points: Points, i: number): Float64Array {
  return points.data.subarray(i * points.d, (i + 1) * points.d);
}

/** The points as plain arrays (for libraries that want `number[][]`). */
export function pointsToRows(points: Points): number[][] {
  const rows: number[][] = new Array(points.n);
  for (let i = 0; i < points.n; i++) rows[i] = Array.from(pointAt(points, i));
  return rows;
}

/** A subset of the points, in the order of `indices`. */
export function selectPoints(points: Points, indices: ArrayLike<number>): Points {
  const { d } = points;
  const data = new Float64Array(indices.length * d);
  for (let k = 0; k < indices.length; k++) data.set(pointAt(points, indices[k]), k * d);
  return { n: indices.length, d, data };
}

/** Squared Euclidean distance between point `i` of `a` and point `j` of `b`. */
export function squaredDistance(a: Points, i: number, b: Points, j: number): number {
  const d = a.d;
  let s = 0;
  const ao = i * d;
  const bo = j * b.d;
  for (let c = 0; c < d; c++) {
    const x = a.data[ao + c] - b.data[bo + c];
    s += x * x;
  }
  return s;
}

/** Full Euclidean distance matrix, row-major `n × n`. */
export function euclideanDistances(points: Points): Float64Array {
  const n = points.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.sqrt(squaredDistance(points, i, points, j));
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
