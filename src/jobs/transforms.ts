/**
 * The transform subcommands as library calls: normalize, correlate, cluster and reduce on loaded
 * matrices. Each job returns its numeric result as a {@link ResultTable} (or matrices), a Vega-Lite spec
 * and a summary; the CLI only parses options, loads inputs and writes what comes back.
 *
 * Binning follows the notebook: the 1 ms matrix is z-scored per column (unless it is already normalised),
 * averaged into `resolution` bins (pandas `resample().mean()`), then optionally smoothed with a trailing
 * rolling mean (pandas `rolling(N).mean().fillna(0)`).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FeatureMatrix, MatrixMetadata } from '../matrix/featureMatrix.js';
import { eventBinMeans, eventColumnStats } from '../matrix/events.js';
import type { LoadedMatrix } from './load.js';
import { secondsFromMs, type ResultTable, type TableColumn } from '../matrix/table.js';
import { columnStats, normalize, zscoreWithin, type NormalizeMode } from '../transforms/normalize.js';
import { DEFAULT_SONG_NORMALIZATION, songVectors, type SongNormalization, type SongStats } from '../transforms/songs.js';
import { binMeans, rollingMean } from '../transforms/resample.js';
import { similarityRows, type SimilarityMatrix, type SimilarityMetric } from '../transforms/correlate.js';
import { contiguousWard, kmeans, noveltySegments } from '../transforms/cluster.js';
import { boundaryFMeasure, labelsToBoundaries } from '../evaluate/segment.js';
import { reduce, type Embedding, type ReduceModel, type ReduceOptions } from '../transforms/reduce.js';
import { pointsFromMatrix, type Points } from '../transforms/points.js';
import { DEFAULT_SEED } from '../util/random.js';
import { featureHeatmapSpec, similarityHeatmapSpec } from '../plots/heatmap.js';
import { clusterTimelineSpec } from '../plots/timeline.js';
import { labelledScatterSpec, trajectorySpec } from '../plots/scatter.js';
import { binMsForDisplay, DEFAULT_BIN_MS, DEFAULT_DISPLAY_BINS, MAX_SIMILARITY_BINS, smoothingWindowBins } from './bins.js';
import { inputError, messages, ParameterError } from '../errors.js';

/** `auto`: z-score within the track unless the matrix says it is normalised already. */
export type NormalizeChoice = NormalizeMode | 'auto';

export interface BinOptions {
  /** How to normalise the 1 ms matrix before binning; default `auto`. */
  normalize?: NormalizeChoice;
  /** Bin width, ms (`--resolution`); default {@link DEFAULT_BIN_MS} (1 s). */
  binMs?: number;
  /** Rolling-mean window in seconds (a multiple of the bin width); default 0 (none). */
  smoothS?: number;
}

/**
 * The mode `auto` stands for on this matrix: `none` when its metadata says it was normalised (by any mode
 * but `none`, which leaves the values raw), else `zscore-within`.
 */
export function effectiveNormalization(metadata: MatrixMetadata, choice: NormalizeChoice = 'auto'): NormalizeMode {
  if (choice !== 'auto') return choice;
  const done = metadata.normalization;
  return done && done !== 'none' ? 'none' : 'zscore-within';
}

/** What binning needs from a matrix or from a grid's events. */
interface BinSource {
  rows: number;
  firstMs: number;
  lastMs: number;
  metadata: MatrixMetadata;
  /** Bin means of the source normalised with `mode`. */
  bin(binMs: number, mode: NormalizeMode): FeatureMatrix;
}

function matrixSource(matrix: FeatureMatrix): BinSource {
  return {
    rows: matrix.rows,
    firstMs: matrix.timeMs[0],
    lastMs: matrix.timeMs[matrix.rows - 1],
    metadata: matrix.metadata,
    bin: (binMs, mode) =>
      mode === 'zscore-within'
        ? zscoreWithin(binMeans(matrix, binMs), { stats: columnStats(matrix), inPlace: true })
        : binMeans(mode === 'none' ? matrix : normalize([matrix], mode)[0], binMs),
  };
}

