import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  RecordBatchFileReader,
  Schema,
  Table,
  Uint8,
  Utf8,
  makeVector,
  tableFromIPC,
  vectorFromArray,
} from 'apache-arrow';
import { SongscopeError } from '../../src/errors.js';
import { createMatrix, FEATURE_COLUMNS, type FeatureMatrix } from '../../src/matrix/featureMatrix.js';
import {
  matrixFormatFor,
  matrixToTable,
  readMatrix,
  tableToMatrix,
  writeEventGrid,
  writeMatrix,
} from '../../src/matrix/io.js';
import { buildFeatureMatrix, featureGrid } from '../../src/matrix/grid.js';
import { loadFixture } from '../helpers/fixtures.js';
import { generateAnalysis } from '../../src/synth/generate.js';
import { formatCsvNumber, parseCsv, writeCsv } from '../../src/matrix/csv.js';
import { ARROW_BATCH_ROWS } from '../../src/matrix/arrow.js';
import { MAX_MATRIX_VALUES } from '../../src/limits.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IO_MODULE = new URL('../../src/matrix/io.ts', import.meta.url).href;
const FEATURE_MODULE = new URL('../../src/matrix/featureMatrix.ts', import.meta.url).href;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A FEATURE_COLUMNS matrix of `rows` rows with awkward values sprinkled in. */
function sampleMatrix(rows: number, seed = 1, metadata: Record<string, string> = { track_id: '0VjIjW4GlUZAMYd2vXMi3b', title: 'Gangnam Style (강남스타일)', grid: 'full', resolution_ms: '1' }): FeatureMatrix {
  const m = createMatrix(Int32Array.from({ length: rows }, (_, i) => i), FEATURE_COLUMNS, metadata);
  const random = rng(seed);
  for (let i = 0; i < m.data.length; i++) m.data[i] = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6);
  const special = [NaN, Infinity, -Infinity, 0.1 + 0.2, Number.MIN_VALUE, -Number.MAX_VALUE, 5e-324, 1e21, 123456789012345680000, 0, 1, -1];
  special.forEach((x, k) => {
    if (k < m.data.length) m.data[(k * 7919) % m.data.length] = x;
  });
  return m;
}

function bits(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Exact equality: same rows, columns, metadata and the same bytes (so NaN == NaN and the Float64 bits match). */
function assertSameMatrix(actual: FeatureMatrix, expected: FeatureMatrix, metadata: Record<string, string> = expected.metadata): void {
  assert.equal(actual.rows, expected.rows, 'rows');
  assert.deepEqual([...actual.columns], [...expected.columns], 'column names');
  assert.ok(actual.timeMs instanceof Int32Array, 'timeMs is an Int32Array');
  assert.ok(actual.data instanceof Float64Array, 'data is a Float64Array');
  assert.ok(bits(actual.timeMs).equals(bits(expected.timeMs)), 'timeMs differs');
  if (!bits(actual.data).equals(bits(expected.data))) {
    const i = actual.data.findIndex((x, k) => !Object.is(x, expected.data[k]));
    assert.fail(`data differs at ${i}: ${actual.data[i]} vs ${expected.data[i]}`);
  }
  assert.deepEqual(actual.metadata, metadata, 'metadata');
}

/** Assert `promise` rejects with a SongscopeError of `exitCode` whose one-line message matches every pattern. */
async function rejectsWith(promise: Promise<unknown>, exitCode: number, ...patterns: (RegExp | string)[]): Promise<SongscopeError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof SongscopeError, `expected a SongscopeError, got ${String(error)}`);
  assert.equal(error.exitCode, exitCode, error.message);
  assert.ok(!error.message.includes('\n'), `message is not one line: ${error.message}`);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(error.message.includes(p), `"${error.message}" lacks "${p}"`);
    else assert.match(error.message, p, `"${error.message}" matches ${p}`);
  }
  return error;
}

function throwsWith(fn: () => unknown, exitCode: number, ...patterns: (RegExp | string)[]): Promise<SongscopeError> {
  return rejectsWith(Promise.resolve().then(fn), exitCode, ...patterns);
}

