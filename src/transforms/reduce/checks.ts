/**
 * Input checks shared by the reduction models: well-formed finite points, and dissimilarity matrices.
 */
import type { Points } from '../points.js';

export function checkPoints(points: Points, what: string): void {
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

export function checkProjected(points: Points, d: number): void {
  if (points.d !== d) throw new RangeError(`cannot project points of ${points.d} features into a reduction fitted on ${d}`);
  checkPoints(points, 'new point');
}

export function allIdentical(points: Points): boolean {
  const { n, d, data } = points;
  for (let i = 1; i < n; i++) for (let c = 0; c < d; c++) if (data[i * d + c] !== data[c]) return false;
  return true;
}

export function checkDissimilarities(delta: Float64Array, n: number): void {
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
