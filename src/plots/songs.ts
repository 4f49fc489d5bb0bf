/**
 * Vega-Lite v6 specs comparing the songs of an album (or any set of tracks) with each other: a song-by-song
 * correlation heatmap in the given order ({@link songsCorrelationSpec}), and the same heatmap reordered by
 * hierarchical clustering with its dendrogram drawn above, like seaborn's `clustermap`
 * ({@link clustermapSpec}).
 *
 * Both builders are pure functions of their input (identical JSON for identical input) with inline data.
 * The colour is r on the diverging scheme of the other heatmaps (`./heatmap.js`) over [−1, 1]; undefined
 * (`NaN`) correlations are kept as `null` and drawn grey, and the subtitle says so.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { ParameterError } from '../errors.js';
import type { DendrogramSegment } from '../transforms/hierarchy.js';
import {
  RECT_MARK,
  VEGA_LITE_SCHEMA,
  baseConfig,
  checkDecimals,
  checkPositive,
  colorScale,
  roundTo,
  type HeatmapStyleOptions,
} from './heatmap.js';

/** Input of {@link songsCorrelationSpec}. */
export interface SongsCorrelationInput {
  /** Song names in display order (top to bottom, left to right), e.g. `'01 One More Time'`; unique, non-empty. */
  names: readonly string[];
  /** Correlations, row-major: `values[i * n + j]` = r between song i and song j [shape=(n × n)]; `NaN` = undefined. */
  values: ArrayLike<number>;
  /** Plot title. Default `'Song-by-song correlation'`. */
  title?: string;
  /** First subtitle line. Default: what r is computed from is not known here, so `'Pearson r between songs'`. */
  subtitle?: string;
}

/** One link of a dendrogram, in leaf-position units across (leaf k at x = k) and merge-height units up. */
export type { DendrogramSegment };

/** Input of {@link clustermapSpec}. */
export interface ClustermapInput extends SongsCorrelationInput {
  /** Leaf order of the dendrogram: `order[k]` = index (into `names`) of the song at position k. A permutation of 0 … n−1. */
  order: readonly number[];
  /** The dendrogram as line segments; leaf k (song `order[k]`) at x = k, leaves at height 0. */
  dendrogram: readonly DendrogramSegment[];
  /** Title of the dendrogram's height axis. Default `'merge distance'`. */
  heightTitle?: string;
}

/** Options of both song heatmaps. */
export interface SongsHeatmapOptions extends HeatmapStyleOptions {
  /** Side of one cell, px. Default: 560 / n, clamped to 10 … 28. */
  cellSize?: number;
  /** Height of the dendrogram panel (clustermap only), px. Default 120. */
  dendrogramHeight?: number;
}

/** A cell of the song heatmaps' inline data: row song `a` (y), column song `b` (x), r. */
interface SongCell {
  a: string;
  b: string;
  r: number | null;
}

function checkSongs(names: readonly string[], values: ArrayLike<number>): number {
  const n = names.length;
  if (n < 1) throw new ParameterError('names', 'none', 'at least 1 song');
  if (values.length !== n * n) throw new ParameterError('values', `${values.length} entries`, `n × n = ${n} × ${n} entries`);
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') throw new ParameterError('names', `name ${i} is empty`, 'non-empty song names');
    if (seen.has(name)) throw new ParameterError('names', `${JSON.stringify(name)} twice`, 'distinct song names');
    seen.add(name);
  });
  return n;
}

/**
 * The heatmap layer shared by both specs: songs in `order` on both axes (rows top to bottom, columns left
 * to right), one `{a, b, r}` cell per pair, row-major in that order.
 */
function heatmapParts(
  input: SongsCorrelationInput,
  order: readonly number[],
  options: SongsHeatmapOptions,
  yAxisOrient: 'left' | 'right',
) {
  const { names, values } = input;
  const n = names.length;
  const decimals = checkDecimals(options.decimals ?? 3);
  const cell = checkPositive('cellSize', options.cellSize ?? Math.min(28, Math.max(10, Math.floor(560 / n))));
  const cells: SongCell[] = new Array(n * n);
  let undefinedCells = 0;
  for (let p = 0; p < n; p++) {
    const i = order[p];
    for (let q = 0; q < n; q++) {
      const j = order[q];
      const r = roundTo(values[i * n + j], decimals);
      if (r === null) undefinedCells++;
      cells[p * n + q] = { a: names[i], b: names[j], r };
    }
  }
  const domain = order.map((i) => names[i]);
  const labelFontSize = Math.min(11, Math.max(7, Math.floor(cell * 0.75)));
  const unit = {
    width: n * cell,
    height: n * cell,
    data: { values: cells },
    mark: RECT_MARK,
    encoding: {
      x: {
        field: 'b',
        type: 'nominal' as const,
        title: null,
        scale: { domain, paddingInner: 0, paddingOuter: 0 },
        axis: { labelAngle: -50, labelAlign: 'right' as const, labelLimit: 180, labelFontSize, ticks: false, domain: false },
      },
      y: {
        field: 'a',
        type: 'nominal' as const,
        title: null,
        scale: { domain, paddingInner: 0, paddingOuter: 0 },
        axis: { orient: yAxisOrient, labelLimit: 180, labelFontSize, ticks: false, domain: false },
      },
      color: {
        field: 'r',
        type: 'quantitative' as const,
        title: 'r',
        scale: colorScale([-1, 1], options),
        legend: { title: 'r', values: [-1, -0.5, 0, 0.5, 1], format: '.1f' },
      },
      tooltip: [
        { field: 'a', type: 'nominal' as const, title: 'song a' },
        { field: 'b', type: 'nominal' as const, title: 'song b' },
        { field: 'r', type: 'quantitative' as const, title: 'r', format: `.${decimals}f` },
      ],
    },
  };
  return { unit, undefinedCells };
}

