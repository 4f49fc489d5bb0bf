/**
 * The event path (runs, never the 1 ms matrix) against the grid path (the matrix, then statistics and
 * bins): column statistics and bin means agree to 1e-12 on every fixture, on generated tracks and on the
 * edge cases the grid's semantics name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AudioAnalysis } from '../../src/analysis/types.js';
import { buildFeatureMatrix, type GridSemantics } from '../../src/matrix/grid.js';
import { eventBinMeans, eventColumnStats, eventGrid, fillGridRows } from '../../src/matrix/events.js';
import { columnStats } from '../../src/transforms/normalize.js';
import { binMeans } from '../../src/transforms/resample.js';
import { generateAnalysis } from '../../src/synth/generate.js';
import { FIXTURE_CASES, loadFixture } from '../helpers/fixtures.js';
import { assertClose, parameterError } from '../helpers/assert.js';
import { column } from '../../src/matrix/featureMatrix.js';
import { tableRows, type ResultTable } from '../../src/matrix/table.js';

const TOL = 1e-12;
const GRIDS: GridSemantics[] = ['seed', 'full'];

/** Both paths on one analysis: statistics and bins at several widths. */
function checkBothPaths(analysis: AudioAnalysis, name: string, binWidthsMs: number[] = [1000, 250, 7, 4321]): void {
  for (const grid of GRIDS) {
    const matrix = buildFeatureMatrix(analysis, { grid });
    const events = eventGrid(analysis, grid);
    const what = `${name} (${grid})`;
    assert.equal(events.rows, matrix.rows, `${what}: rows`);
    checkBlocks(events, matrix, what);
    if (matrix.rows === 0) continue;
    assert.equal(events.firstMs, matrix.timeMs[0], `${what}: first ms`);
    assert.equal(events.lastMs, matrix.timeMs[matrix.rows - 1], `${what}: last ms`);
    const a = eventColumnStats(events);
    const b = columnStats(matrix);
    assertClose(a.mean, b.mean, 1e-15, `${what}: column means`); // measured 2.3e-16
    assertClose(a.std, b.std, 1e-15, `${what}: column stds`); // measured 2.2e-16
    assert.deepEqual([...a.constant], [...b.constant], `${what}: constant columns`);
    for (const binMs of binWidthsMs) {
      const e = eventBinMeans(events, binMs);
      const m = binMeans(matrix, binMs);
      assert.deepEqual([...e.timeMs], [...m.timeMs], `${what}: ${binMs} ms bin times`);
      assertClose(e.data, m.data, TOL, `${what}: ${binMs} ms bin means`);
    }
  }
}

/**
 * The grid filled a block of rows at a time (as `features` streams it) is the matrix, value for value:
 * blocks of 1 row, of sizes that do not divide the rows, and of all rows, into a buffer that holds
 * stale values from the block before.
 */
function checkBlocks(events: ReturnType<typeof eventGrid>, matrix: ReturnType<typeof buildFeatureMatrix>, what: string): void {
  const k = matrix.columns.length;
  const sizes = matrix.rows > 5000 ? [4095, 65_537, matrix.rows] : [1, 7, Math.max(1, matrix.rows)]; // blocks of a few rows on the small cases
  for (const size of sizes) {
    const timeMs = new Int32Array(size);
    const data = new Float64Array(size * k).fill(NaN);
    for (let from = 0; from < matrix.rows; from += size) {
      const to = Math.min(matrix.rows, from + size);
      const n = to - from;
      fillGridRows(events, from, to, timeMs, data);
      assert.deepEqual(timeMs.subarray(0, n), matrix.timeMs.subarray(from, to), `${what}: times of rows ${from}…${to - 1} (blocks of ${size})`);
      for (let c = 0; c < k; c++) {
        const got = data.subarray(c * n, (c + 1) * n);
        const want = matrix.data.subarray(c * matrix.rows + from, c * matrix.rows + to);
        for (let i = 0; i < n; i++) if (got[i] !== want[i]) assert.fail(`${what}: column ${matrix.columns[c]}, rows ${from}…${to - 1} (blocks of ${size}) differ from the matrix`);
      }
    }
  }
}

