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
 * - `local/<sha256 of the audio file>.json` — `{ "songscope_cache": 1, "sha256", "analyzer_version", "file",
 *   "analysis_sha256", "decode_warnings"?, "analysis" }`: songscope's own analysis of an audio file.
 * - `stamps/<sha256 of the audio file's absolute path>.json` — `{ "songscope_cache": 1, "path", "size",
 *   "mtime_ns", "ctime_ns", "ino", "dev", "sha256", "recorded_at_ms" }`: the content hash of an audio file
 *   as it was when `stat` said this, so a rerun need not read and hash the file again ({@link FileStamp}).
 *
 * Analysis entries carry `analysis_sha256`, the SHA-256 of their analysis as serialised, so an entry
 * damaged in a way the schema still accepts (a duration of 1e7, segments emptied) is caught and analysed
 * or fetched again ({@link analysisChecksumProblem}). Writes are atomic (temp file + rename); failures are
 * never cached; before the first write into a directory, temporary files that a killed process left there
 * are removed.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AudioAnalysis, TrackMetadata } from '../analysis/types.js';
import { cleanStaleTempFiles, writeJsonAtomic } from '../util/atomic.js';
import { slug } from '../util/slug.js';
import { parseJsonBytes } from '../util/jsonBytes.js';
import { MAX_ANALYSIS_FILE_BYTES } from '../limits.js';
import { messages, SongscopeError } from '../errors.js';

export const CACHE_FORMAT_VERSION = 1;

export interface CachedTrack {
  songscope_cache: number;
  /** ISO 8601 time of the fetch. */
  fetched_at: string;
  track: TrackMetadata;
  /** {@link analysisChecksum} of `analysis` (absent in entries written before checksums). */
  analysis_sha256?: string;
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
  /** {@link analysisChecksum} of `analysis`. */
  analysis_sha256?: string;
  /** What the decoder warned about (damage it got past), without the file name: printed again on a hit. */
  decode_warnings?: string[];
  analysis: AudioAnalysis;
}

/** SHA-256 (hex) of an analysis as the cache serialises it (`JSON.stringify`, which parsing and re-serialising reproduces exactly). */
export function analysisChecksum(analysis: unknown): string {
  return createHash('sha256').update(JSON.stringify(analysis)).digest('hex');
}

/**
 * What is wrong with a cache entry's checksum, in words for `messages.damagedCacheEntry…`, or undefined
 * when it matches. `required`: an entry without one is damaged (local analyses, which can always be made
 * again); otherwise it is an entry from before checksums and accepted (Spotify analyses, which may no
 * longer be fetchable).
 */
export function analysisChecksumProblem(entry: { analysis_sha256?: unknown; analysis: unknown }, required: boolean): string | undefined {
  if (entry.analysis_sha256 === undefined) return required ? messages.cacheChecksumMissing() : undefined;
  return entry.analysis_sha256 === analysisChecksum(entry.analysis) ? undefined : messages.cacheChecksumMismatch();
}

