/**
 * Input checks shared by the reduction models: well-formed finite points, and dissimilarity matrices.
 */
import { ParameterError } from '../../errors.js';
import { checkFinitePoints, type Points } from '../points.js';

/**
 * Points a reduction can take: n × d values, all finite.
 *
 * @param what - how a row is named in the message (`point`, `new point`)
 * @throws ParameterError (`points`) naming the first non-finite value: `point 7 has NaN in feature 4`
 */
export function checkPoints(points: Points, what: string): void {
  checkFinitePoints(points, 'points', what, 'finite values; drop or fill missing values before reducing');
}

/**
 * New points a fitted reduction can project: `d` features, all finite.
 *
 * @throws ParameterError (`points`) for another number of features or a non-finite value
 */
export function checkProjected(points: Points, d: number): void {
  if (points.d !== d) throw new ParameterError('points', `${points.d} features`, `${d} features, as the points the reduction was fitted on`);
  checkPoints(points, 'new point');
}

export function allIdentical(points: Points): boolean {
  const { n, d, data } = points;
  for (let i = 1; i < n; i++) for (let c = 0; c < d; c++) if (data[i * d + c] !== data[c]) return false;
  return true;
}

/**
 * A dissimilarity matrix of `n` points: n × n values, finite, ≥ 0, a zero diagonal, symmetric to within
 * 1e-10 of its largest value.
 *
 * @throws ParameterError (`n` or `dissimilarities`) naming the offending entry
 */
export function checkDissimilarities(delta: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ParameterError('n', String(n), 'a positive integer (the number of points)');
  if (delta.length !== n * n) {
    throw new ParameterError('dissimilarities', `${delta.length} values`, `n × n = ${n} × ${n} values`);
  }
  let max = 0;
  for (let i = 0; i < delta.length; i++) {
    const v = delta[i];
    if (!Number.isFinite(v) || v < 0) {
      throw new ParameterError('dissimilarities', `[${Math.floor(i / n)}][${i % n}] is ${v}`, 'finite values ≥ 0');
    }
    if (v > max) max = v;
  }
  const tol = 1e-10 * Math.max(1, max);
  for (let i = 0; i < n; i++) {
    if (delta[i * n + i] !== 0) throw new ParameterError('dissimilarities', `[${i}][${i}] is ${delta[i * n + i]}`, 'a zero diagonal');
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(delta[i * n + j] - delta[j * n + i]) > tol) {
        throw new ParameterError('dissimilarities', `[${i}][${j}] = ${delta[i * n + j]} but [${j}][${i}] = ${delta[j * n + i]}`, 'a symmetric matrix');
      }
    }
  }
}
