/**
 * `songscope features <input>`: the 1 ms feature matrix as an Arrow IPC (Feather v2) or CSV file, or as
 * an Arrow stream on stdout for pipes.
 */
import { Command } from 'commander';
import { featureGrid } from '../matrix/grid.js';
import { FEATURE_COLUMNS } from '../matrix/featureMatrix.js';
import { analysisSlug } from '../analysis/summary.js';
import { inputError, messages } from '../errors.js';
import { addSourceOptions, asGrid, gridOption, resolveOptionsFrom, say, type SourceCliOptions } from './common.js';

interface FeaturesCliOptions extends SourceCliOptions {
  output?: string;
  grid: string;
  quiet?: boolean;
}

export function featuresCommand(): Command {
  const cmd = new Command('features')
    .summary('write the 1 ms feature matrix (Arrow/Feather, Parquet or CSV; - streams Arrow to stdout)')
    .description(
      'Write the feature matrix of one track on the 1 ms grid: a time_ms index and 26 columns ' +
        '(bar, beat, pitch_C … pitch_B, timbre_01 … timbre_12).\n\n' +
        'The format follows the file name: .arrow/.feather/.ipc write an Arrow IPC file (Feather v2: pandas ' +
        'read_feather, polars read_ipc and DuckDB read it, with the track id, title, artist, source, grid ' +
        'and resolution in the schema metadata); .parquet writes Parquet (the same columns and metadata; DuckDB ' +
        'reads it with no extension); .csv writes CSV at full float precision; - streams Arrow IPC ' +
        'to stdout for the next command in a pipe.',
    )
    .argument('<input>', 'audio file, analysis file, Spotify track URI/URL/id, or search query')
    .option('-o, --output <file>', 'output file (.arrow, .feather, .ipc, .parquet, .csv) or - for stdout (default: ./<title or file name>.arrow)')
    .addOption(gridOption())
    .option('-q, --quiet', 'print nothing on stderr when done');
  addSourceOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope features fixtures/psy-gangnam-style.json -o psy.arrow
  $ songscope features fixtures/psy-gangnam-style.json --grid seed -o psy.csv
  $ songscope features fixtures/psy-gangnam-style.json -o psy.parquet
  $ songscope features fixtures/psy-gangnam-style.json -o - | python -c "import sys, pyarrow as pa; print(pa.ipc.open_stream(sys.stdin.buffer).read_all().shape)"

Read the file in Python:  pandas.read_feather('psy.arrow')  ·  polars.read_ipc('psy.arrow')
DuckDB:                   SELECT * FROM 'psy.parquet'  (or 'psy.arrow' with the arrow extension)`,
  );
  cmd.action(async (input: string, opts: FeaturesCliOptions) => {
    // Loaded on use, so `--help` does not pay for Arrow and the Spotify SDK.
    const [{ resolveAnalysis }, { matrixFormatFor, writeEventGrid }] = await Promise.all([
      import('../sources/resolve.js'),
      import('../matrix/io.js'),
    ]);
    const log = (line: string) => say(line);
    const output = opts.output;
    // Validate the output name before any work so a typo fails fast.
    if (output !== undefined) matrixFormatFor(output);
    if (output === '-' && process.stdout.isTTY) {
      throw inputError(messages.toolkit.binaryToTerminal());
    }
    const started = performance.now();
    const analysis = await resolveAnalysis(input, resolveOptionsFrom(opts, log));
    const grid = asGrid(opts.grid);
    // streamed from the events: the 1 ms matrix is never held whole (50 MB for 4 minutes)
    const { events, metadata } = featureGrid(analysis, { grid });
    const path = output ?? `${analysisSlug(analysis)}.arrow`;
    await writeEventGrid(events, metadata, path);
    if (!opts.quiet) {
      const where = path === '-' ? 'stdout (Arrow IPC stream)' : path;
      log(
        `wrote ${where}: ${events.rows.toLocaleString('en-US')} rows × ${FEATURE_COLUMNS.length} features at 1 ms (${grid} grid) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
      );
    }
  });
  return cmd;
}
