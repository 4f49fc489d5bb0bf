import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, messages, SongscopeError } from '../../src/errors.js';
import { AnalysisCache } from '../../src/sources/cache.js';
import {
  fetchAnalyses,
  naturalCompare,
  parseManifest,
  resolveCollection,
  resolveCollections,
  type Collection,
  type FetchOutcome,
} from '../../src/sources/collection.js';
import type { ResolveOptions } from '../../src/sources/resolve.js';
import { SpotifyClient } from '../../src/sources/spotify.js';
import { FakeSpotify, spotifyError, type FakeReply } from '../helpers/fakeSpotify.js';
import { FIXTURES } from '../helpers/fixtures.js';

const SPOTIFY_FIXTURES = join(FIXTURES, 'spotify');
const TRACK_ID = '7nWUDDCpTDYle0Ppi8i5K1';
const ALBUM_ID = 'SongscopeFixtureAlbum1';
const PLAYLIST_ID = 'SongscopeFixtureList01';
const ANALYSIS_FILE = join(SPOTIFY_FIXTURES, 'audio-analysis', `${TRACK_ID}.json`);
const ANALYSIS = JSON.parse(await readFile(ANALYSIS_FILE, 'utf8')) as unknown;

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-collection-'));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A 22-character base-62 id made from a prefix and a number. */
const fakeId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(4, '0')}`.padEnd(22, 'x');

function trackObject(id: string, name: string, artists: string[] = ['Band'], extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    type: 'track',
    uri: `spotify:track:${id}`,
    duration_ms: 200_000,
    artists: artists.map((a, i) => ({ id: `artist${i}`, name: a, type: 'artist' })),
    album: { id: 'album0000000000000000A', name: 'Some Album', type: 'album' },
    ...extra,
  };
}

/** Await a rejection that must be a SongscopeError, and return it. */
async function rejection(promise: Promise<unknown>): Promise<SongscopeError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof SongscopeError, `expected a SongscopeError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the promise to reject');
}

async function collect(gen: AsyncGenerator<FetchOutcome>): Promise<FetchOutcome[]> {
  const out: FetchOutcome[] = [];
  for await (const o of gen) out.push(o);
  return out;
}

// ---- against the fake Spotify -------------------------------------------------------------------------

