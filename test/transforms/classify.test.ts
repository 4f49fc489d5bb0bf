import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  crossValidate,
  leaveOneOutFolds,
  loadLibsvm,
  PROTOCOL_EXPLANATION,
  stratifiedFolds,
  type ClassifyReport,
} from '../../src/transforms/classify.js';
import { pointsFromRows, type Points } from '../../src/transforms/points.js';
import { generateAnalysis, type SynthStyle } from '../../src/synth/generate.js';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { ROOT } from '../helpers/fixtures.js';
import { parameterError, tempDirPerSuite } from '../helpers/assert.js';

/**
 * Two tight clusters of four points, a ≈ (0.5, 0.5) and b ≈ (5.5, 5.5), plus one point of class a at
 * b's centre (index 4).
 *
 * Leave-one-out by hand: holding out any of the eight cluster points leaves a training set whose clusters
 * are 4√2 apart with the stray a-point inside b's cluster. No line puts it on a's side without also taking
 * b's points along, so it stays a margin violator (α = C = 1) whose pull cannot move the boundary across
 * b's cluster: the boundary stays between the clusters and the held-out point falls on its own cluster's
 * side — correct. Holding out the stray point leaves two cleanly separated clusters; the boundary lies
 * between them and the stray point, at b's centre, is predicted b — wrong. So 8 of 9 folds are right:
 * accuracy 8/9, and the confusion (rows true a, b; columns predicted a, b) is [[4, 1], [0, 4]].
 */
const HAND_ROWS = [[0, 0], [0, 1], [1, 0], [1, 1], [5.5, 5.5], [5, 5], [5, 6], [6, 5], [6, 6]];
const HAND_LABELS = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];

/** Per-column z-score across the rows (population sd; constant columns become 0). */
function zscoreColumns(rows: number[][]): number[][] {
  const n = rows.length;
  const d = rows[0].length;
  const out = rows.map((r) => [...r]);
  for (let c = 0; c < d; c++) {
    const mean = rows.reduce((s, r) => s + r[c], 0) / n;
    const sd = Math.sqrt(rows.reduce((s, r) => s + (r[c] - mean) ** 2, 0) / n);
    for (const r of out) r[c] = sd > 0 ? (r[c] - mean) / sd : 0;
  }
  return out;
}

/**
 * 11 generated dance and 11 folk tracks (seed 0): each track's 1 ms feature matrix averaged over time,
 * z-scored across tracks. Built once.
 */
let album: { points: Points; labels: string[] } | undefined;
function syntheticAlbumPoints(): { points: Points; labels: string[] } {
  if (album) return album;
  const seed = 0;
  const rows: number[][] = [];
  const labels: string[] = [];
  const buffer = new Float64Array(241_000 * 26);
  for (const style of ['dance', 'folk'] as SynthStyle[]) {
    for (let index = 0; index < 11; index++) {
      const m = buildFeatureMatrix(generateAnalysis({ style, seed, index }), { buffer });
      const row: number[] = [];
      for (let c = 0; c < m.columns.length; c++) {
        const col = m.data.subarray(c * m.rows, (c + 1) * m.rows);
        let s = 0;
        for (let r = 0; r < m.rows; r++) s += col[r];
        row.push(s / m.rows);
      }
      rows.push(row);
      labels.push(style);
    }
  }
  album = { points: pointsFromRows(zscoreColumns(rows)), labels };
  return album;
}

const only = (report: ClassifyReport) => {
  assert.equal(report.protocols.length, 1, 'without a reduction, the plain protocol only');
  return report.protocols[0];
};

