/**
 * Issue 15 ("Nothing lost, nothing hung"), end to end: the CLI spawned as a user would, on the hostile
 * cases the fuzz campaign found. The contract of every case: exit 0 with valid output, or exit 2 (input)
 * / 1 (runtime) with one line on stderr (plus at most one hint line), no stack trace, no partial file.
 *
 * A full disk is real where the test can mount a 2 MB tmpfs (root, Linux) and skipped with the reason
 * elsewhere; /dev/full gives a real ENOSPC without root (as a device written through, and as stdout).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, hasStackTrace, runCli, type CliResult } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const PSY = 'fixtures/psy-gangnam-style.json';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const mounted: string[] = [];
after(async () => {
  for (const m of mounted) spawnSync('umount', [m]);
});
// Made after the hook above: node:test runs `after` hooks in the order they were added, so the tmpfs mounts
// inside this directory are gone before it is removed.
const tmp = tempDirPerSuite('robust');

/** stderr lines, without the empty last one. */
const lines = (stderr: string) => stderr.split('\n').filter((l) => l !== '');

/** The contract for a failure: this exit code, one line matching `pattern` (plus at most one hint), no stack. */
function assertFails(r: CliResult, code: 1 | 2, pattern: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, expected ${code}\n${r.stderr}`);
  assert.match(lines(r.stderr)[0] ?? '', pattern, `${what}: first line of stderr`);
  assert.ok(lines(r.stderr).length <= 2, `${what}: one line plus at most one hint:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), `${what}: no stack trace:\n${r.stderr}`);
}

/** Every name in `dir` (recursively), to find temporary files. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out.push(p);
    if (lstatSync(p).isDirectory()) out.push(...walk(p));
  }
  return out;
}

/** Run the CLI with its standard output going to the file (or device) at `stdoutPath`. */
function runToFile(args: string[], stdoutPath: string): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync(stdoutPath, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: tmp.path },
      stdio: ['ignore', fd, 'pipe'],
    });
    closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Mount a tmpfs of `size` at a new directory, or say why not (for `skip`). */
