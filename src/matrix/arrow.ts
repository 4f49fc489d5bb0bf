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
import {
  DataType,
  Field,
  Float64,
  Int32,
  Message,
  Precision,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  makeData,
  makeVector,
  tableFromIPC,
  type Data,
  type TypeMap,
  type Vector,
} from 'apache-arrow';
import { inputError, messages, runtimeError } from '../errors.js';
import { TIME_COLUMN, type FeatureMatrix } from './featureMatrix.js';

/** The 6 magic bytes `ARROW1` that begin and end an Arrow IPC file. */
export const ARROW_MAGIC: Uint8Array = Uint8Array.from([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]);

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

/**
 * Check that a matrix can be written: `timeMs.length === rows`, `data.length === rows × columns.length`, and
 * no value column is named `time_ms`.
 *
 * @throws SongscopeError (exit code 1, an internal error: the matrix was built wrong) otherwise.
 */
export function checkMatrix(matrix: FeatureMatrix): void {
  const { rows, columns, timeMs, data } = matrix;
  if (timeMs.length !== rows || data.length !== rows * columns.length) {
    throw runtimeError(
      messages.internal(
        `inconsistent feature matrix: rows ${rows}, timeMs.length ${timeMs.length}, data.length ${data.length} for ${columns.length} columns`,
      ),
    );
  }
  if (columns.includes(TIME_COLUMN)) {
    throw runtimeError(messages.internal(`feature matrix has a value column named ${TIME_COLUMN}`));
  }
}

/**
 * The matrix as an Arrow table, without copying any values.
 *
 * Layout: `time_ms` Int32 (not nullable) from `matrix.timeMs`, then for each `matrix.columns[c]` a Float64
 * column (not nullable; NaN is a value, never a null) viewing `data.subarray(c*rows, (c+1)*rows)`. The matrix
 * `metadata` becomes the schema metadata (a `Map<string,string>` in key insertion order). One record batch
 * of `rows` rows. The table shares memory with the matrix: change one and the other changes.
 *
 * @throws SongscopeError (exit code 1) when the matrix is inconsistent: `timeMs.length !== rows`,
 *   `data.length !== rows × columns.length`, or a column named `time_ms`.
 */
export function matrixToTable(matrix: FeatureMatrix): Table {
  checkMatrix(matrix);
  const { rows, columns, timeMs, data } = matrix;
  const fields: Field[] = [new Field(TIME_COLUMN, new Int32(), false)];
  const children: Data[] = [makeData({ type: new Int32(), length: rows, nullCount: 0, data: timeMs })];
  columns.forEach((name, c) => {
    fields.push(new Field(name, new Float64(), false));
    children.push(
      makeData({ type: new Float64(), length: rows, nullCount: 0, data: data.subarray(c * rows, (c + 1) * rows) }),
    );
  });
  const schema = new Schema(fields, new Map(Object.entries(matrix.metadata)));
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
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
  const names = table.schema.fields.map((f) => f.name);
  const timeIndex = names.indexOf(TIME_COLUMN);
  if (timeIndex < 0) throw inputError(messages.arrow.noTimeColumn(label, names));
  const rows = table.numRows;
  const timeMs = readTime(table.getChildAt(timeIndex)!, rows, label);

  const columns: string[] = [];
  const vectors: Vector[] = [];
  names.forEach((name, i) => {
    if (i === timeIndex) return;
    const vector = table.getChildAt(i)!;
    if (!isNumeric(vector.type)) throw inputError(messages.arrow.columnNotNumeric(label, name, String(vector.type)));
    columns.push(name);
    vectors.push(vector);
  });
  const data = new Float64Array(rows * columns.length);
  vectors.forEach((vector, c) => copyAsFloat64(vector, data.subarray(c * rows, (c + 1) * rows)));
  return { rows, columns, timeMs, data, metadata: Object.fromEntries(table.schema.metadata) };
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

/** The `time_ms` vector as an Int32Array, checking that every value is a non-null integer in Int32 range. */
function readTime(vector: Vector, rows: number, label: string): Int32Array {
  const type = vector.type as DataType;
  const typeName = String(type);
  if (!isNumeric(type)) throw inputError(messages.arrow.timeType(label, typeName));
  const out = new Int32Array(rows);
  let pos = 0;
  for (const chunk of vector.data as ReadonlyArray<Data>) {
    const n = chunk.length;
    if (chunk.nullCount > 0) {
      for (let i = 0; i < n; i++) {
        if (!chunk.getValid(i)) throw inputError(messages.arrow.timeNotIntegral(label, typeName, pos + i, 'null'));
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
          throw inputError(messages.arrow.timeNotIntegral(label, typeName, pos + i, String(v)));
        }
        out[pos + i] = v;
      }
    }
    pos += n;
  }
  return out;
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
    throw withCause(inputError(messages.arrow.invalidIpc(label, e instanceof Error ? e.message : String(e))), e);
  }
  if (table.schema.fields.length === 0 && table.numRows === 0) {
    // tableFromIPC returns an empty table rather than failing on some truncated inputs.
    throw inputError(messages.arrow.invalidIpc(label, 'no schema found'));
  }
  return table;
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
