/**
 * Damaged audio in every container the decoder reads (WAV in five encodings, FLAC 16/24-bit, MP3, Ogg
 * Vorbis; Ogg Opus for the "unsupported" path): truncation, bit flips in headers and in frames, zeroed
 * headers and frame syncs, absurd header fields (with the Ogg page CRC recomputed so they reach the
 * decoder), junk, concatenations, wrong extensions — run through `fetch`, `analyze`, `features`, `correlate`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIO_MIX, trackInvocation } from './commands.js';
import type { AudioBase, Corpus } from './corpus.js';
import type { CaseSpec, Generator, Rng } from './types.js';

interface Damaged {
  bytes: Uint8Array;
  what: string;
  ext?: string;
  /** The damage keeps the audio's length (the container still says how long it is): nothing may be lost silently. */
  keepsLength?: boolean;
  /** Decoding may legitimately take longer than usual (huge declared sizes, many tiny frames). */
  slow?: boolean;
}

type Mutator = (rng: Rng, base: AudioBase, corpus: Corpus) => Damaged;

const copy = (b: Uint8Array) => new Uint8Array(b);
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

// ---- container layouts ---------------------------------------------------------------------------------

/** WAV chunks: id, header offset, body offset and size. */
function wavChunks(b: Uint8Array): { id: string; at: number; body: number; size: number }[] {
  const out = [];
  for (let p = 12; p + 8 <= b.length; ) {
    const size = dv(b).getUint32(p + 4, true);
    out.push({ id: ascii(b, p, 4), at: p, body: p + 8, size });
    p += 8 + size + (size & 1);
  }
  return out;
}

/** FLAC: the end of the metadata blocks (where frames start) and the offsets of frame sync codes. */
function flacLayout(b: Uint8Array): { metaEnd: number; frames: number[] } {
  let p = 4;
  for (;;) {
    const last = (b[p] & 0x80) !== 0;
    const len = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    p += 4 + len;
    if (last || p >= b.length) break;
  }
  const frames: number[] = [];
  for (let i = p; i + 1 < b.length; i++) if (b[i] === 0xff && (b[i + 1] & 0xfe) === 0xf8) frames.push(i);
  return { metaEnd: p, frames };
}

const MP3_BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_RATES = [44100, 48000, 32000];

/** MP3 (MPEG-1 Layer III, as the fixture): the ID3v2 length and the chain of frame offsets. */
function mp3Layout(b: Uint8Array): { audioStart: number; frames: number[] } {
  let p = 0;
  if (ascii(b, 0, 3) === 'ID3') p = 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]);
  const audioStart = p;
  const frames: number[] = [];
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff || (b[p + 1] & 0xfe) !== 0xfa) break;
    const br = MP3_BITRATES[b[p + 2] >> 4];
    const sr = MP3_RATES[(b[p + 2] >> 2) & 3];
    if (!br || !sr) break;
    frames.push(p);
    p += Math.floor((144000 * br) / sr) + ((b[p + 2] >> 1) & 1);
  }
  return { audioStart, frames };
}

/** Ogg pages: offset, header length (27 + segment table) and total length. */
function oggPages(b: Uint8Array): { at: number; header: number; end: number }[] {
  const pages = [];
  for (let p = 0; p + 27 <= b.length && ascii(b, p, 4) === 'OggS'; ) {
    const n = b[p + 26];
    let body = 0;
    for (let i = 0; i < n; i++) body += b[p + 27 + i];
    pages.push({ at: p, header: 27 + n, end: p + 27 + n + body });
    p += 27 + n + body;
  }
  return pages;
}

let crcTable: Uint32Array | undefined;
/** Recompute the CRC-32 of the Ogg page at `at` (after a header field was changed on purpose). */
function fixOggCrc(b: Uint8Array, page: { at: number; end: number }): void {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let r = i << 24;
      for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
      crcTable[i] = r >>> 0;
    }
  }
  b.fill(0, page.at + 22, page.at + 26);
  let crc = 0;
  for (let i = page.at; i < Math.min(page.end, b.length); i++) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ b[i]) & 0xff]) >>> 0;
  dv(b).setUint32(page.at + 22, crc, true);
}

