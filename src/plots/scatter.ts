/**
 * Vega-Lite v6 scatter plots of embeddings (PCA, MDS, UMAP …): one track's trajectory through the
 * embedding over time ({@link trajectorySpec}), and many labelled points, one per track
 * ({@link labelledScatterSpec}).
 *
 * Both builders are pure functions of their input (identical JSON for identical input), carry their data
 * inline, and draw both axes to the same scale by default (one unit is as long across as up), because the
 * distances between points are what an embedding shows. Coordinates in the inline data are rounded to
 * about 5 significant digits of the data's extent (display only). Cluster colours are those of
 * {@link clusterColor} (`./timeline.js`), so a cluster looks the same in every plot.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import { ParameterError } from '../errors.js';
import { FONT, VEGA_LITE_SCHEMA, checkPositive, roundTo } from './heatmap.js';
import { NO_CLUSTER, clusterColorScale, clusterTextExpr } from './timeline.js';

/** Sequential colour scheme for time (a Vega scheme name): dark = early, yellow = late. */
export const TIME_SCHEME = 'viridis';

/** Colour of the line joining a trajectory's points in time order. */
const TRAJECTORY_LINE_COLOR = '#b8b8b8';

// ---- helpers --------------------------------------------------------------------------------------------

/** Decimals that keep about 5 significant digits of a quantity spanning `span` (0 … 10). */
function decimalsForSpan(span: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 6;
  return Math.min(10, Math.max(0, 4 - Math.floor(Math.log10(span))));
}

/** `x` if it is finite, else a ParameterError for `parameter` whose value reads `${what} is ${x}`. */
function finite(x: number, parameter: string, what: string): number {
  if (!Number.isFinite(x)) throw new ParameterError(parameter, `${what} is ${x}`, 'finite numbers');
  return x;
}

/** Min and max of `values` (all finite). */
function extent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return [lo, hi];
}

/**
 * Axis domains for a pair of coordinates. With `equal`, both get the same length (the larger extent plus
 * 8 % padding), centred on their data, so that on a square plot one unit is as long across as up;
 * otherwise each gets its own extent plus padding. A zero extent becomes ±1 around the value.
 */
function pairDomains(xs: ArrayLike<number>, ys: ArrayLike<number>, equal: boolean): [number[], number[]] {
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  const pad = 0.08;
  const half = (a: number, b: number) => ((b - a) * (1 + pad)) / 2 || 1;
  const hx = half(x0, x1);
  const hy = half(y0, y1);
  const h = Math.max(hx, hy);
  const round = (v: number) => Number(v.toPrecision(6));
  const domain = (lo: number, hi: number, hh: number) => [round((lo + hi) / 2 - hh), round((lo + hi) / 2 + hh)];
  return [domain(x0, x1, equal ? h : hx), domain(y0, y1, equal ? h : hy)];
}

/** The x and y encodings of the panel of coordinates `a` and `b` (data fields `fields[a]`, `fields[b]`). */
function panelAxes(coords: readonly ArrayLike<number>[], fields: readonly string[], titles: readonly string[], a: number, b: number, equal: boolean) {
  const [xDomain, yDomain] = pairDomains(coords[a], coords[b], equal);
  const axis = (k: number, domain: number[]) => ({ field: fields[k], type: 'quantitative' as const, title: titles[k], scale: { domain, nice: false, zero: false } });
  return { x: axis(a, xDomain), y: axis(b, yDomain) };
}

/** One square panel of `layer`; of a 3-D plot (three `titles`) it is titled by its pair of axes. */
function panelSpec(layer: UnitSpec<Field>[], size: number, titles: readonly string[], a: number, b: number) {
  return {
    ...(titles.length === 3 ? { title: { text: `${titles[a]} × ${titles[b]}`, fontSize: 12 } } : {}),
    width: size,
    height: size,
    layer,
  };
}

/** The three 2-D projections of a 3-D plot (1–2, 1–3, 2–3) side by side, sharing one colour legend. */
function threeSides<P>(panel: (a: number, b: number) => P) {
  return { hconcat: [panel(0, 1), panel(0, 2), panel(1, 2)], resolve: { scale: { color: 'shared' as const } } };
}