function mountTmpfs(name: string, size: string, readOnly = false): { path: string } | { skip: string } {
  if (process.platform !== 'linux') return { skip: 'tmpfs needs Linux' };
  if (!isRoot) return { skip: 'mounting a tmpfs needs root' };
  const path = join(tmp.path, name);
  mkdirSync(path, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', path], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `mount -t tmpfs failed here: ${(r.stderr || r.error?.message || '').trim()}` };
  return { path };
}

describe('defect 1: a failed output write exits 1 with one line and leaves nothing half-written', () => {
  let small: { path: string } | { skip: string } | undefined;
  /** The 2 MB tmpfs (mounted on first use), or undefined after skipping `t` with the reason. */
  const smallDir = (t: { skip(reason: string): void }): string | undefined => {
    if (!small) {
      small = mountTmpfs('small', '2m');
      if ('path' in small) mounted.push(small.path);
    }
    if ('skip' in small) {
      t.skip(small.skip);
      return undefined;
    }
    return small.path;
  };

  test('defect 1: features -o onto a full 2 MB tmpfs exits 1, names the path and "no space left", leaves no temp file', async (t) => {
    const dir = smallDir(t);
    if (dir === undefined) return;
    const out = join(dir, 'x.arrow');
    const r = await runCli(['features', PSY, '-o', out]);
    assertFails(r, 1, new RegExp(`^songscope: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(no space left on the device\\)$`), 'features');
    assert.deepEqual(readdirSync(dir), [], 'no x.arrow, no .x.arrow.tmp-*');
  });

  test('defect 1: analyze --out onto a full tmpfs exits 1; the files it wrote are whole, no temp file is left', async (t) => {
    const dir = smallDir(t);
    if (dir === undefined) return;
    const full = join(tmp.path, 'analyze-reference');
    const ok = await runCli(['analyze', PSY, '--out', full]);
    assert.equal(ok.code, 0, ok.stderr);
    // leave 700 KB of the 3.5 MB the run writes, so the disk fills in the middle of it (at the similarity plots)
    const filler = join(dir, 'filler');
    const avail = Number(spawnSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).stdout.trim().split('\n').pop());
    writeFileSync(filler, Buffer.alloc(Math.max(0, avail - 700_000)));
    const out = join(dir, 'an');
    try {
      const r = await runCli(['analyze', PSY, '--out', out]);
      assertFails(r, 1, /^songscope: cannot write .*\/an\/\S+ \(no space left on the device\)$/, 'analyze');
      const written = existsSync(out) ? readdirSync(out) : [];
      assert.ok(written.length < readdirSync(full).length, `not every file fits: ${written.join(', ')}`);
      for (const name of written) {
        assert.ok(!name.includes('.tmp-'), `temporary file left: ${name}`);
        // summary.json names the files by the output directory given: whole is what parses
        if (name === 'summary.json') JSON.parse(readFileSync(join(out, name), 'utf8'));
        else assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(full, name))), `${name} is whole (equal to a full run's)`);
      }
      assert.deepEqual(readdirSync(dir), existsSync(out) ? ['an', 'filler'] : ['filler'], 'nothing beside the output directory');
    } finally {
      await rm(out, { recursive: true, force: true });
      await rm(filler, { force: true });
    }
  });

  test('defect 1: fetch -o onto a tmpfs with 100 KB left exits 1 and leaves no temp file', async (t) => {
    const dir = smallDir(t);
    if (dir === undefined) return;
    const filler = join(dir, 'filler');
    const free = () => {
      const r = spawnSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' });
      return Number(r.stdout.trim().split('\n').pop());
    };
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 100_000)));
    try {
      const r = await runCli(['fetch', PSY, '-o', join(dir, 'a.json'), '--no-cache']);
      assertFails(r, 1, /^songscope: cannot write .*a\.json \(no space left on the device\)$/, 'fetch');
      assert.deepEqual(readdirSync(dir), ['filler'], 'nothing left behind beside the filler');
    } finally {
      await rm(filler, { force: true });
    }
  });

  test('defect 1: a read-only output directory exits 1: "not writable"', async (t) => {
    let dir: string;
    if (isRoot) {
      const ro = mountTmpfs('ro', '1m', true);
      if ('skip' in ro) return t.skip(ro.skip);
      mounted.push(ro.path);
      dir = ro.path;
    } else {
      dir = join(tmp.path, 'readonly');
      mkdirSync(dir);
      chmodSync(dir, 0o555);
    }
    for (const args of [
      ['features', PSY, '-o', join(dir, 'x.arrow')],
      ['fetch', PSY, '--no-cache', '-o', join(dir, 'x.json')],
      ['correlate', PSY, '-o', join(dir, 'x.csv'), '--no-plot'],
    ]) {
      const r = await runCli(args);
      assertFails(r, 1, /^songscope: cannot write .* \(not writable: (read-only file system|permission denied)\)$/, args[0]);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing left behind in the read-only directory');
  });

  test('defect 1: /dev/full as -o (a device: written through) exits 1 with "no space left"', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
    for (const args of [
      ['features', PSY, '-o', '/dev/full'],
      ['fetch', PSY, '--no-cache', '-o', '/dev/full'],
    ]) {
      // features needs a known extension: a symlink named .arrow to /dev/full
      const link = join(tmp.path, `full-${args[0]}.arrow`);
      if (!existsSync(link)) symlinkSync('/dev/full', link);
      const r = await runCli(args[0] === 'features' ? [...args.slice(0, 3), link] : args);
      assertFails(r, 1, /^songscope: cannot write \S+ \(no space left on the device\)$/, args[0]);
    }
    assert.ok(statSync('/dev/full').isCharacterDevice(), '/dev/full is still a character device');
  });

  test('defect 1: standard output on a full device exits 1 (fetch -o -, features -o -, analyze --json)', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
    for (const args of [
      ['fetch', PSY, '--no-cache', '-o', '-'],
      ['features', PSY, '-o', '-'],
      ['analyze', PSY, '--no-cache', '--json', '--out', join(tmp.path, 'json-to-full'), '--no-render', '--no-report'],
    ]) {
      const r = await runToFile(args, '/dev/full');
      assert.equal(r.code, 1, `${args[0]}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, /^songscope: cannot write standard output \(no space left on the device\)\n$/, args[0]);
    }
  });
});

describe('defect 2: -o onto a device node or a symlink writes through it, never replaces it', () => {
  test('defect 2: a character device (null) stays a device; the command succeeds', { skip: process.platform === 'win32' && 'no device nodes' }, async () => {
    // As root, make a private null device (c 1 3) so that a regression cannot replace the system's /dev/null.
    let device = '/dev/null';
    if (isRoot) {
      device = join(tmp.path, 'null');
      const r = spawnSync('mknod', [device, 'c', '1', '3']);
      assert.equal(r.status, 0, `mknod: ${r.stderr}`);
    }
    const r = await runCli(['fetch', PSY, '--no-cache', '-o', device]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(device).isCharacterDevice(), `${device} is still a character device`);
    const link = join(tmp.path, 'null.arrow');
    symlinkSync(device, link);
    const f = await runCli(['features', PSY, '-o', link, '-q']);
    assert.equal(f.code, 0, f.stderr);
    assert.ok(lstatSync(link).isSymbolicLink() && statSync(device).isCharacterDevice(), 'the link and the device are kept');
  });

  test('defect 2: -o onto a symlink keeps the link and writes the file it points to', async () => {
    const real = join(tmp.path, 'real.json');
    writeFileSync(real, 'old');
    const link = join(tmp.path, 'link.json');
    symlinkSync(real, link);
    const r = await runCli(['fetch', PSY, '--no-cache', '-o', link, '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink(), 'still a symlink');
    assert.equal(JSON.parse(readFileSync(real, 'utf8')).segments.length, 894, 'the symlink\'s target holds the analysis (894 segments)');
  });
});

describe('defects 5, 6 and 12: analysis JSON the parser used to crash on, end to end', () => {
  const psyText = () => readFileSync(join(ROOT, PSY), 'utf8');

  test('defect 5: a UTF-8 BOM before the analysis: analyze, fetch and features succeed, from a file and stdin', async () => {
    const path = join(tmp.path, 'bom.json');
    writeFileSync(path, '\uFEFF' + psyText());
    const a = await runCli(['analyze', path, '--out', join(tmp.path, 'bom-out'), '--no-render', '--no-report', '--no-cache']);
    assert.equal(a.code, 0, a.stderr);
    const f = await runCli(['fetch', path, '-o', join(tmp.path, 'bom.analysis.json'), '-q']);
    assert.equal(f.code, 0, f.stderr);
    const s = await runCli(['features', '-', '-o', join(tmp.path, 'bom.arrow'), '-q'], { input: Buffer.from('\uFEFF' + psyText(), 'utf8') });
    assert.equal(s.code, 0, s.stderr);
    // the toolkit's stdin, which also takes matrices, knows it for an analysis (it was taken for a CSV)
    const n = await runCli(['normalize', '-', '-o', join(tmp.path, 'bom.csv'), '--no-plot', '-q'], { input: Buffer.from('\uFEFF' + psyText(), 'utf8') });
    assert.equal(n.code, 0, n.stderr);
  });

  test('defect 6: 100,000 nested arrays in an extra key: exit 2 naming the depth limit in analyze, fetch and features alike', async () => {
    const path = join(tmp.path, 'deep.json');
    const depth = 100_000;
    writeFileSync(path, psyText().trimEnd().slice(0, -1) + `,"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    for (const args of [
      ['analyze', path, '--out', join(tmp.path, 'deep-out')],
      ['fetch', path, '-o', join(tmp.path, 'deep.analysis.json')],
      ['features', path, '-o', join(tmp.path, 'deep.arrow')],
    ]) {
      const r = await runCli(args);
      assertFails(r, 2, /^songscope: .*deep\.json: JSON nested more than 64 levels deep \(line \d+, column \d+\); songscope reads JSON nested at most 64 deep$/, args[0]);
    }
    assert.equal(existsSync(join(tmp.path, 'deep-out')), false, 'no output directory');
  });

  test('defect 12: a top-level null, number or string says what the file holds', async () => {
    for (const [content, found] of [
      ['null', 'null'],
      ['3.5', 'the number 3.5'],
      ['"song"', 'a string'],
    ]) {
      const path = join(tmp.path, `top.json`);
      writeFileSync(path, content);
      const r = await runCli(['fetch', path, '-o', join(tmp.path, 'top.analysis.json')]);
      assertFails(r, 2, new RegExp(`^songscope: .*top\\.json: expected an audio-analysis object .* at the top level, found ${found}$`), content);
    }
  });
});

