import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { createMatrix, column, valueAt } from '../../src/matrix/featureMatrix.js';
import { columnStats, zscoreWithin } from '../../src/transforms/normalize.js';
import { binMeans, rollingMean } from '../../src/transforms/resample.js';
import { correlateRows } from '../../src/transforms/correlate.js';
import { FIXTURE_CASES, loadFixture, loadReference, worst } from '../helpers/fixtures.js';
import { parameterError } from '../helpers/assert.js';

const TOL = 1e-9;

describe('z-score, 1 s bins, rolling mean and correlation reproduce the pandas references', () => {
  // The MSD case reads the .h5 file; the other four are JSON.
  for (const c of FIXTURE_CASES) {
    test(c.name, async () => {
      const ref = loadReference(c);
      const z = zscoreWithin(buildFeatureMatrix(await loadFixture(c), { grid: 'seed' }), { inPlace: true });
      const sec = binMeans(z, 1000);
      assert.equal(sec.rows, ref.zscore_within_resample_1s.rows);
      assert.equal(sec.timeMs[0] / 1000, ref.zscore_within_resample_1s.first_s);
      const zs: [number, number, string][] = [];
      ref.zscore_within_resample_1s.values.forEach((row, i) => row.forEach((v, k) => zs.push([valueAt(sec, i, k), v, `z[${i}][${k}]`])));
      let w = worst(zs);
      assert.ok(w.err <= TOL, w.at);

      const corr = correlateRows(sec);
      assert.equal(corr.n, sec.rows);
      assert.deepEqual(corr.undefinedRows, []);
      const cs: [number, number, string][] = [];
      for (const [i, row] of Object.entries(ref.corr_1s_rows)) row.forEach((v, j) => cs.push([corr.values[Number(i) * corr.n + j], v, `corr[${i}][${j}]`]));
      w = worst(cs);
      assert.ok(w.err <= TOL, w.at);

      const smooth = rollingMean(sec, 10);
      const ss: [number, number, string][] = [];
      ref.smoothed_rolling10_1s.values.forEach((row, i) => row.forEach((v, k) => ss.push([valueAt(smooth, i, k), v, `smooth[${i}][${k}]`])));
      w = worst(ss);
      assert.ok(w.err <= TOL, w.at);

      // The first 9 smoothed rows are all zero: their correlation is undefined and reported as such
      // (the reference shows those entries as 0).
      const sc = correlateRows(smooth);
      assert.deepEqual(sc.undefinedRows, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
      const scs: [number, number, string][] = [];
      for (const [i, row] of Object.entries(ref.corr_smoothed_rows)) {
        row.forEach((v, j) => {
          const got = sc.values[Number(i) * sc.n + j];
          if (Number(i) < 9 || j < 9) assert.ok(Number.isNaN(got), `smoothed corr[${i}][${j}] should be undefined`);
          else scs.push([got, v, `smoothed corr[${i}][${j}]`]);
        });
      }
      w = worst(scs);
      assert.ok(scs.length > 0 && w.err <= TOL, w.at);
    });
  }
});

describe('transform semantics on small matrices', () => {
  const small = (values: number[][], timeMs?: number[]) => {
    const rows = values.length;
    const m = createMatrix(Int32Array.from(timeMs ?? values.map((_, i) => i)), values[0].map((_, k) => `c${k}`));
    values.forEach((row, r) => row.forEach((v, k) => (m.data[k * rows + r] = v)));
    return m;
  };

  test('zscoreWithin uses the population std and turns a constant column into 0', () => {
    const m = small([[1, 5], [2, 5], [3, 5], [4, 5]]);
    const stats = columnStats(m);
    assert.equal(stats.mean[0], 2.5);
    assert.equal(stats.std[0], Math.sqrt(1.25)); // ddof = 0
    assert.equal(stats.constant[1], 1);
    const z = zscoreWithin(m);
    assert.deepEqual(Array.from(column(z, 0)), [-1.5, -0.5, 0.5, 1.5].map((x) => x / Math.sqrt(1.25)));
    assert.deepEqual(Array.from(column(z, 1)), [0, 0, 0, 0]);
    assert.equal(z.metadata.normalization, 'zscore-within');
    assert.equal(m.data[0], 1, 'not in place by default');
  });

  test('binMeans anchors bins at 0 ms and leaves empty bins NaN', () => {
    const m = small([[1], [3], [10], [20]], [999, 1000, 1999, 3500]);
    const b = binMeans(m, 1000);
    assert.deepEqual(Array.from(b.timeMs), [0, 1000, 2000, 3000]);
    assert.deepEqual(Array.from(column(b, 0)), [1, 6.5, NaN, 20]);
  });

  test('rollingMean is a trailing window with pandas fillna(0) semantics', () => {
    const m = small([[1], [2], [3], [NaN], [5], [6]]);
    assert.deepEqual(Array.from(column(rollingMean(m, 2), 0)), [0, 1.5, 2.5, 0, 0, 5.5]);
    assert.deepEqual(Array.from(column(rollingMean(m, 2, { fill: null }), 0)), [NaN, 1.5, 2.5, NaN, NaN, 5.5]);
    assert.throws(() => rollingMean(m, 0), parameterError('windowBins', '0', 'a positive integer (rows)'), 'windowBins 0');
    assert.throws(() => binMeans(m, 2.5), parameterError('binMs', '2.5', 'a positive integer (milliseconds)'), 'binMs 2.5');
  });

  test('correlateRows: Pearson r between rows; constant rows are undefined, not numbers', () => {
    const m = small([[1, 2, 3], [2, 4, 6], [3, 2, 1], [7, 7, 7]]);
    const c = correlateRows(m);
    const at = (i: number, j: number) => c.values[i * c.n + j];
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≉ ${b}`);
    close(at(0, 1), 1);
    close(at(0, 2), -1);
    close(at(1, 0), at(0, 1));
    assert.equal(at(1, 1), 1);
    assert.deepEqual(c.undefinedRows, [3]);
    assert.ok(Number.isNaN(at(3, 0)) && Number.isNaN(at(0, 3)) && Number.isNaN(at(3, 3)));
  });
});
