/**
 * A streaming FLAC frame splitter (RFC 9639), written for songscope: bytes in, whole frames out. It
 * skips ID3v2 tags, the "fLaC" marker and the metadata blocks (keeping STREAMINFO), then cuts the audio
 * into frames: a frame starts with the sync code 0b11111111111110 and a header whose CRC-8 checks, and it
 * ends where the next such header starts and the frame's CRC-16 checks (a sync-like pattern inside frame
 * data is passed over that way). What is left at the end of the input is handed out as the last frame.
 */
import { messages } from '../../errors.js';

export interface FlacStreamInfoBlock {
  minBlockSize: number;
  maxBlockSize: number;
  /** 0 when unknown. */
  minFrameSize: number;
  /** 0 when unknown. */
  maxFrameSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when unknown. */
  totalSamples: number;
}

export interface FlacFrameHeader {
  /** Fixed block size (frame numbers) or variable (sample numbers). */
  variableBlockSize: boolean;
  blockSize: number;
  /** 0 when the header says "as in STREAMINFO". */
  sampleRate: number;
  channels: number;
  /** 0 when the header says "as in STREAMINFO". */
  bitsPerSample: number;
  /** The frame number (fixed block size) or the first sample's number (variable). */
  number: number;
  /** Header bytes including the CRC-8. */
  length: number;
}

export interface FlacFrame {
  /** The frame's bytes, header to CRC-16. */
  data: Uint8Array;
  header: FlacFrameHeader;
  /** The frame's CRC-16 checks (false only for a last frame cut short or damaged). */
  crcOk: boolean;
}

const crc8Table = new Uint8Array(256);
const crc16Table = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  let c16 = i << 8;
  for (let k = 0; k < 8; k++) {
    c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
    c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
  }
  crc8Table[i] = c8;
  crc16Table[i] = c16;
}

export function flacCrc8(b: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = crc8Table[c ^ b[i]];
  return c;
}

export function flacCrc16(b: Uint8Array, from: number, to: number, crc = 0): number {
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ crc16Table[(crc >> 8) ^ b[i]];
  return crc;
}

const SAMPLE_RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_SIZES = [0, 8, 12, -1, 16, 20, 24, 32];

/**
 * The frame header at `at`: undefined when there is none (no sync, a reserved value, a bad CRC-8), 'more'
 * when `b` ends before the header does.
 */
export function parseFlacFrameHeader(b: Uint8Array, at: number): FlacFrameHeader | 'more' | undefined {
  if (at + 4 > b.length) return 'more';
  if (b[at] !== 0xff || (b[at + 1] & 0xfe) !== 0xf8) return undefined;
  const bsCode = b[at + 2] >> 4;
  const srCode = b[at + 2] & 15;
  const chCode = b[at + 3] >> 4;
  const ssCode = (b[at + 3] >> 1) & 7;
  if (bsCode === 0 || srCode === 15 || chCode > 10 || ssCode === 3 || (b[at + 3] & 1) !== 0) return undefined;
  let p = at + 4;
  // the UTF-8-like coded frame or sample number
  if (p >= b.length) return 'more';
  const first = b[p++];
  let extra: number;
  let number: number;
  if (first < 0x80) [extra, number] = [0, first];
  else if ((first & 0xe0) === 0xc0) [extra, number] = [1, first & 0x1f];
  else if ((first & 0xf0) === 0xe0) [extra, number] = [2, first & 0x0f];
  else if ((first & 0xf8) === 0xf0) [extra, number] = [3, first & 0x07];
  else if ((first & 0xfc) === 0xf8) [extra, number] = [4, first & 0x03];
  else if ((first & 0xfe) === 0xfc) [extra, number] = [5, first & 0x01];
  else if (first === 0xfe) [extra, number] = [6, 0];
  else return undefined;
  if (p + extra > b.length) return 'more';
  for (let k = 0; k < extra; k++) {
    const c = b[p++];
    if ((c & 0xc0) !== 0x80) return undefined;
    number = number * 64 + (c & 0x3f);
  }
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
  else if (bsCode === 6) {
    if (p + 1 > b.length) return 'more';
    blockSize = b[p++] + 1;
  } else if (bsCode === 7) {
    if (p + 2 > b.length) return 'more';
    blockSize = ((b[p] << 8) | b[p + 1]) + 1;
    p += 2;
  } else blockSize = 256 << (bsCode - 8);
  let sampleRate: number;
  if (srCode < 12) sampleRate = SAMPLE_RATES[srCode];
  else {
    const n = srCode === 12 ? 1 : 2;
    if (p + n > b.length) return 'more';
    const v = n === 1 ? b[p] : (b[p] << 8) | b[p + 1];
    p += n;
    sampleRate = srCode === 12 ? v * 1000 : srCode === 13 ? v : v * 10;
  }
  if (p + 1 > b.length) return 'more';
  if (flacCrc8(b, at, p) !== b[p]) return undefined;
  return {
    variableBlockSize: (b[at + 1] & 1) === 1,
    blockSize,
    sampleRate,
    channels: chCode < 8 ? chCode + 1 : 2,
    bitsPerSample: SAMPLE_SIZES[ssCode],
    number,
    length: p + 1 - at,
  };
}

