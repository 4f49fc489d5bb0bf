/**
 * Feature matrices as Apache Arrow tables and Arrow IPC bytes (the file format, a.k.a. Feather v2, and the
 * stream format).
 *
 * A matrix becomes a table whose first column is `time_ms` (Int32, not nullable) followed by one Float64
 * column per matrix column, in matrix order; the matrix `metadata` becomes the schema's custom metadata.
 * Building the table copies nothing: every Arrow vector is a view on the matrix's own typed arrays, and the
 * IPC writer hands out views on those same arrays, so writing a 240,000 × 26 matrix never holds a second
 * copy of its 50 MB of values. IPC output is uncompressed (pandas `read_feather`, polars `read_ipc`,
 * DuckDB `read_arrow` and Arrow C++/Java/Rust all read it).
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  AsyncRecordBatchFileReader,
  DataType,
  Field,
  Float64,
  Int32,
  Message,
  MessageHeader,
  Precision,
  RecordBatch,
  RecordBatchReader,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  RecordBatchWriter,
  Schema,
  Struct,
  Table,
  makeData,
  makeVector,
  tableFromIPC,
  Utf8,
  vectorFromArray,
  type Data,
  type TypeMap,
  type Vector,
} from 'apache-arrow';
import { inputError, messages, runtimeError, SongscopeError } from '../errors.js';
import { FEATURE_COLUMNS, TIME_COLUMN, type FeatureMatrix, type MatrixMetadata } from './featureMatrix.js';
import { fillGridRows, type EventGrid } from './events.js';
import { MAX_MATRIX_VALUES } from '../limits.js';
import { tableRows, type ResultTable } from './table.js';

/** The 6 magic bytes `ARROW1` that begin and end an Arrow IPC file. */
export const ARROW_MAGIC: Uint8Array = Uint8Array.from([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]);

/**
 * Rows per record batch written: 2^20 (17.5 minutes at 1 ms; 227 MB for 27 columns), so that the matrix of
 * a 3-hour track (2.3 GB) is written, and read back, one batch at a time, and no single read nears the
 * 2 GiB one file read can return.
 */
export const ARROW_BATCH_ROWS = 2 ** 20;

/** Which Arrow IPC framing to write: `file` (random access, footer; `.arrow`/`.feather`) or `stream`. */
export type IpcFormat = 'file' | 'stream';


/**
 * A {@link RecordBatchFileWriter} that writes the spec's full layout: `ARROW1`, padding, the *schema
 * message*, the record batches, end-of-stream, footer, `ARROW1`.
 *
 * apache-arrow 21's own file writer leaves out the schema message after the leading magic (its schema
 * lives only in the footer). Readers that use the footer (pyarrow, polars, Arrow JS) don't mind, but readers
 * that read a file as "magic + stream" — DuckDB's `arrow`/`nanoarrow` extension before it learnt to take the
 * schema from the footer — fail on such a file. Writing the schema message too costs a few hundred bytes.
 */
class CompleteFileWriter<T extends TypeMap = any> extends RecordBatchFileWriter<T> {
  protected override _writeSchema(schema: Schema<T>): this {
    this._writeMagic()._writePadding(2);
    return this._writeMessage(Message.from(schema));
  }
}

export { checkMatrix } from './featureMatrix.js';
import { checkMatrix } from './featureMatrix.js';

/**
 * The matrix as an Arrow table, without copying any values.
 *
 * Layout: `time_ms` Int32 (not nullable) from `matrix.timeMs`, then for each `matrix.columns[c]` a Float64
 * column (not nullable; NaN is a value, never a null) viewing `data.subarray(c*rows, (c+1)*rows)`. The matrix
 * `metadata` becomes the schema metadata (a `Map<string,string>` in key insertion order). Record batches of
 * {@link ARROW_BATCH_ROWS} rows (the last one shorter; one empty batch for an empty matrix). The table
 * shares memory with the matrix: change one and the other changes.
 *
 * @throws SongscopeError (exit code 1) when the matrix is inconsistent: `timeMs.length !== rows`,
 *   `data.length !== rows × columns.length`, or a column named `time_ms`.
 */
