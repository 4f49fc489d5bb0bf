/**
 * Result tables: the numeric outputs of the transforms that are not feature matrices (a similarity matrix,
 * cluster labels per time bin, embedded coordinates, per-track vectors). Columns are typed arrays or
 * strings; written as Arrow IPC or CSV through `writeTable` in `./io.ts`, so pandas, polars and DuckDB
 * read them as they read matrices.
 */
import { formatCsvNumber } from './csv.js';
import { ParameterError } from '../errors.js';
import { quoteCsvField } from '../util/csv.js';

/** One column: float64, int32, or text. */
export interface TableColumn {
  name: string;
  values: Float64Array | Int32Array | readonly string[];
}

export interface ResultTable {
  /** Columns, all of one length. */
  columns: TableColumn[];
  /** Schema metadata (Arrow) / `# key=value` comments are not written to CSV. */
  metadata: Record<string, string>;
}

/**
 * Number of rows (0 for a table without columns), checking that all columns agree.
 *
 * @throws ParameterError (`table`) when a column's length differs from the first column's
 */
export function tableRows(table: ResultTable): number {
  const n = table.columns[0]?.values.length ?? 0;
  for (const c of table.columns) {
    if (c.values.length !== n) {
      throw new ParameterError('table', `column ${c.name} has ${c.values.length} rows`, `${n} rows in every column, as ${table.columns[0].name} has`);
    }
  }
  return n;
}

/**
 * Stream the table as CSV: a header, then one line per row; floats as the matrix CSV writes them
 * (shortest round-trip text, `1.0` for whole numbers, empty for NaN), int32 as integers, text quoted per
 * RFC 4180 when needed.
 */
export async function writeTableCsv(table: ResultTable, write: (chunk: string) => Promise<void>): Promise<void> {
  const rows = tableRows(table);
  await write(table.columns.map((c) => quoteCsvField(c.name)).join(',') + '\n');
  const format = table.columns.map((c) =>
    c.values instanceof Float64Array
      ? (i: number) => formatCsvNumber((c.values as Float64Array)[i])
      : c.values instanceof Int32Array
        ? (i: number) => String((c.values as Int32Array)[i])
        : (i: number) => quoteCsvField((c.values as readonly string[])[i]),
  );
  const chunkRows = Math.max(1, Math.floor(200_000 / Math.max(1, table.columns.length)));
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    let text = '';
    const r1 = Math.min(rows, r0 + chunkRows);
    for (let r = r0; r < r1; r++) text += format.map((f) => f(r)).join(',') + '\n';
    await write(text);
  }
}

/** Seconds with at most millisecond digits, as column names and `time_s` values of time bins. */
export function secondsFromMs(ms: number): number {
  return Math.round(ms) / 1000;
}
