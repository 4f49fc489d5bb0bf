import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classicalMds,
  fitReducer,
  placeByStress,
  reduce,
  REDUCE_MODELS,
  smacof,
  type ReduceModel,
} from '../../src/transforms/reduce.js';
import { guttman2, guttman3, guttmanK } from '../../src/transforms/reduce/smacof.js';
import { euclideanDistances, pointsFromRows, selectPoints, type Points } from '../../src/transforms/points.js';
import { createRandom, subSeed } from '../../src/util/random.js';
import { FIXTURE_CASES, loadReference } from '../helpers/fixtures.js';
import { assertClose, parameterError } from '../helpers/assert.js';

/** Fail (with the number) unless value ≤ limit. */
function below(value: number, limit: number, what: string): void {
  assert.ok(value <= limit, `${what}: ${value} > ${limit}`);
}

function column(p: Points, c: number): number[] {
  return Array.from({ length: p.n }, (_, i) => p.data[i * p.d + c]);
}

function sampleVariance(values: number[]): number {
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}

/** Largest relative error of the embedding's pairwise distances against `target` (pairs with target > 0). */
function worstDistanceError(embedded: Points, target: Float64Array): number {
  const got = euclideanDistances(embedded);
  let w = 0;
  for (let i = 0; i < got.length; i++) if (target[i] > 0) w = Math.max(w, Math.abs(got[i] - target[i]) / target[i]);
  return w;
}

/**
 * Points that are exactly 2-D: plane coordinates (a, b) uniform in [−5, 5) × [−3, 3), placed in 4-D through
 * the orthonormal directions (1, 1, 1, 1)/2 and (1, −1, 1, −1)/2 plus an offset.
 */
function planar(n: number, seed: number): { points: Points; plane: number[][] } {
  const rnd = createRandom(seed);
  const plane = Array.from({ length: n }, () => [10 * rnd() - 5, 6 * rnd() - 3]);
  const rows = plane.map(([a, b]) => [1 + (a + b) / 2, -2 + (a - b) / 2, 3 + (a + b) / 2, (a - b) / 2]);
  return { points: pointsFromRows(rows), plane };
}

const realRows = loadReference(FIXTURE_CASES[0]).zscore_within_resample_1s.values;

// ---------------------------------------------------------------------------------------------------
// PCA
// ---------------------------------------------------------------------------------------------------