/** Largest frame searched for a CRC-16 match before the first header found is taken as the end. */
const FALLBACK_MAX_FRAME = 1 << 20;

export class FlacFrameSplitter {
  private buf = new Uint8Array(0);
  private stage: 'marker' | 'metadata' | 'frames' = 'marker';
  /** STREAMINFO, once the metadata has been read. */
  streamInfo: FlacStreamInfoBlock | undefined;
  /** Bytes between frames that were not a frame (garbage, damage). */
  skippedBytes = 0;
  // the frame being searched for its end (offsets into buf)
  private header: FlacFrameHeader | undefined;
  private scan = 0;
  private crc = 0;
  private firstCandidate = -1;

  /** Frames completed by `chunk`. */
  push(chunk: Uint8Array): FlacFrame[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const frames: FlacFrame[] = [];
    const used = this.run(frames, false);
    this.drop(used);
    return frames;
  }

  /** The frames left at the end of the input (the last one possibly cut short). */
  flush(): FlacFrame[] {
    const frames: FlacFrame[] = [];
    const used = this.run(frames, true);
    this.drop(used);
    this.buf = new Uint8Array(0);
    return frames;
  }

  private drop(used: number): void {
    if (used === 0) return;
    this.buf = this.buf.slice(used);
    this.scan -= used;
    if (this.firstCandidate >= 0) this.firstCandidate -= used;
  }

