import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import {
  DEFAULT_MAX_DISPLAY_CELLS,
  DEFAULT_UNDEFINED_COLOR,
  VEGA_LITE_SCHEMA,
  featureHeatmapSpec,
  reduceSimilarity,
  similarityHeatmapSpec,
  type FeatureHeatmapInput,
  type SimilarityHeatmapInput,
} from '../../src/plots/heatmap.js';
import { compactSvg, compileSpec, estimateTextWidth, renderSvg, type LogLevelName } from '../../src/plots/render.js';
import { FEATURE_COLUMNS } from '../../src/matrix/featureMatrix.js';
import { assertClose, parameterError } from '../helpers/assert.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into the spec's JSON shape */
type Json = any;
type Cell = { t: number; t2: number; feature: string; z: number | null };
type SimCell = { x: number; y: number; r: number | null };
type SimCellEdges = SimCell & { x2: number; y2: number };

/**
 * The cells the spec's rect mark draws, as vega computes them from the inline data and the spec's
 * transforms (one datum per cell, in drawing order), with the fields `keys`.
 */
async function cellsOf<K extends string>(spec: TopLevelSpec, keys: readonly K[]): Promise<Record<K, Json>[]> {
  const vg: Json = compileSpec(spec);
  const mark = vg.marks.find((m: Json) => m.type === 'rect');
  assert.ok(mark, 'the spec has a rect mark');
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    await view.runAsync();
    return view.data(mark.from.data).map((d: Json) => Object.fromEntries(keys.map((k) => [k, d[k]])) as Record<K, Json>);
  } finally {
    view.finalize();
  }
}

const featureCells = (spec: TopLevelSpec) => cellsOf(spec, ['t', 't2', 'feature', 'z']) as Promise<Cell[]>;
const similarityCells = (spec: TopLevelSpec) => cellsOf(spec, ['x', 'y', 'r']) as Promise<SimCell[]>;

// ---- helpers ----------------------------------------------------------------------------------------------

/** 3 features × 4 bins of 0.5 s starting at 10 s; one NaN, one value beyond the clamp, one to round. */
function smallFeatures(): FeatureHeatmapInput {
  const features = ['a', 'b', 'c'];
  // column-major: values[f * bins + b]
  const values = Float64Array.from([
    0, 1, -1, 2, // a
    1.23456, NaN, 0.5, -0.5, // b
    5, -5, 0, 0.0004, // c
  ]);
  return { title: 'Tiny – Track', features, binStartS: Float64Array.from([10, 10.5, 11, 11.5]), binS: 0.5, values };
}

/** n × n symmetric "correlation" with bin `undefinedBin` constant (its row and column NaN). */
function smallSimilarity(n: number, undefinedBin = -1): SimilarityHeatmapInput {
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      values[i * n + j] = i === undefinedBin || j === undefinedBin ? NaN : i === j ? 1 : Math.cos(i - j) / 2;
    }
  }
  return {
    title: 'Tiny – Track',
    binStartS: Float64Array.from({ length: n }, (_, i) => i),
    binS: 1,
    values,
    subtitle: 'Pearson r of 1 s bins',
  };
}

/** A 26-feature × `bins` input with deterministic pseudo-random values. */
function fullFeatures(bins: number): FeatureHeatmapInput {
  const F = FEATURE_COLUMNS.length;
  const values = new Float64Array(F * bins);
  let s = 7;
  for (let i = 0; i < values.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    values[i] = (s / 2147483648 - 0.5) * 6;
  }
  const w = 219.0 / bins;
  return {
    title: 'PSY – Gangnam Style',
    features: FEATURE_COLUMNS,
    binStartS: Float64Array.from({ length: bins }, (_, b) => b * w),
    binS: w,
    values,
  };
}

/** The `<path>` elements inside the SVG group(s) of the data rect marks. */
function cellPaths(svg: string): string[] {
  const open = svg.indexOf('<g class="mark-rect role-mark');
  assert.ok(open >= 0, 'the SVG has a rect mark group');
  const close = svg.indexOf('</g>', open);
  return svg.slice(open, close).match(/<path [^>]*>/g) ?? [];
}

function svgRoot(svg: string): { width: number; height: number } {
  const root = /^<svg [^>]*>/.exec(svg);
  assert.ok(root, 'starts with an <svg …> root');
  const width = Number(/ width="([\d.]+)"/.exec(root[0])?.[1]);
  const height = Number(/ height="([\d.]+)"/.exec(root[0])?.[1]);
  assert.ok(width > 0 && height > 0, `root width/height: ${root[0]}`);
  return { width, height };
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

/** Run `fn` with every console method replaced; return what would have been printed. */
async function captureConsole(fn: () => Promise<void>): Promise<string[]> {
  const printed: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args: unknown[]) => void printed.push(`${m}: ${args.join(' ')}`);
  try {
    await fn();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]));
  }
  return printed;
}

