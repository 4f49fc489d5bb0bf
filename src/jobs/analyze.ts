/**
 * The `analyze` job as a library call: the notebook's whole single-song story. Matrix → z-score → display
 * bins and `resolution` bins → five plots (the feature heatmap, the self-similarity matrix, the same after a
 * rolling mean, the track's parts found by k-means on the smoothed bins as a timeline, and its PCA
 * trajectory coloured by part), then every output written atomically into one directory.
 *
 * Each intermediate is computed once: the z-scored `resolution` bins feed `similarity` and `trajectory`,
 * their rolling mean feeds `similarity-smooth` and `parts`. The numbers equal those of the transform jobs
 * on the same input (`correlate`, `correlate --smooth`, `cluster --k --smooth --seed`, `reduce --model pca`).
 */
import { displayText } from '../util/slug.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Analysis } from '../analysis/types.js';
import { analysisSlug, summarizeAnalysis, type TrackSummary } from '../analysis/summary.js';
import { matrixMetadataFor, type GridSemantics } from '../matrix/grid.js';
import { FEATURE_COLUMNS, type FeatureMatrix } from '../matrix/featureMatrix.js';
import { eventBinMeans, eventColumnStats, eventGrid, type EventGrid } from '../matrix/events.js';
import { zscoreWithin, type ColumnStats } from '../transforms/normalize.js';
import { rollingMean } from '../transforms/resample.js';
import { correlateRows, type SimilarityMatrix } from '../transforms/correlate.js';
import { kmeans } from '../transforms/cluster.js';
import { reduce, type Embedding } from '../transforms/reduce.js';
import { pointsFromMatrix, selectPoints, type Points } from '../transforms/points.js';
import { analyzeHeatmapSpecs, ANALYZE_PLOTS, renderAnalyzePlots, type AnalyzeHeatmaps, type AnalyzePlot, type AnalyzeRenderer, type AnalyzeRenderInput, type AnalyzeSvgs } from './analyzeRender.js';
import { similarityHeatmapSpec } from '../plots/heatmap.js';
import { clusterTimelineSpec, NO_CLUSTER } from '../plots/timeline.js';
import { trajectorySpec } from '../plots/scatter.js';
import { writeFileAtomic } from '../util/atomic.js';
import { outputJsonText } from '../util/outputJson.js';
import { DEFAULT_SEED } from '../util/random.js';
import { inputError, messages, ParameterError } from '../errors.js';
import { formatDuration } from '../analysis/summary.js';
import { svgToPng, type PlotFormat } from '../plots/output.js';
import type { ReportGalleryItem, ReportInput, ReportLink, ReportRenderer } from '../plots/page.js';
import { AGREEMENT_CONVENTION, axisTitles, clusterSubtitle, describeBins, labelParts, type LabelParts } from './transforms.js';
import { binMsForDisplay, DEFAULT_BIN_MS, DEFAULT_DISPLAY_BINS, MAX_SIMILARITY_BINS, smoothingWindowBins } from './bins.js';
import { VERSION } from '../version.js';
import { describeParts, describeTrajectory } from './describe.js';

export { binMsForDisplay, DEFAULT_BIN_MS, DEFAULT_DISPLAY_BINS, MAX_SIMILARITY_BINS, smoothingWindowBins };

/** The rolling mean `analyze` smooths with by default, seconds: the notebook's `rolling(10)` of 1 s bins. */
export const DEFAULT_SMOOTH_S = 10;
/** Parts `analyze` looks for by default: the notebook's `hyp.tools.cluster(…, 3)`. */
export const DEFAULT_PARTS = 3;

export { ANALYZE_PLOTS, type AnalyzePlot };

