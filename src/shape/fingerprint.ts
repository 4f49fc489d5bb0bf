/**
 * The shape fingerprint of a track: its self-similarity matrix in normalised time, a fixed-length vector
 * that describes the order and recurrence of the song's parts (its form) and as little else as possible.
 *
 * Steps (pure, on typed arrays; every parameter in {@link ShapeOptions}):
 *
 * 1. **Bars.** The 12 pitch and 12 timbre columns of the `full` 1 ms grid (24 of the 26: `bar` is a ramp
 *    every song shares and `beat` is tempo) are averaged over each bar of the analysis, exactly from the
 *    grid's runs; the time before the first bar and after the last are intervals of their own. An analysis
 *    with fewer than {@link MIN_BARS} bars (no pulse) is cut into {@link FALLBACK_BAR_MS} pieces instead.
 * 2. **Smooth over a phrase.** A centred moving average over `windowBars` bars (default 4; the two end
 *    bars at half weight, weighted by duration) averages a part's chord cycle into one colour, so a part
 *    looks the same all through and only a change of part changes the sequence.
 * 3. **Normalised time.** The smoothed bars are resampled onto `size` equal intervals of the track (area
 *    weighted): interval k covers [k·T/size, (k+1)·T/size) of a T ms track ({@link shapeSequence}).
 * 4. **Within-song z-score.** Each of the 24 columns over the `size` intervals (population std; a column
 *    constant to rounding becomes 0).
 * 5. **Self-similarity.** Pearson r between every two intervals across the 24 values, then a Gaussian blur
 *    of `blur` cells (default 1) that evens out what is left of the noise ({@link shapeMatrix}).
 * 6. **Standardise.** The strict upper triangle, row by row, minus its mean, divided by its population std
 *    ({@link SHAPE_LAYOUT}). A track in which no column varies has no shape: all zeros.
 *
 * Why each invariance holds:
 * - **Transposition** permutes the 12 pitch columns (a cyclic shift); z-scoring is per column and Pearson r
 *   sums over the columns, so the matrix is unchanged: exactly invariant.
 * - **Instrumentation, loudness**: an offset and a positive scaling of any column (timbre coefficients,
 *   the loudness-like `timbre_01`) is undone by the column's z-score: exactly invariant.
 * - **Tempo** (a uniform time-stretch) and **length**: bars and intervals are both fractions of the track,
 *   so stretching it moves every event to the same fraction: invariant up to where events fall at interval
 *   edges (the tests measure distances under 0.01 for stretches of 0.7 and 1.4).
 * - **How different the parts sound** (contrast): step 6 removes the matrix's mean and scale.
 *
 * What it is not invariant to: the parts of one form in different *proportions* (a 16-bar A and 8-bar B
 * against 8 and 16) move the blocks of the matrix; the `warped` distance (`./distance.ts`) aligns them by
 * dynamic time warping. A key change inside a song (a modulated last chorus) is a real change of the pitch
 * columns and shows as another part. Two consecutive occurrences of a part (the AA of AABA) look like one
 * long part: the matrix of AABA is that of ABA with a long first A.
 */
import type { AudioAnalysis } from '../analysis/types.js';
import { eventGrid, fullMs, type EventGrid } from '../matrix/events.js';
import type { Points } from '../transforms/points.js';
import { ParameterError } from '../errors.js';

/** Version of the fingerprint's definition: fingerprints of different versions are not comparable. */
export const SHAPE_VERSION = 'songscope-shape/1';

/** Default number of normalised-time intervals (the matrix is size × size). */
export const DEFAULT_SHAPE_SIZE = 64;
/** Smallest and largest `size`. */
export const MIN_SHAPE_SIZE = 8;
export const MAX_SHAPE_SIZE = 256;
/** Default smoothing window, bars. */
export const DEFAULT_WINDOW_BARS = 4;
/** Default Gaussian blur of the matrix, sd in cells. */
export const DEFAULT_SHAPE_BLUR = 1;
/** Fewest bars an analysis needs for its bars to be used (else {@link FALLBACK_BAR_MS} pieces). */
export const MIN_BARS = 8;
/** Length of a stand-in bar when an analysis has too few bars, ms (a 4/4 bar at 100 BPM). */
export const FALLBACK_BAR_MS = 2400;

/** Columns of the 26 that the fingerprint uses: the 12 pitch classes, then the 12 timbre coefficients. */
export const SHAPE_COLUMNS = 24;

/**
 * The fingerprint's layout, for storing it as a column: `size·(size−1)/2` float32 values, the strict upper
 * triangle of the standardised size × size matrix row by row — (0,1), (0,2) … (0,size−1), (1,2) … —
 * with mean 0 and population std 1 (all 0 for a track without structure).
 */
