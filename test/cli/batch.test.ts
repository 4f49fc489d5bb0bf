/**
 * album, compare and classify as a user runs them: spawned, on generated groups whose answer is known,
 * on recorded Spotify playlists, with their errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStackTrace, runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeSyntheticAlbum } from '../../src/synth/generate.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { collectTracks, trackVectors } from '../../src/report/vectors.js';
import { crossValidate } from '../../src/transforms/classify.js';

let tmp: string;
let dance: string;
let folk: string;
const PER_STYLE = 6;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'songscope-batch-'));
  dance = join(tmp, 'dance');
  folk = join(tmp, 'folk');
  await writeSyntheticAlbum(dance, { style: 'dance', count: PER_STYLE, seed: 11, durationS: 60 });
  await writeSyntheticAlbum(folk, { style: 'folk', count: PER_STYLE, seed: 12, durationS: 60 });
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('classify', () => {
  test('leave-one-out on two generated styles: every track right, as JSON', async () => {
    const r = await runCli(['classify', '--group', `dance=${dance}`, '--group', `folk=${folk}`, '--cv', 'loo', '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.cv, 'loo');
    assert.equal(report.nFolds, 2 * PER_STYLE);
    assert.deepEqual(report.protocols.map((p: { protocol: string }) => p.protocol), ['plain']);
    assert.equal(report.protocols[0].accuracy, 1, 'the styles are separable by construction');
    assert.deepEqual(report.protocols[0].confusion, { labels: ['dance', 'folk'], matrix: [[PER_STYLE, 0], [0, PER_STYLE]] });
    assert.deepEqual(report.failures, []);
  });

  test('--reduce pca reports both protocols on the same folds, equal to the library on the same vectors', async () => {
    const out = join(tmp, 'pred.csv');
    const r = await runCli(['classify', '--group', `dance=${dance}`, '--group', `folk=${folk}`, '--reduce', 'pca', '--ndims', '2', '--folds', '3', '--seed', '5', '--json', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.protocols.map((p: { protocol: string }) => p.protocol), ['transductive', 'leak-free']);
    assert.match(report.explanation, /optimistic/);
    const folds = (p: { folds: { testIndices: number[] }[] }) => p.folds.map((f) => f.testIndices);
    assert.deepEqual(folds(report.protocols[0]), folds(report.protocols[1]));
    // the library, on the same tracks, gives the same numbers
    const tracks = [];
    const labels: string[] = [];
    for (const [name, dir] of [['dance', dance], ['folk', folk]] as const) {
      const got = await collectTracks(await resolveCollection(dir, { useCache: false }), { resolve: { useCache: false } });
      tracks.push(...got.tracks);
      labels.push(...got.tracks.map(() => name));
    }
    const lib = await crossValidate(trackVectors(tracks), labels, { folds: 3, seed: 5, reduce: { model: 'pca', ndims: 2 } });
    assert.deepEqual(report.protocols.map((p: { accuracy: number }) => p.accuracy), lib.protocols.map((p) => p.accuracy));
    const csv = (await readFile(out, 'utf8')).trimEnd().split('\n');
    assert.equal(csv[0], 'track,input,group,fold,predicted_transductive,predicted_leak_free');
    assert.equal(csv.length, 2 * PER_STYLE + 1);
    assert.match(r.stderr, /transductive +accuracy/);
  });

  test('one group, or no groups, is a usage error', async () => {
    const r = await runCli(['classify', '--group', `dance=${dance}`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /classify needs at least two groups/);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    const bad = await runCli(['classify', '--group', 'nonsense=/no/such/dir', '--group', `folk=${folk}`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no such file/);
  });
});

describe('compare', () => {
  test('writes the shared MDS space coloured by group, the correlation, compare.json and report.html', async () => {
    const out = join(tmp, 'cmp');
    const r = await runCli(['compare', `dance=${dance}`, `folk=${folk}`, '-o', out, '--cv', 'loo']);
    assert.equal(r.code, 0, r.stderr);
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['compare-correlation.svg', 'compare-correlation.vl.json', 'compare-mds.svg', 'compare-mds.vl.json', 'compare.json', 'report.html']);
    const cmp = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8'));
    assert.deepEqual(cmp.groups.map((g: { name: string; tracks: number }) => [g.name, g.tracks]), [['dance', PER_STYLE], ['folk', PER_STYLE]]);
    assert.equal(cmp.classification.protocols[0].accuracy, 1);
    const spec = JSON.parse(await readFile(join(out, 'compare-mds.vl.json'), 'utf8'));
    assert.ok(JSON.stringify(spec).includes('"group"'), 'coloured by group');
    assert.match(r.stderr, /leave-one-out/);
  });
});

describe('album from recorded Spotify responses', () => {
  test('a playlist pages, skips what is not a track, and analyses the rest offline from fixtures', async () => {
    const out = join(tmp, 'playlist');
    const r = await runCli(['album', 'spotify:playlist:SongscopeFixtureList01', '--fixtures', join(ROOT, 'fixtures/spotify'), '-o', out, '--no-per-track-plots']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 tracks \(playlist\); skipped 3 items that are not tracks/);
    const album = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    assert.equal(album.kind, 'playlist');
    assert.equal(album.tracks.length, 2);
    assert.equal(album.tracks[0].mds[1], 0, 'two songs: the exact MDS solution on the x axis');
  });
});

describe('help teaches', () => {
  for (const cmd of ['normalize', 'correlate', 'cluster', 'reduce', 'classify', 'album', 'compare']) {
    test(`${cmd} --help`, async () => {
      const r = await runCli([cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Examples:/);
      assert.match(r.stdout, /Usage: songscope /);
    });
  }
});