export interface AnalyzeOptions {
  /** Grid semantics of the 1 ms matrix; default `full`. */
  grid?: GridSemantics;
  /** Bin width of the self-similarity matrices, the parts and the trajectory, ms; default {@link DEFAULT_BIN_MS} (1 s). */
  binMs?: number;
  /**
   * Rolling-mean window of `similarity-smooth` and `parts`, seconds (a multiple of the bin width); default
   * {@link DEFAULT_SMOOTH_S}. 0: no `similarity-smooth`, parts found on the unsmoothed bins.
   */
  smoothS?: number;
  /** k-means clusters of `parts`; default {@link DEFAULT_PARTS} (fewer when the track has fewer bins). */
  k?: number;
  /** Seed of the k-means starts; default DEFAULT_SEED (0). */
  seed?: number;
  /** At most this many time bins in the feature heatmap; default {@link DEFAULT_DISPLAY_BINS} (1,000). */
  maxFeatureBins?: number;
  /** At most this many display cells per axis of the self-similarity heatmaps; default 250 (see `similarityHeatmapSpec`). */
  maxSimilarityCells?: number;
  /** Render SVGs (false: specs only, e.g. for speed); default true. */
  render?: boolean;
  /**
   * Where to render: default this thread, before `analyzeTrack` resolves (`svgs`). Given (e.g. a
   * `RenderThread`'s `render`), the drawing is handed to it as soon as the numbers are known and the
   * result carries the promise (`rendering`) instead: the caller writes the specs and report.html
   * meanwhile.
   */
  renderer?: AnalyzeRenderer;
  /**
   * How the bins are normalised: `zscore-within` (default: each column z-scored with the track's 1 ms
   * statistics, the notebook's `normalize=True` model) or `none` (the raw model, as the notebook's last
   * cell draws each album track).
   */
  normalize?: 'zscore-within' | 'none';
  /** The analysis' grid as events, already built with `grid` (e.g. by a batch job that needs it too). */
  events?: EventGrid;
  /** Its column statistics, when already computed (`eventColumnStats(events)`). */
  stats?: ColumnStats;
}

/** The parts of a track (summary.json `parts`): what `cluster --json` reports, plus the runs of labels. */
export interface PartsSummary extends LabelParts {
  method: 'kmeans';
  /** Clusters asked for (at most the number of bins). */
  k: number;
  seed: number;
  /** k-means restarts (scikit-learn's n_init). */
  nInit: number;
  binS: number;
  /** Rolling mean the bins were smoothed with, seconds (0: none). */
  smoothS: number;
  bins: number;
  /** The labels as runs in time order: part `label` from `startS` to `endS` (label −1: an undefined bin). */
  runs: { label: number; startS: number; endS: number }[];
  agreementConvention: string;
  /** Sum of squared distances to the centroids. */
  inertia: number;
}

/** The numbers `analyze` reports (summary.json, its keys written in snake_case by `outputJsonText`). */
export interface AnalyzeSummary extends TrackSummary {
  grid: { semantics: GridSemantics; rows: number; columns: number; binMs: 1; firstMs: number; lastMs: number };
  /** `similarity`: the bins (z-scored unless `normalization` is `none`), unsmoothed. */
  similarity: { binS: number; normalization: 'zscore-within' | 'none'; bins: number; undefinedBins: number; metric: 'pearson' };
  /** `similarity-smooth`: after the rolling mean (absent when skipped). */
  similaritySmooth?: { binS: number; smoothS: number; windowBins: number; bins: number; undefinedBins: number; metric: 'pearson' };
  /** `parts` (absent when skipped). */
  parts?: PartsSummary;
  /** `trajectory`: PCA of the z-scored bins (absent when skipped). */
  trajectory?: { model: 'pca'; ndims: 2; binS: number; points: number; explainedVarianceRatio: number[] };
  /** Plots left out, and why. */
  skipped?: Partial<Record<AnalyzePlot, string>>;
  generator: string;
}

export interface AnalyzeResult {
  summary: AnalyzeSummary;
  /** z-scored matrix averaged into the feature heatmap's display bins. */
  featureBins: FeatureMatrix;
  /** The self-similarity matrix of the `binMs` bins. */
  similarity: SimilarityMatrix;
  /** The self-similarity matrix after the rolling mean (absent with `smoothS` 0 or a track shorter than it). */
  similaritySmooth?: SimilarityMatrix;
  /** k-means label of each `binMs` bin (−1: a bin without a value for every feature) [shape=(bins)]. */
  parts?: Int32Array;
  /** The 2-D PCA of the z-scored `binMs` bins, one point per bin in time order. */
  trajectory?: Embedding;
  /** The Vega-Lite spec of each plot drawn. */
  specs: { features: TopLevelSpec; similarity: TopLevelSpec } & Partial<Record<AnalyzePlot, TopLevelSpec>>;
  /** Rendered SVG text of each plot, when `render` was true (and no `renderer` given). */
  svgs?: AnalyzeSvgs;
  /** The same, still being drawn by the `renderer` given (rejects if drawing fails). */
  rendering?: Promise<AnalyzeSvgs>;
  /** Wall-clock milliseconds of each stage. */
  timings: Record<string, number>;
}

