/**
 * One error class and one message catalogue for everything songscope tells a user.
 *
 * Every failure a user can meet is a {@link SongscopeError}: a one-line `message` naming the cause, an
 * optional one-line `hint` with the ways forward, and the process exit code. The sentences live here,
 * as small functions of the offending values, so tests can assert on them and the CLI prints them the
 * same way everywhere.
 */

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
  /** One more line printed after the one-line cause: an explanation and the ways forward. */
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

/**
 * A library function was given a value it cannot work with (librosa's `ParameterError` is the model): a
 * parameter out of range, or data it cannot take (too few points, a non-finite value). Exit code 2. The
 * message names the parameter as the library calls it (`k`, `binMs`); the CLI says which flag that
 * is ({@link ParameterError.parameter}), so only the CLI knows its flags.
 */
export class ParameterError extends SongscopeError {
  /**
   * @param parameter - the parameter's name in the library (`k`, `nInit`, `points`)
   * @param shown - the offending value as the message shows it (`0`, `"foo"`, `3 points`)
   * @param expected - what would have been accepted (`an integer in [1, 12]`)
   */
  constructor(
    readonly parameter: string,
    readonly shown: string,
    readonly expected: string,
  ) {
    super(messages.parameter(parameter, shown, expected), { exitCode: ExitCode.USAGE });
    this.name = 'ParameterError';
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

/** 2147483648 → "2 GiB", 524288000 → "500 MiB" (whole units; fractions to one decimal). */
function binarySize(bytes: number): string {
  const [unit, size] = bytes >= 2 ** 30 ? ['GiB', 2 ** 30] : bytes >= 2 ** 20 ? ['MiB', 2 ** 20] : ['KiB', 2 ** 10];
  const n = bytes / size;
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
}

/** 10801 → "3:00:01"; 95.5 → "1:35" (hours only when there are any). */
function clock(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** What the top level of a JSON document is, for {@link messages.notAnObject}: "null", "the number 42", "an array"… */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number':
      return `the number ${value}`;
    case 'string':
      return 'a string';
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object without "track" or "segments"';
    default:
      return typeof value;
  }
}

/** What the audio decoder reads itself (ffmpeg, when on the PATH, adds the rest). */
export const SUPPORTED_AUDIO_FORMATS = 'WAV (PCM and float), FLAC, MP3 and Ogg Vorbis';
const SUPPORTED_FORMATS = SUPPORTED_AUDIO_FORMATS;

const CREDENTIAL_VARS = 'SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET';

/** Every hint is one line (the CLI prints the cause, then at most this one line). */
const OFFLINE_WAYS =
  'analyse your own audio instead (songscope analyze song.mp3: .wav, .flac, .mp3, .ogg), or an analysis file ' +
  '(.json, MSD .h5); --offline uses only what the cache holds, --fixtures DIR replays recorded answers';

/** The message catalogue. Each entry returns the one-line cause (and, via `…Hint`, the ways forward). */
export const messages = {
  // ---- analysis input -------------------------------------------------------------------------------
  invalidField: (label: string, field: string, problem: string) => `${label}: ${field} ${problem}`,
  notJson: (label: string, detail: string) => `${label}: not valid JSON (${detail})`,
  /** `found` says what the top level holds instead (see `describeJsonValue`). */
  notAnObject: (label: string, found: string) =>
    `${label}: expected an audio-analysis object ({ "track": …, "segments": … }) at the top level, found ${found}`,
  jsonTooDeep: (label: string, maxDepth: number, line: number, column: number) =>
    `${label}: JSON nested more than ${maxDepth} levels deep (line ${line}, column ${column}); songscope reads JSON nested at most ${maxDepth} deep`,
  /** A file over a size limit of `../limits.ts`; `what` names the kind of file ("analysis files"). */
  fileTooLarge: (path: string, bytes: number, limitBytes: number, what: string) =>
    `${path}: the file has ${bytes.toLocaleString('en-US')} bytes; songscope reads ${what} of at most ${binarySize(limitBytes)} (${limitBytes.toLocaleString('en-US')} bytes)`,
  /** Standard input over a size limit. */
  stdinTooLarge: (label: string, limitBytes: number, what: string) =>
    `${label}: more than ${binarySize(limitBytes)} (${limitBytes.toLocaleString('en-US')} bytes); songscope reads ${what} of at most that`,
  fileNotFound: (path: string) => `${path}: no such file`,
  fileUnreadable: (path: string, detail: string) => `${path}: cannot read the file (${detail})`,
  unsupportedFile: (path: string) =>
    `${path}: unsupported file type; expected an analysis .json file or a Million Song Dataset .h5 file`,
  eventsSorted: (label: string, field: string) =>
    `${label}: ${field} were not in time order; sorted them by start`,

  // ---- inputs as typed (sources/input.ts) ---------------------------------------------------------
  input: {
    unsupportedSpotifyType: (arg: string, type: string) => `${arg}: unsupported Spotify object type "${type}" (expected a track)`,
    notSpotifyId: (arg: string, id: string) => `${arg}: "${id}" is not a Spotify id (expected 22 characters of 0-9, A-Z, a-z)`,
    empty: () => 'the input is empty: give a track URI, URL or id, a search query, or an analysis file',
    notSpotifyUri: (text: string) => `${text}: not a Spotify URI (expected spotify:track:ID)`,
    notUrl: (text: string) => `${text}: not a valid URL`,
    notSpotifyUrl: (text: string) => `${text}: not a Spotify URL (expected https://open.spotify.com/track/ID)`,
    notTrackUrl: (text: string) => `${text}: not a Spotify track URL (expected https://open.spotify.com/track/ID)`,
  },

  // ---- Spotify ----------------------------------------------------------------------------------------
  missingCredentials: () =>
    `Spotify credentials are not set: set ${CREDENTIAL_VARS} (in the environment or a .env file)`,
  missingCredentialsHint: () => `Create an app at https://developer.spotify.com/dashboard for a client id and secret, or ${OFFLINE_WAYS}.`,
  badCredentials: (status: number, error: string) =>
    `Spotify refused the client credentials (HTTP ${status} ${error}): check ${CREDENTIAL_VARS}`,
  unauthorized: (what: string) =>
    `Spotify answered 401 Unauthorized for ${what}: the access token was refused; check ${CREDENTIAL_VARS}`,
  analysisForbidden: (trackId: string) =>
    `Spotify answered 403 Forbidden for the audio analysis of spotify:track:${trackId}`,
  analysisForbiddenHint: () =>
    `Since 27 November 2024 Spotify denies audio-analysis to apps created after that date and to development-mode apps without extended quota access; ${OFFLINE_WAYS}.`,
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
    'Record live answers with --record DIR (needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET), or write the file by hand (layout: fixtures/spotify/README.md).',
  fixturesWithRecord: () => '--fixtures (or SONGSCOPE_FIXTURES) and --record cannot be used together',
  offlineWithRecord: () => '--offline and --record cannot be used together: recording needs the network',
  offlineWithoutCache: () =>
    '--offline with --no-cache leaves nothing to read a Spotify track from: drop --no-cache, or add --fixtures DIR',
  damagedCacheEntry: (path: string, detail: string) =>
    `ignoring the damaged cache entry ${path} (${detail}); fetching the track again`,
  damagedCacheEntryOffline: (path: string, detail: string) =>
    `the cache entry ${path} is damaged (${detail}) and --offline forbids fetching it again; delete the file or drop --offline`,
  isDirectory: (path: string) => `${path}: is a directory; give one analysis file`,
  /** A local analysis's cache entry that cannot be trusted: `detail` says why. */
  damagedLocalCacheEntry: (path: string, detail: string) =>
    `ignoring the damaged cache entry ${path} (${detail}); analysing the file again`,
  cacheEntryTooLarge: (path: string) => `ignoring ${path}: larger than any cache entry can be (a damaged cache entry; it will be made again)`,
  cacheChecksumMismatch: () => 'its checksum does not match its content',
  cacheChecksumMissing: () => 'it has no checksum',
  /** Informational (stderr): the cache could not be written; `detail` is the write error's line. */
  cacheWriteFailed: (what: string, detail: string) => `not caching ${what}: ${detail}`,
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
    noSignal: () => 'the signal holds no audio samples: nothing to analyse',
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
        ? 'ffmpeg was not found on the PATH: install ffmpeg to decode more formats (Opus, AAC/M4A, WMA, …), or convert the file to WAV or FLAC.'
        : 'Install ffmpeg (on the PATH) to decode more formats (Opus, AAC/M4A, WMA, …), or convert the file to WAV or FLAC.',
    ffmpegFailed: (label: string, detail: string) => `${label}: ffmpeg could not decode the file (${detail})`,
    /** ffmpeg met the end of the file while reading its header (ffmpeg's "End of file"). */
    ffmpegEndOfFile: () => 'ffmpeg reached the end of the file before any audio',
    /** A file that starts like an Ogg page but is shorter than one page header (27 bytes + a segment table). */
    oggTooShort: (bytes: number) => `${bytes.toLocaleString('en-US')} bytes, less than one Ogg page`,
    // ---- the limits of ../limits.ts (exit code 2, before decoding) ------------------------------------
    sampleRateOutOfRange: (label: string, format: string, rateHz: number, minHz: number, maxHz: number) =>
      `${label}: ${format} at ${rateHz.toLocaleString('en-US')} Hz; songscope decodes sample rates of ${minHz.toLocaleString('en-US')}–${maxHz.toLocaleString('en-US')} Hz`,
    tooManyChannels: (label: string, format: string, channels: number, max: number) =>
      `${label}: ${format} with ${channels} channels; songscope decodes at most ${max}`,
    /** `where` names what made the promise: "WAV header", "FLAC header", "Ogg Vorbis stream", "MP3 Xing header". */
    promisesTooLong: (label: string, where: string, durationS: number, maxS: number) =>
      `${label}: the ${where} says ${clock(durationS)} of audio; songscope decodes at most ${maxS / 3600} hours`,
    /** Decoded audio passing the limit as it streams (no header said how long it is). */
    tooLong: (label: string, format: string, maxS: number) =>
      `${label}: more than ${maxS / 3600} hours of ${format} audio; songscope decodes at most ${maxS / 3600} hours`,
    /** A FLAC frame libFLAC could not decode: `what` is its reason in words ("lost sync", "CRC mismatch"). */
    flacFrameDamaged: (frame: number, atS: number, what: string) => `frame ${frame} at ${atS.toFixed(2)} s is damaged: ${what}`,
    /** libFLAC's error status (`FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC; …`) in words, for {@link flacFrameDamaged}. */
    flacStatus: (status: string): string =>
      /LOST_SYNC/.test(status)
        ? 'lost sync'
        : /BAD_HEADER/.test(status)
          ? 'bad frame header'
          : /FRAME_CRC_MISMATCH/.test(status)
            ? 'CRC mismatch'
            : /UNPARSEABLE_STREAM/.test(status)
              ? 'unparseable data'
              : status.replace(/\s+/g, ' ').slice(0, 120),
    /** The WebAssembly decoder itself failed (a trap) on damaged data. */
    decoderFailed: (where: string) => `the decoder failed ${where}`,
    /** Informational (stderr): damaged MP3 data skipped while decoding. */
    /** Informational (stderr): damaged Ogg pages skipped, and the audio the stream's length says is missing. */
    oggDamaged: (label: string, skippedBytes: number, lostS: number) =>
      `${label}: skipped ${skippedBytes.toLocaleString('en-US')} bytes of damaged Ogg pages` + (lostS > 0 ? ` (about ${lostS.toFixed(2)} s of audio lost)` : ''),
    mp3Skipped: (label: string, bytes: number, lostS: number) =>
      `${label}: skipped ${bytes.toLocaleString('en-US')} bytes where no MP3 frame could be read (about ${lostS.toFixed(2)} s of audio)`,
    /** Informational (stderr): frames the MP3 decoder could not decode (their audio is missing). */
    mp3FramesDropped: (label: string, frames: number, lostS: number) =>
      `${label}: the decoder could not decode ${frames.toLocaleString('en-US')} damaged MP3 frame${frames === 1 ? '' : 's'} (about ${lostS.toFixed(2)} s of audio)`,
    ffmpegFailedHint: () =>
      `songscope decodes ${SUPPORTED_FORMATS} itself and hands other files to ffmpeg, which could not decode this one either: is it an audio file?`,
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
    cannotReduce: (what: string, detail: string) => `cannot reduce ${what}: ${detail}`,
    smoothLongerThanTrack: (smoothS: number, bins: number, title: string) =>
      `--smooth ${smoothS} s is longer than the ${bins} bins of ${title}: the rolling mean would leave every bin 0 (pandas rolling(N).mean().fillna(0)); use a shorter --smooth`,
    binsMissingValues: (label: string, missing: number, bins: number, where: string, what: string) =>
      `${label}: ${missing} of ${bins} time bins have missing values (at ${where}); ${what} needs a value in every bin: fill the gaps in the matrix, use a coarser --resolution, or --smooth`,
    columnsDiffer: (label: string, columns: number, firstColumns: number, firstLabel: string) =>
      `${label}: its ${columns} feature columns differ from the ${firstColumns} of ${firstLabel}; several inputs need the same columns in the same order`,
    noEvents: (name: string) => `${name}: the analysis has no events to put on the grid`,
    matrixNoRows: (input: string) => `${input}: the matrix has no rows`,
    matrixNoValues: (input: string, columns: readonly string[]) =>
      `${input}: the matrix has no feature column with values (columns: ${columns.join(', ') || 'none'})`,
    outputIsDirectory: (path: string) => `${path}: is a directory; give -o a file name (or - for stdout)`,
    songNormalizationNeedsTracks: (mode: string) =>
      `--normalize ${mode} normalises the time-averaged vectors of several tracks; one input is a trajectory of time bins: use auto, zscore-within, zscore-row, minmax or none`,
    tooFewTracks: (name: string, analysed: number, needed: number, what: string) =>
      `${name}: ${analysed} track${analysed === 1 ? '' : 's'} could be analysed; ${what} needs at least ${needed}`,
  },
  /** Why `analyze` left one of its plots out (summary.json `skipped`, and the printed summary). */
  analyze: {
    smoothOff: () => '--smooth 0 asks for no rolling mean',
    smoothLongerThanTrack: (smoothS: number, bins: number, binS: number) =>
      `--smooth ${smoothS} s is longer than the track's ${bins} bins of ${binS} s (the rolling mean would leave every bin 0); parts are found on the unsmoothed bins`,
    noDefinedBins: () => 'no time bin has a value for every feature',
    binsLackValue: (missing: number, bins: number) => `${missing} of ${bins} bins lack a value`,
    trajectoryRefused: (detail: string) => `PCA cannot reduce these bins: ${detail}`,
  },
  // ---- corpus datasets: `songscope scan` and datasets as inputs ----------------------------------------
  corpus: {
    /** A dataset scanned with --no-shape (or by a songscope of other fingerprint parameters). */
    datasetWithoutShapes: (path: string, without: number, tracks: number) =>
      `${path}: ${without} of ${tracks} tracks of the dataset have no shape fingerprint (scanned with --no-shape, or with other parameters); use --by features (--features mean), or scan the inputs again into a new dataset`,
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
      'With client credentials songscope sees public playlists only (a private one answers 404), and since 27 November 2024 Spotify answers 404 for its own editorial and algorithmic playlists to apps without extended quota access.',
    playlistForbiddenHint: () =>
      `Spotify restricted playlist contents for development-mode apps (from 9 March 2026 for existing apps); ${OFFLINE_WAYS}.`,
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
    /** Informational (stderr): manifest entries without a label belong to no group. */
    unlabelledLeftOut: (manifest: string, inputs: readonly string[]) =>
      `${manifest}: left out ${inputs.length === 1 ? 'one entry' : `${inputs.length} entries`} without a label (${inputs.join(', ')})`,
    manifestEmpty: (path: string) => `${path}: the manifest lists no inputs (expected lines of path_or_uri,label[,more columns])`,
    manifestFields: (path: string, line: number, found: number, named: number) =>
      `${path}: line ${line}: ${found} fields, but the header names ${named} columns (quote a value that contains a comma)`,
    manifestNoInput: (path: string, line: number) => `${path}: line ${line}: the path_or_uri field is empty`,
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
      'A Million Song Dataset track file (e.g. TRAAAFP128F931B4E3.h5) has the datasets /analysis/songs, /analysis/segments_start, …, /analysis/sections_confidence and /metadata/songs.',
  },