describe('playlists and albums against the fake Spotify', () => {
  let fake: FakeSpotify;
  let dir: string;
  let lines: string[];

  beforeEach(async () => {
    fake = await FakeSpotify.start({ fixturesDir: SPOTIFY_FIXTURES });
    dir = await tempDir();
    lines = [];
  });
  afterEach(async () => {
    await fake.close();
  });

  const options = (over: Partial<ResolveOptions> = {}): ResolveOptions => ({
    cacheDir: join(dir, 'cache'),
    env: {},
    log: (l) => lines.push(l),
    ...over,
    spotify: {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      apiBaseUrl: fake.apiBaseUrl,
      accountsBaseUrl: fake.accountsBaseUrl,
      retryBaseMs: 1,
      ...over.spotify,
    },
  });

  /** A playlist of `total` items served in pages of 100; items for which `special` returns a value are replaced by it. */
  function servePlaylist(total: number, special: (position: number) => unknown = () => undefined, embed = true) {
    const items = Array.from({ length: total }, (_, i) => {
      const position = i + 1;
      const s = special(position);
      return s !== undefined ? s : { is_local: false, track: trackObject(fakeId('P', position), `Song ${position}`) };
    });
    const page = (offset: number, limit = 100) => ({
      items: items.slice(offset, offset + limit),
      total,
      limit,
      offset,
      next: offset + limit < total ? `https://api.spotify.com/v1/playlists/x/tracks?offset=${offset + limit}&limit=${limit}` : null,
    });
    fake.on('GET', '/v1/playlists/:id', {
      json: {
        id: 'PlaylistOf230xxxxxxxxx',
        name: 'Long Playlist',
        owner: { id: 'someone', display_name: 'Some One' },
        tracks: embed ? page(0) : { href: 'x', total },
      },
    });
    fake.on('GET', '/v1/playlists/:id/tracks', (req) => ({ json: page(Number(req.query.offset ?? 0), Number(req.query.limit ?? 100)) }));
  }

  test('getPlaylist: 230 items over 3 pages; episodes, local files and removed tracks are skipped and counted', async () => {
    servePlaylist(230, (p) => {
      if (p === 5) return { is_local: false, track: null };
      if (p === 150) return { is_local: false, track: { type: 'episode', id: fakeId('E', 150), name: 'An Episode', uri: `spotify:episode:${fakeId('E', 150)}` } };
      if (p === 220) return { is_local: true, track: { type: 'track', id: null, name: 'My Demo', uri: 'spotify:local:a:b:My+Demo:100' } };
      if (p === 230) return { is_local: false, track: { ...trackObject(fakeId('L', 230), 'Legacy episode'), episode: true, track: false } };
      return undefined;
    });
    const client = new SpotifyClient(options().spotify!);
    const playlist = await client.getPlaylist('PlaylistOf230xxxxxxxxx');
    assert.equal(playlist.name, 'Long Playlist');
    assert.equal(playlist.owner, 'Some One');
    assert.equal(playlist.total, 230);
    assert.equal(playlist.tracks.length, 226);
    assert.equal(playlist.tracks[0]!.id, fakeId('P', 1));
    assert.equal(playlist.tracks[4]!.name, 'Song 6', 'item 5 was skipped');
    assert.equal(playlist.tracks.at(-1)!.name, 'Song 229');
    assert.deepEqual(playlist.skipped, [
      { position: 5, kind: 'unavailable' },
      { position: 150, kind: 'episode', name: 'An Episode' },
      { position: 220, kind: 'local', name: 'My Demo' },
      { position: 230, kind: 'episode', name: 'Legacy episode' },
    ]);
    const pages = fake.requestsTo('/v1/playlists/PlaylistOf230xxxxxxxxx/tracks');
    assert.deepEqual(
      pages.map((r) => r.query),
      [
        { limit: '100', offset: '100' },
        { limit: '100', offset: '200' },
      ],
    );
    assert.equal(fake.requestsTo('/v1/playlists/').length, 3, 'the playlist object and 2 more pages: 3 pages in all');

    // as a collection: positions are contiguous, skipped items are sentences, and a summary is logged
    const collection = await resolveCollection('https://open.spotify.com/playlist/PlaylistOf230xxxxxxxxx?si=abc', options());
    assert.equal(collection.kind, 'playlist');
    assert.equal(collection.source, 'spotify:playlist:PlaylistOf230xxxxxxxxx');
    assert.equal(collection.tracks.length, 226);
    assert.deepEqual(collection.tracks.map((t) => t.position), Array.from({ length: 226 }, (_, i) => i + 1));
    assert.deepEqual(collection.tracks[4], {
      position: 5,
      input: `spotify:track:${fakeId('P', 6)}`,
      id: fakeId('P', 6),
      title: 'Song 6',
      artists: ['Band'],
    });
    assert.deepEqual(collection.skipped, [
      'item 5: not available on Spotify (removed, or not playable)',
      'item 150: a podcast episode ("An Episode")',
      'item 220: a local file ("My Demo")',
      'item 230: a podcast episode ("Legacy episode")',
    ]);
    assert.ok(lines.includes(messages.collection.skippedSummary('spotify:playlist:PlaylistOf230xxxxxxxxx', 4, 230)), lines.join('\n'));
  });

  test('getPlaylist: a playlist object without items is paged from offset 0; the February 2026 shape is read too', async () => {
    servePlaylist(130, undefined, false);
    const client = new SpotifyClient(options().spotify!);
    const playlist = await client.getPlaylist('PlaylistOf230xxxxxxxxx');
    assert.equal(playlist.tracks.length, 130);
    assert.deepEqual(
      fake.requestsTo('/v1/playlists/PlaylistOf230xxxxxxxxx/tracks').map((r) => r.query.offset),
      ['0', '100'],
    );

    fake.reset();
    fake.on('GET', '/v1/playlists/:id', {
      json: { id: 'NewShapexxxxxxxxxxxxxx', name: 'New shape', items: { items: [{ item: trackObject(fakeId('N', 1), 'One') }, { item: null }], total: 2, next: null } },
    });
    const renamed = await client.getPlaylist('NewShapexxxxxxxxxxxxxx');
    assert.deepEqual(renamed.tracks.map((t) => t.name), ['One']);
    assert.deepEqual(renamed.skipped, [{ position: 2, kind: 'unavailable' }]);
  });

  test('playlist 404 → exit code 2 with the message and a hint; 403 → exit code 1 with a hint', async () => {
    const error = await rejection(resolveCollection(`spotify:playlist:${fakeId('Z', 404)}`, options()));
    assert.equal(error.exitCode, ExitCode.USAGE);
    assert.equal(error.message, messages.notFound(messages.collection.noSuchPlaylist(fakeId('Z', 404))));
    assert.equal(error.message, `Spotify answered 404 Not Found: no such playlist spotify:playlist:${fakeId('Z', 404)}`);
    assert.equal(error.hint, messages.collection.playlistNotFoundHint());

    fake.on('GET', '/v1/playlists/:id', spotifyError(403, 'Forbidden'));
    const forbidden = await rejection(resolveCollection(`spotify:playlist:${fakeId('Z', 403)}`, options()));
    assert.equal(forbidden.exitCode, ExitCode.RUNTIME);
    assert.equal(forbidden.message, messages.forbidden(`spotify:playlist:${fakeId('Z', 403)}`));
    assert.equal(forbidden.hint, messages.collection.playlistForbiddenHint());
    assert.equal(fake.requestsTo('/v1/playlists/').length, 2, 'no retries of a 404 or a 403');
    assert.ok(!existsSync(join(dir, 'cache', 'playlists')), 'failures are not cached');
  });

  test('album live (fake serving fixtures/spotify): listing and analyses cached; then --offline needs no network', async () => {
    const live = options();
    const collection = await resolveCollection(`spotify:album:${ALBUM_ID}`, live);
    assert.deepEqual(collection, {
      kind: 'album',
      name: 'Unknown album (hand-made fixture)',
      source: `spotify:album:${ALBUM_ID}`,
      artists: ['Unknown artist'],
      tracks: [
        {
          position: 1,
          input: `spotify:track:${TRACK_ID}`,
          id: TRACK_ID,
          title: 'Untitled (recorded fixture)',
          artists: ['Unknown artist'],
          trackNumber: 1,
        },
      ],
    });
    const [outcome] = await collect(fetchAnalyses(collection, { resolve: live }));
    assert.ok(outcome?.analysis, String(outcome?.error));
    assert.equal(outcome.analysis.provenance.origin, 'api');
    assert.equal(outcome.analysis.provenance.title, 'Untitled (recorded fixture)');
    assert.equal(outcome.analysis.segments.length, 428);
    assert.equal(fake.requestsTo('/v1/tracks/').length, 0, 'the listing already gave the track metadata');
    assert.equal(fake.requestsTo('/api/token').length, 1, 'one token for the listing and the analyses');
    const cache = new AnalysisCache(join(dir, 'cache'));
    assert.equal((await cache.getListing('album', ALBUM_ID))?.listing.name, 'Unknown album (hand-made fixture)');
    assert.equal((await cache.get(TRACK_ID))?.track.album, 'Unknown album (hand-made fixture)');

    fake.reset();
    lines.length = 0;
    const offline = options({ offline: true });
    const again = await resolveCollection(`spotify:album:${ALBUM_ID}`, offline);
    assert.deepEqual(again, collection);
    const [cached] = await collect(fetchAnalyses(again, { resolve: offline }));
    assert.equal(cached?.analysis?.provenance.origin, 'cache');
    assert.deepEqual(cached?.analysis?.segments, outcome.analysis.segments);
    assert.equal(fake.requests.length, 0);
    assert.ok(lines.some((l) => l.startsWith(`spotify:album:${ALBUM_ID}: track list from the cache (fetched `)), lines.join('\n'));

    // --offline with nothing cached: a clear error, no request
    const missing = await rejection(resolveCollection(`spotify:album:${ALBUM_ID}`, options({ offline: true, cacheDir: join(dir, 'empty') })));
    assert.equal(missing.exitCode, ExitCode.USAGE);
    assert.equal(missing.message, `the track list of spotify:album:${ALBUM_ID} is not in the cache (${join(dir, 'empty')}) and --offline forbids the network`);
    assert.equal(missing.hint, messages.collection.offlineListingHint());
    assert.equal(fake.requests.length, 0);
  });

  test('fetchAnalyses: order kept, concurrency bounded, one token, a 404 and a 403 reported in their outcomes', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => fakeId('C', i + 1));
    fake.on('GET', '/v1/albums/:id', {
      json: {
        id: 'ConcurrencyAlbumxxxxxx',
        name: 'Eight',
        artists: [{ name: 'Band' }],
        tracks: { items: ids.map((id, i) => ({ ...trackObject(id, `Song ${i + 1}`), album: undefined, track_number: i + 1 })), total: 8, next: null },
      },
    });
    // Later tracks answer faster, so they finish first; order must still be the collection's.
    fake.on('GET', '/v1/audio-analysis/:id', (req): FakeReply => {
      const index = ids.indexOf(req.params.id!);
      if (index === 2) return { ...spotifyError(404, 'analysis not found'), delayMs: 10 };
      if (index === 5) return { ...spotifyError(403, 'Forbidden'), delayMs: 10 };
      return { json: ANALYSIS, delayMs: 120 - index * 12 };
    });
    const opts = options({ useCache: false });
    const collection = await resolveCollection('spotify:album:ConcurrencyAlbumxxxxxx', opts);
    const outcomes = await collect(fetchAnalyses(collection, { resolve: opts, concurrency: 3 }));

    assert.deepEqual(outcomes.map((o) => o.ref.position), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(outcomes.map((o) => o.analysis !== undefined), [true, true, false, true, true, false, true, true]);
    const notFound = outcomes[2]!.error;
    assert.ok(notFound instanceof SongscopeError && notFound.exitCode === ExitCode.USAGE, String(notFound));
    assert.match(notFound.message, /404 Not Found/);
    const forbidden = outcomes[5]!.error;
    assert.ok(forbidden instanceof SongscopeError && forbidden.exitCode === ExitCode.RUNTIME, String(forbidden));
    assert.equal(forbidden.message, messages.analysisForbidden(ids[5]!));
    assert.equal(outcomes[6]!.analysis!.provenance.title, 'Song 7');
    assert.ok(outcomes.every((o) => o.ms >= 0));

    assert.equal(fake.maxInFlight, 3, 'three requests at a time, never more');
    assert.equal(fake.requestsTo('/api/token').length, 1);
    assert.equal(fake.requestsTo('/v1/tracks/').length, 0);
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 8);
  });

  test('fetchAnalyses reads ahead at most `concurrency` tracks past the one the consumer holds', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => fakeId('R', i + 1));
    fake.on('GET', '/v1/albums/:id', {
      json: { id: 'ReadAheadAlbumxxxxxxxx', name: 'Six', artists: [], tracks: { items: ids.map((id, i) => trackObject(id, `S${i}`)), total: 6, next: null } },
    });
    fake.on('GET', '/v1/audio-analysis/:id', { json: ANALYSIS });
    const opts = options({ useCache: false });
    const collection = await resolveCollection('spotify:album:ReadAheadAlbumxxxxxxxx', opts);
    let k = 0;
    for await (const outcome of fetchAnalyses(collection, { resolve: opts, concurrency: 2 })) {
      k += 1;
      assert.ok(outcome.analysis);
      await new Promise((r) => setTimeout(r, 60)); // a slow consumer: the fetches ahead finish meanwhile
      const started = fake.requestsTo('/v1/audio-analysis/').length;
      assert.ok(started <= k + 2, `holding outcome ${k}, ${started} analyses were requested`);
    }
    assert.equal(k, 6);
  });

  test('a 429 with Retry-After: 1 on one request holds back the other requests of the client', async () => {
    const ids = Array.from({ length: 4 }, (_, i) => fakeId('Q', i + 1));
    fake.on('GET', '/v1/albums/:id', {
      json: { id: 'RateLimitAlbumxxxxxxxx', name: 'Four', artists: [], tracks: { items: ids.map((id, i) => trackObject(id, `S${i}`)), total: 4, next: null } },
    });
    // Track 2 gets the 429. Track 1 (the head of the window) answers after 150 ms; then track 3 starts,
    // while track 2 is still waiting out its second: without a shared gate it would be sent at ~150 ms.
    let first = true;
    fake.on('GET', '/v1/audio-analysis/:id', (req): FakeReply => {
      if (req.params.id === ids[1] && first) {
        first = false;
        return spotifyError(429, 'API rate limit exceeded', { 'retry-after': '1' });
      }
      return { json: ANALYSIS, delayMs: req.params.id === ids[0] ? 150 : 0 };
    });
    const opts = options({ useCache: false });
    const collection = await resolveCollection('spotify:album:RateLimitAlbumxxxxxxxx', opts);
    const started = Date.now();
    const outcomes = await collect(fetchAnalyses(collection, { resolve: opts, concurrency: 2 }));
    assert.ok(outcomes.every((o) => o.analysis), outcomes.map((o) => String(o.error)).join('; '));
    assert.deepEqual(outcomes.map((o) => o.ref.position), [1, 2, 3, 4]);

    const requests = fake.requestsTo('/v1/audio-analysis/');
    const head = requests.find((r) => r.params.id === ids[0])!;
    const [limited, retry] = requests.filter((r) => r.params.id === ids[1]);
    const third = requests.find((r) => r.params.id === ids[2])!;
    assert.ok(head.doneAt! - limited!.doneAt! < 500, 'track 1 was answered well within the second');
    assert.ok(third.at - limited!.doneAt! >= 950, `track 3 was sent ${third.at - limited!.doneAt!} ms after the 429`);
    assert.ok(retry!.at - limited!.doneAt! >= 950, `the retry was sent ${retry!.at - limited!.doneAt!} ms after the 429`);
    assert.deepEqual(lines.filter((l) => l.includes('429')), [messages.rateLimitWait(1)]);
    assert.ok(Date.now() - started < 3000);
  });
});

