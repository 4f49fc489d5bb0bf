/**
 * loadMatrix on matrix files written by others: a pandas `to_csv()` with its unnamed index column, a
 * column without values, nothing usable at all.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadMatrix, usableColumns } from '../../src/jobs/load.js';
import { createMatrix } from '../../src/matrix/featureMatrix.js';
import { SongscopeError } from '../../src/errors.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const tmp = tempDirPerSuite('load');

/** A CSV of `rows` rows: `time_ms` then the given columns, each cell from `cell(row, column)`. */
function csv(header: string[], rows: number, cell: (r: number, c: number) => string): string {
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) lines.push(header.map((_, c) => cell(r, c)).join(','));
  return lines.join('\n') + '\n';
}

describe('loadMatrix on matrix files from elsewhere', () => {
  test("pandas to_csv()'s unnamed index column is left out, with a warning", async () => {
    const path = join(tmp.path, 'pandas.csv');
    await writeFile(path, csv(['', 'time_ms', 'a', 'b'], 5, (r, c) => (c === 0 ? String(r) : c === 1 ? String(r * 10) : String(r * c))));
    const warnings: string[] = [];
    const loaded = await loadMatrix(path, { log: (l) => warnings.push(l) });
    assert.deepEqual(loaded.matrix.columns, ['a', 'b'], 'the index is not a feature');
    assert.deepEqual([...loaded.matrix.data], [0, 2, 4, 6, 8, 0, 3, 6, 9, 12], 'the features keep their values');
    assert.equal(warnings.length, 1, `one warning: ${warnings.join(' | ')}`);
    assert.match(warnings[0], /left out column 1, which has no name .*index=False/, 'the warning says why and how to avoid it');
  });

  test('"Unnamed: 0" (a pandas index after a round trip) is left out too', async () => {
    const path = join(tmp.path, 'roundtrip.csv');
    await writeFile(path, csv(['Unnamed: 0', 'time_ms', 'a'], 3, (r, c) => (c === 1 ? String(r) : String(r + 1))));
    const loaded = await loadMatrix(path);
    assert.deepEqual(loaded.matrix.columns, ['a'], 'only the feature is kept');
  });

  test('a column without a single value is left out, with a warning; partly empty columns stay', async () => {
    const path = join(tmp.path, 'empty-column.csv');
    await writeFile(path, csv(['time_ms', 'a', 'gone', 'holey'], 4, (r, c) => (c === 0 ? String(r) : c === 2 ? '' : c === 3 && r === 1 ? '' : String(r))));
    const warnings: string[] = [];
    const loaded = await loadMatrix(path, { log: (l) => warnings.push(l) });
    assert.deepEqual(loaded.matrix.columns, ['a', 'holey'], 'the empty column is gone, the holey one stays');
    assert.ok(Number.isNaN(loaded.matrix.data[4 + 1]), 'the missing cell stays missing');
    assert.equal(warnings.length, 1, `one warning: ${warnings.join(' | ')}`);
    assert.match(warnings[0], /left out column gone, which holds no values/, 'the warning names the column');
  });

  test('no usable column, or no rows, is an input error (exit code 2)', () => {
    const empty = createMatrix(Int32Array.from([0, 1]), ['only']);
    empty.data.fill(NaN);
    assert.throws(
      () => usableColumns(empty, 'x.csv'),
      (e: unknown) => e instanceof SongscopeError && e.exitCode === 2 && /x\.csv: the matrix has no feature column with values/.test(e.message),
      'all-NaN only column',
    );
    assert.throws(
      () => usableColumns(createMatrix(new Int32Array(0), ['a']), 'y.csv'),
      (e: unknown) => e instanceof SongscopeError && e.exitCode === 2 && /y\.csv: the matrix has no rows/.test(e.message),
      'no rows',
    );
  });

  test('a matrix with nothing to leave out is returned as is', () => {
    const m = createMatrix(Int32Array.from([0, 1]), ['a', 'b']);
    assert.equal(usableColumns(m, 'm'), m, 'same object, no copy');
  });
});