/** Run `code` (an async function body; `io` and `fm` are the modules) in `node --import tsx` and return its output. */
function runChild(code: string): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stdout: Buffer; stderr: string }> } {
  const script = `Promise.all([import(${JSON.stringify(IO_MODULE)}), import(${JSON.stringify(FEATURE_MODULE)})]).then(async ([io, fm]) => { ${code} });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const done = new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stdout!.on('error', () => undefined);
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
  return { child, done };
}

const tmp = tempDirPerSuite('io');

/** Files in `d` (no temporary `.name.tmp-…` files may be left behind). */
function listing(d: string): string[] {
  return readdirSync(d).sort();
}

describe('matrixFormatFor', () => {
  test('maps extensions (any case) and - to formats', () => {
    assert.equal(matrixFormatFor('a/b/track.arrow'), 'arrow', '.arrow');
    assert.equal(matrixFormatFor('track.feather'), 'arrow', '.feather');
    assert.equal(matrixFormatFor('track.ipc'), 'arrow', '.ipc');
    assert.equal(matrixFormatFor('TRACK.ARROW'), 'arrow', '.ARROW in capitals');
    assert.equal(matrixFormatFor('track.csv'), 'csv', '.csv');
    assert.equal(matrixFormatFor('Track.CSV'), 'csv', '.CSV in capitals');
    assert.equal(matrixFormatFor('-'), 'arrow', '- (stdout/stdin) is Arrow');
  });

  test('anything else is a one-line input error listing the extensions', async () => {
    for (const name of ['track.xlsx', 'track', 'track.json', 'arrow', '.csv.bak']) {
      await throwsWith(() => matrixFormatFor(name), 2, name, '.arrow, .feather, .ipc, .parquet, .csv');
    }
  });
});

describe('matrixToTable / tableToMatrix', () => {
  test('layout: time_ms Int32 not nullable, then one Float64 column per matrix column; metadata in the schema', () => {
    const m = sampleMatrix(100);
    const table = matrixToTable(m);
    const fields = table.schema.fields;
    assert.equal(fields.length, 27, 'time_ms and 26 feature fields');
    assert.equal(fields[0].name, 'time_ms', 'time_ms comes first');
    assert.ok(fields[0].type instanceof Int32, `time_ms is Int32, not ${String(fields[0].type)}`);
    assert.equal(fields[0].nullable, false, 'time_ms is not nullable');
    fields.slice(1).forEach((f, c) => {
      assert.equal(f.name, FEATURE_COLUMNS[c], `field ${c + 1} is the feature column`);
      assert.ok(f.type instanceof Float64, `${f.name} is ${String(f.type)}`);
    });
    assert.ok(table.schema.metadata instanceof Map, 'schema metadata is a Map');
    assert.deepEqual(Object.fromEntries(table.schema.metadata), m.metadata, 'the matrix metadata is in the schema');
    assert.equal(table.numRows, 100, 'rows');
  });

  test('zero-copy: the vectors view the matrix arrays', () => {
    const m = sampleMatrix(50);
    const table = matrixToTable(m);
    const time = table.getChildAt(0)!.data[0].values as Int32Array;
    assert.equal(time.buffer, m.timeMs.buffer, 'time_ms views the matrix times');
    const pitchC = table.getChild('pitch_C')!.data[0].values as Float64Array;
    assert.equal(pitchC.buffer, m.data.buffer, 'pitch_C views the matrix data');
    assert.equal(pitchC.byteOffset, 2 * 50 * 8, 'pitch_C starts at column 2 of the column-major data');
    assert.equal(pitchC.length, 50, 'pitch_C has the 50 rows');
    m.data[2 * 50 + 3] = 42;
    assert.equal(table.getChild('pitch_C')!.get(3), 42, 'a change to the matrix shows in the table');
  });

  test('round trip through a table is exact and the result owns its memory', () => {
    const m = sampleMatrix(333);
    const back = tableToMatrix(matrixToTable(m));
    assertSameMatrix(back, m);
    assert.notEqual(back.data.buffer, m.data.buffer, 'the result does not share the table\'s memory');
  });

  test('other numeric types are converted to Float64; nulls become NaN; time_ms may be Int64 and anywhere', () => {
    const schema = new Schema(
      [
        new Field('f32', new Float32(), true),
        new Field('time_ms', new Int64(), false),
        new Field('i32', new Int32(), true),
        new Field('u8', new Uint8(), false),
        new Field('i64', new Int64(), false),
        new Field('f64', new Float64(), true),
      ],
      new Map([['source', 'pandas']]),
    );
    const table = new Table(schema, {
      f32: vectorFromArray([1.5, null, -2.25], new Float32()),
      time_ms: makeVector(BigInt64Array.from([0n, 1n, 2n])),
      i32: vectorFromArray([7, -8, null], new Int32()),
      u8: makeVector(Uint8Array.from([0, 255, 3])),
      i64: makeVector(BigInt64Array.from([-5n, 9007199254740993n, 3n])),
      f64: vectorFromArray([null, 0.5, NaN], new Float64()),
    } as never);
    const m = tableToMatrix(table);
    assert.deepEqual([...m.columns], ['f32', 'i32', 'u8', 'i64', 'f64'], 'numeric columns in order, time_ms taken out');
    assert.deepEqual([...m.timeMs], [0, 1, 2], 'Int64 times as numbers');
    assert.deepEqual(
      [...m.data],
      [1.5, NaN, -2.25, 7, -8, NaN, 0, 255, 3, -5, 9007199254740992, 3, NaN, 0.5, NaN], 'values converted to Float64, nulls as NaN, 2^53+1 rounded',
    );
    assert.deepEqual(m.metadata, { source: 'pandas' }, 'schema metadata');
  });

  test('multi-batch tables are concatenated in order', () => {
    const a = matrixToTable(sampleMatrix(10, 1, {}));
    const b = sampleMatrix(7, 2, {});
    b.timeMs.set(b.timeMs.map((t) => t + 10));
    const table = a.concat(matrixToTable(b));
    assert.equal(table.batches.length, 2, 'two record batches');
    const m = tableToMatrix(table);
    assert.equal(m.rows, 17, 'rows of both batches');
    assert.deepEqual([...m.timeMs], Array.from({ length: 17 }, (_, i) => i), 'times of both batches in order');
    const c = 5;
    assert.deepEqual([...m.data.subarray(c * 17, c * 17 + 10)], [...sampleMatrix(10, 1, {}).data.subarray(c * 10, c * 10 + 10)], 'first batch\'s values come first');
    assert.deepEqual([...m.data.subarray(c * 17 + 10, c * 17 + 17)], [...b.data.subarray(c * 7, c * 7 + 7)], 'second batch\'s values follow');
  });

  test('no time_ms column is a clear input error', async () => {
    const table = new Table({ t: makeVector(Int32Array.from([0, 1])), x: makeVector(Float64Array.from([1, 2])) });
    await throwsWith(() => tableToMatrix(table, 'x.arrow'), 2, 'x.arrow', 'no time_ms column', 'columns: t, x');
  });

  test('non-integral time_ms is a clear input error', async () => {
    const fractional = new Table({ time_ms: makeVector(Float64Array.from([0, 0.5])), x: makeVector(Float64Array.from([1, 2])) });
    await throwsWith(() => tableToMatrix(fractional, 'x.arrow'), 2, 'x.arrow', 'time_ms', '0.5', 'row 1', 'integer milliseconds');
    const whole = new Table({ time_ms: makeVector(Float64Array.from([0, 1])), x: makeVector(Float64Array.from([1, 2])) });
    assert.deepEqual([...tableToMatrix(whole).timeMs], [0, 1], 'whole-numbered Float64 times are accepted');
    const huge = new Table({ time_ms: makeVector(BigInt64Array.from([0n, 2n ** 40n])) });
    await throwsWith(() => tableToMatrix(huge, 'x.arrow'), 2, 'time_ms', String(2 ** 40));
    const nulls = new Table({ time_ms: vectorFromArray([0, null], new Int32()) });
    await throwsWith(() => tableToMatrix(nulls, 'x.arrow'), 2, 'time_ms', 'null', 'row 1');
    const text = new Table({ time_ms: vectorFromArray(['0', '1'], new Utf8()) });
    await throwsWith(() => tableToMatrix(text, 'x.arrow'), 2, 'time_ms', 'Utf8');
  });

  test('a non-numeric column is a clear input error', async () => {
    const table = new Table({ time_ms: makeVector(Int32Array.from([0])), name: vectorFromArray(['a'], new Utf8()) });
    await throwsWith(() => tableToMatrix(table, 'x.arrow'), 2, 'x.arrow', 'column name', 'Utf8');
  });
});

describe('Arrow IPC files', () => {
  test('round trip is exact (NaN, ±Infinity, -0, subnormals) and keeps the metadata', async () => {
    const m = sampleMatrix(5000);
    m.data[17] = -0;
    const path = join(tmp.path, 'rt.arrow');
    await writeMatrix(m, path);
    assertSameMatrix(await readMatrix(path), m);
    assert.ok(Object.is((await readMatrix(path)).data[17], -0), '-0 reads back as -0');
    assert.deepEqual(listing(tmp.path).filter((f) => f.startsWith('.')), [], 'no temporary files left');
  });

  test('.feather and .ipc are the same format; format: "arrow" overrides the name', async () => {
    const m = sampleMatrix(10);
    await writeMatrix(m, join(tmp.path, 'a.feather'));
    await writeMatrix(m, join(tmp.path, 'a.ipc'));
    await writeMatrix(m, join(tmp.path, 'a.data'), { format: 'arrow' });
    const bytes = readFileSync(join(tmp.path, 'a.feather'));
    assert.ok(bytes.equals(readFileSync(join(tmp.path, 'a.ipc'))), '.ipc bytes equal .feather bytes');
    assert.ok(bytes.equals(readFileSync(join(tmp.path, 'a.data'))), 'format: "arrow" writes the same bytes');
  });

  test('the file begins and ends with ARROW1 and holds a full stream after the leading magic', async () => {
    const m = sampleMatrix(1000);
    const path = join(tmp.path, 'magic.arrow');
    await writeMatrix(m, path);
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), 'ARROW1', 'leading magic');
    assert.equal(bytes.subarray(6, 8).toString('hex'), '0000', 'padding after the leading magic');
    assert.equal(bytes.subarray(-6).toString('latin1'), 'ARROW1', 'trailing magic');
    // Readers that read a file as "magic + stream" (DuckDB's arrow extension) need the schema message there.
    const asStream = tableFromIPC(new Uint8Array(bytes.subarray(8)));
    assert.equal(asStream.numRows, 1000, 'rows read as a stream after the magic');
    assert.deepEqual(Object.fromEntries(asStream.schema.metadata), m.metadata, 'metadata read as a stream');
    // Footer-based reading (pyarrow, polars, Arrow JS) sees the same.
    const asFile = tableFromIPC(new Uint8Array(bytes));
    assert.equal(asFile.numRows, 1000, 'rows read through the footer');
    assert.deepEqual(Object.fromEntries(asFile.schema.metadata), m.metadata, 'metadata read through the footer');
    // Uncompressed: 1000 rows × (26 × 8 + 4) bytes of values, plus small headers.
    assert.ok(bytes.length > 1000 * 212 && bytes.length < 1000 * 212 + 16000, String(bytes.length));
  });

  test('reads Arrow written by other tools: stream format, Int64 time, nulls', async () => {
    const table = new Table({
      time_ms: makeVector(BigInt64Array.from([10n, 11n])),
      a: vectorFromArray([1.5, null], new Float64()),
    });
    const path = join(tmp.path, 'other.arrows');
    writeFileSync(path, (await import('apache-arrow')).tableToIPC(table, 'stream'));
    const m = await readMatrix(path);
    assert.deepEqual([...m.timeMs], [10, 11], 'Int64 times');
    assert.deepEqual([...m.data], [1.5, NaN], 'values with the null as NaN');
    assert.deepEqual(m.metadata, {}, 'no metadata');
  });

  test('empty and zero-column matrices round-trip', async () => {
    const empty = createMatrix(new Int32Array(0), FEATURE_COLUMNS, { note: 'empty' });
    await writeMatrix(empty, join(tmp.path, 'empty.arrow'));
    assertSameMatrix(await readMatrix(join(tmp.path, 'empty.arrow')), empty);
    const timeOnly = createMatrix(Int32Array.from([5, 6, 7]), [], {});
    await writeMatrix(timeOnly, join(tmp.path, 'time-only.arrow'));
    assertSameMatrix(await readMatrix(join(tmp.path, 'time-only.arrow')), timeOnly);
  });

  test('truncated or corrupt Arrow files are one-line input errors naming the file', async () => {
    const m = sampleMatrix(2000);
    const path = join(tmp.path, 'whole.arrow');
    await writeMatrix(m, path);
    const bytes = readFileSync(path);
    const cut = join(tmp.path, 'cut.arrow');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    await rejectsWith(readMatrix(cut), 2, cut, 'not a valid Arrow IPC', 'truncated');
    const garbage = join(tmp.path, 'garbage.arrow');
    writeFileSync(garbage, Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(64, 7), bytes.subarray(-10)]));
    await rejectsWith(readMatrix(garbage), 2, garbage, 'not a valid Arrow IPC');
    const stream = join(tmp.path, 'cut.arrows');
    const streamBytes: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (b: Buffer) => streamBytes.push(b));
    await writeMatrix(m, '-', { stdout: sink });
    writeFileSync(stream, Buffer.concat(streamBytes).subarray(0, 30000));
    await rejectsWith(readMatrix(stream), 2, stream, 'not a valid Arrow IPC');
  });
});

describe('Arrow IPC stream on standard output / input', () => {
  test('- writes the stream format to the given stdout, and - reads it back from stdin', async () => {
    const m = sampleMatrix(3000);
    const pipe = new PassThrough();
    const chunks: Buffer[] = [];
    pipe.on('data', (b: Buffer) => chunks.push(b));
    await writeMatrix(m, '-', { stdout: pipe });
    assert.equal(pipe.writableEnded, false, 'stdout must not be ended');
    pipe.end();
    const bytes = Buffer.concat(chunks);
    assert.equal(bytes.readUInt32LE(0), 0xffffffff, 'stream format starts with the continuation marker');
    assert.notEqual(bytes.subarray(0, 6).toString('latin1'), 'ARROW1', 'the stream format has no file magic');
    assert.ok(chunks.length > 10, `streamed in ${chunks.length} chunks`);
    // Read back from a stdin that delivers tiny, unaligned chunks.
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 4093) pieces.push(Buffer.from(bytes.subarray(i, i + 4093)));
    assertSameMatrix(await readMatrix('-', { stdin: Readable.from(pieces) }), m);
  });

  test('an Arrow file can also come through stdin', async () => {
    const m = sampleMatrix(100);
    const path = join(tmp.path, 'via-stdin.arrow');
    await writeMatrix(m, path);
    assertSameMatrix(await readMatrix('-', { stdin: Readable.from([readFileSync(path)]) }), m);
  });

  test('a child process writes - to its stdout and the output reads back exactly', async () => {
    const { done } = runChild(`
      const rows = 20000;
      const m = fm.createMatrix(Int32Array.from({ length: rows }, (_, i) => i * 2), fm.FEATURE_COLUMNS, { track_id: 'child' });
      for (let i = 0; i < m.data.length; i++) m.data[i] = Math.sin(i) / (i % 7);
      await io.writeMatrix(m, '-');
    `);
    const { code, stdout, stderr } = await done;
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'nothing on stderr');
    const back = await readMatrix('-', { stdin: Readable.from([stdout]) });
    const rows = 20000;
    const expected = createMatrix(Int32Array.from({ length: rows }, (_, i) => i * 2), FEATURE_COLUMNS, { track_id: 'child' });
    for (let i = 0; i < expected.data.length; i++) expected.data[i] = Math.sin(i) / (i % 7);
    assertSameMatrix(back, expected);
  });

  test('a reader that goes away early (EPIPE, like | head -c 100) ends the write quietly', async () => {
    const { child, done } = runChild(`
      const rows = 240000;
      const m = fm.createMatrix(Int32Array.from({ length: rows }, (_, i) => i), fm.FEATURE_COLUMNS, {});
      await io.writeMatrix(m, '-');
      process.stderr.write('resolved\\n');
    `);
    let received = 0;
    await new Promise<void>((resolve) => {
      child.stdout!.once('data', (b: Buffer) => {
        received = b.length;
        child.stdout!.destroy();
        resolve();
      });
    });
    const { code, stderr } = await done;
    assert.ok(received > 0, `the reader got bytes before going away (${received})`);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'resolved\n', 'the writer resolved and printed nothing else');
  });

  test('an EPIPE from a given stdout stream resolves; other errors are runtime errors', async () => {
    const m = sampleMatrix(2000);
    const failing = (code: string) =>
      new (class extends PassThrough {
        override _write(_chunk: unknown, _enc: string, cb: (e?: Error) => void): void {
          cb(Object.assign(new Error(code), { code }));
        }
      })();
    await writeMatrix(m, '-', { stdout: failing('EPIPE') });
    await rejectsWith(writeMatrix(m, '-', { stdout: failing('EIO') }), 1, 'cannot write standard output (input/output error)');
  });

  test('back-pressure: a slow stdout receives everything in order', async () => {
    const m = sampleMatrix(4000);
    const slow = new PassThrough({ highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const b of slow) {
        chunks.push(b as Buffer);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await writeMatrix(m, '-', { stdout: slow, format: 'csv' });
    slow.end();
    await reading;
    assertSameMatrix(await parseCsv(Buffer.concat(chunks).toString(), 'slow'), m, {});
  });
});

describe('the 1 ms grid streamed from its events (features)', () => {
  const tmp = tempDirPerSuite('songscope-grid-io-');
  test('a file: the matrix value for value, its metadata, in batches of 16,384 rows', async () => {
    const analysis = await loadFixture('fixtures/psy-gangnam-style.json');
    for (const grid of ['seed', 'full'] as const) {
      const want = buildFeatureMatrix(analysis, { grid });
      const { events, metadata } = featureGrid(analysis, { grid });
      const path = join(tmp.path, `g-${grid}.arrow`);
      await writeEventGrid(events, metadata, path);
      assertSameMatrix(await readMatrix(path), want);
      const batches = tableFromIPC(readFileSync(join(tmp.path, `g-${grid}.arrow`))).batches;
      assert.deepEqual(
        batches.map((b) => b.numRows),
        [...Array.from({ length: Math.floor(want.rows / 16_384) }, () => 16_384), want.rows % 16_384],
        `${grid}: full batches of 16,384 rows, then the rest`,
      );
    }
    // CSV (and Parquet) are written from the matrix
    const short = generateAnalysis({ style: 'dance', durationS: 20, seed: 3 });
    const { events, metadata } = featureGrid(short, { grid: 'seed' });
    await writeEventGrid(events, metadata, join(tmp.path, 'short.csv'), { csvMetadata: true });
    assertSameMatrix(await readMatrix(join(tmp.path, 'short.csv')), buildFeatureMatrix(short, { grid: 'seed' }));
    assert.deepEqual(listing(tmp.path).filter((f) => f.startsWith('.')), [], 'no temporary files left');
  });

  test('a stream given as standard output that holds chunks (a PassThrough) receives every batch intact', async () => {
    const analysis = await loadFixture('fixtures/psy-gangnam-style.json');
    const { events, metadata } = featureGrid(analysis, { grid: 'full' });
    const slow = new PassThrough({ highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const b of slow) {
        chunks.push(b as Buffer); // kept, not copied: the chunk must stay as it was written
        await new Promise((r) => setImmediate(r));
      }
    })();
    await writeEventGrid(events, metadata, '-', { stdout: slow });
    slow.end();
    await reading;
    assertSameMatrix(tableToMatrix(tableFromIPC(Buffer.concat(chunks))), buildFeatureMatrix(analysis, { grid: 'full' }));
  });
});

describe('CSV', () => {
  test('header is exactly time_ms,bar,beat,pitch_C,…,timbre_12; numbers in shortest round-trip form', async () => {
    const m = createMatrix(Int32Array.from([0, 1, 2]), FEATURE_COLUMNS, { track_id: 'x' });
    m.data[0] = 0.1 + 0.2;
    m.data[1] = NaN;
    m.data[2] = -0;
    m.data[3] = 1e-7;
    m.data[4] = 2 ** 70;
    m.data[5] = -Infinity;
    const path = join(tmp.path, 'h.csv');
    await writeMatrix(m, path);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      'time_ms,bar,beat,pitch_C,pitch_Db,pitch_D,pitch_Eb,pitch_E,pitch_F,pitch_Gb,pitch_G,pitch_Ab,pitch_A,pitch_Bb,pitch_B,' +
        'timbre_01,timbre_02,timbre_03,timbre_04,timbre_05,timbre_06,timbre_07,timbre_08,timbre_09,timbre_10,timbre_11,timbre_12', 'header names every feature column',
    );
    assert.equal(lines[1], '0,0.30000000000000004,1e-7' + ',0'.repeat(24), 'row 0: shortest round-trip numbers');
    assert.equal(lines[2], '1,,1.1805916207174113e+21' + ',0'.repeat(24), 'row 1: NaN empty, 2^70 in exponent form');
    assert.equal(lines[3], '2,-0,-Infinity' + ',0'.repeat(24), 'row 2: -0 and -Infinity');
    assert.equal(lines.length, 5, 'header, 3 rows and the final newline');
    assert.equal(lines[4], '', 'ends with a newline');
    assert.ok(!text.includes('\r'), 'no carriage returns');
    assert.equal(formatCsvNumber(0.1 + 0.2), '0.30000000000000004', '0.1 + 0.2 in shortest round-trip form');
    assert.equal(formatCsvNumber(NaN), '', 'NaN is empty');
  });

  test('round trip is exact; metadata is not written by default and reads back as {}', async () => {
    const m = sampleMatrix(5000);
    m.data[9] = -0;
    const path = join(tmp.path, 'rt.csv');
    await writeMatrix(m, path);
    assert.ok(readFileSync(path, 'utf8').startsWith('time_ms,bar,'), 'starts with the header');
    const back = await readMatrix(path);
    assertSameMatrix(back, m, {});
    assert.ok(Object.is(back.data[9], -0), '-0 reads back as -0');
    assert.deepEqual(listing(tmp.path).filter((f) => f.startsWith('.')), [], 'no temporary files left');
  });

  test('with csvMetadata the metadata travels as # key=value comment lines', async () => {
    const metadata = { track_id: 'abc', title: 'A = B, "C"\\D\nline two', 'odd=key': 'v', empty: '' };
    const m = sampleMatrix(20, 3, metadata);
    const path = join(tmp.path, 'meta.csv');
    await writeMatrix(m, path, { csvMetadata: true });
    const text = readFileSync(path, 'utf8');
    assert.ok(text.startsWith('# track_id=abc\n# title=A = B, "C"\\\\D\\nline two\n# odd\\=key=v\n# empty=\ntime_ms,'), text.slice(0, 120));
    assertSameMatrix(await readMatrix(path), m);
  });

  test('written in chunks, never as one string', async () => {
    const m = sampleMatrix(10000);
    const sizes: number[] = [];
    await writeCsv(m, async (chunk) => void sizes.push(chunk.length), { rowsPerChunk: 1000 });
    assert.equal(sizes.length, 11, 'header + 10 chunks of 1000 rows'); // header + 10 chunks
    assert.ok(Math.max(...sizes) < 1000 * 27 * 26, String(Math.max(...sizes)));
  });

  test('reads CSV from other tools: CRLF, BOM, quoted header, NaN/inf spellings, blank lines, time_ms not first', async () => {
    const text = '\ufeff"a",time_ms,"b,c"\r\n1.5,0,nan\r\n\r\n,1,inf\r\n-2e3,2,-Infinity\r\n3,3,NaN\r\n4,4.0, 5 \r\n';
    const path = join(tmp.path, 'other.csv');
    writeFileSync(path, text);
    const m = await readMatrix(path);
    assert.deepEqual([...m.columns], ['a', 'b,c'], 'quoted header names, time_ms taken out');
    assert.deepEqual([...m.timeMs], [0, 1, 2, 3, 4], 'times');
    assert.deepEqual([...m.data], [1.5, NaN, -2000, 3, 4, NaN, Infinity, -Infinity, NaN, 5], 'values: nan, inf, -Infinity spellings, empty as NaN, blanks trimmed');
    assert.deepEqual(m.metadata, {}, 'no metadata');
  });

  test('reads CSV from stdin in arbitrary pieces (multi-byte characters split across chunks)', async () => {
    const m = sampleMatrix(300, 4, { title: 'Ünïcödé ✓ 강남' });
    const parts: string[] = [];
    await writeCsv(m, async (c) => void parts.push(c), { metadataComments: true });
    const bytes = Buffer.from(parts.join(''));
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.subarray(i, i + 7));
    assertSameMatrix(await readMatrix('-', { stdin: Readable.from(pieces) }), m);
  });

  test('empty matrix and a last line without newline', async () => {
    const empty = createMatrix(new Int32Array(0), ['x', 'y'], {});
    await writeMatrix(empty, join(tmp.path, 'empty.csv'));
    assert.equal(readFileSync(join(tmp.path, 'empty.csv'), 'utf8'), 'time_ms,x,y\n', 'the header alone');
    assertSameMatrix(await readMatrix(join(tmp.path, 'empty.csv')), empty);
    const m = await parseCsv('time_ms,x\n0,1\n1,2', 'inline');
    assert.deepEqual([...m.data], [1, 2], 'the last line without newline is read');
  });

  const bad: [string, string, (RegExp | string)[]][] = [
    ['short row', 'time_ms,bar,beat\n0,1,2\n1,1\n', ['line 3', 'column beat', 'missing value']],
    ['long row', 'time_ms,bar,beat\n0,1,2,3\n', ['line 2', 'column 4', 'extra value']],
    ['non-numeric value', '# c\ntime_ms,bar,pitch_C\n0,1,2\n1,1,abc\n', ['line 4', 'column pitch_C', '"abc" is not a number']],
    ['hex value', 'time_ms,bar\n0,0x10\n', ['line 2', 'column bar', '0x10']],
    ['fractional time', 'time_ms,bar\n0.5,1\n', ['line 2', 'column time_ms', '"0.5"', 'integer']],
    ['empty time', 'time_ms,bar\n,1\n', ['line 2', 'column time_ms']],
    ['no time_ms in header', 'time,bar\n0,1\n', ['not a feature matrix', 'line 1', '"time,bar"']],
    ['duplicate time_ms', 'time_ms,time_ms\n0,1\n', ['line 1', 'time_ms more than once']],
    ['only comments', '# a=b\n\n', ['no header line']],
    ['unterminated quote', 'time_ms,"bar\n0,1\n', ['line 1', 'unterminated']],
    ['JSON', '{"track": {"duration": 1}, "segments": []}\n', ['not a feature matrix']],
  ];
  for (const [name, text, patterns] of bad) {
    test(`error: ${name}`, async () => {
      const path = join(tmp.path, `bad-${name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(path, text);
      await rejectsWith(readMatrix(path), 2, path, ...patterns);
      await rejectsWith(readMatrix('-', { stdin: Readable.from([Buffer.from(text)]) }), 2, 'stdin', ...patterns);
    });
  }
});

