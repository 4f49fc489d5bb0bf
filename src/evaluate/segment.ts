/**
 * Boundary lists of segmentations and their hit-rate evaluation, with mir_eval.segment.detection's
 * conventions.
 */
import { ParameterError } from '../errors.js';

/**
 * The conventions of songscope's boundary evaluation ({@link boundaryFMeasure}).
 */
export const BOUNDARY_CONVENTIONS =
  'Boundary lists are times in seconds, sorted, and include the track start (first boundary) and end ' +
  '(last boundary), as mir_eval.util.intervals_to_boundaries gives for a list of segment intervals. ' +
  'Scores are mir_eval.segment.detection(reference_intervals, estimated_intervals, window, beta=1.0, ' +
  'trim=False): an estimated boundary hits a reference boundary when |r − e| ≤ window (window in seconds, ' +
  'plus 1e-9 s of float slack), each boundary is used at most once (maximum bipartite matching), ' +
  'precision = hits/len(estimated), recall = hits/len(reference), F = 2PR/(P+R). By default (trim=false) ' +
  'the start and end boundaries count, which inflates scores for short lists; trim=true drops the first ' +
  'and last boundary of both lists, as mir_eval with trim=True.';

/**
 * The boundary list of a labeling: the first time, every time where the label changes, and `endS`.
 * Changes at or after `endS` (a track end that falls inside the last bin, e.g. an analysis whose last
 * segment overruns `track.duration`) are dropped, so the list stays strictly increasing.
 *
 * @param labels - label per time point [shape=(n)]
 * @param timesS - start of each time point, seconds, increasing [shape=(n)]
 * @param endS - end of the track, seconds (> the first time)
 * @returns boundaries in seconds, including start and end; `[]` for no points
 * @throws ParameterError (`timesS`) if the lengths differ, (`endS`) if it is not after the first time
 */
export function labelsToBoundaries(labels: ArrayLike<number>, timesS: ArrayLike<number>, endS: number): number[] {
  const n = labels.length;
  if (timesS.length !== n) throw new ParameterError('timesS', `${timesS.length} times for ${n} labels`, 'one time per label');
  if (n === 0) return [];
  if (!(endS > timesS[0])) throw new ParameterError('endS', `${endS} s`, `a time after the first time, ${timesS[0]} s`);
  const out = [timesS[0]];
  for (let i = 1; i < n; i++) if (labels[i] !== labels[i - 1] && timesS[i] < endS) out.push(timesS[i]);
  out.push(endS);
  return out;
}

/**
 * The reference boundary list of an analysis: every section start plus `endS`, sorted and de-duplicated
 * (no sections: `[0, endS]`).
 *
 * @param sections - the analysis' sections (`start`, `duration` in seconds)
 * @param endS - end of the track, seconds (usually `track.duration`)
 */
export function sectionBoundaries(sections: readonly { start: number; duration: number }[], endS: number): number[] {
  const times = sections.length > 0 ? sections.map((s) => s.start) : [0];
  times.push(endS);
  return uniqueSorted(times);
}

export interface BoundaryScore {
  precision: number;
  recall: number;
  f: number;
  /** Number of matched boundary pairs. */
  hits: number;
}

/** Float slack on the hit window, seconds (mir_eval compares `|r − e| ≤ window` exactly). */
const WINDOW_SLACK = 1e-9;

/**
 * Boundary detection scores, as `mir_eval.segment.detection(ref_intervals, est_intervals, window,
 * beta=1.0, trim)` on the boundary lists those intervals give. See {@link BOUNDARY_CONVENTIONS}.
 *
 * Both lists are sorted and de-duplicated first (mir_eval's `np.unique`). If either list is empty
 * (after trimming) every score is 0.
 *
 * @param reference - reference boundaries, seconds, including start and end
 * @param estimated - estimated boundaries, seconds, including start and end
 * @param window - hit window, seconds (mir_eval's usual values: 0.5 and 3.0)
 * @param options.trim - drop the first and last boundary of both lists (default false)
 * @throws ParameterError (`window`) for a negative or NaN window
 */
export function boundaryFMeasure(reference: readonly number[], estimated: readonly number[], window: number, options: { trim?: boolean } = {}): BoundaryScore {
  if (!(window >= 0)) throw new ParameterError('window', String(window), 'a number ≥ 0 (seconds)');
  let ref = uniqueSorted(reference);
  let est = uniqueSorted(estimated);
  if (options.trim) {
    ref = ref.slice(1, -1);
    est = est.slice(1, -1);
  }
  if (ref.length === 0 || est.length === 0) return { precision: 0, recall: 0, f: 0, hits: 0 };
  const hits = maximumMatching(ref, est, window + WINDOW_SLACK);
  const precision = hits / est.length;
  const recall = hits / ref.length;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f, hits };
}

function uniqueSorted(values: readonly number[]): number[] {
  const s = values.slice().sort((a, b) => a - b);
  return s.filter((v, i) => i === 0 || v !== s[i - 1]);
}

/**
 * Size of a maximum matching between `ref` and `est` where `ref[i]`–`est[j]` may pair if
 * `|ref[i] − est[j]| ≤ window` (augmenting paths, Kuhn's algorithm: exact, O(V·E)).
 */
function maximumMatching(ref: number[], est: number[], window: number): number {
  const adj: number[][] = est.map((e) => {
    const out: number[] = [];
    ref.forEach((r, i) => {
      if (Math.abs(r - e) <= window) out.push(i);
    });
    return out;
  });
  const refMatch = new Int32Array(ref.length).fill(-1);
  let visited = new Uint8Array(ref.length);
  const augment = (j: number): boolean => {
    for (const i of adj[j]) {
      if (visited[i]) continue;
      visited[i] = 1;
      if (refMatch[i] < 0 || augment(refMatch[i])) {
        refMatch[i] = j;
        return true;
      }
    }
    return false;
  };
  let hits = 0;
  for (let j = 0; j < est.length; j++) {
    if (adj[j].length === 0) continue;
    visited = new Uint8Array(ref.length);
    if (augment(j)) hits++;
  }
  return hits;
}
