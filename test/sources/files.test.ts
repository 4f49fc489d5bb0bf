/**
 * Analysis JSON read from files and standard input (`src/sources/files.ts`, `src/util/jsonPosition.ts`) on
 * the inputs of issue 15: a byte-order mark (defect 5), nesting 100,000 deep (defect 6), a top-level
 * value that is not an object (defect 12), and the size and depth limits of `src/limits.ts`.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SongscopeError } from '../../src/errors.js';
import { MAX_ANALYSIS_FILE_BYTES, MAX_JSON_DEPTH } from '../../src/limits.js';
import { readAnalysisFile, readAnalysisStream } from '../../src/sources/files.js';
import { jsonDepthOffset, jsonValueTooDeep, parseJson } from '../../src/util/jsonPosition.js';
import { ROOT } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const PSY = join(ROOT, 'fixtures', 'psy-gangnam-style.json');
const dir = tempDirPerSuite('files');
let psyText: string;
before(async () => {
  psyText = await readFile(PSY, 'utf8');
});

async function rejectsInput(promise: Promise<unknown> | (() => unknown), pattern: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SongscopeError, `expected a SongscopeError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.equal(caught.exitCode, 2, `exit code of: ${caught.message}`);
  assert.match(caught.message, pattern, `"${caught.message}" matches ${pattern}`);
  assert.equal(caught.message.includes('\n'), false, `one line: ${JSON.stringify(caught.message)}`);
}

/** The psy analysis with `"extra": [[[…]]]` nested `depth` deep. */
function nested(depth: number): string {
  return psyText.trimEnd().slice(0, -1) + `,"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

describe('defect 5: a UTF-8 byte-order mark before an analysis JSON', () => {
  test('defect 5: a file starting with a BOM reads like the same file without it', async () => {
    const path = join(dir.path, 'bom.json');
    await writeFile(path, '\uFEFF' + psyText);
    const a = await readAnalysisFile(path);
    assert.equal(a.segments.length, 894, 'all 894 segments');
    assert.equal(a.track.duration, (await readAnalysisFile(PSY)).track.duration, 'the same duration as without the BOM');
  });

  test('defect 5: a BOM on standard input, and parseJson itself', async () => {
    const a = await readAnalysisStream(Readable.from([Buffer.from('\uFEFF' + psyText, 'utf8')]));
    assert.equal(a.segments.length, 894, 'all 894 segments from stdin');
    assert.deepEqual(parseJson('\uFEFF{"a": [1]}', 'x.json'), { a: [1] }, 'parseJson skips the BOM');
  });

  test('defect 5: a BOM before invalid JSON still names the line and column', async () => {
    await rejectsInput(() => parseJson('\uFEFF{"a": [1,]}', 'x.json'), /^x\.json: not valid JSON \(unexpected "\]" at line 1, column 10\)$/);
  });
});

describe('defect 6: JSON nested deeper than the limit is refused before any recursive step', () => {
  test(`defect 6: 100,000 nested arrays in an extra key: exit 2 naming the limit of ${MAX_JSON_DEPTH}`, async () => {
    const path = join(dir.path, 'deep.json');
    await writeFile(path, nested(100_000));
    await rejectsInput(readAnalysisFile(path), new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: JSON nested more than ${MAX_JSON_DEPTH} levels deep \\(line \\d+, column \\d+\\); songscope reads JSON nested at most ${MAX_JSON_DEPTH} deep$`));
  });

  test('defect 6: unclosed nesting (invalid JSON) is refused the same way, never by a stack overflow', async () => {
    await rejectsInput(() => parseJson('['.repeat(1_000_000), 'open.json'), /^open\.json: JSON nested more than 64 levels deep \(line 1, column 65\)/);
  });

  test('defect 6: exactly the limit is accepted; one more is refused at that bracket', () => {
    const at = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
    assert.equal(jsonDepthOffset(at(MAX_JSON_DEPTH), MAX_JSON_DEPTH), -1, 'exactly the limit is accepted');
    assert.equal(jsonDepthOffset(at(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), MAX_JSON_DEPTH, 'one more is refused at the bracket past the limit');
    assert.equal(jsonDepthOffset(`{"s": "${'['.repeat(200)}"}`, MAX_JSON_DEPTH), -1, 'brackets inside strings do not count');
    assert.equal(jsonDepthOffset(`["\\"${'['.repeat(200)}"]`, MAX_JSON_DEPTH), -1, 'an escaped quote does not end the string');
    assert.equal(typeof parseJson(nested(MAX_JSON_DEPTH - 1), 'ok.json'), 'object', 'the analysis with its extra key nested to the limit parses');
  });

  test('defect 6: the check on the parsed value agrees with the scan of the text (arrays, objects, strings)', () => {
    const cases = [
      `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`,
      `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
      `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`,
      `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`,
      `{"s": "${'['.repeat(200)}", "t": [[1], {"u": [null, [2]]}]}`,
      `[1, "x", null, [[[]]], {"deep": ${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}]`,
      `[1, {"deep": ${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}]`,
      '42',
      'null',
    ];
    for (const text of cases) {
      assert.equal(jsonValueTooDeep(JSON.parse(text), MAX_JSON_DEPTH), jsonDepthOffset(text, MAX_JSON_DEPTH) >= 0, `value check and text scan disagree on ${text.slice(0, 40)}…`);
    }
    assert.equal(jsonValueTooDeep(JSON.parse(nested(100_000)), MAX_JSON_DEPTH), true, '100,000 levels are measured without a stack overflow');
    assert.throws(() => parseJson(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`, 'deep.json'), (e: Error) => /^deep\.json: JSON nested more than 64 levels deep \(line 1, column 65\)/.test(e.message), 'valid JSON one level too deep is refused at the bracket past the limit');
  });
});

describe('defect 12: a .json file whose top level is not an object says what it holds', () => {
  for (const [content, found] of [
    ['null', 'null'],
    ['42', 'the number 42'],
    ['"hello"', 'a string'],
    ['true', 'true'],
    ['[1, 2]', 'an array'],
    ['{"hello": "world"}', 'an object without "track" or "segments"'],
  ] as const) {
    test(`defect 12: ${content} → "found ${found}"`, async () => {
      const path = join(dir.path, `top-${found.replace(/\W+/g, '-')}.json`);
      await writeFile(path, content + '\n');
      await rejectsInput(
        readAnalysisFile(path),
        new RegExp(`: expected an audio-analysis object \\(\\{ "track": …, "segments": … \\}\\) at the top level, found ${found.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      );
    });
  }

  test('defect 12: text that is not JSON in a .json file is "not valid JSON", elsewhere "unsupported file type"', async () => {
    const json = join(dir.path, 'words.json');
    await writeFile(json, 'hello');
    await rejectsInput(readAnalysisFile(json), /words\.json: not valid JSON \(unexpected "h" at line 1, column 1\)$/);
    const txt = join(dir.path, 'words.txt');
    await writeFile(txt, 'hello');
    await rejectsInput(readAnalysisFile(txt), /words\.txt: unsupported file type/);
  });
});

describe(`the size limit of analysis files (${MAX_ANALYSIS_FILE_BYTES / 2 ** 20} MiB)`, () => {
  test('a larger file is refused from its size, before reading it', async () => {
    const path = join(dir.path, 'huge.json');
    await writeFile(path, '{');
    await truncate(path, MAX_ANALYSIS_FILE_BYTES + 1); // sparse: no disk used
    await rejectsInput(readAnalysisFile(path), /huge\.json: the file has 524,288,001 bytes; songscope reads analysis files of at most 500 MiB \(524,288,000 bytes\)$/);
  });
});
