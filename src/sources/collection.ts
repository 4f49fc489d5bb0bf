/**
 * Collections: many tracks named at once, and fetching their analyses with bounded concurrency.
 *
 * {@link resolveCollection} turns one argument into an ordered list of {@link TrackRef}s:
 * - `spotify:album:ID` or an album URL → the album's tracks in album order (`GET /albums/{id}` and pages);
 * - `spotify:playlist:ID` or a playlist URL → the playlist's tracks in playlist order (podcast episodes,
 *   local files and unavailable tracks are skipped and listed in `skipped`);
 * - a directory → every `*.json`, `*.h5` and `*.hdf5` file in it (not recursive), in natural order of
 *   the names (`2-x.json` before `10-x.json`);
 * - a manifest `*.csv` → one input per line (`path_or_uri,label[,more columns]`, header row allowed, see {@link parseManifest});
 * - anything else `resolveAnalysis` accepts (a file, `-`, a track URI/URL/id, a search) → a collection of one.
 *
 * Album and playlist listings go through the same machinery as single tracks: the Spotify client made
 * from the {@link ResolveOptions} (one client per options object, shared with {@link fetchAnalyses}, so
 * one token and one rate-limit gate), `--fixtures` replay (which never touches the cache), `--record`,
 * and the cache: every listing fetched is cached (atomically), and `--offline` lists from the cache.
 * Online, a listing is always fetched again (playlists change); the cache only serves `--offline`.
 *
 * {@link fetchAnalyses} resolves the tracks of a collection, up to `concurrency` at a time, and yields
 * the outcomes in collection order without ever throwing for one track.
 */
import { AUDIO_EXTENSIONS } from '../audio/types.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { Analysis, TrackMetadata } from '../analysis/types.js';
import { ExitCode, inputError, messages, SongscopeError } from '../errors.js';
import { CsvReader } from '../util/csv.js';
import { AnalysisCache, defaultCacheDir, storeOrWarn, type ListingKind } from './cache.js';
import { parseInput, type InputRef, type PathKind } from './input.js';
import { resolveAnalysis, spotifyClientOptions, type ResolveOptions } from './resolve.js';
import {
  SpotifyClient,
  type AlbumMetadata,
  type PlaylistMetadata,
  type PlaylistSkip,
} from './spotify.js';

/** One track of a collection. */
export interface TrackRef {
  /** 1-based order in the collection. */
  position: number;
  /** What `resolveAnalysis` accepts: `spotify:track:ID`, a file path, a search query, `-`. */
  input: string;
  /** The Spotify track id, when known. */
  id?: string;
  /** The title from the listing (Spotify) or the file name without its extension (directories, manifests). */
  title?: string;
  /** Artist names from the listing. */
  artists?: string[];
  /** Spotify's `track_number` for album tracks (it restarts on each disc). */
  trackNumber?: number;
  /** The group label from a manifest (absent when the label is empty). */
  label?: string;
  /** A manifest's other columns by name (see `parseManifest`). */
  columns?: Record<string, string>;
}

/** An ordered list of tracks named by one argument (or several, merged). */
export interface Collection {
  kind: 'album' | 'playlist' | 'directory' | 'manifest' | 'inputs' | 'dataset';
  /** Album or playlist name, directory or manifest name, or the input(s). */
  name: string;
  /** What the user named: `spotify:album:ID`, the directory or manifest path, the input(s). */
  source: string;
  /** Album artists. */
  artists?: string[];
  tracks: TrackRef[];
  /** Items left out (playlist episodes, local files, unavailable tracks), one sentence each. */
  skipped?: string[];
}

/** One outcome of {@link fetchAnalyses}: the analysis, or the error that prevented it. */
export interface FetchOutcome {
  ref: TrackRef;
  analysis?: Analysis;
  error?: unknown;
  /** Wall time spent resolving this track, ms. */
  ms: number;
}

/** Options of {@link fetchAnalyses}. */
export interface FetchAnalysesOptions {
  /** How to resolve each track (cache, offline, fixtures, Spotify options). */
  resolve: ResolveOptions;
  /** Tracks resolved at the same time (integer ≥ 1, default {@link DEFAULT_CONCURRENCY}). */
  concurrency?: number;
}

/** Default number of tracks {@link fetchAnalyses} resolves at the same time. */
export const DEFAULT_CONCURRENCY = 4;

/** File names a directory collection takes (case-insensitive). */
const ANALYSIS_FILE = new RegExp(`\\.(json|h5|hdf5|${AUDIO_EXTENSIONS.join('|')})$`, 'i');

