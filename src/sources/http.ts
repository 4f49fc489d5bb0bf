/**
 * The HTTP layer under the Spotify client: a `fetch` wrapper that
 *
 * - rewrites the SDK's hard-coded `https://api.spotify.com/v1/` prefix to the configured API base URL
 *   (`SPOTIFY_API_BASE_URL`), so tests and recordings can point the SDK at another host;
 * - gives every try its own timeout (the whole exchange, headers and body);
 * - retries 5xx answers, connection failures and timeouts with exponential backoff;
 * - honours HTTP 429 `Retry-After`, within a waiting budget shared by every request of one client;
 * - returns a fully buffered `Response`, so a connection that breaks while the body is read is retried
 *   like any other network failure.
 *
 * Failures that survive the retries become {@link SongscopeError}s with the catalogue's messages. Any
 * other status (2xx, 3xx, 4xx other than 429) is returned to the caller, which maps it in context.
 * Nothing here ever puts a request header (the Basic auth header, an access token) into a message.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, messages, runtimeError, SongscopeError } from '../errors.js';

/** The real Spotify Web API base URL (no trailing slash); override with `SPOTIFY_API_BASE_URL`. */
export const DEFAULT_API_BASE_URL = 'https://api.spotify.com/v1';

/** The real Spotify accounts base URL (no trailing slash); override with `SPOTIFY_ACCOUNTS_BASE_URL`. */
export const DEFAULT_ACCOUNTS_BASE_URL = 'https://accounts.spotify.com';

/** The prefix `@spotify/web-api-ts-sdk` puts in front of every API path (hard-coded in the SDK). */
export const SDK_API_ROOT = 'https://api.spotify.com/v1/';

/** The token endpoint under an accounts base URL: `${base}/api/token`. */
export function tokenUrlFor(accountsBaseUrl: string): string {
  return `${trimSlashes(accountsBaseUrl)}/api/token`;
}

/** A `fetch`-compatible function: what the SDK's `fetch` option and our layers accept and return. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Default number of tries for a request that fails with 5xx or a network error (first try included). */
export const DEFAULT_TRIES = 3;
/** Default backoff before the second try, ms; it doubles for every further try (500, 1000, 2000 …). */
export const DEFAULT_RETRY_BASE_MS = 500;
/** Default timeout of one try (connect, headers and body), ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default total time one client may spend waiting on HTTP 429 `Retry-After`, seconds. */
export const DEFAULT_MAX_WAIT_S = 60;

/** Options of {@link SpotifyHttp}. Every field is optional; defaults are given per field. */
export interface SpotifyHttpOptions {
  /** API base URL replacing the SDK's `https://api.spotify.com/v1`; default {@link DEFAULT_API_BASE_URL}. */
  apiBaseUrl?: string;
  /**
   * Total seconds this instance may spend waiting on HTTP 429 answers, over all its requests
   * (default {@link DEFAULT_MAX_WAIT_S}). A wait that would exceed it fails at once instead.
   */
  maxWaitS?: number;
  /** Tries per request for 5xx answers, connection failures and timeouts (default {@link DEFAULT_TRIES}, ≥ 1). */
  tries?: number;
  /** Backoff before the second try in ms, doubled for each further try (default {@link DEFAULT_RETRY_BASE_MS}). */
  retryBaseMs?: number;
  /** Timeout of one try in ms, covering connection, headers and body (default {@link DEFAULT_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Receives informational lines (waiting on 429, retrying); default: discard them. */
  log?: (line: string) => void;
  /** The underlying fetch; default the global `fetch`. */
  fetch?: FetchLike;
}

/**
 * Parse a `Retry-After` header into whole seconds to wait: either delta-seconds (`"5"`, fractions
 * rounded up) or an HTTP date (seconds from `now`, rounded up). A missing or unparsable header, zero, or
 * a date in the past count as 1 s, so every wait draws on the budget and a loop of 429s must end.
 *
 * @param value the header value, or null when absent
 * @param now the current time in ms since the epoch (default `Date.now()`)
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number {
  if (value == null) return 1;
  const text = value.trim();
  let seconds = Number.NaN;
  if (/^\d+(\.\d+)?$/.test(text)) {
    seconds = Number(text);
  } else {
    const at = Date.parse(text);
    if (Number.isFinite(at)) seconds = (at - now) / 1000;
  }
  if (!Number.isFinite(seconds)) return 1;
  return Math.max(1, Math.ceil(seconds));
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Error codes (on the error or its `cause`) that mean the connection failed and a retry may help. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The retrying `fetch` of one Spotify client. Use {@link SpotifyHttp.fetch} (a bound function) as the
 * SDK's `fetch` option or call it directly (the token request does).
 */
export class SpotifyHttp {
  /** The API base URL in use, without trailing slash. */
  readonly apiBaseUrl: string;
  /** Total 429 waiting budget of this instance, seconds. */
  readonly maxWaitS: number;
  /** Tries per request (≥ 1). */
  readonly tries: number;
  /** Backoff before the second try, ms. */
  readonly retryBaseMs: number;
  /** Timeout of one try, ms. */
  readonly timeoutMs: number;

  readonly #log: (line: string) => void;
  readonly #fetch: FetchLike;
  #waitedS = 0;

