/**
 * `songscope analyze <input>`: resolve, build the 1 ms matrix, z-score, plot, summarise.
 */
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Command, Option } from 'commander';
import type { AnalyzeSummary } from '../jobs/analyze.js';
import { describeParts, describeTrajectory } from '../jobs/describe.js';
import type { PlotFormat } from '../plots/output.js';
import { formatDuration } from '../analysis/summary.js';
import {
  addSourceOptions,
  asGrid,
  formatOption,
  gridOption,
  parseNumber,
  printStdout,
  resolutionOption,
  resolveOptionsFrom,
  say,
  seedOption,
  notebookOption,
  applyNotebook,
  type SourceCliOptions,
} from './common.js';
import { outputJsonText } from '../util/outputJson.js';

interface AnalyzeCliOptions extends SourceCliOptions {
  out?: string;
  grid: string;
  resolution: number;
  smooth: number;
  k: number;
  seed: number;
  render: boolean;
  report: boolean;
  format: PlotFormat;
  json?: boolean;
  quiet?: boolean;
}

export function analyzeCommand(): Command {
  const cmd = new Command('analyze')
    .summary("analyse one track: the notebook's whole single-song story in five plots")
    .description(
      "Analyse one track as the notebook did, and print a summary. Writes five plots (Vega-Lite specs and " +
        'SVGs or PNGs): features (the z-scored feature heatmap), similarity (Pearson r between every pair of ' +
        '--resolution bins), similarity-smooth (the same after the --smooth rolling mean), trajectory (the bins ' +
        'reduced to 2-D by PCA, coloured by part) and parts (k-means on the smoothed bins, over time, with the ' +
        "analysis' sections); plus the validated analysis, summary.json and report.html (every plot, " +
        'interactive, in one self-contained file), into one directory.\n\n' +
        'The input is an audio file (.wav, .flac, .mp3, .ogg: songscope computes the analysis itself, no ' +
        'Spotify needed, cached by content), a local analysis file (Spotify or Echo Nest JSON, a Million Song ' +
        'Dataset .h5, or - for JSON on stdin), or a Spotify track: spotify:track:ID, ' +
        'https://open.spotify.com/track/ID, a bare 22-character id, or any other text as a search query ' +
        '(needs SPOTIFY_CLIENT_ID/SECRET).',
    )
    .argument('<input>', 'audio file, analysis file, Spotify track URI/URL/id, or search query')
    .option('-o, --out <dir>', 'output directory (default: ./songscope-out/<title or file name>/)')
    .addOption(gridOption())
    .addOption(resolutionOption('self-similarity matrices, the parts and the trajectory'))
    .addOption(
      new Option(
        '--smooth <seconds>',
        "rolling mean of similarity-smooth and parts, in seconds (the notebook's rolling(10) of 1 s bins); 0 skips similarity-smooth and finds parts on the unsmoothed bins",
      )
        .default(10)
        .argParser((v) => parseNumber('--smooth', v, { min: 0 })),
    )
    .addOption(new Option('--k <n>', 'parts: number of k-means clusters').default(3).argParser((v) => parseNumber('--k', v, { min: 1, integer: true })))
    .addOption(seedOption())
    .option('--no-render', 'write the Vega-Lite specs but skip rendering SVGs/PNGs')
    .addOption(formatOption())
    .option('--no-report', 'skip report.html (the plots, interactive, and the summary in one self-contained file)')
    .option('--json', 'print the summary as JSON on stdout instead of the text summary')
    .option('-q, --quiet', 'nothing on stderr (notes, warnings); the summary still goes to stdout')
    .addOption(notebookOption("--grid seed, --resolution 1s, --smooth 10, --k 3: the notebook's cells 16–21 (its Fleet Foxes song)"));
  addSourceOptions(cmd);
  cmd.hook('preAction', (c) => applyNotebook(c, { grid: 'seed', resolution: { value: 1000, shown: '1s' }, smooth: 10, k: 3 }, c.opts().quiet === true));
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope analyze fixtures/psy-gangnam-style.json
  $ songscope analyze fixtures/psy-gangnam-style.json --smooth 20 --k 4 --out out/psy
  $ songscope analyze my-song.flac
  $ songscope analyze fixtures/psy-gangnam-style.json --notebook      # exactly the notebook's choices
  $ songscope analyze spotify:track:7nWUDDCpTDYle0Ppi8i5K1 --fixtures fixtures/spotify --json
  $ songscope analyze "https://open.spotify.com/track/7nWUDDCpTDYle0Ppi8i5K1?si=abc"
  $ songscope analyze "daft punk around the world"

Exit codes: 0 ok, 1 runtime failure (network, Spotify 403/429/5xx), 2 bad usage or input.`,
  );
  cmd.action(async (input: string, opts: AnalyzeCliOptions) => {
    const started = performance.now();
    // With a second core, the plots are drawn in a thread of their own, started first: it loads vega while
    // this thread reads and computes, and draws while this one writes the specs and report.html.
    const thread = opts.render && availableParallelism() > 1 ? await (await import('../jobs/analyzeRender.js')).openRenderThread() : undefined;
    try {
      // Loaded on use, so `--help` does not pay for vega, vega-lite, Arrow and the Spotify SDK.
      const [{ resolveAnalysis }, { analyzeTrack, defaultOutDir, writeAnalyzeOutputs }, { buildReportHtml }] = await Promise.all([
        import('../sources/resolve.js'),
        import('../jobs/analyze.js'),
        import('../report/html.js'),
      ]);
      const log = opts.quiet ? () => undefined : (line: string) => say(line);
      const analysis = await resolveAnalysis(input, resolveOptionsFrom(opts, log));
      const result = await analyzeTrack(analysis, {
        grid: asGrid(opts.grid),
        binMs: opts.resolution,
        smoothS: opts.smooth,
        k: opts.k,
        seed: opts.seed,
        render: opts.render,
        ...(thread ? { renderer: thread.render } : {}),
      });
      const outDir = opts.out ?? defaultOutDir(analysis);
      const writing = performance.now();
      const files = await writeAnalyzeOutputs(analysis, result, outDir, { format: opts.format, report: opts.report ? buildReportHtml : undefined });
      result.timings.write = performance.now() - writing;
      const elapsedMs = performance.now() - started;
      if (opts.json) {
        await printStdout(outputJsonText({ ...result.summary, files, elapsedMs: Math.round(elapsedMs) }));
      } else {
        await printStdout(formatSummary(result.summary, outDir, files, elapsedMs));
      }
      if (opts.verbose) {
        say(`timings (ms): ${Object.entries(result.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
      }
    } finally {
      await thread?.close();
    }
  });
  return cmd;
}

