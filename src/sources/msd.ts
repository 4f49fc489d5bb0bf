/**
 * Million Song Dataset reader: one track's `.h5` file → the Spotify / Echo Nest analysis schema.
 *
 * An MSD track file (HDF5, written by PyTables) holds the Echo Nest 3.x analysis as separate columns:
 * `/analysis/songs` is a one-row compound table with the track-level values (duration, tempo, key, …,
 * track_id), and `/analysis/<kind>_start`, `/analysis/<kind>_confidence`, … hold one value per event
 * (`segments_pitches` and `segments_timbre` are n×12). `/metadata/songs` carries artist_name and title.
 * Event durations and `loudness_end` are not stored; durations are derived here (next start − start,
 * the last event running to the track duration) and `loudness_end` is left out.
 *
 * The file is read with h5wasm (HDF5 compiled to WebAssembly). Its Node build uses Emscripten's
 * NODERAWFS, so the host path is opened directly: nothing is copied into an in-memory filesystem.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { AudioAnalysis, Section, Segment, TimeInterval, TrackInfoSection } from '../analysis/types.js';
import { ExitCode, SongscopeError, inputError, messages } from '../errors.js';

/** The 8-byte HDF5 format signature: `\x89HDF\r\n\x1a\n`. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/**
 * True when the bytes start with the HDF5 signature (`\x89HDF\r\n\x1a\n`).
 *
 * Only offset 0 is checked. (HDF5 also allows the superblock after a user block at 512, 1024, 2048, …
 * bytes; Million Song Dataset files have no user block.)
 *
 * @param bytes The first bytes of a file; at least 8 are needed for a `true` answer.
 */
export function isHdf5(bytes: Uint8Array): boolean {
  if (bytes.length < HDF5_SIGNATURE.length) return false;
  return HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}


// ---- h5wasm loading -------------------------------------------------------------------------------

type H5wasm = typeof import('h5wasm/node').default;
type H5File = InstanceType<H5wasm['File']>;
type H5Dataset = InstanceType<H5wasm['Dataset']>;

/** The parts of the Emscripten module used here that h5wasm's typings do not declare. */
interface H5ModuleExtras {
  activate_throwing_error_handler(): number;
  deactivate_throwing_error_handler(): number;
  FS: { streams: ({ path?: string } | null | undefined)[]; close(stream: unknown): void };
}

interface Loaded {
  h5: H5wasm;
  module: H5ModuleExtras;
}

let loading: Promise<Loaded> | undefined;

/** Load h5wasm once per process, on first use (instantiating the wasm takes ~100 ms). */
function loadH5wasm(): Promise<Loaded> {
  loading ??= import('h5wasm/node').then(async (mod) => {
    const h5 = mod.default;
    const module = (await h5.ready) as unknown as H5ModuleExtras;
    return { h5, module };
  });
  return loading;
}

// ---- reading --------------------------------------------------------------------------------------

/** The per-event datasets under `/analysis`, in the order they are checked. */
const EVENT_DATASETS = [
  'segments_start',
  'segments_confidence',
  'segments_loudness_start',
  'segments_loudness_max',
  'segments_loudness_max_time',
  'segments_pitches',
  'segments_timbre',
  'beats_start',
  'beats_confidence',
  'bars_start',
  'bars_confidence',
  'tatums_start',
  'tatums_confidence',
  'sections_start',
  'sections_confidence',
] as const;
type EventDataset = (typeof EVENT_DATASETS)[number];

/** Track-level fields copied from `/analysis/songs`, in output order (duration is required). */
const TRACK_FIELDS = [
  'duration',
  'tempo',
  'key',
  'mode',
  'time_signature',
  'loudness',
  'end_of_fade_in',
  'start_of_fade_out',
] as const;

/** Numbers of one dataset, row-major, with its shape. */
interface NumericData {
  values: ArrayLike<number>;
  shape: number[];
}

/** A compound table's first row, by member name. */
type Row = Map<string, unknown>;