/** Directories whose stale temporary files this process has already removed. */
const cleanedDirs = new Set<string>();

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
    await this.write(path, entry, true);
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
    const entry: CachedTrack = {
      songscope_cache: CACHE_FORMAT_VERSION,
      fetched_at: now.toISOString(),
      track,
      analysis_sha256: analysisChecksum(analysis),
      analysis,
    };
    const path = this.trackPath(track.id);
    await this.write(path, entry, false);
    return path;
  }

  /** Write an entry atomically, first removing stale temporary files from its directory (once a process). */
  private async write(path: string, entry: unknown, pretty: boolean): Promise<void> {
    const dir = dirname(path);
    if (!cleanedDirs.has(dir)) {
      cleanedDirs.add(dir);
      await cleanStaleTempFiles(dir);
    }
    await writeJsonAtomic(path, entry, { pretty });
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

  /**
   * Store the analysis of an audio file under its content hash (atomically), with its checksum and the
   * decoder's warnings (`decodeWarnings`, without the file name).
   */
  async putLocal(sha256: string, analyzerVersion: string, file: string, analysis: AudioAnalysis, decodeWarnings: string[] = []): Promise<string> {
    const entry: CachedLocal = {
      songscope_cache: CACHE_FORMAT_VERSION,
      sha256,
      analyzer_version: analyzerVersion,
      file,
      analysis_sha256: analysisChecksum(analysis),
      ...(decodeWarnings.length ? { decode_warnings: decodeWarnings } : {}),
      analysis,
    };
    const path = this.localPath(sha256);
    await this.write(path, entry, false);
    return path;
  }

  /** The file of a local file's stamp: `stamps/<sha-256 of its absolute path>.json`. */
  stampPath(absolutePath: string): string {
    return join(this.dir, 'stamps', `${createHash('sha256').update(absolutePath, 'utf8').digest('hex')}.json`);
  }

  /**
   * The content hash recorded for a file whose `stat` still matches `stamp` in every field, or undefined
   * (never recorded, changed since, recorded too soon after a change: see {@link STAMP_SETTLE_MS}, or a
   * damaged entry: the file is then hashed again and the entry rewritten).
   */
  async getStampedSha(stamp: FileStamp): Promise<string | undefined> {
    const e = (await readJson(this.stampPath(stamp.path))) as Record<string, unknown> | undefined;
    if (!e || typeof e !== 'object' || e.songscope_cache !== CACHE_FORMAT_VERSION) return undefined;
    const same = e.path === stamp.path && e.size === stamp.size && e.mtime_ns === stamp.mtimeNs && e.ctime_ns === stamp.ctimeNs && e.ino === stamp.ino && e.dev === stamp.dev;
    if (!same || typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256) || typeof e.recorded_at_ms !== 'number') return undefined;
    const changedMs = Number(BigInt(stamp.mtimeNs) > BigInt(stamp.ctimeNs) ? BigInt(stamp.mtimeNs) : BigInt(stamp.ctimeNs)) / 1e6;
    return e.recorded_at_ms - changedMs >= STAMP_SETTLE_MS ? e.sha256 : undefined;
  }

  /**
   * Whether a file's analysis is here without reading the file: its stamp is trusted
   * ({@link getStampedSha}) and an entry exists under the hash it records (not read: of any analyzer version).
   */
  async hasStampedLocal(stamp: FileStamp): Promise<boolean> {
    const sha = await this.getStampedSha(stamp);
    if (sha === undefined) return false;
    return stat(this.localPath(sha)).then(
      (st) => st.isFile(),
      () => false,
    );
  }

  /** Record that the file `stamp` describes hashed to `sha256` (atomically), `now` being when it was hashed. */
  async putStamp(stamp: FileStamp, sha256: string, now: number = Date.now()): Promise<void> {
    const entry = { songscope_cache: CACHE_FORMAT_VERSION, path: stamp.path, size: stamp.size, mtime_ns: stamp.mtimeNs, ctime_ns: stamp.ctimeNs, ino: stamp.ino, dev: stamp.dev, sha256, recorded_at_ms: now };
    await this.write(this.stampPath(stamp.path), entry, true);
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
    await this.write(this.searchPath(query), { query, track_id: trackId }, true);
  }
}

/**
 * What `stat` says of a file, which changes whenever its bytes do: size, modification and change times
 * in nanoseconds, inode and device (git's index trusts the same). Decimal strings: the nanoseconds do not
 * fit a double.
 */
export interface FileStamp {
  /** Absolute path. */
  path: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  dev: string;
}

/** The stamp of a file from `stat(path, { bigint: true })`. */
export function fileStamp(absolutePath: string, st: BigIntStats): FileStamp {
  return { path: absolutePath, size: String(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino), dev: String(st.dev) };
}

/**
 * A stamp is trusted only when it was recorded this long after the file last changed: a write within the
 * file system's clock tick (a few ms on ext4) after the hash was taken could leave size and times as they
 * were, so a file that changed just before it was hashed is hashed again next time (git's "racy" files).
 */
export const STAMP_SETTLE_MS = 2000;

const normalizeQuery = (q: string) => q.trim().replace(/\s+/g, ' ').toLowerCase();
const sameQuery = (a: string, b: string) => normalizeQuery(a) === normalizeQuery(b);

function isTrackMetadata(t: unknown): t is TrackMetadata {
  if (typeof t !== 'object' || t === null) return false;
  const m = t as Partial<TrackMetadata>;
  return typeof m.id === 'string' && typeof m.name === 'string' && Array.isArray(m.artists) && m.artists.every((a) => typeof a === 'string');
}

/**
 * Store something in the cache, or say why not and go on: a cache that cannot be written (the directory
 * is a file, a directory sits at the entry's path, the disk is full) never fails the work it would have
 * saved. `what` names it in the warning ("the analysis"). Errors other than write failures propagate.
 */
export async function storeOrWarn(what: string, store: () => Promise<unknown>, warn: (line: string) => void): Promise<void> {
  try {
    await store();
  } catch (error) {
    if (!(error instanceof SongscopeError)) throw error;
    warn(messages.cacheWriteFailed(what, error.message));
  }
}

async function readJson(path: string, warn?: (line: string) => void): Promise<unknown> {
  let bytes: Buffer;
  try {
    if ((await stat(path)).size > MAX_ANALYSIS_FILE_BYTES) {
      warn?.(messages.cacheEntryTooLarge(path));
      return undefined;
    }
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  try {
    return parseJsonBytes(bytes, path); // refuses nesting deeper than MAX_JSON_DEPTH, as every JSON input
  } catch {
    warn?.(`ignoring ${path}: not valid JSON (a damaged cache entry; it will be fetched again)`);
    return undefined;
  }
}
