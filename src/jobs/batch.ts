/**
 * What the batch jobs (album, compare, classify) share: their options, analysing a collection's tracks
 * (with each track's own analyze outputs when asked), writing plots, the JSON of every number and
 * report.html, and the pieces of those files that describe tracks and failures.
 *
 * Tracks are analysed one at a time (see `./tracks.ts`): memory is 26 × 2 numbers per track plus one
 * track's events, however long the album. Everything written goes through atomic writes.
 */
import { datasetRecords, requireShapes } from '../corpus/read.js';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Collection } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import type { GridSemantics } from '../matrix/grid.js';
import { collectTracks, type CollectProgress, type TrackFailure, type TrackRecord } from './tracks.js';
import { type SongNormalization } from '../transforms/songs.js';
import { reduce } from '../transforms/reduce.js';
import type { Points } from '../transforms/points.js';
import { writePlot, type PlotFormat } from '../plots/output.js';
import type { ReportGallery, ReportGalleryItem, ReportInput, ReportRenderer } from '../plots/page.js';
import { writeFileAtomic } from '../util/atomic.js';
import { shapeDistanceMatrix, shapeMap, shapeSimilarity, usesShape, type SongFeatures } from './songFeatures.js';
import { shapeId } from '../shape/fingerprint.js';
import { kmeans } from '../transforms/cluster.js';
import { songsCorrelationSpec } from '../plots/songs.js';
import { labelledScatterSpec } from '../plots/scatter.js';
import { outputJsonText } from '../util/outputJson.js';

export interface BatchOptions {
  /** Directory every output goes into (created). */
  outDir: string;
  resolve: ResolveOptions;
  grid?: GridSemantics;
  /** Parallel fetches; default 4. */
  concurrency?: number;
  /**
   * Worker threads for the per-track work (reading or analysing each input, its statistics, shape and own
   * outputs); default 1 (the calling thread). Every file written is the same for any number.
   */
  jobs?: number;
  /** Plots at all (false: numbers only); default true. */
  plots?: boolean;
  /** Per-track `analyze` outputs (plots) under `tracks/`; default true. */
  perTrackPlots?: boolean;
  /** Static image format; default `svg`. */
  format?: PlotFormat;
  /** Renders report.html (needs plots): `buildReportHtml` of `report/html.ts`; without one, none is written (nor per-track ones). */
  report?: ReportRenderer;
  /**
   * URL of the module exporting that renderer (`report/html.js`): worker threads import it to write each
   * track's report.html. Without it, per-track reports are written in the calling thread (`jobs` 1).
   */
  reportModule?: string;
  /** How the songs' time-averaged vectors are normalised; default `zscore-songs` (see `transforms/songs.ts`). */
  normalize?: SongNormalization;
  /** What describes a song: its mean vector (default), its shape fingerprint, or both (`./songFeatures.ts`). */
  features?: SongFeatures;
  seed?: number;
  onProgress?: (p: CollectProgress) => void;
  /** Per-track outputs on the raw 1 s bins instead of the z-scored ones (the notebook's last cell); default false. */
  rawTrackBins?: boolean;
  /** Per-track analyze: self-similarity bin width (ms) and smoothing (s). */
  binMs?: number;
  smoothS?: number;
}

export { ALBUM_TRACK_FEATURE_BINS, ALBUM_TRACK_SIMILARITY_CELLS, ALBUM_GALLERY_SIMILARITY_CELLS, trackDir } from './perTrack.js';

