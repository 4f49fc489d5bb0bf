/**
 * Vega-Lite v6 heatmap specs for one track: the z-scored feature matrix and the self-similarity matrix.
 *
 * The builders are pure functions of their input: the same input gives a structurally identical spec, and
 * `JSON.stringify` of it is byte-identical. Every spec is self-contained (data inline as `data.values`, no
 * URLs), so it compiles with vega-lite's `compile`, renders headless with `renderSvg` (`./render.js`) and
 * opens as is in the online Vega editor.
 *
 * Compact data: a heatmap's inline data holds one row per matrix row with that row's values as an array
 * (`{feature, z: […]}`, `{y, r: […]}`), and the spec's own transforms (`flatten`, a `window` row number,
 * `lookup` in a small table of bin edges) make the one datum per cell that the rect marks and their
 * tooltips use: what vega draws is the same, cell for cell and byte for byte, as from one data row per
 * cell, at a fifth of the JSON (a 1,000 × 26 feature heatmap: ~0.2 MB instead of 1.5 MB).
 *
 * Display-only rounding: values in the inline data are rounded to {@link HeatmapStyleOptions.decimals}
 * decimals (default 3) and times to a thousandth of a bin width. Undefined values (`NaN`, e.g. the z-score
 * of a constant feature or the correlation of a constant bin) are kept as JSON `null` and drawn in a
 * neutral grey ({@link DEFAULT_UNDEFINED_COLOR}); the subtitle says so whenever the plot contains any.
 *
 * @module
 */
import type { ColorScheme } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { ParameterError } from '../errors.js';

/** The `$schema` every spec carries. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Default diverging colour scheme (a Vega scheme name). Reversed by default: blue = low, red = high. */
export const DEFAULT_SCHEME: ColorScheme = 'redblue';

/** Default fill of cells whose value is undefined (`NaN`): a neutral grey, outside the diverging scheme. */
export const DEFAULT_UNDEFINED_COLOR = '#a0a0a0';

/** Default z-score colour domain, as in the original seaborn notebook (`vmin=-2, vmax=2`). */
export const DEFAULT_Z_DOMAIN: readonly [number, number] = Object.freeze([-2, 2] as const);

/** Default cap on display cells per axis of the similarity heatmap (see {@link reduceSimilarity}). */
export const DEFAULT_MAX_DISPLAY_CELLS = 250;

/** Font list for all text; Helvetica/Arial metrics are what the headless text measurement assumes. */
export const FONT = 'Helvetica, Arial, sans-serif';

// ---- inputs and options -------------------------------------------------------------------------------

/** Input of {@link featureHeatmapSpec}: one track's z-scored feature matrix, already time-binned. */
export interface FeatureHeatmapInput {
  /** Plot title, e.g. `'PSY – Gangnam Style'` or the file name. */
  title: string;
  /**
   * Feature (column) names in display order, top to bottom; normally the 26 of `FEATURE_COLUMNS`
   * (`bar, beat, pitch_C … pitch_B, timbre_01 … timbre_12`). Unique and non-empty.
   */
  features: readonly string[];
  /** Start of each time bin, seconds, strictly increasing [shape=(bins)]. At least one bin. */
  binStartS: Float64Array;
  /** Width of every bin, seconds (> 0). */
  binS: number;
  /** z-scores, column-major: `values[f * bins + b]` [shape=(features × bins)]; `NaN` = undefined. */
  values: Float64Array;
}

/** Input of {@link similarityHeatmapSpec}: a timepoint-by-timepoint correlation matrix. */
export interface SimilarityHeatmapInput {
  /** Plot title. */
  title: string;
  /** Start time of each bin, seconds, strictly increasing [shape=(n)]. At least one bin. */
  binStartS: Float64Array;
  /** Width of every bin, seconds (> 0), e.g. 1. */
  binS: number;
  /**
   * Correlations, row-major: `values[i * n + j]` is r between bin i (y) and bin j (x) [shape=(n × n)];
   * `NaN` = undefined (a constant bin). Values are expected in [−1, 1]; anything outside is clamped in colour.
   */
  values: Float64Array;
  /** First subtitle line, e.g. `'Pearson r of 1 s bins after a 10 s rolling mean; 9 rows undefined'`. */
  subtitle?: string;
}