// ---- recorded fixtures ---------------------------------------------------------------------------------

describe('collections from recorded fixtures (no network)', () => {
  const replay = (cacheDir: string): ResolveOptions => ({
    cacheDir,
    env: {},
    spotify: { fixturesDir: SPOTIFY_FIXTURES, fetch: () => Promise.reject(new Error('replay must not touch the network')) },
  });

  test('album SongscopeFixtureAlbum1: its track resolves; replays do not write the cache', async () => {
    const dir = await tempDir();
    const opts = replay(join(dir, 'cache'));
    const collection = await resolveCollection(`spotify:album:${ALBUM_ID}`, opts);
    assert.equal(collection.kind, 'album');
    assert.deepEqual(collection.tracks.map((t) => t.input), [`spotify:track:${TRACK_ID}`]);
    const [outcome] = await collect(fetchAnalyses(collection, { resolve: opts }));
    assert.equal(outcome?.analysis?.provenance.origin, 'fixtures');
    assert.equal(outcome?.analysis?.track.duration, 123.71161);
    assert.equal(existsSync(join(dir, 'cache')), false);
    // --offline with fixtures replays the listing too
    const offline = await resolveCollection(`spotify:album:${ALBUM_ID}`, { ...opts, offline: true });
    assert.deepEqual(offline, collection);
  });

  test('playlist SongscopeFixtureList01: two pages, 2 tracks, 3 items skipped', async () => {
    const lines: string[] = [];
    const opts = { ...replay(join(await tempDir(), 'cache')), log: (l: string) => lines.push(l) };
    const collection = await resolveCollection(`spotify:playlist:${PLAYLIST_ID}`, opts);
    assert.equal(collection.name, 'Songscope fixture playlist (hand-made)');
    assert.deepEqual(collection.tracks.map((t) => [t.position, t.id]), [
      [1, TRACK_ID],
      [2, TRACK_ID],
    ]);
    assert.deepEqual(collection.skipped, [
      'item 2: not available on Spotify (removed, or not playable)',
      'item 3: a podcast episode ("An episode (hand-made fixture)")',
      'item 4: a local file ("A local file (hand-made fixture)")',
    ]);
    assert.deepEqual(lines, [messages.collection.skippedSummary(`spotify:playlist:${PLAYLIST_ID}`, 3, 5)]);
    const outcomes = await collect(fetchAnalyses(collection, { resolve: opts }));
    assert.deepEqual(outcomes.map((o) => o.analysis?.provenance.trackId), [TRACK_ID, TRACK_ID]);
  });

  test('fixtures/manifests/fixtures.csv: five inputs with labels, all resolve', async () => {
    const opts = replay(join(await tempDir(), 'cache'));
    const manifest = join(FIXTURES, 'manifests', 'fixtures.csv');
    const collection = await resolveCollection(manifest, opts);
    assert.equal(collection.kind, 'manifest');
    assert.equal(collection.name, 'fixtures');
    assert.deepEqual(
      collection.tracks.map((t) => [t.position, t.title ?? t.input, t.label]),
      [
        [1, 'psy-gangnam-style', 'pop'],
        [2, 'spotify-web-api-js-track', 'pop'],
        [3, 'edx-give-it-up-for-love.echonest', 'dance, electronic'],
        [4, 'TRAAAFP128F931B4E3', undefined],
        [5, `spotify:track:${TRACK_ID}`, 'instrumental'],
      ],
    );
    assert.equal(collection.tracks[0]!.input, join(FIXTURES, 'manifests', '..', 'psy-gangnam-style.json'));
    // (the MSD .h5 file is left out here: loading the HDF5 library takes seconds; test/sources/msd.test.ts reads it)
    const quick = { ...collection, tracks: collection.tracks.filter((t) => !t.input.endsWith('.h5')) };
    const outcomes = await collect(fetchAnalyses(quick, { resolve: opts, concurrency: 2 }));
    assert.deepEqual(outcomes.map((o) => (o.error ? String(o.error) : o.analysis!.provenance.origin)), ['file', 'file', 'file', 'fixtures']);
    assert.deepEqual(outcomes.map((o) => o.ref.position), [1, 2, 3, 5]);
    // the file name fills a missing title; a title in the file wins
    assert.equal(outcomes[0]!.analysis!.provenance.title, 'psy-gangnam-style');
    assert.equal(outcomes[2]!.analysis!.provenance.title, 'Give It Up for Love feat. John Williams (Mysto & Pizzi Remix)');
  });
});

