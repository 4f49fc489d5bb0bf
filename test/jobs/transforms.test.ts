/**
 * The transform jobs (what the normalize, correlate, cluster and reduce subcommands run) against the
 * pandas / scikit-learn references of the real fixtures.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { createMatrix, column, valueAt, type FeatureMatrix } from '../../src/matrix/featureMatrix.js';
import type { LoadedMatrix } from '../../src/jobs/load.js';
import { binnedMatrix, clusterJob, correlateJob, normalizeJob, reduceJob, similarityTable } from '../../src/jobs/transforms.js';
import { normalize, RunningColumnStats, stackedColumnStats, zscoreWithin, NORMALIZE_MODES } from '../../src/transforms/normalize.js';
import { similarityRows } from '../../src/transforms/correlate.js';
import { adjustedRandIndex } from '../../src/evaluate/cluster.js';
import { compileSpec } from '../../src/plots/render.js';
import { SongscopeError } from '../../src/errors.js';
import { FIXTURE_CASES, loadFixture, loadReference, worst } from '../helpers/fixtures.js';

const TOL = 1e-9;

/** A LoadedMatrix of an in-memory matrix (hand-made rows, one per second). */
const loadedOf = (matrix: FeatureMatrix, label: string): LoadedMatrix => ({ matrix, metadata: matrix.metadata, columns: matrix.columns, sectionsS: [], label, slug: label });

async function loaded(c: (typeof FIXTURE_CASES)[number], grid: 'seed' | 'full' = 'seed'): Promise<LoadedMatrix> {
  const analysis = await loadFixture(c);
  const matrix = buildFeatureMatrix(analysis, { grid });
  return {
    matrix,
    metadata: matrix.metadata,
    columns: matrix.columns,
    analysis,
    sectionsS: analysis.sections.map((s) => s.start),
    durationS: analysis.track.duration,
    label: c.name,
    slug: 'x',
  };
}

function small(values: number[][], names?: string[]): FeatureMatrix {
  const rows = values.length;
  const m = createMatrix(Int32Array.from(values.map((_, i) => i * 1000)), names ?? values[0].map((_, k) => `c${k}`));
  values.forEach((row, r) => row.forEach((v, k) => (m.data[k * rows + r] = v)));
  return m;
}

describe('correlate job reproduces the pandas references (1e-9) on every fixture', () => {
  for (const c of FIXTURE_CASES) {
    test(c.name, async () => {
      const ref = loadReference(c);
      const input = await loaded(c);
      // zscore_within_resample_1s: what the job bins before correlating
      const bins = binnedMatrix(input.matrix, { binMs: 1000 });
      const zs: [number, number, string][] = [];
      ref.zscore_within_resample_1s.values.forEach((row, i) => row.forEach((v, k) => zs.push([valueAt(bins, i, k), v, `z[${i}][${k}]`])));
      let w = worst(zs);
      assert.ok(w.err <= TOL, w.at);

      const plain = correlateJob(input, { binMs: 1000 });
      const cs: [number, number, string][] = [];
      for (const [i, row] of Object.entries(ref.corr_1s_rows)) row.forEach((v, j) => cs.push([plain.similarity.values[Number(i) * plain.similarity.n + j], v, `corr[${i}][${j}]`]));
      w = worst(cs);
      assert.ok(cs.length > 0 && w.err <= TOL, w.at);

      const smoothedBins = binnedMatrix(input.matrix, { binMs: 1000, smoothS: 10 });
      const ss: [number, number, string][] = [];
      ref.smoothed_rolling10_1s.values.forEach((row, i) => row.forEach((v, k) => ss.push([valueAt(smoothedBins, i, k), v, `smooth[${i}][${k}]`])));
      w = worst(ss);
      assert.ok(w.err <= TOL, w.at);

      const smoothed = correlateJob(input, { binMs: 1000, smoothS: 10 });
      assert.deepEqual(smoothed.summary.undefinedBinsS, smoothed.similarity.undefinedRows.map((r) => smoothed.similarity.timeMs[r] / 1000));
      assert.equal(smoothed.summary.undefinedBinsS.length, 9, 'the nine zero rows the rolling mean leaves are reported');
      const scs: [number, number, string][] = [];
      for (const [i, row] of Object.entries(ref.corr_smoothed_rows)) {
        row.forEach((v, j) => {
          if (Number(i) >= 9 && j >= 9) scs.push([smoothed.similarity.values[Number(i) * smoothed.similarity.n + j], v, `scorr[${i}][${j}]`]);
        });
      }
      w = worst(scs);
      assert.ok(scs.length > 0 && w.err <= TOL, w.at);
      // The table is square: time_s plus one column per bin, each column j holding similarity[·][j].
      assert.equal(smoothed.table.columns.length, smoothed.similarity.n + 1);
      assert.equal(smoothed.table.columns[0].name, 'time_s');
      assert.equal(smoothed.table.columns[12].name, String(smoothed.similarity.timeMs[11] / 1000));
      assert.equal((smoothed.table.columns[12].values as Float64Array)[20], smoothed.similarity.values[20 * smoothed.similarity.n + 11]);
      assert.equal(smoothed.table.metadata.undefined_bins_s, JSON.stringify(smoothed.summary.undefinedBinsS));
      compileSpec(smoothed.spec);
    });
  }
});

