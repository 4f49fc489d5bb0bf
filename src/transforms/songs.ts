/**
 * Song vectors: one point per song, its time-averaged feature vector, and how a set of them is
 * normalised — what album, compare, classify and reduce over several tracks work on.
 *
 * The notebook (`get_models(uris)` with its default `normalize=False`) takes each song's **raw**
 * time-average of the 1 ms model (`model.mean(axis=0)`); only when it compares two albums and classifies
 * them does it z-score, and then the stacked *song vectors*:
 * `hyp.tools.normalize(np.vstack([ff, dp]), normalize='across')` — one array, so each column is z-scored
 * over the songs. The modes ({@link SONG_NORMALIZATIONS}):
 *
 * - `none` — the raw time-averages (the notebook's album cells 22–25: correlation, clustermap, MDS).
 * - `zscore-songs` — each column z-scored across the songs' vectors: population std, a column whose
 *   values are all equal → 0 (hypertools 0.3 `normalize='across'` on the stacked vectors, as the notebook's
 *   cells 36 and 47 do). The default.
 * - `zscore-rows` — each song's time-average of its 1 ms rows z-scored with the statistics of *every
 *   song's 1 ms rows pooled*. This divides by the within-song spread (bar numbers, every timbre swing),
 *   so vectors shrink ~30× next to `zscore-songs` — what songscope 0.1 did by mistake, kept for users who
 *   want distances in units of the collection's moment-to-moment variation.
 */
import { RunningColumnStats, type ColumnStats } from './normalize.js';
import type { Points } from './points.js';

export const SONG_NORMALIZATIONS = Object.freeze(['zscore-songs', 'none', 'zscore-rows'] as const);
export type SongNormalization = (typeof SONG_NORMALIZATIONS)[number];
/** The default everywhere: {@link SONG_NORMALIZATIONS}. */
export const DEFAULT_SONG_NORMALIZATION: SongNormalization = 'zscore-songs';

/** What a song vector is made from: a song's 1 ms row count and raw column statistics [shape=(d)]. */
export interface SongStats {
  rows: number;
  mean: Float64Array;
  /** Population standard deviation of each column over the song's rows (used by `zscore-rows`). */
  std: Float64Array;
}

/**
 * The songs' vectors as points (songs × d), normalised with `mode`.
 *
 * @param songs - each song's row count and raw column means/stds, all of the same dimension d
 * @param mode - see {@link SONG_NORMALIZATIONS}; default `zscore-songs`
 */
export function songVectors(songs: readonly SongStats[], mode: SongNormalization = DEFAULT_SONG_NORMALIZATION): Points {
  const n = songs.length;
  const d = n > 0 ? songs[0].mean.length : 0;
  const raw = new Float64Array(n * d);
  songs.forEach((s, i) => raw.set(s.mean, i * d));
  const points: Points = { n, d, data: raw };
  if (n === 0 || mode === 'none') return points;
  if (mode === 'zscore-songs') return zscoreColumns(points);
  const pooled = pooledRowStats(songs);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      raw[i * d + c] = pooled.constant[c] || pooled.std[c] === 0 ? 0 : (raw[i * d + c] - pooled.mean[c]) / pooled.std[c];
    }
  }
  return points;
}

/**
 * Each column of `points` z-scored over the points: `(x − mean) / std` with the population std, and 0 for
 * a column whose values are all exactly equal (hypertools 0.3: `… if len(set(y)) > 1 else zeros`; testing
 * equality rather than `std === 0`, because the mean of equal non-dyadic values is off by an ulp).
 *
 * @returns new points of the same shape
 */
export function zscoreColumns(points: Points): Points {
  const { n, d, data } = points;
  const out = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    let sum = 0;
    let same = true;
    for (let i = 0; i < n; i++) {
      sum += data[i * d + c];
      if (data[i * d + c] !== data[c]) same = false;
    }
    if (same) continue;
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i * d + c] - mean) ** 2;
    const std = Math.sqrt(ss / n);
    for (let i = 0; i < n; i++) out[i * d + c] = (data[i * d + c] - mean) / std;
  }
  return { n, d, data: out };
}

/**
 * The statistics of all songs' 1 ms rows pooled (Chan et al.'s merge of per-song means and variances),
 * without holding any song's rows. `constant` marks a column equal to one value in every song.
 */
export function pooledRowStats(songs: readonly SongStats[]): ColumnStats & { rows: number } {
  const d = songs[0].mean.length;
  const running = new RunningColumnStats(d);
  let rows = 0;
  for (const s of songs) {
    for (let c = 0; c < d; c++) running.mergeColumn(c, s.rows, s.mean[c], s.std[c]);
    rows += s.rows;
  }
  const mean = Float64Array.from(running.mean);
  const std = Float64Array.from(running.m2, (v, c) => Math.sqrt(v / running.counts[c]));
  const constant = new Uint8Array(d);
  for (let c = 0; c < d; c++) constant[c] = songs.every((s) => s.std[c] === 0 && s.mean[c] === songs[0].mean[c]) ? 1 : 0;
  return { mean, std, constant, rows };
}
