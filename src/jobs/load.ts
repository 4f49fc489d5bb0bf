/**
 * What every transform subcommand reads: a matrix file (Arrow IPC file or stream, CSV), `-` (an Arrow
 * stream — or analysis JSON — on standard input), or any analysis input the resolver accepts (a track
 * URI/URL/id, a search, an analysis JSON or MSD `.h5` file), whose 1 ms matrix is then built on the fly.
 */
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename } from 'node:path';
import type { Analysis } from '../analysis/types.js';
import { analysisSlug } from '../analysis/summary.js';
import { slug } from '../util/slug.js';
import { analysisFromJson } from '../analysis/fromJson.js';
import { resolveAnalysis, type ResolveOptions } from '../sources/resolve.js';
import { jsonStart, parseJsonBytes } from '../util/jsonBytes.js';
import { FEATURE_COLUMNS, type FeatureMatrix, type MatrixMetadata } from '../matrix/featureMatrix.js';
import { checkGridRows, matrixMetadataFor, type GridSemantics } from '../matrix/grid.js';
import { eventGrid, materializeGrid, type EventGrid } from '../matrix/events.js';
import { readMatrix, STDIO_PATH } from '../matrix/io.js';
import { isArrowFileBytes, isArrowStreamBytes } from '../matrix/arrow.js';
import { inputError, messages } from '../errors.js';
import { MAX_ANALYSIS_FILE_BYTES, MAX_MATRIX_VALUES } from '../limits.js';

export interface LoadedMatrix {
  /**
   * The 1 ms matrix: read from the file, or — for an analysis — built from its events on first use (jobs
   * that need only bins or statistics use {@link LoadedMatrix.events} and never build it).
   */
  readonly matrix: FeatureMatrix;
  /** The matrix' schema metadata (available without building it). */
  metadata: MatrixMetadata;
  /** The matrix' feature columns. */
  columns: readonly string[];
  /** For an analysis: its grid as events (src/matrix/events.ts). */
  events?: EventGrid;
  /** The analysis, when the input was one (absent for matrix files). */
  analysis?: Analysis;
  /** Section start times in seconds: from the analysis, or from a matrix's `sections_s` metadata. */
  sectionsS: number[];
  /** Track duration in seconds when known (`duration_s` metadata or the analysis). */
  durationS?: number;
  /** A name for messages and titles: the title, the track id or the input. */
  label: string;
  /** A file-name slug for default output names. */
  slug: string;
}

export interface LoadMatrixOptions {
  /** Grid of matrices built from analyses; default `full`. */
  grid?: GridSemantics;
  /** How analyses are resolved (cache, Spotify, fixtures…). */
  resolve?: ResolveOptions;
  /** Where `-` reads from; default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** Where warnings go (columns left out of a matrix file); default `resolve.log`, else nowhere. */
  log?: (line: string) => void;
}

const MATRIX_EXTENSIONS = /\.(arrow|feather|ipc|csv|parquet)$/i;

/** Load one input as a feature matrix (see the module comment for what is accepted). */
export async function loadMatrix(input: string, options: LoadMatrixOptions = {}): Promise<LoadedMatrix> {
  if (input === STDIO_PATH) {
    const bytes = await readAll(options.stdin ?? process.stdin);
    if (looksLikeJson(bytes)) {
      if (bytes.length > MAX_ANALYSIS_FILE_BYTES) throw inputError(messages.stdinTooLarge('stdin', MAX_ANALYSIS_FILE_BYTES, 'analysis JSON'));
      const analysis = analysisFromJson(parseJsonBytes(bytes, 'stdin'), 'stdin', 'stdin', {}, options.resolve?.log);
      return fromAnalysis(analysis, options);
    }
    return fromMatrix(await readMatrix(STDIO_PATH, { stdin: Readable.from([bytes]) }), 'stdin', options);
  }
  if (await isMatrixFile(input)) return fromMatrix(await readMatrix(input), input, options);
  return fromAnalysis(await resolveAnalysis(input, options.resolve ?? {}), options);
}

