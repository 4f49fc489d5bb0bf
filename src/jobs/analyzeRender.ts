/**
 * Drawing `analyze`'s plots as SVG: the heatmaps as pictures (`plots/raster.ts`), the trajectory and the
 * parts timeline as their specs. Everything it needs is plain data (typed arrays and specs), so the
 * drawing can run in a thread of its own ({@link openRenderThread}): there it loads vega while the calling
 * thread is still computing the numbers, and draws while the calling thread builds the specs, `.vl.json`
 * and report.html. A one-shot `analyze` then waits for the longer of the two instead of their sum.
 *
 * The SVG text is the same in either thread: the same specs, the same vega, renders one at a time.
 */
import { threadEntry } from '../util/threadEntry.js';
import type { TopLevelSpec } from 'vega-lite';
import type { Piscina } from 'piscina';
import { featureHeatmapSpec, similarityHeatmapSpec, type FeatureHeatmapInput, type SimilarityHeatmapInput } from '../plots/heatmap.js';
import type { cellsAsImage } from '../plots/raster.js';

/** The plots `analyze` draws, in the notebook's order (cells 17, 18, 19, 20, 21). */
export const ANALYZE_PLOTS = ['features', 'similarity', 'similarity-smooth', 'trajectory', 'parts'] as const;
export type AnalyzePlot = (typeof ANALYZE_PLOTS)[number];

/** What the three heatmaps are drawn from. */
export interface AnalyzeHeatmaps {
  features: FeatureHeatmapInput;
  similarity: SimilarityHeatmapInput;
  /** Absent when `similarity-smooth` is skipped. */
  similaritySmooth?: SimilarityHeatmapInput;
  /** `similarityHeatmapSpec`'s `maxDisplayCells`; default its own. */
  maxSimilarityCells?: number;
}

/**
 * The heatmaps' specs: one rect per cell (what `.vl.json` and report.html carry, with hover values), or
 * with `pictures` each heatmap's cells as one image (what the SVG and PNG files show).
 */
export function analyzeHeatmapSpecs(h: AnalyzeHeatmaps, pictures?: typeof cellsAsImage): Partial<Record<AnalyzePlot, TopLevelSpec>> {
  const style = pictures ? { cellsAsImage: pictures } : {};
  const cells = h.maxSimilarityCells !== undefined ? { maxDisplayCells: h.maxSimilarityCells } : {};
  const out: Partial<Record<AnalyzePlot, TopLevelSpec>> = {
    features: featureHeatmapSpec(h.features, style),
    similarity: similarityHeatmapSpec(h.similarity, { ...cells, ...style }),
  };
  if (h.similaritySmooth) out['similarity-smooth'] = similarityHeatmapSpec(h.similaritySmooth, { ...cells, ...style });
  return out;
}

/** What {@link renderAnalyzePlots} draws: the heatmaps' data, and the specs of the other plots. */
export interface AnalyzeRenderInput {
  heatmaps: AnalyzeHeatmaps;
  /** `trajectory` and `parts`, when drawn. */
  specs: Partial<Record<AnalyzePlot, TopLevelSpec>>;
}

export type AnalyzeSvgs = Partial<Record<AnalyzePlot, string>>;

/** Draws {@link AnalyzeRenderInput} somewhere: in this thread ({@link renderAnalyzePlots}) or another ({@link openRenderThread}). */
export type AnalyzeRenderer = (input: AnalyzeRenderInput) => Promise<AnalyzeSvgs>;

/**
 * The SVG of every plot, in {@link ANALYZE_PLOTS} order, in this thread (loads vega on first use).
 *
 * @param lap - called with `render NAME` after each plot (stage timings)
 */
export async function renderAnalyzePlots(input: AnalyzeRenderInput, lap?: (stage: string) => void): Promise<AnalyzeSvgs> {
  const [{ renderSvg }, { cellsAsImage }] = await Promise.all([import('../plots/render.js'), import('../plots/raster.js')]);
  const pictures = analyzeHeatmapSpecs(input.heatmaps, cellsAsImage);
  const svgs: AnalyzeSvgs = {};
  for (const name of ANALYZE_PLOTS) {
    const spec = pictures[name] ?? input.specs[name];
    if (!spec) continue;
    svgs[name] = await renderSvg(spec);
    lap?.(`render ${name}`);
  }
  return svgs;
}

/** A thread that draws {@link AnalyzeRenderInput}s (one at a time); `close` stops it, dropping a drawing not yet done. */
export interface RenderThread {
  render: AnalyzeRenderer;
  close(): Promise<void>;
}

/**
 * Start one thread (piscina) that loads vega at once and draws {@link AnalyzeRenderInput}s. Open it
 * first thing, before reading the input, so the loading overlaps the work before the drawing.
 *
 * @param workerFile - the thread's entry; default `./renderWorker.js` next to this module (the tests,
 *   which run the sources under tsx, give tsc's build: tsx does not load vega inside a worker thread)
 */
export async function openRenderThread(workerFile: string = threadEntry(import.meta.url, 'renderWorker')): Promise<RenderThread> {
  const { Piscina } = await import('piscina');
  const piscina: Piscina<AnalyzeRenderInput, AnalyzeSvgs> = new Piscina({ filename: workerFile, minThreads: 1, maxThreads: 1, idleTimeout: 60_000 });
  // A thread that fails while idle (vega failing to load, out of memory) is reported by an 'error' event,
  // which would end the process without a listener: its error goes to the next drawing asked for instead.
  let failed: unknown;
  piscina.on('error', (e: unknown) => {
    failed ??= e;
  });
  return {
    render: (input) => (failed !== undefined ? Promise.reject(failed) : piscina.run(input)),
    // at once, also while vega is still loading (an input that fails to resolve need not wait for it)
    close: () => piscina.destroy(),
  };
}
