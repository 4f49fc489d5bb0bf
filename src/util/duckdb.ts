/**
 * DuckDB, embedded: how songscope writes and reads Parquet (the datasets of `src/corpus/`, and `.parquet`
 * matrix and table files in `src/matrix/`). Loaded lazily (the native module costs
 * ~100 ms to load), only on the paths that write or read Parquet, so `songscope --help` never loads it.
 *
 * Why DuckDB (README, "Corpus scale"): it is one maintained, MIT-licensed package with prebuilt binaries
 * for Linux, macOS and Windows on npm (no install-time download), its Parquet reader and writer are built
 * in (no extension fetched at run time), it writes zstd-compressed Parquet that pandas, polars, Spark and
 * DuckDB itself read, and the same engine answers `--where` filters in SQL over a whole dataset.
 *
 * Every connection here runs with one thread: a part file of a few thousand rows gains nothing from more,
 * and one writer thread makes the bytes of a Parquet file a function of its rows alone.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { runtimeError, messages } from '../errors.js';

type DuckDBModule = typeof import('@duckdb/node-api');

let loading: Promise<DuckDBModule> | undefined;

/** The `@duckdb/node-api` module, imported on first use. */
export function duckdbModule(): Promise<DuckDBModule> {
  loading ??= import('@duckdb/node-api').catch((e: unknown) => {
    loading = undefined;
    throw runtimeError(messages.corpus.duckdbUnavailable(e instanceof Error ? e.message : String(e)), undefined, e);
  });
  return loading;
}

/** An in-memory DuckDB database with one connection; close it with {@link closeDuckDB}. */
export interface DuckDB {
  module: DuckDBModule;
  instance: DuckDBInstance;
  connection: DuckDBConnection;
}

/** Open an in-memory database (one thread, no extension auto-loading from the network). */
export async function openDuckDB(): Promise<DuckDB> {
  const module = await duckdbModule();
  const instance = await module.DuckDBInstance.create(':memory:', {
    threads: '1',
    // return freed memory to the system at once: by default DuckDB's allocator keeps up to 128 MiB (and
    // 512 MiB after bulk frees) for reuse, which made a scan's peak RSS grow with each Parquet part written
    // (a 1,000-row part is ~9 MB; five parts kept ~100 MB, with these 1 MB limits ~45 MB)
    allocator_flush_threshold: '1MB',
    allocator_bulk_deallocation_flush_threshold: '1MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  return { module, instance, connection };
}

/** Close the connection and the database. */
export function closeDuckDB(db: DuckDB): void {
  db.connection.closeSync();
  db.instance.closeSync();
}

/** The SQL types songscope's columns use. */
export type SqlColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE';

/** Rows per DuckDB data chunk (its vector size). */
const CHUNK_ROWS = 2048;

/**
 * Append `rows` rows to `table` column by column, through data chunks of 2,048 rows (one reused for every
 * full chunk): the fast way into DuckDB for long numeric columns. `columns[c](i)` is row i's value in
 * column c, `null` for NULL.
 */
export async function appendColumns(
  db: DuckDB,
  table: string,
  types: readonly SqlColumnType[],
  columns: readonly ((row: number) => number | bigint | string | null)[],
  rows: number,
): Promise<void> {
  const m = db.module;
  const duckTypes = types.map((t) => (t === 'DOUBLE' ? m.DOUBLE : t === 'INTEGER' ? m.INTEGER : t === 'BIGINT' ? m.BIGINT : m.VARCHAR));
  const appender = await db.connection.createAppender(table);
  try {
    let full: InstanceType<DuckDBModule['DuckDBDataChunk']> | undefined;
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - start);
      const chunk = n === CHUNK_ROWS ? (full ??= m.DuckDBDataChunk.create(duckTypes, CHUNK_ROWS)) : m.DuckDBDataChunk.create(duckTypes, n);
      for (let c = 0; c < columns.length; c++) {
        const vector = chunk.getColumnVector(c) as unknown as { setItem(i: number, v: unknown): void; flush(): void };
        const value = columns[c];
        for (let i = 0; i < n; i++) vector.setItem(i, value(start + i));
        vector.flush();
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** A string as a SQL string literal: `'it''s'`. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A name as a SQL identifier: `"my ""col"""`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A list of paths as a DuckDB list literal, for `read_parquet([...])`. */
export function sqlPathList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

/** The first line of a DuckDB error message (they carry the SQL and a caret on further lines). */
export function duckdbMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}
