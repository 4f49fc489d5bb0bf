import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_UNDEFINED_COLOR, VEGA_LITE_SCHEMA } from '../../src/plots/heatmap.js';
import { compileSpec, renderSvg, type LogLevelName } from '../../src/plots/render.js';
import {
  BOUNDARIES_LABEL,
  CLUSTER_PALETTE,
  NO_CLUSTER_TEXT,
  SECTIONS_LABEL,
  clusterColor,
  clusterColorScale,
  clusterTimelineSpec,
  type ClusterTimelineInput,
} from '../../src/plots/timeline.js';
import { TIME_SCHEME, labelledScatterSpec, trajectorySpec, type ScatterItem, type TrajectoryInput } from '../../src/plots/scatter.js';
import { clustermapSpec, songsCorrelationSpec, type ClustermapInput, type DendrogramSegment } from '../../src/plots/songs.js';
import { parameterError } from '../helpers/assert.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into the spec's JSON shape */
type Json = any;

// ---- helpers ----------------------------------------------------------------------------------------------

/** Messages (warn and worse) of compiling the spec. */
function compileWarnings(spec: TopLevelSpec): string[] {
  const messages: string[] = [];
  compileSpec(spec, { onLog: (level: LogLevelName, message: string) => messages.push(`${level}: ${message}`) });
  return messages;
}

/** Render, asserting that neither compiling nor rendering has anything to say (warnings included). */
async function renderQuietly(spec: TopLevelSpec): Promise<string> {
  assert.deepEqual(compileWarnings(spec), []);
  const messages: string[] = [];
  const svg = await renderSvg(spec, { onLog: (level, message) => messages.push(`${level}: ${message}`), logLevel: 'warn' });
  assert.deepEqual(messages, []);
  assert.match(svg, /^<svg [^>]*width="\d+(\.\d+)?"/);
  return svg;
}

