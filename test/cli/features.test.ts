/**
 * `--features shape|mean|both` of album, compare and classify, spawned on generated songs of four known forms
 * (each form a group), and the points the classifier sees (jobs/songFeatures.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { formFileName, generateFormSet } from '../../src/synth/forms.js';
import { classificationPoints } from '../../src/jobs/songFeatures.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { collectTracks } from '../../src/jobs/tracks.js';
import { songVectors } from '../../src/transforms/songs.js';

const FORMS = ['AABA', 'ABAB', 'ABABCB', 'ABCD'];
let tmp: string;
let all: string;
const groups: string[] = [];
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'songscope-features-'));
  all = join(tmp, 'all');
  await mkdir(all);
  const set = generateFormSet({ kind: 'same-form', perGroup: 3, seed: 7, forms: FORMS });
  for (const form of FORMS) await mkdir(join(tmp, form));
  for (const [i, s] of set.entries()) {
    const { provenance: _p, ...analysis } = s.analysis;
    const text = JSON.stringify(analysis);
    await writeFile(join(all, formFileName(s.form, i)), text);
    await writeFile(join(tmp, s.form, formFileName(s.form, i)), text);
  }
  for (const form of FORMS) groups.push('--group', `${form}=${join(tmp, form)}`);
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('album --features', () => {
  test('mean (the default) writes no shape plots; both adds the shape similarity and the shape map', async () => {
    const mean = join(tmp, 'album-mean');
    const both = join(tmp, 'album-both');
    assert.equal((await runCli(['album', all, '--no-per-track-plots', '-q', '-o', mean])).code, 0, 'mean ran');
    const r = await runCli(['album', all, '--features', 'both', '--no-per-track-plots', '-q', '-o', both]);
    assert.equal(r.code, 0, r.stderr);
    const meanFiles = (await readdir(mean)).filter((f) => f.endsWith('.vl.json')).sort();
    const bothFiles = (await readdir(both)).filter((f) => f.endsWith('.vl.json')).sort();
    assert.deepEqual(meanFiles, ['songs-clustermap.vl.json', 'songs-correlation.vl.json', 'songs-mds.vl.json'], 'mean: as before');
    assert.deepEqual(bothFiles, [...meanFiles, 'songs-shape-mds.vl.json', 'songs-shape.vl.json'].sort(), 'both: and the shape plots');
    const json = JSON.parse(await readFile(join(both, 'album.json'), 'utf8'));
    assert.equal(json.song_features, 'both', 'recorded');
    assert.equal(json.shape.id, 'songscope-shape/1 size=64 window=4 blur=1', 'the fingerprint id');
    assert.equal(json.shape.distances.length, 12, 'a 12 × 12 distance matrix');
    assert.equal(json.shape.distances[3][3], 0, 'zero diagonal');
    assert.equal(json.shape.distances[0][5], json.shape.distances[5][0], 'symmetric');
    assert.equal(json.tracks[0].shape_mds.length, 2, 'each track has its place on the shape map');
    const meanJson = JSON.parse(await readFile(join(mean, 'album.json'), 'utf8'));
    assert.deepEqual(json.correlation, meanJson.correlation, 'the mean-vector numbers do not change');
    assert.equal(meanJson.shape, undefined, 'mean: no shape section');
    const html = await readFile(join(both, 'report.html'), 'utf8');
    assert.match(html, /Shape map \(MDS of the shape distances\)/, 'the report shows the shape map');
  });

  test('shape: the shape plots only, and the songs clustered on the shape map group the forms', async () => {
    const out = join(tmp, 'album-shape');
    const r = await runCli(['album', all, '--features', 'shape', '--k', '4', '--no-per-track-plots', '-q', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await readdir(out)).filter((f) => f.endsWith('.vl.json')).sort(), ['songs-shape-mds.vl.json', 'songs-shape.vl.json'], 'shape plots only');
    const json = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    assert.equal(json.kmeans.on, 'shape map', 'clusters of the shape map');
    // every form's three songs in one cluster, four clusters (measured on this set)
    const byForm = new Map<string, Set<number>>();
    for (const t of json.tracks) {
      const form = t.title.split(' ')[0];
      byForm.set(form, (byForm.get(form) ?? new Set()).add(t.cluster));
    }
    for (const [form, clusters] of byForm) assert.equal(clusters.size, 1, `${form}: one cluster, got ${[...clusters].join(', ')}`);
    assert.equal(new Set(json.tracks.map((t: { cluster: number }) => t.cluster)).size, 4, 'four clusters for four forms');
  });
});

describe('classify and compare --features', () => {
  test('classify --features shape tells the four forms apart; the mean vectors cannot', async () => {
    const shape = await runCli(['classify', ...groups, '--features', 'shape', '--cv', 'loo', '--json', '-q']);
    assert.equal(shape.code, 0, shape.stderr);
    const s = JSON.parse(shape.stdout);
    assert.equal(s.d, 2016, 'the fingerprint is the feature vector');
    assert.equal(s.protocols[0].accuracy, 1, 'every held-out song classified by its form (measured 12 of 12)');
    const mean = await runCli(['classify', ...groups, '--cv', 'loo', '--json', '-q']);
    assert.equal(mean.code, 0, mean.stderr);
    const m = JSON.parse(mean.stdout);
    assert.equal(m.d, 26, 'the mean vector by default');
    // measured 5 of 12 (0.417); chance is 0.25
    assert.ok(m.protocols[0].accuracy <= 0.5, `the mean vectors do not know the form: ${m.protocols[0].accuracy}`);
  });

  test('compare --features both: both maps, and a classifier on the vectors and the fingerprint side by side', async () => {
    const out = join(tmp, 'compare-both');
    const r = await runCli(['compare', ...groups, '--features', 'both', '--cv', 'loo', '--json', '-q', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout);
    assert.equal(c.d, 26 + 2016, 'vectors and fingerprint side by side');
    assert.ok(c.protocols[0].accuracy >= 0.9, `the forms are found: ${c.protocols[0].accuracy}`);
    const files = (await readdir(out)).filter((f) => f.endsWith('.vl.json')).sort();
    assert.deepEqual(files, ['compare-correlation.vl.json', 'compare-mds.vl.json', 'compare-shape-mds.vl.json', 'compare-shape.vl.json'], 'both maps');
    const json = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8'));
    assert.equal(json.song_features, 'both', 'recorded');
    assert.equal(json.shape.distances.length, 12, 'the shape distances');
  });

  test('classificationPoints: both blocks weigh the same', async () => {
    const got = await collectTracks(await resolveCollection(all, { useCache: false }), { resolve: { useCache: false }, shape: {} });
    const vectors = songVectors(got.tracks);
    assert.equal(classificationPoints(got.tracks, vectors, 'mean'), vectors, 'mean: the vectors themselves');
    const shape = classificationPoints(got.tracks, vectors, 'shape');
    assert.deepEqual(Array.from(shape.data.subarray(0, 2016)), Array.from(got.tracks[0].shape!), 'shape: the fingerprint');
    const both = classificationPoints(got.tracks, vectors, 'both');
    assert.equal(both.d, 2042, '26 + 2016 columns');
    let vectorSs = 0;
    let shapeSs = 0;
    for (let i = 0; i < both.n; i++) {
      for (let c = 0; c < both.d; c++) (c < 26 ? (x: number) => (vectorSs += x * x) : (x: number) => (shapeSs += x * x))(both.data[i * both.d + c]);
    }
    // z-scored vectors: a sum of squares of 26 per song on average; the scaled fingerprint: 26 per song exactly
    assert.ok(Math.abs(vectorSs / both.n - 26) < 1e-9, `vector block ${vectorSs / both.n}`);
    assert.ok(Math.abs(shapeSs / both.n - 26) < 1e-4, `shape block ${shapeSs / both.n}`);
  });
});
