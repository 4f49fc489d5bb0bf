/**
 * The corpus part of `npm run bench` (issue 12's targets), each figure a ratio against a baseline measured
 * in the same run, never a timed test:
 *
 * - scanning generated 4-minute analysis JSON, tracks per second against the notebook's per-song pandas
 *   loop (`get_model(analysis).mean()`, `./pandas_loop.py`, run by `$BENCH_PYTHON`, else
 *   `/work/venv/bin/python` or `python3` — skipped with a message when none has pandas); target ≥ 30×;
 * - peak RSS of the scan process (worker threads included) for the whole corpus; target ≤ 300 MB;
 * - `--jobs 2` against `--jobs 1`, both on the corpus' first `BENCH_SCAN_JOBS_TRACKS` (default 2,000) files;
 *   target ≥ 1.8×;
 * - MSD `.h5` files: tracks per second, and what a million would take on this machine.
 *
 * The corpus: `BENCH_SCAN_TRACKS` (default 10,000) files made from 100 generated analyses (two styles,
 * 240 s, ~400 KB each), each file given a distinct first field so every file has its own content and key
 * (generating 10,000 analyses would take longer than scanning them). MSD: `BENCH_MSD_TRACKS` (default
 * 2,000) hard links to the fixture `.h5` under MSD-style names in a `data/A/B/C/` tree. Each scan runs in a
 * process of its own (this module with `--child`), so its peak memory is its own. Files are read from the
 * page cache (written just before): these are CPU figures, not disk figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAudioAnalysis } from '../../src/synth/generate.js';
import { runScan } from '../../src/jobs/scan.js';
import { FIXTURES, ROOT } from '../helpers/fixtures.js';
import { benchPython, machine, mb, report, x1 } from './lib.js';

const TRACKS = Number(process.env.BENCH_SCAN_TRACKS ?? 10_000);
const MSD_TRACKS = Number(process.env.BENCH_MSD_TRACKS ?? 2_000);
const PANDAS_TRACKS = Number(process.env.BENCH_PANDAS_TRACKS ?? 8);
/** `--jobs 1` against `--jobs 2` is timed on the first thousands of the corpus (whole folders of 1,000). */
const JOBS_TRACKS = Math.min(TRACKS, Math.max(1000, Number(process.env.BENCH_SCAN_JOBS_TRACKS ?? 2_000)));
const DISTINCT = 100;

interface ChildResult {
  tracks: number;
  seconds: number;
  peakRssMB: number;
  failures: number;
  /** CPU seconds of the process (every thread), and (Linux) seconds its threads were runnable but waiting for a CPU. */
  cpuS: number;
  waitedS?: number;
}

/** Per thread (Linux `/proc/self/task/<tid>/schedstat`): seconds running and seconds waiting for a CPU. */
function schedstat(): Map<string, { run: number; wait: number }> | undefined {
  try {
    return new Map(
      readdirSync('/proc/self/task').map((tid) => {
        const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        return [tid, { run: run / 1e9, wait: wait / 1e9 }];
      }),
    );
  } catch {
    return undefined;
  }
}

