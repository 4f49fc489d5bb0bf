import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFeatureMatrix, fullMs, seedMs } from '../../src/matrix/grid.js';
import { FEATURE_COLUMNS, PITCH_OFFSET, TIMBRE_OFFSET, column, valueAt } from '../../src/matrix/featureMatrix.js';
import { validateAnalysis } from '../../src/analysis/schema.js';
import type { AudioAnalysis, Segment } from '../../src/analysis/types.js';
import { FIXTURE_CASES, loadFixture, loadReference, worst } from '../helpers/fixtures.js';

/** Relative error of the column sums, means and stds against pandas over the five fixtures: measured 1.2e-11 (sums of ~10⁵ rows). */
const TOL = 2e-11;

describe('seed grid reproduces the pandas references', () => {
  for (const c of FIXTURE_CASES) {
    test(c.name, async () => {
      const ref = loadReference(c);
      const m = buildFeatureMatrix(await loadFixture(c), { grid: 'seed' });
      assert.equal(m.rows, ref.grid.rows, 'rows');
      assert.equal(m.timeMs[0], ref.grid.first_ms, 'first ms');
      assert.equal(m.timeMs[m.rows - 1], ref.grid.last_ms, 'last ms');
      assert.equal(m.columns.length, ref.columns.length, 'columns');

      const stats: [number, number, string][] = [];
      for (let col = 0; col < 26; col++) {
        const v = column(m, col);
        let sum = 0;
        for (const x of v) sum += x;
        const mean = sum / m.rows;
        let ss = 0;
        for (const x of v) ss += (x - mean) ** 2;
        stats.push([sum, ref.column_sum[col], `sum ${ref.columns[col]}`]);
        stats.push([mean, ref.column_mean[col], `mean ${ref.columns[col]}`]);
        stats.push([Math.sqrt(ss / m.rows), ref.column_std_ddof0[col], `std ${ref.columns[col]}`]);
      }
      const s = worst(stats);
      assert.ok(s.err <= TOL, `column statistics, relative error ${s.err}: ${s.at}`);

      assert.ok(ref.sample_rows.length > 100, 'the reference samples more than 100 rows');
      const rows: [number, number, string][] = [];
      for (const r of ref.sample_rows) {
        assert.equal(m.timeMs[r.row], r.time_ms, `time of row ${r.row}`);
        r.values.forEach((v, col) => rows.push([valueAt(m, r.row, col), v, `row ${r.row} ${ref.columns[col]}`]));
      }
      const w = worst(rows);
      assert.equal(w.err, 0, `the sampled rows are pandas' values exactly: ${w.at}`);
    });
  }
});

