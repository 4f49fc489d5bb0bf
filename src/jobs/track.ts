/**
 * One track's work, as a pool task: resolve an input to its analysis (a file read and validated, an MSD
 * `.h5` decoded, an audio file decoded and analysed — cached by content hash — or a Spotify track through
 * cache/fixtures/API), compute its identity and its record (summary, row count, the 26 column means and
 * standard deviations from the event runs: no 1 ms matrix), and return plain data. Nothing here throws for
 * one track: a failure is an outcome.
 *
 * Runs in a worker thread (`./worker.ts`) or, for one job, in the calling thread; the outcome is the same.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { MAX_ANALYSIS_FILE_BYTES } from '../limits.js';
import type { Analysis } from '../analysis/types.js';
import { summarizeAnalysis } from '../analysis/summary.js';
import { eventColumnStats, eventGrid, type EventGrid } from '../matrix/events.js';
import type { ColumnStats } from '../transforms/normalize.js';
import type { Points } from '../transforms/points.js';
import { fingerprintFromGrid, type ShapeFingerprint, type ShapeOptions } from '../shape/fingerprint.js';
import type { ReportGalleryItem } from '../plots/page.js';
import type { PerTrackSpec } from './perTrack.js';
import type { GridSemantics } from '../matrix/grid.js';
import { fillProvenance, type TrackRef } from '../sources/collection.js';
import { resolveAnalysis, spotifyClientOptions, type ResolveOptions } from '../sources/resolve.js';
import { SpotifyClient, type SpotifyClientOptions } from '../sources/spotify.js';
import { ExitCode, SongscopeError, inputError, messages } from '../errors.js';
import { trackName, type TrackFailure, type TrackRecord } from '../corpus/record.js';
import { identify, keyPlan, type KeyPlan, type TrackIdentity } from '../corpus/key.js';
import { analysisFromFileBytes } from '../sources/files.js';
import { isHdf5 } from '../sources/msd.js';

/**
 * The resolver options a task carries across a thread boundary: plain data only (no log function, no
 * client, no stdin). The Spotify options keep explicit `undefined`s, which override the environment.
 */
export interface PortableResolveOptions {
  cacheDir?: string;
  useCache?: boolean;
  offline?: boolean;
  spotify?: Omit<SpotifyClientOptions, 'log' | 'fetch'>;
}

/** The portable part of resolver options (functions, the client and stdin left out). */
export function portableResolveOptions(options: ResolveOptions): PortableResolveOptions {
  const out: PortableResolveOptions = {};
  if ('cacheDir' in options) out.cacheDir = options.cacheDir;
  if ('useCache' in options) out.useCache = options.useCache;
  if ('offline' in options) out.offline = options.offline;
  if (options.spotify) {
    const { log: _log, fetch: _fetch, ...spotify } = options.spotify;
    out.spotify = spotify;
  }
  return out;
}

/** A task: find an input's identity only, or analyse it into a record. */
export type TrackTask =
  | { op: 'identify'; ref: TrackRef }
  | {
      op: 'track';
      ref: TrackRef;
      /** Grid semantics of the statistics; default `full`. */
      grid?: GridSemantics;
      resolve: PortableResolveOptions;
      /** Compute the identity (track_key, file facts) too, unless already known here. */
      identity?: TrackIdentity | 'compute' | 'skip';
      /** Compute the shape fingerprint with these options into `record.shape` (and return its sequence). */
      shape?: ShapeOptions;
      /** Write the track's own outputs of a batch job (`./perTrack.ts`). */
      perTrack?: PerTrackSpec;
    };

/** Track-level integers the summary keeps only as text. */
export interface TrackCodes {
  /** Pitch class 0–11, −1 unknown. */
  key: number | null;
  /** 1 major, 0 minor, −1 unknown. */
  mode: number | null;
  /** Beats per bar. */
  timeSignature: number | null;
}

/** What a task returns. */
export type TrackOutcome =
  | {
      ok: true;
      record: TrackRecord;
      codes: TrackCodes;
      identity?: TrackIdentity;
      warnings: string[];
      ms: number;
      /** With `shape`: the fingerprint's size and sequence (the trajectory). */
      shape?: { size: number; sequence: Points };
      /** With `perTrack`: the gallery entry of the track's report, when one was written. */
      gallery?: ReportGalleryItem;
      /** With `perTrack`: milliseconds spent on the track's own outputs. */
      perTrackMs?: number;
    }
  | { ok: false; failure: TrackFailure; identity?: TrackIdentity; warnings: string[]; ms: number }
  | { ok: 'identity'; identity?: TrackIdentity; failure?: TrackFailure; ms: number };