/** Options shared by both heatmaps. */
export interface HeatmapStyleOptions {
  /** Vega colour scheme name; should be diverging. Default {@link DEFAULT_SCHEME}. */
  scheme?: ColorScheme;
  /** Reverse the scheme. Default `true` (with `redblue`: blue = negative, red = positive, like RdBu_r). */
  reverseScheme?: boolean;
  /** CSS colour of undefined (`NaN`) cells. Default {@link DEFAULT_UNDEFINED_COLOR}. */
  undefinedColor?: string;
  /** Decimals kept for the values in the inline data (display only). Integer 0–10, default 3. */
  decimals?: number;
  /**
   * Draw the cells as one picture instead of one rect each: this function (`cellsAsImage` of
   * `./raster.ts`) turns the cells into an image URL, which the spec places over the plot area; the axes,
   * legend and titles stay vega's. For static SVG/PNG files, whose rendering then no longer grows with the
   * cell count. Default: one rect per cell, each with its value in a tooltip.
   */
  cellsAsImage?: (cells: RasterCells) => string;
}

/** A heatmap's cells as {@link HeatmapStyleOptions.cellsAsImage} receives them. */
export interface RasterCells {
  rows: number;
  columns: number;
  /** Row-major from the top-left cell [shape=(rows × columns)]; `null` or NaN = undefined. */
  values: ArrayLike<number | null>;
  /** The colour scale the rects would use (Vega-Lite quantitative scale: domain, scheme, reverse, clamp). */
  scale: ReturnType<typeof colorScale>;
  /** CSS colour of undefined cells. */
  undefinedColor: string;
}

/** Options of {@link featureHeatmapSpec}. */
export interface FeatureHeatmapOptions extends HeatmapStyleOptions {
  /** Width of the plot area (without axes and legend), px. Default 1000 (one pixel or more per bin at 1,000 bins). */
  width?: number;
  /** Height of one feature row, px; the plot area is `features.length × rowHeight` high. Default 14. */
  rowHeight?: number;
  /** Colour domain `[min, max]` of the z-scores; values outside are clamped. Default `[−2, 2]`. */
  domain?: readonly [number, number];
  /**
   * First subtitle line. Default: `z-score per feature; <bins> bins of <w> s; colour clamped to [−2, 2]`.
   * A line about undefined cells is appended when there are any.
   */
  subtitle?: string;
}

/** Options of {@link similarityHeatmapSpec}. */
export interface SimilarityHeatmapOptions extends HeatmapStyleOptions {
  /** Width and height of the (square) plot area, px. Default 480. */
  size?: number;
  /**
   * Most display cells per axis (N ≥ 1). A larger matrix is block-averaged to at most N × N cells (see
   * {@link reduceSimilarity}) and the subtitle says so. Default {@link DEFAULT_MAX_DISPLAY_CELLS} (250):
   * tracks up to ~4 minutes at 1 s bins are drawn cell for cell (240 × 240: ~0.4 MB of spec); a 6-minute
   * track (370 × 370) becomes 185 × 185 cells, where all 137k cells would weigh on report.html and the
   * browser drawing it. `Infinity` draws every cell.
   */
  maxDisplayCells?: number;
}

// ---- small helpers ------------------------------------------------------------------------------------
// Exported for the other plot modules (timeline, scatter, songs), so all plots share one style; not part of
// the package's public API.

/** Round to `decimals` decimals for display; `null` for non-finite values (JSON has no NaN); never −0. */
export function roundTo(value: number, decimals: number): number | null {
  if (!Number.isFinite(value)) return null;
  const factor = 10 ** decimals;
  const r = Math.round(value * factor) / factor;
  return r === 0 ? 0 : r; // no -0
}

/**
 * Decimals kept for times in seconds: a thousandth of a bin width or finer (at least 3, at most 9). Bin
 * ends equal to the next bin's start round identically, so rounding never breaks the tiling.
 */
export function timeDecimalsFor(binS: number): number {
  return Math.min(9, Math.max(3, Math.ceil(-Math.log10(binS)) + 3));
}