describe('defect 15: songscope with no command', () => {
  test('defect 15: one line and the list of commands, exit 2', async () => {
    const r = await runCli([]);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr), [
      'songscope: no command given (add --help for usage)',
      'commands: analyze, features, fetch, normalize, correlate, cluster, reduce, classify, album, compare, similar, scan',
    ], 'one line and the list of commands');
    assert.equal(r.stdout, '', 'nothing on stdout');
  });

  test('defect 15: --help still prints the full help on stdout, exit 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: songscope/, 'the help on stdout');
  });

  test('fuzz N6: `songscope help` and `songscope help analyze` print the help and exit 0', async () => {
    for (const args of [['help'], ['help', 'analyze']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: songscope/, `${args.join(' ')} prints the help`);
    }
  });

  test("fuzz N3: a usage error is one line, commander's suggestion and the pointer to --help on it", async () => {
    const r = await runCli(['analyze', 'fixtures/psy-gangnam-style.json', '--fromat', 'svg']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr), ["songscope: unknown option '--fromat' (did you mean --format?) (add --help for usage)"], 'one line: the unknown option, the suggestion and the pointer to --help');
  });
});

describe('inputs that never end: /dev/zero behind a file name (issue 15: no hang, bounded memory)', () => {
  const zero = (name: string) => {
    const link = join(tmp.path, name);
    if (!existsSync(link)) symlinkSync('/dev/zero', link);
    return link;
  };

  test('an analysis name (.json) on /dev/zero: exit 2 from the first bytes, not an internal error after 600 MB', { skip: !existsSync('/dev/zero') && 'no /dev/zero here' }, async () => {
    const r = await runCli(['fetch', zero('zero.json'), '-o', join(tmp.path, 'zero.analysis.json')], { timeoutMs: 30_000 });
    assertFails(r, 2, /^songscope: .*zero\.json: not valid JSON \(unexpected "\\u0000" at line 1, column 1\)$/, 'zero.json');
  });

  test('a matrix name (.arrow, .csv) on /dev/zero: exit 2, "not a feature matrix"', { skip: !existsSync('/dev/zero') && 'no /dev/zero here' }, async () => {
    for (const name of ['zero.arrow', 'zero.csv']) {
      const r = await runCli(['correlate', zero(name), '-o', join(tmp.path, 'zero-corr.csv'), '--no-plot'], { timeoutMs: 30_000 });
      assertFails(r, 2, /^songscope: .*zero\.(arrow|csv): not a feature matrix: neither Arrow IPC nor CSV text \(starts with bytes 00 00 00 00 00 00 00 00 …\)$/, name);
    }
  });

  test('an audio name (.wav, .mp3) on /dev/zero: exit 2, never hashed for the cache forever', { skip: !existsSync('/dev/zero') && 'no /dev/zero here' }, async () => {
    for (const name of ['zero.wav', 'zero.mp3']) {
      const r = await runCli(['fetch', zero(name), '-o', join(tmp.path, 'zero-audio.json')], { timeoutMs: 30_000, env: { SONGSCOPE_CACHE_DIR: join(tmp.path, 'zero-cache') } });
      assertFails(r, 2, /^songscope: .*zero\.(wav|mp3): (empty file \(0 bytes\)|not a regular file)/, name);
    }
  });
});