// ---- the shared Spotify client -------------------------------------------------------------------------

const clients = new WeakMap<ResolveOptions, SpotifyClient>();

/**
 * The one client of an options object: `options.client`, or a client made from the options the way
 * `resolveAnalysis` makes it, remembered for this options object so that listing a collection and then
 * fetching its analyses (with the same options object) share one token, one rate-limit gate and the
 * track metadata of the listing. Constructing makes no request.
 */
function sharedClient(options: ResolveOptions): SpotifyClient {
  if (options.client) return options.client;
  let client = clients.get(options);
  if (!client) {
    client = new SpotifyClient(spotifyClientOptions(options));
    clients.set(options, client);
  }
  return client;
}

/** Whether the options replay recorded fixtures (then the cache is never used, and `--offline` needs no cache). */
function replaying(options: ResolveOptions): boolean {
  if (options.client) return options.client.mode === 'replay';
  return Boolean(spotifyClientOptions(options).fixturesDir);
}

/** The cache `resolveAnalysis` would use, or undefined (disabled, or replaying). */
function cacheOf(options: ResolveOptions): AnalysisCache | undefined {
  if (options.useCache === false || replaying(options)) return undefined;
  return new AnalysisCache(options.cacheDir ?? defaultCacheDir(options.env ?? process.env));
}

// ---- collections ---------------------------------------------------------------------------------------

const NOT_A_COLLECTION: Partial<Record<InputRef['kind'], string>> = {
  artist: 'an artist',
  episode: 'a podcast episode',
  show: 'a podcast',
};

/**
 * Resolve one argument into a {@link Collection} (see the module comment for what is accepted).
 *
 * @throws SongscopeError — exit code 2 for bad input (an empty directory or manifest, a malformed
 *   manifest line, no such album or playlist, an album or playlist with no tracks, a listing missing
 *   from the cache under `--offline`), 1 for runtime failures (network, 403, 429 beyond `--max-wait`)
 */
export async function resolveCollection(spec: string, options: ResolveOptions = {}): Promise<Collection> {
  if (/\.csv$/i.test(spec.trim())) return readManifest(spec, options);
  const ref = parseInput(spec);
  switch (ref.kind) {
    case 'album':
    case 'playlist':
      return listingCollection(ref.kind, ref.id, options);
    case 'directory':
      return directoryCollection(ref.path);
    case 'artist':
    case 'episode':
    case 'show':
      throw inputError(messages.collection.notACollection(spec, NOT_A_COLLECTION[ref.kind] ?? ref.kind));
    default: {
      // A missing file is a usage error now, before any track is fetched (not one failed track later).
      if (ref.kind === 'file' && !existsSync(ref.path)) throw inputError(messages.fileNotFound(ref.path));
      const track = singleRef(ref, spec);
      return { kind: 'inputs', name: track.title ?? track.input, source: spec, tracks: [{ position: 1, ...track }] };
    }
  }
}

/**
 * Resolve several arguments and merge them, in order, into one `inputs` collection (positions
 * renumbered; labels and skipped items kept). With one argument, that argument's collection is returned
 * as it is (an album keeps its kind and name).
 *
 * @throws SongscopeError as {@link resolveCollection}; `messages.collection.noInputs` (exit 2) for none
 */
export async function resolveCollections(specs: readonly string[], options: ResolveOptions = {}): Promise<Collection> {
  if (specs.length === 0) throw inputError(messages.collection.noInputs());
  if (specs.length === 1) return resolveCollection(specs[0]!, options);
  const collections: Collection[] = [];
  for (const spec of specs) collections.push(await resolveCollection(spec, options));
  const tracks = collections.flatMap((c) => c.tracks).map((t, i) => ({ ...t, position: i + 1 }));
  const skipped = collections.flatMap((c) => (c.skipped ?? []).map((s) => `${c.source}: ${s}`));
  const merged: Collection = {
    kind: 'inputs',
    name: messages.collection.mergedName(collections.map((c) => c.name)),
    source: specs.join(' '),
    tracks,
  };
  if (skipped.length > 0) merged.skipped = skipped;
  return merged;
}

/** The ref of a single track input (file, stdin, track, search); position is set by the caller. */
function singleRef(ref: InputRef, spec: string): Omit<TrackRef, 'position'> {
  switch (ref.kind) {
    case 'file':
      return { input: ref.path, title: stem(ref.path) };
    case 'track':
      return { input: `spotify:track:${ref.id}`, id: ref.id };
    default:
      return { input: spec };
  }
}

