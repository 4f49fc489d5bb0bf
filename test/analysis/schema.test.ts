import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateAnalysis, detectSourceKind } from '../../src/analysis/schema.js';
import { keyName, summarizeAnalysis, slugify, formatDuration } from '../../src/analysis/summary.js';
import { readAnalysisFile } from '../../src/sources/files.js';
import { SongscopeError, ExitCode } from '../../src/errors.js';
import { readJson } from '../helpers/fixtures.js';
import { jsonErrorOffset, lineColumn, parseJson } from '../../src/util/jsonPosition.js';

type Json = Record<string, any>;
const psy = () => structuredClone(readJson<Json>('fixtures/psy-gangnam-style.json'));

/** Assert that validating `raw` fails with exit code 2 and exactly `message`. */
function rejects(raw: unknown, message: string) {
  assert.throws(
    () => validateAnalysis(raw, 'bad.json'),
    (e: unknown) => {
      assert.ok(e instanceof SongscopeError, String(e));
      assert.equal(e.exitCode, ExitCode.USAGE);
      assert.equal(e.message, message);
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    },
  );
}

describe('validateAnalysis rejects malformed input with one line naming the field', () => {
  test('pitches with 11 values', () => {
    const a = psy();
    a.segments[17].pitches.pop();
    rejects(a, 'bad.json: segments[17].pitches has 11 values, expected 12');
  });
  test('timbre with 13 values', () => {
    const a = psy();
    a.segments[3].timbre.push(1);
    rejects(a, 'bad.json: segments[3].timbre has 13 values, expected 12');
  });
  test('a non-numeric pitch', () => {
    const a = psy();
    a.segments[5].pitches[4] = 'loud';
    rejects(a, 'bad.json: segments[5].pitches[4] is "loud", expected a finite number');
  });
  test('null where a number is required', () => {
    const a = psy();
    a.segments[2].timbre[0] = null;
    rejects(a, 'bad.json: segments[2].timbre[0] is null, expected a finite number');
  });
  test('a negative duration', () => {
    const a = psy();
    a.beats[9].duration = -0.5;
    rejects(a, 'bad.json: beats[9].duration is -0.5, expected a number ≥ 0');
  });
  test('a missing start', () => {
    const a = psy();
    delete a.bars[4].start;
    rejects(a, 'bad.json: bars[4].start is missing');
  });
  test('a string start', () => {
    const a = psy();
    a.sections[1].start = '12.5';
    rejects(a, 'bad.json: sections[1].start is "12.5", expected a finite number');
  });
  test('a missing required list', () => {
    const a = psy();
    delete a.segments;
    rejects(a, 'bad.json: segments is missing (expected an array of segments; [] when there are none)');
  });
  test('a list that is not an array', () => {
    const a = psy();
    a.beats = { start: 0 };
    rejects(a, 'bad.json: beats is an object, expected an array');
  });
  test('an event that is not an object', () => {
    const a = psy();
    a.tatums[0] = 0.5;
    rejects(a, 'bad.json: tatums[0] is 0.5, expected an object with start and duration');
  });
  test('no track object', () => {
    const a = psy();
    delete a.track;
    rejects(a, 'bad.json: track is missing');
  });
  test('a zero track duration', () => {
    const a = psy();
    a.track.duration = 0;
    rejects(a, 'bad.json: track.duration is 0, expected a positive number of seconds');
  });
  test('a key out of range', () => {
    const a = psy();
    a.track.key = 12;
    rejects(a, 'bad.json: track.key is 12, expected -1 … 11');
  });
  test('a fractional mode', () => {
    const a = psy();
    a.sections[0].mode = 0.5;
    rejects(a, 'bad.json: sections[0].mode is 0.5, expected an integer');
  });
  test('not an object at all', () => {
    rejects([1, 2, 3], 'bad.json: expected an audio-analysis object ({ "track": …, "segments": … }) at the top level, found an array');
    rejects({ hello: 'world' }, 'bad.json: expected an audio-analysis object ({ "track": …, "segments": … }) at the top level, found an object without "track" or "segments"');
  });
});