/** `--child OUT JOBS IN…`: scan the inputs into OUT with JOBS jobs, print the figures as JSON. */
async function child(out: string, jobs: number, inputs: string[]): Promise<void> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  // worker threads end with the scan: keep the last sample of every thread seen
  const seen = new Map<string, { run: number; wait: number }>();
  const sample = () => schedstat()?.forEach((v, k) => seen.set(k, v));
  const timer = setInterval(sample, 200);
  const result = await runScan({ inputs, outDir: out, jobs, resolve: { useCache: false } });
  clearInterval(timer);
  sample();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const figures: ChildResult = {
    tracks: result.scanned,
    seconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    failures: result.failures.length,
    cpuS: (cpu.user + cpu.system) / 1e6,
    ...(seen.size > 0 ? { waitedS: [...seen.values()].reduce((a, t) => a + t.wait, 0) } : {}),
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

function scanInChild(input: string | string[], out: string, jobs: number): ChildResult {
  const inputs = typeof input === 'string' ? [input] : input;
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', out, String(jobs), ...inputs], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`scan child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

const rate = (r: ChildResult) => r.tracks / r.seconds;
const f1 = (x: number) => x.toFixed(1);
/** CPU per track and how long the threads waited for a CPU (other processes held the cores). */
const cpuLine = (r: ChildResult) =>
  `${((r.cpuS / r.tracks) * 1000).toFixed(1)} ms of CPU per track${r.waitedS !== undefined ? `, threads waited ${f1(r.waitedS)} s for a CPU` : ''}`;

async function writeCorpus(dir: string): Promise<string[]> {
  const bases: string[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    bases.push(JSON.stringify(generateAudioAnalysis({ style: i % 2 ? 'folk' : 'dance', seed: 1, index: i, durationS: 240 })));
  }
  const files: string[] = [];
  for (let i = 0; i < TRACKS; i++) {
    const sub = join(dir, String(Math.floor(i / 1000)).padStart(2, '0'));
    if (i % 1000 === 0) await mkdir(sub, { recursive: true });
    const path = join(sub, `t${String(i).padStart(5, '0')}.json`);
    // a distinct first field: every file its own content (and key), the analysis unchanged
    await writeFile(path, `{"songscope_bench_copy":${i},${bases[i % DISTINCT].slice(1)}\n`);
    files.push(path);
  }
  return files;
}

async function writeMsd(dir: string): Promise<void> {
  const source = join(FIXTURES, 'msd', 'TRAAAFP128F931B4E3.h5');
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let i = 0; i < MSD_TRACKS; i++) {
    const id = `TRBENCH${String(i).padStart(9, '0')}`; // TR + 16 characters, as an MSD track id
    const sub = join(dir, 'data', letters[i % 26], letters[Math.floor(i / 26) % 26], letters[Math.floor(i / 676) % 26]);
    await mkdir(sub, { recursive: true });
    await link(source, join(sub, `${id}.h5`));
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-bench-scan-'));
  try {
    const cores = availableParallelism();
    console.log(`\nscan: ${TRACKS.toLocaleString('en-US')} generated 4-minute analysis files (${DISTINCT} distinct analyses), files in the page cache — ${machine()}`);
    let t = performance.now();
    const files = await writeCorpus(join(dir, 'corpus'));
    console.log(`  wrote the corpus in ${f1((performance.now() - t) / 1000)} s`);

    const { python, why } = benchPython(['pandas']);
    let pandasRate: number | undefined;
    let pandasWhy = why;
    if (python) {
      const sample = files.slice(0, PANDAS_TRACKS);
      const r = spawnSync(python, [join(ROOT, 'test', 'bench', 'pandas_loop.py'), ...sample], { encoding: 'utf8' });
      if (r.status === 0) {
        const p = JSON.parse(r.stdout) as { tracks: number; seconds: number };
        pandasRate = p.tracks / p.seconds;
        console.log(`  baseline: the notebook's pandas loop get_model(analysis).mean() (${python}): ${p.tracks} tracks in ${f1(p.seconds)} s = ${pandasRate.toFixed(2)} tracks/s`);
      } else {
        pandasWhy = `${python} pandas_loop.py failed: ${r.stderr.trim().split('\n').pop()}`;
        console.log(`  baseline skipped: ${pandasWhy}`);
      }
    } else {
      console.log(`  baseline skipped: ${why}`);
    }

    // the whole corpus once at the default --jobs (the rate against pandas, the peak RSS for all of it), then
    // --jobs 1 and --jobs 2 on its first folders (per-track rates: the ratio needs no 10,000 twice more)
    const all = scanInChild(join(dir, 'corpus'), join(dir, 'out-all'), cores);
    console.log(`  songscope scan (default --jobs ${cores}): ${all.tracks} tracks in ${f1(all.seconds)} s = ${f1(rate(all))} tracks/s, peak RSS ${all.peakRssMB.toFixed(0)} MB; ${cpuLine(all)}`);
    const subset = Array.from({ length: Math.ceil(JOBS_TRACKS / 1000) }, (_, k) => join(dir, 'corpus', String(k).padStart(2, '0')));
    const one = scanInChild(subset, join(dir, 'out-1'), 1);
    console.log(`  songscope scan --jobs 1, the first ${one.tracks} tracks: ${f1(one.seconds)} s = ${f1(rate(one))} tracks/s, peak RSS ${one.peakRssMB.toFixed(0)} MB; ${cpuLine(one)}`);
    const two = scanInChild(subset, join(dir, 'out-2'), 2);
    console.log(`  songscope scan --jobs 2, the same ${two.tracks} tracks: ${f1(two.seconds)} s = ${f1(rate(two))} tracks/s, peak RSS ${two.peakRssMB.toFixed(0)} MB; ${cpuLine(two)}`);
    if (all.failures + one.failures + two.failures > 0) console.log(`  WARNING: ${all.failures + one.failures + two.failures} tracks failed`);
    console.log('  targets (ratios within this run):');
    report({
      issue: 12,
      what: `scan ${TRACKS.toLocaleString('en-US')} × 4-min analysis JSON, default --jobs (${cores})`,
      songscope: `${f1(rate(all))} tracks/s`,
      baseline: pandasRate !== undefined ? `pandas get_model(a).mean() loop ${pandasRate.toFixed(2)} tracks/s` : `pandas loop skipped: ${pandasWhy}`,
      ratio: pandasRate !== undefined ? `${x1(rate(all) / pandasRate)} the tracks/s` : '—',
      target: '≥ 30×',
      status: pandasRate === undefined ? 'SKIPPED' : rate(all) / pandasRate >= 30 ? 'MET' : 'NOT MET',
    });
    const peak = all.peakRssMB;
    report({
      issue: 12,
      what: `scan peak RSS, ${TRACKS.toLocaleString('en-US')} tracks, --jobs ${cores} (worker threads included)`,
      songscope: mb(peak),
      baseline: '—',
      ratio: '—',
      target: '≤ 300 MB',
      status: peak <= 300 ? 'MET' : 'NOT MET',
    });
    const speedup = rate(two) / rate(one);
    report({
      issue: 12,
      what: `scan --jobs 2 against --jobs 1 (the first ${one.tracks.toLocaleString('en-US')} tracks)`,
      songscope: `${f1(rate(two))} tracks/s`,
      baseline: `--jobs 1 ${f1(rate(one))} tracks/s`,
      ratio: `${speedup.toFixed(2)}×`,
      target: '≥ 1.8×',
      status: speedup >= 1.8 ? 'MET' : 'NOT MET',
    });
    // what two free cores would give: the work per track is the CPU per track; 2 jobs spread it on 2 cores
    console.log(`    CPU per track, --jobs 2 against --jobs 1: ${(two.cpuS / two.tracks / (one.cpuS / one.tracks)).toFixed(2)}× (1.00 would mean no cost for the second thread; the ratio above moves with the machine's load)`);
    await rm(join(dir, 'corpus'), { recursive: true, force: true });

    t = performance.now();
    await writeMsd(join(dir, 'msd'));
    const msd = scanInChild(join(dir, 'msd', 'data'), join(dir, 'out-msd'), cores);
    const msdRate = rate(msd);
    const millionH = 1e6 / msdRate / 3600;
    console.log(`\nscan: ${MSD_TRACKS.toLocaleString('en-US')} MSD .h5 files (links to the fixture, in data/A/B/C/), --jobs ${cores}: ${msd.tracks} tracks in ${f1(msd.seconds)} s = ${f1(msdRate)} tracks/s, peak RSS ${msd.peakRssMB.toFixed(0)} MB; ${cpuLine(msd)}`);
    console.log(`  a million MSD tracks at this rate on this machine: ${millionH.toFixed(1)} h (CPU only: from the page cache, not from disk); N machines: about ${millionH.toFixed(1)}/N h`);
    report({
      issue: 12,
      what: `scan ${MSD_TRACKS.toLocaleString('en-US')} MSD .h5 files, --jobs ${cores}`,
      songscope: `${f1(msdRate)} tracks/s`,
      baseline: '—',
      ratio: `a million in ${millionH.toFixed(1)} h here`,
      target: 'report',
      status: 'INFO',
    });
    if (msd.failures > 0) console.log(`  WARNING: ${msd.failures} tracks failed`);
    const listed = (await readdir(join(dir, 'out-msd'))).filter((n) => n.endsWith('.parquet')).length;
    console.log(`  ${listed} part files`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), process.argv.slice(5));
else await main();
