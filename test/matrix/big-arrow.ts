/**
 * A matrix file over 2 GiB, for `io.test.ts` (issue 15, defect 10) — not a test file itself.
 *
 *   node --import tsx test/matrix/big-arrow.ts PATH ROWS
 *     writes PATH: an Arrow IPC file of ROWS rows (time_ms Int32 = the row, one Float64 column x) in batches
 *     of 2^20 rows, sparse — x is zero in every batch but the last, and those bodies are left as holes in
 *     the file (no disk used; the times, 4 MiB a batch, are written) — then reads it back with `readMatrix` and prints one JSON line: the rows, the columns, the file
 *     size, the last batch's values as read, and the peak RSS of the process.
 */
import { open, stat } from 'node:fs/promises';
import { Field, Float64, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData } from 'apache-arrow';
import { readMatrix } from '../../src/matrix/io.js';

const BATCH = 2 ** 20;

function batchOf(schema: Schema, timeMs: Int32Array, x: Float64Array): RecordBatch {
  const rows = timeMs.length;
  const children = [
    makeData({ type: new Int32(), length: rows, nullCount: 0, data: timeMs }),
    makeData({ type: new Float64(), length: rows, nullCount: 0, data: x }),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }));
}

async function main(): Promise<void> {
  const [path, rowsArg] = process.argv.slice(2);
  const rows = Number(rowsArg);
  const schema = new Schema([new Field('time_ms', new Int32(), false), new Field('x', new Float64(), false)]);
  const zeroX = new Float64Array(BATCH);
  const lastRows = rows - BATCH * Math.floor((rows - 1) / BATCH);
  const lastStart = rows - lastRows;
  const lastTime = Int32Array.from({ length: lastRows }, (_, i) => lastStart + i);
  const lastX = Float64Array.from({ length: lastRows }, (_, i) => i + 0.5);
  const writer = new RecordBatchFileWriter();
  // time_ms must run forward (readers refuse a matrix out of time order): each batch its own times
  for (let written = 0; written + BATCH < rows; written += BATCH) writer.write(batchOf(schema, Int32Array.from({ length: BATCH }, (_, i) => written + i), zeroX));
  writer.write(batchOf(schema, lastTime, lastX));
  writer.finish();
  const fh = await open(path, 'w');
  let position = 0;
  for await (const chunk of writer) {
    // the zero batches' x bodies are views of zeroX: leave holes instead of writing them
    if (chunk.buffer !== zeroX.buffer) await fh.write(chunk, 0, chunk.length, position);
    position += chunk.length;
  }
  await fh.truncate(position);
  await fh.close();
  const fileBytes = (await stat(path)).size;

  const m = await readMatrix(path);
  const start = m.rows - lastRows;
  const tail = Array.from(m.data.subarray(start, start + 3));
  const tailTime = Array.from(m.timeMs.subarray(start, start + 3));
  process.stdout.write(
    JSON.stringify({ rows: m.rows, columns: m.columns, fileBytes, tail, tailTime, lastValue: m.data[m.rows - 1], maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
