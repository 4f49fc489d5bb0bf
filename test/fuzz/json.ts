/**
 * Damaged analysis JSON: deleted keys, wrong types, NaN/Infinity/huge/negative numbers, truncation at
 * structural boundaries and anywhere, BOMs and other encodings, deep nesting, 50 MB arrays, non-object
 * top levels, and more — each applied to one of the real analyses (Spotify, Echo Nest, songscope's own
 * output, a cache entry) and run through `fetch`, `analyze`, `features` or `correlate`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANALYSIS_MIX, trackInvocation, type TrackCommand } from './commands.js';
import type { Corpus, JsonBase } from './corpus.js';
import type { CaseSpec, Generator, Rng } from './types.js';

type Path = (string | number)[];
type Json = unknown;

/** A placeholder that serialisation turns into raw text (NaN, Infinity, deep nesting, 50 MB arrays). */
const TOKEN = '\u0000fuzz-raw\u0000';

interface Mutated {
  /** The document: a value to serialise (with TOKEN standing for `raw`), or finished text/bytes. */
  value?: Json;
  raw?: string;
  text?: string;
  bytes?: Uint8Array;
  what: string;
  /** Inputs big enough to need a larger budget. */
  big?: boolean;
  /** A valid track just under the 3-hour limit: a 2.2 GB matrix, a 2.3 GB Arrow file. */
  long?: boolean;
}

type Mutator = (rng: Rng, base: JsonBase) => Mutated;

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === 'object' && v !== null;

/** A random path into `value`: a random walk that stops at a leaf or, past the root, with probability `stop`. */
function randomPath(rng: Rng, value: Json, stop = 0.3): Path {
  const path: Path = [];
  let v = value;
  while (isContainer(v)) {
    const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    if (keys.length === 0 || (path.length > 0 && rng.chance(stop))) break;
    // arrays: the first and last element half the time (edges are where parsers slip), else any
    const k = Array.isArray(v) && rng.chance(0.5) ? rng.pick([0, v.length - 1]) : rng.pick(keys);
    path.push(k);
    v = (v as Record<string | number, unknown>)[k];
  }
  return path;
}

/** A path that ends at a number (retrying the walk; undefined when none was found). */
function numberPath(rng: Rng, value: Json): Path | undefined {
  for (let t = 0; t < 50; t++) {
    const p = randomPath(rng, value, 0);
    if (typeof getAt(value, p) === 'number') return p;
  }
  return undefined;
}

function getAt(value: Json, path: Path): Json {
  let v = value;
  for (const k of path) v = (v as Record<string | number, unknown>)?.[k];
  return v;
}

/** `value` with the node at `path` replaced by `f(old)` (or deleted when `f` returns `DELETE`); copies only along the path. */
const DELETE = Symbol('delete');
function setAt(value: Json, path: Path, f: (old: Json) => Json | typeof DELETE): Json {
  if (path.length === 0) {
    const r = f(value);
    return r === DELETE ? undefined : r;
  }
  const [k, ...rest] = path;
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as object) };
  if (rest.length === 0) {
    const r = f((copy as Record<string | number, unknown>)[k]);
    if (r === DELETE) {
      if (Array.isArray(copy)) copy.splice(k as number, 1);
      else delete (copy as Record<string, unknown>)[k as string];
    } else (copy as Record<string | number, unknown>)[k] = r;
  } else {
    (copy as Record<string | number, unknown>)[k] = setAt((copy as Record<string | number, unknown>)[k], rest, f);
  }
  return copy;
}

const where = (path: Path) => (path.length ? path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '') : '(top level)');

const EVENT_LISTS = ['bars', 'beats', 'tatums', 'sections', 'segments'] as const;

/** The analysis object inside a base (wrappers hold it under `analysis`), and the path to it. */
function analysisPath(base: JsonBase): Path {
  const v = base.value as Record<string, unknown>;
  return v && typeof v === 'object' && 'analysis' in v && !('segments' in v) ? ['analysis'] : [];
}

