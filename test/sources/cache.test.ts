/**
 * The analysis cache under damage (issue 15): an entry altered in a way the schema accepts is caught by
 * its checksum (defect 7), a cache that cannot be written never fails an analysis (defect 8), temporary
 * files a killed process left are cleaned (defect 9), and the decoder's warnings survive a cache hit
 * (defect 13).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { resolveAnalysis, type ResolveOptions } from '../../src/sources/resolve.js';
import { AnalysisCache } from '../../src/sources/cache.js';
import { fileSha256 } from '../../src/sources/local.js';
import { FakeSpotify } from '../helpers/fakeSpotify.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const ID = '7nWUDDCpTDYle0Ppi8i5K1';

const tmp = tempDirPerSuite('cache');
let wav: string;
before(async () => {
  wav = join(tmp.path, 'tone.wav');
  const sr = 22050;
  const n = 4 * sr;
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sr) * (i % sr < sr / 2 ? 1 : 0.2));
  const w = new wavefile.WaveFile();
  w.fromScratch(1, sr, '16', x);
  await writeFile(wav, w.toBuffer());
});

/** The path of the one local entry of `cacheDir`. */
async function localEntry(cacheDir: string): Promise<string> {
  const names = (await readdir(join(cacheDir, 'local'))).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  assert.equal(names.length, 1, `one entry: ${names.join(', ')}`);
  return join(cacheDir, 'local', names[0]);
}