export const GENERATOR = `songscope ${VERSION}`;

function plotTitle(s: TrackSummary): string {
  if (s.title && s.artist) return displayText(`${s.artist} – ${s.title}`);
  return displayText(s.title ?? (s.origin === 'file' ? s.input.replace(/^.*[\\/]/, '') : s.input));
}

/** Points of the bins that have a value in every feature, and the index of each among all bins. */
function definedBins(bins: FeatureMatrix): { points: Points; index: number[] | undefined } {
  const all = pointsFromMatrix(bins);
  const index: number[] = [];
  for (let i = 0; i < all.n; i++) {
    let ok = true;
    for (let c = 0; c < all.d && ok; c++) ok = Number.isFinite(all.data[i * all.d + c]);
    if (ok) index.push(i);
  }
  return index.length === all.n ? { points: all, index: undefined } : { points: selectPoints(all, index), index };
}

/** Runs of equal labels: `[{label, startS, endS}]`, each run ending where the next starts (the last at `endS`). */
function labelRuns(labels: Int32Array, timesS: Float64Array, endS: number): PartsSummary['runs'] {
  const runs: PartsSummary['runs'] = [];
  for (let i = 0; i < labels.length; i++) {
    if (i > 0 && labels[i] === labels[i - 1]) continue;
    if (runs.length > 0) runs[runs.length - 1].endS = timesS[i];
    runs.push({ label: labels[i], startS: timesS[i], endS });
  }
  return runs;
}

/**
 * Run the analyze job on a validated analysis. Memory: one 1 ms matrix (rows × 26 float64) plus small
 * binned copies and two bins² similarity matrices.
 */
