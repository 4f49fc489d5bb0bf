/**
 * The dataset manifest, `_songscope.json`: what a dataset directory is (songscope version, layout format,
 * grid semantics, the tables and their columns). Written once, by the first scan into the directory
 * (shards starting together race to create it; one wins and the others check theirs against it), and
 * read by every later scan and by the commands that take a dataset as input.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GridSemantics } from '../matrix/grid.js';
import { GRID_SEMANTICS } from '../matrix/grid.js';
import { VERSION } from '../version.js';
import { inputError, messages } from '../errors.js';
import { CORPUS_FORMAT, DATASET_MANIFEST, FAILURE_COLUMNS, FAILURES_DIR, trackColumns, type ColumnSpec } from './schema.js';
import { writeNoClobber } from './files.js';

/** The manifest's content. */
export interface DatasetManifest {
  /** Layout version ({@link CORPUS_FORMAT}). */
  songscope_dataset: number;
  /** `songscope <version>` that created the dataset (each part file names its own writer too). */
  generator: string;
  /** Grid semantics of every statistic in the dataset. */
  grid: GridSemantics;
  /** Row order within and across parts. */
  order: string;
  /** The manifest's own columns: [column name in the manifest, column name in the dataset]. */
  manifest_columns: [string, string][];
  tables: {
    tracks: { files: string; columns: ColumnSpec[] };
    failures: { files: string; columns: ColumnSpec[] };
  };
}

/** The manifest of a new dataset. */
export function newManifest(grid: GridSemantics, manifestColumns: [string, string][]): DatasetManifest {
  return {
    songscope_dataset: CORPUS_FORMAT,
    generator: `songscope ${VERSION}`,
    grid,
    order: 'position (the place of each input in the listing), then input',
    manifest_columns: manifestColumns,
    tables: {
      tracks: { files: 'part-*.parquet', columns: trackColumns(manifestColumns.map(([, name]) => name)) },
      failures: { files: `${FAILURES_DIR}/part-*.parquet`, columns: [...FAILURE_COLUMNS] },
    },
  };
}

/** The path of a dataset's manifest. */
export function manifestPath(dir: string): string {
  return join(dir, DATASET_MANIFEST);
}

/**
 * Read and check a dataset's manifest.
 *
 * @returns undefined when the directory has no manifest
 * @throws SongscopeError (exit 2) for a manifest that is not valid JSON or not a songscope dataset, or whose
 *   format is newer than this songscope reads
 */
export async function readManifest(dir: string): Promise<DatasetManifest | undefined> {
  const path = manifestPath(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw inputError(messages.fileUnreadable(path, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw inputError(messages.corpus.badManifest(path, e instanceof Error ? e.message : String(e)));
  }
  const m = raw as Partial<DatasetManifest> | null;
  if (!m || typeof m !== 'object' || typeof m.songscope_dataset !== 'number' || !m.tables?.tracks?.columns || !Array.isArray(m.manifest_columns)) {
    throw inputError(messages.corpus.badManifest(path, 'not a songscope dataset manifest'));
  }
  if (m.songscope_dataset > CORPUS_FORMAT) throw inputError(messages.corpus.newerFormat(path, m.songscope_dataset, CORPUS_FORMAT));
  if (!GRID_SEMANTICS.includes(m.grid as GridSemantics)) throw inputError(messages.corpus.badManifest(path, `unknown grid ${JSON.stringify(m.grid)}`));
  return m as DatasetManifest;
}

/**
 * The manifest a scan writes into: the existing one (checked against this scan's settings), or a new one
 * created without overwriting a manifest another shard created at the same moment.
 *
 * @param manifestColumns - this scan's manifest columns, [manifest name, dataset name]
 * @throws SongscopeError (exit 2) when the dataset was made with another grid, or this scan's manifest has
 *   columns the dataset does not
 */
export async function openManifest(dir: string, grid: GridSemantics, manifestColumns: [string, string][]): Promise<DatasetManifest> {
  let existing = await readManifest(dir);
  if (!existing) {
    const created = newManifest(grid, manifestColumns);
    const won = await writeNoClobber(manifestPath(dir), JSON.stringify(created, null, 2) + '\n');
    if (won) return created;
    existing = await readManifest(dir);
    if (!existing) throw inputError(messages.corpus.badManifest(manifestPath(dir), 'vanished while being read'));
  }
  if (existing.grid !== grid) throw inputError(messages.corpus.gridMismatch(dir, existing.grid, grid), messages.corpus.newDirectoryHint());
  // parts must all have one schema: a songscope that writes other columns (a later format) cannot add parts
  const written = existing.tables.tracks.columns.map((c) => c.name).join(',');
  const mine = trackColumns(existing.manifest_columns.map(([, name]) => name)).map((c) => c.name).join(',');
  if (written !== mine) throw inputError(messages.corpus.schemaMismatch(dir, existing.generator), messages.corpus.newDirectoryHint());
  const known = new Set(existing.manifest_columns.map(([name]) => name));
  const added = manifestColumns.filter(([name]) => !known.has(name)).map(([name]) => name);
  if (added.length > 0) {
    throw inputError(messages.corpus.columnsMismatch(dir, added, existing.manifest_columns.map(([name]) => name)), messages.corpus.newDirectoryHint());
  }
  return existing;
}
