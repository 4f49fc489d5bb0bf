/**
 * The undamaged inputs every fuzz family starts from: the real fixtures (analysis JSON, audio, the MSD
 * .h5, the manifest), a small excerpt of one analysis (so valid-looking cases stay cheap), WAV files in
 * several encodings (no WAV is committed: they are written here, as test/audio does), and matrix files
 * (Arrow, CSV) made from the excerpt by the library itself. Built once per run into a corpus directory.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/fixtures.js';
import { readAnalysisFile } from '../../src/sources/files.js';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { writeMatrix } from '../../src/matrix/io.js';
import { analyzeAudioFile } from '../../src/audio/analyzer.js';
import { LOCAL_ANALYZER_VERSION } from '../../src/audio/types.js';
import { createHash } from 'node:crypto';

/** One analysis JSON base: its name and text. */
export interface JsonBase {
  name: string;
  text: string;
  /** Parsed once; generators clone what they change. */
  value: unknown;
}

/** One audio base: container, bytes and the duration the product decodes from the undamaged file. */
export interface AudioBase {
  name: string;
  container: 'wav' | 'flac' | 'mp3' | 'ogg' | 'opus';
  ext: string;
  bytes: Uint8Array;
  /** Seconds, from the undamaged file (undefined for formats decoded only through ffmpeg). */
  durationS?: number;
}

export interface Corpus {
  dir: string;
  json: JsonBase[];
  /** The small excerpt (first 12 s of psy-gangnam-style, long strings dropped): cheap to analyse. */
  excerpt: JsonBase;
  audio: AudioBase[];
  msd: Uint8Array;
  /** Matrix files made from the excerpt: features as Arrow and CSV, and a similarity table as CSV. */
  arrow: Uint8Array;
  csv: string;
  /** An Arrow IPC *stream* of the same matrix (what `features -o -` writes). */
  arrowStream: Uint8Array;
  manifest: string;
  /** A valid cache entry (`<cache>/local/<sha256>.json`) for the `wav8` base. */
  localEntry: Record<string, unknown>;
  /** Absolute paths of the committed fixture files that manifests may point at. */
  paths: { psy: string; webApi: string; edx: string; msd: string; spotifyFixtures: string; excerpt: string };
}

const EXCERPT_S = 12;

/** The first `seconds` of an analysis: events starting before it, the long fingerprint strings dropped. */
export function excerptOf(analysis: Record<string, unknown>, seconds: number): Record<string, unknown> {
  const within = (list: unknown) =>
    (Array.isArray(list) ? list : [])
      .filter((e: { start: number }) => e.start < seconds)
      .map((e: { start: number; duration: number }) => ({ ...e, duration: Math.min(e.duration, Math.max(0, seconds - e.start)) }));
  const track = { ...(analysis.track as Record<string, unknown>) };
  for (const k of ['codestring', 'echoprintstring', 'synchstring', 'rhythmstring']) track[k] = '';
  track.duration = seconds;
  track.num_samples = Math.round(seconds * 22050);
  track.start_of_fade_out = Math.min(Number(track.start_of_fade_out), seconds);
  track.end_of_fade_in = Math.min(Number(track.end_of_fade_in), seconds);
  return {
    meta: analysis.meta,
    track,
    bars: within(analysis.bars),
    beats: within(analysis.beats),
    tatums: within(analysis.tatums),
    sections: within(analysis.sections),
    segments: within(analysis.segments),
  };
}

