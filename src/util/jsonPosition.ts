/**
 * Where is the syntax error in this JSON text? V8's messages only sometimes carry a position, so this
 * small scanner walks the JSON grammar (RFC 8259) and returns the offset of the first offending
 * character, for "line L, column C" in error messages. {@link parseJson} uses it for every JSON input
 * songscope reads from disk or stdin (analysis files, recorded fixtures).
 */
import { inputError, messages } from '../errors.js';
import { MAX_JSON_DEPTH } from '../limits.js';

/** Offset of the first JSON syntax error in `text`, or -1 when the text is valid JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  class Stop {
    constructor(readonly at: number) {}
  }
  const fail = (at = i): never => {
    throw new Stop(at);
  };
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) fail(i + k);
    i += word.length;
  };
  const digits = () => {
    const start = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') i++;
    if (i === start) fail();
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i + 2);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(i + 1);
      } else i++;
    }
    fail(n);
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    fail();
  };
  try {
    value();
    ws();
    if (i < n) fail();
    return -1;
  } catch (e) {
    if (e instanceof Stop) return Math.min(e.at, n);
    throw e;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Offset of the first `[` or `{` that opens a level deeper than `maxDepth` (outside strings), or -1 when
 * the nesting stays within it. One iterative pass, whatever the depth; the text need not be valid JSON.
 */
export function jsonDepthOffset(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/**
 * Whether a parsed JSON value nests arrays and objects deeper than `maxDepth` (the value itself is level 1
 * when it is an array or object). One iterative walk, so a value nested 100,000 deep is measured, not
 * recursed into; on an analysis it costs about a quarter of a character scan of its text.
 */
export function jsonValueTooDeep(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (e !== null && typeof e === 'object') {
          values.push(e);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in v) {
        const e: unknown = (v as Record<string, unknown>)[key];
        if (e !== null && typeof e === 'object') {
          values.push(e);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** The one-line error for text nested deeper than {@link MAX_JSON_DEPTH}, naming where. */
function tooDeepError(text: string, label: string, offset: number): Error {
  const { line, column } = lineColumn(text, offset);
  return inputError(messages.jsonTooDeep(label, MAX_JSON_DEPTH, line, column));
}

/**
 * Parse JSON text, turning a syntax error into one line naming `label` with the line and column
 * (exit code 2). A leading byte-order mark is skipped; nesting deeper than {@link MAX_JSON_DEPTH} is
 * refused (exit code 2, naming the limit and where), so no recursive step ever meets it. V8's
 * `JSON.parse` is iterative (any depth parses), so the depth is checked on the parsed value, which is
 * cheaper than scanning the text first; the text is scanned only to say where, and before a syntax error
 * (a text both too deep and broken is refused for its depth, as it always was).
 */
export function parseJson(text: string, label: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const tooDeep = jsonDepthOffset(text, MAX_JSON_DEPTH);
    if (tooDeep >= 0) throw tooDeepError(text, label, tooDeep);
    if (text.trim() === '') throw inputError(messages.notJson(label, 'the input is empty'));
    const offset = jsonErrorOffset(text);
    if (offset < 0) throw e; // JSON.parse failed on text the grammar accepts: not a syntax problem
    const { line, column } = lineColumn(text, offset);
    const found = offset >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[offset])}`;
    throw inputError(messages.notJson(label, `${found} at line ${line}, column ${column}`));
  }
  if (jsonValueTooDeep(value, MAX_JSON_DEPTH)) throw tooDeepError(text, label, jsonDepthOffset(text, MAX_JSON_DEPTH));
  return value;
}