/** A file name without its directory and extension: the title of a local file. */
function stem(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return ext && ext !== name ? name.slice(0, -ext.length) : name;
}

// ---- albums and playlists ------------------------------------------------------------------------------

type Listing = { kind: 'album'; data: AlbumMetadata } | { kind: 'playlist'; data: PlaylistMetadata };

async function listingCollection(kind: ListingKind, id: string, options: ResolveOptions, label?: string): Promise<Collection> {
  const listing = await fetchListing(kind, id, options);
  const uri = `spotify:${kind}:${id}`;
  const tracks: TrackRef[] = listing.data.tracks.map((t, i) => {
    const ref: TrackRef = { position: i + 1, input: `spotify:track:${t.id}`, id: t.id, title: t.name, artists: [...t.artists] };
    if (listing.kind === 'album') {
      const n = listing.data.trackNumbers?.[i];
      if (typeof n === 'number') ref.trackNumber = n;
    }
    if (label !== undefined) ref.label = label;
    return ref;
  });
  const skipped = listing.kind === 'playlist' ? listing.data.skipped : [];
  if (tracks.length === 0) {
    throw inputError(messages.collection.noTracks(`${uri} (${JSON.stringify(listing.data.name)})`, skipped.length));
  }
  const collection: Collection = { kind, name: listing.data.name, source: uri, tracks };
  if (listing.kind === 'album') collection.artists = [...listing.data.artists];
  if (skipped.length > 0) {
    collection.skipped = skipped.map((s) => messages.collection.skippedItem(s.position, s.kind, s.name));
    options.log?.(messages.collection.skippedSummary(uri, skipped.length, listing.kind === 'playlist' ? listing.data.total : tracks.length));
  }
  return collection;
}

/**
 * The track list of an album or playlist: from the cache under `--offline` (unless replaying), else
 * from Spotify (or the fixtures), cached afterwards. The listing's track metadata is handed to the shared
 * client, so resolving the tracks needs no `GET /tracks/{id}`.
 */
async function fetchListing(kind: ListingKind, id: string, options: ResolveOptions): Promise<Listing> {
  const uri = `spotify:${kind}:${id}`;
  const log = options.log ?? (() => undefined);
  const cache = cacheOf(options);
  if (options.offline && !replaying(options)) {
    const cached = await cache?.getListing(kind, id, log);
    if (!cached) {
      throw inputError(
        messages.offlineMiss(messages.collection.listingOf(uri), cache?.dir ?? 'cache disabled'),
        messages.collection.offlineListingHint(),
      );
    }
    log(messages.collection.listingFromCache(uri, cached.fetched_at));
    return kind === 'album'
      ? { kind, data: albumFromCache(cached.listing as unknown as Record<string, unknown>) }
      : { kind, data: playlistFromCache(cached.listing as unknown as Record<string, unknown>) };
  }

  const client = sharedClient(options);
  client.assertCredentials();
  if (client.mode !== 'replay') log(`Fetching the track list of ${uri} from Spotify…`);
  const listing: Listing =
    kind === 'album' ? { kind, data: await client.getAlbum(id) } : { kind, data: await client.getPlaylist(id) };
  client.rememberTracks(listing.data.tracks);
  if (cache) await storeOrWarn('the track list', () => cache.putListing(kind, listing.data), log);
  return listing;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** An AlbumMetadata from a validated cache entry (id, name and tracks are checked by the cache). */
function albumFromCache(raw: Record<string, unknown>): AlbumMetadata {
  const album: AlbumMetadata = {
    id: raw.id as string,
    name: raw.name as string,
    artists: stringArray(raw.artists),
    tracks: raw.tracks as TrackMetadata[],
  };
  if (Array.isArray(raw.trackNumbers)) {
    album.trackNumbers = raw.trackNumbers.map((n) => (typeof n === 'number' ? n : null));
  }
  return album;
}

/** A PlaylistMetadata from a validated cache entry. */
function playlistFromCache(raw: Record<string, unknown>): PlaylistMetadata {
  const tracks = raw.tracks as TrackMetadata[];
  const kinds = new Set<PlaylistSkip['kind']>(['episode', 'local', 'unavailable']);
  const skipped: PlaylistSkip[] = Array.isArray(raw.skipped)
    ? raw.skipped.flatMap((s: unknown): PlaylistSkip[] => {
        const item = s as Partial<PlaylistSkip> | null;
        if (typeof item?.position !== 'number' || !kinds.has(item.kind as PlaylistSkip['kind'])) return [];
        const skip: PlaylistSkip = { position: item.position, kind: item.kind as PlaylistSkip['kind'] };
        if (typeof item.name === 'string') skip.name = item.name;
        return [skip];
      })
    : [];
  const playlist: PlaylistMetadata = {
    id: raw.id as string,
    name: raw.name as string,
    tracks,
    total: typeof raw.total === 'number' ? raw.total : tracks.length + skipped.length,
    skipped,
  };
  if (typeof raw.owner === 'string') playlist.owner = raw.owner;
  return playlist;
}

// ---- directories ---------------------------------------------------------------------------------------

const NATURAL = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural order of names (`2-x` before `10-x`, case aside), ties broken by code units so the order is total. */
export function naturalCompare(a: string, b: string): number {
  return NATURAL.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Every analysis file (`*.json`, `*.h5`, `*.hdf5`; not hidden) directly in a directory, naturally sorted.
 * @throws SongscopeError (exit 2) when the directory cannot be read or holds no analysis file
 */
async function directoryFiles(path: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'ENOENT') throw inputError(messages.fileNotFound(path));
    throw new SongscopeError(messages.fileUnreadable(path, code), { exitCode: ExitCode.USAGE, cause: e });
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || !ANALYSIS_FILE.test(entry.name)) continue;
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) isFile = await stat(join(path, entry.name)).then((s) => s.isFile(), () => false);
    if (isFile) names.push(entry.name);
  }
  if (names.length === 0) throw inputError(messages.collection.emptyDirectory(path));
  return names.sort(naturalCompare).map((name) => join(path, name));
}