/** Shared config: font, no frame around the views. */
const CONFIG = { font: FONT, view: { stroke: null } } as const;

// ---- trajectory -----------------------------------------------------------------------------------------

/** Input of {@link trajectorySpec}. */
export interface TrajectoryInput {
  /** The embedded points in time order, row-major: point i is `data[i·d … i·d + d)`; d = 2 or 3. */
  points: { readonly n: number; readonly d: number; readonly data: ArrayLike<number> };
  /** Time of each point (start of its bin), seconds [shape=(n)]. */
  timesS: ArrayLike<number>;
  /** Cluster label of each point [shape=(n)]: integers ≥ 0, or −1 for none. Shown in tooltips. */
  clusters?: ArrayLike<number>;
  /** Colour the points by time (sequential) or by cluster (needs `clusters`). Default: `'cluster'` when clusters are given, else `'time'`. */
  colorBy?: 'time' | 'cluster';
  /** Plot title. Default `'Trajectory'`. */
  title?: string;
  /** First subtitle line. Default: what the points and the line are. */
  subtitle?: string;
  /** Names of the d dimensions, e.g. `['PC1 (34 %)', 'PC2 (21 %)']`. Default `dim 1`, `dim 2`, …. */
  axisTitles?: readonly string[];
}

/** Options of {@link trajectorySpec}. */
export interface TrajectoryOptions {
  /** Width and height of each (square) panel, px. Default 420 for 2 dimensions, 300 for 3. */
  size?: number;
  /** Draw both axes of a panel to the same scale. Default `true`. */
  equalAspect?: boolean;
}

/**
 * Vega-Lite spec of one track's trajectory through a 2- or 3-dimensional embedding: a point per time bin,
 * joined by a thin grey line in time order (`order` = time), the first and last marked "start" and "end";
 * points coloured by time (sequential {@link TIME_SCHEME}, legend "time (s)") or by cluster (legend
 * "cluster"). Three dimensions give a row of three 2-D projections (1–2, 1–3, 2–3) side by side (hconcat,
 * shared colour legend). Tooltips: time, every coordinate, cluster.
 *
 * The inline data (top level, shared by all panels) has one row per point in input order: `{i, t, c1, c2[,
 * c3][, cluster]}` (i = index, t = time in s).
 *
 * @param input Points, times, optional clusters, titles.
 * @param options Panel size, equal aspect.
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On inconsistent lengths, a dimension other than 2 or 3, non-finite values, bad
 *   cluster labels, or `colorBy: 'cluster'` without clusters.
 */
