/**
 * JSON from bytes, in pieces. A 4-minute analysis is ~420 KB of JSON; decoded whole it is one string of
 * 420 KB, which V8 puts in its large-object space: fresh pages for every file, page faults on every
 * byte, and on this kind of machine that costs as much as `JSON.parse` itself (2 ms a file, measured), and
 * more again when two threads fault at once. So a large text is parsed as pieces of at most
 * {@link PIECE_BYTES} each (small strings, reused young-generation memory): one pass over the bytes finds
 * where the big containers' elements and members begin and end (strings and escapes respected) and how
 * deep the text nests, then each piece goes to `JSON.parse` and the pieces are put together in order.
 *
 * The value is the one `JSON.parse` gives for the whole text, exactly: same numbers (each parsed by
 * `JSON.parse` from the same characters), same key order, the last of duplicate keys, `__proto__` an own
 * key. Anything the pieces do not handle — a text that is not valid JSON, nesting deeper than
 * {@link MAX_JSON_DEPTH}, a byte-order mark, a top-level scalar — goes to {@link parseJson} on the whole
 * decoded text, so every error names its line and column exactly as before.
 */
import { MAX_JSON_DEPTH } from '../limits.js';
import { parseJson } from './jsonPosition.js';

/** Texts shorter than this are decoded and parsed whole (a string this size is an ordinary heap object). */
export const PIECED_FROM_BYTES = 64 * 1024;
/**
 * Texts longer than this are parsed whole too, as before: the pieces cost up to 13 bytes per comma (the
 * separators' index, then each container's spans), which only a pathological text (tens of MB of
 * `[1,1,1,…]`) makes large. Analyses are 0.1–2 MB; a Spotify analysis of a 3-hour track is about 20 MB.
 */
export const PIECED_UP_TO_BYTES = 24 * 2 ** 20;
/** The most characters one piece holds, unless a single scalar element is longer. */
export const PIECE_BYTES = 16 * 1024;
/** Containers nested deeper than this are parsed whole (an analysis' big arrays are at depth 2 or 3). */
const SPLIT_DEPTH = 4;

const enum B {
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenSquare = 0x5b,
  Backslash = 0x5c,
  CloseSquare = 0x5d,
  OpenCurly = 0x7b,
  CloseCurly = 0x7d,
}

const isWs = (c: number) => c === B.Space || c === B.Lf || c === B.Cr || c === B.Tab;

/** Offset of the first byte that is not JSON whitespace (space, tab, LF, CR); the length when there is none. */
export function jsonStart(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && isWs(bytes[i])) i++;
  return i;
}

/** Thrown inside the piecewise parse when the whole-text parse must decide (never escapes this module). */
class Whole {}
const WHOLE = new Whole();

/**
 * Parse JSON bytes (UTF-8) as {@link parseJson} parses their text: the same value, the same errors (exit
 * code 2, naming `label`, line and column). Texts from {@link PIECED_FROM_BYTES} to
 * {@link PIECED_UP_TO_BYTES} are parsed in pieces (see the module comment).
 */
export function parseJsonBytes(bytes: Uint8Array, label: string): unknown {
  const buf = asBuffer(bytes);
  if (buf.length >= PIECED_FROM_BYTES && buf.length <= PIECED_UP_TO_BYTES) {
    const pieced = parseJsonPieces(buf);
    if (pieced) return pieced.value;
  }
  return parseJson(buf.toString('utf8'), label);
}

/**
 * The piecewise parse alone (any size): the value, or undefined when the whole-text parse must decide
 * (invalid JSON, too deep, a byte-order mark, a top-level scalar). Exported for the tests, which check it
 * really is the path large analyses take.
 */
