/**
 * Runs one fuzz case through the built CLI and judges it against the contract of issue 15:
 *
 * - exit 0 with valid output: every file the command was to write exists and parses (JSON, Arrow with its
 *   magic at both ends and readable by apache-arrow, CSV with a header, SVG, PNG, HTML), what it prints on
 *   stdout parses, and no `.tmp-` file is left;
 * - or exit 2 (input) / 1 (runtime) with the failure as one line on stderr starting `songscope: ` (plus at
 *   most one hint line after it; the run's own one-line notes — progress, warnings — may come before it),
 *   and no partial or temporary file;
 * - never a stack trace, "internal error" or a raw JavaScript engine message, whatever the exit code;
 * - within the case's time (else it is killed and counted as hung) and memory (peak RSS) budget.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { FuzzCase, Invocation } from './types.js';
import { ROOT } from '../helpers/fixtures.js';

export type Status = 'clean' | 'mismatch' | 'hung' | 'skipped';

export interface CaseResult {
  id: string;
  family: string;
  kind: string;
  what: string;
  status: Status;
  problems: string[];
  exit: number | null;
  /** Wall time of the child, ms. */
  ms: number;
  /** Peak resident set of the child, MB (undefined when it could not be measured). */
  rssMb?: number;
  /** User + system CPU time of the child, s (with /usr/bin/time): what the case costs on an idle machine. */
  cpuS?: number;
  stderr: string;
  /** The command, ready to paste into a shell (after `cd` into the case's work directory). */
  command: string;
  /** The case directory when it was kept (`--keep`), else undefined. */
  kept?: string;
  /** The damaged input(s) the case wrote. */
  inputs: string[];
}

export interface RunOptions {
  /** The built CLI (dist/bin/songscope.js). */
  cli: string;
  /** Where case directories are made. */
  tmpRoot: string;
  /** Keep the directories of unclean cases under this directory. */
  keep?: string;
  /** Keep every case's directory (for `--case`). */
  keepAll?: boolean;
}

const TIME = '/usr/bin/time';
const HAVE_TIME = existsSync(TIME);
let unshareOk: boolean | undefined;

/** Whether private mount namespaces work here (tiny tmpfs and read-only mounts need them). */
export function canSandbox(): boolean {
  unshareOk ??= spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0;
  return unshareOk;
}

/** Raw engine and runtime texts a user must never see. */
const ENGINE_TEXTS = [
  'Cannot read properties',
  'Maximum call stack',
  'out of bounds',
  'is not a function',
  'is not iterable',
  'Invalid array length',
  'Invalid typed array length',
  'Array buffer allocation failed',
  'heap out of memory',
  '[object Object]',
  'internal error',
  'undefined is not',
];

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Environment of every case: nothing of the developer's, a private cache, Spotify pointed at a closed port. */
function caseEnv(root: string, cache: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: root,
    NO_COLOR: '1',
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    SONGSCOPE_CACHE_DIR: cache,
    // no credentials are set; should any be (a case's .env), requests go to a closed port on this machine
    SPOTIFY_API_BASE_URL: 'http://127.0.0.1:3/v1',
    SPOTIFY_ACCOUNTS_BASE_URL: 'http://127.0.0.1:3',
    ...extra,
  };
}

function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const ARROW_MAGIC = Buffer.from('ARROW1');

