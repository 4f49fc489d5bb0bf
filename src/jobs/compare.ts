/**
 * The `compare` job: the songs of several groups in one MDS space, their song-by-song correlation, and
 * the classification of `classify`, written as compare.json and report.html.
 */
import { DEFAULT_SONG_NORMALIZATION } from '../transforms/songs.js';
import { pearsonRows } from '../transforms/correlate.js';
import { crossValidate, describeCv, type ClassifyReport } from '../transforms/classify.js';
import type { Points } from '../transforms/points.js';
import { songsCorrelationSpec } from '../plots/songs.js';
import { labelledScatterSpec } from '../plots/scatter.js';
import { DEFAULT_SEED } from '../util/random.js';
import { FEATURE_COLUMNS } from '../matrix/featureMatrix.js';
import { GENERATOR } from './analyze.js';
import { inputError, messages, ParameterError } from '../errors.js';
import { classificationPoints, DEFAULT_SONG_FEATURES, usesMean, usesShape } from './songFeatures.js';
import { shapeId } from '../shape/fingerprint.js';
import { matrixRows, shapePlots, songShapes, failureJson, failureTable, songsMds, songTooltip, trackJson, writeBatchOutputs, type BatchOptions, type BatchTimings, type PlotEntry } from './batch.js';
import { collectGroups, type GroupedTracks, type TrackGroup } from './groups.js';
import { cvOptions, type ClassifyJobOptions } from './classify.js';


export interface CompareResult {
  groups: string[];
  grouped: GroupedTracks;
  mds: Points;
  classification?: ClassifyReport;
  /** Why classification was skipped, when it was. */
  classificationSkipped?: string;
  files: string[];
  timings: BatchTimings;
}

/**
 * Put the songs of several groups in one MDS space (their vectors normalised together), coloured by group,
 * and cross-validate a linear SVM on the groups. Writes `compare-mds`, `compare-correlation`,
 * `compare.json` and `report.html`.
 */
export async function runCompare(groups: TrackGroup[], options: BatchOptions & ClassifyJobOptions): Promise<CompareResult> {
  const started = performance.now();
  if (groups.length < 2) throw inputError(messages.toolkit.tooFewGroups('compare'));
  const seed = options.seed ?? DEFAULT_SEED;
  const grouped = await collectGroups(groups, options);
  const { tracks, labels, vectors } = grouped;
  const timings = grouped.timings;
  if (tracks.length < 3) throw inputError(messages.toolkit.tooFewTracks(groups.map((g) => g.name).join(' vs '), tracks.length, 3, 'a comparison'));
  let t = performance.now();
  const features = options.features ?? DEFAULT_SONG_FEATURES;
  const mds = songsMds(vectors, seed);
  const correlation = pearsonRows(vectors).values;
  const shapes = usesShape(features) ? songShapes(tracks, seed, Math.min(3, tracks.length)) : undefined;
  let classification: ClassifyReport | undefined;
  let classificationSkipped: string | undefined;
  try {
    classification = await crossValidate(classificationPoints(tracks, vectors, features), labels, { ...cvOptions(options), seed });
  } catch (e) {
    if (!(e instanceof ParameterError)) throw e;
    classificationSkipped = e.message;
  }
  timings.songs = performance.now() - t;
  const names = tracks.map((tr, i) => `${labels[i]}: ${tr.name}`);
  const meanPlots: PlotEntry[] = [
    {
      name: 'compare-mds',
      title: 'All songs in one MDS space',
      spec: labelledScatterSpec({
        items: tracks.map((tr, i) => ({ x: mds.data[i * 2], y: mds.data[i * 2 + 1], label: tr.name, group: labels[i], tooltip: songTooltip(tr) })),
        colorBy: 'group',
        title: `${groups.map((g) => g.name).join(' vs ')}: songs by metric MDS`,
        axisTitles: ['MDS 1', 'MDS 2'],
        legendTitle: 'group',
      }),
      caption: `Metric MDS (SMACOF, seed ${seed}) of every song's mean feature vector (${options.normalize ?? DEFAULT_SONG_NORMALIZATION} over all groups).`,
    },
    {
      name: 'compare-correlation',
      title: 'Song-by-song correlation across groups',
      spec: songsCorrelationSpec({ names, values: correlation, title: 'Song-by-song correlation across groups' }),
      caption: 'Pearson r between the songs\' mean feature vectors; songs in group order.',
    },
  ];
  const groupTitle = groups.map((g) => g.name).join(' vs ');
  const plots: PlotEntry[] = [
    ...(usesMean(features) ? meanPlots : []),
    ...(shapes ? shapePlots('compare', groupTitle, names, shapes, tracks.map((tr, i) => ({ label: tr.name, group: labels[i], tooltip: songTooltip(tr) })), seed) : []),
  ];
  t = performance.now();
  const compareJson = {
    groups: groups.map((g) => ({ name: g.name, source: g.collection.source, tracks: labels.filter((l) => l === g.name).length })),
    generator: GENERATOR,
    normalization: options.normalize ?? DEFAULT_SONG_NORMALIZATION,
    seed,
    features: FEATURE_COLUMNS,
    tracks: tracks.map((tr, i) =>
      trackJson(tr, vectors.data.subarray(i * 26, (i + 1) * 26), {
        group: labels[i],
        mds: [mds.data[i * 2], mds.data[i * 2 + 1]],
        ...(shapes ? { shapeMds: [shapes.map.data[i * 2], shapes.map.data[i * 2 + 1]] } : {}),
      }),
    ),
    failures: grouped.failures.map(failureJson),
    songFeatures: features,
    ...(shapes ? { shape: { id: shapeId(), distance: 'warped', distances: matrixRows(shapes.distances, tracks.length) } } : {}),
    classification: classification ?? null,
    ...(classificationSkipped ? { classificationSkipped } : {}),
  };
  const files = await writeBatchOutputs(options, plots, 'compare.json', compareJson, {
    title: groups.map((g) => g.name).join(' vs '),
    subtitle: `${tracks.length} tracks in ${groups.length} groups · ${GENERATOR}`,
    summary: classificationSummary(classification, classificationSkipped, tracks.length, grouped.failures.length),
    tables: [...(classification ? classificationTables(classification) : []), ...(grouped.failures.length ? [failureTable(grouped.failures)] : [])],
  });
  timings.plots = performance.now() - t;
  timings.total = performance.now() - started;
  return { groups: groups.map((g) => g.name), grouped, mds, classification, classificationSkipped, files, timings };
}

function classificationSummary(c: ClassifyReport | undefined, skipped: string | undefined, tracks: number, failed: number): Record<string, string | number> {
  const out: Record<string, string | number> = { tracks, failed };
  if (!c) {
    out.classification = `not run: ${skipped ?? 'unknown reason'}`;
    return out;
  }
  out['cross-validation'] = describeCv(c);
  out.classifier = `linear SVM (libsvm C-SVC, C = ${c.C})`;
  for (const p of c.protocols) out[`accuracy (${p.protocol})`] = `${(p.accuracy * 100).toFixed(1)} %`;
  out['majority baseline'] = `${(c.majorityBaseline * 100).toFixed(1)} %`;
  return out;
}

function classificationTables(c: ClassifyReport) {
  return c.protocols.map((p) => ({
    title: `Confusion matrix (${p.protocol}; rows: true group, columns: predicted)`,
    columns: ['true \\ predicted', ...p.confusion.labels],
    rows: p.confusion.matrix.map((row, i) => [p.confusion.labels[i], ...row]),
  }));
}