describe('reading: detection and file errors', () => {
  test('content decides, not the name', async () => {
    const m = sampleMatrix(50);
    const csvNamedArrow = join(tmp.path, 'really-csv.arrow');
    await writeMatrix(m, csvNamedArrow, { format: 'csv' });
    assertSameMatrix(await readMatrix(csvNamedArrow), m, {});
    const arrowNamedCsv = join(tmp.path, 'really-arrow.csv');
    await writeMatrix(m, arrowNamedCsv, { format: 'arrow' });
    assertSameMatrix(await readMatrix(arrowNamedCsv), m);
  });

  test('missing file, directory, empty file, binary file', async () => {
    const missing = join(tmp.path, 'nope.arrow');
    await rejectsWith(readMatrix(missing), 2, `${missing}: no such file`);
    await rejectsWith(readMatrix(tmp.path), 2, tmp.path, 'cannot read the file');
    const empty = join(tmp.path, 'empty.bin');
    writeFileSync(empty, '');
    await rejectsWith(readMatrix(empty), 2, empty, 'empty');
    await rejectsWith(readMatrix('-', { stdin: Readable.from([]) }), 2, 'stdin', 'empty');
    const png = join(tmp.path, 'picture.png');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await rejectsWith(readMatrix(png), 2, png, 'neither Arrow IPC nor CSV', '89 50 4e 47');
    const latin1 = join(tmp.path, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('time_ms,caf\xe9\n0,1\n', 'latin1'));
    await rejectsWith(readMatrix(latin1), 2, latin1, 'neither Arrow IPC nor CSV');
  });

  test('a named pipe (not a regular file) is read as a stream', { skip: process.platform === 'win32' }, async () => {
    const m = sampleMatrix(500);
    const source = join(tmp.path, 'fifo-source.arrow');
    await writeMatrix(m, source);
    const fifo = join(tmp.path, 'matrix.fifo');
    execFileSync('mkfifo', [fifo]);
    const feeder = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', source, fifo], { stdio: 'ignore' });
    const fed = new Promise((resolve) => feeder.on('close', resolve));
    const back = await readMatrix(fifo);
    assert.equal(await fed, 0, 'the feeder exited 0');
    assertSameMatrix(back, m);
  });
});