async function directoryCollection(path: string): Promise<Collection> {
  const files = await directoryFiles(path);
  return {
    kind: 'directory',
    name: basename(resolvePath(path)) || path,
    source: path,
    tracks: files.map((file, i) => ({ position: i + 1, input: file, title: stem(file) })),
  };
}

// ---- manifests -----------------------------------------------------------------------------------------

/** One data line of a manifest. */
export interface ManifestLine {
  /** 1-based line number in the file. */
  line: number;
  /** The path column, as written (unquoted, trimmed unless quoted). */
  input: string;
  /** The label column, trimmed; undefined when absent or empty. */
  label?: string;
  /** Every other column by name (trimmed; an empty value is kept as ""); absent when there are none. */
  columns?: Record<string, string>;
}

/** A parsed manifest: its column names and data lines. */
export interface Manifest {
  /** Column names: the header's, else `path_or_uri`, `label`, `column_3`, … for as many as the widest line. */
  columns: string[];
  /** Whether the first data line was a header. */
  header: boolean;
  /** Index of the path column and of the label column (-1: none) in {@link columns}. */
  pathColumn: number;
  labelColumn: number;
  entries: ManifestLine[];
}

/** Header names recognised as the path column (any case); otherwise the first column is the path. */
export const MANIFEST_PATH_COLUMNS: readonly string[] = Object.freeze(['path_or_uri', 'path', 'input', 'file', 'filename', 'uri', 'url', 'track', 'location', 'source']);

/**
 * Whether a manifest's first data line is a header: every field is a column name — a word of letters,
 * digits, `_` and `-` starting with a letter or `_` (`path,label`, `file,genre,year`) — and the first is
 * not a 22-character Spotify id. Paths (a dot, a slash), URIs (a colon) and search queries (a space) are
 * data.
 */
export function isManifestHeader(fields: readonly string[]): boolean {
  const first = fields[0]?.trim() ?? '';
  if (/^[0-9A-Za-z]{22}$/.test(first)) return false;
  return fields.every((f) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(f.trim()));
}

/**
 * Parse manifest text: one `path_or_uri,label[,more columns]` per line. The first data line is a header
 * when it only holds column names ({@link isManifestHeader}): then the path column is the one named as in
 * {@link MANIFEST_PATH_COLUMNS} (else the first), the label column the one named `label` (else the second),
 * and every other column is kept by its name. Without a header the path is the first column, the label
 * the second (optional, may be empty), and further columns are `column_3`, `column_4`, …
 *
 * Blank lines and lines whose first non-blank character is `#` are skipped. Fields follow RFC 4180
 * (`util/csv.ts`): a field may be quoted (`"a, b.json"`), with `""` for a quote inside, and may then hold
 * line ends; spaces around fields are trimmed unless quoted. `\n`, `\r\n` and `\r` end lines; a
 * byte-order mark is ignored.
 *
 * @param label names the manifest in messages
 * @throws SongscopeError (exit 2) naming the line: unterminated or stray quote, more fields than the
 *   header names, an empty path
 */