/** A plot written by a batch job. */
export interface PlotEntry {
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

export async function writePlots(plots: PlotEntry[], options: BatchOptions): Promise<string[]> {
  const files: string[] = [];
  if (options.plots === false) return files;
  for (const p of plots) files.push(...(await writePlot(options.outDir, p.name, p.spec, { format: options.format ?? 'svg' })).files);
  return files;
}

/** Write the plots, `jsonName` (every number) and, with plots, report.html showing them; returns the files written. */
export async function writeBatchOutputs(
  options: BatchOptions,
  plots: PlotEntry[],
  jsonName: string,
  json: unknown,
  report: Omit<ReportInput, 'plots'>,
): Promise<string[]> {
  const files = await writePlots(plots, options);
  const jsonPath = join(options.outDir, jsonName);
  await writeFileAtomic(jsonPath, outputJsonText(json));
  files.push(jsonPath);
  if (options.plots !== false && options.report) {
    const reportPath = join(options.outDir, 'report.html');
    await writeFileAtomic(reportPath, options.report({ ...report, plots: plots.map(({ name, title, spec, caption }) => ({ name, title, spec, caption })) }));
    files.push(reportPath);
  }
  return files;
}

export function trackJson(t: TrackRecord, vector: Float64Array, extra: Record<string, unknown>) {
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

export const failureJson = (f: TrackFailure) => ({ position: f.ref.position, name: f.name, input: f.ref.input, error: f.message, exitCode: f.exitCode });

/**
 * Analyse every track, writing per-track `analyze` outputs (with their own report.html when the batch
 * writes one, linking back to it) when asked. Returns the gallery entry of each track whose report was
 * written (its small self-similarity and trajectory plots, linking to that report), by position.
 */
export async function collect(collection: Collection, options: BatchOptions, timings: BatchTimings) {
  // a dataset (`songscope scan`) brings every track's record: nothing to analyse, no per-track plots
  const preloaded = datasetRecords(collection);
  if (preloaded) {
    if (usesShape(options.features)) requireShapes(preloaded.tracks, collection.source);
    return { ...preloaded, gallery: new Map<number, ReportGalleryItem>() };
  }
  let perTrack = 0;
  const perTrackOutputs = options.plots !== false && options.perTrackPlots !== false;
  const reports = perTrackOutputs && options.report !== undefined;
  const gallery = new Map<number, ReportGalleryItem>();
  const t0 = performance.now();
  const result = await collectTracks(collection, {
    resolve: options.resolve,
    grid: options.grid,
    shape: usesShape(options.features) ? {} : undefined,
    concurrency: options.concurrency,
    jobs: options.jobs,
    onProgress: options.onProgress,
    perTrack: perTrackOutputs
      ? {
          spec: {
            outDir: options.outDir,
            analyze: { normalize: options.rawTrackBins ? 'none' : 'zscore-within', binMs: options.binMs, smoothS: options.smoothS, seed: options.seed },
            format: options.format,
            batchTitle: collection.name,
            reportModule: reports ? options.reportModule : undefined,
          },
          render: reports ? options.report : undefined,
          onDone: (record, item, ms) => {
            if (item) gallery.set(record.ref.position, item);
            perTrack += ms;
          },
        }
      : undefined,
  });
  timings.perTrack = perTrack;
  timings.tracks = performance.now() - t0 - perTrack;
  return { ...result, gallery };
}

/**
 * The album report's gallery: every track's self-similarity matrix and trajectory, small, in track order
 * (the notebook's last cell), each titled `NN Title` and linking to the track's own report.
 */
export function trackGallery(tracks: readonly TrackRecord[], items: ReadonlyMap<number, ReportGalleryItem>): ReportGallery[] {
  const entries = tracks.flatMap((tr) => items.get(tr.ref.position) ?? []);
  if (entries.length === 0) return [];
  return [
    {
      title: 'Every track: self-similarity and trajectory',
      caption:
        "The notebook's last cell: each song's temporal fingerprint. Left, the self-similarity matrix of its 1 s bins " +
        '(red: alike, blue: opposite); right, the bins reduced to 2-D by PCA and joined in time order, coloured by part. ' +
        "A track's title opens its own report with every plot.",
      items: entries,
    },
  ];
}


/**
 * 2-D metric MDS of the songs. Two songs have an exact solution (SMACOF needs three points): they sit on
 * the x axis, their distance apart, centred on 0. Songs whose vectors are all the same (one track listed
 * several times) all sit at 0, SMACOF's own answer for zero dissimilarities.
 */
export function songsMds(vectors: Points, seed: number): Points {
  const { n, d, data } = vectors;
  if (data.every((v, i) => v === data[i % d])) return { n, d: 2, data: new Float64Array(n * 2) };
  if (n !== 2) return reduce(vectors, { model: 'mds', ndims: 2, seed }).points;
  let ss = 0;
  for (let c = 0; c < d; c++) ss += (data[c] - data[d + c]) ** 2;
  const half = Math.sqrt(ss) / 2;
  return { n: 2, d: 2, data: Float64Array.from([-half, 0, half, 0]) };
}

export function songTooltip(tr: TrackRecord): Record<string, string | number> {
  const tip: Record<string, string | number> = {};
  if (tr.summary.artist) tip.artist = tr.summary.artist;
  if (tr.summary.tempoBpm !== undefined) tip['tempo (BPM)'] = Math.round(tr.summary.tempoBpm * 10) / 10;
  if (tr.summary.key) tip.key = tr.summary.key;
  tip['duration (s)'] = Math.round(tr.summary.durationS);
  return tip;
}

export function matrixRows(values: Float64Array, n: number): (number | null)[][] {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n), (v) => (Number.isFinite(v) ? v : null)));
}

export function failureTable(failures: TrackFailure[]) {
  return { title: 'Tracks that failed', columns: ['track', 'input', 'error'], rows: failures.map((f) => [f.name, f.ref.input, f.message]) };
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

/** The songs by shape: warped distances, row-major n × n, their 2-D MDS, and k-means on it. */
export interface SongShapes {
  distances: Float64Array;
  map: Points;
  clusters: Int32Array;
}

export function songShapes(tracks: TrackRecord[], seed: number, k: number): SongShapes {
  const distances = shapeDistanceMatrix(tracks);
  const map = shapeMap(distances, tracks.length, seed);
  return { distances, map, clusters: kmeans(map, k, { seed }).labels };
}

/** The shape plots of an album or a comparison: the songs' shape similarity and their shape map. */
export function shapePlots(
  prefix: string,
  title: string,
  names: string[],
  shapes: SongShapes,
  items: { label: string; tooltip: Record<string, string | number>; cluster?: number; group?: string }[],
  seed: number,
): PlotEntry[] {
  return [
    {
      name: `${prefix}-shape`,
      title: 'Song-by-song shape similarity',
      spec: songsCorrelationSpec({
        names,
        values: shapeSimilarity(shapes.distances),
        title: `${title}: song-by-song shape similarity`,
        subtitle: "Pearson r between the songs' shape matrices after aligning them by time warping (1 − the warped shape distance)",
      }),
      caption: 'How alike two songs are in form (the order and recurrence of their parts), whatever their key, tempo, length or sound.',
    },
    {
      name: `${prefix}-shape-mds`,
      title: 'Shape map (MDS of the shape distances)',
      spec: labelledScatterSpec({
        items: items.map((it, i) => ({ x: shapes.map.data[i * 2], y: shapes.map.data[i * 2 + 1], ...it })),
        colorBy: items[0]?.group !== undefined ? 'group' : 'cluster',
        title: `${title}: songs by shape (metric MDS of the warped shape distances)`,
        axisTitles: ['shape MDS 1', 'shape MDS 2'],
        legendTitle: items[0]?.group !== undefined ? 'group' : 'k-means cluster (shape map)',
      }),
      caption: `Songs near each other have similar forms. Metric MDS (SMACOF, seed ${seed}) of the warped distances between shape fingerprints (${shapeId()}).`,
    },
  ];
}