const fmt = (x: number, digits: number) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const withConfidence = (text: string, c: number | undefined) => (c === undefined ? text : `${text} (confidence ${fmt(c, 2)})`);

/** The human-readable summary `analyze` prints. */
export function formatSummary(s: AnalyzeSummary, outDir: string, files: string[], elapsedMs: number): string {
  const heading = s.title ? (s.artist ? `${s.artist} – ${s.title}` : s.title) : s.input;
  const source = `${s.source}${s.analyzerVersion ? ` (analyzer ${s.analyzerVersion})` : ''} via ${s.origin}: ${s.input}`;
  const rows: [string, string | undefined][] = [
    ['source', source],
    ['duration', `${formatDuration(s.durationS)} (${fmt(s.durationS, 2)} s)`],
    ['tempo', s.tempoBpm === undefined ? 'unknown' : s.tempoBpm === 0 ? 'no steady pulse found' : withConfidence(`${fmt(s.tempoBpm, 1)} BPM`, s.tempoConfidence)],
    ['key', s.key === undefined ? 'unknown' : withConfidence(s.key, s.keyConfidence)],
    ['time sig.', s.timeSignature === undefined ? 'unknown' : withConfidence(s.timeSignature, s.timeSignatureConfidence)],
    ['loudness', s.loudnessDb === undefined ? undefined : `${fmt(s.loudnessDb, 1)} dB`],
    [
      'events',
      `${s.counts.bars} bars · ${s.counts.beats} beats · ${s.counts.tatums} tatums · ${s.counts.segments} segments · ${s.counts.sections} sections`,
    ],
    ['grid', `${s.grid.rows.toLocaleString('en-US')} rows × ${s.grid.columns} features at 1 ms (${s.grid.semantics})`],
    [
      'similarity',
      `${s.similarity.bins} × ${s.similarity.bins} at ${s.similarity.binS} s` +
        (s.similarity.undefinedBins ? ` (${s.similarity.undefinedBins} bins undefined)` : '') +
        (s.similaritySmooth ? `; smoothed over ${s.similaritySmooth.smoothS} s (${s.similaritySmooth.undefinedBins} bins undefined)` : ''),
    ],
    ['parts', s.parts ? describeParts(s.parts) : undefined],
    ['trajectory', s.trajectory ? describeTrajectory(s.trajectory) : undefined],
    ...Object.entries(s.skipped ?? {}).map(([name, why]): [string, string] => ['skipped', `${name}: ${why}`]),
  ];
  const lines = [heading, ...rows.filter((r) => r[1] !== undefined).map(([k, v]) => `  ${k.padEnd(11)}${v}`)];
  lines.push(`wrote ${files.length} files to ${join(outDir, '.').replace(/[\\/]?$/, sep)}`);
  for (const f of files) lines.push(`  ${relative(outDir, f)}`);
  lines.push(`done in ${(elapsedMs / 1000).toFixed(2)} s`);
  return lines.join('\n') + '\n';
}
