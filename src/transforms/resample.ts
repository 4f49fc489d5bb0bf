/**
 * Changing the time resolution of a matrix: averaging into bins and rolling means, with pandas'
 * semantics so results match the original notebook.
 */
import { ParameterError } from '../errors.js';
import type { FeatureMatrix } from '../matrix/featureMatrix.js';

/**
 * Average rows into bins of `binMs` milliseconds, as pandas `resample(f'{binMs}ms').mean()`: bin `b`
 * holds rows with `b·binMs ≤ time_ms < (b+1)·binMs` (bins anchored at 0 ms), the result runs from the
 * bin of the first row to the bin of the last, and a bin with no rows is NaN.
 *
 * @param binMs - bin width, milliseconds (> 0, integer)
 * @returns a matrix whose `timeMs` are the bins' start times; `metadata.resolution_ms = binMs`
 * @throws ParameterError (`binMs`) unless it is a positive integer
 */
export function binMeans(matrix: FeatureMatrix, binMs: number): FeatureMatrix {
  if (!(Number.isInteger(binMs) && binMs > 0)) throw new ParameterError('binMs', String(binMs), 'a positive integer (milliseconds)');
  const n = matrix.rows;
  const k = matrix.columns.length;
  if (n === 0) {
    return { rows: 0, columns: matrix.columns, timeMs: new Int32Array(0), data: new Float64Array(0), metadata: { ...matrix.metadata, resolution_ms: String(binMs) } };
  }
  const firstBin = Math.floor(matrix.timeMs[0] / binMs);
  const lastBin = Math.floor(matrix.timeMs[n - 1] / binMs);
  const bins = lastBin - firstBin + 1;
  const timeMs = new Int32Array(bins);
  for (let b = 0; b < bins; b++) timeMs[b] = (firstBin + b) * binMs;
  // Row ranges of each bin (rows are in time order).
  const start = new Int32Array(bins + 1);
  {
    let r = 0;
    for (let b = 0; b < bins; b++) {
      start[b] = r;
      const end = (firstBin + b + 1) * binMs;
      while (r < n && matrix.timeMs[r] < end) r++;
    }
    start[bins] = n;
  }
  const data = new Float64Array(bins * k);
  for (let c = 0; c < k; c++) {
    const col = matrix.data.subarray(c * n, (c + 1) * n);
    const dst = data.subarray(c * bins, (c + 1) * bins);
    for (let b = 0; b < bins; b++) {
      const a = start[b];
      const e = start[b + 1];
      if (e === a) {
        dst[b] = NaN;
        continue;
      }
      let sum = 0;
      for (let i = a; i < e; i++) sum += col[i];
      dst[b] = sum / (e - a);
    }
  }
  return { rows: bins, columns: matrix.columns, timeMs, data, metadata: { ...matrix.metadata, resolution_ms: String(binMs) } };
}

export interface RollingOptions {
  /** Value for rows without a full window (and windows containing NaN); pandas `fillna(0)` → 0 (default). `null` keeps NaN. */
  fill?: number | null;
}

/**
 * Trailing rolling mean over `windowBins` rows (bins), as pandas `rolling(windowBins).mean().fillna(fill)`:
 * row `i` is the mean of rows `i−windowBins+1 … i`; the first `windowBins−1` rows, and any window
 * containing NaN, get `fill` (default 0). The result's metadata says `rolling_window_bins`.
 *
 * @param windowBins - rows per window (≥ 1); with 1 s bins, seconds
 * @throws ParameterError (`windowBins`) unless it is a positive integer
 */
export function rollingMean(matrix: FeatureMatrix, windowBins: number, options: RollingOptions = {}): FeatureMatrix {
  if (!(Number.isInteger(windowBins) && windowBins >= 1)) throw new ParameterError('windowBins', String(windowBins), 'a positive integer (rows)');
  const fill = options.fill === undefined ? 0 : options.fill === null ? NaN : options.fill;
  const n = matrix.rows;
  const data = new Float64Array(matrix.data.length);
  for (let c = 0; c < matrix.columns.length; c++) {
    const src = matrix.data.subarray(c * n, (c + 1) * n);
    const dst = data.subarray(c * n, (c + 1) * n);
    for (let i = 0; i < n; i++) {
      if (i < windowBins - 1) {
        dst[i] = fill;
        continue;
      }
      // Direct sum per window: exact to ~1e-16 and cheap at the sizes used (seconds × 26).
      let sum = 0;
      for (let j = i - windowBins + 1; j <= i; j++) sum += src[j];
      dst[i] = Number.isNaN(sum) ? fill : sum / windowBins;
    }
  }
  return {
    rows: n,
    columns: matrix.columns,
    timeMs: matrix.timeMs,
    data,
    metadata: { ...matrix.metadata, rolling_window_bins: String(windowBins) },
  };
}