/** Bytes that make up the header of each container (what "header" flips and zeroing aim at). */
function headerEnd(base: AudioBase): number {
  const b = base.bytes;
  switch (base.container) {
    case 'wav': {
      const data = wavChunks(b).find((c) => c.id === 'data');
      return data ? data.body : 44;
    }
    case 'flac':
      return flacLayout(b).metaEnd;
    case 'mp3': {
      const { audioStart, frames } = mp3Layout(b);
      return frames.length > 1 ? frames[1] : audioStart + 4; // ID3 + the Xing/Info frame
    }
    default: {
      const pages = oggPages(b);
      return pages.length > 2 ? pages[2].at : 200; // identification, comment + setup headers
    }
  }
}

/** Offsets at which a frame (or page, or sample block) starts. */
function frameStarts(base: AudioBase): number[] {
  const b = base.bytes;
  switch (base.container) {
    case 'wav': {
      const data = wavChunks(b).find((c) => c.id === 'data');
      if (!data) return [];
      const out = [];
      for (let p = data.body; p < b.length; p += 4096) out.push(p);
      return out;
    }
    case 'flac':
      return flacLayout(b).frames;
    case 'mp3':
      return mp3Layout(b).frames;
    default:
      return oggPages(b).map((p) => p.at);
  }
}

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

// ---- absurd header fields --------------------------------------------------------------------------------

function absurdWav(rng: Rng, base: AudioBase): Damaged {
  const b = copy(base.bytes);
  const chunks = wavChunks(b);
  const fmt = chunks.find((c) => c.id === 'fmt ')!;
  const data = chunks.find((c) => c.id === 'data')!;
  const d = dv(b);
  const field = rng.int(8);
  switch (field) {
    case 0: {
      const v = rng.pick([1, 2, 7, 100, 4_000_000, 0x7fffffff, 0xffffffff]);
      d.setUint32(fmt.body + 4, v, true);
      return { bytes: b, what: `sample rate ${v} Hz`, slow: true };
    }
    case 1: {
      const v = rng.pick([0, 3, 255, 0xffff]);
      d.setUint16(fmt.body + 2, v, true);
      return { bytes: b, what: `${v} channels` };
    }
    case 2: {
      const v = rng.pick([0, 1, 7, 12, 33, 64, 0xffff]);
      d.setUint16(fmt.body + 14, v, true);
      return { bytes: b, what: `${v} bits per sample` };
    }
    case 3: {
      const v = rng.pick([0, 1, 3, 0xffff]);
      d.setUint16(fmt.body + 12, v, true);
      return { bytes: b, what: `block align ${v}` };
    }
    case 4: {
      const present = b.length - data.body;
      const v = rng.pick([0, 1, 0x7ffff000, 0xfffffffe, 0xffffffff, present + 1, present - 1]);
      d.setUint32(data.at + 4, v, true);
      return { bytes: b, what: `data chunk size ${v} (the file holds ${present})` };
    }
    case 5: {
      const v = rng.pick([0, 1, 4, 0xffffffff]);
      d.setUint32(4, v, true);
      return { bytes: b, what: `RIFF size ${v}`, keepsLength: true };
    }
    case 6: {
      const v = rng.pick([0, 2, 15, 0x7fffffff, 0xffffffff]);
      d.setUint32(fmt.at + 4, v, true);
      return { bytes: b, what: `"fmt " chunk size ${v}` };
    }
    default: {
      const v = rng.pick([1, 2, 0xfffe, 0x55, 0x11, 0]);
      d.setUint16(fmt.body, v, true);
      return { bytes: b, what: `format tag 0x${v.toString(16)}` };
    }
  }
}

