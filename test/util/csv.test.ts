/**
 * The one CSV splitter and quoter (`src/util/csv.ts`) that the matrix reader, result tables and manifests
 * share: quoting round-trips (checked against Python's `csv` module too), CRLF and CR line ends, quoted
 * fields holding line ends, the byte-order mark, strict errors naming the line, and ragged rows reported by
 * each caller at the right line after a record that spans lines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { messages, SongscopeError } from '../../src/errors.js';
import { MAX_CSV_RECORD_CHARS } from '../../src/limits.js';
import { parseCsv, writeCsv } from '../../src/matrix/csv.js';
import { parseManifest } from '../../src/sources/collection.js';
import { createRandom, randomInt } from '../../src/util/random.js';
import { csvRecord, CsvReader, quoteCsvField, splitCsvRecord, type CsvLineUse } from '../../src/util/csv.js';
import { findPython } from '../helpers/python.js';

/** Every record of `pieces` (fed in that order) as [line, fields]; `use` says what each record-starting line is. */
function readAll(pieces: readonly string[], options: { trim?: boolean; use?: (text: string) => CsvLineUse } = {}): [number, string[]][] {
  const out: [number, string[]][] = [];
  const reader = new CsvReader('t.csv', { line: (text) => options.use?.(text) ?? 'record', record: (fields, line) => out.push([line, fields]) }, { trim: options.trim });
  for (const p of pieces) reader.push(p);
  reader.end();
  return out;
}

/** Assert that reading `text` throws the SongscopeError (exit code 2) whose message is `expected`. */
function throwsMessage(run: () => unknown, expected: string, what: string): void {
  assert.throws(
    run,
    (e: unknown) => {
      assert.ok(e instanceof SongscopeError, `${what}: a SongscopeError, got ${String(e)}`);
      assert.equal(e.exitCode, 2, `${what}: exit code`);
      assert.equal(e.message, expected, `${what}: message`);
      return true;
    },
    what,
  );
}

/** Awkward field texts: separators, quotes, line ends, white space, a BOM-like character, non-Latin text. */
const AWKWARD = ['', ' ', 'plain', 'a,b', '"', '""', 'say "hi"', 'line\nbreak', 'crlf\r\nend', 'lone\rcr', ' lead', 'trail ', '\ttab', ',', '"a","b"', '\ufeffbom', '강남스타일', '#hash'];