/**
 * The bins of an input: from its grid's events when it is an analysis and the mode needs only column
 * statistics (`zscore-within`, `none`) — the 1 ms matrix is then never built — else from its matrix.
 */
function inputSource(loaded: LoadedMatrix, mode: NormalizeMode): BinSource {
  const events = loaded.events;
  if (!events || (mode !== 'zscore-within' && mode !== 'none')) return matrixSource(loaded.matrix);
  return {
    rows: events.rows,
    firstMs: events.firstMs,
    lastMs: events.lastMs,
    metadata: loaded.metadata,
    bin: (binMs, m) => {
      const bins = eventBinMeans(events, binMs, loaded.metadata);
      return m === 'zscore-within' ? zscoreWithin(bins, { stats: eventColumnStats(events), inPlace: true }) : bins;
    },
  };
}

/**
 * Normalise, bin and smooth one matrix as `correlate` and `cluster` do (see the module comment).
 * `zscore-within` is applied to the bins with the 1 ms statistics (z-scoring is affine per column, so this
 * equals z-scoring the 1 ms matrix first, without a second full-size copy).
 */
export function binnedMatrix(matrix: FeatureMatrix, options: BinOptions = {}): FeatureMatrix {
  if (matrix.rows === 0) throw inputError(messages.emptyGrid(matrix.metadata.title || 'matrix'));
  return binSource(matrixSource(matrix), effectiveNormalization(matrix.metadata, options.normalize), options);
}

/** {@link binnedMatrix} of a loaded input: an analysis is binned from its events, never building its 1 ms matrix. */
export function binnedInput(loaded: LoadedMatrix, options: BinOptions = {}): FeatureMatrix {
  const mode = effectiveNormalization(loaded.metadata, options.normalize);
  if (loaded.events ? loaded.events.rows === 0 : loaded.matrix.rows === 0) throw inputError(messages.emptyGrid(loaded.metadata.title || 'matrix'));
  return binSource(inputSource(loaded, mode), mode, options);
}

function binSource(source: BinSource, mode: NormalizeMode, options: BinOptions): FeatureMatrix {
  const binMs = options.binMs ?? DEFAULT_BIN_MS;
  const windowBins = smoothingWindowBins(options.smoothS ?? 0, binMs);
  const bins = Math.floor(source.lastMs / binMs) - Math.floor(source.firstMs / binMs) + 1;
  if (bins > MAX_SIMILARITY_BINS) {
    const span = source.lastMs - source.firstMs + 1;
    throw inputError(messages.similarityTooLarge(bins, MAX_SIMILARITY_BINS, Math.ceil(span / (MAX_SIMILARITY_BINS - 1))));
  }
  let binned = source.bin(binMs, mode);
  const before = source.metadata.normalization;
  binned = { ...binned, metadata: { ...binned.metadata, normalization: before && before !== 'none' ? before : mode } };
  if (windowBins > binned.rows) {
    throw inputError(messages.toolkit.smoothLongerThanTrack(options.smoothS ?? 0, binned.rows, binned.metadata.title || 'the track'));
  }
  return windowBins > 1 ? rollingMean(binned, windowBins) : binned;
}

const timesS = (timeMs: Int32Array): Float64Array => Float64Array.from(timeMs, secondsFromMs);

function plotTitle(loaded: LoadedMatrix): string {
  const md = loaded.metadata;
  return md.artist && md.title ? `${md.artist} – ${md.title}` : loaded.label;
}

/** "1 s bins" or "1 s bins after a 10 s rolling mean": what a job worked on, for titles and subtitles. */
export function describeBins(binMs: number, smoothS: number): string {
  return `${binMs / 1000} s bins${smoothS > 0 ? ` after a ${smoothS} s rolling mean` : ''}`;
}

