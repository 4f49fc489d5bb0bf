/** The real fixtures and their pandas references, shared by the tests. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAnalysisFile } from '../../src/sources/files.js';
import type { Analysis } from '../../src/analysis/types.js';

/** The project root: the nearest directory above this file with a package.json (tests run from test/, the bench from dist/bench/test/). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'fixtures'))) return d;
    if (dirname(d) === d) throw new Error(`no project root above ${dir}`);
  }
}
export const FIXTURES = join(ROOT, 'fixtures');

export interface FixtureCase {
  /** Short name used in test titles. */
  name: string;
  /** The analysis input (JSON or MSD .h5), relative to the project root. */
  input: string;
  /** The reference outputs of the original pandas pipeline. */
  reference: string;
}

/** The five recorded fixtures of fixtures/SOURCES.md with their references. */
export const FIXTURE_CASES: FixtureCase[] = [
  { name: 'psy-gangnam-style', input: 'fixtures/psy-gangnam-style.json', reference: 'fixtures/reference/psy-gangnam-style.reference.json' },
  { name: 'spotify-web-api-js-track', input: 'fixtures/spotify-web-api-js-track.json', reference: 'fixtures/reference/spotify-web-api-js-track.reference.json' },
  { name: '7nWUDDCpTDYle0Ppi8i5K1', input: 'fixtures/spotify/audio-analysis/7nWUDDCpTDYle0Ppi8i5K1.json', reference: 'fixtures/reference/7nWUDDCpTDYle0Ppi8i5K1.reference.json' },
  { name: 'edx (Echo Nest 3.2.2)', input: 'fixtures/edx-give-it-up-for-love.echonest.json', reference: 'fixtures/reference/edx-give-it-up-for-love.echonest.reference.json' },
  { name: 'TRAAAFP128F931B4E3 (MSD .h5)', input: 'fixtures/msd/TRAAAFP128F931B4E3.h5', reference: 'fixtures/reference/TRAAAFP128F931B4E3.analysis.reference.json' },
];

/** The reference file's shape (see fixtures/reference/README.md). */
export interface Reference {
  columns: string[];
  grid: { semantics: 'seed'; rows: number; first_ms: number; last_ms: number };
  column_sum: number[];
  column_mean: number[];
  column_std_ddof0: number[];
  sample_rows: { row: number; time_ms: number; values: number[] }[];
  zscore_within_resample_1s: { rows: number; first_s: number; values: number[][] };
  corr_1s_rows: Record<string, number[]>;
  smoothed_rolling10_1s: { values: number[][] };
  corr_smoothed_rows: Record<string, number[]>;
  kmeans_k3_smoothed_sklearn_labels: number[];
}

const cache = new Map<string, unknown>();

export function readJson<T>(relPath: string): T {
  if (!cache.has(relPath)) cache.set(relPath, JSON.parse(readFileSync(join(ROOT, relPath), 'utf8')));
  return cache.get(relPath) as T;
}

export const loadReference = (c: FixtureCase): Reference => readJson<Reference>(c.reference);

export function loadFixture(c: FixtureCase | string): Promise<Analysis> {
  return readAnalysisFile(join(ROOT, typeof c === 'string' ? c : c.input));
}

/** |a − b| relative to max(1, |b|): the tolerance measure used against the references. */
export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

/** Assert-friendly: the largest relative error over paired values, with where it happened. */
export function worst(pairs: Iterable<[number, number, string]>): { err: number; at: string } {
  let err = 0;
  let at = '';
  for (const [a, b, where] of pairs) {
    const e = Number.isNaN(a) || Number.isNaN(b) ? (Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity) : relErr(a, b);
    if (e > err) {
      err = e;
      at = `${where}: got ${a}, expected ${b}`;
    }
  }
  return { err, at };
}
