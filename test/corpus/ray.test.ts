/**
 * The Ray example (`examples/ray/scan.py`) against a real local Ray: three shard tasks fill the dataset a
 * single scan makes, options pass through to `songscope scan`, and a shard whose process is killed is
 * retried and resumes. Skips, saying why, where `ray` cannot be imported (CI has no Ray).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPython } from '../helpers/python.js';
import { CLI } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { datasetRows, plain, scan, writeCorpus, type GeneratedCorpus } from './helpers.js';

const { python, why } = findPython(['ray']);
let dir: string;
let corpus: GeneratedCorpus;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-ray-'));
  corpus = await writeCorpus(dir, 10, { durationS: 20, seed: 13 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('examples/ray/scan.py: three shards on a local Ray equal one scan; a killed shard is retried', { skip: python ? false : why, timeout: 600_000 }, async () => {
  const cache = join(dir, 'cache');
  // the songscope the nodes run: shard 2's first attempt is killed (SIGKILL) before it starts
  const wrapper = join(dir, 'songscope.sh');
  await writeFile(
    wrapper,
    `#!/bin/sh\ncase "$*" in *"--shard 2/3"*) if [ ! -e "${dir}/killed-once" ]; then touch "${dir}/killed-once"; kill -9 $$; fi;; esac\nexec "${process.execPath}" "${CLI}" "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  const out = join(dir, 'ray-corpus');
  const r = await run(python!, [join(ROOT, 'examples', 'ray', 'scan.py'), '--shards', '3', '-o', out, '--num-cpus', '2', '--songscope', wrapper, '--part-rows', '2', corpus.root], {
    SONGSCOPE_CACHE_DIR: cache,
  });
  assert.equal(r.code, 0, `the driver succeeds\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /listed 10 inputs; scanning them in 3 shards/, 'the inputs are listed once');
  assert.match(r.stderr, /shard 2\/3 failed .*retrying \(attempt 2\)/, `the killed shard is retried:\n${r.stderr}`);
  assert.match(r.stdout, /shard 2\/3: .*, 2 attempts/, `the report counts the attempts:\n${r.stdout}`);
  assert.match(r.stdout, /total: 10 of 10 inputs in 3 of 3 finished shards, 10 scanned, 0 failed/, r.stdout);

  const single = join(dir, 'single');
  assert.equal((await scan([corpus.root, '-o', single, '-q'], cache)).code, 0, 'the single scan exits 0');
  assert.deepEqual((await datasetRows(out)).map(plain), (await datasetRows(single)).map(plain), 'the shards together equal one scan, row for row');
  const parts = (await readdir(out)).filter((n) => n.startsWith('part-'));
  for (const k of [1, 2, 3]) assert.ok(parts.some((p) => p.startsWith(`part-s${k}of3-`)), `shard ${k} wrote parts: ${parts}`);
  assert.ok(parts.length >= 5, `--part-rows 2 reached the scans: ${parts.length} parts for 10 tracks`);
});
