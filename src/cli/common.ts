/**
 * What every subcommand shares: the source options (cache, offline, fixtures, record, max-wait), option
 * parsers that fail with exit code 2, the `.env` loader, and stderr output.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as util from 'node:util';
import { Option, type Command } from 'commander';
import { inputError, messages } from '../errors.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { GRID_SEMANTICS, type GridSemantics } from '../matrix/grid.js';

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
