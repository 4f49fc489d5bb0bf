/**
 * The dataset's tables: one row per track (the part files), one row per failure (`_failures/`), their
 * columns and types, and how a scanned track becomes a row.
 *
 * A dataset directory holds:
 * - `_songscope.json` — the dataset manifest (`./manifest.ts`): songscope version, format, grid semantics,
 *   the column list;
 * - `part-<writer>-r<run>-<seq>.parquet` — the tracks, zstd-compressed Parquet, one row per input;
 * - `_failures/part-….parquet` — the inputs that could not be scanned, and why.
 *
 * The `_` prefix keeps the manifest and the failures out of `'corpus/*.parquet'` (DuckDB, polars) and out
 * of directory reads by pyarrow/pandas and Spark, which skip names starting with `_` or `.`.
 */
import { FEATURE_COLUMNS } from '../matrix/featureMatrix.js';
import { shapeId } from '../shape/fingerprint.js';

/** The id of the fingerprints a dataset stores and reads (the default parameters); rows with another are read without one. */
export const DATASET_SHAPE_ID = shapeId();

/** A column's Parquet/DuckDB type. */
export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BLOB';

/** One column of a dataset table. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** One line for the README's schema table and the manifest. */
  description: string;
}

/** The version of the dataset layout; a reader refuses a newer one. */
export const CORPUS_FORMAT = 2;

/** The dataset manifest's file name. */
export const DATASET_MANIFEST = '_songscope.json';

/** The directory of the failures table. */
export const FAILURES_DIR = '_failures';

/** Columns before the manifest's own columns: identity and provenance. */
export const IDENTITY_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'track_key', type: 'VARCHAR', description: 'stable identity: sha256:<hex of the file bytes> for files, spotify:<id> for Spotify tracks, msd:<TR…> for MSD files named by their track id, search:<query> for searches' },
  { name: 'input', type: 'VARCHAR', description: 'the input as listed: a file path (as given, or found under a directory given), or spotify:track:ID' },
  { name: 'position', type: 'INTEGER', description: "1-based place of the input in the scan's listing (rows are written in this order)" },
  { name: 'source', type: 'VARCHAR', description: 'spotify, echonest, msd, local (songscope analysed the audio) or file' },
  { name: 'analyzer_version', type: 'VARCHAR', description: "the analysis' analyzer_version (e.g. 4.0.0, 3.2.2, songscope 0.1.0)" },
  { name: 'track_id', type: 'VARCHAR', description: 'Spotify or MSD track id, when known' },
  { name: 'title', type: 'VARCHAR', description: 'title (from the analysis, the listing or the file name)' },
  { name: 'artist', type: 'VARCHAR', description: 'artist names joined with ", "' },
  { name: 'album', type: 'VARCHAR', description: 'album' },
  { name: 'label', type: 'VARCHAR', description: "the manifest's label column (NULL without one)" },
] as const);

/** The summary columns: track-level values and event counts. */
export const SUMMARY_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'duration_s', type: 'DOUBLE', description: 'track length, seconds' },
  { name: 'tempo_bpm', type: 'DOUBLE', description: 'tempo, beats per minute' },
  { name: 'tempo_confidence', type: 'DOUBLE', description: '0–1' },
  { name: 'key', type: 'INTEGER', description: 'pitch class of the key, 0 = C … 11 = B, −1 unknown' },
  { name: 'key_confidence', type: 'DOUBLE', description: '0–1' },
  { name: 'mode', type: 'INTEGER', description: '1 major, 0 minor, −1 unknown' },
  { name: 'mode_confidence', type: 'DOUBLE', description: '0–1' },
  { name: 'time_signature', type: 'INTEGER', description: 'beats per bar' },
  { name: 'time_signature_confidence', type: 'DOUBLE', description: '0–1' },
  { name: 'loudness_db', type: 'DOUBLE', description: 'overall loudness, dB' },
  { name: 'n_bars', type: 'INTEGER', description: 'number of bars' },
  { name: 'n_beats', type: 'INTEGER', description: 'number of beats' },
  { name: 'n_tatums', type: 'INTEGER', description: 'number of tatums' },
  { name: 'n_segments', type: 'INTEGER', description: 'number of segments' },
  { name: 'n_sections', type: 'INTEGER', description: 'number of sections' },
  { name: 'grid_rows', type: 'INTEGER', description: "rows of the track's 1 ms grid (the dataset's grid semantics)" },
] as const);