/** One Spotify client per distinct options in this thread: one token and one rate-limit gate per thread. */
const clients = new Map<string, SpotifyClient>();
/** Where this thread's shared clients log: the task running now (tasks in one thread run one at a time per await chain). */
let clientLog: (line: string) => void = () => undefined;

function sharedClient(options: ResolveOptions): SpotifyClient | undefined {
  const spotify = spotifyClientOptions({ ...options, log: undefined });
  const key = JSON.stringify(spotify, (_k, v) => (v === undefined ? null : v));
  let client = clients.get(key);
  if (!client) {
    try {
      client = new SpotifyClient({ ...spotify, log: (line) => clientLog(line) });
    } catch {
      return undefined; // invalid options: resolveAnalysis reports them per track
    }
    clients.set(key, client);
  }
  return client;
}

/** Whether resolving this ref may go to Spotify. */
function isSpotify(ref: TrackRef): boolean {
  if (ref.id !== undefined) return true;
  try {
    const plan = keyPlan(ref);
    return plan.kind === 'fixed' && (plan.trackKey.startsWith('spotify:') || plan.trackKey.startsWith('search:'));
  } catch {
    return false;
  }
}

function toFailure(ref: TrackRef, e: unknown, analysis?: Analysis): TrackFailure {
  return {
    ref,
    name: trackName(ref, analysis),
    message: e instanceof Error ? e.message : String(e),
    exitCode: e instanceof SongscopeError ? e.exitCode : ExitCode.RUNTIME,
  };
}

/** A file-system error while reading an input for its key, as the message resolving it would give. */
function identityError(ref: TrackRef, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return inputError(messages.fileNotFound(ref.input));
  if (code === 'EISDIR') return inputError(messages.isDirectory(ref.input));
  if (code) return inputError(messages.fileUnreadable(ref.input, code));
  return e;
}

const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** This thread's read buffer, reused from track to track (grown to the largest file). */
let readBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * A whole file read into this thread's buffer (valid until the next call), with its size and time. One
 * open, one fstat, one read: no per-file buffers (large allocations cost page faults, and threads of one
 * process fault under one lock).
 */
