/**
 * Batch jobs over collections of tracks: `album` (one album, playlist, directory or manifest), `compare`
 * (several groups in one space) and `classify` (can a linear SVM tell the groups apart?).
 *
 * Tracks are analysed one at a time (see `./vectors.ts`): memory is one 1 ms matrix in a reused buffer
 * plus 26 × 2 numbers per track, however long the album. Everything written goes through atomic writes;
 * numbers land in `album.json` / `compare.json`, plots as `NAME.vl.json` + `NAME.svg`/`.png`, and one
 * self-contained `report.html` shows them all.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Collection } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import type { GridSemantics } from '../matrix/grid.js';
import { analyzeTrack, writeAnalyzeOutputs } from './analyze.js';
import { collectTracks, pointCorrelations, type CollectProgress, type TrackFailure, type TrackRecord } from './vectors.js';
import { DEFAULT_SONG_NORMALIZATION, songVectors, type SongNormalization } from '../transforms/songs.js';
import { kmeans } from '../transforms/cluster.js';
import { dendrogramSegments, hierarchicalOrder, type HierarchyMetric } from '../transforms/hierarchy.js';
import { reduce } from '../transforms/reduce.js';
import { crossValidate, describeCv, type ClassifyReport, type CvScheme, type FoldRule } from '../transforms/classify.js';
import type { ReduceModel } from '../transforms/reduce.js';
import type { Points } from '../transforms/points.js';
import { clustermapSpec, songsCorrelationSpec } from '../plots/songs.js';
import { labelledScatterSpec } from '../plots/scatter.js';
import { writePlot, type PlotFormat } from '../plots/output.js';
import { writeReport, type ReportInput } from './html.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { slug } from '../util/slug.js';
import { DEFAULT_SEED } from '../util/random.js';
import { FEATURE_COLUMNS } from '../matrix/featureMatrix.js';
import { GENERATOR } from './analyze.js';
import { ExitCode, SongscopeError, inputError, messages } from '../errors.js';
import { datasetRecords } from '../corpus/read.js';

export interface BatchOptions {
  /** Directory every output goes into (created). */
  outDir: string;
  resolve: ResolveOptions;
  grid?: GridSemantics;
  /** Parallel fetches; default 4. */
  concurrency?: number;
  /** Plots at all (false: numbers only); default true. */
  plots?: boolean;
  /** Per-track `analyze` outputs (plots) under `tracks/`; default true. */
  perTrackPlots?: boolean;
  /** Static image format; default `svg`. */
  format?: PlotFormat;
  /** Write report.html (needs plots); default true. */
  report?: boolean;
  /** How the songs' time-averaged vectors are normalised; default `zscore-songs` (see `transforms/songs.ts`). */
  normalize?: SongNormalization;
  seed?: number;
  onProgress?: (p: CollectProgress) => void;
  /** Per-track analyze: self-similarity bin width (ms) and smoothing (s). */
  resolutionMs?: number;
  smoothS?: number;
}

/** Display resolution of the per-track plots of a batch: time bins of the feature heatmap, cells per axis of the similarity heatmap. */
export const ALBUM_TRACK_FEATURE_BINS = 240;
export const ALBUM_TRACK_SIMILARITY_CELLS = 80;

/** A plot written by a batch job. */
interface PlotEntry {
  name: string;
  title: string;
  spec: TopLevelSpec;
  caption: string;
}

/** Wall-clock split of a batch job, ms. */
export interface BatchTimings {
  tracks: number;
  perTrack: number;
  songs: number;
  plots: number;
  total: number;
}

async function writePlots(plots: PlotEntry[], options: BatchOptions): Promise<string[]> {
  const files: string[] = [];
  if (options.plots === false) return files;
  for (const p of plots) files.push(...(await writePlot(options.outDir, p.name, p.spec, { format: options.format ?? 'svg' })).files);
  return files;
}

