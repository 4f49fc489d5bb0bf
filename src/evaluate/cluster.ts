/**
 * Agreement of two labelings of the same points (clusterings, segmentations sampled on a grid), by
 * counting pairs of points: {@link validate} the labelings, then {@link evaluate} gives named scores under
 * mir_eval.segment's names (`Pairwise Precision`, `Pairwise Recall`, `Pairwise F-measure`, `Rand Index`,
 * `Adjusted Rand Index`), computed as scikit-learn computes them from its pair confusion matrix.
 *
 * Use as a namespace, as mir_eval is used: `import * as cluster from '../evaluate/cluster.js'`.
 */
import { ParameterError } from '../errors.js';

/**
 * `sklearn.metrics.cluster.pair_confusion_matrix(a, b)`, exactly (BigInt): ordered pairs of distinct
 * points (each unordered pair counts twice) that both labelings join (`both`), only `b` joins (`onlyB`),
 * only `a` joins (`onlyA`), or neither joins (`neither`). They add up to n·(n − 1).
 */
interface PairCounts {
  both: bigint;
  onlyA: bigint;
  onlyB: bigint;
  neither: bigint;
}

function pairCounts(a: ArrayLike<number>, b: ArrayLike<number>): PairCounts {
  const n = a.length;
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
  const both = sumSquares - nn;
  const onlyB = rowDot - sumSquares;
  const onlyA = colDot - sumSquares;
  const neither = nn * nn - onlyB - onlyA - sumSquares;
  return { both, onlyA, onlyB, neither };
}

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
  return ari(pairCounts(a, b));
}

function ari({ both: tp, onlyA: fn, onlyB: fp, neither: tn }: PairCounts): number {
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

// ---- validate and evaluate -----------------------------------------------------------------------------

/**
 * Check two labelings before scoring them: as many labels in each, every label a finite number (the
 * label values themselves mean nothing; only which points share one).
 *
 * @param reference - reference label of each point [shape=(n)]
 * @param estimated - estimated label of each point [shape=(n)]
 * @throws ParameterError (`estimated`) for another length, (`reference` or `estimated`) for a label that is
 *   not a finite number, naming its index
 */
export function validate(reference: ArrayLike<number>, estimated: ArrayLike<number>): void {
  if (estimated.length !== reference.length) {
    throw new ParameterError('estimated', `${estimated.length} labels`, `${reference.length} labels, one per point as in reference`);
  }
  for (const [parameter, labels] of [['reference', reference], ['estimated', estimated]] as const) {
    for (let i = 0; i < labels.length; i++) {
      if (!Number.isFinite(labels[i])) throw new ParameterError(parameter, `label ${i} is ${labels[i]}`, 'finite numbers');
    }
  }
}

/**
 * Score `estimated` labels against `reference` labels by counting pairs of points, after {@link validate}.
 * In order:
 * - `Pairwise Precision`: of the pairs `estimated` puts together, the fraction `reference` puts together too
 *   (mir_eval.segment.pairwise's precision); 0 when `estimated` puts no pair together.
 * - `Pairwise Recall`: of the pairs `reference` puts together, the fraction `estimated` puts together too;
 *   0 when `reference` puts no pair together.
 * - `Pairwise F-measure`: their harmonic mean (0 when both are 0).
 * - `Rand Index`: the fraction of pairs on which the two agree (together in both, or apart in both), as
 *   `sklearn.metrics.rand_score` (1.0 for fewer than 2 points).
 * - `Adjusted Rand Index`: {@link adjustedRandIndex}.
 *
 * mir_eval computes the same pair counts on labels sampled from segment intervals (frames of 0.1 s);
 * here the labels are given per point (per time bin), and the counts are exact integers. mir_eval
 * returns NaN where a ratio is 0/0; this returns 0 there (scikit-learn's `zero_division=0`), so the
 * scores always serialise as JSON numbers. All scores are unitless; 1 is perfect agreement.
 *
 * @param reference - reference label of each point [shape=(n)]
 * @param estimated - estimated label of each point [shape=(n)]
 * @throws ParameterError as {@link validate}
 */
export function evaluate(reference: ArrayLike<number>, estimated: ArrayLike<number>): Record<string, number> {
  validate(reference, estimated);
  const counts = pairCounts(reference, estimated);
  const { both, onlyA, onlyB, neither } = counts;
  const ratio = (num: bigint, den: bigint): number => (den === 0n ? 0 : Number(num) / Number(den));
  const precision = ratio(both, both + onlyB);
  const recall = ratio(both, both + onlyA);
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const agree = both + neither;
  const pairs = agree + onlyA + onlyB;
  const rand = pairs === 0n || agree === pairs ? 1.0 : Number(agree) / Number(pairs);
  return {
    'Pairwise Precision': precision,
    'Pairwise Recall': recall,
    'Pairwise F-measure': f,
    'Rand Index': rand,
    'Adjusted Rand Index': ari(counts),
  };
}
