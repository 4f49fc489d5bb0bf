/**
 * The linear algebra under PCA and classical MDS: a symmetric eigendecomposition (ml-matrix), Gram–Schmidt
 * orthonormalisation and the sign convention of the output axes (see the header of `../reduce.ts`).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Relative tolerance under which two |values| count as tied in the sign convention. */
const SIGN_TIE = 1e-9;

/**
 * Eigenvalues (descending) and the matching eigenvectors (columns of `vectors`) of a symmetric m × m
 * matrix; only the first `k` are meaningful in order (ties keep the solver's order).
 */
export function symmetricEigen(a: Float64Array, m: number, k: number): { values: number[]; vectors: Matrix } {
  const matrix = new Matrix(m, m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) matrix.set(i, j, a[i * m + j]);
  const evd = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, i) => i).sort((p, q) => raw[q] - raw[p] || p - q);
  const take = order.slice(0, Math.min(k, m));
  const vectors = new Matrix(m, take.length);
  const ev = evd.eigenvectorMatrix;
  take.forEach((src, c) => {
    for (let i = 0; i < m; i++) vectors.set(i, c, ev.get(i, src));
  });
  return { values: take.map((i) => raw[i]), vectors };
}

/**
 * Gram–Schmidt (twice, for accuracy) over the `k` rows of length `d`. A row that vanishes against the
 * previous ones (or is exactly zero) is replaced by the first unit basis vector independent of them; rows
 * beyond `d` are set to zero.
 */
export function orthonormalise(rows: Float64Array, k: number, d: number): void {
  let basis = 0;
  const reduceAgainst = (v: Float64Array, c: number): number => {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        const w = rows.subarray(p * d, (p + 1) * d);
        const s = dot(v, w);
        for (let a = 0; a < d; a++) v[a] -= s * w[a];
      }
    }
    return Math.sqrt(dot(v, v));
  };
  for (let c = 0; c < k; c++) {
    const v = rows.subarray(c * d, (c + 1) * d);
    if (c >= d) {
      v.fill(0);
      continue;
    }
    const original = Math.sqrt(dot(v, v));
    let norm = reduceAgainst(v, c);
    if (!(original > 0 && norm > 1e-8 * original)) {
      norm = 0;
      while (basis < d && !(norm > 0.5)) {
        v.fill(0);
        v[basis++] = 1;
        norm = reduceAgainst(v, c);
      }
    }
    for (let a = 0; a < d; a++) v[a] /= norm;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Sign convention: negate column `c` of the n × k row-major `values` unless its entry of largest |value|
 * (the first one within a relative {@link SIGN_TIE} of the largest) is already ≥ 0. Returns whether it flipped.
 */
export function flipSign(values: Float64Array, n: number, k: number, c: number): boolean {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i * k + c]));
  if (max === 0) return false;
  const threshold = max * (1 - SIGN_TIE);
  for (let i = 0; i < n; i++) {
    const v = values[i * k + c];
    if (Math.abs(v) >= threshold) {
      if (v >= 0) return false;
      for (let j = 0; j < n; j++) values[j * k + c] = -values[j * k + c];
      return true;
    }
  }
  return false;
}
