/**
 * Shared by the parts of `npm run bench`: timing child processes (the CLI spawned as a user runs it, the
 * Python peers it is measured against), finding the baselines' Python and the peer scripts, and the target
 * rows every part prints and appends to `$BENCH_RESULTS` (JSON lines) for bench.ts's closing table.
 *
 * Every figure is a wall time of a whole process measured here, around `spawnSync`; songscope and its
 * baseline are run alternately (A B A B …) so a change of load on this shared machine hits both, and each
 * figure is the median of `BENCH_RUNS` (default 3) runs.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/fixtures.js';

/** Timed runs of each figure (the median is printed). */
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

/** The built CLI (`npm run build`). */
export const CLI = join(ROOT, 'dist', 'bin', 'songscope.js');

/** The Python peers (`seed_pipeline.py`, `seed_song_story.py`, `synth_analysis.py`, `synth_many.py`). */
export const PEERS = process.env.BENCH_PEERS ?? '/work/shared/peers';

/** This directory's compiled scripts (rss-hook.js, pandas_*.py live beside the sources: see {@link BENCH_SRC}). */
const HERE = fileURLToPath(new URL('.', import.meta.url));
/** test/bench in the source tree (the Python helpers are not compiled). */
export const BENCH_SRC = join(ROOT, 'test', 'bench');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** One process run: wall seconds, CPU seconds and peak RSS (when known), exit code and output. */
export interface ProcessRun {
  wallS: number;
  /**
   * CPU seconds of the child, user + system, every thread (node children: the hook; others: GNU time when
   * /usr/bin/time exists). Less moved by other processes' load than the wall time.
   */
  cpuS?: number;
  /** Peak resident set of the child, MB (the whole process, worker threads included); node children only. */
  peakRssMB?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutS?: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Run a command to the end and time it (wall, in this process, around the whole child). With `cpu`, and
 * GNU time at /usr/bin/time, the command runs under it (`-f '%U %S %M'` into a file) for its CPU time and
 * peak RSS.
 */
export function runProcess(command: string, args: readonly string[], options: SpawnOptions & { cpu?: boolean } = {}): ProcessRun {
  if (options.cpu && existsSync(GNU_TIME)) {
    const tmp = mkdtempSync(join(tmpdir(), 'songscope-bench-time-'));
    try {
      const out = join(tmp, 'time');
      const r = runProcess(GNU_TIME, ['-f', '%U %S %M', '-o', out, command, ...args], { ...options, cpu: false });
      const [user, system, rssKB] = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [];
      if (Number.isFinite(user) && Number.isFinite(system)) r.cpuS = user + system;
      if (Number.isFinite(rssKB)) r.peakRssMB = rssKB / 1024;
      return r;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const t0 = performance.now();
  const r = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: (options.timeoutS ?? 900) * 1000,
  });
  const wallS = (performance.now() - t0) / 1000;
  if (r.error) return { wallS, code: null, stdout: '', stderr: r.error.message };
  return { wallS, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `songscope ARGS` as a user runs it (`node dist/bin/songscope.js`), with one addition: a preloaded hook
 * (`rss-hook.js`, `--import`) writes the process's peak RSS to a file at exit, so the child's own peak
 * memory is known (worker threads included). The cache goes to `cacheDir` (never the user's).
 * Throws when the command fails: a bench figure of a failed run would be a lie.
 */
export function songscope(args: readonly string[], options: SpawnOptions & { cacheDir: string }): ProcessRun {
  const tmp = mkdtempSync(join(tmpdir(), 'songscope-bench-rss-'));
  const rssFile = join(tmp, 'rss');
  try {
    const r = runProcess(process.execPath, ['--import', pathToFileURL(join(HERE, 'rss-hook.js')).href, CLI, ...args], {
      ...options,
      env: { NO_COLOR: '1', SONGSCOPE_CACHE_DIR: options.cacheDir, ...options.env, BENCH_RSS_FILE: rssFile },
    });
    if (r.code !== 0) throw new Error(`songscope ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (existsSync(rssFile)) {
      const u = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssKB: number; userUs: number; systemUs: number };
      r.peakRssMB = u.maxRssKB / 1024;
      r.cpuS = (u.userUs + u.systemUs) / 1e6;
    }
    return r;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Fails loudly like {@link songscope}, for the Python peers; their CPU time measured by GNU time when it exists. */
export function mustRun(command: string, args: readonly string[], options: SpawnOptions = {}): ProcessRun {
  const r = runProcess(command, args, { cpu: true, ...options });
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

/** Medians of several runs of one command (and its largest peak RSS). */
export interface Timing {
  wallS: number;
  /** Median CPU seconds, when every run's is known. */
  cpuS?: number;
  runs: number[];
  peakRssMB?: number;
  last: ProcessRun;
}

export function summarise(runs: readonly ProcessRun[]): Timing {
  const rss = runs.map((r) => r.peakRssMB).filter((x): x is number => x !== undefined);
  const cpu = runs.map((r) => r.cpuS).filter((x): x is number => x !== undefined);
  return {
    wallS: median(runs.map((r) => r.wallS)),
    ...(cpu.length === runs.length ? { cpuS: median(cpu) } : {}),
    runs: runs.map((r) => r.wallS),
    ...(rss.length ? { peakRssMB: Math.max(...rss) } : {}),
    last: runs[runs.length - 1],
  };
}

/**
 * Run each of `commands` `runs` times, alternating (a, b, a, b …) so the machine's load swings hit all of
 * them alike; undefined entries (a skipped baseline) are left out.
 */
export function alternate(commands: ReadonlyArray<((i: number) => ProcessRun) | undefined>, runs = RUNS): Array<Timing | undefined> {
  const out: ProcessRun[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => c && out[k].push(c(i)));
  return commands.map((c, k) => (c ? summarise(out[k]) : undefined));
}

// ---------------------------------------------------------------- Python

const pythonCache = new Map<string, { python?: string; why: string }>();

/**
 * The baselines' Python: `$BENCH_PYTHON` when set (only it), else `/work/venv/bin/python`, then `python3`;
 * the first that imports every module in `modules`. None: `why` says what each lacked, for the skip line.
 */
export function benchPython(modules: readonly string[]): { python?: string; why: string } {
  const key = modules.join(',');
  const known = pythonCache.get(key);
  if (known) return known;
  const explicit = process.env.BENCH_PYTHON;
  const candidates = explicit ? [explicit] : ['/work/venv/bin/python', 'python3'];
  const tried: string[] = [];
  let found: { python?: string; why: string } | undefined;
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', modules.length ? `import ${modules.join(', ')}` : 'pass'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) {
      found = { python, why: '' };
      break;
    }
    tried.push(`${python}: ${r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  found ??= {
    why: `${modules.length ? `no Python with ${modules.join(', ')}` : 'no working Python'} (${explicit ? `BENCH_PYTHON=${explicit}` : 'BENCH_PYTHON unset'}; tried ${tried.join('; ')})`,
  };
  pythonCache.set(key, found);
  return found;
}

/** A peer script's path, or why it is missing (set BENCH_PEERS). */
export function peer(name: string): { path?: string; why: string } {
  const path = join(PEERS, name);
  return existsSync(path) ? { path, why: '' } : { why: `${path} not found (set BENCH_PEERS to the peers directory)` };
}

/** Python and peer script together: what a baseline needs, or why it is skipped. */
export function baseline(script: string, modules: readonly string[]): { python?: string; script?: string; why: string } {
  const p = peer(script);
  if (!p.path) return { why: p.why };
  const py = benchPython(modules);
  if (!py.python) return { why: py.why };
  return { python: py.python, script: p.path, why: '' };
}

// ---------------------------------------------------------------- targets

/** One row of the closing table: a target of issue 11 or 12 (or a figure without a target, INFO). */
export interface TargetRow {
  issue: number;
  what: string;
  songscope: string;
  baseline: string;
  ratio: string;
  target: string;
  status: 'MET' | 'NOT MET' | 'SKIPPED' | 'INFO';
  /** 1-minute load average when the row was measured. */
  load: number;
}

/** Print a target row and append it to `$BENCH_RESULTS` (bench.ts prints them all at the end). */
export function report(row: Omit<TargetRow, 'load'>): void {
  const full: TargetRow = { ...row, load: loadavg()[0] };
  const mark = full.status === 'INFO' ? '' : `  → ${full.status}`;
  // the ratio is of wall times (what a user waits); a CPU ratio beside it is less moved by other processes
  console.log(`  [#${full.issue}] ${full.what}: songscope ${full.songscope}; baseline ${full.baseline}; ratio ${full.ratio}; target ${full.target}${mark}`);
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, JSON.stringify(full) + '\n');
}

export const s = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1)) + ' s';
export const x1 = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1)) + '×';
export const mb = (x: number): string => `${x.toFixed(0)} MB`;
/** Wall time, and CPU time when known: `4.10 s (CPU 3.20 s)`. */
export const withCpu = (t: { wallS: number; cpuS?: number }): string => (t.cpuS === undefined ? s(t.wallS) : `${s(t.wallS)} (CPU ${s(t.cpuS)})`);

/**
 * A speed target: songscope must be at least `atLeast` times faster than the baseline (baseline time /
 * songscope time). A skipped baseline gives a SKIPPED row that says why.
 */
export function speedTarget(issue: number, what: string, ours: Timing, base: Timing | undefined, baseName: string, atLeast: number, why = ''): void {
  if (!base) {
    report({ issue, what, songscope: withCpu(ours), baseline: `${baseName} skipped: ${why}`, ratio: '—', target: `≥ ${atLeast}×`, status: 'SKIPPED' });
    return;
  }
  const ratio = base.wallS / ours.wallS;
  const cpu = ours.cpuS !== undefined && base.cpuS !== undefined ? ` (CPU ${x1(base.cpuS / ours.cpuS)})` : '';
  report({
    issue,
    what,
    songscope: withCpu(ours),
    baseline: `${baseName} ${withCpu(base)}`,
    ratio: `${x1(ratio)} faster${cpu}`,
    target: `≥ ${atLeast}×`,
    status: ratio >= atLeast ? 'MET' : 'NOT MET',
  });
}

/** The machine line every part and the README quote: cores, CPU model, node version, load. */
export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    /* not Linux: os.cpus() it is */
  }
  const load = loadavg().map((l) => l.toFixed(2)).join(', ');
  return `${availableParallelism()} cores (${model}), node ${process.version}, load average ${load}`;
}