/** `mean_<feature>` for each of the 26 features, in feature order. */
export const MEAN_COLUMNS: readonly string[] = Object.freeze(FEATURE_COLUMNS.map((f) => `mean_${f}`));
/** `std_<feature>` for each of the 26 features, in feature order. */
export const STD_COLUMNS: readonly string[] = Object.freeze(FEATURE_COLUMNS.map((f) => `std_${f}`));

/** The shape fingerprint (`src/shape`): its id and its values. */
export const SHAPE_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'shape_id', type: 'VARCHAR', description: 'the fingerprint\'s version and parameters (e.g. songscope-shape/1 size=64 window=4 blur=1); NULL when scanned with --no-shape' },
  {
    name: 'shape',
    type: 'BLOB',
    description: 'the shape fingerprint: size·(size−1)/2 float32, little-endian, the upper triangle of the shape matrix row by row (numpy: np.frombuffer(b, "<f4")); NULL when scanned with --no-shape',
  },
] as const);

/** Columns after the statistics: what the scan's ledger compares to tell a changed file. */
export const LEDGER_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'file_bytes', type: 'BIGINT', description: 'size of the input file, bytes (NULL for Spotify tracks)' },
  { name: 'file_mtime_ns', type: 'BIGINT', description: "the input file's modification time, ns since 1970 (a re-scan trusts a row whose size and time still match)" },
] as const);

/** The columns of the failures table. */
export const FAILURE_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'track_key', type: 'VARCHAR', description: 'as in the tracks table, when it could be computed' },
  { name: 'input', type: 'VARCHAR', description: 'the input as listed' },
  { name: 'position', type: 'INTEGER', description: "1-based place in the scan's listing" },
  { name: 'label', type: 'VARCHAR', description: "the manifest's label" },
  { name: 'message', type: 'VARCHAR', description: 'why it failed: the one-line message songscope prints' },
  { name: 'exit_code', type: 'INTEGER', description: '2 bad input (not retried by a re-run unless --retry-failed), 1 runtime failure (retried by every re-run)' },
  { name: 'file_bytes', type: 'BIGINT', description: 'as in the tracks table' },
  { name: 'file_mtime_ns', type: 'BIGINT', description: 'as in the tracks table' },
] as const);

/** Every built-in column name of the tracks table (a manifest column of the same name is prefixed). */
export const BUILTIN_COLUMN_NAMES: ReadonlySet<string> = new Set([
  ...IDENTITY_COLUMNS.map((c) => c.name),
  ...SUMMARY_COLUMNS.map((c) => c.name),
  ...MEAN_COLUMNS,
  ...STD_COLUMNS,
  ...SHAPE_COLUMNS.map((c) => c.name),
  ...LEDGER_COLUMNS.map((c) => c.name),
]);

/**
 * The dataset column a manifest column becomes: its own name, or `manifest_<name>` when that is a
 * built-in column (a manifest with an `artist` column keeps both).
 */
export function manifestColumnName(name: string): string {
  return BUILTIN_COLUMN_NAMES.has(name) || name.startsWith('manifest_') ? `manifest_${name}` : name;
}

/**
 * The tracks table's columns: identity and provenance, the manifest's own columns (VARCHAR, in order),
 * the summary, the 26 means and 26 standard deviations, the shape fingerprint, and the ledger columns.
 *
 * @param manifestColumns - dataset names of the manifest's extra columns ({@link manifestColumnName})
 */