function absurdFlac(rng: Rng, base: AudioBase): Damaged {
  const b = copy(base.bytes);
  const s = 8; // STREAMINFO body
  const field = rng.int(7);
  switch (field) {
    case 0: {
      const v = rng.pick([1, 7, 8000, 192000, 655350, 1048575]);
      b[s + 10] = (v >> 12) & 0xff;
      b[s + 11] = (v >> 4) & 0xff;
      b[s + 12] = ((v & 0xf) << 4) | (b[s + 12] & 0x0f);
      return { bytes: b, what: `STREAMINFO sample rate ${v} Hz`, slow: true };
    }
    case 1: {
      const v = rng.range(0, 7);
      b[s + 12] = (b[s + 12] & 0xf1) | (v << 1);
      return { bytes: b, what: `STREAMINFO channels ${v + 1}` };
    }
    case 2: {
      const v = rng.pick([0, 3, 7, 31]);
      b[s + 12] = (b[s + 12] & 0xfe) | (v >> 4);
      b[s + 13] = ((v & 0xf) << 4) | (b[s + 13] & 0x0f);
      return { bytes: b, what: `STREAMINFO bits per sample ${v + 1}` };
    }
    case 3: {
      const v = rng.pick([0, 1, 2 ** 36 - 1, 2 ** 32, 176_401, 88_200]);
      b[s + 13] = (b[s + 13] & 0xf0) | Math.floor(v / 2 ** 32);
      dv(b).setUint32(s + 14, v % 2 ** 32);
      return { bytes: b, what: `STREAMINFO total samples ${v}` };
    }
    case 4: {
      const v = rng.pick([0, 1, 15, 16, 65535]);
      dv(b).setUint16(s + rng.pick([0, 2]), v);
      return { bytes: b, what: `STREAMINFO block size ${v}` };
    }
    case 5: {
      const v = rng.pick([0, 1, 33, 0xffffff]);
      b[5] = v >> 16; b[6] = (v >> 8) & 0xff; b[7] = v & 0xff;
      return { bytes: b, what: `STREAMINFO block length ${v}` };
    }
    default:
      b[4] ^= 0x80; // the "last metadata block" flag
      return { bytes: b, what: 'the last-metadata-block flag toggled' };
  }
}

function absurdMp3(rng: Rng, base: AudioBase): Damaged {
  const b = copy(base.bytes);
  const { audioStart, frames } = mp3Layout(b);
  const field = rng.int(5);
  if (field === 0 && ascii(b, 0, 3) === 'ID3') {
    const v = rng.pick([0, 1, 0x0fffffff, audioStart + 1000]);
    b[6] = (v >> 21) & 0x7f; b[7] = (v >> 14) & 0x7f; b[8] = (v >> 7) & 0x7f; b[9] = v & 0x7f;
    return { bytes: b, what: `ID3v2 size ${v}` };
  }
  const xing = frames[0] ?? audioStart;
  const tag = [...Array(200).keys()].map((i) => xing + i).find((i) => ascii(b, i, 4) === 'Xing' || ascii(b, i, 4) === 'Info');
  if (field <= 2 && tag !== undefined) {
    const v = rng.pick([0, 1, 2, 0x7fffffff, 0xffffffff, 10_000_000]);
    dv(b).setUint32(tag + 8, v);
    return { bytes: b, what: `Xing frame count ${v}`, slow: v > 1000 };
  }
  if (field === 3 && tag !== undefined) {
    // LAME tag: encoder delay and padding, 12 bits each, at Xing + 141
    const at = tag + 141;
    const delay = rng.pick([0, 4095]);
    const pad = rng.pick([0, 4095]);
    b[at] = delay >> 4; b[at + 1] = ((delay & 0xf) << 4) | (pad >> 8); b[at + 2] = pad & 0xff;
    return { bytes: b, what: `LAME delay ${delay}, padding ${pad}` };
  }
  const f = frames.length ? rng.pick(frames) : audioStart;
  const v = rng.pick([0xf0, 0xfc, 0x0c, 0x00]);
  b[f + 2] = (b[f + 2] & 0x03) | v;
  return { bytes: b, what: `frame at ${f}: bitrate/sample-rate byte 0x${b[f + 2].toString(16)}` };
}

function absurdOgg(rng: Rng, base: AudioBase): Damaged {
  const b = copy(base.bytes);
  const pages = oggPages(b);
  const field = rng.int(5);
  const page = field === 0 ? rng.pick(pages) : pages[0];
  const idBody = pages[0].at + pages[0].header; // the Vorbis identification header
  let what: string;
  if (field === 0) {
    const v = rng.pick([0n, 1n, 0x7fffffffffffffffn, 0xfffffffffffffffen, 2n ** 40n]);
    dv(b).setBigUint64(page.at + 6, v, true);
    what = `page at ${page.at}: granule position ${v}`;
  } else if (field === 1) {
    const v = rng.pick([0, 1, 7, 4_000_000, 0xffffffff]);
    dv(b).setUint32(idBody + 12, v, true);
    what = `Vorbis sample rate ${v} Hz`;
  } else if (field === 2) {
    const v = rng.pick([0, 3, 255]);
    b[idBody + 11] = v;
    what = `Vorbis channels ${v}`;
  } else if (field === 3) {
    const v = rng.pick([0x00, 0xff, 0x66, 0xdd]);
    b[idBody + 28] = v;
    what = `Vorbis block sizes byte 0x${v.toString(16)}`;
  } else {
    const p2 = pages[Math.min(pages.length - 1, 3)];
    dv(b).setUint32(p2.at + 14, 0xdeadbeef, true);
    fixOggCrc(b, p2);
    return { bytes: b, what: `page at ${p2.at}: a different stream serial number` };
  }
  fixOggCrc(b, page === pages[0] || field !== 0 ? pages[0] : page);
  if (field === 0) fixOggCrc(b, page);
  return { bytes: b, what: `${what} (CRC recomputed)`, slow: field === 1 };
}

