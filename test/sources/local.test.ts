/**
 * Audio files as inputs, end to end: the resolver routes them to the local analyzer, analyses are cached
 * by content hash, `fetch` writes JSON every command reads back, and broken files are one-line errors.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import wavefile from 'wavefile';
import { resolveAnalysis } from '../../src/sources/resolve.js';
import { AnalysisCache, STAMP_SETTLE_MS } from '../../src/sources/cache.js';
import { validateAnalysis } from '../../src/analysis/schema.js';
import { hasStackTrace, runCli } from '../helpers/cli.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const tmp = tempDirPerSuite('local');
let wav: string;
let cacheDir: string;

/** `seconds` of 44.1 kHz stereo 16-bit: a click (decaying 1 kHz burst) every 0.5 s (120 BPM) over a quiet A3 drone. */
function clickTrackWav(seconds: number): Uint8Array {
  const sr = 44100;
  const n = Math.round(seconds * sr);
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const sinceClick = t % 0.5;
    const click = sinceClick < 0.03 ? Math.sin(2 * Math.PI * 1000 * sinceClick) * Math.exp(-sinceClick * 150) : 0;
    const drone = 0.1 * Math.sin(2 * Math.PI * 220 * t);
    left[i] = Math.round(12000 * (click + drone));
    right[i] = Math.round(12000 * (click * 0.8 + drone));
  }
  const w = new wavefile.WaveFile();
  w.fromScratch(2, sr, '16', [left, right]);
  return w.toBuffer();
}

before(async () => {
  cacheDir = join(tmp.path, 'cache');
  wav = join(tmp.path, 'clicks.wav');
  await writeFile(wav, clickTrackWav(12));
});

describe('audio files through the resolver', () => {
  test('a WAV becomes a valid analysis from the local analyzer, cached by content', async () => {
    const first = await resolveAnalysis(wav, { cacheDir });
    assert.equal(first.provenance.source, 'local', 'source');
    assert.match(first.provenance.analyzerVersion ?? '', /^songscope /, 'analyzer version names songscope');
    assert.equal(first.track.duration, 12, 'the 12 s of the WAV');
    // measured 120.025 BPM (0.02 %)
    assert.ok(Math.abs((first.track.tempo ?? 0) - 120) <= 0.03, `tempo ${first.track.tempo} within 0.03 BPM of 120`);
    const { warnings } = validateAnalysis(JSON.parse(JSON.stringify(first)), 'local');
    assert.deepEqual(warnings, [], 'validates without warnings');
    const cached = await readdir(join(cacheDir, 'local'));
    assert.equal(cached.length, 1, 'one cache entry, named by the hash');
    assert.match(cached[0], /^[0-9a-f]{64}\.json$/, 'sha-256 name');
    // the same bytes under another name: served from the cache
    const copy = join(tmp.path, 'renamed.wav');
    await copyFile(wav, copy);
    const second = await resolveAnalysis(copy, { cacheDir });
    assert.equal(second.provenance.origin, 'cache', 'served from the cache, not analysed again');
    assert.deepEqual(second.segments, first.segments, 'identical analysis');
    assert.deepEqual(await readdir(join(cacheDir, 'local')), cached, 'no second entry for the renamed copy');
  });
});

