/**
 * The resource limits songscope enforces, in one place (listed in the README, "Resource limits").
 *
 * Each limit is checked before the work it bounds starts (from a file's size, a header, or a count the
 * parser sees first), and refusing is an input error (exit code 2) whose message, in `./errors.ts`, names
 * the limit. They exist so that a hostile or damaged file is refused quickly rather than holding the
 * machine for minutes or gigabytes: a header promising 4 GHz audio, a JSON nested 100,000 deep, a 13 KB
 * file that claims three hours.
 */

/**
 * The longest track songscope accepts, seconds (3 hours): decoded audio, an analysis's duration, and the
 * 1 ms feature matrix ({@link MAX_GRID_ROWS} rows, 2.2 GB of Float64 for the 26 features).
 */
export const MAX_DURATION_S = 3 * 3600;

/** Rows of the 1 ms feature matrix of a {@link MAX_DURATION_S} track: 10.8 million. */
export const MAX_GRID_ROWS = MAX_DURATION_S * 1000;

/**
 * The largest audio file songscope decodes, bytes (2 GiB: 3 hours of 44.1 kHz 16-bit stereo WAV is
 * 1.9 GB; MP3 files are decoded from memory).
 */
export const MAX_AUDIO_FILE_BYTES = 2 * 2 ** 30;

/** The lowest sample rate an audio file may declare, Hz (telephone audio is 8 kHz). */
export const MIN_SAMPLE_RATE_HZ = 1_000;

/**
 * The highest sample rate an audio file may declare, Hz (DXD and the fastest studio converters run at
 * 352.8/384 kHz; 768 kHz is the highest any PCM format in use declares). The resampler's filter grows
 * with the input rate: at 768 kHz it has about 1,100 taps.
 */
export const MAX_SAMPLE_RATE_HZ = 768_000;

/** The most channels an audio file may have (3rd-order ambisonics has 16; 7.1.4 has 12). */
export const MAX_CHANNELS = 32;

/**
 * The largest analysis file (JSON, on standard input too, a cache entry, a Million Song Dataset .h5)
 * songscope reads, bytes: 500 MiB, just under the longest string JavaScript can hold (2^29 − 24
 * characters). A Spotify analysis of a 3-hour track is about 20 MB.
 */
export const MAX_ANALYSIS_FILE_BYTES = 500 * 2 ** 20;

/**
 * The deepest nesting of arrays and objects accepted in a JSON file. An analysis needs 4 levels (the
 * document, `segments`, a segment, its `pitches`) and a recorded Spotify answer about 7; deeper is refused
 * before parsing, so a file nested 100,000 deep never reaches a recursive step.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The most values (rows × columns, `time_ms` aside) a feature-matrix file read by songscope may hold:
 * 345.6 million, 2.6 GiB of Float64 — the 1 ms matrix of a 3-hour track with room for 32 columns.
 */
export const MAX_MATRIX_VALUES = MAX_GRID_ROWS * 32;

/** Most feature columns a matrix file may have (songscope's own have 26; a file with thousands is not a feature matrix, e.g. a CSV whose line ends were lost). */
export const MAX_MATRIX_COLUMNS = 4096;

/**
 * The longest CSV record that spans lines (a quoted field holding line ends: a matrix header, a manifest
 * entry), characters: 1 MiB. A quote never closed would otherwise make the rest of a file of gigabytes one
 * field; records on one line are bounded by the limits above instead.
 */
export const MAX_CSV_RECORD_CHARS = 2 ** 20;

/**
 * Most time bins a self-similarity matrix may have: 4,000² float64 values are 128 MB and ~0.4 s of
 * correlating; a finer `--resolution` on a long track is refused with the coarsest resolution that fits.
 */
export const MAX_SIMILARITY_BINS = 4000;
