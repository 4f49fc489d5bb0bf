/**
 * Atomic file writes: write to a temporary file beside the target, then rename over it, so a reader
 * never sees a half-written file and a failure leaves the previous file (or nothing) in place.
 *
 * What the target is decides how it is written:
 * - a regular file, or nothing yet: temporary file + rename (atomic);
 * - a symbolic link: the same, at the file the link points to (followed to the end of a chain; a dangling
 *   link creates its target, as the shell's `>` does); the link itself is kept;
 * - a character or block device, a FIFO or a socket (`-o /dev/null`, `-o >(gzip > x.gz)`): written
 *   through, streamed to it, never replaced by a regular file (nothing to rename there);
 * - a directory: refused before any work.
 *
 * Every failure — the temporary file cannot be created (read-only file system, permission), a write
 * fails midway (a full disk), the rename fails — rejects with one `SongscopeError` (exit code 1) naming
 * the path the caller gave and the cause (`cannot write out.arrow (no space left on the device)`), and the
 * temporary file is removed.
 */
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errnoError, messages, runtimeError, SongscopeError } from '../errors.js';

/** Options of the atomic writes. */
export interface AtomicWriteOptions {
  /**
   * Opens the stream the bytes go to (default `fs.createWriteStream`): the temporary file's path, or the
   * target's for a device or FIFO. For tests that simulate a full disk or a read-only target.
   */
  createStream?: (path: string) => NodeJS.WritableStream;
}

/** A temporary path in the same directory as `path` (same file system, so `rename` is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** The name pattern of {@link tempPathFor}: `.NAME.tmp-PID-RAND`. */
const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/** A temporary file this old (milliseconds since its last change) whose process is gone is stale. */
export const STALE_TEMP_AGE_MS = 60_000;

/**
 * Remove the temporary files of {@link tempPathFor} in `dir` that a killed process left (SIGKILL, power
 * loss): those last changed more than {@link STALE_TEMP_AGE_MS} ago whose process id is no longer running.
 * A live writer's file (its pid runs) and a fresh one are kept. Never fails: whatever cannot be read or
 * removed is left.
 *
 * @returns the paths removed
 */
export async function cleanStaleTempFiles(dir: string, now: number = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    try {
      const st = await lstat(path);
      if (!st.isFile() || now - st.mtimeMs <= STALE_TEMP_AGE_MS || processRuns(Number(m[1]))) continue;
      await rm(path, { force: true });
      removed.push(path);
    } catch {
      // raced with another cleaner, or not ours to remove
    }
  }
  return removed;
}

/** Whether a process with this id runs (signal 0 checks without signalling). */
function processRuns(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // runs, as another user
  }
}

/** Write `data` to `path` atomically, creating parent directories. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await writeStreamAtomic(
    path,
    async (write) => {
      await write(data);
    },
    options,
  );
}

/** Where the bytes go: a file written atomically (temp + rename), or a special file written through. */
interface Target {
  path: string;
  through: boolean;
}

/**
 * Makes a file's bytes: calls `write(chunk)` as often as it likes (each call waits for back-pressure, and
 * rejects once the stream has failed). A chunk may be handed over before it is written: a producer that
 * reuses a chunk's memory awaits `flush()` first, which resolves once every chunk so far is written.
 */
export type Producer = (write: (chunk: string | Uint8Array) => Promise<void>, flush: () => Promise<void>) => Promise<void>;

/** Longest symlink chain followed (Linux's own limit is 40). */
const MAX_LINKS = 40;

/** Resolve `path` to what is written (see the module comment); errno errors propagate. */
async function writeTarget(path: string): Promise<Target> {
  let current = path;
  for (let hops = 0; ; hops++) {
    let st;
    try {
      st = await lstat(current);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path: current, through: false };
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (hops >= MAX_LINKS) throw errnoError('ELOOP');
      current = resolve(dirname(current), await readlink(current));
      continue;
    }
    if (st.isDirectory()) throw errnoError('EISDIR');
    return { path: current, through: !st.isFile() };
  }
}

/**
 * Stream chunks into `path` atomically: `produce` calls `write(chunk)` as often as it likes (each call
 * waits for back-pressure, and rejects once the stream has failed); the file appears under its name only
 * after `produce` resolves and every byte is on the file system. See the module comment for symlinks,
 * devices and FIFOs.
 *
 * @throws SongscopeError (exit code 1) `cannot write PATH (CAUSE)` when the target cannot be written, with
 *   the temporary file removed; an error thrown by `produce` itself propagates unchanged (also after removing
 *   the temporary file).
 */