const SPECIAL_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '1.7976931348623157e308', '-1.7976931348623157e308', '5e-324', '-0', '9007199254740993', '1e21', '-1e21', '0x10', '.5', '1.', '+1', '01', '1e', '--1'];
const HUGE_NUMBERS = [1e15, 1e100, 2 ** 31, 2 ** 32, 2 ** 53, 4294967295, 1e9, 86_400, 10_801, 3 * 3600 - 1];
const WRONG_VALUES: readonly Json[] = [null, true, false, '', '0.5', 'abc', [], {}, [1, 2, 3], { start: 0 }, 0, -1, [[]], [null]];

const MUTATORS: Record<string, Mutator> = {
  'delete-key': (rng, base) => {
    const path = randomPath(rng, base.value, 0.4);
    if (path.length === 0) return { value: {}, what: 'every key deleted' };
    return { value: setAt(base.value, path, () => DELETE), what: `deleted ${where(path)}` };
  },
  'wrong-type': (rng, base) => {
    const path = randomPath(rng, base.value, 0.35);
    const replacement = rng.pick(WRONG_VALUES);
    return { value: setAt(base.value, path, () => replacement), what: `${where(path)} replaced by ${JSON.stringify(replacement)}` };
  },
  'special-number': (rng, base) => {
    const path = numberPath(rng, base.value) ?? ['track', 'duration'];
    const raw = rng.pick(SPECIAL_NUMBERS);
    return { value: setAt(base.value, path, () => TOKEN), raw, what: `${where(path)} = ${raw} (raw text)` };
  },
  'negative-number': (rng, base) => {
    const path = numberPath(rng, base.value) ?? ['track', 'duration'];
    const old = getAt(base.value, path) as number;
    const v = old === 0 ? -rng.pick([1, 1e-9, 1e9]) : -Math.abs(old) * rng.pick([1, 1000]);
    return { value: setAt(base.value, path, () => v), what: `${where(path)} = ${v}` };
  },
  'huge-number': (rng, base) => {
    const path = numberPath(rng, base.value) ?? ['track', 'duration'];
    const v = rng.pick(HUGE_NUMBERS) * rng.pick([1, -1, 1]);
    return { value: setAt(base.value, path, () => v), what: `${where(path)} = ${v}` };
  },
  'time-extremes': (rng, base) => {
    const a = analysisPath(base);
    const choice = rng.int(7);
    const dur = rng.pick([0, 1e-9, 0.0005, 3 * 3600 + 1, 1e9, 1e12, 86_400]);
    switch (choice) {
      case 0:
        return { value: setAt(base.value, [...a, 'track', 'duration'], () => dur), what: `track.duration = ${dur}` };
      case 1: {
        const list = rng.pick(EVENT_LISTS);
        const start = rng.pick([1e6, 1e300, 3 * 3600, -5, 219.49]);
        return { value: setAt(base.value, [...a, list, 0, 'start'], () => start), what: `${list}[0].start = ${start}` };
      }
      case 2: {
        const list = rng.pick(EVENT_LISTS);
        const d = rng.pick([1e9, -1, 0, 1e300]);
        return { value: setAt(base.value, [...a, list, 0, 'duration'], () => d), what: `${list}[0].duration = ${d}` };
      }
      case 3: {
        const list = rng.pick(EVENT_LISTS);
        const v = setAt(base.value, [...a, list], (old) => (Array.isArray(old) ? old.map((e) => ({ ...(e as object), start: 1 })) : old));
        return { value: v, what: `every ${list} event starts at 1 s` };
      }
      case 4: {
        const v = setAt(base.value, [...a, 'track', 'duration'], () => 3 * 3600 - 1);
        return { value: v, what: 'track.duration = 10,799 s (just under the 3-hour limit)', big: true, long: true };
      }
      case 5: {
        const v = setAt(base.value, [...a, 'segments'], (old) => (Array.isArray(old) ? old.map((e, i) => ({ ...(e as object), start: i * 1e-7 })) : old));
        return { value: v, what: 'all segments within the first 0.1 ms' };
      }
      default: {
        const v = setAt(base.value, [...a, 'track', 'duration'], () => dur);
        return { value: setAt(v, [...a, 'segments', 0, 'start'], () => dur * 2), what: `track.duration = ${dur}, segments[0].start = ${dur * 2}` };
      }
    }
  },
  'truncate-structural': (rng, base) => {
    const text = rng.chance(0.3) ? JSON.stringify(base.value, null, 2) : base.text;
    // a structural boundary: just after one of { } [ ] , : (every one equally likely)
    const boundaries: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x2c || c === 0x3a) boundaries.push(i + 1);
    }
    const at = rng.chance(0.1) ? rng.pick([0, 1, text.length - 1]) : rng.pick(boundaries);
    return { text: text.slice(0, at), what: `truncated after byte ${at} of ${text.length} ("${text.slice(Math.max(0, at - 12), at).replace(/\s+/g, ' ')}")` };
  },
  'truncate-anywhere': (rng, base) => {
    const bytes = Buffer.from(base.text, 'utf8');
    const at = rng.int(bytes.length);
    return { bytes: bytes.subarray(0, at), what: `truncated at byte ${at} of ${bytes.length}` };
  },
  bom: (rng, base) => {
    const kind = rng.int(6);
    const utf8 = Buffer.from(base.text, 'utf8');
    const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
    switch (kind) {
      case 0:
        return { bytes: Buffer.concat([BOM, utf8]), what: 'UTF-8 BOM before the JSON' };
      case 1:
        return { bytes: Buffer.concat([BOM, Buffer.from('\n  \t'), utf8]), what: 'UTF-8 BOM, then whitespace, then the JSON' };
      case 2:
        return { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base.text, 'utf16le')]), what: 'UTF-16 LE with BOM' };
      case 3: {
        const le = Buffer.from(base.text, 'utf16le');
        const be = Buffer.alloc(le.length);
        for (let i = 0; i + 1 < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1], le[i]];
        return { bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), be]), what: 'UTF-16 BE with BOM' };
      }
      case 4:
        return { bytes: Buffer.concat([BOM, BOM, utf8]), what: 'two UTF-8 BOMs before the JSON' };
      default: {
        const at = base.text.indexOf(',', rng.int(base.text.length));
        const cut = at < 0 ? 1 : at + 1;
        return { bytes: Buffer.concat([utf8.subarray(0, cut), BOM, utf8.subarray(cut)]), what: `UTF-8 BOM inside the JSON after byte ${cut}` };
      }
    }
  },
  'deep-nesting': (rng, base) => {
    const depth = rng.pick([1_000, 5_000, 10_000, 100_000, 1_000_000]);
    const open = rng.chance(0.5) ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    const raw = open.repeat(depth) + '0' + close.repeat(depth);
    if (rng.chance(0.25)) return { text: raw, what: `top level nested ${depth} deep (${open})` };
    const path = randomPath(rng, base.value, 0.3);
    return { value: setAt(base.value, path, () => TOKEN), raw, what: `${where(path)} replaced by ${depth} nested ${open === '[' ? 'arrays' : 'objects'}` };
  },
  'top-level': (rng, base) => {
    const texts = ['null', 'true', '0', '"analysis"', '[]', '[{}]', `[${base.text}]`, '{}', '{"analysis":null}', '{"analysis":{}}', '{"track":null,"segments":null}', 'null\n', ' ', ''];
    const text = rng.pick(texts);
    return { text, what: `the whole file is ${JSON.stringify(text.length > 40 ? text.slice(0, 20) + '…' : text)}` };
  },
  'empty-lists': (rng, base) => {
    const a = analysisPath(base);
    const lists = rng.chance(0.4) ? [...EVENT_LISTS] : [rng.pick(EVENT_LISTS)];
    let v = base.value;
    for (const l of lists) v = setAt(v, [...a, l], () => []);
    return { value: v, what: `${lists.join(', ')} = []` };
  },
  'shuffled-events': (rng, base) => {
    const a = analysisPath(base);
    const list = rng.pick(EVENT_LISTS);
    const v = setAt(base.value, [...a, list], (old) => {
      if (!Array.isArray(old)) return old;
      const c = [...old];
      for (let i = c.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [c[i], c[j]] = [c[j], c[i]];
      }
      return c;
    });
    return { value: v, what: `${list} shuffled out of time order` };
  },
  'vector-length': (rng, base) => {
    const a = analysisPath(base);
    const which = rng.pick(['pitches', 'timbre']);
    const n = rng.pick([0, 1, 11, 13, 24, 1000]);
    const list = getAt(base.value, [...a, 'segments']);
    const i = Array.isArray(list) && list.length ? rng.pick([0, list.length - 1, rng.int(list.length)]) : 0;
    return { value: setAt(base.value, [...a, 'segments', i, which], () => Array.from({ length: n }, (_, k) => k / 10)), what: `segments[${i}].${which} has ${n} values` };
  },
  'string-numbers': (rng, base) => {
    let v = base.value;
    const paths: string[] = [];
    for (let k = rng.range(1, 3); k > 0; k--) {
      const p = numberPath(rng, v);
      if (!p) break;
      v = setAt(v, p, (old) => String(old));
      paths.push(where(p));
    }
    return { value: v, what: `numbers as strings at ${paths.join(', ')}` };
  },
  'bit-flips': (rng, base) => {
    const bytes = Buffer.from(base.text, 'utf8');
    const n = rng.range(1, 16);
    const at: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = rng.int(bytes.length);
      bytes[i] ^= 1 << rng.int(8);
      at.push(i);
    }
    return { bytes, what: `${n} bit flips at bytes ${at.slice(0, 6).join(', ')}${n > 6 ? ', …' : ''}` };
  },
  'big-array': (rng, base) => {
    const a = analysisPath(base);
    const kind = rng.int(4);
    const target = 50 * 1024 * 1024;
    if (kind === 0) {
      const item = '0.123456789,';
      const raw = '[' + item.repeat(Math.floor(target / item.length)) + '0]';
      return { value: setAt(base.value, [...a, 'fuzz_junk'], () => TOKEN), raw, what: 'a 50 MB array of numbers under an unknown key', big: true };
    }
    if (kind === 1) {
      // valid segments spread over the track: 50 MB of real-looking events
      const segs = getAt(base.value, [...a, 'segments']) as Record<string, unknown>[] | undefined;
      const duration = Number(getAt(base.value, [...a, 'track', 'duration'])) || 200;
      const seg = JSON.stringify(Array.isArray(segs) && segs.length ? segs[Math.floor(segs.length / 2)] : { start: 0, duration: 0.1, confidence: 0.5, loudness_start: -20, loudness_max: -10, loudness_max_time: 0.05, pitches: Array(12).fill(0.5), timbre: Array(12).fill(1) });
      const n = Math.floor(target / (seg.length + 1));
      const step = duration / n;
      const parts: string[] = [];
      for (let i = 0; i < n; i++) parts.push(seg.replace(/"start":[^,}]+/, `"start":${(i * step).toFixed(6)}`).replace(/"duration":[^,}]+/, `"duration":${step.toFixed(7)}`));
      return { value: setAt(base.value, [...a, 'segments'], () => TOKEN), raw: '[' + parts.join(',') + ']', what: `segments = ${n.toLocaleString('en-US')} valid segments (50 MB)`, big: true };
    }
    if (kind === 2) {
      const raw = '[' + '0.5,'.repeat(Math.floor(target / 4)) + '0.5]';
      return { value: setAt(base.value, [...a, 'segments', 0, 'pitches'], () => TOKEN), raw, what: 'segments[0].pitches holds 13 million numbers (50 MB)', big: true };
    }
    const raw = JSON.stringify('x'.repeat(target));
    return { value: setAt(base.value, [...a, 'meta', 'title'], () => TOKEN), raw, what: 'meta.title is a 50 MB string', big: true };
  },
  'odd-strings': (rng, base) => {
    const raws = ['"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', '"\\u202e\\u0301"', '"😀"', `"${'\\\\'.repeat(1000)}"`, '"\\x41"', "'single'", '"tab\there"'];
    const raw = rng.pick(raws);
    const path = rng.chance(0.5) ? randomPath(rng, base.value, 0.3) : [...analysisPath(base), 'meta', rng.pick(['title', 'artist', 'analyzer_version'])];
    return { value: setAt(base.value, path, () => TOKEN), raw, what: `${where(path)} = ${raw.slice(0, 30)}` };
  },
  'duplicate-keys': (rng, base) => {
    const key = rng.pick(['"track":', '"segments":', '"duration":', '"start":']);
    const replacement = rng.pick(['null', '[]', '"x"', '-1']);
    const i = base.text.indexOf(key);
    if (i < 0) return { text: base.text, what: 'unchanged (no key to duplicate)' };
    const text = base.text.slice(0, i) + key + replacement + ',' + base.text.slice(i);
    return { text, what: `${key} appears twice, the first ${replacement}` };
  },
  'odd-keys': (rng, base) => {
    const key = rng.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '']);
    const value = rng.pick(['{"segments":[]}', 'null', '{"track":{"duration":-1}}', '1']);
    const target = rng.pick([[], [...analysisPath(base), 'track'], [...analysisPath(base), 'segments', 0]]);
    const raw = `{"${key}":${value}}`;
    // merge by text: insert the key as the first member of the target object
    const v = setAt(base.value, target, (old) => (isContainer(old) && !Array.isArray(old) ? { [TOKEN]: 1, ...old } : old));
    const text = JSON.stringify(v).replace(`"${TOKEN}":1`, raw.slice(1, -1));
    return { text, what: `"${key}": ${value} added to ${where(target)}` };
  },
  'json-syntax': (rng, base) => {
    const kind = rng.int(6);
    const t = base.text;
    if (kind === 0) return { text: t + rng.pick([' x', '}', ']', '{}', '\u0000', ',']), what: 'trailing text after the JSON' };
    if (kind === 1) return { text: t.replace(/\]/, ',]'), what: 'a trailing comma in an array' };
    if (kind === 2) return { text: '// comment\n' + t, what: 'a // comment before the JSON' };
    if (kind === 3) return { text: t.replace(/"/g, "'"), what: 'single quotes everywhere' };
    if (kind === 4) return { text: ' '.repeat(rng.pick([1e5, 5e6])) + t, what: 'megabytes of leading whitespace' };
    return { text: t + '\n' + t, what: 'two JSON documents, one after the other' };
  },
  'enum-ranges': (rng, base) => {
    const a = analysisPath(base);
    const field = rng.pick(['key', 'mode', 'time_signature', 'tempo', 'loudness', 'key_confidence', 'analysis_sample_rate', 'num_samples']);
    const v = rng.pick([-1, 12, 99, 2, 0, 1e6, -1e6, 0.5]);
    return { value: setAt(base.value, [...a, 'track', field], () => v), what: `track.${field} = ${v}` };
  },
  'wrapped': (rng, base) => {
    const inner = MUTATORS[rng.pick(['delete-key', 'wrong-type', 'huge-number', 'empty-lists'])](rng, base);
    const wrapper = rng.pick(['analysis', 'songscope_cache', 'double']);
    if (inner.value === undefined) return inner;
    const v =
      wrapper === 'analysis'
        ? { analysis: inner.value }
        : wrapper === 'double'
          ? { analysis: { analysis: inner.value } }
          : { songscope_cache: rng.pick([1, 2, '1', null]), track: rng.pick([{ id: 1 }, null, { id: 'x', name: 'y', artists: 'z' }]), analysis: inner.value };
    return { value: v, what: `${inner.what}, wrapped as ${wrapper}` };
  },
  combined: (rng, base) => {
    const names = ['delete-key', 'wrong-type', 'special-number', 'negative-number', 'huge-number', 'vector-length', 'empty-lists', 'shuffled-events', 'string-numbers'];
    let current: JsonBase = base;
    const whats: string[] = [];
    for (let k = rng.range(2, 4); k > 0; k--) {
      const m = MUTATORS[rng.pick(names)](rng, current);
      if (m.value === undefined || m.raw !== undefined) continue;
      current = { name: base.name, value: m.value, text: '' };
      whats.push(m.what);
    }
    return { value: current.value, what: whats.join('; ') || 'unchanged' };
  },
};

