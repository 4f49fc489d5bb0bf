/**
 * Work too small for threads stays in the calling thread, whatever `--jobs` allows (`light` in
 * src/jobs/tracks.ts): analysis files of at most LIGHT_BYTES in all, or audio files whose analyses the cache
 * holds unchanged. Anything else — per-track outputs, more bytes, audio not yet analysed or changed since,
 * tracks that are not local files — goes to the pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LIGHT_BYTES, light } from '../../src/jobs/tracks.js';
import type { Collection } from '../../src/sources/collection.js';
import { AnalysisCache, STAMP_SETTLE_MS } from '../../src/sources/cache.js';
import { resolveAnalysis } from '../../src/sources/resolve.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const tmp = tempDirPerSuite('light');

const collectionOf = (inputs: string[]): Collection => ({
  kind: 'inputs',
  name: 'test',
  source: inputs.join(' '),
  tracks: inputs.map((input, i) => ({ position: i + 1, input })),
});

test('analysis files up to LIGHT_BYTES in all, and cached audio, are light; the rest is not', async () => {
  const cacheDir = join(tmp.path, 'cache');
  const resolveOpts = { cacheDir };
  const json = [join(FIXTURES, 'psy-gangnam-style.json'), join(FIXTURES, 'edx-give-it-up-for-love.echonest.json')];
  assert.equal(await light(collectionOf(json), { resolve: resolveOpts }), true, 'two analysis files (under 1 MB) are light');
  assert.equal(
    await light(collectionOf(json), { resolve: resolveOpts, perTrack: { spec: {} as never, onDone: () => undefined } }),
    false,
    'per-track outputs (plots) are never light',
  );
  const big = join(tmp.path, 'big.json');
  await writeFile(big, '');
  await truncate(big, LIGHT_BYTES); // sparse: the size is what counts
  assert.equal(await light(collectionOf([...json, big]), { resolve: resolveOpts }), false, `more than ${LIGHT_BYTES} bytes of analyses is not light`);
  assert.equal(await light(collectionOf(['spotify:track:6JEK0CvvjDjjMUBFoXShNZ']), { resolve: resolveOpts }), false, 'a Spotify track is not light');
  assert.equal(await light(collectionOf([join(tmp.path, 'missing.json')]), { resolve: resolveOpts }), false, 'a missing file goes where its error is reported as always');
  assert.equal(await light(collectionOf(['spotify:bogus']), { resolve: resolveOpts }), false, 'so does an input that is not one (no throw here)');

  const audio = join(tmp.path, 'tone.mp3');
  await copyFile(join(FIXTURES, 'audio', 'tone.mp3'), audio);
  assert.equal(await light(collectionOf([audio]), { resolve: resolveOpts }), false, 'audio not yet analysed is not light');
  await resolveAnalysis(audio, resolveOpts);
  // the stamp was recorded within STAMP_SETTLE_MS of the file's copy: not trusted yet
  assert.equal(await light(collectionOf([audio]), { resolve: resolveOpts }), false, 'audio whose stamp is too fresh to trust is not light');
  const stampPath = new AnalysisCache(cacheDir).stampPath(resolve(audio));
  const stamp = JSON.parse(await readFile(stampPath, 'utf8'));
  stamp.recorded_at_ms += STAMP_SETTLE_MS;
  await writeFile(stampPath, JSON.stringify(stamp));
  assert.equal(await light(collectionOf([...json, audio]), { resolve: resolveOpts }), true, 'audio analysed and unchanged since (a cached rerun) is light');
  assert.equal(await light(collectionOf([audio]), { resolve: { ...resolveOpts, useCache: false } }), false, 'without the cache audio is not light');
  await writeFile(audio, await readFile(join(FIXTURES, 'audio', 'tone.mp3')));
  assert.equal(await light(collectionOf([audio]), { resolve: resolveOpts }), false, 'audio changed since it was analysed is not light');
});
