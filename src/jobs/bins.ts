/**
 * The time-bin limits and conversions shared by `analyze` and the transform jobs (correlate, cluster,
 * reduce): how large a self-similarity matrix may be, how coarse the feature heatmap's display bins are,
 * and how many bins a `--smooth` rolling mean spans.
 */
import { inputError, messages } from '../errors.js';

/** Most time bins a self-similarity matrix may have (see `../limits.ts`). */
export { MAX_SIMILARITY_BINS } from '../limits.js';

/**
 * The bin width every job uses unless told otherwise (`--resolution`), ms: 1 s, the notebook's
 * `resample('1S')`.
 */
export const DEFAULT_BIN_MS = 1000;

/** Most time bins a feature heatmap draws by default (its bins are coarsened to fit, {@link binMsForDisplay}). */
export const DEFAULT_DISPLAY_BINS = 1000;

/**
 * The smallest whole-ms bin width giving at most `maxBins` bins over `firstMs … lastMs` (bins anchored at
 * 0 ms, as `binMeans` makes them): how coarse a display of that span must be.
 */
export function binMsForDisplay(firstMs: number, lastMs: number, maxBins: number): number {
  let bin = Math.max(1, Math.ceil((lastMs - firstMs + 1) / maxBins));
  while (Math.floor(lastMs / bin) - Math.floor(firstMs / bin) + 1 > maxBins) bin++;
  return bin;
}

/** The rolling-mean window in bins for `smoothS` seconds of bins `binMs` wide (0: none), or a usage error. */
export function smoothingWindowBins(smoothS: number, binMs: number): number {
  if (!(smoothS >= 0) || !Number.isFinite(smoothS)) throw inputError(messages.badOption('--smooth', String(smoothS), 'a number of seconds ≥ 0'));
  const windowBins = (smoothS * 1000) / binMs;
  if (smoothS > 0 && (Math.abs(windowBins - Math.round(windowBins)) > 1e-9 || Math.round(windowBins) < 1)) {
    throw inputError(messages.badOption('--smooth', String(smoothS), `a multiple of the resolution, ${binMs / 1000} s`));
  }
  return Math.round(windowBins);
}
