/**
 * The notebook's numbers, exactly: song vectors, the album's correlation and clustermap, MDS + k-means, and
 * the linear SVM's cross-validated accuracy, against what pandas, scipy and scikit-learn compute on the same
 * 24 generated analyses (fixtures/notebook/, made by scripts/reference/notebook_parity.py).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { collectTracks, type TrackRecord } from '../../src/jobs/tracks.js';
import { pearsonRows } from '../../src/transforms/correlate.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { songVectors } from '../../src/transforms/songs.js';
import { stratifiedFolds, type FoldRule } from '../../src/transforms/folds.js';
import { crossValidate } from '../../src/transforms/classify.js';
import { hierarchicalOrder } from '../../src/transforms/hierarchy.js';
import { smacof } from '../../src/transforms/reduce.js';
import { kmeans } from '../../src/transforms/cluster.js';
import { adjustedRandIndex } from '../../src/evaluate/cluster.js';
import { euclideanDistances, pointsFromRows, type Points } from '../../src/transforms/points.js';
import { notebookReference, writeNotebookInputs, type ClassificationReference } from '../helpers/notebook.js';
import { assertClose, tempDirPerSuite } from '../helpers/assert.js';
import { runCli } from '../helpers/cli.js';
import { readAnalysisFile } from '../../src/sources/files.js';
import { analyzeTrack } from '../../src/jobs/analyze.js';

const ref = notebookReference();
const labels = ref.tracks.map((t) => t.label);
const tmp = tempDirPerSuite('notebook');
let dirs: { A: string; B: string };
let tracks: TrackRecord[];

before(async () => {
  dirs = await writeNotebookInputs(tmp.path);
  tracks = [];
  for (const dir of [dirs.A, dirs.B]) {
    const got = await collectTracks(await resolveCollection(dir, { useCache: false }), { resolve: { useCache: false }, grid: 'seed' });
    assert.deepEqual(got.failures, [], 'every generated analysis is valid');
    tracks.push(...got.tracks);
  }
});

const flat = (rows: number[][]) => rows.flat();

describe('song vectors (cells 22 and 47)', () => {
  test('raw time-averages of the seed grid equal pandas model.mean(axis=0) to 2e-12', () => {
    assert.deepEqual(tracks.map((t) => t.rows), ref.tracks.map((t) => t.rows), 'the 1 ms models have pandas\' row counts');
    assertClose(songVectors(tracks, 'none').data, flat(ref.vectors_raw), 2e-12, 'raw vectors'); // measured 1.3e-12
  });

  test("zscore-songs equals hypertools normalize='across' on the stacked vectors to 5e-11", () => {
    assertClose(songVectors(tracks, 'zscore-songs').data, flat(ref.vectors_zscore_songs), 5e-11, 'zscore-songs vectors'); // measured 2.3e-11
  });

  test('zscore-rows (the pooled 1 ms statistics) shrinks the vectors far below zscore-songs', () => {
    const rows = songVectors(tracks, 'zscore-rows').data;
    const songs = songVectors(tracks, 'zscore-songs').data;
    const rms = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    assert.ok(rms(songs) / rms(rows) > 5, `zscore-songs rms ${rms(songs)} vs zscore-rows ${rms(rows)}: the 0.667 of issue 10 came from this shrinkage`);
  });
});

describe("stratified folds, unshuffled, are scikit-learn's member for member", () => {
  const cases: [string, string[], ClassificationReference][] = [
    ['two groups, A first', labels, ref.classification],
    ['three classes, first to appear is not first in sorted order', ref.classification_three_classes.labels, ref.classification_three_classes],
  ];
  for (const [name, y, expected] of cases) {
    for (const rule of ['sklearn', 'sklearn-0.19'] as FoldRule[]) {
      for (const k of [3, 5] as const) {
        test(`${name}: ${k} folds, ${rule}`, () => {
          const folds = stratifiedFolds(y, k, { shuffle: false, rule });
          const foldOf = new Array<number>(y.length).fill(-1);
          folds.forEach((test, f) => test.forEach((i) => (foldOf[i] = f)));
          assert.deepEqual(foldOf, expected[`${rule}_${k}`].fold, `StratifiedKFold(${k}, shuffle=False) test_folds (${rule})`);
        });
      }
    }
  }

  test('shuffled folds keep the unshuffled class counts per fold, and a seed changes the members', () => {
    const count = (folds: number[][]) => folds.map((f) => ['A', 'B'].map((c) => f.filter((i) => labels[i] === c).length));
    const plain = stratifiedFolds(labels, 5, { shuffle: false });
    const a = stratifiedFolds(labels, 5, { seed: 0 });
    const b = stratifiedFolds(labels, 5, { seed: 1 });
    assert.deepEqual(count(a), count(plain), 'class counts per fold equal scikit-learn\'s allocation');
    assert.notDeepEqual(a, b, 'another seed deals other members');
    assert.deepEqual(stratifiedFolds(labels, 5, { seed: 0 }), a, 'the same seed deals the same members');
  });
});

describe("the linear SVM's accuracy equals cross_val_score's exactly (cells 48 and 49)", () => {
  const points = pointsFromRows(ref.vectors_zscore_songs);
  const cases: [string, Points, string[], ClassificationReference][] = [
    ['z-scored song vectors', points, labels, ref.classification],
    ['three classes', points, ref.classification_three_classes.labels, ref.classification_three_classes],
    ['after a 2-D MDS', pointsFromRows(ref.classification_after_mds.points), labels, ref.classification_after_mds],
  ];
  for (const [name, p, y, expected] of cases) {
    test(`${name}: leave-one-out, 3 and 5 folds under both fold rules`, async () => {
      const loo = await crossValidate(p, y, { cv: 'loo' });
      assert.equal(loo.protocols[0].accuracy, expected.loo.accuracy, 'LOO accuracy');
      assert.deepEqual(loo.protocols[0].folds.map((f) => f.accuracy), expected.loo.scores, 'LOO per point');
      for (const rule of ['sklearn', 'sklearn-0.19'] as FoldRule[]) {
        for (const k of [3, 5] as const) {
          const r = await crossValidate(p, y, { folds: k, shuffle: false, foldRule: rule });
          const want = expected[`${rule}_${k}`];
          assert.deepEqual(r.protocols[0].folds.map((f) => f.accuracy), want.scores, `${k}-fold ${rule}: per-fold scores`);
          assert.equal(r.protocols[0].accuracy, want.accuracy, `${k}-fold ${rule}: the mean of the fold accuracies, to the last digit`);
        }
      }
    });
  }

  test("SMACOF from scikit-learn's start reaches scikit-learn's configuration (5e-12)", () => {
    for (const [name, rows, mds] of [
      ['album A, raw vectors (cell 25)', ref.vectors_raw.slice(0, 12), ref.album_A.mds],
      ['both albums, z-scored (cells 36, 49)', ref.vectors_zscore_songs, ref.classification_after_mds],
    ] as const) {
      const p = pointsFromRows(rows as number[][]);
      const run = smacof(euclideanDistances(p), p.n, { ndims: 2, init: Float64Array.from(mds.init.flat()), maxIter: mds.max_iter, eps: 0 });
      assert.equal(run.iterations, mds.max_iter, `${name}: every iteration runs with eps 0`);
      assertClose(run.points.data, flat(mds.points), 5e-12, `${name}: MDS coordinates`); // measured 2.2e-12
    }
  });
});

describe("the album's song-by-song cells (23–25)", () => {
  test('the correlation is pd.DataFrame(vecs).T.corr() and the clustermap is seaborn\'s (average linkage, correlation metric)', () => {
    const album = songVectors(tracks.slice(0, 12), 'none');
    const r = pearsonRows(album).values;
    assertClose(r, flat(ref.album_A.correlation), 2e-13, 'song-by-song correlation'); // measured 8.7e-14
    const h = hierarchicalOrder({ n: 12, d: 12, data: r }, { metric: 'correlation', method: 'average' });
    assert.deepEqual(h.order, ref.album_A.clustermap.order, 'dendrogram leaf order (scipy leaves_list)');
    assertClose(h.merges.map((m) => m.height), ref.album_A.clustermap.linkage.map((z) => z[2]), 5e-13, 'merge heights'); // measured 1.3e-13
  });

  test('k-means on the 2-D MDS coordinates finds the partition scikit-learn finds', () => {
    const mds = pointsFromRows(ref.album_A.mds.points);
    const labelsK = kmeans(mds, 3, { seed: 0 }).labels;
    assert.equal(adjustedRandIndex(labelsK, ref.album_A.kmeans_on_mds), 1, `labels ${[...labelsK]} vs ${ref.album_A.kmeans_on_mds}`);
  });
});

describe("each song's temporal fingerprint on its raw model (cell 33)", () => {
  test('analyzeTrack with normalize none: the raw 1 s self-similarity and the PCA of the raw bins', async () => {
    for (const g of ref.gallery_raw) {
      const analysis = await readAnalysisFile(join(tmp.path, g.path));
      const r = await analyzeTrack(analysis, { grid: 'seed', normalize: 'none', render: false });
      assert.equal(r.similarity.n, g.bins, `${g.path}: 1 s bins`);
      for (const [i, expected] of Object.entries(g.corr_rows)) {
        assertClose(r.similarity.values.subarray(Number(i) * g.bins, (Number(i) + 1) * g.bins), expected, 1e-15, `${g.path} row ${i}`); // measured 4.4e-16
      }
      assertClose(r.summary.trajectory!.explainedVarianceRatio, g.explained_variance_ratio, 1e-15, `${g.path}: PCA explained variance`); // measured 3.5e-16
    }
  });
});

describe('through the CLI, as a user runs it', () => {
  const classify = async (...extra: string[]) => {
    const r = await runCli(['classify', '--group', `A=${dirs.A}`, '--group', `B=${dirs.B}`, '--json', '--quiet', ...extra], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { protocols: { protocol: string; accuracy: number; folds: { accuracy: number }[] }[]; cv: string; n_folds: number; fold_rule?: string; shuffle?: boolean };
  };

  test("issue 10's case: --grid seed --cv loo gives scikit-learn's 0.958 (songscope 0.1 gave 0.667)", async () => {
    const r = await classify('--grid', 'seed', '--cv', 'loo');
    assert.equal(r.protocols[0].accuracy, ref.classification.loo.accuracy, 'LOO accuracy');
    assert.equal(r.protocols[0].accuracy.toFixed(3), '0.958', '0.958 to three places, as the notebook printed');
  });

  test('--folds 3 --no-shuffle and --folds 5 --no-shuffle equal cross_val_score(cv=3) and (cv=5)', async () => {
    for (const k of [3, 5] as const) {
      const r = await classify('--grid', 'seed', '--folds', String(k), '--no-shuffle');
      assert.equal(r.shuffle, false, '--no-shuffle is reported');
      assert.deepEqual(r.protocols[0].folds.map((f) => f.accuracy), ref.classification[`sklearn_${k}`].scores, `${k}-fold scores`);
      assert.equal(r.protocols[0].accuracy, ref.classification[`sklearn_${k}`].accuracy, `${k}-fold accuracy`);
    }
  });

  test("--notebook: 3 unshuffled folds with scikit-learn ≤ 0.21's rule (cell 48), then the same after a 2-D MDS (cell 49)", async () => {
    const r = await runCli(['classify', '--group', `A=${dirs.A}`, '--group', `B=${dirs.B}`, '--notebook', '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--notebook: --grid seed --normalize zscore-songs --cv kfold --folds 3 --no-shuffle --fold-rule sklearn-0\.19 --reduce mds --ndims 2/, 'stderr spells out what --notebook stands for');
    const report = JSON.parse(r.stdout) as Awaited<ReturnType<typeof classify>>;
    assert.deepEqual(report.protocols.map((p) => p.protocol), ['plain', 'transductive', 'leak-free'], 'the three protocols');
    assert.equal(report.fold_rule, 'sklearn-0.19', 'the fold rule of scikit-learn ≤ 0.21');
    assert.equal(report.protocols[0].accuracy, ref.classification['sklearn-0.19_3'].accuracy, 'cell 48');
    assert.match(r.stderr, /3-fold stratified, unshuffled \(scikit-learn ≤ 0\.21's folds\)/, 'stderr describes the folds');
  });

  test('a manifest with a header row (path,label) gives the same classification (issue 10)', async () => {
    const manifest = join(tmp.path, 'headed.csv');
    await writeFile(manifest, ['path,label', ...ref.tracks.map((t) => `${t.path},${t.label}`)].join('\n') + '\n');
    const r = await runCli(['classify', manifest, '--grid', 'seed', '--cv', 'loo', '--json', '--quiet'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { n: number; protocols: { accuracy: number }[] };
    assert.equal(report.n, 24, 'the header is not read as a track');
    assert.equal(report.protocols[0].accuracy, ref.classification.loo.accuracy, 'the LOO accuracy of scikit-learn');
  });

  test("cell 13: correlate --grid seed --normalize none is the raw model's data.resample('1S').mean().T.corr()", async () => {
    const g = ref.gallery_raw[0];
    const out = join(tmp.path, 'raw-corr.csv');
    const r = await runCli(['correlate', join(tmp.path, g.path), '--grid', 'seed', '--normalize', 'none', '-o', out, '--no-plot', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const rows = (await readFile(out, 'utf8')).trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(1).map(Number));
    assert.equal(rows.length, g.bins, '1 s bins');
    for (const [i, expected] of Object.entries(g.corr_rows)) assertClose(rows[Number(i)], expected, 1e-15, `row ${i}`); // measured 4.4e-16
  });

  test('an explicit option wins over --notebook', async () => {
    const r = await classify('--notebook', '--cv', 'loo');
    assert.equal(r.cv, 'loo', '--cv loo wins over the --notebook folds');
    assert.equal(r.protocols[0].accuracy, ref.classification.loo.accuracy, 'the LOO accuracy of scikit-learn');
  });

  test('album --notebook: raw vectors, their correlation and clustermap as pandas and seaborn, k-means on the MDS', async () => {
    const out = join(tmp.path, 'album-A');
    const r = await runCli(['album', dirs.A, '--notebook', '--no-per-track-plots', '--no-plot', '-o', out, '--quiet'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const album = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    assert.equal(album.normalization, 'none', '--notebook: raw vectors, no normalisation');
    assert.deepEqual(album.kmeans, { k: 3, seed: 0, on: 'mds' }, '--notebook: k-means with k 3 and seed 0 on the MDS');
    assertClose(album.tracks.flatMap((t: { vector: number[] }) => t.vector), flat(ref.vectors_raw.slice(0, 12)), 2e-12, 'album.json vectors'); // measured 1.3e-12
    assertClose(album.correlation.flat(), flat(ref.album_A.correlation), 2e-13, 'album.json correlation'); // measured 8.7e-14
    assert.deepEqual(album.clustermap.order, ref.album_A.clustermap.order, 'clustermap order');
  });

  test('album --notebook draws each track on its raw 1 s bins (cell 33) and links the gallery', async () => {
    const two = join(tmp.path, 'two');
    await mkdir(two, { recursive: true });
    for (const g of ref.gallery_raw) await copyFile(join(tmp.path, g.path), join(two, g.path.replace(/^.*\//, '')));
    const out = join(tmp.path, 'album-two');
    const r = await runCli(['album', two, '--notebook', '-o', out, '--quiet'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const tracks = (await readdir(join(out, 'tracks'))).sort();
    assert.equal(tracks.length, 2, 'a directory per track');
    for (const dir of tracks) {
      const summary = JSON.parse(await readFile(join(out, 'tracks', dir, 'summary.json'), 'utf8'));
      assert.equal(summary.similarity.normalization, 'none', `${dir}: the raw model, as models_fleetfoxes`);
      assert.equal(summary.grid.semantics, 'seed', `${dir}: the seed grid`);
    }
    const html = await readFile(join(out, 'report.html'), 'utf8');
    for (const dir of tracks) assert.ok(html.includes(`tracks/${dir}/report.html`), `the album report links ${dir}'s own report`);
  });

  test('analyze --notebook: seed grid, 1 s bins, a 10 s rolling mean, 3 parts (cells 16–21)', async () => {
    const r = await runCli(['analyze', 'fixtures/psy-gangnam-style.json', '--notebook', '--json', '--no-render', '-o', join(tmp.path, 'psy-nb')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--notebook: --grid seed --resolution 1s --smooth 10 --k 3/, 'stderr spells out what --notebook stands for');
    const s = JSON.parse(r.stdout);
    assert.equal(s.grid.semantics, 'seed', 'the seed grid');
    assert.equal(s.similarity.normalization, 'zscore-within', 'the similarity of z-scored rows');
    assert.equal(s.similarity_smooth.smooth_s, 10, 'a 10 s rolling mean');
    assert.equal(s.parts.k, 3, '3 parts');
    const quiet = await runCli(['analyze', 'fixtures/psy-gangnam-style.json', '--notebook', '--json', '--no-render', '--no-report', '-q', '-o', join(tmp.path, 'psy-nb-q')]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '', 'with --quiet nothing goes to stderr');
    assert.equal(JSON.parse(quiet.stdout).parts.k, 3, 'with --quiet the summary still goes to stdout');
  });
});