export const SHAPE_LAYOUT = 'upper triangle (i < j) row-major, standardised, float32';

/** Parameters of the fingerprint. */
export interface ShapeOptions {
  /** Normalised-time intervals, {@link MIN_SHAPE_SIZE} … {@link MAX_SHAPE_SIZE}; default {@link DEFAULT_SHAPE_SIZE}. */
  size?: number;
  /** Moving-average window, bars (≥ 1; 1 = no smoothing); default {@link DEFAULT_WINDOW_BARS}. */
  windowBars?: number;
  /** Gaussian blur of the matrix, sd in cells (0 = none); default {@link DEFAULT_SHAPE_BLUR}. */
  blur?: number;
}

/** A track's fingerprint with what made it. */
export interface ShapeFingerprint {
  /** {@link SHAPE_VERSION} plus the parameters: `songscope-shape/1 size=64 window=4 blur=1`. Equal ids compare. */
  id: string;
  size: number;
  /** size·(size−1)/2 values, see {@link SHAPE_LAYOUT}. */
  values: Float32Array;
  /** The z-scored normalised-time sequence the matrix was made from [shape=(size, 24)]: the trajectory. */
  sequence: Points;
}

/** The id of fingerprints made with these options: the version and every parameter. */
export function shapeId(options: ShapeOptions = {}): string {
  const { size, windowBars, blur } = checkOptions(options);
  return `${SHAPE_VERSION} size=${size} window=${windowBars} blur=${blur}`;
}

/** Length of the fingerprint of a given size: size·(size−1)/2. */
export function fingerprintLength(size: number): number {
  return (size * (size - 1)) / 2;
}

/** The size whose fingerprint has `length` values, or NaN. */
export function sizeOfLength(length: number): number {
  const size = (1 + Math.sqrt(1 + 8 * length)) / 2;
  return Number.isInteger(size) && size >= 2 ? size : NaN;
}

function checkOptions(options: ShapeOptions): Required<ShapeOptions> {
  const size = options.size ?? DEFAULT_SHAPE_SIZE;
  if (!(Number.isInteger(size) && size >= MIN_SHAPE_SIZE && size <= MAX_SHAPE_SIZE)) {
    throw new ParameterError('size', String(size), `a whole number ${MIN_SHAPE_SIZE} … ${MAX_SHAPE_SIZE}`);
  }
  const windowBars = options.windowBars ?? DEFAULT_WINDOW_BARS;
  if (!(Number.isInteger(windowBars) && windowBars >= 1 && windowBars <= 64)) throw new ParameterError('windowBars', String(windowBars), 'a whole number of bars 1 … 64');
  const blur = options.blur ?? DEFAULT_SHAPE_BLUR;
  if (!(Number.isFinite(blur) && blur >= 0 && blur <= size / 4)) throw new ParameterError('blur', String(blur), `0 … ${size / 4} cells`);
  return { size, windowBars, blur };
}

/**
 * Edges of the bar intervals, ms: 0, each bar start inside (0, rows), rows — or, with fewer than
 * {@link MIN_BARS} bars, every {@link FALLBACK_BAR_MS}.
 */
export function barEdgesMs(barStartsS: readonly number[], rows: number): Float64Array {
  const inside = [...new Set(barStartsS.map(fullMs))].filter((ms) => ms > 0 && ms < rows).sort((a, b) => a - b);
  if (inside.length + 1 < MIN_BARS) {
    inside.length = 0;
    for (let ms = FALLBACK_BAR_MS; ms < rows; ms += FALLBACK_BAR_MS) inside.push(ms);
  }
  return Float64Array.from([0, ...inside, rows]);
}

/**
 * Means of the 24 pitch and timbre columns of the grid over consecutive intervals, exactly from the runs
 * (milliseconds no segment covers count as 0, as on the grid).
 *
 * @param edges - ascending interval edges, ms (fractions allowed) [shape=(m + 1)]
 * @returns row-major [shape=(m, 24)]
 */
export function intervalMeans(grid: EventGrid, edges: Float64Array): Float64Array {
  const m = edges.length - 1;
  const d = SHAPE_COLUMNS;
  const out = new Float64Array(m * d);
  const runs = grid.segments;
  let first = 0;
  for (let k = 0; k < m; k++) {
    const a = edges[k];
    const b = edges[k + 1];
    while (first < runs.start.length && runs.end[first] <= a) first++;
    for (let r = first; r < runs.start.length && runs.start[r] < b; r++) {
      const w = Math.min(b, runs.end[r]) - Math.max(a, runs.start[r]);
      if (w <= 0) continue;
      for (let j = 0; j < d; j++) out[k * d + j] += runs.values[r * runs.width + j] * w;
    }
    const width = b - a;
    if (width > 0) for (let j = 0; j < d; j++) out[k * d + j] /= width;
  }
  return out;
}