/** d3 format for times in tooltips: enough decimals to tell neighbouring bins apart (at least 2). */
export function timeFormat(binS: number): string {
  return `.${Math.min(6, Math.max(2, Math.ceil(-Math.log10(binS)) + 1))}f`;
}

/** A short, locale-independent rendering of a number of seconds for subtitles: 3 significant digits. */
export function formatSeconds(seconds: number): string {
  return String(Number(seconds.toPrecision(3)));
}

/** A number for text: ASCII digits, U+2212 minus (as Vega's d3-format labels use). */
export function formatNumber(x: number): string {
  return x < 0 ? `\u2212${String(-x)}` : String(x);
}

/** `decimals` if it is an integer in [0, 10]; else a ParameterError. */
export function checkDecimals(decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
    throw new ParameterError('decimals', String(decimals), 'an integer in [0, 10]');
  }
  return decimals;
}

/** `x` if it is a finite number > 0; else a ParameterError naming `name`. */
export function checkPositive(name: string, x: number): number {
  if (!(Number.isFinite(x) && x > 0)) throw new ParameterError(name, String(x), 'a positive number');
  return x;
}

/**
 * Validate a bin grid and return the end of each bin, seconds [shape=(bins)]. A bin ends at `start + width`,
 * or at the next bin's start when that is within 1 % of a bin width of it, so rounding noise in the starts
 * never leaves hairline gaps or overlaps: consecutive bins tile exactly.
 */
export function binEnds(binStartS: Float64Array, binS: number): Float64Array {
  const n = binStartS.length;
  if (n < 1) throw new ParameterError('binStartS', 'no bins', 'at least one time bin');
  checkPositive('binS', binS);
  const ends = new Float64Array(n);
  const tolerance = 0.01 * binS;
  // Finite first, so a NaN is named as such rather than as an out-of-order time.
  binStartS.forEach((start, b) => {
    if (!Number.isFinite(start)) throw new ParameterError('binStartS', `binStartS[${b}] is ${start}`, 'finite times (seconds)');
  });
  for (let b = 0; b < n; b++) {
    const start = binStartS[b];
    let end = start + binS;
    if (b + 1 < n) {
      const next = binStartS[b + 1];
      if (!(next > start)) {
        throw new ParameterError('binStartS', `binStartS[${b + 1}] = ${next} ≤ binStartS[${b}] = ${start}`, 'strictly increasing times');
      }
      if (Math.abs(next - end) <= tolerance) end = next;
      else if (next < end) {
        throw new ParameterError(
          'binStartS',
          `bin ${b} starts at ${start} s and is ${binS} s wide, bin ${b + 1} starts at ${next} s`,
          'time bins that do not overlap',
        );
      }
    }
    ends[b] = end;
  }
  return ends;
}

/** The diverging colour scale over `domain`, clamped, with the scheme and direction of `options`. */
export function colorScale(
  domain: readonly [number, number],
  options: HeatmapStyleOptions,
): { type: 'linear'; domain: number[]; scheme: ColorScheme; reverse: boolean; clamp: true } {
  return {
    type: 'linear',
    domain: [domain[0], domain[1]],
    scheme: options.scheme ?? DEFAULT_SCHEME,
    reverse: options.reverseScheme ?? true,
    clamp: true,
  };
}

/** Config shared by both specs: font, grey fill for invalid (null/NaN) colour values, no frame. */
export function baseConfig(options: HeatmapStyleOptions) {
  return {
    font: FONT,
    // With mark.invalid = 'show', null values reach the marks; this is the fill they get.
    scale: { invalid: { color: { value: options.undefinedColor ?? DEFAULT_UNDEFINED_COLOR } } },
    view: { stroke: null },
  };
}

/**
 * The spec with its cells drawn as one image: a layer with the image over the whole plot area, and the
 * rect layer reduced to a single transparent cell (with the spec's transforms) that still defines the
 * scales, axes and legend exactly as the full spec does.
 */
