/**
 * One error class and one message catalogue for everything songscope tells a user.
 *
 * Every failure a user can meet is a {@link SongscopeError}: a one-line `message` naming the cause, an
 * optional multi-line `hint` with the ways forward, and the process exit code. The sentences live here,
 * as small functions of the offending values, so tests can assert on them and the CLI prints them the
 * same way everywhere.
 */
import { TIME_COLUMN } from './matrix/featureMatrix.js';

/** Process exit codes (documented in the README). */
export const ExitCode = {
  /** Everything worked. */
  OK: 0,
  /** A runtime failure: network, Spotify refused or failed, a file could not be written. */
  RUNTIME: 1,
  /** Bad usage or bad input: unknown option, invalid analysis file, no such track. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface SongscopeErrorOptions {
  /** Exit code for the CLI; defaults to {@link ExitCode.RUNTIME}. */
  exitCode?: ExitCode;
  /** Further lines printed after the one-line cause: an explanation and the ways forward. */
  hint?: string;
  /** The underlying error, shown only with `--verbose`. */
  cause?: unknown;
}

/** The one error type songscope throws for conditions a user can act on. */
export class SongscopeError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: SongscopeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SongscopeError';
    this.exitCode = options.exitCode ?? ExitCode.RUNTIME;
    this.hint = options.hint;
  }
}

/** Shorthand for a bad-input error (exit code 2). */
export function inputError(message: string, hint?: string): SongscopeError {
  return new SongscopeError(message, { exitCode: ExitCode.USAGE, hint });
}

/** Shorthand for a runtime error (exit code 1). */
export function runtimeError(message: string, hint?: string, cause?: unknown): SongscopeError {
  return new SongscopeError(message, { exitCode: ExitCode.RUNTIME, hint, cause });
}

/** Quote a piece of user input for a message, shortened to 60 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text);
}

/** What the audio decoder reads itself (ffmpeg, when on the PATH, adds the rest). */
export const SUPPORTED_AUDIO_FORMATS = 'WAV (PCM and float), FLAC, MP3 and Ogg Vorbis';
const SUPPORTED_FORMATS = SUPPORTED_AUDIO_FORMATS;

const CREDENTIAL_VARS = 'SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET';

const OFFLINE_WAYS = [
  'Ways forward without live analysis:',
  '  - analyses you fetched before are in the cache: add --offline to use only the cache;',
  '  - analyse a local file: songscope analyze path/to/analysis.json (Spotify or Echo Nest JSON) or a',
  '    Million Song Dataset .h5 file;',
  '  - replay recorded responses: --fixtures DIR (or SONGSCOPE_FIXTURES); see "Recorded fixtures" in the README.',
].join('\n');

