/**
 * What every subcommand shares: the source options (cache, offline, fixtures, record, max-wait), option
 * parsers that fail with exit code 2, the `.env` loader, and stderr output.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as util from 'node:util';
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { inputError, messages, runtimeError } from '../errors.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { GRID_SEMANTICS, type GridSemantics } from '../matrix/grid.js';
import { DEFAULT_SONG_NORMALIZATION, SONG_NORMALIZATIONS } from '../transforms/songs.js';
import { DEFAULT_BIN_MS } from '../jobs/bins.js';

/** Options every command that resolves an input accepts. */
export interface SourceCliOptions {
  cacheDir?: string;
  cache: boolean;
  offline?: boolean;
  fixtures?: string;
  record?: string;
  maxWait: number;
  verbose?: boolean;
}

/**
 * Write text to standard output and wait until it is handed over. A reader that went away (EPIPE: `| head`)
 * ends quietly; any other failure (a full disk under `> file`) is a runtime error naming standard output.
 */
export function printStdout(text: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (error?: Error | null) => {
      const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
      if (!error || code === 'EPIPE') resolve();
      else reject(runtimeError(messages.writeFailed('standard output', messages.writeCause(code ?? error.message)), undefined, error));
    });
  });
}

/** Write a line to stderr. */
export function say(line: string): void {
  process.stderr.write(line + '\n');
}

/** Add the source options to a command. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--cache-dir <dir>', 'analysis cache directory (default: $SONGSCOPE_CACHE_DIR, $XDG_CACHE_HOME/songscope or ~/.cache/songscope)')
    .option('--no-cache', 'neither read nor write the cache')
    .option('--offline', 'never use the network: cache and --fixtures only')
    .option('--fixtures <dir>', 'answer every Spotify request from recorded files in <dir> (default: $SONGSCOPE_FIXTURES)')
    .option('--record <dir>', 'fetch live and record every Spotify response into <dir> for --fixtures')
    .addOption(
      new Option('--max-wait <seconds>', 'longest total wait for Spotify rate limits (HTTP 429)')
        .default(60)
        .argParser((v) => parseNumber('--max-wait', v, { min: 0 })),
    )
    .option('-v, --verbose', 'explain failures in more detail');
}

/** The grid option shared by analyze and features. */
export function gridOption(): Option {
  return new Option('--grid <semantics>', 'resampling semantics of the 1 ms matrix: full (whole track) or seed (the notebook\'s pandas code, exactly)')
    .choices(GRID_SEMANTICS as string[])
    .default('full');
}

/** Resolver options from the parsed CLI options. */
export function resolveOptionsFrom(opts: SourceCliOptions, log: (line: string) => void): ResolveOptions {
  if (opts.fixtures && opts.record) throw inputError(messages.fixturesWithRecord());
  if (opts.offline && opts.record) throw inputError(messages.offlineWithRecord());
  if (opts.offline && !opts.cache && !opts.fixtures && !process.env.SONGSCOPE_FIXTURES) throw inputError(messages.offlineWithoutCache());
  return {
    cacheDir: opts.cacheDir,
    useCache: opts.cache,
    offline: opts.offline,
    spotify: {
      ...(opts.fixtures ? { fixturesDir: opts.fixtures } : {}),
      // an explicit --record wins over SONGSCOPE_FIXTURES from the environment
      ...(opts.record ? { recordDir: opts.record, fixturesDir: undefined } : {}),
      maxWaitS: opts.maxWait,
      log,
    },
    log,
  };
}

/** Parse a finite number option, or fail with exit code 2. */
export function parseNumber(option: string, value: string, range: { min?: number; integer?: boolean } = {}): number {
  const n = Number(value);
  const ok = value.trim() !== '' && Number.isFinite(n) && (range.min === undefined || n >= range.min) && (!range.integer || Number.isInteger(n));
  if (!ok) {
    const expected = `${range.integer ? 'an integer' : 'a number'}${range.min !== undefined ? ` ≥ ${range.min}` : ''}`;
    throw inputError(messages.badOption(option, value, expected));
  }
  return n;
}

/** Parse a duration like `1s`, `500ms`, `0.5s` or `2` (seconds) into whole milliseconds ≥ 1. */
export function parseDurationMs(option: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?\s*$/i.exec(value);
  const ms = m ? (m[2]?.toLowerCase() === 'ms' ? Number(m[1]) : Number(m[1]) * 1000) : NaN;
  if (!(ms >= 1) || Math.abs(ms - Math.round(ms)) > 1e-9) {
    throw inputError(messages.badOption(option, value, 'a duration of at least 1 ms in whole milliseconds, e.g. 1s, 500ms, 2.5s'));
  }
  return Math.round(ms);
}

export const asGrid = (v: string): GridSemantics => v as GridSemantics;

/**
 * Load `.env` from the working directory into `process.env` without overriding variables that are
 * already set. Uses Node's own parser (`util.parseEnv`, Node ≥ 20.12) with a minimal fallback.
 */
export function loadDotEnv(path = '.env'): void {
  if (!existsSync(path)) return;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const parse = (util as unknown as { parseEnv?: (s: string) => Record<string, string> }).parseEnv ?? parseEnvFallback;
  for (const [key, value] of Object.entries(parse(text))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
}

function parseEnvFallback(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = v;
  }
  return out;
}

// ---- options shared by the transform subcommands --------------------------------------------------------

/** `--seed`: every random step's seed. */
/**
 * `--jobs N`: worker threads for the per-track work (decoding and analysing audio, reading analyses, each
 * track's own plots). Default: every core this process may use. Outputs are byte-identical for any N.
 */