/** Write the plots, `jsonName` (every number) and, with plots, report.html showing them; returns the files written. */
async function writeBatchOutputs(
  options: BatchOptions,
  plots: PlotEntry[],
  jsonName: string,
  json: unknown,
  report: Omit<ReportInput, 'plots'>,
): Promise<string[]> {
  const files = await writePlots(plots, options);
  const jsonPath = join(options.outDir, jsonName);
  await writeJsonAtomic(jsonPath, json, { pretty: true });
  files.push(jsonPath);
  if (options.plots !== false && options.report !== false) {
    const reportPath = join(options.outDir, 'report.html');
    await writeReport(reportPath, { ...report, plots: plots.map(({ name, title, spec, caption }) => ({ name, title, spec, caption })) });
    files.push(reportPath);
  }
  return files;
}

function trackJson(t: TrackRecord, vector: Float64Array, extra: Record<string, unknown>) {
  return {
    position: t.ref.position,
    name: t.name,
    input: t.ref.input,
    ...(t.ref.id ? { trackId: t.ref.id } : {}),
    ...(t.ref.label !== undefined ? { label: t.ref.label } : {}),
    ...(t.ref.columns ? { columns: t.ref.columns } : {}),
    title: t.summary.title,
    artist: t.summary.artist,
    durationS: t.summary.durationS,
    tempoBpm: t.summary.tempoBpm,
    key: t.summary.key,
    timeSignature: t.summary.timeSignature,
    loudnessDb: t.summary.loudnessDb,
    vector: Array.from(vector),
    ...extra,
  };
}

const failureJson = (f: TrackFailure) => ({ position: f.ref.position, name: f.name, input: f.ref.input, error: f.message, exitCode: f.exitCode });

/** Analyse every track, writing per-track `analyze` outputs when asked. */
async function collect(collection: Collection, options: BatchOptions, timings: BatchTimings) {
  // a dataset (`songscope scan`) brings every track's record: nothing to analyse, no per-track plots
  const preloaded = datasetRecords(collection);
  if (preloaded) return preloaded;
  let perTrack = 0;
  const perTrackOutputs = options.plots !== false && options.perTrackPlots !== false;
  const t0 = performance.now();
  const result = await collectTracks(collection, {
    resolve: options.resolve,
    grid: options.grid,
    concurrency: options.concurrency,
    onProgress: options.onProgress,
    onTrack: perTrackOutputs
      ? async (analysis, matrix, record, stats) => {
          const t = performance.now();
          const analyzed = await analyzeTrack(analysis, {
            grid: options.grid,
            matrix,
            stats,
            resolutionMs: options.resolutionMs,
            smoothS: options.smoothS,
            render: true,
            // coarser than `analyze` so 22 tracks of plots cost seconds, not a minute (analyze one track for full detail)
            maxFeatureBins: ALBUM_TRACK_FEATURE_BINS,
            maxSimilarityCells: ALBUM_TRACK_SIMILARITY_CELLS,
          });
          const dir = join(options.outDir, 'tracks', slug(record.name) || `track-${record.ref.position}`);
          await writeAnalyzeOutputs(analysis, analyzed, dir, { format: options.format, report: false });
          perTrack += performance.now() - t;
        }
      : undefined,
  });
  timings.perTrack = perTrack;
  timings.tracks = performance.now() - t0 - perTrack;
  return result;
}

// ---- album --------------------------------------------------------------------------------------------

export interface AlbumJobOptions extends BatchOptions {
  /** k-means clusters of the songs in the MDS plot; default 3. */
  k?: number;
  /** Distance between rows of the correlation matrix for the clustermap; default `correlation` (seaborn). */
  metric?: HierarchyMetric;
  /**
   * What k-means clusters: the songs' vectors (default) or their 2-D MDS coordinates — what the notebook's
   * `hyp.plot(vecs, model='MDS', n_clusters=3, ndims=2)` does in hypertools 0.3 (it reduces first, then
   * clusters the reduced data; the PCA(2) it applies to 2-D coordinates is a rotation, which k-means does
   * not see).
   */
  kmeansOn?: 'vectors' | 'mds';
}