/** "0–8 s, 120 s" for a sorted list of bin starts (runs of bins at most `stepS` apart are joined). */
export function describeTimes(times: readonly number[], stepS = 1): string {
  const runs: string[] = [];
  for (let i = 0; i < times.length; ) {
    let j = i;
    while (j + 1 < times.length && times[j + 1] - times[j] <= stepS + 1e-7) j++;
    runs.push(j > i ? `${times[i]}–${times[j]} s` : `${times[i]} s`);
    i = j + 1;
  }
  return runs.length > 4 ? `${runs.slice(0, 4).join(', ')} …` : runs.join(', ');
}

/**
 * The binned rows as points for k-means or a reduction, which need a number in every cell: a bin holding a
 * missing value (a gap in the matrix' time index, or an empty cell) is an input error naming the bins.
 */
function definedPoints(binned: FeatureMatrix, loaded: LoadedMatrix, what: string): Points {
  const points = pointsFromMatrix(binned);
  const missing: number[] = [];
  for (let i = 0; i < points.n; i++) {
    for (let c = 0; c < points.d; c++) {
      if (!Number.isFinite(points.data[i * points.d + c])) {
        missing.push(secondsFromMs(binned.timeMs[i]));
        break;
      }
    }
  }
  if (missing.length > 0) {
    const binS = Number(binned.metadata.resolution_ms) / 1000 || 1;
    throw inputError(messages.toolkit.binsMissingValues(loaded.label, missing.length, points.n, describeTimes(missing, binS), what));
  }
  return points;
}

/** The inputs' feature columns must be the same (same names, same order) to be compared or stacked. */
function checkSameColumns(inputs: readonly LoadedMatrix[]): void {
  const first = inputs[0]?.columns;
  for (const input of inputs.slice(1)) {
    const columns = input.columns;
    if (columns.length !== first.length || columns.some((c, i) => c !== first[i])) {
      throw inputError(messages.toolkit.columnsDiffer(input.label, columns.length, first.length, inputs[0].label));
    }
  }
}

/** A reduction, with its refusals (too few points, identical points, a non-finite value) as input errors. */
function reduceInput(points: Points, options: ReduceOptions, what: string): Embedding {
  try {
    return reduce(points, options);
  } catch (e) {
    if (e instanceof ParameterError) throw inputError(messages.toolkit.cannotReduce(what, e.message));
    throw e;
  }
}

// ---- normalize ----------------------------------------------------------------------------------------

export interface NormalizeJobResult {
  matrices: FeatureMatrix[];
  specs: TopLevelSpec[];
}

/** Normalise the inputs with `mode` and make a feature heatmap of each result. */
export function normalizeJob(inputs: LoadedMatrix[], mode: NormalizeMode): NormalizeJobResult {
  if (mode === 'zscore-across') checkSameColumns(inputs);
  const matrices = normalize(
    inputs.map((i) => i.matrix),
    mode,
  );
  const specs = matrices.map((m, i) => {
    const binMs = binMsForDisplay(m.timeMs[0] ?? 0, m.timeMs[m.rows - 1] ?? 0, DEFAULT_DISPLAY_BINS);
    const bins = binMeans(m, binMs);
    return featureHeatmapSpec(
      {
        title: plotTitle(inputs[i]),
        features: bins.columns,
        binStartS: timesS(bins.timeMs),
        binS: binMs / 1000,
        values: bins.data,
      },
      { subtitle: `${mode} values; ${bins.rows} bins of ${binMs / 1000} s` },
    );
  });
  return { matrices, specs };
}

// ---- correlate ----------------------------------------------------------------------------------------

export interface CorrelateOptions extends BinOptions {
  metric?: SimilarityMetric;
}

export interface CorrelateSummary {
  title: string;
  metric: SimilarityMetric;
  binS: number;
  smoothS: number;
  bins: number;
  /** Start times (s) of bins whose similarity is undefined (constant or empty rows). */
  undefinedBinsS: number[];
  normalization: string;
}