describe('stamps: a file unchanged since it was hashed is not read again', () => {
  /** The stamp entry of `audio` in `dir`, parsed. */
  const stampOf = async (dir: string, audio: string) => JSON.parse(await readFile(new AnalysisCache(dir).stampPath(resolvePath(audio)), 'utf8'));
  /** Rewrite `audio`'s stamp entry in `dir` with `change` applied. */
  const editStamp = async (dir: string, audio: string, change: (e: Record<string, unknown>) => void) => {
    const e = await stampOf(dir, audio);
    change(e);
    await writeFile(new AnalysisCache(dir).stampPath(resolvePath(audio)), JSON.stringify(e));
  };

  test('a matching stamp recorded well after the change is trusted; a fresh, changed or damaged one is not', async () => {
    const dir = join(tmp.path, 'stamps-cache');
    const a = join(tmp.path, 'stamp-a.wav');
    const b = join(tmp.path, 'stamp-b.wav');
    await writeFile(a, clickTrackWav(4));
    await writeFile(b, clickTrackWav(5));
    const first = await resolveAnalysis(a, { cacheDir: dir });
    await resolveAnalysis(b, { cacheDir: dir });
    const stamp = await stampOf(dir, a);
    assert.equal(stamp.sha256, createHash('sha256').update(await readFile(a)).digest('hex'), 'the stamp records the file\'s SHA-256');
    assert.equal(stamp.size, String((await stat(a)).size), 'and its size');
    // Point a's stamp at b's analysis: a run that trusts the stamp serves b's analysis for a (this is how
    // the test sees that a was not hashed again).
    const bSha = (await stampOf(dir, b)).sha256 as string;
    await editStamp(dir, a, (e) => (e.sha256 = bSha));
    const fresh = await resolveAnalysis(a, { cacheDir: dir });
    assert.equal(fresh.track.duration, 4, `a stamp recorded within ${STAMP_SETTLE_MS} ms of the file's change is not trusted: a is hashed again`);
    await editStamp(dir, a, (e) => {
      e.sha256 = bSha;
      e.recorded_at_ms = (e.recorded_at_ms as number) + STAMP_SETTLE_MS;
    });
    const trusted = await resolveAnalysis(a, { cacheDir: dir });
    assert.equal(trusted.track.duration, 5, 'a settled stamp is trusted: the hash it records is used, the file is not read');
    // the file changes (new bytes, new times): its stamp no longer matches
    await writeFile(a, clickTrackWav(4));
    const changed = await resolveAnalysis(a, { cacheDir: dir });
    assert.equal(changed.track.duration, 4, 'a file changed since its stamp is hashed again');
    assert.deepEqual(changed.segments, first.segments, 'and served from its own cache entry');
    await writeFile(new AnalysisCache(dir).stampPath(resolvePath(a)), '{ not json');
    assert.equal((await resolveAnalysis(a, { cacheDir: dir })).track.duration, 4, 'a damaged stamp is a miss');
    assert.equal((await stampOf(dir, a)).sha256, stamp.sha256, 'and is rewritten');
  });
});

