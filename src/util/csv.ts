/**
 * CSV as RFC 4180 defines it, split and quoted in one place: the feature-matrix reader (`matrix/csv.ts`,
 * which streams files of gigabytes through {@link CsvReader} piece by piece), result tables
 * (`matrix/table.ts`), and manifests (`sources/collection.ts` reads them, `corpus/listing.ts` writes them).
 *
 * Reading: records of fields separated by `,`; lines end with `\n`, `\r\n` or a lone `\r` (old Mac files,
 * and a `\r\n` split between two pieces still counts once); a byte-order mark before the first line is
 * skipped. A field may be quoted — `"…"`, with `""` for a quote inside — and then holds commas and line
 * ends as they are (the record spans lines, where the caller allows it); spaces and tabs may stand around
 * the quotes. Strict where the text is ambiguous: a quote inside an unquoted field, text after a closing
 * quote, and a quote never closed are input errors (exit code 2) naming the line. Unquoted fields are kept
 * as written, or trimmed of white space (`trim`). How many fields a record must have is the caller's
 * business: each reports a ragged row in its own words.
 *
 * Writing: {@link quoteCsvField} quotes a field only when it must, so plain text and numbers are written
 * as they are.
 */
import { inputError, messages } from '../errors.js';
import { MAX_CSV_RECORD_CHARS } from '../limits.js';

/** Options of {@link quoteCsvField} and {@link csvRecord}. */
export interface CsvQuoteOptions {
  /**
   * Quote a field with white space at either end too, for readers that trim unquoted fields (songscope's
   * manifests). Default false: the spaces are part of the field (RFC 4180) and written as they are.
   */
  quoteSpaces?: boolean;
}

/**
 * One field as CSV: quoted (`"a, b"`, inner quotes doubled: `"say ""hi"""`) when it holds a comma, a quote,
 * a CR or an LF — or, with `quoteSpaces`, white space at either end — and as it is otherwise.
 */