function warningsOf(spec: TopLevelSpec): string[] {
  const messages: string[] = [];
  compileSpec(spec, { onLog: (level: LogLevelName, message: string) => messages.push(`${level}: ${message}`) });
  return messages;
}

// ---- feature heatmap ----------------------------------------------------------------------------------------

describe('featureHeatmapSpec', () => {
  test('one data row per feature, one cell per bin, feature-major, with exact bin edges', async () => {
    const input = smallFeatures();
    const spec: Json = featureHeatmapSpec(input);
    assert.equal(spec.$schema, VEGA_LITE_SCHEMA, 'Vega-Lite v6');
    assert.deepEqual(spec.data.values.map((row: Json) => [row.feature, row.z.length]), [['a', 4], ['b', 4], ['c', 4]], 'a row per feature with its 4 bins');
    const cells = await featureCells(spec);
    assert.equal(cells.length, 3 * 4, '3 features × 4 bins');
    assert.deepEqual(
      cells.map((c) => c.feature),
      ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'c'], 'feature-major',
    );
    assert.deepEqual(
      cells.slice(0, 4).map((c) => [c.t, c.t2]),
      [
        [10, 10.5],
        [10.5, 11],
        [11, 11.5],
        [11.5, 12],
      ], 'the first feature\'s bins with their edges',
    );
    // every bin ends where the next begins
    for (let i = 0; i + 1 < 4; i++) assert.equal(cells[i].t2, cells[i + 1].t, `bin ${i} ends where bin ${i + 1} begins`);
    assert.equal(spec.encoding.x.field, 't', 'x starts at t');
    assert.equal(spec.encoding.x2.field, 't2', 'x ends at t2');
    assert.equal(spec.mark.type, 'rect', 'rectangles');
    assert.deepEqual(spec.encoding.x.scale.domain, [10, 12], 'x spans the bins exactly');
    assert.equal(spec.encoding.x.title, 'time (s)', 'x axis title');
  });

  test('values: rounded to 3 decimals, clamped only in colour, NaN kept as null', async () => {
    const cells = await featureCells(featureHeatmapSpec(smallFeatures()));
    const z = (feature: string, b: number) => cells.find((c) => c.feature === feature && c.t === 10 + b / 2)?.z;
    assert.equal(z('a', 3), 2, '2 kept');
    assert.equal(z('b', 0), 1.235, 'rounded to 3 decimals');
    assert.equal(z('b', 1), null, 'NaN as null');
    assert.equal(z('c', 0), 5, 'data keeps the value; the colour scale clamps');
    assert.equal(z('c', 3), 0, '0.0004 rounds to 0, not -0');
    assert.equal(Object.is(z('c', 3), -0), false, 'not −0');
    const fine = await featureCells(featureHeatmapSpec(smallFeatures(), { decimals: 1 }));
    assert.equal(fine.find((c) => c.feature === 'b' && c.t === 10)?.z, 1.2, 'decimals: 1');
  });

  test('y is nominal in the given feature order (26 features: bar, beat, pitch_C … timbre_12)', () => {
    const spec: Json = featureHeatmapSpec(fullFeatures(10));
    assert.equal(spec.encoding.y.field, 'feature', 'y is the feature');
    assert.equal(spec.encoding.y.type, 'nominal', 'y is nominal');
    assert.deepEqual(spec.encoding.y.scale.domain, [...FEATURE_COLUMNS], 'in the given order');
    assert.equal(spec.encoding.y.scale.domain[0], 'bar', 'bar first');
    assert.equal(spec.encoding.y.scale.domain[2], 'pitch_C', 'then beat, then pitch_C');
    assert.equal(spec.encoding.y.scale.domain[25], 'timbre_12', 'timbre_12 last');
    assert.equal(spec.height, 26 * 14, '14 px per feature');
    // the compiled y scale keeps that order (first = top)
    const y = compileSpec(spec).scales?.find((s) => s.name === 'y') as Json;
    assert.deepEqual(y.domain, [...FEATURE_COLUMNS], 'the compiled y scale keeps the order');
  });

  test('colour: diverging scheme, domain [−2, 2] with clamp, legend "z-score" marking the clamped ends', () => {
    const spec: Json = featureHeatmapSpec(smallFeatures());
    const color = spec.encoding.color;
    assert.equal(color.field, 'z', 'colour by z');
    assert.deepEqual(color.scale.domain, [-2, 2], 'domain [−2, 2]');
    assert.equal(color.scale.clamp, true, 'clamped');
    assert.equal(color.scale.scheme, 'redblue', 'diverging red-blue');
    assert.equal(color.scale.reverse, true, 'reversed: red high');
    assert.equal(color.legend.title, 'z-score', 'legend title');
    assert.deepEqual(color.legend.values, [-2, -1, 0, 1, 2], 'legend ticks');
    assert.match(color.legend.labelExpr, /≤ −2/, 'the low end is marked ≤ −2');
    assert.match(color.legend.labelExpr, /≥ 2/, 'the high end is marked ≥ 2');
    const custom: Json = featureHeatmapSpec(smallFeatures(), { domain: [-3, 3], scheme: 'blueorange' });
    assert.deepEqual(custom.encoding.color.scale.domain, [-3, 3], 'a custom domain');
    assert.equal(custom.encoding.color.scale.scheme, 'blueorange', 'a custom scheme');
  });

  test('NaN cells are shown grey (not filtered) and the subtitle says so', () => {
    const spec: Json = featureHeatmapSpec(smallFeatures());
    assert.equal(spec.mark.invalid, 'show', 'invalid values shown');
    assert.deepEqual(spec.config.scale.invalid.color, { value: DEFAULT_UNDEFINED_COLOR }, 'in the undefined colour');
    assert.equal(spec.title.text, 'Tiny – Track', 'the title');
    assert.equal(spec.title.subtitle.length, 2, 'two subtitle lines');
    assert.match(spec.title.subtitle[1], /grey: z-score undefined in 1 of 12 cells/, 'the second counts the undefined cells');
    // compiled: no filter drops the nulls, the fill tests for them first
    const vg: Json = compileSpec(spec);
    const filters = JSON.stringify(vg.data).match(/isValid\(datum\[\\"z\\"\]\)/g);
    assert.equal(filters, null, 'no invalid-z filter in the data flow');
    const fill = vg.marks.find((m: Json) => m.type === 'rect').encode.update.fill;
    assert.deepEqual(fill[0].value, DEFAULT_UNDEFINED_COLOR, 'the fill tests for undefined first');

    const clean = smallFeatures();
    clean.values[5] = 0;
    assert.equal((featureHeatmapSpec(clean) as Json).title.subtitle.length, 1, 'no grey line without NaN');
  });

  test('tooltips: time (s), feature, z-score', () => {
    const tooltip: Json[] = (featureHeatmapSpec(smallFeatures()) as Json).encoding.tooltip;
    assert.deepEqual(
      tooltip.map((t) => [t.field, t.title]),
      [
        ['t', 'time (s)'],
        ['feature', 'feature'],
        ['z', 'z-score'],
      ], 'time, feature and z-score',
    );
  });

  test('compiles with vega-lite without warnings; same input → identical JSON', () => {
    const a = featureHeatmapSpec(smallFeatures());
    assert.deepEqual(warningsOf(a), [], 'vega-lite has nothing to warn about');
    assert.equal(JSON.stringify(a), JSON.stringify(featureHeatmapSpec(smallFeatures())), 'identical input, identical JSON');
  });

  test('bins whose starts carry rounding noise still tile exactly', async () => {
    const input = fullFeatures(1000); // starts b × 0.219 s
    const cells = await featureCells(featureHeatmapSpec(input));
    for (let b = 0; b + 1 < 1000; b++) assert.equal(cells[b].t2, cells[b + 1].t, `bin ${b}`);
  });

  test('1,000 × 26: 26,000 cells from a spec of about 0.2 MB', async () => {
    const spec = featureHeatmapSpec(fullFeatures(1000));
    assert.equal((await featureCells(spec)).length, 26_000, '1,000 bins × 26 features');
    const bytes = Buffer.byteLength(JSON.stringify(spec));
    // one row per cell ({t, t2, feature, z}) was about 1.5 MB
    assert.ok(bytes < 300_000, `spec is ${bytes} bytes`);
  });

  test('rejects inconsistent input', () => {
    const bad = (patch: Partial<FeatureHeatmapInput>) => () => featureHeatmapSpec({ ...smallFeatures(), ...patch });
    assert.throws(bad({ values: new Float64Array(11) }), parameterError('values', '11 entries', 'features × bins = 3 × 4 entries'), 'values');
    assert.throws(
      bad({ binStartS: Float64Array.from([0, 1, 1, 2]) }),
      parameterError('binStartS', 'binStartS[2] = 1 ≤ binStartS[1] = 1', 'strictly increasing times'),
      'repeated start',
    );
    assert.throws(
      bad({ binStartS: Float64Array.from([0, 0.2, 0.4, 0.6]) }),
      parameterError('binStartS', 'bin 0 starts at 0 s and is 0.5 s wide, bin 1 starts at 0.2 s', 'time bins that do not overlap'),
      'overlap',
    );
    assert.throws(bad({ binStartS: Float64Array.from([0, NaN, 2, 3]) }), parameterError('binStartS', 'binStartS[1] is NaN', 'finite times (seconds)'), 'NaN start');
    assert.throws(bad({ binStartS: new Float64Array(0), values: new Float64Array(0) }), parameterError('binStartS', 'no bins', 'at least one time bin'), 'no bins');
    assert.throws(bad({ features: ['a', 'a', 'c'] }), parameterError('features', '"a" twice', 'distinct feature names'), 'duplicate');
    assert.throws(bad({ features: ['a', '', 'c'] }), parameterError('features', 'feature 1 is empty', 'non-empty feature names'), 'empty name');
    assert.throws(bad({ binS: 0 }), parameterError('binS', '0', 'a positive number'), 'bin width');
    assert.throws(() => featureHeatmapSpec(smallFeatures(), { domain: [2, -2] }), parameterError('domain', '[2, -2]', '[min, max], finite, with min < max'), 'domain');
    assert.throws(() => featureHeatmapSpec(smallFeatures(), { decimals: 2.5 }), parameterError('decimals', '2.5', 'an integer in [0, 10]'), 'decimals');
  });
});

