/**
 * `songscope similar` as a user runs it: spawned, on a directory of generated songs of known forms, a CSV
 * manifest, an album and a playlist of recorded Spotify responses, the fixtures' manifest; the table, --json,
 * --top, --by, the query left out, the plot and report.html, and the errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { hasStackTrace, runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { formFileName, generateFormSet } from '../../src/synth/forms.js';
import { resolveCollection } from '../../src/sources/collection.js';
import { collectTracks } from '../../src/jobs/tracks.js';
import { songVectors } from '../../src/transforms/songs.js';
import { squaredDistance } from '../../src/transforms/points.js';

const FORMS = ['AABA', 'ABAB', 'ABABCB', 'ABCD'];
const SPOTIFY = join(ROOT, 'fixtures', 'spotify');

let tmp: string;
let dir: string;
let query: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'songscope-similar-'));
  dir = join(tmp, 'forms');
  await mkdir(dir);
  const set = generateFormSet({ kind: 'same-form', perGroup: 3, seed: 7, forms: FORMS });
  for (const [i, s] of set.entries()) {
    const { provenance: _p, ...analysis } = s.analysis;
    await writeFile(join(dir, formFileName(s.form, i)), JSON.stringify(analysis));
  }
  query = join(dir, 'aaba-01.json');
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface SimilarJson {
  query: { track: string; input: string; duration_s: number };
  by: string;
  results: { rank: number; track: string; input: string; distance: number; shape_distance?: number; features_distance?: number }[];
}

describe('similar on a directory of generated songs', () => {
  test('--json: the query, the measure and the ranked results; the query itself left out', async () => {
    const out = join(tmp, 'out-json');
    const r = await runCli(['similar', query, dir, '--json', '-q', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as SimilarJson;
    assert.deepEqual(Object.keys(j), ['query', 'by', 'results'], 'the documented keys, in order');
    assert.equal(j.by, 'shape', 'shape by default');
    assert.equal(j.query.input, query, 'the query as resolved');
    assert.equal(j.query.track, '01 AABA 01', 'named as in the collection');
    assert.equal(j.results.length, 10, '--top 10 by default (of the 11 others)');
    assert.ok(!j.results.some((m) => m.input === query), 'the query is not among its results');
    j.results.forEach((m, i) => {
      assert.deepEqual(Object.keys(m), ['rank', 'track', 'input', 'distance'], `result ${i}: its keys`);
      assert.equal(m.rank, i + 1, `result ${i}: its rank`);
      if (i > 0) assert.ok(m.distance >= j.results[i - 1].distance, `result ${i}: ascending distances`);
    });
    // the two other AABA songs come first (warped distances measured 0.223 and 0.284, the next 0.389)
    assert.deepEqual(
      j.results.slice(0, 2).map((m) => m.track.replace(/^\d+ /, '').replace(/ \d+$/, '')),
      ['AABA', 'AABA'],
      `the nearest are the same form: ${j.results.map((m) => m.track).join(', ')}`,
    );
    assert.ok(!r.stdout.includes('rank  distance'), 'no table with --json');
  });

  test('the table, --top, and the files: similar.json, the plot and report.html', async () => {
    const out = join(tmp, 'out-table');
    const r = await runCli(['similar', query, dir, '--top', '3', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^query {7}01 AABA 01 \(.*aaba-01\.json\)$/, 'the query line');
    assert.match(lines[1], /^collection {2}forms \(directory\): 11 compared, 1 left out as the query itself$/, 'the collection line');
    assert.match(lines[2], /^by {10}shape \(warped distance, songscope-shape\/1 size=64 window=4 blur=1\)$/, 'the measure line');
    assert.match(lines[4], /^rank {2}distance {2}track +input$/, 'the header');
    assert.equal(lines.length, 8, `three results: ${r.stdout}`);
    assert.match(lines[5], /^ {3}1 {4}0\.\d{4} {2}\d\d AABA \d\d {2}.*aaba-0[23]\.json$/, 'rank 1');
    assert.match(r.stderr, /\[12\/12\] 12 ABCD 12/, 'progress on stderr');
    assert.match(r.stderr, /wrote 4 files to /, 'the files written');
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['report.html', 'similar.json', 'similar.svg', 'similar.vl.json'], 'the outputs');
    const json = JSON.parse(await readFile(join(out, 'similar.json'), 'utf8'));
    assert.equal(json.results.length, 3, 'similar.json has the same results');
    assert.equal(json.compared, 11, 'and how many were compared');
    assert.deepEqual(json.left_out, [{ track: '01 AABA 01', input: query }], 'and what was left out');
    assert.equal(json.shape.id, 'songscope-shape/1 size=64 window=4 blur=1', 'and the fingerprint id');
    const spec = JSON.parse(await readFile(join(out, 'similar.vl.json'), 'utf8'));
    assert.equal(spec.hconcat.length, 4, 'the query and its 3 matches side by side');
    assert.equal(spec.hconcat[0].vconcat[0].data.values.length, 64 * 64, 'a 64 × 64 shape matrix');
    assert.equal(spec.hconcat[0].vconcat[1].data.values.length, 64, 'a 64-point trajectory');
    const svg = await readFile(join(out, 'similar.svg'), 'utf8');
    assert.match(svg, /^<svg/, 'an SVG');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(html, /Songs shaped like AABA 01/, 'the report names the query');
    for (const m of json.results) assert.ok(html.includes(m.track), `the report lists ${m.track}`);
  });

  test('--by features ranks by the distance between the normalised time-averaged vectors, as the library computes it', async () => {
    const r = await runCli(['similar', query, dir, '--by', 'features', '--top', '11', '--json', '-q', '--no-plot', '-o', join(tmp, 'out-f')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as SimilarJson;
    assert.equal(j.by, 'features');
    const got = await collectTracks(await resolveCollection(dir, { useCache: false }), { resolve: { useCache: false } });
    const q = got.tracks.find((t) => t.ref.input === query)!;
    const others = got.tracks.filter((t) => t !== q);
    const v = songVectors([q, ...others], 'zscore-songs');
    const expected = others.map((t, i) => ({ input: t.ref.input, d: Math.sqrt(squaredDistance(v, 0, v, i + 1)) })).sort((a, b) => a.d - b.d);
    assert.deepEqual(j.results.map((m) => m.input), expected.map((e) => e.input), 'the same order');
    j.results.forEach((m, i) => assert.ok(Math.abs(m.distance - expected[i].d) < 1e-12, `${m.track}: ${m.distance} vs ${expected[i].d}`));
    assert.deepEqual(await readdir(join(tmp, 'out-f')), ['similar.json'], '--no-plot: the numbers only');
  });

  test('--by both gives both distances and ranks by their median-scaled mean', async () => {
    const r = await runCli(['similar', query, dir, '--by', 'both', '--top', '11', '--json', '-q', '--no-plot', '-o', join(tmp, 'out-b')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as SimilarJson;
    assert.equal(j.by, 'both');
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    const ms = median(j.results.map((m) => m.shape_distance!));
    const mf = median(j.results.map((m) => m.features_distance!));
    for (const m of j.results) {
      assert.deepEqual(Object.keys(m), ['rank', 'track', 'input', 'distance', 'shape_distance', 'features_distance'], 'both distances');
      assert.ok(Math.abs(m.distance - (m.shape_distance! / ms + m.features_distance! / mf) / 2) < 1e-12, `${m.track}: the combination`);
    }
  });

  test('the same command gives the same files, byte for byte', async () => {
    const a = join(tmp, 'det-a');
    const b = join(tmp, 'det-b');
    for (const out of [a, b]) assert.equal((await runCli(['similar', query, dir, '--top', '2', '-q', '-o', out])).code, 0, 'ran');
    for (const f of ['similar.json', 'similar.vl.json', 'similar.svg', 'report.html']) {
      assert.ok((await readFile(join(a, f))).equals(await readFile(join(b, f))), `${f} identical`);
    }
  });
});

describe('similar on other kinds of collection', () => {
  test('a CSV manifest (relative paths) holding the query', async () => {
    const manifest = join(tmp, 'songs.csv');
    const names = ['aaba-01.json', 'aaba-02.json', 'abab-04.json', 'abcd-10.json'];
    await writeFile(manifest, `path_or_uri,label\n${names.map((n) => `${relative(tmp, join(dir, n))},x`).join('\n')}\n`);
    const r = await runCli(['similar', query, manifest, '--json', '-q', '--no-plot', '-o', join(tmp, 'out-m')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as SimilarJson;
    assert.equal(j.results.length, 3, 'four listed, the query left out');
    assert.match(j.results[0].input, /aaba-02\.json$/, 'the other AABA first');
  });

  test('an album of recorded Spotify responses (--fixtures)', async () => {
    const r = await runCli(['similar', 'fixtures/psy-gangnam-style.json', 'spotify:album:SongscopeFixtureAlbum1', '--fixtures', SPOTIFY, '--json', '-q', '-o', join(tmp, 'out-album')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as SimilarJson;
    assert.equal(j.results.length, 1, 'the album has one track');
    assert.equal(j.results[0].input, 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', 'by its URI');
    assert.ok(j.results[0].distance > 0 && j.results[0].distance < 2, `a distance in (0, 2): ${j.results[0].distance}`);
  });

  test('a playlist of recorded responses, with a Spotify track as the query: the query left out by its id', async () => {
    const r = await runCli(['similar', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', 'fixtures/manifests/fixtures.csv', '--fixtures', SPOTIFY, '--json', '--no-plot', '-o', join(tmp, 'out-pl')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as SimilarJson;
    assert.equal(j.results.length, 4, 'five listed (JSON, Echo Nest, MSD, Spotify), the query left out');
    assert.ok(!j.results.some((m) => m.input === 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1'), 'not the query');
    const pl = await runCli(['similar', 'fixtures/psy-gangnam-style.json', 'spotify:playlist:SongscopeFixtureList01', '--fixtures', SPOTIFY, '--json', '-q', '--no-plot', '-o', join(tmp, 'out-pl2')]);
    assert.equal(pl.code, 0, pl.stderr);
    assert.equal((JSON.parse(pl.stdout) as SimilarJson).results.length, 2, 'the playlist has two tracks');
  });
});

describe('similar: errors', () => {
  test('a query naming several tracks, a missing collection, a collection holding only the query: exit 2, one line', async () => {
    const several = await runCli(['similar', dir, dir]);
    assert.equal(several.code, 2, several.stderr);
    assert.match(several.stderr, /the query names 12 tracks; give one track/, 'a directory as the query');
    const missing = await runCli(['similar', query, join(tmp, 'no-such-dir')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no such file/, 'a missing collection');
    const only = await runCli(['similar', query, query]);
    assert.equal(only.code, 2, only.stderr);
    assert.match(only.stderr, /no track to compare the query with \(1 left out as the query itself\)/, 'nothing but the query');
    const badTop = await runCli(['similar', query, dir, '--top', '0']);
    assert.equal(badTop.code, 2, badTop.stderr);
    const badBy = await runCli(['similar', query, dir, '--by', 'mood']);
    assert.equal(badBy.code, 2, badBy.stderr);
    assert.match(badBy.stderr, /Allowed choices are shape, features, both/, 'the choices of --by');
    for (const r of [several, missing, only, badTop, badBy]) assert.ok(!hasStackTrace(r.stderr), r.stderr);
  });

  test('a broken track of the collection is reported and the rest ranked (exit 1)', async () => {
    const mixed = join(tmp, 'mixed');
    await mkdir(mixed);
    for (const n of ['aaba-02.json', 'abab-04.json']) await writeFile(join(mixed, n), await readFile(join(dir, n)));
    await writeFile(join(mixed, 'broken.json'), '{"segments": 3}');
    const r = await runCli(['similar', query, mixed, '--json', '--no-plot', '-o', join(tmp, 'out-mixed')]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal((JSON.parse(r.stdout) as SimilarJson).results.length, 2, 'the two good tracks ranked');
    assert.match(r.stderr, /1 track failed:\n {2}\d\d broken: .*broken\.json/, 'the broken track named at the end');
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  });
});