  /** @param options see {@link SpotifyHttpOptions}; invalid numbers throw a usage {@link SongscopeError}. */
  constructor(options: SpotifyHttpOptions = {}) {
    this.apiBaseUrl = trimSlashes(options.apiBaseUrl ?? DEFAULT_API_BASE_URL);
    this.maxWaitS = checkNumber('maxWaitS', options.maxWaitS ?? DEFAULT_MAX_WAIT_S, 0, 'a number of seconds ≥ 0');
    this.tries = checkNumber('tries', options.tries ?? DEFAULT_TRIES, 1, 'an integer ≥ 1', true);
    this.retryBaseMs = checkNumber('retryBaseMs', options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, 0, 'a number of ms ≥ 0');
    this.timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, 'a number of ms ≥ 1');
    this.#log = options.log ?? (() => undefined);
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Seconds spent so far waiting on HTTP 429 answers (counted against {@link maxWaitS}). */
  get waitedS(): number {
    return this.#waitedS;
  }

  /** Rewrite the SDK's `https://api.spotify.com/v1/` prefix to {@link apiBaseUrl}; other URLs pass unchanged. */
  rewrite(url: string): string {
    return url.startsWith(SDK_API_ROOT) ? `${this.apiBaseUrl}/${url.slice(SDK_API_ROOT.length)}` : url;
  }

  /**
   * Fetch with rewrite, timeout, retries and 429 handling; resolves to a buffered `Response` whose status
   * is below 500 and not 429. Throws a {@link SongscopeError} (exit code 1) with
   * `messages.serverFailed`, `messages.networkFailed` or `messages.rateLimited` when retrying cannot help.
   * A `Request` object is not accepted as `input` (pass a URL and `init`: its body must be reusable).
   */
  readonly fetch: FetchLike = async (input, init = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      throw new TypeError(messages.invariant.httpTakesUrl());
    }
    const url = this.rewrite(typeof input === 'string' ? input : input.href);
    const host = hostOf(url);
    let failedTries = 0;
    for (;;) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await this.#try(url, init);
      } catch (e) {
        if (!isRetryableNetworkError(e)) throw e;
        failure = e;
      }

      if (response?.status === 429) {
        const askedS = parseRetryAfter(response.headers.get('retry-after'));
        if (this.#waitedS + askedS > this.maxWaitS) {
          throw runtimeError(messages.rateLimited(askedS, this.#waitedS, this.maxWaitS));
        }
        this.#waitedS += askedS;
        this.#log(messages.rateLimitWait(askedS));
        await sleep(askedS * 1000);
        continue; // a 429 is not a failed try: the waiting budget bounds this loop
      }
      if (response && response.status < 500) return response;

      failedTries += 1;
      const problem = response
        ? `Spotify failed with HTTP ${response.status}`
        : `could not reach ${host} (${describeNetworkError(failure, this.timeoutMs)})`;
      if (failedTries >= this.tries) {
        if (response) throw runtimeError(messages.serverFailed(response.status, this.tries));
        throw runtimeError(
          messages.networkFailed(host, describeNetworkError(failure, this.timeoutMs), this.tries),
          undefined,
          failure,
        );
      }
      const delayMs = this.retryBaseMs * 2 ** (failedTries - 1);
      this.#log(messages.retrying(problem, formatSeconds(delayMs), failedTries + 1, this.tries));
      await sleep(delayMs);
    }
  };

  /** One try: fetch and read the whole body under one timeout; resolves to a buffered copy. */
  async #try(url: string, init: RequestInit): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await raceAbort(this.#fetch(url, { ...init, signal }), signal);
    const body = NULL_BODY_STATUSES.has(response.status)
      ? null
      : new Uint8Array(await raceAbort(response.arrayBuffer(), signal));
    const headers = new Headers(response.headers);
    // The body is already decoded and complete: these would describe the bytes on the wire, not ours.
    headers.delete('content-encoding');
    headers.delete('content-length');
    headers.delete('transfer-encoding');
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  }
}

/**
 * True when `e` is a connection failure or timeout worth retrying: undici's `fetch failed` /
 * `terminated` TypeErrors, a `TimeoutError`, or an error whose code (or its cause's) is a network code.
 * A caller's own abort (`AbortError`) and everything else are not retried.
 */
export function isRetryableNetworkError(e: unknown): boolean {
  if (e instanceof SongscopeError) return false;
  if (e instanceof Error && e.name === 'TimeoutError') return true;
  if (e instanceof Error && e.name === 'AbortError') return false;
  if (e instanceof TypeError && (e.message === 'fetch failed' || e.message === 'terminated')) return true;
  const code = errorCode(e);
  return code !== undefined && NETWORK_CODES.has(code);
}

/**
 * A short description of a network failure for `messages.networkFailed`: the error code
 * (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET` …), `timed out after N s`, or the error's message.
 */
export function describeNetworkError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && e.name === 'TimeoutError') return `timed out after ${formatSeconds(timeoutMs)} s`;
  const code = errorCode(e);
  if (code) return code;
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? e.cause.message : undefined;
    return cause ?? e.message;
  }
  return String(e);
}

/** The first string `code` on `e`, its `cause` chain, or an AggregateError's first error. */
function errorCode(e: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof e !== 'object' || e === null) return undefined;
  const withCode = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof withCode.code === 'string') return withCode.code;
  if (Array.isArray(withCode.errors) && withCode.errors.length > 0) {
    const inner = errorCode(withCode.errors[0], depth + 1);
    if (inner) return inner;
  }
  return errorCode(withCode.cause, depth + 1);
}

/** Reject with the signal's reason when it aborts, even if `promise` ignores the signal. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function checkNumber(name: string, value: number, min: number, expected: string, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new SongscopeError(messages.badOption(name, String(value), expected), { exitCode: ExitCode.USAGE });
  }
  return value;
}
