/**
 * Feature matrices as CSV text.
 *
 * Layout: a header line `time_ms,<column>,<column>…` then one line per grid row, `\n` line ends, no quoting
 * of numbers. `time_ms` is an integer (milliseconds); every value is written in its shortest round-trip
 * form (JS `String(x)`, e.g. `0.30000000000000004`, `1e-7`, `Infinity`), so parsing the text gives back the
 * identical Float64 bits. NaN is written as an empty field, negative zero as `-0`.
 *
 * Metadata comment lines (optional): lines before the header that start with `#` are comments; one of the
 * form `# key=value` (the space is optional) carries one metadata entry. In key and value `\\`, `\n` and `\r`
 * stand for a backslash, a line feed and a carriage return, and in the key `\=` stands for `=` (the first
 * unescaped `=` ends the key). Other comment lines are ignored. The reader always accepts them; the writer
 * emits them only when asked, because a reader not told about comments (pandas without `comment='#'`,
 * polars without `comment_prefix='#'`, DuckDB without `comment='#'`, a spreadsheet) would take the first
 * comment for the header. Without them a CSV carries no metadata and reads back with `metadata = {}`.
 */
import { inputError, messages } from '../errors.js';
import { checkMatrix, TIME_COLUMN, type FeatureMatrix, type MatrixMetadata } from './featureMatrix.js';
import { MAX_MATRIX_COLUMNS, MAX_MATRIX_VALUES } from '../limits.js';
import { CsvReader, quoteCsvField, type CsvLineUse } from '../util/csv.js';


/** Options for {@link writeCsv}. */
export interface CsvWriteOptions {
  /** Write `metadata` as `# key=value` comment lines before the header (see the module doc). Default false. */
  metadataComments?: boolean;
  /**
   * Rows per chunk handed to `write`; default 512 (about 250 KB of text for 26 columns). Small chunks keep
   * the intermediate strings in V8's young generation, which is markedly faster than big ones.
   */
  rowsPerChunk?: number;
}

/**
 * Format one value the way the CSV writer does: `''` for NaN, the shortest text that parses back to the
 * same double (`String(x)`), with `.0` after whole numbers (`1.0`, `-0.0`) as Python writes floats, so
 * readers that guess column types from the first rows (polars, DuckDB) see floats, not integers.
 */
export function formatCsvNumber(x: number): string {
  if (x !== x) return '';
  if (x === 0) return 1 / x < 0 ? '-0.0' : '0.0';
  const s = String(x);
  return Number.isInteger(x) && Math.abs(x) < 1e21 ? s + '.0' : s;
}

function escapeComment(text: string, isKey: boolean): string {
  const s = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return isKey ? s.replace(/=/g, '\\=') : s;
}

/**
 * Stream a matrix as CSV text: `write` receives the header, then chunks of whole lines
 * ({@link CsvWriteOptions.rowsPerChunk} rows each), so the text is never built as one string (a 240,000 × 26
 * matrix of random doubles is about 120 MB of CSV). Each call is awaited before the next one is made; the
 * next chunk is built while the previous write is in flight.
 *
 * @throws SongscopeError (exit code 1) for an inconsistent matrix (see `checkMatrix`), before any write.
 */
export async function writeCsv(
  matrix: FeatureMatrix,
  write: (chunk: string) => Promise<void>,
  options: CsvWriteOptions = {},
): Promise<void> {
  checkMatrix(matrix);
  const { rows, columns, timeMs, data } = matrix;
  const ncol = columns.length;
  let head = '';
  if (options.metadataComments) {
    for (const [key, value] of Object.entries(matrix.metadata)) {
      head += `# ${escapeComment(key, true)}=${escapeComment(value, false)}\n`;
    }
  }
  head += [TIME_COLUMN, ...columns].map((name) => quoteCsvField(name)).join(',') + '\n';
  await write(head);
  const chunkRows = Math.max(1, Math.floor(options.rowsPerChunk ?? 512));
  // Number → shortest text is most of the cost (~0.3 µs a value, 6 million values for a 4-minute track).
  // On the 1 ms grid a column holds each segment's value for hundreds of rows, so remember the last text.
  const lastValue = new Float64Array(ncol).fill(NaN);
  const lastText: string[] = new Array<string>(ncol).fill(',');
  // Build the next chunk while the previous one is being written (the write is started, not yet awaited).
  let previous: Promise<void> = Promise.resolve();
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const r1 = Math.min(rows, r0 + chunkRows);
    let text = '';
    for (let r = r0; r < r1; r++) {
      let line = String(timeMs[r]);
      for (let i = r, c = 0; c < ncol; c++, i += rows) {
        const x = data[i];
        if (x === lastValue[c] && x !== 0) {
          line += lastText[c]; // same value as the row before (NaN never matches; ±0 are not cached)
        } else {
          // inline formatCsvNumber
          const s = x !== x ? ',' : x === 0 ? (1 / x < 0 ? ',-0' : ',0') : ',' + x;
          lastValue[c] = x;
          lastText[c] = s;
          line += s;
        }
      }
      text += line + '\n';
    }
    await previous;
    previous = write(text);
    previous.catch(() => undefined); // handled by the next `await previous`
  }
  await previous;
}

