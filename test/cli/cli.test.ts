import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { compile } from 'vega-lite';
import { readMatrix } from '../../src/matrix/io.js';
import { column, valueAt } from '../../src/matrix/featureMatrix.js';
import { FakeSpotify, spotifyError } from '../helpers/fakeSpotify.js';
import { FIXTURE_CASES, FIXTURES, loadReference, readJson, worst } from '../helpers/fixtures.js';
import { CLI, hasStackTrace, runCli } from '../helpers/cli.js';
import { execFileSync } from 'node:child_process';
import { tempDirPerSuite } from '../helpers/assert.js';

const ID = '7nWUDDCpTDYle0Ppi8i5K1';
const tmp = tempDirPerSuite('cli');

describe('songscope analyze on a bundled fixture (the quick start)', () => {
  test('prints a readable summary, writes every file, specs compile, and runs are byte-identical', async () => {
    const out = join(tmp.path, 'psy');
    const r = await runCli(['analyze', 'fixtures/psy-gangnam-style.json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'nothing on stderr');
    for (const expected of ['3:39.5', '132.1 BPM', 'B minor', '4/4', '116 bars', '467 beats', '894 segments', '8 sections', '219,494 rows × 26 features', '220 × 220 at 1 s', 'smoothed over 10 s (9 bins undefined)', 'features.svg', 'similarity.vl.json', 'done in']) {
      assert.ok(r.stdout.includes(expected), `stdout lacks ${expected}:\n${r.stdout}`);
    }
    assert.match(r.stdout, /^  parts      3 by k-means, \d+ runs; boundaries 0, [\d., ]+… 219\.49 s; F \d\.\d\d vs sections \(±3 s\)$/m, 'stdout: the parts line');
    assert.match(r.stdout, /^  trajectory PCA of 220 bins; PC1 \d+\.\d % \+ PC2 \d+\.\d % of the variance$/m, 'stdout: the trajectory line');
    const plots = ['features', 'similarity', 'similarity-smooth', 'trajectory', 'parts'];
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['analysis.json', ...plots.flatMap((p) => [`${p}.svg`, `${p}.vl.json`]), 'report.html', 'summary.json'].sort(), 'every plot as SVG and spec, the analysis, the summary and the report');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.ok(html.includes('B minor') && !/<script[^>]+src=/i.test(html), 'report.html: the summary, self-contained');
    assert.deepEqual([...html.matchAll(/data-name="([^"]+)"/g)].map((m) => m[1]), plots, 'report.html shows the five plots in order');
    for (const p of plots) {
      const parsed = JSON.parse(await readFile(join(out, `${p}.vl.json`), 'utf8'));
      assert.equal(parsed.$schema, 'https://vega.github.io/schema/vega-lite/v6.json', `${p}.vl.json: Vega-Lite v6`);
      assert.ok(compile(parsed).spec, `${p}.vl.json compiles`);
      const text = await readFile(join(out, `${p}.svg`), 'utf8');
      assert.match(text, /^<svg[^>]* width="\d+(\.\d+)?" height="\d+(\.\d+)?"/, `${p}.svg: an SVG with its size`);
      assert.ok(text.includes(p === 'trajectory' ? 'PC1' : 'time'), `${p}.svg has its axis`);
    }
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.key, 'B minor', 'summary: key');
    assert.equal(summary.tempo_bpm, 132.067, 'summary: tempo');
    assert.equal(summary.grid.rows, 219494, 'summary: rows of the 1 ms grid');
    assert.equal(summary.grid.semantics, 'full', 'summary: the full grid by default');
    assert.equal(summary.similarity.bins, 220, 'summary: 220 bins of 1 s');
    assert.equal(summary.counts.segments, 894, 'summary: segments');
    assert.equal(summary.input, 'fixtures/psy-gangnam-style.json', 'issue 10: summary.json names the input as given');
    const analysis = JSON.parse(await readFile(join(out, 'analysis.json'), 'utf8'));
    assert.equal(analysis.provenance.source, 'spotify', 'analysis.json keeps the source');
    assert.deepEqual(analysis.segments, readJson<any>('fixtures/psy-gangnam-style.json').segments, 'analysis.json keeps the segments as read');

    // the same input gives byte-identical files
    const again = join(tmp.path, 'psy-again');
    const r2 = await runCli(['analyze', 'fixtures/psy-gangnam-style.json', '--out', again]);
    assert.equal(r2.code, 0, 'the second run exits 0');
    for (const f of files) {
      const a = await readFile(join(out, f), 'utf8');
      const b = await readFile(join(again, f), 'utf8');
      assert.ok(a.replaceAll(out, '') === b.replaceAll(again, ''), `${f} differs between runs`);
    }
  });

  test('default output directory, --json, --smooth and --resolution', async () => {
    const cwd = join(tmp.path, 'cwd');
    await mkdir(cwd);
    const r = await runCli(['analyze', join(FIXTURES, 'edx-give-it-up-for-love.echonest.json'), '--json', '--smooth', '10', '--resolution', '500ms', '--no-render'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.title, 'Give It Up for Love feat. John Williams (Mysto & Pizzi Remix)', 'title');
    assert.equal(s.artist, 'EDX, John Williams', 'artist');
    assert.equal(s.source, 'echonest', 'source');
    assert.equal(s.key, 'B minor', 'key');
    assert.equal(s.similarity.bin_s, 0.5, '--resolution 500ms');
    assert.equal(s.similarity.undefined_bins, 0, 'no undefined bins unsmoothed');
    assert.equal(s.similarity_smooth.smooth_s, 10, '--smooth 10');
    assert.equal(s.similarity_smooth.window_bins, 20, '10 s of 0.5 s bins');
    assert.equal(s.similarity_smooth.undefined_bins, 19, 'a 20-bin window leaves 19 leading zero rows'); // 10 s at 0.5 s = a 20-bin window: 19 leading zero rows
    assert.equal(s.parts.bin_s, 0.5, 'parts on the 0.5 s bins');
    assert.equal(s.parts.bins, s.similarity.bins, 'a part label per bin');
    assert.equal(s.trajectory.points, s.similarity.bins, 'a trajectory point per bin');
    assert.equal(typeof s.elapsed_ms, 'number', 'the summary records how long the run took');
    const dir = join(cwd, 'songscope-out', 'give-it-up-for-love-feat-john-williams-mysto-pizzi-remix');
    const specs = ['features.vl.json', 'similarity.vl.json', 'similarity-smooth.vl.json', 'trajectory.vl.json', 'parts.vl.json'];
    assert.deepEqual((await readdir(dir)).sort(), [...specs, 'analysis.json', 'report.html', 'summary.json'].sort(), 'the specs, the analysis, the report and the summary in the default directory');
    assert.deepEqual(s.files.map((f: string) => f.replace(/^.*[\\/]/, '')), [...specs, 'analysis.json', 'summary.json', 'report.html'], 'the files listed in the order written');
  });

  test('--out ./dir/ lists the files by name; --no-render removes SVGs an earlier run left', async () => {
    const cwd = join(tmp.path, 'relative');
    await mkdir(cwd);
    const first = await runCli(['analyze', join(FIXTURES, 'spotify/audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json'), '--out', './o/'], { cwd });
    assert.equal(first.code, 0, first.stderr);
    const listed = ['features', 'similarity', 'similarity-smooth', 'trajectory', 'parts'].flatMap((p) => [`${p}.vl.json`, `${p}.svg`]);
    assert.ok(
      first.stdout.includes(`\nwrote 13 files to o/\n${[...listed, 'analysis.json', 'summary.json', 'report.html'].map((f) => `  ${f}\n`).join('')}done in`),
      first.stdout,
    );
    const second = await runCli(['analyze', join(FIXTURES, 'psy-gangnam-style.json'), '--out', './o/', '--no-render', '--no-report', '--smooth', '0'], { cwd });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^  skipped    similarity-smooth: --smooth 0 asks for no rolling mean$/m, 'stdout says why similarity-smooth was skipped');
    assert.deepEqual((await readdir(join(cwd, 'o'))).sort(), ['analysis.json', 'features.vl.json', 'parts.vl.json', 'similarity.vl.json', 'summary.json', 'trajectory.vl.json'], '--no-render removed the SVGs, --no-report the report');
    const third = await runCli(['analyze', join(FIXTURES, 'psy-gangnam-style.json'), '--out', './o/', '--format', 'png', '--no-report'], { cwd });
    assert.equal(third.code, 0, third.stderr);
    const pngs = ['features', 'parts', 'similarity', 'similarity-smooth', 'trajectory'].flatMap((p) => [`${p}.png`, `${p}.vl.json`]);
    assert.deepEqual((await readdir(join(cwd, 'o'))).sort(), ['analysis.json', ...pngs, 'summary.json'].sort(), '--format png: PNGs instead of SVGs');
  });

  test('parts are `cluster --k 3 --smooth 10 --seed 0`, the trajectory `reduce --model pca`, similarity-smooth `correlate --smooth 10`', async () => {
    const dir = join(tmp.path, 'story');
    const input = 'fixtures/spotify-web-api-js-track.json';
    const a = await runCli(['analyze', input, '--out', join(dir, 'analyze'), '--json', '--no-render', '--no-report']);
    assert.equal(a.code, 0, a.stderr);
    const s = JSON.parse(a.stdout);
    const c = await runCli(['cluster', input, '--k', '3', '--smooth', '10', '--seed', '0', '-o', join(dir, 'parts.csv'), '--json', '--no-plot']);
    assert.equal(c.code, 0, c.stderr);
    const { title: _title, files: _files, ...cluster } = JSON.parse(c.stdout);
    const { runs, n_init: _nInit, ...parts } = s.parts;
    assert.deepEqual(parts, cluster, 'summary.json parts = cluster --json');
    const labels = (await readFile(join(dir, 'parts.csv'), 'utf8')).trimEnd().split('\n').slice(1).map((line) => line.split(',').map(Number));
    const fromRuns = labels.map(([t]) => runs.find((run: { start_s: number; end_s: number }) => run.start_s <= t && t < run.end_s).label);
    assert.deepEqual(fromRuns, labels.map(([, label]) => label), 'the runs hold the labels of cluster -o');

    const r = await runCli(['reduce', input, '--model', 'pca', '-o', join(dir, 'trajectory.csv'), '--json', '--no-plot']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(s.trajectory.explained_variance_ratio, JSON.parse(r.stdout).explained_variance_ratio, 'the explained variance of reduce --model pca');
    const coords = (await readFile(join(dir, 'trajectory.csv'), 'utf8')).trimEnd().split('\n').slice(1).map((line) => line.split(',').map(Number));
    const points = JSON.parse(await readFile(join(dir, 'analyze', 'trajectory.vl.json'), 'utf8')).data.values;
    assert.equal(points.length, coords.length, 'a trajectory point per row of reduce -o');
    // the spec keeps ~5 significant digits of the extent (display); the coordinates span ~10
    const w = worst(coords.flatMap(([t, x, y], i) => [[points[i].c1, x, `x ${t}`], [points[i].c2, y, `y ${t}`]] as [number, number, string][]));
    assert.ok(w.err <= 5e-4, `the spec's coordinates, error ${w.err} (measured 4.98e-4): ${w.at}`);

    const k = await runCli(['correlate', input, '--smooth', '10', '-o', join(dir, 'smooth.csv'), '--no-plot', '-q']);
    assert.equal(k.code, 0, k.stderr);
    const matrix = (await readFile(join(dir, 'smooth.csv'), 'utf8')).trimEnd().split('\n').slice(1).map((line) => line.split(',').slice(1));
    // one data row per matrix row, its r in column order
    const rows: { r: (number | null)[] }[] = JSON.parse(await readFile(join(dir, 'analyze', 'similarity-smooth.vl.json'), 'utf8')).data.values;
    assert.deepEqual([rows.length, new Set(rows.map((row) => row.r.length))], [matrix.length, new Set([matrix.length])], 'cell for cell');
    const pairs: [number, number, string][] = rows.flatMap((row, i) =>
      row.r.map((r, j): [number, number, string] => [r ?? NaN, matrix[i][j] === '' ? NaN : Number(matrix[i][j]), `cell ${i}, ${j}`]),
    );
    const e = worst(pairs);
    assert.ok(e.err <= 5e-4, `the spec's r, rounded to 3 decimals for display (measured 4.9992e-4): ${e.at}`);
  });

  test('the MSD .h5 file and JSON on stdin', async () => {
    const h5 = await runCli(['analyze', 'fixtures/msd/TRAAAFP128F931B4E3.h5', '--json', '--no-render', '--out', join(tmp.path, 'msd')]);
    assert.equal(h5.code, 0, h5.stderr);
    const s = JSON.parse(h5.stdout);
    assert.equal(s.title, 'Bands', 'title');
    assert.equal(s.source, 'msd', 'source');
    assert.equal(s.key, 'Eb major', 'key');
    const stdin = await runCli(['analyze', '-', '--json', '--no-render', '--out', join(tmp.path, 'stdin')], {
      input: await readFile(join(FIXTURES, 'spotify-web-api-js-track.json')),
    });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(JSON.parse(stdin.stdout).key, 'A minor', 'key of the analysis read from stdin');
  });
});

describe('songscope features', () => {
  for (const c of FIXTURE_CASES) {
    test(`--grid seed -o x.csv equals the reference: ${c.name}`, async () => {
      const csv = join(tmp.path, `${c.name.replace(/\W+/g, '_')}.csv`);
      const r = await runCli(['features', c.input, '--grid', 'seed', '-o', csv]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^wrote .*: [\d,]+ rows × 26 features at 1 ms \(seed grid\)/, 'stderr says what was written');
      const text = await readFile(csv, 'utf8');
      assert.ok(text.startsWith('time_ms,bar,beat,pitch_C,pitch_Db,pitch_D,pitch_Eb,pitch_E,pitch_F,pitch_Gb,pitch_G,pitch_Ab,pitch_A,pitch_Bb,pitch_B,timbre_01,timbre_02,timbre_03,timbre_04,timbre_05,timbre_06,timbre_07,timbre_08,timbre_09,timbre_10,timbre_11,timbre_12\n'), 'the CSV header');
      const m = await readMatrix(csv);
      const ref = loadReference(c);
      assert.equal(m.rows, ref.grid.rows, 'rows as the reference');
      assert.equal(m.timeMs[0], ref.grid.first_ms, 'first time as the reference');
      assert.equal(m.timeMs[m.rows - 1], ref.grid.last_ms, 'last time as the reference');
      const pairs: [number, number, string][] = [];
      for (let k = 0; k < 26; k++) {
        const col = column(m, k);
        let sum = 0;
        for (const x of col) sum += x;
        let ss = 0;
        for (const x of col) ss += (x - sum / m.rows) ** 2;
        pairs.push([sum, ref.column_sum[k], `sum ${k}`], [sum / m.rows, ref.column_mean[k], `mean ${k}`], [Math.sqrt(ss / m.rows), ref.column_std_ddof0[k], `std ${k}`]);
      }
      for (const row of ref.sample_rows) row.values.forEach((v, k) => pairs.push([valueAt(m, row.row, k), v, `row ${row.row} col ${k}`]));
      const w = worst(pairs);
      // measured: 1.24e-11 at worst (the column sums)
      assert.ok(w.err <= 2e-11, `column statistics and sampled rows of the CSV, relative error ${w.err}: ${w.at}`);
    });
  }

  test('-o - streams Arrow IPC that the next command (or the library) reads, with schema metadata', async () => {
    const r = await runCli(['features', 'fixtures/spotify/audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json', '-o', '-']);
    assert.equal(r.code, 0, r.stderr);
    const m = await readMatrix('-', { stdin: Readable.from([r.stdoutBytes]) });
    assert.equal(m.rows, 123712, '123,712 rows at 1 ms');
    assert.equal(m.metadata.track_id, ID, 'metadata: track id');
    assert.equal(m.metadata.grid, 'full', 'metadata: grid');
    assert.equal(m.metadata.resolution_ms, '1', 'metadata: resolution');
    assert.equal(m.metadata.source, 'spotify', 'metadata: source');
    assert.equal(m.metadata.title, '', 'unknown fields are present and empty');
    assert.equal(m.metadata.input, 'fixtures/spotify/audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json', 'issue 10: the schema metadata names the input as given');
    assert.equal(m.metadata.artist, '', 'metadata: no artist known, present and empty');
    assert.equal(m.columns[0], 'bar', 'the first feature column is bar');
  });

  test('an .arrow file (Feather v2) with the ARROW1 magic at both ends', async () => {
    const path = join(tmp.path, 'edx.arrow');
    const r = await runCli(['features', 'fixtures/edx-give-it-up-for-love.echonest.json', '-o', path, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', '--quiet: nothing on stderr');
    const bytes = await readFile(path);
    assert.equal(bytes.subarray(0, 6).toString(), 'ARROW1', 'the ARROW1 magic at the start');
    assert.equal(bytes.subarray(bytes.length - 6).toString(), 'ARROW1', 'the ARROW1 magic at the end');
    const m = await readMatrix(path);
    assert.equal(m.metadata.title, 'Give It Up for Love feat. John Williams (Mysto & Pizzi Remix)', 'metadata: title');
    assert.equal(m.metadata.artist, 'EDX, John Williams', 'metadata: artist');
    assert.equal(m.rows, 367474, '367,474 rows at 1 ms');
  });
});

describe('bad usage and bad input: one line, exit code 2, nothing written', () => {
  const expectUsage = async (args: string[], pattern: RegExp, cwd?: string) => {
    const r = await runCli(args, { cwd });
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, pattern, `${args.join(' ')}: stderr matches ${pattern}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
    return r;
  };

  test('an invalid analysis names the file and the field, and creates no output directory', async () => {
    const bad = structuredClone(readJson<any>('fixtures/psy-gangnam-style.json'));
    bad.segments[17].pitches.pop();
    const path = join(tmp.path, 'bad.json');
    await writeFile(path, JSON.stringify(bad));
    const out = join(tmp.path, 'never');
    const r = await expectUsage(['analyze', path, '--out', out], /segments\[17\]\.pitches has 11 values, expected 12/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line on stderr');
    assert.equal(existsSync(out), false, 'no output directory');
  });

  test('missing file, unknown option, bad option values, wrong output extension, unknown command', async () => {
    await expectUsage(['analyze', 'no/such/file.json'], /^songscope: no\/such\/file\.json: no such file$/m);
    await expectUsage(['analyze', 'fixtures/psy-gangnam-style.json', '--bogus'], /unknown option '--bogus'/);
    await expectUsage(['analyze', 'fixtures/psy-gangnam-style.json', '--grid', 'weekly'], /--grid.*weekly/);
    await expectUsage(['analyze', 'fixtures/psy-gangnam-style.json', '--resolution', 'soon'], /invalid value for --resolution: "soon"/);
    await expectUsage(['analyze', 'fixtures/psy-gangnam-style.json', '--smooth', '0.3'], /--smooth: "0.3" \(expected a multiple of the resolution/);
    await expectUsage(['features', 'fixtures/psy-gangnam-style.json', '-o', join(tmp.path, 'x.xlsx')], /x\.xlsx/);
    await expectUsage(['analyze'], /missing required argument 'input'/);
    await expectUsage(['transmogrify'], /unknown command 'transmogrify'/);
    await expectUsage(['analyze', 'spotify:album:4m2880jivSbbyEGAKfITCa'], /names an album; give one track/);
    await expectUsage(['analyze', 'fixtures/psy-gangnam-style.json', '--resolution', '1ms', '--out', join(tmp.path, 'never-1ms')], /more than the 4,000 a self-similarity matrix may have; use --resolution 55ms or coarser/);
    await expectUsage(['analyze', 'spotify:track:' + ID, '--offline', '--no-cache'], /--offline with --no-cache leaves nothing/);
    const none = await runCli([]);
    assert.equal(none.code, 2, 'no command is a usage error');
    assert.match(none.stderr, /^songscope: no command given \(add --help for usage\)\ncommands: analyze, features, /, 'one line and the list of commands');
  });

  test('--help on every command teaches with a real example', async () => {
    for (const args of [['--help'], ['analyze', '--help'], ['features', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')} exits 0`);
      assert.match(r.stdout, /\$ songscope (analyze|features) fixtures\/psy-gangnam-style\.json/, `${args.join(' ')} shows an example`);
      if (args[0] === 'analyze') assert.match(r.stdout.replace(/\s+/g, ' '), /--smooth <seconds> .* 0 skips similarity-smooth .*\(default: 10\)/, 'analyze --help: --smooth 0');
    }
    const v = await runCli(['--version']);
    assert.equal(v.code, 0, '--version exits 0');
    assert.equal(v.stdout.trim(), JSON.parse(await readFile('package.json', 'utf8')).version, '--version prints the package version');
    // the bin runs as an executable (shebang and x bit), as npx and npm's bin links run it
    if (process.platform !== 'win32') {
      assert.equal(execFileSync(CLI, ['--version'], { encoding: 'utf8' }).trim(), v.stdout.trim(), 'the bin runs as an executable');
    }
  });
});

describe('songscope against Spotify (a fake server on 127.0.0.1)', () => {
  let fake: FakeSpotify;
  const SECRET = 'fake-client-secret-never-print-me';
  before(async () => {
    fake = await FakeSpotify.start({ clientId: 'fake-client-id', clientSecret: SECRET, fixturesDir: join(FIXTURES, 'spotify') });
  });
  after(() => fake.close());

  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli([...args, '--cache-dir', join(tmp.path, `cache-${Math.random().toString(36).slice(2)}`)], {
      env: { ...fake.env(), SPOTIFY_CLIENT_SECRET: SECRET, ...env },
    });
  const noLeak = (r: { stdout: string; stderr: string }) => {
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the secret is never printed');
    assert.ok(!r.stdout.includes(fake.accessToken) && !r.stderr.includes(fake.accessToken), 'the token is never printed');
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  };

  test('a track URL works live, and a search says which track it used', async () => {
    fake.reset();
    const r = await run(['analyze', `https://open.spotify.com/intl-de/track/${ID}?si=abc`, '--json', '--no-render', '--out', join(tmp.path, 'live')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).track_id, ID, 'the track of the URL');
    noLeak(r);
    fake.on('GET', '/v1/search', { json: readJson('fixtures/spotify/search/quiet-instrumental.json') });
    const s = await run(['analyze', 'quiet instrumental', '--json', '--no-render', '--out', join(tmp.path, 'search')]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /Search "quiet instrumental" → "Untitled \(recorded fixture\)" by Unknown artist \(spotify:track:7nWUDDCpTDYle0Ppi8i5K1\)/, 'stderr names the track the search chose');
    noLeak(s);
  });

  test('403 on audio-analysis: names 403, explains the November 2024 policy and the ways forward (exit 1)', async () => {
    fake.reset();
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(403, 'Forbidden'));
    const out = join(tmp.path, 'forbidden');
    const r = await run(['analyze', `spotify:track:${ID}`, '--out', out]);
    assert.equal(r.code, 1, 'a 403 exits 1');
    assert.match(r.stderr, /^songscope: Spotify answered 403 Forbidden for the audio analysis of spotify:track:7nWUDDCpTDYle0Ppi8i5K1$/m, 'the failure names 403 and the track');
    assert.match(r.stderr, /27 November 2024/, 'the hint names the policy date');
    assert.match(r.stderr, /--offline/, 'the hint names --offline');
    assert.match(r.stderr, /--fixtures DIR/, 'the hint names --fixtures');
    assert.match(r.stderr, /analyse your own audio instead \(songscope analyze song\.mp3/, 'issue 14: the hint points to analysing your own audio first');
    assert.equal(r.stderr.trimEnd().split('\n').length, 3, 'a progress note, the failure and one hint line');
    assert.equal(existsSync(out), false, 'no output directory');
    noLeak(r);
  });

  test('credentials: missing (exit 2), rejected by the token endpoint or the API (exit 1)', async () => {
    fake.reset();
    const missing = await run(['analyze', ID], { SPOTIFY_CLIENT_ID: undefined, SPOTIFY_CLIENT_SECRET: undefined });
    assert.equal(missing.code, 2, 'missing credentials exit 2');
    assert.match(missing.stderr, /Spotify credentials are not set: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/, 'the message names the two variables');
    const wrong = await run(['analyze', ID], { SPOTIFY_CLIENT_SECRET: 'wrong-secret' });
    assert.equal(wrong.code, 1, 'refused credentials exit 1');
    assert.match(wrong.stderr, /Spotify refused the client credentials \(HTTP 400 invalid_client\): check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/, 'the message names the token endpoint\'s answer');
    assert.ok(!wrong.stderr.includes('wrong-secret'), 'the wrong secret is not printed');
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(401, 'Invalid access token'));
    const unauthorized = await run(['analyze', ID]);
    assert.equal(unauthorized.code, 1, 'an API 401 exits 1');
    assert.match(unauthorized.stderr, /401 Unauthorized/, 'the message names 401');
    noLeak(unauthorized);
  });

  test('404 is "no such track" (exit 2); 429 beyond --max-wait says how long Spotify asked to wait (exit 1)', async () => {
    fake.reset();
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(404, 'Not found'));
    const nf = await run(['analyze', '0000000000000000000000']);
    assert.equal(nf.code, 2, 'a 404 exits 2');
    assert.match(nf.stderr, /404/, 'the message names 404');
    assert.match(nf.stderr, /spotify:track:0000000000000000000000/, 'the message names the track');
    fake.reset();
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(429, 'API rate limit exceeded', { 'retry-after': '120' }));
    const rl = await run(['analyze', ID, '--max-wait', '5']);
    assert.equal(rl.code, 1, '429 beyond --max-wait exits 1 (a CLI waiting the 120 s would be killed by runCli after 60 s)');
    assert.match(rl.stderr, /asked to wait 120 s, beyond --max-wait 5 s/, 'stderr says how long Spotify asked to wait');
    assert.doesNotMatch(rl.stderr, /waiting/, 'no wait announced');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 1, 'asked once: no retry after a 429 beyond --max-wait');
  });

  test('500 then success; .env in the working directory supplies the credentials', async () => {
    fake.reset();
    fake.on('GET', '/v1/audio-analysis/:id', [spotifyError(500, 'Server error'), { json: readJson(`fixtures/spotify/audio-analysis/${ID}.json`) }]);
    const cwd = join(tmp.path, 'dotenv');
    await mkdir(cwd, { recursive: true });
    const env = fake.env();
    await writeFile(join(cwd, '.env'), Object.entries({ ...env, SPOTIFY_CLIENT_SECRET: SECRET }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const r = await runCli(['analyze', ID, '--json', '--no-render', '--no-cache', '--out', join(cwd, 'out')], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 2, 'the 500 and the retry');
    noLeak(r);
  });

  test('--fixtures fixtures/spotify: offline, no credentials', async () => {
    fake.reset();
    const r = await runCli(['analyze', `spotify:track:${ID}`, '--fixtures', 'fixtures/spotify', '--offline', '--json', '--no-render', '--out', join(tmp.path, 'replay')]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.origin, 'fixtures', 'replayed from the fixtures');
    assert.equal(s.duration_s, 123.71161, 'the fixture\'s duration');
    assert.equal(fake.requests.length, 0, 'no request to the network');
  });
});
