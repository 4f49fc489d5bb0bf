import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, messages, SongscopeError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/sources/http.js';
import { fixturePathFor } from '../../src/sources/replay.js';
import { slug } from '../../src/util/slug.js';
import { SpotifyClient, spotifyOptionsFromEnv, type SpotifyClientOptions } from '../../src/sources/spotify.js';
import { FakeSpotify, spotifyError } from '../helpers/fakeSpotify.js';
import { MOCKED_CLOCK, settled, turns, until } from '../helpers/clock.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/spotify', import.meta.url));
const TRACK_ID = '7nWUDDCpTDYle0Ppi8i5K1';
const ALBUM_ID = 'SongscopeFixtureAlbum1';
const ANALYSIS = JSON.parse(await readFile(join(FIXTURES, 'audio-analysis', `${TRACK_ID}.json`), 'utf8')) as unknown;

const SECRET = 'shh-this-is-the-client-secret';
const TOKEN = 'tok-0123456789-access';
const BASIC = Buffer.from(`client-id-123:${SECRET}`).toString('base64');

const tmp = tempDirPerSuite('spotify');
let tempDirs = 0;
/** A fresh directory inside this file's temporary directory. */
async function tempDir(): Promise<string> {
  const dir = join(tmp.path, String(tempDirs++));
  await mkdir(dir);
  return dir;
}

/** A track object in the Web API's shape. */
function trackObject(id: string, name: string, artists: string[], album = 'Some Album', durationMs = 200_000) {
  return {
    id,
    name,
    type: 'track',
    uri: `spotify:track:${id}`,
    duration_ms: durationMs,
    artists: artists.map((a, i) => ({ id: `artist${i}`, name: a, type: 'artist' })),
    album: { id: 'album0000000000000000A', name: album, type: 'album' },
  };
}

/** Await a rejection and check it is a SongscopeError that leaks no credential. */
async function rejection(promise: Promise<unknown>): Promise<SongscopeError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof SongscopeError, `expected a SongscopeError, got ${String(e)}`);
    for (const text of [e.message, e.hint ?? '', String(e.cause ?? ''), e.stack ?? '']) {
      for (const secret of [SECRET, TOKEN, BASIC]) assert.ok(!text.includes(secret), `leaked a credential: ${text}`);
    }
    return e;
  }
  assert.fail('expected the promise to reject');
}