function asPicture(spec: TopLevelSpec & { data: { values: unknown[] }; encoding: Record<string, unknown> }, url: string, width: number, height: number): TopLevelSpec {
  const { data, transform, mark: _mark, encoding, ...top } = spec as typeof spec & { transform?: unknown[]; mark: unknown };
  // the builders give a picture's spec a single cell as its data: it only defines the scales' fields
  const { tooltip: _tooltip, ...scaleEncoding } = encoding;
  return {
    ...top,
    layer: [
      {
        data: { values: [{}] },
        mark: { type: 'image', width, height, aspect: false, align: 'left', baseline: 'top', smooth: false, aria: false },
        encoding: { x: { value: 0 }, y: { value: 0 }, url: { value: url } },
      },
      {
        data,
        ...(transform ? { transform } : {}),
        mark: { ...RECT_MARK, opacity: 0 },
        encoding: scaleEncoding,
      },
    ],
  } as TopLevelSpec;
}

/**
 * The rect mark: `invalid: 'show'` keeps null (undefined) values instead of silently filtering them; `aria:
 * false` stops Vega-Lite from writing an `aria-label` description into every cell of the SVG (tens of
 * thousands of them); axes, legend and title keep their ARIA attributes.
 */
export const RECT_MARK = { type: 'rect', invalid: 'show', aria: false } as const;

// ---- feature heatmap ------------------------------------------------------------------------------------

/**
 * Vega-Lite spec of one track's z-scored feature matrix: x = time in seconds, y = the features in the given
 * order (top to bottom), colour = z-score on a diverging scheme clamped to `domain` (default [−2, 2]; the
 * legend marks the ends as `≤ −2` / `≥ 2`). Rect marks span `x = t` (bin start) to `x2 = t2` (bin end), so
 * the bins tile exactly; undefined (`NaN`) values are drawn grey and the subtitle says so. Tooltips: time
 * (s), feature, z-score.
 *
 * The inline data has one row per feature, in display order, with its z-scores in bin order rounded to
 * `decimals` (`null` if undefined): `{feature, z: […]}`. The spec's transforms make one datum per cell,
 * `{feature, z, bin, t, t2}`: `flatten` the array, number each feature's cells (`window`, `row_number`: the
 * bin, from 1), and `lookup` the bin's start and end (seconds, rounded to a thousandth of a bin width) in
 * an inline table of bins. About 0.2 MB of JSON for 1,000 bins × 26 features.
 *
 * @param input The binned matrix (at most ~1,000 bins is what the sizes above assume).
 * @param options Size (default 1000 px wide, 14 px per feature row), colours, rounding, subtitle.
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On inconsistent shapes, non-increasing or overlapping bins, duplicate or empty
 *   feature names, or bad options.
 */
