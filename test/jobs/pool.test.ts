/**
 * The track pool: outcomes in task order whatever the number of threads, the same records as the album
 * path (`collectTracks`) computes, failures as outcomes (never thrown), and a task whose thread ran out of
 * memory redone in the calling thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrackPool } from '../../src/jobs/pool.js';
import { runTrackTask, type TrackOutcome, type TrackTask } from '../../src/jobs/track.js';
import { generateAudioAnalysis, writeSyntheticAlbum } from '../../src/synth/generate.js';
import { collectTracks } from '../../src/jobs/tracks.js';
import type { TrackRef } from '../../src/sources/collection.js';
import { FIXTURES } from '../helpers/fixtures.js';

async function outcomes(jobs: number, refs: TrackRef[]): Promise<TrackOutcome[]> {
  const pool = await TrackPool.open({ jobs });
  try {
    const out: TrackOutcome[] = [];
    const tasks = refs.map((ref): TrackTask => ({ op: 'track', ref, grid: 'full', resolve: { useCache: false }, identity: 'compute' }));
    for await (const o of pool.runOrdered(tasks, 3)) out.push(o);
    return out;
  } finally {
    await pool.close();
  }
}

test('the pool yields outcomes in task order, the same for 1 and 3 threads, equal to collectTracks', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-pool-'));
  try {
    const files = [
      ...(await writeSyntheticAlbum(dir, { style: 'dance', count: 3, durationS: 20, seed: 3 })),
      join(FIXTURES, 'msd', 'TRAAAFP128F931B4E3.h5'),
      join(dir, 'missing.json'),
      ...(await writeSyntheticAlbum(dir, { style: 'folk', count: 2, durationS: 20, seed: 4 })),
    ];
    await writeFile(join(dir, 'not-analysis.json'), '{"hello": "world"}\n');
    files.push(join(dir, 'not-analysis.json'));
    const refs: TrackRef[] = files.map((input, i) => ({ position: i + 1, input }));
    const inline = await outcomes(1, refs);
    const threaded = await outcomes(3, refs);
    assert.equal(inline.length, refs.length, 'one outcome per task');
    assert.deepEqual(
      threaded.map((o) => (o.ok === true ? o.record.ref.input : o.ok === false ? o.failure.ref.input : '')),
      refs.map((r) => r.input),
      'outcomes come back in task order',
    );
    for (let i = 0; i < refs.length; i++) {
      const a = inline[i];
      const b = threaded[i];
      assert.equal(a.ok, b.ok, `${refs[i].input}: same kind of outcome`);
      if (a.ok === true && b.ok === true) {
        assert.deepEqual([...b.record.mean], [...a.record.mean], `${refs[i].input}: means bitwise equal across threads`);
        assert.deepEqual(b.identity, a.identity, `${refs[i].input}: same identity`);
      }
      if (a.ok === false && b.ok === false) assert.equal(b.failure.message, a.failure.message, `${refs[i].input}: same failure`);
    }
    assert.deepEqual(inline.map((o) => o.ok), [true, true, true, true, false, true, true, false], 'the missing file and the non-analysis fail');
    const missing = inline[4];
    assert.ok(missing.ok === false && missing.failure.exitCode === 2 && /no such file/.test(missing.failure.message), `a missing file is bad input: ${JSON.stringify(missing)}`);
    const msd = inline[3];
    assert.ok(msd.ok === true && msd.identity?.trackKey === 'msd:TRAAAFP128F931B4E3', 'an MSD file is keyed by its track id');

    // the album path over the same inputs gives the same records
    const { tracks } = await collectTracks({ kind: 'inputs', name: 'x', source: dir, tracks: refs }, { resolve: { useCache: false }, grid: 'full' });
    const ok = inline.filter((o): o is Extract<TrackOutcome, { ok: true }> => o.ok === true);
    assert.equal(tracks.length, ok.length, 'collectTracks analyses the same tracks');
    tracks.forEach((t, i) => {
      assert.equal(ok[i].record.rows, t.rows, `${t.name}: rows`);
      assert.deepEqual([...ok[i].record.mean], [...t.mean], `${t.name}: means equal to the album path's`);
      assert.deepEqual([...ok[i].record.std], [...t.std], `${t.name}: stds equal to the album path's`);
      assert.deepEqual(ok[i].record.summary, t.summary, `${t.name}: summary`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a task whose worker runs out of memory is run again in the calling thread: the same outcome, nothing lost', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-pool-oom-'));
  // a 16 MB heap: a 20 s analysis fits, an hour's (6 MB of JSON) does not
  const pool = await TrackPool.open({ jobs: 2, workerHeapMb: 16 });
  try {
    const [short] = await writeSyntheticAlbum(dir, { style: 'folk', count: 1, durationS: 20, seed: 5 });
    const long = join(dir, 'hour.json');
    await writeFile(long, JSON.stringify(generateAudioAnalysis({ style: 'dance', seed: 5, index: 0, durationS: 3600 })));
    const task = (input: string, position: number): TrackTask => ({ op: 'track', ref: { position, input }, grid: 'full', resolve: { useCache: false }, identity: 'skip' });
    const first = await pool.run(task(short, 1));
    assert.equal(pool.redoneInline, 0, 'a small track runs in a worker');
    const threaded = await pool.run(task(long, 2));
    assert.equal(pool.redoneInline, 1, 'the hour-long track ran out of memory in its worker and was run again here');
    const inline = await runTrackTask(task(long, 2));
    assert.ok(threaded.ok === true && inline.ok === true, `both runs succeed: ${JSON.stringify([threaded.ok, inline.ok])}`);
    assert.equal(threaded.record.rows, 3_600_000, 'the whole hour');
    assert.deepEqual([...threaded.record.mean], [...inline.record.mean], 'the same means as a run in this thread');
    const again = await pool.run(task(short, 1));
    assert.ok(first.ok === true && again.ok === true && again.record.mean.every((m, i) => Object.is(m, first.record.mean[i])), 'the pool keeps working after a thread ran out of memory');
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a job count below 1 is refused with exit code 2', async () => {
  await assert.rejects(TrackPool.open({ jobs: 0 }), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /--jobs/.test(e.message), '--jobs 0 is a usage error naming --jobs');
});