describe('SpotifyClient against the fake Spotify', () => {
  let fake: FakeSpotify;
  let logLines: string[];

  beforeEach(async () => {
    fake = await FakeSpotify.start({ clientId: 'client-id-123', clientSecret: SECRET, accessToken: TOKEN });
    logLines = [];
  });
  afterEach(async () => {
    await fake.close();
  });

  const client = (extra: SpotifyClientOptions = {}): SpotifyClient =>
    new SpotifyClient({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      apiBaseUrl: fake.apiBaseUrl,
      accountsBaseUrl: fake.accountsBaseUrl,
      retryBaseMs: 5,
      log: (line) => logLines.push(line),
      ...extra,
    });

  test('gets a token, then the analysis, through the overridden base URLs', async () => {
    fake.on('GET', '/v1/audio-analysis/:id', { json: ANALYSIS });
    const spotify = client();
    assert.equal(spotify.mode, 'live', 'credentials and no fixtures: live mode');

    const body = await spotify.getAudioAnalysis(TRACK_ID);
    assert.deepEqual(body, ANALYSIS, 'the analysis as served');

    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /api/token', `GET /v1/audio-analysis/${TRACK_ID}`], 'a token, then the analysis',
    );
    const [tokenRequest, apiRequest] = fake.requests;
    assert.equal(tokenRequest!.headers.authorization, `Basic ${BASIC}`, 'Basic authorization on the token request');
    assert.equal(new URLSearchParams(tokenRequest!.body).get('grant_type'), 'client_credentials', 'the client-credentials grant');
    assert.equal(apiRequest!.headers.authorization, `Bearer ${TOKEN}`, 'Bearer token on the API request');

    // The token is cached in memory: a second request does not ask for another.
    fake.on('GET', '/v1/tracks/:id', { json: trackObject(TRACK_ID, 'A Song', ['Someone', 'Else'], 'An Album', 123712) });
    const track = await spotify.getTrack(TRACK_ID);
    assert.deepEqual(track, {
      id: TRACK_ID,
      name: 'A Song',
      artists: ['Someone', 'Else'],
      album: 'An Album',
      durationMs: 123712,
    }, 'the track\'s fields');
    assert.equal(fake.requestsTo('/api/token').length, 1, 'the token is reused');
    assert.deepEqual(logLines, [], 'nothing logged');
  });

  test('missing credentials: constructing is fine, the first request fails before any network', async () => {
    const spotify = new SpotifyClient({ apiBaseUrl: fake.apiBaseUrl, accountsBaseUrl: fake.accountsBaseUrl });
    const error = await rejection(spotify.getAudioAnalysis(TRACK_ID));
    assert.equal(error.message, messages.missingCredentials(), 'the missing-credentials message');
    assert.equal(error.hint, messages.missingCredentialsHint(), 'the missing-credentials hint');
    assert.equal(error.exitCode, ExitCode.USAGE, 'exit code 2');
    assert.equal(fake.requests.length, 0, 'no request');
  });

  test('token endpoint 400 invalid_client → bad credentials', async () => {
    const spotify = client({ clientSecret: 'not-the-secret' });
    const error = await rejection(spotify.getTrack(TRACK_ID));
    assert.equal(error.message, messages.badCredentials(400, 'invalid_client'), 'the bad-credentials message with status 400');
    assert.equal(error.exitCode, ExitCode.RUNTIME, 'exit code 1');
    assert.equal(fake.requests.length, 1, 'a refused token is not retried');
  });

  test('token endpoint 401 → bad credentials; API 401 → unauthorized', async () => {
    fake.on('POST', '/api/token', { status: 401, json: { error: 'invalid_client' } });
    let error = await rejection(client().getTrack(TRACK_ID));
    assert.equal(error.message, messages.badCredentials(401, 'invalid_client'), 'the bad-credentials message with status 401');
    assert.equal(error.exitCode, ExitCode.RUNTIME, 'exit code 1');

    fake.reset();
    fake.on('GET', '/v1/tracks/:id', spotifyError(401, 'Invalid access token'));
    error = await rejection(client().getTrack(TRACK_ID));
    assert.equal(error.message, messages.unauthorized(`spotify:track:${TRACK_ID}`), 'an API 401 is "unauthorized"');
    assert.equal(error.exitCode, ExitCode.RUNTIME, 'exit code 1');
  });

  test('403 on audio-analysis names 403 and the November 2024 policy; 403 elsewhere is plain', async () => {
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(403, 'Forbidden'));
    fake.on('GET', '/v1/tracks/:id', spotifyError(403, 'Forbidden'));
    const spotify = client();

    const error = await rejection(spotify.getAudioAnalysis(TRACK_ID));
    assert.equal(error.message, messages.analysisForbidden(TRACK_ID), 'the analysis-forbidden message');
    assert.match(error.message, /403/, 'the message names 403');
    assert.match(error.hint ?? '', /27 November 2024/, 'the hint names the November 2024 policy');
    assert.match(error.hint ?? '', /--fixtures/, 'the hint names --fixtures');
    assert.equal(error.exitCode, ExitCode.RUNTIME, 'exit code 1');

    const other = await rejection(spotify.getTrack(TRACK_ID));
    assert.equal(other.message, messages.forbidden(`spotify:track:${TRACK_ID}`), 'a 403 elsewhere is plain "forbidden"');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 1, 'a 403 is not retried');
  });

  test('404 → not found, exit code 2', async () => {
    const spotify = client(); // the fake answers 404 for anything not programmed
    const analysis = await rejection(spotify.getAudioAnalysis(TRACK_ID));
    assert.equal(
      analysis.message,
      messages.notFound(`no such track spotify:track:${TRACK_ID}, or Spotify has no audio analysis for it`), 'the analysis 404 message',
    );
    assert.equal(analysis.exitCode, ExitCode.USAGE, 'exit code 2');
    const track = await rejection(spotify.getTrack(TRACK_ID));
    assert.equal(track.message, messages.notFound(`no such track spotify:track:${TRACK_ID}`), 'the track 404 message');
    const album = await rejection(spotify.getAlbum(ALBUM_ID));
    assert.equal(album.message, messages.notFound(`no such album spotify:album:${ALBUM_ID}`), 'the album 404 message');
  });

  test('429 with Retry-After: 1, then 200: waits the second out (mocked clock), logs, succeeds; the budget is per client', { timeout: 60_000 }, async (t) => {
    fake.on('GET', '/v1/audio-analysis/:id', [
      spotifyError(429, 'API rate limit exceeded', { 'retry-after': '1' }),
      { json: ANALYSIS },
      spotifyError(429, 'API rate limit exceeded', { 'retry-after': '1' }),
    ]);
    t.mock.timers.enable({ apis: MOCKED_CLOCK, now: 0 });
    const spotify = client({ maxWaitS: 1 });
    const analyses = () => fake.requestsTo('/v1/audio-analysis/');
    const pending = spotify.getAudioAnalysis(TRACK_ID);
    await until(() => logLines.length > 0, 'the wait is announced');
    t.mock.timers.tick(999);
    await turns();
    assert.equal(analyses().length, 1, 'not asked again 999 ms after the 429');
    t.mock.timers.tick(1);
    assert.deepEqual(await settled(pending, 'the request after the wait'), ANALYSIS, 'the analysis after the wait');
    assert.deepEqual(analyses().map((r) => r.at), [0, 1000], 'asked again when the second was over, not before');
    assert.deepEqual(logLines, [messages.rateLimitWait(1)], 'one wait logged');
    assert.equal(logLines[0], 'Spotify asked to wait 1 s (HTTP 429); waiting…', 'the wait line as the user sees it');

    // The one second spent the whole budget of this client: the next 429 fails while the clock stands still.
    const error = await rejection(settled(spotify.getAudioAnalysis(TRACK_ID), 'the second 429 fails without waiting'));
    assert.equal(error.message, messages.rateLimited(1, 1, 1), 'the budget-spent message');
    assert.equal(error.message, 'Spotify is rate-limiting requests (HTTP 429) and asked to wait 1 s more after 1 s of waiting, beyond --max-wait 1 s in total; try again later or raise --max-wait', 'the budget-spent message as the user sees it');
    assert.equal(analyses().length, 3, 'the 429 is not retried');
    assert.equal(logLines.length, 1, 'no second wait logged');
  });

  test('429 asking longer than --max-wait fails at once, saying how long', { timeout: 60_000 }, async (t) => {
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(429, 'API rate limit exceeded', { 'retry-after': '120' }));
    t.mock.timers.enable({ apis: MOCKED_CLOCK, now: 0 });
    const error = await rejection(settled(client({ maxWaitS: 60 }).getAudioAnalysis(TRACK_ID), 'the 429 fails without waiting'));
    assert.equal(error.message, messages.rateLimited(120, 0, 60), 'the too-long message');
    assert.equal(error.message, 'Spotify is rate-limiting requests (HTTP 429) and asked to wait 120 s, beyond --max-wait 60 s in total; try again later or raise --max-wait', 'the too-long message as the user sees it');
    assert.match(error.message, /120 s/, 'the message names 120 s');
    assert.equal(error.exitCode, ExitCode.RUNTIME, 'exit code 1');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 1, 'no retry');
    assert.deepEqual(logLines, [], 'no wait logged');
  });

  test('500 then 200 succeeds', async () => {
    fake.on('GET', '/v1/audio-analysis/:id', [spotifyError(500, 'Server error'), { json: ANALYSIS }]);
    assert.deepEqual(await client().getAudioAnalysis(TRACK_ID), ANALYSIS, 'the analysis after the retry');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 2, 'two requests');
    assert.equal(logLines.length, 1, 'one retry logged');
    assert.match(logLines[0]!, /HTTP 500; retrying in .* s \(try 2 of 3\)/, `the retry line "${logLines[0]}"`);
  });

  test('500 three times fails after exactly 3 requests', async () => {
    fake.on('GET', '/v1/audio-analysis/:id', { status: 503, body: 'upstream down' });
    const error = await rejection(client().getAudioAnalysis(TRACK_ID));
    assert.equal(error.message, messages.serverFailed(503, 3), 'the server-failed message');
    assert.equal(error.exitCode, ExitCode.RUNTIME, 'exit code 1');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 3, 'exactly 3 requests');
  });

  test('a reset connection is retried; reset every time → network failure after the tries', async () => {
    fake.on('GET', '/v1/audio-analysis/:id', [{ destroy: true }, { json: ANALYSIS }]);
    assert.deepEqual(await client().getAudioAnalysis(TRACK_ID), ANALYSIS, 'the analysis after the retry');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 2, 'two requests');

    fake.reset();
    fake.on('GET', '/v1/tracks/:id', { destroy: true });
    const error = await rejection(client({ tries: 2 }).getTrack(TRACK_ID));
    const host = new URL(fake.url).host;
    assert.match(error.message, new RegExp(`^could not reach ${host.replace(/\./g, '\\.')} \\(.+\\) after 2 tries`), `"${error.message}" names the host and the 2 tries`);
    assert.equal(fake.requestsTo('/v1/tracks/').length, 2, 'two tries');
  });

  test('a try that times out is retried', async () => {
    fake.on('GET', '/v1/tracks/:id', [{ hang: true }, { json: trackObject(TRACK_ID, 'Late', ['Band']) }]);
    const track = await client({ timeoutMs: 150 }).getTrack(TRACK_ID);
    assert.equal(track.name, 'Late', 'the answer of the retry');

    fake.on('GET', '/v1/tracks/:id', { hang: true });
    const error = await rejection(client({ timeoutMs: 100, tries: 2 }).getTrack(TRACK_ID));
    assert.match(error.message, /\(timed out after 0\.1 s\) after 2 tries/, `"${error.message}" names the timeout and the 2 tries`);
  });

  test('connection refused → network failure naming the host', async () => {
    const url = fake.url;
    await fake.close();
    const spotify = new SpotifyClient({
      clientId: 'id',
      clientSecret: SECRET,
      apiBaseUrl: `${url}/v1`,
      accountsBaseUrl: url,
      tries: 2,
      retryBaseMs: 1,
    });
    const error = await rejection(spotify.getTrack(TRACK_ID));
    assert.equal(error.message, messages.networkFailed(new URL(url).host, 'ECONNREFUSED', 2), 'the network-failed message naming the host');
    fake = await FakeSpotify.start(); // for afterEach
  });

  test('search returns the first track hit', async () => {
    fake.on('GET', '/v1/search', {
      json: {
        tracks: {
          items: [trackObject(TRACK_ID, 'First', ['A']), trackObject('1111111111111111111111', 'Second', ['B'])],
          total: 2,
        },
      },
    });
    const hit = await client().searchTrack('Quiet instrumental');
    assert.equal(hit.id, TRACK_ID, 'the first hit\'s id');
    assert.equal(hit.name, 'First', 'the first hit\'s name');
    const [search] = fake.requestsTo('/v1/search');
    assert.deepEqual(search!.query, { q: 'Quiet instrumental', type: 'track', limit: '1' }, 'the search query');
  });

  test('search with no hits → searchNoResults, exit code 2', async () => {
    fake.on('GET', '/v1/search', { json: { tracks: { items: [], total: 0 } } });
    const error = await rejection(client().searchTrack('zzz nothing'));
    assert.equal(error.message, messages.searchNoResults('zzz nothing'), 'the no-results message');
    assert.equal(error.exitCode, ExitCode.USAGE, 'exit code 2');
  });

  test('album: every page of tracks, album name on each', async () => {
    const items = Array.from({ length: 3 }, (_, i) => {
      const { album: _album, ...simplified } = trackObject(`track${i}00000000000000000`.slice(0, 22), `Song ${i}`, ['Band']);
      return simplified;
    });
    fake.on('GET', `/v1/albums/:id`, {
      json: {
        id: ALBUM_ID,
        name: 'The Album',
        artists: [{ id: 'x', name: 'Band' }],
        tracks: { items: items.slice(0, 2), total: 3, limit: 2, offset: 0, next: 'https://api.spotify.com/v1/albums/…' },
      },
    });
    fake.on('GET', '/v1/albums/:id/tracks', { json: { items: items.slice(2), total: 3, limit: 50, offset: 2, next: null } });
    const album = await client().getAlbum(ALBUM_ID);
    assert.equal(album.name, 'The Album', 'album name');
    assert.deepEqual(album.artists, ['Band'], 'album artists');
    assert.deepEqual(
      album.tracks.map((t) => [t.name, t.album]),
      [
        ['Song 0', 'The Album'],
        ['Song 1', 'The Album'],
        ['Song 2', 'The Album'],
      ], 'every page\'s tracks, each with the album name',
    );
    const [page] = fake.requestsTo(`/v1/albums/${ALBUM_ID}/tracks`);
    assert.deepEqual(page!.query, { limit: '50', offset: '2' }, 'the second page from offset 2');
  });

  test('record against the fake, then replay the recording with the server closed', async () => {
    const dir = await tempDir();
    fake.on('GET', '/v1/tracks/:id', (req) =>
      req.params.id === TRACK_ID ? { json: trackObject(TRACK_ID, 'Recorded', ['Artist']) } : spotifyError(404, 'Not found'),
    );
    fake.on('GET', '/v1/audio-analysis/:id', [spotifyError(500, 'oops'), { json: ANALYSIS }]);
    fake.on('GET', '/v1/search', { json: { tracks: { items: [trackObject(TRACK_ID, 'Recorded', ['Artist'])] } } });
    fake.on('GET', '/v1/albums/:id', {
      json: { id: ALBUM_ID, name: 'Rec Album', artists: [{ name: 'Artist' }], tracks: { items: [trackObject(TRACK_ID, 'Recorded', ['Artist'])], total: 1, next: null } },
    });

    const recorder = client({ recordDir: dir });
    assert.equal(recorder.mode, 'record', 'record mode');
    const run = async (s: SpotifyClient) => ({
      track: await s.getTrack(TRACK_ID),
      analysis: await s.getAudioAnalysis(TRACK_ID),
      search: await s.searchTrack('Some Query!'),
      album: await s.getAlbum(ALBUM_ID),
    });
    const live = await run(recorder);
    // Failures are not recorded.
    assert.equal((await rejection(recorder.getTrack('0000000000000000000404'))).exitCode, ExitCode.USAGE, 'a 404 while recording is still a usage error');
    await fake.close();

    const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => relative(dir, join(d.parentPath, d.name)).split('\\').join('/'))
      .sort();
    assert.deepEqual(files, [
      `albums/${ALBUM_ID}.json`,
      `audio-analysis/${TRACK_ID}.json`,
      'search/some-query.json',
      `tracks/${TRACK_ID}.json`,
    ], 'the recorded files');
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8');
      for (const secret of [SECRET, TOKEN, BASIC]) assert.ok(!text.includes(secret), `${file} holds a credential`);
    }
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'audio-analysis', `${TRACK_ID}.json`), 'utf8')), ANALYSIS, 'the recorded analysis as served');

    const replayer = new SpotifyClient({
      fixturesDir: dir,
      fetch: () => Promise.reject(new Error('replay must not touch the network')),
    });
    assert.equal(replayer.mode, 'replay', 'replay mode');
    assert.deepEqual(await run(replayer), live, 'the replay equals the live run');
    fake = await FakeSpotify.start(); // for afterEach
  });
});