export interface CorrelateJobResult {
  similarity: SimilarityMatrix;
  table: ResultTable;
  spec: TopLevelSpec;
  summary: CorrelateSummary;
}

/**
 * A similarity matrix as a table: `time_s` (bin start), then one column per bin named by its start time
 * in seconds, so CSV is square with a header row (pandas: `read_csv(path, index_col=0)`).
 */
export function similarityTable(similarity: SimilarityMatrix, metadata: Record<string, string>): ResultTable {
  const n = similarity.n;
  const times = timesS(similarity.timeMs);
  const columns: ResultTable['columns'] = [{ name: 'time_s', values: times }];
  for (let j = 0; j < n; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = similarity.values[i * n + j];
    columns.push({ name: String(times[j]), values: col });
  }
  return { columns, metadata };
}

export function correlateJob(loaded: LoadedMatrix, options: CorrelateOptions = {}): CorrelateJobResult {
  const binMs = options.binMs ?? DEFAULT_BIN_MS;
  const smoothS = options.smoothS ?? 0;
  const metric = options.metric ?? 'pearson';
  const binned = binnedInput(loaded, options);
  const similarity = similarityRows(binned, metric);
  const undefinedBinsS = similarity.undefinedRows.map((r) => secondsFromMs(similarity.timeMs[r]));
  const summary: CorrelateSummary = {
    title: plotTitle(loaded),
    metric,
    binS: binMs / 1000,
    smoothS,
    bins: similarity.n,
    undefinedBinsS,
    normalization: binned.metadata.normalization ?? '',
  };
  const table = similarityTable(similarity, {
    ...loaded.metadata,
    kind: 'similarity',
    metric,
    resolution_ms: String(binMs),
    smooth_s: String(smoothS),
    normalization: summary.normalization,
    undefined_bins_s: JSON.stringify(undefinedBinsS),
  });
  const what = metric === 'pearson' ? 'Pearson r' : metric === 'cosine' ? 'cosine similarity' : 'Euclidean distance';
  const undef = undefinedBinsS.length > 0 ? `; ${undefinedBinsS.length} bin${undefinedBinsS.length === 1 ? '' : 's'} undefined` : '';
  const spec = similarityHeatmapSpec(
    {
      title: summary.title,
      binStartS: timesS(similarity.timeMs),
      binS: binMs / 1000,
      values: metric === 'euclidean' ? distanceForDisplay(similarity.values) : similarity.values,
      subtitle: `${what} between ${describeBins(binMs, smoothS)}${undef}${metric === 'euclidean' ? ' (shown as 1 − d / max d)' : ''}`,
    },
  );
  return { similarity, table, spec, summary };
}

/** Distances mapped into the similarity colour scale: 1 − d / max d (1 = identical, 0 = farthest apart). */
function distanceForDisplay(values: Float64Array): Float64Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return Float64Array.from(values, (v) => (Number.isNaN(v) ? NaN : max > 0 ? 1 - v / max : 1));
}

// ---- cluster ------------------------------------------------------------------------------------------

export const CLUSTER_METHODS = Object.freeze(['kmeans', 'novelty', 'agglomerative'] as const);
export type ClusterMethod = (typeof CLUSTER_METHODS)[number];

export interface ClusterOptions extends BinOptions {
  k?: number;
  method?: ClusterMethod;
  seed?: number;
  /** k-means restarts; default 10 (scikit-learn's n_init). */
  nInit?: number;
  /** Novelty kernel width, seconds; default 16 (8 s either side). */
  kernelS?: number;
}

/** Hit-rate boundary agreement at one tolerance window (mir_eval.segment.detection conventions). */
export interface BoundaryScore {
  windowS: number;
  precision: number;
  recall: number;
  f: number;
}

