/**
 * `songscope scan`, spawned as a user runs it: one row per track with the analysis' own numbers, failures
 * in their table, resumability (nothing redone, a changed file replaced, a touched file trusted), the same
 * bytes for any --jobs, shards whose union is the single scan, the listing, and the refusals.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readAnalysisFile } from '../../src/sources/files.js';
import { eventColumnStats, eventGrid } from '../../src/matrix/events.js';
import { generateAudioAnalysis } from '../../src/synth/generate.js';
import { shardOfKey } from '../../src/corpus/key.js';
import { MEAN_COLUMNS, STD_COLUMNS, shapeValues } from '../../src/corpus/schema.js';
import { fingerprintFromGrid, shapeId } from '../../src/shape/fingerprint.js';
import { CLI, hasStackTrace } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { datasetRows, plain, scan, writeCorpus, type GeneratedCorpus } from './helpers.js';

let dir: string;
let cache: string;
let corpus: GeneratedCorpus;
const TRACKS = 14;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-scan-'));
  cache = join(dir, 'cache');
  corpus = await writeCorpus(dir, TRACKS, { durationS: 30 });
  await writeFile(join(corpus.root, '1', 'broken.json'), '{"track": {"duration": 10}}\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = async (path: string) => `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

test("scan writes one row per track with the analysis' own numbers, and failures in _failures", async () => {
  const out = join(dir, 'one');
  const r = await scan([corpus.root, '-o', out, '--jobs', '2', '--part-rows', '5', '--json', '-q'], cache);
  assert.equal(r.code, 1, `exit 1: one input failed\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const summary = json(r.stdout);
  assert.deepEqual([summary.listed, summary.scanned, summary.up_to_date, (summary.failures as unknown[]).length], [TRACKS + 1, TRACKS + 1, 0, 1], JSON.stringify(summary));
  assert.deepEqual(
    (await readdir(out)).sort(),
    ['_failures', '_songscope.json', 'part-s1of1-r0001-00001.parquet', 'part-s1of1-r0001-00002.parquet', 'part-s1of1-r0001-00003.parquet'],
    'three parts of at most 5 rows (14 tracks), the manifest and the failures table',
  );
  const manifest = JSON.parse(await readFile(join(out, '_songscope.json'), 'utf8'));
  assert.equal(manifest.grid, 'full', 'the manifest records the grid');
  assert.equal(manifest.tables.tracks.columns.length, 10 + 16 + 52 + 2 + 2, 'identity, summary, 52 statistics, the shape fingerprint and ledger columns');

  const rows = await datasetRows(out);
  assert.equal(rows.length, TRACKS, 'one row per track');
  assert.deepEqual(rows.map((r) => r.input).sort(), [...corpus.files].sort(), 'each file once');
  for (const row of rows) {
    const file = String(row.input);
    const analysis = await readAnalysisFile(file);
    const stats = eventColumnStats(eventGrid(analysis, 'full'));
    assert.equal(row.track_key, await sha(file), `${file}: track_key is the SHA-256 of its bytes`);
    assert.deepEqual(MEAN_COLUMNS.map((c) => row[c]), [...stats.mean], `${file}: the 26 means, bit for bit`);
    assert.deepEqual(STD_COLUMNS.map((c) => row[c]), [...stats.std], `${file}: the 26 stds, bit for bit`);
    const fingerprint = fingerprintFromGrid(eventGrid(analysis, 'full'), analysis.bars.map((b) => b.start));
    assert.equal(row.shape_id, shapeId(), `${file}: the fingerprint's id`);
    assert.deepEqual([...shapeValues(row.shape as Uint8Array)], [...fingerprint.values], `${file}: the shape fingerprint, bit for bit`);
    assert.deepEqual(
      [row.duration_s, row.tempo_bpm, row.key, row.mode, row.time_signature, row.loudness_db, row.n_bars, row.n_beats, row.n_segments, row.n_sections, row.grid_rows],
      [analysis.track.duration, analysis.track.tempo, analysis.track.key, analysis.track.mode, analysis.track.time_signature, analysis.track.loudness, analysis.bars.length, analysis.beats.length, analysis.segments.length, analysis.sections.length, Math.ceil(analysis.track.duration * 1000)],
      `${file}: summary columns`,
    );
    assert.equal(row.title, analysis.provenance.title, `${file}: title from the analysis`);
    assert.equal(row.file_bytes, BigInt((await stat(file)).size), `${file}: size recorded for the ledger`);
  }
  const positions = rows.map((r) => Number(r.position)).sort((a, b) => a - b);
  assert.equal(new Set(positions).size, TRACKS, 'positions are distinct');
  const failures = await datasetRows(out, 'failures');
  assert.equal(failures.length, 1, 'one failure row');
  assert.equal(failures[0].input, join(corpus.root, '1', 'broken.json'), 'the broken file');
  assert.equal(failures[0].exit_code, 2, 'bad input: exit code 2');
  assert.match(String(failures[0].message), /bars|segments|beats/, 'the validation message');
});

test('a re-run does nothing; a changed file is replaced, a touched one trusted, failures retried on request', async () => {
  const out = join(dir, 'rerun');
  const first = await scan([corpus.root, '-o', out, '--jobs', '2', '--part-rows', '5', '-q'], cache);
  assert.equal(first.code, 1, first.stderr);
  const snapshot = async () => {
    const names = (await readdir(out)).filter((n) => n.endsWith('.parquet')).sort();
    return Promise.all(names.map(async (n) => [n, createHash('sha256').update(await readFile(join(out, n))).digest('hex')]));
  };
  const before1 = await snapshot();
  const again = await scan([corpus.root, '-o', out, '--json', '-q'], cache);
  const s = json(again.stdout);
  assert.deepEqual([s.up_to_date, s.failed_before, s.scanned], [TRACKS, 1, 0], `nothing to do: ${again.stdout}`);
  assert.deepEqual(await snapshot(), before1, 'no part written or rewritten');

  // change one file's content, touch another (same bytes, new time)
  const changed = corpus.files[3];
  const touched = corpus.files[4];
  const original = await readFile(changed);
  try {
    await writeFile(changed, JSON.stringify(generateAudioAnalysis({ style: 'folk', seed: 99, index: 3, durationS: 40 })) + '\n');
    const later = new Date(Date.now() + 5000);
    await utimes(touched, later, later);
    const third = await scan([corpus.root, '-o', out, '--json', '-q'], cache);
    const t = json(third.stdout);
    assert.deepEqual([t.up_to_date, t.scanned, t.dropped], [TRACKS - 1, 1, 1], `only the changed file is scanned, its old row dropped: ${third.stdout}`);
    const rows = await datasetRows(out);
    assert.equal(rows.length, TRACKS, 'still one row per track');
    assert.equal(new Set(rows.map((r) => r.input)).size, TRACKS, 'each input once');
    const row = rows.find((r) => r.input === changed)!;
    assert.equal(row.track_key, await sha(changed), 'the changed file has its new key');
    assert.equal(row.duration_s, 40, 'and its new numbers');

    const retried = await scan([corpus.root, '-o', out, '--retry-failed', '--json', '-q'], cache);
    const u = json(retried.stdout);
    assert.deepEqual([u.scanned, (u.failures as unknown[]).length], [1, 1], `--retry-failed scans the broken file again: ${retried.stdout}`);
    assert.equal((await datasetRows(out, 'failures')).length, 1, 'and its failure is recorded once');
  } finally {
    await writeFile(changed, original);
  }
});

test('--jobs 1 and --jobs 4 write byte-identical part files', async () => {
  const files = async (out: string) => {
    const names = [...(await readdir(out)).filter((n) => n !== '_failures'), ...(await readdir(join(out, '_failures'))).map((n) => `_failures/${n}`)].sort();
    return Promise.all(names.map(async (n) => [n, createHash('sha256').update(await readFile(join(out, n))).digest('hex')]));
  };
  const a = join(dir, 'jobs1');
  const b = join(dir, 'jobs4');
  const r1 = await scan([corpus.root, '-o', a, '--jobs', '1', '--part-rows', '4', '-q'], cache);
  const r4 = await scan([corpus.root, '-o', b, '--jobs', '4', '--part-rows', '4', '-q'], cache);
  assert.equal(r1.code, 1, r1.stderr);
  assert.equal(r4.code, 1, r4.stderr);
  const fa = await files(a);
  assert.equal(fa.filter(([n]) => n.startsWith('part-')).length, 4, 'four parts of 4 rows');
  assert.deepEqual(await files(b), fa, 'same names, same bytes');
});

test('three shards scanning at once fill one dataset that equals the single scan row for row', async () => {
  const single = join(dir, 'single');
  const sharded = join(dir, 'sharded');
  assert.equal((await scan([corpus.root, '-o', single, '--jobs', '1', '-q'], cache)).code, 1);
  const runs = await Promise.all([1, 2, 3].map((k) => scan([corpus.root, '-o', sharded, '--shard', `${k}/3`, '--jobs', '1', '--json', '-q'], cache)));
  const inShard = runs.map((r) => Number(json(r.stdout).in_shard));
  assert.equal(inShard.reduce((a, b) => a + b, 0), TRACKS + 1, `the shards partition the inputs: ${inShard}`);
  assert.ok(inShard.every((n) => n > 0 && n < TRACKS), `every shard has a share: ${inShard}`);
  const rows = await datasetRows(sharded);
  assert.deepEqual(rows.map(plain), (await datasetRows(single)).map(plain), 'the union of the shards is the single scan');
  assert.deepEqual((await datasetRows(sharded, 'failures')).map(plain), (await datasetRows(single, 'failures')).map(plain), 'failures too');
  const parts = (await readdir(sharded)).filter((n) => n.startsWith('part-'));
  for (const row of rows) {
    const shard = shardOfKey(String(row.track_key), 3) + 1;
    assert.ok(parts.some((p) => p.startsWith(`part-s${shard}of3-`)), `${row.input}: written by shard ${shard}`);
  }
});

test('a manifest brings its columns; --list prints a manifest that scans to the same rows', async () => {
  const direct = join(dir, 'manifest-direct');
  const r = await scan([corpus.manifest, '-o', direct, '-q'], cache);
  assert.equal(r.code, 0, r.stderr);
  const rows = await datasetRows(direct);
  assert.equal(rows.length, TRACKS, 'every manifest entry');
  for (const row of rows) {
    const i = corpus.files.indexOf(String(row.input));
    assert.deepEqual([row.label, row.era], [corpus.styles[i], corpus.styles[i] === 'dance' ? 'new' : 'old'], `${row.input}: label and the era column`);
  }
  const list = await scan([corpus.manifest, '--list'], cache);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout.split('\n')[0], 'input,label,era', 'a manifest with a header');
  const listed = join(dir, 'listing.csv');
  await writeFile(listed, list.stdout);
  const viaList = join(dir, 'manifest-listed');
  assert.equal((await scan([listed, '-o', viaList, '-q'], cache)).code, 0);
  assert.deepEqual((await datasetRows(viaList)).map(plain), rows.map(plain), 'the listing scans to the same rows');
  const stdin = join(dir, 'stdin');
  const viaStdin = await scan(['-', '-o', stdin, '-q'], cache, { input: `${corpus.files[0]}\n# a comment\n\n${corpus.files[1]}\n` });
  assert.equal(viaStdin.code, 0, viaStdin.stderr);
  assert.deepEqual((await datasetRows(stdin)).map((r) => r.input), corpus.files.slice(0, 2), 'one input per line on stdin');
});

test('an album from recorded Spotify fixtures: rows keyed by the Spotify id, titles from the listing', async () => {
  const out = join(dir, 'spotify');
  const r = await scan(['spotify:album:SongscopeFixtureAlbum1', '--fixtures', join(FIXTURES, 'spotify'), '-o', out, '-q'], cache);
  assert.equal(r.code, 0, r.stderr);
  const rows = await datasetRows(out);
  assert.deepEqual(
    rows.map((row) => [row.track_key, row.input, row.source, row.track_id]),
    [['spotify:7nWUDDCpTDYle0Ppi8i5K1', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', 'spotify', '7nWUDDCpTDYle0Ppi8i5K1']],
    'one track, keyed by its id',
  );
  assert.equal(typeof rows[0].title, 'string', 'a title from the listing');
  assert.equal(rows[0].file_bytes, null, 'no file facts for a Spotify track');
});

test('refusals: another grid, new manifest columns, a foreign directory, a bad shard; exit 2 and one line', async () => {
  const out = join(dir, 'refuse');
  assert.equal((await scan([corpus.files[0], '-o', out, '-q'], cache)).code, 0);
  const cases: [string[], RegExp][] = [
    [[corpus.files[1], '-o', out, '--grid', 'seed'], /scanned with --grid full; this scan asks for --grid seed/],
    [[corpus.manifest, '-o', out], /adds column era/],
    [[corpus.files[1], '-o', corpus.root], /not a songscope dataset/],
    [[corpus.files[1], '-o', out, '--shard', '4/3'], /--shard: "4\/3"/],
    [[out, '-o', join(dir, 'x')], /is a songscope dataset/],
    [[join(dir, 'nope'), '-o', join(dir, 'y')], /no such file/],
  ];
  for (const [args, message] of cases) {
    const r = await scan(args, cache);
    assert.equal(r.code, 2, `${args.join(' ')}: exit 2\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  }
  // a dataset written by a songscope with other columns (a later format) takes no parts of this one's
  const manifestPath = join(out, '_songscope.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  manifest.generator = 'songscope 9.9.9';
  manifest.tables.tracks.columns.push({ name: 'shape_fingerprint', type: 'VARCHAR', description: 'later' });
  await writeFile(manifestPath, JSON.stringify(manifest));
  const r = await scan([corpus.files[1], '-o', out], cache);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /made by songscope 9\.9\.9 with other columns/, r.stderr);
});

test('what a kill or a bad disk leaves behind is cleaned up: a stray temporary file, an unreadable part', async () => {
  const out = join(dir, 'debris');
  assert.equal((await scan([corpus.root, '-o', out, '--part-rows', '5', '-q'], cache)).code, 1);
  const stray = join(out, '.part-s1of1-r0001-00004.parquet.tmp-4242-0badcafe');
  await writeFile(stray, 'half a file');
  const victim = join(out, 'part-s1of1-r0001-00002.parquet');
  await writeFile(victim, 'PAR1 not really');
  const r = await scan([corpus.root, '-o', out, '--json'], cache);
  assert.match(r.stderr, /part-s1of1-r0001-00002\.parquet: unreadable/, 'the unreadable part is reported');
  const names = await readdir(out);
  assert.ok(!names.includes(basename(stray)), 'the temporary file is deleted');
  assert.ok(names.includes('.part-s1of1-r0001-00002.parquet.unreadable'), 'the unreadable part is set aside, hidden');
  assert.equal(json(r.stdout).scanned, 5, 'its five tracks are scanned again (the failed input stays failed)');
  const rows = await datasetRows(out);
  assert.deepEqual(rows.map((r) => r.input).sort(), [...corpus.files].sort(), 'every track exactly once');
});

test('songscope --help loads neither DuckDB nor piscina', () => {
  const code = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    process.argv = [process.argv[0], 'songscope', '--help'];
    process.on('exit', () => {
      const loaded = Object.keys(require.cache).filter((k) => /duckdb|piscina/.test(k));
      process.stderr.write('LOADED ' + JSON.stringify(loaded) + '\\n');
    });
    await import(${JSON.stringify(CLI)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.match(r.stderr, /LOADED \[\]/, `nothing of DuckDB or piscina was required:\n${r.stderr}`);
  assert.match(r.stdout, /scan/, 'the help lists scan');
});