describe('pca', () => {
  test("Lindsay Smith's tutorial dataset: published eigenvalues, eigenvectors and projected data", () => {
    // L. I. Smith, "A tutorial on Principal Components Analysis" (2002), §3: covariance eigenvalues
    // 1.28402771 and 0.0490833989, eigenvectors (−.677873399, −.735178656) and (−.735178656, .677873399),
    // and the data expressed in both eigenvectors (published to 9 significant digits). The tutorial's
    // signs happen to be svd_flip's.
    const x = [2.5, 0.5, 2.2, 1.9, 3.1, 2.3, 2, 1, 1.5, 1.1];
    const y = [2.4, 0.7, 2.9, 2.2, 3.0, 2.7, 1.6, 1.1, 1.6, 0.9];
    const e = reduce(pointsFromRows(x.map((v, i) => [v, y[i]])), { model: 'pca', ndims: 2 });
    const published = {
      eigenvalues: [1.28402771, 0.0490833989],
      components: [-0.677873399, -0.735178656, -0.735178656, 0.677873399],
      first: [-0.827970186, 1.77758033, -0.992197494, -0.274210416, -1.67580142, -0.912949103, 0.0991094375, 1.14457216, 0.438046137, 1.22382056],
      second: [-0.175115307, 0.142857227, 0.384374989, 0.130417207, -0.209498461, 0.175282444, -0.349824698, 0.0464172582, 0.0177646297, -0.162675287],
    };
    assertClose(e.explainedVariance!, published.eigenvalues, 5e-9, 'the published eigenvalues'); // measured 1.7e-9
    assertClose(e.components!.data, published.components, 1e-9, 'the published eigenvectors'); // measured 4.7e-10
    assertClose(column(e.points, 0), published.first, 1e-8, 'the data in the first eigenvector'); // measured 4.0e-9
    assertClose(column(e.points, 1), published.second, 1e-9, 'the data in the second eigenvector'); // measured 4.6e-10
    const total = 1.28402771 + 0.0490833989;
    assertClose(e.explainedVarianceRatio!, [1.28402771 / total, 0.0490833989 / total], 5e-11, 'the explained variance ratios'); // measured 3.2e-11
  });

  // A 3-D dataset built from known orthonormal axes u, w, z with coefficient vectors t, s, r that are
  // centred and mutually orthogonal: the principal axes are u, w, z, the variances (ddof 1) are
  // Σt²/4 = 2.5, Σs²/4 = 0.25, Σr²/4 = 0.025 and the scores are t, s, r up to the sign convention.
  const u = [2 / 3, 2 / 3, 1 / 3];
  const w = [-2 / 3, 1 / 3, 2 / 3];
  const z = [1 / 3, -2 / 3, 2 / 3];
  const t = [-2, -1, 0, 1, 2];
  const s = [0.5, -0.5, 0, -0.5, 0.5];
  const r = [0.1, -0.2, 0, 0.2, -0.1];
  const mean = [10, -3, 0.5];
  const at = (a: number, b: number, c: number) => mean.map((m, k) => m + a * u[k] + b * w[k] + c * z[k]);
  const hand = pointsFromRows(t.map((_, i) => at(t[i], s[i], r[i])));

  test('hand-made 3-D data: axes, variances, ratios, scores and signs derived analytically', () => {
    const e = reduce(hand, { model: 'pca', ndims: 3 });
    // Signs: axis 1's largest |t| is a tie between points 0 (−2) and 4 (+2) → the first, point 0, is made
    // positive, so the scores are −t and the axis is −u; axis 2: s's first largest is +0.5 → kept; axis 3:
    // r's largest |r| = 0.2 first at point 1 (−0.2) → flipped to −r, axis −z.
    assertClose(e.components!.data, [...u.map((v) => -v), ...w, ...z.map((v) => -v)], 2e-15, 'the axes −u, w, −z'); // measured 7.8e-16
    assertClose(column(e.points, 0), t.map((v) => -v), 2e-15, 'scores on axis 1: −t'); // measured 8.9e-16
    assertClose(column(e.points, 1), s, 2e-15, 'scores on axis 2: s'); // measured 1.1e-15
    assertClose(column(e.points, 2), r.map((v) => -v), 5e-15, 'scores on axis 3: −r'); // measured 1.4e-15
    assertClose(e.explainedVariance!, [2.5, 0.25, 0.025], 1e-15, 'the variances 2.5, 0.25, 0.025'); // measured 4.4e-16
    assertClose(e.explainedVarianceRatio!, [10 / 11.1, 1 / 11.1, 0.1 / 11.1], 1e-15, 'the ratios over the total 11.1'); // measured 1.5e-16

    // Two components: the ratios are still over the total variance, so they sum to less than 1.
    const e2 = fitReducer(hand, { model: 'pca', ndims: 2 });
    assertClose(e2.embedding.explainedVarianceRatio!, [10 / 11.1, 1 / 11.1], 1e-15, 'two axes: ratios still over the total variance'); // measured 1.5e-16
    // project = (x − mean)·components: a new point at mean + 1.5u − 0.3w + 0.7z.
    const projected = e2.project(pointsFromRows([at(1.5, -0.3, 0.7)]));
    assertClose(projected.data, [-1.5, -0.3], 2e-15, 'the projection of mean + 1.5u − 0.3w + 0.7z'); // measured 1e-15
    const projected3 = fitReducer(hand, { model: 'pca', ndims: 3 }).project(pointsFromRows([at(1.5, -0.3, 0.7), mean]));
    assertClose(projected3.data, [-1.5, -0.3, -0.7, 0, 0, 0], 2e-15, 'three axes: the new point, and the mean at the origin'); // measured 1e-15
  });

  test('the sign convention does not depend on the order of the features or on a shift of the data', () => {
    const a = reduce(hand, { model: 'pca', ndims: 3 });
    const shifted = pointsFromRows(t.map((_, i) => at(t[i], s[i], r[i]).map((v) => v + 1000)));
    const b = reduce(shifted, { model: 'pca', ndims: 3 });
    assertClose(a.points.data, b.points.data, 1e-13, 'shifting the data by 1000 keeps the scores'); // measured 4e-14
    const permuted = pointsFromRows(t.map((_, i) => at(t[i], s[i], r[i])).map((row) => [row[2], row[0], row[1]]));
    const c = reduce(permuted, { model: 'pca', ndims: 3 });
    assertClose(a.points.data, c.points.data, 2e-15, 'permuting the features keeps the scores'); // measured 1e-15
  });

  test('real 1 s rows: matches numpy SVD + svd_flip (scikit-learn 1.2 PCA) values', () => {
    // Computed independently with numpy 2 on fixtures/reference/psy-gangnam-style.reference.json:
    // Xc = X − mean; U, S, Vt = svd(Xc); svd_flip(U, Vt); explained_variance_ = S²/(n − 1).
    const e = reduce(pointsFromRows(realRows), { model: 'pca', ndims: 3 });
    assert.equal(e.points.n, 214, 'a point per 1 s row');
    assertClose(e.explainedVarianceRatio!, [0.2137909808559747, 0.17418447488812105, 0.12164637135516211], 1e-15, 'explained variance ratios as numpy'); // measured 3.6e-16
    assertClose(e.explainedVariance!, [2.4083641121790538, 1.9621952083278487, 1.3703513308914737], 2e-15, 'explained variances as numpy'); // measured 1.1e-15
    const rows = [0, 1, 100].flatMap((i) => Array.from(e.points.data.subarray(i * 3, i * 3 + 3)));
    const expected = [
      [4.096139978997791, 4.152287094062442, -2.703134277538458],
      [3.3602455987737674, 4.7285876050296425, -3.4277822492026497],
      [0.3792278861422585, 0.7301826850316533, 1.1004716954602498],
    ].flat();
    assertClose(rows, expected, 2e-14, 'rows 0, 1 and 100 as numpy'); // measured 7.4e-15
    assertClose(e.components!.data.subarray(0, 5), [-0.07125979834039946, -0.0003985252515193101, 0.00830222771656742, 0.14195916283978058, 0.16192016529460335], 5e-15, 'the first axis\'s first 5 loadings as numpy'); // measured 1.7e-15
  });

  test('real 1 s rows: projected variances are the eigenvalues, axes orthonormal eigenvectors of the covariance', () => {
    const pts = pointsFromRows(realRows);
    const { n, d } = pts;
    const e = reduce(pts, { model: 'pca', ndims: 3 });
    // Covariance (ddof 1) and total variance, computed here independently.
    const mean = new Array(d).fill(0);
    for (const row of realRows) row.forEach((v, c) => (mean[c] += v / n));
    const cov = Array.from({ length: d }, () => new Array(d).fill(0));
    for (const row of realRows) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] += ((row[a] - mean[a]) * (row[b] - mean[b])) / (n - 1);
    const totalVariance = cov.reduce((sum, row, a) => sum + row[a], 0);
    const comps = e.components!;
    for (let c = 0; c < 3; c++) {
      const v = Array.from(comps.data.subarray(c * d, (c + 1) * d));
      // variance of the projections = explained variance
      assertClose(sampleVariance(column(e.points, c)), e.explainedVariance![c], 1e-15, `axis ${c}: the variance of the projections is the explained variance`); // measured exact
      // C·v = λ·v
      const cv = cov.map((row) => row.reduce((sum, x, b) => sum + x * v[b], 0));
      assertClose(cv, v.map((x) => x * e.explainedVariance![c]), 2e-15, `axis ${c}: C·v = λ·v`); // measured 1e-15
      // ratio = λ / total variance
      assertClose(e.explainedVarianceRatio![c], e.explainedVariance![c] / totalVariance, 1e-15, `axis ${c}: ratio = λ / total variance`); // measured 3.1e-16
      for (let c2 = 0; c2 <= c; c2++) {
        let dotp = 0;
        for (let a = 0; a < d; a++) dotp += comps.data[c * d + a] * comps.data[c2 * d + a];
        assertClose(dotp, c === c2 ? 1 : 0, 1e-15, `axes ${c} and ${c2}: orthonormal`); // measured 2.2e-16
      }
    }
    assert.ok(e.explainedVariance![0] >= e.explainedVariance![1] && e.explainedVariance![1] >= e.explainedVariance![2], `explained variance in decreasing order: ${e.explainedVariance}`);
    const sum = e.explainedVarianceRatio!.reduce((a, b) => a + b, 0);
    assert.ok(sum > 0 && sum <= 1, `the explained variance ratios sum to a fraction (${sum})`);
    // The first axis is the maximum: no random direction has more variance.
    const rnd = createRandom(5);
    for (let k = 0; k < 50; k++) {
      const dir = Array.from({ length: d }, () => rnd() - 0.5);
      const norm = Math.hypot(...dir);
      const q = cov.reduce((acc, row, a) => acc + (dir[a] / norm) * row.reduce((s2, x, b) => s2 + x * (dir[b] / norm), 0), 0);
      below(q, e.explainedVariance![0] + 1e-12, 'variance along a random direction');
    }
  });

  test('fitted on some rows, projecting the same rows gives the embedding', () => {
    const pts = pointsFromRows(realRows);
    const f = fitReducer(pts, { model: 'pca', ndims: 2 });
    assertClose(f.project(pts).data, f.embedding.points.data, 1e-15, 'projecting the fitted rows gives the embedding'); // measured exact
  });

  test('wide data (more features than points) goes through the Gram matrix with the same result', () => {
    // 8 rows of the fixture with their 26 features duplicated with a twist → 52 features > 8 points.
    const rows = realRows.slice(0, 8).map((row) => [...row, ...row.map((v, c) => v * 0.5 + c)]);
    const e = reduce(pointsFromRows(rows), { model: 'pca', ndims: 3 });
    const tall = pointsFromRows(rows.concat(rows.map((row) => row.slice()))); // same rows twice: d = 52 < n = 16
    const f = reduce(tall, { model: 'pca', ndims: 3 });
    // Doubling every row doubles the sum of squares and keeps the axes and scores.
    assertClose(e.components!.data, f.components!.data, 1e-15, 'the axes through the Gram matrix equal those of the tall data'); // measured 3e-16
    assertClose(e.points.data, f.points.data.subarray(0, 8 * 3), 5e-15, 'the scores through the Gram matrix equal those of the tall data'); // measured 2e-15
    assertClose(e.explainedVarianceRatio!, f.explainedVarianceRatio!, 1e-15, 'the ratios through the Gram matrix equal those of the tall data'); // measured 5.6e-16
  });
});

