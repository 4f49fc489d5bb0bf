/**
 * Local analysis files: Spotify audio-analysis JSON, Echo Nest 3.x JSON, `{ "analysis": … }` wrappers
 * (songscope's cache files among them), songscope's own `analysis.json`, and Million Song Dataset `.h5`.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { inputError, messages, SongscopeError } from '../errors.js';
import { analysisFromJson } from '../analysis/fromJson.js';
import type { Analysis, Provenance, TrackMetadata } from '../analysis/types.js';

export { analysisFromJson };
import { isHdf5, readMsdFile } from './msd.js';
import { SPOTIFY_ID } from './input.js';
import { parseJson } from '../util/jsonPosition.js';
import { jsonStart, parseJsonBytes } from '../util/jsonBytes.js';
import { MAX_ANALYSIS_FILE_BYTES } from '../limits.js';

/** Read and validate an analysis from a file (.json or MSD .h5, recognised by content). */
export async function readAnalysisFile(path: string, warn?: (line: string) => void): Promise<Analysis> {
  let head: Uint8Array;
  /** The whole content: of a pipe or device, read once (it cannot be read again); of a JSON file, read through the same handle. */
  let whole: Buffer | undefined;
  try {
    const fh = await open(path, 'r');
    try {
      const stat = await fh.stat();
      if (stat.isDirectory()) throw inputError(messages.isDirectory(path));
      if (stat.isFile()) {
        if (stat.size > MAX_ANALYSIS_FILE_BYTES) {
          throw inputError(messages.fileTooLarge(path, stat.size, MAX_ANALYSIS_FILE_BYTES, 'analysis files'));
        }
        head = new Uint8Array(8);
        await fh.read(head, 0, 8, 0);
        if (!isHdf5(head)) whole = await fh.readFile(); // positional reads left the handle at the start
      } else {
        // a pipe or a device (/dev/zero behind a .json name): read as a stream, within the limit
        whole = await readCapped(fh.createReadStream({ autoClose: false }), path);
        head = whole.subarray(0, 8);
      }
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(messages.fileNotFound(path));
    if (code === 'EISDIR') throw inputError(messages.isDirectory(path));
    if (code && !(e instanceof SongscopeError)) throw inputError(messages.fileUnreadable(path, code));
    throw e;
  }
  if (isHdf5(head)) {
    return analysisFromJson(await readMsdFile(path), path, 'file', {}, warn);
  }
  // not HDF5: read whole above (a regular file through its handle, anything else as a stream)
  return analysisFromFileBytes(whole!, path, warn);
}

/**
 * {@link analysisFromFileText} on the bytes of a file, which it decodes only where it must: text that
 * starts like JSON (an object or an array) is parsed from the bytes, in pieces when large
 * ({@link parseJsonBytes}); anything else (empty, a byte-order mark, not JSON) is decoded and named as
 * {@link analysisFromFileText} names it.
 */
export function analysisFromFileBytes(bytes: Uint8Array, path: string, warn?: (line: string) => void): Analysis {
  const first = bytes[jsonStart(bytes)];
  if (first !== 0x7b && first !== 0x5b) return analysisFromFileText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), path, warn);
  return analysisFromParsed(parseJsonBytes(bytes, path), path, warn);
}

/**
 * Validate the text of an analysis JSON file (what {@link readAnalysisFile} does once it has read a file
 * that is not HDF5; `scan` reads files itself, once, to hash and parse the same bytes). A 22-character
 * Spotify id as the file's name is its track id when the analysis names none.
 *
 * @throws SongscopeError (exit 2) for an empty file, text that is not JSON, an invalid analysis
 */
export function analysisFromFileText(text: string, path: string, warn?: (line: string) => void): Analysis {
  if (text.trim() === '') throw inputError(messages.fileEmpty(path));
  // A .json file is parsed whatever it holds (so a top-level null or number is named); other names only
  // when the text starts like an object or an array.
  if (!/\.json$/i.test(path) && !/^\s*[[{]/.test(text)) throw inputError(messages.unsupportedFile(path));
  return analysisFromParsed(parseJson(text, path), path, warn);
}

/** The analysis in a parsed analysis file (`path` names it and may give its track id). */
function analysisFromParsed(raw: unknown, path: string, warn?: (line: string) => void): Analysis {
  const analysis = analysisFromJson(raw, path, 'file', cacheEntryProvenance(raw), warn);
  const stem = basename(path).replace(/\.[^.]*$/, '');
  if (!analysis.provenance.trackId && SPOTIFY_ID.test(stem)) analysis.provenance.trackId = stem;
  return analysis;
}

/**
 * Read a stream up to {@link MAX_ANALYSIS_FILE_BYTES} (more is an input error). Stops early at a NUL byte,
 * which no JSON text holds: the parser then names it, without reading the rest of an endless device.
 */
async function readCapped(stream: NodeJS.ReadableStream, label: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_ANALYSIS_FILE_BYTES) throw inputError(messages.stdinTooLarge(label, MAX_ANALYSIS_FILE_BYTES, 'analysis JSON'));
    chunks.push(bytes);
    if (bytes.includes(0)) break;
  }
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  return Buffer.concat(chunks);
}

/** Title, artists, album and id from a songscope cache entry (`{ songscope_cache, track, analysis }`). */
function cacheEntryProvenance(raw: unknown): Partial<Provenance> {
  if (typeof raw !== 'object' || raw === null || !('songscope_cache' in raw)) return {};
  const track = (raw as { track?: Partial<TrackMetadata> }).track;
  if (!track || typeof track !== 'object') return {};
  return {
    trackId: typeof track.id === 'string' ? track.id : undefined,
    title: typeof track.name === 'string' ? track.name : undefined,
    artist: Array.isArray(track.artists) && track.artists.length ? track.artists.join(', ') : undefined,
    album: typeof track.album === 'string' ? track.album : undefined,
  };
}

/** Read and validate an analysis JSON from a stream (standard input for `-`). */
export async function readAnalysisStream(
  stream: NodeJS.ReadableStream,
  warn?: (line: string) => void,
): Promise<Analysis> {
  return analysisFromJson(parseJsonBytes(await readCapped(stream, 'stdin'), 'stdin'), 'stdin', 'stdin', {}, warn);
}