describe('fetch and analyze from the command line', () => {
  test('fetch writes JSON that analyze reads back; analyze takes the WAV directly', async () => {
    const out = join(tmp.path, 'clicks.analysis.json');
    const env = { SONGSCOPE_CACHE_DIR: cacheDir };
    const r = await runCli(['fetch', wav, '-o', out], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /segments, \d+ beats, \d+ sections \(local, analyzer songscope /, 'fetch summary');
    const json = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(json.provenance.source, 'local', 'provenance kept');
    const a = await runCli(['analyze', out, '--out', join(tmp.path, 'from-json'), '--no-render', '--json'], { env });
    assert.equal(a.code, 0, a.stderr);
    const b = await runCli(['analyze', wav, '--out', join(tmp.path, 'from-wav'), '--no-render', '--json'], { env });
    assert.equal(b.code, 0, b.stderr);
    const sa = JSON.parse(a.stdout);
    const sb = JSON.parse(b.stdout);
    assert.equal(sa.counts.segments, sb.counts.segments, 'same analysis either way');
    assert.equal(sb.source, 'local', 'summary source');
  });

  test('a directory of audio files is an album', async () => {
    const dir = join(tmp.path, 'album');
    await mkdir(dir);
    await copyFile(wav, join(dir, '01-clicks.wav'));
    await writeFile(join(dir, '02-slower.wav'), clickTrackWav(9));
    const r = await runCli(['album', dir, '--no-plot', '-o', join(tmp.path, 'album-out')], { env: { SONGSCOPE_CACHE_DIR: cacheDir } });
    assert.equal(r.code, 0, r.stderr);
    const album = JSON.parse(await readFile(join(tmp.path, 'album-out', 'album.json'), 'utf8'));
    assert.equal(album.tracks.length, 2, 'both tracks analysed');
  });

  test('truncated, garbage and unsupported audio: one line, exit 2', async () => {
    const bytes = clickTrackWav(2);
    const truncated = join(tmp.path, 'truncated.wav');
    await writeFile(truncated, bytes.subarray(0, 2000));
    const garbage = join(tmp.path, 'garbage.mp3');
    await writeFile(garbage, Buffer.from('this is not audio at all, just text pretending'));
    for (const path of [truncated, garbage]) {
      const r = await runCli(['analyze', path, '--no-cache', '--out', join(tmp.path, 'x')]);
      assert.equal(r.code, 2, `${path}: ${r.stderr}`);
      assert.ok(r.stderr.split('\n').filter(Boolean).length <= 3, `short message: ${r.stderr}`);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.ok(r.stderr.includes(path.replace(/^.*\//, '')), `names the file: ${r.stderr}`);
    }
    const missing = await runCli(['analyze', join(tmp.path, 'nope.flac')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no such file/, 'missing audio file');
  });
});

describe('local analyses: cache damage, determinism, failures', () => {
  test('a cache entry holding an invalid analysis is re-analysed, not blamed on the audio file', async () => {
    const dir = join(tmp.path, 'damaged-cache');
    const audio = join(tmp.path, 'damaged.wav');
    await writeFile(audio, clickTrackWav(6));
    const first = await resolveAnalysis(audio, { cacheDir: dir });
    const [entryName] = await readdir(join(dir, 'local'));
    const entryPath = join(dir, 'local', entryName);
    const entry = JSON.parse(await readFile(entryPath, 'utf8'));
    delete entry.analysis.track; // valid JSON, right hash and version, but not an analysis
    await writeFile(entryPath, JSON.stringify(entry));
    const lines: string[] = [];
    const again = await resolveAnalysis(audio, { cacheDir: dir, log: (line) => lines.push(line) });
    assert.equal(again.provenance.origin, 'file', 'analysed again, not served from the damaged entry');
    assert.deepEqual(again.segments, first.segments, 'the same analysis as the first time');
    assert.ok(lines.some((l) => l.includes(entryName)), `the damaged entry is reported: ${lines.join(' | ')}`);
    const repaired = JSON.parse(await readFile(entryPath, 'utf8'));
    assert.equal(typeof repaired.analysis.track, 'object', 'the entry is rewritten with the fresh analysis');
    const third = await resolveAnalysis(audio, { cacheDir: dir });
    assert.equal(third.provenance.origin, 'cache', 'the repaired entry serves the next run');
  });

  test('fetch --no-cache twice gives byte-identical JSON; a failed fetch writes nothing', async () => {
    const env = { SONGSCOPE_CACHE_DIR: join(tmp.path, 'unused-cache') };
    const outs = [join(tmp.path, 'det-1.json'), join(tmp.path, 'det-2.json')];
    for (const out of outs) {
      const r = await runCli(['fetch', wav, '--no-cache', '-q', '-o', out], { env });
      assert.equal(r.code, 0, r.stderr);
    }
    const [a, b] = await Promise.all(outs.map((o) => readFile(o)));
    assert.ok(a.equals(b), 'the same file gives byte-identical analysis JSON');
    await assert.rejects(readdir(join(tmp.path, 'unused-cache')), 'nothing cached with --no-cache');

    const bad = join(tmp.path, 'cut.wav');
    await writeFile(bad, clickTrackWav(2).subarray(0, 3000));
    const failedDir = join(tmp.path, 'failed-fetch');
    await mkdir(failedDir);
    const r = await runCli(['fetch', bad, '--no-cache', '-o', join(failedDir, 'cut.json')], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.deepEqual(await readdir(failedDir), [], 'no output, complete or partial, after a failure');
  });
});

test('fetch -o naming an existing directory is a usage error (exit 2), not a runtime failure', async () => {
  const dir = join(tmp.path, 'out-dir');
  await mkdir(dir, { recursive: true });
  const r = await runCli(['fetch', wav, '--no-cache', '-o', dir], { env: { SONGSCOPE_CACHE_DIR: join(tmp.path, 'unused-cache') } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /is a directory/, `says why: ${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.deepEqual(await readdir(dir), [], 'nothing written into the directory');
});
