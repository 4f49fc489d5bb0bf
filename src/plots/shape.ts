/**
 * Vega-Lite spec of songs side by side by their shape: for each, its shape matrix (the fingerprint as a
 * size × size heatmap over the song's normalised time) above its trajectory (the phrase-smoothed, z-scored
 * sequence the matrix was made from, projected on its own first two principal components, coloured by the
 * position in the song). Used by `songscope similar` (the query and its best matches).
 */
import type { TopLevelSpec } from 'vega-lite';
import { colorScale, FONT, RECT_MARK, roundTo, VEGA_LITE_SCHEMA } from './heatmap.js';
import { TIME_SCHEME } from './scatter.js';
import { ParameterError } from '../errors.js';

/** One song of {@link shapeGallerySpec}. */
export interface ShapeGalleryItem {
  /** Panel title, e.g. `query: 03 Title` or `#1 07 Title`. */
  title: string;
  /** A second line under the title (e.g. the distance). */
  subtitle?: string;
  /** The fingerprint's square matrix, row-major size × size (see `fingerprintMatrix`). */
  matrix: ArrayLike<number>;
  /** The trajectory's 2-D points in time order, row-major [shape=(size, 2)]. */
  trajectory: ArrayLike<number>;
}

/** Input of {@link shapeGallerySpec}. */
export interface ShapeGalleryInput {
  items: readonly ShapeGalleryItem[];
  title: string;
  subtitle?: string;
}

/** Options of {@link shapeGallerySpec}. */
export interface ShapeGalleryOptions {
  /** Width and height of each panel, px; default 200. */
  panel?: number;
  /** Colour domain of the matrices (standardised units), clamped; default [−2, 2]. */
  domain?: readonly [number, number];
}

const percent = (k: number, n: number): number => roundTo((100 * k) / n, 2) as number;

/**
 * The gallery: a column per song, its shape matrix on top (x and y: % of the song, colour: standardised
 * similarity on the diverging scheme of the other heatmaps, clamped to `domain`), its trajectory below
 * (points joined in order, fill: % of the song). Tooltips give the positions and values; the two colour
 * scales are shared by all columns, so their legends are drawn once.
 *
 * The inline data of a matrix is one row per cell, `{i, j, v}` (row, column, value rounded to 2 decimals):
 * about 100 KB of JSON for a 64 × 64 matrix.
 *
 * @throws {ParameterError} for no items, a matrix that is not square, or a trajectory of another length
 */
export function shapeGallerySpec(input: ShapeGalleryInput, options: ShapeGalleryOptions = {}): TopLevelSpec {
  if (input.items.length === 0) throw new ParameterError('items', 'no songs', 'at least one song');
  const panel = options.panel ?? 200;
  if (!(panel > 0)) throw new ParameterError('panel', String(panel), 'a positive size in px');
  const domain = options.domain ?? [-2, 2];
  const columns = input.items.map((item, k) => {
    const n = Math.round(Math.sqrt(item.matrix.length));
    if (n * n !== item.matrix.length || n < 2) throw new ParameterError('items', `song ${k}'s matrix of ${item.matrix.length} values`, 'a square matrix of at least 2 × 2');
    if (item.trajectory.length !== 2 * n) throw new ParameterError('items', `song ${k}'s trajectory of ${item.trajectory.length / 2} points`, `one point per row of its matrix (${n})`);
    // one row per cell, {i, j, v}: row, column, value; positions in % are computed by the spec
    const cells: { i: number; j: number; v: number | null }[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cells.push({ i, j, v: roundTo(item.matrix[i * n + j], 2) });
    const cellPercent = 100 / n;
    const points = Array.from({ length: n }, (_, i) => ({
      i,
      p: percent(i + 0.5, n),
      x: roundTo(item.trajectory[2 * i], 4) as number,
      y: roundTo(item.trajectory[2 * i + 1], 4) as number,
    }));
    const axis = (title: string) => ({ field: 'a', type: 'quantitative' as const, title, scale: { domain: [0, 100], nice: false }, axis: { values: [0, 25, 50, 75, 100], labelExpr: "datum.value + ' %'" } });
    return {
      title: { text: item.title, ...(item.subtitle ? { subtitle: item.subtitle } : {}), anchor: 'start' as const, fontSize: 12 },
      vconcat: [
        {
          data: { values: cells },
          transform: [
            { calculate: `datum.j * ${cellPercent}`, as: 'a' },
            { calculate: `(datum.j + 1) * ${cellPercent}`, as: 'a2' },
            { calculate: `datum.i * ${cellPercent}`, as: 'b' },
            { calculate: `(datum.i + 1) * ${cellPercent}`, as: 'b2' },
          ],
          width: panel,
          height: panel,
          mark: RECT_MARK,
          encoding: {
            x: axis('position in the song'),
            x2: { field: 'a2' },
            y: { ...axis(''), field: 'b', scale: { domain: [100, 0], nice: false } },
            y2: { field: 'b2' },
            color: { field: 'v', type: 'quantitative' as const, title: 'similarity (standardised)', scale: colorScale(domain, {}) },
            tooltip: [
              { field: 'b', type: 'quantitative' as const, title: 'row (% of the song)', format: '.1f' },
              { field: 'a', type: 'quantitative' as const, title: 'column (% of the song)', format: '.1f' },
              { field: 'v', type: 'quantitative' as const, title: 'similarity (standardised)', format: '.2f' },
            ],
          },
        },
        {
          data: { values: points },
          width: panel,
          height: panel,
          layer: [
            {
              mark: { type: 'line', color: '#bbbbbb', strokeWidth: 1, aria: false },
              encoding: {
                x: { field: 'x', type: 'quantitative' as const, title: 'PC 1', axis: { labels: false, ticks: false } },
                y: { field: 'y', type: 'quantitative' as const, title: 'PC 2', axis: { labels: false, ticks: false } },
                order: { field: 'i', type: 'quantitative' as const },
              },
            },
            {
              mark: { type: 'circle', size: 30, opacity: 0.9, aria: false },
              encoding: {
                x: { field: 'x', type: 'quantitative' as const },
                y: { field: 'y', type: 'quantitative' as const },
                // fill, not color: a scale of its own, apart from the matrices' colours
                fill: { field: 'p', type: 'quantitative' as const, title: 'position in the song (%)', scale: { scheme: TIME_SCHEME, domain: [0, 100] } },
                tooltip: [{ field: 'p', type: 'quantitative' as const, title: 'position in the song (%)', format: '.1f' }],
              },
            },
          ],
        },
      ],
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `shape matrices and trajectories of ${input.items.length} songs`,
    title: { text: input.title, ...(input.subtitle ? { subtitle: input.subtitle } : {}), anchor: 'start' },
    hconcat: columns,
    resolve: { scale: { color: 'shared', fill: 'shared' } },
    config: { font: FONT, view: { stroke: null }, legend: { orient: 'bottom' } },
  } as TopLevelSpec;
}
