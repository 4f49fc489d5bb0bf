/**
 * The `album` job: one album, playlist, directory or manifest — every song's vector, their song-by-song
 * correlation, a clustermap, an MDS map coloured by k-means, album.json and report.html.
 */
import type { Collection } from '../sources/collection.js';
import { type TrackFailure, type TrackRecord } from './tracks.js';
import { DEFAULT_SONG_NORMALIZATION, songVectors } from '../transforms/songs.js';
import { kmeans } from '../transforms/cluster.js';
import { pearsonRows } from '../transforms/correlate.js';
import { dendrogramSegments, hierarchicalOrder, type HierarchyMetric } from '../transforms/hierarchy.js';
import type { Points } from '../transforms/points.js';
import { clustermapSpec, songsCorrelationSpec } from '../plots/songs.js';
import { labelledScatterSpec } from '../plots/scatter.js';
import type { ReportGalleryItem } from '../plots/page.js';
import { DEFAULT_SEED } from '../util/random.js';
import { FEATURE_COLUMNS } from '../matrix/featureMatrix.js';
import { GENERATOR } from './analyze.js';
import { inputError, messages } from '../errors.js';
import { DEFAULT_SONG_FEATURES, usesMean, usesShape } from './songFeatures.js';
import { shapeId } from '../shape/fingerprint.js';
import { shapePlots, songShapes, type SongShapes, collect, failureJson, failureTable, matrixRows, songsMds, songTooltip, trackGallery, trackJson, writeBatchOutputs, type BatchOptions, type BatchTimings, type PlotEntry } from './batch.js';


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
  /** With `features` shape or both: the warped shape distances (row-major), their 2-D MDS and its k-means clusters. */
  shape?: SongShapes;
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
  const { tracks, failures, gallery } = await collect(collection, options, timings);
  if (tracks.length < 2) throw inputError(messages.toolkit.tooFewTracks(collection.name, tracks.length, 2, 'an album comparison'));
  let t = performance.now();
  const vectors = songVectors(tracks, normalization);
  const correlation = pearsonRows(vectors).values;
  const corrPoints: Points = { n: tracks.length, d: tracks.length, data: correlation.map((v) => (Number.isNaN(v) ? 0 : v)) };
  const metric = options.metric ?? 'correlation';
  const hierarchy = hierarchicalOrder(corrPoints, { metric, method: 'average' });
  const k = Math.min(options.k ?? 3, tracks.length);
  const mds = songsMds(vectors, seed);
  const features = options.features ?? DEFAULT_SONG_FEATURES;
  const shapes = usesShape(features) ? songShapes(tracks, seed, k) : undefined;
  // by shape alone, the songs' clusters are those of the shape map
  const clusters = shapes && !usesMean(features) ? shapes.clusters : kmeans(kmeansOn === 'mds' ? mds : vectors, k, { seed }).labels;
  timings.songs = performance.now() - t;

  const names = tracks.map((tr) => tr.name);
  const meanPlots: PlotEntry[] = [
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
  const plots: PlotEntry[] = [
    ...(usesMean(features) ? meanPlots : []),
    ...(shapes ? shapePlots('songs', collection.name, names, shapes, tracks.map((tr, i) => ({ label: tr.name, cluster: shapes.clusters[i], tooltip: songTooltip(tr) })), seed) : []),
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
    tracks: tracks.map((tr, i) =>
      trackJson(tr, vectors.data.subarray(i * 26, (i + 1) * 26), {
        cluster: clusters[i],
        mds: [mds.data[i * 2], mds.data[i * 2 + 1]],
        ...(shapes ? { shapeMds: [shapes.map.data[i * 2], shapes.map.data[i * 2 + 1]], shapeCluster: shapes.clusters[i] } : {}),
      }),
    ),
    failures: failures.map(failureJson),
    correlation: matrixRows(correlation, tracks.length),
    clustermap: { metric, method: 'average', order: hierarchy.order, merges: hierarchy.merges },
    kmeans: { k, seed, on: shapes && !usesMean(features) ? 'shape map' : kmeansOn },
    songFeatures: features,
    ...(shapes ? { shape: { id: shapeId(), distance: 'warped', distances: matrixRows(shapes.distances, tracks.length) } } : {}),
  };
  const files = await writeBatchOutputs(options, plots, 'album.json', albumJson, {
    title: collection.name,
    subtitle: `${tracks.length} tracks analysed${failures.length ? `, ${failures.length} failed` : ''} · ${GENERATOR}`,
    summary: {
      tracks: tracks.length,
      failed: failures.length,
      normalization,
      'songs described by': features,
      'k-means clusters': k,
      seed,
      'mean tempo (BPM)': mean(tracks.map((tr) => tr.summary.tempoBpm)),
    },
    tables: [trackTable(tracks, clusters, gallery), ...(failures.length ? [failureTable(failures)] : [])],
    galleries: trackGallery(tracks, gallery),
  });
  timings.plots = performance.now() - t;
  timings.total = performance.now() - started;
  return { name: collection.name, tracks, failures, correlation, order: hierarchy.order, clusters, mds, ...(shapes ? { shape: shapes } : {}), files, timings };
}

function mean(values: (number | undefined)[]): string {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1) : '–';
}

/** The tracks table of the album report; a track with its own report links to it. */
function trackTable(tracks: TrackRecord[], clusters: Int32Array, reports: ReadonlyMap<number, ReportGalleryItem>) {
  return {
    title: 'Tracks',
    columns: ['track', 'artist', 'duration', 'tempo (BPM)', 'key', 'cluster'],
    rows: tracks.map((tr, i) => {
      const href = reports.get(tr.ref.position)?.href;
      return [
        href ? { text: tr.name, href } : tr.name,
        tr.summary.artist ?? '',
        `${Math.floor(tr.summary.durationS / 60)}:${String(Math.round(tr.summary.durationS % 60)).padStart(2, '0')}`,
        tr.summary.tempoBpm !== undefined ? tr.summary.tempoBpm.toFixed(1) : '',
        tr.summary.key ?? '',
        clusters[i],
      ];
    }),
  };
}