export function trackColumns(manifestColumns: readonly string[]): ColumnSpec[] {
  return [
    ...IDENTITY_COLUMNS,
    ...manifestColumns.map((name): ColumnSpec => ({ name, type: 'VARCHAR', description: 'a column of the manifest' })),
    ...SUMMARY_COLUMNS,
    ...MEAN_COLUMNS.map((name, i): ColumnSpec => ({ name, type: 'DOUBLE', description: `mean of ${FEATURE_COLUMNS[i]} over the 1 ms grid` })),
    ...STD_COLUMNS.map((name, i): ColumnSpec => ({ name, type: 'DOUBLE', description: `population standard deviation of ${FEATURE_COLUMNS[i]} over the 1 ms grid` })),
    ...SHAPE_COLUMNS,
    ...LEDGER_COLUMNS,
  ];
}

/** A value of a row: text, an integer, a float, a 64-bit integer, bytes, or NULL. */
export type CellValue = string | number | bigint | Uint8Array | null;

/** What a scanned track contributes to its row (everything but the manifest's columns is fixed). */
export interface TrackRow {
  trackKey: string;
  input: string;
  position: number;
  source: string;
  analyzerVersion: string | null;
  trackId: string | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  label: string | null;
  /** The manifest's columns by their manifest name. */
  columns: Record<string, string>;
  durationS: number;
  tempoBpm: number | null;
  tempoConfidence: number | null;
  key: number | null;
  keyConfidence: number | null;
  mode: number | null;
  modeConfidence: number | null;
  timeSignature: number | null;
  timeSignatureConfidence: number | null;
  loudnessDb: number | null;
  counts: { bars: number; beats: number; tatums: number; segments: number; sections: number };
  gridRows: number;
  /** Column means and population standard deviations [shape=(26)]. */
  mean: Float64Array;
  std: Float64Array;
  /** The shape fingerprint's id and values, or null (`--no-shape`). */
  shapeId: string | null;
  shape: Float32Array | null;
  fileBytes: bigint | null;
  fileMtimeNs: bigint | null;
}

/** What a failed input contributes to the failures table. */
export interface FailureRow {
  trackKey: string | null;
  input: string;
  position: number;
  label: string | null;
  message: string;
  exitCode: number;
  fileBytes: bigint | null;
  fileMtimeNs: bigint | null;
}

/**
 * The cells of a track row in {@link trackColumns} order.
 *
 * @param manifestColumns - the dataset's manifest columns as [manifest name, dataset name] pairs
 */
export function trackCells(row: TrackRow, manifestColumns: readonly (readonly [string, string])[]): CellValue[] {
  return [
    row.trackKey,
    row.input,
    row.position,
    row.source,
    row.analyzerVersion,
    row.trackId,
    row.title,
    row.artist,
    row.album,
    row.label,
    ...manifestColumns.map(([name]) => row.columns[name] ?? null),
    row.durationS,
    row.tempoBpm,
    row.tempoConfidence,
    row.key,
    row.keyConfidence,
    row.mode,
    row.modeConfidence,
    row.timeSignature,
    row.timeSignatureConfidence,
    row.loudnessDb,
    row.counts.bars,
    row.counts.beats,
    row.counts.tatums,
    row.counts.segments,
    row.counts.sections,
    row.gridRows,
    ...Array.from(row.mean, finiteOrNull),
    ...Array.from(row.std, finiteOrNull),
    row.shapeId,
    row.shape ? shapeBytes(row.shape) : null,
    row.fileBytes,
    row.fileMtimeNs,
  ];
}

/** The cells of a failure row in {@link FAILURE_COLUMNS} order. */
export function failureCells(row: FailureRow): CellValue[] {
  return [row.trackKey, row.input, row.position, row.label, row.message, row.exitCode, row.fileBytes, row.fileMtimeNs];
}

/** NaN and ±Infinity become NULL (Parquet readers disagree about NaN; NULL means "undefined" everywhere). */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Float32 values as little-endian bytes (the `shape` column's layout on any machine). */
export function shapeBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

/** The `shape` column's bytes as float32 values. */
export function shapeValues(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
