/**
 * The tracks of a collection, analysed one at a time: what album, compare and classify work on.
 *
 * Per track only its row count and raw column means and standard deviations (26 numbers each) are kept —
 * everything a song vector needs under every normalisation (see `transforms/songs.ts`) — so no more than
 * one 1 ms matrix (in one reused buffer) is ever held. Asked (`shape`), each track's shape fingerprint is
 * computed from its events too (2,016 float32, `src/shape`).
 */
import type { Analysis } from '../analysis/types.js';
import type { GridSemantics } from '../matrix/grid.js';
import type { ColumnStats } from '../transforms/normalize.js';
import type { EventGrid } from '../matrix/events.js';
import { shapeId, type ShapeFingerprint, type ShapeOptions } from '../shape/fingerprint.js';
import type { Collection } from '../sources/collection.js';
import { fetchAnalyses } from '../sources/collection.js';
import { AnalysisCache, defaultCacheDir, fileStamp } from '../sources/cache.js';
import { parseInput } from '../sources/input.js';
import { isAudioPath } from '../audio/types.js';
import { stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { ResolveOptions } from '../sources/resolve.js';
import { ParameterError, SongscopeError } from '../errors.js';
import type { ReportGalleryItem, ReportRenderer } from '../plots/page.js';
import { writeTrackOutputs, type PerTrackSpec } from './perTrack.js';
import { TrackPool } from './pool.js';
import { portableResolveOptions, recordTrack, type TrackTask } from './track.js';
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
  /** Worker threads for the per-track work; default 1 (this thread). Results are the same for any number. */
  jobs?: number;
  /** Each track's own outputs of a batch job, and what to do with each track's gallery entry. */
  perTrack?: {
    spec: PerTrackSpec;
    /** The report renderer in this thread (a worker imports `spec.reportModule`). */
    render?: ReportRenderer;
    onDone: (record: TrackRecord, gallery: ReportGalleryItem | undefined, ms: number) => void;
  };
}

/**
 * Analyse every track of the collection in order; failures are recorded, not thrown.
 *
 * With `jobs` > 1 the per-track work (resolving the input, its record, fingerprint and own outputs) runs
 * on a pool of worker threads (`./pool.ts`) and the outcomes are taken in track order, so the result and
 * every file written are the same as with one job. Inputs a worker cannot resolve the same way (standard
 * input, an injected Spotify client or fetch), an `onTrack` callback, and work too small for threads
 * (analysis files of {@link LIGHT_BYTES} in all, or audio whose analyses are cached: see `light`) keep the
 * work in this thread.
 */