export interface ClusterSummary {
  title: string;
  method: ClusterMethod;
  k: number;
  seed: number;
  binS: number;
  smoothS: number;
  bins: number;
  /** Bins per label [shape=(k)]. */
  sizes: number[];
  /** Where the label changes (s), plus the start and end: the found section boundaries. */
  boundariesS: number[];
  /** The analysis' own section boundaries (section starts and the end), when known. */
  referenceBoundariesS?: number[];
  /** Agreement with the analysis' sections at 0.5 s and 3 s, when they are known. */
  agreement?: BoundaryScore[];
  /** How `agreement` is computed. */
  agreementConvention: string;
  /** k-means only: sum of squared distances to the centroids. */
  inertia?: number;
}

export interface ClusterJobResult {
  labels: Int32Array;
  table: ResultTable;
  spec: TopLevelSpec;
  summary: ClusterSummary;
}

export const AGREEMENT_CONVENTION =
  'mir_eval.segment.detection hit rate (beta = 1, trim = False: the track start and end count as boundaries), ' +
  'boundaries matched one-to-one within ±window seconds';

export function clusterJob(loaded: LoadedMatrix, options: ClusterOptions = {}): ClusterJobResult {
  const binMs = options.binMs ?? DEFAULT_BIN_MS;
  const smoothS = options.smoothS ?? 0;
  const method = options.method ?? 'kmeans';
  const k = options.k ?? 3;
  const seed = options.seed ?? DEFAULT_SEED;
  const binned = binnedInput(loaded, options);
  const points = definedPoints(binned, loaded, `${method} clustering`);
  if (k > points.n) throw inputError(messages.badOption('--k', String(k), `at most the number of time bins (${points.n})`));
  let labels: Int32Array;
  let inertia: number | undefined;
  if (method === 'kmeans') {
    const result = kmeans(points, k, { seed, nInit: options.nInit ?? 10 });
    labels = result.labels;
    inertia = result.inertia;
  } else if (method === 'agglomerative') {
    labels = contiguousWard(points, k);
  } else {
    const kernelBins = Math.max(2, 2 * Math.round((options.kernelS ?? 16) * 500 / binMs));
    labels = noveltySegments(similarityRows(binned, 'pearson'), { kernelBins, k });
  }
  const times = timesS(binned.timeMs);
  const endS = loaded.durationS ?? (times.length > 0 ? times[times.length - 1] + binMs / 1000 : 0);
  const parts = labelParts(labels, times, k, endS, loaded.sectionsS);
  const summary: ClusterSummary = {
    title: plotTitle(loaded),
    method,
    k,
    seed,
    binS: binMs / 1000,
    smoothS,
    bins: points.n,
    sizes: parts.sizes,
    boundariesS: parts.boundariesS,
    agreementConvention: AGREEMENT_CONVENTION,
    ...(inertia !== undefined ? { inertia } : {}),
  };
  if (parts.referenceBoundariesS) summary.referenceBoundariesS = parts.referenceBoundariesS;
  if (parts.agreement) summary.agreement = parts.agreement;
  const boundariesS = parts.boundariesS;
  const table: ResultTable = {
    columns: [
      { name: 'time_s', values: times },
      { name: 'label', values: labels },
    ],
    metadata: {
      ...loaded.metadata,
      kind: 'clusters',
      method,
      k: String(k),
      seed: String(seed),
      resolution_ms: String(binMs),
      smooth_s: String(smoothS),
    },
  };
  const spec = clusterTimelineSpec({
    timesS: times,
    binS: binMs / 1000,
    labels,
    sections: loaded.sectionsS,
    boundaries: boundariesS,
    title: summary.title,
    subtitle: clusterSubtitle(summary),
    method,
  });
  return { labels, table, spec, summary };
}

/** What a labelling of one track's time bins says about its parts (the numbers `cluster --json` reports). */
export interface LabelParts {
  /** Bins per label [shape=(k)] (label −1, no cluster, is not counted). */
  sizes: number[];
  /** Where the label changes (s), plus the start and end: the found section boundaries. */
  boundariesS: number[];
  /** The analysis' own section boundaries (section starts and the end), when there are sections. */
  referenceBoundariesS?: number[];
  /** Agreement of `boundariesS` with `referenceBoundariesS` at ±0.5 s and ±3 s ({@link AGREEMENT_CONVENTION}). */
  agreement?: BoundaryScore[];
}

