/**
 * Reading and writing feature matrices: the one place the CLI (and library users) go through.
 *
 * Formats:
 * - **Arrow** — `.arrow`, `.feather`, `.ipc`: the Arrow IPC *file* format (Feather v2, uncompressed), as
 *   pandas `read_feather`, polars `read_ipc`, DuckDB `read_arrow` and Arrow JS read it. To standard output
 *   (`-`) the Arrow IPC *stream* format, streamed. Layout: see {@link matrixToTable}.
 * - **CSV** — `.csv`: header `time_ms,<columns…>`, full-precision numbers, NaN as an empty field; see
 *   `./csv.ts`.
 * - **Parquet** — `.parquet`: `time_ms` (INT32) and DOUBLE columns, zstd, the metadata as key-value
 *   metadata, written through DuckDB (see `./parquet.ts`); files only (not `-`).
 *
 * File outputs are atomic (temporary file + rename, see `../util/atomic.ts`): a failed write leaves the old
 * file, or nothing, and no temporary file. Arrow files are written in record batches of at most 2^20 rows
 * and read back batch by batch, so a 3-hour matrix (2.3 GB) round-trips. Reading detects the format by
 * content, not by name.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { inputError, messages, runtimeError, SongscopeError } from '../errors.js';
import { writeStreamAtomic, type Producer } from '../util/atomic.js';
import {
  decodeIpc,
  decodedTableToMatrix,
  isArrowFileBytes,
  isArrowStreamBytes,
  readArrowFile,
  writeMatrixIpc,
  resultTableToArrow,
} from './arrow.js';
import { MAX_MATRIX_VALUES } from '../limits.js';
import { parseCsv, writeCsv } from './csv.js';
import type { FeatureMatrix, MatrixMetadata } from './featureMatrix.js';
import { writeTableCsv, type ResultTable } from './table.js';
import { writeEventGridIpc, writeTableIpc } from './arrow.js';
import { materializeGrid, type EventGrid } from './events.js';

export { matrixToTable, tableToMatrix } from './arrow.js';

/** A matrix file format: `arrow` (Arrow IPC: file format on disk, stream format on stdout), `csv` or `parquet` (files only). */
export type MatrixFormat = 'arrow' | 'csv' | 'parquet';

/** File extensions (lower case, with the dot) written as Arrow IPC files. */
export const ARROW_EXTENSIONS: readonly string[] = Object.freeze(['.arrow', '.feather', '.ipc']);
/** File extensions (lower case, with the dot) written as CSV. */
export const CSV_EXTENSIONS: readonly string[] = Object.freeze(['.csv']);
/** File extensions (lower case, with the dot) written as Parquet. */
export const PARQUET_EXTENSIONS: readonly string[] = Object.freeze(['.parquet']);

/** The path that means standard output (for writing) or standard input (for reading). */
export const STDIO_PATH = '-';


const STDOUT_LABEL = 'standard output';
const STDIN_LABEL = 'stdin';
/** How much of the start of an input is looked at to tell Arrow from CSV from binary. */
const SNIFF_BYTES = 4096;
/**
 * The most bytes of Arrow data read whole (standard input, a stream-format file): what a matrix of
 * {@link MAX_MATRIX_VALUES} Float64 values takes, with an eighth more for time, metadata and padding.
 */
const MAX_ARROW_BYTES = Math.ceil(MAX_MATRIX_VALUES * 8 * 1.125);

/**
 * The format a path is written in, from its extension (case-insensitive): `.arrow`/`.feather`/`.ipc` →
 * `arrow`, `.csv` → `csv`, and `-` (standard output) → `arrow` (written as an IPC stream).
 *
 * @throws SongscopeError (exit code 2) for any other name, with a one-line message listing the extensions.
 */
export function matrixFormatFor(path: string): MatrixFormat {
  if (path === STDIO_PATH) return 'arrow';
  const ext = extname(path).toLowerCase();
  if (ARROW_EXTENSIONS.includes(ext)) return 'arrow';
  if (CSV_EXTENSIONS.includes(ext)) return 'csv';
  if (PARQUET_EXTENSIONS.includes(ext)) return 'parquet';
  throw inputError(messages.matrixFile.unsupportedExtension(path, [...ARROW_EXTENSIONS, ...PARQUET_EXTENSIONS, ...CSV_EXTENSIONS]));
}

/** Options for {@link writeMatrix}. */
export interface WriteMatrixOptions {
  /** Format to write; default {@link matrixFormatFor}(path). With `-`, `csv` writes CSV to standard output. */
  format?: MatrixFormat;
  /** Where `-` writes; default `process.stdout`. It is not ended afterwards (end it yourself if you own it). */
  stdout?: NodeJS.WritableStream;
  /** CSV only: write `metadata` as `# key=value` comment lines before the header (see `./csv.ts`). Default false. */
  csvMetadata?: boolean;
}

