/**
 * The scan job: inputs → a Parquet dataset (`src/corpus/`), one row per track, resumable, shardable.
 *
 * 1. List the inputs (`corpus/listing.ts`): directories recursively, manifests, albums, playlists, stdin.
 * 2. Open the dataset: its manifest (created, or checked against this scan's grid and columns), stray
 *    temporary files of this writer deleted, unreadable parts set aside.
 * 3. Read the ledger — the rows already in the readable parts and the failures table — and decide per input:
 *    up to date (a row with its current key; a file whose size and time match its row is trusted without
 *    reading it), failed before with bad input (exit code 2; retried with `retryFailed`), or to do. Rows of
 *    inputs that changed (new key, or an audio analysis by an older analyzer) or are retried are removed
 *    first, from the parts this writer owns, so an input never has two rows.
 * 4. With `--shard K/N`, keep only the inputs whose key falls in shard K (reading a file to learn its key
 *    when its key is its content).
 * 5. Analyse the rest on the pool, outcomes in listing order, and write a part every `partRows` rows
 *    (failures into `_failures/` alongside). Each part is published whole; the parts are the ledger.
 *
 * Killed at any moment (SIGKILL), a scan leaves whole parts and hidden temporary files; run again, it
 * deletes the temporary files and does what is missing. The same inputs and settings give the same part
 * files, byte for byte, for any number of jobs.
 */
import { readdir, rename, stat } from 'node:fs/promises';
import { makeDirectory } from '../util/atomic.js';
import { basename, dirname, join } from 'node:path';
import type { ResolveOptions } from '../sources/resolve.js';
import type { TrackRef } from '../sources/collection.js';
import type { GridSemantics } from '../matrix/grid.js';
import { LOCAL_ANALYZER_VERSION } from '../audio/types.js';
import { VERSION } from '../version.js';
import { inputError, messages, runtimeError } from '../errors.js';
import type { TrackFailure } from '../corpus/record.js';
import { listInputs, type Listing } from '../corpus/listing.js';
import { openManifest, readManifest, type DatasetManifest } from '../corpus/manifest.js';
import { closeDuckDB, openDuckDB, type DuckDB } from '../util/duckdb.js';
import { listParts, parsePartName, partName, removeStrayTemps } from '../corpus/files.js';
import { readColumns, TableWriter, unreadableFiles } from '../corpus/parquet.js';
import {
  DATASET_SHAPE_ID,
  FAILURE_COLUMNS,
  FAILURES_DIR,
  failureCells,
  manifestColumnName,
  trackCells,
  trackColumns,
  type CellValue,
  type FailureRow,
  type TrackRow,
} from '../corpus/schema.js';
import { fileFacts, inShard, keyPlan, shardTag, WHOLE, type Shard, type TrackIdentity } from '../corpus/key.js';
import { TrackPool } from './pool.js';
import { portableResolveOptions, type TrackOutcome, type TrackTask } from './track.js';

/** Rows per part file by default. */
export const DEFAULT_PART_ROWS = 1000;

export interface ScanOptions {
  /** Directories, manifests, album/playlist URIs, files, `-`. */
  inputs: readonly string[];
  /** The dataset directory (created). */
  outDir: string;
  /** Grid semantics of the statistics; default `full`. A dataset holds one. */
  grid?: GridSemantics;
  /** Worker threads; default every core. */
  jobs?: number;
  /** This machine's share of the inputs; default the whole. */
  shard?: Shard;
  /** Rows per part file (integer ≥ 1); default {@link DEFAULT_PART_ROWS}. */
  partRows?: number;
  /** Scan again the inputs that failed with bad input (exit code 2) before; default false. */
  retryFailed?: boolean;
  /** Store each track's shape fingerprint (`src/shape`, default parameters) for `similar`; default true. */
  shape?: boolean;
  resolve: ResolveOptions;
  /** Where `-` reads from; default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** A listing made already (then `inputs` only names it in messages). */
  listing?: Listing;
  onProgress?: (p: ScanProgress) => void;
  /** Informational lines and warnings. */
  log?: (line: string) => void;
}

