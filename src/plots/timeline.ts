/**
 * Vega-Lite v6 spec of one track's cluster timeline: which cluster each time bin belongs to, as a coloured
 * strip over time, with the analysis' own sections (and optionally boundaries found by songscope) drawn as
 * vertical lines across it — so the eye can compare the clustering with the sections at a glance.
 *
 * Also home of the cluster palette ({@link clusterColor}) that every plot colouring by cluster uses, so that
 * cluster 2 has the same colour in the timeline, the trajectory and the album scatter.
 *
 * Like the heatmaps (`./heatmap.js`), the builder is a pure function of its input (identical JSON for
 * identical input), the data is inline (`data.values`), and times are rounded to a thousandth of a bin.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { ParameterError } from '../errors.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { LayerSpec, UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import {
  DEFAULT_UNDEFINED_COLOR,
  FONT,
  RECT_MARK,
  VEGA_LITE_SCHEMA,
  binEnds,
  checkPositive,
  formatSeconds,
  roundTo,
  timeDecimalsFor,
  timeFormat,
} from './heatmap.js';

/**
 * Colours of clusters 0, 1, 2, … (cycled beyond 12): Vega's `tableau10` without its grey (grey means
 * "undefined"), then four more that stay distinguishable from it.
 */
export const CLUSTER_PALETTE: readonly string[] = Object.freeze([
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b',
  '#b279a2', '#ff9da6', '#9d755d', '#17becf', '#bcbd22', '#393b79',
]); // prettier-ignore

/** Label of a bin or track that belongs to no cluster (e.g. an undefined, constant bin). */
export const NO_CLUSTER = -1;

/** The text shown for {@link NO_CLUSTER} in legends and tooltips. */
export const NO_CLUSTER_TEXT = 'none (undefined)';

/**
 * The colour of cluster `label`: {@link CLUSTER_PALETTE} by label (cycled), grey
 * ({@link DEFAULT_UNDEFINED_COLOR}) for a negative label.
 */
export function clusterColor(label: number): string {
  return label < 0 ? DEFAULT_UNDEFINED_COLOR : CLUSTER_PALETTE[label % CLUSTER_PALETTE.length];
}

/**
 * A nominal colour scale for the cluster labels that occur in `labels`: explicit domain (sorted labels)
 * and range ({@link clusterColor} of each), so a label's colour never depends on which other labels occur.
 * Also the matching legend `labelExpr` (negative label → {@link NO_CLUSTER_TEXT}).
 *
 * @throws {ParameterError} (`labels`) When a label is not an integer ≥ −1.
 */
export function clusterColorScale(labels: ArrayLike<number>): {
  scale: { domain: number[]; range: string[] };
  labelExpr: string;
} {
  const seen = new Set<number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= NO_CLUSTER)) {
      throw new ParameterError('labels', `${label} at index ${i}`, 'integers ≥ −1 (−1 = no cluster)');
    }
    seen.add(label);
  }
  const domain = [...seen].sort((a, b) => a - b);
  return {
    scale: { domain, range: domain.map(clusterColor) },
    labelExpr: `datum.value < 0 ? '${NO_CLUSTER_TEXT}' : datum.label`,
  };
}

/** Vega expression giving the tooltip text of a cluster label in `datum[field]`. */
export function clusterTextExpr(field: string): string {
  return `datum['${field}'] < 0 ? '${NO_CLUSTER_TEXT}' : '' + datum['${field}']`;
}

/** Input of {@link clusterTimelineSpec}. */
export interface ClusterTimelineInput {
  /** Start of each time bin, seconds, strictly increasing [shape=(bins)]. At least one bin. */
  timesS: ArrayLike<number>;
  /** Width of every bin, seconds (> 0). */
  binS: number;
  /** Cluster label of each bin [shape=(bins)]: integers ≥ 0, or −1 for "no cluster" (drawn grey). */
  labels: ArrayLike<number>;
  /** Start times of the analysis' sections, seconds (drawn as solid vertical lines). */
  sections?: ArrayLike<number>;
  /** Boundaries found by songscope, seconds (drawn as dashed vertical lines). */
  boundaries?: ArrayLike<number>;
  /** Plot title. Default `'Cluster timeline'`. */
  title?: string;
  /** First subtitle line. Default: what is clustered, by `method`, and the bin grid. */
  subtitle?: string;
  /** How the bins were clustered, for the default subtitle, e.g. `'k-means (k = 4) on z-scored features'`. */
  method?: string;
}

/** Options of {@link clusterTimelineSpec}. */
export interface ClusterTimelineOptions {
  /** Width of the strip, px. Default 1000 (as the feature heatmap, so the two line up in a report). */
  width?: number;
  /** Height of the strip, px. Default 48. */
  height?: number;
}

/** Legend entry (and tooltip kind) of the analysis' section lines. */
export const SECTIONS_LABEL = 'sections (analysis)';
/** Legend entry (and tooltip kind) of the found boundary lines. */
export const BOUNDARIES_LABEL = 'boundaries (found)';

