/**
 * The `similar` job: rank a collection's tracks by how alike they are to a query track — in **shape** (the
 * order and recurrence of their parts: `src/shape`), in **features** (their time-averaged feature vectors,
 * as album and compare compare songs), or **both**.
 *
 * 1. The query (any single-track input) and the collection (anything {@link resolveTracks} accepts: an
 *    album, a playlist, a directory, a manifest, a track; a dataset later) are resolved; every track is
 *    analysed once, one at a time (`collectTracks`), keeping per track its column statistics (26 × 2
 *    numbers), its shape fingerprint (2,016 float32) and its trajectory (64 × 24 float32).
 * 2. A collection track that *is* the query — the same Spotify track, the same file, or an identical
 *    analysis — is left out.
 * 3. Distances from the query: `shape`, the warped (or direct) distance between fingerprints; `features`, the
 *    Euclidean distance between the time-averaged vectors normalised together (query and collection, with
 *    `normalize`, default `zscore-songs`); `both`, the mean of the two, each divided by its median over the
 *    collection (so neither unit dominates).
 * 4. Ranked ascending (ties: collection order); the first `top` are the results.
 * 5. Written into `outDir`: `similar.json` (every number), the plot `similar` (the query's and the best
 *    matches' shape matrices side by side with their trajectories) and `report.html`.
 */
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { Collection } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { resolveTracks } from '../sources/tracks.js';
import { datasetRecords, isDataset, readDatasetCollection, requireShapes } from '../corpus/read.js';
import { collectTracks, type CollectProgress, type TrackFailure, type TrackRecord } from './tracks.js';
import { fingerprintMatrix, shapeId, type ShapeOptions } from '../shape/fingerprint.js';
import { DEFAULT_SHAPE_DISTANCE, shapeDistance, type ShapeDistance, type WarpOptions } from '../shape/distance.js';
import { DEFAULT_SONG_NORMALIZATION, songVectors, type SongNormalization } from '../transforms/songs.js';
import { squaredDistance, type Points } from '../transforms/points.js';
import { reduce } from '../transforms/reduce.js';
import { shapeGallerySpec } from '../plots/shape.js';
import { writePlot, type PlotFormat } from '../plots/output.js';
import { writeFileAtomic } from '../util/atomic.js';
import { outputJsonText } from '../util/outputJson.js';
import type { ReportRenderer } from '../plots/page.js';
import { GENERATOR } from './analyze.js';
import { ExitCode, ParameterError, SongscopeError, inputError, messages } from '../errors.js';

/** What the tracks are ranked by. */
export const SIMILAR_BY = Object.freeze(['shape', 'features', 'both'] as const);
export type SimilarBy = (typeof SIMILAR_BY)[number];

/** Default number of results. */
export const DEFAULT_TOP = 10;
/** Matches drawn beside the query in the plot (at most). */
export const SIMILAR_PLOT_MATCHES = 4;

export interface SimilarOptions {
  /** Directory every output goes into (created). */
  outDir: string;
  resolve: ResolveOptions;
  /** Default `shape`. */
  by?: SimilarBy;
  /** Results to keep (≥ 1); default {@link DEFAULT_TOP}. */
  top?: number;
  /** Shape distance; default {@link DEFAULT_SHAPE_DISTANCE}. */
  distance?: ShapeDistance;
  /** Fingerprint parameters (default: `src/shape`'s). */
  shape?: ShapeOptions;
  warp?: WarpOptions;
  /** Song-vector normalisation for `features`; default `zscore-songs`. */
  normalize?: SongNormalization;
  concurrency?: number;
  /** A dataset collection: only the tracks matching this SQL condition (DuckDB syntax). */
  where?: string;
  /** Informational lines (a dataset's left-out tracks and scan failures). */
  log?: (line: string) => void;
  /** Worker threads for the collection's per-track work; default 1. The ranking is the same for any number. */
  jobs?: number;
  /** Plots (and report.html) at all; default true. */
  plots?: boolean;
  format?: PlotFormat;
  /** Renders report.html (needs plots): `buildReportHtml` of `report/html.ts`; without one, none is written. */
  report?: ReportRenderer;
  onProgress?: (p: CollectProgress) => void;
}