export async function collectTracks(
  collection: Collection,
  options: CollectOptions,
): Promise<{ tracks: TrackRecord[]; failures: TrackFailure[] }> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new ParameterError('jobs', String(options.jobs), 'an integer ≥ 1');
  if (jobs > 1 && !options.onTrack && portable(collection, options) && !(await light(collection, options))) return collectOnPool(collection, options, jobs);
  const tracks: TrackRecord[] = [];
  const failures: TrackFailure[] = [];
  const grid = options.grid ?? 'full';
  let done = 0;
  for await (const outcome of fetchAnalyses(collection, { resolve: options.resolve, concurrency: options.concurrency ?? 4 })) {
    const name = trackName(outcome.ref, outcome.analysis);
    try {
      if (!outcome.analysis) throw outcome.error;
      const analysis = outcome.analysis;
      // the statistics come from the events: the 1 ms matrix is never built
      const { record, events, stats, fingerprint } = recordTrack(analysis, outcome.ref, grid, options.shape);
      if (fingerprint) options.onShape?.(record, fingerprint);
      if (options.onTrack) await options.onTrack(analysis, events, record, stats);
      if (options.perTrack) {
        const t0 = performance.now();
        const item = await writeTrackOutputs(analysis, events, stats, record, options.perTrack.spec, options.perTrack.render);
        options.perTrack.onDone(record, item, performance.now() - t0);
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

/**
 * Analysis files up to this many bytes in all are read in the calling thread even when more jobs are
 * allowed: starting the threads and loading songscope in each costs more than they save (22 four-minute
 * analyses, 10 MB, `album --no-plot`: 0.64 s in one thread, 0.68 s with two).
 */
export const LIGHT_BYTES = 32 * 2 ** 20;

/**
 * Work too small for threads: no per-track outputs, and every track a local file, either an analysis
 * file (all of them together at most {@link LIGHT_BYTES}) or an audio file whose analysis the cache
 * holds unchanged ({@link AnalysisCache.hasStampedLocal}: a cached rerun of an audio album). Decides only
 * where the work runs, never what it writes.
 */
export async function light(collection: Collection, options: Pick<CollectOptions, 'perTrack' | 'resolve'>): Promise<boolean> {
  if (options.perTrack) return false;
  const r = options.resolve;
  const cache = r.useCache === false ? undefined : new AnalysisCache(r.cacheDir ?? defaultCacheDir(r.env ?? process.env));
  let bytes = 0;
  for (const track of collection.tracks) {
    let ref;
    try {
      ref = parseInput(track.input);
    } catch {
      return false; // a bad input is the track's failure, recorded where it is resolved
    }
    if (ref.kind !== 'file') return false;
    const st = await stat(ref.path, { bigint: true }).catch(() => undefined);
    if (!st?.isFile()) return false;
    if (isAudioPath(ref.path)) {
      if (!(await cache?.hasStampedLocal(fileStamp(resolvePath(ref.path), st)))) return false;
    } else if ((bytes += Number(st.size)) > LIGHT_BYTES) {
      return false;
    }
  }
  return true;
}

/** Whether every track resolves the same in a worker: no stdin, no injected client, fetch or environment, reports by module. */
function portable(collection: Collection, options: CollectOptions): boolean {
  const r = options.resolve;
  if (r.client || r.spotify?.fetch) return false;
  // a worker reads the process environment: a caller's own environment stays in this thread
  if (r.env && r.env !== process.env) return false;
  if (collection.tracks.some((t) => t.input === '-')) return false;
  if (options.perTrack?.render && !options.perTrack.spec.reportModule) return false;
  return true;
}

async function collectOnPool(collection: Collection, options: CollectOptions, jobs: number): Promise<{ tracks: TrackRecord[]; failures: TrackFailure[] }> {
  const tracks: TrackRecord[] = [];
  const failures: TrackFailure[] = [];
  const resolve = portableResolveOptions(options.resolve);
  const log = options.resolve.log;
  const tasks = collection.tracks.map(
    (ref): TrackTask => ({
      op: 'track',
      ref,
      grid: options.grid ?? 'full',
      resolve,
      identity: 'skip',
      ...(options.shape ? { shape: options.shape } : {}),
      ...(options.perTrack ? { perTrack: options.perTrack.spec } : {}),
    }),
  );
  const pool = await TrackPool.open({ jobs });
  let done = 0;
  try {
    // per-track outputs hold a track's plots until written: fewer in flight
    for await (const outcome of pool.runOrdered(tasks, options.perTrack ? jobs * 2 : jobs * 8)) {
      if (outcome.ok === 'identity') continue;
      for (const line of outcome.warnings) log?.(line);
      if (outcome.ok) {
        const record = outcome.record;
        if (outcome.shape && options.onShape) options.onShape(record, { id: shapeId(options.shape), size: outcome.shape.size, values: record.shape!, sequence: outcome.shape.sequence });
        if (options.perTrack) options.perTrack.onDone(record, outcome.gallery, outcome.perTrackMs ?? 0);
        tracks.push(record);
      } else {
        failures.push(outcome.failure);
      }
      done++;
      options.onProgress?.({ done, total: collection.tracks.length, failed: failures.length, name: outcome.ok ? outcome.record.name : outcome.failure.name });
    }
  } finally {
    await pool.close();
  }
  return { tracks, failures };
}