/** The elements (`<path …>`, `<line …>`) inside every SVG group of a data mark of type `mark`. */
function markElements(svg: string, mark: 'rect' | 'rule' | 'symbol' | 'line' | 'text'): string[] {
  const out: string[] = [];
  const re = new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>`, 'g');
  for (const m of svg.matchAll(re)) {
    const start = (m.index as number) + m[0].length;
    const body = svg.slice(start, svg.indexOf('</g>', start));
    out.push(...(body.match(/<(path|line|text)[ >][^>]*>/g) ?? []));
  }
  return out;
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]*)<\/(?:text|tspan)>/g)].map((m) => m[1]);
}

const SECTIONS = [0, 7.25, 15.5];

function timelineInput(bins = 24): ClusterTimelineInput {
  return {
    timesS: Array.from({ length: bins }, (_, i) => 10 + i * 0.5),
    binS: 0.5,
    labels: Array.from({ length: bins }, (_, i) => (i === 0 ? -1 : Math.floor(i / 8))),
    sections: [...SECTIONS, 10, 16.25],
    title: 'Tiny – Track',
    method: 'k-means (k = 3)',
  };
}

/** A spiral: n points in d dimensions, with times and three clusters (the first point unclustered). */
function spiral(n: number, d: 2 | 3): TrajectoryInput {
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    data[i * d] = Math.cos(i / 4) * (1 + i / n);
    data[i * d + 1] = Math.sin(i / 4) * (1 + i / n) * 0.5;
    if (d === 3) data[i * d + 2] = i / n - 0.5;
  }
  return {
    points: { n, d, data },
    timesS: Array.from({ length: n }, (_, i) => i * 2),
    clusters: Array.from({ length: n }, (_, i) => (i === 0 ? -1 : i % 3)),
    title: 'Tiny – Track: PCA trajectory',
    axisTitles: ['PC1 (40 %)', 'PC2 (25 %)', 'PC3 (10 %)'].slice(0, d),
  };
}

const SONGS = ['01 One More Time', '02 Aerodynamic', '03 Digital Love', '04 Harder, Better, Faster, Stronger', '05 Crescendolls'];

/** An n × n symmetric correlation-like matrix: r = 1 on the diagonal, 0.7 within the groups {0, 2, 4} and {1, 3}. */
function songMatrix(n = SONGS.length): Float64Array {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[i * n + j] = i === j ? 1 : i % 2 === j % 2 ? 0.7 - 0.01 * (i + j) : -0.3 + 0.01 * i * j;
  return v;
}

/** Leaf order [0, 2, 4, 1, 3] and its dendrogram (leaf k at x = k). */
function clustermapInput(): ClustermapInput {
  const order = [0, 2, 4, 1, 3];
  const seg = (x1: number, y1: number, x2: number, y2: number): DendrogramSegment => ({ x1, y1, x2, y2 });
  // {0,2} at 0.3 (positions 0,1) → centre 0.5; + 4 at 0.4 (position 2) → centre 1.25; {1,3} at 0.35 (positions 3,4) → 3.5; root 1.2
  const dendrogram = [
    seg(0, 0, 0, 0.3), seg(1, 0, 1, 0.3), seg(0, 0.3, 1, 0.3),
    seg(0.5, 0.3, 0.5, 0.4), seg(2, 0, 2, 0.4), seg(0.5, 0.4, 2, 0.4),
    seg(3, 0, 3, 0.35), seg(4, 0, 4, 0.35), seg(3, 0.35, 4, 0.35),
    seg(1.25, 0.4, 1.25, 1.2), seg(3.5, 0.35, 3.5, 1.2), seg(1.25, 1.2, 3.5, 1.2),
  ]; // prettier-ignore
  return { names: SONGS, values: songMatrix(), order, dendrogram, title: 'Daft Punk – Discovery' };
}

// ---- cluster timeline -------------------------------------------------------------------------------------

describe('clusterColor / clusterColorScale', () => {
  test('a label always gets the same colour; −1 is the undefined grey; the palette cycles', () => {
    assert.equal(clusterColor(-1), DEFAULT_UNDEFINED_COLOR);
    assert.equal(clusterColor(0), CLUSTER_PALETTE[0]);
    assert.equal(clusterColor(CLUSTER_PALETTE.length + 2), CLUSTER_PALETTE[2]);
    assert.ok(!CLUSTER_PALETTE.includes(DEFAULT_UNDEFINED_COLOR));
    const { scale } = clusterColorScale([3, -1, 3, 1]);
    assert.deepEqual(scale, { domain: [-1, 1, 3], range: [DEFAULT_UNDEFINED_COLOR, CLUSTER_PALETTE[1], CLUSTER_PALETTE[3]] });
  });

  test('rejects labels that are not integers ≥ −1', () => {
    assert.throws(() => clusterColorScale([0, 1.5]), parameterError('labels', '1.5 at index 1', 'integers ≥ −1 (−1 = no cluster)'), '1.5');
    assert.throws(() => clusterColorScale([-2]), parameterError('labels', '-2 at index 0', 'integers ≥ −1 (−1 = no cluster)'), '−2');
    assert.throws(() => clusterColorScale([NaN]), parameterError('labels', 'NaN at index 0', 'integers ≥ −1 (−1 = no cluster)'), 'NaN');
  });
});

describe('clusterTimelineSpec', () => {
  test('one rect datum per bin with its label; bins tile; x = time', () => {
    const input = timelineInput();
    const spec: Json = clusterTimelineSpec(input);
    assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
    const bins = spec.layer[0];
    assert.equal(bins.mark.type, 'rect');
    assert.equal(bins.data.values.length, 24);
    assert.deepEqual(
      bins.data.values.map((d: Json) => d.cluster),
      Array.from(input.labels),
    );
    assert.deepEqual(bins.data.values[0], { t: 10, t2: 10.5, cluster: -1 });
    for (let b = 1; b < 24; b++) assert.equal(bins.data.values[b].t, bins.data.values[b - 1].t2);
    assert.equal(bins.encoding.x.title, 'time (s)');
    assert.deepEqual(bins.encoding.x.scale.domain, [10, 22]);
    assert.equal(bins.encoding.color.type, 'nominal');
    assert.equal(bins.encoding.color.legend.title, 'cluster');
    assert.deepEqual(bins.encoding.color.scale.domain, [-1, 0, 1, 2]);
    assert.equal(bins.encoding.color.scale.range[0], DEFAULT_UNDEFINED_COLOR);
    assert.deepEqual(
      bins.encoding.tooltip.map((t: Json) => t.title),
      ['from (s)', 'to (s)', 'cluster'],
    );
  });

  test('the section rules carry exactly the sections; boundaries get their own dashed layer', () => {
    const plain: Json = clusterTimelineSpec(timelineInput());
    assert.equal(plain.layer.length, 2);
    const rules = plain.layer[1];
    assert.equal(rules.mark.type, 'rule');
    assert.deepEqual(
      rules.data.values.map((d: Json) => d.s),
      [...SECTIONS, 10, 16.25],
    );
    assert.ok(rules.data.values.every((d: Json) => d.kind === SECTIONS_LABEL));
    assert.deepEqual(rules.encoding.strokeDash.scale.domain, [SECTIONS_LABEL]);
    assert.ok(rules.encoding.tooltip.length >= 2);

    const both: Json = clusterTimelineSpec({ ...timelineInput(), boundaries: [14, 18] });
    assert.equal(both.layer.length, 3);
    assert.deepEqual(
      both.layer[2].data.values.map((d: Json) => [d.s, d.kind]),
      [
        [14, BOUNDARIES_LABEL],
        [18, BOUNDARIES_LABEL],
      ],
    );
    assert.deepEqual(both.layer[1].encoding.strokeDash.scale.domain, [SECTIONS_LABEL, BOUNDARIES_LABEL]);
    assert.deepEqual(both.layer[2].encoding.strokeDash.scale.range, [[1, 0], [5, 3]]);

    const none: Json = clusterTimelineSpec({ ...timelineInput(), sections: undefined });
    assert.equal(none.layer.length, 1);
  });

  test('subtitle: method, bins, clusters, lines and the grey bins', () => {
    const spec: Json = clusterTimelineSpec({ ...timelineInput(), boundaries: [14] });
    assert.deepEqual(spec.title.subtitle, [
      'cluster of each 0.5 s bin by k-means (k = 3); 24 bins, 3 clusters',
      'solid lines: 5 section starts of the analysis; dashed lines: 1 boundary found',
      'grey: no cluster (undefined bin) for 1 of 24 bins',
    ]);
    const own: Json = clusterTimelineSpec({ ...timelineInput(), labels: new Array(24).fill(0), sections: [], subtitle: 'mine' });
    assert.deepEqual(own.title.subtitle, ['mine']);
  });

  test('renders without warnings: one rect per bin, one rule per section, legends that explain', async () => {
    const svg = await renderQuietly(clusterTimelineSpec({ ...timelineInput(), boundaries: [14, 18] }));
    const rects = markElements(svg, 'rect');
    assert.equal(rects.length, 24);
    assert.ok(rects[0].includes(`fill="${DEFAULT_UNDEFINED_COLOR}"`), 'the undefined bin is grey');
    assert.ok(rects[1].includes(`fill="${CLUSTER_PALETTE[0]}"`));
    assert.ok(rects[23].includes(`fill="${CLUSTER_PALETTE[2]}"`));
    assert.equal(markElements(svg, 'rule').length, 5 + 2);
    const t = texts(svg);
    for (const expected of ['Tiny – Track', 'time (s)', 'cluster', NO_CLUSTER_TEXT, 'lines', SECTIONS_LABEL, BOUNDARIES_LABEL]) {
      assert.ok(t.includes(expected), `text "${expected}" in ${JSON.stringify(t)}`);
    }
  });

  test('same input → identical JSON; typed arrays work as input', () => {
    const a = JSON.stringify(clusterTimelineSpec(timelineInput()));
    const input = timelineInput();
    const typed = { ...input, timesS: Float64Array.from(input.timesS), labels: Int32Array.from(input.labels) };
    assert.equal(JSON.stringify(clusterTimelineSpec(typed)), a);
    assert.equal(JSON.stringify(clusterTimelineSpec(timelineInput())), a);
  });

  test('rejects inconsistent input', () => {
    const bad = (patch: Partial<ClusterTimelineInput>) => () => clusterTimelineSpec({ ...timelineInput(), ...patch });
    assert.throws(bad({ labels: [0, 1] }), parameterError('labels', '2 labels for 24 time bins', 'one label per time bin'), 'labels');
    assert.throws(bad({ labels: new Array(24).fill(0.5) }), parameterError('labels', '0.5 at index 0', 'integers ≥ −1 (−1 = no cluster)'), 'fractional labels');
    assert.throws(bad({ timesS: new Array(24).fill(1) }), parameterError('binStartS', 'binStartS[1] = 1 ≤ binStartS[0] = 1', 'strictly increasing times'), 'times');
    assert.throws(bad({ binS: 0 }), parameterError('binS', '0', 'a positive number'), 'bin width');
    assert.throws(bad({ sections: [1, NaN] }), parameterError('sections', 'sections[1] is NaN', 'finite times (seconds)'), 'sections');
    assert.throws(bad({ timesS: [], labels: [] }), parameterError('binStartS', 'no bins', 'at least one time bin'), 'no bins');
  });
});

// ---- trajectory -----------------------------------------------------------------------------------------------

describe('trajectorySpec', () => {
  test('2-D: one row per point in time order, a line joined by time, points coloured by cluster', () => {
    const input = spiral(12, 2);
    const spec: Json = trajectorySpec(input);
    const rows = spec.data.values;
    assert.equal(rows.length, 12);
    // cos(.25)·(1 + 1/12) and sin(.25)·(1 + 1/12)/2, to ~5 significant digits of each dimension's extent
    assert.deepEqual(rows[1], { i: 1, t: 2, c1: 1.0497, c2: 0.13401, cluster: 1 });
    assert.deepEqual(
      rows.map((r: Json) => r.t),
      Array.from(input.timesS),
    );
    const [line, points, ends] = spec.layer;
    assert.equal(line.mark.type, 'line');
    assert.deepEqual(line.encoding.order, { field: 't', type: 'quantitative' });
    assert.equal(points.mark.type, 'circle');
    assert.equal(points.encoding.color.field, 'cluster');
    assert.equal(points.encoding.color.type, 'nominal');
    assert.equal(points.encoding.x.title, 'PC1 (40 %)');
    assert.equal(points.encoding.y.title, 'PC2 (25 %)');
    assert.deepEqual(
      points.encoding.tooltip.map((t: Json) => t.title),
      ['time (s)', 'PC1 (40 %)', 'PC2 (25 %)', 'cluster'],
    );
    assert.equal(ends.mark.type, 'text');
    assert.equal(spec.width, spec.height);
  });

  test('colour by time: sequential scheme, legend "time (s)"', () => {
    const spec: Json = trajectorySpec({ ...spiral(12, 2), colorBy: 'time' });
    const color = spec.layer[1].encoding.color;
    assert.deepEqual(color, { field: 't', type: 'quantitative', title: 'time (s)', scale: { scheme: TIME_SCHEME } });
    const noClusters: Json = trajectorySpec({ ...spiral(12, 2), clusters: undefined });
    assert.equal(noClusters.layer[1].encoding.color.field, 't');
    assert.equal(noClusters.transform, undefined);
    assert.equal(noClusters.data.values[0].cluster, undefined);
  });

  test('equal aspect: both axes of a panel span the same length', () => {
    const spec: Json = trajectorySpec(spiral(40, 2));
    const { x, y } = spec.layer[1].encoding;
    const span = (d: number[]) => d[1] - d[0];
    assert.ok(Math.abs(span(x.scale.domain) - span(y.scale.domain)) < 1e-9, JSON.stringify([x.scale.domain, y.scale.domain]));
    const free: Json = trajectorySpec(spiral(40, 2), { equalAspect: false });
    const f = free.layer[1].encoding;
    assert.ok(span(f.x.scale.domain) > 1.5 * span(f.y.scale.domain));
  });

  test('3-D: three projections side by side (1–2, 1–3, 2–3) on shared data and colour', () => {
    const spec: Json = trajectorySpec(spiral(15, 3));
    assert.equal(spec.hconcat.length, 3);
    assert.deepEqual(
      spec.hconcat.map((p: Json) => [p.layer[1].encoding.x.field, p.layer[1].encoding.y.field]),
      [
        ['c1', 'c2'],
        ['c1', 'c3'],
        ['c2', 'c3'],
      ],
    );
    assert.deepEqual(
      spec.hconcat.map((p: Json) => p.title.text),
      ['PC1 (40 %) × PC2 (25 %)', 'PC1 (40 %) × PC3 (10 %)', 'PC2 (25 %) × PC3 (10 %)'],
    );
    assert.equal(spec.data.values.length, 15);
    assert.ok('c3' in spec.data.values[0]);
    assert.deepEqual(spec.resolve, { scale: { color: 'shared' } });
  });

  test('renders without warnings: a circle per point and panel, start and end marked', async () => {
    const svg2 = await renderQuietly(trajectorySpec(spiral(12, 2)));
    assert.equal(markElements(svg2, 'symbol').length, 12);
    assert.equal(markElements(svg2, 'line').length, 1);
    assert.deepEqual(
      texts(svg2).filter((t) => t === 'start' || t === 'end'),
      ['start', 'end'],
    );
    const svg3 = await renderQuietly(trajectorySpec(spiral(12, 3)));
    assert.equal(markElements(svg3, 'symbol').length, 36);
    assert.ok(texts(svg3).includes(NO_CLUSTER_TEXT), 'the cluster legend names the unclustered point');
    const byTime = await renderQuietly(trajectorySpec({ ...spiral(12, 3), colorBy: 'time' }));
    assert.ok(texts(byTime).includes('time (s)'));
  });

  test('rejects bad input', () => {
    const good = spiral(6, 2);
    assert.throws(() => trajectorySpec({ ...good, points: { n: 6, d: 4, data: new Float64Array(24) } }), parameterError('points', '4 dimensions', '2 or 3 dimensions'), '4-D');
    assert.throws(() => trajectorySpec({ ...good, points: { n: 6, d: 2, data: new Float64Array(11) } }), parameterError('points', '11 values', 'n × d = 6 × 2 values'), 'short data');
    assert.throws(() => trajectorySpec({ ...good, points: { n: 0, d: 2, data: new Float64Array(0) } }), parameterError('points', '0 points', 'at least 1 point'), 'no points');
    assert.throws(() => trajectorySpec({ ...good, timesS: [0, 1] }), parameterError('timesS', '2 times for 6 points', 'one time per point'), 'times');
    assert.throws(() => trajectorySpec({ ...good, clusters: [0] }), parameterError('clusters', '1 cluster labels for 6 points', 'one label per point'), 'clusters');
    assert.throws(
      () => trajectorySpec({ ...good, clusters: undefined, colorBy: 'cluster' }),
      parameterError('colorBy', '"cluster" without clusters', 'clusters to colour by, or "time"'),
      'colour by missing clusters',
    );
    const data = Float64Array.from(good.points.data);
    data[3] = NaN;
    assert.throws(() => trajectorySpec({ ...good, points: { n: 6, d: 2, data } }), parameterError('points', 'point 1, dimension 2 is NaN', 'finite numbers'), 'NaN');
  });
});

// ---- labelled scatter ------------------------------------------------------------------------------------------

function items(): ScatterItem[] {
  return SONGS.map((label, i) => ({
    x: Math.cos(i),
    y: Math.sin(i) / 2,
    label,
    cluster: i % 2,
    group: i < 3 ? 'Discovery' : 'Homework',
    tooltip: (i === 1 ? { tempo: 123.5 } : { tempo: 100 + i, key: 'C♯' }) as Record<string, string | number>,
  }));
}

describe('labelledScatterSpec', () => {
  test('a point and a label per item; coloured by cluster with the cluster palette', () => {
    const spec: Json = labelledScatterSpec({ items: items(), colorBy: 'cluster', title: 'Discovery: MDS', axisTitles: ['MDS 1', 'MDS 2'] });
    const rows = spec.data.values;
    assert.equal(rows.length, 5);
    assert.deepEqual(rows[1], { x: 0.5403, y: 0.4207, label: '02 Aerodynamic', group: 'Discovery', cluster: 1, tip0: 123.5, tip1: null });
    const [points, labels] = spec.layer;
    assert.equal(points.mark.type, 'circle');
    assert.equal(labels.mark.type, 'text');
    assert.equal(labels.encoding.text.field, 'label');
    assert.deepEqual(points.encoding.color.scale, { domain: [0, 1], range: [CLUSTER_PALETTE[0], CLUSTER_PALETTE[1]] });
    assert.equal(points.encoding.color.legend.title, 'cluster');
    assert.deepEqual(
      points.encoding.tooltip.map((t: Json) => t.title),
      ['track', 'group', 'cluster', 'MDS 1', 'MDS 2', 'tempo', 'key'],
    );
    assert.equal(points.encoding.tooltip[5].type, 'quantitative');
    assert.equal(points.encoding.tooltip[6].type, 'nominal');
  });

  test('coloured by group, with the legend title asked for', () => {
    const spec: Json = labelledScatterSpec({ items: items().map(({ cluster: _, ...it }) => it), colorBy: 'group', legendTitle: 'album' });
    const color = spec.layer[0].encoding.color;
    assert.equal(color.field, 'group');
    assert.equal(color.legend.title, 'album');
    assert.equal(spec.data.values[0].cluster, undefined);
    assert.equal(spec.transform, undefined);
    assert.deepEqual(spec.title.subtitle[0], 'one point per track (5); colour: album (2)');
  });

  test('renders without warnings: every label drawn, legend entries present', async () => {
    const svg = await renderQuietly(labelledScatterSpec({ items: items(), colorBy: 'cluster' }));
    assert.equal(markElements(svg, 'symbol').length, 5);
    const t = texts(svg);
    for (const label of SONGS) assert.ok(t.includes(label), label);
    const grouped = await renderQuietly(labelledScatterSpec({ items: items(), colorBy: 'group' }));
    assert.ok(texts(grouped).includes('Homework'));
    // a single item (zero extent) still renders
    await renderQuietly(labelledScatterSpec({ items: [{ x: 1, y: 1, label: 'only' }], colorBy: 'group' }));
  });

  test('rejects no items and non-finite coordinates', () => {
    assert.throws(() => labelledScatterSpec({ items: [], colorBy: 'group' }), parameterError('items', 'none', 'at least 1 item'), 'no items');
    assert.throws(
      () => labelledScatterSpec({ items: [{ x: NaN, y: 0, label: 'a' }], colorBy: 'group' }),
      parameterError('items', 'items[0].x is NaN', 'finite numbers'),
      'NaN x',
    );
    assert.throws(
      () => labelledScatterSpec({ items: [{ x: 0, y: 0, label: 'a', cluster: 0.5 }], colorBy: 'cluster' }),
      parameterError('labels', '0.5 at index 0', 'integers ≥ −1 (−1 = no cluster)'),
      'fractional cluster',
    );
  });
});

describe('labelledScatterSpec in three dimensions', () => {
  const items3 = (): ScatterItem[] => items().map((it, i) => ({ ...it, z: i - 2 }));

  test('every item with a z: three side-by-side projections sharing the data and the colour legend', () => {
    const spec: Json = labelledScatterSpec({ items: items3(), colorBy: 'cluster', axisTitles: ['MDS 1', 'MDS 2', 'MDS 3'] });
    assert.equal(spec.layer, undefined, 'no single panel');
    assert.equal(spec.hconcat.length, 3, 'three panels');
    assert.deepEqual(spec.hconcat.map((p: Json) => p.title.text), ['MDS 1 × MDS 2', 'MDS 1 × MDS 3', 'MDS 2 × MDS 3'], 'the pairs 1–2, 1–3, 2–3');
    assert.deepEqual(
      spec.hconcat.map((p: Json) => [p.layer[0].encoding.x.field, p.layer[0].encoding.y.field]),
      [['x', 'y'], ['x', 'z'], ['y', 'z']],
      'each panel plots its pair of coordinates',
    );
    assert.deepEqual(spec.data.values[0].z, -2, 'z is in the shared data');
    assert.deepEqual(spec.resolve, { scale: { color: 'shared' } }, 'one colour legend');
    assert.deepEqual(
      spec.hconcat[0].layer[0].encoding.tooltip.map((t: Json) => t.title).slice(3, 6),
      ['MDS 1', 'MDS 2', 'MDS 3'],
      'the tooltip shows all three coordinates',
    );
    assert.match(spec.title.subtitle.join(' '), /three dimensions/, 'the subtitle says so');
  });

  test('renders every label in every panel', async () => {
    const svg = await renderQuietly(labelledScatterSpec({ items: items3(), colorBy: 'group' }));
    assert.equal(markElements(svg, 'symbol').length, 15, 'five points in each of three panels');
  });

  test('a z on some items only is refused', () => {
    const mixed = items().map((it, i) => (i === 0 ? { ...it, z: 1 } : it));
    assert.throws(
      () => labelledScatterSpec({ items: mixed, colorBy: 'group' }),
      parameterError('items', '1 of 5 items have a z coordinate', 'a z coordinate on all items or on none'),
      'all or none',
    );
  });
});

// ---- songs ------------------------------------------------------------------------------------------------------

describe('songsCorrelationSpec', () => {
  test('n × n cells row-major in the given order; names label both axes in order; r in [−1, 1]', () => {
    const values = songMatrix();
    values[1] = NaN;
    const spec: Json = songsCorrelationSpec({ names: SONGS, values });
    const cells = spec.data.values;
    assert.equal(cells.length, 25);
    assert.deepEqual(cells[0], { a: SONGS[0], b: SONGS[0], r: 1 });
    assert.deepEqual(cells[1], { a: SONGS[0], b: SONGS[1], r: null });
    assert.deepEqual(cells[5 + 2], { a: SONGS[1], b: SONGS[2], r: -0.28 });
    assert.deepEqual(spec.encoding.x.scale.domain, SONGS);
    assert.deepEqual(spec.encoding.y.scale.domain, SONGS);
    assert.deepEqual(spec.encoding.color.scale.domain, [-1, 1]);
    assert.equal(spec.encoding.color.scale.scheme, 'redblue');
    assert.deepEqual(
      spec.encoding.tooltip.map((t: Json) => t.title),
      ['song a', 'song b', 'r'],
    );
    assert.deepEqual(spec.title.subtitle, ['Pearson r between songs', 'grey: r undefined in 1 of 25 cells']);
    assert.equal(spec.width, spec.height);
  });

  test('renders without warnings: a cell per pair, every name on the axes', async () => {
    const svg = await renderQuietly(songsCorrelationSpec({ names: SONGS, values: songMatrix(), title: 'Discovery' }));
    assert.equal(markElements(svg, 'rect').length, 25);
    const t = texts(svg);
    for (const name of SONGS) assert.equal(t.filter((x) => x === name).length, 2, `"${name}" on both axes`);
  });

  test('rejects bad shapes and names', () => {
    assert.throws(() => songsCorrelationSpec({ names: SONGS, values: new Float64Array(24) }), parameterError('values', '24 entries', 'n × n = 5 × 5 entries'), 'values');
    assert.throws(() => songsCorrelationSpec({ names: ['a', 'a'], values: new Float64Array(4) }), parameterError('names', '"a" twice', 'distinct song names'), 'duplicate');
    assert.throws(() => songsCorrelationSpec({ names: ['a', ''], values: new Float64Array(4) }), parameterError('names', 'name 1 is empty', 'non-empty song names'), 'empty');
    assert.throws(() => songsCorrelationSpec({ names: [], values: new Float64Array(0) }), parameterError('names', 'none', 'at least 1 song'), 'no songs');
  });
});

describe('clustermapSpec', () => {
  test('rows and columns permuted by the leaf order; the first row is the permuted first row', () => {
    const input = clustermapInput();
    const spec: Json = clustermapSpec(input);
    const [dendrogram, heatmap] = spec.vconcat;
    const cells = heatmap.data.values;
    const n = 5;
    const order = input.order;
    assert.deepEqual(
      cells.slice(0, n),
      order.map((j) => ({ a: SONGS[order[0]], b: SONGS[j], r: Math.round(input.values[order[0] * n + j] * 1000) / 1000 })),
    );
    assert.deepEqual(
      cells.slice(0, n).map((c: Json) => c.b),
      ['01 One More Time', '03 Digital Love', '05 Crescendolls', '02 Aerodynamic', '04 Harder, Better, Faster, Stronger'],
    );
    assert.deepEqual(cells[3 * n + 4], { a: SONGS[1], b: SONGS[3], r: 0.66 }); // 0.7 − 0.01·(1 + 3)
    const permuted = order.map((i) => SONGS[i]);
    assert.deepEqual(heatmap.encoding.x.scale.domain, permuted);
    assert.deepEqual(heatmap.encoding.y.scale.domain, permuted);
    assert.equal(heatmap.encoding.y.axis.orient, 'right');
    // the dendrogram: the segments as given, x in leaf units over the same n columns
    assert.deepEqual(
      dendrogram.data.values.map(({ x1, y1, x2, y2 }: Json) => ({ x1, y1, x2, y2 })),
      input.dendrogram,
    );
    assert.deepEqual(dendrogram.encoding.x.scale.domain, [-0.5, 4.5]);
    assert.deepEqual(dendrogram.encoding.y.scale.domain, [0, 1.2]);
    assert.equal(dendrogram.width, heatmap.width);
    assert.equal(spec.bounds, 'flush');
  });

  test('renders without warnings, and each leaf sits over the centre of its column', async () => {
    const svg = await renderQuietly(clustermapSpec(clustermapInput()));
    const origin = (group: string) => {
      const at = svg.indexOf(`class="mark-group role-scope ${group}"`);
      assert.ok(at > 0, group);
      const m = /<g transform="translate\(([-\d.]+),([-\d.]+)\)">/.exec(svg.slice(at));
      assert.ok(m);
      return Number(m[1]);
    };
    const dendroX = origin('concat_0_group');
    const heatX = origin('concat_1_group');
    // leaves: the vertical segments that start at height 0 (y = bottom of the dendrogram panel)
    const leaves = markElements(svg, 'rule')
      .map((l) => /transform="translate\(([-\d.]+),([-\d.]+)\)" x2="0"/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === 120)
      .map((m) => dendroX + Number(m[1]))
      .sort((a, b) => a - b);
    assert.equal(leaves.length, 5);
    const firstRow = markElements(svg, 'rect')
      .slice(0, 5)
      .map((p) => {
        const m = /d="M([\d.]+),([\d.]+)h([\d.]+)/.exec(p);
        assert.ok(m, p);
        return heatX + Number(m[1]) + Number(m[3]) / 2;
      });
    leaves.forEach((x, k) => assert.ok(Math.abs(x - firstRow[k]) < 0.02, `leaf ${k} at ${x}, column centre at ${firstRow[k]}`));
    const t = texts(svg);
    assert.ok(t.includes('merge distance'));
    for (const name of SONGS) assert.equal(t.filter((x) => x === name).length, 2, name);
  });

  test('rejects an order that is not a permutation and bad segments', () => {
    const input = clustermapInput();
    assert.throws(() => clustermapSpec({ ...input, order: [0, 1, 2, 3] }), parameterError('order', '4 entries for 5 songs', 'one entry per song'), 'short order');
    assert.throws(() => clustermapSpec({ ...input, order: [0, 1, 2, 3, 3] }), parameterError('order', '[0, 1, 2, 3, 3]', 'a permutation of 0 … 4'), 'repeat');
    assert.throws(() => clustermapSpec({ ...input, order: [0, 1, 2, 3, 5] }), parameterError('order', '[0, 1, 2, 3, 5]', 'a permutation of 0 … 4'), 'out of range');
    assert.throws(
      () => clustermapSpec({ ...input, dendrogram: [{ x1: 0, y1: NaN, x2: 0, y2: 1 }] }),
      parameterError('dendrogram', 'dendrogram[0] has a coordinate NaN', 'finite coordinates'),
      'NaN segment',
    );
  });

  test('identical JSON for identical input', () => {
    assert.equal(JSON.stringify(clustermapSpec(clustermapInput())), JSON.stringify(clustermapSpec(clustermapInput())));
  });
});