/** A WAV file of the fixtures' test signal (clicks, 440 Hz then 660 Hz), in one of several encodings. */
export function makeWav(o: { rate: number; channels: number; bits: 8 | 16 | 24 | 32; float?: boolean; extensible?: boolean; seconds: number }): Uint8Array {
  const frames = Math.round(o.rate * o.seconds);
  const bytesPer = o.bits / 8;
  const blockAlign = bytesPer * o.channels;
  const dataBytes = frames * blockAlign;
  const fmtBytes = o.extensible ? 40 : 16;
  const buf = Buffer.alloc(12 + 8 + fmtBytes + 8 + dataBytes);
  let p = 0;
  buf.write('RIFF', p); buf.writeUInt32LE(buf.length - 8, p + 4); buf.write('WAVE', p + 8); p += 12;
  buf.write('fmt ', p); buf.writeUInt32LE(fmtBytes, p + 4); p += 8;
  const tag = o.float ? 3 : 1;
  buf.writeUInt16LE(o.extensible ? 0xfffe : tag, p);
  buf.writeUInt16LE(o.channels, p + 2);
  buf.writeUInt32LE(o.rate, p + 4);
  buf.writeUInt32LE(o.rate * blockAlign, p + 8);
  buf.writeUInt16LE(blockAlign, p + 12);
  buf.writeUInt16LE(o.bits, p + 14);
  if (o.extensible) {
    buf.writeUInt16LE(22, p + 16);
    buf.writeUInt16LE(o.bits, p + 18);
    buf.writeUInt32LE(o.channels === 1 ? 4 : 3, p + 20);
    // SubFormat GUID: the format tag, then 00000000-0010-8000-00AA00389B71
    buf.writeUInt16LE(tag, p + 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(buf, p + 26);
  }
  p += fmtBytes;
  buf.write('data', p); buf.writeUInt32LE(dataBytes, p + 4); p += 8;
  for (let i = 0; i < frames; i++) {
    const t = i / o.rate;
    const click = Math.abs(t - 0.25) < 0.0005 || Math.abs(t - (o.seconds - 0.25)) < 0.0005 ? 0.9 : 0;
    const tone = t >= 0.5 && t < o.seconds / 2 ? 0.5 * Math.sin(2 * Math.PI * 440 * t) : t >= o.seconds / 2 && t < o.seconds - 0.5 ? 0.5 * Math.sin(2 * Math.PI * 660 * t) : 0;
    const x = click + tone;
    for (let c = 0; c < o.channels; c++) {
      if (o.float) buf.writeFloatLE(x, p);
      else if (o.bits === 8) buf.writeUInt8(Math.round(x * 127) + 128, p);
      else if (o.bits === 16) buf.writeInt16LE(Math.round(x * 32767), p);
      else if (o.bits === 24) buf.writeIntLE(Math.round(x * 8388607), p, 3);
      else buf.writeInt32LE(Math.round(x * 2147483647), p);
      p += bytesPer;
    }
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

let built: Promise<Corpus> | undefined;

/** Build the corpus once (per process) into `dir`. */
export function buildCorpus(dir: string): Promise<Corpus> {
  built ??= build(dir);
  return built;
}

async function build(dir: string): Promise<Corpus> {
  await mkdir(dir, { recursive: true });
  const fx = (p: string) => join(FIXTURES, p);
  const readJson = (name: string, path: string): JsonBase => {
    const text = readFileSync(path, 'utf8');
    return { name, text, value: JSON.parse(text) };
  };
  const psy = readJson('psy', fx('psy-gangnam-style.json'));
  const webApi = readJson('webapi', fx('spotify-web-api-js-track.json'));
  const edx = readJson('edx', fx('edx-give-it-up-for-love.echonest.json'));
  const excerptValue = excerptOf(psy.value as Record<string, unknown>, EXCERPT_S);
  const excerpt: JsonBase = { name: 'excerpt', text: JSON.stringify(excerptValue), value: excerptValue };
  const excerptPath = join(dir, 'excerpt.json');
  await writeFile(excerptPath, excerpt.text);
  // a small valid album for the invocation cases: two copies of the excerpt, labelled
  await writeFile(join(dir, 'e1.json'), excerpt.text);
  await writeFile(join(dir, 'e2.json'), excerpt.text);
  await writeFile(join(dir, 'album.csv'), 'path_or_uri,label\ne1.json,a\ne2.json,b\n');
  // songscope's own analysis.json (with a provenance record) and a cache-entry wrapper, from the excerpt
  const own = await readAnalysisFile(excerptPath);
  const ownBase: JsonBase = { name: 'own', text: JSON.stringify(own), value: JSON.parse(JSON.stringify(own)) };
  const wrapperValue = {
    songscope_cache: 1,
    fetched_at: '2025-01-01T00:00:00.000Z',
    track: { id: '7nWUDDCpTDYle0Ppi8i5K1', name: 'Excerpt', artists: ['PSY'], album: 'x', durationMs: EXCERPT_S * 1000 },
    analysis: excerptValue,
  };
  const wrapper: JsonBase = { name: 'wrapper', text: JSON.stringify(wrapperValue), value: wrapperValue };

  // matrix files from the excerpt (the library's own writers, as `features` uses them)
  const matrix = buildFeatureMatrix(own, { grid: 'full' });
  await writeMatrix(matrix, join(dir, 'base.arrow'));
  await writeMatrix(matrix, join(dir, 'base.csv'));
  const chunks: Buffer[] = [];
  const { PassThrough } = await import('node:stream');
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await writeMatrix(matrix, '-', { stdout: sink });
  sink.end();
  const arrowStream = new Uint8Array(Buffer.concat(chunks));

  const audio: AudioBase[] = [
    { name: 'wav16', container: 'wav', ext: '.wav', bytes: makeWav({ rate: 44100, channels: 2, bits: 16, seconds: 3 }) },
    { name: 'wav24', container: 'wav', ext: '.wav', bytes: makeWav({ rate: 48000, channels: 1, bits: 24, seconds: 3 }) },
    { name: 'wavf32', container: 'wav', ext: '.wav', bytes: makeWav({ rate: 22050, channels: 2, bits: 32, float: true, seconds: 3 }) },
    { name: 'wavext', container: 'wav', ext: '.wav', bytes: makeWav({ rate: 32000, channels: 2, bits: 16, extensible: true, seconds: 3 }) },
    { name: 'wav8', container: 'wav', ext: '.wav', bytes: makeWav({ rate: 11025, channels: 1, bits: 8, seconds: 3 }) },
    { name: 'flac16', container: 'flac', ext: '.flac', bytes: readFileSync(fx('audio/tone-16.flac')) },
    { name: 'flac24', container: 'flac', ext: '.flac', bytes: readFileSync(fx('audio/tone-24-mono.flac')) },
    { name: 'mp3', container: 'mp3', ext: '.mp3', bytes: readFileSync(fx('audio/tone.mp3')) },
    { name: 'ogg', container: 'ogg', ext: '.ogg', bytes: readFileSync(fx('audio/tone-48k.ogg')) },
    { name: 'opus', container: 'opus', ext: '.opus', bytes: readFileSync(fx('audio/tone.opus')) },
  ];
  let localEntry: Record<string, unknown> | undefined;
  for (const a of audio) {
    if (a.container === 'opus') continue;
    const path = join(dir, `${a.name}${a.ext}`);
    await writeFile(path, a.bytes);
    const analysed = await analyzeAudioFile(path);
    a.durationS = analysed.track.duration;
    if (a.name === 'wav8') {
      const { provenance: _omit, ...plain } = analysed;
      const sha256 = createHash('sha256').update(a.bytes).digest('hex');
      localEntry = { songscope_cache: 1, sha256, analyzer_version: LOCAL_ANALYZER_VERSION, file: 'wav8.wav', analysis: plain };
    }
  }
  return {
    dir,
    json: [psy, webApi, edx, excerpt, ownBase, wrapper],
    excerpt,
    audio,
    msd: readFileSync(fx('msd/TRAAAFP128F931B4E3.h5')),
    arrow: readFileSync(join(dir, 'base.arrow')),
    csv: readFileSync(join(dir, 'base.csv'), 'utf8'),
    arrowStream,
    manifest: readFileSync(fx('manifests/fixtures.csv'), 'utf8'),
    localEntry: localEntry!,
    paths: {
      psy: fx('psy-gangnam-style.json'),
      webApi: fx('spotify-web-api-js-track.json'),
      edx: fx('edx-give-it-up-for-love.echonest.json'),
      msd: fx('msd/TRAAAFP128F931B4E3.h5'),
      spotifyFixtures: fx('spotify'),
      excerpt: excerptPath,
    },
  };
}