function readWhole(path: string): { bytes: Buffer; fileBytes: bigint; fileMtimeNs: bigint } | undefined {
  // only a regular file within the size limit: a FIFO would block the open, a device or a huge file is
  // for the usual path (resolveAnalysis), which reads them within limits and names what is wrong
  const before = statSync(path);
  if (!before.isFile() || before.size > MAX_ANALYSIS_FILE_BYTES) return undefined;
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile() || Number(st.size) > MAX_ANALYSIS_FILE_BYTES) return undefined;
    const size = Number(st.size);
    if (size > readBuffer.length) readBuffer = Buffer.allocUnsafe(Math.ceil(size * 1.25));
    let n = 0;
    while (n < size) {
      const got = readSync(fd, readBuffer, n, size - n, n);
      if (got === 0) break;
      n += got;
    }
    return { bytes: readBuffer.subarray(0, n), fileBytes: st.size, fileMtimeNs: st.mtimeNs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Run one task (see {@link TrackTask}). Never throws: failures are outcomes.
 *
 * @param env - the environment for Spotify credentials and the cache directory; default `process.env`
 */
export async function runTrackTask(task: TrackTask, env: NodeJS.ProcessEnv = process.env): Promise<TrackOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const ref = task.ref;
  let identity: TrackIdentity | undefined;
  const wantIdentity = task.op === 'identify' || task.identity === 'compute';
  if (task.op === 'track' && typeof task.identity === 'object') identity = task.identity;
  const warnings: string[] = [];
  const log = (line: string) => warnings.push(line);
  let analysis: Analysis | undefined;
  let plan: KeyPlan | undefined;
  try {
    plan = keyPlan(ref);
  } catch {
    plan = undefined; // resolving it says what is wrong
  }
  if (task.op === 'track' && plan?.kind === 'file' && /\.json$/i.test(plan.path)) {
    // the common case of a corpus: an analysis JSON read once, hashed and parsed from the same bytes (what
    // identify() then resolveAnalysis() give, without reading it twice); an HDF5 file goes the usual way
    try {
      const whole = readWhole(plan.path);
      if (whole && !isHdf5(whole.bytes)) {
        const { bytes, fileBytes, fileMtimeNs } = whole;
        if (wantIdentity && !identity) identity = { trackKey: plan.nameKey ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`, fileBytes, fileMtimeNs };
        analysis = analysisFromFileBytes(bytes, plan.path, log);
      }
    } catch (e) {
      const error = (e as NodeJS.ErrnoException).code ? identityError(ref, e) : e;
      return { ok: false, failure: toFailure(ref, error), identity, warnings, ms: ms() };
    }
  }
  if (wantIdentity && !identity) {
    try {
      identity = await identify(keyPlan(ref));
    } catch (e) {
      const failure = toFailure(ref, identityError(ref, e));
      if (task.op === 'identify') return { ok: 'identity', failure, ms: ms() };
      return { ok: false, failure, warnings: [], ms: ms() };
    }
  }
  if (task.op === 'identify') return { ok: 'identity', identity, ms: ms() };

  try {
    if (!analysis) {
      const resolve: ResolveOptions = { ...task.resolve, env, log };
      if (isSpotify(ref)) {
        const client = sharedClient(resolve);
        if (client) resolve.client = client;
      }
      clientLog = log;
      analysis = await resolveAnalysis(ref.input, resolve);
    }
    fillProvenance(analysis, ref);
    const { record, events, stats, fingerprint } = recordTrack(analysis, ref, task.grid ?? 'full', task.shape);
    let gallery: ReportGalleryItem | undefined;
    let perTrackMs: number | undefined;
    if (task.perTrack) {
      const t0 = performance.now();
      // loaded only here: a scan's workers never load the plotting stack
      const { importRenderer, writeTrackOutputs } = await import('./perTrack.js');
      const render = task.perTrack.reportModule ? await importRenderer(task.perTrack.reportModule) : undefined;
      gallery = await writeTrackOutputs(analysis, events, stats, record, task.perTrack, render);
      perTrackMs = performance.now() - t0;
    }
    const t = analysis.track;
    const codes: TrackCodes = { key: intOrNull(t.key), mode: intOrNull(t.mode), timeSignature: intOrNull(t.time_signature) };
    return {
      ok: true,
      record,
      codes,
      identity,
      warnings,
      ms: ms(),
      ...(fingerprint ? { shape: { size: fingerprint.size, sequence: fingerprint.sequence } } : {}),
      ...(gallery ? { gallery } : {}),
      ...(perTrackMs !== undefined ? { perTrackMs } : {}),
    };
  } catch (e) {
    return { ok: false, failure: toFailure(ref, e, analysis), identity, warnings, ms: ms() };
  }
}

/** A track's record and what made it: its grid as events, their column statistics, and its fingerprint when asked. */
export interface TrackWork {
  record: TrackRecord;
  events: EventGrid;
  stats: ColumnStats;
  fingerprint?: ShapeFingerprint;
}

/**
 * The record of an analysed track: summary, row count and the 26 column means and standard deviations from
 * the event runs (no 1 ms matrix), and the shape fingerprint when `shape` is given (always on the `full`
 * grid). The one place a record is made, in the calling thread or a worker.
 *
 * @throws SongscopeError (exit 2) when the analysis puts no event on the grid
 */
export function recordTrack(analysis: Analysis, ref: TrackRef, grid: GridSemantics, shape?: ShapeOptions): TrackWork {
  const name = trackName(ref, analysis);
  const events = eventGrid(analysis, grid);
  if (events.rows === 0) throw inputError(messages.toolkit.noEvents(name));
  const stats = eventColumnStats(events);
  const record: TrackRecord = { ref, name, summary: summarizeAnalysis(analysis), rows: events.rows, mean: stats.mean, std: stats.std };
  if (!shape) return { record, events, stats };
  const fingerprint = fingerprintFromGrid(grid === 'full' ? events : eventGrid(analysis, 'full'), analysis.bars.map((b) => b.start), shape);
  record.shape = fingerprint.values;
  return { record, events, stats, fingerprint };
}
