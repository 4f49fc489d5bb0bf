/**
 * Damaged inputs other than analysis JSON and audio: the Million Song Dataset .h5, Arrow IPC files and
 * streams, CSV matrices, album manifests and directories, the analysis cache (damaged, unwritable, with
 * stale temporary files) and recorded Spotify fixtures.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS_MIX, privateFlags, trackInvocation } from './commands.js';
import type { Corpus } from './corpus.js';
import { jsonBase, mutateJson } from './json.js';
import { DEFAULT_BUDGET, type CaseDirs, type CaseSpec, type Generator, type Invocation, type Rng } from './types.js';

interface Built {
  what: string;
  prepare(dirs: CaseDirs): Promise<Invocation>;
}
type Mutator = (rng: Rng, corpus: Corpus) => Built;

const copy = (b: Uint8Array) => new Uint8Array(b);
function flip(rng: Rng, b: Uint8Array, from: number, to: number, n: number): number[] {
  const at: number[] = [];
  for (let k = 0; k < n && to > from; k++) {
    const i = from + rng.int(to - from);
    b[i] ^= 1 << rng.int(8);
    at.push(i);
  }
  return at;
}
const list = (xs: number[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''}`;

/** A damaged file given to a track command (fetch/analyze/features/correlate). */
function trackFile(rng: Rng, name: string, bytes: Uint8Array | string, what: string): Built {
  const cmd = rng.weighted(ANALYSIS_MIX);
  return {
    what,
    async prepare(dirs) {
      const input = join(dirs.input, name);
      await writeFile(input, bytes);
      return trackInvocation(cmd, input, dirs, { rng });
    },
  };
}

type MatrixCommand = 'correlate' | 'normalize' | 'cluster' | 'reduce' | 'correlate-stdin';

/** A damaged matrix file (or stream on stdin) given to a toolkit command. */
function matrixFile(rng: Rng, name: string, bytes: Uint8Array | string, what: string, stdin = false): Built {
  const cmd: MatrixCommand = stdin ? 'correlate-stdin' : rng.weighted([[45, 'correlate'], [25, 'normalize'], [15, 'cluster'], [15, 'reduce']] as const);
  return {
    what,
    async prepare(dirs) {
      const input = join(dirs.input, name);
      await writeFile(input, bytes);
      const w = (n: string) => join(dirs.work, n);
      const flags = privateFlags(dirs);
      const plot = rng.chance(0.1) ? [] : ['--no-plot'];
      let args: string[];
      let out: string;
      switch (cmd) {
        case 'correlate':
          out = w(rng.pick(['c.csv', 'c.arrow']));
          args = ['correlate', input, '-o', out, ...plot, ...flags];
          break;
        case 'correlate-stdin':
          out = w('c.csv');
          args = ['correlate', '-', '-o', out, '--no-plot', ...flags];
          break;
        case 'normalize':
          out = w(rng.pick(['n.arrow', 'n.csv']));
          args = ['normalize', input, '--mode', rng.pick(['zscore-within', 'minmax', 'zscore-row']), '-o', out, ...plot, ...flags];
          break;
        case 'cluster':
          out = w('k.csv');
          args = ['cluster', input, '--k', '3', '--method', rng.pick(['kmeans', 'novelty', 'agglomerative']), '-o', out, ...plot, ...flags];
          break;
        default:
          out = w('r.csv');
          args = ['reduce', input, '--model', rng.pick(['pca', 'classical-mds']), '-o', out, ...plot, ...flags];
      }
      return { args, stdin: cmd === 'correlate-stdin' ? input : undefined, expect: { exits: [0, 2], outputs: [out] }, budget: DEFAULT_BUDGET };
    },
  };
}

/** Where the record batches of an Arrow IPC file lie: after the schema message, before the footer. */
function arrowLayout(b: Uint8Array): { bodyStart: number; footerStart: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const footerLen = v.getInt32(b.length - 10, true);
  const footerStart = b.length - 10 - footerLen;
  // file: magic (6) + padding (2), then the schema message: continuation (4) + length (4) + flatbuffer
  const schemaLen = v.getInt32(12, true);
  return { bodyStart: 16 + schemaLen, footerStart };
}