/** The runs line each part starts with. */
export function runsNote(): string {
  return `median of ${RUNS} runs (BENCH_RUNS), songscope and its baseline alternating`;
}

// ---------------------------------------------------------------- inputs

/**
 * A generated Spotify-format analysis of `seconds` s at `out`: the peers' `synth_analysis.py` (what the
 * issue's figures used; needs only a Python), else songscope's own generator. Returns which one wrote it.
 */
export async function synthAnalysis(out: string, seconds: number, seed: number): Promise<string> {
  const py = benchPython([]);
  const script = peer('synth_analysis.py');
  if (py.python && script.path) {
    mustRun(py.python, [script.path, String(seconds), String(seed), out]);
    return 'synth_analysis.py';
  }
  const { generateAudioAnalysis } = await import('../../src/synth/generate.js');
  writeFileSync(out, JSON.stringify(generateAudioAnalysis({ style: 'dance', seed, index: 0, durationS: seconds })) + '\n');
  return `songscope's generator (${py.why || script.why})`;
}

/** `count` generated analyses of `seconds` s each in `dir` (two styles alternating); returns the paths and the generator. */
export async function synthMany(dir: string, count: number, seconds: number): Promise<{ files: string[]; generator: string }> {
  mkdirSync(dir, { recursive: true });
  const py = benchPython([]);
  const script = peer('synth_many.py');
  if (py.python && script.path) {
    mustRun(py.python, [script.path, dir, String(count), String(seconds), String(seconds)]);
    rmSync(join(dir, 'manifest.csv'), { force: true });
    return { files: Array.from({ length: count }, (_, i) => join(dir, `t${String(i).padStart(5, '0')}.json`)), generator: 'synth_many.py' };
  }
  const { generateAudioAnalysis } = await import('../../src/synth/generate.js');
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `t${String(i).padStart(5, '0')}.json`);
    writeFileSync(path, JSON.stringify(generateAudioAnalysis({ style: i % 2 ? 'folk' : 'dance', seed: 1, index: i, durationS: seconds })) + '\n');
    files.push(path);
  }
  return { files, generator: `songscope's generator (${py.why || script.why})` };
}

