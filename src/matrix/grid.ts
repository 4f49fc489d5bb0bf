/**
 * Resample an analysis onto a 1 ms grid: the feature matrix with columns `bar, beat, 12 pitch,
 * 12 timbre` (see {@link FEATURE_COLUMNS}).
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
import type { AudioAnalysis, Provenance, TimeInterval } from '../analysis/types.js';
import {
  FEATURE_COLUMNS,
  PITCH_OFFSET,
  TIMBRE_OFFSET,
  type FeatureMatrix,
  type MatrixMetadata,
} from './featureMatrix.js';

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
function checkGridRows(rows: number): void {
  if (rows > MAX_GRID_ROWS) {
    throw inputError(messages.gridTooLarge(rows, (rows * FEATURE_COLUMNS.length * 8) / 2 ** 30, MAX_GRID_ROWS / 3_600_000));
  }
}

/** `n` zeroed values: a prefix of `buffer` when it is large enough, else a new array. */
function storage(n: number, buffer: Float64Array | undefined): Float64Array {
  if (buffer && buffer.length >= n) {
    const view = buffer.subarray(0, n);
    view.fill(0);
    return view;
  }
  return new Float64Array(n);
}

/**
 * Schema metadata describing the track of an analysis: `track_id`, `title`, `artist`, `source`,
 * `analyzer_version`, `duration_s`, `sections_s` (a JSON array of section start times) and `generator`. Every key is present in every file, `""` when
 * unknown, so readers can rely on the schema.
 */
export function matrixMetadataFor(analysis: AudioAnalysis & { provenance?: Provenance }): MatrixMetadata {
  const p = analysis.provenance;
  const entries: [string, string | undefined][] = [
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

/** Millisecond row of a time in seconds under `seed` semantics: truncate to ns (pandas 1.x), floor to ms. */
export function seedMs(seconds: number): number {
  return Math.floor(Math.trunc(seconds * 1e9) / 1e6);
}

/** Millisecond row of a time in seconds under `full` semantics: round to µs, floor to ms. */
export function fullMs(seconds: number): number {
  return Math.floor(Math.round(seconds * 1e6) / 1000);
}

/** Number of rows of the `full` grid: every millisecond that starts before the track ends. */
export function fullGridRows(durationS: number): number {
  return Math.ceil(Math.round(durationS * 1e6) / 1000);
}

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
  const grid = options.grid ?? 'full';
  const metadata: MatrixMetadata = { ...matrixMetadataFor(analysis), ...options.metadata, grid, resolution_ms: '1' };
  return grid === 'seed' ? buildSeed(analysis, metadata, options.buffer) : buildFull(analysis, metadata, options.buffer);
}

// ---- full ---------------------------------------------------------------------------------------------

function buildFull(analysis: AudioAnalysis, metadata: MatrixMetadata, buffer?: Float64Array): FeatureMatrix {
  const duration = analysis.track.duration;
  const rows = fullGridRows(duration);
  checkGridRows(rows);
  // Events starting at or after the end are left out (validation warns about them).
  const within = <T extends TimeInterval>(events: T[]) => {
    let n = events.length;
    while (n > 0 && (events[n - 1].start >= duration || fullMs(events[n - 1].start) >= rows)) n--;
    return n === events.length ? events : events.slice(0, n);
  };
  const bars = within(analysis.bars);
  const beats = within(analysis.beats);
  const segments = within(analysis.segments);
  const timeMs = new Int32Array(rows);
  for (let r = 0; r < rows; r++) timeMs[r] = r;
  const data = storage(rows * FEATURE_COLUMNS.length, buffer);

  // bar: number k holds from bar k's start to bar k+1's start; the last to the end of the track
  const barCol = data.subarray(0, rows);
  for (let k = 0; k < bars.length; k++) {
    const from = fullMs(bars[k].start);
    const to = k + 1 < bars.length ? fullMs(bars[k + 1].start) : rows;
    barCol.fill(k + 1, from, to);
  }
  // beat: 1 in the millisecond of each beat start
  const beatCol = data.subarray(rows, 2 * rows);
  for (const b of beats) beatCol[fullMs(b.start)] = 1;
  // pitch/timbre: each segment holds until the next one starts; the last one until its end
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const from = fullMs(s.start);
    const to =
      i + 1 < segments.length
        ? fullMs(segments[i + 1].start)
        : Math.min(rows, Math.ceil(Math.round((s.start + s.duration) * 1e6) / 1000));
    if (to <= from) continue;
    for (let j = 0; j < 12; j++) {
      data.fill(s.pitches[j], (PITCH_OFFSET + j) * rows + from, (PITCH_OFFSET + j) * rows + to);
      data.fill(s.timbre[j], (TIMBRE_OFFSET + j) * rows + from, (TIMBRE_OFFSET + j) * rows + to);
    }
  }
  return { rows, columns: FEATURE_COLUMNS, timeMs, data, metadata };
}