describe('replay', () => {
  test('a missing file → fixtureMiss naming the file, exit code 2', async () => {
    const dir = await tempDir();
    const spotify = new SpotifyClient({ fixturesDir: dir });
    const error = await rejection(spotify.getAudioAnalysis(TRACK_ID));
    const file = join(dir, 'audio-analysis', `${TRACK_ID}.json`);
    assert.equal(
      error.message,
      messages.fixtureMiss(dir, file, `GET https://api.spotify.com/v1/audio-analysis/${TRACK_ID}`), 'the fixture-miss message',
    );
    assert.ok(error.message.includes(file), 'the message names the missing file');
    assert.equal(error.exitCode, ExitCode.USAGE, 'exit code 2');
  });

  test('fixtures/spotify answers track, analysis, search and album without credentials', async () => {
    const spotify = new SpotifyClient({
      fixturesDir: FIXTURES,
      fetch: () => Promise.reject(new Error('replay must not touch the network')),
    });
    const expectedTrack = {
      id: TRACK_ID,
      name: 'Untitled (recorded fixture)',
      artists: ['Unknown artist'],
      album: 'Unknown album (hand-made fixture)',
      durationMs: 123712,
    };
    assert.deepEqual(await spotify.getTrack(TRACK_ID), expectedTrack, 'the recorded track');
    assert.deepEqual(await spotify.getAudioAnalysis(TRACK_ID), ANALYSIS, 'the recorded analysis');
    assert.deepEqual(await spotify.searchTrack('quiet instrumental'), expectedTrack, 'the recorded search');
    const album = await spotify.getAlbum(ALBUM_ID);
    assert.equal(album.id, ALBUM_ID, 'album id');
    assert.deepEqual(album.artists, ['Unknown artist'], 'album artists');
    assert.deepEqual(album.tracks, [expectedTrack], 'album tracks');
    // The analysis is 123.71161 s long: the hand-made track's duration_ms agrees.
    assert.equal(Math.round((ANALYSIS as { track: { duration: number } }).track.duration * 1000), 123712, 'the analysis duration agrees with duration_ms');
  });

  test('the fake can serve a fixtures directory too', async () => {
    const fake = await FakeSpotify.start({ fixturesDir: FIXTURES });
    try {
      const spotify = new SpotifyClient({ ...spotifyOptionsFromEnv(fake.env()), retryBaseMs: 1 });
      assert.equal((await spotify.getTrack(TRACK_ID)).name, 'Untitled (recorded fixture)', 'a track from the directory');
      assert.equal((await spotify.getAlbum(ALBUM_ID)).tracks.length, 1, 'the album from the directory');
      await rejection(spotify.getTrack('0000000000000000000000'));
    } finally {
      await fake.close();
    }
  });
});

