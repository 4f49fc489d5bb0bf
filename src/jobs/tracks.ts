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
import type { GridSemantics } from '../matrix/grid.js';
import type { ColumnStats } from '../transforms/normalize.js';
import { eventColumnStats, eventGrid, type EventGrid } from '../matrix/events.js';
import type { Points } from '../transforms/points.js';
import { fingerprintFromGrid, type ShapeFingerprint, type ShapeOptions } from '../shape/fingerprint.js';
import type { Collection, TrackRef } from '../sources/collection.js';
import { fetchAnalyses } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { messages, SongscopeError } from '../errors.js';
import { trackName, type TrackFailure, type TrackRecord } from '../corpus/record.js';

export { trackName, type TrackFailure, type TrackRecord };

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
   * Called with each analysis, its grid as events and its column statistics (per-track outputs).
   */
  onTrack?: (analysis: Analysis, events: EventGrid, record: TrackRecord, stats: ColumnStats) => Promise<void>;
  /** Compute each track's shape fingerprint with these options into `record.shape` (from the events, on the `full` grid). */
  shape?: ShapeOptions;
  /** Called with each track's whole fingerprint (its trajectory too) when `shape` is set. */
  onShape?: (record: TrackRecord, fingerprint: ShapeFingerprint) => void;
}

/** Analyse every track of the collections in order; failures are recorded, not thrown. */
export async function collectTracks(
  collection: Collection,
  options: CollectOptions,
): Promise<{ tracks: TrackRecord[]; failures: TrackFailure[] }> {
  const tracks: TrackRecord[] = [];
  const failures: TrackFailure[] = [];
  let done = 0;
  for await (const outcome of fetchAnalyses(collection, { resolve: options.resolve, concurrency: options.concurrency ?? 4 })) {
    const name = trackName(outcome.ref, outcome.analysis);
    try {
      if (!outcome.analysis) throw outcome.error;
      const analysis = outcome.analysis;
      const grid = options.grid ?? 'full';
      // the statistics come from the events: the 1 ms matrix is never built
      const events = eventGrid(analysis, grid);
      if (events.rows === 0) throw new SongscopeError(messages.toolkit.noEvents(name), { exitCode: 2 });
      const stats = eventColumnStats(events);
      const record: TrackRecord = { ref: outcome.ref, name, summary: summarizeAnalysis(analysis), rows: events.rows, mean: stats.mean, std: stats.std };
      if (options.shape) {
        const fingerprint = fingerprintFromGrid(grid === 'full' ? events : eventGrid(analysis, 'full'), analysis.bars.map((b) => b.start), options.shape);
        record.shape = fingerprint.values;
        options.onShape?.(record, fingerprint);
      }
      if (options.onTrack) await options.onTrack(analysis, events, record, stats);
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