function fromAnalysis(analysis: Analysis, options: LoadMatrixOptions): LoadedMatrix {
  const grid = options.grid ?? 'full';
  const events = eventGrid(analysis, grid);
  let matrix: FeatureMatrix | undefined;
  const p = analysis.provenance;
  return {
    get matrix() {
      checkGridRows(events.rows);
      matrix ??= materializeGrid(events, { ...matrixMetadataFor(analysis), grid, resolution_ms: '1' });
      return matrix;
    },
    metadata: { ...matrixMetadataFor(analysis), grid, resolution_ms: '1' },
    columns: FEATURE_COLUMNS,
    events,
    analysis,
    sectionsS: (analysis.sections ?? []).map((s) => s.start),
    durationS: analysis.track.duration,
    label: p?.title ?? (p?.origin === 'file' ? basename(p.location) : undefined) ?? p?.trackId ?? p?.location ?? 'track',
    slug: analysisSlug(analysis),
  };
}

function fromMatrix(read: FeatureMatrix, input: string, options: LoadMatrixOptions): LoadedMatrix {
  const matrix = usableColumns(read, input, options.log ?? options.resolve?.log);
  const md = matrix.metadata;
  let sectionsS: number[] = [];
  try {
    const parsed: unknown = md.sections_s ? JSON.parse(md.sections_s) : [];
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'number' && Number.isFinite(x))) sectionsS = parsed as number[];
  } catch {
    // metadata written by someone else: no sections
  }
  const duration = Number(md.duration_s);
  return {
    matrix,
    metadata: md,
    columns: matrix.columns,
    sectionsS,
    durationS: md.duration_s && Number.isFinite(duration) ? duration : undefined,
    label: md.title || md.track_id || input,
    slug: slug(md.title || md.track_id || basename(input).replace(/\.[^.]*$/, '')) || 'track',
  };
}

/** A column pandas' `to_csv()` writes for an unnamed index: no name, or `Unnamed: N` after a round trip. */
const INDEX_COLUMN = /^(|Unnamed: \d+)$/;

/**
 * The matrix without the columns that cannot be features, each left out with a warning: an unnamed column
 * (the row index pandas' `to_csv()` writes first) and a column without a single value (all cells empty or
 * NaN). Fails (exit code 2) when no rows or no feature column is left.
 */
export function usableColumns(matrix: FeatureMatrix, input: string, log?: (line: string) => void): FeatureMatrix {
  const n = matrix.rows;
  if (n === 0) throw inputError(messages.toolkit.matrixNoRows(input));
  const keep: number[] = [];
  matrix.columns.forEach((name, c) => {
    if (INDEX_COLUMN.test(name.trim())) {
      log?.(`${input}: left out column ${c + 1}, which has no name (the row index pandas' to_csv() writes; use index=False)`);
      return;
    }
    const col = matrix.data.subarray(c * n, (c + 1) * n);
    if (!col.some((x) => x === x)) {
      log?.(`${input}: left out column ${name}, which holds no values (every cell is empty or NaN)`);
      return;
    }
    keep.push(c);
  });
  if (keep.length === 0) throw inputError(messages.toolkit.matrixNoValues(input, matrix.columns));
  if (keep.length === matrix.columns.length) return matrix;
  const data = new Float64Array(n * keep.length);
  keep.forEach((c, k) => data.set(matrix.data.subarray(c * n, (c + 1) * n), k * n));
  return { ...matrix, columns: keep.map((c) => matrix.columns[c]), data };
}

/** A regular file whose name says matrix, or whose first bytes are Arrow IPC or a CSV header naming `time_ms`. */
async function isMatrixFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    // a pipe or a device named like a matrix is read as one (as a stream); other non-files go to the resolver
    if (!s.isFile()) return !s.isDirectory() && MATRIX_EXTENSIONS.test(path);
  } catch {
    return false; // not a file: a URI, an id or a search (the resolver explains what is wrong)
  }
  if (MATRIX_EXTENSIONS.test(path)) return true;
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(512);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (isArrowFileBytes(bytes) || isArrowStreamBytes(bytes)) return true;
    const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
    return /^(#[^\n]*\n)*[^\n{]*\btime_ms\b/.test(text);
  } finally {
    await fh.close();
  }
}

/** Whether standard input is an analysis (a JSON object, after a UTF-8 byte-order mark and whitespace) rather than a matrix. */
function looksLikeJson(bytes: Uint8Array): boolean {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  return body[jsonStart(body)] === 0x7b; // '{'
}

/** All of standard input, up to what a matrix of the limit takes in Arrow (`MAX_MATRIX_VALUES` Float64 and an eighth). */
async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const max = Math.ceil(MAX_MATRIX_VALUES * 8 * 1.125);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > max) throw inputError(messages.matrixFile.tooManyBytes('stdin', size, max));
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