describe('fixturePathFor', () => {
  const api = 'https://api.spotify.com/v1';
  test('maps the request kinds', () => {
    assert.equal(fixturePathFor(`${api}/tracks/${TRACK_ID}`), `tracks/${TRACK_ID}.json`, 'tracks');
    assert.equal(fixturePathFor(`${api}/audio-analysis/${TRACK_ID}`), `audio-analysis/${TRACK_ID}.json`, 'audio-analysis');
    assert.equal(fixturePathFor(`${api}/albums/${ALBUM_ID}`), `albums/${ALBUM_ID}.json`, 'albums');
    assert.equal(fixturePathFor(`${api}/search?q=Quiet+Instrumental&type=track&limit=1`), 'search/quiet-instrumental.json', 'a search by its slug');
    assert.equal(fixturePathFor(`${api}/search?q=%C2%A1Hola%2C%20Mundo!&type=track`), 'search/hola-mundo.json', 'a search with escapes and punctuation');
    assert.equal(
      fixturePathFor(`${api}/albums/ID/tracks?offset=50&limit=50`),
      'albums/ID/tracks.limit-50-offset-50.json', 'a paged request with its query',
    );
    assert.equal(fixturePathFor(`${api}/search?q=x&type=album`), 'search.q-x-type-album.json', 'a search for another type');
  });
  test('is relative to a custom API base, and never leaves the directory', () => {
    assert.equal(fixturePathFor('http://127.0.0.1:9/prefix/tracks/X', 'http://127.0.0.1:9/prefix'), 'tracks/X.json', 'relative to a custom API base');
    assert.equal(fixturePathFor('http://127.0.0.1:9/v1/tracks/X', 'http://elsewhere/v1'), 'tracks/X.json', 'relative to another base\'s path');
    assert.equal(fixturePathFor(`${api}/tracks/..%2F..%2Fetc%2Fpasswd`), 'tracks/etc-passwd.json', 'no ../ out of the directory');
    assert.equal(fixturePathFor(`${api}/tracks/%2E%2E`), '_.json', '.. alone is _'); // the URL parser resolves %2E%2E
  });
  test('slug (shared with the cache and output directories)', () => {
    assert.equal(slug('  Quiet -- Instrumental!! '), 'quiet-instrumental', 'spaces and punctuation collapse');
    assert.equal(slug('Beyoncé — Halo'), 'beyonce-halo', 'accents folded');
    assert.equal(slug('!!!'), '', 'nothing left');
    assert.equal(fixturePathFor('https://api.spotify.com/v1/search?q=Beyonc%C3%A9%20halo&type=track'), 'search/beyonce-halo.json', 'an encoded accent in a search');
  });
});