/** Why the file at `path` is not a valid output of its kind, or undefined when it is. */
export function invalidOutput(path: string): string | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 'missing';
  }
  if (!st.isFile()) return undefined; // device nodes, FIFOs: checked by `preserve`
  const lower = path.toLowerCase();
  try {
    if (lower.endsWith('.json')) {
      const text = readFileSync(path, 'utf8');
      if (text.trim() === '') return 'empty JSON file';
      JSON.parse(text);
    } else if (/\.(arrow|feather|ipc)$/.test(lower)) {
      if (st.size < 12) return `Arrow file of ${st.size} bytes`;
      const fd = openSync(path, 'r');
      try {
        const head = Buffer.alloc(6);
        const tail = Buffer.alloc(6);
        readSyncAt(fd, head, 0);
        readSyncAt(fd, tail, st.size - 6);
        if (!head.equals(ARROW_MAGIC) || !tail.equals(ARROW_MAGIC)) return 'Arrow file without the ARROW1 magic at both ends';
      } finally {
        closeSync(fd);
      }
      if (st.size > 1.5 * 2 ** 30) return bigArrowProblem(path, st.size);
      tableFromIPC(readFileSync(path));
    } else if (lower.endsWith('.csv')) {
      const text = readFileSync(path, 'utf8');
      const nl = text.indexOf('\n');
      if (nl <= 0 || text.slice(0, nl).trim() === '') return 'CSV without a header line';
      if (!text.endsWith('\n')) return 'CSV not ending in a newline (cut short?)';
    } else if (lower.endsWith('.svg')) {
      const text = readFileSync(path, 'utf8');
      if (!text.includes('<svg') || !text.trimEnd().endsWith('</svg>')) return 'SVG not a whole <svg> document';
    } else if (lower.endsWith('.png')) {
      const b = readFileSync(path);
      if (b.readUInt32BE(0) !== 0x89504e47 || !b.subarray(-12).includes(Buffer.from('IEND'))) return 'PNG without its signature or IEND';
    } else if (lower.endsWith('.html')) {
      if (!readFileSync(path, 'utf8').includes('</html>')) return 'HTML without </html>';
    }
  } catch (e) {
    return `does not parse (${(e as Error).message.split('\n')[0].slice(0, 120)})`;
  }
  return undefined;
}

/**
 * An Arrow file too large for one Node buffer, read back batch by batch in a child process by the built
 * reader (`dist/matrix/arrow.js`, apache-arrow's decoder one record batch at a time): what it says is wrong,
 * or undefined when the file reads back whole.
 */
function bigArrowProblem(path: string, size: number): string | undefined {
  const reader = join(ROOT, 'dist', 'matrix', 'arrow.js');
  const script = `const { readArrowFile } = await import(${JSON.stringify(new URL(`file://${reader}`).href)}); const m = await readArrowFile(process.argv[1]); process.stdout.write(String(m.rows));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status === 0 && /^\d+$/.test(r.stdout)) return undefined;
  return `Arrow file of ${(size / 2 ** 30).toFixed(2)} GB does not read back (${(r.stderr || `exit ${r.status}`).trim().split('\n')[0].slice(0, 120)})`;
}

function readSyncAt(fd: number, buf: Buffer, position: number): void {
  readSync(fd, buf, 0, buf.length, position);
}

/** The argv that runs the CLI with `inv`: through unshare for sandboxes, through /usr/bin/time for memory. */
function argvFor(inv: Invocation, cli: string, timeFile?: string): string[] {
  let argv = [process.execPath, cli, ...inv.args];
  if (inv.sandbox) {
    const script =
      inv.sandbox.kind === 'tmpfs'
        ? 'mount -t tmpfs -o size="$2"k tmpfs "$1" && shift 2 && exec "$@"'
        : 'mount --bind -o ro "$1" "$1" && shift 2 && exec "$@"';
    argv = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', inv.sandbox.mount, String(inv.sandbox.sizeKb ?? 0), ...argv];
  }
  if (HAVE_TIME && timeFile) argv = [TIME, '-o', timeFile, '-f', '%M %U %S %e', ...argv];
  return argv;
}

/** Peak RSS in MB, CPU and wall seconds from /usr/bin/time's output file (its last line is `%M %U %S %e`). */
function peakFromTime(timeFile: string): { rssMb?: number; cpuS?: number; wallS?: number; note?: string } {
  try {
    const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
    const [kb, user, sys, wall] = lines[lines.length - 1].split(' ').map(Number);
    const note = lines.find((l) => l.startsWith('Command terminated by signal'));
    return { rssMb: Number.isFinite(kb) ? kb / 1024 : undefined, cpuS: Number.isFinite(user + sys) ? user + sys : undefined, wallS: Number.isFinite(wall) ? wall : undefined, note };
  } catch {
    return {};
  }
}

