/**
 * The album / compare / classify jobs: streaming per-track vectors equal the in-memory computation, and
 * the album command writes every plot, album.json and report.html for a directory of the real fixtures.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { normalize } from '../../src/transforms/normalize.js';
import { meanVector } from '../../src/jobs/transforms.js';
import { collectTracks } from '../../src/jobs/tracks.js';
import { pearsonRows } from '../../src/transforms/correlate.js';
import { songVectors } from '../../src/transforms/songs.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { compileSpec } from '../../src/plots/render.js';
import { escapeHtml } from '../../src/report/html.js';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { FIXTURE_CASES, ROOT } from '../helpers/fixtures.js';
import { readAnalysisFile } from '../../src/sources/files.js';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'songscope-album-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('per-track vectors, one track at a time', () => {
  test('zscore-rows: equal the time-average of the matrices z-scored with all their rows pooled, computed in memory', async () => {
    const collection = await resolveCollection(join(ROOT, 'fixtures'), { useCache: false });
    const { tracks, failures } = await collectTracks(collection, { resolve: { useCache: false } });
    assert.deepEqual(failures, []);
    assert.equal(tracks.length, collection.tracks.length);
    const analyses = await Promise.all(collection.tracks.map((t) => readAnalysisFile(t.input)));
    const matrices = analyses.map((a) => buildFeatureMatrix(a, { grid: 'full' }));
    const slow = normalize(matrices, 'zscore-across').map(meanVector);
    const fast = songVectors(tracks, 'zscore-rows');
    slow.forEach((v, i) => v.forEach((x, c) => assert.ok(Math.abs(fast.data[i * 26 + c] - x) < 1e-9, `track ${i} column ${c}: ${fast.data[i * 26 + c]} vs ${x}`)));
    // z-scored across: the row-weighted mean of the track vectors is 0 in every column
    for (let c = 0; c < 26; c++) {
      let s = 0;
      tracks.forEach((t, i) => (s += t.rows * fast.data[i * 26 + c]));
      assert.ok(Math.abs(s / tracks.reduce((a, t) => a + t.rows, 0)) < 1e-9, `column ${c}`);
    }
    const r = pearsonRows(fast).values;
    const n = tracks.length;
    for (let i = 0; i < n; i++) {
      assert.equal(r[i * n + i], 1);
      for (let j = 0; j < n; j++) assert.equal(r[i * n + j], r[j * n + i]);
    }
  });
});

describe('songscope album on a directory of the fixtures', () => {
  test('writes the three song plots, album.json and report.html', async () => {
    const out = join(tmp, 'album');
    const r = await runCli(['album', 'fixtures', '--no-per-track-plots', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!hasStackTrace(r.stderr));
    assert.match(r.stderr, /\[3\/3\]/, 'plain progress lines when stderr is not a terminal');
    const files = (await readdir(out)).sort();
    for (const name of ['songs-correlation', 'songs-clustermap', 'songs-mds']) {
      assert.ok(files.includes(`${name}.vl.json`) && files.includes(`${name}.svg`), `${name}: ${files.join(' ')}`);
      compileSpec(JSON.parse(await readFile(join(out, `${name}.vl.json`), 'utf8')));
    }
    assert.ok(files.includes('album.json') && files.includes('report.html'));
    assert.ok(!files.includes('tracks'), '--no-per-track-plots');
    const album = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    assert.equal(album.tracks.length, 3);
    assert.equal(album.normalization, 'zscore-songs', 'the default normalisation of song vectors');
    assert.deepEqual(album.failures, []);
    assert.equal(album.correlation.length, 3);
    assert.deepEqual(album.clustermap.order.slice().sort(), [0, 1, 2]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.ok(!/<script[^>]+src=/i.test(html), 'self-contained');
    assert.ok(!html.includes('class="gallery"') && !html.includes('tracks/'), '--no-per-track-plots: no gallery, no links to track reports');
  });

  test("per-track outputs: each track's five plots and report.html, linked from the album report and shown in its gallery", async () => {
    const out = join(tmp, 'album-tracks');
    const r = await runCli(['album', 'fixtures', '-o', out, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const album = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    const dirs = (await readdir(join(out, 'tracks'))).sort();
    assert.equal(dirs.length, 3);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    const plots = ['features', 'similarity', 'similarity-smooth', 'trajectory', 'parts'];
    for (const [i, dir] of dirs.entries()) {
      const files = (await readdir(join(out, 'tracks', dir))).sort();
      const expected = ['analysis.json', ...plots.flatMap((p) => [`${p}.svg`, `${p}.vl.json`]), 'report.html', 'summary.json'].sort();
      assert.deepEqual(files, expected, dir);
      const own = await readFile(join(out, 'tracks', dir, 'report.html'), 'utf8');
      assert.deepEqual([...own.matchAll(/data-name="([^"]+)"/g)].map((m) => m[1]), plots, `${dir}/report.html shows the five plots`);
      assert.ok(own.includes('<a href="../../report.html">album report: fixtures</a>'), `${dir}/report.html links back`);
      const summary = JSON.parse(await readFile(join(out, 'tracks', dir, 'summary.json'), 'utf8'));
      assert.equal(summary.similarity_smooth.smooth_s, 10, 'the notebook smoothing by default');
      // the album report: the track's name links to its report, in the table and on its gallery entry
      const name = album.tracks[i].name;
      assert.equal(dir.slice(0, 2), name.slice(0, 2), 'tracks in order');
      const link = `<a href="tracks/${dir}/report.html">${escapeHtml(name)}</a>`;
      assert.ok(html.includes(`<td>${link}</td>`), `the tracks table links ${dir}`);
      assert.ok(html.includes(`<h3>${link}</h3>`), `a gallery entry for ${dir}`);
      for (const kind of ['similarity', 'trajectory']) assert.ok(html.includes(`data-name="${dir}-${kind}"`), `${dir}: small ${kind}`);
    }
    assert.equal(html.match(/<figure class="card">/g)?.length, 3, 'one gallery entry per track');
    const embedded = JSON.parse(/<script type="application\/json" id="songscope-plots">([^<]*)<\/script>/.exec(html)![1]);
    assert.equal(embedded.filter((p: { small?: boolean }) => p.small).length, 6, 'six small plots');
    for (const p of embedded) compileSpec(p.spec);
  });

  test('per-track outputs and a failing track: reported at the end, exit code 1, the rest still analysed', async () => {
    const manifest = join(tmp, 'with-missing.csv');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(manifest, `path_or_uri,label\n${join(ROOT, FIXTURE_CASES[0].input)},a\n${join(ROOT, 'fixtures/missing.json')},a\n${join(ROOT, FIXTURE_CASES[1].input)},b\n${join(ROOT, FIXTURE_CASES[3].input)},b\n`);
    const out = join(tmp, 'album2');
    const r = await runCli(['album', manifest, '-o', out, '--no-plot']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /1 track failed:/);
    assert.match(r.stderr, /missing\.json.*no such file/);
    const album = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    assert.equal(album.tracks.length, 3);
    assert.equal(album.failures.length, 1);
    const files = await readdir(out);
    assert.deepEqual(files.sort(), ['album.json'], '--no-plot: numbers only');
  });

  test('one track listed three times: every song at the origin of the MDS map, no internal error', async () => {
    const { mkdir, copyFile } = await import('node:fs/promises');
    const dir = join(tmp, 'three-copies');
    await mkdir(dir, { recursive: true });
    for (const n of [1, 2, 3]) await copyFile(join(ROOT, FIXTURE_CASES[0].input), join(dir, `0${n}-copy.json`));
    const out = join(tmp, 'album-copies');
    const r = await runCli(['album', dir, '--no-plot', '-o', out, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const album = JSON.parse(await readFile(join(out, 'album.json'), 'utf8'));
    assert.deepEqual(album.tracks.map((t: { mds: number[] }) => t.mds), [[0, 0], [0, 0], [0, 0]], 'identical songs coincide');
  });

  test('same input and seed → byte-identical album outputs', async () => {
    const a = join(tmp, 'det-a');
    const b = join(tmp, 'det-b');
    for (const out of [a, b]) {
      const r = await runCli(['album', 'fixtures', '--no-per-track-plots', '-o', out, '-q']);
      assert.equal(r.code, 0, r.stderr);
    }
    for (const f of await readdir(a)) {
      assert.ok((await readFile(join(a, f))).equals(await readFile(join(b, f))), `${f} differs`);
    }
  });
});