describe('defect 7: a cache entry damaged in a way the schema accepts is caught by its checksum', () => {
  for (const [what, damage] of [
    ['duration 1e7', (a: any) => (a.track.duration = 1e7)],
    ['segments emptied', (a: any) => (a.segments = [])],
  ] as const) {
    test(`defect 7: ${what}: reported, re-analysed, and the entry repaired`, async () => {
      const cacheDir = join(tmp.path, `checksum-${what.replace(/\W+/g, '-')}`);
      const first = await resolveAnalysis(wav, { cacheDir });
      const path = await localEntry(cacheDir);
      const entry = JSON.parse(await readFile(path, 'utf8'));
      assert.match(entry.analysis_sha256, /^[0-9a-f]{64}$/, 'the entry carries a checksum of its analysis');
      damage(entry.analysis);
      await writeFile(path, JSON.stringify(entry));
      const lines: string[] = [];
      const again = await resolveAnalysis(wav, { cacheDir, log: (l) => lines.push(l) });
      assert.equal(again.provenance.origin, 'file', 'analysed again');
      assert.deepEqual(again.segments, first.segments, 'the same segments as the first analysis');
      assert.deepEqual(lines, [`ignoring the damaged cache entry ${path} (its checksum does not match its content); analysing the file again`], 'one line reports the damaged entry');
      const third = await resolveAnalysis(wav, { cacheDir });
      assert.equal(third.provenance.origin, 'cache', 'the repaired entry serves the next run');
      assert.equal(third.track.duration, first.track.duration, 'the repaired entry has the real duration');
    });
  }

  test('defect 7: an entry without a checksum (damaged, or from before checksums) is re-analysed', async () => {
    const cacheDir = join(tmp.path, 'checksum-missing');
    await resolveAnalysis(wav, { cacheDir });
    const path = await localEntry(cacheDir);
    const entry = JSON.parse(await readFile(path, 'utf8'));
    delete entry.analysis_sha256;
    await writeFile(path, JSON.stringify(entry));
    const lines: string[] = [];
    assert.equal((await resolveAnalysis(wav, { cacheDir, log: (l) => lines.push(l) })).provenance.origin, 'file', 'an entry without a checksum is analysed again');
    assert.deepEqual(lines, [`ignoring the damaged cache entry ${path} (it has no checksum); analysing the file again`], 'one line reports the missing checksum');
  });

  test('defect 7: the CLI end to end: duration 1e7 in the entry no longer makes the file fail', async () => {
    const cacheDir = join(tmp.path, 'checksum-cli');
    const env = { SONGSCOPE_CACHE_DIR: cacheDir };
    const ok = await runCli(['features', wav, '-o', join(tmp.path, 'a.arrow'), '-q'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    const path = await localEntry(cacheDir);
    const entry = JSON.parse(await readFile(path, 'utf8'));
    entry.analysis.track.duration = 1e7;
    await writeFile(path, JSON.stringify(entry));
    const r = await runCli(['features', wav, '-o', join(tmp.path, 'b.arrow'), '-q'], { env });
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    assert.equal(r.stderr, `ignoring the damaged cache entry ${path} (its checksum does not match its content); analysing the file again\n`, 'the only stderr line reports the damaged entry');
    assert.ok((await readFile(join(tmp.path, 'a.arrow'))).equals(await readFile(join(tmp.path, 'b.arrow'))), 'the same matrix as before the damage');
  });

  describe('Spotify track entries', () => {
    let fake: FakeSpotify;
    const options = (cacheDir: string, lines: string[], offline = false): ResolveOptions => ({
      cacheDir,
      env: {},
      offline,
      log: (l) => lines.push(l),
      spotify: { clientId: 'id', clientSecret: 'secret', apiBaseUrl: fake.apiBaseUrl, accountsBaseUrl: fake.accountsBaseUrl, retryBaseMs: 1 },
    });
    before(async () => {
      fake = await FakeSpotify.start({ clientId: 'id', clientSecret: 'secret', fixturesDir: join(FIXTURES, 'spotify') });
    });
    after(async () => {
      await fake.close();
    });

    test('defect 7: a track entry with emptied segments is fetched again (and refused under --offline)', async () => {
      const cacheDir = join(tmp.path, 'tracks-checksum');
      const lines: string[] = [];
      const first = await resolveAnalysis(ID, options(cacheDir, lines));
      const path = join(cacheDir, 'tracks', `${ID}.json`);
      const entry = JSON.parse(await readFile(path, 'utf8'));
      assert.match(entry.analysis_sha256, /^[0-9a-f]{64}$/, 'the track entry carries a checksum');
      entry.analysis.segments = [];
      await writeFile(path, JSON.stringify(entry));
      await assert.rejects(resolveAnalysis(ID, options(cacheDir, lines, true)), /the cache entry .* is damaged \(its checksum does not match its content\) and --offline forbids fetching it again/, '--offline refuses the damaged entry instead of fetching');
      fake.reset();
      lines.length = 0;
      const again = await resolveAnalysis(ID, options(cacheDir, lines));
      assert.equal(again.provenance.origin, 'api', 'fetched again from the API');
      assert.equal(again.segments.length, first.segments.length, 'all the segments back');
      assert.deepEqual(lines.filter((l) => l.startsWith('ignoring')), [`ignoring the damaged cache entry ${path} (its checksum does not match its content); fetching the track again`], 'one line reports the damaged entry');
    });

    test('defect 7: a track entry from before checksums is still served (its analysis cannot be fetched again)', async () => {
      const cacheDir = join(tmp.path, 'tracks-legacy');
      const lines: string[] = [];
      await resolveAnalysis(ID, options(cacheDir, lines));
      const path = join(cacheDir, 'tracks', `${ID}.json`);
      const entry = JSON.parse(await readFile(path, 'utf8'));
      delete entry.analysis_sha256;
      await writeFile(path, JSON.stringify(entry));
      fake.reset();
      const a = await resolveAnalysis(ID, options(cacheDir, lines, true));
      assert.equal(a.provenance.origin, 'cache', 'served from the cache');
      assert.equal(fake.requests.length, 0, 'no request to the API');
    });
  });
});

describe('defect 8: a cache that cannot be written warns and the analysis goes on', () => {
  test('defect 8: the cache directory is a file', async () => {
    const cacheDir = join(tmp.path, 'cache-is-a-file');
    await writeFile(cacheDir, 'not a directory');
    const lines: string[] = [];
    const a = await resolveAnalysis(wav, { cacheDir, log: (l) => lines.push(l) });
    assert.equal(a.provenance.origin, 'file', 'analysed from the file');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], new RegExp(`^not caching the analysis: cannot write ${cacheDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/local/[0-9a-f]{64}\\.json \\(a parent in the path is not a directory\\)$`), 'the warning names the entry and why it cannot be written');
  });

  test('defect 8: a directory at the entry\'s path; the CLI exits 0 with the warning', async () => {
    const cacheDir = join(tmp.path, 'dir-at-entry');
    await mkdir(join(cacheDir, 'local', `${await fileSha256(wav)}.json`), { recursive: true });
    const r = await runCli(['fetch', wav, '-o', join(tmp.path, 'fetched.json'), '-q'], { env: { SONGSCOPE_CACHE_DIR: cacheDir } });
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /^not caching the analysis: cannot write .*\.json \(it is a directory\)\n$/, 'the warning names the directory in the way');
    assert.equal(JSON.parse(await readFile(join(tmp.path, 'fetched.json'), 'utf8')).provenance.source, 'local', 'the analysis was written all the same');
  });
});

