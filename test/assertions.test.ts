/**
 * Two rules every test file keeps (issue 14, "tests that can fail"):
 *
 * - Every assertion that can fail says what it checks: a failing assertion without a message prints only
 *   "false == true" (and a failing bare `assert.ok` has been seen to hang the runner here).
 * - No test reads the clock or compares elapsed time: a bound on wall-clock time fails on a busy machine
 *   and passes on a fast one whatever the code does. Speed is measured by `npm run bench`; a test that
 *   needs time to pass (a Retry-After wait) advances node:test's mocked clock instead.
 *
 * A third test runs both checks on a snippet of known violations, so that the checks themselves can fail.
 *
 * The test files (and the helper modules beside them) are parsed with the TypeScript compiler, so a call
 * spread over several lines counts like any other. test/fuzz judges its own findings and test/bench
 * measures rather than asserts; both are left out, as is test/audio/decode-bench.ts (a benchmark script
 * that decode.test.ts runs for its memory figure).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from './helpers/fixtures.js';

/** Where the message goes: the number of arguments a call needs for its message to be present. */
const MESSAGE_ARGUMENT: Record<string, number> = {
  ok: 2,
  equal: 3,
  notEqual: 3,
  strictEqual: 3,
  notStrictEqual: 3,
  deepEqual: 3,
  notDeepEqual: 3,
  deepStrictEqual: 3,
  notDeepStrictEqual: 3,
  partialDeepStrictEqual: 3,
  match: 3,
  doesNotMatch: 3,
  fail: 1,
};

/** The error-expecting calls: message 3rd after a matcher, or a string 2nd. */
const THROWING = new Set(['throws', 'rejects', 'doesNotThrow', 'doesNotReject']);

const SKIPPED = ['test/fuzz', 'test/bench', 'test/audio/decode-bench.ts'];

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIPPED.includes(relative(ROOT, path))) return [];
    return statSync(path).isDirectory() ? testFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The local names bound to node:assert in a file (`import assert from 'node:assert/strict'`, `{ strict as assert }`). */
function assertNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/^(node:)?assert(\/strict)?$/.test(statement.moduleSpecifier.text)) continue;
    const clause = statement.importClause;
    if (clause?.name) names.add(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        if (imported === 'strict' || imported === 'default') names.add(element.name.text);
      }
    }
  }
  return names;
}

interface Parsed {
  path: string;
  file: ts.SourceFile;
  names: Set<string>;
}

function parse(path: string, text: string): Parsed {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return { path, file, names: assertNames(file) };
}

/** Every test file, parsed once, with the names it binds to node:assert. */
const parsed = testFiles(join(ROOT, 'test')).map((path) => parse(relative(ROOT, path), readFileSync(path, 'utf8')));

/** `file:line` of a node, for the failure list. */
function where(path: string, file: ts.SourceFile, node: ts.Node): string {
  return `${path}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
}

const isString = (node: ts.Expression | undefined): boolean =>
  node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node));

/** Why a call lacks its message, or undefined when it has one (or is not an assertion). */
function missingMessage(call: ts.CallExpression, names: Set<string>): string | undefined {
  let method: string;
  if (ts.isIdentifier(call.expression) && names.has(call.expression.text)) method = 'ok';
  else if (ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression) && names.has(call.expression.expression.text)) {
    method = call.expression.name.text;
  } else return undefined;
  const args = call.arguments;
  if (args.some(ts.isSpreadElement)) return `assert.${method} with spread arguments (write the message out)`;
  if (THROWING.has(method)) {
    if (args.length >= 3 || (args.length === 2 && isString(args[1]))) return undefined;
    return `assert.${method} without a message (the 3rd argument after a matcher)`;
  }
  const needed = MESSAGE_ARGUMENT[method];
  if (needed === undefined) return `assert.${method}: unknown to this check (add it to MESSAGE_ARGUMENT)`;
  if (args.length < needed) return `assert.${method} without a message (argument ${needed})`;
  const message = args[needed - 1];
  if (ts.isStringLiteral(message) && message.text.trim() === '') return `assert.${method} with an empty message`;
  return undefined;
}

/** The assertions of a file that lack a message (`file:line: why`), and how many assertions it has. */
function messageFindings({ path, file, names }: Parsed): { missing: string[]; calls: number } {
  const missing: string[] = [];
  let calls = 0;
  if (names.size === 0) return { missing, calls };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const why = missingMessage(node, names);
      const isAssert = why !== undefined || (ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && names.has(node.expression.expression.text));
      if (isAssert) calls++;
      if (why) missing.push(`${where(path, file, node)}: ${why}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { missing, calls };
}

test('every assertion in the tests carries a message', () => {
  assert.ok(parsed.length > 50, `found the test files (${parsed.length})`);
  const missing: string[] = [];
  let calls = 0;
  for (const p of parsed) {
    const found = messageFindings(p);
    missing.push(...found.missing);
    calls += found.calls;
  }
  assert.ok(calls > 1000, `the check saw the assertions (${calls} calls)`);
  assert.deepEqual(missing, [], `${missing.length} assertions without a message:\n${missing.join('\n')}`);
});

/** Calls that read the wall clock: `Date.now()`, `performance.now()`, `process.hrtime()`, `process.hrtime.bigint()`, `process.uptime()`. */
const CLOCK_CALLS = new Set(['Date.now', 'performance.now', 'process.hrtime', 'process.hrtime.bigint', 'process.uptime']);