/**
 * Sizes, boundaries and section agreement of a labelling of time bins.
 *
 * @param labels - label per bin, 0 … k−1 or −1 (no cluster) [shape=(n)]
 * @param times - start of each bin, seconds [shape=(n)]
 * @param k - number of labels asked for (the length of `sizes`)
 * @param endS - end of the track, seconds
 * @param sectionsS - start times of the analysis' sections, seconds (none: no agreement is scored)
 */
export function labelParts(labels: Int32Array, times: Float64Array, k: number, endS: number, sectionsS: readonly number[]): LabelParts {
  const boundariesS = labelsToBoundaries(labels, times, endS);
  const sizes = new Array<number>(Math.max(k, 0)).fill(0);
  for (const l of labels) if (l >= 0) sizes[l] = (sizes[l] ?? 0) + 1;
  const parts: LabelParts = { sizes, boundariesS };
  if (sectionsS.length > 0) {
    const reference = [...sectionsS, endS].filter((t, i, a) => i === 0 || t > a[i - 1]);
    parts.referenceBoundariesS = reference;
    parts.agreement = [0.5, 3].map((windowS) => {
      const { precision, recall, f } = boundaryFMeasure(reference, boundariesS, windowS);
      return { windowS, precision, recall, f };
    });
  }
  return parts;
}

/** The subtitle of a cluster timeline: method, bins, and the boundary F-measures when there are sections. */
export function clusterSubtitle(s: Pick<ClusterSummary, 'method' | 'k' | 'seed' | 'binS' | 'smoothS' | 'agreement'>): string {
  const how = s.method === 'kmeans' ? `k-means, k = ${s.k}, seed ${s.seed}` : s.method === 'novelty' ? `novelty (Foote), ${s.k} segments` : `contiguous Ward, ${s.k} segments`;
  const f = s.agreement ? `; boundary F vs sections: ${s.agreement.map((a) => `${a.f.toFixed(2)} @ ${a.windowS} s`).join(', ')}` : '';
  return `${how} on ${describeBins(s.binS * 1000, s.smoothS)}${f}`;
}

// ---- reduce -------------------------------------------------------------------------------------------

export interface ReduceJobOptions extends Omit<BinOptions, 'normalize'> {
  /**
   * One input: the 1 ms matrix's normalisation before binning (as `correlate`; default `auto`). Several
   * inputs: how the tracks' time-averaged vectors are normalised — a {@link SongNormalization} (default
   * `zscore-songs`), or a matrix mode (`zscore-within`, `zscore-row`, `minmax`) applied to each matrix
   * before averaging; `zscore-across` is `zscore-rows`.
   */
  normalize?: NormalizeChoice | SongNormalization;
  model?: ReduceModel;
  ndims?: number;
  seed?: number;
  /** One track: colour the trajectory by time (default) or by k-means cluster. */
  colorBy?: 'time' | 'cluster';
  /** Clusters for `colorBy: 'cluster'`; default 3. */
  k?: number;
}

export interface ReduceSummary {
  model: ReduceModel;
  ndims: number;
  seed: number;
  points: number;
  /** `trajectory` for one track (its time bins), `tracks` for several (one point each). */
  mode: 'trajectory' | 'tracks';
  explainedVarianceRatio?: number[];
  stress?: number;
}

export interface ReduceJobResult {
  embedding: Embedding;
  table: ResultTable;
  spec: TopLevelSpec;
  summary: ReduceSummary;
}

const dimNames = (ndims: number) => Array.from({ length: ndims }, (_, i) => `dim_${i + 1}`);