export async function analyzeTrack(analysis: Analysis, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const grid = options.grid ?? 'full';
  const binMs = options.binMs ?? DEFAULT_BIN_MS;
  const binS = binMs / 1000;
  const smoothS = options.smoothS ?? DEFAULT_SMOOTH_S;
  const windowBins = smoothingWindowBins(smoothS, binMs);
  const k = options.k ?? DEFAULT_PARTS;
  if (!(Number.isInteger(k) && k >= 1)) throw inputError(messages.badOption('--k', String(k), 'an integer ≥ 1'));
  const seed = options.seed ?? DEFAULT_SEED;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = now - t;
    t = now;
  };

  // Everything below comes from the grid's events: the 1 ms matrix is never built (src/matrix/events.ts).
  const events = options.events ?? eventGrid(analysis, grid);
  if (events.rows === 0) throw inputError(messages.emptyGrid(analysis.provenance.location));
  const { firstMs, lastMs } = events;
  const binCount = Math.floor(lastMs / binMs) - Math.floor(firstMs / binMs) + 1;
  if (binCount > MAX_SIMILARITY_BINS) {
    throw inputError(messages.similarityTooLarge(binCount, MAX_SIMILARITY_BINS, Math.ceil((lastMs - firstMs + 1) / (MAX_SIMILARITY_BINS - 1))));
  }
  lap('events');
  // z-scoring is affine per column, so binning then z-scoring with the 1 ms statistics equals
  // z-scoring the 1 ms matrix then binning.
  const stats = options.stats ?? eventColumnStats(events);
  lap('stats');
  const metadata = { ...matrixMetadataFor(analysis), grid, resolution_ms: '1' };
  const raw = options.normalize === 'none';
  const zscored = (m: FeatureMatrix) => (raw ? m : zscoreWithin(m, { stats, inPlace: true }));
  const featuresBinMs = binMsForDisplay(firstMs, lastMs, options.maxFeatureBins ?? DEFAULT_DISPLAY_BINS);
  const featureBins = zscored(eventBinMeans(events, featuresBinMs, metadata));
  const bins = zscored(eventBinMeans(events, binMs, metadata));
  lap('bin');
  const similarity = correlateRows(bins);
  lap('correlate');

  const skipped: Partial<Record<AnalyzePlot, string>> = {};
  // The rolling mean (pandas rolling(N).mean().fillna(0)) of a track shorter than the window is all zeros.
  const smoothed = windowBins > bins.rows ? undefined : windowBins > 1 ? rollingMean(bins, windowBins) : bins;
  if (windowBins === 0) skipped['similarity-smooth'] = messages.analyze.smoothOff();
  else if (!smoothed) skipped['similarity-smooth'] = messages.analyze.smoothLongerThanTrack(smoothS, bins.rows, binS);
  // a 1-bin window is no smoothing at all (pandas rolling(1).mean() is the identity): the same matrix
  const similaritySmooth = !smoothed || windowBins === 0 ? undefined : windowBins > 1 ? correlateRows(smoothed) : similarity;
  lap('smooth');

  const timesS = Float64Array.from(bins.timeMs, (ms) => ms / 1000);
  const endS = analysis.track.duration ?? timesS[timesS.length - 1] + binS;
  const sectionsS = (analysis.sections ?? []).map((s) => s.start);
  // parts: k-means of the smoothed bins, as `cluster --k K --smooth S --seed SEED` (on the bins it smooths)
  const partsBins = smoothed ?? bins;
  const partsSmoothS = smoothed && windowBins > 0 ? smoothS : 0;
  let parts: Int32Array | undefined;
  let partsSummary: PartsSummary | undefined;
  {
    const { points, index } = definedBins(partsBins);
    if (points.n === 0) {
      skipped.parts = messages.analyze.noDefinedBins();
    } else {
      const kUsed = Math.min(k, points.n);
      const fit = kmeans(points, kUsed, { seed, nInit: 10 });
      parts = index ? new Int32Array(partsBins.rows).fill(NO_CLUSTER) : fit.labels;
      if (index) index.forEach((row, i) => (parts![row] = fit.labels[i]));
      partsSummary = {
        method: 'kmeans',
        k: kUsed,
        seed,
        nInit: 10,
        binS,
        smoothS: partsSmoothS,
        bins: points.n,
        ...labelParts(parts, timesS, kUsed, endS, sectionsS),
        runs: labelRuns(parts, timesS, endS),
        agreementConvention: AGREEMENT_CONVENTION,
        inertia: fit.inertia,
      };
    }
  }
  lap('parts');
  // trajectory: PCA of the z-scored (unsmoothed) bins, as `reduce --model pca`
  let trajectory: Embedding | undefined;
  {
    const { points, index } = definedBins(bins);
    if (index) skipped.trajectory = messages.analyze.trajectoryRefused(messages.analyze.binsLackValue(bins.rows - points.n, bins.rows));
    else {
      try {
        trajectory = reduce(points, { model: 'pca', ndims: 2 });
      } catch (e) {
        if (!(e instanceof ParameterError)) throw e;
        skipped.trajectory = messages.analyze.trajectoryRefused(e.message);
      }
    }
  }
  lap('trajectory');

  const summary: AnalyzeSummary = {
    ...summarizeAnalysis(analysis),
    grid: { semantics: grid, rows: events.rows, columns: FEATURE_COLUMNS.length, binMs: 1, firstMs, lastMs },
    similarity: { binS, normalization: raw ? 'none' : 'zscore-within', bins: similarity.n, undefinedBins: similarity.undefinedRows.length, metric: 'pearson' },
    ...(similaritySmooth
      ? {
          similaritySmooth: {
            binS,
            smoothS,
            windowBins,
            bins: similaritySmooth.n,
            undefinedBins: similaritySmooth.undefinedRows.length,
            metric: 'pearson' as const,
          },
        }
      : {}),
    ...(partsSummary ? { parts: partsSummary } : {}),
    ...(trajectory
      ? { trajectory: { model: 'pca' as const, ndims: 2 as const, binS, points: trajectory.points.n, explainedVarianceRatio: trajectory.explainedVarianceRatio! } }
      : {}),
    ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
    generator: GENERATOR,
  };

  const title = plotTitle(summary);
  const binStartS = (m: { timeMs: Int32Array }) => Float64Array.from(m.timeMs, (ms) => ms / 1000);
  const heatmaps: AnalyzeHeatmaps = {
    features: { title, features: featureBins.columns, binStartS: binStartS(featureBins), binS: featuresBinMs / 1000, values: featureBins.data },
    similarity: { title, binStartS: timesS, binS: binS, values: similarity.values, subtitle: similaritySubtitle(binS, 0, similarity) },
    ...(similaritySmooth
      ? { similaritySmooth: { title, binStartS: timesS, binS: binS, values: similaritySmooth.values, subtitle: similaritySubtitle(binS, smoothS, similaritySmooth) } }
      : {}),
    ...(options.maxSimilarityCells !== undefined ? { maxSimilarityCells: options.maxSimilarityCells } : {}),
  };
  const others: Partial<Record<AnalyzePlot, TopLevelSpec>> = {};
  if (trajectory) {
    const ratio = trajectory.explainedVarianceRatio!;
    const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
    others.trajectory = trajectorySpec({
      points: trajectory.points,
      timesS,
      ...(parts ? { clusters: parts, colorBy: 'cluster' as const } : { colorBy: 'time' as const }),
      title,
      subtitle:
        `PCA of the z-scored ${binS} s bins in time order: ${percent(ratio[0] + ratio[1])} of the variance ` +
        `(PC1 ${percent(ratio[0])}, PC2 ${percent(ratio[1])}); colour: ${parts ? `part (k-means, k = ${partsSummary!.k})` : 'time'}`,
      axisTitles: axisTitles('pca', trajectory),
    });
  }
  if (parts && partsSummary) {
    others.parts = clusterTimelineSpec({
      timesS,
      binS: binS,
      labels: parts,
      sections: sectionsS,
      boundaries: partsSummary.boundariesS,
      title,
      subtitle: clusterSubtitle(partsSummary),
      method: 'kmeans',
    });
  }
  // A renderer elsewhere starts drawing now, while this thread builds the heatmaps' specs: one rect per
  // cell (.vl.json, tooltips in report.html); the SVG/PNG files draw the cells as pictures (plots/raster.ts).
  const drawn: AnalyzeRenderInput = { heatmaps, specs: others };
  let rendering: Promise<AnalyzeSvgs> | undefined;
  if (options.render !== false && options.renderer) {
    rendering = options.renderer(drawn);
    rendering.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
  }
  const specs = { ...analyzeHeatmapSpecs(heatmaps), ...others } as AnalyzeResult['specs'];
  lap('specs');
  let svgs: AnalyzeResult['svgs'];
  if (options.render !== false && !options.renderer) svgs = await renderAnalyzePlots(drawn, lap);
  return { summary, featureBins, similarity, similaritySmooth, parts, trajectory, specs, ...(svgs ? { svgs } : {}), ...(rendering ? { rendering } : {}), timings };
}

