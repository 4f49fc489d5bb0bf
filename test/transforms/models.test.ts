/**
 * Fitted models that save and load (mljs's convention): fit, `toJSON()`, `JSON.stringify` / `JSON.parse`,
 * load, then transform / project / predict new points — the same numbers, bit for bit.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitReducer, loadReducer, REDUCE_MODELS, type FittedReducer } from '../../src/transforms/reduce.js';
import { fitKMeans, loadKMeans } from '../../src/transforms/cluster.js';
import { fitNormalizer, loadNormalizer, zscoreWithin } from '../../src/transforms/normalize.js';
import { pointsFromMatrix, pointsFromRows } from '../../src/transforms/points.js';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { binMeans } from '../../src/transforms/resample.js';
import { createMatrix } from '../../src/matrix/featureMatrix.js';
import { FIXTURE_CASES, loadReference } from '../helpers/fixtures.js';
import { generateAnalysis } from '../../src/synth/generate.js';
import { parameterError } from '../helpers/assert.js';

/** Through a JSON file and back, as a saved model travels. */
function roundTrip(value: { toJSON(): unknown }): unknown {
  return JSON.parse(JSON.stringify(value));
}

const rows = loadReference(FIXTURE_CASES[0]).zscore_within_resample_1s.values;
const train = pointsFromRows(rows.slice(0, 60));
const fresh = pointsFromRows(rows.slice(60, 75));

