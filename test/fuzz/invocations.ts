/**
 * Wrong invocations: unknown commands and options, bad option values, missing arguments, conflicting
 * flags, odd inputs, help and version, and outputs into places that cannot take them (a file as a
 * directory, /proc, a name too long, a read-only mount, a full file system, device nodes, FIFOs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { privateFlags } from './commands.js';
import type { Corpus } from './corpus.js';
import { DEFAULT_BUDGET, type CaseDirs, type CaseSpec, type Expectation, type Generator, type Invocation, type Rng } from './types.js';

interface Built {
  what: string;
  prepare(dirs: CaseDirs): Promise<Invocation>;
}

const COMMANDS = ['analyze', 'features', 'fetch', 'normalize', 'correlate', 'cluster', 'reduce', 'classify', 'album', 'compare'] as const;

/** Bad values per option, with a command that takes the option. */
const BAD_VALUES: readonly (readonly [string, string, readonly string[]])[] = [
  ['analyze', '--resolution', ['0', '-1s', 'abc', '1.5ms', '1e400', 'NaN', '', '1 s', '1h', '0.0001s', '1ms']],
  ['analyze', '--smooth', ['-1', 'NaN', 'Infinity', 'x', '', '1e308']],
  ['analyze', '--grid', ['weird', '', 'FULL', 'seed,full']],
  ['analyze', '--format', ['gif', '', 'SVG', 'svg,png']],
  ['analyze', '--max-wait', ['-1', 'x', 'Infinity', '1e308']],
  ['features', '--grid', ['half', '']],
  ['features', '-o', ['x.txt', 'x', 'x.arrow.bak', '.arrow', 'x.ARROW', 'x.json']],
  ['correlate', '--metric', ['manhattan', '', 'PEARSON']],
  ['correlate', '--normalize', ['bogus', '']],
  ['correlate', '--resolution', ['0ms', '1ms', '-5', '99999999999s']],
  ['cluster', '--k', ['0', '-1', '1.5', '1e9', 'x', '1', '100000']],
  ['cluster', '--method', ['dbscan', '']],
  ['cluster', '--n-init', ['0', '-3', 'x', '1e9']],
  ['cluster', '--kernel', ['0', '-1', 'x', '1e9']],
  ['cluster', '--seed', ['1.5', 'x', '1e400', '-1', '99999999999999999999']],
  ['reduce', '--model', ['tsne', '']],
  ['reduce', '--ndims', ['0', '1', '4', '1000', 'x']],
  ['reduce', '--color', ['rainbow']],
  ['normalize', '--mode', ['zscore', '']],
  ['album', '--k', ['0', '-2', '1000', 'x']],
  ['album', '--concurrency', ['0', '-1', '1.5', '1e9', 'x']],
  ['album', '--metric', ['nope']],
  ['album', '--normalize', ['zscore-within']],
  ['classify', '--folds', ['0', '1', '-2', 'x', '1000']],
  ['classify', '--cv', ['kfold', '']],
  ['classify', '--reduce', ['lda']],
];

/** The input each command reads in these cases (small and valid, so only the invocation is wrong). */
function goodArgs(cmd: string, c: Corpus): string[] {
  switch (cmd) {
    case 'album':
      return [join(c.dir, 'album.csv')];
    case 'classify':
    case 'compare':
      return ['-g', `A=${join(c.dir, 'album.csv')}`, '-g', `B=${join(c.dir, 'album.csv')}`];
    default:
      return [c.paths.excerpt];
  }
}