function similaritySubtitle(binS: number, smoothS: number, s: SimilarityMatrix): string {
  const parts = [`Pearson r between ${describeBins(binS * 1000, smoothS)}`];
  const undefinedBins = s.undefinedRows.length;
  if (undefinedBins > 0) parts.push(`${undefinedBins} bin${undefinedBins === 1 ? '' : 's'} undefined (constant)`);
  return parts.join('; ');
}

/** Default output directory: `./songscope-out/<slug of the title, file name or track id>/`. */
export function defaultOutDir(analysis: Analysis, base = 'songscope-out'): string {
  return join(base, analysisSlug(analysis));
}

/** The files `analyze` can write, in order: each plot's spec, SVG and PNG, then the numbers and the report. */
export const ANALYZE_FILES = [
  ...ANALYZE_PLOTS.flatMap((name) => [`${name}.vl.json`, `${name}.svg`, `${name}.png`] as const),
  'analysis.json',
  'summary.json',
  'report.html',
] as const;
type AnalyzeFile = (typeof ANALYZE_FILES)[number];

export interface AnalyzeWriteOptions {
  /** Static images of the rendered plots: `svg` (default), `png` or `both`. Nothing without rendering. */
  format?: PlotFormat;
  /**
   * Renders `report.html` (the plots, interactive, and the summary in one self-contained file): pass
   * `buildReportHtml` from `report/html.ts`. Without one, no report.html is written.
   */
  report?: ReportRenderer;
  /** Links shown at the top of report.html (e.g. back to an album's report), relative to `outDir`. */
  links?: readonly ReportLink[];
}

/**
 * Write the outputs into `outDir` (created if needed), each atomically. Everything is computed before
 * the first write, so an invalid input leaves nothing behind. The files hold no timings, so the same
 * input gives byte-identical files. Files of {@link ANALYZE_FILES} that this run does not write (SVGs after
 * `render: false`, a PNG after `format: 'svg'`, a plot that was skipped …) are removed, so what is in the
 * directory always agrees.
 *
 * @returns the paths written, in {@link ANALYZE_FILES} order
 */