describe('reducers save and load', () => {
  for (const model of REDUCE_MODELS) {
    test(`${model}: the loaded reducer has the same embedding and projects new points identically`, () => {
      const fitted = fitReducer(train, { model, ndims: 2, seed: 3 });
      const json = roundTrip(fitted);
      assert.equal((json as { kind: string }).kind, 'songscope/reducer', 'kind');
      assert.equal((json as { model: string }).model, model, 'model');
      const loaded: FittedReducer = loadReducer(json);
      assert.deepEqual(loaded.embedding, fitted.embedding, 'embedding');
      const expected = fitted.project(fresh);
      assert.ok(expected.data.every(Number.isFinite), 'finite projections');
      assert.deepEqual(loaded.project(fresh), expected, 'projection of 15 new points');
      // Saving the loaded model gives the same JSON.
      assert.deepEqual(roundTrip(loaded), json, 'saved again');
    });
  }

  test('three dimensions (pca)', () => {
    const fitted = fitReducer(train, { model: 'pca', ndims: 3 });
    assert.deepEqual(loadReducer(roundTrip(fitted)).project(fresh), fitted.project(fresh), 'projection');
  });

  test('load refuses another kind, version, model or a damaged field, naming it', () => {
    const json = roundTrip(fitReducer(train, { model: 'pca', ndims: 2 })) as Record<string, unknown>;
    assert.throws(() => loadReducer([1, 2]), parameterError('json', 'an array', 'a saved songscope/reducer model (an object)'), 'array');
    assert.throws(() => loadReducer({ ...json, kind: 'songscope/kmeans' }), parameterError('json', 'kind "songscope/kmeans"', 'kind "songscope/reducer"'), 'kind');
    assert.throws(() => loadReducer({ ...json, version: 2 }), parameterError('json', 'version 2', 'version 1 of the songscope/reducer format'), 'version');
    assert.throws(() => loadReducer({ ...json, model: 'tsne' }), parameterError('json', 'model "tsne"', 'one of pca, mds, classical-mds, umap'), 'model');
    assert.throws(() => loadReducer({ ...json, mean: [1, 2] }), parameterError('json', 'mean with 2 values', 'mean with 26 numbers'), 'short mean');
    const components = (json.components as number[]).slice();
    components[3] = null as unknown as number;
    assert.throws(() => loadReducer({ ...json, components }), parameterError('json', 'components[3] is null', 'finite numbers'), 'null component');
    assert.throws(() => loadReducer({ ...json, ndims: 4 }), parameterError('json', 'ndims 4', 'ndims, an integer in [2, 3]'), 'ndims');
  });

  test('umap: a saved embedding the refit does not reproduce is refused', () => {
    const json = roundTrip(fitReducer(train, { model: 'umap', ndims: 2, seed: 1 })) as Record<string, unknown>;
    const embedding = (json.embedding as number[]).slice();
    embedding[0] += 1e-9;
    assert.throws(
      () => loadReducer({ ...json, embedding }),
      parameterError('json', /^an embedding the refit does not reproduce \(value 0: /, 'a umap model saved by this version of umap-js'),
      'tampered embedding',
    );
  });
});

describe('k-means saves, loads and predicts', () => {
  test('predict on new points is identical after loading; on the training points it gives their labels', () => {
    const fitted = fitKMeans(train, 3, { seed: 2 });
    const loaded = loadKMeans(roundTrip(fitted));
    assert.deepEqual(loaded.centroids, fitted.centroids, 'centroids');
    assert.deepEqual(loaded.labels, fitted.labels, 'labels');
    assert.equal(loaded.inertia, fitted.inertia, 'inertia');
    assert.deepEqual(loaded.predict(fresh), fitted.predict(fresh), 'prediction of 15 new points');
    assert.deepEqual(fitted.predict(train), fitted.labels, 'training points keep their labels');
    assert.ok(new Set(fitted.predict(fresh)).size >= 2, 'the new points fall in more than one cluster');
  });

  test('predict assigns to the nearest centroid; load and predict refuse bad input', () => {
    const model = fitKMeans(pointsFromRows([[0, 0], [0, 1], [10, 10], [10, 11]]), 2);
    assert.deepEqual(Array.from(model.predict(pointsFromRows([[1, 1], [9, 9], [0, -5]]))), [0, 1, 0], 'nearest centroid');
    assert.throws(() => model.predict(pointsFromRows([[1, 2, 3]])), parameterError('points', '3 features', '2 features, as the clusters were fitted on'), 'features');
    assert.throws(() => model.predict(pointsFromRows([[1, NaN]])), parameterError('points', 'point 0 has NaN in feature 1', 'finite values'), 'NaN');
    const json = roundTrip(model) as Record<string, unknown>;
    assert.throws(() => loadKMeans({ ...json, labels: [0, 1, 2, 0] }), parameterError('json', 'labels[2] is 2', 'labels, integers in [0, 1]'), 'label');
    assert.throws(() => loadKMeans({ ...json, kind: 'songscope/reducer' }), parameterError('json', 'kind "songscope/reducer"', 'kind "songscope/kmeans"'), 'kind');
  });
});

describe('the normaliser saves and loads', () => {
  const matrix = binMeans(buildFeatureMatrix(generateAnalysis({ style: 'dance', durationS: 60 })), 1000);
  const other = binMeans(buildFeatureMatrix(generateAnalysis({ style: 'folk', durationS: 60 })), 1000);

  test('fitted on a matrix it is zscore-within of that matrix; loaded, it transforms another matrix identically', () => {
    const fitted = fitNormalizer(matrix);
    assert.deepEqual(fitted.transform(matrix).data, zscoreWithin(matrix).data, 'its own matrix: zscore-within');
    const loaded = loadNormalizer(roundTrip(fitted));
    assert.deepEqual(loaded.columns, matrix.columns, 'column names');
    const expected = fitted.transform(other);
    assert.equal(expected.metadata.normalization, 'zscore-fitted', 'metadata');
    assert.deepEqual(loaded.transform(other), expected, 'another track');
  });

  test('a corpus-wide fit (several matrices) and a fit on points round-trip too; NaN statistics survive as null', () => {
    const corpus = fitNormalizer([matrix, other]);
    assert.deepEqual(loadNormalizer(roundTrip(corpus)).transform(other), corpus.transform(other), 'corpus fit');
    const points = pointsFromMatrix(matrix);
    const onPoints = fitNormalizer(points);
    assert.equal(onPoints.columns, undefined, 'no names for points');
    assert.deepEqual(loadNormalizer(roundTrip(onPoints)).transformPoints(fresh), onPoints.transformPoints(fresh), 'points');
    // A column with no values has NaN statistics: written as null, read back as NaN.
    const gappy = createMatrix(Int32Array.from([0, 1]), ['a', 'b']);
    gappy.data.set([1, 2, NaN, NaN]);
    const json = roundTrip(fitNormalizer(gappy)) as { mean: (number | null)[] };
    assert.deepEqual(json.mean, [1.5, null], 'NaN as null');
    assert.ok(Number.isNaN(loadNormalizer(json).stats.mean[1]), 'null as NaN');
  });

  test('transform and load refuse what does not fit', () => {
    const fitted = fitNormalizer(matrix);
    const renamed = { ...other, columns: other.columns.map((c, i) => (i === 2 ? 'tempo' : c)) };
    assert.throws(() => fitted.transform(renamed), parameterError('matrix', 'column 2 named "tempo"', `the fitted columns (column 2: ${JSON.stringify(matrix.columns[2])})`), 'renamed column');
    assert.throws(() => fitted.transformPoints(pointsFromRows([[1, 2]])), parameterError('points', '2 features', '26 features, as the normaliser was fitted on'), 'features');
    const json = roundTrip(fitted) as Record<string, unknown>;
    assert.throws(() => loadNormalizer({ ...json, std: [1] }), parameterError('json', 'std with 1 values', 'std with 26 numbers'), 'std');
    assert.throws(() => fitNormalizer([]), parameterError('matrices', 'none', 'at least one matrix'), 'no matrices');
  });
});