export function matrixToTable(matrix: FeatureMatrix): Table {
  checkMatrix(matrix);
  const { rows, columns, timeMs, data } = matrix;
  const schema = matrixSchema(columns, matrix.metadata);
  const batches: RecordBatch[] = [];
  for (let start = 0; start === 0 || start < rows; start += ARROW_BATCH_ROWS) {
    const end = Math.min(rows, start + ARROW_BATCH_ROWS);
    batches.push(matrixBatch(schema, timeMs.subarray(start, end), (c) => data.subarray(c * rows + start, c * rows + end)));
  }
  return new Table(schema, batches);
}

/** The schema of a matrix file: `time_ms` Int32, then one Float64 column per matrix column, not nullable; the metadata. */
function matrixSchema(columns: readonly string[], metadata: MatrixMetadata): Schema {
  const fields = [new Field(TIME_COLUMN, new Int32(), false), ...columns.map((name) => new Field(name, new Float64(), false))];
  return new Schema(fields, new Map(Object.entries(metadata)));
}

/** A record batch of {@link matrixSchema} viewing `timeMs` and each column's values (`column(c)`, as long), no copy. */
function matrixBatch(schema: Schema, timeMs: Int32Array, column: (c: number) => Float64Array): RecordBatch {
  const n = timeMs.length;
  const children: Data[] = [makeData({ type: new Int32(), length: n, nullCount: 0, data: timeMs })];
  for (let c = 1; c < schema.fields.length; c++) children.push(makeData({ type: new Float64(), length: n, nullCount: 0, data: column(c - 1) }));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

/**
 * Rebuild a matrix from an Arrow table (ours, or one written by pandas, polars, DuckDB …).
 *
 * `time_ms` may be anywhere in the table and of any integer type (or a floating-point type holding only
 * integers); its values must fit Int32 and must not be null. Every other column becomes a matrix column, in
 * table order, copied into one fresh column-major `Float64Array`: Float64 as is, other integer and
 * floating-point types converted to Float64 (Int64 beyond ±2^53 rounds), nulls become NaN. Schema metadata
 * becomes `metadata`. The matrix owns its memory (it does not alias the table's buffers).
 *
 * @param label names the source in error messages (a path, or `stdin`).
 * @throws SongscopeError (exit code 2) for a missing or non-integral `time_ms`, or a non-numeric column.
 */
export function tableToMatrix(table: Table, label = 'Arrow table'): FeatureMatrix {
  const plan = matrixPlan(table.schema, label);
  const rows = table.numRows;
  checkMatrixSize(rows, plan.columns.length, label);
  const timeMs = new Int32Array(rows);
  const data = new Float64Array(rows * plan.columns.length);
  fillMatrix(table, rows, plan, { timeMs, data, rows }, 0, label);
  return { rows, columns: plan.columns, timeMs, data, metadata: Object.fromEntries(table.schema.metadata) };
}

/** Which table columns make a matrix: where `time_ms` is, and the value columns in order. */
export interface MatrixPlan {
  timeIndex: number;
  /** Table column index of each matrix column. */
  valueIndexes: number[];
  columns: string[];
}

/**
 * Check a schema for a matrix (before any data is read): a `time_ms` column of a numeric type, every other
 * column numeric.
 *
 * @throws SongscopeError (exit code 2) for a missing or non-numeric `time_ms`, or a non-numeric column.
 */
export function matrixPlan(schema: Schema, label: string): MatrixPlan {
  const names = schema.fields.map((f) => f.name);
  const timeIndex = names.indexOf(TIME_COLUMN);
  if (timeIndex < 0) throw inputError(messages.arrow.noTimeColumn(label, names));
  const timeType = schema.fields[timeIndex].type as DataType;
  if (!isNumeric(timeType)) throw inputError(messages.arrow.timeType(label, String(timeType)));
  const valueIndexes: number[] = [];
  const columns: string[] = [];
  schema.fields.forEach((field, i) => {
    if (i === timeIndex) return;
    if (!isNumeric(field.type as DataType)) throw inputError(messages.arrow.columnNotNumeric(label, field.name, String(field.type)));
    valueIndexes.push(i);
    columns.push(field.name);
  });
  return { timeIndex, valueIndexes, columns };
}

/** Refuse a matrix of more than {@link MAX_MATRIX_VALUES} values (rows × columns, at least one column counted). */
export function checkMatrixSize(rows: number, columns: number, label: string): void {
  if (rows * Math.max(1, columns) > MAX_MATRIX_VALUES) {
    throw inputError(messages.matrixFile.tooLarge(label, rows, columns, MAX_MATRIX_VALUES));
  }
}

/**
 * Copy `rows` rows of a table or record batch into the matrix arrays at row `offset` (`target.rows` rows in
 * all, column-major), checking `time_ms` (integers in Int32 range, no nulls; row numbers in errors count
 * from the start of the matrix).
 */
export function fillMatrix(
  source: { getChildAt(index: number): Vector | null },
  rows: number,
  plan: MatrixPlan,
  target: { timeMs: Int32Array; data: Float64Array; rows: number },
  offset: number,
  label: string,
): void {
  readTime(source.getChildAt(plan.timeIndex)!, target.timeMs.subarray(offset, offset + rows), offset, label);
  plan.valueIndexes.forEach((index, c) => {
    const start = c * target.rows + offset;
    copyAsFloat64(source.getChildAt(index)!, target.data.subarray(start, start + rows));
  });
}

function isNumeric(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type);
}