/**
 * Centred moving average of consecutive intervals over `window` of them, each weighted by its duration;
 * for an even window the two end intervals count half (window 4: ½, 1, 1, 1, ½). Near the ends the window
 * is cut short.
 */
function movingAverage(values: Float64Array, edges: Float64Array, d: number, window: number): Float64Array {
  const m = edges.length - 1;
  if (window <= 1) return values;
  const out = new Float64Array(values.length);
  const half = (window - 1) / 2;
  const reach = Math.ceil(half);
  for (let i = 0; i < m; i++) {
    let total = 0;
    for (let k = Math.max(0, i - reach); k <= Math.min(m - 1, i + reach); k++) {
      const w = (Math.abs(k - i) > half ? 0.5 : 1) * (edges[k + 1] - edges[k]);
      total += w;
      for (let j = 0; j < d; j++) out[i * d + j] += values[k * d + j] * w;
    }
    if (total > 0) for (let j = 0; j < d; j++) out[i * d + j] /= total;
  }
  return out;
}

/** Values holding over consecutive intervals (edges ascending from 0 to T) averaged over `size` equal parts of [0, T). */
function resampleUniform(values: Float64Array, edges: Float64Array, d: number, size: number): Float64Array {
  const m = edges.length - 1;
  const total = edges[m] - edges[0];
  const out = new Float64Array(size * d);
  let first = 0;
  for (let k = 0; k < size; k++) {
    const a = edges[0] + (k * total) / size;
    const b = edges[0] + ((k + 1) * total) / size;
    while (first < m - 1 && edges[first + 1] <= a) first++;
    for (let r = first; r < m && edges[r] < b; r++) {
      const w = Math.min(b, edges[r + 1]) - Math.max(a, edges[r]);
      if (w <= 0) continue;
      for (let j = 0; j < d; j++) out[k * d + j] += values[r * d + j] * w;
    }
    for (let j = 0; j < d; j++) out[k * d + j] /= b - a;
  }
  return out;
}

/** Z-score each column of a row-major n × d array over its n rows (population std; constant to rounding → 0). */
function zscoreColumnsInPlace(data: Float64Array, n: number, d: number): void {
  for (let c = 0; c < d; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[i * d + c];
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i * d + c] - mean) ** 2;
    const std = Math.sqrt(ss / n);
    const ok = std > 1e-9 * Math.max(1, Math.abs(mean));
    for (let i = 0; i < n; i++) data[i * d + c] = ok ? (data[i * d + c] - mean) / std : 0;
  }
}

/**
 * Steps 1–4: the track's z-scored, phrase-smoothed pitch and timbre in `size` normalised-time intervals.
 *
 * @param grid - the track's `full` event grid (`eventGrid(analysis, 'full')`)
 * @param barStartsS - the analysis' bar starts, seconds
 * @returns points [shape=(size, 24)], row-major: interval k, pitch C … B then timbre 1 … 12
 * @throws ParameterError for a `seed` grid, an empty grid, or bad options
 */
export function shapeSequence(grid: EventGrid, barStartsS: readonly number[], options: ShapeOptions = {}): Points {
  const { size, windowBars } = checkOptions(options);
  if (grid.semantics !== 'full') throw new ParameterError('grid', grid.semantics, 'the full grid (the shape fingerprint is defined on it)');
  if (grid.rows <= 0) throw new ParameterError('grid', 'no rows', 'a track with rows to take a shape from');
  const d = SHAPE_COLUMNS;
  const edges = barEdgesMs(barStartsS, grid.rows);
  const smooth = movingAverage(intervalMeans(grid, edges), edges, d, windowBars);
  const data = resampleUniform(smooth, edges, d, size);
  zscoreColumnsInPlace(data, size, d);
  return { n: size, d, data };
}

/** Separable Gaussian blur of an n × n matrix (sd `sigma` cells, cut at 3 sd, renormalised at the borders). */
function gaussianBlur(m: Float64Array, n: number, sigma: number): Float64Array {
  if (!(sigma > 0)) return m;
  const r = Math.ceil(3 * sigma);
  const w = Float64Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)));
  const pass = (src: Float64Array, stride: number, step: number): Float64Array => {
    const out = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        let ws = 0;
        for (let k = -r; k <= r; k++) {
          const bb = b + k;
          if (bb < 0 || bb >= n) continue;
          s += w[k + r] * src[a * stride + bb * step];
          ws += w[k + r];
        }
        out[a * stride + b * step] = s / ws;
      }
    }
    return out;
  };
  return pass(pass(m, n, 1), 1, n);
}