export function quoteCsvField(text: string, options: CsvQuoteOptions = {}): string {
  const needs = /[",\r\n]/.test(text) || (options.quoteSpaces === true && /^\s|\s$/.test(text));
  return needs ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One record as CSV text, without its line end: the fields quoted by {@link quoteCsvField}, joined by
 * commas. A record of one empty field is written `""`, as Python's `csv` writes it: an empty line would be
 * read as a blank line (or, after a lone CR, as the second half of a CRLF).
 */
export function csvRecord(fields: readonly string[], options: CsvQuoteOptions = {}): string {
  if (fields.length === 1 && fields[0] === '') return '""';
  return fields.map((f) => quoteCsvField(f, options)).join(',');
}

/** Why {@link splitCsvRecord} could not split a text: a quoted field still open at its end, or a stray quote at `at`. */
export type CsvSplitProblem = { problem: 'open' } | { problem: 'stray-quote'; at: number };

const OPEN: CsvSplitProblem = Object.freeze({ problem: 'open' });

const isBlank = (c: number): boolean => c === 32 /* space */ || c === 9 /* tab */;

/**
 * Split the text of one record into its fields (RFC 4180 quoting, strict; see the module doc). The text may
 * hold line ends inside quoted fields. Pure: the caller turns a problem into its message.
 *
 * @param trim - drop white space around unquoted fields (quoted fields keep theirs); default false
 * @returns the fields (at least one: `''` is one empty field), or the problem: `open` when a quoted
 *   field is not closed by the end of the text (the record may continue on the next line), `stray-quote`
 *   with the offset of a quote inside an unquoted field or of text after a closing quote
 */
export function splitCsvRecord(text: string, trim = false): string[] | CsvSplitProblem {
  if (!text.includes('"')) {
    const fields = text.split(',');
    return trim ? fields.map((f) => f.trim()) : fields;
  }
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && isBlank(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 34 /* " */) {
      let value = '';
      let k = j + 1;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q < 0) return OPEN;
        value += text.slice(k, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      while (k < n && isBlank(text.charCodeAt(k))) k++;
      if (k < n && text.charCodeAt(k) !== 44 /* , */) return { problem: 'stray-quote', at: k };
      fields.push(value);
      if (k >= n) return fields;
      i = k + 1;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      const quote = text.indexOf('"', i);
      if (quote >= 0 && quote < end) return { problem: 'stray-quote', at: quote };
      const value = text.slice(i, end);
      fields.push(trim ? value.trim() : value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/**
 * What a line that starts a record is: `skip` (a blank line, a comment: left out), `record` (split into
 * fields; a quoted field may carry the record on over the next lines) or `line` (a record that must end
 * on this line: a quote left open at its end is an error there and then, so one stray quote cannot make the
 * rest of a large file one field).
 */
export type CsvLineUse = 'skip' | 'record' | 'line';

/** What a {@link CsvReader} tells its caller. */
export interface CsvRecordHandler {
  /**
   * Called with each line that starts a record (not with the further lines of a record spanning lines),
   * without its line end, to say what it is.
   *
   * @param line - 1-based line number
   */
  line(text: string, line: number): CsvLineUse;
  /** One record's fields, in order; `line` is the line it starts on. */
  record(fields: string[], line: number): void;
}

/**
 * Incremental CSV reader: {@link push} text in pieces of any size (lines and quoted fields may straddle
 * pieces), then {@link end}. Each line that starts a record is shown to the handler first (comments and
 * blank lines are the caller's to recognise), then split ({@link splitCsvRecord}) and handed over. Memory:
 * one piece of text, plus the text of a record spanning lines (at most {@link MAX_CSV_RECORD_CHARS}).
 *
 * @throws SongscopeError (exit code 2) from `push` or `end`, naming the label and line: a stray quote, a
 *   quoted field never closed (or, in a `line` record, not closed on its line), a record spanning lines
 *   longer than {@link MAX_CSV_RECORD_CHARS}; and whatever the handler throws
 */
export class CsvReader {
  private readonly label: string;
  private readonly handler: CsvRecordHandler;
  private readonly trim: boolean;
  private carry = '';
  private lineNo = 0;
  /** The text of a record spanning lines so far (line ends included), or null. */
  private pending: string | null = null;
  private pendingLine = 0;
  /** Quotes in `pending` are odd: a quoted field is open. */
  private pendingOpen = false;

  /**
   * @param label - names the source in messages (a path, or `stdin`)
   * @param options.trim - white space around unquoted fields dropped; default false
   */
  constructor(label: string, handler: CsvRecordHandler, options: { trim?: boolean } = {}) {
    this.label = label;
    this.handler = handler;
    this.trim = options.trim === true;
  }

  /** Lines read so far, including the further lines of a record spanning lines. */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Feed the next piece of text. */
  push(text: string): void {
    const buf = this.carry + text;
    let start = 0;
    // Line ends: \n, \r\n, and a lone \r. The next \r is searched for only when passed, so a file without
    // any costs one scan.
    let cr = buf.indexOf('\r');
    for (;;) {
      if (cr >= 0 && cr < start) cr = buf.indexOf('\r', start);
      const nl = buf.indexOf('\n', start);
      let end: number;
      let next: number;
      if (cr >= 0 && (nl < 0 || cr < nl)) {
        if (cr + 1 === buf.length) break; // a \r at the end of the piece may be the first half of \r\n
        end = cr;
        next = buf.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else if (nl >= 0) {
        end = nl;
        next = nl + 1;
      } else break;
      this.takeLine(buf.slice(start, end), buf.slice(end, next));
      start = next;
    }
    this.carry = start === 0 ? buf : buf.slice(start);
  }

  /** Finish: a last line without a line end counts; a record still open is an error. */
  end(): void {
    if (this.carry.length > 0) {
      const last = this.carry; // no line end inside, but maybe a \r at its end (see push)
      this.carry = '';
      const cr = last.charCodeAt(last.length - 1) === 13;
      this.takeLine(cr ? last.slice(0, -1) : last, cr ? '\r' : '');
    }
    if (this.pending !== null) throw inputError(messages.csv.unterminatedQuote(this.label, this.pendingLine));
  }

  private takeLine(raw: string, lineEnd: string): void {
    const line = ++this.lineNo;
    if (this.pending !== null) {
      this.continueRecord(raw, lineEnd);
      return;
    }
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw; // byte-order mark
    const use = this.handler.line(text, line);
    if (use === 'skip') return;
    const split = splitCsvRecord(text, this.trim);
    if (Array.isArray(split)) {
      this.handler.record(split, line);
    } else if (split.problem === 'stray-quote') {
      throw inputError(messages.csv.strayQuote(this.label, line));
    } else if (use === 'line') {
      throw inputError(messages.csv.quoteSpansLines(this.label, line));
    } else {
      this.pending = text + lineEnd;
      this.pendingLine = line;
      this.pendingOpen = true;
      this.checkPendingLength();
    }
  }

  private continueRecord(raw: string, lineEnd: string): void {
    let quotes = 0;
    for (let q = raw.indexOf('"'); q >= 0; q = raw.indexOf('"', q + 1)) quotes++;
    this.pending += raw;
    if (quotes % 2 === 1) this.pendingOpen = !this.pendingOpen;
    if (this.pendingOpen) {
      this.pending += lineEnd;
      this.checkPendingLength();
      return;
    }
    // Every quote is closed: the record ends on this line unless a further quoted field opens on it.
    const text = this.pending!;
    const split = splitCsvRecord(text, this.trim);
    if (Array.isArray(split)) {
      this.pending = null;
      this.handler.record(split, this.pendingLine);
    } else if (split.problem === 'stray-quote') {
      this.pending = null;
      throw inputError(messages.csv.strayQuote(this.label, this.pendingLine + lineEndsBefore(text, split.at)));
    } else {
      this.pending += lineEnd;
      this.pendingOpen = true;
      this.checkPendingLength();
    }
  }

  private checkPendingLength(): void {
    if (this.pending!.length > MAX_CSV_RECORD_CHARS) {
      throw inputError(messages.csv.recordTooLong(this.label, this.pendingLine, MAX_CSV_RECORD_CHARS));
    }
  }
}

/** Line ends (`\n`, `\r\n`, `\r`) in `text` before offset `at`. */
function lineEndsBefore(text: string, at: number): number {
  let ends = 0;
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) ends++;
  }
  return ends;
}