/** Run one case and judge it. */
export async function runCase(c: FuzzCase, o: RunOptions): Promise<CaseResult> {
  await mkdir(o.tmpRoot, { recursive: true });
  const root = await mkdtemp(join(o.tmpRoot, `${c.id}-`));
  const dirs = { root, input: join(root, 'in'), work: join(root, 'work'), cache: join(root, 'cache') };
  await Promise.all([mkdir(dirs.input), mkdir(dirs.work), mkdir(dirs.cache)]);
  const base = { id: c.id, family: c.family, kind: c.kind, what: c.what };
  let inv: Invocation;
  try {
    inv = await c.prepare(dirs);
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    return { ...base, status: 'mismatch', problems: [`the generator failed: ${(e as Error).stack}`], exit: null, ms: 0, stderr: '', command: '', inputs: [] };
  }
  const env = caseEnv(root, dirs.cache, inv.env);
  const inputs = walk(dirs.input);
  const command =
    `cd ${shellQuote(dirs.work)} && env -i ${Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')} ` +
    argvFor(inv, o.cli).map(shellQuote).join(' ') +
    (inv.stdin ? ` < ${shellQuote(inv.stdin)}` : '');
  if (inv.sandbox && !canSandbox()) {
    await rm(root, { recursive: true, force: true });
    return { ...base, status: 'skipped', problems: ['no private mount namespaces here (unshare -m failed)'], exit: null, ms: 0, stderr: '', command, inputs };
  }
  const tmpBefore = new Set(walk(dirs.cache).filter((p) => p.includes('.tmp-')));
  const preserveBefore = (inv.expect.preserve ?? []).map((p) => ({ ...p, ino: statSafe(p.path)?.ino }));

  const timeFile = join(root, 'time.txt');
  const argv = argvFor(inv, o.cli, timeFile);
  const stdinFd = inv.stdin ? openSync(inv.stdin, 'r') : undefined;
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), { cwd: dirs.work, env, detached: true, stdio: [stdinFd ?? 'ignore', 'pipe', 'pipe'] });
  if (stdinFd !== undefined) closeSync(stdinFd);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  child.stdout!.on('data', (d: Buffer) => {
    outBytes += d.length;
    if (outBytes <= 256 * 2 ** 20) out.push(d);
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (err.reduce((s, b) => s + b.length, 0) < 2 ** 20) err.push(d);
  });
  let timedOut = false;
  let peakPolled = 0;
  const poll = HAVE_TIME
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peakPolled = Math.max(peakPolled, Number(m[1]) / 1024);
        } catch {
          // gone
        }
      }, 50);
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, inv.budget.timeoutMs);
  const code: number | null = await new Promise((res) => child.on('close', (c) => res(c)));
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  const measuredMs = performance.now() - started;
  const { rssMb, cpuS, wallS, note } = HAVE_TIME ? peakFromTime(timeFile) : { rssMb: peakPolled || undefined, cpuS: undefined, wallS: undefined, note: undefined };
  // Hung: killed at the timeout. A child that ended by itself is judged on what it did; it is over its
  // time only when its own CPU time says so (on a machine shared with other work, a starved child's wall
  // time says nothing about it, and the timer may fire while this process was busy).
  const hung = timedOut && (code === null || code > 2 || /signal 9/.test(note ?? ''));
  const overTime = !hung && cpuS !== undefined && cpuS * 1000 > inv.budget.timeoutMs;
  const ms = wallS !== undefined ? wallS * 1000 : measuredMs;
  const stdout = Buffer.concat(out);
  const stderr = Buffer.concat(err).toString('utf8');

  const problems = hung ? [`no exit within ${inv.budget.timeoutMs / 1000} s: killed`] : judge(inv, code, stdout, stderr, dirs, tmpBefore, preserveBefore, note);
  if (!hung && rssMb !== undefined && rssMb > inv.budget.memMb) problems.push(`peak RSS ${Math.round(rssMb)} MB, over the budget of ${inv.budget.memMb} MB`);
  if (overTime) problems.push(`${cpuS!.toFixed(1)} s of CPU, over the time budget of ${inv.budget.timeoutMs / 1000} s`);
  const status: Status = hung ? 'hung' : problems.length ? 'mismatch' : 'clean';

  let kept: string | undefined;
  if (o.keepAll || (o.keep && status !== 'clean')) {
    if (o.keep && !o.keepAll) {
      const dest = join(o.keep, c.id);
      await rm(dest, { recursive: true, force: true });
      await mkdir(o.keep, { recursive: true });
      // copied without blocking the other jobs' timers; outputs over 64 MB (a 2 GB Arrow file) are left out
      await copyTree(root, dest, 64 * 2 ** 20);
      kept = dest;
      await rm(root, { recursive: true, force: true });
    } else kept = root;
  } else {
    await rm(root, { recursive: true, force: true });
  }
  const relocate = (s: string) => (kept && kept !== root ? s.split(root).join(kept) : s);
  return { ...base, status, problems, exit: code, ms, rssMb, cpuS, stderr, command: relocate(command), kept, inputs: inputs.map(relocate) };
}

