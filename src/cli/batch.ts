/**
 * Batch subcommands over collections of tracks: `album`, `compare` and `classify`. Progress goes to stderr
 * (a bar on a terminal, plain lines otherwise); tracks that fail are reported at the end and make the
 * exit code 1, but never stop the others.
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import type { CollectProgress } from '../jobs/tracks.js';
import { parseNdims } from './transforms.js';
import type { BatchOptions, BatchTimings } from '../jobs/batch.js';
import type { TrackGroup } from '../jobs/groups.js';
import type { Collection } from '../sources/collection.js';
import type { TrackFailure } from '../jobs/tracks.js';
import type { SongNormalization } from '../transforms/songs.js';
import type { SongFeatures } from '../jobs/songFeatures.js';
import type { HierarchyMetric } from '../transforms/hierarchy.js';
import { describeCv, FOLD_RULES, type FoldRule } from '../transforms/folds.js';
import type { ClassifyReport } from '../transforms/classify.js';
import type { ReportRenderer } from '../plots/page.js';
import type { PlotFormat } from '../plots/output.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { ExitCode, inputError, messages } from '../errors.js';
import {
  addSourceOptions,
  asGrid,
  checkOutput,
  formatOption,
  gridOption,
  jobsOption,
  parseNumber,
  printStdout,
  resolutionOption,
  resolveOptionsFrom,
  say,
  seedOption,
  songNormalizeOption,
  notebookOption,
  applyNotebook,
  type SourceCliOptions,
} from './common.js';
import { outputJsonText } from '../util/outputJson.js';

interface BatchCliOptions extends SourceCliOptions {
  out?: string;
  grid: string;
  plot: boolean;
  perTrackPlots: boolean;
  format: PlotFormat;
  seed: number;
  concurrency: number;
  jobs?: number;
  normalize: string;
  features: string;
  notebook?: boolean;
  json?: boolean;
  quiet?: boolean;
  where?: string;
}

/** `--features`: what describes a song (see `jobs/songFeatures.ts`). */
function featuresOption(): Option {
  return new Option(
    '--features <what>',
    "what describes a song: mean (its time-averaged feature vector), shape (its shape fingerprint: the order and recurrence of its parts, whatever the key, tempo or sound; maps use the warped shape distance, the classifier the fingerprint) or both",
  )
    .choices(['mean', 'shape', 'both'])
    .default('mean');
}

const COLLECTION_HELP =
  'spotify:album:ID or album URL, spotify:playlist:ID or playlist URL, a directory of analysis files, a CSV manifest (path_or_uri,label), or a dataset made by songscope scan';

/** `--where`: a dataset input's SQL filter. */
const WHERE_HELP = "dataset input: only the tracks matching this SQL condition on the dataset's columns (DuckDB syntax), e.g. \"tempo_bpm > 120 AND label = 'rock'\"";

/**
 * The dataset among the inputs (a directory made by `songscope scan`), or undefined. A dataset is the only
 * input when given; `--where` and the group-column options need one.
 */
async function datasetInput(specs: readonly string[], opts: { where?: string; groupColumn?: string; labelColumn?: string }): Promise<string | undefined> {
  const [{ isDataset }, { splitGroup }] = await Promise.all([import('../corpus/read.js'), import('../jobs/groups.js')]);
  const named = specs.find((s) => splitGroup(s).name !== undefined && isDataset(splitGroup(s).input));
  if (named !== undefined) throw inputError(messages.corpus.datasetWithOthers(splitGroup(named).input));
  const dataset = specs.find((s) => isDataset(s));
  if (dataset === undefined) {
    const given: [string, string | undefined][] = [['--where', opts.where], ['--group-column', opts.groupColumn], ['--label-column', opts.labelColumn]];
    for (const [flag, value] of given) if (value !== undefined) throw inputError(messages.corpus.datasetOnly(flag));
    return undefined;
  }
  if (specs.length > 1) throw inputError(messages.corpus.datasetWithOthers(dataset));
  return dataset;
}

function addBatchOptions(cmd: Command, outDefault: string): Command {
  cmd
    .option('-o, --out <dir>', `output directory (default: ${outDefault})`)
    .addOption(gridOption())
    .addOption(seedOption())
    .addOption(songNormalizeOption())
    .addOption(featuresOption())
    .addOption(new Option('--concurrency <n>', 'tracks fetched in parallel (Spotify rate limits are respected)').default(4).argParser((v) => parseNumber('--concurrency', v, { min: 1, integer: true })))
    .addOption(jobsOption())
    .option('--no-plot', 'no plots at all (and no report.html): numbers only')
    .addOption(formatOption())
    .option('--where <sql>', WHERE_HELP)
    .option('-q, --quiet', 'no progress and no summary on stderr');
  addSourceOptions(cmd);
  return cmd;
}