export function parseJsonPieces(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: new Pieces(asBuffer(bytes)).parse() };
  } catch (e) {
    if (e instanceof Whole || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** The separators (commas at depth ≤ {@link SPLIT_DEPTH}) of one text, found in one pass, and the pieces built from them. */
class Pieces {
  /** Offsets of commas outside strings, in order, and the depth each sits at (1: directly in the top value). */
  private at = new Int32Array(4096);
  private depthOf = new Uint8Array(4096);
  private count = 0;
  /** Where the top-level value begins and ends (exclusive). */
  private start = 0;
  private end = 0;

  constructor(private readonly b: Buffer) {}

  parse(): unknown {
    this.scan();
    return this.value(this.start, this.end, 1);
  }

  /** One pass: separators, depth, where the top-level value ends; anything odd leaves it to the whole-text parse. */
  private scan(): void {
    const b = this.b;
    const n = b.length;
    let i = jsonStart(b);
    if (i === n || (b[i] !== B.OpenCurly && b[i] !== B.OpenSquare)) throw WHOLE; // a scalar, a byte-order mark, nothing
    this.start = i;
    let depth = 0;
    for (; i < n; i++) {
      const c = b[i];
      if (c === B.Quote) {
        // to the closing quote, skipping escaped characters
        for (i++; i < n; i++) {
          const s = b[i];
          if (s === B.Backslash) i++;
          else if (s === B.Quote) break;
        }
      } else if (c === B.OpenCurly || c === B.OpenSquare) {
        if (++depth > MAX_JSON_DEPTH) throw WHOLE; // the whole-text parse names where
      } else if (c === B.CloseCurly || c === B.CloseSquare) {
        if (--depth === 0) break;
      } else if (c === B.Comma && depth <= SPLIT_DEPTH) {
        this.push(i, depth);
      }
    }
    if (i >= n) throw WHOLE; // unterminated
    this.end = i + 1;
    for (i++; i < n; i++) if (!isWs(b[i])) throw WHOLE; // more after the value
  }

  private push(at: number, depth: number): void {
    if (this.count === this.at.length) {
      const at2 = new Int32Array(this.count * 2);
      at2.set(this.at);
      this.at = at2;
      const depth2 = new Uint8Array(this.count * 2);
      depth2.set(this.depthOf);
      this.depthOf = depth2;
    }
    this.at[this.count] = at;
    this.depthOf[this.count] = depth;
    this.count++;
  }

  private text(from: number, to: number): string {
    return this.b.toString('utf8', from, to);
  }

  /** The first separator at or after offset `from`. */
  private firstSeparator(from: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The value in [s, e) (no surrounding whitespace), whose opening bracket (if any) makes depth `depth`. */
  private value(s: number, e: number, depth: number): unknown {
    const b = this.b;
    const open = b[s];
    if (e - s <= PIECE_BYTES || depth > SPLIT_DEPTH || (open !== B.OpenSquare && open !== B.OpenCurly)) return JSON.parse(this.text(s, e));
    if (b[e - 1] !== (open === B.OpenSquare ? B.CloseSquare : B.CloseCurly)) throw WHOLE;
    // the spans between this container's own separators: [from, to) pairs, 8 bytes an element
    const first = this.firstSeparator(s + 1);
    let own = 0;
    for (let k = first; k < this.count && this.at[k] < e - 1; k++) if (this.depthOf[k] === depth) own++;
    const spans = new Int32Array(2 * (own + 1));
    let from = s + 1;
    let j = 0;
    for (let k = first; k < this.count && this.at[k] < e - 1; k++) {
      if (this.depthOf[k] !== depth) continue;
      spans[j++] = from;
      spans[j++] = this.at[k];
      from = this.at[k] + 1;
    }
    spans[j++] = from;
    spans[j] = e - 1;
    return open === B.OpenSquare ? this.array(spans, depth) : this.object(spans, depth);
  }

  /** [from, to) trimmed of whitespace; an empty span (`[1,,2]`, `{,}`) is left to the whole-text parse. */
  private trim(from: number, to: number): [number, number] {
    const b = this.b;
    while (from < to && isWs(b[from])) from++;
    while (to > from && isWs(b[to - 1])) to--;
    return [from, to];
  }

  private array(spans: Int32Array, depth: number): unknown[] {
    const out: unknown[] = [];
    this.pieces(
      spans,
      (s, e) => e - s > PIECE_BYTES && (this.b[s] === B.OpenSquare || this.b[s] === B.OpenCurly),
      (from, to) => {
        const part = JSON.parse(`[${this.text(from, to)}]`) as unknown[];
        for (let k = 0; k < part.length; k++) out.push(part[k]);
      },
      (s, e) => out.push(this.value(s, e, depth + 1)),
    );
    return out;
  }

  private object(spans: Int32Array, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const define = (key: string, value: unknown) =>
      // what JSON.parse does (CreateDataProperty): `__proto__` becomes an own key, a repeated key keeps its place
      Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
    this.pieces(
      spans,
      (s, e) => e - s > PIECE_BYTES,
      (from, to) => {
        const part = JSON.parse(`{${this.text(from, to)}}`) as Record<string, unknown>;
        for (const key of Object.keys(part)) define(key, part[key]);
      },
      (s, e) => {
        const [key, valueStart] = this.key(s, e);
        define(key, this.value(valueStart, e, depth + 1));
      },
    );
    return out;
  }

  /**
   * A container's elements or members, in order: the `big` ones one by one (`addBig`), runs of the
   * others together, each run at most {@link PIECE_BYTES} characters (`addRun`, given the run's text span).
   * No span at all is an empty container; an empty span among others is left to the whole-text parse.
   */
  private pieces(
    spans: Int32Array,
    big: (s: number, e: number) => boolean,
    addRun: (from: number, to: number) => void,
    addBig: (s: number, e: number) => void,
  ): void {
    if (spans.length === 2) {
      const [s, e] = this.trim(spans[0], spans[1]);
      if (s === e) return; // [] or {}
    }
    let run = -1;
    const flush = (upTo: number) => {
      if (run < 0) return;
      addRun(spans[run], spans[upTo - 1]);
      run = -1;
    };
    for (let j = 0; j < spans.length; j += 2) {
      const [s, e] = this.trim(spans[j], spans[j + 1]);
      if (s === e) throw WHOLE;
      if (big(s, e)) {
        flush(j);
        addBig(s, e);
      } else {
        if (run >= 0 && spans[j + 1] - spans[run] > PIECE_BYTES) flush(j);
        if (run < 0) run = j;
      }
    }
    flush(spans.length);
  }

  /** A member `"key" : value` in [s, e): its key and where its value begins. */
  private key(s: number, e: number): [string, number] {
    const b = this.b;
    if (b[s] !== B.Quote) throw WHOLE;
    let q = s + 1;
    for (; q < e; q++) {
      if (b[q] === B.Backslash) q++;
      else if (b[q] === B.Quote) break;
    }
    if (q >= e) throw WHOLE;
    const key = JSON.parse(this.text(s, q + 1)) as string;
    let v = q + 1;
    while (v < e && isWs(b[v])) v++;
    if (b[v] !== B.Colon) throw WHOLE;
    v++;
    while (v < e && isWs(b[v])) v++;
    if (v === e) throw WHOLE;
    return [key, v];
  }
}
