/**
 * The 1 ms grid described by its events, never materialised: every column is a list of runs (a value
 * holding over a range of milliseconds) plus the beat column's impulses. A 4-minute track is ~1,000 runs
 * instead of 240,000 × 26 values (50 MB), and everything `analyze`, `album` and `scan` need from the grid —
 * column statistics, bin means — is computed from the runs in O(events + bins), exactly: a run of k equal
 * values contributes k·v to a sum where the grid adds v k times.
 *
 * The runs are the grid's single definition: {@link materializeGrid} fills a {@link FeatureMatrix} from
 * them (what `buildFeatureMatrix` returns), so the event path and the grid path cannot drift apart in
 * semantics, only in rounding (tests hold them to 1e-12).
 *
 * Semantics (README, "Grid semantics"):
 * - `full`: the grid is every millisecond 0 … rows−1 (rows = the track's duration in ms, rounded up);
 *   bar k holds from bar k's start to bar k+1's start (the last to the end), segment i's pitch/timbre
 *   from its start to segment i+1's start (the last to its own end); beat is 1 in each beat's
 *   millisecond. Two events in one millisecond: the later wins. Events at or after the end are left out.
 * - `seed`: each stream (bars, beats, segments) on its own span, first to last start (times truncated to
 *   nanoseconds, as pandas 1.x); events sharing a millisecond are averaged; bar and segment values hold to
 *   the stream's next event, the last for its own millisecond only; the grid is the union of the spans
 *   (gaps between disjoint spans are not rows); outside a stream's span its columns are 0.
 */
import type { AudioAnalysis, TimeInterval } from '../analysis/types.js';
import { FEATURE_COLUMNS, PITCH_OFFSET, type FeatureMatrix, type MatrixMetadata } from './featureMatrix.js';
import type { GridSemantics } from './grid.js';
import { CompensatedSum } from '../util/sum.js';
import { messages, ParameterError, runtimeError } from '../errors.js';

/** Columns that change together, as runs: run r holds `values[r*width + j]` on [start[r], end[r]) ms. */
export interface StepRuns {
  /** Values per run: 1 (bar) or 24 (12 pitch, then 12 timbre). */
  width: number;
  /** First millisecond of each run [shape=(runs)], ascending. */
  start: Int32Array;
  /** Millisecond after each run's last [shape=(runs)]; runs are disjoint and non-empty. */
  end: Int32Array;
  values: Float64Array;
}

/** A 1 ms grid as runs and impulses. */
export interface EventGrid {
  semantics: GridSemantics;
  /** The grid's milliseconds as disjoint inclusive spans [first, last], ascending (one span for `full`). */
  spans: [number, number][];
  /** Number of grid rows: the milliseconds in the spans. */
  rows: number;
  /** First and last grid millisecond (0 and −1 when the grid is empty). */
  firstMs: number;
  lastMs: number;
  bar: StepRuns;
  /** Pitch and timbre columns: width 24. */
  segments: StepRuns;
  /** Milliseconds where beat = 1, ascending, distinct. */
  beatMs: Int32Array;
}

/** Millisecond of a time in seconds under `seed` semantics: truncate to ns (pandas 1.x), floor to ms. */
export function seedMs(seconds: number): number {
  return Math.floor(Math.trunc(seconds * 1e9) / 1e6);
}

/** Millisecond of a time in seconds under `full` semantics: round to µs, floor to ms. */
export function fullMs(seconds: number): number {
  return Math.floor(Math.round(seconds * 1e6) / 1000);
}

/** Number of rows of the `full` grid: every millisecond that starts before the track ends. */
export function fullGridRows(durationS: number): number {
  return Math.ceil(Math.round(durationS * 1e6) / 1000);
}

/** Runs written straight into typed arrays sized for at most `capacity` runs (one per event). */
class RunsBuilder {
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  readonly values: Float64Array;
  private runs = 0;
  constructor(
    readonly width: number,
    capacity: number,
  ) {
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.values = new Float64Array(capacity * width);
  }
  /**
   * Add a run and return the offset in {@link values} where its `width` values go; −1 for an empty run
   * (to ≤ from), which is skipped, so a later event in the same millisecond wins.
   */
  push(from: number, to: number): number {
    if (to <= from) return -1;
    const r = this.runs++;
    this.start[r] = from;
    this.end[r] = to;
    return r * this.width;
  }
  build(): StepRuns {
    const n = this.runs;
    return { width: this.width, start: this.start.slice(0, n), end: this.end.slice(0, n), values: this.values.slice(0, n * this.width) };
  }
}

