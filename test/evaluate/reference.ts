/** The scores of scripts/reference/evaluate_reference.py (mir_eval 0.8.2, scikit-learn), read once. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';

export interface BeatReference {
  name: string;
  reference: number[];
  estimated: number[];
  'F-measure': number;
  Precision: number;
  Recall: number;
  Cemgil: number;
  matched: number;
}

export interface SegmentReference {
  name: string;
  reference: number[];
  estimated: number[];
  /** mir_eval's scores with trim=False and trim=True; null stands for NaN (JSON has none). */
  untrimmed: Record<string, number | null>;
  trim: Record<string, number | null>;
}

export interface ClusterReference {
  name: string;
  reference: number[];
  estimated: number[];
  'Pairwise Precision': number;
  'Pairwise Recall': number;
  'Pairwise F-measure': number;
  'Rand Index': number;
  'Adjusted Rand Index': number;
  /** mir_eval.segment.pairwise's (precision, recall, F) on unit intervals; null for its NaN (0/0). */
  'mir_eval pairwise': (number | null)[];
}

export const EVALUATE_REFERENCE = JSON.parse(readFileSync(join(ROOT, 'fixtures/reference/evaluate.json'), 'utf8')) as {
  beat: BeatReference[];
  segment: SegmentReference[];
  cluster: ClusterReference[];
};

/** Fail with both values unless |actual − expected| ≤ 1e-12 (or both are NaN, written null in the JSON). */
export function assertScore(actual: number, expected: number | null, what: string): void {
  if (expected === null) {
    if (!Number.isNaN(actual)) assert.fail(`${what}: got ${actual}, expected NaN`);
    return;
  }
  if (!(Math.abs(actual - expected) <= 1e-12)) assert.fail(`${what}: got ${actual}, expected ${expected}`);
}