/** Progress of a scan: `keys` while reading files to learn their keys (sharded scans), then `scan`. */
export interface ScanProgress {
  phase: 'keys' | 'scan';
  done: number;
  total: number;
  failed: number;
  /** The track just finished. */
  name: string;
}

export interface ScanResult {
  outDir: string;
  shard: Shard;
  /** Inputs listed (after duplicates were dropped). */
  listed: number;
  duplicates: number;
  /** Inputs in this shard. */
  inShard: number;
  /** Inputs whose row was there already. */
  upToDate: number;
  /** Inputs that failed with bad input before and were not retried. */
  failedBefore: number;
  /** Inputs scanned now: rows written, and failures. */
  scanned: number;
  failures: TrackFailure[];
  /** Rows removed because their input changed or is retried. */
  dropped: number;
  /** Part files written (tracks, then failures). */
  parts: string[];
  failureParts: string[];
  seconds: number;
}

/** One row of the ledger: what a part says about an input. */
interface LedgerEntry {
  part: string;
  key: string | null;
  fileBytes: bigint | null;
  fileMtimeNs: bigint | null;
  /** Tracks: source and analyzer version (an audio analysis by an older analyzer is stale). */
  source?: string | null;
  analyzerVersion?: string | null;
  /** Failures: the exit code. */
  exitCode?: number;
}

const noop = (): void => undefined;

/**
 * Heap limit of a scan's worker threads, MB (`TrackPool`'s `workerHeapMb`): flat memory over a long scan.
 * A track needing more (a very long analysis) is redone in the main thread.
 */
const SCAN_WORKER_HEAP_MB = 32;

/** Make the output directory, refusing one that holds other files. */
async function prepareOutput(dir: string): Promise<void> {
  let names: string[] | undefined;
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw inputError(messages.corpus.outputNotDataset(dir));
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (names === undefined) {
    try {
      await makeDirectory(dir);
    } catch (e) {
      throw runtimeError(messages.writeFailed(dir, (e as NodeJS.ErrnoException).code ?? String(e)), undefined, e);
    }
    return;
  }
  if (names.some((n) => !n.startsWith('.')) && !(await readManifest(dir))) throw inputError(messages.corpus.outputNotDataset(dir));
}

/** Set aside parts DuckDB cannot read, so their tracks are scanned again. */
async function quarantine(db: DuckDB, parts: string[], log: (line: string) => void): Promise<string[]> {
  const bad = await unreadableFiles(db, parts);
  for (const { path, detail } of bad) {
    await rename(path, join(dirname(path), `.${basename(path)}.unreadable`));
    log(messages.corpus.quarantined(path, detail));
  }
  const gone = new Set(bad.map((b) => b.path));
  return parts.filter((p) => !gone.has(p));
}

async function readLedger(db: DuckDB, parts: string[], kind: 'tracks' | 'failures'): Promise<Map<string, LedgerEntry[]>> {
  const columns = kind === 'tracks' ? ['input', 'track_key', 'file_bytes', 'file_mtime_ns', 'source', 'analyzer_version'] : ['input', 'track_key', 'file_bytes', 'file_mtime_ns', 'exit_code'];
  const rows = await readColumns(db, parts, columns, { filename: true });
  const ledger = new Map<string, LedgerEntry[]>();
  for (const r of rows) {
    const entry: LedgerEntry = {
      part: String(r.filename),
      key: (r.track_key as string | null) ?? null,
      fileBytes: (r.file_bytes as bigint | null) ?? null,
      fileMtimeNs: (r.file_mtime_ns as bigint | null) ?? null,
    };
    if (kind === 'tracks') {
      entry.source = (r.source as string | null) ?? null;
      entry.analyzerVersion = (r.analyzer_version as string | null) ?? null;
    } else {
      entry.exitCode = Number(r.exit_code);
    }
    const input = String(r.input);
    const list = ledger.get(input);
    if (list) list.push(entry);
    else ledger.set(input, [entry]);
  }
  return ledger;
}