describe('validateAnalysis accepts and normalises', () => {
  test('a Spotify analysis unchanged', () => {
    const raw = psy();
    const { analysis, warnings, source } = validateAnalysis(raw, 'psy.json');
    assert.deepEqual(warnings, []);
    assert.equal(source, 'spotify');
    assert.equal(analysis.segments.length, 894);
    assert.equal(analysis.segments, raw.segments, 'no copy when already in order');
  });
  test('the { analysis: … } wrapper, with field paths inside it', () => {
    const { analysis } = validateAnalysis({ analysis: psy() }, 'wrapped.json');
    assert.equal(analysis.beats.length, 467);
    const bad = psy();
    bad.segments[17].pitches.pop();
    assert.throws(() => validateAnalysis({ analysis: bad }, 'wrapped.json'), { message: 'wrapped.json: analysis.segments[17].pitches has 11 values, expected 12' });
  });
  test('events starting at or after the end of the track: a warning (the full grid leaves them out)', () => {
    const a = psy();
    a.beats.push({ start: 219.6, duration: 0.4, confidence: 0.5 });
    const { warnings } = validateAnalysis(a, 'late.json');
    assert.deepEqual(warnings, ['late.json: beats[467] starts at 219.6 s, at or after the end of the track (219.49333 s); the full grid leaves it out']);
  });
  test('Echo Nest 3.2.2 with title and artist in meta', () => {
    const r = validateAnalysis(readJson('fixtures/edx-give-it-up-for-love.echonest.json'), 'edx.json');
    assert.equal(r.source, 'echonest');
    assert.equal(r.embedded.artist, 'EDX, John Williams');
    assert.equal(r.embedded.title, 'Give It Up for Love feat. John Williams (Mysto & Pizzi Remix)');
    assert.equal(r.embedded.analyzerVersion, '3.2.2');
  });
  test('zero beats and bars (ambient, speech) and no tatums/sections keys', () => {
    const a = psy();
    a.beats = [];
    a.bars = [];
    delete a.tatums;
    delete a.sections;
    const { analysis } = validateAnalysis(a, 'ambient.json');
    assert.deepEqual(analysis.tatums, []);
    assert.deepEqual(analysis.sections, []);
  });
  test('out-of-order events are sorted (stably) with a warning', () => {
    const a = psy();
    const second = a.segments[1];
    [a.segments[0], a.segments[1]] = [a.segments[1], a.segments[0]];
    const { analysis, warnings } = validateAnalysis(a, 'shuffled.json');
    assert.deepEqual(warnings, ['shuffled.json: segments were not in time order; sorted them by start']);
    assert.equal(analysis.segments[1], second);
    assert.equal(analysis.segments[0].start, 0);
  });
  test('detectSourceKind', () => {
    assert.equal(detectSourceKind({ meta: { analyzer_version: '4.0.0' } }), 'spotify');
    assert.equal(detectSourceKind({ meta: { analyzer_version: '3.2.2' } }), 'echonest');
    assert.equal(detectSourceKind({ meta: { source: 'msd' } }), 'msd');
    assert.equal(detectSourceKind({}), 'file');
  });
});

describe('reading analysis files', () => {
  test('broken JSON names the file, line and column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'songscope-'));
    try {
      const path = join(dir, 'broken.json');
      await writeFile(path, '{\n  "track": {"duration": 1},\n  "segments": [,]\n}\n');
      await assert.rejects(readAnalysisFile(path), (e: unknown) => {
        assert.ok(e instanceof SongscopeError);
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /broken\.json: not valid JSON \(.* at line 3, column 16\)$/);
        return true;
      });
      const nan = join(dir, 'nan.json');
      await writeFile(nan, '{"track": {"duration": NaN}}');
      await assert.rejects(readAnalysisFile(nan), /nan\.json: not valid JSON/);
      await assert.rejects(readAnalysisFile(join(dir, 'missing.json')), /missing\.json: no such file/);
      await assert.rejects(readAnalysisFile(dir), /is a directory/);
      const empty = join(dir, 'empty.json');
      await writeFile(empty, '  \n');
      await assert.rejects(readAnalysisFile(empty), /empty\.json: the file is empty/);
      const text = join(dir, 'notes.txt');
      await writeFile(text, 'hello');
      await assert.rejects(readAnalysisFile(text), /unsupported file type/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a Spotify id as the file name becomes the track id', async () => {
    const a = await readAnalysisFile('fixtures/spotify/audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json');
    assert.equal(a.provenance.trackId, '7nWUDDCpTDYle0Ppi8i5K1');
    assert.equal(a.provenance.source, 'spotify');
    assert.equal(a.provenance.origin, 'file');
  });
});