  /** Consume what can be; returns the bytes of `buf` finished with. */
  private run(frames: FlacFrame[], atEnd: boolean): number {
    const b = this.buf;
    let at = 0;
    if (this.stage === 'marker') {
      // ID3v2 tags, then "fLaC"
      for (;;) {
        if (b.length - at < 10) return atEnd ? b.length : at;
        if (b[at] === 0x49 && b[at + 1] === 0x44 && b[at + 2] === 0x33) {
          const size = ((b[at + 6] & 0x7f) << 21) | ((b[at + 7] & 0x7f) << 14) | ((b[at + 8] & 0x7f) << 7) | (b[at + 9] & 0x7f);
          const total = 10 + size + (b[at + 5] & 0x10 ? 10 : 0);
          if (b.length - at < total) return at;
          at += total;
          continue;
        }
        break;
      }
      if (b[at] !== 0x66 || b[at + 1] !== 0x4c || b[at + 2] !== 0x61 || b[at + 3] !== 0x43) {
        throw new Error(messages.invariant.flacSignature());
      }
      at += 4;
      this.stage = 'metadata';
    }
    if (this.stage === 'metadata') {
      for (;;) {
        if (b.length - at < 4) return at;
        const last = (b[at] & 0x80) !== 0;
        const type = b[at] & 0x7f;
        const length = (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
        if (b.length - at < 4 + length) return atEnd ? b.length : at;
        if (type === 0 && length >= 34) this.streamInfo = parseStreamInfo(b, at + 4);
        at += 4 + length;
        if (last) break;
      }
      this.stage = 'frames';
      this.header = undefined;
    }
    // frames
    for (;;) {
      if (!this.header) {
        // find a frame start
        let found = false;
        while (at < b.length) {
          const h = parseFlacFrameHeader(b, at);
          if (h === 'more') break;
          if (h) {
            this.header = h;
            this.scan = at + h.length;
            this.crc = flacCrc16(b, at, at + h.length);
            this.firstCandidate = -1;
            found = true;
            break;
          }
          at++;
          this.skippedBytes++;
        }
        if (!found) {
          if (atEnd) this.skippedBytes += b.length - at;
          return atEnd ? b.length : at;
        }
      }
      const h = this.header!;
      const limit = (this.streamInfo?.maxFrameSize || FALLBACK_MAX_FRAME) + 16;
      let end = -1;
      let crc = this.crc;
      let i = this.scan;
      for (; i < b.length; i++) {
        if (b[i] === 0xff && i + 1 >= b.length) break;
        if (b[i] === 0xff && (b[i + 1] & 0xfe) === 0xf8 && i - at >= h.length + 2) {
          const next = parseFlacFrameHeader(b, i);
          if (next === 'more') break;
          if (next && this.fits(h, next)) {
            if (crc === 0) {
              end = i;
              break;
            }
            if (this.firstCandidate < 0) this.firstCandidate = i;
          }
        }
        if (i - at > limit && this.firstCandidate >= 0) {
          end = this.firstCandidate;
          break;
        }
        crc = ((crc << 8) & 0xffff) ^ crc16Table[(crc >> 8) ^ b[i]];
      }
      if (end < 0 && atEnd && at < b.length) {
        // the rest is the last frame (whole when its CRC-16 checks)
        end = b.length;
        if (i >= b.length) i = b.length;
        crc = flacCrc16(b, i, b.length, crc);
      } else if (end < 0) {
        this.scan = i;
        this.crc = crc;
        return at;
      }
      const crcOk = end === i && crc === 0;
      frames.push({ data: b.slice(at, end), header: h, crcOk });
      at = end;
      this.header = undefined;
      if (at >= b.length) return at;
    }
  }

  /** `next` can follow `h` in one stream (the same blocking strategy and stream parameters). */
  private fits(h: FlacFrameHeader, next: FlacFrameHeader): boolean {
    if (next.variableBlockSize !== h.variableBlockSize) return false;
    const info = this.streamInfo;
    if (info) {
      if (next.channels !== info.channels) return false;
      if (next.sampleRate !== 0 && next.sampleRate !== info.sampleRate) return false;
      if (next.bitsPerSample !== 0 && next.bitsPerSample !== info.bitsPerSample) return false;
    }
    return true;
  }
}

export function parseStreamInfo(b: Uint8Array, s: number): FlacStreamInfoBlock {
  return {
    minBlockSize: (b[s] << 8) | b[s + 1],
    maxBlockSize: (b[s + 2] << 8) | b[s + 3],
    minFrameSize: (b[s + 4] << 16) | (b[s + 5] << 8) | b[s + 6],
    maxFrameSize: (b[s + 7] << 16) | (b[s + 8] << 8) | b[s + 9],
    sampleRate: (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4),
    channels: ((b[s + 12] >> 1) & 7) + 1,
    bitsPerSample: (((b[s + 12] & 1) << 4) | (b[s + 13] >> 4)) + 1,
    totalSamples: (b[s + 13] & 0x0f) * 2 ** 32 + (((b[s + 14] << 24) | (b[s + 15] << 16) | (b[s + 16] << 8) | b[s + 17]) >>> 0),
  };
}
