/**
 * The resolver: one function that turns whatever the user typed into a validated {@link Analysis}.
 *
 * Order of sources for a Spotify track: the cache (unless disabled), then recorded fixtures
 * (`--fixtures`, which also bypass the cache so CI runs are reproducible) or the live API. `--offline`
 * forbids the network: cache and fixtures only.
 */
import { SongscopeError, inputError, messages } from '../errors.js';
import type { Analysis, TrackMetadata } from '../analysis/types.js';
import { AnalysisCache, analysisChecksumProblem, defaultCacheDir, storeOrWarn } from './cache.js';
import { analysisFromJson, readAnalysisFile, readAnalysisStream } from './files.js';
import { parseInput, trackUri, type InputRef } from './input.js';
import { isAudioPath } from '../audio/types.js';
import { SpotifyClient, spotifyOptionsFromEnv, type SpotifyClientOptions } from './spotify.js';

export interface ResolveOptions {
  /** Cache directory; default {@link defaultCacheDir}. */
  cacheDir?: string;
  /** Read and write the cache; default true. Recorded fixtures never use it. */
  useCache?: boolean;
  /** Forbid the network: cache and fixtures only. Default false. */
  offline?: boolean;
  /** Spotify client options (credentials, base URLs, fixturesDir, recordDir, maxWaitS, …). */
  spotify?: SpotifyClientOptions;
  /** A ready client (tests); otherwise one is made from `spotify` on first need. */
  client?: SpotifyClient;
  /** Standard input, for `-`. Default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** Informational lines and warnings (the CLI prints them on stderr). */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

const NOT_A_TRACK: Partial<Record<InputRef['kind'], string>> = {
  album: 'an album',
  playlist: 'a playlist',
  artist: 'an artist',
  episode: 'a podcast episode',
  show: 'a podcast',
};

/**
 * Resolve one track argument: a local analysis file (.json or MSD .h5), `-` for JSON on stdin,
 * `spotify:track:ID`, an open.spotify.com track URL, a bare 22-character id, or a search query (first
 * track hit, announced through `log`).
 *
 * @throws SongscopeError — exit code 2 for bad input (invalid file, no such track, cache/fixture miss),
 *   1 for runtime failures (network, 403, 429 beyond `--max-wait`)
 */
export async function resolveAnalysis(input: string, options: ResolveOptions = {}): Promise<Analysis> {
  const log = options.log ?? (() => undefined);
  const ref = parseInput(input);
  switch (ref.kind) {
    case 'stdin':
      return readAnalysisStream(options.stdin ?? process.stdin, log);
    case 'file':
      if (isAudioPath(ref.path)) {
        const { analyzeLocalFile } = await import('./local.js'); // the analyzer loads only when needed
        return analyzeLocalFile(ref.path, { cacheDir: options.cacheDir, useCache: options.useCache, env: options.env, log });
      }
      return readAnalysisFile(ref.path, log);
    case 'directory':
      throw inputError(messages.isDirectory(ref.path));
    case 'track':
      return new TrackResolver(options).byId(ref.id);
    case 'search':
      return new TrackResolver(options).bySearch(ref.query);
    default:
      throw inputError(messages.notATrack(input, NOT_A_TRACK[ref.kind] ?? ref.kind));
  }
}

/**
 * The Spotify client options a resolution uses: the environment's, then `options.spotify`, and the
 * resolver's log unless the Spotify options bring their own. (Collections build their shared client
 * from the same options.)
 */
export function spotifyClientOptions(options: ResolveOptions): SpotifyClientOptions {
  const spotify: SpotifyClientOptions = { ...spotifyOptionsFromEnv(options.env ?? process.env), ...options.spotify };
  if (!spotify.log && options.log) spotify.log = options.log;
  return spotify;
}

/**
 * Resolution of Spotify tracks through cache, fixtures and the API. Replaying (`--fixtures`) never
 * touches the cache; recording (`--record`) skips cache reads so every answer is fetched and recorded.
 */
class TrackResolver {
  private readonly log: (line: string) => void;
  private readonly spotifyOptions: SpotifyClientOptions;
  private readonly cache: AnalysisCache | undefined;
  private readonly readCache: boolean;
  private clientInstance: SpotifyClient | undefined;