describe('loading libsvm', () => {
  const tmp = tempDirPerSuite('classify');
  test('prints nothing and leaves no global handler or missing fetch behind', () => {
    // A fresh process, so this is the first load: stdout and stderr must stay empty.
    const dir = tmp.path;
    const script = join(dir, 'load.mts');
    const classify = pathToFileURL(join(ROOT, 'src/transforms/classify.ts')).href;
    const points = pathToFileURL(join(ROOT, 'src/transforms/points.ts')).href;
    writeFileSync(
      script,
      [
        `import { crossValidate } from ${JSON.stringify(classify)};`,
        `import { pointsFromRows } from ${JSON.stringify(points)};`,
        `const before = process.listeners('unhandledRejection').length;`,
        `const r = await crossValidate(pointsFromRows(${JSON.stringify(HAND_ROWS)}), ${JSON.stringify(HAND_LABELS)}, { cv: 'loo' });`,
        `if (process.listeners('unhandledRejection').length !== before) process.exitCode = 3;`,
        `if (typeof fetch !== 'function') process.exitCode = 4;`,
        `if (r.protocols[0].accuracy !== 8 / 9) process.exitCode = 5;`,
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.stderr, '', 'nothing on stderr at the first load');
    assert.equal(run.stdout, '', 'nothing on stdout at the first load');
    assert.equal(run.status, 0, 'the script exits 0: no handler left behind, fetch still there, accuracy 8/9');
  });

  test('loads once', async () => {
    assert.equal(loadLibsvm(), loadLibsvm(), 'the same promise both times');
    await loadLibsvm();
  });
});

describe('crossValidate', () => {
  test('leave-one-out on a hand-checked 2-D set: accuracy 8/9, one stray point misclassified', async () => {
    const report = await crossValidate(pointsFromRows(HAND_ROWS), HAND_LABELS, { cv: 'loo' });
    assert.equal(report.cv, 'loo', 'leave-one-out');
    assert.equal(report.nFolds, 9, 'a fold per point');
    assert.deepEqual(report.classes, [{ label: 'a', count: 5 }, { label: 'b', count: 4 }], 'the classes with their counts, sorted');
    assert.equal(report.majorityBaseline, 5 / 9, 'the majority baseline: 5 of 9');
    assert.equal(report.explanation, undefined, 'no protocol explanation without a reduction');
    const plain = only(report);
    assert.equal(plain.protocol, 'plain', 'the plain protocol');
    assert.equal(plain.accuracy, 8 / 9, '8 of 9 right');
    assert.equal(plain.pooledAccuracy, 8 / 9, '8 of 9 right, pooled');
    assert.deepEqual(plain.confusion, { labels: ['a', 'b'], matrix: [[4, 1], [0, 4]] }, 'the stray a is taken for a b');
    assert.deepEqual(plain.predictions, ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'], 'the predictions: point 4 wrong');
    assert.deepEqual(plain.folds.map((f) => f.accuracy), [1, 1, 1, 1, 0, 1, 1, 1, 1], 'fold 4 is the wrong one');
    assert.ok(plain.folds.every((f, i) => f.trainSize === 8 && f.testSize === 1 && f.testIndices[0] === i), 'fold i trains on the other 8 and tests point i');
  });

  test('label order does not matter: classes and confusion rows are sorted', async () => {
    const labels = HAND_LABELS.map((l) => (l === 'a' ? 'zebra' : 'ant'));
    const plain = only(await crossValidate(pointsFromRows(HAND_ROWS), labels, { cv: 'loo' }));
    assert.deepEqual(plain.confusion, { labels: ['ant', 'zebra'], matrix: [[4, 0], [1, 4]] }, 'classes sorted by name: the confusion rows follow');
    assert.equal(plain.accuracy, 8 / 9, '8 of 9 right');
  });

  test('mean of fold accuracies vs pooled accuracy', async () => {
    // 4 folds of sizes 3, 2, 2, 2: with one error the two summaries differ.
    const report = await crossValidate(pointsFromRows(HAND_ROWS), HAND_LABELS, { folds: 4, seed: 3 });
    const plain = only(report);
    assert.deepEqual(plain.folds.map((f) => f.testSize).sort(), [2, 2, 2, 3], '4 folds of 9 points: sizes 3, 2, 2, 2');
    const wrong = plain.folds.find((f) => f.testIndices.includes(4))!;
    assert.equal(wrong.accuracy, (wrong.testSize - 1) / wrong.testSize, 'the fold holding point 4 has one error');
    assert.equal(plain.pooledAccuracy, 8 / 9, 'pooled: 8 of 9');
    const mean = plain.folds.reduce((s, f) => s + f.accuracy, 0) / 4;
    assert.equal(plain.accuracy, mean, 'accuracy is the mean of the fold accuracies');
    assert.notEqual(plain.accuracy, plain.pooledAccuracy, 'with unequal folds the mean differs from the pooled accuracy');
  });

  test('generated dance vs folk tracks: 5-fold and leave-one-out accuracy 1', async () => {
    const { points, labels } = syntheticAlbumPoints();
    assert.equal(points.n, 22, '22 tracks');
    assert.equal(points.d, 26, '26 features');
    const kfold = await crossValidate(points, labels, { seed: 0 });
    assert.equal(kfold.nFolds, 5, 'min(5, 11) folds'); // min(5, 11)
    const plain = only(kfold);
    assert.equal(plain.accuracy, 1, 'every track right');
    assert.equal(plain.pooledAccuracy, 1, 'every track right, pooled');
    assert.deepEqual(plain.confusion, { labels: ['dance', 'folk'], matrix: [[11, 0], [0, 11]] }, 'no confusion');
    assert.deepEqual(plain.predictions, labels, 'every prediction right');
    const loo = only(await crossValidate(points, labels, { cv: 'loo' }));
    assert.equal(loo.accuracy, 1, 'leave-one-out: every track right');
    assert.deepEqual(loo.confusion.matrix, [[11, 0], [0, 11]], 'leave-one-out: no confusion');
  });

  test('deterministic for a seed', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [Math.sin(i * 1.7) + (i % 3), Math.cos(i * 0.9) * (i % 2 ? 1 : -1), (i * 7) % 5]);
    const labels = rows.map((_, i) => ['x', 'y', 'z'][i % 3]);
    const points = pointsFromRows(rows);
    const a = await crossValidate(points, labels, { seed: 11, folds: 4 });
    const b = await crossValidate(points, labels, { seed: 11, folds: 4 });
    assert.deepEqual(a, b, 'the same seed, the same report');
    assert.equal(a.seed, 11, 'the seed is reported');
    const c = await crossValidate(points, labels, { seed: 12, folds: 4 });
    assert.notDeepEqual(
      c.protocols[0].folds.map((f) => f.testIndices),
      a.protocols[0].folds.map((f) => f.testIndices), 'another seed, other folds',
    );
  });

  test('default folds: min(5, smallest class size)', async () => {
    const rows = Array.from({ length: 13 }, (_, i) => [i < 10 ? 0 : 4, i % 2]);
    const labels = rows.map((_, i) => (i < 10 ? 'big' : 'small'));
    const report = await crossValidate(pointsFromRows(rows), labels);
    assert.equal(report.nFolds, 3, 'min(5, 3) folds');
    assert.equal(report.cv, 'kfold', 'k-fold by default');
    assert.equal(report.C, 1, 'C 1 by default');
    assert.equal(report.seed, 0, 'seed 0 by default');
  });

  test('rejects unusable input with a ParameterError naming the parameter and the value', async () => {
    const p = pointsFromRows(HAND_ROWS);
    await assert.rejects(crossValidate(p, HAND_LABELS.slice(1)), parameterError('labels', '8 labels for 9 points', 'one label per point'), 'too few labels');
    await assert.rejects(crossValidate(p, HAND_LABELS.map(() => 'a')), parameterError('labels', 'all 9 points labelled "a"', 'at least 2 classes'), 'one class');
    const one = [...HAND_LABELS.slice(0, 8), 'c'];
    await assert.rejects(
      crossValidate(p, one),
      parameterError('labels', 'class "c" has 1 member', 'at least 2 members in every class for cross-validation'),
      'a class of one',
    );
    await assert.rejects(
      crossValidate(p, HAND_LABELS, { folds: 5 }),
      parameterError('folds', '5', 'at most 4, the members of the smallest class ("b"); or leave-one-out'),
      'more folds than the smallest class has points',
    );
    await assert.rejects(crossValidate(p, HAND_LABELS, { folds: 1 }), parameterError('folds', '1', 'an integer ≥ 2'), 'folds 1');
    await assert.rejects(crossValidate(p, HAND_LABELS, { folds: 2.5 }), parameterError('folds', '2.5', 'an integer ≥ 2'), 'folds 2.5');
    await assert.rejects(crossValidate(p, HAND_LABELS, { C: 0 }), parameterError('C', '0', 'a positive number'), 'C 0');
    await assert.rejects(crossValidate(p, HAND_LABELS, { cv: 'shuffle' as never }), parameterError('cv', '"shuffle"', 'one of kfold, loo'), 'cv');
    const withNaN = pointsFromRows(HAND_ROWS.map((r, i) => (i === 6 ? [r[0], NaN] : r)));
    await assert.rejects(crossValidate(withNaN, HAND_LABELS), parameterError('points', 'point 6 (b) has NaN in feature 1', 'finite features'), 'NaN');
    await assert.rejects(crossValidate(p, HAND_LABELS, { reduce: { model: 'pca', ndims: 0 } }), parameterError('ndims', '0', 'an integer ≥ 1'), 'ndims 0');
  });
});

