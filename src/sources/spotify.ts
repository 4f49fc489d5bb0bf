/**
 * The Spotify source: track metadata, audio analyses, track search, albums and playlists from the Spotify Web
 * API, through `@spotify/web-api-ts-sdk` with the client-credentials flow.
 *
 * The SDK's own pieces are replaced where they fall short on a command line:
 * - {@link ClientCredentialsAuth} gets the token through our HTTP layer (configurable accounts host,
 *   retries, clear errors) and keeps it in memory only;
 * - the SDK's `fetch` is {@link SpotifyHttp.fetch} (base-URL rewrite, timeouts, retries, 429), or the
 *   replay fetch in `--fixtures` mode, or a recording wrapper in `--record` mode;
 * - {@link SpotifyResponseValidator} and {@link JsonDeserializer} report failures as typed errors that
 *   {@link SpotifyClient} turns into the catalogue's messages with the request's context.
 */
import type { SpotifyApi } from '@spotify/web-api-ts-sdk';
import type {
  AccessToken,
  Album,
  IAuthStrategy,
  IResponseDeserializer,
  IValidateResponses,
  MaxInt,
  SdkConfiguration,
  SimplifiedTrack,
  Track,
} from '@spotify/web-api-ts-sdk';
import type { TrackMetadata } from '../analysis/types.js';
import { ExitCode, inputError, messages, runtimeError, SongscopeError } from '../errors.js';
import {
  DEFAULT_ACCOUNTS_BASE_URL,
  DEFAULT_API_BASE_URL,
  parseRetryAfter,
  SDK_API_ROOT,
  SpotifyHttp,
  tokenUrlFor,
  type FetchLike,
} from './http.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createReplayFetch, recordFixture } from './replay.js';

/** Options of {@link SpotifyClient}. All optional; see {@link spotifyOptionsFromEnv} for the environment. */
export interface SpotifyClientOptions {
  /** Spotify app client id (`SPOTIFY_CLIENT_ID`). Needed only when a request goes to the network. */
  clientId?: string;
  /** Spotify app client secret (`SPOTIFY_CLIENT_SECRET`). Never logged, never recorded. */
  clientSecret?: string;
  /** Web API base URL (`SPOTIFY_API_BASE_URL`), default `https://api.spotify.com/v1`. */
  apiBaseUrl?: string;
  /** Accounts base URL (`SPOTIFY_ACCOUNTS_BASE_URL`), default `https://accounts.spotify.com`; token at `${base}/api/token`. */
  accountsBaseUrl?: string;
  /** Replay mode (`--fixtures DIR`, `SONGSCOPE_FIXTURES`): answer every request from this directory; no network, no credentials. */
  fixturesDir?: string;
  /** Record mode (`--record DIR`): fetch live and write each successful GET answer into this directory. */
  recordDir?: string;
  /** Total seconds this client may wait on HTTP 429 `Retry-After`, over all its requests (default 60). */
  maxWaitS?: number;
  /** Tries per request for 5xx answers, connection failures and timeouts, first try included (default 3). */
  tries?: number;
  /** Backoff before the second try in ms, doubled for each further try (default 500). */
  retryBaseMs?: number;
  /** Timeout of one try (connect, headers, body) in ms (default 30000). */
  timeoutMs?: number;
  /** Receives informational lines meant for stderr (waiting on 429, retrying). Default: discarded. */
  log?: (line: string) => void;
  /** The underlying fetch (injectable for tests); default the global `fetch`. Unused in replay mode. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Client options from the environment: `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET`,
 * `SPOTIFY_API_BASE_URL`, `SPOTIFY_ACCOUNTS_BASE_URL` and `SONGSCOPE_FIXTURES` (→ `fixturesDir`).
 * Values are trimmed; unset or blank variables are left out of the result, so command-line options can
 * be spread over it. Nothing is validated here (the client does that).
 */
export function spotifyOptionsFromEnv(env: NodeJS.ProcessEnv): SpotifyClientOptions {
  const options: SpotifyClientOptions = {};
  const pick = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const clientId = pick('SPOTIFY_CLIENT_ID');
  const clientSecret = pick('SPOTIFY_CLIENT_SECRET');
  const apiBaseUrl = pick('SPOTIFY_API_BASE_URL');
  const accountsBaseUrl = pick('SPOTIFY_ACCOUNTS_BASE_URL');
  const fixturesDir = pick('SONGSCOPE_FIXTURES');
  if (clientId !== undefined) options.clientId = clientId;
  if (clientSecret !== undefined) options.clientSecret = clientSecret;
  if (apiBaseUrl !== undefined) options.apiBaseUrl = apiBaseUrl;
  if (accountsBaseUrl !== undefined) options.accountsBaseUrl = accountsBaseUrl;
  if (fixturesDir !== undefined) options.fixturesDir = fixturesDir;
  return options;
}

// ---- typed errors between the SDK hooks and the client -------------------------------------------------

/** A non-2xx API answer, thrown by {@link SpotifyResponseValidator}; {@link SpotifyClient} maps it. */
export class SpotifyStatusError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** Spotify's `error.message` (or the status text), for `--verbose`; never contains credentials. */
  readonly detail: string;