/** Copy a numeric vector (any chunking, any int/float type) into `target` as Float64; nulls become NaN. */
function copyAsFloat64(vector: Vector, target: Float64Array): void {
  const type = vector.type as DataType;
  let pos = 0;
  for (const chunk of vector.data as ReadonlyArray<Data>) {
    const n = chunk.length;
    const values = chunk.values as ArrayLike<number | bigint> & { subarray(a: number, b: number): unknown };
    if (DataType.isFloat(type) && type.precision === Precision.HALF) {
      const view = makeVector(chunk);
      for (let i = 0; i < n; i++) target[pos + i] = (view.get(i) as number | null) ?? NaN;
    } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      for (let i = 0; i < n; i++) target[pos + i] = Number(values[i]);
    } else {
      // Float64/Float32 and Int8…Uint32 arrays: TypedArray#set converts to Float64 exactly.
      target.set((values as Float64Array).subarray(0, n), pos);
    }
    if (chunk.nullCount > 0) {
      for (let i = 0; i < n; i++) if (!chunk.getValid(i)) target[pos + i] = NaN;
    }
    pos += n;
  }
}

/**
 * Copy the `time_ms` vector into `out` (its length), checking that every value is a non-null integer in
 * Int32 range; `offset` is added to row numbers in messages.
 */
function readTime(vector: Vector, out: Int32Array, offset: number, label: string): void {
  const type = vector.type as DataType;
  const typeName = String(type);
  if (!isNumeric(type)) throw inputError(messages.arrow.timeType(label, typeName));
  let pos = 0;
  for (const chunk of vector.data as ReadonlyArray<Data>) {
    const n = chunk.length;
    if (chunk.nullCount > 0) {
      for (let i = 0; i < n; i++) {
        if (!chunk.getValid(i)) throw inputError(messages.arrow.timeNotIntegral(label, typeName, offset + pos + i, 'null'));
      }
    }
    if (DataType.isInt(type) && type.bitWidth <= 32 && !(type.bitWidth === 32 && !type.isSigned)) {
      out.set((chunk.values as Int32Array).subarray(0, n), pos); // Int8…Int32, Uint8, Uint16: always in range
    } else {
      const tmp = new Float64Array(n);
      copyAsFloat64(makeVector(chunk), tmp);
      for (let i = 0; i < n; i++) {
        const v = tmp[i];
        if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
          throw inputError(messages.arrow.timeNotIntegral(label, typeName, offset + pos + i, String(v)));
        }
        out[pos + i] = v;
      }
    }
    pos += n;
  }
}

/**
 * Serialize a table as Arrow IPC, handing the bytes to `write` chunk by chunk (awaiting each call, so
 * back-pressure works). Chunks are views on the table's own buffers (no copy, no 50 MB join) plus small
 * headers and padding; the largest chunk is one column's values. Uncompressed.
 *
 * `file` writes `ARROW1`, padding, the schema message, the record batches, end-of-stream, the footer (with
 * the schema and its metadata), and `ARROW1`. `stream` writes the schema message, the batches and
 * end-of-stream.
 */