/**
 * Write a matrix to `path` atomically (parent directories are created), or to standard output when `path`
 * is `-`.
 *
 * Arrow goes to a file in the IPC file format and to `-` in the IPC stream format; CSV is the same either
 * way. Output is streamed in chunks (column buffers for Arrow, about 4096 rows for CSV) with back-pressure,
 * never assembled in one buffer. On `-`, a reader that goes away early (`| head -c 100`: EPIPE) ends the
 * write quietly: the promise resolves and nothing is thrown or printed. The promise resolves once the last
 * chunk has been handed to the operating system (file renamed into place, or stdout write completed).
 *
 * @throws SongscopeError exit code 2 for an unsupported extension (when `format` is not given); exit code 1
 *   when the file or standard output cannot be written (`cannot write PATH (ENOSPC)`).
 */
export async function writeMatrix(
  matrix: FeatureMatrix,
  path: string,
  options: WriteMatrixOptions = {},
): Promise<void> {
  const format = options.format ?? matrixFormatFor(path);
  const toStdout = path === STDIO_PATH;
  if (format === 'parquet') {
    if (toStdout) throw inputError(messages.corpus.parquetToStdout());
    const { writeMatrixParquet } = await import('./parquet.js'); // DuckDB loads only for Parquet
    return writeMatrixParquet(matrix, path);
  }
  const produce = async (write: (chunk: string | Uint8Array) => Promise<void>): Promise<void> => {
    if (format === 'arrow') await writeMatrixIpc(matrix, toStdout ? 'stream' : 'file', write);
    else await writeCsv(matrix, write, { metadataComments: options.csvMetadata ?? false });
  };
  await writeProduced(path, options, produce);
}

/**
 * Write the 1 ms grid of an analysis, given as its runs ({@link featureGrid}), like {@link writeMatrix}
 * writes `materializeGrid(events, metadata)` — the same file, value for value — but without holding the
 * matrix: Arrow is streamed a record batch at a time through one 3.4 MB buffer ({@link writeEventGridIpc});
 * CSV and Parquet are written from the materialised matrix.
 */
export async function writeEventGrid(events: EventGrid, metadata: MatrixMetadata, path: string, options: WriteMatrixOptions = {}): Promise<void> {
  const format = options.format ?? matrixFormatFor(path);
  if (format !== 'arrow') return writeMatrix(materializeGrid(events, metadata), path, options);
  const toStdout = path === STDIO_PATH;
  // A stream of the caller's may hold on to a chunk after its write callback (a PassThrough passes the
  // object on): it gets copies. Files and the process' own stdout are done with a chunk once it is written.
  const copies = toStdout && options.stdout !== undefined && options.stdout !== process.stdout;
  const produce: Producer = (write, flush) =>
    writeEventGridIpc(events, metadata, toStdout ? 'stream' : 'file', copies ? (chunk) => write(chunk.slice()) : write, flush);
  await writeProduced(path, options, produce);
}

/** Hand `produce`'s bytes to standard output (`-`) or atomically to the file `path`. */
async function writeProduced(path: string, options: WriteMatrixOptions, produce: Producer): Promise<void> {
  if (path === STDIO_PATH) await writeToStream(options.stdout ?? process.stdout, STDOUT_LABEL, produce);
  else await writeStreamAtomic(path, produce);
}

/**
 * Write a {@link ResultTable} (a similarity matrix, labels, coordinates …) like {@link writeMatrix}: Arrow IPC
 * file, Parquet or CSV by extension, atomically; `-` streams Arrow IPC (or CSV with `format: 'csv'`) to stdout.
 */
export async function writeTable(table: ResultTable, path: string, options: WriteMatrixOptions = {}): Promise<void> {
  const format = options.format ?? matrixFormatFor(path);
  const toStdout = path === STDIO_PATH;
  if (format === 'parquet') {
    if (toStdout) throw inputError(messages.corpus.parquetToStdout());
    const { writeTableParquet } = await import('./parquet.js');
    return writeTableParquet(table, path);
  }
  const produce = async (write: (chunk: string | Uint8Array) => Promise<void>): Promise<void> => {
    if (format === 'arrow') await writeTableIpc(resultTableToArrow(table), toStdout ? 'stream' : 'file', write);
    else await writeTableCsv(table, write);
  };
  await writeProduced(path, options, produce);
}

/** `PAR1` at the start: a Parquet file (checked here so reading Arrow or CSV never loads DuckDB). */
function isParquetFileBytes(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
}