describe('defect 9: temporary files a killed cache write left are removed by a later run', () => {
  test('defect 9: a stale .<sha>.json.tmp-<dead pid>-<rand> in local/ goes; a fresh one stays', async () => {
    const cacheDir = join(tmp.path, 'stale-temp');
    const local = join(cacheDir, 'local');
    await mkdir(local, { recursive: true });
    const sha = await fileSha256(wav);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = join(local, `.${sha}.json.tmp-${dead}-0badc0de`);
    const fresh = join(local, `.${sha}.json.tmp-${dead}-0000beef`);
    await writeFile(stale, '{"songscope_cache":1,"sha256":"partial');
    await writeFile(fresh, 'partial');
    const old = new Date('2020-01-01T00:00:00Z'); // far more than a minute (STALE_TEMP_AGE_MS) ago
    utimesSync(stale, old, old);
    await resolveAnalysis(wav, { cacheDir });
    assert.equal(existsSync(stale), false, 'the stale temporary file is gone');
    assert.equal(existsSync(fresh), true, 'a fresh one (its writer may still be running) stays');
  });

  test('defect 9: the cache cleans its other directories too (tracks/, search/)', async () => {
    const cacheDir = join(tmp.path, 'stale-tracks');
    const tracks = join(cacheDir, 'tracks');
    await mkdir(tracks, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = join(tracks, `.${ID}.json.tmp-${dead}-12345678`);
    await writeFile(stale, '{');
    const old = new Date('2020-01-01T00:00:00Z'); // far more than a minute (STALE_TEMP_AGE_MS) ago
    utimesSync(stale, old, old);
    const cache = new AnalysisCache(cacheDir);
    await cache.put({ id: ID, name: 'x', artists: [] }, { track: { duration: 1 }, bars: [], beats: [], segments: [] } as never);
    assert.equal(existsSync(stale), false, 'the stale temporary file in tracks/ is gone');
  });
});

describe('defect 13: the decoder\'s warnings are printed again when the analysis comes from the cache', () => {
  test('defect 13: an MP3 with zeroed first 4 KB warns on the first run and on the cached run, naming the file given', async () => {
    const cacheDir = join(tmp.path, 'mp3-warnings');
    const damaged = new Uint8Array(await readFile(join(FIXTURES, 'audio', 'tone.mp3')));
    damaged.fill(0, 0, 4096);
    const a = join(tmp.path, 'damaged.mp3');
    const b = join(tmp.path, 'same-bytes.mp3');
    await writeFile(a, damaged);
    await writeFile(b, damaged);
    const first: string[] = [];
    assert.equal((await resolveAnalysis(a, { cacheDir, log: (l) => first.push(l) })).provenance.origin, 'file', 'the first run analyses the file');
    assert.equal(first.length, 1, first.join('\n'));
    assert.match(first[0], new RegExp(`^${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: skipped 4,\\d{3} bytes where no MP3 frame could be read`), 'the first run warns about the skipped bytes, naming the file');
    const second: string[] = [];
    assert.equal((await resolveAnalysis(b, { cacheDir, log: (l) => second.push(l) })).provenance.origin, 'cache', 'the second run is a cache hit');
    assert.deepEqual(second, [first[0].replace(a, b)], 'the cached run repeats the warning with the second file\'s name');
  });
});