export interface AlbumResult {
  name: string;
  tracks: TrackRecord[];
  failures: TrackFailure[];
  /** Song-by-song Pearson r of the time-averaged vectors, row-major. */
  correlation: Float64Array;
  order: number[];
  clusters: Int32Array;
  mds: Points;
  files: string[];
  timings: BatchTimings;
}

/**
 * The album job: every track's time-averaged feature vector (normalised by `normalize`), their
 * song-by-song correlation (`songs-correlation`), the same ordered by hierarchical clustering with its
 * dendrogram (`songs-clustermap`, seaborn's clustermap with `metric`), a 2-D MDS of the songs coloured by
 * k-means (`songs-mds`), `album.json` with every number, and `report.html`.
 */
export async function runAlbum(collection: Collection, options: AlbumJobOptions): Promise<AlbumResult> {
  const started = performance.now();
  const timings: BatchTimings = { tracks: 0, perTrack: 0, songs: 0, plots: 0, total: 0 };
  const seed = options.seed ?? DEFAULT_SEED;
  const normalization = options.normalize ?? DEFAULT_SONG_NORMALIZATION;
  const kmeansOn = options.kmeansOn ?? 'vectors';
  const { tracks, failures } = await collect(collection, options, timings);
  if (tracks.length < 2) throw inputError(messages.toolkit.tooFewTracks(collection.name, tracks.length, 2, 'an album comparison'));
  let t = performance.now();
  const vectors = songVectors(tracks, normalization);
  const correlation = pointCorrelations(vectors);
  const corrPoints: Points = { n: tracks.length, d: tracks.length, data: correlation.map((v) => (Number.isNaN(v) ? 0 : v)) };
  const metric = options.metric ?? 'correlation';
  const hierarchy = hierarchicalOrder(corrPoints, { metric, method: 'average' });
  const k = Math.min(options.k ?? 3, tracks.length);
  const mds = songsMds(vectors, seed);
  const clusters = kmeans(kmeansOn === 'mds' ? mds : vectors, k, { seed }).labels;
  timings.songs = performance.now() - t;

  const names = tracks.map((tr) => tr.name);
  const plots: PlotEntry[] = [
    {
      name: 'songs-correlation',
      title: 'Song-by-song correlation',
      spec: songsCorrelationSpec({
        names,
        values: correlation,
        title: `${collection.name}: song-by-song correlation`,
        subtitle: `Pearson r between the songs' time-averaged feature vectors (${normalization})`,
      }),
      caption: `Each cell is the Pearson correlation between two songs' mean feature vectors (26 features, ${normalization}).`,
    },
    {
      name: 'songs-clustermap',
      title: 'Clustered song correlations',
      spec: clustermapSpec({
        names,
        values: correlation,
        order: hierarchy.order,
        dendrogram: dendrogramSegments(hierarchy, tracks.length),
        title: `${collection.name}: songs ordered by hierarchical clustering`,
        subtitle: `average linkage on ${metric} distance between rows (as seaborn.clustermap(metric='${metric}'))`,
      }),
      caption: 'The same matrix with rows and columns ordered by average-linkage clustering; the dendrogram shows the merges.',
    },
    {
      name: 'songs-mds',
      title: 'Songs in two dimensions (MDS)',
      spec: labelledScatterSpec({
        items: tracks.map((tr, i) => ({
          x: mds.data[i * 2],
          y: mds.data[i * 2 + 1],
          label: tr.name,
          cluster: clusters[i],
          tooltip: songTooltip(tr),
        })),
        colorBy: 'cluster',
        title: `${collection.name}: songs by metric MDS, coloured by k-means (k = ${k})`,
        axisTitles: ['MDS 1', 'MDS 2'],
        legendTitle: 'k-means cluster',
      }),
      caption: `Metric MDS (SMACOF, seed ${seed}) of the songs' feature vectors (${normalization}); colour = k-means cluster on ${kmeansOn === 'mds' ? 'the 2-D MDS coordinates (as the notebook)' : 'the 26-dimensional vectors'}.`,
    },
  ];
  t = performance.now();
  const albumJson = {
    name: collection.name,
    kind: collection.kind,
    source: collection.source,
    generator: GENERATOR,
    normalization,
    seed,
    features: FEATURE_COLUMNS,
    tracks: tracks.map((tr, i) => trackJson(tr, vectors.data.subarray(i * 26, (i + 1) * 26), { cluster: clusters[i], mds: [mds.data[i * 2], mds.data[i * 2 + 1]] })),
    failures: failures.map(failureJson),
    correlation: matrixRows(correlation, tracks.length),
    clustermap: { metric, method: 'average', order: hierarchy.order, merges: hierarchy.merges },
    kmeans: { k, seed, on: kmeansOn },
  };
  const files = await writeBatchOutputs(options, plots, 'album.json', albumJson, {
    title: collection.name,
    subtitle: `${tracks.length} tracks analysed${failures.length ? `, ${failures.length} failed` : ''} · ${GENERATOR}`,
    summary: {
      tracks: tracks.length,
      failed: failures.length,
      normalization,
      'k-means clusters': k,
      seed,
      'mean tempo (BPM)': mean(tracks.map((tr) => tr.summary.tempoBpm)),
    },
    tables: [trackTable(tracks, clusters), ...(failures.length ? [failureTable(failures)] : [])],
  });
  timings.plots = performance.now() - t;
  timings.total = performance.now() - started;
  return { name: collection.name, tracks, failures, correlation, order: hierarchy.order, clusters, mds, files, timings };
}

