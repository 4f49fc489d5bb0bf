/** Track keys and shards: the rules of `src/corpus/key.ts`, with shard numbers from Python's hashlib. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identify, keyPlan, parseShard, shardOfKey, shardTag } from '../../src/corpus/key.js';

test('shardOfKey agrees with the documented Python formula', () => {
  // int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], 'big') % n, computed with Python 3's hashlib
  const expected: [string, number, number, number, number][] = [
    ['sha256:00', 1, 0, 3, 811],
    ['spotify:4uLU6hMCjMI75M1A2tKUQC', 0, 1, 4, 4],
    ['msd:TRAAAFP128F931B4E3', 0, 0, 2, 914],
    ['search:daft punk', 1, 2, 5, 461],
  ];
  for (const [key, n2, n3, n8, n1000] of expected) {
    assert.deepEqual([2, 3, 8, 1000].map((n) => shardOfKey(key, n)), [n2, n3, n8, n1000], `shards of ${key}`);
    assert.equal(shardOfKey(key, 1), 0, `one shard takes ${key}`);
  }
});

test('parseShard takes K/N with 1 ≤ K ≤ N and nothing else; tags sort by shard', () => {
  assert.deepEqual(parseShard('3/8'), { index: 3, count: 8 }, 'shard 3 of 8');
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 }, 'spaces around the numbers are fine');
  for (const bad of ['0/4', '5/4', '3', '3/0', '-1/4', 'a/b', '1.5/4', '']) assert.equal(parseShard(bad), undefined, `"${bad}" is refused`);
  assert.equal(shardTag({ index: 3, count: 16 }), 's03of16', 'the shard tag, zero-padded to the width of the count');
  assert.equal(shardTag({ index: 1, count: 1 }), 's1of1', 'one shard of one');
});

test('keys: Spotify ids, MSD file names, searches, and the SHA-256 of any other file', async () => {
  assert.deepEqual(keyPlan({ input: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC' }), { kind: 'fixed', trackKey: 'spotify:4uLU6hMCjMI75M1A2tKUQC' }, 'a track URI: its Spotify id');
  assert.deepEqual(keyPlan({ input: 'x', id: '4uLU6hMCjMI75M1A2tKUQC' }), { kind: 'fixed', trackKey: 'spotify:4uLU6hMCjMI75M1A2tKUQC' }, 'an id given beside the input wins');
  assert.deepEqual(keyPlan({ input: 'Daft  Punk  One More Time' }), { kind: 'fixed', trackKey: 'search:daft punk one more time' }, 'a search: lower case, spaces collapsed');
  assert.deepEqual(keyPlan({ input: 'data/A/A/A/TRAAAFP128F931B4E3.h5' }), { kind: 'file', path: 'data/A/A/A/TRAAAFP128F931B4E3.h5', nameKey: 'msd:TRAAAFP128F931B4E3' }, 'an MSD .h5 file: keyed by the track id in its name');
  const dir = await mkdtemp(join(tmpdir(), 'songscope-key-'));
  try {
    const path = join(dir, 'a.json');
    await writeFile(path, '{"x": 1}\n');
    const id = await identify(keyPlan({ input: path }));
    assert.equal(id.trackKey, `sha256:${createHash('sha256').update('{"x": 1}\n').digest('hex')}`, 'the key is the hash of the bytes');
    assert.equal(id.fileBytes, 9n, 'file size in bytes');
    assert.equal(typeof id.fileMtimeNs, 'bigint', 'modification time in ns');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