/** A minimal valid analysis with the given events (times in seconds). */
function analysisOf(parts: { duration: number; bars?: number[]; beats?: number[]; segments?: [number, number][] }): AudioAnalysis {
  const ev = (start: number, duration = 0.5) => ({ start, duration, confidence: 1 });
  return {
    track: { duration: parts.duration },
    bars: (parts.bars ?? []).map((s) => ev(s, 2)),
    beats: (parts.beats ?? []).map((s) => ev(s)),
    tatums: [],
    sections: [],
    segments: (parts.segments ?? []).map(([start, duration], i) => ({
      ...ev(start, duration),
      loudness_start: -20,
      loudness_max: -10,
      loudness_max_time: 0,
      loudness_end: 0,
      pitches: Array.from({ length: 12 }, (_, j) => ((i * 7 + j * 3) % 11) / 10),
      timbre: Array.from({ length: 12 }, (_, j) => (i - 5) * (j + 1) * 13.7 + 0.1),
    })),
  } as unknown as AudioAnalysis;
}

describe('event path = grid path', () => {
  for (const c of FIXTURE_CASES) {
    test(`fixture ${c.name}`, async () => {
      checkBothPaths(await loadFixture(c), c.name);
    });
  }

  test('generated tracks of both styles, several lengths', () => {
    for (const [style, index, durationS] of [['dance', 0, 240], ['folk', 3, 31.337], ['dance', 7, 5]] as const) {
      checkBothPaths(generateAnalysis({ style, index, durationS, seed: 11 }), `${style} ${index} ${durationS} s`);
    }
  });

  test('events sharing a millisecond: two segments, two beats, two bars in one ms', () => {
    checkBothPaths(
      analysisOf({
        duration: 12,
        bars: [0.5, 2.0001, 2.0004, 6],
        beats: [0.5, 1, 1.0002, 1.0009, 3],
        segments: [[0, 1], [1.0001, 0.5], [1.0004, 1], [2.5, 3], [2.5009, 4]],
      }),
      'shared milliseconds',
    );
  });

  test('gaps: streams whose seed spans are disjoint, and a track with no segment for a while', () => {
    checkBothPaths(analysisOf({ duration: 20, bars: [0.1, 0.6, 1.1], beats: [0.1, 0.35], segments: [[8, 1], [9, 1], [10.5, 2]] }), 'disjoint spans', [1000, 333, 2000]);
    checkBothPaths(analysisOf({ duration: 20, bars: [15, 16], segments: [[0, 1], [1, 0.5]] }), 'no segment after 1.5 s');
  });

  test('events past the end of the track (left out of the full grid), and at its last millisecond', () => {
    checkBothPaths(analysisOf({ duration: 10, bars: [1, 5, 9.9995, 10.2], beats: [2, 9.9999, 10, 11], segments: [[0, 4], [4, 7], [10.1, 1]] }), 'past the end');
  });

  test('empty streams: no bars, no beats; a single segment; nothing at all', () => {
    checkBothPaths(analysisOf({ duration: 7.25, segments: [[0.25, 7]] }), 'one segment only');
    checkBothPaths(analysisOf({ duration: 3, beats: [1] }), 'one beat only');
    const nothing = eventGrid(analysisOf({ duration: 3 }), 'seed');
    assert.equal(nothing.rows, 0, 'the seed grid of an analysis without events is empty');
    assert.equal(eventBinMeans(nothing, 1000).rows, 0, 'the 1 s bin means of an empty grid are empty');
  });

  test('the event grid of a 4-minute track holds runs, not rows', () => {
    const analysis = generateAnalysis({ style: 'dance', index: 1, durationS: 240, seed: 0 });
    const g = eventGrid(analysis, 'full');
    const stored = g.bar.values.length + g.segments.values.length + g.beatMs.length;
    assert.ok(stored < 240_000 / 5, `${stored} stored values for 240,000 rows × 26 columns`);
  });
});

describe('refusals name the parameter (ParameterError)', () => {
  test('eventBinMeans: binMs; column: an unknown column; tableRows: ragged columns', () => {
    const analysis = generateAnalysis({ style: 'dance', durationS: 10 });
    const g = eventGrid(analysis, 'full');
    for (const binMs of [0, 2.5, NaN]) {
      assert.throws(() => eventBinMeans(g, binMs), parameterError('binMs', String(binMs), 'a positive integer (milliseconds)'), `binMs ${binMs}`);
    }
    const m = buildFeatureMatrix(analysis);
    assert.throws(() => column(m, 'tempo'), parameterError('c', '"tempo"', /^a column of the matrix: bar, beat, .*, or an index below 26$/), 'unknown name');
    assert.throws(() => column(m, 26), parameterError('c', '26', /or an index below 26$/), 'index past the end');
    const ragged = { columns: [{ name: 'a', values: [1, 2] }, { name: 'b', values: [1] }], metadata: {} } as unknown as ResultTable;
    assert.throws(() => tableRows(ragged), parameterError('table', 'column b has 1 rows', '2 rows in every column, as a has'), 'ragged');
  });
});
