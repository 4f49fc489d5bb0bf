/**
 * The transform subcommands as a user runs them: spawned, piped into each other, writing CSV/Arrow and
 * plots, checked against the pandas / scikit-learn references.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, hasStackTrace, runCli } from '../helpers/cli.js';
import { FIXTURE_CASES, ROOT, loadReference, worst } from '../helpers/fixtures.js';
import { adjustedRandIndex } from '../../src/evaluate/cluster.js';
import { readMatrix } from '../../src/matrix/io.js';

const TOL = 1e-9;
let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'songscope-toolkit-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Run a shell pipeline of songscope commands (`S` is the CLI). */
function pipeline(script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `set -e; S() { "${process.execPath}" "${CLI}" "$@"; }; ${script}`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: tmp },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A similarity CSV: header `time_s,<t0>,<t1>…`, then rows `t,v,v,…` (empty = undefined). */
function parseSquareCsv(text: string): { header: string[]; times: number[]; values: number[][] } {
  const lines = text.trimEnd().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  return {
    header,
    times: rows.map((r) => Number(r[0])),
    values: rows.map((r) => r.slice(1).map((v) => (v === '' ? NaN : Number(v)))),
  };
}

const psy = FIXTURE_CASES[0];

describe('pipes compose: features | normalize | correlate', () => {
  test('the README chain reproduces the smoothed correlation reference to 1e-9', async () => {
    const out = join(tmp, 'chain.csv');
    const r = await pipeline(`S features ${psy.input} --grid seed -o - | S normalize - -o - | S correlate - --smooth 10 -o ${out}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /9 of \d+ bins have no defined pearson similarity \(constant rows or missing values\) at 0–8 s/);
    const csv = parseSquareCsv(await readFile(out, 'utf8'));
    const ref = loadReference(psy);
    assert.equal(csv.header[0], 'time_s');
    assert.equal(csv.header.length, csv.values.length + 1, 'square with a header row and a time_s column');
    assert.equal(csv.times[0], ref.zscore_within_resample_1s.first_s);
    const pairs: [number, number, string][] = [];
    for (const [i, row] of Object.entries(ref.corr_smoothed_rows)) {
      row.forEach((v, j) => {
        const got = csv.values[Number(i)][j];
        if (Number(i) < 9 || j < 9) assert.ok(Number.isNaN(got), `[${i}][${j}] is undefined, written empty`);
        else pairs.push([got, v, `[${i}][${j}]`]);
      });
    }
    const w = worst(pairs);
    assert.ok(pairs.length > 0 && w.err <= TOL, w.at);
    // the plot was written beside the output
    const files = await readdir(tmp);
    assert.ok(files.includes('chain.vl.json') && files.includes('chain.svg'), files.join(' '));
  });

  test('correlate on an analysis file directly, without smoothing, matches corr_1s_rows', async () => {
    const c = FIXTURE_CASES[2];
    const out = join(tmp, 'direct.csv');
    const r = await runCli(['correlate', c.input, '--grid', 'seed', '-o', out, '--no-plot', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const csv = parseSquareCsv(await readFile(out, 'utf8'));
    const pairs: [number, number, string][] = [];
    for (const [i, row] of Object.entries(loadReference(c).corr_1s_rows)) row.forEach((v, j) => pairs.push([csv.values[Number(i)][j], v, `[${i}][${j}]`]));
    const w = worst(pairs);
    assert.ok(w.err <= TOL, w.at);
    assert.ok(!(await readdir(tmp)).includes('direct.vl.json'), '--no-plot writes no plot');
  });

  test('normalize writes the same matrix shape with its mode in the metadata', async () => {
    const out = join(tmp, 'norm.arrow');
    const r = await runCli(['normalize', psy.input, '--mode', 'minmax', '-o', out, '--no-plot']);
    assert.equal(r.code, 0, r.stderr);
    const m = await readMatrix(out);
    assert.equal(m.columns.length, 26);
    assert.equal(m.metadata.normalization, 'minmax');
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of m.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.deepEqual([lo, hi], [0, 1]);
  });
});

describe('cluster, reduce from the command line', () => {
  test('cluster --smooth 10 writes time_s,label that agree with scikit-learn; --json reports the section agreement', async () => {
    const out = join(tmp, 'parts.csv');
    const r = await runCli(['cluster', psy.input, '--grid', 'seed', '--k', '3', '--smooth', '10', '-o', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    assert.equal(lines[0], 'time_s,label');
    const labels = lines.slice(1).map((l) => Number(l.split(',')[1]));
    const ari = adjustedRandIndex(labels, loadReference(psy).kmeans_k3_smoothed_sklearn_labels);
    assert.ok(ari >= 0.9, `ARI ${ari}`);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.method, 'kmeans');
    assert.deepEqual(summary.agreement.map((a: { window_s: number }) => a.window_s), [0.5, 3]);
    assert.match(summary.agreement_convention, /mir_eval/);
    assert.match(r.stderr, /±0\.5 s: F \d\.\d{3}/);
    assert.ok(summary.files.includes(join(tmp, 'parts.svg')));
  });

  test('same seed → byte-identical files (k-means, MDS, plots)', async () => {
    const run = async (dir: string) => {
      const a = await runCli(['cluster', psy.input, '--k', '4', '--seed', '3', '-o', join(tmp, `${dir}-c.csv`), '-q']);
      const b = await runCli(['reduce', psy.input, '--model', 'mds', '--smooth', '10', '--seed', '3', '-o', join(tmp, `${dir}-r.arrow`), '-q']);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      return Promise.all([`${dir}-c.csv`, `${dir}-c.vl.json`, `${dir}-c.svg`, `${dir}-r.arrow`, `${dir}-r.vl.json`, `${dir}-r.svg`].map((f) => readFile(join(tmp, f))));
    };
    const first = await run('one');
    const second = await run('two');
    first.forEach((buf, i) => assert.ok(buf.equals(second[i]), `file ${i} differs between runs`));
  });

  test('reduce over several tracks writes one labelled point per track; --format png writes a PNG', async () => {
    const out = join(tmp, 'tracks.csv');
    const inputs = FIXTURE_CASES.slice(0, 4).map((c) => c.input);
    const r = await runCli(['reduce', ...inputs, '--model', 'pca', '-o', out, '--format', 'png']);
    assert.equal(r.code, 0, r.stderr);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    assert.equal(lines[0], 'track,dim_1,dim_2');
    assert.equal(lines.length, 5);
    assert.match(r.stderr, /explained variance: PC1 \d+\.\d %, PC2/);
    const png = await readFile(join(tmp, 'tracks.png'));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });
});

describe('transform errors are one line and exit 2', () => {
  const input = join(ROOT, psy.input);
  const cases: [string, string[], RegExp][] = [
    ['k larger than the bins', ['cluster', input, '--k', '100000', '-o', 'x.csv'], /--k: "100000" \(expected at most the number of time bins \(220\)\)/],
    ['k of zero', ['cluster', input, '--k', '0'], /--k/],
    ['unknown method', ['cluster', input, '--method', 'spectral'], /spectral/],
    ['bad output extension', ['correlate', input, '-o', 'x.txt'], /x\.txt/],
    ['several inputs to stdout', ['normalize', input, input, '-o', '-'], /directory/],
    ['smooth not a multiple of the resolution', ['correlate', input, '--smooth', '1.5'], /--smooth: "1\.5" \(expected a multiple of the resolution, 1 s\)/],
    ['ndims 4', ['reduce', input, '--ndims', '4'], /--ndims/],
    ['missing file', ['reduce', 'nope/missing.json'], /no such file/],
    ['umap of two tracks', ['reduce', input, join(ROOT, FIXTURE_CASES[1].input), '--model', 'umap', '--no-plot'], /cannot reduce 2 tracks: points: 2 points \(expected at least 4 points for umap into 2 dimensions; pca and mds take fewer\)/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => {
      const r = await runCli(args, { cwd: tmp });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern, 'the one line says what is wrong');
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    });
  }
});

describe('normalize with several inputs', () => {
  test('inputs with the same name get distinct outputs (and plots, under --plot DIR) instead of overwriting each other', async () => {
    const out = join(tmp, 'same-names');
    const plots = join(tmp, 'same-names-plots');
    const r = await runCli(['normalize', psy.input, psy.input, '-o', out, '--plot', plots, '--format', 'svg']);
    assert.equal(r.code, 0, r.stderr);
    const files = (await readdir(out)).sort();
    assert.equal(files.length, 2, `two matrices: ${files.join(' ')}`);
    assert.notEqual(files[0], files[1], 'distinct names');
    assert.ok(files.every((f) => f.endsWith('.normalized.arrow')), files.join(' '));
    const drawn = (await readdir(plots)).sort();
    assert.equal(drawn.filter((f) => f.endsWith('.vl.json')).length, 2, `one plot per input in the --plot directory: ${drawn.join(' ')}`);
  });
});
