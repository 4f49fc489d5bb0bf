/**
 * The one rule that names the keys of the JSON songscope writes (`src/util/outputJson.ts`): the library's
 * camelCase becomes snake_case with the unit suffix, so a track's keys in album.json and summary.json are
 * the corpus dataset's column names; other keys, and records keyed by data, are kept.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarizeAnalysis } from '../../src/analysis/summary.js';
import { FAILURE_COLUMNS, IDENTITY_COLUMNS, SUMMARY_COLUMNS } from '../../src/corpus/schema.js';
import { outputJsonText, snakeCaseKey } from '../../src/util/outputJson.js';
import { loadFixture } from '../helpers/fixtures.js';

describe('outputJson', () => {
  test('snakeCaseKey: lowerCamelCase → snake_case; anything else kept', () => {
    const cases: [string, string][] = [
      ['durationS', 'duration_s'],
      ['tempoBpm', 'tempo_bpm'],
      ['undefinedBinsS', 'undefined_bins_s'],
      ['explainedVarianceRatio', 'explained_variance_ratio'],
      ['nFolds', 'n_folds'],
      ['binMs', 'bin_ms'],
      ['shapeMDS', 'shape_mds'],
      ['pc1Ratio', 'pc1_ratio'],
      ['bins', 'bins'],
      ['dim1', 'dim1'],
      ['C', 'C'],
      ['F-measure@3.0', 'F-measure@3.0'],
      ['similarity-smooth', 'similarity-smooth'],
      ['already_snake', 'already_snake'],
      ['', ''],
    ];
    for (const [key, expected] of cases) assert.equal(snakeCaseKey(key), expected, key);
  });

  test("a track's summary keys are the dataset's column names where the dataset has the value", async () => {
    const summary = summarizeAnalysis(await loadFixture('fixtures/psy-gangnam-style.json'));
    const keys = Object.keys(JSON.parse(outputJsonText({ ...summary, title: 't', artist: 'a', album: 'b', trackId: 'x', exitCode: 1 })));
    const columns = new Set([...IDENTITY_COLUMNS, ...SUMMARY_COLUMNS, ...FAILURE_COLUMNS].map((c) => c.name));
    assert.deepEqual(
      keys.filter((k) => columns.has(k)).sort(),
      ['album', 'analyzer_version', 'artist', 'duration_s', 'exit_code', 'input', 'key', 'key_confidence', 'loudness_db', 'mode_confidence', 'source', 'tempo_bpm', 'tempo_confidence', 'time_signature', 'time_signature_confidence', 'title', 'track_id'].sort(),
      'shared names',
    );
    assert.deepEqual(keys.filter((k) => /[A-Z]/.test(k)), [], 'no camelCase key left');
  });

  test('nested objects and arrays of objects are renamed; a manifest\'s own columns are data and kept; JSON.stringify otherwise', () => {
    const value = {
      similaritySmooth: { binS: 1, windowBins: 10 },
      runs: [{ label: 0, startS: 0, endS: 7 }],
      columns: { releaseYear: '1999', 'my column': 'x' },
      skipped: { 'similarity-smooth': 'why' },
      missing: undefined,
      model: { toJSON: () => ({ explainedVariance: [1] }) },
    };
    assert.equal(
      outputJsonText(value, { pretty: false }),
      '{"similarity_smooth":{"bin_s":1,"window_bins":10},"runs":[{"label":0,"start_s":0,"end_s":7}],"columns":{"releaseYear":"1999","my column":"x"},"skipped":{"similarity-smooth":"why"},"model":{"explained_variance":[1]}}\n',
    );
    assert.equal(outputJsonText({ aB: [1, 2] }), '{\n  "a_b": [\n    1,\n    2\n  ]\n}\n', 'pretty by default: 2 spaces, a final line feed');
  });
});
