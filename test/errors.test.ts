/**
 * Every user-facing sentence lives in src/errors.ts. This scans src/**\/*.ts (not src/vendor, not
 * src/errors.ts) for the two ways a sentence escapes the catalogue:
 *
 * 1. `new Error(…)`, `new RangeError(…)`, `new TypeError(…)` whose first argument is a string literal or a
 *    template: a sentence, and (for RangeError) a class that callers could mistake for "bad parameter" —
 *    an engine RangeError (a stack overflow, an invalid array length) is not the user's doing. A bad
 *    argument is a `ParameterError` (parameter, value shown, expected); anything else a SongscopeError
 *    with a `messages.…` sentence.
 * 2. `inputError(…)`, `runtimeError(…)`, `new SongscopeError(…)` whose first argument is a literal or a
 *    template instead of a `messages.…` call.
 *
 * The allow-lists are empty: an entry would name a file and a piece of the offending line, and an entry
 * that no longer matches fails the test too, so they can only shrink back to empty.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers/fixtures.js';

/** `new Error(` / `new RangeError(` / `new TypeError(` followed (across whitespace) by a string or template. */
const ERROR_SENTENCE = /\bnew\s+(?:Error|RangeError|TypeError)\(\s*['"`]/g;
/** `inputError(` / `runtimeError(` / `new SongscopeError(` followed by a string or template. */
const INLINE_SENTENCE = /(?:\binputError|\bruntimeError|\bnew\s+SongscopeError)\(\s*['"`]/g;

interface Allowed {
  /** Path from the repository root. */
  file: string;
  /** A piece of the offending line. */
  text: string;
}

/** Error classes with a sentence: to convert (src/jobs, src/sources: the lead; src/audio, src/util: their owners). */
const ALLOWED_ERROR_SENTENCES: readonly Allowed[] = [
];

/** SongscopeErrors with a sentence written in place instead of a messages.… call: to convert. */
const ALLOWED_INLINE_SENTENCES: readonly Allowed[] = [
];

/** The .ts files under src/, without src/vendor and src/errors.ts, as paths from the repository root. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(ROOT, path).split('\\').join('/');
      if (entry.isDirectory()) {
        if (rel !== 'src/vendor') walk(path);
      } else if (entry.name.endsWith('.ts') && rel !== 'src/errors.ts') {
        out.push(rel);
      }
    }
  };
  walk(join(ROOT, 'src'));
  return out.sort();
}

interface Hit {
  file: string;
  line: number;
  text: string;
}

/** Every match of `pattern` (global) in the source files, with its line number and the line's text. */
function scan(pattern: RegExp): Hit[] {
  const hits: Hit[] = [];
  for (const file of sourceFiles()) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const lines = source.split('\n');
    for (const m of source.matchAll(pattern)) {
      const line = source.slice(0, m.index).split('\n').length;
      // The statement may continue on the next lines: keep them for matching the allow-list.
      hits.push({ file, line, text: lines.slice(line - 1, line + 2).join('\n') });
    }
  }
  return hits;
}

function check(pattern: RegExp, allowed: readonly Allowed[], what: string): void {
  const hits = scan(pattern);
  const unlisted = hits.filter((h) => !allowed.some((a) => a.file === h.file && h.text.includes(a.text)));
  const stale = allowed.filter((a) => !hits.some((h) => a.file === h.file && h.text.includes(a.text)));
  assert.deepEqual(
    unlisted.map((h) => `${h.file}:${h.line}: ${h.text.split('\n')[0].trim()}`),
    [],
    `${what} outside src/errors.ts: use ParameterError or a messages.… sentence`,
  );
  assert.deepEqual(
    stale.map((a) => `${a.file}: ${a.text}`),
    [],
    'allow-list entries that match nothing any more: remove them',
  );
}

describe('user-facing sentences live in src/errors.ts', () => {
  test('the scan sees the source tree and finds what it looks for', () => {
    const files = sourceFiles();
    assert.ok(files.includes('src/transforms/reduce.ts'), `scanned ${files.length} files`);
    assert.ok(!files.some((f) => f.startsWith('src/vendor/') || f === 'src/errors.ts'), 'vendor and the catalogue are skipped');
    const sample = "x; throw new RangeError(\n  `k must be ${k}`);\n throw new ParameterError('k', String(k), 'an integer');";
    assert.equal([...sample.matchAll(ERROR_SENTENCE)].length, 1, 'a template on the next line is caught; ParameterError is not');
    assert.equal([...`throw inputError('no rows'); throw inputError(messages.x());`.matchAll(INLINE_SENTENCE)].length, 1, 'a literal is caught; a messages call is not');
  });

  test('no Error, RangeError or TypeError carries a sentence', () => {
    check(ERROR_SENTENCE, ALLOWED_ERROR_SENTENCES, 'an Error/RangeError/TypeError with a sentence');
  });

  test('no inputError, runtimeError or SongscopeError is given a sentence written in place', () => {
    check(INLINE_SENTENCE, ALLOWED_INLINE_SENTENCES, 'a SongscopeError with a sentence written in place');
  });
});
