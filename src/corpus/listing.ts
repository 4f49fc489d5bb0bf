/**
 * What a scan covers: its inputs expanded into one ordered list of tracks.
 *
 * - a directory → every analysis or audio file under it, **recursively** (`*.json`, `*.h5`, `*.hdf5`,
 *   audio), in natural order of the names at each level (`2-x` before `10-x`, a directory's files and
 *   subdirectories interleaved by name); names starting with `.` or `_` are skipped, and so is any
 *   directory that is itself a songscope dataset (has `_songscope.json`); symbolic links to files are
 *   followed, to directories not (no cycles);
 * - a manifest `*.csv` → its entries (`path_or_uri,label[,more columns]`, see `parseManifest`);
 * - an album or playlist URI/URL → its tracks;
 * - `-` → one input per line on standard input (blank lines and `#` comments skipped), each expanded as
 *   above;
 * - anything else a single-track command takes (a file, `spotify:track:ID`) → that track.
 *
 * An input listed twice (the same path or URI) is kept once, at its first place.
 */
import type { Dirent } from 'node:fs';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { AUDIO_EXTENSIONS } from '../audio/types.js';
import { ExitCode, inputError, messages, SongscopeError } from '../errors.js';
import { naturalCompare, resolveCollection, type TrackRef } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { parseInput } from '../sources/input.js';
import { DATASET_MANIFEST } from './schema.js';
import { csvRecord } from '../util/csv.js';

/** The files a directory scan takes (case-insensitive). */
const SCANNED_FILE = new RegExp(`\\.(json|h5|hdf5|${AUDIO_EXTENSIONS.join('|')})$`, 'i');

/** The expanded inputs of a scan. */
export interface Listing {
  /** The tracks, positions 1 … n in listing order. */
  tracks: TrackRef[];
  /** Names of the manifests' extra columns, in order of first appearance. */
  manifestColumns: string[];
  /** Inputs dropped because they were listed before. */
  duplicates: number;
  /** Items of albums/playlists that are not tracks, one sentence each. */
  skipped: string[];
}

export interface ListingOptions {
  resolve: ResolveOptions;
  /** Where `-` reads from; default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Expand the inputs of a scan (see the module comment).
 *
 * @throws SongscopeError (exit 2) for no inputs, a missing file or directory, a malformed manifest, an
 *   input that names something other than tracks, `-` given twice; exit 1 for Spotify failures listing an
 *   album or playlist
 */
export async function listInputs(specs: readonly string[], options: ListingOptions): Promise<Listing> {
  if (specs.length === 0) throw inputError(messages.corpus.noInputs());
  if (specs.filter((s) => s.trim() === '-').length > 1) throw inputError(messages.toolkit.oneStdin());
  const tracks: TrackRef[] = [];
  const seen = new Set<string>();
  const columns: string[] = [];
  const skipped: string[] = [];
  let duplicates = 0;
  const add = (ref: Omit<TrackRef, 'position'>): void => {
    if (seen.has(ref.input)) {
      duplicates++;
      return;
    }
    seen.add(ref.input);
    for (const name of Object.keys(ref.columns ?? {})) if (!columns.includes(name)) columns.push(name);
    tracks.push({ ...ref, position: tracks.length + 1 });
  };
  const expand = async (spec: string): Promise<void> => {
    const text = spec.trim();
    if (!/\.csv$/i.test(text) && text !== '-') {
      let kind: string | undefined;
      try {
        kind = parseInput(text).kind;
      } catch {
        kind = undefined; // resolveCollection reports it
      }
      if (kind === 'directory') {
        if (existsSync(join(text, DATASET_MANIFEST))) throw inputError(messages.corpus.inputIsDataset(text));
        const files = await walk(text);
        if (files.length === 0) throw inputError(messages.corpus.emptyDirectory(text));
        for (const file of files) add({ input: file, title: stem(file) });
        return;
      }
    }
    const collection = await resolveCollection(text, options.resolve);
    for (const { position: _position, ...ref } of collection.tracks) add(ref);
    for (const s of collection.skipped ?? []) skipped.push(`${collection.source}: ${s}`);
  };
  for (const spec of specs) {
    if (spec.trim() === '-') {
      for (const line of await readLines(options.stdin ?? process.stdin)) {
        if (line === '-') throw inputError(messages.corpus.stdinInStdin());
        await expand(line);
      }
    } else {
      await expand(spec);
    }
  }
  if (tracks.length === 0) throw inputError(messages.corpus.noInputs());
  return { tracks, manifestColumns: columns, duplicates, skipped };
}

/** Non-blank lines of a stream that do not start with `#`, trimmed. */
async function readLines(stream: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A file name without its directory and extension. */
function stem(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return ext && ext !== name ? name.slice(0, -ext.length) : name;
}

/**
 * Every scanned file under `dir`, recursively, depth-first in natural order of the names at each level.
 * @throws SongscopeError (exit 2) when `dir` cannot be read
 */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (path: string, top: boolean): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      if (top && code === 'ENOENT') throw inputError(messages.fileNotFound(path));
      throw new SongscopeError(messages.fileUnreadable(path, code), { exitCode: ExitCode.USAGE, cause: e });
    }
    if (!top && entries.some((e) => e.name === DATASET_MANIFEST)) return; // a dataset inside the tree
    const sorted = entries.filter((e) => !e.name.startsWith('.') && !e.name.startsWith('_')).sort((a, b) => naturalCompare(a.name, b.name));
    for (const entry of sorted) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        await visit(child, false);
      } else if (SCANNED_FILE.test(entry.name)) {
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) isFile = await stat(child).then((s) => s.isFile(), () => false);
        if (isFile) out.push(child);
      }
    }
  };
  await visit(dir, true);
  return out;
}

/**
 * A listing as a manifest (`input,label[,columns…]` with a header row) that scans to the same rows: file
 * paths made absolute (a manifest's relative paths are read against its own directory), Spotify tracks as
 * `spotify:track:ID`. What `songscope scan --list` prints, so many machines can scan one listing.
 */
export function listingToManifest(listing: Listing, cwd: string = process.cwd()): string {
  const header = ['input', 'label', ...listing.manifestColumns];
  const lines = [csvRecord(header, { quoteSpaces: true })];
  for (const t of listing.tracks) {
    let input = t.input;
    if (t.id === undefined) {
      try {
        if (parseInput(input).kind === 'file' && !isAbsolute(input)) input = resolvePath(cwd, input);
      } catch {
        // not a path: kept as written
      }
    }
    // quoted as the manifest reader needs: spaces at either end too, since it trims unquoted fields
    lines.push(csvRecord([input, t.label ?? '', ...listing.manifestColumns.map((c) => t.columns?.[c] ?? '')], { quoteSpaces: true }));
  }
  return lines.join('\n') + '\n';
}
