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
import { columnStats, zscoreWithin } from '../transforms/normalize.js';
import { binMeans, rollingMean } from '../transforms/resample.js';
import { correlateRows, type SimilarityMatrix } from '../transforms/correlate.js';
import { featureHeatmapSpec, similarityHeatmapSpec } from '../plots/heatmap.js';
import { renderSvg } from '../plots/render.js';
import { writeFileAtomic } from '../util/atomic.js';
import { inputError, messages } from '../errors.js';
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
  /** Render SVGs (false: specs only, e.g. for speed); default true. */
  render?: boolean;
  /** Storage to reuse for the 1 ms matrix (see {@link GridOptions.buffer}). */
  buffer?: Float64Array;
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

/**
 * Most time bins a self-similarity matrix may have: 4,000² float64 values are 128 MB and ~0.4 s of
 * correlating; a finer `--resolution` on a long track is refused with the coarsest resolution that fits.
 */
export const MAX_SIMILARITY_BINS = 4000;

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

  const matrix = buildFeatureMatrix(analysis, { grid, buffer: options.buffer });
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
  const stats = columnStats(matrix);
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
    }),
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

/** The files `analyze` writes, in order. */
export const ANALYZE_FILES = [
  'features.vl.json',
  'features.svg',
  'similarity.vl.json',
  'similarity.svg',
  'analysis.json',
  'summary.json',
] as const;

/**
 * Write the outputs into `outDir` (created if needed), each atomically. Everything is computed before
 * the first write, so an invalid input leaves nothing behind. The files hold no timings, so the same
 * input gives byte-identical files.
 *
 * @returns the paths written, in {@link ANALYZE_FILES} order (SVGs only when rendered)
 */
export async function writeAnalyzeOutputs(analysis: Analysis, result: AnalyzeResult, outDir: string): Promise<string[]> {
  const contents: Partial<Record<(typeof ANALYZE_FILES)[number], string>> = {
    'features.vl.json': JSON.stringify(result.specs.features) + '\n',
    'features.svg': result.svgs?.features,
    'similarity.vl.json': JSON.stringify(result.specs.similarity) + '\n',
    'similarity.svg': result.svgs?.similarity,
    'analysis.json': JSON.stringify(analysis) + '\n',
  };
  const names = ANALYZE_FILES.filter((name) => name === 'summary.json' || contents[name] !== undefined);
  const paths = names.map((name) => join(outDir, name));
  contents['summary.json'] = JSON.stringify({ ...result.summary, files: paths }, null, 2) + '\n';
  for (let i = 0; i < names.length; i++) await writeFileAtomic(paths[i], contents[names[i]]!);
  // Without rendering, SVGs left by an earlier run would no longer match the specs beside them.
  for (const name of ANALYZE_FILES.filter((n) => !names.includes(n))) await rm(join(outDir, name), { force: true });
  return paths;
}