describe('cluster job: k-means agrees with scikit-learn on every fixture (ARI ≥ 0.9)', () => {
  for (const c of FIXTURE_CASES) {
    test(c.name, async (t) => {
      const ref = loadReference(c);
      const result = clusterJob(await loaded(c), { k: 3, binMs: 1000, smoothS: 10, method: 'kmeans' });
      assert.equal(result.labels.length, ref.kmeans_k3_smoothed_sklearn_labels.length);
      const ari = adjustedRandIndex(result.labels, ref.kmeans_k3_smoothed_sklearn_labels);
      t.diagnostic(`ARI ${ari.toFixed(4)}`);
      assert.ok(ari >= 0.9, `ARI ${ari}`);
      // the table is time_s,label with one row per bin; the summary agrees with it
      assert.deepEqual(result.table.columns.map((col) => col.name), ['time_s', 'label']);
      assert.equal(result.summary.sizes.reduce((a, b) => a + b, 0), result.labels.length);
      assert.equal(result.summary.boundariesS[0], 0);
      assert.ok(result.summary.agreement && result.summary.agreement.length === 2);
      for (const a of result.summary.agreement) assert.ok(a.f >= 0 && a.f <= 1);
      compileSpec(result.spec);
    });
  }

  test('novelty and agglomerative give k contiguous segments, reproducibly', async () => {
    const input = await loaded(FIXTURE_CASES[0], 'full');
    for (const method of ['novelty', 'agglomerative'] as const) {
      const a = clusterJob(input, { k: 4, method, smoothS: 0 });
      const b = clusterJob(input, { k: 4, method, smoothS: 0 });
      assert.deepEqual(a.labels, b.labels);
      // contiguous: labels 0..k-1 in time order, each starting once
      let changes = 0;
      for (let i = 1; i < a.labels.length; i++) if (a.labels[i] !== a.labels[i - 1]) changes++;
      assert.ok(changes <= 3, `${method}: ${changes} changes`);
      assert.equal(a.summary.boundariesS.length, changes + 2);
    }
  });

  test('the same seed gives identical labels; sections are scored at 0.5 s and 3 s', async () => {
    const input = await loaded(FIXTURE_CASES[1], 'full');
    const a = clusterJob(input, { k: 5, seed: 7 });
    const b = clusterJob(input, { k: 5, seed: 7 });
    assert.deepEqual(a.labels, b.labels);
    assert.deepEqual(a.summary.agreement?.map((x) => x.windowS), [0.5, 3]);
    assert.equal(a.summary.referenceBoundariesS?.[0], 0);
  });
});

