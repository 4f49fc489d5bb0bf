/**
 * The `analyze` job as a library call: matrix → z-score → display bins and self-similarity → plots,
 * then every output written atomically into one directory.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Analysis } from '../analysis/types.js';
import { analysisSlug, summarizeAnalysis, type TrackSummary } from '../analysis/summary.js';
import { buildFeatureMatrix, type GridOptions, type GridSemantics } from '../matrix/grid.js';
import type { FeatureMatrix } from '../matrix/featureMatrix.js';
import { columnStats, zscoreWithin, type ColumnStats } from '../transforms/normalize.js';
import { binMeans, rollingMean } from '../transforms/resample.js';
import { correlateRows, type SimilarityMatrix } from '../transforms/correlate.js';
import { featureHeatmapSpec, similarityHeatmapSpec } from '../plots/heatmap.js';
import { renderSvg } from '../plots/render.js';
import { writeFileAtomic } from '../util/atomic.js';
import { MAX_SIMILARITY_BINS } from '../limits.js';
import { inputError, messages } from '../errors.js';
import { formatDuration } from '../analysis/summary.js';
import { svgToPng, type PlotFormat } from '../plots/output.js';
import { buildReportHtml, type ReportInput } from './html.js';
import { VERSION } from '../version.js';

export interface AnalyzeOptions {
  /** Grid semantics of the 1 ms matrix; default `full`. */
  grid?: GridSemantics;
  /** Bin width of the self-similarity matrix, milliseconds; default 1000. */
  resolutionMs?: number;
  /** Rolling-mean window before correlating, seconds (a multiple of the resolution); default 0 (none). */
  smoothS?: number;
  /** At most this many time bins in the feature heatmap; default 1000. */
  maxFeatureBins?: number;
  /** At most this many display cells per axis of the self-similarity heatmap; default 250 (see `similarityHeatmapSpec`). */
  maxSimilarityCells?: number;
  /** Render SVGs (false: specs only, e.g. for speed); default true. */
  render?: boolean;
  /** Storage to reuse for the 1 ms matrix (see {@link GridOptions.buffer}). */
  buffer?: Float64Array;
  /** The analysis' 1 ms matrix, already built with `grid` (e.g. by a batch job that needs it too). */
  matrix?: FeatureMatrix;
  /** Its column statistics, when already computed (`columnStats(matrix)`). */
  stats?: ColumnStats;
}

/** The numbers `analyze` reports (summary.json). */
export interface AnalyzeSummary extends TrackSummary {
  grid: { semantics: GridSemantics; rows: number; columns: number; resolutionMs: 1; firstMs: number; lastMs: number };
  similarity: { resolutionS: number; smoothS: number; bins: number; undefinedBins: number; metric: 'pearson' };
  generator: string;
}

export interface AnalyzeResult {
  summary: AnalyzeSummary;
  /** z-scored matrix averaged into the feature heatmap's display bins. */
  featureBins: FeatureMatrix;
  /** The self-similarity matrix (after `resolutionMs` bins and the optional rolling mean). */
  similarity: SimilarityMatrix;
  specs: { features: TopLevelSpec; similarity: TopLevelSpec };
  /** Rendered SVG text, when `render` was true. */
  svgs?: { features: string; similarity: string };
  /** Wall-clock milliseconds of each stage. */
  timings: Record<string, number>;
}

/** Most time bins a self-similarity matrix may have (4,000; see `../limits.ts`). */
export { MAX_SIMILARITY_BINS } from '../limits.js';

export const GENERATOR = `songscope ${VERSION}`;

/** Smallest whole-ms bin width giving at most `maxBins` bins over `timeMs[0] … timeMs[last]`. */
export function displayBinMs(firstMs: number, lastMs: number, maxBins: number): number {
  let bin = Math.max(1, Math.ceil((lastMs - firstMs + 1) / maxBins));
  while (Math.floor(lastMs / bin) - Math.floor(firstMs / bin) + 1 > maxBins) bin++;
  return bin;
}