export const JSON_MUTATORS = Object.keys(MUTATORS);

function serialise(m: Mutated, rng: Rng): Uint8Array | string {
  if (m.bytes) return m.bytes;
  if (m.text !== undefined) return m.text;
  const text = rng.chance(0.2) ? JSON.stringify(m.value, null, 1) : JSON.stringify(m.value);
  if (text === undefined) return '';
  return m.raw === undefined ? text : text.replace(JSON.stringify(TOKEN), () => m.raw!);
}

/** Case `index`: mutator `index mod n`, base and command from the case's seed. */
export const jsonGenerator: Generator = (rng, index, corpus: Corpus): CaseSpec => {
  const kind = JSON_MUTATORS[index % JSON_MUTATORS.length];
  // the excerpt is cheap to analyse, so it is the base of most cases; the full fixtures the rest
  const base = rng.weighted(corpus.json.map((b) => [b.name === 'excerpt' ? 8 : b.name === 'psy' || b.name === 'own' ? 2 : 1.5, b] as const));
  const m = MUTATORS[kind](rng, base);
  let cmd: TrackCommand = rng.weighted(ANALYSIS_MIX);
  // full-size rendering is slow and tells nothing the cheaper commands do not: only on the excerpt
  if (cmd === 'analyze-render' && base.name !== 'excerpt') cmd = 'analyze';
  // 50 MB inputs: parsing and validating them is the point; the matrix of one in three is built too.
  // A 3-hour track: its matrix (analyze) or its 2.3 GB Arrow file (features), which must read back.
  if (m.long) cmd = rng.chance(0.5) ? 'features-arrow' : 'analyze';
  else if (m.big) cmd = rng.chance(0.33) ? 'analyze' : 'fetch';
  const name = rng.chance(0.05) ? `${base.name} ünïcode & space.json` : `${base.name}.json`;
  return {
    kind,
    what: `${base.name}: ${m.what}`,
    heavy: m.big,
    async prepare(dirs) {
      const input = join(dirs.input, name);
      await writeFile(input, serialise(m, rng));
      // 50 MB inputs: JSON.parse alone holds several hundred MB (3 GB allows for the parse, the validated
      // copy and the matrix of 200,000 segments); a track near 3 hours builds a 2.2 GB matrix (8 GB: it and
      // the z-scored copy, or the Arrow writer's buffers)
      const budget = m.long ? { timeoutMs: 240_000, memMb: 8192 } : m.big ? { timeoutMs: 120_000, memMb: 3072 } : undefined;
      return trackInvocation(cmd, input, dirs, { rng, budget });
    },
  };
};

/** The mutators that keep inputs small (no 50 MB arrays, no 3-hour tracks): for damage inside other families. */
const SMALL_KINDS = JSON_MUTATORS.filter((k) => k !== 'big-array' && k !== 'time-extremes' && k !== 'deep-nesting' && k !== 'json-syntax');

/** One small mutation of `base` (any JSON document), as bytes, for the other families (fixtures, cache, manifests). */
export function mutateJson(rng: Rng, base: JsonBase, kinds: readonly string[] = SMALL_KINDS): { bytes: Uint8Array | string; what: string } {
  const kind = rng.pick(kinds);
  const m = MUTATORS[kind](rng, base);
  return { bytes: serialise(m, rng), what: `${kind}: ${m.what}` };
}

/** A JSON base for any parsed document. */
export function jsonBase(name: string, value: unknown): JsonBase {
  return { name, value, text: JSON.stringify(value) };
}
