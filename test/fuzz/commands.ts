/**
 * The commands a damaged track input is run through, and what each must leave behind on success. Every
 * one gets the case's private cache and `--offline`, so nothing reaches the network.
 */
import { join } from 'node:path';
import { DEFAULT_BUDGET, type Budget, type CaseDirs, type Expectation, type Invocation, type Rng } from './types.js';

export type TrackCommand =
  | 'fetch'
  | 'fetch-stdin'
  | 'analyze'
  | 'analyze-render'
  | 'features-arrow'
  | 'features-csv'
  | 'features-stdout'
  | 'correlate';

/**
 * The usual mix for analysis inputs: `fetch` (validation only: 0.3 s a case) most, `analyze --no-render` (the
 * matrix too: 1.3 s) often, the rest now and then.
 */
export const ANALYSIS_MIX: readonly (readonly [number, TrackCommand])[] = [
  [50, 'fetch'],
  [5, 'fetch-stdin'],
  [20, 'analyze'],
  [2, 'analyze-render'],
  [10, 'features-arrow'],
  [4, 'features-csv'],
  [3, 'features-stdout'],
  [6, 'correlate'],
];

/** Audio inputs: the decoder is the same for every command, so mostly `fetch` and `analyze --no-render`. */
export const AUDIO_MIX: readonly (readonly [number, TrackCommand])[] = [
  [65, 'fetch'],
  [20, 'analyze'],
  [10, 'features-arrow'],
  [5, 'correlate'],
];

/** Flags that keep a case private and offline. */
export function privateFlags(dirs: CaseDirs): string[] {
  return ['--offline', '--cache-dir', dirs.cache];
}

/**
 * The invocation of `cmd` on `input` (a path; `fetch-stdin` feeds it on stdin as `-`). `exits` are the
 * acceptable codes (damaged input: 0 or 2).
 */
export function trackInvocation(
  cmd: TrackCommand,
  input: string,
  dirs: CaseDirs,
  o: { exits?: readonly number[]; budget?: Partial<Budget>; extra?: string[]; durationS?: number; rng?: Rng } = {},
): Invocation {
  // --offline with --no-cache is a usage error (nothing to read a Spotify track from): file inputs need neither
  const extra = [...(o.extra ?? []), ...(o.extra?.includes('--no-cache') ? ['--cache-dir', dirs.cache] : privateFlags(dirs))];
  if (o.rng?.chance(0.15)) extra.push('--grid', 'seed');
  const budget = { ...DEFAULT_BUDGET, ...o.budget };
  const expect: Expectation = { exits: o.exits ?? [0, 2] };
  const w = (name: string) => join(dirs.work, name);
  let args: string[];
  let stdin: string | undefined;
  switch (cmd) {
    case 'fetch':
      args = ['fetch', input, '-o', w('out.json'), ...extra];
      expect.outputs = [w('out.json')];
      if (o.durationS !== undefined) Object.assign(expect, { durationS: o.durationS, durationFrom: w('out.json') });
      break;
    case 'fetch-stdin':
      args = ['fetch', '-', '-o', w('out.json'), ...extra];
      stdin = input;
      expect.outputs = [w('out.json')];
      break;
    case 'analyze':
      args = ['analyze', input, '--no-render', '--no-report', '--json', '-o', w('out'), ...extra];
      expect.stdout = 'json';
      if (o.durationS !== undefined) Object.assign(expect, { durationS: o.durationS, durationFrom: 'stdout' });
      break;
    case 'analyze-render':
      args = ['analyze', input, '--json', '-o', w('out'), ...extra];
      expect.stdout = 'json';
      budget.timeoutMs = Math.max(budget.timeoutMs, 60_000);
      break;
    case 'features-arrow':
      args = ['features', input, '-o', w('m.arrow'), ...extra];
      expect.outputs = [w('m.arrow')];
      break;
    case 'features-csv':
      args = ['features', input, '-o', w('m.csv'), ...extra];
      expect.outputs = [w('m.csv')];
      break;
    case 'features-stdout':
      args = ['features', input, '-o', '-', ...extra];
      expect.stdout = 'arrow-stream';
      break;
    case 'correlate':
      args = ['correlate', input, '-o', w('c.csv'), '--no-plot', ...extra];
      expect.outputs = [w('c.csv')];
      break;
  }
  return { args, stdin, expect, budget };
}