function subtitleLines(input: SongsCorrelationInput, undefinedCells: number, extra: string[]): string[] {
  const n = input.names.length;
  const lines = [input.subtitle ?? 'Pearson r between songs', ...extra];
  if (undefinedCells > 0) lines.push(`grey: r undefined in ${undefinedCells} of ${n * n} cells`);
  return lines;
}

/**
 * Vega-Lite spec of a song-by-song correlation matrix: a square heatmap with the songs in the given order on
 * both axes (rows top to bottom, columns left to right, names as axis labels), colour = r on a diverging
 * scheme over [−1, 1]. Tooltips: song a (row), song b (column), r.
 *
 * The inline data has one row per cell, row-major: `{a, b, r}` (a = row song, b = column song, r rounded to
 * `decimals`, `null` if undefined).
 *
 * @param input Names, matrix, titles.
 * @param options Cell size, colours, rounding.
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On inconsistent shapes, empty or duplicate names, or bad options.
 */
export function songsCorrelationSpec(input: SongsCorrelationInput, options: SongsHeatmapOptions = {}): TopLevelSpec {
  const n = checkSongs(input.names, input.values);
  const identity = Array.from({ length: n }, (_, i) => i);
  const { unit, undefinedCells } = heatmapParts(input, identity, options, 'left');
  const title = input.title ?? 'Song-by-song correlation';
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `${title}: ${n} × ${n} songs`,
    title: { text: title, subtitle: subtitleLines(input, undefinedCells, []), anchor: 'start' },
    ...unit,
    config: baseConfig(options),
  } satisfies TopLevelSpec;
}

/**
 * Vega-Lite spec of a clustered correlation heatmap, like seaborn's `clustermap`: the matrix of
 * {@link songsCorrelationSpec} with rows and columns permuted into the dendrogram's leaf `order`, song
 * names on the right and at the bottom, and the dendrogram above it (vconcat) drawn as line segments whose
 * leaves sit exactly over the heatmap's columns (leaf k at the centre of column k). Tooltips on cells (song
 * a, song b, r) and on dendrogram links (merge height).
 *
 * Inline data: the heatmap's cells `{a, b, r}`, row-major in leaf order (the first row is song `order[0]`
 * against `order[0]`, `order[1]`, …); the dendrogram's segments `{x1, y1, x2, y2}` as given.
 *
 * @param input Names, matrix, leaf order, dendrogram, titles.
 * @param options Cell size, dendrogram height, colours, rounding.
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On inconsistent shapes, an `order` that is not a permutation, non-finite segment
 *   coordinates, empty or duplicate names, or bad options.
 */
export function clustermapSpec(input: ClustermapInput, options: SongsHeatmapOptions = {}): TopLevelSpec {
  const n = checkSongs(input.names, input.values);
  const { order } = input;
  if (order.length !== n) throw new ParameterError('order', `${order.length} entries for ${n} songs`, 'one entry per song');
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (!(Number.isInteger(i) && i >= 0 && i < n) || seen[i]) {
      throw new ParameterError('order', `[${order.join(', ')}]`, `a permutation of 0 … ${n - 1}`);
    }
    seen[i] = 1;
  }
  let maxHeight = 0;
  const segments = input.dendrogram.map((s, k) => {
    for (const v of [s.x1, s.y1, s.x2, s.y2]) {
      if (!Number.isFinite(v)) throw new ParameterError('dendrogram', `dendrogram[${k}] has a coordinate ${v}`, 'finite coordinates');
    }
    maxHeight = Math.max(maxHeight, s.y1, s.y2);
    return { x1: s.x1, y1: s.y1, x2: s.x2, y2: s.y2, h: Math.max(s.y1, s.y2) };
  });
  const dendrogramHeight = checkPositive('dendrogramHeight', options.dendrogramHeight ?? 120);
  const { unit, undefinedCells } = heatmapParts(input, order, options, 'right');
  const heightTitle = input.heightTitle ?? 'merge distance';

  const dendrogram = {
    width: unit.width,
    height: dendrogramHeight,
    data: { values: segments },
    mark: { type: 'rule' as const, color: '#333333', strokeWidth: 1.25 },
    encoding: {
      // Leaf k at the centre of heatmap column k: the band scale of n columns spans −0.5 … n − 0.5.
      x: { field: 'x1', type: 'quantitative' as const, title: null, axis: null, scale: { domain: [-0.5, n - 0.5], nice: false, zero: false } },
      x2: { field: 'x2' },
      y: {
        field: 'y1',
        type: 'quantitative' as const,
        title: heightTitle,
        scale: { domain: [0, maxHeight > 0 ? Number(maxHeight.toPrecision(6)) : 1], nice: false },
        axis: { orient: 'left' as const, tickCount: 4, grid: false, titleFontWeight: 'normal' as const },
      },
      y2: { field: 'y2' },
      tooltip: [{ field: 'h', type: 'quantitative' as const, title: heightTitle, format: '.3~f' }],
    },
  };

  const title = input.title ?? 'Songs, clustered';
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `${title}: ${n} × ${n} songs, reordered by hierarchical clustering, dendrogram above`,
    title: {
      text: title,
      subtitle: subtitleLines(input, undefinedCells, ['rows and columns reordered by hierarchical clustering; dendrogram above']),
      anchor: 'start',
    },
    // `flush` bounds: the two plot areas line up on their left edges, whatever their axes need.
    bounds: 'flush',
    spacing: 6,
    vconcat: [dendrogram, unit],
    config: { ...baseConfig(options), concat: { spacing: 6 } },
  } satisfies TopLevelSpec;
}
