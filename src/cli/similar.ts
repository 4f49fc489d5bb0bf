/**
 * `songscope similar <query> <collection>`: the collection's tracks ranked by how alike they are to the query
 * in shape (default), features or both (the job: `src/jobs/similar.ts`). The table (or `--json`) goes to
 * stdout; progress and the files written to stderr.
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import type { PlotFormat } from '../plots/output.js';
import { ExitCode } from '../errors.js';
import { addSourceOptions, formatOption, jobsOption, parseNumber, resolveOptionsFrom, say, songNormalizeOption, type SourceCliOptions } from './common.js';
import type { CollectProgress } from '../jobs/tracks.js';
import { outputJsonText } from '../util/outputJson.js';

interface SimilarCliOptions extends SourceCliOptions {
  by: string;
  top: number;
  distance: string;
  normalize: string;
  out?: string;
  plot: boolean;
  format: PlotFormat;
  concurrency: number;
  jobs?: number;
  where?: string;
  json?: boolean;
  quiet?: boolean;
}

const COLLECTION_HELP = 'an album or playlist (URI or URL), a directory of analysis or audio files, a CSV manifest (path_or_uri,label), or a dataset made by songscope scan';

export function similarCommand(): Command {
  const cmd = new Command('similar')
    .summary('rank the tracks of a collection by how alike they are to a query track in shape (form) or features')
    .description(
      "Rank a collection's tracks by how alike they are to the query track.\n\n" +
        '--by shape (default): by the shape fingerprint, the order and recurrence of the parts (AABA, verse–chorus, …) ' +
        'whatever the key, tempo, length, instrumentation and loudness: each song\'s phrase-smoothed self-similarity ' +
        'matrix in normalised time, compared after dynamic time warping (--distance direct: cell for cell).\n' +
        '--by features: by the distance between the songs\' time-averaged feature vectors (--normalize, default ' +
        'zscore-songs), as album and compare compare songs. --by both: the mean of the two, each divided by its median.\n\n' +
        'The query itself is left out when the collection holds it (the same Spotify track, file or analysis). Prints ' +
        'the --top nearest; writes similar.json, the plot similar (the query and its best matches: shape matrices and ' +
        'trajectories) and report.html into --out.',
    )
    .argument('<query>', 'one track: an analysis or audio file, a Spotify track URI/URL/id, a search')
    .argument('<collection>', COLLECTION_HELP)
    .addOption(new Option('--by <what>', 'rank by shape, features or both').choices(['shape', 'features', 'both']).default('shape'))
    .addOption(new Option('--top <k>', 'how many of the nearest to show').default(10).argParser((v) => parseNumber('--top', v, { min: 1, integer: true })))
    .addOption(new Option('--distance <kind>', 'shape distance: warped (parts aligned by time warping) or direct (cell for cell)').choices(['warped', 'direct']).default('warped'))
    .addOption(songNormalizeOption())
    .option('-o, --out <dir>', 'output directory (default: ./songscope-out/similar-<query>/)')
    .option('--no-plot', 'no plot and no report.html: similar.json only')
    .addOption(formatOption())
    .addOption(new Option('--concurrency <n>', 'tracks fetched in parallel (Spotify rate limits are respected)').default(4).argParser((v) => parseNumber('--concurrency', v, { min: 1, integer: true })))
    .addOption(jobsOption('per-track work (decoding, analysis, fingerprints)'))
    .option('--where <sql>', "a dataset collection (made by songscope scan): only the tracks matching this SQL condition on its columns (DuckDB syntax)")
    .option('--json', 'print {"query", "by", "results": [{rank, track, input, distance}, …]} on stdout instead of the table')
    .option('-q, --quiet', 'no progress and no summary on stderr');
  addSourceOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope similar song.json albums/ --top 5
  $ songscope similar spotify:track:7nWUDDCpTDYle0Ppi8i5K1 spotify:album:2noRn2Aes5aoNVsU6iWThc --by both
  $ songscope similar song.flac songs.csv --json`,
  );
  cmd.action(async (querySpec: string, collectionSpec: string, opts: SimilarCliOptions) => {
    const [{ runSimilar }, { slug }, { buildReportHtml }] = await Promise.all([import('../jobs/similar.js'), import('../util/slug.js'), import('../report/html.js')]);
    const resolve = resolveOptionsFrom(opts, say);
    const outDir = opts.out ?? `songscope-out/similar-${slug(querySpec.replace(/^.*[\\/]/, '').replace(/(\.[a-z0-9]+)+$/i, '')) || 'query'}`;
    let last = '';
    const onProgress = opts.quiet
      ? undefined
      : (p: CollectProgress) => {
          const line = `[${p.done}/${p.total}] ${p.name}${p.failed ? ` (${p.failed} failed so far)` : ''}`;
          if (line !== last) say(line);
          last = line;
        };
    const result = await runSimilar(querySpec, collectionSpec, {
      outDir,
      resolve,
      by: opts.by as 'shape',
      top: opts.top,
      distance: opts.distance as 'warped',
      normalize: opts.normalize as 'zscore-songs',
      concurrency: opts.concurrency,
      jobs: opts.jobs ?? availableParallelism(),
      where: opts.where,
      log: opts.quiet ? undefined : say,
      plots: opts.plot,
      format: opts.format,
      report: buildReportHtml,
      onProgress,
    });
    if (opts.json) process.stdout.write(outputJsonText(result.json));
    else process.stdout.write(table(result));
    if (!opts.quiet) {
      if (result.failures.length) {
        say(`${result.failures.length} track${result.failures.length === 1 ? '' : 's'} failed:`);
        for (const f of result.failures) say(`  ${f.name}${f.message.includes(f.ref.input) ? '' : ` (${f.ref.input})`}: ${f.message}`);
      }
      say(`wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} to ${outDir}/`);
    }
    if (result.failures.length > 0) process.exitCode = ExitCode.RUNTIME;
  });
  return cmd;
}

type Result = Awaited<ReturnType<(typeof import('../jobs/similar.js'))['runSimilar']>>;

/** The ranking as a text table, with a header naming the query, the collection and the measure. */
function table(r: Result): string {
  const both = r.by === 'both';
  const lines = [
    `query       ${r.query.name} (${r.query.ref.input})`,
    `collection  ${r.collection.name} (${r.collection.kind}): ${r.compared} compared${r.leftOut.length ? `, ${r.leftOut.length} left out as the query itself` : ''}${r.failures.length ? `, ${r.failures.length} failed` : ''}`,
    `by          ${r.by === 'shape' ? `shape (${r.distance} distance, ${r.shapeId})` : r.by === 'features' ? `features (${r.normalization})` : `both (shape ${r.distance}, features ${r.normalization}; each over its median)`}`,
    '',
  ];
  const header = ['rank', 'distance', ...(both ? ['shape', 'features'] : []), 'track', 'input'];
  const rows = r.results.map((m) => [
    String(m.rank),
    m.distance.toFixed(4),
    ...(both ? [m.shapeDistance!.toFixed(4), m.featuresDistance!.toFixed(4)] : []),
    m.record.name,
    m.record.ref.input,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const numeric = (c: number) => c < header.length - 2;
  const fmt = (row: string[]) => row.map((v, c) => (numeric(c) ? v.padStart(widths[c]) : c === row.length - 1 ? v : v.padEnd(widths[c]))).join('  ');
  lines.push(fmt(header), ...rows.map(fmt));
  return lines.join('\n') + '\n';
}