/** A progress reporter: a bar on a terminal, one line per track otherwise. */
async function progressReporter(opts: { quiet?: boolean }, label: string): Promise<{ onProgress?: (p: CollectProgress) => void; stop: () => void }> {
  if (opts.quiet) return { stop: () => undefined };
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const bar = new SingleBar(
      { format: `${label} [{bar}] {value}/{total} tracks · {failed} failed · {name}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
      Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress: (p) => {
        if (!started) {
          bar.start(p.total, 0, { name: '', failed: 0 });
          started = true;
        }
        bar.update(p.done, { name: p.name, failed: p.failed });
      },
      stop: () => started && bar.stop(),
    };
  }
  return {
    onProgress: (p) => say(`[${p.done}/${p.total}] ${p.name}${p.failed ? ` (${p.failed} failed so far)` : ''}`),
    stop: () => undefined,
  };
}

/** Run a batch job with the progress reporter running (and stopped however the job ends). */
async function withProgress<T>(opts: { quiet?: boolean }, label: string, run: (onProgress?: (p: CollectProgress) => void) => Promise<T>): Promise<T> {
  const progress = await progressReporter(opts, label);
  try {
    return await run(progress.onProgress);
  } finally {
    progress.stop();
  }
}

/** What every batch job takes from the shared options. */
function batchJobOptions(
  opts: BatchCliOptions | ClassifyCliOptions,
  outDir: string,
  resolve: ResolveOptions,
  onProgress?: (p: CollectProgress) => void,
  report?: ReportRenderer,
): BatchOptions {
  return {
    outDir,
    resolve,
    ...(report ? { report } : {}),
    grid: asGrid(opts.grid),
    concurrency: opts.concurrency,
    jobs: opts.jobs ?? availableParallelism(),
    ...(report ? { reportModule: new URL('../report/html.js', import.meta.url).href } : {}),
    ...('plot' in opts ? { plots: opts.plot, format: opts.format } : {}),
    normalize: opts.normalize as SongNormalization,
    features: opts.features as SongFeatures,
    seed: opts.seed,
    onProgress,
  };
}

/** Print the tracks that failed (`describeFailures` of `jobs/batch.js`, imported with the job). */
async function reportFailures(failures: TrackFailure[]): Promise<void> {
  const { describeFailures } = await import('../jobs/batch.js');
  for (const line of describeFailures(failures)) say(line);
}

const tracksCount = (n: number) => `${n} track${n === 1 ? '' : 's'}`;

function timingLine(t: BatchTimings): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `time: ${s(t.total)} (tracks ${s(t.tracks)}, per-track outputs ${s(t.perTrack)}, songs ${s(t.songs)}, plots and report ${s(t.plots)})`;
}

function resolveFrom(opts: BatchCliOptions): ResolveOptions {
  return resolveOptionsFrom(opts, say);
}

// ---- album --------------------------------------------------------------------------------------------

interface AlbumCliOptions extends BatchCliOptions {
  k: number;
  metric: string;
  resolution: number;
  smooth: number;
}

export function albumCommand(): Command {
  const cmd = new Command('album')
    .summary('analyse every track of an album, playlist, directory or manifest and compare the songs')
    .description(
      'Analyse every track of a collection and compare the songs with each other.\n\n' +
        "Each song becomes its time-averaged feature vector, normalised by --normalize (default zscore-songs: " +
        "each feature z-scored across the album's songs; --notebook uses the raw vectors, as the notebook's album " +
        'cells did). Written into the output directory:\n' +
        '  tracks/NN-title/      per-track analyze outputs (off with --no-per-track-plots)\n' +
        "  songs-correlation     heatmap of the songs' Pearson correlations, labelled with track numbers and titles\n" +
        '  songs-clustermap      the same ordered by hierarchical clustering, with its dendrogram (seaborn clustermap)\n' +
        '  songs-mds             2-D metric MDS of the songs, coloured by k-means (--k)\n' +
        '  songs-shape, songs-shape-mds   with --features shape or both: the songs\' shape similarity and shape map\n' +
        '  album.json            every number; report.html: all plots, interactive, in one self-contained file\n' +
        'Every plot is NAME.vl.json plus NAME.svg (or .png with --format). Tracks that fail are reported at the ' +
        'end and make the exit code 1; the rest are still analysed.',
    )
    .argument('<collection>', COLLECTION_HELP)
    .addOption(new Option('--k <n>', 'k-means clusters of the songs').default(3).argParser((v) => parseNumber('--k', v, { min: 1, integer: true })))
    .addOption(new Option('--metric <metric>', "distance between the correlation matrix' rows for the clustermap (seaborn's metric)").choices(['correlation', 'euclidean']).default('correlation'))
    .option('--no-per-track-plots', 'skip the per-track analyze outputs')
    .addOption(resolutionOption('per-track self-similarity'))
    .addOption(new Option('--smooth <seconds>', 'per-track similarity-smooth and parts: rolling mean in seconds, as in analyze (0 skips similarity-smooth)').default(10).argParser((v) => parseNumber('--smooth', v, { min: 0 })));
  addBatchOptions(cmd, './songscope-out/<album name>/');
  cmd.addOption(notebookOption("--grid seed, --normalize none (the raw time-averages of cells 22–25), k-means on the 2-D MDS coordinates (hypertools 0.3's plot clusters the reduced data), and each track's gallery plots on its raw 1 s bins (cell 33)"));
  cmd.hook('preAction', (c) => applyNotebook(c, { grid: 'seed', normalize: 'none' }, c.opts().quiet));
  cmd.option('--json', 'print album.json\'s summary (tracks, clusters, failures, files) as JSON on stdout');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope album fixtures --no-per-track-plots -o out/fixtures
  $ songscope album spotify:album:2noRn2Aes5aoNVsU6iWThc --format both
  $ songscope album https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M --no-plot --json`,
  );
  cmd.action(async (spec: string, opts: AlbumCliOptions) => {
    const [{ resolveCollection }, { runAlbum }, { slug }, { buildReportHtml }] = await Promise.all([
      import('../sources/collection.js'),
      import('../jobs/album.js'),
      import('../util/slug.js'),
      import('../report/html.js'),
    ]);
    const resolve = resolveFrom(opts);
    const dataset = await datasetInput([spec], opts);
    let collection: Collection;
    if (dataset !== undefined) {
      const { readDatasetCollection } = await import('../corpus/read.js');
      collection = await readDatasetCollection(dataset, { where: opts.where, log: opts.quiet ? undefined : say });
      if (opts.plot && opts.perTrackPlots && !opts.quiet) say(messages.corpus.noPerTrackPlots());
    } else {
      collection = await resolveCollection(spec, resolve);
    }
    if (collection.tracks.length === 0) throw inputError(messages.toolkit.emptyCollection(spec));
    if (!opts.quiet) say(`${collection.name}: ${tracksCount(collection.tracks.length)} (${collection.kind})${collection.skipped?.length ? `; skipped ${collection.skipped.length} items that are not tracks` : ''}`);
    const outDir = opts.out ?? `songscope-out/${slug(collection.name) || 'album'}`;
    const result = await withProgress(opts, collection.name, (onProgress) =>
      runAlbum(collection, {
        ...batchJobOptions(opts, outDir, resolve, onProgress, buildReportHtml),
        perTrackPlots: opts.perTrackPlots,
        k: opts.k,
        kmeansOn: opts.notebook ? 'mds' : 'vectors',
        rawTrackBins: opts.notebook === true,
        metric: opts.metric as HierarchyMetric,
        binMs: opts.resolution,
        smoothS: opts.smooth,
      }),
    );
    if (opts.json) {
      await printStdout(
        outputJsonText({
          name: result.name,
          tracks: result.tracks.map((t, i) => ({ position: t.ref.position, name: t.name, cluster: result.clusters[i] })),
          failures: result.failures.map((f) => ({ name: f.name, input: f.ref.input, error: f.message })),
          files: result.files,
        }),
      );
    }
    if (!opts.quiet) {
      await reportFailures(result.failures);
      say(`wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} to ${outDir}/ (${result.tracks.length} tracks analysed)`);
      say(timingLine(result.timings));
    }
    if (result.failures.length > 0) process.exitCode = ExitCode.RUNTIME;
  });
  return cmd;
}

// ---- groups -------------------------------------------------------------------------------------------

/**
 * Groups from a dataset input: its tracks (matching `--where`) grouped by `--group-column`/`--label-column`
 * (default `label`); undefined when the inputs are not a dataset.
 */
async function datasetGroups(positional: string[], opts: GroupCliOptions): Promise<TrackGroup[] | undefined> {
  const dataset = await datasetInput([...positional, ...opts.group], opts);
  if (dataset === undefined) return undefined;
  const { readDatasetGroups } = await import('../corpus/read.js');
  const option = opts.groupColumn !== undefined ? '--group-column' : '--label-column';
  return readDatasetGroups(dataset, opts.groupColumn ?? opts.labelColumn ?? 'label', { where: opts.where, option, log: opts.quiet ? undefined : say });
}

/** `dance: 6 tracks; folk: 1 track`. */
function describeGroups(groups: readonly TrackGroup[]): string {
  return groups.map((g) => `${g.name}: ${tracksCount(g.collection.tracks.length)}`).join('; ');
}

interface GroupCliOptions extends BatchCliOptions {
  group: string[];
  groupColumn?: string;
  labelColumn?: string;
  cv: string;
  folds?: number;
  shuffle: boolean;
  foldRule: string;
  reduce?: string;
  ndims: number;
}

/** What `--notebook` sets on compare and classify: cells 36 and 47–49. */
const NOTEBOOK_CLASSIFY = { grid: 'seed', normalize: 'zscore-songs', cv: 'kfold', folds: 3, shuffle: false, foldRule: 'sklearn-0.19', reduce: 'mds', ndims: 2 };
const NOTEBOOK_CLASSIFY_HELP =
  "--grid seed, --normalize zscore-songs, 3-fold stratified CV unshuffled with scikit-learn ≤ 0.21's folds " +
  "(the notebook's cross_val_score default under Python 2), C = 1, and --reduce mds --ndims 2: cell 48 is the " +
  "'plain' accuracy, cell 49 the 'transductive' one";

function addClassifyOptions(cmd: Command): Command {
  return cmd
    .option('-g, --group <NAME=INPUT>', `a group of tracks: NAME=INPUT where INPUT is a ${COLLECTION_HELP}; repeat`, (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--group-column <name>', 'dataset input: the column whose values name the groups (default: label)')
    .option('--label-column <name>', 'dataset input: the same as --group-column')
    .addOption(new Option('--cv <scheme>', 'cross-validation: stratified k-fold or leave-one-out').choices(['kfold', 'loo']).default('kfold'))
    .addOption(new Option('--folds <n>', 'k-fold: number of folds (default 5, or the smallest group size)').argParser((v) => parseNumber('--folds', v, { min: 2, integer: true })))
    .option('--shuffle', "k-fold: shuffle each group's fold numbers, seeded by --seed (the default)")
    .option('--no-shuffle', "k-fold: no shuffle: the folds are scikit-learn's StratifiedKFold(shuffle=False), member for member, and the accuracy equals cross_val_score's")
    .addOption(
      new Option('--fold-rule <rule>', "k-fold: whose fold sizes: sklearn (scikit-learn ≥ 0.22) or sklearn-0.19 (≤ 0.21, each class split by its own KFold: the notebook's)")
        .choices([...FOLD_RULES])
        .default('sklearn'),
    )
    .addOption(new Option('--reduce <model>', 'also reduce the vectors first and report the transductive and leak-free protocols beside the plain one').choices(['pca', 'mds', 'classical-mds', 'umap']))
    .addOption(new Option('--ndims <n>', 'dimensions of --reduce: 2 or 3').default(2).argParser(parseNdims));
}

function classifyOptions(opts: GroupCliOptions) {
  return {
    cv: opts.cv as 'kfold' | 'loo',
    folds: opts.folds,
    shuffle: opts.shuffle,
    foldRule: opts.foldRule as FoldRule,
    reduce: opts.reduce ? { model: opts.reduce as 'pca', ndims: opts.ndims } : undefined,
  };
}

function printClassification(report: ClassifyReport): void {
  say(`linear SVM (libsvm C-SVC, C = ${report.C}) on ${report.n} tracks × ${report.d} features, ${describeCv(report)} CV`);
  say(`classes: ${report.classes.map((c) => `${c.label} (${c.count})`).join(', ')}; majority baseline ${(report.majorityBaseline * 100).toFixed(1)} %`);
  for (const p of report.protocols) {
    const correct = Math.round(p.pooledAccuracy * report.n);
    const perFold = report.cv === 'loo' ? `${correct} of ${report.n} held-out tracks right` : `per fold: ${p.folds.map((f) => (f.accuracy * 100).toFixed(0)).join(', ')} %`;
    say(`  ${p.protocol.padEnd(12)} accuracy ${(p.accuracy * 100).toFixed(1)} %  (${perFold})`);
    const head = 'true \\ predicted';
    const first = Math.max(head.length, ...p.confusion.labels.map((l) => l.length)) + 2;
    const cell = Math.max(...p.confusion.labels.map((l) => l.length), 4) + 2;
    say(`    ${head.padEnd(first)}${p.confusion.labels.map((l) => l.padStart(cell)).join('')}`);
    p.confusion.matrix.forEach((row, i) => say(`    ${p.confusion.labels[i].padEnd(first)}${row.map((v) => String(v).padStart(cell)).join('')}`));
  }
  if (report.explanation) say(report.explanation);
}

// ---- compare ------------------------------------------------------------------------------------------

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .summary('put the songs of several groups in one MDS space and classify them')
    .description(
      "Compare groups of tracks (albums, playlists, directories, manifests): every song's time-averaged feature " +
        'vector is normalised (--normalize, default zscore-songs: each feature z-scored across all groups\' songs, as the notebook\'s cell 36), placed in one 2-D MDS space coloured by group (compare-mds), ' +
        'correlated song by song (compare-correlation), and a linear SVM is cross-validated on the groups ' +
        '(as classify). Writes compare.json and report.html.',
    )
    .argument('[groups...]', 'groups as NAME=INPUT (or just INPUT, named after the collection)');
  addClassifyOptions(cmd);
  addBatchOptions(cmd, './songscope-out/compare/');
  cmd.addOption(notebookOption(NOTEBOOK_CLASSIFY_HELP));
  cmd.hook('preAction', (c) => applyNotebook(c, NOTEBOOK_CLASSIFY, c.opts().quiet));
  cmd.option('--json', 'print the classification report as JSON on stdout');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope compare "Daft Punk=spotify:album:2noRn2Aes5aoNVsU6iWThc" "Fleet Foxes=spotify:album:5GRnydamKvIeG46dycID6v"
  $ songscope compare --group dance=generated/dance --group folk=generated/folk --cv loo
  $ songscope compare corpus/ --group-column artist --where "year < 1980"     # a dataset made by songscope scan`,
  );
  cmd.action(async (positional: string[], opts: GroupCliOptions) => {
    const [{ runCompare }, { buildReportHtml }, { resolveGroups }] = await Promise.all([import('../jobs/compare.js'), import('../report/html.js'), import('../jobs/groups.js')]);
    const resolve = resolveFrom(opts);
    const groups = (await datasetGroups(positional, opts)) ?? (await resolveGroups([...positional, ...opts.group], resolve, say));
    if (groups.length < 2) throw inputError(messages.toolkit.tooFewGroups('compare'));
    if (!opts.quiet) say(describeGroups(groups));
    const outDir = opts.out ?? 'songscope-out/compare';
    const result = await withProgress(opts, 'compare', (onProgress) =>
      runCompare(groups, { ...batchJobOptions(opts, outDir, resolve, onProgress, buildReportHtml), perTrackPlots: false, ...classifyOptions(opts) }),
    );
    if (opts.json) await printStdout(outputJsonText(result.classification ?? { skipped: result.classificationSkipped }));
    if (!opts.quiet) {
      if (result.classification) printClassification(result.classification);
      else say(`classification skipped: ${result.classificationSkipped}`);
      await reportFailures(result.grouped.failures);
      say(`wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} to ${outDir}/`);
      say(timingLine(result.timings));
    }
    if (result.grouped.failures.length > 0) process.exitCode = ExitCode.RUNTIME;
  });
  return cmd;
}

// ---- classify -----------------------------------------------------------------------------------------

interface ClassifyCliOptions extends GroupCliOptions {
  output?: string;
}

export function classifyCommand(): Command {
  const cmd = new Command('classify')
    .summary('can a linear SVM tell groups of tracks apart? (cross-validated)')
    .description(
      "A linear SVM (libsvm's C-SVC, C = 1: what scikit-learn's SVC(kernel='linear') runs) on each track's " +
        'time-averaged feature vector (--normalize, default zscore-songs: each feature z-scored across the songs, as the notebook\'s cell 47), with ' +
        'stratified k-fold cross-validation (--folds, default 5 or the smallest group size; shuffled and seeded, or ' +
        "--no-shuffle for scikit-learn's StratifiedKFold folds and cross_val_score's accuracy exactly) or leave-one-out.\n\n" +
        'With --reduce, three protocols are reported side by side on the same folds: plain (no reduction), ' +
        'transductive (the notebook: reduce all tracks, then cross-validate — optimistic, the test tracks shaped the ' +
        'space) and leak-free (the reduction is fitted inside each training fold and the test tracks are projected ' +
        "into it). --notebook reproduces the notebook's cells 47–49.\n\n" +
        'Groups: --group NAME=INPUT (repeat; INPUT an album/playlist URI or URL, a directory of analysis files, ' +
        'or a manifest), or one CSV manifest path_or_uri,label whose labels are the groups, or a dataset made by ' +
        'songscope scan whose --label-column (default label) names the groups.',
    )
    .argument('[manifest-or-groups...]', 'a labelled CSV manifest, or groups as NAME=INPUT');
  addClassifyOptions(cmd);
  cmd
    .option('-o, --output <file>', 'per-track predictions (.csv/.arrow/.parquet; - for stdout): track, group, fold and predicted group per protocol')
    .addOption(gridOption())
    .addOption(seedOption())
    .addOption(songNormalizeOption())
    .addOption(featuresOption())
    .addOption(notebookOption(NOTEBOOK_CLASSIFY_HELP))
    .addOption(new Option('--concurrency <n>', 'tracks fetched in parallel').default(4).argParser((v) => parseNumber('--concurrency', v, { min: 1, integer: true })))
    .addOption(jobsOption('per-track work (decoding, analysis)'))
    .option('--json', 'print the report as JSON on stdout (accuracy, folds, confusion per protocol)')
    .option('--where <sql>', WHERE_HELP)
    .option('-q, --quiet', 'no progress and no report on stderr');
  addSourceOptions(cmd);
  cmd.hook('preAction', (c) => applyNotebook(c, NOTEBOOK_CLASSIFY, c.opts().quiet));
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope classify --group dance=generated/dance --group folk=generated/folk --cv loo
  $ songscope classify --group A=albums/a --group B=albums/b --folds 3 --no-shuffle   # = cross_val_score(cv=3)
  $ songscope classify albums.csv --notebook
  $ songscope classify albums.csv --reduce mds --ndims 2 --json
  $ songscope classify corpus/ --label-column label --where "duration_s > 60"  # a dataset made by songscope scan`,
  );
  cmd.action(async (positional: string[], opts: ClassifyCliOptions) => {
    const [{ runClassify }, { writeTable }, { resolveGroups, checkGroupSizes }] = await Promise.all([import('../jobs/classify.js'), import('../matrix/io.js'), import('../jobs/groups.js')]);
    await checkOutput(opts, 'predictions');
    const resolve = resolveFrom(opts);
    const groups = (await datasetGroups(positional, opts)) ?? (await resolveGroups([...positional, ...opts.group], resolve, say));
    if (groups.length < 2) throw inputError(messages.toolkit.tooFewGroups('classify'));
    checkGroupSizes(groups, { cv: opts.cv as 'kfold' | 'loo', folds: opts.folds });
    if (!opts.quiet) say(describeGroups(groups));
    const result = await withProgress(opts, 'classify', async (onProgress) => {
      try {
        return await runClassify(groups, { ...batchJobOptions(opts, '.', resolve, onProgress), ...classifyOptions(opts) });
      } catch (e) {
        throw e;
      }
    });
    const { grouped, report } = result;
    if (opts.output) {
      const fold = new Int32Array(grouped.tracks.length);
      report.protocols[0].folds.forEach((f) => f.testIndices.forEach((i) => (fold[i] = f.fold)));
      await writeTable(
        {
          columns: [
            { name: 'track', values: grouped.tracks.map((t) => t.name) },
            { name: 'input', values: grouped.tracks.map((t) => t.ref.input) },
            { name: 'group', values: grouped.labels },
            { name: 'fold', values: fold },
            ...report.protocols.map((p) => ({ name: `predicted_${p.protocol.replace('-', '_')}`, values: p.predictions })),
          ],
          metadata: { kind: 'classification', cv: report.cv, folds: String(report.nFolds), seed: String(report.seed), generator: 'songscope' },
        },
        opts.output,
      );
    }
    if (opts.json) await printStdout(outputJsonText({ ...report, failures: grouped.failures.map((f) => ({ name: f.name, input: f.ref.input, error: f.message })) }));
    if (!opts.quiet) {
      printClassification(report);
      await reportFailures(grouped.failures);
    }
    if (grouped.failures.length > 0) process.exitCode = ExitCode.RUNTIME;
  });
  return cmd;
}
