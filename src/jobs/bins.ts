/**
 * The time-bin limits and conversions shared by `analyze` and the transform jobs (correlate, cluster,
 * reduce): how large a self-similarity matrix may be, how coarse the feature heatmap's display bins are,
 * and how many bins a `--smooth` rolling mean spans.
 */
import { inputError, messages } from '../errors.js';

/** Most time bins a self-similarity matrix may have (see `../limits.ts`). */
export { MAX_SIMILARITY_BINS } from '../limits.js';

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