  /** @param status the HTTP status @param detail Spotify's error message or the status text */
  constructor(status: number, detail: string) {
    super(`HTTP ${status}${detail ? ` ${detail}` : ''}`);
    this.name = 'SpotifyStatusError';
    this.status = status;
    this.detail = detail;
  }
}

/** A 2xx API answer whose body is not JSON, thrown by {@link JsonDeserializer}. */
export class SpotifyBodyError extends Error {
  /** @param detail the JSON parser's message */
  constructor(detail: string) {
    super(detail);
    this.name = 'SpotifyBodyError';
  }
}

/**
 * The SDK's `responseValidator`: lets 2xx through and throws {@link SpotifyStatusError} for anything
 * else, keeping Spotify's own `error.message`. (The SDK's default calls a 403 a "Bad OAuth request".)
 */
export class SpotifyResponseValidator implements IValidateResponses {
  /** Resolve for 2xx; otherwise read the body and throw a {@link SpotifyStatusError}. */
  async validateResponse(response: Response): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    const text = await response.text().catch(() => '');
    let detail = response.statusText;
    try {
      const body = JSON.parse(text) as { error?: { message?: unknown } | string; error_description?: unknown };
      if (typeof body.error === 'object' && typeof body.error?.message === 'string') detail = body.error.message;
      else if (typeof body.error === 'string') detail = body.error;
    } catch {
      // not JSON: keep the status text
    }
    throw new SpotifyStatusError(response.status, detail.slice(0, 200));
  }
}

/** The SDK's `deserializer`: JSON, or null for an empty body; throws {@link SpotifyBodyError} for non-JSON. */
export class JsonDeserializer implements IResponseDeserializer {
  /** The parsed JSON body (null when empty). */
  async deserialize<T>(response: Response): Promise<T> {
    const text = await response.text();
    if (text.length === 0) return null as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new SpotifyBodyError(e instanceof Error ? e.message : String(e));
    }
  }
}

// ---- authentication --------------------------------------------------------------------------------------

/** The error for live requests without SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET (exit code 2). */
function missingCredentialsError(): SongscopeError {
  return new SongscopeError(messages.missingCredentials(), { exitCode: ExitCode.USAGE, hint: messages.missingCredentialsHint() });
}

/** Options of {@link ClientCredentialsAuth}. */
export interface ClientCredentialsAuthOptions {
  /** The token endpoint, e.g. `https://accounts.spotify.com/api/token`. */
  tokenUrl: string;
  /** Client id; may be absent (then the first token request throws, unless not required). */
  clientId?: string;
  /** Client secret; may be absent (as above). */
  clientSecret?: string;
  /**
   * Whether credentials are required (default true). When false and they are absent, the token request
   * is sent without an `Authorization` header (replay mode answers it locally).
   */
  requireCredentials?: boolean;
  /** How to send the token request: our retrying fetch, or the replay fetch. */
  fetch: FetchLike;
}