/**
 * Vega-Lite spec of a cluster timeline: x = time in seconds; one rect per bin (`t` to `t2`, tiling exactly
 * as in the feature heatmap) filled with its cluster's colour ({@link clusterColor}; legend "cluster", grey
 * = {@link NO_CLUSTER_TEXT}); the analysis' section starts as solid black vertical rules and the found
 * boundaries as dashed ones, both explained by a second legend ("lines"). Tooltips: bin start and end (s)
 * and cluster; on the lines, kind and time.
 *
 * The layers' inline data: bins `{t, t2, cluster}` (one per bin, in time order), section lines `{s, kind,
 * n}` (n = 1-based section number) and boundary lines `{s, kind, n}`, in the order given. Lines outside
 * the bins' time range are clipped away.
 *
 * @param input Bins, labels, lines, titles.
 * @param options Size (default 1000 × 48 px).
 * @returns A Vega-Lite v6 top-level spec.
 * @throws {ParameterError} On inconsistent lengths, bad bins, bad labels or non-finite line times.
 */
export function clusterTimelineSpec(input: ClusterTimelineInput, options: ClusterTimelineOptions = {}): TopLevelSpec {
  const starts = Float64Array.from(input.timesS);
  const bins = starts.length;
  const ends = binEnds(starts, input.binS);
  if (input.labels.length !== bins) {
    throw new ParameterError('labels', `${input.labels.length} labels for ${bins} time bins`, 'one label per time bin');
  }
  const width = checkPositive('width', options.width ?? 1000);
  const height = checkPositive('height', options.height ?? 48);
  const colors = clusterColorScale(input.labels);
  const lines = (name: string, times: ArrayLike<number> | undefined, kind: string) =>
    Array.from(times ?? [], (s, i) => {
      if (!Number.isFinite(s)) throw new ParameterError(name, `${name}[${i}] is ${s}`, 'finite times (seconds)');
      return { s, kind, n: i + 1 };
    });
  const sections = lines('sections', input.sections, SECTIONS_LABEL);
  const boundaries = lines('boundaries', input.boundaries, BOUNDARIES_LABEL);

  const timeDecimals = timeDecimalsFor(input.binS);
  const cells: { t: number; t2: number; cluster: number }[] = new Array(bins);
  let unlabelled = 0;
  for (let b = 0; b < bins; b++) {
    const cluster = input.labels[b];
    if (cluster < 0) unlabelled++;
    cells[b] = {
      t: roundTo(starts[b], timeDecimals) as number,
      t2: roundTo(ends[b], timeDecimals) as number,
      cluster,
    };
  }
  const clusters = colors.scale.domain.filter((c) => c >= 0).length;

  const subtitle = [
    input.subtitle ??
      `cluster of each ${formatSeconds(input.binS)} s bin${input.method ? ` by ${input.method}` : ''}; ` +
        `${bins} bins, ${clusters} cluster${clusters === 1 ? '' : 's'}`,
  ];
  const lineKinds: string[] = [];
  const count = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (sections.length > 0) lineKinds.push(`solid lines: ${count(sections.length, 'section start', 'section starts')} of the analysis`);
  if (boundaries.length > 0) lineKinds.push(`dashed lines: ${count(boundaries.length, 'boundary', 'boundaries')} found`);
  if (lineKinds.length > 0) subtitle.push(lineKinds.join('; '));
  if (unlabelled > 0) subtitle.push(`grey: no cluster (undefined bin) for ${unlabelled} of ${bins} bins`);

  const xScale = { domain: [cells[0].t, cells[bins - 1].t2], nice: false, zero: false };
  const format = timeFormat(input.binS);
  const lineKindDomain = [
    ...(sections.length > 0 ? [SECTIONS_LABEL] : []),
    ...(boundaries.length > 0 ? [BOUNDARIES_LABEL] : []),
  ];
  const lineLayer = (values: { s: number; kind: string; n: number }[], what: string) => ({
    data: { values },
    mark: { type: 'rule' as const, color: '#000000', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: 's', type: 'quantitative' as const },
      strokeDash: {
        field: 'kind',
        type: 'nominal' as const,
        scale: {
          domain: lineKindDomain,
          range: lineKindDomain.map((k) => (k === SECTIONS_LABEL ? [1, 0] : [5, 3])),
        },
        legend: { title: 'lines', symbolStrokeColor: '#000000' },
      },
      tooltip: [
        { field: 'kind', type: 'nominal' as const, title: 'line' },
        { field: 'n', type: 'quantitative' as const, title: what },
        { field: 's', type: 'quantitative' as const, title: 'time (s)', format: '.2f' },
      ],
    },
  });

  const binLayer = {
    data: { values: cells },
    transform: [{ calculate: clusterTextExpr('cluster'), as: 'cluster_text' }],
    mark: RECT_MARK,
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time (s)', scale: xScale },
      x2: { field: 't2' },
      color: {
        field: 'cluster',
        type: 'nominal',
        title: 'cluster',
        scale: colors.scale,
        legend: { title: 'cluster', labelExpr: colors.labelExpr },
      },
      tooltip: [
        { field: 't', type: 'quantitative', title: 'from (s)', format },
        { field: 't2', type: 'quantitative', title: 'to (s)', format },
        { field: 'cluster_text', type: 'nominal', title: 'cluster' },
      ],
    },
  } satisfies UnitSpec<Field>;
  const layer: LayerSpec<Field>['layer'] = [binLayer];
  if (sections.length > 0) layer.push(lineLayer(sections, 'section'));
  if (boundaries.length > 0) layer.push(lineLayer(boundaries, 'boundary'));

  const title = input.title ?? 'Cluster timeline';
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `cluster timeline of ${title}: ${bins} bins, ${clusters} clusters, ${sections.length} sections`,
    title: { text: title, subtitle, anchor: 'start' },
    width,
    height,
    layer,
    config: {
      font: FONT,
      view: { stroke: null },
      legend: { orient: 'bottom', direction: 'horizontal' },
    },
  } satisfies TopLevelSpec;
}
