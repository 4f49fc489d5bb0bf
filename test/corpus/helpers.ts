/** Generated corpora and dataset readers shared by the corpus tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { generateAudioAnalysis, type SynthStyle } from '../../src/synth/generate.js';
import { closeDuckDB, openDuckDB } from '../../src/util/duckdb.js';
import { listParts } from '../../src/corpus/files.js';
import { readColumns } from '../../src/corpus/parquet.js';
import { runCli, type CliResult } from '../helpers/cli.js';

export interface GeneratedCorpus {
  /** The tree's root: `root/<i % 3>/<i % 2 ? 'b' : 'a'>/t<iiii>-<style>.json`. */
  root: string;
  files: string[];
  styles: SynthStyle[];
  /** `manifest.csv` in `root`'s parent: `path,label,era` (label = style, era = new for dance, old for folk). */
  manifest: string;
}

/**
 * Write `count` generated analyses (styles alternating, `durationS` each) in a nested tree, plus a manifest
 * listing them. The same arguments give the same bytes.
 */
export async function writeCorpus(dir: string, count: number, options: { durationS?: number; seed?: number } = {}): Promise<GeneratedCorpus> {
  const root = join(dir, 'tree');
  const files: string[] = [];
  const styles: SynthStyle[] = [];
  for (let i = 0; i < count; i++) {
    const style: SynthStyle = i % 2 === 0 ? 'dance' : 'folk';
    const sub = join(root, String(i % 3), i % 2 ? 'b' : 'a');
    await mkdir(sub, { recursive: true });
    const path = join(sub, `t${String(i).padStart(4, '0')}-${style}.json`);
    await writeFile(path, JSON.stringify(generateAudioAnalysis({ style, seed: options.seed ?? 1, index: i, durationS: options.durationS ?? 30 })) + '\n');
    files.push(path);
    styles.push(style);
  }
  const manifest = join(dir, 'manifest.csv');
  const lines = ['path,label,era', ...files.map((f, i) => `${relative(dir, f)},${styles[i]},${styles[i] === 'dance' ? 'new' : 'old'}`)];
  await writeFile(manifest, lines.join('\n') + '\n');
  return { root, files, styles, manifest };
}

/** Every row of a dataset's tracks (or failures) table, all columns, ordered by input. */
export async function datasetRows(dir: string, table: 'tracks' | 'failures' = 'tracks'): Promise<Record<string, unknown>[]> {
  const db = await openDuckDB();
  try {
    const parts = await listParts(table === 'tracks' ? dir : join(dir, '_failures'));
    return await readColumns(db, parts, '*', { orderBy: 'input' });
  } finally {
    closeDuckDB(db);
  }
}

/** Run `songscope scan …` with a private cache directory. */
export function scan(args: string[], cacheDir: string, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runCli(['scan', ...args], { env: { SONGSCOPE_CACHE_DIR: cacheDir }, input: options.input, timeoutMs: options.timeoutMs ?? 120_000 });
}

/** JSON-safe form of a row (bigints as strings), for deep comparisons and messages. */
export function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}