/** Seconds before expiry at which a cached token is treated as expired and fetched anew. */
const TOKEN_EXPIRY_MARGIN_S = 60;

/**
 * Client-credentials flow as an SDK `IAuthStrategy`: POSTs `grant_type=client_credentials` with HTTP
 * Basic auth to the token endpoint through our fetch, caches the token in memory (never on disk) until
 * 60 s before it expires, and shares one pending request between concurrent callers.
 *
 * Errors: missing credentials → `messages.missingCredentials()` (exit 2, raised lazily on the first
 * token request); HTTP 400/401 → `messages.badCredentials(status, error)` (exit 1); any other non-200 →
 * `messages.unexpectedStatus(status, 'the access token request')`.
 */
export class ClientCredentialsAuth implements IAuthStrategy {
  readonly #options: ClientCredentialsAuthOptions;
  #token: AccessToken | undefined;
  #pending: Promise<AccessToken> | undefined;

  /** @param options see {@link ClientCredentialsAuthOptions}; nothing is checked until the first token request. */
  constructor(options: ClientCredentialsAuthOptions) {
    this.#options = options;
  }

  /** Part of `IAuthStrategy`; the SDK's configuration is not needed. */
  setConfiguration(_configuration: SdkConfiguration): void {}

  /** The cached token while valid, else a new one from the token endpoint. */
  async getOrCreateAccessToken(): Promise<AccessToken> {
    const cached = await this.getAccessToken();
    if (cached) return cached;
    this.#pending ??= this.#requestToken().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** The cached token while it is valid (more than 60 s left), else null. */
  async getAccessToken(): Promise<AccessToken | null> {
    const token = this.#token;
    if (token && (token.expires ?? 0) - TOKEN_EXPIRY_MARGIN_S * 1000 > Date.now()) return token;
    return null;
  }

  /** Forget the cached token (after a 401, the next request fetches a new one). */
  removeAccessToken(): void {
    this.#token = undefined;
  }

  async #requestToken(): Promise<AccessToken> {
    const { clientId, clientSecret, requireCredentials = true } = this.#options;
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (clientId && clientSecret) {
      headers.Authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    } else if (requireCredentials) {
      throw missingCredentialsError();
    }
    const response = await this.#options.fetch(this.#options.tokenUrl, {
      method: 'POST',
      headers,
      body: 'grant_type=client_credentials',
    });
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status === 400 || response.status === 401) {
      const error = (body as { error?: unknown } | undefined)?.error;
      throw runtimeError(messages.badCredentials(response.status, safeWord(error) ?? (response.statusText || 'error')));
    }
    if (response.status !== 200) {
      throw runtimeError(messages.unexpectedStatus(response.status, 'the access token request'));
    }
    const token = body as Partial<AccessToken> | undefined;
    if (typeof token?.access_token !== 'string' || token.access_token === '') {
      throw runtimeError(messages.invalidField("Spotify's token answer", 'access_token', 'is missing'));
    }
    const expiresIn = typeof token.expires_in === 'number' && token.expires_in > 0 ? token.expires_in : 3600;
    this.#token = {
      access_token: token.access_token,
      token_type: typeof token.token_type === 'string' ? token.token_type : 'Bearer',
      expires_in: expiresIn,
      refresh_token: '',
      expires: Date.now() + expiresIn * 1000,
    };
    return this.#token;
  }
}

/** An OAuth error code as sent (`invalid_client`), or undefined if it is not a short plain word. */
function safeWord(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.-]{1,64}$/.test(value) ? value : undefined;
}

// ---- the client -------------------------------------------------------------------------------------------

/** An album with its tracks in album order, as {@link SpotifyClient.getAlbum} returns it. */
export interface AlbumMetadata {
  id: string;
  name: string;
  /** Album artist names. */
  artists: string[];
  /** Every track of the album (all pages), with `album` set to the album's name. */
  tracks: TrackMetadata[];
  /**
   * Spotify's `track_number` of each track, parallel to `tracks` (null when absent). It restarts on each
   * disc of a multi-disc album; the index in `tracks` is the album order.
   */
  trackNumbers?: (number | null)[];
}