/** The files that may read the clock, and why: they stamp or schedule with it and assert nothing about elapsed time. */
const CLOCK_READERS: Record<string, string> = {
  'test/helpers/fakeSpotify.ts': 'stamps each request (`at`, `doneAt`); under t.mock.timers that is the mocked time',
  'test/corpus/sigkill.test.ts': 'draws its kill moments as fractions of how long an uninterrupted scan takes on this machine',
};

/**
 * Names that hold elapsed time in songscope's results and the test helpers: stage `timings`, a plot's
 * `renderMs`, the `elapsedMs` of a summary (`elapsed_ms` as written), `analysis_time` in an analysis's meta, a fetch outcome's `ms`,
 * and the fake Spotify's `at` / `doneAt` (when a request arrived and was answered). As properties (`x.ms`)
 * all count; as plain variables only the unambiguous ones (a local `ms` or `at` is often something else).
 */
const ELAPSED_PROPERTIES = new Set(['timings', 'renderMs', 'render_ms', 'elapsedMs', 'elapsed_ms', 'analysis_time', 'ms', 'at', 'doneAt']);
const ELAPSED_VARIABLES = new Set(['timings', 'renderMs', 'elapsedMs', 'elapsed']);

const ORDERING = new Set([ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken]);

/** The elapsed-time names an expression reads (a method call such as `xs.at(-1)` is not a read of `at`). */
function elapsedNames(node: ts.Node): string[] {
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && ELAPSED_PROPERTIES.has(n.name.text) && !(ts.isCallExpression(n.parent) && n.parent.expression === n)) found.push(n.name.text);
    else if (ts.isIdentifier(n) && ELAPSED_VARIABLES.has(n.text) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** The clock reads and elapsed-time comparisons of a file (`file:line: what`). */
function clockFindings({ path, file }: Parsed): string[] {
  const found: string[] = [];
  const mayReadClock = path in CLOCK_READERS;
  const visit = (node: ts.Node): void => {
    if (!mayReadClock && ts.isCallExpression(node) && CLOCK_CALLS.has(node.expression.getText(file))) {
      found.push(`${where(path, file, node)}: reads the clock (${node.expression.getText(file)}())`);
    }
    if (!mayReadClock && ts.isCallExpression(node) && node.expression.getText(file) === 'Date') {
      found.push(`${where(path, file, node)}: reads the clock (Date())`);
    }
    if (!mayReadClock && ts.isNewExpression(node) && node.expression.getText(file) === 'Date' && (node.arguments?.length ?? 0) === 0) {
      found.push(`${where(path, file, node)}: reads the clock (new Date())`);
    }
    if (ts.isBinaryExpression(node) && ORDERING.has(node.operatorToken.kind)) {
      const names = elapsedNames(node);
      if (names.length > 0) found.push(`${where(path, file, node)}: compares elapsed time (${names.join(', ')}): ${node.getText(file).slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test('no test reads the clock or compares elapsed time', () => {
  const found = parsed.flatMap(clockFindings);
  assert.deepEqual(found, [], `${found.length} clock reads or elapsed-time comparisons in the tests:\n${found.join('\n')}`);
});

test('the checks find what they are for (known-bad snippets)', () => {
  const bad = parse(
    'test/x.test.ts',
    [
      "import assert from 'node:assert/strict';",
      "import { strict as check } from 'node:assert';",
      'assert.ok(x);',
      'assert(x);',
      'assert.equal(a,',
      '  b);',
      "assert.deepEqual(a, b, '');",
      'assert.throws(() => f(), /boom/);',
      'check.match(s, /x/);',
      "assert.ok(y, 'y is set');",
      "assert.throws(() => f(), 'f throws');",
      "assert.rejects(p, { code: 'E' }, 'p rejects with E');",
      'const t0 = performance.now();',
      'const now = Date.now(), today = new Date(), stamp = Date();',
      "const old = new Date('2020-01-01');",
      'if (r.timings.total < 5000) {}',
      'if (b.doneAt - a.at >= 950) {}',
      'if (xs.at(-1) > 3) {}',
    ].join('\n'),
  );
  assert.deepEqual(
    messageFindings(bad).missing,
    [
      'test/x.test.ts:3: assert.ok without a message (argument 2)',
      'test/x.test.ts:4: assert.ok without a message (argument 2)',
      'test/x.test.ts:5: assert.equal without a message (argument 3)',
      'test/x.test.ts:7: assert.deepEqual with an empty message',
      'test/x.test.ts:8: assert.throws without a message (the 3rd argument after a matcher)',
      'test/x.test.ts:9: assert.match without a message (argument 3)',
    ],
    'the assertions without a message, under either import, a call over two lines included',
  );
  assert.deepEqual(
    clockFindings(bad),
    [
      'test/x.test.ts:13: reads the clock (performance.now())',
      'test/x.test.ts:14: reads the clock (Date.now())',
      'test/x.test.ts:14: reads the clock (new Date())',
      'test/x.test.ts:14: reads the clock (Date())',
      'test/x.test.ts:16: compares elapsed time (timings): r.timings.total < 5000',
      'test/x.test.ts:17: compares elapsed time (doneAt, at): b.doneAt - a.at >= 950',
    ],
    'the clock reads and the comparisons of elapsed time; a fixed date and xs.at(-1) are neither',
  );
});