export async function writeTableIpc(
  table: Table,
  format: IpcFormat,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const writer = format === 'file' ? new CompleteFileWriter() : new RecordBatchStreamWriter();
  writer.write(table);
  writer.finish(); // autoDestroy: writes end-of-stream (and footer), then closes the byte queue
  for await (const chunk of writer) await write(chunk);
}

/** Serialize a matrix as Arrow IPC through {@link writeTableIpc} (see {@link matrixToTable} for the layout). */
export async function writeMatrixIpc(
  matrix: FeatureMatrix,
  format: IpcFormat,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  await writeTableIpc(matrixToTable(matrix), format, write);
}

/** Rows per record batch when the grid is streamed (`features`): 16,384 rows × 26 columns, 3.4 MB. */
export const GRID_BLOCK_ROWS = 2 ** 14;

/** A chunk the Arrow writer made, as bytes (a view, no copy). */
function chunkBytes(chunk: unknown): Uint8Array {
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw runtimeError(messages.internal('the Arrow writer made a chunk that is not bytes'));
}

/**
 * Arrow's writers queue their chunks for an asynchronous reader; this makes one that hands each chunk over
 * as it is made (`chunks`), so {@link writeEventGridIpc} writes a batch's bytes, and waits for them to be
 * written, before it fills the next batch into the same buffer.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function handingOverChunks<B extends new (...args: any[]) => RecordBatchWriter>(Base: B) {
  return class extends Base {
    readonly chunks: Uint8Array[] = [];
    protected override _write(chunk: unknown): this {
      const bytes = this._started ? chunkBytes(chunk) : undefined;
      if (bytes && bytes.byteLength > 0) {
        this.chunks.push(bytes);
        this._position += bytes.byteLength;
      }
      return this;
    }
  };
}

const ChunkFileWriter = handingOverChunks(CompleteFileWriter);
const ChunkStreamWriter = handingOverChunks(RecordBatchStreamWriter);

/**
 * Serialize the 1 ms grid of {@link EventGrid} `g` as Arrow IPC without materialising it: the same schema,
 * metadata and values as {@link writeMatrixIpc} of `materializeGrid(g, metadata)`, in record batches of
 * {@link GRID_BLOCK_ROWS} rows filled one at a time into one buffer. Memory: 3.4 MB whatever the track's
 * length, instead of 50 MB for 4 minutes (fresh memory costs this machine more than filling it).
 *
 * @param write - takes a chunk (a view on the buffer: it must not be kept after `flush` resolves)
 * @param flush - resolves once every chunk handed to `write` so far is written
 */
export async function writeEventGridIpc(
  g: EventGrid,
  metadata: MatrixMetadata,
  format: IpcFormat,
  write: (chunk: Uint8Array) => Promise<void>,
  flush: () => Promise<void>,
  blockRows = GRID_BLOCK_ROWS,
): Promise<void> {
  const columns = FEATURE_COLUMNS;
  const schema = matrixSchema(columns, metadata);
  const writer = format === 'file' ? new ChunkFileWriter() : new ChunkStreamWriter();
  const height = Math.max(1, Math.min(blockRows, g.rows));
  const timeMs = new Int32Array(height);
  const data = new Float64Array(height * columns.length);
  const drain = async (): Promise<void> => {
    for (const chunk of writer.chunks.splice(0)) await write(chunk);
    await flush();
  };
  for (let from = 0; from === 0 || from < g.rows; from += height) {
    const to = Math.min(g.rows, from + height);
    const n = to - from;
    fillGridRows(g, from, to, timeMs, data);
    writer.write(matrixBatch(schema, timeMs.subarray(0, n), (c) => data.subarray(c * n, (c + 1) * n)));
    await drain();
  }
  writer.finish(); // end-of-stream and, for a file, the footer
  await drain();
}

/** True when `bytes` begins with the Arrow IPC file magic `ARROW1`. */
export function isArrowFileBytes(bytes: Uint8Array): boolean {
  if (bytes.length < ARROW_MAGIC.length) return false;
  for (let i = 0; i < ARROW_MAGIC.length; i++) if (bytes[i] !== ARROW_MAGIC[i]) return false;
  return true;
}

/**
 * True when `bytes` begins like an Arrow IPC stream: the continuation marker `FF FF FF FF` (every writer since
 * Arrow 0.15, 2019). Pre-0.15 streams, which start directly with a metadata length, are not recognised.
 */