export async function writeAnalyzeOutputs(
  analysis: Analysis,
  result: AnalyzeResult,
  outDir: string,
  options: AnalyzeWriteOptions = {},
): Promise<string[]> {
  const format = options.format ?? 'svg';
  const svg = format === 'svg' || format === 'both';
  const png = format === 'png' || format === 'both';
  const contents: Partial<Record<AnalyzeFile, string | Uint8Array>> = {};
  const specJson: Partial<Record<AnalyzePlot, string>> = {};
  for (const name of ANALYZE_PLOTS) {
    const spec = result.specs[name];
    if (!spec) continue;
    specJson[name] = JSON.stringify(spec);
    contents[`${name}.vl.json`] = specJson[name] + '\n';
  }
  contents['analysis.json'] = JSON.stringify(analysis) + '\n';
  if (options.report) contents['report.html'] = options.report(analyzeReport(result, specJson, options.links));
  // drawn meanwhile in another thread when analyzeTrack had a renderer; a failed drawing writes nothing
  const images = result.svgs ?? (await result.rendering);
  for (const name of ANALYZE_PLOTS) {
    const image = images?.[name];
    if (image !== undefined && svg) contents[`${name}.svg`] = image;
    if (image !== undefined && png) contents[`${name}.png`] = svgToPng(image);
  }
  const names = ANALYZE_FILES.filter((name) => name === 'summary.json' || contents[name] !== undefined);
  const paths = names.map((name) => join(outDir, name));
  contents['summary.json'] = outputJsonText({ ...result.summary, files: paths });
  for (let i = 0; i < names.length; i++) await writeFileAtomic(paths[i], contents[names[i]]!);
  // Without rendering, SVGs left by an earlier run would no longer match the specs beside them.
  for (const name of ANALYZE_FILES.filter((n) => !names.includes(n))) await rm(join(outDir, name), { force: true });
  return paths;
}

/** Section title and caption of each plot in report.html: what it shows and which cell of the notebook it redoes. */
const REPORT_SECTIONS: Record<AnalyzePlot, { title: string; caption: (s: AnalyzeSummary) => string }> = {
  features: {
    title: 'Features over time',
    caption: () =>
      "The notebook's cells 12 and 17 (the model normalised 'within', as a heatmap): the z-score of each of the 26 features " +
      '(bar, beat, 12 pitch classes, 12 timbre coefficients) over time, colour clamped to [−2, 2].',
  },
  similarity: {
    title: 'Self-similarity',
    caption: (s) =>
      `The notebook's cells 13 and 18 (model.resample('1S').mean().T.corr()): Pearson correlation between every pair of ${s.similarity.binS} s bins. ` +
      'Blocks along the diagonal are parts that stay alike, off-diagonal stripes are repeats.',
  },
  'similarity-smooth': {
    title: 'Self-similarity, smoothed',
    caption: (s) =>
      `The notebook's cell 19 (….rolling(10).mean().fillna(0).T.corr()): the same after a ${s.similaritySmooth?.smoothS} s trailing rolling mean, ` +
      'which blurs the beat-to-beat detail so the song\'s large parts stand out. The first bins, before the window is full, are zeros: undefined, grey.',
  },
  trajectory: {
    title: 'Trajectory through feature space',
    caption: (s) =>
      `The notebook's cell 20 (hyp.plot(model.resample('1S').mean(), group=…)): every ${s.similarity.binS} s bin as a point of a 2-D PCA ` +
      '(the notebook used hypertools\' IncrementalPCA to 3-D), joined in time order and coloured by part as in the timeline below. ' +
      'Parts that differ lie apart; a part that comes back returns to the same region.',
  },
  parts: {
    title: 'Parts of the song',
    caption: (s) =>
      `The notebook's cells 20–21 (hyp.tools.cluster(…rolling(10)…, ${s.parts?.k ?? DEFAULT_PARTS}) and sns.tsplot(group)): ` +
      `k-means on the ${s.parts?.smoothS ? 'smoothed ' : ''}bins, each bin coloured by its part; solid lines are the analysis' own sections, ` +
      'dashed lines where the part changes. The subtitle scores those changes against the sections (boundary F-measure).',
  },
};

