#!/usr/bin/env node
/**
 * The songscope command line: a thin layer that parses options, calls the library and maps failures
 * to one line on stderr and an exit code (0 ok, 1 runtime failure, 2 bad usage or input).
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, ParameterError, SongscopeError, inputError, messages } from '../errors.js';
import { VERSION } from '../version.js';
import { analyzeCommand } from './analyze.js';
import { featuresCommand } from './features.js';
import { fetchCommand } from './fetch.js';
import { albumCommand, classifyCommand, compareCommand } from './batch.js';
import { similarCommand } from './similar.js';
import { clusterCommand, correlateCommand, normalizeCommand, reduceCommand } from './transforms.js';
import { scanCommand } from './scan.js';
import { loadDotEnv, say } from './common.js';

export function buildProgram(): Command {
  const program = new Command('songscope')
    .description(
      'See and measure the temporal structure of songs: Spotify / Echo Nest audio analyses resampled onto ' +
        'a 1 ms feature grid (bar, beat, 12 pitch classes, 12 timbre coefficients), z-scored, correlated ' +
        'and plotted as Vega-Lite heatmaps.',
    )
    .version(VERSION, '-V, --version')
    .configureOutput({ outputError: (str, write) => write(`songscope: ${commanderLine(str)}\n`) })
    .exitOverride();
  program.addCommand(analyzeCommand());
  program.addCommand(featuresCommand());
  program.addCommand(fetchCommand());
  program.addCommand(normalizeCommand());
  program.addCommand(correlateCommand());
  program.addCommand(clusterCommand());
  program.addCommand(reduceCommand());
  program.addCommand(classifyCommand());
  program.addCommand(albumCommand());
  program.addCommand(compareCommand());
  program.addCommand(similarCommand());
  program.addCommand(scanCommand());
  program.addHelpText(
    'after',
    `
Quick start (no credentials needed):
  $ songscope analyze fixtures/psy-gangnam-style.json

Environment: SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET (live Spotify), SONGSCOPE_CACHE_DIR,
SONGSCOPE_FIXTURES, SPOTIFY_API_BASE_URL, SPOTIFY_ACCOUNTS_BASE_URL; a .env file in the working
directory is read too. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.`,
  );
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/**
 * Commander's error as one line: `unknown option '--fromat' (did you mean --format?) (add --help for
 * usage)` — commander puts its suggestion on a line of its own, and a usage hint would be a third.
 */
function commanderLine(text: string): string {
  const message = text
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
  return messages.withUsageHint(message);
}

/**
 * The CLI's name for a library parameter of a {@link ParameterError}: the flag that sets it. Parameters
 * without a flag (the points, the labels…) keep their library name.
 */
const PARAMETER_FLAGS: Record<string, string> = {
  k: '--k',
  nInit: '--n-init',
  ndims: '--ndims',
  folds: '--folds',
  seed: '--seed',
  binMs: '--resolution',
  smoothS: '--smooth',
  kernelBins: '--kernel',
  metric: '--metric',
  model: '--model',
  method: '--method',
  maxDisplayCells: '--max-cells',
};

/** Print a failure as one line (plus its hint) and return the exit code. */
export function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version).
    // --help and --version succeed; help shown because no command was given is a usage error.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
    // `songscope help [command]` asked for the help: it is not an error
    if (error.code === 'commander.help') return ExitCode.OK;
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (error instanceof ParameterError && PARAMETER_FLAGS[error.parameter]) {
    say(`songscope: ${oneLine(messages.parameter(PARAMETER_FLAGS[error.parameter], error.shown, error.expected))}`);
    return error.exitCode;
  }
  if (error instanceof SongscopeError) {
    say(`songscope: ${oneLine(error.message)}`);
    if (error.hint) say(error.hint);
    if (verbose && error.cause) say(`cause: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause)}`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? error.message : String(error);
  say(`songscope: ${messages.internal(oneLine(detail))}`);
  if (verbose && error instanceof Error && error.stack) say(error.stack);
  return ExitCode.RUNTIME;
}

/** A message on one line: line breaks (a file name with one, a library's message) become `\n`. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}

/** No command: no arguments at all, or only --verbose (anything else is commander's to judge). */
function noCommand(args: readonly string[]): boolean {
  return args.every((a) => a === '-v' || a === '--verbose');
}

export async function main(argv: string[] = process.argv): Promise<number> {
  loadDotEnv();
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const program = buildProgram();
    if (noCommand(argv.slice(2))) {
      throw inputError(messages.noCommand(), messages.commandList(program.commands.map((c) => c.name())));
    }
    await program.parseAsync(argv);
    // a batch command that finished but had failures (some tracks) sets its exit code itself
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (error) {
    return reportError(error, verbose);
  }
}

// A reader that goes away (| head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.OK);
});

main().then((code) => {
  process.exitCode = code;
});
