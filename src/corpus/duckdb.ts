/**
 * DuckDB, embedded: how songscope writes and reads Parquet. Loaded lazily (the native module costs
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