export function featureHeatmapSpec(input: FeatureHeatmapInput, options: FeatureHeatmapOptions = {}): TopLevelSpec {
  const { features, binStartS, binS, values } = input;
  const bins = binStartS.length;
  const ends = binEnds(binStartS, binS);
  if (features.length < 1) throw new ParameterError('features', 'none', 'at least one feature');
  if (values.length !== features.length * bins) {
    throw new ParameterError('values', `${values.length} entries`, `features × bins = ${features.length} × ${bins} entries`);
  }
  const seen = new Set<string>();
  features.forEach((f, i) => {
    if (f === '') throw new ParameterError('features', `feature ${i} is empty`, 'non-empty feature names');
    if (seen.has(f)) throw new ParameterError('features', `${JSON.stringify(f)} twice`, 'distinct feature names');
    seen.add(f);
  });
  const decimals = checkDecimals(options.decimals ?? 3);
  const width = checkPositive('width', options.width ?? 1000);
  const rowHeight = checkPositive('rowHeight', options.rowHeight ?? 14);
  const domain = options.domain ?? DEFAULT_Z_DOMAIN;
  if (!(Number.isFinite(domain[0]) && Number.isFinite(domain[1]) && domain[0] < domain[1])) {
    throw new ParameterError('domain', `[${domain.join(', ')}]`, '[min, max], finite, with min < max');
  }

  const timeDecimals = timeDecimalsFor(binS);
  const t = Array.from(binStartS, (x) => roundTo(x, timeDecimals) as number);
  const t2 = Array.from(ends, (x) => roundTo(x, timeDecimals) as number);
  let undefinedCells = 0;
  const zs: (number | null)[] = new Array(features.length * bins);
  for (let i = 0; i < zs.length; i++) {
    const z = roundTo(values[i], decimals);
    if (z === null) undefinedCells++;
    zs[i] = z;
  }
  // One row per feature, its z-scores in bin order; as a picture a single cell (it carries the scales'
  // fields: the cells are the image).
  const row = (f: number, length = bins) => ({ feature: features[f], z: zs.slice(f * bins, f * bins + length) });
  const rows = options.cellsAsImage ? [row(0, 1)] : features.map((_, f) => row(f));
  const binRows = Array.from({ length: options.cellsAsImage ? 1 : bins }, (_, b) => ({ bin: b + 1, t: t[b], t2: t2[b] }));

  const [lo, hi] = domain;
  const subtitle = [
    options.subtitle ??
      `z-score per feature; ${bins} bins of ${formatSeconds(binS)} s; colour clamped to [${formatNumber(lo)}, ${formatNumber(hi)}]`,
  ];
  if (undefinedCells > 0) {
    subtitle.push(`grey: z-score undefined in ${undefinedCells} of ${bins * features.length} cells`);
  }

  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    description: `z-scored feature matrix of ${input.title}: ${features.length} features × ${bins} time bins`,
    title: { text: input.title, subtitle, anchor: 'start' },
    width,
    height: rowHeight * features.length,
    data: { values: rows },
    transform: [
      { flatten: ['z'] },
      // a cell's place in its feature's array is its bin (1-based, as `row_number` counts)
      { window: [{ op: 'row_number', as: 'bin' }], groupby: ['feature'] },
      { lookup: 'bin', from: { data: { values: binRows }, key: 'bin', fields: ['t', 't2'] } },
    ],
    mark: RECT_MARK,
    encoding: {
      x: {
        field: 't',
        type: 'quantitative',
        title: 'time (s)',
        scale: { domain: [t[0], t2[bins - 1]], nice: false, zero: false },
      },
      x2: { field: 't2' },
      y: {
        field: 'feature',
        type: 'nominal',
        // An explicit domain fixes the order without the per-datum sort-index formula that `sort` adds.
        scale: { domain: [...features] },
        title: 'feature',
        axis: { labelFontSize: Math.min(10, Math.max(6, Math.floor(rowHeight * 0.8))), ticks: false },
      },
      color: {
        field: 'z',
        type: 'quantitative',
        title: 'z-score',
        scale: colorScale(domain, options),
        legend: {
          title: 'z-score',
          values: legendValues(lo, hi),
          labelExpr: `datum.value <= ${lo} ? '≤ ${formatNumber(lo)}' : datum.value >= ${hi} ? '≥ ${formatNumber(hi)}' : datum.label`,
        },
      },
      tooltip: [
        { field: 't', type: 'quantitative', title: 'time (s)', format: timeFormat(binS) },
        { field: 'feature', type: 'nominal', title: 'feature' },
        { field: 'z', type: 'quantitative', title: 'z-score', format: `.${decimals}f` },
      ],
    },
    config: baseConfig(options),
  } satisfies TopLevelSpec;
  if (!options.cellsAsImage) return spec;
  const url = options.cellsAsImage({
    rows: features.length,
    columns: bins,
    values: zs,
    scale: spec.encoding.color.scale,
    undefinedColor: options.undefinedColor ?? DEFAULT_UNDEFINED_COLOR,
  });
  return asPicture(spec, url, width, rowHeight * features.length);
}

/** Five evenly spaced legend values from lo to hi, rounded for display. */
function legendValues(lo: number, hi: number): number[] {
  return [0, 1, 2, 3, 4].map((i) => Number((lo + ((hi - lo) * i) / 4).toPrecision(6)));
}

// ---- similarity heatmap ---------------------------------------------------------------------------------

/** Result of {@link reduceSimilarity}: the matrix as displayed. */
export interface ReducedSimilarity {
  /** Display cells per axis (m = ceil(n / k)). */
  cells: number;
  /** Bins per block edge (k ≥ 1; 1 = no reduction). The last block may hold fewer bins. */
  blockBins: number;
  /** Start of each display cell, seconds [shape=(m)]. */
  startS: Float64Array;
  /** End of each display cell, seconds [shape=(m)]; `endS[a] === startS[a + 1]` for contiguous bins. */
  endS: Float64Array;
  /** Mean r of each block over its defined cells, row-major [shape=(m × m)]; `NaN` if none is defined. */
  values: Float64Array;
  /** Number of display cells that are `NaN`. */
  undefinedCells: number;
}