/** Write a segment's 12 pitches then 12 timbre values at `at`. */
function putSegment(values: Float64Array, at: number, s: { pitches: number[]; timbre: number[] }): void {
  for (let j = 0; j < 12; j++) values[at + j] = s.pitches[j];
  for (let j = 0; j < 12; j++) values[at + 12 + j] = s.timbre[j];
}

/**
 * Describe the 1 ms grid of an analysis (events in time order, as validation leaves them) by its runs.
 * Costs O(events); allocates nothing of the grid's size.
 */
export function eventGrid(analysis: AudioAnalysis, grid: GridSemantics = 'full'): EventGrid {
  return grid === 'seed' ? seedGrid(analysis) : fullGrid(analysis);
}

function fullGrid(analysis: AudioAnalysis): EventGrid {
  const duration = analysis.track.duration;
  const rows = fullGridRows(duration);
  // Events starting at or after the end are left out (validation warns about them).
  const within = <T extends TimeInterval>(events: T[]) => {
    let n = events.length;
    while (n > 0 && (events[n - 1].start >= duration || fullMs(events[n - 1].start) >= rows)) n--;
    return n === events.length ? events : events.slice(0, n);
  };
  const bars = within(analysis.bars);
  const beats = within(analysis.beats);
  const segments = within(analysis.segments);

  const bar = new RunsBuilder(1, bars.length);
  for (let k = 0; k < bars.length; k++) {
    const at = bar.push(fullMs(bars[k].start), k + 1 < bars.length ? fullMs(bars[k + 1].start) : rows);
    if (at >= 0) bar.values[at] = k + 1;
  }
  const seg = new RunsBuilder(24, segments.length);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const to = i + 1 < segments.length ? fullMs(segments[i + 1].start) : Math.min(rows, Math.ceil(Math.round((s.start + s.duration) * 1e6) / 1000));
    const at = seg.push(fullMs(s.start), to);
    if (at >= 0) putSegment(seg.values, at, s);
  }
  const beatMs = distinct(beats.map((b) => fullMs(b.start)));
  return { semantics: 'full', spans: rows > 0 ? [[0, rows - 1]] : [], rows, firstMs: 0, lastMs: rows - 1, bar: bar.build(), segments: seg.build(), beatMs };
}

/** A run of events sharing one millisecond: [first, end) indices into the stream. */
interface MsGroup {
  ms: number;
  first: number;
  end: number;
}

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

function seedGrid(analysis: AudioAnalysis): EventGrid {
  const [barGroups, beatGroups, segGroups] = [analysis.bars, analysis.beats, analysis.segments].map(groupByMs);
  // The outer join of the three resampled streams: the union of their [first, last] ms spans.
  const spans = [barGroups, beatGroups, segGroups]
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
  // Forward-fill group g's mean from its millisecond up to the next group's; the last group fills only
  // its own millisecond (the stream's span ends there).
  const fill = (groups: MsGroup[], width: number, write: (values: Float64Array, at: number, g: MsGroup) => void) => {
    const runs = new RunsBuilder(width, groups.length);
    for (let g = 0; g < groups.length; g++) {
      const at = runs.push(groups[g].ms, g + 1 < groups.length ? groups[g + 1].ms : groups[g].ms + 1);
      if (at >= 0) write(runs.values, at, groups[g]);
    }
    return runs.build();
  };
  // bar numbers 1…n in time order, averaged within a millisecond: the mean of g.first+1 … g.end
  const bar = fill(barGroups, 1, (values, at, g) => (values[at] = (g.first + 1 + g.end) / 2));
  const segs = analysis.segments;
  const segments = fill(segGroups, 24, (values, at, g) => {
    if (g.end - g.first === 1) return putSegment(values, at, segs[g.first]);
    // events sharing a millisecond: their mean, summed in event order as pandas' resample().mean()
    for (let j = 0; j < 24; j++) {
      let sum = 0;
      for (let i = g.first; i < g.end; i++) sum += j < 12 ? segs[i].pitches[j] : segs[i].timbre[j - 12];
      values[at + j] = sum / (g.end - g.first);
    }
  });
  return {
    semantics: 'seed',
    spans: merged,
    rows,
    firstMs: merged.length ? merged[0][0] : 0,
    lastMs: merged.length ? merged[merged.length - 1][1] : -1,
    bar,
    segments,
    beatMs: Int32Array.from(beatGroups, (g) => g.ms),
  };
}

