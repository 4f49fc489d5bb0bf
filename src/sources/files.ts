/**
 * Local analysis files: Spotify audio-analysis JSON, Echo Nest 3.x JSON, `{ "analysis": … }` wrappers
 * (songscope's cache files among them), songscope's own `analysis.json`, and Million Song Dataset `.h5`.
 */
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { inputError, messages } from '../errors.js';
import { validateAnalysis } from '../analysis/schema.js';
import type { Analysis, Origin, Provenance, TrackMetadata } from '../analysis/types.js';
import { isHdf5, readMsdFile } from './msd.js';
import { SPOTIFY_ID } from './input.js';
import { parseJson } from '../util/jsonPosition.js';

/**
 * Validate parsed JSON and attach provenance.
 *
 * @param location - what the user named (path, `-`, URI)
 * @param warn - receives non-fatal findings (e.g. events sorted)
 */
export function analysisFromJson(
  raw: unknown,
  location: string,
  origin: Origin,
  extra: Partial<Provenance> = {},
  warn: (line: string) => void = () => undefined,
): Analysis {
  const { analysis, warnings, source, embedded } = validateAnalysis(raw, location);
  warnings.forEach(warn);
  const provenance: Provenance = { source, origin, location, ...embedded, ...stripUndefined(extra) };
  return { ...analysis, provenance };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Read and validate an analysis from a file (.json or MSD .h5, recognised by content). */
export async function readAnalysisFile(path: string, warn?: (line: string) => void): Promise<Analysis> {
  let head: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      const stat = await fh.stat();
      if (stat.isDirectory()) throw inputError(messages.isDirectory(path));
      head = new Uint8Array(8);
      await fh.read(head, 0, 8, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(messages.fileNotFound(path));
    if (code === 'EISDIR') throw inputError(messages.isDirectory(path));
    if (code) throw inputError(messages.fileUnreadable(path, code));
    throw e;
  }
  if (isHdf5(head)) {
    return analysisFromJson(await readMsdFile(path), path, 'file', {}, warn);
  }
  return analysisFromFileText(await readFile(path, 'utf8'), path, warn);
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
  if (!/^\s*[[{]/.test(text)) throw inputError(messages.unsupportedFile(path));
  const raw = parseJson(text, path);
  const analysis = analysisFromJson(raw, path, 'file', cacheEntryProvenance(raw), warn);
  const stem = basename(path).replace(/\.[^.]*$/, '');
  if (!analysis.provenance.trackId && SPOTIFY_ID.test(stem)) analysis.provenance.trackId = stem;
  return analysis;
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
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  return analysisFromJson(parseJson(text, 'stdin'), 'stdin', 'stdin', {}, warn);
}