describe('normalize modes (hypertools 0.8 semantics)', () => {
  const a = small([[1, 10, 3], [2, 10, 5], [3, 10, 7]]);
  const b = small([[5, 10, 1], [7, 10, 1]]);

  test('zscore-across uses the statistics of all inputs stacked', () => {
    const [za, zb] = normalize([a, b], 'zscore-across');
    // column 0 stacked: 1,2,3,5,7 → mean 3.6, population std sqrt(((−2.6)²+(−1.6)²+(−0.6)²+1.4²+3.4²)/5)
    const std0 = Math.sqrt((2.6 ** 2 + 1.6 ** 2 + 0.6 ** 2 + 1.4 ** 2 + 3.4 ** 2) / 5);
    assert.ok(Math.abs(column(za, 0)[0] - (1 - 3.6) / std0) < 1e-15);
    assert.ok(Math.abs(column(zb, 0)[1] - (7 - 3.6) / std0) < 1e-15);
    assert.deepEqual(Array.from(column(zb, 1)), [0, 0], 'a column constant across all inputs becomes 0');
    assert.equal(za.metadata.normalization, 'zscore-across');
    // zscore-within of each differs
    assert.notEqual(column(normalize([a], 'zscore-within')[0], 0)[0], column(za, 0)[0]);
  });

  test('running statistics merge exactly like one pass over the stacked rows', () => {
    const stacked = small([[1, 10, 3], [2, 10, 5], [3, 10, 7], [5, 10, 1], [7, 10, 1]]);
    const direct = zscoreWithin(stacked);
    const merged = stackedColumnStats([a, b]);
    const running = new RunningColumnStats(3).add(a).add(b).stats();
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(merged.mean[c] - running.mean[c]) < 1e-15);
      assert.ok(Math.abs(merged.std[c] - running.std[c]) < 1e-15);
    }
    const viaStats = zscoreWithin(stacked, { stats: merged });
    for (let i = 0; i < direct.data.length; i++) assert.ok(Math.abs(direct.data[i] - viaStats.data[i]) < 1e-12);
  });

  test('zscore-row, minmax and none', () => {
    const [row] = normalize([a], 'zscore-row');
    // row 0: 1,10,3 → mean 14/3, population std
    const m = 14 / 3;
    const s = Math.sqrt(((1 - m) ** 2 + (10 - m) ** 2 + (3 - m) ** 2) / 3);
    assert.ok(Math.abs(valueAt(row, 0, 1) - (10 - m) / s) < 1e-15);
    const [mm] = normalize([a], 'minmax');
    assert.deepEqual(Array.from(column(mm, 0)), [0, 0.5, 1]);
    assert.deepEqual(Array.from(column(mm, 1)), [0, 0, 0]);
    const [none] = normalize([a], 'none');
    assert.deepEqual(Array.from(none.data), Array.from(a.data));
    assert.deepEqual([...NORMALIZE_MODES], ['zscore-within', 'zscore-across', 'zscore-row', 'minmax', 'none']);
  });

  test('normalizeJob: one heatmap spec per input, each compiles', () => {
    const r = normalizeJob(
      [a, b].map((matrix, i) => loadedOf(matrix, `m${i}`)),
      'zscore-across',
    );
    assert.equal(r.specs.length, 2);
    r.specs.forEach((s) => compileSpec(s));
  });
});

describe('similarity metrics', () => {
  test('cosine and euclidean on hand-checked rows', () => {
    const m = small([[1, 0, 0], [1, 1, 0], [0, 0, 0], [3, 4, 0]]);
    const cos = similarityRows(m, 'cosine');
    assert.ok(Math.abs(cos.values[0 * 4 + 1] - 1 / Math.SQRT2) < 1e-15);
    assert.deepEqual(cos.undefinedRows, [2], 'an all-zero row has no direction');
    const eu = similarityRows(m, 'euclidean');
    assert.equal(eu.values[0 * 4 + 3], Math.sqrt(4 + 16));
    assert.equal(eu.values[2 * 4 + 3], 5);
    assert.equal(eu.values[1 * 4 + 1], 0);
    assert.deepEqual(eu.undefinedRows, []);
  });

  test('similarityTable columns are named by bin start in seconds', () => {
    const sim = similarityRows(small([[1, 2], [2, 1], [3, 3]]), 'euclidean');
    const t = similarityTable(sim, {});
    assert.deepEqual(t.columns.map((c) => c.name), ['time_s', '0', '1', '2']);
  });
});

