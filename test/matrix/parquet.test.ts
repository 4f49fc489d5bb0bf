/**
 * `.parquet` matrix and table files: written and read back bit for bit (NaN as NULL and back, metadata as
 * key-value metadata), and read as toolkit inputs like Arrow and CSV.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_COLUMNS, type FeatureMatrix } from '../../src/matrix/featureMatrix.js';
import { matrixFormatFor, readMatrix, writeMatrix, writeTable } from '../../src/matrix/io.js';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { readAnalysisFile } from '../../src/sources/files.js';
import { closeDuckDB, openDuckDB } from '../../src/util/duckdb.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-parquet-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a matrix survives Parquet bit for bit: values, NaN, times, metadata', async () => {
  const rows = 5000; // more than two DuckDB chunks of 2,048 rows
  const data = new Float64Array(rows * 3);
  for (let i = 0; i < data.length; i++) data[i] = i % 97 === 0 ? NaN : Math.sin(i) * 1e3 + 1 / (i + 1);
  const matrix: FeatureMatrix = {
    rows,
    columns: ['a', 'b c', 'd"e'],
    timeMs: Int32Array.from({ length: rows }, (_, i) => i * 7 - 100),
    data,
    metadata: { title: "it's", grid: 'seed', empty: '' },
  };
  const path = join(dir, 'm.parquet');
  assert.equal(matrixFormatFor(path), 'parquet');
  await writeMatrix(matrix, path);
  const back = await readMatrix(path);
  assert.deepEqual(back.columns, matrix.columns, 'columns in order, names kept');
  assert.deepEqual([...back.timeMs], [...matrix.timeMs], 'times');
  assert.equal(back.data.length, data.length, 'shape');
  for (let i = 0; i < data.length; i++) {
    if (!Object.is(back.data[i], data[i])) assert.fail(`value ${i}: ${back.data[i]} vs ${data[i]}`);
  }
  assert.deepEqual(back.metadata, matrix.metadata, 'metadata');
});

test('result tables: float64, int32 and text columns with their types; no Parquet on stdout', async () => {
  const path = join(dir, 't.parquet');
  await writeTable({ columns: [{ name: 'time_s', values: Float64Array.of(0, 1.5) }, { name: 'label', values: Int32Array.of(2, -1) }, { name: 'track', values: ['a, b', 'é'] }], metadata: { kind: 'labels' } }, path);
  const db = await openDuckDB();
  try {
    const rows = (await db.connection.runAndReadAll(`SELECT time_s, label, track, typeof(time_s), typeof(label), typeof(track) FROM '${path}'`)).getRowsJS();
    assert.deepEqual(rows, [
      [0, 2, 'a, b', 'DOUBLE', 'INTEGER', 'VARCHAR'],
      [1.5, -1, 'é', 'DOUBLE', 'INTEGER', 'VARCHAR'],
    ]);
  } finally {
    closeDuckDB(db);
  }
  const m = buildFeatureMatrix(await readAnalysisFile(join(FIXTURES, 'psy-gangnam-style.json')), { grid: 'seed' });
  await assert.rejects(writeMatrix(m, '-', { format: 'parquet' }), /Parquet cannot be streamed to standard output/);
});

test('the toolkit reads a Parquet matrix as it reads the analysis: correlate gives the same CSV as from Arrow, and the analysis to 1e-12', async () => {
  const input = join(FIXTURES, 'spotify-web-api-js-track.json');
  const parquet = join(dir, 'track.parquet');
  const a = await runCli(['features', input, '--grid', 'seed', '-o', parquet, '-q']);
  assert.equal(a.code, 0, a.stderr);
  const viaParquet = await runCli(['correlate', parquet, '--grid', 'seed', '-o', join(dir, 'c1.csv'), '--no-plot', '-q']);
  const viaAnalysis = await runCli(['correlate', input, '--grid', 'seed', '-o', join(dir, 'c2.csv'), '--no-plot', '-q']);
  assert.equal(viaParquet.code, 0, viaParquet.stderr);
  assert.equal(viaAnalysis.code, 0, viaAnalysis.stderr);
  // the matrix read back from Parquet is the one read back from Arrow, bit for bit
  const arrow = join(dir, 'track.arrow');
  assert.equal((await runCli(['features', input, '--grid', 'seed', '-o', arrow, '-q'])).code, 0, 'features -o .arrow');
  const viaArrow = await runCli(['correlate', arrow, '--grid', 'seed', '-o', join(dir, 'c3.csv'), '--no-plot', '-q']);
  assert.equal(viaArrow.code, 0, viaArrow.stderr);
  const c1 = await readFile(join(dir, 'c1.csv'), 'utf8');
  assert.equal(c1, await readFile(join(dir, 'c3.csv'), 'utf8'), 'the same similarity matrix from Parquet as from Arrow');
  // the analysis goes through the event path (compensated sums, no 1 ms matrix): equal to 1e-12
  const cells = (text: string) => text.trim().split('\n').slice(1).flatMap((line) => line.split(',').map(Number));
  const a1 = cells(c1);
  const a2 = cells(await readFile(join(dir, 'c2.csv'), 'utf8'));
  assert.equal(a1.length, a2.length, 'the same number of cells');
  const worst = a1.reduce((m, v, i) => Math.max(m, Math.abs(v - a2[i])), 0);
  assert.ok(worst <= 1e-12, `the same similarity matrix as from the analysis, to 1e-12 (worst ${worst})`);
  const back = await readMatrix(parquet);
  assert.deepEqual(back.columns, FEATURE_COLUMNS, 'the 26 features');
  assert.equal(back.metadata.grid, 'seed', 'the grid in the metadata');
});