/**
 * Block-average an n × n (row-major) matrix to at most `maxCells` × `maxCells` display cells: with
 * k = ceil(n / maxCells), block (a, b) is the mean of the defined (non-`NaN`) values in rows a·k … a·k+k−1
 * and columns b·k … b·k+k−1 (the last block per axis may be smaller), and `NaN` only if all are undefined.
 * This is a display reduction: the mean of correlations, not the correlation of means.
 *
 * @param values n × n values, row-major.
 * @param binStartS Start of each bin, seconds [shape=(n)], strictly increasing.
 * @param binS Width of every bin, seconds.
 * @param maxCells Most display cells per axis, ≥ 1 (`Infinity` = no reduction).
 * @throws {ParameterError} On inconsistent shapes, bad bins or `maxCells` (named `maxDisplayCells`, the option).
 */
export function reduceSimilarity(
  values: Float64Array,
  binStartS: Float64Array,
  binS: number,
  maxCells: number,
): ReducedSimilarity {
  const n = binStartS.length;
  const ends = binEnds(binStartS, binS);
  if (values.length !== n * n) {
    throw new ParameterError('values', `${values.length} entries`, `n × n = ${n} × ${n} entries`);
  }
  if (!(maxCells >= 1) || (Number.isFinite(maxCells) && !Number.isInteger(maxCells))) {
    throw new ParameterError('maxDisplayCells', String(maxCells), 'an integer ≥ 1, or Infinity');
  }
  const k = n <= maxCells ? 1 : Math.ceil(n / maxCells);
  const m = Math.ceil(n / k);
  const startS = new Float64Array(m);
  const endS = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    startS[a] = binStartS[a * k];
    endS[a] = ends[Math.min((a + 1) * k, n) - 1];
  }
  let out: Float64Array;
  if (k === 1) {
    out = values.slice();
  } else {
    out = new Float64Array(m * m);
    const sum = new Float64Array(m);
    const count = new Uint32Array(m);
    for (let a = 0; a < m; a++) {
      sum.fill(0);
      count.fill(0);
      const iEnd = Math.min((a + 1) * k, n);
      for (let i = a * k; i < iEnd; i++) {
        const rowOffset = i * n;
        for (let j = 0; j < n; j++) {
          const v = values[rowOffset + j];
          if (Number.isFinite(v)) {
            const b = (j / k) | 0;
            sum[b] += v;
            count[b]++;
          }
        }
      }
      for (let b = 0; b < m; b++) out[a * m + b] = count[b] > 0 ? sum[b] / count[b] : Number.NaN;
    }
  }
  let undefinedCells = 0;
  for (let c = 0; c < out.length; c++) {
    if (!Number.isFinite(out[c])) {
      out[c] = Number.NaN;
      undefinedCells++;
    }
  }
  return { cells: m, blockBins: k, startS, endS, values: out, undefinedCells };
}

/**
 * Vega-Lite spec of a self-similarity (timepoint-by-timepoint correlation) matrix: a square plot, both axes
 * time in seconds with the origin top-left (time runs down and to the right, so the diagonal goes from top
 * left to bottom right, as in seaborn), colour = r on a diverging scheme over [−1, 1].
 *
 * Matrices with more than `maxDisplayCells` (default 250) bins per axis are block-averaged for display (see
 * {@link reduceSimilarity}) and a subtitle line says by how much. Undefined (`NaN`) cells are kept as
 * `null` and drawn grey; a subtitle line says so. The inline data has one row per display row, `{y, r: […]}`
 * (the row's start time in seconds, its r in column order rounded to `decimals`); the spec's transforms
 * make one datum per cell, `{x, x2, y, y2, r}`: `flatten` the array, number each row's cells (`window`,
 * `row_number`: the column, from 1), and `lookup` the column's start and end and the row's end in a small
 * inline table of cell edges (`{column, s, e}`), so cells tile exactly. Tooltips: time x (s), time y (s), r.
 *
 * @param input The matrix, its bins, title and the caller's subtitle (first line).
 * @param options Size (default 480 px square), display-cell cap, colours, rounding.
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On inconsistent shapes, non-increasing or overlapping bins, or bad options.
 */