function distinct(sortedMs: number[]): Int32Array {
  const out: number[] = [];
  for (const ms of sortedMs) if (out[out.length - 1] !== ms) out.push(ms);
  return Int32Array.from(out);
}

/** The grid's row of each millisecond of its spans: row of `ms` = offset of its span + ms − span start. */
function spanOffsets(g: EventGrid): Int32Array {
  const offsets = new Int32Array(g.spans.length);
  let r = 0;
  g.spans.forEach(([a, b], k) => {
    offsets[k] = r;
    r += b - a + 1;
  });
  return offsets;
}

/**
 * Row of a millisecond known to lie inside the grid's spans. Every caller passes an event start the grid
 * was built from, so a miss is songscope's bug, not the input's: an internal error (exit code 1).
 */
function rowOf(g: EventGrid, offsets: Int32Array, ms: number): number {
  for (let k = g.spans.length - 1; k >= 0; k--) if (ms >= g.spans[k][0]) return offsets[k] + ms - g.spans[k][0];
  throw runtimeError(messages.internal(`time ${ms} ms lies outside the event grid`));
}

/**
 * Fill the 1 ms matrix from the runs: what `buildFeatureMatrix` returns.
 *
 * @param buffer - storage to reuse when it holds at least rows × 26 values (zero-filled first); the
 *   matrix then aliases it
 */
export function materializeGrid(g: EventGrid, metadata: MatrixMetadata, buffer?: Float64Array): FeatureMatrix {
  const rows = g.rows;
  const n = rows * FEATURE_COLUMNS.length;
  const reuse = buffer !== undefined && buffer.length >= n;
  const data = reuse ? buffer.subarray(0, n) : new Float64Array(n);
  const timeMs = new Int32Array(rows);
  fillGridRows(g, 0, rows, timeMs, data, !reuse);
  return { rows, columns: FEATURE_COLUMNS, timeMs, data, metadata };
}

/**
 * Fill grid rows [from, to) into a column-major block of `to − from` rows: `timeMs` gets each row's
 * millisecond, `data` (at least (to − from) × 26 values; only that prefix is written, every value of it)
 * column c's rows at `c × (to − from)`. Lets a writer stream the grid a block at a time through one small
 * buffer ({@link materializeGrid} is the whole grid as one block).
 *
 * @param zeroed - `data` is known to be all zeros already (fresh memory): skip clearing it
 */
export function fillGridRows(g: EventGrid, from: number, to: number, timeMs: Int32Array, data: Float64Array, zeroed = false): void {
  const height = to - from;
  if (from < 0 || height < 0 || to > g.rows) throw runtimeError(messages.internal(`grid rows [${from}, ${to}) outside 0…${g.rows}`));
  if (!zeroed) data.fill(0, 0, height * FEATURE_COLUMNS.length);
  const offsets = spanOffsets(g);
  g.spans.forEach(([a, b], k) => {
    // the span's rows are offsets[k] … offsets[k] + b − a; those inside the block get their milliseconds
    const lo = Math.max(offsets[k], from);
    const hi = Math.min(offsets[k] + b - a + 1, to);
    for (let row = lo; row < hi; row++) timeMs[row - from] = a + row - offsets[k];
  });
  // a run never crosses a gap between spans (each stream's span lies inside one), so its rows are contiguous
  const fillRuns = (runs: StepRuns, firstColumn: number) => {
    for (let i = 0; i < runs.start.length; i++) {
      const first = rowOf(g, offsets, runs.start[i]);
      const lo = Math.max(first, from);
      const hi = Math.min(first + runs.end[i] - runs.start[i], to);
      if (hi <= lo) continue;
      for (let j = 0; j < runs.width; j++) {
        const column = (firstColumn + j) * height - from;
        data.fill(runs.values[i * runs.width + j], column + lo, column + hi);
      }
    }
  };
  fillRuns(g.bar, 0);
  fillRuns(g.segments, PITCH_OFFSET); // 12 pitch then 12 timbre columns, contiguous
  for (const ms of g.beatMs) {
    const row = rowOf(g, offsets, ms);
    if (row >= from && row < to) data[height + row - from] = 1;
  }
}

/** Number of grid milliseconds in [from, to). */
function rowsIn(g: EventGrid, from: number, to: number): number {
  let n = 0;
  for (const [a, b] of g.spans) {
    const lo = Math.max(a, from);
    const hi = Math.min(b + 1, to);
    if (hi > lo) n += hi - lo;
  }
  return n;
}

/**
 * Mean, population standard deviation and constancy of every column over all grid rows, from the runs:
 * equal to `columnStats(materializeGrid(g))` up to rounding.
 */