// ---- mutators ------------------------------------------------------------------------------------------

const AUDIO_EXTS = ['.wav', '.flac', '.mp3', '.ogg', '.WAV', '.Mp3', '.opus'];
const OTHER_EXTS = ['.json', '.h5', '.csv', '.arrow', '', '.txt', '.m4a'];

const MUTATORS: Record<string, Mutator> = {
  'truncate-anywhere': (rng, base) => {
    const at = rng.int(base.bytes.length);
    return { bytes: base.bytes.subarray(0, at), what: `truncated at byte ${at} of ${base.bytes.length}` };
  },
  'truncate-header': (rng, base) => {
    const at = rng.int(headerEnd(base) + 1);
    return { bytes: base.bytes.subarray(0, at), what: `truncated inside the header, at byte ${at}` };
  },
  'truncate-frame': (rng, base) => {
    const starts = frameStarts(base);
    const f = starts.length ? rng.pick(starts) : headerEnd(base);
    const at = Math.min(base.bytes.length, f + rng.pick([0, 1, 2, 4, 17]));
    return { bytes: base.bytes.subarray(0, at), what: `truncated at a frame boundary +${at - f} (byte ${at})` };
  },
  'flip-header': (rng, base) => {
    const b = copy(base.bytes);
    const at = flip(rng, b, 0, headerEnd(base), rng.range(1, 6));
    return { bytes: b, what: `bit flips in the header at bytes ${list(at)}` };
  },
  'flip-frames': (rng, base) => {
    const b = copy(base.bytes);
    const h = headerEnd(base);
    const at = flip(rng, b, h, b.length, rng.pick([1, 2, 8, 32, 256]));
    return { bytes: b, what: `${at.length} bit flips in the frames at bytes ${list(at)}`, keepsLength: base.container !== 'mp3' && base.container !== 'ogg' };
  },
  'flip-frame-headers': (rng, base) => {
    const b = copy(base.bytes);
    const starts = frameStarts(base);
    const chosen = Array.from({ length: rng.range(1, 8) }, () => (starts.length ? rng.pick(starts) : 0));
    for (const f of chosen) flip(rng, b, f, Math.min(b.length, f + 16), 1);
    return { bytes: b, what: `a bit flip in the headers of the frames at ${list(chosen)}` };
  },
  'zero-header': (rng, base) => {
    const b = copy(base.bytes);
    const h = headerEnd(base);
    const from = rng.chance(0.5) ? 0 : rng.int(h);
    const to = Math.min(h, from + rng.pick([4, 16, 64, h]));
    b.fill(0, from, to);
    return { bytes: b, what: `header bytes ${from}–${to} zeroed` };
  },
  'zero-frames': (rng, base) => {
    const b = copy(base.bytes);
    const starts = frameStarts(base);
    const n = Math.max(1, Math.floor(starts.length * rng.pick([0.05, 0.25, 0.5, 1])));
    const from = rng.int(Math.max(1, starts.length - n + 1));
    const width = base.container === 'wav' ? 4096 : 4;
    for (const f of starts.slice(from, from + n)) b.fill(0, f, Math.min(b.length, f + width));
    // MP3: half the time the Xing/Info frame goes too, so no header says how long the stream is
    const noXing = base.container === 'mp3' && starts.length > 0 && rng.chance(0.5);
    if (noXing) b.fill(0, starts[0], starts[0] + 4);
    return {
      bytes: b,
      what: `${n} of ${starts.length} ${base.container === 'wav' ? 'sample blocks' : 'frame headers'} zeroed from #${from}${noXing ? ', and the Xing frame' : ''}`,
      keepsLength: true,
    };
  },
  'wrong-extension': (rng, base, corpus) => {
    const ext = rng.chance(0.6) ? rng.pick(AUDIO_EXTS.filter((e) => e.toLowerCase() !== base.ext)) : rng.pick(OTHER_EXTS);
    if (rng.chance(0.15)) {
      // not audio at all, named as audio
      const other = rng.pick([Buffer.from(corpus.excerpt.text), corpus.msd, corpus.arrow, Buffer.from(corpus.csv.slice(0, 5000))]);
      return { bytes: other, ext: base.ext, what: `a non-audio file named *${base.ext}` };
    }
    return { bytes: base.bytes, ext, what: `named *${ext || ' (no extension)'}`, keepsLength: AUDIO_EXTS.includes(ext) && ext !== '.opus' };
  },
  absurd: (rng, base) => {
    switch (base.container) {
      case 'wav':
        return absurdWav(rng, base);
      case 'flac':
        return absurdFlac(rng, base);
      case 'mp3':
        return absurdMp3(rng, base);
      default:
        return absurdOgg(rng, base);
    }
  },
  junk: (rng, base) => {
    const junk = rng.chance(0.5) ? rng.bytes(rng.pick([1, 100, 4096, 65536])) : new Uint8Array(rng.pick([1, 1000, 1 << 20]));
    const kind = rng.pick(['prepended', 'appended', 'inserted']);
    let bytes: Uint8Array;
    if (kind === 'prepended') bytes = Buffer.concat([junk, base.bytes]);
    else if (kind === 'appended') bytes = Buffer.concat([base.bytes, junk]);
    else {
      const at = headerEnd(base) + rng.int(base.bytes.length - headerEnd(base));
      bytes = Buffer.concat([base.bytes.subarray(0, at), junk, base.bytes.subarray(at)]);
    }
    return { bytes, what: `${junk.length} ${junk[0] === 0 && junk.length > 1 ? 'zero' : 'random'} bytes ${kind}`, keepsLength: kind === 'appended' };
  },
  concat: (rng, base, corpus) => {
    const other = rng.pick(corpus.audio);
    return { bytes: Buffer.concat([base.bytes, other.bytes]), what: `followed by the whole of ${other.name}` };
  },
  tiny: (rng, base) => {
    const n = rng.pick([0, 1, 2, 3, 4, 8, 12, 44, 4096]);
    const bytes = rng.chance(0.3) ? new Uint8Array(n) : base.bytes.subarray(0, n);
    return { bytes, what: `${n} bytes${bytes[0] === 0 && n ? ' of zeros' : ''}` };
  },
  'absurd-and-flips': (rng, base, corpus) => {
    const a = MUTATORS.absurd(rng, base, corpus);
    const b = copy(a.bytes);
    const at = flip(rng, b, headerEnd(base), b.length, rng.range(1, 8));
    return { bytes: b, what: `${a.what}, and ${at.length} bit flips in the frames`, slow: a.slow };
  },
};

