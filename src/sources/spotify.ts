/**
 * The Spotify source: track metadata, audio analyses, track search and albums from the Spotify Web
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
import { SpotifyApi } from '@spotify/web-api-ts-sdk';
import type {
  AccessToken,
  Album,
  IAuthStrategy,
  IResponseDeserializer,
  IValidateResponses,
  SdkConfiguration,
  SimplifiedTrack,
  Track,
} from '@spotify/web-api-ts-sdk';
import type { TrackMetadata } from '../analysis/types.js';
import { ExitCode, inputError, messages, runtimeError, SongscopeError } from '../errors.js';
import {
  DEFAULT_ACCOUNTS_BASE_URL,
  DEFAULT_API_BASE_URL,
  SDK_API_ROOT,
  SpotifyHttp,
  tokenUrlFor,
  type FetchLike,
} from './http.js';
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
}

/** What a request is about, for messages. */
interface RequestContext {
  /** Names the object: `spotify:track:ID`, `the audio analysis of spotify:track:ID` … */
  what: string;
  /** Completes `messages.notFound`: `no such track spotify:track:ID` … */
  notFound: string;
  /** Set for audio-analysis requests: 403 then gets its own message and hint. */
  analysisOf?: string;
}

/** Page size used to fetch the remaining tracks of a long album. */
const ALBUM_PAGE_SIZE = 50;

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

  readonly #sdk: SpotifyApi;
  readonly #auth: ClientCredentialsAuth;
  readonly #hasCredentials: boolean;

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

    const http = new SpotifyHttp({
      apiBaseUrl,
      maxWaitS: options.maxWaitS,
      tries: options.tries,
      retryBaseMs: options.retryBaseMs,
      timeoutMs: options.timeoutMs,
      log: options.log,
      fetch: options.fetch,
    });

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
        const response = await http.fetch(input, init);
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
      sdkFetch = http.fetch;
    }

    this.#auth = new ClientCredentialsAuth({
      tokenUrl: tokenUrlFor(accountsBaseUrl),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      requireCredentials: this.mode !== 'replay',
      fetch: transport,
    });
    this.#sdk = new SpotifyApi(this.#auth, {
      fetch: sdkFetch,
      responseValidator: new SpotifyResponseValidator(),
      deserializer: new JsonDeserializer(),
    });
  }

  /**
   * Track metadata from `GET /tracks/{id}`.
   * @param id a Spotify track id (22 characters of [0-9A-Za-z]; validated by the caller)
   */
  async getTrack(id: string): Promise<TrackMetadata> {
    const ctx: RequestContext = { what: `spotify:track:${id}`, notFound: `no such track spotify:track:${id}` };
    const track = await this.#call(ctx, () => this.#sdk.tracks.get(encodeURIComponent(id)));
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
    const body: unknown = await this.#call(ctx, () => this.#sdk.tracks.audioAnalysis(encodeURIComponent(id)));
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
    const result = await this.#call(ctx, () => this.#sdk.search(query, ['track'], undefined, 1));
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
    const album = (await this.#call(ctx, () => this.#sdk.albums.get(encoded))) as Album | null;
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
      const more = await this.#call(ctx, () => this.#sdk.albums.tracks(encoded, undefined, ALBUM_PAGE_SIZE, offset));
      if (!isObject(more) || !Array.isArray(more.items) || more.items.length === 0) break;
      items.push(...more.items);
      next = more.next ?? null;
    }
    return {
      id: typeof album.id === 'string' ? album.id : id,
      name: album.name,
      artists: artistNames(album.artists),
      tracks: items.map((t, i) => this.#toTrackMetadata(t, `${ctx.what} (track ${i + 1})`, album.name)),
    };
  }

  /** Run one SDK call and map its failure to a SongscopeError in the request's context. */
  async #call<T>(ctx: RequestContext, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
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
        return runtimeError(messages.forbidden(ctx.what), undefined, e);
      case 404:
        return new SongscopeError(messages.notFound(ctx.notFound), { exitCode: ExitCode.USAGE, cause: e });
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
