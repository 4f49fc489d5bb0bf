/**
 * JSON parsed in pieces from bytes (`src/util/jsonBytes.ts`) must be `JSON.parse` of the whole text,
 * exactly: the same value and key order on every large JSON fixture and on edge cases built large enough
 * to be pieced (duplicate and `__proto__` keys, integer-like keys, multi-byte and escaped strings holding
 * separators, nested big containers), and on ~300 mutated analyses either the same value or the same
 * error message as `parseJson` of the decoded text.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonBytes, parseJsonPieces, PIECED_FROM_BYTES, PIECE_BYTES } from '../../src/util/jsonBytes.js';
import { parseJson } from '../../src/util/jsonPosition.js';
import { generateAudioAnalysis } from '../../src/synth/generate.js';
import { createRandom, randomInt } from '../../src/util/random.js';
import { MAX_JSON_DEPTH } from '../../src/limits.js';
import { FIXTURES } from '../helpers/fixtures.js';

/** The value and its key order (deepStrictEqual ignores the order of keys; JSON.stringify does not). */
function assertSame(actual: unknown, expected: unknown, what: string): void {
  assert.deepStrictEqual(actual, expected, what);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${what}: key order`);
}

/** What the whole-text path gives: the value, or the error message. */
function outcome(f: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => f.endsWith('.json') && statSync(f).isFile());
}

/** Big enough to be pieced: `n` segments of a generated analysis. */
const bigArray = (n: number, salt = 0) => generateAudioAnalysis({ style: 'dance', seed: 7 + salt, index: 0, durationS: 60 }).segments.slice(0, n);

describe('parseJsonBytes', () => {
  test('every large JSON fixture: the pieces give JSON.parse of the whole text', () => {
    const large = jsonFiles(FIXTURES).filter((f) => statSync(f).size >= PIECED_FROM_BYTES);
    assert.ok(large.length >= 5, `large fixtures found: ${large.length}`);
    for (const file of large) {
      const bytes = readFileSync(file);
      const pieced = parseJsonPieces(bytes);
      assert.ok(pieced, `${file} was pieced`);
      assertSame(pieced.value, JSON.parse(bytes.toString('utf8')), file);
      assertSame(parseJsonBytes(bytes, file), JSON.parse(bytes.toString('utf8')), file);
    }
  });

  test('a generated 4-minute analysis, plain and inside a wrapper (its arrays at depth 3)', () => {
    const analysis = generateAudioAnalysis({ style: 'folk', seed: 3, index: 2, durationS: 240 });
    for (const value of [analysis, { analysis, fetched_at: '2026-01-01', source: { kind: 'file', path: '/x/é.json' } }]) {
      for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
        const pieced = parseJsonPieces(Buffer.from(text));
        assert.ok(pieced, 'pieced');
        assertSame(pieced.value, value, 'analysis');
      }
    }
  });

  test('keys: duplicates keep their first place and their last value, __proto__ is an own key, integer-like keys come first', () => {
    const a = JSON.stringify(bigArray(200));
    const b = JSON.stringify(bigArray(220, 1));
    assert.ok(a.length > PIECE_BYTES && b.length > PIECE_BYTES, 'the big members are bigger than a piece');
    const texts = [
      `{"a": ${a}, "b": 1, "a": ${b}, "c": {"d": 2}}`,
      `{"b": 1, "a": ${a}, "b": ${b}, "b": 3}`,
      `{"__proto__": ${a}, "x": {"__proto__": {"polluted": true}}, "__proto__": 5}`,
      `{"__proto__": {"polluted": true}, "big": ${a}}`,
      `{"z": 1, "10": ${a}, "2": 2, "-1": 3, "01": 4, "4294967295": 5, "9007199254740993": ${b}}`,
      `{"s\\u0061me": ${a}, "same": 1}`,
    ];
    for (const text of texts) {
      const pieced = parseJsonPieces(Buffer.from(text));
      assert.ok(pieced, text.slice(0, 40));
      assertSame(pieced.value, JSON.parse(text), text.slice(0, 40));
      assert.equal(Object.getPrototypeOf(pieced.value), Object.prototype, 'an ordinary object');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  });

  test('strings holding separators, escapes and multi-byte characters; numbers at their edges; whitespace of every kind', () => {
    const strings = ['a,b', '}{][', '\\', '"', 'é ü 日本 🎵', '\u2028\u2029', ' \t\n\r', '\\",\\"', '\ud83c'];
    const elements = Array.from({ length: 3000 }, (_, i) => ({ s: strings[i % strings.length], n: [-0, 1e400 * 0 || 0, 5e-324, 1.7976931348623157e308, 12345678901234567890, -1.5e-7][i % 6], [strings[(i + 1) % strings.length]]: [i, [i], {}] }));
    const text = JSON.stringify({ 'k,é': elements, e: [], o: {}, nested: [[elements.slice(0, 600)], { deep: elements.slice(0, 700) }] });
    const spaced = text.replace(/,"/g, ' ,\t\n"').replace(/:\[/g, ' :\r\n [ ').replace(/\]\}/g, ' ]\n } ');
    for (const t of [text, spaced, `  \n${text}\n\t `]) {
      const bytes = Buffer.from(t);
      const pieced = parseJsonPieces(bytes);
      assert.ok(pieced, 'pieced');
      assertSame(pieced.value, JSON.parse(t), t.slice(0, 30));
    }
    // raw numbers the whole-text parse reads the same way: -0, exponents, long mantissas
    const numbers = `[${Array.from({ length: 6000 }, (_, i) => ['-0', '1E+2', '0.30000000000000004', '123456789012345678901234567890', '-2.5e-310', '1e400'][i % 6]).join(',')}]`;
    assert.ok(numbers.length > PIECED_FROM_BYTES, 'large enough to be pieced');
    const pn = parseJsonPieces(Buffer.from(numbers));
    assert.ok(pn, 'pieced');
    assert.deepStrictEqual(pn.value, JSON.parse(numbers), 'numbers');
    assert.ok(Object.is((pn.value as number[])[0], -0), '-0 stays -0');
  });

  test('large empty containers and a big top-level array of big elements', () => {
    const pad = ' '.repeat(PIECED_FROM_BYTES);
    for (const t of [`[${pad}]`, `{${pad}}`, `{"a":[${pad}],"b":{${pad}}}`, `[${JSON.stringify(bigArray(300))},${JSON.stringify(bigArray(250, 2))},1,"x",null,true,false]`]) {
      const pieced = parseJsonPieces(Buffer.from(t));
      assert.ok(pieced, t.slice(0, 20));
      assertSame(pieced.value, JSON.parse(t), t.slice(0, 20));
    }
  });

  test('what the pieces leave to the whole-text parse: the same value or the same one-line error', () => {
    const a = JSON.stringify(bigArray(400));
    const cases: [string, string | Buffer][] = [
      ['byte-order mark', `\ufeff{"a": ${a}}`],
      ['top-level scalar', `"${'x'.repeat(PIECED_FROM_BYTES)}"`],
      ['trailing comma', `{"a": ${a.slice(0, -1)},]}`],
      ['leading comma', `[,${a}]`],
      ['double comma', `{"a": ${a},, "b": 1}`],
      ['mismatched brackets', `{"a": ${a.slice(0, -1)}}}`],
      ['unterminated', `{"a": ${a}`],
      ['after the value', `{"a": ${a}} x`],
      ['two values', `{"a": ${a}} {}`],
      ['key without colon', `{"a" ${a}}`],
      ['key not a string', `{a: ${a}}`],
      ['too deep', `{"a": ${a}, "b": ${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`],
      ['deep but allowed', `{"a": ${a}, "b": ${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`],
      ['invalid UTF-8 in a string', Buffer.concat([Buffer.from(`{"a": ${a}, "b": "x`), Buffer.from([0xe2, 0x82]), Buffer.from(`", "c": "\xff"}`, 'latin1')])],
      ['invalid UTF-8 before a quote', Buffer.concat([Buffer.from(`{"a": ${a}, "b": "x`), Buffer.from([0xf0]), Buffer.from(`","c":1}`)])],
      ['control character in a string', `{"a": ${a}, "b": "x\ny"}`],
    ];
    for (const [what, t] of cases) {
      const bytes = typeof t === 'string' ? Buffer.from(t) : t;
      assert.ok(bytes.length >= PIECED_FROM_BYTES, what);
      assert.deepStrictEqual(outcome(() => parseJsonBytes(bytes, 'x.json')), outcome(() => parseJson(bytes.toString('utf8'), 'x.json')), what);
    }
  });

  test('300 mutated analyses: the same value or the same error as the whole text', () => {
    const base = Buffer.from(JSON.stringify(generateAudioAnalysis({ style: 'dance', seed: 11, index: 0, durationS: 45 })));
    assert.ok(base.length >= PIECED_FROM_BYTES, 'large enough to be pieced');
    const random = createRandom(20261204);
    const alphabet = Buffer.from(',:[]{}"\\ \n0-e.tfnx');
    let same = 0;
    let errors = 0;
    for (let k = 0; k < 300; k++) {
      let bytes = base;
      for (let m = 0; m < 1 + randomInt(random, 3); m++) {
        // mutate near a structural byte most of the time, where the splitting decisions are made
        let at = randomInt(random, bytes.length);
        if (random() < 0.7) while (at < bytes.length - 1 && !alphabet.subarray(0, 7).includes(bytes[at])) at++;
        const op = randomInt(random, 3);
        const byte = random() < 0.1 ? 0x80 + randomInt(random, 128) : alphabet[randomInt(random, alphabet.length)];
        if (op === 0) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        else if (op === 1) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
        else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at + 1)]);
      }
      const expected = outcome(() => parseJson(bytes.toString('utf8'), 'm.json'));
      const actual = outcome(() => parseJsonBytes(bytes, 'm.json'));
      assert.deepStrictEqual(actual, expected, `mutation ${k}`);
      if (expected.error) errors++;
      else {
        assert.equal(JSON.stringify(actual.value), JSON.stringify(expected.value), `mutation ${k}: key order`);
        same++;
      }
    }
    // both kinds occur, so both comparisons were made
    assert.ok(same >= 15 && errors >= 100, `valid ${same}, invalid ${errors}`);
  });
});