export function isArrowStreamBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
}

/**
 * Decode complete Arrow IPC bytes (file or stream format, detected by arrow) into a table.
 * Copies `bytes` first when it is not 8-byte aligned (Arrow JS views Float64 bodies in place).
 *
 * @throws SongscopeError (exit code 2) naming `label` when the bytes are not valid Arrow IPC.
 */
export function decodeIpc(bytes: Uint8Array, label: string): Table {
  if (isArrowFileBytes(bytes) && !endsWithMagic(bytes)) {
    throw inputError(messages.arrow.invalidIpc(label, 'truncated: an Arrow IPC file must end with ARROW1'));
  }
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  let table: Table;
  try {
    table = tableFromIPC(aligned);
  } catch (e) {
    throw withCause(inputError(messages.arrow.invalidIpc(label, arrowErrorDetail(e))), e);
  }
  if (table.schema.fields.length === 0 && table.numRows === 0) {
    // tableFromIPC returns an empty table rather than failing on some truncated inputs.
    throw inputError(messages.arrow.invalidIpc(label, 'no schema found'));
  }
  return table;
}

/**
 * An Arrow reader's error as a detail for `invalidIpc`: its own messages ("Expected to read 1392 metadata
 * bytes, but only read 10") as they are; a JavaScript error from walking damaged metadata ("Cannot read
 * properties of null") as "its metadata is damaged".
 */
