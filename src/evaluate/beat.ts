/**
 * Beat tracking, evaluated as `mir_eval.beat` evaluates it: {@link validate} the two beat lists, then
 * {@link evaluate} trims the first 5 s and gives named scores (`F-measure`, `Precision`, `Recall`,
 * `Cemgil`), so the tests, the bench and `--json` output share one vocabulary.
 *
 * Conventions (mir_eval 0.8's):
 * - Beat times are in seconds, sorted ascending (repeats allowed), none above 30,000 s
 *   (`mir_eval.beat.MAX_TIME`, which catches milliseconds passed as seconds).
 * - {@link evaluate} drops the beats before 5 s from both lists first (`mir_eval.beat.trim_beats`): the
 *   first seconds of a track are where trackers settle, and mir_eval does not score them.
 * - F-measure: an estimated beat hits a reference beat within ±70 ms, each beat used at most once (a
 *   maximum matching, `mir_eval.util.match_events`); precision = hits / estimated beats, recall = hits /
 *   reference beats, F = 2PR / (P + R). Either list empty → 0.
 * - Cemgil: each reference beat scores `exp(−e² / (2σ²))` for the error `e` to its nearest estimated beat
 *   (σ = 40 ms); the sum is divided by the mean length of the two lists. Either list empty → 0. Only the
 *   score at the annotated metrical level (`mir_eval.beat.cemgil`'s first value), not its best over
 *   doubled and halved tempi.
 *
 * Use as a namespace, as mir_eval is used: `import * as beat from '../evaluate/beat.js'`.
 */
import { ParameterError } from '../errors.js';
import { matchedPairs } from './match.js';

/** The latest beat time accepted, seconds (mir_eval.beat.MAX_TIME). */
export const MAX_BEAT_TIME_S = 30000;

/** Beats before this time are not scored by {@link evaluate}, seconds (mir_eval's `trim_beats` default). */
export const DEFAULT_MIN_BEAT_TIME_S = 5;

/** The F-measure hit window, ± seconds (mir_eval's `f_measure_threshold`). */
export const DEFAULT_WINDOW_S = 0.07;

/** The width of Cemgil's Gaussian error window, seconds (mir_eval's `cemgil_sigma`). */
export const DEFAULT_CEMGIL_SIGMA_S = 0.04;

/**
 * Check two beat lists before scoring them, as `mir_eval.beat.validate` (`util.validate_events`): each a
 * list of finite times in seconds, in ascending order (repeats allowed), none after
 * {@link MAX_BEAT_TIME_S}. mir_eval does not look for NaN; a NaN beat is refused here. Empty lists are
 * accepted (mir_eval warns; their scores are 0).
 *
 * @param reference - reference beat times, seconds [shape=(n)]
 * @param estimated - estimated beat times, seconds [shape=(m)]
 * @throws ParameterError (`reference` or `estimated`) naming the first beat that is not finite, lies after
 *   30,000 s, or comes before the beat ahead of it
 */
export function validate(reference: ArrayLike<number>, estimated: ArrayLike<number>): void {
  for (const [parameter, beats] of [['reference', reference], ['estimated', estimated]] as const) {
    for (let i = 0; i < beats.length; i++) {
      const t = beats[i];
      if (!Number.isFinite(t)) throw new ParameterError(parameter, `beat ${i} is ${t}`, 'finite times (seconds)');
      if (t > MAX_BEAT_TIME_S) {
        throw new ParameterError(parameter, `beat ${i} at ${t} s`, `times up to ${MAX_BEAT_TIME_S} s (seconds, not milliseconds)`);
      }
      if (i > 0 && t < beats[i - 1]) throw new ParameterError(parameter, `beat ${i} at ${t} s before beat ${i - 1} at ${beats[i - 1]} s`, 'times in ascending order');
    }
  }
}

/** The beats at or after `minBeatTimeS`, seconds (`mir_eval.beat.trim_beats`). */
export function trimBeats(beats: ArrayLike<number>, minBeatTimeS = DEFAULT_MIN_BEAT_TIME_S): number[] {
  return Array.from(beats).filter((t) => t >= minBeatTimeS);
}

export interface BeatFMeasure {
  /** Matched pairs / estimated beats, in [0, 1]. */
  precision: number;
  /** Matched pairs / reference beats, in [0, 1]. */
  recall: number;
  /** 2PR / (P + R), in [0, 1]; 0 when either list is empty or nothing matches. */
  fMeasure: number;
  /** Number of matched (reference, estimated) pairs. */
  matched: number;
}