export function trajectorySpec(input: TrajectoryInput, options: TrajectoryOptions = {}): TopLevelSpec {
  const { n, d, data } = input.points;
  if (d !== 2 && d !== 3) throw new ParameterError('points', `${d} dimensions`, '2 or 3 dimensions');
  if (n < 1) throw new ParameterError('points', '0 points', 'at least 1 point');
  if (data.length !== n * d) throw new ParameterError('points', `${data.length} values`, `n × d = ${n} × ${d} values`);
  if (input.timesS.length !== n) throw new ParameterError('timesS', `${input.timesS.length} times for ${n} points`, 'one time per point');
  if (input.clusters && input.clusters.length !== n) {
    throw new ParameterError('clusters', `${input.clusters.length} cluster labels for ${n} points`, 'one label per point');
  }
  const colorBy = input.colorBy ?? (input.clusters ? 'cluster' : 'time');
  if (colorBy === 'cluster' && !input.clusters) throw new ParameterError('colorBy', '"cluster" without clusters', 'clusters to colour by, or "time"');
  const axisTitles = Array.from({ length: d }, (_, k) => input.axisTitles?.[k] ?? `dim ${k + 1}`);
  const size = checkPositive('size', options.size ?? (d === 2 ? 420 : 300));
  const equal = options.equalAspect ?? true;

  const coords = Array.from({ length: d }, (_, k) =>
    Float64Array.from({ length: n }, (_, i) => finite(data[i * d + k], 'points', `point ${i}, dimension ${k + 1}`)),
  );
  const times = Float64Array.from({ length: n }, (_, i) => finite(input.timesS[i], 'timesS', `timesS[${i}]`));
  const decimals = coords.map((c) => {
    const [lo, hi] = extent(c);
    return decimalsForSpan(hi - lo);
  });
  const colors = input.clusters ? clusterColorScale(input.clusters) : undefined;
  const rows = Array.from({ length: n }, (_, i) => {
    const row: Record<string, number> = { i, t: roundTo(times[i], 3) as number };
    for (let k = 0; k < d; k++) row[`c${k + 1}`] = roundTo(coords[k][i], decimals[k]) as number;
    if (input.clusters) row.cluster = input.clusters[i];
    return row;
  });

  const tooltip = [
    { field: 't', type: 'quantitative' as const, title: 'time (s)', format: '.2f' },
    ...axisTitles.map((title, k) => ({ field: `c${k + 1}`, type: 'quantitative' as const, title, format: '.3~f' })),
    ...(input.clusters ? [{ field: 'cluster_text', type: 'nominal' as const, title: 'cluster' }] : []),
  ];
  const color =
    colorBy === 'cluster' && colors
      ? {
          field: 'cluster',
          type: 'nominal' as const,
          title: 'cluster',
          scale: colors.scale,
          legend: { title: 'cluster', labelExpr: colors.labelExpr },
        }
      : { field: 't', type: 'quantitative' as const, title: 'time (s)', scale: { scheme: TIME_SCHEME } };

  const fields = axisTitles.map((_, k) => `c${k + 1}`);
  const panel = (a: number, b: number) => {
    const { x, y } = panelAxes(coords, fields, axisTitles, a, b, equal);
    const layer: UnitSpec<Field>[] = [
      {
        mark: { type: 'line', color: TRAJECTORY_LINE_COLOR, strokeWidth: 1, interpolate: 'linear', clip: true, aria: false },
        encoding: { x, y, order: { field: 't', type: 'quantitative' } },
      },
      {
        // aria: false — no per-point description in the SVG (hundreds of points × 3 panels); tooltips stay.
        mark: { type: 'circle', size: 36, opacity: 0.9, stroke: '#ffffff', strokeWidth: 0.5, clip: true, aria: false },
        encoding: { x, y, color, tooltip },
      },
      {
        transform: [{ filter: `datum.i === 0 || datum.i === ${n - 1}` }, { calculate: `datum.i === 0 ? 'start' : 'end'`, as: 'end' }],
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 5, dy: -3, fontSize: 11, fontWeight: 'bold' },
        encoding: { x, y, text: { field: 'end', type: 'nominal' } },
      },
    ];
    return panelSpec(layer, size, axisTitles, a, b);
  };

  const title = input.title ?? 'Trajectory';
  const subtitle = [
    input.subtitle ??
      `one point per time bin (${n}), joined in time order; colour: ${colorBy === 'cluster' ? 'cluster' : 'time'}`,
  ];
  if (d === 3) subtitle.push('three dimensions, seen from three sides: 1–2, 1–3 and 2–3');
  if (equal) subtitle.push('both axes of a panel to the same scale: distances are as the embedding has them');
  const transform = input.clusters ? [{ calculate: clusterTextExpr('cluster'), as: 'cluster_text' }] : [];
  const head = {
    $schema: VEGA_LITE_SCHEMA,
    description: `trajectory of ${title}: ${n} points in ${d} dimensions`,
    title: { text: title, subtitle, anchor: 'start' as const },
    data: { values: rows },
    ...(transform.length > 0 ? { transform } : {}),
    config: CONFIG,
  };
  if (d === 2) return { ...head, ...panel(0, 1) } satisfies TopLevelSpec;
  return { ...head, ...threeSides(panel) } satisfies TopLevelSpec;
}

// ---- labelled scatter -----------------------------------------------------------------------------------

/** One point of {@link labelledScatterSpec}. */
export interface ScatterItem {
  x: number;
  y: number;
  /** Third coordinate of a 3-D embedding: when every item has one, the plot shows three 2-D projections. */
  z?: number;
  /** Text drawn next to the point, e.g. `'03 Digital Love'`. */
  label: string;
  /** Group, for `colorBy: 'group'` (e.g. the album); missing = `'(none)'`. */
  group?: string;
  /** Cluster label, for `colorBy: 'cluster'`: integer ≥ 0, or −1 / missing for none. */
  cluster?: number;
  /** More tooltip lines, title → value (e.g. `{tempo: 123.4}`), after label, group/cluster, x and y. */
  tooltip?: Record<string, string | number>;
}

