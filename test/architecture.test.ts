/**
 * The layout is a pipeline and imports flow one way: a stage may import from the stages before it and
 * from itself, never from a stage after it (README, "Library").
 *
 *   errors, limits, version → util → analysis → audio, synth → sources → matrix → transforms →
 *   evaluate, shape → plots → corpus → jobs → report → cli → index
 *
 * analysis/ holds the schema every stage speaks; audio/ and sources/ produce analyses (sources may call
 * the audio analyzer, never the other way round). Type-only imports count too: a stage that names a later
 * stage's types depends on it.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/fixtures.js';

/** The rank of each stage (a top-level folder or file of src/). */
const RANK: Record<string, number> = {
  'errors.ts': 0,
  'limits.ts': 0,
  'version.ts': 0,
  util: 1,
  analysis: 2,
  audio: 3,
  vendor: 3,
  synth: 3,
  sources: 4,
  matrix: 5,
  transforms: 6,
  evaluate: 7,
  shape: 7,
  plots: 8,
  corpus: 9,
  jobs: 10,
  report: 11,
  cli: 12,
  'index.ts': 13,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const stageOf = (srcRelative: string): string => srcRelative.split('/')[0];

test('imports flow one way through the pipeline stages', () => {
  const src = join(ROOT, 'src');
  const violations: string[] = [];
  const unknown = new Set<string>();
  for (const file of sourceFiles(src)) {
    const from = stageOf(relative(src, file));
    if (from === 'vendor') continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(file), m[1]));
      const to = stageOf(relative(src, target).replace(/\.js$/, '.ts'));
      if (!(from in RANK)) unknown.add(from);
      if (!(to in RANK)) unknown.add(to);
      if (from !== to && RANK[to] > RANK[from]) {
        const line = text.slice(0, m.index).split('\n').length;
        violations.push(`${relative(ROOT, file)}:${line}: ${from} imports ${to} (${m[1]})`);
      }
    }
  }
  assert.deepEqual([...unknown], [], 'every stage has a place in the order (add new folders to RANK and to the README)');
  assert.deepEqual(violations, [], `imports against the flow:\n${violations.join('\n')}`);
});
