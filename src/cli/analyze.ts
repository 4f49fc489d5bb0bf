/**
 * `songscope analyze <input>`: resolve, build the 1 ms matrix, z-score, plot, summarise.
 */
import { join, relative, sep } from 'node:path';
import { Command, Option } from 'commander';
import type { AnalyzeSummary } from '../report/analyze.js';
import type { PlotFormat } from '../plots/output.js';
import { formatDuration } from '../analysis/summary.js';
import {
  addSourceOptions,
  asGrid,
  formatOption,
  gridOption,
  parseDurationMs,
  parseNumber,
  printStdout,
  resolveOptionsFrom,
  say,
  type SourceCliOptions,
} from './common.js';

interface AnalyzeCliOptions extends SourceCliOptions {
  out?: string;
  grid: string;
  resolution: number;
  smooth: number;
  render: boolean;
  report: boolean;
  format: PlotFormat;
  json?: boolean;
}

export function analyzeCommand(): Command {
  const cmd = new Command('analyze')
    .summary('analyse one track: summary, feature heatmap and self-similarity plots')
    .description(
      'Analyse one track: print a summary, and write the z-scored feature heatmap, the self-similarity ' +
        'matrix (as Vega-Lite specs and SVGs or PNGs), the validated analysis, summary.json and report.html (both ' +
        'plots, interactive, in one self-contained file) into one directory.\n\n' +
        'The input is an audio file (.wav, .flac, .mp3, .ogg: songscope computes the analysis itself, no ' +
        'Spotify needed, cached by content), a local analysis file (Spotify or Echo Nest JSON, a Million Song ' +
        'Dataset .h5, or - for JSON on stdin), or a Spotify track: spotify:track:ID, ' +
        'https://open.spotify.com/track/ID, a bare 22-character id, or any other text as a search query ' +
        '(needs SPOTIFY_CLIENT_ID/SECRET).',
    )
    .argument('<input>', 'audio file, analysis file, Spotify track URI/URL/id, or search query')
    .option('-o, --out <dir>', 'output directory (default: ./songscope-out/<title or file name>/)')
    .addOption(gridOption())
    .addOption(
      new Option('--resolution <duration>', 'bin width of the self-similarity matrix, e.g. 1s, 500ms')
        .default(1000, '1s')
        .argParser((v) => parseDurationMs('--resolution', v)),
    )
    .addOption(
      new Option('--smooth <seconds>', "rolling mean before correlating, in seconds (the notebook's rolling(10) at 1 s is --smooth 10)")
        .default(0)
        .argParser((v) => parseNumber('--smooth', v, { min: 0 })),
    )
    .option('--no-render', 'write the Vega-Lite specs but skip rendering SVGs/PNGs')
    .addOption(formatOption())
    .option('--no-report', 'skip report.html (the plots, interactive, and the summary in one self-contained file)')
    .option('--json', 'print the summary as JSON on stdout instead of the text summary');
  addSourceOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope analyze fixtures/psy-gangnam-style.json
  $ songscope analyze fixtures/psy-gangnam-style.json --smooth 10 --out out/psy
  $ songscope analyze my-song.flac
  $ songscope analyze spotify:track:7nWUDDCpTDYle0Ppi8i5K1 --fixtures fixtures/spotify --json
  $ songscope analyze "https://open.spotify.com/track/7nWUDDCpTDYle0Ppi8i5K1?si=abc"
  $ songscope analyze "daft punk around the world"

Exit codes: 0 ok, 1 runtime failure (network, Spotify 403/429/5xx), 2 bad usage or input.`,
  );
  cmd.action(async (input: string, opts: AnalyzeCliOptions) => {
    const started = performance.now();
    // Loaded on use, so `--help` does not pay for vega, vega-lite, Arrow and the Spotify SDK.
    const [{ resolveAnalysis }, { analyzeTrack, defaultOutDir, writeAnalyzeOutputs }] = await Promise.all([
      import('../sources/resolve.js'),
      import('../report/analyze.js'),
    ]);
    const log = (line: string) => say(line);
    const analysis = await resolveAnalysis(input, resolveOptionsFrom(opts, log));
    const result = await analyzeTrack(analysis, {
      grid: asGrid(opts.grid),
      resolutionMs: opts.resolution,
      smoothS: opts.smooth,
      render: opts.render,
    });
    const outDir = opts.out ?? defaultOutDir(analysis);
    const files = await writeAnalyzeOutputs(analysis, result, outDir, { format: opts.format, report: opts.report });
    const elapsedMs = performance.now() - started;
    if (opts.json) {
      await printStdout(JSON.stringify({ ...result.summary, files, elapsedMs: Math.round(elapsedMs) }, null, 2) + '\n');
    } else {
      await printStdout(formatSummary(result.summary, outDir, files, elapsedMs));
    }
    if (opts.verbose) {
      say(`timings (ms): ${Object.entries(result.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    }
  });
  return cmd;
}

const fmt = (x: number, digits: number) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const withConfidence = (text: string, c: number | undefined) => (c === undefined ? text : `${text} (confidence ${fmt(c, 2)})`);

/** The human-readable summary `analyze` prints. */
export function formatSummary(s: AnalyzeSummary, outDir: string, files: string[], elapsedMs: number): string {
  const heading = s.title ? (s.artist ? `${s.artist} – ${s.title}` : s.title) : s.location;
  const source = `${s.source}${s.analyzerVersion ? ` (analyzer ${s.analyzerVersion})` : ''} via ${s.origin}: ${s.location}`;
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
      `${s.similarity.bins} × ${s.similarity.bins} at ${s.similarity.resolutionS} s` +
        (s.similarity.smoothS ? `, ${s.similarity.smoothS} s rolling mean` : '') +
        (s.similarity.undefinedBins ? `; ${s.similarity.undefinedBins} bins undefined (constant)` : ''),
    ],
  ];
  const lines = [heading, ...rows.filter((r) => r[1] !== undefined).map(([k, v]) => `  ${k.padEnd(11)}${v}`)];
  lines.push(`wrote ${files.length} files to ${join(outDir, '.').replace(/[\\/]?$/, sep)}`);
  for (const f of files) lines.push(`  ${relative(outDir, f)}`);
  lines.push(`done in ${(elapsedMs / 1000).toFixed(2)} s`);
  return lines.join('\n') + '\n';
}