describe('atomic writes', () => {
  test('a failure midway leaves no file and no temporary file; an older file survives untouched', async () => {
    const sub = join(tmp.path, 'atomic');
    mkdirSync(sub);
    const good = sampleMatrix(20000);
    const path = join(sub, 'm.csv');
    await writeMatrix(good, path);
    const before = readFileSync(path);
    // A matrix whose times fail at row 15,000: several CSV chunks are already in the temporary file by then.
    const failingTime = new Proxy(good.timeMs, {
      get(target, key) {
        if (key === '15000') throw new Error('boom at row 15000');
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const broken: FeatureMatrix = { ...good, timeMs: failingTime };
    await assert.rejects(writeMatrix(broken, path), /boom at row 15000/, 'the write fails with the error at row 15000');
    await assert.rejects(writeMatrix(broken, join(sub, 'new.csv')), /boom at row 15000/, 'the write of a new file fails likewise');
    assert.deepEqual(listing(sub), ['m.csv'], 'only the older file, no temporary file');
    assert.ok(readFileSync(path).equals(before), 'the older file is untouched');
  });

  test('an inconsistent matrix fails before anything is written', async () => {
    const sub = join(tmp.path, 'atomic-bad');
    const m = sampleMatrix(10);
    const bad: FeatureMatrix = { ...m, rows: 11 };
    await rejectsWith(writeMatrix(bad, join(sub, 'x.arrow')), 1, 'inconsistent feature matrix');
    assert.deepEqual(existsSync(sub) ? listing(sub) : [], [], 'no directory or file left');
  });

  test('a failing rename (target is a directory) is a runtime error and leaves no temporary file', async () => {
    const sub = join(tmp.path, 'atomic-rename');
    mkdirSync(join(sub, 'taken.arrow'), { recursive: true });
    writeFileSync(join(sub, 'taken.arrow', 'keep'), 'x');
    await rejectsWith(writeMatrix(sampleMatrix(100), join(sub, 'taken.arrow')), 1, 'cannot write', 'taken.arrow');
    assert.deepEqual(listing(sub), ['taken.arrow'], 'only the directory in the way, no temporary file');
    assert.deepEqual(listing(join(sub, 'taken.arrow')), ['keep'], 'the directory in the way is untouched');
  });

  test('parent directories are created', async () => {
    const path = join(tmp.path, 'deep', 'er', 'm.feather');
    await writeMatrix(sampleMatrix(5), path);
    assertSameMatrix(await readMatrix(path), sampleMatrix(5));
  });
});

describe('formatCsvNumber', () => {
  test('shortest round-trip text, whole numbers as floats (1.0) so type-guessing readers see floats', () => {
    assert.equal(formatCsvNumber(0.1 + 0.2), '0.30000000000000004', '0.1 + 0.2');
    assert.equal(formatCsvNumber(1), '1.0', '1 as 1.0');
    assert.equal(formatCsvNumber(-3), '-3.0', '-3 as -3.0');
    assert.equal(formatCsvNumber(0), '0.0', '0 as 0.0');
    assert.equal(formatCsvNumber(-0), '-0.0', '-0 as -0.0');
    assert.equal(formatCsvNumber(1e21), '1e+21', '1e21 in exponent form');
    assert.equal(formatCsvNumber(1e-7), '1e-7', '1e-7 in exponent form');
    assert.equal(formatCsvNumber(NaN), '', 'NaN is empty');
    for (const x of [1, -0, 0.348, 1e21, -2.5e-300]) assert.ok(Object.is(Number(formatCsvNumber(x)), x), `${x} round-trips`);
  });
});

describe('defect 10: a matrix file over 2 GiB (the 1 ms matrix of a 2 h 59 min track) reads back', () => {
  test('matrices are written in record batches of at most 2^20 rows, which read back exactly', async () => {
    const m = sampleMatrix(ARROW_BATCH_ROWS + 1000);
    const path = join(tmp.path, 'batches.arrow');
    await writeMatrix(m, path);
    const table = tableFromIPC(readFileSync(path));
    assert.deepEqual(table.batches.map((b) => b.numRows), [ARROW_BATCH_ROWS, 1000], 'one full batch of 2^20 rows and the rest');
    assertSameMatrix(await readMatrix(path), m);
  });

  test(
    'defect 10: a sparse 2.16 GB Arrow file reads back with memory for the matrix and one batch, not two copies (child process)',
    { skip: totalmem() < 8 * 2 ** 30 && 'needs 8 GB of memory', timeout: 300_000 },
    () => {
      const path = join(tmp.path, 'big.arrow');
      const rows = 180_000_000; // 12 bytes a row: 2.16 GB, over the 2 GiB a single file read returns
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'matrix', 'big-arrow.ts'), path, String(rows)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 280_000,
      });
      rmSync(path, { force: true });
      assert.equal(r.status, 0, `child exit ${r.status}: ${r.stderr}`);
      const report = JSON.parse(r.stdout.trim()) as { rows: number; columns: string[]; fileBytes: number; tail: number[]; tailTime: number[]; lastValue: number; maxRssBytes: number };
      assert.ok(report.fileBytes > 2 ** 31, `the file is over 2 GiB: ${report.fileBytes}`);
      assert.equal(report.rows, rows, 'rows');
      assert.deepEqual(report.columns, ['x'], 'columns');
      assert.deepEqual(report.tail, [0.5, 1.5, 2.5], 'the last batch lands at its rows');
      assert.deepEqual(report.tailTime, [report.rows - (report.rows % 2 ** 20 || 2 ** 20), report.rows - (report.rows % 2 ** 20 || 2 ** 20) + 1, report.rows - (report.rows % 2 ** 20 || 2 ** 20) + 2], 'the last batch keeps its times');
      assert.equal(report.lastValue, ((rows - 1) % ARROW_BATCH_ROWS) + 0.5, 'the last value');
      // the matrix is the file's size (12 bytes a row); reading the whole file first would double it
      assert.ok(report.maxRssBytes < report.fileBytes * 1.25, `peak RSS ${(report.maxRssBytes / 2 ** 30).toFixed(2)} GiB for a ${(report.fileBytes / 2 ** 30).toFixed(2)} GiB file`);
    },
  );

  test(`a file declaring more than ${MAX_MATRIX_VALUES.toLocaleString('en-US')} values is refused before its batches are read`, async () => {
    // a real small file whose one batch says it has more rows than the limit allows for 26 columns
    const m = sampleMatrix(10);
    const path = join(tmp.path, 'claims-many-rows.arrow');
    await writeMatrix(m, path);
    const bytes = new Uint8Array(readFileSync(path));
    // every int64 10 in the batch's metadata: its length and its columns' lengths say MAX_MATRIX_VALUES rows
    const block = RecordBatchFileReader.from(bytes).open().footer!.getRecordBatch(0)!;
    const view = new DataView(bytes.buffer);
    let patched = 0;
    for (let i = block.offset; i + 8 <= block.offset + block.metaDataLength; i += 4) {
      if (view.getBigInt64(i, true) === 10n) {
        view.setBigInt64(i, BigInt(MAX_MATRIX_VALUES), true);
        patched++;
      }
    }
    assert.ok(patched >= 1, 'the batch length was found');
    writeFileSync(path, bytes);
    await rejectsWith(readMatrix(path), 2, path, `more than the ${MAX_MATRIX_VALUES.toLocaleString('en-US')} values songscope reads`);
  });
});