const CSV_CELLS = ['', 'NaN', 'nan', 'Infinity', '-inf', 'abc', '1e999', '-1e999', '0x10', ' 1 ', '"1"', '"1,5"', '1,5', '1e308', '-0', '١٢'];
const CSV_TIMES = ['1.5', '-1', '2147483648', '2147483647', '-2147483649', '1e3', '', 'x', '0', '9007199254740993', '1e12'];

function csvRows(csv: string): string[] {
  return csv.split('\n');
}

const MUTATORS: Record<string, Mutator> = {
  // ---- MSD .h5 ----
  'msd-truncate': (rng, c) => {
    const at = rng.chance(0.5) ? rng.pick([0, 8, 96, 512, 2048, 4096, 65536, c.msd.length - 1]) : rng.int(c.msd.length);
    return trackFile(rng, 'TRAAAFP128F931B4E3.h5', c.msd.subarray(0, at), `MSD .h5 truncated at byte ${at} of ${c.msd.length}`);
  },
  'msd-flip-superblock': (rng, c) => {
    const b = copy(c.msd);
    const at = flip(rng, b, 0, 96, rng.range(1, 4));
    return trackFile(rng, 'TRAAAFP128F931B4E3.h5', b, `MSD .h5: bit flips in the superblock at ${list(at)}`);
  },
  'msd-flip-body': (rng, c) => {
    const b = copy(c.msd);
    const at = flip(rng, b, 96, b.length, rng.pick([1, 4, 16, 64, 512]));
    return trackFile(rng, 'TRAAAFP128F931B4E3.h5', b, `MSD .h5: ${at.length} bit flips at ${list(at)}`);
  },
  'msd-zero': (rng, c) => {
    const b = copy(c.msd);
    const from = rng.chance(0.3) ? 0 : rng.int(b.length);
    const n = rng.pick([8, 96, 512, 4096, 65536]);
    b.fill(0, from, from + n);
    return trackFile(rng, 'TRAAAFP128F931B4E3.h5', b, `MSD .h5: ${n} bytes zeroed from ${from}`);
  },
  'msd-other': (rng, c) => {
    const kind = rng.int(4);
    if (kind === 0) return trackFile(rng, rng.pick(['x.json', 'x.wav', 'x', 'x.hdf5', 'x.arrow']), c.msd, 'an MSD .h5 under another extension');
    if (kind === 1) return trackFile(rng, 'x.h5', Buffer.concat([new Uint8Array(512), c.msd]), 'an MSD .h5 behind a 512-byte zero user block');
    if (kind === 2) return trackFile(rng, 'x.h5', Buffer.concat([c.msd, rng.bytes(4096)]), 'an MSD .h5 with 4 KB of junk appended');
    return trackFile(rng, 'x.h5', Buffer.from(c.excerpt.text), 'analysis JSON named .h5');
  },
  // ---- Arrow ----
  'arrow-truncate': (rng, c) => {
    const { bodyStart, footerStart } = arrowLayout(c.arrow);
    const at = rng.chance(0.5) ? rng.pick([0, 6, 8, 12, bodyStart, bodyStart + 8, footerStart, c.arrow.length - 6, c.arrow.length - 1]) : rng.int(c.arrow.length);
    return matrixFile(rng, 'm.arrow', c.arrow.subarray(0, at), `Arrow file truncated at byte ${at} of ${c.arrow.length}`);
  },
  'arrow-flip-schema': (rng, c) => {
    const b = copy(c.arrow);
    const at = flip(rng, b, 8, arrowLayout(c.arrow).bodyStart, rng.range(1, 6));
    return matrixFile(rng, 'm.arrow', b, `Arrow file: bit flips in the schema at ${list(at)}`);
  },
  'arrow-flip-footer': (rng, c) => {
    const b = copy(c.arrow);
    const at = flip(rng, b, arrowLayout(c.arrow).footerStart, b.length, rng.range(1, 6));
    return matrixFile(rng, 'm.arrow', b, `Arrow file: bit flips in the footer at ${list(at)}`);
  },
  'arrow-flip-body': (rng, c) => {
    const b = copy(c.arrow);
    const { bodyStart, footerStart } = arrowLayout(c.arrow);
    // the first bytes of each record batch message are its metadata: aim there half the time
    const at = rng.chance(0.5) ? flip(rng, b, bodyStart, bodyStart + 600, rng.range(1, 4)) : flip(rng, b, bodyStart, footerStart, rng.pick([1, 16, 256]));
    return matrixFile(rng, 'm.arrow', b, `Arrow file: bit flips in the record batches at ${list(at)}`);
  },
  'arrow-zero': (rng, c) => {
    const b = copy(c.arrow);
    const { bodyStart, footerStart } = arrowLayout(c.arrow);
    const region = rng.pick(['body', 'footer', 'schema', 'head'] as const);
    const [from, to] = region === 'body' ? [bodyStart, footerStart] : region === 'footer' ? [footerStart, b.length - 6] : region === 'schema' ? [8, bodyStart] : [0, 8];
    b.fill(0, from, to);
    return matrixFile(rng, 'm.arrow', b, `Arrow file: the ${region} (bytes ${from}–${to}) zeroed`);
  },
  'arrow-stream-stdin': (rng, c) => {
    const s = copy(c.arrowStream);
    const kind = rng.int(3);
    if (kind === 0) {
      const at = rng.int(s.length);
      return matrixFile(rng, 'stream.arrows', s.subarray(0, at), `Arrow stream on stdin truncated at byte ${at} of ${s.length}`, true);
    }
    if (kind === 1) {
      const at = flip(rng, s, 0, Math.min(s.length, 4000), rng.range(1, 6));
      return matrixFile(rng, 'stream.arrows', s, `Arrow stream on stdin, bit flips at ${list(at)}`, true);
    }
    return matrixFile(rng, 'stream.arrows', rng.chance(0.5) ? c.arrow : rng.bytes(rng.pick([1, 8, 4096])), 'an Arrow file, or random bytes, on stdin', true);
  },
  'arrow-misnamed': (rng, c) => {
    const kind = rng.int(4);
    if (kind === 0) return matrixFile(rng, 'm.csv', c.arrow, 'an Arrow file named .csv');
    if (kind === 1) return matrixFile(rng, 'm.arrow', c.csv, 'a CSV file named .arrow');
    if (kind === 2) return matrixFile(rng, 'm.feather', c.arrowStream, 'an Arrow stream named .feather');
    return matrixFile(rng, 'm.arrow', c.excerpt.text, 'analysis JSON named .arrow');
  },
  // ---- CSV ----
  'csv-cells': (rng, c) => {
    const rows = csvRows(c.csv);
    const n = rng.range(1, 5);
    const where: string[] = [];
    for (let k = 0; k < n; k++) {
      const r = 1 + rng.int(rows.length - 2);
      const cells = rows[r].split(',');
      const col = 1 + rng.int(cells.length - 1);
      cells[col] = rng.pick(CSV_CELLS);
      rows[r] = cells.join(',');
      where.push(`line ${r + 1} column ${col + 1} = ${JSON.stringify(cells[col])}`);
    }
    return matrixFile(rng, 'm.csv', rows.join('\n'), `CSV: ${where.join('; ')}`);
  },
  'csv-time': (rng, c) => {
    const rows = csvRows(c.csv);
    const kind = rng.int(4);
    if (kind === 0) {
      const r = 1 + rng.int(rows.length - 2);
      const v = rng.pick(CSV_TIMES);
      rows[r] = v + rows[r].slice(rows[r].indexOf(','));
      return matrixFile(rng, 'm.csv', rows.join('\n'), `CSV: time_ms on line ${r + 1} = ${JSON.stringify(v)}`);
    }
    if (kind === 1) {
      const r = rows.length - 2;
      const v = rng.pick(['2147483647', '100000000', '10800001', '1000000']);
      rows[r] = v + rows[r].slice(rows[r].indexOf(','));
      return matrixFile(rng, 'm.csv', rows.join('\n'), `CSV: the last row at time_ms ${v} (a gap of hours)`);
    }
    if (kind === 2) {
      const body = rows.slice(1, -1);
      for (let i = body.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [body[i], body[j]] = [body[j], body[i]];
      }
      return matrixFile(rng, 'm.csv', [rows[0], ...body, ''].join('\n'), 'CSV: rows shuffled out of time order');
    }
    const r = 2 + rng.int(rows.length - 3);
    rows[r] = rows[r - 1];
    return matrixFile(rng, 'm.csv', rows.join('\n'), `CSV: line ${r + 1} repeats the time of line ${r}`);
  },
  'csv-columns': (rng, c) => {
    const rows = csvRows(c.csv);
    const header = rows[0].split(',');
    const kind = rng.int(6);
    if (kind === 0) {
      const col = rng.int(header.length);
      const cut = (line: string) => line.split(',').filter((_, i) => i !== col).join(',');
      const all = rng.chance(0.5);
      return matrixFile(rng, 'm.csv', (all ? rows.map((l) => (l ? cut(l) : l)) : [cut(rows[0]), ...rows.slice(1)]).join('\n'), `CSV: column ${header[col]} removed ${all ? 'everywhere' : 'from the header only'}`);
    }
    if (kind === 1) {
      const r = 1 + rng.int(rows.length - 2);
      rows[r] += rng.pick([',1', ',', ',,,,']);
      return matrixFile(rng, 'm.csv', rows.join('\n'), `CSV: extra fields on line ${r + 1}`);
    }
    if (kind === 2) {
      header[1 + rng.int(header.length - 1)] = rng.pick(['time_ms', header[1], '', 'Unnamed: 0', ' ', '"bar"']);
      return matrixFile(rng, 'm.csv', [header.join(','), ...rows.slice(1)].join('\n'), `CSV: header ${header.join(',').slice(0, 60)}…`);
    }
    if (kind === 3) {
      header[0] = rng.pick(['time', 'TIME_MS', '', 'time_s']);
      return matrixFile(rng, 'm.csv', [header.join(','), ...rows.slice(1)].join('\n'), `CSV: the time column is named ${JSON.stringify(header[0])}`);
    }
    if (kind === 4) {
      const n = rng.pick([1, 1000, 100000]);
      const extra = Array.from({ length: n }, (_, i) => `x${i}`);
      return matrixFile(rng, 'm.csv', [[...header, ...extra].join(','), ...rows.slice(1, 50)].join('\n'), `CSV: ${n} extra header columns`);
    }
    return matrixFile(rng, 'm.csv', rows.map((l) => l.split(',').slice(0, 1).join(',')).join('\n'), 'CSV: only the time_ms column');
  },
  'csv-truncate': (rng, c) => {
    const kind = rng.int(4);
    if (kind === 0) {
      const at = rng.int(c.csv.length);
      return matrixFile(rng, 'm.csv', c.csv.slice(0, at), `CSV truncated at byte ${at} of ${c.csv.length}`);
    }
    if (kind === 1) return matrixFile(rng, 'm.csv', csvRows(c.csv)[0] + rng.pick(['', '\n']), 'CSV: the header line only');
    if (kind === 2) return matrixFile(rng, 'm.csv', rng.pick(['', '\n', '\n\n', '# comment\n']), 'CSV: empty or comments only');
    const rows = csvRows(c.csv);
    return matrixFile(rng, 'm.csv', rows.slice(0, 2).join('\n') + '\n', 'CSV: one data row');
  },
  'csv-encoding': (rng, c) => {
    const kind = rng.int(6);
    const head = c.csv.slice(0, 400_000);
    if (kind === 0) return matrixFile(rng, 'm.csv', '\ufeff' + c.csv, 'CSV with a UTF-8 BOM');
    if (kind === 1) return matrixFile(rng, 'm.csv', c.csv.replace(/\n/g, '\r\n'), 'CSV with CRLF line ends');
    if (kind === 2) return matrixFile(rng, 'm.csv', c.csv.replace(/\n/g, '\r'), 'CSV with CR-only line ends');
    if (kind === 3) return matrixFile(rng, 'm.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(head, 'utf16le')]), 'CSV in UTF-16 LE');
    if (kind === 4) {
      const b = Buffer.from(c.csv);
      const at = flip(rng, b, 0, b.length, rng.pick([1, 8, 64]));
      return matrixFile(rng, 'm.csv', b, `CSV with bit flips at ${list(at)}`);
    }
    return matrixFile(rng, 'm.csv', c.csv.replace(/,/g, rng.pick(['\t', ';', ', '])), 'CSV with another separator');
  },
  'csv-quotes': (rng, c) => {
    const rows = csvRows(c.csv);
    const r = 1 + rng.int(rows.length - 2);
    const kind = rng.int(3);
    rows[r] = kind === 0 ? '"' + rows[r] : kind === 1 ? rows[r].replace(',', ',"x"y,') : rows[r].split(',').map((x) => `"${x}"`).join(',');
    return matrixFile(rng, 'm.csv', rows.join('\n'), `CSV: ${['an unterminated quote', 'a stray quote', 'every field quoted'][kind]} on line ${r + 1}`);
  },
  // ---- manifests and directories (album) ----
  'manifest-lines': (rng, c) => manifestCase(rng, c),
  'manifest-damaged-tracks': (rng, c) => manifestCase(rng, c, true),
  'album-directory': (rng, c) => directoryCase(rng, c),
  // ---- the cache ----
  'cache-local-damaged': (rng, c) => {
    const m = mutateJson(rng, jsonBase('entry', c.localEntry), ['delete-key', 'wrong-type', 'truncate-structural', 'truncate-anywhere', 'bom', 'top-level', 'special-number', 'empty-lists', 'vector-length', 'bit-flips', 'deep-nesting', 'odd-keys']);
    const wav = c.audio.find((a) => a.name === 'wav8')!;
    return {
      what: `the cache entry of wav8 damaged: ${m.what}`,
      async prepare(dirs) {
        const sha = (c.localEntry as { sha256: string }).sha256;
        await mkdir(join(dirs.cache, 'local'), { recursive: true });
        await writeFile(join(dirs.cache, 'local', `${sha}.json`), m.bytes);
        const input = join(dirs.input, 'wav8.wav');
        await writeFile(input, wav.bytes);
        // a damaged cache entry is the cache's fault, not the file's: the file is analysed again (exit 0)
        const inv = trackInvocation(rng.pick(['fetch', 'analyze'] as const), input, dirs, { exits: [0] });
        return inv;
      },
    };
  },
  'cache-track-damaged': (rng, c) => {
    const id = '7nWUDDCpTDYle0Ppi8i5K1';
    const entry = { songscope_cache: 1, fetched_at: '2025-01-01T00:00:00.000Z', track: { id, name: 'x', artists: ['y'], album: 'z', durationMs: 12000 }, analysis: c.excerpt.value };
    const m = mutateJson(rng, jsonBase('entry', entry));
    return {
      what: `the cache entry of spotify:track:${id} damaged (--offline): ${m.what}`,
      async prepare(dirs) {
        await mkdir(join(dirs.cache, 'tracks'), { recursive: true });
        await writeFile(join(dirs.cache, 'tracks', `${id}.json`), m.bytes);
        return trackInvocation(rng.pick(['fetch', 'analyze', 'features-arrow'] as const), `spotify:track:${id}`, dirs);
      },
    };
  },
  'cache-unwritable': (rng, c) => {
    const kind = rng.pick(['file', 'under-file', 'readonly', 'full', 'proc'] as const);
    const name = rng.pick(['wav8', 'flac16', 'mp3']);
    const wav = c.audio.find((a) => a.name === name)!;
    return {
      what: `${wav.name} analysed with an unwritable cache (${kind})`,
      async prepare(dirs) {
        const input = join(dirs.input, `${wav.name}${wav.ext}`);
        await writeFile(input, wav.bytes);
        let cacheDir = dirs.cache;
        let sandbox: Invocation['sandbox'];
        if (kind === 'file') {
          cacheDir = join(dirs.root, 'cache-file');
          await writeFile(cacheDir, 'not a directory');
        } else if (kind === 'under-file') {
          await writeFile(join(dirs.root, 'f'), 'x');
          cacheDir = join(dirs.root, 'f', 'cache');
        } else if (kind === 'proc') {
          cacheDir = '/proc/self/songscope-cache';
        } else {
          cacheDir = join(dirs.root, 'mnt');
          await mkdir(cacheDir);
          sandbox = kind === 'readonly' ? { kind: 'readonly', mount: cacheDir } : { kind: 'tmpfs', mount: cacheDir, sizeKb: 4 };
        }
        const inv = trackInvocation(rng.pick(['fetch', 'analyze'] as const), input, { ...dirs, cache: cacheDir });
        inv.env = { SONGSCOPE_CACHE_DIR: cacheDir };
        // the cache is an optimisation: failing to write it must not fail the analysis
        inv.expect.exits = [0];
        inv.sandbox = sandbox;
        return inv;
      },
    };
  },
  'cache-stale-temp': (rng, c) => {
    const wav = c.audio.find((a) => a.name === 'wav8')!;
    const n = rng.pick([1, 3, 50]);
    return {
      what: `${n} stale temporary files (.tmp-) of killed runs in the cache`,
      async prepare(dirs) {
        const sha = (c.localEntry as { sha256: string }).sha256;
        await mkdir(join(dirs.cache, 'local'), { recursive: true });
        await mkdir(join(dirs.cache, 'tracks'), { recursive: true });
        for (let i = 0; i < n; i++) {
          const text = JSON.stringify(c.localEntry).slice(0, rng.int(2000));
          await writeFile(join(dirs.cache, 'local', `.${sha}.json.tmp-${1000 + i}-${(0xabc000 + i).toString(16)}`), text);
          await writeFile(join(dirs.cache, 'tracks', `.7nWUDDCpTDYle0Ppi8i5K1.json.tmp-${1000 + i}-deadbeef`), text);
        }
        const input = join(dirs.input, 'wav8.wav');
        await writeFile(input, wav.bytes);
        const inv = trackInvocation(rng.pick(['fetch', 'analyze'] as const), input, dirs, { exits: [0] });
        return inv;
      },
    };
  },
  // ---- recorded Spotify fixtures ----
  'spotify-fixtures': (rng, c) => {
    const files = ['audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json', 'tracks/7nWUDDCpTDYle0Ppi8i5K1.json', 'search/quiet-instrumental.json', 'albums/SongscopeFixtureAlbum1.json', 'playlists/SongscopeFixtureList01.json', 'playlists/SongscopeFixtureList01/tracks.limit-100-offset-2.json'];
    const file = rng.pick(files);
    const kinds = file.startsWith('audio') ? undefined : ['delete-key', 'wrong-type', 'truncate-structural', 'top-level', 'empty-lists', 'huge-number', 'negative-number', 'bom', 'odd-strings'];
    const original: unknown = JSON.parse(readFileSync(join(c.paths.spotifyFixtures, file), 'utf8'));
    const m = mutateJson(rng, jsonBase(file, original), kinds);
    const which = file.startsWith('albums') ? 'album' : file.startsWith('playlists') ? 'playlist' : file.startsWith('search') ? 'search' : 'track';
    const cmd = rng.pick(['fetch', 'analyze', 'features-arrow'] as const);
    return {
      what: `--fixtures with ${file} damaged: ${m.what}`,
      async prepare(dirs) {
        const fixtures = join(dirs.input, 'spotify');
        await cp(c.paths.spotifyFixtures, fixtures, { recursive: true });
        await writeFile(join(fixtures, file), m.bytes);
        const w = (n: string) => join(dirs.work, n);
        if (which === 'album' || which === 'playlist') {
          const uri = which === 'album' ? 'spotify:album:SongscopeFixtureAlbum1' : 'spotify:playlist:SongscopeFixtureList01';
          return {
            args: ['album', uri, '--fixtures', fixtures, '--no-plot', '-q', '-o', w('album'), '--cache-dir', dirs.cache],
            expect: { exits: [0, 1, 2], batch: w('album') },
            budget: { timeoutMs: 60_000, memMb: 1024 },
          };
        }
        const input = which === 'search' ? 'quiet instrumental' : 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1';
        return trackInvocation(cmd, input, dirs, { extra: ['--fixtures', fixtures] });
      },
    };
  },
};

/** Album on a manifest: its lines damaged (syntax) or its tracks damaged (some fail, the rest must be written). */
function manifestCase(rng: Rng, c: Corpus, damagedTracks = false): Built {
  const lines: string[] = ['path_or_uri,label'];
  const notes: string[] = [];
  const files: { name: string; bytes: Uint8Array | string }[] = [];
  const good = rng.range(damagedTracks ? 2 : 1, 3);
  for (let i = 0; i < good; i++) {
    files.push({ name: `t${i}.json`, bytes: c.excerpt.text });
    lines.push(`t${i}.json,${rng.pick(['a', 'b', '', '"x, y"'])}`);
  }
  if (damagedTracks) {
    for (let k = rng.range(1, 2); k > 0; k--) {
      const m = mutateJson(rng, c.excerpt);
      const name = `bad${k}.json`;
      files.push({ name, bytes: m.bytes });
      lines.push(`${name},b`);
      notes.push(m.what);
    }
  } else {
    const damage = rng.pick([
      ['missing.json,a', 'a missing file'],
      ['sub,a', 'a directory'],
      ['nested.csv,a', 'a nested manifest'],
      ['-,a', 'standard input'],
      [',a', 'an empty path'],
      ['t0.json,a,extra', 'three fields'],
      ['"t0.json,a', 'an unterminated quote'],
      ['t0.json",a', 'a stray quote'],
      ['spotify:track:7nWUDDCpTDYle0Ppi8i5K1,a', 'a Spotify track (offline, not cached)'],
      ['spotify:album:SongscopeFixtureAlbum1,a', 'a Spotify album (offline, not cached)'],
      ['/dev/null,a', '/dev/null'],
      ['t0.json,' + 'x'.repeat(100_000), 'a 100 KB label'],
      ['\u0000,a', 'a NUL path'],
      ['t0.json,a\r', 'a CR line end'],
      ['#t0.json,a', 'a comment line'],
      ['   ', 'a blank line'],
    ] as const);
    lines.splice(rng.range(1, lines.length), 0, damage[0]);
    notes.push(`a line with ${damage[1]}`);
  }
  let text = lines.join('\n') + '\n';
  if (rng.chance(0.15)) {
    text = '\ufeff' + text;
    notes.push('UTF-8 BOM');
  }
  if (rng.chance(0.15)) {
    text = text.replace(/\n/g, '\r\n');
    notes.push('CRLF');
  }
  const plots = rng.chance(0.1);
  return {
    what: `album on a manifest of ${good} good tracks + ${notes.join('; ')}`,
    async prepare(dirs) {
      for (const f of files) await writeFile(join(dirs.input, f.name), f.bytes);
      await mkdir(join(dirs.input, 'sub'));
      await writeFile(join(dirs.input, 'nested.csv'), 't0.json,a\n');
      const manifest = join(dirs.input, 'album.csv');
      await writeFile(manifest, text);
      const out = join(dirs.work, 'album');
      return {
        args: ['album', manifest, '-q', '-o', out, ...(plots ? ['--no-per-track-plots'] : ['--no-plot']), '--k', '2', ...privateFlags(dirs)],
        expect: { exits: [0, 1, 2], batch: out },
        budget: { timeoutMs: 90_000, memMb: 1024 },
      };
    },
  };
}

/** Album on a directory holding good analyses and damaged ones (JSON, .h5, empty, junk). */
function directoryCase(rng: Rng, c: Corpus): Built {
  const files: { name: string; bytes: Uint8Array | string }[] = [];
  const notes: string[] = [];
  for (let i = 0; i < rng.range(1, 3); i++) files.push({ name: `${i + 1}-good.json`, bytes: c.excerpt.text });
  for (let k = rng.range(1, 3); k > 0; k--) {
    const kind = rng.int(4);
    if (kind === 0) {
      const m = mutateJson(rng, c.excerpt);
      files.push({ name: `${10 + k}-bad.json`, bytes: m.bytes });
      notes.push(m.what);
    } else if (kind === 1) {
      const b = new Uint8Array(c.msd.subarray(0, rng.int(c.msd.length)));
      files.push({ name: `${10 + k}-bad.h5`, bytes: b });
      notes.push(`an .h5 truncated at ${b.length}`);
    } else if (kind === 2) {
      files.push({ name: `${10 + k}-empty.json`, bytes: '' });
      notes.push('an empty .json');
    } else {
      files.push({ name: `${10 + k}-junk.json`, bytes: rng.bytes(rng.pick([1, 100, 10000])) });
      notes.push('random bytes named .json');
    }
  }
  return {
    what: `album on a directory: ${files.length} files, ${notes.join('; ')}`,
    async prepare(dirs) {
      const dir = join(dirs.input, 'album');
      await mkdir(dir);
      for (const f of files) await writeFile(join(dir, f.name), f.bytes);
      const out = join(dirs.work, 'album');
      return {
        args: ['album', dir, '-q', '-o', out, '--no-plot', '--k', '2', ...privateFlags(dirs)],
        expect: { exits: [0, 1, 2], batch: out },
        budget: { timeoutMs: 90_000, memMb: 1024 },
      };
    },
  };
}

export const CONTAINER_MUTATORS = Object.keys(MUTATORS);

export const containersGenerator: Generator = (rng, index, corpus): CaseSpec => {
  const kind = CONTAINER_MUTATORS[index % CONTAINER_MUTATORS.length];
  const built = MUTATORS[kind](rng, corpus);
  return { kind, what: built.what, prepare: built.prepare };
};