describe('parseJson and byte-order marks', () => {
  test('one leading BOM is skipped; a second is a one-line input error at line 1, column 1 (a fuzz finding)', () => {
    assert.deepEqual(parseJson('\uFEFF{"a": 1}', 'x.json'), { a: 1 }, 'one BOM is read past');
    assert.throws(
      () => parseJson('\uFEFF\uFEFF{"a": 1}', 'x.json'),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && /x\.json/.test(e.message) && /line 1, column 1/.test(e.message) && !e.message.includes('\n'),
      'two BOMs: exit 2, naming the file and the place, on one line',
    );
  });
});

describe('jsonErrorOffset locates syntax errors', () => {
  test('agrees with JSON.parse on validity and points at the offending character', () => {
    const cases: [string, number][] = [
      ['{"a": 1}', -1],
      ['[1, 2, 3]', -1],
      ['{"a": [1, 2,]}', 12],
      ['{"a": 1,}', 8],
      ['{"a" 1}', 5],
      ['{"a": tru}', 9],
      ['{"a": "x', 8],
      ['{"a": 01}', 7],
      ['{"a": -}', 7],
      ['{"a": 1} x', 9],
      ['{"a": "\\q"}', 8],
      ['', 0],
      // JSON.parse refuses a byte-order mark (parseJson strips one: a second is an error at its place)
      ['\uFEFF{"a": 1}', 0],
    ];
    for (const [text, offset] of cases) {
      assert.equal(jsonErrorOffset(text), offset, text);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(valid, offset === -1, `validity of ${text}`);
    }
    assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
  });
});

describe('summary', () => {
  test('key and mode as names', () => {
    assert.equal(keyName(9, 0), 'A minor');
    assert.equal(keyName(0, 1), 'C major');
    assert.equal(keyName(6, 1), 'F# major');
    assert.equal(keyName(-1, 1), undefined);
    assert.equal(keyName(3, -1), 'Eb');
  });
  test('summarizeAnalysis of a real fixture', async () => {
    const a = await readAnalysisFile('fixtures/spotify-web-api-js-track.json');
    const s = summarizeAnalysis(a);
    assert.equal(s.key, 'A minor');
    assert.equal(s.tempoBpm, 151.94);
    assert.equal(s.timeSignature, '4/4');
    assert.deepEqual(s.counts, { bars: 141, beats: 567, tatums: 1134, segments: 811, sections: 11 });
    assert.equal(s.durationS, 226.86068);
    assert.equal(formatDuration(s.durationS), '3:46.9');
  });
  test('slugify', () => {
    assert.equal(slugify('Give It Up for Love feat. John Williams (Mysto & Pizzi Remix)'), 'give-it-up-for-love-feat-john-williams-mysto-pizzi-remix');
    assert.equal(slugify('Beyoncé — Halo'), 'beyonce-halo');
    assert.equal(slugify('???'), 'track');
  });
});

describe('limits that protect the 1 ms grid', () => {
  test('an event starting long after the track ends is rejected', () => {
    const a = psy();
    a.segments[893].start = 219493.33; // milliseconds where seconds belong
    rejects(a, 'bad.json: segments[893].start is 219493.33, after the end of the track (track.duration 219.49333 s)');
  });
});