export function similarityHeatmapSpec(
  input: SimilarityHeatmapInput,
  options: SimilarityHeatmapOptions = {},
): TopLevelSpec {
  const decimals = checkDecimals(options.decimals ?? 3);
  const size = checkPositive('size', options.size ?? 480);
  const n = input.binStartS.length;
  const reduced = reduceSimilarity(
    input.values,
    input.binStartS,
    input.binS,
    options.maxDisplayCells ?? DEFAULT_MAX_DISPLAY_CELLS,
  );
  const m = reduced.cells;

  const timeDecimals = timeDecimalsFor(input.binS);
  const starts = Array.from(reduced.startS, (x) => roundTo(x, timeDecimals) as number);
  const edges = starts.map((s, a) => ({ column: a + 1, s, e: roundTo(reduced.endS[a], timeDecimals) as number }));
  const rs: (number | null)[] = new Array(m * m);
  for (let i = 0; i < rs.length; i++) rs[i] = roundTo(reduced.values[i], decimals);
  // One row per matrix row (y), its r in column order; as a picture a single cell (it carries the scales'
  // fields: the cells are the image).
  const row = (a: number, length = m) => ({ y: starts[a], r: rs.slice(a * m, a * m + length) });
  const rows = options.cellsAsImage ? [row(0, 1)] : Array.from({ length: m }, (_, a) => row(a));
  const edgeRows = options.cellsAsImage ? edges.slice(0, 1) : edges;

  const subtitle: string[] = [];
  if (input.subtitle) subtitle.push(input.subtitle);
  if (reduced.blockBins > 1) {
    subtitle.push(
      `display: mean r of ${reduced.blockBins} × ${reduced.blockBins}-bin blocks (${n} × ${n} bins shown as ${m} × ${m} cells)`,
    );
  }
  if (reduced.undefinedCells > 0) {
    subtitle.push(`grey: r undefined (constant bin) in ${reduced.undefinedCells} of ${m * m} cells`);
  }

  const timeScale = { domain: [edges[0].s, edges[m - 1].e], nice: false, zero: false };
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    description: `self-similarity matrix of ${input.title}: ${n} × ${n} bins of ${formatSeconds(input.binS)} s`,
    title: subtitle.length > 0 ? { text: input.title, subtitle, anchor: 'start' } : { text: input.title, anchor: 'start' },
    width: size,
    height: size,
    data: { values: rows },
    transform: [
      { flatten: ['r'] },
      // a cell's place in its row's array is its column (1-based, as `row_number` counts)
      { window: [{ op: 'row_number', as: 'column' }], groupby: ['y'] },
      { lookup: 'column', from: { data: { values: edgeRows }, key: 'column', fields: ['s', 'e'] }, as: ['x', 'x2'] },
      { lookup: 'y', from: { data: { values: edgeRows }, key: 's', fields: ['e'] }, as: 'y2' },
    ],
    mark: RECT_MARK,
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'time x (s)', scale: timeScale },
      x2: { field: 'x2' },
      y: { field: 'y', type: 'quantitative', title: 'time y (s)', scale: { ...timeScale, reverse: true } },
      y2: { field: 'y2' },
      color: {
        field: 'r',
        type: 'quantitative',
        title: 'r',
        scale: colorScale([-1, 1], options),
        legend: { title: 'r', values: [-1, -0.5, 0, 0.5, 1], format: '.1f' },
      },
      tooltip: [
        { field: 'x', type: 'quantitative', title: 'time x (s)', format: '.2f' },
        { field: 'y', type: 'quantitative', title: 'time y (s)', format: '.2f' },
        { field: 'r', type: 'quantitative', title: 'r', format: `.${decimals}f` },
      ],
    },
    config: baseConfig(options),
  } satisfies TopLevelSpec;
  if (!options.cellsAsImage) return spec;
  const url = options.cellsAsImage({
    rows: m,
    columns: m,
    values: rs,
    scale: spec.encoding.color.scale,
    undefinedColor: options.undefinedColor ?? DEFAULT_UNDEFINED_COLOR,
  });
  return asPicture(spec, url, size, size);
}
