/**
 * The pipeable transform subcommands: normalize, correlate, cluster, reduce. Each reads a matrix file, `-`
 * (an Arrow stream on stdin) or any analysis input, writes its numeric result (`-o`, Arrow or CSV, `-` for
 * stdout) and, unless `--no-plot`, a Vega-Lite spec plus SVG/PNG beside it.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { inputError, messages } from '../errors.js';
import type { LoadedMatrix } from '../jobs/load.js';
import type { ResultTable } from '../matrix/table.js';
import type { PlotFormat } from '../plots/output.js';
import {
  addSourceOptions,
  asGrid,
  checkOutput,
  formatOption,
  gridOption,
  parseNumber,
  printStdout,
  plotTarget,
  resolutionOption,
  resolveOptionsFrom,
  say,
  seedOption,
  smoothOption,
  type SourceCliOptions,
} from './common.js';
import { outputJsonText } from '../util/outputJson.js';

interface TransformCliOptions extends SourceCliOptions {
  output?: string;
  grid: string;
  plot?: string | boolean;
  format: PlotFormat;
  quiet?: boolean;
  json?: boolean;
}

const NORMALIZE_CHOICES = ['zscore-within', 'zscore-across', 'zscore-row', 'minmax', 'none'];

/** Options every transform subcommand has. */
function addTransformOptions(cmd: Command, outputHelp: string): Command {
  cmd
    .option('-o, --output <file>', outputHelp)
    .addOption(gridOption())
    .option('--plot <path>', 'where the plot goes: PATH.vl.json and PATH.svg/.png (default: beside -o with its name; none when writing to stdout; normalize with several inputs: a directory)')
    .option('--no-plot', 'write the numbers only, no Vega-Lite spec or image')
    .addOption(formatOption())
    .option('-q, --quiet', 'print nothing on stderr when done');
  addSourceOptions(cmd);
  return cmd;
}

const INPUT_HELP = 'matrix file (.arrow/.feather/.ipc/.parquet/.csv), - for an Arrow stream on stdin, or any analysis input (file, Spotify URI/URL/id, search)';

async function loadInputs(inputs: string[], opts: TransformCliOptions): Promise<LoadedMatrix[]> {
  const { loadMatrix } = await import('../jobs/load.js');
  if (inputs.filter((i) => i === '-').length > 1) throw inputError(messages.toolkit.oneStdin());
  const resolve = resolveOptionsFrom(opts, say);
  const loaded: LoadedMatrix[] = [];
  for (const input of inputs) loaded.push(await loadMatrix(input, { grid: asGrid(opts.grid), resolve }));
  return loaded;
}

/** Write the table and its plot; returns the paths written (stdout as '-'). */
async function writeOutputs(
  output: string,
  write: (path: string) => Promise<void>,
  spec: TopLevelSpec | undefined,
  opts: TransformCliOptions,
): Promise<string[]> {
  const target = spec ? plotTarget(output, opts.plot) : undefined;
  // Plots first: a failure to render leaves no half-set of outputs behind the numbers.
  const written: string[] = [];
  if (spec && target) {
    const { writePlot } = await import('../plots/output.js');
    const { files } = await writePlot(target.dir, target.name, spec, { format: opts.format });
    written.push(...files);
  }
  await write(output);
  written.unshift(output);
  return written;
}

/** Write a job's table and plot, and its summary (with the files) as JSON on stdout under `--json`. */
async function writeResult(
  output: string,
  result: { table: ResultTable; spec: TopLevelSpec; summary: object },
  opts: TransformCliOptions,
): Promise<string[]> {
  const { writeTable } = await import('../matrix/io.js');
  const written = await writeOutputs(output, (p) => writeTable(result.table, p), result.spec, opts);
  if (opts.json) await printStdout(outputJsonText({ ...result.summary, files: written }));
  return written;
}

function done(opts: TransformCliOptions, started: number, what: string, written: string[]): void {
  if (opts.quiet) return;
  const files = written.map((f) => (f === '-' ? 'stdout' : f)).join(', ');
  say(`${what} → ${files} (${((performance.now() - started) / 1000).toFixed(2)} s)`);
}

