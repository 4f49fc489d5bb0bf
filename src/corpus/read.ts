/**
 * A dataset as an input: `album`, `compare`, `classify` and `reduce` take a directory made by
 * `songscope scan` instead of analysing files again. Its rows become the same {@link TrackRecord}s the
 * jobs make from analyses (means and standard deviations are stored as float64, so the numbers are the
 * same to the last bit), optionally filtered by an SQL condition (`--where`) and grouped by a column.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve as resolvePath } from 'node:path';
import { keyName, type TrackSummary } from '../analysis/summary.js';
import { inputError, messages } from '../errors.js';
import type { Collection, TrackRef } from '../sources/collection.js';
import { trackName, type TrackFailure, type TrackRecord } from './record.js';
import { closeDuckDB, openDuckDB } from '../util/duckdb.js';
import { listParts } from './files.js';
import { readManifest, type DatasetManifest } from './manifest.js';
import { countRows, readColumns } from './parquet.js';
import { DATASET_MANIFEST, DATASET_SHAPE_ID, FAILURES_DIR, MEAN_COLUMNS, STD_COLUMNS, shapeValues } from './schema.js';


/** A collection whose tracks come with their records already (a dataset): nothing to analyse. */
export interface DatasetCollection extends Collection {
  kind: 'dataset';
  records: { tracks: TrackRecord[]; failures: TrackFailure[] };
}

/** Whether `path` is a dataset directory (it holds `_songscope.json`). */
export function isDataset(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, DATASET_MANIFEST));
  } catch {
    return false;
  }
}

/**
 * Refuse a dataset's records when some lack a shape fingerprint (scanned with --no-shape, or with other
 * fingerprint parameters) and the job compares shapes.
 *
 * @throws SongscopeError (exit 2) naming how many tracks lack one
 */
export function requireShapes(records: readonly TrackRecord[], source: string): void {
  const without = records.filter((t) => !t.shape).length;
  if (without > 0) throw inputError(messages.corpus.datasetWithoutShapes(source, without, records.length));
}

/** The records of a collection, when it is a dataset's ({@link DatasetCollection}). */
export function datasetRecords(collection: Collection): DatasetCollection['records'] | undefined {
  return collection.kind === 'dataset' ? (collection as DatasetCollection).records : undefined;
}

export interface DatasetReadOptions {
  /** An SQL condition on the dataset's columns (DuckDB syntax): only matching rows. */
  where?: string;
  /** Informational lines (tracks left out, scan failures). */
  log?: (line: string) => void;
}

/** A dataset's matching rows as track records, in the dataset's order (position, then input). */
export interface DatasetTracks {
  dir: string;
  manifest: DatasetManifest;
  tracks: TrackRecord[];
  /** Each track's row (every column, JS values), aligned with `tracks`. */
  rows: Record<string, unknown>[];
}

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** The record a dataset row stands for. */
function recordOf(row: Record<string, unknown>, manifest: DatasetManifest): TrackRecord {
  const key = String(row.track_key);
  const ref: TrackRef = { position: Number(row.position), input: String(row.input) };
  if (key.startsWith('spotify:')) ref.id = key.slice('spotify:'.length);
  const title = str(row.title);
  if (title !== undefined) ref.title = title;
  const label = str(row.label);
  if (label !== undefined) ref.label = label;
  if (manifest.manifest_columns.length > 0) {
    const columns: Record<string, string> = {};
    for (const [name, column] of manifest.manifest_columns) {
      const v = str(row[column]);
      if (v !== undefined) columns[name] = v;
    }
    ref.columns = columns;
  }
  const ts = num(row.time_signature);
  const summary: TrackSummary = {
    title,
    artist: str(row.artist),
    album: str(row.album),
    trackId: str(row.track_id),
    source: String(row.source),
    origin: 'dataset',
    input: ref.input,
    analyzerVersion: str(row.analyzer_version),
    durationS: Number(row.duration_s),
    tempoBpm: num(row.tempo_bpm),
    tempoConfidence: num(row.tempo_confidence),
    key: keyName(num(row.key), num(row.mode)),
    keyConfidence: num(row.key_confidence),
    modeConfidence: num(row.mode_confidence),
    timeSignature: ts !== undefined && ts > 0 ? `${ts}/4` : undefined,
    timeSignatureConfidence: num(row.time_signature_confidence),
    loudnessDb: num(row.loudness_db),
    counts: { bars: Number(row.n_bars), beats: Number(row.n_beats), tatums: Number(row.n_tatums), segments: Number(row.n_segments), sections: Number(row.n_sections) },
  };
  for (const k of Object.keys(summary) as (keyof TrackSummary)[]) if (summary[k] === undefined) delete summary[k];
  const stat = (names: readonly string[]) => Float64Array.from(names, (n) => (row[n] === null || row[n] === undefined ? NaN : Number(row[n])));
  const record: TrackRecord = { ref, name: trackName(ref), summary, rows: Number(row.grid_rows), mean: stat(MEAN_COLUMNS), std: stat(STD_COLUMNS) };
  // the fingerprint, when the row has one of the parameters this songscope computes
  if (row.shape instanceof Uint8Array && row.shape_id === DATASET_SHAPE_ID) record.shape = shapeValues(row.shape);
  return record;
}