describe('defect 14: an Arrow file with zeroed parts is a one-line input error that says what is damaged', () => {
  const damaged = async (name: string, from: (n: number) => number, to: (n: number) => number) => {
    const path = join(tmp.path, 'whole-14.arrow');
    if (!existsSync(path)) await writeMatrix(sampleMatrix(50_000), path);
    const bytes = new Uint8Array(readFileSync(path));
    bytes.fill(0, from(bytes.length), to(bytes.length));
    const out = join(tmp.path, name);
    writeFileSync(out, bytes);
    return out;
  };

  test('defect 14: zeroed between the magic numbers: "damaged", not "Cannot read properties of null"', async () => {
    const path = await damaged('zero-all.arrow', () => 8, (n) => n - 8);
    const e = await rejectsWith(readMatrix(path), 2, path, 'not a valid Arrow IPC file');
    assert.ok(!/Cannot read properties|undefined|null \(reading/.test(e.message), e.message);
    assert.match(e.message, /\(its footer is damaged\)$/, `"${e.message}" says the footer is damaged`);
  });

  test('defect 14: zeroed footer', async () => {
    const path = await damaged('zero-footer.arrow', (n) => n - 600, (n) => n - 10);
    const e = await rejectsWith(readMatrix(path), 2, path, 'not a valid Arrow IPC file');
    assert.match(e.message, /\(its footer is damaged\)$/, `"${e.message}" says the footer is damaged`);
  });

  test('defect 14: a zeroed record batch is "damaged", not "the matrix has no rows"', async () => {
    const path = await damaged('zero-batch.arrow', () => 1000, (n) => n - 2000);
    await rejectsWith(readMatrix(path), 2, path, /not a valid Arrow IPC file or stream \(record batch 1 of 1 is damaged\)$/);
  });

  test('defect 14: zeroed bytes at 100 places through the file are each decoded or refused in one line (exit 2)', async () => {
    const path = join(tmp.path, 'whole-14.arrow');
    if (!existsSync(path)) await writeMatrix(sampleMatrix(50_000), path);
    const whole = new Uint8Array(readFileSync(path));
    const out = join(tmp.path, 'zeroed-somewhere.arrow');
    for (let k = 0; k < 100; k++) {
      const at = Math.floor((k / 100) * whole.length);
      const bytes = whole.slice();
      bytes.fill(0, at, at + 64);
      writeFileSync(out, bytes);
      try {
        await readMatrix(out);
      } catch (e) {
        assert.ok(e instanceof SongscopeError, `zeroed at ${at}: ${e instanceof Error ? e.stack : String(e)}`);
        assert.equal(e.exitCode, 2, `zeroed at ${at}: ${e.message}`);
        assert.ok(!e.message.includes('\n') && !/Cannot read properties|is not a function|of undefined/.test(e.message), `zeroed at ${at}: ${e.message}`);
      }
    }
  });
});

describe('fuzz findings: line ends, absurd widths, rows out of time order', () => {
  test('N5: \\r-only and mixed line ends read as lines (a \\r\\n split between two pieces too)', async () => {
    const m = await parseCsv('time_ms,x\r0,1\r1,2\r\n2,3\n', 'cr');
    assert.deepEqual([...m.timeMs], [0, 1, 2], 'three rows');
    assert.deepEqual([...m.data], [1, 2, 3], 'their values');
    const pieces = await parseCsv(['time_ms,x\r', '\n0,1\r', '\n1,2'], 'pieces');
    assert.deepEqual([...pieces.timeMs], [0, 1], 'no blank row from a \\r\\n split across pieces');
  });

  test('N5: a header of more than 4,096 columns is refused before anything is allocated', async () => {
    const header = ['time_ms', ...Array.from({ length: 5000 }, (_, i) => `c${i}`)].join(',');
    await assert.rejects(parseCsv(`${header}\n`, 'wide.csv'), (e: unknown) => {
      assert.ok(e instanceof SongscopeError, 'a SongscopeError');
      assert.equal(e.exitCode, 2, 'an input error');
      assert.match(e.message, /wide\.csv: the header names 5,000 columns; songscope reads matrices of at most 4,096/, 'the message names the 5,000 columns and the limit');
      return true;
    }, 'a 2 (input) error naming the 5,000 columns and the 4,096 limit');
  });

  test('N11: a matrix whose time_ms runs backwards is an input error naming the row', async () => {
    const path = join(tmp.path, 'shuffled.csv');
    writeFileSync(path, 'time_ms,x\n0,1\n2000,2\n1000,3\n');
    await assert.rejects(readMatrix(path), (e: unknown) => {
      assert.ok(e instanceof SongscopeError, 'a SongscopeError');
      assert.equal(e.exitCode, 2, 'an input error');
      assert.match(e.message, /shuffled\.csv: time_ms runs backwards or repeats at row 3 \(1000 after 2000\)/, 'the message names row 3 and both times');
      return true;
    }, 'a 2 (input) error naming row 3');
  });
});