// ---- similarity heatmap --------------------------------------------------------------------------------------

describe('reduceSimilarity', () => {
  test('no reduction up to maxCells: same values, cell edges = bin edges', () => {
    const input = smallSimilarity(4);
    const r = reduceSimilarity(input.values, input.binStartS, 1, 4);
    assert.equal(r.cells, 4, '4 cells');
    assert.equal(r.blockBins, 1, 'no blocks');
    assert.deepEqual([...r.startS], [0, 1, 2, 3], 'cell starts = bin starts');
    assert.deepEqual([...r.endS], [1, 2, 3, 4], 'cell ends = bin ends');
    assert.deepEqual([...r.values], [...input.values], 'the values as they are');
    assert.equal(r.undefinedCells, 0, 'no undefined cells');
  });

  test('block means over defined cells; NaN only where a whole block is undefined', () => {
    // 5 × 5, maxCells 2 → k = 3 → blocks {0,1,2} and {3,4}
    const n = 5;
    const values = Float64Array.from({ length: n * n }, (_, c) => c);
    values[0] = NaN; // one undefined cell in block (0, 0)
    values[3 * n + 3] = values[3 * n + 4] = values[4 * n + 3] = values[4 * n + 4] = NaN; // all of block (1, 1)
    const r = reduceSimilarity(values, Float64Array.from([0, 1, 2, 3, 4]), 1, 2);
    assert.equal(r.blockBins, 3, 'blocks of 3 bins');
    assert.equal(r.cells, 2, '2 cells');
    assert.deepEqual([...r.startS], [0, 3], 'block starts');
    assert.deepEqual([...r.endS], [3, 5], 'block ends; the last block is shorter');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.equal(r.values[0], mean([1, 2, 5, 6, 7, 10, 11, 12]), 'block (0, 0): the mean of its 8 defined cells');
    assert.equal(r.values[1], mean([3, 4, 8, 9, 13, 14]), 'block (0, 1)');
    assert.equal(r.values[2], mean([15, 16, 17, 20, 21, 22]), 'block (1, 0)');
    assert.ok(Number.isNaN(r.values[3]), 'block (1, 1), all undefined, is NaN');
    assert.equal(r.undefinedCells, 1, 'one undefined cell');
  });

  test('rejects bad shapes and caps', () => {
    const input = smallSimilarity(4);
    assert.throws(() => reduceSimilarity(new Float64Array(15), input.binStartS, 1, 10), parameterError('values', '15 entries', 'n × n = 4 × 4 entries'), 'values');
    assert.throws(() => reduceSimilarity(input.values, input.binStartS, 1, 0), parameterError('maxDisplayCells', '0', 'an integer ≥ 1, or Infinity'), '0 cells');
    assert.throws(() => reduceSimilarity(input.values, input.binStartS, 1, 1.5), parameterError('maxDisplayCells', '1.5', 'an integer ≥ 1, or Infinity'), '1.5 cells');
  });
});