// ---------------------------------------------------------------------------------------------------
// Classical MDS
// ---------------------------------------------------------------------------------------------------

describe('classical-mds', () => {
  test('Torgerson on exactly 2-D data reproduces the distances and equals the PCA coordinates', () => {
    const { points } = planar(30, 11);
    const dist = euclideanDistances(points);
    const cm = classicalMds(dist, points.n, { ndims: 2 });
    below(worstDistanceError(cm.points, dist), 1e-14, 'relative distance error'); // measured 3.8e-15
    const pca = reduce(points, { model: 'pca', ndims: 2 });
    // Same sign convention → the same numbers, not just up to sign.
    assertClose(cm.points.data, pca.points.data, 5e-15, 'classical MDS = PCA coordinates, signs included'); // measured 3.1e-15
    // The eigenvalues of B are the sums of squares along the axes; the trace is the total.
    assertClose(cm.eigenvalues.map((l) => l / (points.n - 1)), pca.explainedVariance!, 1e-15, 'the eigenvalues of B over n − 1 are the PCA variances'); // measured 3.5e-16
    assertClose(cm.eigenvalues[0] + cm.eigenvalues[1], cm.trace, 1e-15, 'two axes of 2-D data hold the whole trace'); // measured exact
    // reduce's classical-mds (computed from the points) agrees with the literal algorithm.
    const viaReduce = reduce(points, { model: 'classical-mds', ndims: 2 });
    assertClose(viaReduce.points.data, cm.points.data, 5e-15, 'reduce\'s classical-mds = the literal algorithm'); // measured 3.1e-15
    // Asking for 3 axes of 2-D data: the third has eigenvalue ≈ 0 and coordinates ≈ 0.
    const three = reduce(points, { model: 'classical-mds', ndims: 3 });
    below(Math.max(...column(three.points, 2).map(Math.abs)), 1e-15, 'largest |coordinate|'); // measured exact
    below(worstDistanceError(three.points, dist), 2e-15, 'relative distance error'); // measured 6.9e-16
  });

  test('real 1 s rows: literal Torgerson = reduce classical-mds = pca', () => {
    const pts = pointsFromRows(realRows.slice(0, 120));
    const cm = classicalMds(euclideanDistances(pts), pts.n, { ndims: 3 });
    const viaReduce = reduce(pts, { model: 'classical-mds', ndims: 3 });
    const pca = reduce(pts, { model: 'pca', ndims: 3 });
    assertClose(cm.points.data, pca.points.data, 2e-14, 'literal Torgerson = PCA'); // measured 1.2e-14
    assertClose(viaReduce.points.data, pca.points.data, 1e-15, 'reduce\'s classical-mds = PCA'); // measured exact
    assertClose(viaReduce.explainedVarianceRatio!, pca.explainedVarianceRatio!, 1e-15, 'reduce\'s classical-mds ratios = PCA\'s'); // measured exact
  });

  test("Gower's out-of-sample projection of held-out points equals their PCA projection", () => {
    const pts = pointsFromRows(realRows);
    const trainIdx = realRows.map((_, i) => i).filter((i) => i % 5 !== 0);
    const testIdx = realRows.map((_, i) => i).filter((i) => i % 5 === 0);
    const train = selectPoints(pts, trainIdx);
    const held = selectPoints(pts, testIdx);
    const cm = fitReducer(train, { model: 'classical-mds', ndims: 3 });
    const pca = fitReducer(train, { model: 'pca', ndims: 3 });
    const a = cm.project(held);
    const b = pca.project(held);
    assert.equal(a.n, testIdx.length, 'a projected point per held-out row');
    assertClose(a.data, b.data, 5e-15, 'classical-MDS projection = PCA projection of the held-out rows'); // measured 2.2e-15
    // A training point projects onto its own embedding.
    assertClose(cm.project(selectPoints(train, [3])).data, cm.embedding.points.data.subarray(9, 12), 2e-15, 'a training point projects onto its own embedding'); // measured 1e-15

    // On exactly 2-D data the held-out point keeps its distances to the training points.
    const { points } = planar(21, 4);
    const fit = fitReducer(selectPoints(points, Array.from({ length: 20 }, (_, i) => i)), { model: 'classical-mds', ndims: 2 });
    const y = fit.project(selectPoints(points, [20]));
    const all = pointsFromRows([...Array.from({ length: 20 }, (_, i) => Array.from(fit.embedding.points.data.subarray(2 * i, 2 * i + 2))), Array.from(y.data)]);
    below(worstDistanceError(all, euclideanDistances(points)), 1e-15, 'relative distance error'); // measured 6.0e-16
  });

  test('non-Euclidean dissimilarities: negative eigenvalues give zero coordinates', () => {
    // 4 points with δ01 = δ02 = δ13 = 0.5, δ03 = δ12 = 2, δ23 = 4 (2–3 breaks the triangle inequality):
    // B's eigenvalues are 8.4236…, 0 (the constant vector), −0.2986…, −1.9375 (numpy eigvalsh), so a third
    // axis has a negative eigenvalue.
    const n = 4;
    const d = new Float64Array(n * n);
    const set = (i: number, j: number, v: number) => ((d[i * n + j] = v), (d[j * n + i] = v));
    set(0, 1, 0.5);
    set(0, 2, 0.5);
    set(0, 3, 2);
    set(1, 2, 2);
    set(1, 3, 0.5);
    set(2, 3, 4);
    const cm = classicalMds(d, n, { ndims: 3 });
    assertClose(cm.eigenvalues[0], 8.42363876, 1e-9, 'the first eigenvalue as numpy\'s eigvalsh'); // measured 4.6e-10
    assertClose(cm.eigenvalues[1], 0, 2e-15, 'the constant vector\'s eigenvalue 0'); // measured 8.5e-16
    assertClose(cm.eigenvalues[2], -0.298638756, 2e-10, 'the negative eigenvalue as numpy\'s'); // measured 1e-10
    assertClose(cm.trace, 8.42363876 - 0.298638756 - 1.9375, 1e-9, 'the trace: the sum of all eigenvalues'); // measured 6.5e-10
    assert.deepEqual(column(cm.points, 2), [0, 0, 0, 0], 'the axis of a negative eigenvalue is all zeros');
    below(Math.max(...column(cm.points, 1).map(Math.abs)), 5e-8, 'largest |coordinate|'); // measured 1.5e-8
    assert.ok(cm.points.data.every(Number.isFinite), 'every coordinate finite');
  });

  test('malformed dissimilarity matrices are refused', () => {
    const refused = (delta: number[] | Float64Array, n: number, shown: string, expected: string): void =>
      assert.throws(() => classicalMds(Float64Array.from(delta), n, { ndims: 1 }), parameterError('dissimilarities', shown, expected), shown);
    refused([0, 1, 2, 0], 2, '[0][1] = 1 but [1][0] = 2', 'a symmetric matrix');
    refused([1, 1, 1, 0], 2, '[0][0] is 1', 'a zero diagonal');
    refused([0, NaN, NaN, 0], 2, '[0][1] is NaN', 'finite values ≥ 0');
    refused(new Float64Array(3), 2, '3 values', 'n × n = 2 × 2 values');
    assert.throws(() => classicalMds(new Float64Array(0), 0, { ndims: 1 }), parameterError('n', '0', 'a positive integer (the number of points)'), 'n = 0');
    assert.throws(() => classicalMds(new Float64Array(4), 2, { ndims: 2 }), parameterError('ndims', '2', 'an integer in [1, 1] for classical MDS of 2 points'), 'ndims ≥ n');
    assert.throws(() => smacof(new Float64Array([0, -1, -1, 0]), 2, { ndims: 2 }), parameterError('dissimilarities', '[0][1] is -1', 'finite values ≥ 0'), 'negative');
  });
});