function unescapeComment(text: string): string {
  return text.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch));
}

/** Parse `key=value` (after `#`) into a metadata entry, or null when the comment has no unescaped `=`. */
function parseComment(body: string): [string, string] | null {
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') i++;
    else if (ch === '=') return [unescapeComment(body.slice(0, i)), unescapeComment(body.slice(i + 1))];
  }
  return null;
}

const NAN_WORDS = new Set(['nan', '-nan', '+nan', 'na', 'null']);
const INF_WORDS = new Set(['inf', '+inf', 'infinity', '+infinity']);
const NEG_INF_WORDS = new Set(['-inf', '-infinity']);

/** True when `+text` would read `text` as hex, binary or octal (`0x1f`, `0b1`, `0o7`), which we refuse. */
function isRadixLiteral(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 === 48 /* 0 */) {
    const c1 = text.charCodeAt(1) | 0x20;
    return c1 === 120 /* x */ || c1 === 98 /* b */ || c1 === 111 /* o */;
  }
  return c0 <= 32 && /^\s*0[xob]/i.test(text); // leading white space, which `+text` skips
}

/**
 * Parse one value field. Empty (or blank) → NaN; decimal and exponent notation as `Number` reads it;
 * `NaN`/`nan`/`NA`/`null` → NaN and `inf`/`Infinity` (any case, optional sign) → ±Infinity, as pandas,
 * polars and numpy write them. Returns undefined for anything else.
 */
function parseValue(field: string): number | undefined {
  if (field.length === 0) return NaN;
  const v = +field;
  if (v === v) {
    // `+' '` is 0: accept a zero only from text that has a digit
    if (v === 0 && !/\d/.test(field)) return field.trim() === '' ? NaN : undefined;
    return isRadixLiteral(field) ? undefined : v;
  }
  const word = field.trim().toLowerCase();
  if (word === '' || NAN_WORDS.has(word)) return NaN;
  if (INF_WORDS.has(word)) return Infinity;
  if (NEG_INF_WORDS.has(word)) return -Infinity;
  return undefined;
}

/**
 * Incremental CSV → matrix parser: {@link push} text in pieces of any size (lines may straddle pieces), then
 * {@link end}. Memory: the values as Float64 (growing by doubling) plus one piece of text. Lines and quotes
 * are split by `util/csv.ts` (RFC 4180, strict).
 *
 * Accepted input: optional `#` comment lines (metadata, see the module doc) and blank lines before the
 * header; a header naming `time_ms` once (anywhere, on its first line; the other names become `columns` in
 * order; RFC 4180 quotes allowed, a quoted name may hold line ends; names trimmed; at most
 * {@link MAX_MATRIX_COLUMNS} columns); then rows with exactly as many fields, each on one line, blank lines
 * skipped; `\n`, `\r\n` or `\r` line ends; a leading byte order mark is skipped. `time_ms` fields must be
 * integers in Int32 range (`1000` or `1000.0`).
 */
export class CsvMatrixParser {
  private readonly label: string;
  private readonly reader: CsvReader;
  private names: string[] | null = null;
  private timeIndex = -1;
  private rows = 0;
  private capacity = 0;
  private time = new Int32Array(0);
  private cols: Float64Array[] = [];
  private lastField: (string | undefined)[] = [];
  private lastValue = new Float64Array(0);
  private readonly metadata: MatrixMetadata = {};
  /** The header's first line, as written (for the message when it is not a matrix's). */
  private headerText = '';

  /** @param label names the source in error messages (a path, or `stdin`). */
  constructor(label: string) {
    this.label = label;
    this.reader = new CsvReader(label, {
      line: (text, line) => this.lineUse(text, line),
      record: (fields, line) => (this.names === null ? this.processHeader(fields, line) : this.processRow(fields, line)),
    });
  }

  /** Number of complete lines consumed so far (1-based line numbers in errors count from here). */
  get linesRead(): number {
    return this.reader.linesRead;
  }

  /** Feed the next piece of text. @throws SongscopeError (exit code 2) at the first bad line. */
  push(text: string): void {
    this.reader.push(text);
  }

  /** Finish (a last line without `\n` counts) and return the matrix. @throws SongscopeError (exit code 2). */
  end(): FeatureMatrix {
    this.reader.end();
    if (this.names === null) throw inputError(messages.csv.noHeader(this.label));
    const rows = this.rows;
    const columns = this.names.filter((_, i) => i !== this.timeIndex);
    const data = new Float64Array(rows * columns.length);
    this.cols.forEach((col, c) => data.set(col.subarray(0, rows), c * rows));
    const timeMs = this.time.slice(0, rows);
    this.cols = [];
    this.time = new Int32Array(0);
    return { rows, columns, timeMs, data, metadata: this.metadata };
  }