/**
 * Read one track from an MSD .h5 file into the Spotify/Echo Nest analysis schema (unvalidated).
 *
 * Output, with keys in this order (matching the h5py reference conversion):
 * - `meta`: `{ source: 'msd', track_id, artist, title }` (artist/title from `/metadata/songs`; left out
 *   when that table is absent);
 * - `track`: `{ duration, tempo, key, mode, time_signature, loudness, end_of_fade_in,
 *   start_of_fade_out }` from `/analysis/songs` — seconds, BPM, pitch class 0–11 (−1 unknown),
 *   1 major / 0 minor, beats per bar, dB, seconds, seconds;
 * - `bars`, `beats`, `tatums`, `sections`: `{ start, duration, confidence }` each (seconds, seconds,
 *   0–1);
 * - `segments`: `{ start, duration, confidence, loudness_start, loudness_max, loudness_max_time,
 *   pitches, timbre }` — dB for the loudnesses, seconds from the segment start for
 *   `loudness_max_time`, and 12 values each for `pitches` (C…B, 0–1) and `timbre`.
 *
 * Durations are not stored in the file: `duration = next start − start` (plain float64 subtraction),
 * and the last event of each kind runs to `track.duration`. Events are kept in file order; nothing
 * is sorted, clamped or validated here. Numbers are the stored values exactly: float64 as is, float32
 * widened exactly to float64 (as h5py's `float()` / `.tolist()` do), integers as numbers.
 * Fixed-length strings (track_id, artist, title) are decoded as UTF-8 (text that is not valid UTF-8
 * is kept as h5wasm decoded it, one character per byte).
 *
 * Nothing is printed: HDF5's own diagnostics are turned into the error's `cause`.
 *
 * @param path File path, absolute or relative to the current directory.
 * @throws {SongscopeError} exit code 2: the file does not exist (`messages.fileNotFound`), cannot be
 *   read, is not HDF5, is a damaged HDF5 file, or lacks (or has misshapen) MSD datasets — the one-line
 *   message names the file and the dataset.
 */
export async function readMsdFile(path: string): Promise<AudioAnalysis> {
  await checkSignature(path);
  const { h5, module } = await loadH5wasm();
  // From here on everything is synchronous, so concurrent calls cannot interleave inside HDF5 and the
  // error-handler switch below cannot leak into another caller's h5wasm use.
  return withQuietHdf5(module, () => {
    let file: H5File;
    try {
      file = new h5.File(resolve(path), 'r');
    } catch (error) {
      throw hdf5Error(path, error);
    }
    if (file.file_id < 0n) throw hdf5Error(path, undefined);
    try {
      return readTrack(path, h5, file);
    } catch (error) {
      // HDF5 read failures (a damaged dataset) arrive as plain Errors from the throwing handler.
      throw error instanceof SongscopeError ? error : hdf5Error(path, error);
    } finally {
      file.close();
    }
  });
}