describe('folds', () => {
  test('stratified: every fold holds every class, in sklearn StratifiedKFold proportions', () => {
    const labels = [...Array(7).fill('a'), ...Array(5).fill('b'), ...Array(3).fill('c')].map(String);
    // interleave so classes are not contiguous
    const mixed = labels.map((_, i) => labels[(i * 4) % labels.length]);
    for (const seed of [0, 1, 2, 99]) {
      const folds = stratifiedFolds(mixed, 3, { seed });
      assert.equal(folds.length, 3, `seed ${seed}: 3 folds`);
      const all = folds.flat().sort((x, y) => x - y);
      assert.deepEqual(all, mixed.map((_, i) => i), `seed ${seed}: the folds partition the points`); // a partition
      for (const f of folds) {
        assert.deepEqual(f, [...f].sort((x, y) => x - y), `seed ${seed}: indices in order within a fold`);
        assert.deepEqual([...new Set(f.map((i) => mixed[i]))].sort(), ['a', 'b', 'c'], `seed ${seed}: every class in every fold`);
      }
      // per-fold class counts = dealing the class-sorted labels round-robin (scikit-learn's allocation)
      const sorted = [...mixed].sort();
      for (let k = 0; k < 3; k++) {
        const expected = sorted.filter((_, j) => j % 3 === k);
        assert.deepEqual(folds[k].map((i) => mixed[i]).sort(), expected, `seed ${seed} fold ${k}: scikit-learn's class counts`);
      }
    }
    assert.notDeepEqual(stratifiedFolds(mixed, 3, { seed: 0 }), stratifiedFolds(mixed, 3, { seed: 1 }), 'another seed, other folds');
  });

  test('every k-fold run of crossValidate trains on every class', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => [i % 3, Math.floor(i / 3)]);
    const labels = rows.map((_, i) => (i % 4 === 0 ? 'p' : 'q')); // 3 p, 9 q
    const report = await crossValidate(pointsFromRows(rows), labels, { folds: 3, seed: 5 });
    for (const f of report.protocols[0].folds) {
      assert.deepEqual([...new Set(f.testIndices.map((i) => labels[i]))].sort(), ['p', 'q'], 'every fold tests both classes');
      assert.equal(f.trainSize + f.testSize, 12, 'every point is in training or test');
    }
  });

  test('leave-one-out', () => {
    assert.deepEqual(leaveOneOutFolds(3), [[0], [1], [2]], 'a fold per point');
  });
});