  /** Rows are records on one line; before the header, blank lines are skipped and `#` lines are metadata. */
  private lineUse(text: string, line: number): CsvLineUse {
    if (this.names !== null) return text.length > 0 ? 'line' : 'skip';
    if (text.trim().length === 0) return 'skip';
    if (text.charCodeAt(0) === 35 /* # */) {
      const body = text.charCodeAt(1) === 32 ? text.slice(2) : text.slice(1);
      const entry = parseComment(body);
      if (entry) this.metadata[entry[0]] = entry[1];
      return 'skip';
    }
    // Not a header (JSON, binary, another table): said before its quotes are judged.
    if (!text.includes(TIME_COLUMN)) throw inputError(messages.csv.notMatrix(this.label, line, text));
    this.headerText = text;
    return 'record';
  }

  private processHeader(fields: string[], line: number): void {
    const names = fields.map((name) => name.trim());
    if (names.length - 1 > MAX_MATRIX_COLUMNS) throw inputError(messages.matrixFile.tooManyColumns(this.label, names.length - 1, MAX_MATRIX_COLUMNS));
    const timeIndex = names.indexOf(TIME_COLUMN);
    if (timeIndex < 0) throw inputError(messages.csv.notMatrix(this.label, line, this.headerText));
    if (names.indexOf(TIME_COLUMN, timeIndex + 1) >= 0) throw inputError(messages.csv.duplicateTime(this.label, line));
    this.names = names;
    this.timeIndex = timeIndex;
    this.lastField = new Array<string | undefined>(names.length - 1).fill(undefined);
    this.lastValue = new Float64Array(names.length - 1);
    this.grow(1024);
  }

  private grow(capacity: number): void {
    const time = new Int32Array(capacity);
    time.set(this.time.subarray(0, this.rows));
    this.time = time;
    const ncol = this.names!.length - 1;
    const cols: Float64Array[] = [];
    for (let c = 0; c < ncol; c++) {
      const col = new Float64Array(capacity);
      if (this.cols[c]) col.set(this.cols[c].subarray(0, this.rows));
      cols.push(col);
    }
    this.cols = cols;
    this.capacity = capacity;
  }

  private processRow(fields: string[], line: number): void {
    const names = this.names!;
    const n = names.length;
    if (fields.length !== n) {
      if (fields.length < n) {
        throw inputError(messages.csv.missingValue(this.label, line, names[fields.length], fields.length, n));
      }
      throw inputError(messages.csv.extraValue(this.label, line, n + 1, fields.length, n));
    }
    if (this.rows === this.capacity) {
      const perRow = Math.max(1, n - 1);
      const most = Math.floor(MAX_MATRIX_VALUES / perRow);
      if (this.rows >= most) throw inputError(messages.matrixFile.tooLarge(this.label, this.rows + 1, n - 1, MAX_MATRIX_VALUES));
      this.grow(Math.min(this.capacity * 2, most));
    }
    const r = this.rows;
    const timeIndex = this.timeIndex;
    const cols = this.cols;
    const lastField = this.lastField;
    const lastValue = this.lastValue;
    for (let i = 0, c = 0; i < n; i++) {
      const field = fields[i];
      if (i === timeIndex) {
        const t = field.length === 0 ? NaN : +field;
        if (!Number.isInteger(t) || t < -2147483648 || t > 2147483647 || isRadixLiteral(field)) {
          throw inputError(messages.csv.notTime(this.label, line, field));
        }
        this.time[r] = t;
        continue;
      }
      // On the 1 ms grid most fields repeat the row above: skip parsing them again.
      if (field !== lastField[c]) {
        const v = parseValue(field);
        if (v === undefined) throw inputError(messages.csv.notNumber(this.label, line, names[i], field));
        lastField[c] = field;
        lastValue[c] = v;
      }
      cols[c][r] = lastValue[c];
      c++;
    }
    this.rows = r + 1;
  }
}

/**
 * Parse a whole CSV matrix from text or from a byte/text stream (an async iterable of chunks: a Node
 * `Readable`, a file stream, stdin). Bytes are decoded as UTF-8 (a BOM is skipped; invalid UTF-8 is an
 * error). See {@link CsvMatrixParser} for what is accepted; `metadata` is `{}` unless the text has
 * `# key=value` comment lines.
 *
 * @param label names the source in error messages (a path, or `stdin`).
 * @throws SongscopeError (exit code 2) naming the line and column of the first problem.
 */
export async function parseCsv(
  source: string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  label: string,
): Promise<FeatureMatrix> {
  const parser = new CsvMatrixParser(label);
  if (typeof source === 'string') {
    parser.push(source);
    return parser.end();
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      throw inputError(messages.csv.notText(label, lines + 1));
    }
  };
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const text = typeof chunk === 'string' ? chunk : decode(chunk, true);
    parser.push(text);
    lines = parser.linesRead;
  }
  parser.push(decode(new Uint8Array(0), false));
  return parser.end();
}
