/**
 * Writing and reading dataset tables as Parquet through DuckDB: rows are appended to an in-memory table,
 * copied to a temporary file as zstd-compressed Parquet, and published (`./files.ts`). The same rows give
 * the same bytes: one writer thread, rows in the order given, fixed key-value metadata.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { inputError, messages } from '../errors.js';
import type { DuckDB } from '../util/duckdb.js';
import { duckdbMessage, sqlIdentifier, sqlPathList, sqlString } from '../util/duckdb.js';
import { publishNew, publishReplace, removeDurably, tempNameFor } from './files.js';
import type { CellValue, ColumnSpec } from './schema.js';

/** Append one cell of a column's type (NULL for null). */
function appendCell(appender: DuckDBAppender, type: ColumnSpec['type'], value: CellValue): void {
  if (value === null || value === undefined) return appender.appendNull();
  switch (type) {
    case 'VARCHAR':
      return appender.appendVarchar(String(value));
    case 'INTEGER':
      return appender.appendInteger(Number(value));
    case 'BIGINT':
      return appender.appendBigInt(typeof value === 'bigint' ? value : BigInt(value as number | string));
    case 'DOUBLE':
      return appender.appendDouble(Number(value));
    case 'BLOB':
      return appender.appendBlob(value as Uint8Array);
  }
}

/** `KV_METADATA {k: 'v', …}` for a COPY statement. */
function kvMetadata(metadata: Record<string, string>): string {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return '';
  return `, KV_METADATA {${entries.map(([k, v]) => `${sqlIdentifier(k)}: ${sqlString(v)}`).join(', ')}}`;
}

/** The options of every Parquet file songscope writes. */
function copyOptions(metadata: Record<string, string>): string {
  return `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880${kvMetadata(metadata)})`;
}

/**
 * Writes rows of one table layout into Parquet files. One instance per table per database; `write` calls
 * must not overlap.
 */
export class TableWriter {
  private readonly buffer: string;

  constructor(
    private readonly db: DuckDB,
    readonly name: string,
    readonly columns: readonly ColumnSpec[],
    private readonly metadata: Record<string, string>,
  ) {
    this.buffer = `buf_${name}`;
  }

  /** A fresh, empty buffer table (replacing the last one frees its storage; a DELETE kept the blobs' memory). */
  private async setup(): Promise<void> {
    await this.db.connection.run(`CREATE OR REPLACE TABLE ${sqlIdentifier(this.buffer)} (${this.columns.map((c) => `${sqlIdentifier(c.name)} ${c.type}`).join(', ')})`);
  }

  /** Fill the buffer table with `rows` (cells in column order). */
  private async fill(rows: readonly CellValue[][]): Promise<void> {
    await this.setup();
    const appender = await this.db.connection.createAppender(this.buffer);
    try {
      for (const row of rows) {
        for (let c = 0; c < this.columns.length; c++) appendCell(appender, this.columns[c].type, row[c]);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Write `rows` as a new Parquet file at `path` (which must not exist), via a temporary file.
   *
   * @throws SongscopeError (exit 1) when `path` exists or cannot be written
   */
  async writeNew(rows: readonly CellValue[][], path: string): Promise<void> {
    await this.fill(rows);
    const tmp = tempNameFor(path);
    await this.db.connection.run(`COPY ${sqlIdentifier(this.buffer)} TO ${sqlString(tmp)} ${copyOptions(this.metadata)}`);
    await publishNew(tmp, path);
  }

  /**
   * Rewrite the part at `path` without the rows whose `input` is in `inputs` (the order of the others
   * kept); a part left without rows is removed.
   *
   * @returns the number of rows dropped
   */
  async dropInputs(path: string, inputs: ReadonlySet<string>): Promise<number> {
    await this.fill([]);
    const conn = this.db.connection;
    await conn.run('CREATE OR REPLACE TABLE drop_inputs (input VARCHAR)');
    const appender = await conn.createAppender('drop_inputs');
    try {
      for (const input of inputs) {
        appender.appendVarchar(input);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const names = this.columns.map((c) => sqlIdentifier(c.name)).join(', ');
    await conn.run(
      `INSERT INTO ${sqlIdentifier(this.buffer)} SELECT ${names} FROM read_parquet(${sqlString(path)}) WHERE input NOT IN (SELECT input FROM drop_inputs)`,
    );
    const before = await countRows(this.db, [path]);
    const kept = await countTable(this.db, this.buffer);
    if (kept === before) return 0;
    if (kept === 0) {
      await removeDurably(path);
    } else {
      const tmp = tempNameFor(path, 'rewrite');
      await conn.run(`COPY ${sqlIdentifier(this.buffer)} TO ${sqlString(tmp)} ${copyOptions(this.metadata)}`);
      await publishReplace(tmp, path);
    }
    return before - kept;
  }
}

async function countTable(db: DuckDB, table: string): Promise<number> {
  const reader = await db.connection.runAndReadAll(`SELECT count(*) AS n FROM ${sqlIdentifier(table)}`);
  return Number(reader.getRowsJS()[0][0]);
}

/** Rows in Parquet files. */
export async function countRows(db: DuckDB, paths: readonly string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const reader = await db.connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlPathList(paths)})`);
  return Number(reader.getRowsJS()[0][0]);
}

/**
 * Which of `paths` DuckDB cannot read (a damaged or foreign file): each is opened and its rows counted.
 * Cheap for the common case: all files are tried at once first.
 */
export async function unreadableFiles(db: DuckDB, paths: readonly string[]): Promise<{ path: string; detail: string }[]> {
  if (paths.length === 0) return [];
  try {
    await countRows(db, paths);
    return [];
  } catch {
    const bad: { path: string; detail: string }[] = [];
    for (const path of paths) {
      try {
        await countRows(db, [path]);
      } catch (e) {
        bad.push({ path, detail: duckdbMessage(e) });
      }
    }
    return bad;
  }
}

/**
 * Read columns of Parquet files as JS values, rows in the files' order (files in the order given).
 *
 * @param columns - column names to read (each must exist in every file)
 * @param where - an SQL condition on the columns, or undefined for every row
 * @param orderBy - an SQL ORDER BY list, or undefined for the files' order
 * @throws SongscopeError (exit 2) when DuckDB refuses the query (an unknown column, bad SQL in `where`)
 */
export async function readColumns(
  db: DuckDB,
  paths: readonly string[],
  columns: readonly string[] | '*',
  options: { where?: string; orderBy?: string; filename?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  if (paths.length === 0) return [];
  const select = columns === '*' ? '*' : columns.map(sqlIdentifier).join(', ');
  const sql =
    `SELECT ${select}${options.filename ? ', filename' : ''} FROM read_parquet(${sqlPathList(paths)}${options.filename ? ', filename = true' : ''})` +
    (options.where !== undefined ? ` WHERE (${options.where})` : '') +
    (options.orderBy !== undefined ? ` ORDER BY ${options.orderBy}` : '');
  let reader;
  try {
    reader = await db.connection.runAndReadAll(sql);
  } catch (e) {
    if (options.where !== undefined) throw inputError(messages.corpus.whereFailed(options.where, duckdbMessage(e)));
    throw inputError(messages.corpus.readFailed(paths.length === 1 ? paths[0] : `${paths.length} part files`, duckdbMessage(e)));
  }
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