describe('reduce job', () => {
  test('one track: a PCA trajectory of its bins with explained variance', async () => {
    const input = await loaded(FIXTURE_CASES[0], 'full');
    const r = reduceJob([input], { model: 'pca', ndims: 2, smoothS: 10, colorBy: 'cluster' });
    assert.equal(r.summary.mode, 'trajectory');
    assert.deepEqual(r.table.columns.map((c) => c.name), ['time_s', 'dim_1', 'dim_2', 'cluster']);
    const ratio = r.summary.explainedVarianceRatio!;
    assert.ok(ratio[0] >= ratio[1] && ratio[0] + ratio[1] <= 1);
    compileSpec(r.spec);
  });

  test('several tracks: one point each, z-scored across', async () => {
    const inputs = await Promise.all(FIXTURE_CASES.slice(0, 4).map((c) => loaded(c, 'full')));
    const r = reduceJob(inputs, { model: 'classical-mds', ndims: 2 });
    assert.equal(r.summary.mode, 'tracks');
    assert.equal(r.embedding.points.n, 4);
    const names = r.table.columns[0].values as string[];
    assert.deepEqual(names.slice(0, 3), inputs.slice(0, 3).map((i) => i.label), 'the label when there is no artist');
    assert.equal(names[3], 'EDX, John Williams – Give It Up for Love feat. John Williams (Mysto & Pizzi Remix)', 'artist – title when known');
    compileSpec(r.spec);
  });
});

/** `value` is a SongscopeError with exit code 2 whose message matches `pattern`. */
function inputErrorMatching(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof SongscopeError, `a SongscopeError, not ${String(e)}`);
    assert.equal(e.exitCode, 2, `exit code 2 for: ${e.message}`);
    assert.match(e.message, pattern, 'the message says what is wrong');
    return true;
  };
}