export function arrowErrorDetail(e: unknown): string {
  // apache-arrow's own messages are plain Errors; any other (a TypeError, …) is the engine tripping on damage
  if (!(e instanceof Error) || e.constructor !== Error) return messages.arrow.metadataDamaged();
  return e.message.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * {@link tableToMatrix} on a table decoded from untrusted bytes: Arrow decodes lazily, so damage can
 * surface while the columns are copied; such failures are `invalidIpc` input errors.
 */
export function decodedTableToMatrix(table: Table, label: string): FeatureMatrix {
  try {
    return tableToMatrix(table, label);
  } catch (e) {
    if (e instanceof SongscopeError) throw e;
    throw withCause(inputError(messages.arrow.invalidIpc(label, arrowErrorDetail(e))), e);
  }
}

function endsWithMagic(bytes: Uint8Array): boolean {
  const start = bytes.length - ARROW_MAGIC.length;
  if (start < 8) return false;
  for (let i = 0; i < ARROW_MAGIC.length; i++) if (bytes[start + i] !== ARROW_MAGIC[i]) return false;
  return true;
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

/** The most a single read returns (Linux caps one read at 2 GiB − 4 KiB; Node at 2 GiB − 1). */
const MAX_READ_BYTES = 0x7ffff000;

/**
 * Read an Arrow IPC *file* (`ARROW1` … footer … `ARROW1`) into a matrix one record batch at a time: the
 * footer and schema first (the columns are checked before any data is read), then each batch's metadata
 * for its row count (so the matrix is allocated once, and refused when over {@link MAX_MATRIX_VALUES}),
 * then each batch's body, copied into the matrix and dropped. Memory: the matrix plus one batch — a 2.3 GB
 * file (the 1 ms matrix of a 3-hour track) is never held whole, and no read nears the 2 GiB one read returns.
 *
 * @param label names the file in messages.
 * @throws SongscopeError (exit code 2): a missing trailing `ARROW1` (truncated), a damaged footer or
 *   record batch, the limits, and everything {@link tableToMatrix} refuses.
 */
export async function readArrowFile(path: string, label = path): Promise<FeatureMatrix> {
  const fh = await open(path, 'r');
  try {
    return await readArrowFileHandle(fh, (await fh.stat()).size, label);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function readArrowFileHandle(fh: FileHandle, size: number, label: string): Promise<FeatureMatrix> {
  const invalid = (detail: string, cause?: unknown) => withCause(inputError(messages.arrow.invalidIpc(label, detail)), cause);
  const tail = new Uint8Array(ARROW_MAGIC.length);
  if (size >= 8 + ARROW_MAGIC.length) await fh.read(tail, 0, tail.length, size - tail.length);
  if (size < 8 + ARROW_MAGIC.length || tail.some((b, i) => b !== ARROW_MAGIC[i])) {
    throw invalid('truncated: an Arrow IPC file must end with ARROW1');
  }
  let reader: AsyncRecordBatchFileReader;
  try {
    reader = (await RecordBatchReader.from(fh)) as unknown as AsyncRecordBatchFileReader;
    await reader.open({ autoDestroy: false });
  } catch (e) {
    throw invalid(messages.arrow.footerDamaged(), e);
  }
  const schema = reader.schema as Schema | undefined;
  const footer = reader.footer;
  if (!reader.isFile() || !schema || !footer || schema.fields.some((f) => typeof f.name !== 'string' || !f.type)) {
    throw invalid(messages.arrow.footerDamaged());
  }
  const plan = matrixPlan(schema, label);
  const count = reader.numRecordBatches;
  // each batch's row count, from its metadata message (small), before reading any body
  const batchRows: number[] = [];
  for (let i = 0; i < count; i++) {
    const block = footer.getRecordBatch(i);
    if (!block) throw invalid(messages.arrow.footerDamaged());
    const offset = Number(block.offset);
    const metaBytes = Number(block.metaDataLength);
    const bodyBytes = Number(block.bodyLength);
    if (!(offset >= 8 && metaBytes > 8 && bodyBytes >= 0 && offset + metaBytes + bodyBytes <= size - ARROW_MAGIC.length)) {
      throw invalid(messages.arrow.batchPastEnd(i + 1, count));
    }
    if (bodyBytes > MAX_READ_BYTES) throw invalid(messages.arrow.batchTooLarge(i + 1, count));
    const meta = new Uint8Array(metaBytes);
    await fh.read(meta, 0, metaBytes, offset);
    // A message that is not a record batch leaves rows at −1: damaged, as a row count that is not one.
    let rows = -1;
    try {
      const prefix = new DataView(meta.buffer).getInt32(0, true) === -1 ? 8 : 4;
      const message = Message.decode(meta.subarray(prefix));
      if (message.headerType === MessageHeader.RecordBatch) rows = Number((message.header() as { length: number | bigint }).length);
    } catch (e) {
      throw invalid(messages.arrow.batchDamaged(i + 1, count), e);
    }
    if (!Number.isSafeInteger(rows) || rows < 0) throw invalid(messages.arrow.batchDamaged(i + 1, count));
    batchRows.push(rows);
  }
  const rows = batchRows.reduce((a, b) => a + b, 0);
  checkMatrixSize(rows, plan.columns.length, label);
  const target = { timeMs: new Int32Array(rows), data: new Float64Array(rows * plan.columns.length), rows };
  let offset = 0;
  for (let i = 0; i < count; i++) {
    let batch: RecordBatch | null;
    try {
      batch = await reader.readRecordBatch(i);
    } catch (e) {
      throw invalid(messages.arrow.batchDamaged(i + 1, count), e);
    }
    if (!batch || batch.numRows !== batchRows[i] || batch.numCols !== schema.fields.length) throw invalid(messages.arrow.batchDamaged(i + 1, count));
    try {
      fillMatrix(batch, batch.numRows, plan, target, offset, label);
    } catch (e) {
      if (e instanceof SongscopeError) throw e;
      throw invalid(messages.arrow.batchDamaged(i + 1, count), e);
    }
    offset += batch.numRows;
  }
  return { rows, columns: plan.columns, timeMs: target.timeMs, data: target.data, metadata: Object.fromEntries(schema.metadata) };
}

/** The table as an Arrow table (numeric columns share memory with the typed arrays). */
export function resultTableToArrow(table: ResultTable): Table {
  const rows = tableRows(table);
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const col of table.columns) {
    if (col.values instanceof Float64Array) {
      fields.push(new Field(col.name, new Float64(), false));
      children.push(makeData({ type: new Float64(), length: rows, nullCount: 0, data: col.values }));
    } else if (col.values instanceof Int32Array) {
      fields.push(new Field(col.name, new Int32(), false));
      children.push(makeData({ type: new Int32(), length: rows, nullCount: 0, data: col.values }));
    } else {
      fields.push(new Field(col.name, new Utf8(), false));
      children.push(vectorFromArray([...col.values], new Utf8()).data[0]);
    }
  }
  const schema = new Schema(fields, new Map(Object.entries(table.metadata)));
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}
