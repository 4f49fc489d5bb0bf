/**
 * Segment boundaries, evaluated as `mir_eval.segment` evaluates them: {@link validate} the two boundary
 * lists, then {@link evaluate} gives named scores — the hit rate of `mir_eval.segment.detection` at each
 * window and the median deviations of `mir_eval.segment.deviation` — under mir_eval's own names, so the
 * tests, the bench and `--json` output share one vocabulary. Also the boundary lists themselves
 * ({@link labelsToBoundaries}, {@link sectionBoundaries}).
 *
 * Use as a namespace, as mir_eval is used: `import * as segment from '../evaluate/segment.js'`, then
 * `segment.validate(ref, est)` and `segment.evaluate(ref, est)`.
 */
import { ParameterError } from '../errors.js';
import { matchedPairs } from './match.js';

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
 * @param windowS - hit window, seconds (mir_eval's `window`; its usual values: 0.5 and 3.0)
 * @param options.trim - drop the first and last boundary of both lists (default false)
 * @throws ParameterError (`windowS`) for a negative or NaN window
 */
export function boundaryFMeasure(reference: readonly number[], estimated: readonly number[], windowS: number, options: { trim?: boolean } = {}): BoundaryScore {
  if (!(windowS >= 0)) throw new ParameterError('windowS', String(windowS), 'a number ≥ 0 (seconds)');
  let ref = uniqueSorted(reference);
  let est = uniqueSorted(estimated);
  if (options.trim) {
    ref = ref.slice(1, -1);
    est = est.slice(1, -1);
  }
  if (ref.length === 0 || est.length === 0) return { precision: 0, recall: 0, f: 0, hits: 0 };
  const hits = matchedPairs(ref, est, windowS + WINDOW_SLACK);
  const precision = hits / est.length;
  const recall = hits / ref.length;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f, hits };
}

function uniqueSorted(values: readonly number[]): number[] {
  const s = values.slice().sort((a, b) => a - b);
  return s.filter((v, i) => i === 0 || v !== s[i - 1]);
}

// ---- validate and evaluate (mir_eval.segment) ----------------------------------------------------------

/** The hit windows {@link evaluate} scores by default, seconds (mir_eval.segment.evaluate's 0.5 and 3.0). */
export const DEFAULT_WINDOWS_S: readonly number[] = Object.freeze([0.5, 3]);

/**
 * Check two boundary lists before scoring them (mir_eval's `validate_boundary` and `validate_intervals`):
 * every boundary a finite number of seconds ≥ 0 (mir_eval refuses negative interval times). Order and
 * repeats are not checked: the scores sort and de-duplicate, as mir_eval's `np.unique` does. An empty
 * list is accepted (mir_eval warns; every hit-rate score is then 0).
 *
 * @param reference - reference boundaries, seconds [shape=(n)]
 * @param estimated - estimated boundaries, seconds [shape=(m)]
 * @throws ParameterError (`reference` or `estimated`) naming the first boundary that is negative or not finite
 */
export function validate(reference: readonly number[], estimated: readonly number[]): void {
  for (const [parameter, list] of [['reference', reference], ['estimated', estimated]] as const) {
    list.forEach((t, i) => {
      if (!(Number.isFinite(t) && t >= 0)) throw new ParameterError(parameter, `boundary ${i} is ${t}`, 'finite times ≥ 0 (seconds)');
    });
  }
}

export interface EvaluateOptions {
  /** Hit windows, seconds, each ≥ 0; default {@link DEFAULT_WINDOWS_S} (0.5 and 3). */
  windowsS?: readonly number[];
  /** Drop the first and last boundary of both lists (mir_eval's `trim`); default false. */
  trim?: boolean;
}

/**
 * Score `estimated` boundaries against `reference` ones as `mir_eval.segment.evaluate` scores boundaries:
 * after {@link validate}, for each window `w` (in order) `Precision@w`, `Recall@w` and `F-measure@w` of
 * {@link boundaryFMeasure}, then `Ref-to-est deviation` and `Est-to-ref deviation` — the median, over the
 * reference (estimated) boundaries, of the distance in seconds to the nearest estimated (reference) one,
 * as `mir_eval.segment.deviation` (NaN when either list is empty after trimming; 0 is perfect).
 *
 * A window is written as Python prints a float, as mir_eval's keys are: `Precision@0.5`, `F-measure@3.0`.
 * The record's key order is the order above (insertion order), so it serialises the same way each time.
 *
 * Units: boundaries and windows in seconds; precision, recall and F in [0, 1]; deviations in seconds.
 *
 * @param reference - reference boundaries, seconds, including start and end [shape=(n)]
 * @param estimated - estimated boundaries, seconds, including start and end [shape=(m)]
 * @throws ParameterError for a boundary {@link validate} refuses, or (`windowsS`) a negative or NaN window
 */
export function evaluate(reference: readonly number[], estimated: readonly number[], options: EvaluateOptions = {}): Record<string, number> {
  validate(reference, estimated);
  const windowsS = options.windowsS ?? DEFAULT_WINDOWS_S;
  windowsS.forEach((w) => {
    if (!(w >= 0 && Number.isFinite(w))) throw new ParameterError('windowsS', `[${windowsS.join(', ')}]`, 'finite windows ≥ 0 (seconds)');
  });
  const trim = options.trim ?? false;
  const scores: Record<string, number> = {};
  for (const w of windowsS) {
    const { precision, recall, f } = boundaryFMeasure(reference, estimated, w, { trim });
    const at = pythonFloat(w);
    scores[`Precision@${at}`] = precision;
    scores[`Recall@${at}`] = recall;
    scores[`F-measure@${at}`] = f;
  }
  const [refToEst, estToRef] = deviation(reference, estimated, trim);
  scores['Ref-to-est deviation'] = refToEst;
  scores['Est-to-ref deviation'] = estToRef;
  return scores;
}

/**
 * `mir_eval.segment.deviation`: the median distance from each reference boundary to its nearest estimated
 * one, and from each estimated boundary to its nearest reference one, seconds; NaN for an empty list.
 */
function deviation(reference: readonly number[], estimated: readonly number[], trim: boolean): [number, number] {
  let ref = uniqueSorted(reference);
  let est = uniqueSorted(estimated);
  if (trim) {
    ref = ref.slice(1, -1);
    est = est.slice(1, -1);
  }
  if (ref.length === 0 || est.length === 0) return [NaN, NaN];
  const nearest = (t: number, list: number[]): number => list.reduce((best, u) => Math.min(best, Math.abs(t - u)), Infinity);
  return [median(ref.map((r) => nearest(r, est))), median(est.map((e) => nearest(e, ref)))];
}

/** numpy's median: the middle value, or the mean of the two middle values. */
function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A number as Python's `str(float(x))` writes it for the usual windows: 3 → "3.0", 0.5 → "0.5". */
function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
