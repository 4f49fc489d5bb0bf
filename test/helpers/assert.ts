/** Assertions and set-up the tests share: closeness of numbers and arrays, and a temporary directory per suite. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { relErr } from './fixtures.js';

/**
 * Assert that every value of `actual` is within `tolerance` of `expected`, relative to max(1, |expected|)
 * (NaN matches only NaN); the message names the first index that is not, and both values.
 */
export function assertClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, tolerance: number, what: string): void {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const ok = Number.isNaN(e[i]) ? Number.isNaN(a[i]) : relErr(a[i], e[i]) <= tolerance;
    if (!ok) assert.fail(`${what}[${i}]: got ${a[i]}, expected ${e[i]} (tolerance ${tolerance})`);
  }
}

/**
 * A fresh temporary directory for the enclosing suite (or file), made on first use of `.path` and removed
 * after the suite's tests. (Made lazily rather than in a `before` hook, whose order relative to the
 * caller's own hooks node:test does not promise.)
 */
export function tempDirPerSuite(prefix: string): { readonly path: string } {
  let path = '';
  after(async () => {
    if (path) await rm(path, { recursive: true, force: true });
  });
  return {
    get path() {
      path ||= mkdtempSync(join(tmpdir(), `songscope-${prefix}-`));
      return path;
    },
  };
}

/**
 * What `assert.throws` / `assert.rejects` match a {@link ParameterError} against: its class, exit code 2,
 * the parameter, the value shown and what was expected, and so the whole message
 * (`k: 0 (expected an integer in [1, 2])`). `shown` and `expected` may be regular expressions.
 */
export function parameterError(parameter: string, shown: string | RegExp, expected: string | RegExp): Record<string, unknown> {
  const matcher: Record<string, unknown> = { name: 'ParameterError', exitCode: 2, parameter, shown, expected };
  if (typeof shown === 'string' && typeof expected === 'string') matcher.message = `${parameter}: ${shown} (expected ${expected})`;
  return matcher;
}
