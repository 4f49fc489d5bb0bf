/**
 * The tools users already have read what songscope writes: a scanned dataset and a `features -o x.parquet`
 * matrix, read back by pandas, pyarrow, polars and DuckDB's Python package (not songscope's writer), give
 * the analyses' own numbers bit for bit. Skips, saying why, without a Python that has pandas and pyarrow.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAnalysisFile } from '../../src/sources/files.js';
import { eventColumnStats, eventGrid } from '../../src/matrix/events.js';
import { buildFeatureMatrix } from '../../src/matrix/grid.js';
import { FEATURE_COLUMNS } from '../../src/matrix/featureMatrix.js';
import { MEAN_COLUMNS, STD_COLUMNS } from '../../src/corpus/schema.js';
import { findPython } from '../helpers/python.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { scan, writeCorpus, type GeneratedCorpus } from './helpers.js';

const { python, why } = findPython(['pandas', 'pyarrow']);
let dir: string;
let corpus: GeneratedCorpus;
let dataset: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-readers-'));
  corpus = await writeCorpus(dir, 6, { durationS: 20, seed: 11 });
  dataset = join(dir, 'corpus');
  if (python) {
    const r = await scan([corpus.manifest, '-o', dataset, '--part-rows', '4', '-q'], join(dir, 'cache'));
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run Python code with `args` in sys.argv[1:], returning its JSON output. */
function py(code: string, ...args: string[]): Record<string, unknown> {
  const r = spawnSync(python!, ['-c', code, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const READ_DATASET = `
import json, sys, importlib.util
import pandas as pd, pyarrow.dataset as ds
d = sys.argv[1]
cols = ['input', 'track_key', 'label', 'era', 'duration_s', 'grid_rows'] + [c for c in pd.read_parquet(d).columns if c.startswith(('mean_', 'std_'))]
def rows(df):
    df = df.sort_values('input')
    return [[r[c] if not hasattr(r[c], 'item') else r[c].item() for c in cols] for _, r in df[cols].iterrows()]
out = {'columns': cols, 'pandas': rows(pd.read_parquet(d)), 'pyarrow': rows(ds.dataset(d, format='parquet').to_table().to_pandas())}
out['failures'] = len(pd.read_parquet(d + '/_failures'))
if importlib.util.find_spec('polars'):
    import polars as pl
    out['polars'] = rows(pl.read_parquet(d + '/*.parquet').to_pandas())
if importlib.util.find_spec('duckdb'):
    import duckdb
    out['duckdb'] = rows(duckdb.sql(f"SELECT * FROM '{d}/*.parquet'").df())
print(json.dumps(out))
`;

test('pandas, pyarrow, polars and DuckDB read the dataset: every row with the analyses\' numbers', { skip: python ? false : why }, async () => {
  const out = py(READ_DATASET, dataset) as { columns: string[]; failures: number } & Record<string, unknown[][]>;
  assert.deepEqual(out.columns.slice(6), [...MEAN_COLUMNS, ...STD_COLUMNS], 'the 52 statistics, in feature order');
  assert.equal(out.failures, 0, 'an empty failures table is still readable');
  const expected: unknown[][] = [];
  for (const [i, file] of [...corpus.files].map((f, i) => [i, f] as const).sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
    const analysis = await readAnalysisFile(file);
    const stats = eventColumnStats(eventGrid(analysis, 'full'));
    expected.push([file, null, corpus.styles[i], corpus.styles[i] === 'dance' ? 'new' : 'old', analysis.track.duration, Math.ceil(analysis.track.duration * 1000), ...stats.mean, ...stats.std]);
  }
  const readers = ['pandas', 'pyarrow', 'polars', 'duckdb'].filter((r) => out[r]);
  assert.ok(readers.includes('pandas') && readers.includes('pyarrow'), `pandas and pyarrow ran: ${readers}`);
  for (const reader of readers) {
    const rows = out[reader];
    assert.equal(rows.length, corpus.files.length, `${reader}: every track`);
    rows.forEach((row, i) => {
      assert.match(String(row[1]), /^sha256:[0-9a-f]{64}$/, `${reader}: a track key`);
      assert.deepEqual([row[0], ...row.slice(2)], [expected[i][0], ...expected[i].slice(2)], `${reader}: ${row[0]}, bit for bit`);
    });
  }
});

const READ_MATRIX = `
import json, sys, importlib.util
import pandas as pd, pyarrow.parquet as pq
pq_df = pd.read_parquet(sys.argv[1])
arrow_df = pd.read_feather(sys.argv[2])
meta = {k.decode(): v.decode() for k, v in pq.read_metadata(sys.argv[1]).metadata.items()}
out = {'equal': bool(pq_df.equals(arrow_df)), 'columns': list(pq_df.columns), 'rows': len(pq_df), 'dtypes': sorted(set(str(t) for t in pq_df.dtypes)), 'meta': meta}
if importlib.util.find_spec('duckdb'):
    import duckdb
    con = duckdb.connect(config={'autoinstall_known_extensions': False, 'autoload_known_extensions': False})
    out['duckdb_sum'] = con.sql(f"SELECT sum(timbre_01) FROM '{sys.argv[1]}'").fetchone()[0]
print(json.dumps(out))
`;

test('features -o x.parquet: pandas reads the same frame as from Arrow; DuckDB reads it with no extension', { skip: python ? false : why }, async () => {
  const input = join(FIXTURES, 'psy-gangnam-style.json');
  const parquet = join(dir, 'psy.parquet');
  const arrow = join(dir, 'psy.arrow');
  for (const output of [parquet, arrow]) {
    const r = await runCli(['features', input, '-o', output, '-q']);
    assert.equal(r.code, 0, r.stderr);
  }
  const out = py(READ_MATRIX, parquet, arrow) as { equal: boolean; columns: string[]; rows: number; dtypes: string[]; meta: Record<string, string>; duckdb_sum?: number };
  const matrix = buildFeatureMatrix(await readAnalysisFile(input), { grid: 'full' });
  assert.equal(out.equal, true, 'pandas: the Parquet frame equals the Arrow frame');
  assert.deepEqual(out.columns, ['time_ms', ...FEATURE_COLUMNS], 'time_ms and the 26 features');
  assert.equal(out.rows, matrix.rows, 'every 1 ms row');
  assert.deepEqual(out.dtypes, ['float64', 'int32'], 'float64 features, int32 time');
  assert.equal(out.meta.grid, 'full', 'the metadata travels as key-value metadata');
  assert.equal(out.meta.duration_s, String(219.49333), 'duration_s');
  if (out.duckdb_sum !== undefined) {
    const col = matrix.data.subarray(14 * matrix.rows, 15 * matrix.rows);
    const sum = col.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(out.duckdb_sum - sum) <= 1e-9 * Math.abs(sum), `DuckDB offline sums timbre_01: ${out.duckdb_sum} vs ${sum}`);
  }
});
