/**
 * The one-track part of `npm run bench` (issue 11's targets for `analyze`, `features` and start-up), every
 * command a process of its own, spawned as a user runs it, against a baseline run alternately in the same run:
 *
 * 1. `songscope analyze x.json` (a generated 4-minute analysis; all five plots as SVG, summary.json,
 *    report.html) against the notebook's single-song story in pandas + seaborn (`seed_song_story.py
 *    OUTDIR x.json`, the peers'): target ≥ 10× faster;
 * 3. `songscope features x.json -o x.arrow` against pandas building the same 1 ms matrix (the peers'
 *    `get_model`, `pandas_features.py`): target ≥ 5× faster;
 * 5. start-up: `songscope --help`, a cached `analyze TRACK.wav --json --no-render` (a generated 4-minute
 *    WAV whose analysis is in the cache) and the full `analyze` of 1., each against `node -e 0`.
 *
 * The Python is `$BENCH_PYTHON`, else `/work/venv/bin/python`, else `python3`; a baseline without its
 * packages or peer script is skipped, saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bandLoop, SR } from '../audio/signals.js';
import {
  BENCH_SRC,
  PEERS,
  RUNS,
  alternate,
  baseline,
  machine,
  mustRun,
  report,
  runProcess,
  runsNote,
  s,
  songscope,
  speedTarget,
  synthAnalysis,
  withCpu,
  writeWav44,
  x1,
} from './lib.js';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'songscope-bench-single-'));
  const cacheDir = join(dir, 'cache');
  try {
    console.log(`\none track, as processes: analyze, features, start-up — ${machine()}; ${runsNote()}`);
    const x = join(dir, 'x.json');
    const generator = await synthAnalysis(x, 240, 1);
    console.log(`  input: a 4-minute analysis from ${generator}`);

    const story = baseline('seed_song_story.py', ['numpy', 'pandas', 'matplotlib', 'seaborn', 'sklearn']);
    const features = baseline('seed_pipeline.py', ['numpy', 'pandas', 'sklearn']);
    // warm-ups, untimed: matplotlib's font cache and the interpreters' and node's first loads
    if (story.python) mustRun(story.python, ['-c', 'import pandas, seaborn, sklearn, matplotlib.pyplot']);
    songscope(['--help'], { cacheDir });

    // the cached audio track of target 5
    const wav = join(dir, 'band.wav');
    writeWav44(wav, bandLoop({ bpm: 120, durationS: 240, seed: 4 }).samples, SR);
    const prime = songscope(['analyze', wav, '--json', '--no-render', '-o', join(dir, 'wav-out')], { cacheDir });
    console.log(`  cached track: a generated 4-minute 44.1 kHz stereo WAV, analysed once first (${s(prime.wallS)}, into the cache)`);

    const out = (name: string) => join(dir, name);
    const [analyze, storyT, feat, pandasT, node0, help, cached] = alternate([
      () => songscope(['analyze', x, '-o', out('analyze')], { cacheDir }),
      story.python ? () => mustRun(story.python!, [story.script!, out('story'), x]) : undefined,
      () => songscope(['features', x, '-o', out('x.arrow'), '-q'], { cacheDir }),
      features.python ? () => mustRun(features.python!, [join(BENCH_SRC, 'pandas_features.py'), PEERS, x]) : undefined,
      () => runProcess(process.execPath, ['-e', '0'], { cpu: true }),
      () => songscope(['--help'], { cacheDir }),
      () => songscope(['analyze', wav, '--json', '--no-render', '-o', join(dir, 'wav-out')], { cacheDir }),
    ]);

    speedTarget(11, 'analyze, 4-min analysis, 5 plots + report.html', analyze!, storyT, 'seed_song_story.py (pandas + seaborn)', 10, story.why);
    speedTarget(11, 'features x.json -o x.arrow (own process)', feat!, pandasT, 'pandas get_model (own process)', 5, features.why);
    const base = node0!.wallS;
    const startup = (what: string, t: { wallS: number; cpuS?: number }) =>
      report({ issue: 11, what: `start-up: ${what}`, songscope: withCpu(t), baseline: `node -e 0 ${withCpu(node0!)}`, ratio: `${x1(t.wallS / base)} node -e 0`, target: '— (none set)', status: 'INFO' });
    startup('songscope --help', help!);
    startup('cached analyze WAV --json --no-render', cached!);
    startup('full analyze (as target 1)', analyze!);
    console.log(`  peak RSS: analyze ${analyze!.peakRssMB?.toFixed(0)} MB, features ${feat!.peakRssMB?.toFixed(0)} MB (${RUNS} runs each)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