function defaultOutput(loaded: LoadedMatrix, suffix: string): string {
  return `${loaded.slug}.${suffix}.arrow`;
}

/** {@link defaultOutput} of every input, made unique: a repeated name gets `-2`, `-3`, … before its suffix. */
function severalOutputNames(loaded: readonly LoadedMatrix[], suffix: string): string[] {
  const used = new Set<string>();
  return loaded.map((l) => {
    let name = defaultOutput(l, suffix);
    for (let k = 2; used.has(name); k++) name = `${l.slug}-${k}.${suffix}.arrow`;
    used.add(name);
    return name;
  });
}

// ---- normalize ----------------------------------------------------------------------------------------

interface NormalizeCliOptions extends TransformCliOptions {
  mode: string;
}

export function normalizeCommand(): Command {
  const cmd = new Command('normalize')
    .summary('normalise feature matrices (z-scores as hypertools 0.8, or min-max)')
    .description(
      'Normalise one or more feature matrices and write them in the same format.\n\n' +
        'Modes (hypertools 0.8 semantics for the z-scores, population std, a constant column becomes 0):\n' +
        '  zscore-within  each input z-scored per column with its own statistics (the notebook\'s default)\n' +
        '  zscore-across  every input z-scored with the statistics of all inputs stacked (give several inputs)\n' +
        '  zscore-row     each time point z-scored across its 26 features\n' +
        '  minmax         each column scaled to [0, 1] — what hypertools >= 1.0 calls Normalize; not a z-score\n' +
        '  none           unchanged',
    )
    .argument('<inputs...>', INPUT_HELP)
    .addOption(new Option('--mode <mode>', 'normalisation').choices(NORMALIZE_CHOICES).default('zscore-within'));
  addTransformOptions(cmd, 'output file (.arrow/.parquet/.csv) or - for stdout; with several inputs, a directory (default: ./<name>.normalized.arrow)');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope features song.json -o - | songscope normalize - -o - | songscope correlate - --smooth 10 -o corr.arrow
  $ songscope normalize a.json b.json c.json --mode zscore-across -o normalized/`,
  );
  cmd.action(async (inputs: string[], opts: NormalizeCliOptions) => {
    const started = performance.now();
    const [{ normalizeJob }, { writeMatrix }] = await Promise.all([import('../jobs/transforms.js'), import('../matrix/io.js')]);
    const several = inputs.length > 1;
    if (several && opts.output === '-') throw inputError(messages.toolkit.severalToStdout());
    if (!several) await checkOutput(opts, 'matrix');
    const loaded = await loadInputs(inputs, opts);
    const result = normalizeJob(loaded, opts.mode as never);
    const written: string[] = [];
    const names = severalOutputNames(loaded, 'normalized');
    for (let i = 0; i < loaded.length; i++) {
      const output = several ? join(opts.output ?? '.', names[i]) : (opts.output ?? names[i]);
      // several inputs: --plot names a directory, each plot named after its output
      const plot = several && typeof opts.plot === 'string' ? join(opts.plot, names[i]) : opts.plot;
      written.push(...(await writeOutputs(output, (p) => writeMatrix(result.matrices[i], p), result.specs[i], { ...opts, plot })));
    }
    done(opts, started, `normalized ${loaded.length} matri${loaded.length === 1 ? 'x' : 'ces'} (${opts.mode})`, written);
  });
  return cmd;
}

// ---- correlate ----------------------------------------------------------------------------------------

interface BinCliOptions extends TransformCliOptions {
  resolution: number;
  smooth: number;
  normalize: string;
}

function normalizeOption(defaultMode = 'auto'): Option {
  return new Option('--normalize <mode>', 'normalisation of the 1 ms matrix before binning (auto: zscore-within unless the input is already normalised)')
    .choices(['auto', ...NORMALIZE_CHOICES])
    .default(defaultMode);
}

interface CorrelateCliOptions extends BinCliOptions {
  metric: string;
}

export function correlateCommand(): Command {
  const cmd = new Command('correlate')
    .summary('self-similarity matrix: every time bin against every other')
    .description(
      'Timepoint-by-timepoint similarity of one track: the 1 ms matrix is z-scored (unless already normalised), ' +
        'averaged into --resolution bins, optionally smoothed with a trailing --smooth rolling mean, then every ' +
        'bin is compared with every other.\n\n' +
        'Metrics: pearson (r across the 26 features, as pandas df.T.corr()), cosine, euclidean (a distance).\n' +
        'Bins whose similarity is undefined (constant rows, e.g. the zeros a rolling mean leaves at the start) ' +
        'are reported on stderr and written as empty/NaN cells.\n\n' +
        'Output: a square table; as CSV a header row and a first column time_s (each bin\'s start), so ' +
        'pandas.read_csv(path, index_col=0) gives the matrix.',
    )
    .argument('<input>', INPUT_HELP)
    .addOption(resolutionOption('time bins'))
    .addOption(smoothOption())
    .addOption(new Option('--metric <metric>', 'similarity measure').choices(['pearson', 'cosine', 'euclidean']).default('pearson'))
    .addOption(normalizeOption())
    .option('--json', 'print a summary as JSON on stdout (not with -o -)');
  addTransformOptions(cmd, 'output file (.arrow/.parquet/.csv) or - for stdout (default: ./<name>.similarity.arrow)');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope correlate fixtures/psy-gangnam-style.json --smooth 10 -o psy-similarity.csv
  $ songscope features song.json -o - | songscope correlate - --metric cosine -o corr.arrow`,
  );
  cmd.action(async (input: string, opts: CorrelateCliOptions) => {
    const started = performance.now();
    const { correlateJob, describeTimes } = await import('../jobs/transforms.js');
    await checkOutput(opts, 'matrix');
    const [loaded] = await loadInputs([input], opts);
    const result = correlateJob(loaded, {
      binMs: opts.resolution,
      smoothS: opts.smooth,
      metric: opts.metric as never,
      normalize: opts.normalize as never,
    });
    const s = result.summary;
    if (!opts.quiet && s.undefinedBinsS.length > 0) {
      say(`${s.undefinedBinsS.length} of ${s.bins} bins have no defined ${s.metric} similarity (constant rows or missing values) at ${describeTimes(s.undefinedBinsS, s.binS)}; they are empty cells`);
    }
    const written = await writeResult(opts.output ?? defaultOutput(loaded, 'similarity'), result, opts);
    done(opts, started, `${s.bins} × ${s.bins} ${s.metric} similarity of ${s.title}`, written);
  });
  return cmd;
}

