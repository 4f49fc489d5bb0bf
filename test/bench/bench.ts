/**
 * `npm run bench`: every performance target of issues 11 and 12 as a ratio against a baseline measured in
 * the same run (absolute times on a shared machine swing by half), plus guides to where the time goes.
 * Compiled with tsc and run on plain Node (not through tsx, whose loader adds seconds to loading h5wasm), so
 * it measures what ships. Not a test: nothing is asserted; a target not met is printed NOT MET.
 *
 * Each part runs in a process of its own (its peak memory is its own), in this order:
 *   stages  library stages on the fixtures, in process (a guide)
 *   single  `analyze`, `features`, start-up, against the Python peers and `node -e 0`   (issue 11)
 *   album   `album --no-plot` against the pandas pipeline, its peak RSS, every plot     (issue 11)
 *   audio   a generated 13-track album from WAV, cold, cached, --jobs                   (issue 11)
 *   shape   fingerprints, distances, `similar` (a guide)
 *   scan    10,000 generated analyses and 2,000 MSD files against the pandas loop       (issue 12)
 * and ends with one table of every target: songscope's figure, the baseline's, the ratio, the target, MET or
 * NOT MET, and the load average when it was measured.
 *
 * Environment: BENCH_PARTS (comma-separated subset of the parts above), BENCH_RUNS (runs per figure, default
 * 3: the median is printed), BENCH_AUDIO_RUNS (cold album runs, default BENCH_RUNS), BENCH_PYTHON (the
 * baselines' Python: default /work/venv/bin/python, then python3), BENCH_PEERS (the Python peers, default
 * /work/shared/peers), BENCH_SCAN_TRACKS, BENCH_SCAN_JOBS_TRACKS, BENCH_MSD_TRACKS, BENCH_PANDAS_TRACKS (see
 * scan.ts).
 * Needs `npm run build` first (the parts spawn dist/bin/songscope.js).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, RUNS, benchPython, machine, type TargetRow } from './lib.js';

const PARTS = ['stages', 'single', 'album', 'audio', 'shape', 'scan'] as const;

function selected(): string[] {
  const wanted = process.env.BENCH_PARTS?.split(',').map((p) => p.trim()).filter(Boolean);
  if (!wanted) return [...PARTS];
  const unknown = wanted.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`BENCH_PARTS: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return PARTS.filter((p) => wanted.includes(p));
}

function pythonLine(): string {
  const py = benchPython(['pandas', 'sklearn', 'seaborn']);
  if (!py.python) return `baselines' Python: ${py.why}`;
  const v = spawnSync(py.python, ['-c', 'import sys, pandas, sklearn, seaborn; print(sys.version.split()[0], pandas.__version__, sklearn.__version__, seaborn.__version__)'], { encoding: 'utf8' });
  const [pyV, pd, sk, sns] = v.stdout.trim().split(' ');
  return `baselines' Python: ${py.python} (Python ${pyV}, pandas ${pd}, scikit-learn ${sk}, seaborn ${sns})`;
}

function table(rows: TargetRow[]): string {
  const head = ['issue', 'what', 'songscope', 'baseline (same run)', 'ratio', 'target', 'status', 'load'];
  const body = rows.map((r) => [`#${r.issue}`, r.what, r.songscope, r.baseline, r.ratio, r.target, r.status, r.load.toFixed(1)]);
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [head, head.map(() => '---'), ...body].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const parts = selected();
  const started = performance.now();
  const loadBefore = loadavg();
  console.log(`songscope bench — ${machine()}`);
  console.log(pythonLine());
  console.log(`parts: ${parts.join(', ')}; ${RUNS} runs per figure (BENCH_RUNS)`);

  const dir = mkdtempSync(join(tmpdir(), 'songscope-bench-'));
  const results = join(dir, 'results.jsonl');
  try {
    for (const part of parts) {
      const t0 = performance.now();
      const child = spawnSync(process.execPath, [fileURLToPath(new URL(`./${part}.js`, import.meta.url))], {
        stdio: 'inherit',
        env: { ...process.env, BENCH_RESULTS: results, BENCH_RUNS: String(RUNS) },
      });
      console.log(`  (${part} took ${((performance.now() - t0) / 60_000).toFixed(1)} min)`);
      if (child.status !== 0) {
        console.log(`\n${part}: FAILED (exit ${child.status ?? child.signal})`);
        process.exitCode = 1;
      }
    }
    const rows: TargetRow[] = existsSync(results)
      ? readFileSync(results, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TargetRow)
      : [];
    const minutes = (performance.now() - started) / 60_000;
    const loadAfter = loadavg();
    console.log(`\n## Targets (ratios within this run)\n`);
    console.log(`${machine()}; load average at the start ${loadBefore.map((l) => l.toFixed(2)).join(', ')}; the bench took ${minutes.toFixed(1)} min\n`);
    console.log(rows.length ? table(rows) : '(no targets in these parts)');
    const counted = rows.filter((r) => r.status === 'MET' || r.status === 'NOT MET');
    const met = counted.filter((r) => r.status === 'MET').length;
    const skipped = rows.filter((r) => r.status === 'SKIPPED').length;
    console.log(`\n${met} of ${counted.length} targets met${skipped ? `; ${skipped} skipped (see the rows)` : ''}; load average at the end ${loadAfter.map((l) => l.toFixed(2)).join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