/** One ranked track. */
export interface SimilarMatch {
  /** 1-based. */
  rank: number;
  record: TrackRecord;
  /** What the ranking used (see the module comment). */
  distance: number;
  /** With `both`: the two distances it combines. */
  shapeDistance?: number;
  featuresDistance?: number;
}

export interface SimilarResult {
  query: TrackRecord;
  collection: Collection;
  by: SimilarBy;
  /** The fingerprint's id (version and parameters). */
  shapeId: string;
  distance: ShapeDistance;
  normalization: SongNormalization;
  /** The best `top`, in order. */
  results: SimilarMatch[];
  /** Tracks compared (after leaving the query out). */
  compared: number;
  /** Collection tracks left out as the query itself. */
  leftOut: TrackRecord[];
  failures: TrackFailure[];
  files: string[];
  /** What `--json` prints (and the core of similar.json), as `outputJsonText` writes it: keys in snake_case. */
  json: SimilarJson;
}

export interface SimilarJson {
  query: { track: string; input: string; title?: string; artist?: string; durationS: number };
  by: SimilarBy;
  results: { rank: number; track: string; input: string; distance: number; shapeDistance?: number; featuresDistance?: number }[];
}

/** Whether a collection track is the query: the same Spotify track, the same file, or an identical analysis. */
function isQuery(t: TrackRecord, q: TrackRecord): boolean {
  if (t.ref.id && q.ref.id && t.ref.id === q.ref.id) return true;
  const path = (input: string) => (isAbsolute(input) ? input : resolvePath(input));
  if (!/^spotify:/.test(t.ref.input) && !/^spotify:/.test(q.ref.input) && path(t.ref.input) === path(q.ref.input)) return true;
  if (t.rows !== q.rows || !t.shape || !q.shape) return false;
  for (let c = 0; c < t.mean.length; c++) if (t.mean[c] !== q.mean[c] || t.std[c] !== q.std[c]) return false;
  for (let k = 0; k < t.shape.length; k++) if (t.shape[k] !== q.shape[k]) return false;
  return true;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The trajectory of a fingerprint's sequence: its own first two principal components (zeros without structure). */
function trajectory(sequence: Float32Array, n: number, d: number): Float64Array {
  const points: Points = { n, d, data: Float64Array.from(sequence) };
  if (points.data.every((v) => v === 0)) return new Float64Array(n * 2);
  try {
    return reduce(points, { model: 'pca', ndims: 2 }).points.data;
  } catch {
    return new Float64Array(n * 2);
  }
}

const trackLabel = (t: TrackRecord) => t.name;

/**
 * The trajectories of a few dataset tracks (the plotted matches): a dataset stores fingerprints, not the
 * sequences they were made from, so those tracks are resolved again from their inputs (the cache keeps
 * audio analyses). A track that cannot be is drawn without one.
 */
async function datasetSequences(
  records: readonly TrackRecord[],
  sequences: Map<TrackRecord, Float32Array>,
  options: SimilarOptions,
  keep: (record: TrackRecord, fp: { sequence: Points; size: number }) => void,
): Promise<void> {
  const wanted = records.filter((r) => !sequences.has(r));
  if (wanted.length === 0) return;
  const byPosition = new Map(wanted.map((r, i) => [i + 1, r]));
  await collectTracks(
    { kind: 'inputs', name: 'matches', source: 'dataset', tracks: wanted.map((r, i) => ({ ...r.ref, position: i + 1 })) },
    { resolve: options.resolve, shape: options.shape ?? {}, onShape: (record, fp) => keep(byPosition.get(record.ref.position)!, fp) },
  );
}

/**
 * Run the job (see the module comment).
 *
 * @throws SongscopeError — exit code 2 when the query names several tracks or none, the collection is
 *   empty or holds nothing but the query; the query's own failure (its exit code) when it cannot be
 *   analysed; exit code 1 when every collection track failed
 */
export async function runSimilar(querySpec: string, collectionSpec: string, options: SimilarOptions): Promise<SimilarResult> {
  const by = options.by ?? 'shape';
  const top = options.top ?? DEFAULT_TOP;
  if (!(Number.isInteger(top) && top >= 1)) throw new ParameterError('top', String(top), 'a whole number ≥ 1');
  const distanceKind = options.distance ?? DEFAULT_SHAPE_DISTANCE;
  const normalization = options.normalize ?? DEFAULT_SONG_NORMALIZATION;
  const id = shapeId(options.shape);

  // ---- the query
  const queryCollection = await resolveTracks(querySpec, options.resolve);
  if (queryCollection.tracks.length !== 1) throw inputError(messages.similar.queryNotOneTrack(querySpec, queryCollection.tracks.length));
  const sequences = new Map<TrackRecord, Float32Array>();
  let size = 0;
  let columns = 0;
  const keepShape = (record: TrackRecord, fp: { sequence: Points; size: number }) => {
    sequences.set(record, Float32Array.from(fp.sequence.data));
    size = fp.size;
    columns = fp.sequence.d;
  };
  const q = await collectTracks(queryCollection, { resolve: options.resolve, shape: options.shape ?? {}, onShape: keepShape });
  if (q.tracks.length === 0) {
    const f = q.failures[0];
    throw new SongscopeError(messages.similar.queryFailed(querySpec, f?.message ?? 'unknown error'), { exitCode: (f?.exitCode as ExitCode) ?? ExitCode.RUNTIME });
  }
  const query = q.tracks[0];

  // ---- the collection
  // a dataset (`songscope scan`) brings every track's statistics and fingerprint: nothing is analysed
  const fromDataset = isDataset(collectionSpec);
  if (fromDataset && options.shape !== undefined && shapeId(options.shape) !== shapeId()) throw inputError(messages.similar.datasetShapeParameters(collectionSpec, shapeId()));
  const collection = fromDataset ? await readDatasetCollection(collectionSpec, { where: options.where, log: options.log }) : await resolveTracks(collectionSpec, options.resolve);
  if (collection.tracks.length === 0) throw inputError(messages.toolkit.emptyCollection(collectionSpec));
  const { tracks, failures } =
    datasetRecords(collection) ??
    (await collectTracks(collection, {
      resolve: options.resolve,
      concurrency: options.concurrency,
      jobs: options.jobs,
      onProgress: options.onProgress,
      shape: options.shape ?? {},
      onShape: keepShape,
    }));
  if (fromDataset && by !== 'features') requireShapes(tracks, collectionSpec);
  const leftOut = tracks.filter((t) => isQuery(t, query));
  const candidates = tracks.filter((t) => !isQuery(t, query));
  for (const t of leftOut) sequences.delete(t);
  if (candidates.length === 0) {
    throw new SongscopeError(messages.similar.nothingToCompare(collection.name, leftOut.length, failures.length), {
      exitCode: failures.length > 0 && leftOut.length === 0 ? ExitCode.RUNTIME : ExitCode.USAGE,
    });
  }

  // ---- distances
  const shapeD = by === 'features' ? [] : candidates.map((t) => shapeDistance(query.shape!, t.shape!, distanceKind, options.warp));
  let featuresD: number[] = [];
  if (by !== 'shape') {
    const vectors = songVectors([query, ...candidates], normalization);
    featuresD = candidates.map((_, i) => Math.sqrt(squaredDistance(vectors, 0, vectors, i + 1)));
  }
  let combined: number[];
  if (by === 'shape') combined = shapeD;
  else if (by === 'features') combined = featuresD;
  else {
    const ms = median(shapeD) || 1;
    const mf = median(featuresD) || 1;
    combined = candidates.map((_, i) => (shapeD[i] / ms + featuresD[i] / mf) / 2);
  }
  const order = candidates.map((_, i) => i).sort((a, b) => combined[a] - combined[b] || a - b);
  const results: SimilarMatch[] = order.slice(0, top).map((i, r) => ({
    rank: r + 1,
    record: candidates[i],
    distance: combined[i],
    ...(by === 'both' ? { shapeDistance: shapeD[i], featuresDistance: featuresD[i] } : {}),
  }));

  const json: SimilarJson = {
    query: {
      track: trackLabel(query),
      input: query.ref.input,
      ...(query.summary.title ? { title: query.summary.title } : {}),
      ...(query.summary.artist ? { artist: query.summary.artist } : {}),
      durationS: query.summary.durationS,
    },
    by,
    results: results.map((m) => ({
      rank: m.rank,
      track: trackLabel(m.record),
      input: m.record.ref.input,
      distance: m.distance,
      ...(m.shapeDistance !== undefined ? { shapeDistance: m.shapeDistance, featuresDistance: m.featuresDistance } : {}),
    })),
  };

  // ---- outputs
  const files: string[] = [];
  const describeBy =
    by === 'shape'
      ? `shape: ${distanceKind} distance between shape fingerprints (${id})`
      : by === 'features'
        ? `features: Euclidean distance between the time-averaged feature vectors (${normalization})`
        : `both: the mean of the shape distance (${distanceKind}) and the features distance (${normalization}), each divided by its median over the collection`;
  const plots = [];
  if (options.plots !== false) {
    const shown = results.slice(0, SIMILAR_PLOT_MATCHES);
    if (fromDataset) await datasetSequences(shown.map((m) => m.record), sequences, options, keepShape);
    const item = (t: TrackRecord, title: string, subtitle?: string) => ({
      title,
      subtitle,
      matrix: fingerprintMatrix(t.shape!),
      // a dataset track whose input cannot be read again has no trajectory: a still point
      trajectory: sequences.has(t) ? trajectory(sequences.get(t)!, size, columns) : new Float64Array(size * 2),
    });
    const spec = shapeGallerySpec({
      title: `Songs shaped like ${query.summary.title ?? query.name}`,
      subtitle: `ranked by ${describeBy}; each song: its shape matrix (top) and its trajectory (bottom)`,
      items: [item(query, `query: ${query.name}`, 'the song the others are ranked against'), ...shown.map((m) => item(m.record, `#${m.rank} ${m.record.name}`, `distance ${m.distance.toFixed(3)}`))],
    });
    plots.push({
      name: 'similar',
      title: 'The query and its best matches',
      spec,
      caption:
        'Each column is a song: its shape matrix (how alike every moment is to every other, over the song’s normalised time: red alike, blue unlike, standardised) and its trajectory (the phrase-smoothed pitch and timbre on its own first two principal components, coloured by position). Songs of one form have the same block pattern whatever their key, tempo or sound.',
    });
    files.push(...(await writePlot(options.outDir, 'similar', spec, { format: options.format ?? 'svg' })).files);
  }
  const jsonPath = join(options.outDir, 'similar.json');
  await writeFileAtomic(
    jsonPath,
    outputJsonText({
      ...json,
      generator: GENERATOR,
      collection: { name: collection.name, kind: collection.kind, source: collection.source, tracks: collection.tracks.length },
      ranking: describeBy,
      shape: { id, distance: distanceKind },
      normalization,
      compared: candidates.length,
      leftOut: leftOut.map((t) => ({ track: t.name, input: t.ref.input })),
      failures: failures.map((f) => ({ track: f.name, input: f.ref.input, error: f.message, exitCode: f.exitCode })),
    }),
  );
  files.push(jsonPath);
  if (options.plots !== false && options.report) {
    const reportPath = join(options.outDir, 'report.html');
    const both = by === 'both';
    await writeFileAtomic(reportPath, options.report({
      title: `Songs shaped like ${query.summary.title ?? query.name}`,
      subtitle: `${collection.name} · ${GENERATOR}`,
      summary: {
        query: `${query.name} (${query.ref.input})`,
        collection: `${collection.name} (${collection.kind}, ${collection.tracks.length} tracks)`,
        'ranked by': describeBy,
        'tracks compared': candidates.length,
        ...(leftOut.length ? { 'left out (the query itself)': leftOut.map((t) => t.name).join(', ') } : {}),
        ...(failures.length ? { failed: failures.length } : {}),
      },
      tables: [
        {
          title: `The ${results.length} nearest`,
          columns: ['rank', 'track', 'input', 'distance', ...(both ? ['shape', 'features'] : [])],
          rows: results.map((m) => [
            m.rank,
            m.record.name,
            m.record.ref.input,
            m.distance.toFixed(4),
            ...(both ? [m.shapeDistance!.toFixed(4), m.featuresDistance!.toFixed(4)] : []),
          ]),
        },
        ...(failures.length ? [{ title: 'Tracks that failed', columns: ['track', 'input', 'error'], rows: failures.map((f) => [f.name, f.ref.input, f.message]) }] : []),
      ],
      plots,
    }));
    files.push(reportPath);
  }
  return { query, collection, by, shapeId: id, distance: distanceKind, normalization, results, compared: candidates.length, leftOut, failures, files, json };
}