/** The rolling window in bins for `smoothS` seconds at `resolutionMs`, or a usage error. */
export function smoothingWindow(smoothS: number, resolutionMs: number): number {
  if (!(smoothS >= 0) || !Number.isFinite(smoothS)) throw inputError(messages.badOption('--smooth', String(smoothS), 'a number of seconds ≥ 0'));
  const window = (smoothS * 1000) / resolutionMs;
  if (smoothS > 0 && (Math.abs(window - Math.round(window)) > 1e-9 || Math.round(window) < 1)) {
    throw inputError(messages.badOption('--smooth', String(smoothS), `a multiple of the resolution, ${resolutionMs / 1000} s`));
  }
  return Math.round(window);
}

function plotTitle(s: TrackSummary): string {
  if (s.title && s.artist) return `${s.artist} – ${s.title}`;
  return s.title ?? (s.origin === 'file' ? s.location.replace(/^.*[\\/]/, '') : s.location);
}

/**
 * Run the analyze job on a validated analysis. Memory: one 1 ms matrix (rows × 26 float64) plus small
 * binned copies.
 */
export async function analyzeTrack(analysis: Analysis, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const grid = options.grid ?? 'full';
  const resolutionMs = options.resolutionMs ?? 1000;
  const smoothS = options.smoothS ?? 0;
  const window = smoothingWindow(smoothS, resolutionMs);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = now - t;
    t = now;
  };

  const matrix = options.matrix ?? buildFeatureMatrix(analysis, { grid, buffer: options.buffer });
  if (matrix.rows === 0) throw inputError(messages.emptyGrid(analysis.provenance.location));
  const firstMs = matrix.timeMs[0];
  const lastMs = matrix.timeMs[matrix.rows - 1];
  const similarityBins = Math.floor(lastMs / resolutionMs) - Math.floor(firstMs / resolutionMs) + 1;
  if (similarityBins > MAX_SIMILARITY_BINS) {
    throw inputError(messages.similarityTooLarge(similarityBins, MAX_SIMILARITY_BINS, Math.ceil((lastMs - firstMs + 1) / (MAX_SIMILARITY_BINS - 1))));
  }
  lap('matrix');
  // z-scoring is affine per column, so binning then z-scoring with the 1 ms statistics equals
  // z-scoring the 1 ms matrix then binning — without a second rows × 26 pass or allocation.
  const stats = options.stats ?? columnStats(matrix);
  lap('zscore');
  const zscored = (binMs: number) => zscoreWithin(binMeans(matrix, binMs), { stats, inPlace: true });
  const featureBins = zscored(displayBinMs(firstMs, lastMs, options.maxFeatureBins ?? 1000));
  const simBins = zscored(resolutionMs);
  lap('bin');
  const similarity = correlateRows(window > 1 ? rollingMean(simBins, window) : simBins);
  lap('correlate');

  const summary: AnalyzeSummary = {
    ...summarizeAnalysis(analysis),
    grid: { semantics: grid, rows: matrix.rows, columns: matrix.columns.length, resolutionMs: 1, firstMs, lastMs },
    similarity: {
      resolutionS: resolutionMs / 1000,
      smoothS,
      bins: similarity.n,
      undefinedBins: similarity.undefinedRows.length,
      metric: 'pearson',
    },
    generator: GENERATOR,
  };

  const title = plotTitle(summary);
  const binStartS = (m: { timeMs: Int32Array }) => Float64Array.from(m.timeMs, (ms) => ms / 1000);
  const featureBinMs = Number(featureBins.metadata.resolution_ms);
  const specs = {
    features: featureHeatmapSpec({
      title,
      features: featureBins.columns,
      binStartS: binStartS(featureBins),
      binWidthS: featureBinMs / 1000,
      values: featureBins.data,
    }),
    similarity: similarityHeatmapSpec({
      title,
      binStartS: binStartS(similarity),
      binWidthS: resolutionMs / 1000,
      values: similarity.values,
      subtitle: similaritySubtitle(summary.similarity),
    }, options.maxSimilarityCells !== undefined ? { maxDisplayCells: options.maxSimilarityCells } : {}),
  };
  lap('specs');
  let svgs: AnalyzeResult['svgs'];
  if (options.render !== false) {
    svgs = { features: await renderSvg(specs.features), similarity: await renderSvg(specs.similarity) };
    lap('render');
  }
  return { summary, featureBins, similarity, specs, svgs, timings };
}