export function jobsOption(what = 'per-track work (decoding, analysis, per-track plots)', light = true): Option {
  const note = light ? ' (analysis files of 32 MB in all, or audio already analysed, run there anyway: threads would cost more than they save)' : '';
  return new Option('--jobs <n>', `worker threads for the ${what}; default: every core (${availableParallelism()} here); 1 runs in the main thread${note}; the outputs are the same for any number`)
    .argParser((v) => parseNumber('--jobs', v, { min: 1, integer: true }));
}

export function seedOption(): Option {
  return new Option('--seed <n>', 'seed of every random step (same input and seed → byte-identical files)')
    .default(0)
    .argParser((v) => parseNumber('--seed', v, { integer: true }));
}

/** `--format`: which static images to write beside each Vega-Lite spec. */
export function formatOption(): Option {
  return new Option('--format <format>', 'static image format of the plots: svg, png (via resvg) or both').choices(['svg', 'png', 'both']).default('svg');
}

/** `--resolution`: the bin width (the jobs' `binMs`), default {@link DEFAULT_BIN_MS} shown in seconds. */
export function resolutionOption(what: string): Option {
  return new Option('--resolution <duration>', `bin width of the ${what}, e.g. 1s, 500ms`)
    .default(DEFAULT_BIN_MS, `${DEFAULT_BIN_MS / 1000}s`)
    .argParser((v) => parseDurationMs('--resolution', v));
}

export function smoothOption(): Option {
  return new Option('--smooth <seconds>', "trailing rolling mean over the bins, in seconds (pandas rolling(N).mean().fillna(0); the notebook's rolling(10) at 1 s is --smooth 10)")
    .default(0)
    .argParser((v) => parseNumber('--smooth', v, { min: 0 }));
}

/** Refuse binary output to a terminal. */
export function checkBinaryStdout(output: string | undefined, format: 'arrow' | 'csv' | 'parquet'): void {
  if (output === '-' && format === 'arrow' && process.stdout.isTTY) {
    throw inputError(messages.toolkit.binaryToTerminal());
  }
}

/**
 * Check `-o` before any work: a known extension (exit code 2 otherwise), no binary Arrow to a terminal, and
 * not `--json` with `-o -` (both want stdout); `what` names the numbers in that message.
 */
export async function checkOutput(opts: { output?: string; json?: boolean }, what: string): Promise<void> {
  const { matrixFormatFor } = await import('../matrix/io.js');
  if (opts.output !== undefined) checkBinaryStdout(opts.output, matrixFormatFor(opts.output));
  if (opts.json && opts.output === '-') throw inputError(messages.toolkit.jsonAndStdout(what));
}

/**
 * Where the plot of a result goes: `--plot PATH` (its extension, if any, dropped), else beside the output
 * file (same name, without the extension), else nothing (output to stdout without --plot).
 */
export function plotTarget(output: string, plot: string | boolean | undefined): { dir: string; name: string } | undefined {
  if (plot === false) return undefined;
  const base = typeof plot === 'string' ? plot : output === '-' ? undefined : output;
  if (base === undefined) return undefined;
  const dir = dirname(base);
  const name = basename(base).replace(/\.(arrow|feather|ipc|parquet|csv|svg|png|vl\.json|json)$/i, '');
  return { dir, name };
}

// ---- song vectors and the notebook's choices ------------------------------------------------------------

/** `--normalize` of album, compare, classify: how each song's time-averaged vector is normalised. */
export function songNormalizeOption(): Option {
  return new Option(
    '--normalize <mode>',
    "how each song's time-averaged feature vector is normalised: zscore-songs (each column z-scored across the songs' " +
      "vectors, population std, a constant column → 0: hypertools normalize='across' on the stacked vectors, as the " +
      "notebook's compare and classify cells), none (the raw time-averages, as the notebook's album cells), or " +
      "zscore-rows (z-scored with the statistics of every song's 1 ms rows pooled)",
  )
    .choices([...SONG_NORMALIZATIONS])
    .default(DEFAULT_SONG_NORMALIZATION);
}

/** `--notebook`: one flag for every choice the original notebook made (see {@link applyNotebook}). */
export function notebookOption(what: string): Option {
  return new Option('--notebook', `make every choice the original notebook's code made: ${what} (an option given explicitly still wins)`);
}

/** A `--notebook` preset whose parsed value is shown otherwise on the command line (`1000` ms as `1s`). */
export interface ShownPreset {
  value: unknown;
  shown: string;
}

/**
 * With `--notebook`, set each of `presets` (option name → parsed value) unless the user gave that option on
 * the command line, and say on stderr what was set (unless `quiet`). Runs as a `preAction` hook.
 */
export function applyNotebook(cmd: Command, presets: Record<string, unknown>, quiet = false): void {
  if (!cmd.opts().notebook) return;
  const set: string[] = [];
  for (const [key, preset] of Object.entries(presets)) {
    if (cmd.getOptionValueSource(key) === 'cli') continue;
    const shown = typeof preset === 'object' && preset !== null && 'shown' in preset ? (preset as ShownPreset) : undefined;
    const value = shown ? shown.value : preset;
    cmd.setOptionValueWithSource(key, value, 'config');
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    set.push(value === true ? flag : value === false ? flag.replace(/^--/, '--no-') : `${flag} ${shown ? shown.shown : String(value)}`);
  }
  if (!quiet && set.length > 0) say(messages.notebookChoices(set.join(' ')));
}