/** The message catalogue. Each entry returns the one-line cause (and, via `…Hint`, the ways forward). */
export const messages = {
  // ---- analysis input -------------------------------------------------------------------------------
  invalidField: (label: string, field: string, problem: string) => `${label}: ${field} ${problem}`,
  notJson: (label: string, detail: string) => `${label}: not valid JSON (${detail})`,
  notAnObject: (label: string) =>
    `${label}: expected an audio-analysis object ({ "track": …, "segments": … }) at the top level`,
  fileNotFound: (path: string) => `${path}: no such file`,
  fileUnreadable: (path: string, detail: string) => `${path}: cannot read the file (${detail})`,
  unsupportedFile: (path: string) =>
    `${path}: unsupported file type; expected an analysis .json file or a Million Song Dataset .h5 file`,
  eventsSorted: (label: string, field: string) =>
    `${label}: ${field} were not in time order; sorted them by start`,

  // ---- Spotify ----------------------------------------------------------------------------------------
  missingCredentials: () =>
    `Spotify credentials are not set: set ${CREDENTIAL_VARS} (in the environment or a .env file)`,
  missingCredentialsHint: () =>
    [
      'Create an app at https://developer.spotify.com/dashboard to get a client id and secret.',
      OFFLINE_WAYS,
    ].join('\n'),
  badCredentials: (status: number, error: string) =>
    `Spotify refused the client credentials (HTTP ${status} ${error}): check ${CREDENTIAL_VARS}`,
  unauthorized: (what: string) =>
    `Spotify answered 401 Unauthorized for ${what}: the access token was refused; check ${CREDENTIAL_VARS}`,
  analysisForbidden: (trackId: string) =>
    `Spotify answered 403 Forbidden for the audio analysis of spotify:track:${trackId}`,
  analysisForbiddenHint: () =>
    [
      'Since 27 November 2024 Spotify denies audio-analysis (and audio-features) to apps created after that',
      'date, and to development-mode apps without extended quota access. Nothing on this side can change that.',
      OFFLINE_WAYS,
    ].join('\n'),
  forbidden: (what: string) => `Spotify answered 403 Forbidden for ${what}`,
  notFound: (what: string) => `Spotify answered 404 Not Found: ${what}`,
  rateLimited: (askedS: number, waitedS: number, maxWaitS: number) =>
    `Spotify is rate-limiting requests (HTTP 429) and asked to wait ${askedS} s` +
    (waitedS > 0 ? ` more after ${waitedS} s of waiting` : '') +
    `, beyond --max-wait ${maxWaitS} s in total; try again later or raise --max-wait`,
  serverFailed: (status: number, tries: number) =>
    `Spotify failed with HTTP ${status} after ${tries} ${tries === 1 ? 'try' : 'tries'}; try again later`,
  networkFailed: (host: string, detail: string, tries: number) =>
    `could not reach ${host} (${detail}) after ${tries} ${tries === 1 ? 'try' : 'tries'}; check the network or use --offline`,
  unexpectedStatus: (status: number, what: string) => `Spotify answered HTTP ${status} for ${what}`,
  searchNoResults: (query: string) => `Spotify search found no track for "${query}"`,
  offlineMiss: (what: string, cacheDir: string) =>
    `${what} is not in the cache (${cacheDir}) and --offline forbids the network`,
  fixtureMiss: (dir: string, file: string, request: string) =>
    `no recorded response for ${request} in --fixtures ${dir} (looked for ${file})`,

  fixtureMissHint: () =>
    [
      'Record live answers with --record DIR (needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET), or write',
      'the file by hand: the layout is described in fixtures/spotify/README.md ("Recorded fixtures" in the README).',
    ].join('\n'),
  fixturesWithRecord: () => '--fixtures (or SONGSCOPE_FIXTURES) and --record cannot be used together',
  offlineWithRecord: () => '--offline and --record cannot be used together: recording needs the network',
  offlineWithoutCache: () =>
    '--offline with --no-cache leaves nothing to read a Spotify track from: drop --no-cache, or add --fixtures DIR',
  damagedCacheEntry: (path: string, detail: string) =>
    `ignoring the damaged cache entry ${path} (${detail}); fetching the track again`,
  damagedCacheEntryOffline: (path: string, detail: string) =>
    `the cache entry ${path} is damaged (${detail}) and --offline forbids fetching it again; delete the file or drop --offline`,
  isDirectory: (path: string) => `${path}: is a directory; give one analysis file`,
  notATrack: (input: string, kind: string) =>
    `${input}: names ${kind}; give one track (URI, URL, id, search query or analysis file)`,
  fileEmpty: (path: string) => `${path}: the file is empty; expected an analysis JSON or an MSD .h5 file`,
  eventAfterEnd: (label: string, field: string, start: number, durationS: number) =>
    `${label}: ${field} starts at ${start} s, at or after the end of the track (${durationS} s); the full grid leaves it out`,
  gridTooLarge: (rows: number, gigabytes: number, maxHours: number) =>
    `the 1 ms matrix would have ${rows.toLocaleString('en-US')} rows (${gigabytes.toFixed(1)} GB): songscope resamples tracks of up to ${maxHours} hours`,
  similarityTooLarge: (bins: number, max: number, minResolutionMs: number) =>
    `--resolution gives ${bins.toLocaleString('en-US')} time bins, more than the ${max.toLocaleString('en-US')} a self-similarity matrix may have; use --resolution ${minResolutionMs}ms or coarser`,
  emptyGrid: (label: string) =>
    `${label}: the seed grid is empty (no bars, beats or segments to place on it); try --grid full`,
  /** Informational (stderr), while honouring a 429. */
  rateLimitWait: (askedS: number) => `Spotify asked to wait ${askedS} s (HTTP 429); waiting…`,
  /** Informational (stderr), before retrying a failed try. */
  retrying: (problem: string, delayS: string, nextTry: number, tries: number) =>
    `${problem}; retrying in ${delayS} s (try ${nextTry} of ${tries})`,

  /** Decoding audio files for the local analyzer (all exit code 2). */
  audio: {
    fileNotFound: (label: string) => `${label}: no such file`,
    fileUnreadable: (label: string, detail: string) => `${label}: cannot read the file (${detail})`,
    empty: (label: string) => `${label}: empty file (0 bytes)`,
    noSamples: (label: string, format: string) => `${label}: the ${format} file holds no audio samples`,
    /** `detail` says what the header promised and what the file holds. */
    truncated: (label: string, format: string, detail: string) => `${label}: truncated ${format} (${detail})`,
    corrupt: (label: string, format: string, detail: string) => `${label}: not a valid ${format} file (${detail})`,
    unrecognised: (label: string) =>
      `${label}: unsupported or unrecognised audio format; songscope decodes ${SUPPORTED_FORMATS}`,
    unsupportedCodec: (label: string, what: string) =>
      `${label}: unsupported audio format (${what}); songscope decodes ${SUPPORTED_FORMATS}`,
    /** The hint after any "unsupported" message. */
    unsupportedHint: (ffmpegTried: boolean) =>
      ffmpegTried
        ? 'ffmpeg was not found on the PATH: install ffmpeg to decode more formats (Opus, AAC/M4A, WMA, …),\nor convert the file to WAV or FLAC.'
        : 'Install ffmpeg (on the PATH) to decode more formats (Opus, AAC/M4A, WMA, …), or convert the file to\nWAV or FLAC.',
    ffmpegFailed: (label: string, detail: string) => `${label}: ffmpeg could not decode the file (${detail})`,
    ffmpegFailedHint: () =>
      `songscope decodes ${SUPPORTED_FORMATS} itself and hands other files to ffmpeg, which could not decode\nthis one either: is it an audio file?`,
  },
  /** The transform and batch subcommands. */
  toolkit: {
    binaryToTerminal: () =>
      'refusing to write binary Arrow data to a terminal: pipe it into another command, or use -o FILE (.arrow or .csv)',
    oneStdin: () => 'only one input can be read from stdin (-)',
    severalToStdout: () => 'with several inputs, -o must be a directory (one file per input), not -',
    jsonAndStdout: (what: string) => `--json and -o - both want stdout: write the ${what} to a file`,
    emptyCollection: (spec: string) => `${spec}: the collection has no tracks`,
    badGroup: (spec: string) => `--group ${JSON.stringify(spec)}: expected NAME=INPUT`,
    tooFewGroups: (command: string) =>
      `${command} needs at least two groups: give NAME=INPUT twice or more (or a manifest with a label column)`,
    songNormalizationNeedsTracks: (mode: string) =>
      `--normalize ${mode} normalises the time-averaged vectors of several tracks; one input is a trajectory of time bins: use auto, zscore-within, zscore-row, minmax or none`,
    tooFewTracks: (name: string, analysed: number, needed: number, what: string) =>
      `${name}: ${analysed} track${analysed === 1 ? '' : 's'} could be analysed; ${what} needs at least ${needed}`,
  },
  // ---- corpus datasets: `songscope scan` and datasets as inputs ----------------------------------------
  corpus: {
    duckdbUnavailable: (detail: string) =>
      `cannot load DuckDB (@duckdb/node-api), which reads and writes Parquet: ${detail}; reinstall songscope (npm ci)`,
    noInputs: () =>
      'no inputs to scan: name directories, manifests (.csv), album or playlist URIs, files, or - for one input per line on stdin',
    inputIsDataset: (path: string) =>
      `${path}: is a songscope dataset (it has _songscope.json); scan the analyses, or give the dataset to album, compare, classify or reduce`,
    emptyDirectory: (path: string) => `${path}: no analysis or audio files (*.json, *.h5, *.hdf5, audio) in this directory or below`,
    stdinInStdin: () => 'a line of standard input cannot be - itself',
    needsOut: () => 'scan needs -o DIR: the dataset directory to write (or --list to print the inputs)',
    badShard: (value: string) => `invalid value for --shard: "${value}" (expected K/N with 1 ≤ K ≤ N, e.g. 3/8)`,
    outputNotDataset: (path: string) =>
      `${path}: the output directory holds files but is not a songscope dataset (no _songscope.json); give an empty or new directory`,
    badManifest: (path: string, detail: string) => `${path}: not a valid songscope dataset manifest (${detail})`,
    newerFormat: (path: string, found: number, supported: number) =>
      `${path}: dataset format ${found} is newer than this songscope reads (${supported}); upgrade songscope`,
    gridMismatch: (dir: string, was: string, now: string) =>
      `${dir}: the dataset was scanned with --grid ${was}; this scan asks for --grid ${now}`,
    schemaMismatch: (dir: string, generator: string) =>
      `${dir}: the dataset was made by ${generator} with other columns than this songscope writes; its parts must share one schema`,
    columnsMismatch: (dir: string, added: readonly string[], known: readonly string[]) =>
      `${dir}: this scan's manifest adds column${added.length === 1 ? '' : 's'} ${added.join(', ')}; the dataset's manifest columns are fixed by its first scan (${known.length ? known.join(', ') : 'none'})`,
    newDirectoryHint: () => 'Scan into a new output directory (a dataset holds one grid and one set of columns), or delete this one to start again.',
    partExists: (path: string) => `${path}: a part of this name appeared while this scan was writing it`,
    partExistsHint: () => 'Is another scan with the same --shard writing into this dataset? Run one scan per shard at a time.',
    /** Informational (stderr). */
    quarantined: (path: string, detail: string) => `${path}: unreadable (${detail}); set aside as a hidden .unreadable file, its tracks will be scanned again`,
    /** Informational (stderr). */
    droppedRows: (rows: number) => `replaced ${rows} row${rows === 1 ? '' : 's'} of inputs that changed or are retried`,
    whereFailed: (where: string, detail: string) => `--where ${JSON.stringify(where)}: ${detail}`,
    readFailed: (what: string, detail: string) => `${what}: cannot read the Parquet data (${detail})`,
    notADataset: (path: string) => `${path}: not a songscope dataset (no _songscope.json); make one with songscope scan`,
    noTracks: (path: string, where?: string) =>
      where === undefined ? `${path}: the dataset has no tracks yet` : `${path}: no track of the dataset matches --where ${JSON.stringify(where)}`,
    noSuchColumn: (path: string, option: string, column: string, available: readonly string[]) =>
      `${option} ${column}: the dataset ${path} has no such column (columns: ${available.join(', ')})`,
    datasetOnly: (option: string) => `${option} applies to a dataset input (a directory made by songscope scan)`,
    datasetWithOthers: (path: string) => `${path}: a dataset is the only input of this command; select tracks with --where`,
    /** Informational (stderr). */
    ungrouped: (path: string, column: string, count: number) =>
      `${path}: left out ${count === 1 ? 'one track' : `${count} tracks`} without a value in ${column}`,
    /** Informational (stderr). */
    scanFailuresNote: (path: string, count: number) =>
      `${path}: ${count} input${count === 1 ? '' : 's'} could not be scanned (listed in ${path}/_failures/)`,
    datasetVectorsOnly: (mode: string) =>
      `--normalize ${mode} needs each track's 1 ms matrix; a dataset holds each track's means and standard deviations: use zscore-songs, none or zscore-rows`,
    noPerTrackPlots: () => 'per-track plots are not drawn from a dataset (the analyses stay in the cache): album songs only',
    parquetToStdout: () => 'Parquet cannot be streamed to standard output: write it to a file (-o x.parquet), or use - for an Arrow stream',
  },

  // ---- collections: albums, playlists, directories, manifests -----------------------------------------
  collection: {
    /** A Spotify object that is neither a track nor a list of tracks (artist, show, episode). */
    notACollection: (input: string, kind: string) =>
      `${input}: names ${kind}; give tracks, an album, a playlist, a directory of analysis files or a manifest (.csv)`,
    /** `resolveCollections([])`. */
    noInputs: () => 'no inputs given: name tracks, an album, a playlist, a directory of analysis files or a manifest (.csv)',
    /** Completes `messages.notFound` for `GET /playlists/{id}`. */
    noSuchPlaylist: (id: string) => `no such playlist spotify:playlist:${id}`,
    playlistNotFoundHint: () =>
      [
        'With client credentials songscope sees public playlists only: a private playlist answers 404.',
        'Since 27 November 2024 Spotify also answers 404 for its own editorial and algorithmic playlists',
        '("Made For You", "Discover Weekly", …) to apps without extended quota access.',
      ].join('\n'),
    playlistForbiddenHint: () =>
      [
        'Spotify restricted playlist contents for development-mode apps (from 9 March 2026 for existing apps);',
        'apps with extended quota access are not affected.',
        OFFLINE_WAYS,
      ].join('\n'),
    /** An album or playlist with nothing songscope can analyse. */
    noTracks: (what: string, skipped: number) =>
      `${what} has no tracks to analyse` + (skipped > 0 ? ` (${skipped} ${skipped === 1 ? 'item' : 'items'} skipped)` : ''),
    /** One skipped playlist item, for `Collection.skipped`. */
    skippedItem: (position: number, kind: 'episode' | 'local' | 'unavailable', name?: string) =>
      `item ${position}: ` +
      (kind === 'episode' ? 'a podcast episode' : kind === 'local' ? 'a local file' : 'not available on Spotify (removed, or not playable)') +
      (name === undefined ? '' : ` (${quote(name)})`),
    /** The name of several inputs merged into one collection. */
    mergedName: (names: readonly string[]) =>
      names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`,
    /** Informational (stderr), after listing a playlist with skipped items. */
    skippedSummary: (what: string, skipped: number, total: number) =>
      `${what}: skipped ${skipped} of ${total} ${total === 1 ? 'item' : 'items'} that ${skipped === 1 ? 'is' : 'are'} not Spotify tracks (podcast episodes, local files, unavailable tracks)`,
    /** What a listing is called in messages (`offlineMiss`, `noTracks`). */
    listingOf: (uri: string) => `the track list of ${uri}`,
    offlineListingHint: () =>
      'Run the command once without --offline to cache the track list, or replay recorded answers with --fixtures DIR.',
    /** Informational (stderr): a listing answered from the cache under --offline. */
    listingFromCache: (uri: string, fetchedAt: string) => `${uri}: track list from the cache (fetched ${fetchedAt})`,
    emptyDirectory: (path: string) =>
      `${path}: no analysis files (*.json, *.h5, *.hdf5) in this directory (subdirectories are not searched)`,
    // manifests (CSV: path_or_uri,label)
    manifestEmpty: (path: string) => `${path}: the manifest lists no inputs (expected lines of path_or_uri,label[,more columns])`,
    manifestFields: (path: string, line: number, found: number, named: number) =>
      `${path}: line ${line}: ${found} fields, but the header names ${named} columns (quote a value that contains a comma)`,
    manifestNoInput: (path: string, line: number) => `${path}: line ${line}: the path_or_uri field is empty`,
    manifestUnterminatedQuote: (path: string, line: number) =>
      `${path}: line ${line}: unterminated quoted field (fields spanning lines are not supported)`,
    manifestStrayQuote: (path: string, line: number) =>
      `${path}: line ${line}: a quote inside an unquoted field, or text after a closing quote; quote the whole field and double inner quotes ("a ""b"" c")`,
    manifestStdin: (path: string, line: number) =>
      `${path}: line ${line}: - (standard input) cannot be listed in a manifest`,
    manifestNested: (path: string, line: number) =>
      `${path}: line ${line}: a manifest cannot list another manifest`,
    /** An entry that cannot be read as an input: `detail` is the underlying one-line message. */
    manifestEntry: (path: string, line: number, detail: string) => `${path}: line ${line}: ${detail}`,
  },

  // ---- Million Song Dataset files ---------------------------------------------------------------------
  msd: {
    notHdf5: (path: string) =>
      `${path}: not an HDF5 file (no HDF5 signature); expected a Million Song Dataset .h5 file`,
    notMsdHint: () =>
      'A Million Song Dataset track file (e.g. TRAAAFP128F931B4E3.h5) has the datasets /analysis/songs,\n' +
      '/analysis/segments_start, …, /analysis/sections_confidence and /metadata/songs.',
  },

  // ---- matrix files -----------------------------------------------------------------------------------
  matrixFile: {
    unsupportedExtension: (path: string, extensions: readonly string[]) =>
      `${path}: unsupported matrix file type; expected a name ending in ${extensions.join(', ')} (or - for standard output)`,
    empty: (label: string) => `${label}: empty; expected a feature matrix (Arrow IPC file or stream, or CSV)`,
    notMatrixBytes: (label: string, head: string) =>
      `${label}: not a feature matrix: neither Arrow IPC nor CSV text (starts with bytes ${head})`,
  },
  arrow: {
    invalidIpc: (label: string, detail: string) => `${label}: not a valid Arrow IPC file or stream (${detail})`,
    noTimeColumn: (label: string, columns: readonly string[]) =>
      `${label}: no ${TIME_COLUMN} column (columns: ${columns.length ? columns.join(', ') : 'none'}); a feature matrix needs integer milliseconds in ${TIME_COLUMN}`,
    timeNotIntegral: (label: string, type: string, row: number, value: string) =>
      `${label}: column ${TIME_COLUMN} (${type}) holds ${value} at row ${row}; expected integer milliseconds in the Int32 range`,
    timeType: (label: string, type: string) =>
      `${label}: column ${TIME_COLUMN} has type ${type}; expected integer milliseconds (Int32)`,
    columnNotNumeric: (label: string, column: string, type: string) =>
      `${label}: column ${column} has type ${type}; expected numbers (Float64 or another integer or floating-point type)`,
  },
  csv: {
    /** The input has no header line (it is empty, or only comments and blank lines). */
    noHeader: (label: string) =>
      `${label}: no header line; expected a CSV feature matrix starting with ${TIME_COLUMN},<columns…>`,
    /** The first non-comment line does not name a `time_ms` column: not one of our CSVs (maybe not CSV at all). */
    notMatrix: (label: string, line: number, text: string) =>
      `${label}: not a feature matrix: neither Arrow IPC nor CSV with a ${TIME_COLUMN} header column (line ${line}: ${quote(text)})`,
    duplicateTime: (label: string, line: number) => `${label}: line ${line}: the header names ${TIME_COLUMN} more than once`,
    missingValue: (label: string, line: number, column: string, found: number, expected: number) =>
      `${label}: line ${line}, column ${column}: missing value (the row has ${found} fields, the header ${expected})`,
    extraValue: (label: string, line: number, field: number, found: number, expected: number) =>
      `${label}: line ${line}, column ${field}: extra value (the row has ${found} fields, the header ${expected})`,
    notNumber: (label: string, line: number, column: string, value: string) =>
      `${label}: line ${line}, column ${column}: ${quote(value)} is not a number`,
    notTime: (label: string, line: number, value: string) =>
      `${label}: line ${line}, column ${TIME_COLUMN}: ${quote(value)} is not an integer number of milliseconds (Int32)`,
    unterminatedQuote: (label: string, line: number) =>
      `${label}: line ${line}: unterminated quoted field (fields spanning lines are not supported)`,
    notText: (label: string, line: number) => `${label}: not UTF-8 text (after line ${line})`,
  },

  // ---- CLI and options --------------------------------------------------------------------------------
  /** Informational (stderr): what `--notebook` set. */
  notebookChoices: (flags: string) => `--notebook: ${flags}`,
  badOption: (option: string, value: string, expected: string) =>
    `invalid value for ${option}: "${value}" (expected ${expected})`,
  writeFailed: (path: string, detail: string) => `cannot write ${path} (${detail})`,
  internal: (detail: string) => `internal error: ${detail} (run again with --verbose for details)`,
} as const;
