/**
 * The dataset as an input: classify, compare, album and reduce on `songscope scan`'s directory give the
 * numbers the same commands give on the files, and `--where` / the group columns select and group.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { scan, writeCorpus, type GeneratedCorpus } from './helpers.js';

let dir: string;
let cache: string;
let corpus: GeneratedCorpus;
let dataset: string;
const TRACKS = 16;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-dataset-'));
  cache = join(dir, 'cache');
  corpus = await writeCorpus(dir, TRACKS, { durationS: 30, seed: 7 });
  dataset = join(dir, 'corpus');
  const r = await scan([corpus.manifest, '-o', dataset, '--jobs', '2', '-q'], cache);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env: { SONGSCOPE_CACHE_DIR: cache }, timeoutMs: 120_000 });

test('classify on the dataset equals classify on the manifest (shuffled, unshuffled, with --reduce)', async () => {
  for (const extra of [[], ['--no-shuffle', '--folds', '4'], ['--reduce', 'classical-mds', '--cv', 'loo']]) {
    const files = await cli(['classify', corpus.manifest, '--json', '-q', ...extra]);
    const data = await cli(['classify', dataset, '--label-column', 'label', '--json', '-q', ...extra]);
    assert.equal(files.code, 0, files.stderr);
    assert.equal(data.code, 0, data.stderr);
    assert.ok(!hasStackTrace(data.stderr), data.stderr);
    assert.deepEqual(JSON.parse(data.stdout), JSON.parse(files.stdout), `classify ${extra.join(' ')}: the same report`);
  }
});

test('compare on the dataset grouped by a column equals compare on the files grouped the same way', async () => {
  const files = await cli(['compare', corpus.manifest, '--no-plot', '-q', '-o', join(dir, 'cmp-files')]);
  const data = await cli(['compare', dataset, '--group-column', 'era', '--no-plot', '-q', '-o', join(dir, 'cmp-data')]);
  assert.equal(files.code, 0, files.stderr);
  assert.equal(data.code, 0, data.stderr);
  const a = JSON.parse(await readFile(join(dir, 'cmp-files', 'compare.json'), 'utf8'));
  const b = JSON.parse(await readFile(join(dir, 'cmp-data', 'compare.json'), 'utf8'));
  assert.deepEqual(b.tracks.map((t: { vector: number[] }) => t.vector), a.tracks.map((t: { vector: number[] }) => t.vector), 'the same normalised vectors');
  assert.deepEqual(b.tracks.map((t: { mds: number[] }) => t.mds), a.tracks.map((t: { mds: number[] }) => t.mds), 'the same MDS');
  // the manifest's groups are its labels (dance, folk); era names the same split (new, old)
  const renamed = JSON.parse(JSON.stringify(b.classification).replaceAll('"new"', '"dance"').replaceAll('"old"', '"folk"'));
  assert.deepEqual(renamed, a.classification, 'the same classification, groups renamed');
});

test('album on the dataset equals album on the manifest; --where selects tracks', async () => {
  const files = await cli(['album', corpus.manifest, '--no-plot', '-q', '-o', join(dir, 'alb-files')]);
  const data = await cli(['album', dataset, '--no-plot', '-q', '-o', join(dir, 'alb-data')]);
  assert.equal(files.code, 0, files.stderr);
  assert.equal(data.code, 0, data.stderr);
  const a = JSON.parse(await readFile(join(dir, 'alb-files', 'album.json'), 'utf8'));
  const b = JSON.parse(await readFile(join(dir, 'alb-data', 'album.json'), 'utf8'));
  for (const key of ['correlation', 'clustermap']) assert.deepEqual(b[key], a[key], `album.json ${key}`);
  assert.deepEqual(
    b.tracks.map((t: Record<string, unknown>) => [t.name, t.vector, t.cluster, t.mds, t.tempo_bpm, t.key]),
    a.tracks.map((t: Record<string, unknown>) => [t.name, t.vector, t.cluster, t.mds, t.tempo_bpm, t.key]),
    'every track: name, vector, cluster, MDS, tempo, key',
  );
  const where = await cli(['album', dataset, '--where', "label = 'dance' AND tempo_bpm > 0", '--no-plot', '--json', '-q', '-o', join(dir, 'alb-where')]);
  assert.equal(where.code, 0, where.stderr);
  assert.equal(JSON.parse(where.stdout).tracks.length, TRACKS / 2, '--where keeps the dance tracks');
});

test('reduce on the dataset equals reduce on the files (to 1e-12: the files go through the 1 ms matrix)', async () => {
  const files = await cli(['reduce', ...corpus.files, '--model', 'pca', '-o', join(dir, 'r-files.csv'), '--no-plot', '-q']);
  const data = await cli(['reduce', dataset, '--model', 'pca', '-o', join(dir, 'r-data.csv'), '--no-plot', '-q']);
  assert.equal(files.code, 0, files.stderr);
  assert.equal(data.code, 0, data.stderr);
  const table = async (name: string) => (await readFile(join(dir, name), 'utf8')).trim().split('\n').map((l) => l.split(','));
  const a = await table('r-files.csv');
  const b = await table('r-data.csv');
  assert.deepEqual(b.map((r) => r[0]), a.map((r) => r[0]), 'the same tracks in the same order');
  for (let i = 1; i < a.length; i++) {
    for (const c of [1, 2]) {
      const [x, y] = [Number(a[i][c]), Number(b[i][c])];
      // reduce on files sums each track's 1 ms matrix; the dataset holds the event-run sums: equal to 1e-12
      assert.ok(Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x)), `${a[i][0]} dim_${c}: ${y} vs ${x}`);
    }
  }
});

test('dataset inputs refuse what they cannot do, with exit 2 and one line', async () => {
  const cases: [string[], RegExp][] = [
    [['classify', dataset, '--label-column', 'genre', '-q'], /--label-column genre: the dataset .* has no such column/],
    [['classify', dataset, '--where', 'tempo_bpm >>> 3', '-q'], /--where "tempo_bpm >>> 3": /],
    [['classify', dataset, '--where', 'duration_s < 0', '-q'], /no track of the dataset matches --where/],
    [['classify', corpus.manifest, '--where', 'true', '-q'], /--where applies to a dataset input/],
    [['reduce', dataset, '--normalize', 'minmax', '-o', join(dir, 'x.csv'), '-q'], /--normalize minmax needs each track's 1 ms matrix/],
    [['album', join(corpus.root, '0'), '--where', 'true', '-q'], /--where applies to a dataset input/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit 2\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  }
});

test('similar on the dataset ranks as similar on the files (the stored fingerprints round-trip exactly)', async () => {
  const query = corpus.files[0];
  for (const by of ['shape', 'features', 'both']) {
    const files = await cli(['similar', query, corpus.manifest, '--by', by, '--top', '6', '--no-plot', '--json', '-q', '-o', join(dir, `sim-files-${by}`)]);
    const data = await cli(['similar', query, dataset, '--by', by, '--top', '6', '--no-plot', '--json', '-q', '-o', join(dir, `sim-data-${by}`)]);
    assert.equal(files.code, 0, files.stderr);
    assert.equal(data.code, 0, data.stderr);
    const a = JSON.parse(files.stdout) as { results: { input: string; distance: number }[] };
    const b = JSON.parse(data.stdout) as { results: { input: string; distance: number }[] };
    assert.equal(b.results.length, 6, `--by ${by}: six matches from the dataset`);
    assert.deepEqual(
      b.results.map((r) => [r.input.replace(/^.*tree\//, ''), r.distance]),
      a.results.map((r) => [r.input.replace(/^.*tree\//, ''), r.distance]),
      `--by ${by}: the same matches at the same distances`,
    );
  }
  // with plots: the top matches' trajectories are read again from their inputs
  const plotted = await cli(['similar', query, dataset, '--top', '3', '-q', '-o', join(dir, 'sim-plot')]);
  assert.equal(plotted.code, 0, plotted.stderr);
  assert.match(await readFile(join(dir, 'sim-plot', 'similar.svg'), 'utf8'), /<svg/, 'the gallery of the query and its matches is drawn');
});

test('a dataset scanned with --no-shape: similar --by shape and --features shape say why, --by features works', async () => {
  const bare = join(dir, 'no-shape');
  const r = await scan([corpus.manifest, '-o', bare, '--no-shape', '--jobs', '1', '-q'], cache);
  assert.equal(r.code, 0, r.stderr);
  const shape = await cli(['similar', corpus.files[0], bare, '--no-plot', '-q', '-o', join(dir, 'sim-bare')]);
  assert.equal(shape.code, 2, `similar --by shape on a dataset without fingerprints is bad input: ${shape.stderr}`);
  assert.match(shape.stderr, /have no shape fingerprint \(scanned with --no-shape/, 'the message says why');
  assert.ok(!hasStackTrace(shape.stderr), shape.stderr);
  const album = await cli(['album', bare, '--features', 'shape', '--no-plot', '-q', '-o', join(dir, 'alb-bare')]);
  assert.equal(album.code, 2, `album --features shape on it is bad input: ${album.stderr}`);
  const features = await cli(['similar', corpus.files[0], bare, '--by', 'features', '--no-plot', '--json', '-q', '-o', join(dir, 'sim-bare-f')]);
  assert.equal(features.code, 0, features.stderr);
});