describe('with a reduction: transductive vs leak-free', () => {
  /**
   * A set built to leak. Two folds (stratifiedFolds(labels, 2, { seed })), each with 3 points of class A and
   * 2 of class B. Feature 0 carries the class (A −1, B +1; variance 0.96). Each fold also has two nuisance
   * features of its own, zero in the other fold, with equal class means and no correlation with anything:
   * A (s, t), (−s, t), (0, −2t); B (s, 0), (−s, 0) — variances 4s²/5 and 6t²/5, 1.57 and 1.2 in fold 0
   * (s = 1.4, t = 1), 1.8 and 1.08 in fold 1 (s = 1.5, t = 0.95).
   *
   * Leak-free: PCA on one fold alone keeps its two nuisance axes (1.57, 1.2 or 1.8, 1.08 > 0.96) and drops
   * the class axis. The other fold's points are zero on those axes: they project onto the training mean.
   * There the SVM, trained on features that carry no class information, predicts the majority class A
   * (its dual optimum has w = 0 and A's multipliers free), so each fold scores 3/5: accuracy 0.6.
   *
   * Transductive: PCA on all ten points halves every nuisance variance (0.78, 0.6, 0.9, 0.54), so the class
   * axis (0.96) comes first and the second axis is a nuisance one: the SVM separates by feature 0 and
   * every point is right: accuracy 1.
   */
  function leakyCase(seed: number): { points: Points; labels: string[] } {
    const labels = ['A', 'B', 'A', 'A', 'B', 'A', 'B', 'A', 'B', 'A'];
    const folds = stratifiedFolds(labels, 2, { seed });
    const rows = labels.map(() => [0, 0, 0, 0, 0]);
    const scale = [[1.4, 1], [1.5, 0.95]];
    folds.forEach((fold, f) => {
      const [s, t] = scale[f];
      const a = fold.filter((i) => labels[i] === 'A');
      const b = fold.filter((i) => labels[i] === 'B');
      assert.equal(a.length, 3, '3 A in each fold');
      assert.equal(b.length, 2, '2 B in each fold');
      const patterns = [[s, t], [-s, t], [0, -2 * t], [s, 0], [-s, 0]];
      [...a, ...b].forEach((i, k) => {
        rows[i][0] = labels[i] === 'A' ? -1 : 1;
        rows[i][1 + 2 * f] = patterns[k][0];
        rows[i][2 + 2 * f] = patterns[k][1];
      });
    });
    return { points: pointsFromRows(rows), labels };
  }

  test('both protocols on the same folds; the transductive score is optimistic', async () => {
    const seed = 7;
    const { points, labels } = leakyCase(seed);
    const report = await crossValidate(points, labels, { folds: 2, seed, reduce: { model: 'pca', ndims: 2 } });
    assert.deepEqual(report.reduce, { model: 'pca', ndims: 2 }, 'the reduction is reported');
    assert.equal(report.explanation, PROTOCOL_EXPLANATION, 'the explanation of the protocols');
    assert.deepEqual(report.protocols.map((p) => p.protocol), ['plain', 'transductive', 'leak-free'], 'the three protocols');
    const [plain, transductive, leakFree] = report.protocols;
    assert.deepEqual(plain.folds.map((f) => f.testIndices), transductive.folds.map((f) => f.testIndices), 'plain runs on the same folds');
    assert.deepEqual(
      transductive.folds.map((f) => f.testIndices),
      leakFree.folds.map((f) => f.testIndices), 'transductive and leak-free run on the same folds',
    );
    assert.deepEqual(transductive.folds.map((f) => f.testIndices), stratifiedFolds(labels, 2, { seed }), 'the folds of stratifiedFolds with the seed');

    assert.equal(transductive.accuracy, 1, 'transductive: every point right');
    assert.deepEqual(transductive.confusion.matrix, [[6, 0], [0, 4]], 'transductive: no confusion');
    assert.equal(leakFree.accuracy, 0.6, 'leak-free: 6 of 10');
    assert.equal(leakFree.pooledAccuracy, 0.6, 'leak-free: 6 of 10, pooled');
    assert.deepEqual(leakFree.confusion.matrix, [[6, 0], [4, 0]], 'leak-free: every B taken for an A');
    assert.deepEqual(leakFree.predictions, labels.map(() => 'A'), 'leak-free predicts the majority class throughout');
  });

  test('without leakage to exploit both protocols agree (generated tracks, PCA to 2-D, LOO)', async () => {
    // Verified value: in the 2-D PCA plane the first component separates the styles, but one folk
    // track sits close to the dance tracks and the linear SVM (C = 1, which also leans on the second
    // component) puts it on their side, in both protocols.
    const { points, labels } = syntheticAlbumPoints();
    const report = await crossValidate(points, labels, { cv: 'loo', reduce: { model: 'pca', ndims: 2 } });
    assert.equal(report.nFolds, 22, 'a fold per track');
    const [, transductive, leakFree] = report.protocols;
    for (const p of [transductive, leakFree]) {
      assert.equal(p.accuracy, 21 / 22, '21 of 22 right');
      assert.deepEqual(p.confusion.matrix, [[11, 0], [1, 10]], 'one folk track on the dance side');
    }
    assert.deepEqual(transductive.predictions, leakFree.predictions, 'both protocols predict the same');
  });
});