describe('edge inputs are input errors (exit code 2), not internal errors', () => {
  const rows = (n: number, offset: number) => Array.from({ length: n }, (_, i) => [i + offset, (i * 7) % 5, offset - i]);

  test('reduce: too few tracks for the model, or identical bins', () => {
    const two = [loadedOf(small(rows(3, 0)), 'a'), loadedOf(small(rows(3, 5)), 'b')];
    assert.throws(() => reduceJob(two, { model: 'umap' }), inputErrorMatching(/cannot reduce 2 tracks: points: 2 points \(expected at least 4 points for umap into 2 dimensions/), 'umap of two tracks');
    assert.throws(() => reduceJob(two, { model: 'pca', ndims: 3 }), inputErrorMatching(/cannot reduce 2 tracks: points: 2 points \(expected at least 4 points for pca into 3 dimensions\)/), 'pca of two tracks in 3-D');
    const constant = small(Array.from({ length: 5 }, () => [1, 1, 1]));
    assert.throws(() => reduceJob([loadedOf(constant, 'flat')], { model: 'mds', normalize: 'none' }), inputErrorMatching(/cannot reduce the 5 time bins of flat: points: all 5 points identical/), 'a constant matrix');
  });

  test('cluster and reduce name the bins that hold missing values', () => {
    const m = small(rows(6, 0));
    m.data[2] = NaN; // row 2 of the first column
    m.data[6 + 3] = NaN; // row 3 of the second column
    const input = loadedOf(m, 'holey');
    assert.throws(() => clusterJob(input, { k: 2, normalize: 'none' }), inputErrorMatching(/holey: 2 of 6 time bins have missing values \(at 2–3 s\); kmeans clustering needs a value in every bin/), 'cluster');
    assert.throws(() => reduceJob([input], { normalize: 'none' }), inputErrorMatching(/holey: 2 of 6 time bins have missing values \(at 2–3 s\); reduce --model pca/), 'reduce');
  });

  test('several inputs with different columns cannot be stacked or compared', () => {
    const a = loadedOf(small(rows(4, 0)), 'three');
    const b = loadedOf(small(rows(4, 1).map((r) => [...r, 1])), 'four');
    assert.throws(() => reduceJob([a, a, b]), inputErrorMatching(/four: its 4 feature columns differ from the 3 of three/), 'reduce');
    assert.throws(() => normalizeJob([a, b], 'zscore-across'), inputErrorMatching(/four: its 4 feature columns differ/), 'normalize across');
    const renamed = loadedOf(small(rows(4, 0), ['x', 'y', 'z']), 'renamed');
    assert.throws(() => reduceJob([a, a, renamed]), inputErrorMatching(/renamed: its 3 feature columns differ from the 3 of three/), 'same count, other names');
  });
});

describe('missing values are skipped by the statistics, as pandas skips them', () => {
  test('one missing cell leaves the rest of its column z-scored', () => {
    const m = small([[1, 5], [NaN, 6], [3, 7], [5, 8]]);
    const z = zscoreWithin(m);
    // column 0 without the gap: 1, 3, 5 → mean 3, population std sqrt(8/3)
    const s = Math.sqrt(8 / 3);
    assert.deepEqual(Array.from(column(z, 0)).map((v) => (Number.isNaN(v) ? 'NaN' : Math.round(((v * s) + 3) * 1e12) / 1e12)), [1, 'NaN', 3, 5], 'the other cells are (x − 3) / std');
    assert.ok(Math.abs(column(z, 0)[0] - (1 - 3) / s) < 1e-15, 'exact value of the first cell');
  });

  test('running statistics count each column\'s own values', () => {
    const a = small([[1, 2], [NaN, 4]]);
    const b = small([[3, NaN], [5, 8]]);
    const stats = new RunningColumnStats(2).add(a).add(b).stats();
    // column 0: 1, 3, 5; column 1: 2, 4, 8
    assert.ok(Math.abs(stats.mean[0] - 3) < 1e-15 && Math.abs(stats.mean[1] - 14 / 3) < 1e-15, `means ${stats.mean.join(', ')}`);
    assert.ok(Math.abs(stats.std[0] - Math.sqrt(8 / 3)) < 1e-15, `std of column 0: ${stats.std[0]}`);
    const m1 = 14 / 3;
    assert.ok(Math.abs(stats.std[1] - Math.sqrt(((2 - m1) ** 2 + (4 - m1) ** 2 + (8 - m1) ** 2) / 3)) < 1e-15, `std of column 1: ${stats.std[1]}`);
  });

  test('correlate: one missing cell makes only its own bin undefined', () => {
    const m = small(Array.from({ length: 6 }, (_, i) => [i, (i * 3) % 4, 5 - i, i % 2]));
    m.data[6 + 4] = NaN; // row 4, second column
    const r = correlateJob(loadedOf(m, 'one gap'), { binMs: 1000 });
    assert.deepEqual(r.summary.undefinedBinsS, [4], 'only the bin holding the gap');
  });
});

describe('reduce job in three dimensions', () => {
  test('several tracks: three projections of the labelled points, with every coordinate in the data', async () => {
    const inputs = await Promise.all(FIXTURE_CASES.slice(0, 4).map((c) => loaded(c, 'full')));
    const r = reduceJob(inputs, { model: 'pca', ndims: 3 });
    const spec = r.spec as unknown as { hconcat?: { title: { text: string } }[]; data: { values: Record<string, unknown>[] } };
    assert.equal(spec.hconcat?.length, 3, 'one panel per pair of dimensions');
    assert.deepEqual(spec.hconcat?.map((p) => p.title.text.replace(/ \(.*?\)/g, '')), ['PC1 × PC2', 'PC1 × PC3', 'PC2 × PC3'], 'panels 1–2, 1–3, 2–3');
    assert.deepEqual(Object.keys(spec.data.values[0]).slice(0, 3), ['x', 'y', 'z'], 'the third coordinate is drawn');
    assert.deepEqual(r.table.columns.map((c) => c.name), ['track', 'dim_1', 'dim_2', 'dim_3'], 'three coordinates written');
    compileSpec(r.spec);
  });
});

describe('normalize auto', () => {
  test("a matrix 'normalised' with mode none is still raw: auto z-scores it, as it does an unmarked matrix", () => {
    const raw = small([[1, 10, 3], [2, 30, 5], [4, 20, 6]]);
    const marked = { ...raw, metadata: { normalization: 'none' } };
    const a = binnedMatrix(raw, { binMs: 1000 });
    const b = binnedMatrix(marked, { binMs: 1000 });
    assert.deepEqual(Array.from(b.data), Array.from(a.data), 'the same z-scores');
    assert.equal(b.metadata.normalization, 'zscore-within', 'and says so');
    const z = { ...raw, metadata: { normalization: 'minmax' } };
    assert.deepEqual(Array.from(binnedMatrix(z, { binMs: 1000 }).data), Array.from(raw.data), 'a normalised matrix is used as it is');
  });
});

describe('smoothing longer than the track', () => {
  test('is an input error, not a matrix of zeros', () => {
    const m = small(Array.from({ length: 5 }, (_, i) => [i, 5 - i, i % 2]));
    assert.throws(() => binnedMatrix(m, { binMs: 1000, smoothS: 10 }), inputErrorMatching(/--smooth 10 s is longer than the 5 bins/), 'ten-second window over five bins');
    assert.equal(binnedMatrix(m, { binMs: 1000, smoothS: 5 }).rows, 5, 'a window as long as the track still leaves one mean');
  });
});