// ---- cluster ------------------------------------------------------------------------------------------

interface ClusterCliOptions extends BinCliOptions {
  k: number;
  method: string;
  seed: number;
  nInit: number;
  kernel: number;
}

export function clusterCommand(): Command {
  const cmd = new Command('cluster')
    .summary("find a song's parts: k-means, novelty or contiguous Ward on its time bins")
    .description(
      "Cluster one track's time bins (binned and smoothed exactly as correlate does; the notebook clustered " +
        'the 1 s bins after a 10 s rolling mean: --smooth 10) and write one row per bin: time_s,label.\n\n' +
        'Methods:\n' +
        '  kmeans         k-means++ with --n-init seeded restarts (as scikit-learn); labels can recur over time\n' +
        "  novelty        Foote's checkerboard-kernel novelty on the self-similarity matrix; its k−1 strongest\n" +
        '                 peaks cut the track into k segments\n' +
        '  agglomerative  Ward clustering constrained to time-contiguous segments (k segments)\n\n' +
        "The plot is a timeline coloured by label with the analysis' own sections drawn as rules. When the " +
        "analysis' sections are known, the found boundaries are scored against them: hit-rate F-measure at " +
        '0.5 s and 3 s with mir_eval.segment.detection conventions (trim=False: the start and the end count).',
    )
    .argument('<input>', INPUT_HELP)
    .addOption(new Option('--k <n>', 'number of clusters (segments)').default(3).argParser((v) => parseNumber('--k', v, { min: 1, integer: true })))
    .addOption(new Option('--method <method>', 'clustering method').choices(['kmeans', 'novelty', 'agglomerative']).default('kmeans'))
    .addOption(resolutionOption('time bins'))
    .addOption(smoothOption())
    .addOption(normalizeOption())
    .addOption(seedOption())
    .addOption(new Option('--n-init <n>', 'k-means restarts; the best (lowest inertia) is kept').default(10).argParser((v) => parseNumber('--n-init', v, { min: 1, integer: true })))
    .addOption(new Option('--kernel <seconds>', 'novelty: width of the checkerboard kernel').default(16).argParser((v) => parseNumber('--kernel', v, { min: 0.001 })))
    .option('--json', 'print the summary (sizes, boundaries, agreement with the sections) as JSON on stdout');
  addTransformOptions(cmd, 'output file (.arrow/.parquet/.csv) or - for stdout (default: ./<name>.clusters.arrow)');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope cluster fixtures/psy-gangnam-style.json --k 3 --smooth 10 -o psy-parts.csv
  $ songscope cluster fixtures/psy-gangnam-style.json --method novelty --k 6 --json`,
  );
  cmd.action(async (input: string, opts: ClusterCliOptions) => {
    const started = performance.now();
    const { clusterJob } = await import('../jobs/transforms.js');
    await checkOutput(opts, 'labels');
    const [loaded] = await loadInputs([input], opts);
    const result = clusterJob(loaded, {
      k: opts.k,
      method: opts.method as never,
      binMs: opts.resolution,
      smoothS: opts.smooth,
      normalize: opts.normalize as never,
      seed: opts.seed,
      nInit: opts.nInit,
      kernelS: opts.kernel,
    });
    const written = await writeResult(opts.output ?? defaultOutput(loaded, 'clusters'), result, opts);
    const s = result.summary;
    if (!opts.quiet) {
      say(`${s.method}, k = ${s.k}: ${s.bins} bins; sizes ${s.sizes.join(', ')}; ${s.boundariesS.length - 2} boundaries inside the track`);
      if (s.agreement) {
        say(`agreement with the analysis' ${s.referenceBoundariesS!.length - 1} sections (${s.agreementConvention}):`);
        for (const a of s.agreement) say(`  ±${a.windowS} s: F ${a.f.toFixed(3)} (precision ${a.precision.toFixed(3)}, recall ${a.recall.toFixed(3)})`);
      } else {
        say('no sections known for this input, so no boundary agreement to report');
      }
    }
    done(opts, started, `clusters of ${s.title}`, written);
  });
  return cmd;
}

