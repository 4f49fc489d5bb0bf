/**
 * A streaming Ogg page reader (RFC 3533), written for songscope: bytes in, pages out, each page with the
 * packets that end on it (packets continued across pages are joined). Pages of other logical streams than
 * the one followed (the first one seen, or `serial`) are skipped. Bytes between pages (garbage, a cut)
 * are skipped to the next "OggS" capture pattern whose page CRC-32 checks.
 */

export interface OggPage {
  /** Byte offset of the page's "OggS" in the input. */
  offset: number;
  /** Header-type flags: 1 continued packet, 2 beginning of stream, 4 end of stream. */
  flags: number;
  /** Absolute granule position; -1 when the page ends no packet (all ones in the file). */
  granulePosition: number;
  serial: number;
  sequence: number;
  /** The page body (all its segments). */
  data: Uint8Array;
  /** Packets that end on this page, whole (a packet begun on earlier pages is joined to them). */
  packets: Uint8Array[];
  /** The end-of-stream flag is set. */
  isLastPage: boolean;
  /** The last packet of the body continues on the next page. */
  continues: boolean;
}

const HEADER = 27;

let crcTable: Uint32Array | undefined;

/** CRC-32 of Ogg (polynomial 0x04c11db7, initial 0, not reflected, no final xor). */
export function oggCrc32(bytes: Uint8Array, from = 0, to = bytes.length, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let r = i << 24;
      for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
      crcTable[i] = r >>> 0;
    }
  }
  for (let i = from; i < to; i++) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
  return crc;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

const isCapture = (b: Uint8Array, i: number) => b[i] === 0x4f && b[i + 1] === 0x67 && b[i + 2] === 0x67 && b[i + 3] === 0x53;

export class OggPageReader {
  private buf = new Uint8Array(0);
  /** Input offset of `buf[0]`. */
  private base = 0;
  private partial: Uint8Array[] = [];
  /** Bytes skipped between pages so far (not counting pages of other streams). */
  skippedBytes = 0;

  /** @param serial the logical stream to follow; the first page's when undefined. */
  constructor(
    private serial?: number,
    private readonly checkCrc = true,
  ) {}

  /** Pages completed by `chunk`. */
  push(chunk: Uint8Array): OggPage[] {
    if (this.buf.length === 0) this.buf = chunk.slice();
    else {
      const joined = new Uint8Array(this.buf.length + chunk.length);
      joined.set(this.buf);
      joined.set(chunk, this.buf.length);
      this.buf = joined;
    }
    const pages: OggPage[] = [];
    let at = 0;
    const b = this.buf;
    while (at + HEADER <= b.length) {
      if (!isCapture(b, at) || b[at + 4] !== 0) {
        at++;
        this.skippedBytes++;
        continue;
      }
      const nseg = b[at + 26];
      if (at + HEADER + nseg > b.length) break;
      let bodyLength = 0;
      for (let s = 0; s < nseg; s++) bodyLength += b[at + HEADER + s];
      const end = at + HEADER + nseg + bodyLength;
      if (end > b.length) break;
      if (this.checkCrc) {
        const stored = u32(b, at + 22);
        if (pageCrc(b, at, end) !== stored) {
          at++;
          this.skippedBytes++;
          continue;
        }
      }
      const page = this.page(b, at, nseg, end);
      if (page) pages.push(page);
      at = end;
    }
    this.base += at;
    this.buf = b.slice(at);
    return pages;
  }

  /** Bytes held back: the start of a page the input has not finished. */
  get pending(): number {
    return this.buf.length;
  }

  private page(b: Uint8Array, at: number, nseg: number, end: number): OggPage | undefined {
    const serial = u32(b, at + 14);
    this.serial ??= serial;
    if (serial !== this.serial) return undefined;
    const flags = b[at + 5];
    const lo = u32(b, at + 6);
    const hi = u32(b, at + 10);
    const granulePosition = lo === 0xffffffff && hi === 0xffffffff ? -1 : hi * 2 ** 32 + lo;
    const data = b.slice(at + HEADER + nseg, end);
    // a page that does not continue a packet drops any unfinished one (a lost page)
    if (!(flags & 1)) this.partial = [];
    const packets: Uint8Array[] = [];
    let p = 0;
    let start = 0;
    for (let s = 0; s < nseg; s++) {
      const lace = b[at + HEADER + s];
      p += lace;
      if (lace < 255) {
        const piece = data.subarray(start, p);
        if (this.partial.length) {
          this.partial.push(piece);
          packets.push(concat(this.partial));
          this.partial = [];
        } else packets.push(piece);
        start = p;
      }
    }
    const continues = nseg > 0 && b[at + HEADER + nseg - 1] === 255;
    if (continues) this.partial.push(data.subarray(start, p));
    return {
      offset: this.base + at,
      flags,
      granulePosition,
      serial,
      sequence: u32(b, at + 18),
      data,
      packets,
      isLastPage: (flags & 4) !== 0,
      continues,
    };
  }
}

/** The page's CRC-32 computed with its CRC field taken as zero. */
function pageCrc(b: Uint8Array, at: number, end: number): number {
  const crc = oggCrc32(ZEROS, 0, 4, oggCrc32(b, at, at + 22));
  return oggCrc32(b, at + 26, end, crc);
}

const ZEROS = new Uint8Array(4);

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const x of parts) {
    out.set(x, n);
    n += x.length;
  }
  return out;
}
