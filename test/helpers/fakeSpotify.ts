/**
 * A small programmable fake of the Spotify accounts and Web API hosts, on 127.0.0.1 with a random port.
 *
 * Start it in a test, point a client (or a spawned CLI, via {@link FakeSpotify.env}) at it, program the
 * routes you need, then read {@link FakeSpotify.requests} and `await close()`.
 *
 * ```ts
 * const fake = await FakeSpotify.start({ fixturesDir: 'fixtures/spotify' });
 * fake.on('GET', '/v1/audio-analysis/:id', [{ status: 500 }, { json: analysis }]);
 * const child = spawn(process.execPath, ['dist/bin/songscope.js', …], { env: { ...process.env, ...fake.env() } });
 * …
 * await fake.close();
 * ```
 *
 * Built in:
 * - `POST /api/token`: 200 `{ access_token, token_type: 'Bearer', expires_in }` when the Basic auth header
 *   carries the configured client id and secret and the body has `grant_type=client_credentials`, else
 *   400 `{"error":"invalid_client","error_description":"Invalid client"}`. Programmable like any route.
 * - Every `/v1/…` request must carry `Authorization: Bearer <accessToken>`, else 401 (as Spotify), before
 *   any route runs (turn off with `checkToken: false`).
 * - With `fixturesDir`, a `GET /v1/…` that no route matches is answered from that directory with the
 *   same mapping as `--fixtures` (`fixturePathFor`), 404 when the file is missing.
 * - Anything else unmatched: 404 `{"error":{"status":404,"message":"Service not found"}}`.
 * - {@link FakeSpotify.inFlight} / {@link FakeSpotify.maxInFlight} count API requests being answered (for
 *   concurrency bounds), and each request's `doneAt` says when its answer went out.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturePathFor } from '../../src/sources/replay.js';

/** One request as the fake received it. */
export interface FakeRequest {
  /** Upper-case method. */
  method: string;
  /** The URL path, e.g. `/v1/tracks/ID` (percent-encoding kept). */
  path: string;
  /** The query string including `?`, or `''`. */
  search: string;
  /** Query parameters (the last value wins for repeated keys). */
  query: Record<string, string>;
  /** Request headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The request body as text. */
  body: string;
  /** Values of `:name` segments of the matched route pattern (empty when no route matched). */
  params: Record<string, string>;
  /** When the request arrived, ms since the epoch. */
  at: number;
  /** When the answer was sent (or the socket destroyed), ms since the epoch; unset while pending or hanging. */
  doneAt?: number;
}

/** How the fake answers one request. */
export type FakeReply =
  | {
      /** HTTP status (default 200). */
      status?: number;
      /** A JSON body (serialised with `JSON.stringify`); sets `content-type: application/json`. */
      json?: unknown;
      /** A raw body (used when `json` is absent). */
      body?: string | Uint8Array;
      /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
      headers?: Record<string, string>;
      /** Wait this many ms before answering. */
      delayMs?: number;
    }
  /** Destroy the socket without answering: the client sees a connection reset. */
  | { destroy: true }
  /** Never answer (until `close()`): for timeouts. */
  | { hang: true };

/**
 * A programmable answer: a fixed reply; a list of replies given to successive requests on the route (the
 * last one repeats); or a function of the request and its 1-based number on this route.
 */
export type FakeRoute = FakeReply | FakeReply[] | ((req: FakeRequest, n: number) => FakeReply | Promise<FakeReply>);

/** Options of {@link FakeSpotify.start}. */
export interface FakeSpotifyOptions {
  /** The client id the token endpoint accepts (default `fake-client-id`). */
  clientId?: string;
  /** The client secret the token endpoint accepts (default `fake-client-secret`). */
  clientSecret?: string;
  /** The access token it issues and requires on `/v1/…` (default `fake-access-token`). */
  accessToken?: string;
  /** `expires_in` of issued tokens, seconds (default 3600). */
  expiresIn?: number;
  /** Require `Authorization: Bearer <accessToken>` on `/v1/…` (default true). */
  checkToken?: boolean;
  /** Answer unmatched `GET /v1/…` from this recorded-fixtures directory. */
  fixturesDir?: string;
}

/** Spotify's error body: `{"error":{"status":…,"message":…}}` with that status. */
export function spotifyError(status: number, message: string, headers?: Record<string, string>): FakeReply {
  return { status, json: { error: { status, message } }, headers };
}

interface RouteEntry {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  route: FakeRoute;
  count: number;
}

/** The fake server. Create it with {@link FakeSpotify.start} (or {@link startFakeSpotify}). */
export class FakeSpotify {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `${url}/v1`: use as `SPOTIFY_API_BASE_URL` / `apiBaseUrl`. */
  readonly apiBaseUrl: string;
  /** `${url}`: use as `SPOTIFY_ACCOUNTS_BASE_URL` / `accountsBaseUrl` (token at `/api/token`). */
  readonly accountsBaseUrl: string;
  /** The client id the token endpoint accepts. */
  readonly clientId: string;
  /** The client secret the token endpoint accepts. */
  readonly clientSecret: string;
  /** The access token issued and required. */
  readonly accessToken: string;
  /** Every request received, in arrival order (including ones answered by `destroy` or `hang`). */
  readonly requests: FakeRequest[] = [];
  /** API requests (`/v1/…`) received and not yet answered (hanging ones included). */
  inFlight = 0;
  /** The largest {@link inFlight} seen since start or {@link reset}. */
  maxInFlight = 0;

  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #routes: RouteEntry[] = [];
  readonly #options: FakeSpotifyOptions;