export function parseManifest(text: string, label: string): Manifest {
  const rows: { line: number; fields: string[] }[] = [];
  const reader = new CsvReader(
    label,
    {
      line: (line) => {
        const trimmed = line.trim();
        return trimmed === '' || trimmed.startsWith('#') ? 'skip' : 'record';
      },
      record: (fields, line) => rows.push({ line, fields }),
    },
    { trim: true },
  );
  reader.push(text);
  reader.end();
  const header = rows.length > 0 && isManifestHeader(rows[0].fields);
  let columns: string[];
  let pathColumn = 0;
  let labelColumn = 1;
  if (header) {
    columns = rows.shift()!.fields.map((f) => f.trim());
    const lower = columns.map((c) => c.toLowerCase());
    const named = lower.findIndex((c) => MANIFEST_PATH_COLUMNS.includes(c));
    pathColumn = named >= 0 ? named : 0;
    const labelled = lower.indexOf('label');
    labelColumn = labelled >= 0 ? labelled : columns.length > 1 ? (pathColumn === 1 ? 0 : 1) : -1;
  } else {
    const widest = Math.max(2, ...rows.map((r) => r.fields.length));
    columns = Array.from({ length: widest }, (_, i) => (i === 0 ? 'path_or_uri' : i === 1 ? 'label' : `column_${i + 1}`));
  }
  const entries = rows.map(({ line, fields }) => {
    if (header && fields.length > columns.length) throw inputError(messages.collection.manifestFields(label, line, fields.length, columns.length));
    const input = fields[pathColumn] ?? '';
    if (input.trim() === '') throw inputError(messages.collection.manifestNoInput(label, line));
    const entry: ManifestLine = { line, input };
    const group = labelColumn >= 0 ? fields[labelColumn]?.trim() : undefined;
    if (group) entry.label = group;
    const extra = columns.flatMap((name, c) => (c === pathColumn || c === labelColumn ? [] : [[name, (fields[c] ?? '').trim()] as const]));
    if (extra.length > 0) entry.columns = Object.fromEntries(extra);
    return entry;
  });
  return { columns, header, pathColumn, labelColumn, entries };
}

function pathKind(path: string): PathKind {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * Read a manifest (see {@link parseManifest}). Each entry is read like a command-line argument, with
 * relative paths taken against the manifest's directory (and `~/` as the home directory): a file, a
 * Spotify track (URI, URL or id) or a search query becomes one track; a directory, album or playlist
 * is expanded into its tracks, each with the line's label.
 */
async function readManifest(path: string, options: ResolveOptions): Promise<Collection> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'ENOENT') throw inputError(messages.fileNotFound(path));
    throw new SongscopeError(messages.fileUnreadable(path, code), { exitCode: ExitCode.USAGE, cause: e });
  }
  const { entries } = parseManifest(text, path);
  if (entries.length === 0) throw inputError(messages.collection.manifestEmpty(path));
  const base = dirname(path);
  const locate = (p: string): string => {
    if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
    return isAbsolute(p) ? p : join(base, p);
  };

  const tracks: TrackRef[] = [];
  const skipped: string[] = [];
  const add = (ref: Omit<TrackRef, 'position'>, entry: ManifestLine): void => {
    const track: TrackRef = { ...ref, position: tracks.length + 1 };
    if (entry.label !== undefined) track.label = entry.label;
    else delete track.label;
    if (entry.columns) track.columns = entry.columns;
    tracks.push(track);
  };
  for (const entry of entries) {
    const named = (e: unknown): unknown =>
      e instanceof SongscopeError
        ? new SongscopeError(messages.collection.manifestEntry(path, entry.line, e.message), {
            exitCode: e.exitCode,
            hint: e.hint,
            cause: e,
          })
        : e;
    const value = entry.input.trim();
    if (/\.csv$/i.test(value)) throw inputError(messages.collection.manifestNested(path, entry.line));
    let ref: InputRef;
    try {
      ref = parseInput(value, (p) => pathKind(locate(p)));
    } catch (e) {
      throw named(e);
    }
    try {
      switch (ref.kind) {
        case 'stdin':
          throw inputError(messages.collection.manifestStdin(path, entry.line));
        case 'file': {
          const file = locate(ref.path);
          add({ input: file, title: stem(file) }, entry);
          break;
        }
        case 'directory':
          for (const file of await directoryFiles(locate(ref.path))) add({ input: file, title: stem(file) }, entry);
          break;
        case 'album':
        case 'playlist': {
          const listed = await listingCollection(ref.kind, ref.id, options, entry.label);
          for (const { position: _position, ...track } of listed.tracks) add(track, entry);
          for (const s of listed.skipped ?? []) skipped.push(`${listed.source}: ${s}`);
          break;
        }
        case 'track':
        case 'search':
          add(singleRef(ref, value), entry);
          break;
        default:
          throw inputError(messages.collection.notACollection(value, NOT_A_COLLECTION[ref.kind] ?? ref.kind));
      }
    } catch (e) {
      if (e instanceof SongscopeError && e.message.startsWith(`${path}: line ${entry.line}:`)) throw e;
      throw named(e);
    }
  }
  const collection: Collection = { kind: 'manifest', name: stem(path), source: path, tracks };
  if (skipped.length > 0) collection.skipped = skipped;
  return collection;
}