/**
 * 2-D metric MDS of the songs. Two songs have an exact solution (SMACOF needs three points): they sit on
 * the x axis, their distance apart, centred on 0. Songs whose vectors are all the same (one track listed
 * several times) all sit at 0, SMACOF's own answer for zero dissimilarities.
 */
function songsMds(vectors: Points, seed: number): Points {
  const { n, d, data } = vectors;
  if (data.every((v, i) => v === data[i % d])) return { n, d: 2, data: new Float64Array(n * 2) };
  if (n !== 2) return reduce(vectors, { model: 'mds', ndims: 2, seed }).points;
  let ss = 0;
  for (let c = 0; c < d; c++) ss += (data[c] - data[d + c]) ** 2;
  const half = Math.sqrt(ss) / 2;
  return { n: 2, d: 2, data: Float64Array.from([-half, 0, half, 0]) };
}

function songTooltip(tr: TrackRecord): Record<string, string | number> {
  const tip: Record<string, string | number> = {};
  if (tr.summary.artist) tip.artist = tr.summary.artist;
  if (tr.summary.tempoBpm !== undefined) tip['tempo (BPM)'] = Math.round(tr.summary.tempoBpm * 10) / 10;
  if (tr.summary.key) tip.key = tr.summary.key;
  tip['duration (s)'] = Math.round(tr.summary.durationS);
  return tip;
}

function mean(values: (number | undefined)[]): string {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1) : '–';
}

function matrixRows(values: Float64Array, n: number): (number | null)[][] {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n), (v) => (Number.isFinite(v) ? v : null)));
}

function trackTable(tracks: TrackRecord[], clusters: Int32Array) {
  return {
    title: 'Tracks',
    columns: ['track', 'artist', 'duration', 'tempo (BPM)', 'key', 'cluster'],
    rows: tracks.map((tr, i) => [
      tr.name,
      tr.summary.artist ?? '',
      `${Math.floor(tr.summary.durationS / 60)}:${String(Math.round(tr.summary.durationS % 60)).padStart(2, '0')}`,
      tr.summary.tempoBpm !== undefined ? tr.summary.tempoBpm.toFixed(1) : '',
      tr.summary.key ?? '',
      clusters[i],
    ]),
  };
}

function failureTable(failures: TrackFailure[]) {
  return { title: 'Tracks that failed', columns: ['track', 'input', 'error'], rows: failures.map((f) => [f.name, f.ref.input, f.message]) };
}

// ---- compare and classify ------------------------------------------------------------------------------

/** A named group of tracks. */
export interface TrackGroup {
  name: string;
  collection: Collection;
}

