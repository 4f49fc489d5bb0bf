/**
 * Torgerson's classical scaling of a dissimilarity matrix (the literal O(n³) algorithm).
 */
import { ParameterError } from '../../errors.js';
import type { Points } from '../points.js';
import { checkDissimilarities } from './checks.js';
import { flipSign, symmetricEigen } from './linalg.js';

export interface ClassicalMdsOptions {
  /** Output dimensions (any positive integer < n; {@link reduce} only asks for 2 or 3). */
  ndims: number;
}

export interface ClassicalMdsResult {
  /** Coordinates U·Λ₊^½, sign-fixed as described in the module header [shape=(n, ndims)]. */
  points: Points;
  /** The `ndims` largest eigenvalues of B = −½·J·D²·J, descending, as computed (an axis with a negative one is 0). */
  eigenvalues: number[];
  /** Trace of B (the sum of all its eigenvalues; for Euclidean distances the total sum of squares about the centroid). */
  trace: number;
}

/**
 * Torgerson's classical scaling of a dissimilarity matrix: square it, double-centre it
 * (B = −½·J·D²·J, J = I − 11ᵀ/n), and take the top `ndims` eigenvectors scaled by the square root of their
 * eigenvalues; negative eigenvalues (non-Euclidean dissimilarities) give zero coordinates.
 *
 * This is the literal algorithm, with a dense O(n³) eigendecomposition (≈ 0.3 s at n = 250, ≈ 1.6 s at
 * n = 500). For points under Euclidean distances use `reduce(points, {model: 'classical-mds'})`, which gets
 * the same coordinates in O(n·d²).
 *
 * @param dissimilarities - symmetric, zero diagonal, finite, ≥ 0 [shape=(n, n)] row-major
 * @throws ParameterError for a malformed matrix (`n`, `dissimilarities`) or `ndims` outside [1, n − 1]
 */
export function classicalMds(dissimilarities: Float64Array, n: number, options: ClassicalMdsOptions): ClassicalMdsResult {
  const { ndims } = options;
  checkDissimilarities(dissimilarities, n);
  if (!Number.isInteger(ndims) || ndims < 1 || ndims >= n) {
    throw new ParameterError('ndims', String(ndims), `an integer in [1, ${n - 1}] for classical MDS of ${n} points`);
  }
  const b = new Float64Array(n * n);
  const rowMean = new Float64Array(n);
  let grand = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // Symmetrised (the input is symmetric to within rounding).
      const v = 0.5 * (dissimilarities[i * n + j] + dissimilarities[j * n + i]);
      const sq = v * v;
      b[i * n + j] = sq;
      rowMean[i] += sq;
    }
    grand += rowMean[i];
    rowMean[i] /= n;
  }
  grand /= n * n;
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) b[i * n + j] = -0.5 * (b[i * n + j] - rowMean[i] - rowMean[j] + grand);
    trace += b[i * n + i];
  }
  const { values, vectors } = symmetricEigen(b, n, ndims);
  const coords = new Float64Array(n * ndims);
  for (let c = 0; c < ndims; c++) {
    const root = values[c] > 0 ? Math.sqrt(values[c]) : 0;
    if (root === 0) continue;
    for (let i = 0; i < n; i++) coords[i * ndims + c] = vectors.get(i, c) * root;
    flipSign(coords, n, ndims, c);
  }
  return { points: { n, d: ndims, data: coords }, eigenvalues: values.slice(0, ndims), trace };
}
