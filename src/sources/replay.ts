/**
 * Recorded fixtures: a directory of JSON files that answers Spotify GET requests without the network.
 *
 * One mapping, {@link fixturePathFor}, turns a request URL into a file path; replay
 * ({@link createReplayFetch}, `--fixtures DIR`) reads that file and record ({@link recordFixture},
 * `--record DIR`) writes it. The layout is documented for people who hand-make fixtures in
 * `fixtures/spotify/README.md`:
 *
 * - `GET {api}/tracks/{id}` → `tracks/{id}.json` (likewise `audio-analysis/{id}.json`, `albums/{id}.json`,
 *   `playlists/{id}.json`);
 * - `GET {api}/search?q=…&type=track…` → `search/{slug(q)}.json`;
 * - any other GET → the path under the API base as directories, plus `.` + the sorted `key-value`
 *   query pairs joined by `-` and slugged when there is a query string, plus `.json`
 *   (`albums/ID/tracks?offset=50&limit=50` → `albums/ID/tracks.limit-50-offset-50.json`; a playlist's
 *   pages: `playlists/ID/tracks?limit=100&offset=100` → `playlists/ID/tracks.limit-100-offset-100.json`).
 *
 * Each file holds the plain JSON body of a 200 answer; nothing else (no headers, no token) is stored.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, inputError, messages, SongscopeError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { DEFAULT_API_BASE_URL, type FetchLike } from './http.js';
import { slug } from '../util/slug.js';
import { parseJson } from '../util/jsonPosition.js';

/**
 * The fixture file for a GET request, as a relative path with `/` separators (join it to the fixtures
 * directory). The one mapping shared by replay and record; see the module comment and
 * `fixtures/spotify/README.md`.
 *
 * The path is taken relative to `apiBaseUrl` when the URL lies under it, else relative to the first
 * `/v1/` in the URL's path, else to the root. Path segments are percent-decoded; a segment that is not
 * plain `[A-Za-z0-9._-]` (or starts with `.`) is slugged (`_` when nothing is left), so a URL can never
 * name a file outside the directory. A search for tracks with an empty slug maps to `search/_.json`.
 *
 * @param url the request URL (the SDK's `https://api.spotify.com/v1/…` or a rewritten one)
 * @param apiBaseUrl the API base URL the path is relative to (default {@link DEFAULT_API_BASE_URL})
 */
export function fixturePathFor(url: string | URL, apiBaseUrl: string = DEFAULT_API_BASE_URL): string {
  const u = new URL(typeof url === 'string' ? url : url.href);
  const base = new URL(apiBaseUrl.replace(/\/+$/, '') + '/');
  let rest: string;
  if (u.origin === base.origin && u.pathname.startsWith(base.pathname)) {
    rest = u.pathname.slice(base.pathname.length);
  } else {
    const at = u.pathname.indexOf('/v1/');
    rest = at >= 0 ? u.pathname.slice(at + '/v1/'.length) : u.pathname;
  }
  const segments = rest
    .split('/')
    .filter((s) => s !== '')
    .map(safeSegment);
  if (segments.length === 0) segments.push('_');

  const params = [...u.searchParams];
  if (segments.length === 1 && segments[0] === 'search' && u.searchParams.get('type') === 'track') {
    return `search/${slug(u.searchParams.get('q') ?? '') || '_'}.json`;
  }
  let suffix = '';
  if (params.length > 0) {
    params.sort(([ka, va], [kb, vb]) => compare(ka, kb) || compare(va, vb));
    const query = slug(params.map(([k, v]) => `${k}-${v}`).join('-'));
    if (query !== '') suffix = `.${query}`;
  }
  return `${segments.join('/')}${suffix}.json`;
}

function safeSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // keep it as sent
  }
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(decoded)) return decoded;
  return slug(decoded) || '_';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The access token replay mode answers the token request with (no credentials are checked or sent). */
export const REPLAY_ACCESS_TOKEN = 'songscope-replay-token';

/** Options of {@link createReplayFetch}. */
export interface ReplayOptions {
  /** The fixtures directory (as the user named it: it appears in messages). */
  dir: string;
  /** API base URL that request paths are taken relative to (default {@link DEFAULT_API_BASE_URL}). */
  apiBaseUrl?: string;
}

/**
 * A `fetch` that answers from a fixtures directory and never touches the network.
 *
 * - `POST …/api/token` is answered locally with {@link REPLAY_ACCESS_TOKEN} (expires in 3600 s);
 * - `GET url` is answered 200 with the file at `join(dir, fixturePathFor(url, apiBaseUrl))`;
 * - a missing file throws `messages.fixtureMiss(dir, file, "GET url")` (exit code 2), an unreadable file
 *   `messages.fileUnreadable` and a file that is not JSON `messages.notJson` (both exit code 2);
 * - any other method throws `messages.internal` (songscope only reads from Spotify).
 */
export function createReplayFetch(options: ReplayOptions): FetchLike {
  const { dir } = options;
  const apiBaseUrl = options.apiBaseUrl ?? DEFAULT_API_BASE_URL;
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method === 'POST' && new URL(url).pathname.endsWith('/api/token')) {
      return jsonResponse(
        JSON.stringify({ access_token: REPLAY_ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }),
      );
    }
    if (method !== 'GET') {
      throw new SongscopeError(messages.internal(`replay mode answers only GET requests, not ${method} ${url}`));
    }
    const file = join(dir, fixturePathFor(url, apiBaseUrl));
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw inputError(messages.fixtureMiss(dir, file, `GET ${url}`), messages.fixtureMissHint());
      }
      throw new SongscopeError(messages.fileUnreadable(file, code), { exitCode: ExitCode.USAGE, cause: e });
    }
    parseJson(text, file); // a broken fixture is named with its line and column here, not by the SDK
    return jsonResponse(text);
  };
}

function jsonResponse(text: string): Response {
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/**
 * Record one successful GET answer: write `body` (the response bytes, unchanged) to
 * `join(dir, fixturePathFor(url, apiBaseUrl))` atomically, creating directories. A body that is not
 * JSON is not recorded. Throws `messages.writeFailed` (exit code 1) when the file cannot be written.
 *
 * Only call this for a 200 answer to a GET on the API; never for the token exchange or a failure.
 *
 * @returns the path written, or undefined when nothing was recorded
 */
export async function recordFixture(
  dir: string,
  url: string,
  body: Uint8Array,
  apiBaseUrl: string = DEFAULT_API_BASE_URL,
): Promise<string | undefined> {
  try {
    JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  const file = join(dir, fixturePathFor(url, apiBaseUrl));
  await writeFileAtomic(file, body);
  return file;
}
