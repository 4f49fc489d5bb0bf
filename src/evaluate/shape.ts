/**
 * Retrieval evaluation of a distance between tracks, built as mir_eval builds its metrics: {@link validate}
 * checks the inputs and says what is wrong, {@link evaluate} returns named scores.
 *
 * Every track in turn is the query; the others are ranked by distance (ties broken by position, so the
 * scores are deterministic); a track is relevant to the query when it has the same label. Scores:
 *
 * - `map` — mean average precision over the queries (a query without another member of its class is left
 *   out): AP = (1/R) Σ over the R relevant tracks of the precision at its rank.
 * - `precisionAt{k}` — mean precision of the first k results (k = 1, 5, and R: R-precision as `rPrecision`).
 * - `chanceMap` — the expected MAP of a random ranking of the same classes, exactly: for a query with R
 *   relevant among N candidates, E[AP] = H_N / N + (R − 1)(N − H_N) / (N (N − 1)), H_N the N-th harmonic
 *   number, averaged over the queries.
 */
import { ParameterError } from '../errors.js';

/** Named scores of {@link evaluate}. */
export interface RetrievalScores {
  /** Mean average precision. */
  map: number;
  /** Mean precision of the first result. */
  precisionAt1: number;
  /** Mean precision of the first 5 results. */
  precisionAt5: number;
  /** Mean precision of the first R results (R = the query's relevant count). */
  rPrecision: number;
  /** Expected MAP of a random ranking (see the module comment). */
  chanceMap: number;
  /** Queries scored (tracks with at least one other track of their class). */
  queries: number;
}

/**
 * Check a distance matrix and its labels.
 *
 * @param distances - row-major n × n, finite and ≥ 0 off the diagonal
 * @param labels - n class labels
 * @throws ParameterError naming the problem: sizes that disagree, fewer than 2 tracks, a non-finite or negative
 *   distance, no class with two members
 */
export function validate(distances: ArrayLike<number>, labels: readonly string[]): void {
  const n = labels.length;
  if (n < 2) throw new ParameterError('labels', `${n} track${n === 1 ? '' : 's'}`, 'at least 2 tracks');
  if (distances.length !== n * n) throw new ParameterError('distances', `${distances.length} values`, `a ${n} × ${n} matrix (${n * n} values) for ${n} labels`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = distances[i * n + j];
      if (!(Number.isFinite(d) && d >= 0)) throw new ParameterError('distances', `${d} at (${i}, ${j})`, 'finite distances ≥ 0');
    }
  }
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  if (![...counts.values()].some((c) => c >= 2)) throw new ParameterError('labels', 'no class with two members', 'a class of at least two tracks, something to retrieve');
}

/** Expected average precision of a random ranking of N candidates of which R are relevant. */
export function chanceAveragePrecision(candidates: number, relevant: number): number {
  const N = candidates;
  const R = relevant;
  if (R <= 0 || N <= 0) return 0;
  if (N === 1) return 1;
  let h = 0;
  for (let k = 1; k <= N; k++) h += 1 / k;
  return h / N + ((R - 1) * (N - h)) / (N * (N - 1));
}

/** The other tracks ranked for query `q`: by distance, ties by position. */
export function rankFor(distances: ArrayLike<number>, n: number, q: number): number[] {
  const others: number[] = [];
  for (let j = 0; j < n; j++) if (j !== q) others.push(j);
  return others.sort((a, b) => distances[q * n + a] - distances[q * n + b] || a - b);
}

/**
 * Score the retrieval of same-label tracks by `distances` (see the module comment).
 *
 * @throws ParameterError as {@link validate}
 */
export function evaluate(distances: ArrayLike<number>, labels: readonly string[]): RetrievalScores {
  validate(distances, labels);
  const n = labels.length;
  let map = 0;
  let p1 = 0;
  let p5 = 0;
  let rp = 0;
  let chance = 0;
  let queries = 0;
  for (let q = 0; q < n; q++) {
    const ranked = rankFor(distances, n, q);
    const R = ranked.filter((j) => labels[j] === labels[q]).length;
    if (R === 0) continue;
    queries++;
    let hits = 0;
    let ap = 0;
    ranked.forEach((j, r) => {
      if (labels[j] !== labels[q]) return;
      hits++;
      ap += hits / (r + 1);
    });
    map += ap / R;
    const precisionAt = (k: number) => ranked.slice(0, k).filter((j) => labels[j] === labels[q]).length / Math.min(k, ranked.length);
    p1 += precisionAt(1);
    p5 += precisionAt(5);
    rp += precisionAt(R);
    chance += chanceAveragePrecision(n - 1, R);
  }
  return { map: map / queries, precisionAt1: p1 / queries, precisionAt5: p5 / queries, rPrecision: rp / queries, chanceMap: chance / queries, queries };
}