describe('similarityHeatmapSpec', () => {
  test('one value per cell (x = column, y = row), square, time axes with the origin top-left', async () => {
    const input = smallSimilarity(4);
    input.values[1] = 0.12345; // row 0 (y = 0), column 1 (x = 1)
    const spec: Json = similarityHeatmapSpec(input);
    assert.deepEqual(spec.data.values.map((row: Json) => [row.y, row.r.length]), [[0, 4], [1, 4], [2, 4], [3, 4]], 'a data row per matrix row');
    const cells = await similarityCells(spec);
    assert.equal(cells.length, 16, '4 × 4 cells');
    assert.deepEqual(cells[1], { x: 1, y: 0, r: 0.123 }, 'row 0, column 1, rounded');
    assert.deepEqual(cells[4], { x: 0, y: 1, r: 0.27 }, 'row 1, column 0: cos(1) / 2'); // cos(1) / 2 = 0.2702…
    assert.equal(spec.width, spec.height, 'square');
    assert.equal(spec.width, 480, '480 px');
    assert.equal(spec.encoding.x.title, 'time x (s)', 'x axis title');
    assert.equal(spec.encoding.y.title, 'time y (s)', 'y axis title');
    assert.equal(spec.encoding.y.scale.reverse, true, 'the origin top-left');
    assert.deepEqual(spec.encoding.x.scale.domain, [0, 4], 'x spans the bins');
    assert.deepEqual(spec.encoding.y.scale.domain, [0, 4], 'y spans the bins');
    assert.deepEqual(
      spec.encoding.tooltip.map((t: Json) => t.title),
      ['time x (s)', 'time y (s)', 'r'], 'tooltip titles',
    );
  });

  test('cell starts and ends come from an inline edge table by column number and row start', async () => {
    const spec: Json = similarityHeatmapSpec(smallSimilarity(4));
    const edges = edgesOf([0, 1, 2, 3]);
    assert.deepEqual(spec.transform, [
      { flatten: ['r'] },
      { window: [{ op: 'row_number', as: 'column' }], groupby: ['y'] },
      { lookup: 'column', from: { data: { values: edges }, key: 'column', fields: ['s', 'e'] }, as: ['x', 'x2'] },
      { lookup: 'y', from: { data: { values: edges }, key: 's', fields: ['e'] }, as: 'y2' },
    ], 'each row flattened to its cells, numbered, and their edges looked up');
    assert.equal(spec.encoding.x2.field, 'x2', 'x ends at x2');
    assert.equal(spec.encoding.y2.field, 'y2', 'y ends at y2');
    const cells = (await cellsOf(spec, ['x', 'x2', 'y', 'y2', 'r'])) as SimCellEdges[];
    assert.deepEqual(
      cells.map((c) => [c.x, c.x2, c.y, c.y2]),
      [0, 1, 2, 3].flatMap((y) => [0, 1, 2, 3].map((x) => [x, x + 1, y, y + 1])),
      'row-major cells, each spanning its bin on both axes',
    );
    const values = smallSimilarity(4).values;
    assert.deepEqual(cells.map((c) => c.r), Array.from(values, (v) => Math.round(v * 1000) / 1000 || 0), 'r of cell (y, x) is values[y × n + x]');
  });

  test('colour domain [−1, 1], diverging, legend "r"', () => {
    const color: Json = (similarityHeatmapSpec(smallSimilarity(4)) as Json).encoding.color;
    assert.deepEqual(color.scale.domain, [-1, 1], 'domain [−1, 1]');
    assert.equal(color.scale.scheme, 'redblue', 'diverging red-blue');
    assert.equal(color.legend.title, 'r', 'legend title');
  });

  test('undefined cells: null r, drawn grey, subtitle says how many', async () => {
    const spec: Json = similarityHeatmapSpec(smallSimilarity(4, 2));
    const cells = await similarityCells(spec);
    assert.equal(cells.filter((c) => c.r === null).length, 7, 'row 2 and column 2 undefined: 7 cells'); // row 2 and column 2
    assert.equal(spec.mark.invalid, 'show', 'invalid values shown');
    assert.deepEqual(spec.config.scale.invalid.color, { value: DEFAULT_UNDEFINED_COLOR }, 'in the undefined colour');
    assert.deepEqual(spec.title.subtitle, ['Pearson r of 1 s bins', 'grey: r undefined (constant bin) in 7 of 16 cells'], 'the subtitle counts the undefined cells');
  });

  test(`more than ${DEFAULT_MAX_DISPLAY_CELLS} bins are block-averaged for display, and the subtitle says so`, async () => {
    /** Display cells per axis: the data rows, each as long as there are rows. */
    const side = (spec: Json): number => {
      for (const row of spec.data.values) assert.equal(row.r.length, spec.data.values.length, 'a square of cells');
      return spec.data.values.length;
    };
    const spec: Json = similarityHeatmapSpec(smallSimilarity(370));
    assert.equal(side(spec), 185, '370 bins in blocks of 2: 185 × 185 cells'); // k = 2
    assert.match(spec.title.subtitle[1], /mean r of 2 × 2-bin blocks \(370 × 370 bins shown as 185 × 185 cells\)/, 'the subtitle says how the bins are shown');
    assert.deepEqual(spec.encoding.x.scale.domain, [0, 370], 'x spans all the bins');
    const edges = spec.transform[2].from.data.values;
    assert.deepEqual(edges.at(-1), { column: 185, s: 368, e: 370 }, 'the last block');
    // (after reading the spec: vega marks the inline objects it ingests)
    assert.equal((await similarityCells(spec)).length, 185 * 185, 'as many cells drawn');
    const odd: Json = similarityHeatmapSpec(smallSimilarity(251));
    assert.equal(side(odd), 126, '251 bins in blocks of 2: 126 × 126 cells'); // k = 2, the last block holds the one remaining bin
    assert.deepEqual(odd.transform[2].from.data.values.at(-1), { column: 126, s: 250, e: 251 }, 'the last block holds the one remaining bin');
    const small: Json = similarityHeatmapSpec(smallSimilarity(370), { maxDisplayCells: 10 });
    assert.equal(side(small), 10, 'maxDisplayCells 10: blocks of 37'); // k = 37
    const all: Json = similarityHeatmapSpec(smallSimilarity(20), { maxDisplayCells: Infinity });
    assert.equal(side(all), 20, 'maxDisplayCells Infinity: every bin');
    assert.equal(all.title.subtitle.length, 1, 'no block line in the subtitle');
  });

  test('compiles without warnings; identical JSON for identical input; no subtitle when none is due', () => {
    const spec = similarityHeatmapSpec(smallSimilarity(30, 3));
    assert.deepEqual(warningsOf(spec), [], 'vega-lite has nothing to warn about');
    assert.equal(JSON.stringify(spec), JSON.stringify(similarityHeatmapSpec(smallSimilarity(30, 3))), 'identical input, identical JSON');
    const plain: Json = similarityHeatmapSpec({ ...smallSimilarity(4), subtitle: undefined });
    assert.equal(plain.title.subtitle, undefined, 'no subtitle given, none shown');
  });
});