/** A playlist item that is not a Spotify track, as {@link SpotifyClient.getPlaylist} reports it. */
export interface PlaylistSkip {
  /** 1-based position of the item in the playlist (items skipped included). */
  position: number;
  /** `episode`: a podcast episode; `local`: a local file; `unavailable`: no track (removed, or not playable). */
  kind: 'episode' | 'local' | 'unavailable';
  /** The item's name, when it has one. */
  name?: string;
}

/** A playlist with its tracks in playlist order, as {@link SpotifyClient.getPlaylist} returns it. */
export interface PlaylistMetadata {
  id: string;
  name: string;
  /** The owner's display name (or id), when given. */
  owner?: string;
  /** Every item that is a Spotify track (all pages), in playlist order; other items are in `skipped`. */
  tracks: TrackMetadata[];
  /** Items in the playlist, skipped ones included. */
  total: number;
  /** The items that are not Spotify tracks (podcast episodes, local files, removed tracks). */
  skipped: PlaylistSkip[];
}

/**
 * A "not before" time shared by every API request of one client, so that an HTTP 429 on one request
 * holds back the others too. {@link SpotifyHttp} honours `Retry-After` per request: without this gate,
 * concurrent requests would go on hitting the server while one of them waits. The client holds the gate
 * when a 429 arrives (only for a wait its `--max-wait` budget allows: a wait it refuses fails that request
 * at once and holds nobody), and waits on it before it sends each API request (not before retries of a
 * request already sent: those wait in {@link SpotifyHttp}).
 */
export class RateLimitGate {
  #notBefore = 0;

  /** Hold every request until `seconds` from `now`; never shortens a longer hold. */
  hold(seconds: number, now: number = Date.now()): void {
    this.#notBefore = Math.max(this.#notBefore, now + seconds * 1000);
  }

  /** Milliseconds until the gate opens (0 when open). */
  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.#notBefore - now);
  }

  /** Resolve once the gate is open (at once when it is); resolves with the ms waited. */
  async wait(): Promise<number> {
    let waited = 0;
    for (let ms = this.remainingMs(); ms > 0; ms = this.remainingMs()) {
      await sleep(ms);
      waited += ms;
    }
    return waited;
  }
}

/** What a request is about, for messages. */
interface RequestContext {
  /** Names the object: `spotify:track:ID`, `the audio analysis of spotify:track:ID` … */
  what: string;
  /** Completes `messages.notFound`: `no such track spotify:track:ID` … */
  notFound: string;
  /** Set for audio-analysis requests: 403 then gets its own message and hint. */
  analysisOf?: string;
  /** Hint of the 404 error (none by default). */
  notFoundHint?: string;
  /** Hint of a 403 error other than an analysis's (none by default). */
  forbiddenHint?: string;
}

/** Page size used to fetch the remaining tracks of a long album. */
const ALBUM_PAGE_SIZE = 50;

/** Page size used to fetch the items of a playlist (`GET /playlists/{id}/tracks?limit=100&offset=…`). */
export const PLAYLIST_PAGE_SIZE = 100;

/**
 * The Spotify client. Construct it freely: nothing is checked against the network (or the credentials)
 * until a method needs it. Mode: `replay` when `fixturesDir` is set, `record` when `recordDir` is set,
 * else `live`.
 *
 * Every method throws a {@link SongscopeError} for conditions a user can act on: missing or refused
 * credentials, 401, 403 (with the 27 November 2024 policy hint for analyses), 404 (exit code 2), rate
 * limiting beyond `maxWaitS`, server and network failures after `tries`, and replay misses (exit code 2).
 */
export class SpotifyClient {
  /** `live` (network), `replay` (answers from `fixturesDir`), or `record` (network, answers saved to `recordDir`). */
  readonly mode: 'live' | 'replay' | 'record';