// ---------------------------------------------------------------------------------------------------
// SMACOF / mds
// ---------------------------------------------------------------------------------------------------

describe('mds (SMACOF)', () => {
  // 7 points in 3-D; init = the 14 uniforms of createRandom(subSeed(7, 0)), i.e. smacof's start 0 for seed 7.
  const rows = [[0, 0, 0], [1, 0, 0.5], [0, 2, 1], [3, 1, -1], [-1, 1, 2], [2, -2, 0.5], [0.5, 0.5, -1.5]];
  const small = pointsFromRows(rows);

  test('matches a numpy transcription of scikit-learn 1.2 _smacof_single from the same start', () => {
    // Expected values: sklearn/manifold/_mds.py::_smacof_single (metric=True) transcribed line by line to
    // numpy and run from the same initial configuration (the 14 uniforms checked below).
    const r = createRandom(subSeed(7, 0));
    assert.equal(r(), 0.09995737043209374, 'the first uniform of smacof\'s start 0 for seed 7');
    const dist = euclideanDistances(small);
    const a = smacof(dist, 7, { ndims: 2, seed: 7, nInit: 1 });
    assert.equal(a.iterations, 27, '27 iterations at the default eps, as scikit-learn');
    assertClose(a.stress, 1.7711314228181125, 1e-15, 'scikit-learn\'s stress at the default eps'); // measured 1.3e-16
    const expectedA = [
      -0.14044738972456355, 0.30014644635129556, 0.5154904812159518, -0.19105929580553194, -0.6940855122783304, 1.9427261414273622,
      -1.0205762432253553, -2.461271855191485, 0.8493688997467655, 2.483588783763237, 2.096002179209549, -1.6210948652811807,
      -1.605752414944017, -0.45303535526369576,
    ];
    assertClose(a.points.data, expectedA, 1e-15, 'scikit-learn\'s configuration at the default eps'); // measured 6.7e-16
    const b = smacof(dist, 7, { ndims: 2, seed: 7, nInit: 1, eps: 1e-6 });
    assert.equal(b.iterations, 66, '66 iterations at eps 1e-6, as scikit-learn');
    assertClose(b.stress, 1.725380156924098, 1e-15, 'scikit-learn\'s stress at eps 1e-6'); // measured exact
    const expectedB = [
      -0.00481678410192405, 0.31904767560497593, 0.5645258016886111, -0.2052317063404204, -0.776080594484399, 1.9113039417505995,
      -1.1188499844045465, -2.4238285113798557, 0.7803508954507542, 2.5153105393463258, 2.0894249973771397, -1.661100652340366,
      -1.5345543315256356, -0.4555012866412594,
    ];
    assertClose(b.points.data, expectedB, 2e-15, 'scikit-learn\'s configuration at eps 1e-6'); // measured 7.8e-16
    // The reported stress is the one of the configuration before the last Guttman transform.
    assert.equal(a.stressHistory.length, 27, 'a stress per iteration');
    assert.equal(a.stressHistory[26], a.stress, 'the reported stress is the last of the history');
  });

  test('stress history never increases (real data, several seeds, 2 and 3 dimensions)', () => {
    const pts = pointsFromRows(realRows.slice(0, 100));
    const dist = euclideanDistances(pts);
    for (const seed of [0, 1, 2]) {
      for (const ndims of [2, 3]) {
        const r = smacof(dist, pts.n, { ndims, seed, nInit: 1, maxIter: 100 });
        assert.ok(r.stressHistory.length >= 10, `seed ${seed} ndims ${ndims}: at least 10 iterations (${r.stressHistory.length})`);
        for (let i = 1; i < r.stressHistory.length; i++) {
          assert.ok(r.stressHistory[i] <= r.stressHistory[i - 1] * (1 + 1e-12), `seed ${seed} ndims ${ndims} iteration ${i}`);
        }
        below(r.stressHistory.at(-1)!, r.stressHistory[0] / 10, 'final stress');
      }
    }
  });

  test('same seed → bit-identical coordinates; the best of nInit starts is kept', () => {
    const pts = pointsFromRows(realRows.slice(0, 60));
    const a = reduce(pts, { model: 'mds', ndims: 2, seed: 3 });
    const b = reduce(pts, { model: 'mds', ndims: 2, seed: 3 });
    assert.deepEqual(a.points.data, b.points.data, 'same seed: bit-identical coordinates');
    assert.equal(a.stress, b.stress, 'same seed: the same stress');
    const c = reduce(pts, { model: 'mds', ndims: 2, seed: 4 });
    assert.notDeepEqual(a.points.data, c.points.data, 'another seed: other coordinates');
    // nInit = 4 keeps the lowest stress of the four single starts.
    const dist = euclideanDistances(pts);
    const singles = [0, 1, 2, 3].map((s) => smacof(dist, pts.n, { ndims: 2, seed: 3, nInit: s + 1 }).stress);
    // smacof with nInit = s + 1 returns the min over starts 0..s, so the sequence is non-increasing.
    for (let s = 1; s < 4; s++) assert.ok(singles[s] <= singles[s - 1], `nInit ${s + 1} stress ${singles[s]} ≤ nInit ${s} stress ${singles[s - 1]}`);
    assert.equal(a.stress, singles[3], 'nInit 4 keeps the lowest of the four stresses');
  });

  test('exactly 2-D data: stress → 0 and distances reproduced, whatever the seed', () => {
    const { points } = planar(16, 3);
    const dist = euclideanDistances(points);
    const stresses: number[] = [];
    for (const seed of [0, 1, 2]) {
      const e = reduce(points, { model: 'mds', ndims: 2, seed, eps: 1e-12, maxIter: 3000 });
      assert.ok(e.stress! < 5e-10, `seed ${seed}: stress ${e.stress}`); // measured 1.5e-10 at most
      below(worstDistanceError(e.points, dist), 2e-5, 'relative distance error'); // measured 7.2e-6 at most
      stresses.push(e.stress!);
    }
    below(Math.max(...stresses) - Math.min(...stresses), 5e-11, `spread of the stresses ${stresses}`); // measured 1.9e-11
  });

  test('project places a held-out point where its distances to the training points are reproduced', () => {
    const { points } = planar(21, 3);
    const train = selectPoints(points, Array.from({ length: 20 }, (_, i) => i));
    const f = fitReducer(train, { model: 'mds', ndims: 2, eps: 1e-12, maxIter: 3000 });
    const held = selectPoints(points, [20]);
    const y = f.project(held);
    const conf = f.embedding.points;
    let worst = 0;
    for (let j = 0; j < 20; j++) {
      const got = Math.hypot(y.data[0] - conf.data[2 * j], y.data[1] - conf.data[2 * j + 1]);
      const want = euclideanDistances(selectPoints(points, [20, j]))[1];
      worst = Math.max(worst, Math.abs(got - want) / want);
    }
    assert.ok(worst < 1e-5, `relative residual ${worst}`); // measured 6.7e-6
    // Deterministic, and a training point lands on (very near) its own position.
    assert.deepEqual(f.project(held).data, y.data, 'projecting again gives the same point');
    const own = f.project(selectPoints(train, [5]));
    assertClose(own.data, conf.data.subarray(10, 12), 1e-6, 'a training point lands near its own position'); // measured 5.1e-7
    // The training embedding is untouched by projecting.
    assert.deepEqual(f.embedding.points.data, fitReducer(train, { model: 'mds', ndims: 2, eps: 1e-12, maxIter: 3000 }).embedding.points.data, 'projecting leaves the training embedding as fitted');
  });

  test('one Guttman step: the unrolled 2-D and 3-D copies are bit-identical to the generic one', () => {
    // 40 real rows as the dissimilarities; a configuration with two coincident points (the 1e-5 rule).
    const pts = pointsFromRows(realRows.slice(0, 40));
    const dist = euclideanDistances(pts);
    for (const k of [2, 3]) {
      const random = createRandom(subSeed(5, k));
      const x = Float64Array.from({ length: 40 * k }, () => random());
      for (let c = 0; c < k; c++) x[7 * k + c] = x[3 * k + c];
      const generic = new Float64Array(40 * k);
      const unrolled = new Float64Array(40 * k);
      const sg = guttmanK(dist, 40, k, x, generic);
      const su = k === 2 ? guttman2(dist, 40, x, unrolled) : guttman3(dist, 40, x, unrolled);
      assert.equal(su, sg, `k = ${k}: stress`);
      assert.deepEqual(unrolled, generic, `k = ${k}: B(x)·x`);
    }
  });

  test('other output dimensions take the generic step: 1-D and 4-D data are reproduced', () => {
    // Points on a line (1-D) and exactly 4-D points: SMACOF into ndims = 1 and 4 reaches zero stress.
    const line = pointsFromRows([0, 1, 3, 6, 10, 15].map((v) => [v, 2 * v]));
    const one = smacof(euclideanDistances(line), 6, { ndims: 1, init: Float64Array.from([0, 1, 2, 3, 4, 5]), maxIter: 3000, eps: 1e-12 });
    for (let i = 1; i < one.stressHistory.length; i++) assert.ok(one.stressHistory[i] <= one.stressHistory[i - 1] * (1 + 1e-12), `ndims 1 iteration ${i}`);
    below(one.stress, 1e-28, 'ndims 1 stress'); // measured 5.1e-29
    const random = createRandom(9);
    const four = pointsFromRows(Array.from({ length: 12 }, () => [random(), random(), random(), random()]));
    const dist = euclideanDistances(four);
    const r = smacof(dist, 12, { ndims: 4, seed: 1, maxIter: 3000, eps: 1e-12 });
    assert.equal(r.points.d, 4, '4 output dimensions');
    for (let i = 1; i < r.stressHistory.length; i++) assert.ok(r.stressHistory[i] <= r.stressHistory[i - 1] * (1 + 1e-12), `ndims 4 iteration ${i}`);
    below(worstDistanceError(r.points, dist), 5e-6, 'ndims 4 relative distance error'); // measured 2.7e-6
  });

  test('placeByStress finds the exact spot against an exact configuration', () => {
    const conf = pointsFromRows([[0, 0], [4, 0], [0, 3], [4, 3]]);
    const target = [1, 2];
    const delta = [[0, 0], [4, 0], [0, 3], [4, 3]].map(([a, b]) => Math.hypot(a - target[0], b - target[1]));
    assertClose(placeByStress(conf, delta), target, 2e-10, 'the spot whose distances are the dissimilarities'); // measured 1.1e-10
  });
});