/** Fail early, without involving HDF5, for a missing, unreadable or non-HDF5 file. */
async function checkSignature(path: string): Promise<void> {
  const head = new Uint8Array(HDF5_SIGNATURE.length);
  let read = 0;
  try {
    const handle = await open(path, 'r');
    try {
      ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw inputError(messages.fileNotFound(path));
    const detail = code ?? (error instanceof Error ? error.message : String(error));
    throw new SongscopeError(messages.fileUnreadable(path, detail), { exitCode: ExitCode.USAGE, cause: error });
  }
  if (!isHdf5(head.subarray(0, read))) throw inputError(messages.msd.notHdf5(path), messages.msd.notMsdHint());
}

/**
 * Run `body` with HDF5's error printing replaced by a throwing handler, so that a damaged file gives a
 * JS error instead of an `HDF5-DIAG` report written straight to file descriptor 2 (which bypasses
 * `process.stderr`, so it cannot be intercepted from JS). The default handler is restored afterwards.
 *
 * h5wasm's throwing handler formats the report into a `tmpfile()` and throws before closing it, which
 * leaks one (already unlinked) host file descriptor per error; those streams are closed here.
 */
function withQuietHdf5<T>(module: H5ModuleExtras, body: () => T): T {
  const streams = module.FS.streams;
  const openBefore = new Set(streams.filter(Boolean));
  module.activate_throwing_error_handler();
  try {
    return body();
  } finally {
    module.deactivate_throwing_error_handler();
    for (const stream of streams.slice()) {
      if (stream && !openBefore.has(stream) && stream.path?.startsWith('/tmp/tmpfile_')) {
        try {
          module.FS.close(stream);
        } catch {
          // already closed: nothing to release
        }
      }
    }
  }
}

/** A damaged HDF5 file: name the last HDF5 "minor" reason, keep the whole report as the cause. */
function hdf5Error(path: string, error: unknown): SongscopeError {
  const report = error instanceof Error ? error.message : '';
  const minors = [...report.matchAll(/minor: (.+)/g)].map((m) => m[1]!.trim());
  const detail = minors.length > 0 ? `HDF5: ${minors[minors.length - 1]}` : 'HDF5 could not open it';
  return new SongscopeError(messages.fileUnreadable(path, detail), {
    exitCode: ExitCode.USAGE,
    hint: messages.msd.notMsdHint(),
    cause: error,
  });
}

function readTrack(path: string, h5: H5wasm, file: H5File): AudioAnalysis {
  const dataset = (name: string): H5Dataset => {
    const entity = file.get(name);
    if (!(entity instanceof h5.Dataset)) {
      throw inputError(
        messages.invalidField(path, `dataset /${name}`, 'is missing (not a Million Song Dataset track file)'),
        messages.msd.notMsdHint(),
      );
    }
    return entity;
  };

  // Check that every dataset exists before reading any, so the error names the first missing one.
  const songsDs = dataset('analysis/songs');
  const eventDs = new Map<EventDataset, H5Dataset>(EVENT_DATASETS.map((n) => [n, dataset(`analysis/${n}`)]));
  const metaEntity = file.get('metadata/songs');
  const metaDs = metaEntity instanceof h5.Dataset ? metaEntity : undefined;

  const songs = firstRow(path, songsDs);
  const meta = metaDs === undefined ? undefined : firstRow(path, metaDs);

  const track: TrackInfoSection = { duration: 0 };
  for (const field of TRACK_FIELDS) {
    const value = songs.get(field);
    if (value === undefined) {
      if (field === 'duration') {
        throw inputError(messages.invalidField(path, 'dataset /analysis/songs', 'has no field "duration"'));
      }
      continue;
    }
    track[field] = asNumber(path, 'analysis/songs', field, value);
  }
  const end = track.duration;

  const read = (name: EventDataset, width?: number, rows?: number): NumericData =>
    numeric(path, `analysis/${name}`, eventDs.get(name)!, width, rows);

  const intervals = (kind: 'bars' | 'beats' | 'tatums' | 'sections'): TimeInterval[] => {
    const start = read(`${kind}_start`).values;
    const confidence = read(`${kind}_confidence`, undefined, start.length).values;
    const duration = durations(start, end);
    return Array.from(start, (s, i) => ({ start: s, duration: duration[i]!, confidence: confidence[i]! }));
  };

  const segStart = read('segments_start').values;
  const n = segStart.length;
  const segConfidence = read('segments_confidence', undefined, n).values;
  const loudnessStart = read('segments_loudness_start', undefined, n).values;
  const loudnessMax = read('segments_loudness_max', undefined, n).values;
  const loudnessMaxTime = read('segments_loudness_max_time', undefined, n).values;
  const pitches = read('segments_pitches', 12, n).values;
  const timbre = read('segments_timbre', 12, n).values;
  const segDuration = durations(segStart, end);
  const segments: Segment[] = Array.from(segStart, (s, i) => ({
    start: s,
    duration: segDuration[i]!,
    confidence: segConfidence[i]!,
    loudness_start: loudnessStart[i]!,
    loudness_max: loudnessMax[i]!,
    loudness_max_time: loudnessMaxTime[i]!,
    pitches: row12(pitches, i),
    timbre: row12(timbre, i),
  }));

  const metaOut: Record<string, unknown> = { source: 'msd' };
  const trackId = songs.get('track_id');
  if (typeof trackId === 'string') metaOut.track_id = trackId;
  const artist = meta?.get('artist_name');
  if (typeof artist === 'string') metaOut.artist = artist;
  const title = meta?.get('title');
  if (typeof title === 'string') metaOut.title = title;

  return {
    meta: metaOut,
    track,
    bars: intervals('bars'),
    beats: intervals('beats'),
    tatums: intervals('tatums'),
    sections: intervals('sections') as Section[],
    segments,
  };
}

/** next start − start; the last runs to `end`. */
function durations(start: ArrayLike<number>, end: number): number[] {
  const out = new Array<number>(start.length);
  for (let i = 0; i < start.length; i++) out[i] = (i + 1 < start.length ? start[i + 1]! : end) - start[i]!;
  return out;
}

function row12(values: ArrayLike<number>, i: number): number[] {
  const out = new Array<number>(12);
  for (let j = 0; j < 12; j++) out[j] = values[i * 12 + j]!;
  return out;
}

/**
 * A numeric dataset's values. `width`: require shape [n, width] (else [n]); `rows`: require n = rows.
 * Float64 and smaller integer types come back as typed arrays whose elements read as exact numbers
 * (a Float32Array element widens exactly); 64-bit integers (BigInt) are converted with `Number`.
 */
function numeric(path: string, name: string, ds: H5Dataset, width?: number, rows?: number): NumericData {
  const shape = ds.shape ?? [];
  const expected: (number | string)[] = width === undefined ? [rows ?? 'n'] : [rows ?? 'n', width];
  const shapeOk =
    shape.length === expected.length && shape.every((d, i) => typeof expected[i] === 'string' || d === expected[i]);
  if (!shapeOk) {
    throw inputError(
      messages.invalidField(path, `dataset /${name}`, `has shape [${shape.join(', ')}]; expected [${expected.join(', ')}]`),
    );
  }
  const type = ds.metadata.type;
  if (type !== 0 && type !== 1) {
    throw inputError(messages.invalidField(path, `dataset /${name}`, `is not numeric (dtype ${JSON.stringify(ds.dtype)})`));
  }
  const total = shape.reduce((a, b) => a * b, 1);
  if (total === 0) return { values: [], shape };
  const value = ds.value;
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return { values: Array.from(value, Number), shape };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return { values: value as ArrayLike<number>, shape };
  throw inputError(messages.invalidField(path, `dataset /${name}`, 'could not be read as numbers'));
}

/** The first row of a compound table, by member name; strings decoded as UTF-8. */
function firstRow(path: string, ds: H5Dataset): Row {
  const name = ds.path;
  const members = ds.metadata.compound_type?.members;
  if (members === undefined) {
    throw inputError(messages.invalidField(path, `dataset ${name}`, 'is not a table (compound dataset)'));
  }
  const rows = ds.value;
  const first = Array.isArray(rows) ? rows[0] : undefined;
  if (!Array.isArray(first)) throw inputError(messages.invalidField(path, `dataset ${name}`, 'has no rows'));
  const row: Row = new Map();
  members.forEach((member, i) => {
    const value = first[i];
    row.set(member.name, typeof value === 'string' && member.cset !== 1 ? redecodeUtf8(value) : value);
  });
  return row;
}

function asNumber(path: string, table: string, field: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw inputError(messages.invalidField(path, `dataset /${table}`, `field "${field}" is not a number`));
}

// ---- strings ---------------------------------------------------------------------------------------

let asciiDecoderBytes: Map<string, number> | undefined;

/**
 * h5wasm decodes ASCII-tagged fixed-length strings with `new TextDecoder('ascii')`: Windows-1252 in the
 * WHATWG standard, ISO-8859-1 in some Node versions (Node 20.20 decodes 0x80 as U+0080). Either way
 * every byte maps to one character, so map the characters back to bytes — with the same decoder, plus
 * the ISO-8859-1 identity — and decode the bytes as UTF-8, which MSD strings are. Text that is not valid
 * UTF-8 is returned as h5wasm decoded it.
 */
function redecodeUtf8(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  if (asciiDecoderBytes === undefined) {
    const decoder = new TextDecoder('ascii');
    asciiDecoderBytes = new Map();
    for (let b = 0; b < 256; b++) asciiDecoderBytes.set(decoder.decode(Uint8Array.of(b)), b);
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const b = asciiDecoderBytes.get(ch) ?? (code <= 0xff ? code : undefined);
    if (b === undefined) return text;
    bytes.push(b);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return text;
  }
}