/** Errors that mean "the reader went away": quiet end of output, not a failure. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);
const STOP = Symbol('stop writing');

/**
 * Stream chunks into a writable that is not ours to end (stdout): back-pressure via `drain`, errors via the
 * write callbacks and `error` events (so an EPIPE is never an uncaught `error` event), and the promise
 * settles after the last write's callback.
 */
async function writeToStream(
  out: NodeJS.WritableStream,
  label: string,
  produce: Producer,
): Promise<void> {
  let failure: (Error & { code?: unknown }) | undefined;
  let closed = false;
  let needDrain = false;
  let lastSettled = true;
  let signal: (() => void) | undefined;
  const notify = (): void => {
    const s = signal;
    signal = undefined;
    s?.();
  };
  const nextSignal = (): Promise<void> => new Promise((resolve) => (signal = resolve));
  const onError = (e: Error): void => {
    failure ??= e;
    notify();
  };
  const onDrain = (): void => {
    needDrain = false;
    notify();
  };
  const onClose = (): void => {
    closed = true;
    notify();
  };
  out.on('error', onError);
  out.on('drain', onDrain);
  out.on('close', onClose);
  const write = async (chunk: string | Uint8Array): Promise<void> => {
    if (failure || closed) throw STOP;
    lastSettled = false;
    const ok = out.write(chunk, (err?: Error | null) => {
      if (err) failure ??= err;
      lastSettled = true;
      notify();
    });
    if (!ok) needDrain = true;
    while (needDrain && !failure && !closed) await nextSignal();
    if (failure || closed) throw STOP;
  };
  const flush = async (): Promise<void> => {
    while (!lastSettled && !failure && !closed) await nextSignal();
    if (failure || closed) throw STOP;
  };
  try {
    await produce(write, flush);
    // resolve only once the last chunk has been handed over (or the stream failed or closed)
    await flush();
  } catch (e) {
    if (e !== STOP) throw e;
  } finally {
    signal = undefined;
    out.off('error', onError);
    out.off('drain', onDrain);
    out.off('close', onClose);
  }
  if (failure) {
    const code = typeof failure.code === 'string' ? failure.code : failure.message;
    if (READER_GONE.has(code)) {
      // The stream may still emit errors for writes that were queued; they must not crash the process.
      if (out.listenerCount('error') === 0) out.on('error', () => undefined);
      return;
    }
    throw runtimeError(messages.writeFailed(label, messages.writeCause(code)), undefined, failure);
  }
  // closed without an error: the reader went away; nothing more to do
}

