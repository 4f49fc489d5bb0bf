/**
 * The tracks of a collection, analysed one at a time: what album, compare and classify work on.
 *
 * Per track only its row count and raw column means and standard deviations (26 numbers each) are kept —
 * everything a song vector needs under every normalisation (see `transforms/songs.ts`) — so no more than
 * one 1 ms matrix (in one reused buffer) is ever held. Asked (`shape`), each track's shape fingerprint is
 * computed from its events too (2,016 float32, `src/shape`).
 */
import type { Analysis } from '../analysis/types.js';
import { summarizeAnalysis, type TrackSummary } from '../analysis/summary.js';
import type { FeatureMatrix } from '../matrix/featureMatrix.js';
import { buildFeatureMatrix, type GridSemantics } from '../matrix/grid.js';
import type { ColumnStats } from '../transforms/normalize.js';
import { eventColumnStats, eventGrid } from '../matrix/events.js';
import type { Points } from '../transforms/points.js';
import { fingerprintFromGrid, type ShapeFingerprint, type ShapeOptions } from '../shape/fingerprint.js';
import type { Collection, TrackRef } from '../sources/collection.js';
import { fetchAnalyses } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { SongscopeError } from '../errors.js';

/** One track that was analysed. */
export interface TrackRecord {
  ref: TrackRef;
  /** Display name: `NN Title` for albums, else the title or file name. */
  name: string;
  summary: TrackSummary;
  /** 1 ms rows of the track. */
  rows: number;
  /** Raw column means and population std over the 1 ms rows [shape=(26)]. */
  mean: Float64Array;
  std: Float64Array;
  /** The track's shape fingerprint values (`src/shape`), when {@link CollectOptions.shape} asked for them. */
  shape?: Float32Array;
}

/** A track that could not be analysed, and why. */
export interface TrackFailure {
  ref: TrackRef;
  name: string;
  message: string;
  exitCode: number;
}

export interface CollectProgress {
  done: number;
  total: number;
  failed: number;
  name: string;
}

export interface CollectOptions {
  resolve: ResolveOptions;
  grid?: GridSemantics;
  /** Parallel fetches; default 4. */
  concurrency?: number;
  /** Called after each track (analysed or failed). */
  onProgress?: (p: CollectProgress) => void;
  /**
   * Called with each analysis and its 1 ms matrix while they are alive (per-track outputs); the matrix
   * lives in a buffer reused for the next track, so do not keep it.
   */
  onTrack?: (analysis: Analysis, matrix: FeatureMatrix, record: TrackRecord, stats: ColumnStats) => Promise<void>;
  /** Compute each track's shape fingerprint with these options into `record.shape` (from the events, on the `full` grid). */
  shape?: ShapeOptions;
  /** Called with each track's whole fingerprint (its trajectory too) when `shape` is set. */
  onShape?: (record: TrackRecord, fingerprint: ShapeFingerprint) => void;
}

/**
 * A display name for a track of a collection: its position (1-based, unique even on multi-disc albums)
 * and its title — the analysis' own title when it has one, else the listing's title or the file name.
 */
export function trackName(ref: TrackRef, analysis?: Analysis): string {
  const title = analysis?.provenance.title ?? ref.title ?? ref.input.replace(/^.*[\\/]/, '').replace(/(\.[a-z0-9]+)+$/i, '');
  return `${String(ref.position).padStart(2, '0')} ${title}`;
}

/** Analyse every track of the collections in order; failures are recorded, not thrown. */
export async function collectTracks(
  collection: Collection,
  options: CollectOptions,
): Promise<{ tracks: TrackRecord[]; failures: TrackFailure[] }> {
  const tracks: TrackRecord[] = [];
  const failures: TrackFailure[] = [];
  let buffer: Float64Array | undefined;
  let done = 0;
  for await (const outcome of fetchAnalyses(collection, { resolve: options.resolve, concurrency: options.concurrency ?? 4 })) {
    const name = trackName(outcome.ref, outcome.analysis);
    try {
      if (!outcome.analysis) throw outcome.error;
      const analysis = outcome.analysis;
      const grid = options.grid ?? 'full';
      // the statistics come from the events; the 1 ms matrix is built only for per-track outputs
      const events = eventGrid(analysis, grid);
      if (events.rows === 0) throw new SongscopeError(`${name}: the analysis has no events to put on the grid`, { exitCode: 2 });
      const stats = eventColumnStats(events);
      const record: TrackRecord = { ref: outcome.ref, name, summary: summarizeAnalysis(analysis), rows: events.rows, mean: stats.mean, std: stats.std };
      if (options.shape) {
        const fingerprint = fingerprintFromGrid(grid === 'full' ? events : eventGrid(analysis, 'full'), analysis.bars.map((b) => b.start), options.shape);
        record.shape = fingerprint.values;
        options.onShape?.(record, fingerprint);
      }
      if (options.onTrack) {
        const matrix = buildFeatureMatrix(analysis, { grid, buffer });
        // keep the largest buffer for the next track (a longer track allocates a new one)
        if (!buffer || matrix.data.buffer.byteLength > buffer.byteLength) buffer = new Float64Array(matrix.data.buffer);
        await options.onTrack(analysis, matrix, record, stats);
      }
      tracks.push(record);
    } catch (e) {
      failures.push({
        ref: outcome.ref,
        name,
        message: e instanceof Error ? e.message : String(e),
        exitCode: e instanceof SongscopeError ? e.exitCode : 1,
      });
    }
    done++;
    options.onProgress?.({ done, total: collection.tracks.length, failed: failures.length, name });
  }
  return { tracks, failures };
}

/** Pearson r between every pair of points (rows), row-major n × n; NaN where a row is constant. */
export function pointCorrelations(points: Points): Float64Array {
  const { n, d } = points;
  const unit = new Float64Array(n * d);
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < d; c++) sum += points.data[i * d + c];
    const m = sum / d;
    let ss = 0;
    for (let c = 0; c < d; c++) {
      const v = points.data[i * d + c] - m;
      unit[i * d + c] = v;
      ss += v * v;
    }
    if (ss > 0) {
      ok[i] = 1;
      const norm = Math.sqrt(ss);
      for (let c = 0; c < d; c++) unit[i * d + c] /= norm;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let r = NaN;
      if (ok[i] && ok[j]) {
        r = 0;
        for (let c = 0; c < d; c++) r += unit[i * d + c] * unit[j * d + c];
        r = i === j ? 1 : Math.max(-1, Math.min(1, r));
      }
      out[i * n + j] = r;
      out[j * n + i] = r;
    }
  }
  return out;
}