/** What report.html shows for one track: the summary numbers and every plot, in the notebook's order. */
function analyzeReport(result: AnalyzeResult, specJson: Partial<Record<AnalyzePlot, string>>, links?: readonly ReportLink[]): ReportInput {
  const s = result.summary;
  const summary: Record<string, string | number> = {};
  if (s.artist) summary.artist = s.artist;
  if (s.album) summary.album = s.album;
  summary.source = `${s.source}${s.analyzerVersion ? ` (analyzer ${s.analyzerVersion})` : ''} via ${s.origin}`;
  summary.duration = `${formatDuration(s.durationS)} (${s.durationS.toFixed(2)} s)`;
  if (s.tempoBpm !== undefined) summary.tempo = `${s.tempoBpm.toFixed(1)} BPM`;
  if (s.key) summary.key = s.key;
  if (s.timeSignature) summary['time signature'] = s.timeSignature;
  if (s.loudnessDb !== undefined) summary.loudness = `${s.loudnessDb.toFixed(1)} dB`;
  summary.events = `${s.counts.bars} bars · ${s.counts.beats} beats · ${s.counts.segments} segments · ${s.counts.sections} sections`;
  summary.grid = `${s.grid.rows.toLocaleString('en-US')} rows × ${s.grid.columns} features at 1 ms (${s.grid.semantics})`;
  if (s.parts) summary.parts = describeParts(s.parts);
  if (s.trajectory) summary.trajectory = describeTrajectory(s.trajectory);
  for (const [name, why] of Object.entries(s.skipped ?? {})) summary[`${name} skipped`] = why;
  return {
    title: plotTitle(s),
    subtitle: s.generator,
    ...(links && links.length > 0 ? { links } : {}),
    summary,
    plots: ANALYZE_PLOTS.flatMap((name) => {
      const spec = result.specs[name];
      return spec ? [{ name, title: REPORT_SECTIONS[name].title, spec, specJson: specJson[name], caption: REPORT_SECTIONS[name].caption(s) }] : [];
    }),
  };
}

/** Options of {@link analyzeGalleryItem}. */
export interface GalleryItemOptions {
  /** Heading of the item, e.g. `03 Digital Love`. */
  title: string;
  /** Prefix of the plots' names (download file names), unique in the report, e.g. `03-digital-love`. */
  name: string;
  /** Where the heading links to, e.g. the track's own report. */
  href?: string;
  /** Side of each small plot, px; default 140. */
  size?: number;
  /** Display cells per axis of the small self-similarity heatmap; default 50. */
  maxSimilarityCells?: number;
}

/**
 * One track's small multiples for a report gallery (the notebook's last cell: each song's temporal
 * fingerprint): its self-similarity matrix and its trajectory, small, without legends.
 */
export function analyzeGalleryItem(result: AnalyzeResult, options: GalleryItemOptions): ReportGalleryItem {
  const size = options.size ?? 140;
  const binS = result.summary.similarity.binS;
  const small = (spec: TopLevelSpec, kind: string): TopLevelSpec =>
    withoutLegends({ ...spec, title: { text: kind, anchor: 'start', fontSize: 12, fontWeight: 'normal' } } as TopLevelSpec);
  const plots: ReportGalleryItem['plots'][number][] = [
    {
      name: `${options.name}-similarity`,
      spec: small(
        similarityHeatmapSpec(
          { title: options.title, binStartS: Float64Array.from(result.similarity.timeMs, (ms) => ms / 1000), binS: binS, values: result.similarity.values },
          { size, maxDisplayCells: options.maxSimilarityCells ?? 50 },
        ),
        'self-similarity',
      ),
    },
  ];
  if (result.trajectory) {
    const t = result.trajectory;
    plots.push({
      name: `${options.name}-trajectory`,
      spec: small(
        trajectorySpec(
          {
            points: t.points,
            timesS: Float64Array.from(result.similarity.timeMs, (ms) => ms / 1000),
            ...(result.parts ? { clusters: result.parts, colorBy: 'cluster' as const } : { colorBy: 'time' as const }),
            title: options.title,
            axisTitles: ['PC1', 'PC2'],
          },
          { size },
        ),
        `trajectory (PCA, ${((t.explainedVarianceRatio![0] + t.explainedVarianceRatio![1]) * 100).toFixed(0)} % of variance)`,
      ),
    });
  }
  return { title: options.title, ...(options.href ? { href: options.href } : {}), plots };
}

/** A copy of `spec` whose colour encodings (top level and in layers) draw no legend: the caption explains them. */
function withoutLegends(spec: TopLevelSpec): TopLevelSpec {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'data') out[key] = value; // inline data: nothing to strip, and large
      else if (key === 'color' && value !== null && typeof value === 'object' && 'field' in value) out[key] = { ...value, legend: null };
      else out[key] = strip(value);
    }
    return out;
  };
  return strip(spec) as TopLevelSpec;
}