describe('options and helpers', () => {
  test('spotifyOptionsFromEnv reads the five variables and skips blanks', () => {
    assert.deepEqual(
      spotifyOptionsFromEnv({
        SPOTIFY_CLIENT_ID: ' id ',
        SPOTIFY_CLIENT_SECRET: 'secret',
        SPOTIFY_API_BASE_URL: 'http://127.0.0.1:1/v1',
        SPOTIFY_ACCOUNTS_BASE_URL: '',
        SONGSCOPE_FIXTURES: 'fixtures/spotify',
        OTHER: 'x',
      }),
      { clientId: 'id', clientSecret: 'secret', apiBaseUrl: 'http://127.0.0.1:1/v1', fixturesDir: 'fixtures/spotify' }, 'the four non-blank variables, trimmed',
    );
    assert.deepEqual(spotifyOptionsFromEnv({}), {}, 'nothing set');
  });

  test('invalid options are usage errors; --fixtures with --record is refused', () => {
    assert.throws(() => new SpotifyClient({ fixturesDir: 'a', recordDir: 'b' }), (e: unknown) => {
      return e instanceof SongscopeError && e.exitCode === ExitCode.USAGE;
    }, '--fixtures with --record is a usage error');
    assert.throws(() => new SpotifyClient({ apiBaseUrl: 'ftp://x' }), /SPOTIFY_API_BASE_URL/, 'an ftp URL names SPOTIFY_API_BASE_URL');
    assert.throws(() => new SpotifyClient({ tries: 0 }), /tries/, 'tries 0 names tries');
  });

  test('parseRetryAfter: seconds, HTTP dates, junk', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(parseRetryAfter('5', now), 5, 'whole seconds');
    assert.equal(parseRetryAfter('2.2', now), 3, 'fractions round up');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:07 GMT', now), 7, 'an HTTP date 7 s ahead');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 1, 'an HTTP date in the past waits 1 s');
    assert.equal(parseRetryAfter('0', now), 1, '0 waits 1 s');
    assert.equal(parseRetryAfter(null, now), 1, 'no header waits 1 s');
    assert.equal(parseRetryAfter('soon', now), 1, 'junk waits 1 s');
  });
});
