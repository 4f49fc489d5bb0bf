/**
 * The resolver: one function that turns whatever the user typed into a validated {@link Analysis}.
 *
 * Order of sources for a Spotify track: the cache (unless disabled), then recorded fixtures
 * (`--fixtures`, which also bypass the cache so CI runs are reproducible) or the live API. `--offline`
 * forbids the network: cache and fixtures only.
 */
import { inputError, messages } from '../errors.js';
import type { Analysis, TrackMetadata } from '../analysis/types.js';
import { AnalysisCache, defaultCacheDir } from './cache.js';
import { analysisFromJson, readAnalysisFile, readAnalysisStream } from './files.js';
import { parseInput, trackUri, type InputRef } from './input.js';
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
      return readAnalysisFile(ref.path, log);
    case 'directory':
      throw inputError(`${ref.path}: is a directory; give one analysis file`);
    case 'track':
      return new TrackResolver(options).byId(ref.id);
    case 'search':
      return new TrackResolver(options).bySearch(ref.query);
    default:
      throw inputError(
        `${input}: names ${NOT_A_TRACK[ref.kind] ?? ref.kind}; give one track (URI, URL, id, search query or analysis file)`,
      );
  }
}

/** Resolution of Spotify tracks through cache, fixtures and the API. */
class TrackResolver {
  private readonly log: (line: string) => void;
  private readonly spotifyOptions: SpotifyClientOptions;
  private readonly cache: AnalysisCache | undefined;
  private clientInstance: SpotifyClient | undefined;

  constructor(private readonly options: ResolveOptions) {
    this.log = options.log ?? (() => undefined);
    this.spotifyOptions = { ...spotifyOptionsFromEnv(options.env ?? process.env), ...options.spotify };
    if (!this.spotifyOptions.log) this.spotifyOptions.log = this.log;
    const replaying = Boolean(this.spotifyOptions.fixturesDir);
    this.cache =
      options.useCache === false || replaying
        ? undefined
        : new AnalysisCache(options.cacheDir ?? defaultCacheDir(options.env ?? process.env));
    this.clientInstance = options.client;
  }

  private get replaying(): boolean {
    return Boolean(this.spotifyOptions.fixturesDir) || this.clientInstance?.mode === 'replay';
  }

  /** The client, refusing the network under --offline unless fixtures answer instead. */
  private client(what: string): SpotifyClient {
    if (this.options.offline && !this.replaying) {
      throw inputError(messages.offlineMiss(what, this.cache?.dir ?? 'cache disabled'));
    }
    this.clientInstance ??= new SpotifyClient(this.spotifyOptions);
    return this.clientInstance;
  }

  async byId(id: string, known?: TrackMetadata): Promise<Analysis> {
    const uri = trackUri(id);
    const cached = await this.cache?.get(id, this.log);
    if (cached) return this.toAnalysis(cached.analysis, cached.track, 'cache');

    const client = this.client(uri);
    if (!this.replaying) this.log(`Fetching the audio analysis of ${uri} from Spotify…`);
    const raw = await client.getAudioAnalysis(id);
    const track = known ?? (await client.getTrack(id));
    const analysis = this.toAnalysis(raw, track, this.replaying ? 'fixtures' : 'api');
    if (this.cache && !this.replaying) {
      const { provenance: _omit, ...plain } = analysis;
      await this.cache.put(track, plain);
    }
    return analysis;
  }

  async bySearch(query: string): Promise<Analysis> {
    const cachedId = await this.cache?.getSearch(query);
    if (cachedId) {
      this.log(`Search "${query}" → ${trackUri(cachedId)} (remembered in the cache)`);
      return this.byId(cachedId);
    }
    const track = await this.client(`the search "${query}"`).searchTrack(query);
    this.log(`Search "${query}" → "${track.name}" by ${track.artists.join(', ') || 'unknown artist'} (${trackUri(track.id)})`);
    const analysis = await this.byId(track.id, track);
    if (this.cache && !this.replaying) await this.cache.putSearch(query, track.id);
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