  constructor(private readonly options: ResolveOptions) {
    this.log = options.log ?? (() => undefined);
    this.spotifyOptions = spotifyClientOptions({ ...options, log: this.log });
    this.clientInstance = options.client;
    this.cache =
      options.useCache === false || this.replaying
        ? undefined
        : new AnalysisCache(options.cacheDir ?? defaultCacheDir(options.env ?? process.env));
    this.readCache = !this.recording;
  }

  private get replaying(): boolean {
    return Boolean(this.spotifyOptions.fixturesDir) || this.clientInstance?.mode === 'replay';
  }

  private get recording(): boolean {
    return Boolean(this.spotifyOptions.recordDir) || this.clientInstance?.mode === 'record';
  }

  /** The client, refusing the network under --offline unless fixtures answer instead. */
  private client(what: string): SpotifyClient {
    if (this.options.offline && !this.replaying) {
      throw inputError(messages.offlineMiss(what, this.cache?.dir ?? 'cache disabled'));
    }
    this.clientInstance ??= new SpotifyClient(this.spotifyOptions);
    this.clientInstance.assertCredentials();
    return this.clientInstance;
  }

  /** The cached analysis of a track, or undefined; a damaged entry is reported and treated as absent. */
  private async fromCache(id: string): Promise<Analysis | undefined> {
    if (!this.cache || !this.readCache) return undefined;
    const cached = await this.cache.get(id, this.log);
    if (!cached) return undefined;
    let problem: string;
    try {
      const analysis = this.toAnalysis(cached.analysis, cached.track, 'cache');
      // valid, but is it what was written? (emptied segments pass the schema); entries from before
      // checksums are served: a Spotify analysis may not be fetchable any more
      const checksum = analysisChecksumProblem(cached, false);
      if (checksum === undefined) return analysis;
      problem = checksum;
    } catch (e) {
      if (!(e instanceof SongscopeError)) throw e;
      problem = e.message;
    }
    const path = this.cache.trackPath(id);
    if (this.options.offline && !this.replaying) throw inputError(messages.damagedCacheEntryOffline(path, problem));
    this.log(messages.damagedCacheEntry(path, problem));
    return undefined;
  }

  async byId(id: string, known?: TrackMetadata): Promise<Analysis> {
    const uri = trackUri(id);
    const cached = await this.fromCache(id);
    if (cached) return cached;

    const client = this.client(uri);
    if (!this.replaying) this.log(`Fetching the audio analysis of ${uri} from Spotify…`);
    const raw = await client.getAudioAnalysis(id);
    // When recording, fetch the track too (even if a search already returned it) so replaying by id works.
    const track = known && !this.recording ? known : await client.getTrack(id);
    const analysis = this.toAnalysis(raw, track, this.replaying ? 'fixtures' : 'api');
    if (this.cache) {
      const { provenance: _omit, ...plain } = analysis;
      const cache = this.cache;
      await storeOrWarn('the analysis', () => cache.put(track, plain), this.log);
    }
    return analysis;
  }

  async bySearch(query: string): Promise<Analysis> {
    const cachedId = this.readCache ? await this.cache?.getSearch(query) : undefined;
    if (cachedId) {
      this.log(`Search "${query}" → ${trackUri(cachedId)} (remembered in the cache)`);
      return this.byId(cachedId);
    }
    const track = await this.client(`the search "${query}"`).searchTrack(query);
    this.log(`Search "${query}" → "${track.name}" by ${track.artists.join(', ') || 'unknown artist'} (${trackUri(track.id)})`);
    const analysis = await this.byId(track.id, track);
    const cache = this.cache;
    if (cache) await storeOrWarn('the search', () => cache.putSearch(query, track.id), this.log);
    return analysis;
  }

  private toAnalysis(raw: unknown, track: TrackMetadata, origin: 'api' | 'cache' | 'fixtures'): Analysis {
    return analysisFromJson(
      raw,
      trackUri(track.id),
      origin,
      {
        trackId: track.id,
        title: track.name,
        artist: track.artists.join(', ') || undefined,
        album: track.album,
      },
      this.log,
    );
  }
}