// ---------------------------------------------------------------------------------------------------
// UMAP
// ---------------------------------------------------------------------------------------------------

describe('umap', () => {
  const pts = pointsFromRows(realRows.slice(0, 50));

  test('deterministic for a seed, right shape, and projection is deterministic', () => {
    const a = fitReducer(pts, { model: 'umap', ndims: 2, seed: 9 });
    const b = fitReducer(pts, { model: 'umap', ndims: 2, seed: 9 });
    assert.equal(a.embedding.points.n, 50, 'a point per row');
    assert.equal(a.embedding.points.d, 2, '2 dimensions');
    assert.equal(a.embedding.points.data.length, 100, 'n × 2 coordinates');
    assert.ok(a.embedding.points.data.every(Number.isFinite), 'every coordinate finite');
    assert.deepEqual(a.embedding.points.data, b.embedding.points.data, 'same seed: the same embedding');
    const c = reduce(pts, { model: 'umap', ndims: 2, seed: 10 });
    assert.notDeepEqual(a.embedding.points.data, c.points.data, 'another seed: another embedding');

    const held = pointsFromRows(realRows.slice(50, 55));
    const before = new Float64Array(a.embedding.points.data);
    const p1 = a.project(held);
    const p2 = a.project(held);
    assert.equal(p1.n, 5, 'a projected point per held-out row');
    assert.equal(p1.d, 2, '2 dimensions');
    assert.ok(p1.data.every(Number.isFinite), 'every projected coordinate finite');
    assert.deepEqual(p1.data, p2.data, 'projecting twice gives the same points');
    assert.deepEqual(b.project(held).data, p1.data, 'the same fit from the same seed projects the same');
    // A batch as large as the training set (umap-js would move the training points) leaves the fit alone.
    const full = a.project(pointsFromRows(realRows.slice(60, 110)));
    assert.deepEqual(a.project(held).data, p1.data, 'projecting a large batch left the fit alone');
    // …and is projected as its first n − 1 points followed by the last one.
    assert.deepEqual(full.data.subarray(0, 49 * 2), a.project(pointsFromRows(realRows.slice(60, 109))).data, 'a large batch is projected as its first n − 1 points then the last');
    assert.deepEqual(a.embedding.points.data, before, 'the training embedding is unchanged by projecting');
  });

  test('three dimensions', () => {
    const e = reduce(pts, { model: 'umap', ndims: 3, seed: 1 });
    assert.equal(e.points.d, 3, '3 dimensions');
    assert.equal(e.points.data.length, 150, '50 points × 3 coordinates');
  });

  test('too few points is a ParameterError that names the models that take fewer', () => {
    assert.throws(
      () => reduce(pointsFromRows(realRows.slice(0, 3)), { model: 'umap', ndims: 2 }),
      parameterError('points', '3 points', 'at least 4 points for umap into 2 dimensions; pca and mds take fewer'),
      'umap with 3 points',
    );
    const tiny = reduce(pointsFromRows(realRows.slice(0, 4)), { model: 'umap', ndims: 2 });
    assert.equal(tiny.points.n, 4, '4 points are enough for umap into 2 dimensions');
  });
});

