/**
 * The thread entry of `openRenderThread` (`./analyzeRender.ts`): loads vega and vega-lite as the thread
 * starts (the static imports below), then piscina calls the default export with each plot set to draw.
 */
import '../plots/render.js';
import '../plots/raster.js';
import { renderAnalyzePlots, type AnalyzeRenderInput, type AnalyzeSvgs } from './analyzeRender.js';

export default function run(input: AnalyzeRenderInput): Promise<AnalyzeSvgs> {
  return renderAnalyzePlots(input);
}
