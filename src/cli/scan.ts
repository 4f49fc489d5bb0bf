/**
 * `songscope scan <inputs…> -o corpus/`: many tracks into a Parquet dataset (the job is `jobs/scan.ts`).
 * Progress on stderr: a bar with rate and ETA on a terminal, a line every few seconds otherwise.
 */
import { Command, Option } from 'commander';
import { ExitCode, inputError, messages } from '../errors.js';
import type { ScanProgress, ScanResult } from '../jobs/scan.js';
import { addSourceOptions, asGrid, gridOption, jobsOption, parseNumber, resolveOptionsFrom, say, type SourceCliOptions } from './common.js';
import { outputJsonText } from '../util/outputJson.js';

interface ScanCliOptions extends SourceCliOptions {
  out?: string;
  jobs?: number;
  shard?: string;
  grid: string;
  partRows: number;
  retryFailed?: boolean;
  shape: boolean;
  list?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/** A progress reporter: a bar with rate and ETA on a terminal, a line every 5 s otherwise. */
async function progressReporter(quiet: boolean | undefined): Promise<{ onProgress?: (p: ScanProgress) => void; stop: () => void }> {
  if (quiet) return { stop: () => undefined };
  let phaseStarted = performance.now();
  let phase: ScanProgress['phase'] | undefined;
  const rate = (p: ScanProgress) => p.done / Math.max(1e-3, (performance.now() - phaseStarted) / 1000);
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    let bar: InstanceType<typeof SingleBar> | undefined;
    return {
      onProgress: (p) => {
        if (p.phase !== phase) {
          bar?.stop();
          phase = p.phase;
          phaseStarted = performance.now();
          bar = new SingleBar(
            {
              format: `${p.phase === 'keys' ? 'keys' : 'scan'} [{bar}] {value}/{total} · {rate}/s · ETA {eta_formatted} · {failed} failed`,
              stream: process.stderr,
              hideCursor: true,
              clearOnComplete: false,
              etaBuffer: 200,
            },
            Presets.shades_classic,
          );
          bar.start(p.total, 0, { rate: '0', failed: 0 });
        }
        bar!.update(p.done, { rate: rate(p).toFixed(1), failed: p.failed });
      },
      stop: () => bar?.stop(),
    };
  }
  let last = 0;
  return {
    onProgress: (p) => {
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStarted = performance.now();
      }
      const now = performance.now();
      if (p.done < p.total && now - last < 5000) return;
      last = now;
      const r = rate(p);
      const eta = r > 0 ? Math.round((p.total - p.done) / r) : 0;
      say(`${p.phase === 'keys' ? 'keys' : 'scan'}: ${p.done}/${p.total} · ${r.toFixed(1)}/s · ETA ${eta} s · ${p.failed} failed`);
    },
    stop: () => undefined,
  };
}

function summaryLines(r: ScanResult): string[] {
  const lines: string[] = [];
  const shard = r.shard.count > 1 ? ` (shard ${r.shard.index}/${r.shard.count}: ${count(r.inShard, 'input')})` : '';
  lines.push(`${r.outDir}: ${count(r.listed, 'input')} listed${r.duplicates ? ` (${count(r.duplicates, 'duplicate')} left out)` : ''}${shard}`);
  const rows = r.scanned - r.failures.length;
  const rate = r.scanned > 0 ? ` (${(r.scanned / r.seconds).toFixed(1)} tracks/s)` : '';
  lines.push(
    `${count(r.upToDate, 'track')} already in the dataset, ${count(r.scanned, 'input')} scanned now: ${count(rows, 'row')} written, ${count(r.failures.length, 'failure')}${r.failedBefore ? `; ${count(r.failedBefore, 'input')} failed before (--retry-failed to try again)` : ''}`,
  );
  lines.push(`${count(r.parts.length, 'part file')} written in ${r.seconds.toFixed(1)} s${rate}`);
  return lines;
}

