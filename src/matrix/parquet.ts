/**
 * Feature matrices and result tables as Parquet files (`.parquet`), written and read through DuckDB
 * (`../util/duckdb.ts`, loaded only here): what `features -o x.parquet` and every toolkit `-o x.parquet`
 * write, readable by DuckDB without any extension, pandas, polars and Spark.
 *
 * Layout as the Arrow files': `time_ms` (INT32) then one DOUBLE column per feature (a result table: its
 * own columns, DOUBLE, INT32 or UTF-8), zstd-compressed; the matrix metadata as the file's key-value
 * metadata. NaN is written as NULL (pandas reads it back as NaN) and read back as NaN.
 *
 * Cost: the DuckDB binding copies column data at some 30–50 MB/s, so a 4-minute track's 1 ms matrix
 * (50 MB) takes a few seconds to write — Arrow IPC is the fast format for whole matrices; Parquet is for
 * tools that want it (DuckDB offline, Spark).
 */
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inputError, messages, runtimeError } from '../errors.js';
import { makeDirectory, tempPathFor } from '../util/atomic.js';
import { appendColumns, closeDuckDB, duckdbMessage, openDuckDB, sqlIdentifier, sqlString, type DuckDB, type SqlColumnType } from '../util/duckdb.js';
import { TIME_COLUMN, type FeatureMatrix } from './featureMatrix.js';
import { checkMatrix } from './arrow.js';
import { tableRows, type ResultTable } from './table.js';

/** The 4 magic bytes `PAR1` that begin and end a Parquet file. */
export const PARQUET_MAGIC: Uint8Array = Uint8Array.from([0x50, 0x41, 0x52, 0x31]);

/** True when the bytes start with `PAR1`. */
export function isParquetBytes(head: Uint8Array): boolean {
  return head.length >= 4 && PARQUET_MAGIC.every((b, i) => head[i] === b);
}

/** A column to write: its name, type and row accessor. */
interface WriteColumn {
  name: string;
  type: SqlColumnType;
  value: (row: number) => number | string | null;
}

const nanToNull = (x: number): number | null => (x === x ? x : null);

/** Write columns as one Parquet file at `path`, atomically (temporary file, then rename). */
async function writeParquet(path: string, columns: readonly WriteColumn[], rows: number, metadata: Record<string, string>): Promise<void> {
  const db = await openDuckDB();
  const tmp = tempPathFor(path);
  try {
    await makeDirectory(dirname(path));
    await db.connection.run(`CREATE TABLE t (${columns.map((c) => `${sqlIdentifier(c.name)} ${c.type}`).join(', ')})`);
    await appendColumns(db, 't', columns.map((c) => c.type), columns.map((c) => c.value), rows);
    const kv = Object.entries(metadata);
    const kvSql = kv.length ? `, KV_METADATA {${kv.map(([k, v]) => `${sqlIdentifier(k)}: ${sqlString(v)}`).join(', ')}}` : '';
    await db.connection.run(`COPY t TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd${kvSql})`);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw runtimeError(messages.writeFailed(path, code), undefined, e);
    throw runtimeError(messages.writeFailed(path, duckdbMessage(e)), undefined, e);
  } finally {
    closeDuckDB(db);
  }
}

/**
 * Write a matrix as a Parquet file: `time_ms` then its columns, metadata as key-value metadata.
 *
 * @throws SongscopeError (exit 1) when the file cannot be written
 */
export async function writeMatrixParquet(matrix: FeatureMatrix, path: string): Promise<void> {
  checkMatrix(matrix);
  const { rows, data, timeMs } = matrix;
  const columns: WriteColumn[] = [
    { name: TIME_COLUMN, type: 'INTEGER', value: (i) => timeMs[i] },
    ...matrix.columns.map((name, c): WriteColumn => ({ name, type: 'DOUBLE', value: (i) => nanToNull(data[c * rows + i]) })),
  ];
  await writeParquet(path, columns, rows, matrix.metadata);
}