/** Options for {@link readMatrix}. */
export interface ReadMatrixOptions {
  /** Where `-` reads from; default `process.stdin`. Read to its end. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Read a matrix from a file, or from standard input when `path` is `-`. The format is detected from the
 * content, whatever the name: `ARROW1` at the start → Arrow IPC file, `FF FF FF FF` → Arrow IPC stream,
 * UTF-8 text → CSV (its header must name `time_ms`). Pipes and other non-regular files (`<(…)`) work too.
 *
 * An Arrow IPC file is read one record batch at a time (footer and schema first, so a bad column fails before
 * any data is read; memory: the matrix plus one batch); an Arrow stream (stdin, a stream-format file) is read
 * whole, up to what a matrix of the limit takes. Either way see {@link tableToMatrix}: `time_ms` of any
 * integer type, other numeric types converted to Float64, nulls → NaN, schema metadata restored. A matrix of
 * more than `MAX_MATRIX_VALUES` values (`../limits.ts`) is refused before it is allocated. CSV is parsed as it streams
 * in (metadata `{}` unless `# key=value` comment lines precede the header). The returned matrix owns its
 * memory: column-major `Float64Array` data of `rows × columns.length`, `Int32Array` times.
 *
 * @throws SongscopeError exit code 2: `PATH: no such file`, `PATH: cannot read the file (EACCES)`, an empty
 *   input, bytes that are neither Arrow nor CSV, invalid Arrow IPC, no/duplicate/non-integral `time_ms`, a
 *   non-numeric column, or a CSV row that is ragged or holds a non-number (naming the line and column).
 */
export async function readMatrix(path: string, options: ReadMatrixOptions = {}): Promise<FeatureMatrix> {
  return checkTimeOrder(await readAnyMatrix(path, options), path === STDIO_PATH ? STDIN_LABEL : path);
}

/**
 * A matrix' rows must run forward in time, each millisecond once: binning and rolling means rely on it.
 * @throws SongscopeError (exit code 2) naming the first row out of order
 */
function checkTimeOrder(matrix: FeatureMatrix, label: string): FeatureMatrix {
  const t = matrix.timeMs;
  for (let r = 1; r < matrix.rows; r++) {
    if (!(t[r] > t[r - 1])) throw inputError(messages.matrixFile.timeNotIncreasing(label, r, t[r - 1], t[r]));
  }
  return matrix;
}

async function readAnyMatrix(path: string, options: ReadMatrixOptions): Promise<FeatureMatrix> {
  if (path === STDIO_PATH) return readFromStream(options.stdin ?? process.stdin, STDIN_LABEL);
  let head: Uint8Array;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw inputError(messages.fileUnreadable(path, 'it is a directory'));
    // A pipe (`<(…)`, a FIFO) or a device: read it once, as a stream. (Opening it twice would lose data.)
    if (!stats.isFile()) return await readFromStream(createReadStream(path), path);
    const fh = await open(path, 'r');
    try {
      const buffer = new Uint8Array(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw readError(path, e);
  }
  if (head.length === 0) throw inputError(messages.matrixFile.empty(path));
  if (isParquetFileBytes(head)) {
    const { readMatrixParquet } = await import('./parquet.js');
    return readMatrixParquet(path);
  }
  if (isArrowFileBytes(head)) {
    // the file format: read batch by batch (a 3-hour matrix is 2.3 GB: never held whole)
    try {
      return await readArrowFile(path);
    } catch (e) {
      throw readError(path, e);
    }
  }
  if (isArrowStreamBytes(head)) {
    let bytes: Uint8Array;
    try {
      bytes = await readWhole(path);
    } catch (e) {
      throw readError(path, e);
    }
    return decodedTableToMatrix(decodeIpc(bytes, path), path);
  }
  checkText(head, path);
  try {
    return await parseCsv(createReadStream(path, { highWaterMark: 1 << 20 }), path);
  } catch (e) {
    throw readError(path, e);
  }
}

/** A whole file in one array (read in pieces: one read returns at most 2 GiB), refused over {@link MAX_ARROW_BYTES}. */
async function readWhole(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > MAX_ARROW_BYTES) throw inputError(messages.matrixFile.tooManyBytes(path, size, MAX_ARROW_BYTES));
    const bytes = new Uint8Array(size);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await fh.read(bytes, at, Math.min(size - at, 1 << 30), at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes;
  } finally {
    await fh.close();
  }
}

/** Map a file-system error to the catalogue's sentences (SongscopeErrors pass through). */
function readError(path: string, e: unknown): SongscopeError {
  if (e instanceof SongscopeError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const error =
    code === 'ENOENT'
      ? inputError(messages.fileNotFound(path))
      : inputError(messages.fileUnreadable(path, code ?? (e instanceof Error ? e.message : String(e))));
  Object.defineProperty(error, 'cause', { value: e, configurable: true, writable: true });
  return error;
}

/** Refuse input that is plainly not text (a NUL byte, or invalid UTF-8) in its first bytes. */
function checkText(head: Uint8Array, label: string): void {
  let text = head.indexOf(0) < 0;
  if (text) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    } catch {
      text = false;
    }
  }
  if (!text) {
    const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw inputError(messages.matrixFile.notMatrixBytes(label, head.length > 8 ? `${hex} …` : hex));
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk), 'utf8');
}

/** Read a whole stream (stdin, a pipe): sniff the first bytes, then Arrow (buffered) or CSV (streamed). */
async function readFromStream(stream: NodeJS.ReadableStream, label: string): Promise<FeatureMatrix> {
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIFF_BYTES) {
      const next = await iterator.next();
      if (next.done) break;
      const bytes = toBytes(next.value);
      chunks.push(bytes);
      size += bytes.length;
    }
    if (size === 0) throw inputError(messages.matrixFile.empty(label));
    const head = chunks.length === 1 ? chunks[0] : concat(chunks, size);
    if (isArrowFileBytes(head) || isArrowStreamBytes(head)) {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const bytes = toBytes(next.value);
        chunks.push(bytes);
        size += bytes.length;
        if (size > MAX_ARROW_BYTES) throw inputError(messages.matrixFile.tooManyBytes(label, size, MAX_ARROW_BYTES));
      }
      return decodedTableToMatrix(decodeIpc(concat(chunks, size), label), label);
    }
    checkText(head.subarray(0, SNIFF_BYTES), label);
    async function* rest(): AsyncGenerator<Uint8Array> {
      yield* chunks;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield toBytes(next.value);
    }
    return await parseCsv(rest(), label);
  } catch (e) {
    await iterator.return?.();
    throw readError(label, e);
  }
}

/** Join chunks into one fresh (8-byte aligned) array. */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