export async function writeStreamAtomic(
  path: string,
  produce: Producer,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const open = options.createStream ?? ((p: string) => createWriteStream(p));
  let target: Target;
  try {
    target = await writeTarget(path);
  } catch (e) {
    throw writeError(path, e);
  }
  if (target.through) {
    try {
      await pump(open(target.path), produce);
    } catch (e) {
      throw writeError(path, e);
    }
    return;
  }
  const tmp = tempPathFor(target.path);
  try {
    await makeDirectory(dirname(target.path));
    await pump(open(tmp), produce);
    await rename(tmp, target.path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(path, e);
  }
}

/**
 * Create a directory and its missing parents, like `mkdir -p`. Not `mkdir(path, { recursive: true })`:
 * Node's loops forever where a parent exists but a child cannot be made in it (`/proc/self/x`: the child
 * fails with ENOENT, the parent "exists", and it tries the child again). Here each missing directory is
 * made once, parents first, and the first failure is thrown.
 *
 * @throws the file system's error (ENOENT, ENOTDIR, EACCES, EROFS, …) for the first directory that cannot be made
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let p = resolve(path); ; ) {
    try {
      if (!(await stat(p)).isDirectory()) throw errnoError('ENOTDIR');
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (e) {
      // made meanwhile by another process: fine if it is a directory
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir)).isDirectory()) continue;
      throw e;
    }
  }
}

/**
 * Run `produce` against `stream`, then end it: resolves once every byte is written and the stream closed
 * (the stream must emit `close`, as every Node stream with `autoDestroy`, the default, does);
 * rejects with the stream's first error (a write that fails, an open that fails) or `produce`'s. A write
 * waiting for `drain` when the stream fails rejects too, so nothing ever waits on a dead stream.
 */
async function pump(
  stream: NodeJS.WritableStream,
  produce: Producer,
): Promise<void> {
  const w = stream as NodeJS.WritableStream & { destroyed?: boolean; destroy?: (e?: Error) => void };
  let failure: unknown;
  let closed = false;
  const waiters = new Set<() => void>();
  const wakeAll = (): void => {
    for (const wake of [...waiters]) wake();
  };
  const onError = (e: unknown): void => {
    failure ??= e;
    wakeAll();
  };
  const onClose = (): void => {
    closed = true;
    wakeAll();
  };
  const onDrain = (): void => wakeAll();
  w.on('error', onError);
  w.on('close', onClose);
  w.on('drain', onDrain);
  /** Wait for the next drain, error or close. */
  const next = (): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
    });
  const dead = (): boolean => failure !== undefined || closed || w.destroyed === true;
  const deadError = (): unknown => failure ?? errnoError('EPIPE');
  // the last chunk's write callback (called once it is written, or with the error when it is not)
  let lastWritten: Promise<void> = Promise.resolve();
  const write = async (chunk: string | Uint8Array): Promise<void> => {
    if (dead()) throw deadError();
    let written!: () => void;
    lastWritten = new Promise<void>((resolve) => (written = resolve));
    if (w.write(chunk, () => written())) return;
    await next();
    if (failure !== undefined) throw failure;
  };
  const flush = async (): Promise<void> => {
    await lastWritten;
    if (dead()) throw deadError();
  };
  try {
    try {
      await produce(write, flush);
    } catch (e) {
      failure ??= e;
      throw e;
    }
    if (dead()) throw deadError();
    // end, and wait until the file is closed (or the stream fails)
    w.end();
    while (!closed && failure === undefined) await next();
    if (failure !== undefined) throw failure;
  } catch (e) {
    if (!closed && typeof w.destroy === 'function') {
      w.destroy();
      while (!closed) await next();
    }
    throw failure ?? e;
  } finally {
    w.off('error', onError);
    w.off('close', onClose);
    w.off('drain', onDrain);
    // a late error (e.g. from a write queued before the failure) must not become an uncaught 'error' event
    w.on('error', () => undefined);
  }
}

/** The one-line description of a write error, by errno code (the catalogue's words). */
export function describeWriteError(code: string): string {
  return messages.writeCause(code);
}

/** Map any failure of a write to the catalogue's `cannot write PATH (CAUSE)`; SongscopeErrors pass through. */
function writeError(path: string, e: unknown): unknown {
  if (e instanceof SongscopeError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return runtimeError(messages.writeFailed(path, describeWriteError(code)), undefined, e);
  return e;
}

/**
 * Write `value` as JSON with a trailing newline, atomically: indented by 2 spaces by default, or on
 * one line with `{ pretty: false }` (analyses: thousands of 12-number arrays stay compact).
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: { pretty?: boolean } & AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, options.pretty === false ? undefined : 2) + '\n', options);
}