async function copyTree(from: string, to: string, maxBytes: number): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const st = statSafe(src);
    if (!st) continue;
    if (st.isDirectory()) await copyTree(src, join(to, name), maxBytes);
    else if (st.isFile() && st.size <= maxBytes) await copyFile(src, join(to, name));
  }
}

function statSafe(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Everything that is wrong with a finished run (empty when it is clean). */
function judge(
  inv: Invocation,
  code: number | null,
  stdout: Buffer,
  stderr: string,
  dirs: { work: string; cache: string },
  tmpBefore: Set<string>,
  preserve: { path: string; kind: string; ino?: number }[],
  timeNote: string | undefined,
): string[] {
  const problems: string[] = [];
  const e = inv.expect;
  if (code === null || code > 2) {
    problems.push(`crashed: exit ${code}${timeNote ? ` (${timeNote})` : ''}`);
  } else if (!e.exits.includes(code)) {
    problems.push(`exit ${code}, expected ${e.exits.join(' or ')}`);
  }
  for (const t of ENGINE_TEXTS) if (stderr.includes(t)) problems.push(`stderr shows "${t}"`);
  if (/^ {4}at /m.test(stderr)) problems.push('stderr shows a stack trace');

  const lines = stderr.replace(/\n$/, '').split('\n');
  const batchPartial = e.batch !== undefined && code === 1;
  if ((code === 1 || code === 2) && !batchPartial) {
    if (stderr.trim() === '') problems.push(`exit ${code} with nothing on stderr`);
    else {
      // the failure is one `songscope: ` line, at most one hint line after it, and nothing else after;
      // lines before it are the run's own notes (progress, warnings), one line each
      const failures = lines.map((l, i) => (l.startsWith('songscope: ') ? i : -1)).filter((i) => i >= 0);
      if (failures.length === 0) problems.push(`no "songscope: " line on stderr (${JSON.stringify(lines[lines.length - 1].slice(0, 100))})`);
      else if (failures.length > 1) problems.push(`stderr has ${failures.length} "songscope: " lines, expected one failure`);
      else if (lines.length - failures[0] > 2) problems.push(`stderr has ${lines.length - failures[0] - 1} lines after the failure, expected at most one hint line`);
      if (lines.some((l) => l.trim() === '')) problems.push('stderr has an empty line');
    }
  }

  // files: no temporary file anywhere; every file of a known kind parses, whatever the exit code
  for (const p of walk(dirs.work)) {
    if (p.includes('.tmp-')) problems.push(`temporary file left: ${p.slice(dirs.work.length + 1)}`);
    else {
      const bad = invalidOutput(p);
      if (bad && bad !== 'missing') problems.push(`${code === 0 ? 'invalid' : 'partial'} output ${p.slice(dirs.work.length + 1)}: ${bad}`);
    }
  }
  for (const p of walk(dirs.cache)) if (p.includes('.tmp-') && !tmpBefore.has(p)) problems.push(`temporary file left in the cache: ${p.slice(dirs.cache.length + 1)}`);
  for (const p of preserve) {
    const st = statSafe(p.path);
    const kind = !st ? 'nothing' : st.isCharacterDevice() ? 'char' : st.isFIFO() ? 'fifo' : st.isDirectory() ? 'dir' : 'file';
    if (kind !== p.kind) problems.push(`${p.path.slice(dirs.work.length + 1)} was a ${p.kind === 'char' ? 'character device' : p.kind} and is now ${kind === 'file' ? 'a regular file' : kind}`);
  }

  if (code === 0) {
    for (const p of e.outputs ?? []) {
      const bad = invalidOutput(p);
      if (bad === 'missing') problems.push(`exit 0 but ${p.slice(dirs.work.length + 1)} was not written`);
    }
    if (e.stdout === 'json') {
      try {
        const summary = JSON.parse(stdout.toString('utf8')) as { files?: unknown };
        if (Array.isArray(summary.files)) {
          for (const f of summary.files) {
            if (typeof f !== 'string') continue;
            const bad = invalidOutput(resolve(dirs.work, f));
            if (bad) problems.push(`the summary lists ${f}: ${bad}`);
          }
        }
      } catch (err) {
        problems.push(`stdout is not JSON (${(err as Error).message.slice(0, 80)})`);
      }
    } else if (e.stdout === 'arrow-stream') {
      try {
        tableFromIPC(stdout);
        if (stdout.length === 0) problems.push('exit 0 with an empty Arrow stream on stdout');
      } catch (err) {
        problems.push(`stdout is not an Arrow stream (${(err as Error).message.slice(0, 80)})`);
      }
    }
    if (e.batch) {
      const bad = invalidOutput(join(e.batch, 'album.json'));
      if (bad) problems.push(`exit 0 but album.json: ${bad}`);
    }
    if (e.durationS !== undefined) {
      const got = durationOf(e.durationFrom, stdout);
      const lost = got === undefined ? undefined : e.durationS - got;
      const warned = /lost|missing|truncat|skipp|damag|corrupt|gap|ignor|invalid|bad frame|frames? could not/i.test(stderr);
      if (lost !== undefined && lost > Math.max(0.1, 0.05 * e.durationS) && !warned) {
        problems.push(`silently lost audio: the container holds ${e.durationS.toFixed(2)} s, the analysis covers ${got!.toFixed(2)} s, and stderr says nothing`);
      }
    }
  } else if (code === 1 && e.batch) {
    const bad = invalidOutput(join(e.batch, 'album.json'));
    if (bad) problems.push(`exit 1 (some tracks failed) but album.json: ${bad}`);
  } else if (code === 1 || code === 2) {
    for (const p of e.outputs ?? []) if (statSafe(p)?.isFile()) problems.push(`exit ${code} but ${p.slice(dirs.work.length + 1)} was written`);
  }
  return problems;
}

function durationOf(from: string | undefined, stdout: Buffer): number | undefined {
  try {
    if (from === 'stdout') return Number((JSON.parse(stdout.toString('utf8')) as { duration_s?: number }).duration_s);
    if (from) return Number((JSON.parse(readFileSync(from, 'utf8')) as { track?: { duration?: number } }).track?.duration);
  } catch {
    return undefined;
  }
  return undefined;
}