/** Axis titles of an embedding: `PC1 (34.1 % of variance)` for PCA and classical MDS, else `MDS 1`, `UMAP 1`. */
export function axisTitles(model: ReduceModel, embedding: Embedding): string[] {
  const ratio = embedding.explainedVarianceRatio;
  const prefix = model === 'pca' ? 'PC' : model === 'umap' ? 'UMAP ' : 'MDS ';
  return Array.from({ length: embedding.points.d }, (_, i) =>
    ratio ? `${prefix}${i + 1} (${(ratio[i] * 100).toFixed(1)} % of variance)` : `${prefix}${i + 1}`,
  );
}

/** The time-average of every column (NaN rows ignored) as one point per track. */
export function meanVector(matrix: FeatureMatrix): Float64Array {
  const n = matrix.rows;
  const out = new Float64Array(matrix.columns.length);
  for (let c = 0; c < out.length; c++) {
    let sum = 0;
    let count = 0;
    for (let i = c * n; i < (c + 1) * n; i++) {
      const x = matrix.data[i];
      if (x === x) {
        sum += x;
        count++;
      }
    }
    out[c] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/**
 * Reduce one track's time bins (a trajectory) or several tracks' time-averaged feature vectors (a
 * labelled scatter). Several tracks' vectors are normalised with `normalize` (default `zscore-songs`) first.
 */
export function reduceJob(inputs: LoadedMatrix[], options: ReduceJobOptions = {}): ReduceJobResult {
  const model = options.model ?? 'pca';
  const ndims = options.ndims ?? 2;
  const seed = options.seed ?? DEFAULT_SEED;
  const reduceOptions = { model, ndims, seed };
  if (inputs.length === 1) {
    const loaded = inputs[0];
    const normalize = options.normalize;
    if (normalize === 'zscore-songs' || normalize === 'zscore-rows') throw inputError(messages.toolkit.songNormalizationNeedsTracks(normalize));
    const binned = binnedInput(loaded, { ...options, normalize });
    const points = definedPoints(binned, loaded, `reduce --model ${model}`);
    const embedding = reduceInput(points, reduceOptions, `the ${points.n} time bins of ${loaded.label}`);
    const times = timesS(binned.timeMs);
    let clusters: Int32Array | undefined;
    if (options.colorBy === 'cluster') clusters = kmeans(points, Math.min(options.k ?? 3, points.n), { seed }).labels;
    const titles = axisTitles(model, embedding);
    const columns = coordinateColumns({ name: 'time_s', values: times }, embedding);
    if (clusters) columns.push({ name: 'cluster', values: clusters });
    const summary = reduceSummary(reduceOptions, 'trajectory', embedding);
    const spec = trajectorySpec({
      points: embedding.points,
      timesS: times,
      clusters,
      colorBy: options.colorBy ?? 'time',
      title: `${plotTitle(loaded)}: ${model.toUpperCase()} trajectory of ${describeBins(options.binMs ?? DEFAULT_BIN_MS, options.smoothS ?? 0)}`,
      axisTitles: titles,
    });
    return { embedding, table: { columns, metadata: reduceMetadata(loaded.metadata, summary) }, spec, summary };
  }
  const chosen = options.normalize === undefined || options.normalize === 'auto' ? DEFAULT_SONG_NORMALIZATION : options.normalize;
  const mode = chosen === 'zscore-across' ? 'zscore-rows' : chosen;
  checkSameColumns(inputs);
  let points: Points;
  if (mode === 'zscore-songs' || mode === 'zscore-rows' || mode === 'none') {
    // song-vector modes need only each track's row count and column statistics (from an analysis' events)
    points = songVectors(
      inputs.map((i) => (i.events ? { rows: i.events.rows, ...eventColumnStats(i.events) } : { rows: i.matrix.rows, ...columnStats(i.matrix) })),
      mode,
    );
  } else {
    const vectors = normalize(inputs.map((i) => i.matrix), mode).map(meanVector);
    points = { n: vectors.length, d: vectors[0].length, data: new Float64Array(vectors.length * vectors[0].length) };
    vectors.forEach((v, i) => points.data.set(v, i * points.d));
  }
  return tracksEmbedding(points, inputs.map((i) => plotTitle(i)), mode, reduceOptions, inputs[0].metadata.generator || 'songscope');
}

/**
 * Reduce tracks given by their statistics alone (a dataset's rows: `songscope scan`): each track's
 * time-averaged vector normalised with a song-vector mode (default `zscore-songs`), as {@link reduceJob}
 * does for several inputs.
 *
 * @param songs - each track's display name, 1 ms row count and raw column means/stds [shape=(26)]
 * @throws SongscopeError (exit 2) for a matrix normalisation, which needs the 1 ms matrices
 */
export function reduceSongsJob(songs: readonly (SongStats & { name: string })[], options: ReduceJobOptions = {}): ReduceJobResult {
  const chosen = options.normalize === undefined || options.normalize === 'auto' ? DEFAULT_SONG_NORMALIZATION : options.normalize;
  if (chosen !== 'zscore-songs' && chosen !== 'zscore-rows' && chosen !== 'none') throw inputError(messages.corpus.datasetVectorsOnly(chosen));
  const reduceOptions = { model: options.model ?? 'pca', ndims: options.ndims ?? 2, seed: options.seed ?? DEFAULT_SEED };
  return tracksEmbedding(songVectors(songs, chosen), songs.map((s) => s.name), chosen, reduceOptions, 'songscope');
}

/** The embedding of tracks' vectors as a labelled scatter, its table and summary. */
function tracksEmbedding(
  points: Points,
  names: string[],
  mode: string,
  reduceOptions: Required<Pick<ReduceOptions, 'model' | 'ndims' | 'seed'>>,
  generator: string,
): ReduceJobResult {
  const { model, ndims } = reduceOptions;
  const embedding = reduceInput(points, reduceOptions, `${names.length} tracks`);
  const columns = coordinateColumns({ name: 'track', values: names }, embedding);
  const summary = reduceSummary(reduceOptions, 'tracks', embedding);
  const titles = axisTitles(model, embedding);
  const spec = labelledScatterSpec({
    items: names.map((label, i) => ({
      x: embedding.points.data[i * ndims],
      y: embedding.points.data[i * ndims + 1],
      ...(ndims === 3 ? { z: embedding.points.data[i * ndims + 2] } : {}),
      label,
      group: 'tracks',
    })),
    colorBy: 'group',
    title: `${model.toUpperCase()} of ${names.length} tracks' mean feature vectors (${mode})`,
    axisTitles: titles,
  });
  return { embedding, table: { columns, metadata: reduceMetadata({ generator, normalization: mode }, summary) }, spec, summary };
}

/** `first`, then one column `dim_1`, `dim_2`[, `dim_3`] per embedded dimension. */
function coordinateColumns(first: TableColumn, embedding: Embedding): TableColumn[] {
  const { n, d, data } = embedding.points;
  return [first, ...dimNames(d).map((name, k) => ({ name, values: Float64Array.from({ length: n }, (_, i) => data[i * d + k]) }))];
}

function reduceSummary(options: Required<Pick<ReduceOptions, 'model' | 'ndims' | 'seed'>>, mode: ReduceSummary['mode'], embedding: Embedding): ReduceSummary {
  return {
    model: options.model,
    ndims: options.ndims,
    seed: options.seed,
    points: embedding.points.n,
    mode,
    ...(embedding.explainedVarianceRatio ? { explainedVarianceRatio: embedding.explainedVarianceRatio } : {}),
    ...(embedding.stress !== undefined ? { stress: embedding.stress } : {}),
  };
}

function reduceMetadata(base: Record<string, string>, s: ReduceSummary): Record<string, string> {
  return {
    ...base,
    kind: 'embedding',
    model: s.model,
    ndims: String(s.ndims),
    seed: String(s.seed),
    ...(s.explainedVarianceRatio ? { explained_variance_ratio: JSON.stringify(s.explainedVarianceRatio) } : {}),
    ...(s.stress !== undefined ? { stress: String(s.stress) } : {}),
  };
}