// ---- seed ---------------------------------------------------------------------------------------------

/** A run of events sharing one millisecond: [first, end) indices into the stream. */
interface MsGroup {
  ms: number;
  first: number;
  end: number;
}

/** Group a time-ordered stream by its seed millisecond. */
function groupByMs(events: readonly TimeInterval[]): MsGroup[] {
  const groups: MsGroup[] = [];
  for (let i = 0; i < events.length; i++) {
    const ms = seedMs(events[i].start);
    const last = groups[groups.length - 1];
    if (last && last.ms === ms) last.end = i + 1;
    else groups.push({ ms, first: i, end: i + 1 });
  }
  return groups;
}

function buildSeed(analysis: AudioAnalysis, metadata: MatrixMetadata, buffer?: Float64Array): FeatureMatrix {
  const streams = [analysis.bars, analysis.beats, analysis.segments].map(groupByMs);
  const [barGroups, beatGroups, segGroups] = streams;

  // The outer join of the three resampled streams: the union of their [first, last] ms spans.
  const spans = streams
    .filter((g) => g.length > 0)
    .map((g) => [g[0].ms, g[g.length - 1].ms] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const rows = merged.reduce((n, [a, b]) => n + (b - a + 1), 0);
  checkGridRows(rows);
  const timeMs = new Int32Array(rows);
  const rowOffset: number[] = []; // row index of each merged span's first ms
  let r = 0;
  for (const [a, b] of merged) {
    rowOffset.push(r);
    for (let ms = a; ms <= b; ms++) timeMs[r++] = ms;
  }
  /** Row of a millisecond known to lie inside the grid. */
  const rowOf = (ms: number): number => {
    for (let k = merged.length - 1; k >= 0; k--) if (ms >= merged[k][0]) return rowOffset[k] + ms - merged[k][0];
    throw new RangeError(`ms ${ms} outside the grid`);
  };

  const data = storage(rows * FEATURE_COLUMNS.length, buffer);
  // Forward-fill group g's mean from its row up to the next group's row; the last group fills only its
  // own millisecond (the stream's span ends there).
  const fillGroups = (groups: MsGroup[], col: number, valueOf: (g: MsGroup) => number) => {
    for (let g = 0; g < groups.length; g++) {
      const from = rowOf(groups[g].ms);
      const to = g + 1 < groups.length ? rowOf(groups[g + 1].ms) : from + 1;
      data.fill(valueOf(groups[g]), col * rows + from, col * rows + to);
    }
  };

  // bar numbers 1…n in time order, averaged within a millisecond, forward-filled
  fillGroups(barGroups, 0, (g) => ((g.first + 1 + g.end) / 2)); // mean of g.first+1 … g.end
  // beats: 1 at each beat millisecond only (mean of ones), NaN → 0 elsewhere
  for (const g of beatGroups) data[rows + rowOf(g.ms)] = 1;
  // segments: mean of each pitch/timbre value within a millisecond, forward-filled
  const segs = analysis.segments;
  for (let j = 0; j < 12; j++) {
    const mean = (g: MsGroup, pick: (i: number) => number) => {
      let sum = 0;
      for (let i = g.first; i < g.end; i++) sum += pick(i);
      return sum / (g.end - g.first);
    };
    fillGroups(segGroups, PITCH_OFFSET + j, (g) => mean(g, (i) => segs[i].pitches[j]));
    fillGroups(segGroups, TIMBRE_OFFSET + j, (g) => mean(g, (i) => segs[i].timbre[j]));
  }
  return { rows, columns: FEATURE_COLUMNS, timeMs, data, metadata };
}