describe('quoteCsvField and csvRecord', () => {
  test('quote only when needed: comma, quote, CR, LF (and, asked, white space at either end)', () => {
    assert.equal(quoteCsvField('plain text'), 'plain text', 'no special character');
    assert.equal(quoteCsvField('1.5e-7'), '1.5e-7', 'a number');
    assert.equal(quoteCsvField('a,b'), '"a,b"', 'comma');
    assert.equal(quoteCsvField('say "hi"'), '"say ""hi"""', 'inner quotes doubled');
    assert.equal(quoteCsvField('a\nb'), '"a\nb"', 'LF');
    assert.equal(quoteCsvField('a\rb'), '"a\rb"', 'CR');
    assert.equal(quoteCsvField(' x '), ' x ', 'spaces are data by default (RFC 4180)');
    assert.equal(quoteCsvField(' x', { quoteSpaces: true }), '" x"', 'leading space quoted for trimming readers');
    assert.equal(quoteCsvField('x\t', { quoteSpaces: true }), '"x\t"', 'trailing tab quoted for trimming readers');
    assert.equal(quoteCsvField('x y', { quoteSpaces: true }), 'x y', 'inner space needs no quotes');
    assert.equal(csvRecord(['a', 'b,c', '']), 'a,"b,c",', 'a record');
    assert.equal(csvRecord(['']), '""', 'a lone empty field is quoted, as Python writes it');
  });

  test('round-trip: csvRecord → CsvReader gives the fields back, whatever they hold (seeded, 500 records)', () => {
    const random = createRandom(7);
    for (const trim of [false, true]) {
      const records: string[][] = [];
      for (let r = 0; r < 250; r++) {
        const n = 1 + randomInt(random, 5);
        records.push(Array.from({ length: n }, () => AWKWARD[randomInt(random, AWKWARD.length)] + (randomInt(random, 3) === 0 ? AWKWARD[randomInt(random, AWKWARD.length)] : '')));
      }
      const ends = ['\n', '\r\n', '\r'];
      const text = records.map((f, i) => csvRecord(f, { quoteSpaces: trim }) + ends[i % 3]).join('');
      // fed in pieces of 1 to 40 characters, so quotes, CRLFs and BOM-like characters straddle pieces
      const pieces: string[] = [];
      for (let i = 0; i < text.length; ) {
        const k = 1 + randomInt(random, 40);
        pieces.push(text.slice(i, i + k));
        i += k;
      }
      // a record starting with U+FEFF on line 1 would lose it as a BOM: start with a plain line
      const read = readAll(['x\n', ...pieces], { trim });
      const got = read.slice(1).map(([, fields]) => fields);
      assert.equal(got.length, records.length, `trim ${trim}: one record per record written`);
      records.forEach((fields, i) => assert.deepEqual(got[i], fields, `trim ${trim}: record ${i} (${JSON.stringify(fields)})`));
    }
  });

  const { python, why } = findPython(['csv']);
  test('what csvRecord writes, Python\'s csv module reads back field for field', { skip: python ? false : why }, () => {
    const records = [AWKWARD.slice(0, 6), AWKWARD.slice(6, 12), AWKWARD.slice(12)];
    const text = records.map((f) => csvRecord(f) + '\r\n').join('');
    const r = spawnSync(python!, ['-c', 'import csv, io, json, sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `python: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), records, 'csv.reader gives the same fields');
  });
});

describe('splitCsvRecord', () => {
  test('fields, quoted fields with white space around the quotes, and the two problems', () => {
    assert.deepEqual(splitCsvRecord('a,b,,c'), ['a', 'b', '', 'c'], 'plain');
    assert.deepEqual(splitCsvRecord(''), [''], 'an empty text is one empty field');
    assert.deepEqual(splitCsvRecord(' a , "b, c" ,d'), [' a ', 'b, c', 'd'], 'unquoted kept as written, spaces around quotes dropped');
    assert.deepEqual(splitCsvRecord(' a , "b, c" ,d', true), ['a', 'b, c', 'd'], 'trim: unquoted fields trimmed');
    assert.deepEqual(splitCsvRecord('" x ",y', true), [' x ', 'y'], 'trim keeps a quoted field\'s spaces');
    assert.deepEqual(splitCsvRecord('"a\nb",c'), ['a\nb', 'c'], 'a line end inside quotes');
    assert.deepEqual(splitCsvRecord('"a,b'), { problem: 'open' }, 'open at the end');
    assert.deepEqual(splitCsvRecord('a"b,c'), { problem: 'stray-quote', at: 1 }, 'quote inside an unquoted field');
    assert.deepEqual(splitCsvRecord('"a"b,c'), { problem: 'stray-quote', at: 3 }, 'text after a closing quote');
  });
});

describe('CsvReader', () => {
  test('CRLF, CR and LF line ends, a CRLF split between pieces, and a last line without a line end', () => {
    const expected = [[1, ['a', '1']], [2, ['b', '2']], [3, ['c', '3']], [4, ['d', '4']]];
    assert.deepEqual(readAll(['a,1\r\nb,2\rc,3\nd,4']), expected, 'one piece');
    assert.deepEqual(readAll(['a,1\r', '\nb,2\r', 'c,3\n', 'd,4']), expected, 'CRLF split between pieces counts once');
    assert.deepEqual(readAll(['a,1\r\nb,2\rc,3\nd,4\r']), expected, 'a final lone CR');
  });

  test('a byte-order mark is skipped on the first line only', () => {
    assert.deepEqual(readAll(['\ufeffa,b\n\ufeffc\n']), [[1, ['a', 'b']], [2, ['\ufeffc']]], 'BOM dropped on line 1 only');
    assert.deepEqual(readAll(['\ufeff', '"a",b\n']), [[1, ['a', 'b']]], 'a BOM in its own piece, before a quoted field');
  });

  test('quoted fields holding line ends: the record spans lines, keeps them as written, and later lines keep their numbers', () => {
    const text = 'h1,h2\n"two\nlines",x\n"crlf\r\ninside","a ""q"" b"\r\n"three\rline\nends",y\nlast,z\n';
    assert.deepEqual(readAll([text]), [
      [1, ['h1', 'h2']],
      [2, ['two\nlines', 'x']],
      [4, ['crlf\r\ninside', 'a "q" b']],
      [6, ['three\rline\nends', 'y']],
      [9, ['last', 'z']],
    ]);
    // the same text one character at a time
    assert.deepEqual(readAll([...text]), readAll([text]), 'pieces of one character');
    // a record whose second line opens another quoted field
    assert.deepEqual(readAll(['"a\nb","c\nd",e\n']), [[1, ['a\nb', 'c\nd', 'e']]], 'two quoted fields spanning lines');
    // a comment-looking or blank line inside a quoted field is data, not skipped
    assert.deepEqual(readAll(['"a\n\n# not a comment",b\n'], { use: (t) => (t === '' || t.startsWith('#') ? 'skip' : 'record') }), [[1, ['a\n\n# not a comment', 'b']]]);
  });

  test('strict: stray quotes, unterminated quotes, a record that must end on its line, a record too long — naming the line', () => {
    throwsMessage(() => readAll(['a,b\nc"d,e\n']), messages.csv.strayQuote('t.csv', 2), 'quote inside an unquoted field');
    throwsMessage(() => readAll(['a,b\n"c" d,e\n']), messages.csv.strayQuote('t.csv', 2), 'text after a closing quote');
    throwsMessage(() => readAll(['"a\nb" junk,c\n']), messages.csv.strayQuote('t.csv', 2), 'the physical line of a stray quote in a record spanning lines');
    throwsMessage(() => readAll(['"a\r\nb\r\nc"x\r\n']), messages.csv.strayQuote('t.csv', 3), 'counting CRLF once');
    throwsMessage(() => readAll(['a,b\n"c,d\ne,f\n']), messages.csv.unterminatedQuote('t.csv', 2), 'never closed: the line it opens on');
    throwsMessage(() => readAll(['a,b\n"c,d\ne,f\n'], { use: () => 'line' }), messages.csv.quoteSpansLines('t.csv', 2), 'one-line records');
    throwsMessage(() => readAll(['x\n"', 'y'.repeat(MAX_CSV_RECORD_CHARS + 1)]), messages.csv.recordTooLong('t.csv', 2, MAX_CSV_RECORD_CHARS), 'a quote left open for more than the limit');
  });

  test('ragged rows are handed over as they are, with their lines, for the caller to judge', () => {
    assert.deepEqual(readAll(['a,b,c\n1,2\n"x\ny",2,3,4\n5\n']), [[1, ['a', 'b', 'c']], [2, ['1', '2']], [3, ['x\ny', '2', '3', '4']], [5, ['5']]]);
  });
});

describe('the callers: the matrix reader and the manifest parser', () => {
  test('matrix CSV: a header name holding a line end round-trips through writeCsv and parseCsv; a ragged row after it names its line', async () => {
    const matrix = { rows: 2, columns: ['a\nb', 'c,"d"'], timeMs: Int32Array.of(0, 1), data: Float64Array.of(1, 2, 3, 4), metadata: {} };
    let text = '';
    await writeCsv(matrix, async (chunk) => {
      text += chunk;
    });
    assert.equal(text, 'time_ms,"a\nb","c,""d"""\n0,1,3\n1,2,4\n', 'the header quoted as RFC 4180 says');
    const back = await parseCsv(text, 'm.csv');
    assert.deepEqual(back.columns, matrix.columns, 'column names back');
    assert.deepEqual([...back.data], [...matrix.data], 'values back');
    await assert.rejects(parseCsv(text + '2,5\n', 'm.csv'), { message: messages.csv.missingValue('m.csv', 5, 'c,"d"', 2, 3) }, 'short row on line 5');
    await assert.rejects(parseCsv(text + '2,5,6,7\n', 'm.csv'), { message: messages.csv.extraValue('m.csv', 5, 4, 4, 3) }, 'long row on line 5');
    await assert.rejects(parseCsv('time_ms,x\n0,"1\n2"\n', 'm.csv'), { message: messages.csv.quoteSpansLines('m.csv', 2) }, 'a value cannot span lines');
    await assert.rejects(parseCsv('time_ms,"x\n0,1\n', 'm.csv'), { message: messages.csv.unterminatedQuote('m.csv', 1) }, 'a header quote never closed');
  });

  test('manifest: an entry whose path holds a line end; more fields than the header names, after it, names its line', () => {
    const m = parseManifest('\ufeffpath,label\r\n"odd\r\nname.json",rock\r\nb.json,jazz\r\n', 'm.csv');
    assert.deepEqual(m.entries, [
      { line: 2, input: 'odd\r\nname.json', label: 'rock' },
      { line: 4, input: 'b.json', label: 'jazz' },
    ]);
    throwsMessage(() => parseManifest('path,label\n"a\nb",x\nc.json,y,z\n', 'm.csv'), messages.collection.manifestFields('m.csv', 4, 3, 2), 'ragged manifest row');
    throwsMessage(() => parseManifest('a.json,x\n"b.json,y\n', 'm.csv'), messages.csv.unterminatedQuote('m.csv', 2), 'manifest quote never closed');
  });
});