  // ---- rendering plots (exit code 1: the specs are songscope's own, so a failure is not the user's) -----
  plot: {
    /** vega-lite refused the spec; `detail` is its error. */
    invalidVegaLite: (detail: string) => `invalid Vega-Lite spec: ${detail}`,
    /** vega could not parse the compiled spec. */
    invalidVega: (detail: string) => `invalid Vega spec: ${detail}`,
    /** A spec that asks vega to load data from a URL or file. */
    externalData: (uri: string) => `songscope renders inline data only; refusing to load ${JSON.stringify(uri)}`,
    /** vega logged errors while rendering. */
    renderFailed: (detail: string) => `vega failed to render the spec: ${detail}`,
    /** report.html inlines a library whose installed files cannot be found (a broken install). */
    libraryNotFound: (pkg: string, entry: string) =>
      `cannot find the package directory of ${pkg} (entry point ${entry}); reinstall songscope's dependencies`,
  },

  // ---- matrix files -----------------------------------------------------------------------------------
  matrixFile: {
    unsupportedExtension: (path: string, extensions: readonly string[]) =>
      `${path}: unsupported matrix file type; expected a name ending in ${extensions.join(', ')} (or - for standard output)`,
    empty: (label: string) => `${label}: empty; expected a feature matrix (Arrow IPC file or stream, or CSV)`,
    notMatrixBytes: (label: string, head: string) =>
      `${label}: not a feature matrix: neither Arrow IPC nor CSV text (starts with bytes ${head})`,
    tooLarge: (label: string, rows: number, columns: number, maxValues: number) =>
      `${label}: ${rows.toLocaleString('en-US')} rows × ${columns.toLocaleString('en-US')} columns, more than the ${maxValues.toLocaleString('en-US')} values songscope reads (the 1 ms matrix of a 3-hour track has 280,800,000)`,
    /** Arrow bytes on standard input (or a stream-format file) beyond what a matrix of the limit takes. */
    tooManyColumns: (label: string, columns: number, max: number) =>
      `${label}: the header names ${columns.toLocaleString('en-US')} columns; songscope reads matrices of at most ${max.toLocaleString('en-US')} feature columns (were the line ends lost?)`,
    timeNotIncreasing: (label: string, row: number, before: number, at: number) =>
      `${label}: time_ms runs backwards or repeats at row ${row + 1} (${at} after ${before}); a matrix's rows must be in time order, one per millisecond value`,
    tooManyBytes: (label: string, bytes: number, maxBytes: number) =>
      `${label}: ${bytes.toLocaleString('en-US')} bytes or more of Arrow data, more than a matrix songscope reads can take (${maxBytes.toLocaleString('en-US')} bytes)`,
  },
  arrow: {
    invalidIpc: (label: string, detail: string) => `${label}: not a valid Arrow IPC file or stream (${detail})`,
    /** Details of `invalidIpc`. */
    footerDamaged: () => 'its footer is damaged',
    metadataDamaged: () => 'its metadata is damaged',
    batchDamaged: (index: number, count: number) => `record batch ${index} of ${count} is damaged`,
    batchPastEnd: (index: number, count: number) => `record batch ${index} of ${count} is damaged: it lies past the end of the file`,
    batchTooLarge: (index: number, count: number) => `record batch ${index} of ${count} has a body over 2 GiB, more than one read returns; write it in smaller batches`,
    noTimeColumn: (label: string, columns: readonly string[]) =>
      `${label}: no time_ms column (columns: ${columns.length ? columns.join(', ') : 'none'}); a feature matrix needs integer milliseconds in time_ms`,
    timeNotIntegral: (label: string, type: string, row: number, value: string) =>
      `${label}: column time_ms (${type}) holds ${value} at row ${row}; expected integer milliseconds in the Int32 range`,
    timeType: (label: string, type: string) =>
      `${label}: column time_ms has type ${type}; expected integer milliseconds (Int32)`,
    columnNotNumeric: (label: string, column: string, type: string) =>
      `${label}: column ${column} has type ${type}; expected numbers (Float64 or another integer or floating-point type)`,
  },
  csv: {
    /** The input has no header line (it is empty, or only comments and blank lines). */
    noHeader: (label: string) =>
      `${label}: no header line; expected a CSV feature matrix starting with time_ms,<columns…>`,
    /** The first non-comment line does not name a `time_ms` column: not one of our CSVs (maybe not CSV at all). */
    notMatrix: (label: string, line: number, text: string) =>
      `${label}: not a feature matrix: neither Arrow IPC nor CSV with a time_ms header column (line ${line}: ${quote(text)})`,
    duplicateTime: (label: string, line: number) => `${label}: line ${line}: the header names time_ms more than once`,
    missingValue: (label: string, line: number, column: string, found: number, expected: number) =>
      `${label}: line ${line}, column ${column}: missing value (the row has ${found} fields, the header ${expected})`,
    extraValue: (label: string, line: number, field: number, found: number, expected: number) =>
      `${label}: line ${line}, column ${field}: extra value (the row has ${found} fields, the header ${expected})`,
    notNumber: (label: string, line: number, column: string, value: string) =>
      `${label}: line ${line}, column ${column}: ${quote(value)} is not a number`,
    notTime: (label: string, line: number, value: string) =>
      `${label}: line ${line}, column time_ms: ${quote(value)} is not an integer number of milliseconds (Int32)`,
    /** A quoted field opened on `line` is never closed. */
    unterminatedQuote: (label: string, line: number) =>
      `${label}: line ${line}: unterminated quoted field (its closing quote is missing)`,
    /** A quoted field of a record that must end on its line (a matrix row) is not closed on it. */
    quoteSpansLines: (label: string, line: number) =>
      `${label}: line ${line}: unterminated quoted field (values spanning lines are not supported)`,
    strayQuote: (label: string, line: number) =>
      `${label}: line ${line}: a quote inside an unquoted field, or text after a closing quote; quote the whole field and double inner quotes ("a ""b"" c")`,
    recordTooLong: (label: string, line: number, max: number) =>
      `${label}: line ${line}: unterminated quoted field (no closing quote within ${max.toLocaleString('en-US')} characters, the longest record songscope reads across lines)`,
    notText: (label: string, line: number) => `${label}: not UTF-8 text (after line ${line})`,
  },

