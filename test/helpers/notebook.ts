/**
 * The notebook-parity material (fixtures/notebook/): 24 generated analyses in two styles and what the
 * notebook's own libraries compute on them (scripts/reference/notebook_parity.py).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT } from './fixtures.js';

export interface FoldReference {
  /** The fold of every point (scikit-learn's test_folds). */
  fold?: number[];
  /** cross_val_score's per-fold accuracies, and their mean. */
  scores: number[];
  accuracy: number;
}

export type ClassificationReference = Record<'sklearn_3' | 'sklearn_5' | 'sklearn-0.19_3' | 'sklearn-0.19_5' | 'loo', FoldReference>;

export interface MdsReference {
  max_iter: number;
  init: number[][];
  points: number[][];
  stress: number;
}

export interface NotebookReference {
  versions: Record<string, string>;
  tracks: { path: string; label: string; rows: number }[];
  columns: string[];
  vectors_raw: number[][];
  vectors_zscore_songs: number[][];
  album_A: {
    correlation: number[][];
    clustermap: { linkage: number[][]; order: number[] };
    mds: MdsReference;
    kmeans_on_mds: number[];
  };
  classification: ClassificationReference;
  classification_after_mds: MdsReference & ClassificationReference;
  classification_three_classes: { labels: string[] } & ClassificationReference;
  gallery_raw: { path: string; bins: number; corr_rows: Record<string, number[]>; explained_variance_ratio: number[] }[];
}

export const NOTEBOOK_DIR = join(ROOT, 'fixtures', 'notebook');

export function notebookReference(): NotebookReference {
  return JSON.parse(readFileSync(join(NOTEBOOK_DIR, 'notebook-parity.json'), 'utf8')) as NotebookReference;
}

/** Write the 24 analyses as `dir/A/a1.json … dir/B/b12.json`; returns the two group directories. */
export async function writeNotebookInputs(dir: string): Promise<{ A: string; B: string }> {
  const bundle = JSON.parse(gunzipSync(readFileSync(join(NOTEBOOK_DIR, 'two-styles.json.gz'))).toString('utf8')) as Record<string, unknown>;
  for (const [path, analysis] of Object.entries(bundle)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), JSON.stringify(analysis));
  }
  return { A: join(dir, 'A'), B: join(dir, 'B') };
}
