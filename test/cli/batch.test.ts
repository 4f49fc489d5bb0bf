/**
 * album, compare and classify as a user runs them: spawned, on generated groups whose answer is known,
 * on recorded Spotify playlists, with their errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, hasStackTrace, runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeSyntheticAlbum } from '../../src/synth/generate.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { collectTracks } from '../../src/jobs/tracks.js';
import { songVectors } from '../../src/transforms/songs.js';
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
    assert.equal(report.n_folds, 2 * PER_STYLE);
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
    assert.deepEqual(report.protocols.map((p: { protocol: string }) => p.protocol), ['plain', 'transductive', 'leak-free']);
    assert.match(report.explanation, /optimistic/);
    const folds = (p: { folds: { test_indices: number[] }[] }) => p.folds.map((f) => f.test_indices);
    assert.deepEqual(folds(report.protocols[0]), folds(report.protocols[1]));
    assert.deepEqual(folds(report.protocols[1]), folds(report.protocols[2]));
    // the library, on the same tracks, gives the same numbers
    const tracks = [];
    const labels: string[] = [];
    for (const [name, dir] of [['dance', dance], ['folk', folk]] as const) {
      const got = await collectTracks(await resolveCollection(dir, { useCache: false }), { resolve: { useCache: false } });
      tracks.push(...got.tracks);
      labels.push(...got.tracks.map(() => name));
    }
    const lib = await crossValidate(songVectors(tracks), labels, { folds: 3, seed: 5, reduce: { model: 'pca', ndims: 2 } });
    assert.deepEqual(report.protocols.map((p: { accuracy: number }) => p.accuracy), lib.protocols.map((p) => p.accuracy));
    const csv = (await readFile(out, 'utf8')).trimEnd().split('\n');
    assert.equal(csv[0], 'track,input,group,fold,predicted_plain,predicted_transductive,predicted_leak_free');
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

describe('groups that cannot be cross-validated, and tracks that fail', () => {
  /** A directory holding one good track (the first of `from`) and one broken analysis file. */
  async function oneGoodOneBroken(name: string, from: string): Promise<string> {
    const dir = join(tmp, name);
    await mkdir(dir, { recursive: true });
    await copyFile(join(from, (await readdir(from)).sort()[0]), join(dir, '01-good.json'));
    await writeFile(join(dir, '02-broken.json'), '{"track": 1}');
    return dir;
  }

  test('a group listing one track, or fewer tracks than --folds, is refused before anything is fetched', async () => {
    const one = join(tmp, 'one-track');
    await mkdir(one, { recursive: true });
    await copyFile(join(folk, (await readdir(folk)).sort()[0]), join(one, 'only.json'));
    const r = await runCli(['classify', '--group', `dance=${dance}`, '--group', `one=${one}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /labels: class "one" has 1 member \(expected at least 2 members in every class for cross-validation\)/, 'names the group');
    assert.doesNotMatch(r.stderr, /\[1\//, 'no track was analysed first');
    const folds = await runCli(['classify', '--group', `dance=${dance}`, '--group', `folk=${folk}`, '--folds', '10']);
    assert.equal(folds.code, 2, folds.stderr);
    assert.match(folds.stderr, /--folds: 10 \(expected at most 6, the members of the smallest class \("dance"\); or leave-one-out\)/, 'says how many folds would do, under the flag');
    assert.doesNotMatch(folds.stderr, /\[1\//, 'no track was analysed first');
    assert.ok(!hasStackTrace(folds.stderr), folds.stderr);
  });

  test('failures that leave a group too small: the error lists them, exit code 1', async () => {
    const broken = await oneGoodOneBroken('good-and-broken', folk);
    const r = await runCli(['classify', '--group', `dance=${dance}`, '--group', `folk=${broken}`, '-q']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /class "folk" has 1 member/, 'why classification cannot run');
    assert.match(r.stderr, /1 track failed:\n {2}02 02-broken: .*02-broken\.json: track is 1, expected an object/, 'which track failed and why, its path said once');
  });

  test('manifest entries without a label belong to no group (left out with a note)', async () => {
    const manifest = join(tmp, 'labelled.csv');
    const rows = ['path_or_uri,label'];
    for (const [label, dir] of [['dance', dance], ['folk', folk]] as const) for (const f of (await readdir(dir)).sort().slice(0, 3)) rows.push(`${join(dir, f)},${label}`);
    rows.push(`${join(folk, (await readdir(folk)).sort()[5])},`);
    await writeFile(manifest, rows.join('\n') + '\n');
    const r = await runCli(['classify', manifest, '--cv', 'loo', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /left out one entry without a label/, 'the unlabelled entry is named');
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.classes, [{ label: 'dance', count: 3 }, { label: 'folk', count: 3 }], 'two groups, no "(unlabelled)" class');
  });

  test('--reduce umap reports both protocols (leak-free through umap transform)', async () => {
    const r = await runCli(['classify', '--group', `dance=${dance}`, '--group', `folk=${folk}`, '--reduce', 'umap', '--cv', 'loo', '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.reduce, { model: 'umap', ndims: 2 }, 'the reduction asked for');
    assert.deepEqual(report.protocols.map((p: { protocol: string }) => p.protocol), ['plain', 'transductive', 'leak-free'], 'plain beside both protocols');
  });

  test('compare with a failing track: exit code 1, the failure in report.html', async () => {
    const broken = await oneGoodOneBroken('cmp-broken', folk);
    const out = join(tmp, 'cmp-failures');
    const r = await runCli(['compare', `dance=${dance}`, `folk=${broken}`, '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /dance: 6 tracks; folk: 2 tracks/, 'group sizes');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(html, /Tracks that failed/, 'the report lists the failure');
    assert.match(html, /02-broken/, 'by name');
  });
});

describe('classify -o - on a terminal', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  test('refuses binary Arrow predictions to a terminal, before fetching anything', { skip: !hasScript && 'needs util-linux script(1) for a terminal' }, () => {
    const command = [process.execPath, CLI, 'classify', '--group', `dance=${dance}`, '--group', `folk=${folk}`, '-o', '-'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmp } });
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stdout, /refusing to write binary Arrow data to a terminal/, 'says why and what to do');
    assert.doesNotMatch(r.stdout, /\[1\//, 'nothing was analysed first');
  });
});

describe('album --resolution', () => {
  test('sets the bin width of the per-track self-similarity', async () => {
    const out = join(tmp, 'album-res');
    const r = await runCli(['album', dance, '--resolution', '500ms', '--smooth', '2', '-o', out, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const tracks = await readdir(join(out, 'tracks'));
    const summary = JSON.parse(await readFile(join(out, 'tracks', tracks[0], 'summary.json'), 'utf8'));
    assert.deepEqual([summary.similarity.bin_s, summary.similarity_smooth.smooth_s, summary.parts.smooth_s], [0.5, 2, 2], 'the resolution and smoothing asked for');
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