/** Input of {@link labelledScatterSpec}. */
export interface LabelledScatterInput {
  /** The points, at least one. */
  items: readonly ScatterItem[];
  /** Colour by `group` (nominal, Vega's `tableau10`) or by `cluster` ({@link clusterColor}). */
  colorBy: 'group' | 'cluster';
  /** Plot title. Default `'Tracks'`. */
  title?: string;
  /** First subtitle line. Default: what a point is and what the colour means. */
  subtitle?: string;
  /** x, y (and z) axis titles. Default `dim 1`, `dim 2`, `dim 3`. */
  axisTitles?: readonly string[];
  /** Title of the colour legend. Default `'group'` or `'cluster'`. */
  legendTitle?: string;
}

/** Options of {@link labelledScatterSpec}. */
export interface LabelledScatterOptions {
  /** Width and height of the plot area, px. Default 480. */
  size?: number;
  /** Draw both axes to the same scale. Default `true`. */
  equalAspect?: boolean;
}

/** Text shown for an item without a group. */
export const NO_GROUP = '(none)';

/**
 * Vega-Lite spec of many labelled points (one per track): a filled circle per item with its label in small
 * text to the right, coloured by group or by cluster, with a colour legend. Used for an album's MDS
 * (coloured by k-means cluster) and for comparisons (coloured by group). Tooltips: label, group or
 * cluster, x, y (, z), then the item's own `tooltip` entries (in first-seen key order over all items).
 * When every item has a `z` (a 3-D embedding), the plot is a row of three 2-D projections (1–2, 1–3,
 * 2–3) side by side with a shared colour legend, as {@link trajectorySpec} draws three dimensions.
 *
 * The inline data has one row per item in input order: `{x, y[, z], label, group?, cluster?, tip0, tip1, …}`
 * (`tipK` = the value of the K-th tooltip key, `null` where an item lacks it).
 *
 * @param input Items, colouring, titles.
 * @param options Plot size, equal aspect.
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On no items, non-finite coordinates, a `z` on some items only, or bad cluster labels.
 */