export function scanCommand(): Command {
  const cmd = new Command('scan')
    .summary('scan many tracks into a Parquet dataset (resumable, parallel, shardable)')
    .description(
      'Scan directories (recursively), manifests, albums, playlists or files into a Parquet dataset: one row per ' +
        "track with its identity (input, track_key), provenance, the manifest's columns, the summary (duration, tempo, " +
        'key, mode, time signature, loudness, event counts) and the 26 column means and standard deviations of its ' +
        '1 ms grid. Inputs that fail go to the failures table (_failures/), never dropped silently.\n\n' +
        'Re-running does only what is missing or changed; a killed scan resumes. --shard K/N scans a deterministic ' +
        '1/N of the inputs (by track_key), so N machines fill one dataset. Read it with DuckDB, pandas, polars or ' +
        'Spark, or give the directory to album, compare, classify and reduce.',
    )
    .argument('<inputs...>', 'directories (recursive), manifests (.csv), album/playlist URIs, analysis or audio files, or - for one input per line on stdin')
    .option('-o, --out <dir>', 'the dataset directory (created; a re-run adds what is missing)')
    .addOption(jobsOption('per-track work (reading, decoding, analysing)', false))
    .option('--shard <K/N>', 'scan only shard K of N (1-based) of the inputs, by track_key: N machines, one dataset')
    .addOption(gridOption())
    .addOption(new Option('--part-rows <n>', 'rows per Parquet part file').default(1000).argParser((v) => parseNumber('--part-rows', v, { min: 1, integer: true })))
    .option('--retry-failed', 'scan again the inputs that failed with bad input before (runtime failures are always retried)')
    .option('--no-shape', "leave out each track's shape fingerprint (8 KB per row; songscope similar --by shape and --features shape need it)")
    .option('--list', 'print the expanded inputs as a manifest (input,label,…) on stdout and scan nothing: list once, scan on many machines')
    .option('--json', 'print the summary as JSON on stdout')
    .option('-q, --quiet', 'no progress and no summary on stderr');
  addSourceOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope scan ~/Music -o corpus/
  $ songscope scan msd/data -o msd-corpus/ --shard 3/16      # one of 16 machines
  $ songscope scan labels.csv -o corpus/ && songscope classify corpus/ --label-column label
  $ duckdb -c "SELECT artist, avg(tempo_bpm) FROM 'corpus/*.parquet' GROUP BY artist"`,
  );
  cmd.action(async (inputs: string[], opts: ScanCliOptions) => {
    const shard = opts.shard === undefined ? undefined : (await import('../corpus/key.js')).parseShard(opts.shard);
    if (opts.shard !== undefined && !shard) throw inputError(messages.corpus.badShard(opts.shard));
    const resolve = resolveOptionsFrom(opts, say);
    if (opts.list) {
      const { listInputs, listingToManifest } = await import('../corpus/listing.js');
      const listing = await listInputs(inputs, { resolve });
      process.stdout.write(listingToManifest(listing));
      return;
    }
    if (!opts.out) throw inputError(messages.corpus.needsOut());
    const { runScan } = await import('../jobs/scan.js');
    const progress = await progressReporter(opts.quiet);
    let result: ScanResult;
    try {
      result = await runScan({
        inputs,
        outDir: opts.out,
        grid: asGrid(opts.grid),
        jobs: opts.jobs,
        shard,
        partRows: opts.partRows,
        retryFailed: opts.retryFailed,
        shape: opts.shape,
        resolve,
        onProgress: progress.onProgress,
        log: opts.quiet ? undefined : say,
      });
    } finally {
      progress.stop();
    }
    if (opts.json) {
      const { failures, ...rest } = result;
      process.stdout.write(outputJsonText({ ...rest, failures: failures.map((f) => ({ input: f.ref.input, error: f.message, exitCode: f.exitCode })) }));
    }
    if (!opts.quiet) {
      for (const line of summaryLines(result)) say(line);
      if (result.failures.length > 0) {
        say(`${count(result.failures.length, 'input')} failed (in ${result.outDir}/_failures/):`);
        for (const f of result.failures.slice(0, 20)) say(`  ${f.message.includes(f.ref.input) ? f.message : `${f.ref.input}: ${f.message}`}`);
        if (result.failures.length > 20) say(`  … and ${result.failures.length - 20} more`);
      }
    }
    if (result.failures.length > 0 || result.failedBefore > 0) process.exitCode = ExitCode.RUNTIME;
  });
  return cmd;
}