// ---- fetching analyses ---------------------------------------------------------------------------------

/** Whether resolving this ref may need Spotify (a track or a search), so a shared client is worth making. */
function mayNeedSpotify(ref: TrackRef): boolean {
  if (ref.id !== undefined) return true;
  try {
    const kind = parseInput(ref.input).kind;
    return kind === 'track' || kind === 'search';
  } catch {
    return false;
  }
}

/** Fill title, artist and track id of the provenance from the listing, where the analysis lacks them. */
export function fillProvenance(analysis: Analysis, ref: TrackRef): void {
  const p = analysis.provenance;
  if (p.title === undefined && ref.title !== undefined) p.title = ref.title;
  if (p.artist === undefined && ref.artists && ref.artists.length > 0) p.artist = ref.artists.join(', ');
  if (p.trackId === undefined && ref.id !== undefined) p.trackId = ref.id;
}

/**
 * Resolve every track of a collection with `resolveAnalysis`, up to `concurrency` at a time, and yield
 * one outcome per track IN COLLECTION ORDER. A track that fails yields `{ ref, error }`; nothing is
 * thrown for one track (only an invalid `concurrency` throws, before any fetch).
 *
 * Memory: the next `concurrency` tracks are in flight or done and waiting while the consumer holds the
 * outcome just yielded, so at most `concurrency + 1` analyses are alive here at a time. The window moves
 * only when its first track is yielded: a slow track holds back the start of tracks more than
 * `concurrency` places after it (finished tracks behind it wait in the window).
 *
 * All tracks share one Spotify client (the one {@link resolveCollection} used, for the same options
 * object): one token, the listing's track metadata (no `GET /tracks/{id}`), one `--max-wait` budget, and
 * one rate-limit gate: after an HTTP 429 with `Retry-After: N`, no new request of this client is sent
 * before N seconds have passed (requests already sent get their own answers; each 429 is waited out
 * within the budget, as for single tracks).
 *
 * If the consumer stops early, the fetches in flight finish in the background and are discarded.
 */
export async function* fetchAnalyses(collection: Collection, options: FetchAnalysesOptions): AsyncGenerator<FetchOutcome, void, undefined> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw inputError(messages.badOption('--concurrency', String(concurrency), 'an integer ≥ 1'));
  }
  let resolveOptions = options.resolve;
  if (!resolveOptions.client && collection.tracks.some(mayNeedSpotify)) {
    try {
      resolveOptions = { ...resolveOptions, client: sharedClient(options.resolve) };
    } catch {
      // invalid client options: every Spotify track reports the error itself (resolveAnalysis makes its own)
    }
  }

  const run = async (ref: TrackRef): Promise<FetchOutcome> => {
    const started = performance.now();
    try {
      const analysis = await resolveAnalysis(ref.input, resolveOptions);
      fillProvenance(analysis, ref);
      return { ref, analysis, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { ref, error, ms: Math.round(performance.now() - started) };
    }
  };

  const refs = collection.tracks;
  const window: Promise<FetchOutcome>[] = [];
  let next = 0;
  const refill = (): void => {
    while (next < refs.length && window.length < concurrency) window.push(run(refs[next++]!));
  };
  refill();
  while (window.length > 0) {
    const outcome = await window.shift()!;
    refill(); // start the next track before handing this one over
    yield outcome;
  }
}