/**
 * A mono signal at `sampleRate` Hz written as a 44.1 kHz stereo 16-bit PCM WAV (what a CD rip is): linearly
 * interpolated up to 44.1 kHz, peak-normalised to 0.9 (a silent signal stays silent), the right channel
 * 0.9 × the left. Returns the bytes written.
 */
export function writeWav44(path: string, samples: Float32Array, sampleRate: number): number {
  const outRate = 44100;
  const n = Math.round((samples.length * outRate) / sampleRate);
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  const gain = peak > 0 ? 0.9 / peak : 0;
  const bytes = Buffer.alloc(44 + n * 4);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + n * 4, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16); // fmt chunk size
  bytes.writeUInt16LE(1, 20); // PCM
  bytes.writeUInt16LE(2, 22); // channels
  bytes.writeUInt32LE(outRate, 24);
  bytes.writeUInt32LE(outRate * 4, 28); // byte rate
  bytes.writeUInt16LE(4, 32); // block align
  bytes.writeUInt16LE(16, 34); // bits per sample
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(n * 4, 40);
  const pcm = new Int16Array(bytes.buffer, bytes.byteOffset + 44, n * 2);
  const step = sampleRate / outRate;
  const last = samples.length - 1;
  for (let i = 0; i < n; i++) {
    const j = i * step;
    const k = Math.floor(j);
    const a = samples[Math.min(k, last)];
    const b = samples[Math.min(k + 1, last)];
    const v = (a + (b - a) * (j - k)) * gain;
    pcm[2 * i] = Math.round(v * 32767);
    pcm[2 * i + 1] = Math.round(v * 0.9 * 32767);
  }
  writeFileSync(path, bytes);
  return bytes.length;
}