export function labelledScatterSpec(input: LabelledScatterInput, options: LabelledScatterOptions = {}): TopLevelSpec {
  const { items, colorBy } = input;
  if (items.length < 1) throw new ParameterError('items', 'none', 'at least 1 item');
  const withZ = items.filter((it) => it.z !== undefined).length;
  if (withZ !== 0 && withZ !== items.length) {
    throw new ParameterError('items', `${withZ} of ${items.length} items have a z coordinate`, 'a z coordinate on all items or on none');
  }
  const dims = withZ > 0 ? 3 : 2;
  const size = checkPositive('size', options.size ?? (dims === 2 ? 480 : 320));
  const equal = options.equalAspect ?? true;
  const fields = ['x', 'y', 'z'].slice(0, dims);
  const coords = fields.map((f) => items.map((it, i) => finite((it as unknown as Record<string, number>)[f], 'items', `items[${i}].${f}`)));
  // Decimals per coordinate, from the domain of its first panel (the x–y panel for x and y).
  const [xDomain, yDomain] = pairDomains(coords[0], coords[1], equal);
  const decimals = [decimalsForSpan(xDomain[1] - xDomain[0]), decimalsForSpan(yDomain[1] - yDomain[0])];
  if (dims === 3) {
    const [, zDomain] = pairDomains(coords[0], coords[2], equal);
    decimals.push(decimalsForSpan(zDomain[1] - zDomain[0]));
  }
  const tipKeys: string[] = [];
  for (const it of items) for (const key of Object.keys(it.tooltip ?? {})) if (!tipKeys.includes(key)) tipKeys.push(key);
  const numericTip = tipKeys.map((key) => items.every((it) => it.tooltip?.[key] === undefined || typeof it.tooltip[key] === 'number'));
  const clusters = items.map((it) => it.cluster ?? NO_CLUSTER);
  const colors = colorBy === 'cluster' ? clusterColorScale(clusters) : undefined;

  const rows = items.map((it, i) => {
    const row: Record<string, string | number | null> = {};
    fields.forEach((f, k) => (row[f] = roundTo(coords[k][i], decimals[k])));
    row.label = it.label;
    if (colorBy === 'group' || it.group !== undefined) row.group = it.group ?? NO_GROUP;
    if (colorBy === 'cluster' || it.cluster !== undefined) row.cluster = clusters[i];
    tipKeys.forEach((key, k) => (row[`tip${k}`] = it.tooltip?.[key] ?? null));
    return row;
  });
  const hasGroup = colorBy === 'group' || items.some((it) => it.group !== undefined);
  const hasCluster = colorBy === 'cluster' || items.some((it) => it.cluster !== undefined);
  const axisTitles = fields.map((_, k) => input.axisTitles?.[k] ?? `dim ${k + 1}`);
  const legendTitle = input.legendTitle ?? colorBy;

  const color = colors
    ? { field: 'cluster', type: 'nominal' as const, title: legendTitle, scale: colors.scale, legend: { title: legendTitle, labelExpr: colors.labelExpr } }
    : { field: 'group', type: 'nominal' as const, title: legendTitle, scale: { scheme: 'tableau10' }, legend: { title: legendTitle } };
  const tooltip = [
    { field: 'label', type: 'nominal' as const, title: 'track' },
    ...(hasGroup ? [{ field: 'group', type: 'nominal' as const, title: colorBy === 'group' ? legendTitle : 'group' }] : []),
    ...(hasCluster ? [{ field: 'cluster_text', type: 'nominal' as const, title: colorBy === 'cluster' ? legendTitle : 'cluster' }] : []),
    ...fields.map((field, k) => ({ field, type: 'quantitative' as const, title: axisTitles[k], format: '.3~f' })),
    ...tipKeys.map((key, k) =>
      numericTip[k]
        ? { field: `tip${k}`, type: 'quantitative' as const, title: key, format: '~r' }
        : { field: `tip${k}`, type: 'nominal' as const, title: key },
    ),
  ];
  const panel = (a: number, b: number) => {
    const { x, y } = panelAxes(coords, fields, axisTitles, a, b, equal);
    const layer: UnitSpec<Field>[] = [
      {
        mark: { type: 'circle', size: 80, opacity: 0.9, stroke: '#ffffff', strokeWidth: 0.75 },
        encoding: { x, y, color, tooltip },
      },
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 7, fontSize: 10, color: '#333333', limit: 180 },
        encoding: { x, y, text: { field: 'label', type: 'nominal' }, tooltip },
      },
    ];
    return panelSpec(layer, size, axisTitles, a, b);
  };

  const title = input.title ?? 'Tracks';
  const groups = new Set(rows.map((r) => r.group));
  const subtitle = [
    input.subtitle ??
      `one point per track (${items.length}); colour: ${colorBy === 'cluster' ? `cluster (${colors?.scale.domain.filter((c) => c >= 0).length})` : `${legendTitle} (${groups.size})`}`,
  ];
  if (dims === 3) subtitle.push('three dimensions, seen from three sides: 1–2, 1–3 and 2–3');
  if (equal) subtitle.push(`both axes${dims === 3 ? ' of a panel' : ''} to the same scale: distances are as the embedding has them`);
  const head = {
    $schema: VEGA_LITE_SCHEMA,
    description: `${title}: ${items.length} labelled points${dims === 3 ? ' in 3 dimensions' : ''}`,
    title: { text: title, subtitle, anchor: 'start' as const },
  };
  const data = { values: rows };
  const transform = hasCluster ? { transform: [{ calculate: clusterTextExpr('cluster'), as: 'cluster_text' }] } : {};
  if (dims === 2) {
    const { width, height, layer } = panel(0, 1);
    return { ...head, width, height, data, ...transform, layer, config: CONFIG } satisfies TopLevelSpec;
  }
  return { ...head, data, ...transform, ...threeSides(panel), config: CONFIG } satisfies TopLevelSpec;
}
