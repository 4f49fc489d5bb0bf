import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseInput, type PathKind } from '../../src/sources/input.js';
import { resolveAnalysis, type ResolveOptions } from '../../src/sources/resolve.js';
import { AnalysisCache, defaultCacheDir } from '../../src/sources/cache.js';
import { SongscopeError } from '../../src/errors.js';
import { FakeSpotify, spotifyError } from '../helpers/fakeSpotify.js';
import { readJson, FIXTURES } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const ID = '7nWUDDCpTDYle0Ppi8i5K1';
const SPOTIFY_FIXTURES = join(FIXTURES, 'spotify');
const noFiles = (): PathKind => undefined;

describe('parseInput: every way to name a track', () => {
  const track = (id: string, form: string) => ({ kind: 'track', id, form });
  test('URI', () => assert.deepEqual(parseInput(`spotify:track:${ID}`, noFiles), track(ID, 'uri'), 'spotify:track:<id>'));
  test('URL with ?si=', () => assert.deepEqual(parseInput(`https://open.spotify.com/track/${ID}?si=abc123`, noFiles), track(ID, 'url'), 'a track URL with ?si='));
  test('URL with /intl-xx/', () => assert.deepEqual(parseInput(`https://open.spotify.com/intl-de/track/${ID}`, noFiles), track(ID, 'url'), 'a track URL with /intl-de/'));
  test('URL with /intl-pt-br/ and a trailing slash', () => assert.deepEqual(parseInput(`https://open.spotify.com/intl-pt-br/track/${ID}/`, noFiles), track(ID, 'url'), 'a track URL with /intl-pt-br/ and a trailing slash'));
  test('bare id', () => assert.deepEqual(parseInput(ID, noFiles), track(ID, 'id'), 'a bare 22-character id'));
  test('search query', () => assert.deepEqual(parseInput('  daft punk   around the world ', noFiles), { kind: 'search', query: 'daft punk around the world' }, 'a search, whitespace collapsed'));
  test('a query with a slash is still a search', () => assert.deepEqual(parseInput('AC/DC thunderstruck', noFiles), { kind: 'search', query: 'AC/DC thunderstruck' }, 'a query with a slash'));
  test('URL without the scheme', () => assert.deepEqual(parseInput(`open.spotify.com/track/${ID}?si=x`, noFiles), track(ID, 'url'), 'a URL without the scheme'));
  test('stdin', () => assert.deepEqual(parseInput('-', noFiles), { kind: 'stdin' }, '- is stdin'));
  test('an existing file wins over every other reading', () => {
    assert.deepEqual(parseInput(ID, () => 'file'), { kind: 'file', path: ID }, 'an existing file wins');
  });
  test('a missing .json path is still a file (so the error is "no such file")', () => {
    assert.deepEqual(parseInput('missing.json', noFiles), { kind: 'file', path: 'missing.json' }, 'a missing .json path is a file');
    assert.deepEqual(parseInput('./song', noFiles), { kind: 'file', path: './song' }, 'a ./ path is a file');
  });
  test('directories, albums and playlists are recognised', () => {
    assert.deepEqual(parseInput('fixtures', () => 'directory'), { kind: 'directory', path: 'fixtures' }, 'a directory');
    assert.deepEqual(parseInput('spotify:album:4m2880jivSbbyEGAKfITCa', noFiles), { kind: 'album', id: '4m2880jivSbbyEGAKfITCa' }, 'an album URI');
    assert.deepEqual(parseInput('https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=x', noFiles), { kind: 'playlist', id: '37i9dQZF1DXcBWIGoYBM5M' }, 'a playlist URL');
  });
  test('malformed ids and foreign URLs are rejected with exit code 2', () => {
    for (const bad of ['spotify:track:short', 'https://open.spotify.com/track/tooShort', 'https://example.com/track/' + ID, 'spotify:nonsense', 'spotify:podcast:' + ID, '   ']) {
      assert.throws(() => parseInput(bad, noFiles), (e: unknown) => e instanceof SongscopeError && e.exitCode === 2 && !e.message.includes('\n'), bad);
    }
  });
});

describe('defaultCacheDir', () => {
  test('SONGSCOPE_CACHE_DIR, then XDG_CACHE_HOME/songscope, then ~/.cache/songscope', () => {
    assert.equal(defaultCacheDir({ SONGSCOPE_CACHE_DIR: '/x', XDG_CACHE_HOME: '/y' }), '/x', 'SONGSCOPE_CACHE_DIR first');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/y' }), join('/y', 'songscope'), 'then XDG_CACHE_HOME/songscope');
    assert.match(defaultCacheDir({}), /\.cache[\\/]songscope$/, 'then ~/.cache/songscope');
  });
});