describe('full grid on real fixtures', () => {
  test('spans 0 ms to the track duration with hold semantics', async () => {
    const a = await loadFixture(FIXTURE_CASES[0]); // PSY, 219.49333 s
    const m = buildFeatureMatrix(a, { grid: 'full' });
    assert.equal(m.rows, 219494, 'rows: one per ms of the 219.49333 s track');
    assert.equal(m.timeMs[0], 0, 'first row at 0 ms');
    assert.equal(m.timeMs[m.rows - 1], 219493, 'last row at 219493 ms');
    assert.deepEqual(m.columns, FEATURE_COLUMNS, 'the 26 feature columns in order');
    assert.equal(m.metadata.grid, 'full', 'metadata grid');
    assert.equal(m.metadata.resolution_ms, '1', 'metadata resolution_ms');

    // every segment holds from its start until the next one starts
    const segs = a.segments;
    for (let i = 0; i < segs.length; i++) {
      const from: number = fullMs(segs[i].start);
      const to: number = i + 1 < segs.length ? fullMs(segs[i + 1].start) : m.rows;
      if (to <= from) continue;
      for (const r of [from, to - 1, (from + to) >> 1]) {
        for (let j = 0; j < 12; j++) {
          assert.equal(valueAt(m, r, PITCH_OFFSET + j), segs[i].pitches[j], `segment ${i} pitch ${j} at ${r} ms`);
          assert.equal(valueAt(m, r, TIMBRE_OFFSET + j), segs[i].timbre[j], `segment ${i} timbre ${j} at ${r} ms`);
        }
      }
    }
    // the last segment ends exactly at the track's end (213.15927 + 6.33406 = 219.49333 s)
    assert.equal(valueAt(m, m.rows - 1, TIMBRE_OFFSET + 1), segs[segs.length - 1].timbre[1], 'the last segment holds to the last row');
  });

  test('bar numbers: 0 before the first bar, k from bar k, the last through the end', async () => {
    const a = await loadFixture(FIXTURE_CASES[0]);
    const m = buildFeatureMatrix(a, { grid: 'full' });
    const bar = column(m, 'bar');
    const first = fullMs(a.bars[0].start); // 860 ms
    assert.equal(first, 860, 'first bar starts at 860 ms');
    assert.equal(bar[0], 0, 'bar is 0 at 0 ms');
    assert.equal(bar[first - 1], 0, 'bar is 0 just before the first bar');
    assert.equal(bar[first], 1, 'bar is 1 from the first bar');
    for (let k = 1; k < a.bars.length; k++) {
      const at = fullMs(a.bars[k].start);
      assert.equal(bar[at], k + 1, `bar ${k + 1} at ${at} ms`);
      assert.equal(bar[at - 1], k, `bar ${k} just before ${at} ms`);
    }
    // PSY's last bar starts at 209.543 s and lasts 2.744 s, but the number holds to the end
    assert.equal(bar[m.rows - 1], a.bars.length, 'the last bar number holds to the end');
    assert.equal(a.bars.length, 116, 'PSY has 116 bars');
  });

  test('beat is 1 exactly in the millisecond of each beat start', async () => {
    const a = await loadFixture(FIXTURE_CASES[1]);
    const m = buildFeatureMatrix(a, { grid: 'full' });
    const beat = column(m, 'beat');
    const beatMs = new Set(a.beats.map((b) => fullMs(b.start)));
    let ones = 0;
    for (let r = 0; r < m.rows; r++) if (beat[r] === 1) ones++;
    assert.equal(ones, beatMs.size, 'a 1 in every beat millisecond and nowhere else');
    assert.equal(ones, 567, '567 beats');
    for (const ms of beatMs) assert.equal(beat[ms], 1, `beat at ${ms} ms`);
  });

  test('times are converted exactly: 66.74 s is the 66740 ms row (seed truncates it to 66739)', async () => {
    const a = await loadFixture(FIXTURE_CASES[2]);
    const seg = a.segments.findIndex((s) => s.start === 66.74);
    assert.equal(seg, 239, 'the segment starting at 66.74 s is number 239');
    assert.equal(seedMs(66.74), 66739, 'seedMs truncates 66.74 s');
    assert.equal(fullMs(66.74), 66740, 'fullMs rounds 66.74 s');
    const full = buildFeatureMatrix(a, { grid: 'full' });
    assert.equal(valueAt(full, 66740, PITCH_OFFSET), a.segments[239].pitches[0], 'full grid: segment 239 from 66740 ms');
    assert.equal(valueAt(full, 66739, PITCH_OFFSET), a.segments[238].pitches[0], 'full grid: segment 238 until 66739 ms');
    const seed = buildFeatureMatrix(a, { grid: 'seed' });
    assert.equal(valueAt(seed, 66739, PITCH_OFFSET), a.segments[239].pitches[0], 'seed grid: segment 239 at 66739 ms');
  });
});

// ---- synthetic edge cases ------------------------------------------------------------------------------

const seg = (start: number, duration: number, v: number): Segment => ({
  start,
  duration,
  pitches: Array(12).fill(v),
  timbre: Array(12).fill(-v),
});

function synthetic(over: Partial<AudioAnalysis>): AudioAnalysis {
  return validateAnalysis({ track: { duration: 1 }, bars: [], beats: [], segments: [], ...over }, 'synthetic').analysis;
}