  /** The SDK client, made on the first request (the SDK is loaded only when Spotify is asked something). */
  #sdk: Promise<SpotifyApi> | undefined;
  readonly #sdkFetch: FetchLike;
  readonly #auth: ClientCredentialsAuth;
  readonly #hasCredentials: boolean;
  readonly #known = new Map<string, TrackMetadata>();
  /** Shared by every API request of this client: see {@link RateLimitGate}. */
  readonly #gate = new RateLimitGate();

  /**
   * Fail now (rather than at the first request) when the network would be needed but
   * SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET are not set. A no-op in replay mode.
   */
  assertCredentials(): void {
    if (this.mode !== 'replay' && !this.#hasCredentials) throw missingCredentialsError();
  }

  /** @throws SongscopeError (exit 2) for invalid numeric options or base URLs, or both `fixturesDir` and `recordDir`. */
  constructor(options: SpotifyClientOptions) {
    if (options.fixturesDir && options.recordDir) {
      throw inputError(messages.fixturesWithRecord());
    }
    this.mode = options.fixturesDir ? 'replay' : options.recordDir ? 'record' : 'live';
    this.#hasCredentials = Boolean(options.clientId && options.clientSecret);
    const apiBaseUrl = checkBaseUrl('SPOTIFY_API_BASE_URL', options.apiBaseUrl ?? DEFAULT_API_BASE_URL);
    const accountsBaseUrl = checkBaseUrl(
      'SPOTIFY_ACCOUNTS_BASE_URL',
      options.accountsBaseUrl ?? DEFAULT_ACCOUNTS_BASE_URL,
    );

    // Every try goes through `observed`, which holds the shared gate when Spotify answers 429 with a wait
    // that the budget allows (SpotifyHttp then waits out that request itself); every new API request
    // waits on the gate first (`gated`), so concurrent requests do not hammer a rate-limiting server.
    const underlying: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const observed: FetchLike = async (input, init) => {
      const response = await underlying(input, init);
      if (response.status === 429) {
        const askedS = parseRetryAfter(response.headers.get('retry-after'));
        if (http.waitedS + askedS <= http.maxWaitS) this.#gate.hold(askedS);
      }
      return response;
    };
    const http: SpotifyHttp = new SpotifyHttp({
      apiBaseUrl,
      maxWaitS: options.maxWaitS,
      tries: options.tries,
      retryBaseMs: options.retryBaseMs,
      timeoutMs: options.timeoutMs,
      log: options.log,
      fetch: observed,
    });
    const gated: FetchLike = async (input, init) => {
      await this.#gate.wait();
      return http.fetch(input, init);
    };

    let transport: FetchLike;
    let sdkFetch: FetchLike;
    if (options.fixturesDir) {
      // The SDK's URLs are replayed as the SDK builds them: no rewrite, no network.
      transport = createReplayFetch({ dir: options.fixturesDir, apiBaseUrl: SDK_API_ROOT });
      sdkFetch = transport;
    } else if (options.recordDir) {
      const recordDir = options.recordDir;
      transport = http.fetch;
      sdkFetch = async (input, init) => {
        const response = await gated(input, init);
        const method = (init?.method ?? 'GET').toUpperCase();
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (method === 'GET' && response.status === 200 && url.startsWith(SDK_API_ROOT)) {
          const body = new Uint8Array(await response.clone().arrayBuffer());
          await recordFixture(recordDir, url, body, SDK_API_ROOT);
        }
        return response;
      };
    } else {
      transport = http.fetch;
      sdkFetch = gated;
    }

    this.#auth = new ClientCredentialsAuth({
      tokenUrl: tokenUrlFor(accountsBaseUrl),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      requireCredentials: this.mode !== 'replay',
      fetch: transport,
    });
    this.#sdkFetch = sdkFetch;
  }

  /** The SDK client (loading `@spotify/web-api-ts-sdk` on first use). */
  #api(): Promise<SpotifyApi> {
    this.#sdk ??= import('@spotify/web-api-ts-sdk').then(
      ({ SpotifyApi }) =>
        new SpotifyApi(this.#auth, {
          fetch: this.#sdkFetch,
          responseValidator: new SpotifyResponseValidator(),
          deserializer: new JsonDeserializer(),
        }),
    );
    return this.#sdk;
  }

  /**
   * Remember track metadata already received (from an album or playlist listing), so that
   * {@link getTrack} answers it without a request. Ignored in record mode, where every track is fetched
   * so that the recording can replay it by id.
   */
  rememberTracks(tracks: Iterable<TrackMetadata>): void {
    if (this.mode === 'record') return;
    for (const track of tracks) this.#known.set(track.id, { ...track, artists: [...track.artists] });
  }

  /**
   * Track metadata from `GET /tracks/{id}`, or from {@link rememberTracks}.
   * @param id a Spotify track id (22 characters of [0-9A-Za-z]; validated by the caller)
   */
  async getTrack(id: string): Promise<TrackMetadata> {
    const known = this.mode === 'record' ? undefined : this.#known.get(id);
    if (known) return { ...known, artists: [...known.artists] };
    const ctx: RequestContext = { what: `spotify:track:${id}`, notFound: `no such track spotify:track:${id}` };
    const track = await this.#call(ctx, (sdk) => sdk.tracks.get(encodeURIComponent(id)));
    return this.#toTrackMetadata(track, ctx.what);
  }

  /**
   * The raw audio analysis from `GET /audio-analysis/{id}`: the parsed JSON body, unvalidated (the caller
   * validates it). A 403 gets `messages.analysisForbidden` with the policy hint.
   * @param id a Spotify track id (validated by the caller)
   */
  async getAudioAnalysis(id: string): Promise<unknown> {
    const ctx: RequestContext = {
      what: `the audio analysis of spotify:track:${id}`,
      notFound: `no such track spotify:track:${id}, or Spotify has no audio analysis for it`,
      analysisOf: id,
    };
    const body: unknown = await this.#call(ctx, (sdk) => sdk.tracks.audioAnalysis(encodeURIComponent(id)));
    if (body === null || body === undefined) {
      throw this.#badAnswer(ctx.what, 'body', 'is empty');
    }
    return body;
  }

  /**
   * The first track hit of a Spotify search (`GET /search?q=…&type=track&limit=1`).
   * @throws SongscopeError `messages.searchNoResults(query)` (exit 2) when nothing matches
   */
  async searchTrack(query: string): Promise<TrackMetadata> {
    const ctx: RequestContext = { what: `the search "${query}"`, notFound: `the search "${query}"` };
    const result = await this.#call(ctx, (sdk) => sdk.search(query, ['track'], undefined, 1));
    const items: unknown = (result as { tracks?: { items?: unknown } } | null)?.tracks?.items;
    const hit = Array.isArray(items) ? items.find((item) => item !== null && typeof item === 'object') : undefined;
    if (hit === undefined) throw inputError(messages.searchNoResults(query));
    return this.#toTrackMetadata(hit as Track, ctx.what);
  }

  /**
   * An album and all its tracks (`GET /albums/{id}`, then `GET /albums/{id}/tracks?limit=50&offset=…`
   * while Spotify reports more).
   * @param id a Spotify album id (validated by the caller)
   */
  async getAlbum(id: string): Promise<AlbumMetadata> {
    const ctx: RequestContext = { what: `spotify:album:${id}`, notFound: `no such album spotify:album:${id}` };
    const encoded = encodeURIComponent(id);
    const album = (await this.#call(ctx, (sdk) => sdk.albums.get(encoded))) as Album | null;
    if (!isObject(album)) throw this.#badAnswer(ctx.what, 'body', 'is not an album object');
    if (typeof album.name !== 'string') throw this.#badAnswer(ctx.what, 'name', 'is missing');
    const page = album.tracks as Partial<Album['tracks']> | undefined;
    if (!isObject(page) || !Array.isArray(page.items)) {
      throw this.#badAnswer(ctx.what, 'tracks.items', 'is missing');
    }
    const items: SimplifiedTrack[] = [...page.items];
    const total = typeof page.total === 'number' ? page.total : items.length;
    let next = page.next ?? null;
    while (next && items.length < total) {
      const offset = items.length;
      const more = await this.#call(ctx, (sdk) => sdk.albums.tracks(encoded, undefined, ALBUM_PAGE_SIZE, offset));
      if (!isObject(more) || !Array.isArray(more.items) || more.items.length === 0) break;
      items.push(...more.items);
      next = more.next ?? null;
    }
    return {
      id: typeof album.id === 'string' ? album.id : id,
      name: album.name,
      artists: artistNames(album.artists),
      tracks: items.map((t, i) => this.#toTrackMetadata(t, `${ctx.what} (track ${i + 1})`, album.name)),
      trackNumbers: items.map((t) =>
        isObject(t) && typeof t.track_number === 'number' && Number.isFinite(t.track_number) ? t.track_number : null,
      ),
    };
  }

  /**
   * A playlist and all its tracks: `GET /playlists/{id}` (whose `tracks` holds the first page of items),
   * then `GET /playlists/{id}/tracks?limit=100&offset=…` while Spotify reports more. Items that are not
   * Spotify tracks (podcast episodes, local files, removed tracks) are left out and listed in `skipped`.
   * Also reads the February 2026 shape, where `tracks` is called `items` and each item's `track` `item`.
   *
   * Errors as for the other calls; a 404 (`messages.collection.noSuchPlaylist`, exit 2) and a 403 carry
   * a hint about the playlists Spotify withholds.
   * @param id a Spotify playlist id (validated by the caller)
   */
  async getPlaylist(id: string): Promise<PlaylistMetadata> {
    const ctx: RequestContext = {
      what: `spotify:playlist:${id}`,
      notFound: messages.collection.noSuchPlaylist(id),
      notFoundHint: messages.collection.playlistNotFoundHint(),
      forbiddenHint: messages.collection.playlistForbiddenHint(),
    };
    const encoded = encodeURIComponent(id);
    const playlist: unknown = await this.#call(ctx, (sdk) => sdk.playlists.getPlaylist(encoded));
    if (!isObject(playlist)) throw this.#badAnswer(ctx.what, 'body', 'is not a playlist object');
    if (typeof playlist.name !== 'string') throw this.#badAnswer(ctx.what, 'name', 'is missing');
    const page: unknown = playlist.tracks ?? playlist.items;
    if (!isObject(page)) throw this.#badAnswer(ctx.what, 'tracks', 'is missing');
    const items: unknown[] = Array.isArray(page.items) ? [...page.items] : [];
    const total = typeof page.total === 'number' && page.total >= 0 ? page.total : items.length;
    if (!Array.isArray(page.items) && typeof page.total !== 'number') {
      throw this.#badAnswer(ctx.what, 'tracks.items', 'is missing');
    }
    // With no items in the playlist object (a trimmed answer), every page is fetched.
    let more = Array.isArray(page.items) ? Boolean(page.next) : total > 0;
    while (more && items.length < total) {
      const offset = items.length;
      const next: unknown = await this.#call(ctx, (sdk) =>
        sdk.playlists.getPlaylistItems(encoded, undefined, undefined, PLAYLIST_PAGE_SIZE as unknown as MaxInt<50>, offset),
      );
      if (!isObject(next) || !Array.isArray(next.items) || next.items.length === 0) break;
      items.push(...next.items);
      more = Boolean(next.next);
    }

    const tracks: TrackMetadata[] = [];
    const skipped: PlaylistSkip[] = [];
    items.forEach((item, i) => {
      const position = i + 1;
      const track: unknown = isObject(item) ? (item.track ?? item.item) : undefined;
      if (!isObject(track)) {
        skipped.push({ position, kind: 'unavailable' });
        return;
      }
      const name = typeof track.name === 'string' && track.name !== '' ? track.name : undefined;
      const skip = (kind: PlaylistSkip['kind']): void => {
        skipped.push(name === undefined ? { position, kind } : { position, kind, name });
      };
      const uri = typeof track.uri === 'string' ? track.uri : '';
      if (track.type === 'episode' || track.episode === true || uri.startsWith('spotify:episode:')) return skip('episode');
      if ((isObject(item) && item.is_local === true) || track.is_local === true || uri.startsWith('spotify:local:')) {
        return skip('local');
      }
      if (typeof track.id !== 'string' || track.id === '') return skip('unavailable');
      tracks.push(this.#toTrackMetadata(track, `${ctx.what} (item ${position})`));
    });

    const metadata: PlaylistMetadata = {
      id: typeof playlist.id === 'string' ? playlist.id : id,
      name: playlist.name,
      tracks,
      total: Math.max(total, items.length),
      skipped,
    };
    const owner = isObject(playlist.owner)
      ? typeof playlist.owner.display_name === 'string' && playlist.owner.display_name !== ''
        ? playlist.owner.display_name
        : typeof playlist.owner.id === 'string'
          ? playlist.owner.id
          : undefined
      : undefined;
    if (owner !== undefined) metadata.owner = owner;
    return metadata;
  }

  /** Run one SDK call and map its failure to a SongscopeError in the request's context. */
  async #call<T>(ctx: RequestContext, run: (sdk: SpotifyApi) => Promise<T>): Promise<T> {
    const sdk = await this.#api();
    try {
      return await run(sdk);
    } catch (e) {
      throw this.#mapError(e, ctx);
    }
  }

  #mapError(e: unknown, ctx: RequestContext): unknown {
    if (e instanceof SongscopeError) return e;
    if (e instanceof SpotifyBodyError) {
      return new SongscopeError(messages.notJson(`Spotify's answer for ${ctx.what}`, e.message), {
        exitCode: this.#badDataExitCode(),
        cause: e,
      });
    }
    if (!(e instanceof SpotifyStatusError)) return e;
    switch (e.status) {
      case 401:
        this.#auth.removeAccessToken();
        return runtimeError(messages.unauthorized(ctx.what), undefined, e);
      case 403:
        if (ctx.analysisOf !== undefined) {
          return runtimeError(messages.analysisForbidden(ctx.analysisOf), messages.analysisForbiddenHint(), e);
        }
        return runtimeError(messages.forbidden(ctx.what), ctx.forbiddenHint, e);
      case 404:
        return new SongscopeError(messages.notFound(ctx.notFound), {
          exitCode: ExitCode.USAGE,
          hint: ctx.notFoundHint,
          cause: e,
        });
      default:
        return runtimeError(messages.unexpectedStatus(e.status, ctx.what), undefined, e);
    }
  }

  /** Bad data from Spotify is a runtime failure; bad data in a fixtures directory is bad input. */
  #badDataExitCode(): ExitCode {
    return this.mode === 'replay' ? ExitCode.USAGE : ExitCode.RUNTIME;
  }

  #badAnswer(what: string, field: string, problem: string): SongscopeError {
    return new SongscopeError(messages.invalidField(`Spotify's answer for ${what}`, field, problem), {
      exitCode: this.#badDataExitCode(),
    });
  }

  #toTrackMetadata(raw: unknown, what: string, albumName?: string): TrackMetadata {
    if (!isObject(raw)) throw this.#badAnswer(what, 'body', 'is not a track object');
    const track = raw as Partial<Track>;
    if (typeof track.id !== 'string' || track.id === '') throw this.#badAnswer(what, 'id', 'is missing');
    if (typeof track.name !== 'string') throw this.#badAnswer(what, 'name', 'is missing');
    const metadata: TrackMetadata = { id: track.id, name: track.name, artists: artistNames(track.artists) };
    const album = albumName ?? (isObject(track.album) && typeof track.album.name === 'string' ? track.album.name : undefined);
    if (album !== undefined) metadata.album = album;
    if (typeof track.duration_ms === 'number' && Number.isFinite(track.duration_ms)) {
      metadata.durationMs = track.duration_ms;
    }
    return metadata;
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function artistNames(artists: unknown): string[] {
  if (!Array.isArray(artists)) return [];
  return artists.flatMap((a: unknown) => (isObject(a) && typeof a.name === 'string' ? [a.name] : []));
}

function checkBaseUrl(name: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw inputError(messages.badOption(name, value, 'an http:// or https:// URL'));
  }
  return value.replace(/\/+$/, '');
}