describe('AnalysisCache search entries', () => {
  const tmp = tempDirPerSuite('cache');
  test('queries in any script get their own entry; queries that slug alike do not collide', async () => {
    const cache = new AnalysisCache(tmp.path);
    await cache.putSearch('夜に駆ける', 'AAAAAAAAAAAAAAAAAAAAAA');
    await cache.putSearch('강남스타일', 'BBBBBBBBBBBBBBBBBBBBBB');
    assert.equal(await cache.getSearch('夜に駆ける'), 'AAAAAAAAAAAAAAAAAAAAAA', 'the Japanese query\'s entry');
    assert.equal(await cache.getSearch('강남스타일'), 'BBBBBBBBBBBBBBBBBBBBBB', 'the Korean query\'s entry');
    await cache.putSearch('C++', 'CCCCCCCCCCCCCCCCCCCCCC');
    assert.equal(await cache.getSearch('C'), undefined, '"C" slugs like "C++" but is another query');
    assert.equal(await cache.getSearch('  c++ '), 'CCCCCCCCCCCCCCCCCCCCCC', 'case and spacing aside');
  });
});

describe('resolveAnalysis through cache, live API and fixtures', () => {
  let fake: FakeSpotify;
  const dir = tempDirPerSuite('resolve');
  const lines: string[] = [];
  const options = (over: Partial<ResolveOptions> = {}): ResolveOptions => ({
    cacheDir: join(dir.path, 'cache'),
    env: {},
    log: (l) => lines.push(l),
    ...over,
    spotify: {
      clientId: 'fake-client-id',
      clientSecret: 'fake-client-secret',
      apiBaseUrl: fake.apiBaseUrl,
      accountsBaseUrl: fake.accountsBaseUrl,
      retryBaseMs: 1,
      ...over.spotify,
    },
  });

  before(async () => {
    fake = await FakeSpotify.start({ clientId: 'fake-client-id', clientSecret: 'fake-client-secret', fixturesDir: SPOTIFY_FIXTURES });
  });
  after(async () => {
    await fake.close();
  });

  test('live by URI, then from the cache with no network at all', async () => {
    fake.reset();
    const a = await resolveAnalysis(`spotify:track:${ID}`, options());
    assert.equal(a.provenance.origin, 'api', 'fetched from the API');
    assert.equal(a.provenance.title, 'Untitled (recorded fixture)', 'title from the track metadata');
    assert.equal(a.segments.length, 428, '428 segments');
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 1, 'one analysis request');
    const cached = await new AnalysisCache(join(dir.path, 'cache')).get(ID);
    assert.ok(cached, 'cached');
    assert.equal(cached.track.name, 'Untitled (recorded fixture)', 'the cached track name');
    assert.equal(cached.track.durationMs, 123712, 'the cached duration');
    assert.deepEqual(cached.analysis.segments[5], a.segments[5], 'a cached segment');

    fake.reset();
    for (const form of [ID, `https://open.spotify.com/track/${ID}?si=x`]) {
      const b = await resolveAnalysis(form, options({ offline: true }));
      assert.equal(b.provenance.origin, 'cache', 'then from the cache');
      assert.equal(b.provenance.trackId, ID, 'the cached track id');
      assert.deepEqual(b.segments, a.segments, 'the cached segments equal the fetched ones');
    }
    assert.equal(fake.requests.length, 0, 'no request after caching');

    // a cache file is itself an analysis input, and keeps its title
    const fromFile = await resolveAnalysis(join(dir.path, 'cache', 'tracks', `${ID}.json`), options());
    assert.equal(fromFile.provenance.origin, 'file', 'read from the file written by fetch');
    assert.equal(fromFile.provenance.title, 'Untitled (recorded fixture)', 'the file keeps the title');
    assert.equal(fromFile.provenance.trackId, ID, 'the file keeps the track id');
    assert.deepEqual(fromFile.segments, a.segments, 'the file keeps the segments');
  });

  test('--offline with an empty cache fails clearly (exit code 2) and makes no request', async () => {
    fake.reset();
    await assert.rejects(resolveAnalysis(`spotify:track:${ID}`, options({ cacheDir: join(dir.path, 'empty'), offline: true })), (e: unknown) => {
      assert.ok(e instanceof SongscopeError, 'a SongscopeError');
      assert.equal(e.exitCode, 2, 'exit code 2');
      assert.equal(e.message, `spotify:track:${ID} is not in the cache (${join(dir.path, 'empty')}) and --offline forbids the network`, 'the message names the track and the cache directory');
      return true;
    }, 'offline with an empty cache is a usage error naming the cache directory');
    assert.equal(fake.requests.length, 0, 'no request');
  });

  test('search: announces the hit, caches it, and a later offline search needs no network', async () => {
    fake.reset();
    lines.length = 0;
    const cacheDir = join(dir.path, 'search-cache');
    fake.on('GET', '/v1/search', { json: readJson('fixtures/spotify/search/quiet-instrumental.json') });
    const a = await resolveAnalysis('Quiet instrumental', options({ cacheDir }));
    assert.equal(a.provenance.trackId, ID, 'the search hit');
    assert.equal(fake.requestsTo('/v1/search')[0].query.q, 'Quiet instrumental', 'the query as typed');
    assert.equal(fake.requestsTo('/v1/tracks/').length, 0, 'the search hit already carries the metadata');
    assert.ok(lines.some((l) => l === `Search "Quiet instrumental" → "Untitled (recorded fixture)" by Unknown artist (spotify:track:${ID})`), lines.join('\n'));
    fake.reset();
    const b = await resolveAnalysis('quiet   INSTRUMENTAL', options({ cacheDir, offline: true }));
    assert.equal(b.provenance.origin, 'cache', 'the offline search from the cache');
    assert.equal(fake.requests.length, 0, 'no request offline');
  });

  test('failures are never cached: 403, then an invalid analysis', async () => {
    const cacheDir = join(dir.path, 'fail-cache');
    fake.reset();
    fake.on('GET', '/v1/audio-analysis/:id', spotifyError(403, 'Forbidden'));
    await assert.rejects(resolveAnalysis(ID, options({ cacheDir })), (e: unknown) => e instanceof SongscopeError && e.exitCode === 1 && /403/.test(e.message), 'the 403 is a runtime error');
    const bad = structuredClone(readJson<any>('fixtures/spotify/audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json'));
    bad.segments[17].pitches.pop();
    fake.on('GET', '/v1/audio-analysis/:id', { json: bad });
    await assert.rejects(resolveAnalysis(ID, options({ cacheDir })), (e: unknown) => {
      assert.ok(e instanceof SongscopeError, 'a SongscopeError');
      assert.equal(e.exitCode, 2, 'exit code 2');
      assert.equal(e.message, `spotify:track:${ID}: segments[17].pitches has 11 values, expected 12`, 'the message names the bad field');
      return true;
    }, 'the invalid analysis is an input error naming the field');
    assert.equal(existsSync(join(cacheDir, 'tracks')), false, 'nothing was cached');
  });

  test('--fixtures answers URI, URL, id and search without network, credentials or cache', async () => {
    fake.reset();
    const cacheDir = join(dir.path, 'fixtures-cache');
    const replay = { cacheDir, spotify: { fixturesDir: SPOTIFY_FIXTURES, clientId: undefined, clientSecret: undefined, apiBaseUrl: 'http://127.0.0.1:9/v1', accountsBaseUrl: 'http://127.0.0.1:9' } };
    for (const form of [`spotify:track:${ID}`, `https://open.spotify.com/intl-fr/track/${ID}?si=q`, ID, 'quiet instrumental']) {
      const a = await resolveAnalysis(form, options(replay));
      assert.equal(a.provenance.origin, 'fixtures', form);
      assert.equal(a.provenance.trackId, ID, 'the recorded track');
      assert.equal(a.track.duration, 123.71161, 'the recorded duration');
    }
    assert.equal(fake.requests.length, 0, 'no request');
    assert.equal(existsSync(cacheDir), false, 'replays do not write the cache');
    await assert.rejects(resolveAnalysis('no such recording', options(replay)), (e: unknown) => e instanceof SongscopeError && e.exitCode === 2 && /search\/no-such-recording\.json/.test(e.message), 'a search without a recording is an input error naming the missing file');
  });

  test('--record then --fixtures replays the same analysis with the server gone', async () => {
    fake.reset();
    const recordDir = join(dir.path, 'recorded');
    const live = await resolveAnalysis(ID, options({ useCache: false, spotify: { recordDir } }));
    const files = (await readdir(recordDir, { recursive: true })).map(String).sort();
    assert.deepEqual(files.filter((f) => f.endsWith('.json')), ['audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json', 'tracks/7nWUDDCpTDYle0Ppi8i5K1.json'], 'the recorded analysis and track');
    for (const f of files.filter((f) => f.endsWith('.json'))) {
      const text = await readFile(join(recordDir, f), 'utf8');
      assert.ok(!text.includes('fake-client-secret') && !text.includes(fake.accessToken), `${f} holds no secret or token`);
    }
    const replayed = await resolveAnalysis(ID, options({ useCache: false, spotify: { fixturesDir: recordDir, apiBaseUrl: 'http://127.0.0.1:9/v1' } }));
    assert.deepEqual(replayed.segments, live.segments, 'the replay equals the live analysis');
    assert.equal(replayed.provenance.title, live.provenance.title, 'and its title');
  });

  test('--record fetches and records even when the track is cached, and a recorded search replays by id', async () => {
    fake.reset();
    const cacheDir = join(dir.path, 'record-cache');
    await resolveAnalysis(ID, options({ cacheDir })); // warm the cache
    fake.reset();
    fake.on('GET', '/v1/search', { json: readJson('fixtures/spotify/search/quiet-instrumental.json') });
    const recordDir = join(dir.path, 'recorded-search');
    await resolveAnalysis('quiet instrumental', options({ cacheDir, spotify: { recordDir } }));
    assert.equal(fake.requestsTo('/v1/audio-analysis/').length, 1, 'not answered from the cache');
    const files = (await readdir(recordDir, { recursive: true })).map(String).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, ['audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json', 'search/quiet-instrumental.json', 'tracks/7nWUDDCpTDYle0Ppi8i5K1.json'], 'recorded even though cached, the search too');
    const replayed = await resolveAnalysis(ID, options({ spotify: { fixturesDir: recordDir } }));
    assert.equal(replayed.provenance.origin, 'fixtures', 'the recorded search replays');
  });

  test('a damaged cache entry is reported and fetched again; under --offline it is named in the error', async () => {
    const cacheDir = join(dir.path, 'damaged-cache');
    fake.reset();
    await resolveAnalysis(ID, options({ cacheDir }));
    const path = join(cacheDir, 'tracks', `${ID}.json`);
    const entry = JSON.parse(await readFile(path, 'utf8'));
    entry.analysis.segments[3].pitches.pop();
    await writeFile(path, JSON.stringify(entry));
    await assert.rejects(resolveAnalysis(ID, options({ cacheDir, offline: true })), (e: unknown) => {
      assert.ok(e instanceof SongscopeError, 'a SongscopeError');
      assert.equal(e.exitCode, 2, 'exit code 2');
      assert.ok(e.message.includes(path) && e.message.includes('segments[3].pitches has 11 values'), e.message);
      return true;
    }, 'the damaged entry is named in the offline error');
    fake.reset();
    lines.length = 0;
    const a = await resolveAnalysis(ID, options({ cacheDir }));
    assert.equal(a.provenance.origin, 'api', 'fetched again');
    assert.ok(lines.some((l) => l.startsWith(`ignoring the damaged cache entry ${path}`)), lines.join('\n'));
    assert.equal((await new AnalysisCache(cacheDir).get(ID))?.analysis.segments[3].pitches.length, 12, 'the entry is repaired');
    // an entry whose track metadata is missing is ignored too
    entry.track = { id: ID };
    await writeFile(path, JSON.stringify(entry));
    fake.reset();
    assert.equal((await resolveAnalysis(ID, options({ cacheDir }))).provenance.origin, 'api', 'an entry without track metadata is fetched again');
  });

  test('a broken recorded fixture is named with its line and column (exit code 2)', async () => {
    const fixturesDir = join(dir.path, 'broken-fixtures');
    await mkdir(join(fixturesDir, 'audio-analysis'), { recursive: true });
    const file = join(fixturesDir, 'audio-analysis', `${ID}.json`);
    await writeFile(file, '{\n  "track": {"duration": 1},\n  "segments": [1,,2]\n}\n');
    await assert.rejects(resolveAnalysis(ID, options({ spotify: { fixturesDir } })), (e: unknown) => {
      assert.ok(e instanceof SongscopeError, 'a SongscopeError');
      assert.equal(e.exitCode, 2, 'exit code 2');
      assert.equal(e.message, `${file}: not valid JSON (unexpected "," at line 3, column 18)`, 'the message names the line and column');
      return true;
    }, 'the broken fixture is named with its line and column');
  });

  test('JSON on stdin', async () => {
    const text = JSON.stringify(readJson('fixtures/psy-gangnam-style.json'));
    const a = await resolveAnalysis('-', { stdin: Readable.from([text.slice(0, 1000), text.slice(1000)]) });
    assert.equal(a.provenance.origin, 'stdin', 'read from stdin');
    assert.equal(a.segments.length, 894, 'all 894 segments');
  });

  test('albums and directories are not tracks', async () => {
    await assert.rejects(resolveAnalysis('spotify:album:4m2880jivSbbyEGAKfITCa', options()), /names an album; give one track/, 'an album is not a track');
    await assert.rejects(resolveAnalysis(FIXTURES, options()), /is a directory/, 'a directory is not a track');
  });
});