export const AUDIO_MUTATORS = Object.keys(MUTATORS);

/** Case `index`: mutator `index mod n` on a base picked by the case's seed (Opus only for extension cases). */
export const audioGenerator: Generator = (rng, index, corpus): CaseSpec => {
  const kind = AUDIO_MUTATORS[index % AUDIO_MUTATORS.length];
  const decodable = corpus.audio.filter((a) => a.container !== 'opus');
  const base = kind === 'wrong-extension' && rng.chance(0.15) ? corpus.audio.find((a) => a.container === 'opus')! : rng.pick(decodable);
  const d = MUTATORS[kind](rng, base, corpus);
  const cmd = rng.weighted(AUDIO_MIX);
  const ext = d.ext ?? base.ext;
  const noCache = rng.chance(0.2);
  return {
    kind: `${kind}`,
    what: `${base.name}: ${d.what}`,
    async prepare(dirs) {
      const input = join(dirs.input, `${base.name}${ext}`);
      await writeFile(input, d.bytes);
      return trackInvocation(cmd, input, dirs, {
        extra: noCache ? ['--no-cache'] : [],
        budget: d.slow ? { timeoutMs: 60_000, memMb: 1536 } : { timeoutMs: 30_000, memMb: 1024 },
        durationS: d.keepsLength ? base.durationS : undefined,
      });
    },
  };
};