function similaritySubtitle(s: AnalyzeSummary['similarity']): string {
  const parts = [`Pearson r between ${s.resolutionS} s bins`];
  if (s.smoothS > 0) parts.push(`after a ${s.smoothS} s rolling mean`);
  if (s.undefinedBins > 0) parts.push(`${s.undefinedBins} bin${s.undefinedBins === 1 ? '' : 's'} undefined (constant)`);
  return parts.join('; ');
}

/** Default output directory: `./songscope-out/<slug of the title, file name or track id>/`. */
export function defaultOutDir(analysis: Analysis, base = 'songscope-out'): string {
  return join(base, analysisSlug(analysis));
}

/** The files `analyze` can write, in order. */
export const ANALYZE_FILES = [
  'features.vl.json',
  'features.svg',
  'features.png',
  'similarity.vl.json',
  'similarity.svg',
  'similarity.png',
  'analysis.json',
  'summary.json',
  'report.html',
] as const;

export interface AnalyzeWriteOptions {
  /** Static images of the rendered plots: `svg` (default), `png` or `both`. Nothing without rendering. */
  format?: PlotFormat;
  /** Write `report.html` (the plots, interactive, and the summary in one self-contained file); default true. */
  report?: boolean;
}

/**
 * Write the outputs into `outDir` (created if needed), each atomically. Everything is computed before
 * the first write, so an invalid input leaves nothing behind. The files hold no timings, so the same
 * input gives byte-identical files. Files of {@link ANALYZE_FILES} that this run does not write (SVGs after
 * `render: false`, a PNG after `format: 'svg'` …) are removed, so what is in the directory always agrees.
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
  const contents: Partial<Record<(typeof ANALYZE_FILES)[number], string | Uint8Array>> = {
    'features.vl.json': JSON.stringify(result.specs.features) + '\n',
    'features.svg': svg ? result.svgs?.features : undefined,
    'features.png': png && result.svgs ? svgToPng(result.svgs.features) : undefined,
    'similarity.vl.json': JSON.stringify(result.specs.similarity) + '\n',
    'similarity.svg': svg ? result.svgs?.similarity : undefined,
    'similarity.png': png && result.svgs ? svgToPng(result.svgs.similarity) : undefined,
    'analysis.json': JSON.stringify(analysis) + '\n',
  };
  if (options.report !== false) contents['report.html'] = buildReportHtml(analyzeReport(result));
  const names = ANALYZE_FILES.filter((name) => name === 'summary.json' || contents[name] !== undefined);
  const paths = names.map((name) => join(outDir, name));
  contents['summary.json'] = JSON.stringify({ ...result.summary, files: paths }, null, 2) + '\n';
  for (let i = 0; i < names.length; i++) await writeFileAtomic(paths[i], contents[names[i]]!);
  // Without rendering, SVGs left by an earlier run would no longer match the specs beside them.
  for (const name of ANALYZE_FILES.filter((n) => !names.includes(n))) await rm(join(outDir, name), { force: true });
  return paths;
}

/** What report.html shows for one track: the summary numbers and both plots. */
function analyzeReport(result: AnalyzeResult): ReportInput {
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
  return {
    title: plotTitle(s),
    subtitle: s.generator,
    summary,
    plots: [
      { name: 'features', title: 'Features over time', spec: result.specs.features, caption: 'z-score of each of the 26 features (bar, beat, 12 pitch classes, 12 timbre coefficients) over time.' },
      { name: 'similarity', title: 'Self-similarity', spec: result.specs.similarity, caption: 'Pearson correlation between every pair of time bins: blocks are parts that stay alike, off-diagonal stripes are repeats.' },
    ],
  };
}