  private constructor(server: Server, options: FakeSpotifyOptions) {
    this.#server = server;
    this.#options = options;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiBaseUrl = `${this.url}/v1`;
    this.accountsBaseUrl = this.url;
    this.clientId = options.clientId ?? 'fake-client-id';
    this.clientSecret = options.clientSecret ?? 'fake-client-secret';
    this.accessToken = options.accessToken ?? 'fake-access-token';
  }

  /** Start a fake on 127.0.0.1 with a random free port. */
  static async start(options: FakeSpotifyOptions = {}): Promise<FakeSpotify> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const fake = new FakeSpotify(server, options);
    server.on('connection', (socket: Socket) => {
      fake.#sockets.add(socket);
      socket.on('close', () => fake.#sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      void fake.#handle(req, res);
    });
    return fake;
  }

  /**
   * The environment a spawned songscope needs to use this fake: `SPOTIFY_API_BASE_URL`,
   * `SPOTIFY_ACCOUNTS_BASE_URL`, `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET` (merge over
   * `process.env`; pass `{ SPOTIFY_CLIENT_ID: '' }` etc. in `extra` to blank some).
   */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SPOTIFY_API_BASE_URL: this.apiBaseUrl,
      SPOTIFY_ACCOUNTS_BASE_URL: this.accountsBaseUrl,
      SPOTIFY_CLIENT_ID: this.clientId,
      SPOTIFY_CLIENT_SECRET: this.clientSecret,
      ...extra,
    };
  }

  /**
   * Program a route. `pattern` is a path with optional `:name` segments (`/v1/tracks/:id`), matched
   * against the whole path (query ignored); `*` as method matches any. The most recently added matching
   * route wins, so a test can override a default such as `POST /api/token`.
   */
  on(method: string, pattern: string, route: FakeRoute): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          names.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.#routes.push({ method: method.toUpperCase(), pattern, regex: new RegExp(`^${source}$`), names, route, count: 0 });
    return this;
  }

  /** Requests whose path starts with `pathPrefix` (and, when given, with that method). */
  requestsTo(pathPrefix: string, method?: string): FakeRequest[] {
    return this.requests.filter(
      (r) => r.path.startsWith(pathPrefix) && (method === undefined || r.method === method.toUpperCase()),
    );
  }

  /** Forget the programmed routes and the request log (the built-in behaviour stays). */
  reset(): void {
    this.#routes.length = 0;
    this.requests.length = 0;
    this.maxInFlight = this.inFlight;
  }

  /** Stop listening and destroy every open connection (hanging requests included). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const request: FakeRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      search: url.search,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      params: {},
      at: Date.now(),
    };
    this.requests.push(request);
    const counted = request.path.startsWith('/v1/');
    if (counted) {
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    }
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      request.doneAt = Date.now();
      if (counted) this.inFlight -= 1;
    };

    let reply: FakeReply;
    try {
      reply = await this.#reply(request);
    } catch (e) {
      reply = { status: 500, json: { error: { status: 500, message: `fake handler threw: ${String(e)}` } } };
    }
    if ('destroy' in reply) {
      finish();
      req.socket.destroy();
      return;
    }
    if ('hang' in reply) {
      res.on('close', finish);
      return;
    }
    res.on('close', finish);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    let body: string | Uint8Array = '';
    if (reply.json !== undefined) {
      body = JSON.stringify(reply.json);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    } else if (reply.body !== undefined) {
      body = reply.body;
    }
    if (res.destroyed) {
      finish();
      return;
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(body, finish);
  }

  async #reply(request: FakeRequest): Promise<FakeReply> {
    const isApi = request.path.startsWith('/v1/');
    if (isApi && this.#options.checkToken !== false) {
      const auth = request.headers.authorization;
      if (auth === undefined) return spotifyError(401, 'No token provided');
      if (auth !== `Bearer ${this.accessToken}`) return spotifyError(401, 'Invalid access token');
    }

    for (let i = this.#routes.length - 1; i >= 0; i--) {
      const entry = this.#routes[i]!;
      if (entry.method !== '*' && entry.method !== request.method) continue;
      const match = entry.regex.exec(request.path);
      if (!match) continue;
      entry.names.forEach((name, k) => {
        request.params[name] = decodeURIComponent(match[k + 1]!);
      });
      entry.count += 1;
      const route = entry.route;
      if (typeof route === 'function') return route(request, entry.count);
      if (Array.isArray(route)) return route[Math.min(entry.count, route.length) - 1] ?? { status: 500 };
      return route;
    }

    if (request.method === 'POST' && request.path === '/api/token') return this.#token(request);
    if (isApi && request.method === 'GET' && this.#options.fixturesDir) {
      const file = join(this.#options.fixturesDir, fixturePathFor(this.url + request.path + request.search, this.apiBaseUrl));
      try {
        return { body: await readFile(file), headers: { 'content-type': 'application/json; charset=utf-8' } };
      } catch {
        return spotifyError(404, 'Resource not found');
      }
    }
    return spotifyError(404, 'Service not found');
  }

  #token(request: FakeRequest): FakeReply {
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    const form = new URLSearchParams(request.body);
    if (request.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
      return { status: 400, json: { error: 'invalid_client', error_description: 'Invalid client' } };
    }
    return {
      json: { access_token: this.accessToken, token_type: 'Bearer', expires_in: this.#options.expiresIn ?? 3600 },
    };
  }
}

/** Shorthand for {@link FakeSpotify.start}. */
export function startFakeSpotify(options: FakeSpotifyOptions = {}): Promise<FakeSpotify> {
  return FakeSpotify.start(options);
}
