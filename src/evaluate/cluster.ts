/**
 * Agreement of two labelings of the same points (clusterings, segmentations sampled on a grid).
 */
import { ParameterError } from '../errors.js';

/**
 * Adjusted Rand index of two labelings of the same points (Hubert & Arabie 1985), computed exactly as
 * `sklearn.metrics.adjusted_rand_score` (pair confusion counts in exact integer arithmetic): 1 for
 * identical partitions whatever the label values, ≈ 0 for chance agreement, negative below chance.
 * When neither labeling splits a pair the other joins (e.g. both put everything in one cluster, or
 * both are all singletons, or there are no points) the result is 1.0, as scikit-learn returns.
 *
 * @param a - labels [shape=(n)], any numbers
 * @param b - labels [shape=(n)], any numbers
 * @throws ParameterError (`b`) if the lengths differ
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new ParameterError('b', `${b.length} labels`, `${n} labels, as many as a has`);
  const ia = denseIds(a);
  const ib = denseIds(b);
  const ka = ia.count;
  const kb = ib.count;
  const table = new Map<number, number>();
  const rowSums = new Float64Array(ka);
  const colSums = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    const key = ia.ids[i] * kb + ib.ids[i];
    table.set(key, (table.get(key) ?? 0) + 1);
    rowSums[ia.ids[i]]++;
    colSums[ib.ids[i]]++;
  }
  // sklearn.metrics.cluster.pair_confusion_matrix.
  let sumSquares = 0n;
  let rowDot = 0n; // Σ_ij n_ij · colSum_j
  let colDot = 0n; // Σ_ij n_ij · rowSum_i
  for (const [key, v] of table) {
    const bv = BigInt(v);
    sumSquares += bv * bv;
    rowDot += bv * BigInt(colSums[key % kb]);
    colDot += bv * BigInt(rowSums[Math.floor(key / kb)]);
  }
  const nn = BigInt(n);
  const tp = sumSquares - nn;
  const fp = rowDot - sumSquares;
  const fn = colDot - sumSquares;
  const tn = nn * nn - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1.0;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return Number(num) / Number(den);
}

function denseIds(labels: ArrayLike<number>): { ids: Int32Array; count: number } {
  const map = new Map<number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = map.get(labels[i]);
    if (id === undefined) {
      id = map.size;
      map.set(labels[i], id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}
