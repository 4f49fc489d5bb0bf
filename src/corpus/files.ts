/**
 * The files of a dataset directory: part names, publishing a finished part so that it is either wholly
 * there or not at all, and cleaning up after a scan that was killed.
 *
 * A part is written to a hidden temporary name beside its final name, flushed to disk (`fsync`), then
 * published: a new part by `link` (which fails rather than overwrite a part of the same name, so two scans
 * of the same shard cannot silently clobber each other), a rewritten part by `rename` over the old one; the
 * directory is flushed after either. A reader or a restarted scan therefore sees every part whole; what a
 * kill leaves behind is a hidden temporary file, which the next scan of the same writer deletes.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { messages, runtimeError } from '../errors.js';

/** The name of a part: `part-<writer>-r<run>-<seq>.parquet` (run 4 digits, seq 5, wider when needed). */
export function partName(writer: string, run: number, seq: number): string {
  return `part-${writer}-r${String(run).padStart(4, '0')}-${String(seq).padStart(5, '0')}.parquet`;
}

/** A part's name parsed, or undefined for any other name. */
export function parsePartName(name: string): { writer: string; run: number; seq: number } | undefined {
  const m = /^part-(s\d+of\d+)-r(\d+)-(\d+)\.parquet$/.exec(name);
  return m ? { writer: m[1], run: Number(m[2]), seq: Number(m[3]) } : undefined;
}

/** The names in a directory; none when it does not exist. */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The parts in a directory (absolute or as joined), sorted by name; none when it does not exist. */
export async function listParts(dir: string): Promise<string[]> {
  const names = await namesIn(dir);
  return names.filter((n) => parsePartName(n) !== undefined).sort().map((n) => join(dir, n));
}

/** A hidden temporary name beside `path` for this process. */
export function tempNameFor(path: string, kind: 'tmp' | 'rewrite' = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Delete the temporary files a killed scan of `writer` left in `dir` (`.part-<writer>-….parquet.tmp-…`
 * and `.rewrite-…`); with `all`, those of every writer (a scan that is the directory's only writer).
 *
 * @returns the names deleted
 */
export async function removeStrayTemps(dir: string, writer: string, all: boolean): Promise<string[]> {
  const names = await namesIn(dir);
  const stray = names.filter((n) => /^\.part-s\d+of\d+-.*\.parquet\.(tmp|rewrite)-\d+-[0-9a-f]+$/.test(n) && (all || n.startsWith(`.part-${writer}-`)));
  for (const n of stray) await rm(join(dir, n), { force: true });
  return stray;
}

/** Flush a file's data to disk. */
async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Flush a directory's entries to disk (where the platform allows it). */
async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open directories; the rename is still atomic there
  } finally {
    await fh?.close();
  }
}

/** A file-system error as a runtime SongscopeError naming the path. */
function writeError(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return code ? runtimeError(messages.writeFailed(path, code), undefined, e) : (e as Error);
}

/**
 * Publish a finished temporary file under `path`, which must not exist yet.
 *
 * @throws SongscopeError (exit 1) when `path` exists (another scan of the same writer published it) or the
 *   file system refuses
 */
export async function publishNew(tmp: string, path: string): Promise<void> {
  try {
    await fsyncFile(tmp);
    await link(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw runtimeError(messages.corpus.partExists(path), messages.corpus.partExistsHint());
    throw writeError(path, e);
  }
  await unlink(tmp).catch(() => undefined);
  await fsyncDir(dirname(path));
}

/** Publish a finished temporary file over `path` (which may exist): the old content or the new, never neither. */
export async function publishReplace(tmp: string, path: string): Promise<void> {
  try {
    await fsyncFile(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeError(path, e);
  }
  await fsyncDir(dirname(path));
}

/** Remove a file and flush its directory. */
export async function removeDurably(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(path, e);
  }
  await fsyncDir(dirname(path));
}

/**
 * Create `path` with `data` unless it exists (written to a temporary file, then linked).
 *
 * @returns true when this call created it, false when it existed
 */
export async function writeNoClobber(path: string, data: string): Promise<boolean> {
  const tmp = tempNameFor(path);
  try {
    await writeFile(tmp, data);
    await fsyncFile(tmp);
    await link(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(path, e);
  }
  await unlink(tmp).catch(() => undefined);
  await fsyncDir(dirname(path));
  return true;
}