// ---- directories, manifests, inputs --------------------------------------------------------------------

describe('directories', () => {
  test('every .json/.h5/.hdf5 file, not recursive, not hidden, in natural order', async () => {
    const dir = await tempDir();
    for (const name of ['10-x.json', '2-x.json', '1-a.h5', 'b.HDF5', 'A.json', 'notes.txt', '.hidden.json', 'x.json.tmp']) {
      await writeFile(join(dir, name), '{}');
    }
    await mkdir(join(dir, 'sub.json'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', '3.json'), '{}');
    await symlink(join(dir, '2-x.json'), join(dir, '3-link.json'));
    const collection = await resolveCollection(dir, {});
    assert.equal(collection.kind, 'directory');
    assert.deepEqual(
      collection.tracks.map((t) => t.input),
      ['1-a.h5', '2-x.json', '3-link.json', '10-x.json', 'A.json', 'b.HDF5'].map((n) => join(dir, n)),
    );
    assert.deepEqual(collection.tracks.map((t) => t.title), ['1-a', '2-x', '3-link', '10-x', 'A', 'b']);
    assert.deepEqual(collection.tracks.map((t) => t.position), [1, 2, 3, 4, 5, 6]);
  });

  test('naturalCompare', () => {
    assert.deepEqual(['track10', 'Track2', 'track1', 'track 3', 'a'].sort(naturalCompare), ['a', 'track 3', 'track1', 'Track2', 'track10']);
  });

  test('a directory without analysis files is an error (exit code 2)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'readme.txt'), 'x');
    const error = await rejection(resolveCollection(dir, {}));
    assert.equal(error.exitCode, ExitCode.USAGE);
    assert.equal(error.message, messages.collection.emptyDirectory(dir));
  });

  test('file names give the titles of analyses that have none; analyses are yielded in order', async () => {
    const dir = await tempDir();
    await copyFile(join(FIXTURES, 'psy-gangnam-style.json'), join(dir, '10 Second.json'));
    await copyFile(join(FIXTURES, 'spotify-web-api-js-track.json'), join(dir, '9 First.json'));
    await writeFile(join(dir, '11 Broken.json'), '{"track": {}}');
    const outcomes = await collect(fetchAnalyses(await resolveCollection(dir, {}), { resolve: {} }));
    assert.deepEqual(outcomes.map((o) => o.analysis?.provenance.title), ['9 First', '10 Second', undefined]);
    assert.ok(outcomes[2]!.error instanceof SongscopeError);
    assert.equal((outcomes[2]!.error as SongscopeError).exitCode, ExitCode.USAGE);
  });
});

describe('manifests', () => {
  test('quotes, comments, blank lines, a header, CRLF, relative paths, labels and expanded directories', async () => {
    const root = await tempDir();
    const dir = join(root, 'lists');
    await mkdir(join(dir, 'album'), { recursive: true });
    for (const name of ['2 two.json', '1 one.json']) await writeFile(join(dir, 'album', name), '{}');
    const text = [
      '\uFEFF# my groups',
      'input,label',
      '  ',
      'a.json,rock',
      '"b, with comma.json", "jazz, cool" ',
      '"say ""hi"".json",',
      `  ${join(root, 'abs.h5')}  ,  pop  `,
      `spotify:track:${TRACK_ID},`,
      `https://open.spotify.com/track/${TRACK_ID}?si=x,ambient`,
      `${TRACK_ID},ambient`,
      'some search words',
      '../up.json,rock',
      'album,"live"',
      '   # an indented comment',
      '"#not-a-comment.json",x',
    ].join('\r\n');
    const path = join(dir, 'groups.csv');
    await writeFile(path, text);
    const collection = await resolveCollection(path, {});
    assert.equal(collection.name, 'groups');
    assert.equal(collection.source, path);
    assert.deepEqual(
      collection.tracks.map(({ position, input, label }) => ({ position, input, label })),
      [
        { position: 1, input: join(dir, 'a.json'), label: 'rock' },
        { position: 2, input: join(dir, 'b, with comma.json'), label: 'jazz, cool' },
        { position: 3, input: join(dir, 'say "hi".json'), label: undefined },
        { position: 4, input: join(root, 'abs.h5'), label: 'pop' },
        { position: 5, input: `spotify:track:${TRACK_ID}`, label: undefined },
        { position: 6, input: `spotify:track:${TRACK_ID}`, label: 'ambient' },
        { position: 7, input: `spotify:track:${TRACK_ID}`, label: 'ambient' },
        { position: 8, input: 'some search words', label: undefined },
        { position: 9, input: join(root, 'up.json'), label: 'rock' },
        { position: 10, input: join(dir, 'album', '1 one.json'), label: 'live' },
        { position: 11, input: join(dir, 'album', '2 two.json'), label: 'live' },
        { position: 12, input: join(dir, '#not-a-comment.json'), label: 'x' },
      ],
    );
    assert.equal(collection.tracks[0]!.title, 'a');
    assert.equal(collection.tracks[4]!.id, TRACK_ID);
    assert.ok(!('label' in collection.tracks[2]!), 'an empty label is left out');
  });

  test('parseManifest alone: the header is only recognised on the first data line', () => {
    const m = parseManifest('path_or_uri,label\nx.json,a\ninput,label\n', 'm.csv');
    assert.equal(m.header, true, 'path_or_uri,label is a header');
    assert.deepEqual(m.entries, [
      { line: 2, input: 'x.json', label: 'a' },
      { line: 3, input: 'input', label: 'label' },
    ]);
    assert.deepEqual(parseManifest('PATH_OR_URI\nx.json\n', 'm.csv').entries, [{ line: 2, input: 'x.json' }]);
  });

  test('issue 10: any header row of column names is recognised (path,label · file,genre · path_or_uri,label,artist)', () => {
    assert.deepEqual(parseManifest('path,label\na.json,rock\n', 'm.csv').entries, [{ line: 2, input: 'a.json', label: 'rock' }], 'path,label');
    const genre = parseManifest('file,genre,year\nsong.flac,folk,1999\nother.json,,\n', 'm.csv');
    assert.deepEqual(genre.columns, ['file', 'genre', 'year']);
    assert.deepEqual(genre.entries, [
      { line: 2, input: 'song.flac', label: 'folk', columns: { year: '1999' } },
      { line: 3, input: 'other.json', columns: { year: '' } },
    ], 'without a label column the second column is the label; other columns are kept by name');
    const reordered = parseManifest('label,path_or_uri,artist\nrock,a.json,Queen\n', 'm.csv');
    assert.deepEqual(reordered.entries, [{ line: 2, input: 'a.json', label: 'rock', columns: { artist: 'Queen' } }], 'columns found by name');
    const plain = parseManifest('a.json,x,extra\n', 'm.csv');
    assert.equal(plain.header, false);
    assert.deepEqual(plain.entries, [{ line: 1, input: 'a.json', label: 'x', columns: { column_3: 'extra' } }], 'no header: further columns are kept as column_3 …');
    for (const data of ['7nWUDDCpTDYle0Ppi8i5K1,x', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1,x', 'some search words,x', 'song.json,x', 'dir/song,x']) {
      assert.equal(parseManifest(`${data}\n`, 'm.csv').header, false, `${data} is data, not a header`);
    }
  });

  test('malformed lines → SongscopeError exit code 2 naming the line', async () => {
    const dir = await tempDir();
    const cases: [string, (path: string) => string][] = [
      ['# c\na.json,x\n"b.json,y\n', (p) => messages.csv.unterminatedQuote(p, 3)],
      ['path,label\na.json,x,extra\n', (p) => messages.collection.manifestFields(p, 2, 3, 2)],
      ['a.json,x\n\nb"c.json,y\n', (p) => messages.csv.strayQuote(p, 3)],
      ['"a.json" junk,x\n', (p) => messages.csv.strayQuote(p, 1)],
      ['a.json\n ,label\n', (p) => messages.collection.manifestNoInput(p, 2)],
      ['-,x\n', (p) => messages.collection.manifestStdin(p, 1)],
      ['a.json\nother.csv,x\n', (p) => messages.collection.manifestNested(p, 2)],
      ['a.json\nspotify:track:short,x\n', (p) => `${p}: line 2: spotify:track:short: "short" is not a Spotify id (expected 22 characters of 0-9, A-Z, a-z)`],
      [`spotify:artist:${TRACK_ID},x\n`, (p) => messages.collection.manifestEntry(p, 1, messages.collection.notACollection(`spotify:artist:${TRACK_ID}`, 'an artist'))],
      ['# only comments\n\n', (p) => messages.collection.manifestEmpty(p)],
    ];
    for (const [i, [text, expected]] of cases.entries()) {
      const path = join(dir, `bad${i}.csv`);
      await writeFile(path, text);
      const error = await rejection(resolveCollection(path, {}));
      assert.equal(error.exitCode, ExitCode.USAGE, text);
      assert.equal(error.message, expected(path), text);
    }
    const missing = await rejection(resolveCollection(join(dir, 'missing.csv'), {}));
    assert.equal(missing.message, messages.fileNotFound(join(dir, 'missing.csv')));
  });

  test('an album in a manifest that cannot be listed is named with its line', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.csv');
    await writeFile(path, `spotify:album:${ALBUM_ID},a\nspotify:album:${fakeId('Y', 1)},b\n`);
    const error = await rejection(resolveCollection(path, { env: {}, spotify: { fixturesDir: SPOTIFY_FIXTURES } }));
    assert.equal(error.exitCode, ExitCode.USAGE);
    assert.ok(error.message.startsWith(`${path}: line 2: no recorded response for GET `), error.message);
    assert.equal(error.hint, messages.fixtureMissHint());
  });
});

describe('single inputs and merged lists', () => {
  test('a track, a file or a search is a collection of one; an artist is refused', async () => {
    assert.deepEqual(await resolveCollection(`https://open.spotify.com/track/${TRACK_ID}`, {}), {
      kind: 'inputs',
      name: `spotify:track:${TRACK_ID}`,
      source: `https://open.spotify.com/track/${TRACK_ID}`,
      tracks: [{ position: 1, input: `spotify:track:${TRACK_ID}`, id: TRACK_ID }],
    });
    const file = await resolveCollection(ANALYSIS_FILE, {});
    assert.deepEqual(file.tracks, [{ position: 1, input: ANALYSIS_FILE, title: TRACK_ID }]);
    assert.equal((await resolveCollection('quiet instrumental', {})).tracks[0]!.input, 'quiet instrumental');
    const error = await rejection(resolveCollection(`spotify:artist:${TRACK_ID}`, {}));
    assert.equal(error.message, messages.collection.notACollection(`spotify:artist:${TRACK_ID}`, 'an artist'));
    assert.equal(error.exitCode, ExitCode.USAGE);
  });

  test('resolveCollections merges in order and renumbers; one spec is returned as it is; none is an error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '2.json'), '{}');
    await writeFile(join(dir, '1.json'), '{}');
    const merged = await resolveCollections([ANALYSIS_FILE, dir, `spotify:track:${TRACK_ID}`], {});
    assert.equal(merged.kind, 'inputs');
    assert.equal(merged.name, `${TRACK_ID}, ${dir.replace(/^.*[\\/]/, '')}, spotify:track:${TRACK_ID}`);
    assert.deepEqual(
      merged.tracks.map((t) => [t.position, t.input]),
      [
        [1, ANALYSIS_FILE],
        [2, join(dir, '1.json')],
        [3, join(dir, '2.json')],
        [4, `spotify:track:${TRACK_ID}`],
      ],
    );
    const single: Collection = await resolveCollections([dir], {});
    assert.equal(single.kind, 'directory');
    const none = await rejection(resolveCollections([], {}));
    assert.equal(none.message, messages.collection.noInputs());
  });

  test('an invalid concurrency is refused before any fetch', async () => {
    const collection = await resolveCollection(ANALYSIS_FILE, {});
    for (const concurrency of [0, 1.5, Number.NaN]) {
      await assert.rejects(collect(fetchAnalyses(collection, { resolve: {}, concurrency })), (e: unknown) => e instanceof SongscopeError && e.exitCode === ExitCode.USAGE && /--concurrency/.test(e.message));
    }
  });
});