export function eventColumnStats(g: EventGrid): { mean: Float64Array; std: Float64Array; constant: Uint8Array } {
  const k = FEATURE_COLUMNS.length;
  const mean = new Float64Array(k);
  const std = new Float64Array(k);
  const constant = new Uint8Array(k);
  const n = g.rows;
  const stepStats = (runs: StepRuns, j: number, c: number) => {
    const sum = new CompensatedSum();
    let covered = 0;
    let first = NaN;
    let same = true;
    for (let i = 0; i < runs.start.length; i++) {
      const len = runs.end[i] - runs.start[i];
      const v = runs.values[i * runs.width + j];
      sum.add(v * len);
      covered += len;
      if (first !== first) first = v;
      else if (v !== first) same = false;
    }
    const m = sum.value / n;
    const ss = new CompensatedSum();
    ss.add((n - covered) * m * m);
    for (let i = 0; i < runs.start.length; i++) {
      const d = runs.values[i * runs.width + j] - m;
      ss.add((runs.end[i] - runs.start[i]) * d * d);
    }
    mean[c] = m;
    std[c] = Math.sqrt(ss.value / n);
    // constant: one value everywhere — every run the same and covering all rows, or no run but zeros
    constant[c] = covered === 0 || (same && (covered === n || first === 0)) ? 1 : 0;
  };
  if (n === 0) {
    mean.fill(NaN);
    std.fill(NaN);
    return { mean, std, constant };
  }
  stepStats(g.bar, 0, 0);
  for (let j = 0; j < 24; j++) stepStats(g.segments, j, PITCH_OFFSET + j);
  const beats = g.beatMs.length;
  mean[1] = beats / n;
  std[1] = Math.sqrt((beats * (1 - mean[1]) ** 2 + (n - beats) * mean[1] ** 2) / n);
  constant[1] = beats === 0 || beats === n ? 1 : 0;
  return { mean, std, constant };
}

/**
 * Bin means of the grid, as `binMeans(materializeGrid(g), binMs)` (pandas `resample(f'{binMs}ms').mean()`:
 * bins anchored at 0 ms, from the bin of the first row to the bin of the last, NaN for a bin without rows),
 * in O(runs + bins · columns).
 *
 * @param binMs - bin width, milliseconds (a positive integer)
 * @throws ParameterError (`binMs`) unless it is a positive integer
 */
export function eventBinMeans(g: EventGrid, binMs: number, metadata: MatrixMetadata = {}): FeatureMatrix {
  if (!(Number.isInteger(binMs) && binMs > 0)) throw new ParameterError('binMs', String(binMs), 'a positive integer (milliseconds)');
  const k = FEATURE_COLUMNS.length;
  const meta = { ...metadata, resolution_ms: String(binMs) };
  if (g.rows === 0) return { rows: 0, columns: FEATURE_COLUMNS, timeMs: new Int32Array(0), data: new Float64Array(0), metadata: meta };
  const firstBin = Math.floor(g.firstMs / binMs);
  const bins = Math.floor(g.lastMs / binMs) - firstBin + 1;
  const timeMs = new Int32Array(bins);
  const counts = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    timeMs[b] = (firstBin + b) * binMs;
    counts[b] = rowsIn(g, timeMs[b], timeMs[b] + binMs);
  }
  const data = new Float64Array(bins * k);
  const addRuns = (runs: StepRuns, firstColumn: number) => {
    for (let i = 0; i < runs.start.length; i++) {
      const s = runs.start[i];
      const e = runs.end[i];
      for (let b = Math.floor(s / binMs) - firstBin, last = Math.floor((e - 1) / binMs) - firstBin; b <= last; b++) {
        const overlap = Math.min(e, timeMs[b] + binMs) - Math.max(s, timeMs[b]);
        for (let j = 0; j < runs.width; j++) data[(firstColumn + j) * bins + b] += runs.values[i * runs.width + j] * overlap;
      }
    }
  };
  addRuns(g.bar, 0);
  addRuns(g.segments, PITCH_OFFSET);
  for (const ms of g.beatMs) data[bins + Math.floor(ms / binMs) - firstBin] += 1;
  for (let c = 0; c < k; c++) {
    for (let b = 0; b < bins; b++) data[c * bins + b] = counts[b] > 0 ? data[c * bins + b] / counts[b] : NaN;
  }
  return { rows: bins, columns: FEATURE_COLUMNS, timeMs, data, metadata: meta };
}
