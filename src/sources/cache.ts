/**
 * The analysis cache: every analysis fetched from Spotify, with the track's name, artists, album and
 * duration, stored as JSON under the cache directory so a later call needs no network.
 *
 * Layout (plain files, safe to inspect, copy or delete):
 * - `tracks/<track id>.json` — `{ "songscope_cache": 1, "fetched_at", "track": {id, name, artists,
 *   album, durationMs}, "analysis": {…audio-analysis…} }`; the `{ analysis }` wrapper means a cache file
 *   can itself be passed to `songscope analyze`.
 * - `search/<slug>.json` — `{ "query", "track_id" }`: which track a search query resolved to.
 * - `albums/<album id>.json`, `playlists/<playlist id>.json` — `{ "songscope_cache": 1, "fetched_at",
 *   "kind", "listing": {id, name, tracks: [{id, name, artists, album, durationMs}], …} }`: the track list
 *   of an album or playlist, so that `--offline` can list it again.
 *
 * Writes are atomic (temp file + rename); failures are never cached.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AudioAnalysis, TrackMetadata } from '../analysis/types.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { slug } from '../util/slug.js';

export const CACHE_FORMAT_VERSION = 1;

export interface CachedTrack {
  songscope_cache: number;
  /** ISO 8601 time of the fetch. */
  fetched_at: string;
  track: TrackMetadata;
  analysis: AudioAnalysis;
}

/** What a listing entry is: an album's or a playlist's track list. */
export type ListingKind = 'album' | 'playlist';

/** A cached local analysis (no timestamp: the same file gives the same entry). */
export interface CachedLocal {
  songscope_cache: typeof CACHE_FORMAT_VERSION;
  /** SHA-256 of the audio file's bytes, hex. */
  sha256: string;
  analyzer_version: string;
  /** The file name it was first analysed under (for people reading the cache). */
  file: string;
  analysis: AudioAnalysis;
}

/**
 * The track list of an album or playlist as cached: the client's AlbumMetadata or PlaylistMetadata,
 * stored whole (fields beyond these three are kept, and checked by the reader).
 */
export interface CachedListingData {
  id: string;
  name: string;
  tracks: TrackMetadata[];
}

export interface CachedListing {
  songscope_cache: number;
  /** ISO 8601 time of the fetch. */
  fetched_at: string;
  kind: ListingKind;
  listing: CachedListingData;
}

