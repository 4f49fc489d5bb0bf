/**
 * A scan killed with SIGKILL at random moments, run again each time: after every kill every file in the
 * dataset is readable and no input has two rows; the last run completes with every track exactly once
 * and the same rows as an uninterrupted scan.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { closeDuckDB, openDuckDB } from '../../src/util/duckdb.js';
import { countRows } from '../../src/corpus/parquet.js';
import { createRandom } from '../../src/util/random.js';
import { datasetRows, plain, scan, writeCorpus, type GeneratedCorpus } from './helpers.js';

const TRACKS = 200;
let dir: string;
let corpus: GeneratedCorpus;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-sigkill-'));
  corpus = await writeCorpus(dir, TRACKS, { durationS: 20, seed: 5 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Start a scan and SIGKILL it when `when` says so: after `afterMs`, or once `afterParts` more part files
 * have appeared (polled every 10 ms) and a further `afterMs`; unless it finishes first.
 */
function scanAndKill(out: string, when: { afterMs: number; afterParts?: number }): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const parts = async () => (await readdir(out).catch(() => [] as string[])).filter((n) => n.endsWith('.parquet')).length;
    void parts().then((start) => {
      const child = spawn(process.execPath, [CLI, 'scan', corpus.root, '-o', out, '--jobs', '2', '--part-rows', '7', '-q'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SONGSCOPE_CACHE_DIR: join(dir, 'cache') },
        stdio: 'ignore',
      });
      let killed = false;
      let exited = false;
      const kill = () => {
        if (!exited) killed = child.kill('SIGKILL');
      };
      let timer: NodeJS.Timeout | undefined;
      if (when.afterParts === undefined) {
        timer = setTimeout(kill, when.afterMs);
      } else {
        const poll = async () => {
          if (exited) return;
          if ((await parts()) >= start + when.afterParts!) timer = setTimeout(kill, when.afterMs);
          else timer = setTimeout(poll, 10);
        };
        void poll();
      }
      child.on('error', reject);
      child.on('exit', (code) => {
        exited = true;
        clearTimeout(timer);
        resolve({ killed, code });
      });
    });
  });
}

/** Every file of the dataset: each Parquet part readable, no input twice, and what temporary files remain. */
async function check(out: string, when: string): Promise<{ rows: number; temps: string[] }> {
  const names = await readdir(out).catch(() => [] as string[]);
  const failures = await readdir(join(out, '_failures')).catch(() => [] as string[]);
  const parts = [...names.filter((n) => n.endsWith('.parquet')).map((n) => join(out, n)), ...failures.filter((n) => n.endsWith('.parquet')).map((n) => join(out, '_failures', n))];
  const db = await openDuckDB();
  try {
    for (const p of parts) await assert.doesNotReject(countRows(db, [p]), `${when}: ${p} is readable`);
  } finally {
    closeDuckDB(db);
  }
  const rows = await datasetRows(out);
  const inputs = rows.map((r) => String(r.input));
  assert.equal(new Set(inputs).size, inputs.length, `${when}: no input has two rows`);
  return { rows: rows.length, temps: [...names, ...failures].filter((n) => n.startsWith('.')) };
}

test('SIGKILL at random moments, then a re-run: every track exactly once, every file readable', { timeout: 600_000 }, async (t) => {
  const reference = join(dir, 'reference');
  const started = performance.now();
  const full = await scan([corpus.root, '-o', reference, '--jobs', '2', '-q'], join(dir, 'cache'));
  // kill moments are fractions of what an uninterrupted scan takes here (the machine's speed varies)
  const fullMs = performance.now() - started;
  assert.equal(full.code, 0, full.stderr);
  const expected = (await datasetRows(reference)).map(plain);
  assert.equal(expected.length, TRACKS, 'the uninterrupted scan has every track');

  const out = join(dir, 'killed');
  const random = createRandom(20240611);
  let killedRuns = 0;
  let progressed = 0;
  let last = 0;
  for (let run = 0; run < 8; run++) {
    // odd runs die at a random moment from the start (start-up, listing, the ledger); even runs once 1–4
    // more parts have appeared, plus 0–40 ms: in the middle of writing parts
    // (the moment from the start is drawn within 70 % of the time the remaining tracks take)
    const remainingMs = (fullMs * (TRACKS - last)) / TRACKS;
    const when = run % 2 === 1 ? { afterMs: Math.floor(random() * 0.7 * remainingMs) } : { afterParts: 1 + Math.floor(random() * 4), afterMs: Math.floor(random() * 40) };
    const r = await scanAndKill(out, when);
    if (r.killed) killedRuns++;
    const state = await check(out, `after run ${run + 1} (${JSON.stringify(when)}, killed: ${r.killed})`);
    if (state.rows > last) progressed++;
    last = state.rows;
    t.diagnostic(`run ${run + 1}: ${JSON.stringify(when)} killed ${r.killed}, ${state.rows} rows, ${state.temps.length} temporary files left`);
    if (!r.killed) break;
  }
  assert.ok(killedRuns >= 3, `at least three runs were killed (${killedRuns})`);
  const final = await scan([corpus.root, '-o', out, '--jobs', '2', '-q'], join(dir, 'cache'));
  assert.equal(final.code, 0, final.stderr);
  const end = await check(out, 'after the final run');
  assert.deepEqual(end.temps, [], 'no temporary file left');
  assert.equal(end.rows, TRACKS, 'every track');
  assert.deepEqual(
    (await datasetRows(out)).map(plain),
    expected,
    'the same rows as the uninterrupted scan',
  );
  assert.ok(progressed >= 1, `the killed runs kept some work (${progressed} runs added rows)`);
});