/** Write a result table as a Parquet file (float64, int32 and text columns). */
export async function writeTableParquet(table: ResultTable, path: string): Promise<void> {
  const rows = tableRows(table);
  const columns = table.columns.map((col): WriteColumn => {
    const values = col.values;
    if (values instanceof Float64Array) return { name: col.name, type: 'DOUBLE', value: (i) => nanToNull(values[i]) };
    if (values instanceof Int32Array) return { name: col.name, type: 'INTEGER', value: (i) => values[i] };
    return { name: col.name, type: 'VARCHAR', value: (i) => (values as readonly string[])[i] };
  });
  await writeParquet(path, columns, rows, table.metadata);
}

/** The key-value metadata of a Parquet file, as strings. */
async function kvMetadata(db: DuckDB, path: string): Promise<Record<string, string>> {
  const reader = await db.connection.runAndReadAll(`SELECT key, value FROM parquet_kv_metadata(${sqlString(path)})`);
  const out: Record<string, string> = {};
  const text = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v));
  for (const [k, v] of reader.getRowsJS()) out[text(k)] = text(v);
  return out;
}

const NUMERIC = /^(DOUBLE|FLOAT|REAL|DECIMAL.*|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const INTEGRAL = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/**
 * Read a Parquet feature matrix (as {@link writeMatrixParquet} writes it, or any Parquet file with an
 * integer `time_ms` column and numeric columns; pandas' `__index_level_0__` is left out).
 *
 * @throws SongscopeError (exit 2) for a file DuckDB cannot read, no integer `time_ms`, a non-numeric column
 */
export async function readMatrixParquet(path: string): Promise<FeatureMatrix> {
  const db = await openDuckDB();
  try {
    let described: unknown[][];
    try {
      described = (await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRowsJS();
    } catch (e) {
      throw inputError(messages.corpus.readFailed(path, duckdbMessage(e)));
    }
    const schema = described.map((r) => ({ name: String(r[0]), type: String(r[1]) })).filter((c) => c.name !== '__index_level_0__');
    const time = schema.find((c) => c.name === TIME_COLUMN);
    if (!time) throw inputError(messages.arrow.noTimeColumn(path, schema.map((c) => c.name)));
    if (!INTEGRAL.test(time.type)) throw inputError(messages.arrow.timeType(path, time.type));
    const columns = schema.filter((c) => c !== time);
    for (const c of columns) if (!NUMERIC.test(c.type)) throw inputError(messages.arrow.columnNotNumeric(path, c.name, c.type));
    const select = [TIME_COLUMN, ...columns.map((c) => c.name)].map((n) => `CAST(${sqlIdentifier(n)} AS ${n === TIME_COLUMN ? 'BIGINT' : 'DOUBLE'})`).join(', ');
    const result = await db.connection.run(`SELECT ${select} FROM read_parquet(${sqlString(path)})`);
    const chunks = [];
    let rows = 0;
    for (let i = 0; i < result.chunkCount; i++) {
      const chunk = result.getChunk(i);
      chunks.push(chunk);
      rows += chunk.rowCount;
    }
    const timeMs = new Int32Array(rows);
    const data = new Float64Array(rows * columns.length);
    let offset = 0;
    for (const chunk of chunks) {
      const n = chunk.rowCount;
      const t = chunk.getColumnVector(0);
      for (let r = 0; r < n; r++) {
        const v = t.getItem(r) as bigint | null;
        const ms = v === null ? NaN : Number(v);
        if (!Number.isInteger(ms) || ms < -(2 ** 31) || ms >= 2 ** 31) throw inputError(messages.arrow.timeNotIntegral(path, time.type, offset + r, String(v)));
        timeMs[offset + r] = ms;
      }
      for (let c = 0; c < columns.length; c++) {
        const vector = chunk.getColumnVector(c + 1);
        const base = c * rows + offset;
        for (let r = 0; r < n; r++) {
          const v = vector.getItem(r) as number | null;
          data[base + r] = v === null ? NaN : v;
        }
      }
      offset += n;
    }
    return { rows, columns: columns.map((c) => c.name), timeMs, data, metadata: await kvMetadata(db, path) };
  } finally {
    closeDuckDB(db);
  }
}
