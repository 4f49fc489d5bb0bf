/** The `classify` job: can a linear SVM tell the groups apart (cross-validated)? Numbers only. */
import { crossValidate, type ClassifyReport, type CvScheme, type FoldRule } from '../transforms/classify.js';
import type { ReduceModel } from '../transforms/reduce.js';
import { DEFAULT_SEED } from '../util/random.js';
import { ExitCode, ParameterError, SongscopeError, messages } from '../errors.js';
import { classificationPoints, DEFAULT_SONG_FEATURES } from './songFeatures.js';
import { describeFailures, type BatchOptions, type BatchTimings } from './batch.js';
import { collectGroups, type GroupedTracks, type TrackGroup } from './groups.js';


export interface ClassifyJobOptions {
  cv?: CvScheme;
  folds?: number;
  /** k-fold: shuffle (seeded; default true) and whose fold sizes (see `FoldRule`). */
  shuffle?: boolean;
  foldRule?: FoldRule;
  reduce?: { model: ReduceModel; ndims: number };
}

export function cvOptions(o: ClassifyJobOptions) {
  return { cv: o.cv, folds: o.folds, shuffle: o.shuffle, foldRule: o.foldRule, reduce: o.reduce };
}

/**
 * Cross-validate a linear SVM on the groups' track vectors (numbers only: no plots). When the tracks that
 * could be analysed cannot be cross-validated (a group left with one track, more folds than a group has
 * tracks…) the error says why, lists the tracks that failed, and has exit code 1 if some did (their failure
 * is the cause), else 2.
 */
export async function runClassify(
  groups: TrackGroup[],
  options: BatchOptions & ClassifyJobOptions,
): Promise<{ grouped: GroupedTracks; report: ClassifyReport; timings: BatchTimings }> {
  const grouped = await collectGroups(groups, { ...options, plots: false });
  const t = performance.now();
  let report: ClassifyReport;
  const failed = grouped.failures.length > 0;
  if (grouped.tracks.length === 0) {
    throw new SongscopeError(messages.toolkit.tooFewTracks(groups.map((g) => g.name).join(' vs '), 0, 4, 'a classification'), {
      exitCode: failed ? ExitCode.RUNTIME : ExitCode.USAGE,
      ...(failed ? { hint: describeFailures(grouped.failures).join('\n') } : {}),
    });
  }
  try {
    report = await crossValidate(classificationPoints(grouped.tracks, grouped.vectors, options.features ?? DEFAULT_SONG_FEATURES), grouped.labels, {
      ...cvOptions(options),
      seed: options.seed ?? DEFAULT_SEED,
    });
  } catch (e) {
    if (!(e instanceof ParameterError)) throw e;
    throw new SongscopeError(e.message, {
      exitCode: failed ? ExitCode.RUNTIME : ExitCode.USAGE,
      ...(failed ? { hint: describeFailures(grouped.failures).join('\n') } : {}),
    });
  }
  grouped.timings.songs = performance.now() - t;
  return { grouped, report, timings: grouped.timings };
}
