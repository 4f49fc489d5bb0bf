/**
 * The fuzz suite: which families exist, how a run's cases are numbered (`family-NNNN`, with the run's
 * seed), how many of each family a run of `count` cases has, and the summary table.
 */
import { AUDIO_MUTATORS, audioGenerator } from './audio.js';
import { CONTAINER_MUTATORS, containersGenerator } from './containers.js';
import type { Corpus } from './corpus.js';
import { INVOCATION_MUTATORS, invocationsGenerator } from './invocations.js';
import { JSON_MUTATORS, jsonGenerator } from './json.js';
import type { CaseResult } from './runner.js';
import { FAMILIES, Rng, type Family, type FuzzCase, type Generator } from './types.js';

export const GENERATORS: Record<Family, Generator> = {
  json: jsonGenerator,
  audio: audioGenerator,
  containers: containersGenerator,
  invocations: invocationsGenerator,
};

/** Share of a run's cases per family (json is the cheapest and the richest in mutations). */
export const FAMILY_SHARE: Record<Family, number> = { json: 0.4, audio: 0.3, containers: 0.18, invocations: 0.12 };

/** The stable id of case `index` of `family`. */
export const caseId = (family: Family, index: number) => `${family}-${String(index).padStart(4, '0')}`;

/** Parse `json-0412` into its family and index. */
export function parseCaseId(id: string): { family: Family; index: number } {
  const m = /^([a-z]+)-(\d+)$/.exec(id);
  if (!m || !(FAMILIES as readonly string[]).includes(m[1])) throw new Error(`not a case id: ${id} (expected e.g. json-0412; families: ${FAMILIES.join(', ')})`);
  return { family: m[1] as Family, index: Number(m[2]) };
}

/** Case `index` of `family` in a run seeded `seed`: the same every time, whatever else the run holds. */
export function makeCase(family: Family, index: number, seed: number, corpus: Corpus): FuzzCase {
  const spec = GENERATORS[family](Rng.forCase(seed, family, index), index, corpus);
  return { ...spec, id: caseId(family, index), family, index, seed };
}

/** The seed of the `npm test` slice. */
export const SLICE_SEED = 0;

/**
 * Cases of the full run (seed 0) that the first-of-each-mutator slice does not reach, one for each defect
 * the full run found, so that each fix has a regression case in `npm test`.
 */
export const PINNED_CASES: readonly string[] = [
  'invocations-0094', // D1: fetch -o /proc/self/… exits 0, nothing written
  'audio-0583', // D3: a WAV of 2 Hz hangs
  'audio-0046', // D4: FLAC bit flips, "memory access out of bounds"
  'json-0080', // D5: a BOM in JSON, internal error
  'json-0345', // D6: nesting 100,000 deep, stack overflow
  'containers-0126', // D7: a damaged cache entry under --offline
  'containers-0060', // N1: a damaged Arrow record-batch header, apache-arrow loops
  'audio-0443', // N7: an Ogg Vorbis of 7 Hz hangs
  'audio-0313', // N8: bit flips in Ogg page headers, "Invalid typed array length"
  'audio-0105', // N9: zeroed Ogg page headers lose audio silently
  'containers-0061', // N10: a zeroed Arrow footer, "Cannot read properties of null"
  'containers-0351', // N11: CSV rows out of time order, reduce: "Invalid typed array length: -5"
];

/**
 * The `npm test` slice: indices 0 … n−1 of each family, which take each of its n mutators once (mutators go
 * round-robin by index), at {@link SLICE_SEED}, without the heavy cases (50 MB inputs, 3-hour tracks), and
 * the {@link PINNED_CASES}.
 */
export function sliceCases(corpus: Corpus): FuzzCase[] {
  const mutators: Record<Family, number> = {
    json: JSON_MUTATORS.length,
    audio: AUDIO_MUTATORS.length,
    containers: CONTAINER_MUTATORS.length,
    invocations: INVOCATION_MUTATORS.length,
  };
  const first = FAMILIES.flatMap((f) => Array.from({ length: mutators[f] }, (_, i) => makeCase(f, i, SLICE_SEED, corpus)).filter((c) => !c.heavy));
  const pinned = PINNED_CASES.map((id) => parseCaseId(id)).map(({ family, index }) => makeCase(family, index, SLICE_SEED, corpus));
  return [...first, ...pinned.filter((c) => !first.some((f) => f.id === c.id))];
}

/** How many cases of each family a run of `count` cases has (only `families` when given). */
export function familyCounts(count: number, families: readonly Family[] = FAMILIES): Record<Family, number> {
  const total = families.reduce((s, f) => s + FAMILY_SHARE[f], 0);
  const out = Object.fromEntries(FAMILIES.map((f) => [f, 0])) as Record<Family, number>;
  let left = count;
  families.forEach((f, i) => {
    out[f] = i === families.length - 1 ? left : Math.round((count * FAMILY_SHARE[f]) / total);
    left -= out[f];
  });
  return out;
}

/** The summary table: per family, cases, clean, mismatched, hung (and skipped when any). */
export function summaryTable(results: readonly CaseResult[]): string {
  const rows = [...FAMILIES, 'total'].map((f) => {
    const rs = f === 'total' ? results : results.filter((r) => r.family === f);
    const n = (s: string) => rs.filter((r) => r.status === s).length;
    const peak = Math.max(0, ...rs.map((r) => r.rssMb ?? 0));
    const slowest = Math.max(0, ...rs.map((r) => r.ms));
    const cpu = rs.reduce((s, r) => s + (r.cpuS ?? 0), 0);
    return [f, rs.length, n('clean'), n('mismatch'), n('hung'), n('skipped'), `${Math.round(peak)} MB`, `${(slowest / 1000).toFixed(1)} s`, `${Math.round(cpu)} s`];
  });
  const head = ['family', 'cases', 'clean', 'mismatched', 'hung', 'skipped', 'peak RSS', 'slowest', 'CPU'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r: readonly (string | number)[]) => '| ' + r.map((x, i) => (i === 0 ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join(' | ') + ' |';
  return [fmt(head), '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) : '-'.repeat(w + 1)) + (i === 0 ? '-|' : ':|')).join(''), ...rows.map(fmt)].join('\n');
}