/**
 * Step 5: Pearson r between every two rows of `points` across their d values, then a Gaussian blur of
 * `blur` cells. A constant row has no defined correlation: it gets r = 0 with every other row and 1 with
 * itself.
 *
 * @returns row-major n × n, symmetric
 */
export function shapeMatrix(points: Points, blur = DEFAULT_SHAPE_BLUR): Float64Array {
  const { n, d, data } = points;
  const unit = new Float64Array(n * d);
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < d; c++) sum += data[i * d + c];
    const m = sum / d;
    let ss = 0;
    for (let c = 0; c < d; c++) {
      const v = data[i * d + c] - m;
      unit[i * d + c] = v;
      ss += v * v;
    }
    if (ss > 1e-18) {
      ok[i] = 1;
      const norm = Math.sqrt(ss);
      for (let c = 0; c < d; c++) unit[i * d + c] /= norm;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      let r = 0;
      if (ok[i] && ok[j]) {
        for (let c = 0; c < d; c++) r += unit[i * d + c] * unit[j * d + c];
        r = Math.max(-1, Math.min(1, r));
      }
      out[i * n + j] = r;
      out[j * n + i] = r;
    }
  }
  return gaussianBlur(out, n, blur);
}

/**
 * Step 6: the strict upper triangle of an n × n matrix, standardised (mean 0, population std 1; all 0 when
 * the values are equal to rounding), as float32 — the fingerprint's layout ({@link SHAPE_LAYOUT}).
 */
export function standardisedTriangle(matrix: Float64Array, n: number): Float32Array {
  const len = fingerprintLength(n);
  const tri = new Float64Array(len);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) tri[p++] = matrix[i * n + j];
  let sum = 0;
  for (let k = 0; k < len; k++) sum += tri[k];
  const mean = sum / len;
  let ss = 0;
  for (let k = 0; k < len; k++) ss += (tri[k] - mean) ** 2;
  const std = Math.sqrt(ss / len);
  const out = new Float32Array(len);
  if (!(std > 1e-9)) return out;
  for (let k = 0; k < len; k++) out[k] = (tri[k] - mean) / std;
  return out;
}

/**
 * The square matrix of a fingerprint: the upper triangle mirrored, the diagonal set to the fingerprint's
 * largest value (a moment is most like itself).
 *
 * @returns row-major size × size
 * @throws ParameterError when the length is not size·(size−1)/2
 */
export function fingerprintMatrix(values: Float32Array): Float64Array {
  const n = sizeOfLength(values.length);
  if (!Number.isFinite(n)) throw new ParameterError('values', `${values.length} values`, 'size·(size−1)/2 values for a whole size');
  const out = new Float64Array(n * n);
  let max = 0;
  for (let k = 0; k < values.length; k++) if (values[k] > max) max = values[k];
  let p = 0;
  for (let i = 0; i < n; i++) {
    out[i * n + i] = max;
    for (let j = i + 1; j < n; j++) {
      out[i * n + j] = values[p];
      out[j * n + i] = values[p];
      p++;
    }
  }
  return out;
}

/**
 * The shape fingerprint of a track from its `full` event grid and bar starts (see the module comment).
 *
 * @throws ParameterError for a `seed` or empty grid or bad options
 */
export function fingerprintFromGrid(grid: EventGrid, barStartsS: readonly number[], options: ShapeOptions = {}): ShapeFingerprint {
  const o = checkOptions(options);
  const sequence = shapeSequence(grid, barStartsS, o);
  // no column varies: nothing has a shape (the blurred diagonal alone would look like one)
  const flat = sequence.data.every((v) => v === 0);
  const values = flat ? new Float32Array(fingerprintLength(o.size)) : standardisedTriangle(shapeMatrix(sequence, o.blur), o.size);
  return { id: shapeId(o), size: o.size, values, sequence };
}

/**
 * The shape fingerprint of an analysis. Builds the `full` event grid (nothing of the 1 ms matrix's size is
 * allocated); costs O(segments + bars + size²·24).
 *
 * @throws ParameterError for an analysis without rows or bad options
 */
export function shapeFingerprint(analysis: AudioAnalysis, options: ShapeOptions = {}): ShapeFingerprint {
  return fingerprintFromGrid(
    eventGrid(analysis, 'full'),
    analysis.bars.map((b) => b.start),
    options,
  );
}
