/**
 * Resample an analysis onto a 1 ms grid: the feature matrix with columns `bar, beat, 12 pitch,
 * 12 timbre` (see {@link FEATURE_COLUMNS}), filled from the runs of `./events.ts`, which define it.
 *
 * Two semantics (README, "Grid semantics"):
 *
 * - `seed` reproduces the original notebook's pandas code exactly. Each stream (beats, bars, segments)
 *   is put on a 1 ms index at its start time — float seconds become nanoseconds by truncation, as
 *   pandas 1.x did, then are floored to the millisecond — and resampled with `.resample('1ms').mean()`
 *   over that stream's own span (its first to its last start). Beats are 1 at a beat, else 0; bar
 *   numbers 1…n and segment pitch/timbre are forward-filled; events sharing a millisecond are
 *   averaged. The streams are outer-joined on time and every remaining gap becomes 0, so the grid runs
 *   from the earliest to the latest event start, not to the end of the track.
 *
 * - `full` (the default) is the same idea without the artefacts: the grid spans 0 ms to the track's
 *   duration; times are converted exactly (rounded to microseconds, then floored to the millisecond);
 *   a segment's values hold from its start until the next segment starts (the last one until its own
 *   end); bar numbers hold from each bar's start to the next, the last bar to the end of the track;
 *   `beat` is 1 in the millisecond of each beat start; before the first bar `bar` is 0, before the first
 *   segment the pitch/timbre columns are 0. When two events fall in the same millisecond the later
 *   one wins. Events starting at or after the end of the track are left out.
 */
import type { AudioAnalysis, Provenance } from '../analysis/types.js';
import { FEATURE_COLUMNS, type FeatureMatrix, type MatrixMetadata } from './featureMatrix.js';
import { eventGrid, materializeGrid, type EventGrid } from './events.js';

import { inputError, messages } from '../errors.js';
import { MAX_GRID_ROWS } from '../limits.js';

export type GridSemantics = 'seed' | 'full';

/** The longest track songscope resamples at 1 ms: 3 hours, 10.8 million rows, 2.2 GB of Float64 (`../limits.ts`). */
export { MAX_GRID_ROWS } from '../limits.js';
export const GRID_SEMANTICS: readonly GridSemantics[] = ['seed', 'full'];

export interface GridOptions {
  /** Resampling semantics; default `full`. */
  grid?: GridSemantics;
  /** Extra schema metadata; merged over {@link matrixMetadataFor}, then `grid` and `resolution_ms` are set. */
  metadata?: MatrixMetadata;
  /**
   * Storage to reuse (e.g. one buffer for every track of an album): used when it holds at least
   * rows × 26 values, zero-filled first. The matrix then aliases it: build the next one only after this
   * one is no longer needed. Fresh memory costs more than the resampling itself (the kernel maps ~50 MB
   * for a 4-minute track), so reuse keeps batch work fast and its memory bounded.
   */
  buffer?: Float64Array;
}

/** Refuse, before allocating anything, a grid too large to hold (exit code 2). */
export function checkGridRows(rows: number): void {
  if (rows > MAX_GRID_ROWS) {
    throw inputError(messages.gridTooLarge(rows, (rows * FEATURE_COLUMNS.length * 8) / 2 ** 30, MAX_GRID_ROWS / 3_600_000));
  }
}

/**
 * Schema metadata describing the track of an analysis: `input` (the input as the user gave it: a file
 * path, `-`, `spotify:track:ID`, a search query — what names the track when nothing else does), `track_id`,
 * `title`, `artist`, `source`, `analyzer_version`, `duration_s`, `sections_s` (a JSON array of section
 * start times) and `generator`. Every key is present in every file, `""` when unknown, so readers can rely
 * on the schema.
 */
export function matrixMetadataFor(analysis: AudioAnalysis & { provenance?: Provenance }): MatrixMetadata {
  const p = analysis.provenance;
  const entries: [string, string | undefined][] = [
    ['input', p?.location],
    ['track_id', p?.trackId],
    ['title', p?.title],
    ['artist', p?.artist],
    ['source', p?.source],
    ['analyzer_version', p?.analyzerVersion],
    ['duration_s', String(analysis.track.duration)],
    // where the analysis' own sections start, so plots downstream of a pipe can still draw them
    ['sections_s', JSON.stringify((analysis.sections ?? []).map((s) => Math.round(s.start * 1000) / 1000))],
    ['generator', 'songscope'],
  ];
  return Object.fromEntries(entries.map(([k, v]) => [k, v ?? '']));
}

export { seedMs, fullMs, fullGridRows } from './events.js';

/**
 * Build the feature matrix of an analysis on the 1 ms grid.
 *
 * @param analysis - a validated analysis (events in time order)
 * @returns a matrix of `rows` × 26 Float64 values, column-major, with `timeMs` in integer ms
 */
export function buildFeatureMatrix(
  analysis: AudioAnalysis & { provenance?: Provenance },
  options: GridOptions = {},
): FeatureMatrix {
  const { events, metadata } = featureGrid(analysis, options);
  return materializeGrid(events, metadata, options.buffer);
}

/**
 * The 1 ms grid of an analysis as runs, never materialised, with the metadata its matrix carries: what
 * {@link buildFeatureMatrix} fills, for a writer that streams the grid a block at a time (`features`).
 *
 * @throws SongscopeError (exit code 2) for a grid longer than {@link MAX_GRID_ROWS}
 */
export function featureGrid(
  analysis: AudioAnalysis & { provenance?: Provenance },
  options: Omit<GridOptions, 'buffer'> = {},
): { events: EventGrid; metadata: MatrixMetadata } {
  const grid = options.grid ?? 'full';
  const metadata: MatrixMetadata = { ...matrixMetadataFor(analysis), ...options.metadata, grid, resolution_ms: '1' };
  const events = eventGrid(analysis, grid);
  checkGridRows(events.rows);
  return { events, metadata };
}