// ---------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------

describe('validation', () => {
  const pts = pointsFromRows(realRows.slice(0, 20));

  test('ndims must be 2 or 3', () => {
    for (const model of REDUCE_MODELS) {
      for (const ndims of [1, 4, 2.5, NaN]) assert.throws(() => reduce(pts, { model, ndims }), parameterError('ndims', String(ndims), '2 or 3'), `${model} ${ndims}`);
    }
  });

  test('unknown model', () => {
    assert.throws(() => reduce(pts, { model: 'tsne' as ReduceModel, ndims: 2 }), parameterError('model', '"tsne"', 'one of pca, mds, classical-mds, umap'), 'tsne');
    assert.throws(() => reduce(pts, { model: 'pca', ndims: 2, seed: Infinity }), parameterError('seed', 'Infinity', 'a finite number'), 'seed');
  });

  test('too few points, too few features, identical points', () => {
    assert.throws(
      () => reduce(selectPoints(pts, [0, 1, 2]), { model: 'pca', ndims: 3 }),
      parameterError('points', '3 points', 'at least 4 points for pca into 3 dimensions'),
      'pca with 3 points',
    );
    assert.throws(
      () => reduce(selectPoints(pts, [0, 1]), { model: 'mds', ndims: 2 }),
      parameterError('points', '2 points', 'at least 3 points for mds into 2 dimensions'),
      'mds with 2 points',
    );
    assert.throws(
      () => reduce(pointsFromRows([[1, 2], [3, 4], [5, 7], [1, 1]]), { model: 'pca', ndims: 3 }),
      parameterError('points', '2 features', 'at least 3 features for pca into 3 dimensions'),
      'pca with 2 features',
    );
    assert.throws(
      () => reduce(pointsFromRows([[], [], []]), { model: 'mds', ndims: 2 }),
      parameterError('points', '0 features', 'at least 1 feature to reduce'),
      'no features',
    );
    assert.throws(
      () => reduce(pointsFromRows([[1, 2], [1, 2], [1, 2]]), { model: 'mds', ndims: 2 }),
      parameterError('points', 'all 3 points identical', 'points that differ: identical points have no structure to reduce'),
      'identical points',
    );
    // classical-mds and mds accept more output dimensions than features.
    const flat = pointsFromRows([[1, 2], [3, 4], [5, 7], [1, 1]]);
    assert.equal(reduce(flat, { model: 'classical-mds', ndims: 3 }).points.d, 3, 'classical MDS into more dimensions than features');
    assert.equal(reduce(flat, { model: 'mds', ndims: 3 }).points.d, 3, 'mds into more dimensions than features');
  });

  test('a non-finite value names the point', () => {
    const rows = realRows.slice(0, 20).map((r) => r.slice());
    rows[7][4] = NaN;
    for (const model of REDUCE_MODELS) {
      assert.throws(
        () => reduce(pointsFromRows(rows), { model, ndims: 2 }),
        parameterError('points', 'point 7 has NaN in feature 4', 'finite values; drop or fill missing values before reducing'),
        model,
      );
    }
    const f = fitReducer(pts, { model: 'pca', ndims: 2 });
    assert.throws(
      () => f.project(pointsFromRows([rows[7]])),
      parameterError('points', 'new point 0 has NaN in feature 4', 'finite values; drop or fill missing values before reducing'),
      'projecting NaN',
    );
    assert.throws(
      () => f.project(pointsFromRows([[1, 2, 3]])),
      parameterError('points', '3 features', '26 features, as the points the reduction was fitted on'),
      'projecting 3 features',
    );
  });

  test('bad SMACOF options', () => {
    assert.throws(() => reduce(pts, { model: 'mds', ndims: 2, nInit: 0 }), parameterError('nInit', '0', 'a positive integer'), 'nInit');
    assert.throws(() => reduce(pts, { model: 'mds', ndims: 2, maxIter: 1.5 }), parameterError('maxIter', '1.5', 'a positive integer'), 'maxIter');
    assert.throws(() => reduce(pts, { model: 'mds', ndims: 2, eps: -1 }), parameterError('eps', '-1', 'a number ≥ 0'), 'eps');
    const dist = euclideanDistances(selectPoints(pts, [0, 1, 2]));
    assert.throws(() => smacof(dist, 3, { ndims: 2, init: new Float64Array(5) }), parameterError('init', '5 values', 'n × ndims = 3 × 2 values'), 'init');
    assert.throws(() => smacof(dist, 3, { ndims: 0 }), parameterError('ndims', '0', 'a positive integer'), 'smacof ndims');
    assert.throws(
      () => placeByStress(pointsFromRows([[0, 0], [1, 0]]), [1]),
      parameterError('delta', '1 dissimilarities', '2, one per configuration point'),
      'placeByStress',
    );
  });

  test('projecting zero points gives zero points, for every model', () => {
    for (const model of REDUCE_MODELS) {
      const p = fitReducer(pts, { model, ndims: 2 }).project({ n: 0, d: 26, data: new Float64Array(0) });
      assert.equal(p.n, 0, `${model}: no points`);
      assert.equal(p.d, 2, `${model}: still 2 dimensions`);
    }
  });
});
