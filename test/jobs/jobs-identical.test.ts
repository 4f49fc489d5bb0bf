/**
 * `--jobs N` changes where the per-track work runs (the main thread, or N worker threads), never what is
 * written: album (every plot, per-track reports and the gallery included), compare, classify and similar
 * give byte-identical files and the same stdout for 1 and 4 jobs — on analysis files and on audio files
 * analysed by the local analyzer in the workers.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeSyntheticAlbum } from '../../src/synth/generate.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const suite = tempDirPerSuite('jobs');
const tmp = () => suite.path;
let albumDir: string;
let audioDir: string;

before(async () => {
  albumDir = join(tmp(), 'album');
  await mkdir(albumDir);
  await writeSyntheticAlbum(albumDir, { style: 'dance', count: 3, durationS: 40, seed: 11 });
  await writeSyntheticAlbum(albumDir, { style: 'folk', count: 3, durationS: 40, seed: 12 });
  audioDir = join(tmp(), 'audio');
  await mkdir(audioDir);
  for (const name of ['tone-16.flac', 'tone.mp3', 'tone-48k.ogg']) await copyFile(join(FIXTURES, 'audio', name), join(audioDir, name));
});

/** Every file under `dir` by relative path, with its bytes. */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}

/** Run `args` with --jobs 1 and --jobs 4, each in a directory of its own (`-o out` relative to it), and compare. */
async function sameForOneAndFour(label: string, args: string[], options: { outputs?: boolean } = {}): Promise<Map<string, Buffer>> {
  const results = [];
  for (const jobs of ['1', '4']) {
    const cwd = join(tmp(), `${label}-${jobs}`);
    await mkdir(cwd);
    const r = await runCli([...args, '--jobs', jobs], { cwd, env: { SONGSCOPE_CACHE_DIR: join(cwd, 'cache') }, timeoutMs: 240_000 });
    assert.equal(r.code, 0, `${label} --jobs ${jobs} exits 0: ${r.stderr}`);
    results.push({ stdout: r.stdout, files: options.outputs === false ? new Map<string, Buffer>() : await tree(join(cwd, 'out')) });
  }
  const [one, four] = results;
  assert.equal(four.stdout, one.stdout, `${label}: the same stdout for 1 and 4 jobs`);
  assert.deepEqual([...four.files.keys()].sort(), [...one.files.keys()].sort(), `${label}: the same files for 1 and 4 jobs`);
  for (const [name, bytes] of one.files) assert.ok(bytes.equals(four.files.get(name)!), `${label}: ${name} byte-identical for 1 and 4 jobs`);
  return one.files;
}

test('album: every file byte-identical for --jobs 1 and 4 (per-track plots, reports and the gallery)', { timeout: 300_000 }, async () => {
  const files = await sameForOneAndFour('album', ['album', albumDir, '-o', 'out', '--json', '-q']);
  const perTrack = [...files.keys()].filter((f) => f.startsWith('tracks/') && f.endsWith('/report.html'));
  assert.equal(perTrack.length, 6, `a report per track was written (${perTrack.join(', ')})`);
  assert.match(files.get('report.html')!.toString('utf8'), /tracks\/01-[^"]*\/report\.html/, 'the album report links to the per-track reports (its gallery)');
});

test('album of audio files: the local analyzer in worker threads writes the same files', { timeout: 300_000 }, async () => {
  const files = await sameForOneAndFour('audio', ['album', audioDir, '-o', 'out', '--json', '-q']);
  assert.ok(files.has('album.json'), 'album.json was written');
});

test('compare, classify and similar: the same stdout and files for --jobs 1 and 4', { timeout: 300_000 }, async () => {
  const groups = ['--group', `dance=${join(albumDir, '01-dance.json')}`, '--group', `dance=${join(albumDir, '02-dance.json')}`, '--group', `dance=${join(albumDir, '03-dance.json')}`];
  const folk = ['--group', `folk=${join(albumDir, '01-folk.json')}`, '--group', `folk=${join(albumDir, '02-folk.json')}`, '--group', `folk=${join(albumDir, '03-folk.json')}`];
  await sameForOneAndFour('compare', ['compare', ...groups, ...folk, '--cv', 'loo', '-o', 'out', '--json', '-q']);
  await sameForOneAndFour('classify', ['classify', ...groups, ...folk, '--cv', 'loo', '--json', '-q'], { outputs: false });
  await sameForOneAndFour('similar', ['similar', join(albumDir, '01-dance.json'), albumDir, '-o', 'out', '--json', '-q']);
});
