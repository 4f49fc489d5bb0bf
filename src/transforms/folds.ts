/**
 * Cross-validation folds: stratified k-fold exactly as scikit-learn's `StratifiedKFold` (today's and
 * ≤ 0.21's fold sizes), seeded shuffling, and leave-one-out.
 */
import type { ClassifyReport } from './classify.js';
import { createRandom, DEFAULT_SEED, shuffleInPlace } from '../util/random.js';

/**
 * How members of a class are assigned to the folds (scikit-learn's `StratifiedKFold`, two generations):
 *
 * - `sklearn` (scikit-learn ≥ 0.22): classes numbered in order of first appearance in the labels; the
 *   labels sorted by that number are dealt round-robin into the folds, which fixes how many members of
 *   each class every fold gets (the allocation); each class's members, in input order, then fill the folds
 *   in contiguous blocks of those sizes.
 * - `sklearn-0.19` (scikit-learn ≤ 0.21, what the notebook ran under Python 2): classes in sorted order,
 *   each split by its own `KFold`: the first `n_c mod k` folds get ⌈n_c/k⌉ of its members, the others
 *   ⌊n_c/k⌋, again contiguous blocks in input order.
 */
export type FoldRule = 'sklearn' | 'sklearn-0.19';
export const FOLD_RULES: readonly FoldRule[] = Object.freeze(['sklearn', 'sklearn-0.19'] as const);

export interface FoldOptions {
  /** Shuffle each class's fold numbers with the seeded generator (as `StratifiedKFold(shuffle=True)`); default true. */
  shuffle?: boolean;
  /** Seed of the shuffle; default {@link DEFAULT_SEED}. */
  seed?: number;
  /** Which scikit-learn's fold sizes; default `sklearn`. */
  rule?: FoldRule;
}

/**
 * Stratified k-fold split as scikit-learn's `StratifiedKFold(n_splits=folds, shuffle)._make_test_folds`.
 *
 * Unshuffled, the folds are exactly scikit-learn's, member for member, for either {@link FoldRule}.
 * Shuffled, each class's fold numbers are shuffled with songscope's seeded generator (classes in the
 * rule's order, one generator for all): the same class counts per fold as scikit-learn's
 * `shuffle=True`, not the same members (the random generators differ).
 *
 * @param labels - the class of every point
 * @param folds - number of folds k ≥ 2 (at most the smallest class size; not checked here)
 * @returns `folds` arrays of test indices, each ascending
 */
export function stratifiedFolds(labels: readonly string[], folds: number, options: FoldOptions = {}): number[][] {
  const rule = options.rule ?? 'sklearn';
  const random = createRandom(options.seed ?? DEFAULT_SEED);
  const byClass = rule === 'sklearn' ? indicesByFirstAppearance(labels) : indicesByClass(labels);
  const sizes = rule === 'sklearn' ? roundRobinAllocation([...byClass.values()].map((m) => m.length), folds) : [...byClass.values()].map((m) => kfoldSizes(m.length, folds));
  const out: number[][] = Array.from({ length: folds }, () => []);
  [...byClass.values()].forEach((members, c) => {
    const foldOf: number[] = [];
    sizes[c].forEach((size, f) => {
      for (let j = 0; j < size; j++) foldOf.push(f);
    });
    if (options.shuffle !== false) shuffleInPlace(foldOf, random);
    members.forEach((i, j) => out[foldOf[j]].push(i));
  });
  for (const f of out) f.sort((a, b) => a - b);
  return out;
}

/**
 * scikit-learn ≥ 0.22's allocation: deal the labels, sorted by class number, round-robin into `folds`;
 * `[c][f]` is how many members of class c fold f gets.
 */
function roundRobinAllocation(counts: readonly number[], folds: number): number[][] {
  const out = counts.map(() => new Array<number>(folds).fill(0));
  let position = 0;
  counts.forEach((count, c) => {
    for (let j = 0; j < count; j++) out[c][position++ % folds]++;
  });
  return out;
}

/** `KFold(folds)` sizes of n items: the first `n mod folds` folds hold one more. */
function kfoldSizes(n: number, folds: number): number[] {
  return Array.from({ length: folds }, (_, f) => Math.floor(n / folds) + (f < n % folds ? 1 : 0));
}

/** Leave-one-out: `n` folds, fold `i` holding out point `i`. */
export function leaveOneOutFolds(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => [i]);
}

/** Point indices per class, classes in sorted order (JavaScript's default string order). */
export function indicesByClass(labels: readonly string[]): Map<string, number[]> {
  const classes = [...new Set(labels)].sort();
  const map = new Map<string, number[]>(classes.map((c) => [c, []]));
  labels.forEach((l, i) => map.get(l)!.push(i));
  return map;
}

/** Point indices per class, classes in order of first appearance. */
function indicesByFirstAppearance(labels: readonly string[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const members = map.get(l);
    if (members) members.push(i);
    else map.set(l, [i]);
  });
  return map;
}

/**
 * The cross-validation of a report in words: `leave-one-out`, `5-fold stratified, shuffled (seed 0)`,
 * `3-fold stratified, unshuffled (scikit-learn ≤ 0.21's folds)`.
 */
export function describeCv(report: Pick<ClassifyReport, 'cv' | 'nFolds' | 'shuffle' | 'foldRule' | 'seed'>): string {
  if (report.cv === 'loo') return 'leave-one-out';
  const how = report.shuffle === false ? 'unshuffled' : `shuffled (seed ${report.seed})`;
  const rule = report.foldRule === 'sklearn-0.19' ? " (scikit-learn ≤ 0.21's folds)" : report.shuffle === false ? " (scikit-learn's folds)" : '';
  return `${report.nFolds}-fold stratified, ${how}${rule}`;
}