/**
 * Read a dataset's tracks (those matching `where`), ordered by position and input.
 *
 * @throws SongscopeError (exit 2) for a directory that is not a dataset, an SQL condition DuckDB refuses, or
 *   no matching track
 */
export async function readDatasetTracks(dir: string, options: DatasetReadOptions = {}): Promise<DatasetTracks> {
  const manifest = await readManifest(dir);
  if (!manifest) throw inputError(messages.corpus.notADataset(dir));
  const db = await openDuckDB();
  try {
    const parts = await listParts(dir);
    if (parts.length === 0) throw inputError(messages.corpus.noTracks(dir));
    const rows = await readColumns(db, parts, '*', { where: options.where, orderBy: 'position, input' });
    if (rows.length === 0) throw inputError(messages.corpus.noTracks(dir, options.where));
    const failures = await countRows(db, await listParts(join(dir, FAILURES_DIR)));
    if (failures > 0) options.log?.(messages.corpus.scanFailuresNote(dir, failures));
    return { dir, manifest, tracks: rows.map((r) => recordOf(r, manifest)), rows };
  } finally {
    closeDuckDB(db);
  }
}

/** The name of a dataset directory (its last path component). */
function datasetName(dir: string): string {
  return basename(resolvePath(dir)) || dir;
}

/** Renumber records 1 … n (positions and names) as a collection of their own. */
function asCollection(name: string, dir: string, records: readonly TrackRecord[]): DatasetCollection {
  const tracks = records.map((r, i) => {
    const ref = { ...r.ref, position: i + 1 };
    return { ...r, ref, name: trackName(ref) };
  });
  return { kind: 'dataset', name, source: dir, tracks: tracks.map((t) => t.ref), records: { tracks, failures: [] } };
}

/** A dataset's tracks (matching `where`) as one collection, for `album`. */
export async function readDatasetCollection(dir: string, options: DatasetReadOptions = {}): Promise<DatasetCollection> {
  const { tracks } = await readDatasetTracks(dir, options);
  return asCollection(datasetName(dir), dir, tracks);
}

/**
 * A dataset's tracks (matching `where`) grouped by the values of `column` (rows without a value are left
 * out, and counted through `log`): groups in order of first appearance, tracks in dataset order — as a
 * labelled manifest makes groups of its entries.
 *
 * @param option - the option that named the column, for messages (`--label-column`)
 * @throws SongscopeError (exit 2) for an unknown column, besides {@link readDatasetTracks}'s
 */
export async function readDatasetGroups(
  dir: string,
  column: string,
  options: DatasetReadOptions & { option?: string } = {},
): Promise<{ name: string; collection: DatasetCollection }[]> {
  const manifest = await readManifest(dir);
  if (!manifest) throw inputError(messages.corpus.notADataset(dir));
  const names = manifest.tables.tracks.columns.map((c) => c.name);
  if (!names.includes(column)) {
    const shown = [...names.filter((n) => !/^(mean|std)_/.test(n)), 'mean_<feature>', 'std_<feature>'];
    throw inputError(messages.corpus.noSuchColumn(dir, options.option ?? '--group-column', column, shown));
  }
  const { tracks, rows } = await readDatasetTracks(dir, options);
  const groups = new Map<string, TrackRecord[]>();
  let ungrouped = 0;
  tracks.forEach((t, i) => {
    const v = rows[i][column];
    if (v === null || v === undefined || String(v) === '') {
      ungrouped++;
      return;
    }
    const name = String(v);
    const list = groups.get(name);
    if (list) list.push(t);
    else groups.set(name, [t]);
  });
  if (ungrouped > 0) options.log?.(messages.corpus.ungrouped(dir, column, ungrouped));
  return [...groups.entries()].map(([name, records]) => ({ name, collection: asCollection(name, dir, records) }));
}
