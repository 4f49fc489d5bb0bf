/**
 * Which codec a file holds, from its first bytes: RIFF/RF64 WAVE, `fLaC`, `OggS` and the first packet of
 * the stream (Vorbis or Opus), an ID3v2 tag (skipped) or MPEG audio frame sync. The file name's extension
 * is only a hint, for MP3 streams that start with junk before the first frame.
 */

export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis' | 'ogg-opus';

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let s = '';
  for (let i = at; i < at + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Total length of the ID3v2 tag at `at` (header, body, footer), or 0 when there is none. */
export function id3v2Length(bytes: Uint8Array, at = 0): number {
  if (bytes.length < at + 10 || ascii(bytes, at, 3) !== 'ID3') return 0;
  const major = bytes[at + 3];
  const flags = bytes[at + 5];
  const s = bytes.subarray(at + 6, at + 10);
  if (major === 0xff || bytes[at + 4] === 0xff || (s[0] | s[1] | s[2] | s[3]) & 0x80) return 0;
  const size = (s[0] << 21) | (s[1] << 14) | (s[2] << 7) | s[3];
  return 10 + size + (flags & 0x10 ? 10 : 0);
}

/** A parsed MPEG audio frame header. */
export interface MpegHeader {
  /** 1 (MPEG-1), 2 (MPEG-2) or 2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  /** kbit/s; 0 for free format. */
  bitrate: number;
  sampleRate: number;
  channels: 1 | 2;
  /** Frame length in bytes (0 for free format, whose length the header does not say). */
  frameBytes: number;
  samplesPerFrame: number;
  crc: boolean;
  /** Channel mode: 0 stereo, 1 joint, 2 dual, 3 mono. */
  mode: number;
}

const BITRATES: Record<string, readonly number[]> = {
  // [version 1 | 2][layer]
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] } as const;

/** The MPEG audio frame header at `at`, or undefined when those 4 bytes are not one. */
export function mpegHeader(bytes: Uint8Array, at: number): MpegHeader | undefined {
  if (at + 4 > bytes.length) return undefined;
  const b1 = bytes[at + 1];
  const b2 = bytes[at + 2];
  const b3 = bytes[at + 3];
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const v = (b1 >> 3) & 3;
  const l = (b1 >> 1) & 3;
  const bi = b2 >> 4;
  const si = (b2 >> 2) & 3;
  if (v === 1 || l === 0 || bi === 15 || si === 3) return undefined;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const bitrate = BITRATES[`${version === 1 ? 1 : 2}-${layer}`][bi];
  const sampleRate = RATES[version][si];
  const padding = (b2 >> 1) & 1;
  const mode = b3 >> 6;
  const samplesPerFrame = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  let frameBytes = 0;
  if (bitrate > 0) {
    frameBytes =
      layer === 1
        ? (Math.floor((12000 * bitrate) / sampleRate) + padding) * 4
        : Math.floor(((samplesPerFrame / 8) * 1000 * bitrate) / sampleRate) + padding;
  }
  return { version, layer, bitrate, sampleRate, channels: mode === 3 ? 1 : 2, frameBytes, samplesPerFrame, crc: (b1 & 1) === 0, mode };
}

/** Whether two headers belong to the same stream (same version, layer and sample rate). */
function sameStream(a: MpegHeader, b: MpegHeader): boolean {
  return a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;
}

/**
 * The offset of the first MPEG audio frame at or after `from`, looking at most `window` bytes ahead:
 * a header followed by another of the same stream (or by the end of the bytes).
 */
export function findMpegFrame(bytes: Uint8Array, from: number, window: number): number | undefined {
  const end = Math.min(bytes.length - 4, from + window);
  for (let i = from; i <= end; i++) {
    if (bytes[i] !== 0xff) continue;
    const h = mpegHeader(bytes, i);
    if (!h || h.frameBytes === 0) continue;
    const next = i + h.frameBytes;
    if (next + 4 > bytes.length) {
      // no room for a second header: accept a frame that ends exactly at the end, at the very start only
      if (next === bytes.length && i === from) return i;
      continue;
    }
    const h2 = mpegHeader(bytes, next);
    if (h2 && sameStream(h, h2)) return i;
  }
  return undefined;
}

/** The codec of the first logical stream of an Ogg file from its first page. */
function oggCodec(bytes: Uint8Array): AudioFormat | 'ogg-other' | undefined {
  if (bytes.length < 28) return undefined;
  const segments = bytes[26];
  const body = 27 + segments;
  if (bytes.length < body + 8) return undefined;
  if (bytes[body] === 1 && ascii(bytes, body + 1, 6) === 'vorbis') return 'ogg-vorbis';
  if (ascii(bytes, body, 8) === 'OpusHead') return 'ogg-opus';
  return 'ogg-other';
}

function extensionOf(path: string | undefined): string {
  const m = path === undefined ? null : /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? m[1].toLowerCase() : '';
}

/**
 * The audio format of `bytes` (the start of a file; 64 KiB is plenty) by its magic bytes; `path` (its
 * extension) only breaks ties for MP3 streams that start with junk. Undefined when unrecognised (Ogg
 * streams of other codecs, AAC/M4A, …).
 */
export function audioFormatOf(bytes: Uint8Array, path?: string): AudioFormat | undefined {
  if (bytes.length >= 12) {
    const riff = ascii(bytes, 0, 4);
    if ((riff === 'RIFF' || riff === 'RF64' || riff === 'BW64') && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  }
  if (ascii(bytes, 0, 4) === 'OggS') {
    const codec = oggCodec(bytes);
    return codec === 'ogg-other' ? undefined : codec;
  }
  // ID3v2 tags (sometimes several) in front of MP3 — or, against the spec, of FLAC
  let at = 0;
  for (let tag = id3v2Length(bytes, at); tag > 0; tag = id3v2Length(bytes, at)) at += tag;
  if (ascii(bytes, at, 4) === 'fLaC') return 'flac';
  if (at > 0 && at >= bytes.length) {
    // the tag fills all we were given: an ID3v2 tag is MP3's
    return 'mp3';
  }
  if (at < bytes.length && bytes[at] === 0xff) {
    const h = mpegHeader(bytes, at);
    if (h && h.frameBytes > 0 && findMpegFrame(bytes, at, 0) === at) return 'mp3';
    if (h && h.frameBytes === 0 && (at > 0 || extensionOf(path) === 'mp3')) return 'mp3'; // free format
  }
  // junk before the first frame: search a little when the tag or the name says MP3
  if (at > 0 || extensionOf(path) === 'mp3') {
    if (findMpegFrame(bytes, at, 16384) !== undefined) return 'mp3';
  }
  return undefined;
}