/** A row whose analysis a new scan would make differently (audio analysed by another analyzer version). */
function stale(entry: LedgerEntry): boolean {
  return entry.source === 'local' && entry.analyzerVersion !== LOCAL_ANALYZER_VERSION;
}

/** The dataset row of a successful outcome. */
function trackRow(outcome: Extract<TrackOutcome, { ok: true }>, identity: TrackIdentity, ref: TrackRef): TrackRow {
  const shape = outcome.record.shape ?? null;
  const { record, codes } = outcome;
  const s = record.summary;
  return {
    trackKey: identity.trackKey,
    input: ref.input,
    position: ref.position,
    source: s.source,
    analyzerVersion: s.analyzerVersion ?? null,
    trackId: s.trackId ?? ref.id ?? null,
    title: s.title ?? ref.title ?? null,
    artist: s.artist ?? null,
    album: s.album ?? null,
    label: ref.label ?? null,
    columns: ref.columns ?? {},
    durationS: s.durationS,
    tempoBpm: s.tempoBpm ?? null,
    tempoConfidence: s.tempoConfidence ?? null,
    key: codes.key,
    keyConfidence: s.keyConfidence ?? null,
    mode: codes.mode,
    modeConfidence: s.modeConfidence ?? null,
    timeSignature: codes.timeSignature,
    timeSignatureConfidence: s.timeSignatureConfidence ?? null,
    loudnessDb: s.loudnessDb ?? null,
    counts: s.counts,
    gridRows: record.rows,
    mean: record.mean,
    std: record.std,
    shapeId: shape ? DATASET_SHAPE_ID : null,
    shape,
    fileBytes: identity.fileBytes,
    fileMtimeNs: identity.fileMtimeNs,
  };
}

function failureRow(failure: TrackFailure, identity: TrackIdentity | undefined): FailureRow {
  return {
    trackKey: identity?.trackKey ?? null,
    input: failure.ref.input,
    position: failure.ref.position,
    label: failure.ref.label ?? null,
    message: failure.message,
    exitCode: failure.exitCode,
    fileBytes: identity?.fileBytes ?? null,
    fileMtimeNs: identity?.fileMtimeNs ?? null,
  };
}

/**
 * Scan inputs into a dataset (see the module comment).
 *
 * @throws SongscopeError — exit 2 for bad inputs or options (no inputs, a malformed manifest, an output
 *   directory that is not a dataset, a dataset of another grid or other manifest columns); exit 1 when the
 *   dataset cannot be written. One track's failure never throws: it is a row of the failures table.
 */