/**
 * The cache directory: `SONGSCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/songscope`, else
 * `~/.cache/songscope`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SONGSCOPE_CACHE_DIR) return env.SONGSCOPE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'songscope');
  return join(homedir(), '.cache', 'songscope');
}


export class AnalysisCache {
  /** @param dir - the cache directory (created on first write) */
  constructor(readonly dir: string) {}

  trackPath(id: string): string {
    return join(this.dir, 'tracks', `${id}.json`);
  }

  searchPath(query: string): string {
    return join(this.dir, 'search', `${slug(query) || '_'}.json`);
  }

  /** The file of an album's (`albums/<id>.json`) or a playlist's (`playlists/<id>.json`) track list. */
  listingPath(kind: ListingKind, id: string): string {
    return join(this.dir, kind === 'album' ? 'albums' : 'playlists', `${id}.json`);
  }

  /**
   * The cached track list of an album or playlist, or undefined when absent. A damaged or foreign file
   * is treated as absent (and reported through `warn`).
   */
  async getListing(kind: ListingKind, id: string, warn?: (line: string) => void): Promise<CachedListing | undefined> {
    const path = this.listingPath(kind, id);
    const entry = await readJson(path, warn);
    if (entry === undefined) return undefined;
    const e = entry as Partial<CachedListing> | null;
    const listing = e?.listing as Partial<CachedListingData> | undefined;
    const valid =
      typeof e === 'object' &&
      e !== null &&
      e.songscope_cache === CACHE_FORMAT_VERSION &&
      e.kind === kind &&
      typeof listing === 'object' &&
      listing !== null &&
      listing.id === id &&
      typeof listing.name === 'string' &&
      Array.isArray(listing.tracks) &&
      listing.tracks.every(isTrackMetadata);
    if (!valid) {
      warn?.(`ignoring ${path}: not a songscope cache entry of version ${CACHE_FORMAT_VERSION} for the ${kind} ${id}`);
      return undefined;
    }
    return e as CachedListing;
  }

  /** Store the track list of an album or playlist (atomically). */
  async putListing(kind: ListingKind, listing: CachedListingData, now: Date = new Date()): Promise<string> {
    const entry: CachedListing = { songscope_cache: CACHE_FORMAT_VERSION, fetched_at: now.toISOString(), kind, listing };
    const path = this.listingPath(kind, listing.id);
    await writeJsonAtomic(path, entry);
    return path;
  }

  /**
   * The cached entry for a track, or undefined when absent. An unreadable or foreign file is treated
   * as absent (and reported through `warn`) so a damaged cache never blocks a fresh fetch.
   */
  async get(id: string, warn?: (line: string) => void): Promise<CachedTrack | undefined> {
    const entry = await readJson(this.trackPath(id), warn);
    if (!entry || typeof entry !== 'object') return undefined;
    const e = entry as Partial<CachedTrack>;
    if (e.songscope_cache !== CACHE_FORMAT_VERSION || !e.analysis || !isTrackMetadata(e.track) || e.track.id !== id) {
      warn?.(`ignoring ${this.trackPath(id)}: not a songscope cache entry of version ${CACHE_FORMAT_VERSION} for ${id}; fetching the track again`);
      return undefined;
    }
    return e as CachedTrack;
  }

  /** Store a successfully fetched and validated analysis. */
  async put(track: TrackMetadata, analysis: AudioAnalysis, now: Date = new Date()): Promise<string> {
    const entry: CachedTrack = { songscope_cache: CACHE_FORMAT_VERSION, fetched_at: now.toISOString(), track, analysis };
    const path = this.trackPath(track.id);
    await writeJsonAtomic(path, entry, { pretty: false });
    return path;
  }

  /** The file of a local audio file's analysis: `local/<sha-256 of the file's bytes>.json`. */
  localPath(sha256: string): string {
    return join(this.dir, 'local', `${sha256}.json`);
  }

  /**
   * The cached analysis of an audio file with this content hash, made by this analyzer version, or
   * undefined (absent, damaged, or made by another version of the analyzer: those are recomputed).
   */
  async getLocal(sha256: string, analyzerVersion: string, warn?: (line: string) => void): Promise<CachedLocal | undefined> {
    const entry = (await readJson(this.localPath(sha256), warn)) as Partial<CachedLocal> | undefined;
    if (!entry || typeof entry !== 'object') return undefined;
    if (entry.songscope_cache !== CACHE_FORMAT_VERSION || entry.sha256 !== sha256 || typeof entry.analysis !== 'object' || entry.analysis === null) {
      warn?.(`ignoring ${this.localPath(sha256)}: not a songscope cache entry of version ${CACHE_FORMAT_VERSION}; analysing the file again`);
      return undefined;
    }
    if (entry.analyzer_version !== analyzerVersion) return undefined;
    return entry as CachedLocal;
  }

  /** Store the analysis of an audio file under its content hash (atomically). */
  async putLocal(sha256: string, analyzerVersion: string, file: string, analysis: AudioAnalysis): Promise<string> {
    const entry: CachedLocal = { songscope_cache: CACHE_FORMAT_VERSION, sha256, analyzer_version: analyzerVersion, file, analysis };
    const path = this.localPath(sha256);
    await writeJsonAtomic(path, entry, { pretty: false });
    return path;
  }

  /**
   * The track id a search query resolved to before, if any. Queries that slug alike share a file, so the
   * stored query must match too (case and spacing aside).
   */
  async getSearch(query: string): Promise<string | undefined> {
    const entry = (await readJson(this.searchPath(query))) as { query?: unknown; track_id?: unknown } | undefined;
    if (typeof entry?.query !== 'string' || !sameQuery(entry.query, query)) return undefined;
    return typeof entry.track_id === 'string' ? entry.track_id : undefined;
  }

  async putSearch(query: string, trackId: string): Promise<void> {
    await writeJsonAtomic(this.searchPath(query), { query, track_id: trackId });
  }
}

const normalizeQuery = (q: string) => q.trim().replace(/\s+/g, ' ').toLowerCase();
const sameQuery = (a: string, b: string) => normalizeQuery(a) === normalizeQuery(b);

function isTrackMetadata(t: unknown): t is TrackMetadata {
  if (typeof t !== 'object' || t === null) return false;
  const m = t as Partial<TrackMetadata>;
  return typeof m.id === 'string' && typeof m.name === 'string' && Array.isArray(m.artists) && m.artists.every((a) => typeof a === 'string');
}

async function readJson(path: string, warn?: (line: string) => void): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    warn?.(`ignoring ${path}: not valid JSON (a damaged cache entry; it will be fetched again)`);
    return undefined;
  }
}