export interface ClassifyJobOptions {
  cv?: CvScheme;
  folds?: number;
  /** k-fold: shuffle (seeded; default true) and whose fold sizes (see `FoldRule`). */
  shuffle?: boolean;
  foldRule?: FoldRule;
  reduce?: { model: ReduceModel; ndims: number };
}

function cvOptions(o: ClassifyJobOptions) {
  return { cv: o.cv, folds: o.folds, shuffle: o.shuffle, foldRule: o.foldRule, reduce: o.reduce };
}

export interface GroupedTracks {
  tracks: TrackRecord[];
  labels: string[];
  failures: TrackFailure[];
  vectors: Points;
}

/** Analyse every group's tracks (one shared progress count) and normalise their vectors together. */
export async function collectGroups(groups: TrackGroup[], options: BatchOptions): Promise<GroupedTracks & { timings: BatchTimings }> {
  const timings: BatchTimings = { tracks: 0, perTrack: 0, songs: 0, plots: 0, total: 0 };
  const tracks: TrackRecord[] = [];
  const labels: string[] = [];
  const failures: TrackFailure[] = [];
  const total = groups.reduce((s, g) => s + g.collection.tracks.length, 0);
  let before = 0;
  for (const g of groups) {
    const t: BatchTimings = { tracks: 0, perTrack: 0, songs: 0, plots: 0, total: 0 };
    const r = await collect(
      g.collection,
      { ...options, outDir: join(options.outDir, slug(g.name) || 'group'), onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, done: before + p.done, total, failed: failures.length + p.failed })) },
      t,
    );
    before += g.collection.tracks.length;
    timings.tracks += t.tracks;
    timings.perTrack += t.perTrack;
    for (const tr of r.tracks) {
      tracks.push(tr);
      labels.push(g.name);
    }
    failures.push(...r.failures);
  }
  return { tracks, labels, failures, vectors: songVectors(tracks, options.normalize ?? DEFAULT_SONG_NORMALIZATION), timings };
}

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
  const mds = songsMds(vectors, seed);
  const correlation = pointCorrelations(vectors);
  let classification: ClassifyReport | undefined;
  let classificationSkipped: string | undefined;
  try {
    classification = await crossValidate(vectors, labels, { ...cvOptions(options), seed });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    classificationSkipped = e.message;
  }
  timings.songs = performance.now() - t;
  const names = tracks.map((tr, i) => `${labels[i]}: ${tr.name}`);
  const plots: PlotEntry[] = [
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
  t = performance.now();
  const compareJson = {
    groups: groups.map((g) => ({ name: g.name, source: g.collection.source, tracks: labels.filter((l) => l === g.name).length })),
    generator: GENERATOR,
    normalization: options.normalize ?? DEFAULT_SONG_NORMALIZATION,
    seed,
    features: FEATURE_COLUMNS,
    tracks: tracks.map((tr, i) => trackJson(tr, vectors.data.subarray(i * 26, (i + 1) * 26), { group: labels[i], mds: [mds.data[i * 2], mds.data[i * 2 + 1]] })),
    failures: grouped.failures.map(failureJson),
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

/**
 * One line per track that failed: its name, the input when the message does not already name it, and why.
 */
export function describeFailures(failures: readonly TrackFailure[]): string[] {
  if (failures.length === 0) return [];
  return [
    `${failures.length} track${failures.length === 1 ? '' : 's'} failed:`,
    ...failures.map((f) => `  ${f.name}${f.message.includes(f.ref.input) ? '' : ` (${f.ref.input})`}: ${f.message}`),
  ];
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
    report = await crossValidate(grouped.vectors, grouped.labels, { ...cvOptions(options), seed: options.seed ?? DEFAULT_SEED });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new SongscopeError(e.message, {
      exitCode: failed ? ExitCode.RUNTIME : ExitCode.USAGE,
      ...(failed ? { hint: describeFailures(grouped.failures).join('\n') } : {}),
    });
  }
  grouped.timings.songs = performance.now() - t;
  return { grouped, report, timings: grouped.timings };
}