describe('grid edge cases', () => {
  test('no beats or bars (ambient, speech) is valid: those columns are 0', () => {
    const a = synthetic({ segments: [seg(0, 0.5, 0.25), seg(0.5, 0.5, 0.75)] });
    for (const grid of ['full', 'seed'] as const) {
      const m = buildFeatureMatrix(a, { grid });
      assert.ok(m.rows > 0, `${grid} grid has rows`);
      assert.ok(column(m, 'bar').every((x) => x === 0), `${grid} grid: bar column all 0`);
      assert.ok(column(m, 'beat').every((x) => x === 0), `${grid} grid: beat column all 0`);
    }
    const full = buildFeatureMatrix(a, { grid: 'full' });
    assert.equal(full.rows, 1000, 'full grid rows for 1 s');
    assert.equal(valueAt(full, 499, PITCH_OFFSET), 0.25, 'first segment up to 499 ms');
    assert.equal(valueAt(full, 500, PITCH_OFFSET), 0.75, 'second segment from 500 ms');
    assert.equal(valueAt(full, 999, TIMBRE_OFFSET), -0.75, 'timbre of the second segment at the end');
  });

  test('two segments in one millisecond: seed averages them, full keeps the later', () => {
    const a = synthetic({ segments: [seg(0, 0.1, 0), seg(0.1, 0.0004, 1), seg(0.1004, 0.9, 3)] });
    const seed = buildFeatureMatrix(a, { grid: 'seed' });
    assert.equal(valueAt(seed, 100, PITCH_OFFSET), 2, 'seed averages the two segments in the 100 ms row'); // mean of 1 and 3 (both in the 100 ms row)
    const full = buildFeatureMatrix(a, { grid: 'full' });
    assert.equal(valueAt(full, 100, PITCH_OFFSET), 3, 'full keeps the later segment at 100 ms');
    assert.equal(valueAt(full, 99, PITCH_OFFSET), 0, 'full: the first segment up to 99 ms');
  });

  test('seed grid runs from the earliest to the latest event start, not to the duration', () => {
    const a = synthetic({
      track: { duration: 10 },
      bars: [{ start: 0.5, duration: 2 }, { start: 2.5, duration: 2 }],
      beats: [{ start: 0.5, duration: 0.5 }, { start: 1.0, duration: 0.5 }],
      segments: [seg(0.2, 1, 0.5), seg(3.0, 1, 1)],
    });
    const m = buildFeatureMatrix(a, { grid: 'seed' });
    assert.equal(m.timeMs[0], 200, 'starts at the earliest event (200 ms)');
    assert.equal(m.timeMs[m.rows - 1], 3000, 'ends at the latest event start (3000 ms)');
    const bar = column(m, 'bar');
    assert.equal(bar[0], 0, 'bar 0 before the first bar'); // 200 ms: before the first bar
    assert.equal(bar[500 - 200], 1, 'bar 1 at 500 ms');
    assert.equal(bar[2500 - 200], 2, 'bar 2 at 2500 ms');
    // the bar stream's span ends at its last start: afterwards the outer join leaves 0 (a seed artefact)
    assert.equal(bar[2501 - 200], 0, 'bar 0 just after the last bar start (seed artefact)');
    assert.equal(bar[2999 - 200], 0, 'bar 0 at 2999 ms');
    // beats: 1 at each beat; the beat stream ends at 1000 ms
    assert.equal(column(m, 'beat')[1000 - 200], 1, 'beat at 1000 ms');
    assert.equal(column(m, 'beat').reduce((s, x) => s + x, 0), 2, 'two beats in all');
  });

  test('the full grid ends with the track: events starting at or after the end are left out', () => {
    const a = synthetic({
      track: { duration: 1 },
      bars: [{ start: 0, duration: 1 }, { start: 1.0, duration: 1 }],
      beats: [{ start: 0.5, duration: 0.5 }, { start: 1.5, duration: 0.5 }],
      segments: [seg(0, 0.9995, 1), seg(0.9995, 0.5, 2), seg(1.2, 1, 3)],
    });
    const m = buildFeatureMatrix(a);
    assert.equal(m.rows, 1000, 'rows: one per ms of the 1 s track');
    assert.equal(column(m, 'beat').reduce((s, x) => s + x, 0), 1, 'only the beat before the end is marked');
    assert.equal(column(m, 'bar')[999], 1, 'the bar starting at the end is not numbered');
    assert.equal(valueAt(m, 999, PITCH_OFFSET), 2, 'the segment starting in the last ms holds to the end');
    assert.equal(valueAt(m, 998, PITCH_OFFSET), 1, 'the first segment up to 998 ms');
  });
});

describe('grid size limit', () => {
  test('a track longer than 3 hours is refused with a clear message instead of exhausting memory', () => {
    const a = synthetic({ track: { duration: 4 * 3600 }, segments: [seg(0, 4 * 3600, 1)] });
    assert.throws(() => buildFeatureMatrix(a), /the 1 ms matrix would have 14,400,000 rows \(2\.8 GB\): songscope resamples tracks of up to 3 hours/, 'the refusal names the rows, the size and the 3-hour limit');
  });
});