  // ---- similar: songs alike in shape ------------------------------------------------------------------
  similar: {
    /** Fingerprint parameters other than the ones a dataset stores. */
    datasetShapeParameters: (path: string, id: string) => `${path}: a dataset stores fingerprints made with the default parameters (${id}); compare with those`,
    /** The query resolved to a collection of several tracks. */
    queryNotOneTrack: (spec: string, tracks: number) =>
      `${spec}: the query names ${tracks} tracks; give one track (an analysis or audio file, a Spotify track, a search)`,
    /** The query could not be analysed: `detail` is why. */
    queryFailed: (spec: string, detail: string) => `the query ${spec} could not be analysed: ${detail}`,
    /** Nothing left in the collection once the query and the tracks that failed are left out. */
    nothingToCompare: (collection: string, leftOut: number, failed: number) =>
      `${collection}: no track to compare the query with` +
      (leftOut || failed ? ` (${[leftOut ? `${leftOut} left out as the query itself` : '', failed ? `${failed} failed` : ''].filter(Boolean).join(', ')})` : ''),
  },

  // ---- CLI and options --------------------------------------------------------------------------------
  /** Informational (stderr): what `--notebook` set. */
  notebookChoices: (flags: string) => `--notebook: ${flags}`,
  noCommand: () => 'no command given (add --help for usage)',
  commandList: (names: readonly string[]) => `commands: ${names.join(', ')}`,
  /** A usage error from the command-line parser, with the way to the help on the same line. */
  withUsageHint: (message: string) => `${message} (add --help for usage)`,
  /** A {@link ParameterError}: `k: 0 (expected an integer in [1, 12])`; the CLI passes its flag as `name`. */
  parameter: (name: string, shown: string, expected: string) => `${name}: ${shown} (expected ${expected})`,
  badOption: (option: string, value: string, expected: string) =>
    `invalid value for ${option}: "${value}" (expected ${expected})`,
  writeFailed: (path: string, detail: string) => `cannot write ${path} (${detail})`,
  /** The cause in `writeFailed`, by errno code (the code itself when it has no sentence here). */
  writeCause: (code: string): string =>
    ({
      ENOSPC: 'no space left on the device',
      EDQUOT: 'disk quota exceeded',
      EFBIG: 'the file is too large for the file system',
      EROFS: 'not writable: read-only file system',
      EACCES: 'not writable: permission denied',
      EPERM: 'not writable: operation not permitted',
      EISDIR: 'it is a directory',
      ENOTDIR: 'a parent in the path is not a directory',
      ENAMETOOLONG: 'the name is too long',
      ELOOP: 'too many symbolic links',
      EIO: 'input/output error',
      ENXIO: 'no reader on that device, FIFO or socket',
      EPIPE: 'the reader went away',
      EMFILE: 'too many open files',
      ENFILE: 'too many open files',
    })[code] ?? code,
  internal: (detail: string) => `internal error: ${detail} (run again with --verbose for details)`,
  /**
   * Conditions no input can reach (a broken invariant inside songscope): shown, if ever, inside
   * `messages.internal`.
   */
  invariant: {
    resamplerEnded: () => 'StreamingResampler: push after end',
    resampledLength: (got: number, expected: number) => `resampleTo: produced ${got} samples, expected ${expected}`,
    httpTakesUrl: () => 'SpotifyHttp.fetch takes a URL (string or URL) and an init object, not a Request',
    flacSignature: () => 'no "fLaC" signature',
    unexpectedColour: (text: string) => `unexpected colour ${JSON.stringify(text)} from vega's scale`,
    noShapeFingerprint: (name: string) => `no shape fingerprint for ${name} (collect the tracks with the shape option)`,
  },
} as const;

/** An error carrying an errno-style `code`, its text the catalogue's words for that code (see `messages.writeCause`). */
export function errnoError(code: string): Error & { code: string } {
  return Object.assign(new Error(messages.writeCause(code)), { code });
}