function edgesOf(starts: number[]) {
  return starts.map((s, i) => ({ column: i + 1, s, e: s + 1 }));
}

// ---- rendering ----------------------------------------------------------------------------------------------

describe('renderSvg', () => {
  test('the data as rows of arrays draws exactly what one data row per cell draws', async () => {
    const rounded = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 || 0 : null);
    const perCell = (spec: Json, values: Json[]) => {
      const { transform: _transform, ...rest } = spec;
      return { ...rest, data: { values } };
    };
    const sim = smallSimilarity(6, 2);
    const simSpec: Json = similarityHeatmapSpec(sim);
    const simCells = Array.from(sim.values, (v, i) => ({ x: i % 6, x2: (i % 6) + 1, y: Math.floor(i / 6), y2: Math.floor(i / 6) + 1, r: rounded(v) }));
    assert.equal(await renderSvg(simSpec), await renderSvg(perCell(simSpec, simCells)), 'similarity: the same SVG, byte for byte');
    const features = smallFeatures();
    const featureSpec: Json = featureHeatmapSpec(features);
    const featureCellRows = Array.from(features.values, (v, i) => ({ t: 10 + (i % 4) / 2, t2: 10.5 + (i % 4) / 2, feature: features.features[Math.floor(i / 4)], z: rounded(v) }));
    assert.equal(await renderSvg(featureSpec), await renderSvg(perCell(featureSpec, featureCellRows)), 'features: the same SVG, byte for byte');
  });

  test('feature heatmap: an SVG with size, one path per cell, title and axis titles', async () => {
    const svg = await renderSvg(featureHeatmapSpec(smallFeatures()));
    svgRoot(svg);
    assert.equal(cellPaths(svg).length, 12, 'a path per cell');
    const t = texts(svg);
    for (const expected of ['Tiny – Track', 'time (s)', 'feature', 'z-score', 'a', 'b', 'c', '≥ 2', '≤ −2']) {
      assert.ok(t.includes(expected), `text "${expected}" in ${JSON.stringify(t)}`);
    }
    assert.ok(cellPaths(svg).some((p) => p.includes(`fill="${DEFAULT_UNDEFINED_COLOR}"`)), 'the NaN cell is grey');
    assert.match(svg, /<g class="mark-rect role-mark[^>]*shape-rendering="crispEdges"/, 'crisp cell edges');
  });

  test('similarity heatmap: square plot area, one path per display cell, axis titles', async () => {
    const svg = await renderSvg(similarityHeatmapSpec(smallSimilarity(8, 1)));
    svgRoot(svg);
    const paths = cellPaths(svg);
    assert.equal(paths.length, 64, 'a path per cell');
    assert.equal(paths.filter((p) => p.includes(`fill="${DEFAULT_UNDEFINED_COLOR}"`)).length, 15, 'row 1 and column 1 undefined: 15 grey cells');
    const t = texts(svg);
    for (const expected of ['time x (s)', 'time y (s)', 'r']) assert.ok(t.includes(expected), expected);
    // the plot background is 480 × 480
    assert.match(svg, /<path class="background" aria-hidden="true" d="M0,0h480v480h-480Z"/, 'a 480 × 480 background');
  });

  test('cells tile exactly in the SVG: each path starts where the previous one ends', async () => {
    const svg = await renderSvg(featureHeatmapSpec(smallFeatures(), { width: 400 }));
    const firstRow = cellPaths(svg)
      .slice(0, 4)
      .map((p) => /d="M([\d.]+),[\d.]+h([\d.]+)/.exec(p)!.slice(1).map(Number));
    assert.deepEqual(firstRow, [
      [0, 100],
      [100, 100],
      [200, 100],
      [300, 100],
    ], 'four cells of 100 px, edge to edge');
  });

  test('same input → byte-identical SVG (also after other renders, also concurrently)', async () => {
    const a = featureHeatmapSpec(smallFeatures());
    const b = similarityHeatmapSpec(smallSimilarity(6, 0));
    const a1 = await renderSvg(a);
    const b1 = await renderSvg(b);
    const a2 = await renderSvg(featureHeatmapSpec(smallFeatures()));
    assert.equal(a2, a1, 'the same SVG after another render');
    const [a3, b3] = await Promise.all([renderSvg(a), renderSvg(b)]);
    assert.equal(a3, a1, 'the same SVG concurrently');
    assert.equal(b3, b1, 'the same SVG concurrently');
    assert.match(a1, /id="gradient_0"/, 'def ids restart for every render');
  });

  test('nothing is printed; warnings reach onLog when asked', async () => {
    // vega-lite warns about this spec (shape cannot show a quantitative field)
    const noisy = {
      $schema: VEGA_LITE_SCHEMA,
      data: { values: [{ a: 1, b: 'x' }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'quantitative' } },
    } as TopLevelSpec;
    const printed = await captureConsole(async () => {
      await renderSvg(featureHeatmapSpec(smallFeatures()));
      await renderSvg(similarityHeatmapSpec(smallSimilarity(5, 2)));
      await renderSvg(noisy);
    });
    assert.deepEqual(printed, [], 'nothing printed');
    // our own specs give vega-lite and vega nothing to warn about
    const ours: string[] = [];
    const onLog = (level: LogLevelName, message: string) => void ours.push(`${level}: ${message}`);
    await renderSvg(featureHeatmapSpec(smallFeatures()), { onLog, logLevel: 'info' });
    await renderSvg(similarityHeatmapSpec(smallSimilarity(200, 2)), { onLog, logLevel: 'info' });
    assert.deepEqual(ours, [], 'nothing logged for our own specs');
    const logged: string[] = [];
    await renderSvg(noisy, { onLog: (level, message) => logged.push(`${level}: ${message}`) });
    assert.ok(logged.length > 0 && logged.every((m) => m.startsWith('warn: ')), JSON.stringify(logged));
  });

  test('a separate process rendering both plots writes nothing to stdout or stderr', () => {
    const code = `
      const { featureHeatmapSpec, similarityHeatmapSpec } = await import(${JSON.stringify(pathToFileURL(resolve(REPO, 'src/plots/heatmap.ts')).href)});
      const { renderSvg } = await import(${JSON.stringify(pathToFileURL(resolve(REPO, 'src/plots/render.ts')).href)});
      const features = ['a', 'b'];
      const f = await renderSvg(featureHeatmapSpec({ title: 't', features, binStartS: Float64Array.of(0, 1), binS: 1, values: Float64Array.of(1, NaN, -3, 3) }));
      const s = await renderSvg(similarityHeatmapSpec({ title: 't', binStartS: Float64Array.of(0, 1), binS: 1, values: Float64Array.of(1, NaN, NaN, 1) }));
      if (!f.startsWith('<svg') || !s.startsWith('<svg')) process.exit(3);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, '', 'nothing on stdout');
    assert.equal(child.stderr, '', 'nothing on stderr');
  });

  test('text is measured without canvas, and vega’s own measurement is restored afterwards', async () => {
    // Helvetica/Arial: "timbre_01" at 10 px is 44.5 px wide (vega's own fallback would say 72)
    assertClose(estimateTextWidth('timbre_01', 10), 44.46, 1e-15, '"timbre_01" at 10 px in Helvetica/Arial widths'); // measured exact
    assert.ok(estimateTextWidth('W', 10, true) > estimateTextWidth('i', 10, true), 'a wide letter measures wider than a narrow one');
    const metrics = (vega as unknown as { textMetrics: { width: unknown } }).textMetrics;
    const before = metrics.width;
    const svg = await renderSvg(featureHeatmapSpec(fullFeatures(4)));
    assert.equal(metrics.width, before, 'vega\'s own text measurement is restored');
    // the y-axis title sits left of the longest label ("timbre_01" = 44.5 px + padding), not 72 px away
    const title = /<text [^>]*transform="translate\((-[\d.]+),[\d.]+\) rotate\(-90\)[^"]*"[^>]*>feature<\/text>/.exec(svg);
    assert.ok(title, 'y-axis title found');
    const x = Number(title[1]);
    assert.ok(x < -44 && x > -70, `y title at x = ${x}`);
  });

  test('1,000 × 26 renders 26,000 cells', async () => {
    const svg = await renderSvg(featureHeatmapSpec(fullFeatures(1000)));
    assert.equal(cellPaths(svg).length, 26_000, 'a path per cell');
    assert.ok(!/\d\.\d{3,}/.test(cellPaths(svg).join('')), 'path numbers are rounded to 0.01 px');
  });

  test('errors: an invalid spec throws; external data is refused', async () => {
    const invalid = { $schema: VEGA_LITE_SCHEMA, data: { values: [] }, mark: 'nonsense' } as unknown as TopLevelSpec;
    // Engine failures, not the user's: SongscopeError with exit code 1 and a catalogue message.
    assert.throws(() => compileSpec(invalid), { name: 'SongscopeError', exitCode: 1, message: /^invalid Vega-Lite spec: / }, 'compile');
    await assert.rejects(renderSvg(invalid), { name: 'SongscopeError', exitCode: 1, message: /^invalid Vega-Lite spec: / }, 'render');
    const remote = {
      $schema: VEGA_LITE_SCHEMA,
      data: { url: 'https://example.invalid/data.json' },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' } },
    } as TopLevelSpec;
    const printed = await captureConsole(async () => {
      await assert.rejects(
        renderSvg(remote),
        { name: 'SongscopeError', exitCode: 1, message: 'songscope renders inline data only; refusing to load "https://example.invalid/data.json"' },
        'external data',
      );
    });
    assert.deepEqual(printed, [], 'nothing printed');
  });
});

describe('compactSvg', () => {
  test('rounds path numbers to 0.01 and writes rgb() colours as hex, leaving the rest alone', () => {
    const svg =
      '<svg width="10"><path d="M2.4000000000000004,0h0.8000000000000003v14h-0.8000000000000003Z" fill="rgb(166, 207, 227)"/>' +
      '<text transform="translate(1.23456,0)">3.14159</text><path d="M-0.0001,1e-7L5,5" stroke="rgb(0, 0, 255)"/></svg>';
    assert.equal(
      compactSvg(svg),
      '<svg width="10"><path d="M2.4,0h0.8v14h-0.8Z" fill="#a6cfe3"/>' +
        '<text transform="translate(1.23456,0)">3.14159</text><path d="M0,0L5,5" stroke="#0000ff"/></svg>', 'path numbers to 0.01, rgb() as hex, the text untouched',
    );
  });
});