const usage = (what: string, args: string[] | ((dirs: CaseDirs) => string[]), extra: Partial<Expectation> = {}, o: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Built => ({
  what,
  async prepare(dirs) {
    const a = typeof args === 'function' ? args(dirs) : args;
    let stdin: string | undefined;
    if (o.stdin !== undefined) {
      stdin = join(dirs.input, 'stdin');
      await writeFile(stdin, o.stdin);
    }
    return { args: a, stdin, env: o.env, expect: { exits: [2], ...extra }, budget: { ...DEFAULT_BUDGET, timeoutMs: o.timeoutMs ?? DEFAULT_BUDGET.timeoutMs } };
  },
});

type Mutator = (rng: Rng, c: Corpus) => Built;

const MUTATORS: Record<string, Mutator> = {
  'unknown-option': (rng, c) => {
    const cmd = rng.pick(COMMANDS);
    const opt = rng.pick(['--frobnicate', '-Z', '--no-such=1', '--offline=yes', '---x', '--out-dir', '--ouput', '--json=1', '--resolutions', '--Offline']);
    return usage(`${cmd} ${opt}`, (d) => [cmd, ...goodArgs(cmd, c), opt, ...privateFlags(d)]);
  },
  'unknown-command': (rng) => {
    const cmd = rng.pick(['analyse', 'ANALYZE', 'analyzer', 'feature', 'plot', '', ' ', '-', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', 'fixtures/psy-gangnam-style.json']);
    return usage(`unknown command ${JSON.stringify(cmd)}`, [cmd, 'x']);
  },
  'bad-value': (rng, c) => {
    const [cmd, opt, values] = rng.pick(BAD_VALUES);
    const v = rng.pick(values);
    const form = rng.chance(0.3) ? [`${opt}=${v}`] : [opt, v];
    // a value that parses but is out of range for this input may also be caught later (exit 2), or accepted
    // where it is valid after all (e.g. --resolution 1ms on a short excerpt): exit 0 is fine then
    return usage(`${cmd} ${opt} ${JSON.stringify(v)}`, (d) => [cmd, ...goodArgs(cmd, c), ...form, '-q', ...outFor(cmd, d), ...privateFlags(d)].filter((x) => !(cmd === 'analyze' && x === '-q')), { exits: [0, 2] }, { timeoutMs: 60_000 });
  },
  'missing-arg': (rng, c) => {
    const kind = rng.int(3);
    const cmd = rng.pick(COMMANDS);
    if (kind === 0) return usage(`${cmd} without its input`, (d) => [cmd, ...privateFlags(d)], cmd === 'classify' || cmd === 'compare' ? { exits: [2] } : {});
    const opt = rng.pick(['-o', '--resolution', '--cache-dir', '--fixtures', '--grid', '--seed', '--k']);
    if (kind === 1) return usage(`${cmd} ${opt} without a value`, [cmd, ...goodArgs(cmd, c), opt]);
    // classify and compare take their groups by -g: an option before them takes "-g" as its value, and the
    // command may well run (e.g. compare -o -g A=… writes into a directory named -g)
    return usage(`${cmd}: ${opt} swallows the input`, (d) => [cmd, opt, ...goodArgs(cmd, c), ...privateFlags(d)], cmd === 'classify' || cmd === 'compare' ? { exits: [0, 2] } : {});
  },
  conflicting: (rng, c) => {
    const kind = rng.int(7);
    const e = c.paths.excerpt;
    switch (kind) {
      case 0:
        return usage('--fixtures with --record', (d) => ['analyze', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', '--fixtures', c.paths.spotifyFixtures, '--record', join(d.work, 'rec'), '--cache-dir', d.cache]);
      case 1:
        return usage('--offline with --record', (d) => ['fetch', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', '--offline', '--record', join(d.work, 'rec'), '--cache-dir', d.cache]);
      case 2:
        return usage('--offline with --no-cache', ['analyze', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', '--offline', '--no-cache']);
      case 3:
        return usage('correlate --json -o -', (d) => ['correlate', e, '--json', '-o', '-', ...privateFlags(d)]);
      case 4:
        return usage('normalize with several inputs to -o -', (d) => ['normalize', e, e, '-o', '-', ...privateFlags(d)]);
      case 5:
        return usage('two inputs on stdin', (d) => ['normalize', '-', '-', '-o', join(d.work, 'n'), ...privateFlags(d)], {}, { stdin: c.excerpt.text });
      default:
        return usage('--no-render and --format png', (d) => ['analyze', e, '--no-render', '--format', 'png', '--json', '-o', join(d.work, 'out'), ...privateFlags(d)], { exits: [0, 2], stdout: 'json' });
    }
  },
  'odd-input': (rng, c) => {
    const kind = rng.int(12);
    const off = (d: CaseDirs) => privateFlags(d);
    const cmd = rng.pick(['analyze', 'fetch', 'features'] as const);
    const out = (d: CaseDirs) => (cmd === 'analyze' ? ['--no-render', '-o', join(d.work, 'out')] : ['-o', join(d.work, cmd === 'fetch' ? 'a.json' : 'm.arrow')]);
    const run = (what: string, input: string | ((d: CaseDirs) => string), o: { stdin?: string; env?: Record<string, string> } = {}) =>
      usage(`${cmd} ${what}`, (d) => [cmd, typeof input === 'function' ? input(d) : input, ...out(d), ...off(d)], {}, o);
    switch (kind) {
      case 0:
        return run('""', '');
      case 1:
        return run('- with empty stdin', '-', { stdin: '' });
      case 2:
        return run('- with binary stdin', '-', { stdin: Buffer.from(c.msd.subarray(0, 4096)).toString('latin1') });
      case 3:
        return run('a malformed track URI', rng.pick(['spotify:track:short', 'spotify:track:', 'spotify:', 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1:extra', 'https://open.spotify.com/track/', 'https://open.spotify.com/']));
      case 4:
        return run('an album URI', 'spotify:album:SongscopeFixtureAlbum1');
      case 5:
        return run('a Spotify track, offline and not cached', rng.pick(['spotify:track:7nWUDDCpTDYle0Ppi8i5K1', '7nWUDDCpTDYle0Ppi8i5K1', 'https://open.spotify.com/intl-de/track/7nWUDDCpTDYle0Ppi8i5K1?si=x', 'daft punk around the world']));
      case 6:
        return run('a file that does not exist', (d) => join(d.input, rng.pick(['nope.json', 'nope.wav', 'nope.h5', 'nope'])));
      case 7:
        return run('a directory', (d) => d.input);
      case 8:
        return run('/dev/null', '/dev/null');
      case 9:
        return run('a /proc file', '/proc/self/status');
      case 10:
        return usage(`${cmd} with SONGSCOPE_CACHE_DIR a file and no --cache-dir`, (d) => [cmd, 'spotify:track:7nWUDDCpTDYle0Ppi8i5K1', '--offline', ...out(d)], {}, { env: { SONGSCOPE_CACHE_DIR: c.paths.excerpt } });
      default:
        return run('a 10,000-character argument', 'x'.repeat(10_000));
    }
  },
  'fake-credentials': (rng, c) => {
    const input = rng.pick(['spotify:track:7nWUDDCpTDYle0Ppi8i5K1', 'daft punk around the world']);
    const how = rng.pick(['env', 'dotenv'] as const);
    return {
      what: `Spotify credentials set (${how}) but the API is unreachable (127.0.0.1:3): ${input}`,
      async prepare(dirs) {
        const env: Record<string, string> = {};
        if (how === 'env') Object.assign(env, { SPOTIFY_CLIENT_ID: 'fuzz', SPOTIFY_CLIENT_SECRET: 'fuzz' });
        else await writeFile(join(dirs.work, '.env'), 'SPOTIFY_CLIENT_ID=fuzz\nSPOTIFY_CLIENT_SECRET="fuzz"\n\u0000garbage line\n');
        return { args: ['fetch', input, '-o', join(dirs.work, 'a.json'), '--cache-dir', dirs.cache, '--max-wait', '1'], env, expect: { exits: [1] }, budget: { timeoutMs: 60_000, memMb: 1024 } };
      },
    };
  },
  'no-credentials': (rng) => {
    const input = rng.pick(['spotify:track:7nWUDDCpTDYle0Ppi8i5K1', 'daft punk around the world', 'spotify:album:SongscopeFixtureAlbum1']);
    const cmd = input.includes('album') ? 'album' : rng.pick(['fetch', 'analyze']);
    return usage(`${cmd} ${input} without credentials (not offline)`, (d) => [cmd, input, '-o', join(d.work, cmd === 'fetch' ? 'a.json' : 'out'), '--cache-dir', d.cache]);
  },
  'help-version': (rng) => {
    const args = rng.pick([['--help'], ['-h'], ['-V'], ['--version'], ['help'], ['help', 'analyze'], [rng.pick(COMMANDS), '--help'], ['analyze', '-h', '--frobnicate']]);
    return usage(args.join(' '), args, { exits: [0] });
  },
  'no-command': (rng) => {
    const args = rng.pick([[], ['--verbose'], ['-v'], ['--offline']]);
    return usage(`songscope ${args.join(' ')} (no command)`, args);
  },
  'unwritable-output': (rng, c) => outputCase(rng, c),
  'device-output': (rng, c) => deviceCase(rng, c),
  'full-filesystem': (rng, c) => sandboxCase(rng, c, 'tmpfs'),
  'readonly-filesystem': (rng, c) => sandboxCase(rng, c, 'readonly'),
};

/** `-o`/`--out` for a command (absolute, in the work directory). */
function outFor(cmd: string, d: CaseDirs): string[] {
  switch (cmd) {
    case 'analyze':
      return ['--no-render', '--no-report', '-o', join(d.work, 'out')];
    case 'album':
    case 'compare':
      return ['--no-plot', '-o', join(d.work, 'out')];
    case 'features':
      return [];
    case 'fetch':
      return ['-o', join(d.work, 'a.json')];
    case 'classify':
      return ['-o', join(d.work, 'p.csv')];
    default:
      return ['--no-plot', '-o', join(d.work, 'x.csv')];
  }
}

/** What an output option names: a file (fetch, features, correlate, normalize) or a directory (analyze, album). */
type Want = 'file' | 'dir' | 'any';

/**
 * A command that writes, with its output option pointing at `target` (`.json`, `.arrow`, `.csv` added to
 * file outputs that need one unless `exact`).
 */
function writer(rng: Rng, c: Corpus, target: string, want: Want = 'any', exact = false): { args: string[]; what: string } {
  const kinds = want === 'file' ? (['fetch', 'features', 'correlate', 'normalize'] as const) : want === 'dir' ? (['analyze', 'album'] as const) : (['fetch', 'features', 'analyze', 'correlate', 'normalize', 'album'] as const);
  const kind = rng.pick(kinds);
  const e = c.paths.excerpt;
  const withExt = (ext: string) => (exact || /\.(csv|arrow)$/.test(target) ? target : target + ext);
  switch (kind) {
    case 'fetch':
      return { args: ['fetch', e, '-o', target], what: 'fetch -o' };
    case 'features':
      return { args: ['features', e, '-o', withExt('.arrow')], what: 'features -o' };
    case 'analyze':
      return { args: ['analyze', e, '--no-render', '-o', target], what: 'analyze -o' };
    case 'correlate':
      return { args: ['correlate', e, '-o', withExt('.csv'), '--no-plot'], what: 'correlate -o' };
    case 'normalize':
      return { args: ['normalize', e, '-o', withExt('.arrow'), '--no-plot'], what: 'normalize -o' };
    default:
      return { args: ['album', join(c.dir, 'album.csv'), '--no-plot', '-q', '-o', target], what: 'album -o' };
  }
}

function outputCase(rng: Rng, c: Corpus): Built {
  const kind = rng.pick(['under-file', 'proc', 'too-long', 'existing-dir', 'dir-as-file', 'empty', 'sys'] as const);
  return {
    what: `output into an unwritable place: ${kind}`,
    async prepare(dirs) {
      let w: { args: string[] };
      switch (kind) {
        case 'under-file':
          await writeFile(join(dirs.work, 'f'), 'x');
          w = writer(rng, c, join(dirs.work, 'f', 'out.csv'));
          break;
        case 'proc':
          w = writer(rng, c, '/proc/self/songscope-out.csv');
          break;
        case 'sys':
          w = writer(rng, c, '/sys/songscope-out.csv');
          break;
        case 'too-long':
          w = writer(rng, c, join(dirs.work, 'x'.repeat(300) + '.csv'));
          break;
        case 'existing-dir': {
          // a directory where a file is to be written
          const target = join(dirs.work, rng.pick(['d.csv', 'd.arrow']));
          await mkdir(target);
          w = writer(rng, c, target, 'file', true);
          break;
        }
        case 'dir-as-file':
          // a regular file where the output directory is to be
          await writeFile(join(dirs.work, 'plain'), 'x');
          w = writer(rng, c, join(dirs.work, 'plain'), 'dir');
          break;
        default:
          w = writer(rng, c, '');
      }
      // -o "" means no -o to some commands: then the default name in the working directory is fine
      return { args: [...w.args, ...privateFlags(dirs)], expect: { exits: kind === 'empty' ? [0, 1, 2] : [1, 2] }, budget: DEFAULT_BUDGET };
    },
  };
}

/** Device nodes and FIFOs as outputs: written through (null), failing cleanly (full), never replaced. */
function deviceCase(rng: Rng, c: Corpus): Built {
  const node = rng.pick(['null', 'full', 'zero', 'fifo'] as const);
  return {
    what: `output onto a ${node === 'fifo' ? 'FIFO' : `character device like /dev/${node}`}`,
    async prepare(dirs) {
      // our own nodes, in the case's directory: the machine's /dev is never touched
      // named with a matrix extension, so that every writing command accepts the name
      const path = join(dirs.work, `dev-${node}.csv`);
      if (node === 'fifo') {
        execFileSync('mkfifo', [path]);
        // a reader drains it, as `songscope … -o fifo` is used (like the shell's `>`, opening a FIFO with no
        // reader waits for one: that is the FIFO's contract, not a hang)
        spawn('sh', ['-c', `cat "${path}" > /dev/null`], { detached: true, stdio: 'ignore' }).unref();
      } else execFileSync('mknod', [path, 'c', '1', String({ null: 3, zero: 5, full: 7 }[node])]);
      const w = writer(rng, c, path, 'file', true);
      const args = w.args;
      // writing into /dev/null succeeds; /dev/full must fail with ENOSPC (exit 1); a FIFO is written through
      // to its reader. In every case the node must still be there afterwards.
      return {
        args: [...args, ...privateFlags(dirs)],
        expect: { exits: node === 'full' ? [1, 2] : [0, 1, 2], preserve: [{ path, kind: node === 'fifo' ? 'fifo' : 'char' }] },
        budget: DEFAULT_BUDGET,
      };
    },
  };
}

function sandboxCase(rng: Rng, c: Corpus, kind: 'tmpfs' | 'readonly'): Built {
  const sizeKb = rng.pick([4, 16, 64, 256, 1024]);
  return {
    what: kind === 'tmpfs' ? `output onto a full file system (tmpfs of ${sizeKb} KB)` : 'output onto a read-only file system',
    async prepare(dirs) {
      const mount = join(dirs.work, 'mnt');
      await mkdir(mount);
      const w = writer(rng, c, join(mount, rng.pick(['out.csv', 'sub/out.csv', 'out'])));
      return {
        args: [...w.args, ...privateFlags(dirs)],
        sandbox: { kind, mount, sizeKb },
        // a full disk may still fit a small output (exit 0, then the file must be whole)
        expect: { exits: kind === 'tmpfs' ? [0, 1] : [1] },
        budget: DEFAULT_BUDGET,
      };
    },
  };
}

export const INVOCATION_MUTATORS = Object.keys(MUTATORS);

export const invocationsGenerator: Generator = (rng, index, corpus): CaseSpec => {
  const kind = INVOCATION_MUTATORS[index % INVOCATION_MUTATORS.length];
  const built = MUTATORS[kind](rng, corpus);
  return { kind, what: built.what, prepare: built.prepare };
};