/** `--ndims`: 2 or 3. */
export function parseNdims(value: string): number {
  const n = parseNumber('--ndims', value, { min: 2, integer: true });
  if (n > 3) throw inputError(messages.badOption('--ndims', value, '2 or 3'));
  return n;
}

// ---- reduce -------------------------------------------------------------------------------------------

interface ReduceCliOptions extends BinCliOptions {
  where?: string;
  model: string;
  ndims: number;
  seed: number;
  color: string;
  k: number;
}

export function reduceCommand(): Command {
  const cmd = new Command('reduce')
    .summary('project time bins (one track) or tracks (several) into 2-D/3-D: PCA, MDS, UMAP')
    .description(
      'Dimensionality reduction.\n\n' +
        'One input: its time bins (binned and smoothed as correlate does) become a trajectory — points in ' +
        'time order joined by a line, coloured by time or by k-means cluster.\n' +
        "Several inputs: each track's time-averaged feature vector becomes one labelled point; --normalize says " +
        'how the vectors are normalised: zscore-songs (the default: each feature z-scored across the tracks\' ' +
        "vectors, as the notebook's hypertools normalize='across' on stacked vectors), none (raw time-averages), " +
        "zscore-rows (z-scored with every track's 1 ms rows pooled), or a matrix mode applied before averaging.\n\n" +
        'Models:\n' +
        '  pca            principal components (reports the explained variance)\n' +
        "  mds            metric MDS by SMACOF, as scikit-learn's MDS (seeded, 4 restarts)\n" +
        '  classical-mds  Torgerson scaling (deterministic)\n' +
        '  umap           UMAP (umap-js, seeded)',
    )
    .argument('<inputs...>', INPUT_HELP)
    .addOption(new Option('--model <model>', 'reduction').choices(['pca', 'mds', 'classical-mds', 'umap']).default('pca'))
    .addOption(new Option('--ndims <n>', 'output dimensions: 2 or 3').default(2).argParser(parseNdims))
    .addOption(resolutionOption('time bins (one input)'))
    .addOption(smoothOption())
    .addOption(
      new Option('--normalize <mode>', 'one input: the 1 ms matrix before binning (as correlate); several: the vectors (default zscore-songs)')
        .choices(['auto', 'zscore-songs', 'zscore-rows', ...NORMALIZE_CHOICES])
        .default('auto'),
    )
    .addOption(seedOption())
    .addOption(new Option('--color <by>', 'one input: colour the trajectory by time or by k-means cluster').choices(['time', 'cluster']).default('time'))
    .addOption(new Option('--k <n>', 'clusters for --color cluster').default(3).argParser((v) => parseNumber('--k', v, { min: 1, integer: true })))
    .option('--where <sql>', "dataset input (a directory made by songscope scan): only the tracks matching this SQL condition on its columns")
    .option('--json', 'print the summary as JSON on stdout');
  addTransformOptions(cmd, 'output file (.arrow/.parquet/.csv) or - for stdout (default: ./<name>.<model>.arrow)');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope reduce fixtures/psy-gangnam-style.json --model pca --smooth 10 --color cluster -o psy-pca.csv
  $ songscope reduce fixtures/*.json --model mds -o songs-mds.csv
  $ songscope reduce corpus/ --model umap --where "label IS NOT NULL" -o corpus-umap.parquet`,
  );
  cmd.action(async (inputs: string[], opts: ReduceCliOptions) => {
    const started = performance.now();
    const { reduceJob, reduceSongsJob } = await import('../jobs/transforms.js');
    const { isDataset } = await import('../corpus/read.js');
    await checkOutput(opts, 'coordinates');
    const jobOptions = {
      model: opts.model as never,
      ndims: opts.ndims,
      seed: opts.seed,
      binMs: opts.resolution,
      smoothS: opts.smooth,
      normalize: opts.normalize as never,
      colorBy: opts.color as never,
      k: opts.k,
    };
    const dataset = inputs.find((i) => isDataset(i));
    let result;
    let output: string;
    if (dataset !== undefined) {
      // a dataset: each track's vector from its stored statistics, nothing re-analysed
      if (inputs.length > 1) throw inputError(messages.corpus.datasetWithOthers(dataset));
      const { readDatasetTracks } = await import('../corpus/read.js');
      const { tracks } = await readDatasetTracks(dataset, { where: opts.where, log: opts.quiet ? undefined : say });
      const name = (t: (typeof tracks)[number]) => (t.summary.artist && t.summary.title ? `${t.summary.artist} – ${t.summary.title}` : (t.summary.title ?? t.ref.input));
      result = reduceSongsJob(tracks.map((t) => ({ name: name(t), rows: t.rows, mean: t.mean, std: t.std })), jobOptions);
      output = opts.output ?? `tracks.${opts.model}.arrow`;
    } else {
      if (opts.where !== undefined) throw inputError(messages.corpus.datasetOnly('--where'));
      const loaded = await loadInputs(inputs, opts);
      result = reduceJob(loaded, jobOptions);
      output = opts.output ?? (loaded.length === 1 ? defaultOutput(loaded[0], opts.model) : `tracks.${opts.model}.arrow`);
    }
    const written = await writeResult(output, result, opts);
    const s = result.summary;
    if (!opts.quiet && s.explainedVarianceRatio) {
      say(`explained variance: ${s.explainedVarianceRatio.map((r, i) => `PC${i + 1} ${(r * 100).toFixed(1)} %`).join(', ')}`);
    }
    if (!opts.quiet && s.stress !== undefined) say(`SMACOF stress: ${s.stress.toPrecision(4)}`);
    done(opts, started, `${s.model} of ${s.points} ${s.mode === 'trajectory' ? 'time bins' : 'tracks'} in ${s.ndims} dimensions`, written);
  });
  return cmd;
}