/**
 * `mir_eval.beat.f_measure` on beat lists as given (no trimming: {@link evaluate} trims), with the counts
 * behind it. See the module notes for the matching.
 *
 * @param reference - reference beat times, seconds, ascending [shape=(n)]
 * @param estimated - estimated beat times, seconds, ascending [shape=(m)]
 * @param windowS - hit window, ± seconds; default 0.07
 * @throws ParameterError as {@link validate}, or (`windowS`) for a negative or non-finite window
 */
export function beatFMeasure(reference: ArrayLike<number>, estimated: ArrayLike<number>, windowS = DEFAULT_WINDOW_S): BeatFMeasure {
  validate(reference, estimated);
  if (!(Number.isFinite(windowS) && windowS >= 0)) throw new ParameterError('windowS', String(windowS), 'a number ≥ 0 (seconds)');
  if (reference.length === 0 || estimated.length === 0) return { precision: 0, recall: 0, fMeasure: 0, matched: 0 };
  const matched = matchedPairs(reference, estimated, windowS);
  const precision = matched / estimated.length;
  const recall = matched / reference.length;
  const fMeasure = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, fMeasure, matched };
}

/**
 * `mir_eval.beat.cemgil`'s score at the annotated metrical level, on beat lists as given (no trimming).
 *
 * @param sigmaS - width of the Gaussian error window, seconds; default 0.04
 * @returns a score in [0, 1]; 0 when either list is empty
 * @throws ParameterError as {@link validate}, or (`sigmaS`) for a width that is not a positive number
 */
export function cemgil(reference: ArrayLike<number>, estimated: ArrayLike<number>, sigmaS = DEFAULT_CEMGIL_SIGMA_S): number {
  validate(reference, estimated);
  if (!(Number.isFinite(sigmaS) && sigmaS > 0)) throw new ParameterError('sigmaS', String(sigmaS), 'a positive number (seconds)');
  if (reference.length === 0 || estimated.length === 0) return 0;
  let accuracy = 0;
  let j = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    // The nearest estimated beat: both lists ascend, so the candidate index only moves forward.
    while (j + 1 < estimated.length && Math.abs(estimated[j + 1] - r) <= Math.abs(estimated[j] - r)) j++;
    const e = Math.abs(r - estimated[j]);
    accuracy += Math.exp(-(e * e) / (2 * sigmaS * sigmaS));
  }
  return accuracy / (0.5 * (estimated.length + reference.length));
}

export interface EvaluateOptions {
  /** Beats before this time are dropped from both lists first, seconds; default 5 (0 keeps every beat). */
  minBeatTimeS?: number;
  /** F-measure hit window, ± seconds; default 0.07. */
  windowS?: number;
  /** Cemgil's Gaussian width, seconds; default 0.04. */
  cemgilSigmaS?: number;
}

/**
 * Score `estimated` beats against `reference` beats as `mir_eval.beat.evaluate` does, after
 * {@link validate}: both lists trimmed to the beats at or after `minBeatTimeS` (5 s), then, in order,
 * `F-measure`, `Precision`, `Recall` ({@link beatFMeasure}: mir_eval reports only the F-measure; its
 * precision and recall are reported here too) and `Cemgil` ({@link cemgil}). All scores in [0, 1].
 *
 * @param reference - reference beat times, seconds, ascending [shape=(n)]
 * @param estimated - estimated beat times, seconds, ascending [shape=(m)]
 * @throws ParameterError as {@link validate}, or for a bad option (`minBeatTimeS`, `windowS`, `sigmaS`)
 */
export function evaluate(reference: ArrayLike<number>, estimated: ArrayLike<number>, options: EvaluateOptions = {}): Record<string, number> {
  validate(reference, estimated);
  const minBeatTimeS = options.minBeatTimeS ?? DEFAULT_MIN_BEAT_TIME_S;
  if (!Number.isFinite(minBeatTimeS)) throw new ParameterError('minBeatTimeS', String(minBeatTimeS), 'a finite number (seconds)');
  const ref = trimBeats(reference, minBeatTimeS);
  const est = trimBeats(estimated, minBeatTimeS);
  const f = beatFMeasure(ref, est, options.windowS ?? DEFAULT_WINDOW_S);
  return {
    'F-measure': f.fMeasure,
    Precision: f.precision,
    Recall: f.recall,
    Cemgil: cemgil(ref, est, options.cemgilSigmaS ?? DEFAULT_CEMGIL_SIGMA_S),
  };
}