export async function runScan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const log = options.log ?? noop;
  const shard = options.shard ?? WHOLE;
  const grid = options.grid ?? 'full';
  const partRows = options.partRows ?? DEFAULT_PART_ROWS;
  if (!Number.isInteger(partRows) || partRows < 1) throw inputError(messages.badOption('--part-rows', String(partRows), 'an integer ≥ 1'));
  const listing = options.listing ?? (await listInputs(options.inputs, { resolve: options.resolve, stdin: options.stdin }));
  const outDir = options.outDir;
  await prepareOutput(outDir);
  const manifest: DatasetManifest = await openManifest(outDir, grid, listing.manifestColumns.map((n) => [n, manifestColumnName(n)]));
  const failuresDir = join(outDir, FAILURES_DIR);
  await makeDirectory(failuresDir);
  const writer = shardTag(shard);
  const ownsAll = shard.count === 1;
  await removeStrayTemps(outDir, writer, ownsAll);
  await removeStrayTemps(failuresDir, writer, ownsAll);
  const owned = (part: string): boolean => ownsAll || parsePartName(basename(part))?.writer === writer;

  const db = await openDuckDB();
  let pool: TrackPool | undefined;
  try {
    const trackParts = await quarantine(db, await listParts(outDir), log);
    const failureParts = await quarantine(db, await listParts(failuresDir), log);
    const tracksLedger = await readLedger(db, trackParts, 'tracks');
    const failuresLedger = await readLedger(db, failureParts, 'failures');
    const refs = listing.tracks;

    // ---- identities: known from the input, from a ledger row whose file facts still match, or to compute
    const plans = refs.map((ref) => keyPlan(ref));
    const identities: (TrackIdentity | undefined)[] = new Array(refs.length);
    const needKey: number[] = [];
    const known = (i: number) => [...(tracksLedger.get(refs[i].input) ?? []), ...(failuresLedger.get(refs[i].input) ?? [])];
    const statted: number[] = [];
    for (let i = 0; i < refs.length; i++) {
      const plan = plans[i];
      if (plan.kind === 'fixed') identities[i] = { trackKey: plan.trackKey, fileBytes: null, fileMtimeNs: null };
      else if (tracksLedger.has(refs[i].input) || failuresLedger.has(refs[i].input)) statted.push(i);
      // a new input: the task computes its identity, unless the shard needs its key first
      else if (shard.count > 1 && !plan.nameKey) needKey.push(i);
    }
    // inputs seen before: compare the file facts with the ledger's (stat calls in batches)
    for (let b = 0; b < statted.length; b += 256) {
      const batch = statted.slice(b, b + 256);
      const facts = await Promise.all(batch.map((i) => fileFacts((plans[i] as { path: string }).path).catch(() => undefined)));
      batch.forEach((i, j) => {
        const f = facts[j];
        const plan = plans[i];
        if (!f || plan.kind !== 'file') return; // unreadable now: the task fails and says why
        if (plan.nameKey) {
          identities[i] = { trackKey: plan.nameKey, ...f };
          return;
        }
        const match = known(i).find((e) => e.key !== null && e.fileBytes === f.fileBytes && e.fileMtimeNs === f.fileMtimeNs);
        if (match) identities[i] = { trackKey: match.key!, ...f };
        else needKey.push(i);
      });
    }
    needKey.sort((a, b) => a - b);
    const openPool = async (): Promise<TrackPool> => (pool ??= await TrackPool.open({ jobs: options.jobs, workerHeapMb: SCAN_WORKER_HEAP_MB }));
    if (needKey.length > 0) {
      const pool = await openPool();
      let done = 0;
      let failed = 0;
      let k = 0;
      for await (const outcome of pool.runOrdered(needKey.map((i): TrackTask => ({ op: 'identify', ref: refs[i] })))) {
        const i = needKey[k++];
        if (outcome.ok === 'identity' && outcome.identity) identities[i] = outcome.identity;
        else failed++;
        options.onProgress?.({ phase: 'keys', done: ++done, total: needKey.length, failed, name: refs[i].input });
      }
    }

    // ---- decide per input, collecting the rows to remove from owned parts
    const dropTracks = new Map<string, Set<string>>();
    const dropFailures = new Map<string, Set<string>>();
    const drop = (into: Map<string, Set<string>>, entries: readonly LedgerEntry[], input: string, keep?: LedgerEntry): void => {
      for (const e of entries) {
        if (e === keep || !owned(e.part)) continue;
        const set = into.get(e.part) ?? new Set<string>();
        set.add(input);
        into.set(e.part, set);
      }
    };
    const todo: number[] = [];
    let inShardCount = 0;
    let upToDate = 0;
    let failedBefore = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      const plan = plans[i];
      const id = identities[i];
      const rows = tracksLedger.get(ref.input) ?? [];
      const fails = failuresLedger.get(ref.input) ?? [];
      // the key that places the input in a shard: its own, its name key, else the input text (unreadable files)
      const placeKey = id?.trackKey ?? (plan.kind === 'file' ? plan.nameKey : undefined) ?? `input:${ref.input}`;
      if (shard.count > 1 && !inShard(placeKey, shard)) {
        // another shard's now; a row this writer made under an older key is stale
        drop(dropTracks, rows.filter((e) => e.key !== id?.trackKey), ref.input);
        drop(dropFailures, fails.filter((e) => e.key !== (id?.trackKey ?? null)), ref.input);
        continue;
      }
      inShardCount++;
      const current = id ? rows.find((e) => e.key === id.trackKey && !stale(e)) : undefined;
      if (current) {
        upToDate++;
        drop(dropTracks, rows, ref.input, current);
        drop(dropFailures, fails, ref.input);
        continue;
      }
      // bad input (exit 2) is not retried unless asked; a runtime failure (network …) is retried every time
      const failedEarlier = fails.find((e) => e.key === (id?.trackKey ?? null));
      if (failedEarlier && failedEarlier.exitCode === 2 && !options.retryFailed) {
        failedBefore++;
        drop(dropTracks, rows, ref.input);
        drop(dropFailures, fails, ref.input, failedEarlier);
        continue;
      }
      drop(dropTracks, rows, ref.input);
      drop(dropFailures, fails, ref.input);
      todo.push(i);
    }

    // ---- remove what is replaced (before anything new is written: an input never has two rows)
    const trackWriter = new TableWriter(db, 'tracks', trackColumns(manifest.manifest_columns.map(([, name]) => name)), {
      songscope: `songscope ${VERSION}`,
      songscope_table: 'tracks',
      grid: manifest.grid,
    });
    const failureWriter = new TableWriter(db, 'failures', FAILURE_COLUMNS, { songscope: `songscope ${VERSION}`, songscope_table: 'failures', grid: manifest.grid });
    let dropped = 0;
    for (const [part, inputs] of dropTracks) dropped += await trackWriter.dropInputs(part, inputs);
    for (const [part, inputs] of dropFailures) dropped += await failureWriter.dropInputs(part, inputs);
    if (dropped > 0) log(messages.corpus.droppedRows(dropped));

    // ---- scan
    const runOf = (parts: string[]) => Math.max(0, ...parts.map((p) => parsePartName(basename(p))).filter((p) => p?.writer === writer).map((p) => p!.run));
    const run = 1 + Math.max(runOf(await listParts(outDir)), runOf(await listParts(failuresDir)));
    const written: string[] = [];
    const writtenFailures: string[] = [];
    let trackBuffer: CellValue[][] = [];
    let failureBuffer: CellValue[][] = [];
    const flush = async (): Promise<void> => {
      if (trackBuffer.length > 0) {
        const path = join(outDir, partName(writer, run, written.length + 1));
        await trackWriter.writeNew(trackBuffer, path);
        written.push(path);
        trackBuffer = [];
      }
      if (failureBuffer.length > 0) {
        const path = join(failuresDir, partName(writer, run, writtenFailures.length + 1));
        await failureWriter.writeNew(failureBuffer, path);
        writtenFailures.push(path);
        failureBuffer = [];
      }
    };
    const failures: TrackFailure[] = [];
    const tasks = todo.map(
      (i): TrackTask => ({
        op: 'track',
        ref: refs[i],
        grid,
        resolve: portableResolveOptions(options.resolve),
        identity: identities[i] ?? 'compute',
        ...(options.shape !== false ? { shape: {} } : {}),
      }),
    );
    let done = 0;
    let k = 0;
    const runner = tasks.length > 0 ? await openPool() : undefined;
    for await (const outcome of runner?.runOrdered(tasks) ?? []) {
      const ref = refs[todo[k++]];
      if (outcome.ok === true) {
        for (const w of outcome.warnings) log(w);
        trackBuffer.push(trackCells(trackRow(outcome, outcome.identity!, ref), manifest.manifest_columns));
      } else if (outcome.ok === false) {
        for (const w of outcome.warnings) log(w);
        failures.push(outcome.failure);
        failureBuffer.push(failureCells(failureRow(outcome.failure, outcome.identity)));
      }
      if (trackBuffer.length >= partRows || failureBuffer.length >= partRows) await flush();
      options.onProgress?.({ phase: 'scan', done: ++done, total: tasks.length, failed: failures.length, name: outcome.ok === true ? outcome.record.name : ref.input });
    }
    await flush();
    return {
      outDir,
      shard,
      listed: refs.length,
      duplicates: listing.duplicates,
      inShard: inShardCount,
      upToDate,
      failedBefore,
      scanned: tasks.length,
      failures,
      dropped,
      parts: written,
      failureParts: writtenFailures,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await pool?.close();
    closeDuckDB(db);
  }
}
