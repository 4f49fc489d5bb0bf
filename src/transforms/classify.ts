/**
 * Classification with cross-validation: a linear support-vector machine (libsvm's C-SVC with a linear
 * kernel and C = 1 — what scikit-learn's `SVC(kernel='linear')` runs) scored by stratified k-fold or
 * leave-one-out cross-validation, e.g. "can the tracks' time-averaged features tell album A from album B?".
 *
 * With a dimensionality reduction in front of the classifier there are two more protocols, reported beside
 * `plain` (no reduction) on identical folds:
 *
 * - `transductive` — the notebook's protocol: reduce all points together, then cross-validate the
 *   classifier on the embedding. The held-out points took part in fitting the reduction, so the score is
 *   optimistic (information leaks from the test fold into the features the classifier is trained on).
 * - `leak-free` — per fold, fit the reduction on the training points only and project the test points
 *   into that space, as a model deployed on unseen tracks would have to.
 *
 * Features are used as given (scikit-learn's SVC does no scaling either): z-score them first.
 *
 * libsvm comes from the `libsvm-js` package (libsvm 3.22 compiled to WebAssembly), loaded once per
 * process on first use; see {@link loadLibsvm}.
 */
import { createRequire } from 'node:module';
import { selectPoints, pointsToRows, type Points } from './points.js';
import { fitReducer, reduce as reduceAll, type ReduceModel } from './reduce.js';
import { ParameterError } from '../errors.js';
import { DEFAULT_SEED } from '../util/random.js';
import { indicesByClass, leaveOneOutFolds, stratifiedFolds, type FoldRule } from './folds.js';

export { describeCv, FOLD_RULES, leaveOneOutFolds, stratifiedFolds, type FoldOptions, type FoldRule } from './folds.js';

/** How the points are split into folds. */
export type CvScheme = 'kfold' | 'loo';
export const CV_SCHEMES: readonly CvScheme[] = Object.freeze(['kfold', 'loo'] as const);

/** `plain` without a reduction; `transductive` and `leak-free` with one (see the module comment). */
export type ClassifyProtocol = 'plain' | 'transductive' | 'leak-free';

/** The most folds {@link crossValidate} uses by default (scikit-learn's `cv=5`). */
export const DEFAULT_FOLDS = 5;

/** libsvm's cost parameter C by default (scikit-learn's default too). */
export const DEFAULT_C = 1;

/** Why the two protocols' accuracies differ: one sentence for reports. */
export const PROTOCOL_EXPLANATION =
  'The transductive score reduces all points together before cross-validating, so each test fold helped ' +
  'shape the space its own points are classified in and the score is optimistic; the leak-free score fits ' +
  'the reduction on the training fold only and projects the test fold into it, as unseen tracks would be.';

export interface CrossValidateOptions {
  /** Fold scheme; default `kfold`. */
  cv?: CvScheme;
  /** Number of folds for `kfold`: default min(5, smallest class size); 2 … smallest class size. Ignored for `loo`. */
  folds?: number;
  /** Seed of the fold shuffle and of the reduction; default {@link DEFAULT_SEED}. */
  seed?: number;
  /** k-fold: shuffle each class's fold numbers (seeded); default true. `false` gives scikit-learn's folds exactly. */
  shuffle?: boolean;
  /** k-fold: whose fold sizes, scikit-learn's today or ≤ 0.21's (the notebook's); default `sklearn`. See {@link FoldRule}. */
  foldRule?: FoldRule;
  /** Reduce the points first (and report both protocols). */
  reduce?: { model: ReduceModel; ndims: number };
  /** libsvm's cost C (> 0); default 1. */
  C?: number;
}

/** One fold's outcome. */
export interface FoldResult {
  /** 0-based fold number. */
  fold: number;
  trainSize: number;
  testSize: number;
  /** Correct predictions / test size. */
  accuracy: number;
  /** The held-out points, ascending. */
  testIndices: number[];
}

/** Counts of (true class, predicted class). */
export interface ConfusionMatrix {
  /** The classes, sorted (JavaScript's default string order); the order of rows and columns. */
  labels: string[];
  /** `matrix[t][p]`: points of class `labels[t]` predicted as `labels[p]`. */
  matrix: number[][];
}

/** The cross-validation outcome of one protocol. */
export interface ProtocolReport {
  protocol: ClassifyProtocol;
  /** Mean of the per-fold accuracies (scikit-learn's `cross_val_score(...).mean()`). */
  accuracy: number;
  /** Correct predictions over all points / number of points. */
  pooledAccuracy: number;
  folds: FoldResult[];
  confusion: ConfusionMatrix;
  /** The predicted class of every point, from the fold that held it out. */
  predictions: string[];
}

/** What {@link crossValidate} returns. */
export interface ClassifyReport {
  cv: CvScheme;
  /** Number of folds actually used (n for `loo`). */
  nFolds: number;
  /** k-fold only: whether each class's fold numbers were shuffled (seeded), and whose fold sizes. */
  shuffle?: boolean;
  foldRule?: FoldRule;
  seed: number;
  C: number;
  /** Number of points and their dimensionality (before any reduction). */
  n: number;
  d: number;
  /** The classes, sorted, with their sizes. */
  classes: { label: string; count: number }[];
  /** Accuracy of always predicting the largest class (the first of the largest, in sorted order). */
  majorityBaseline: number;
  reduce?: { model: ReduceModel; ndims: number };
  /** `[plain]` without a reduction; `[plain, transductive, leak-free]` with one. */
  protocols: ProtocolReport[];
  /** With a reduction: why `transductive` and `leak-free` differ ({@link PROTOCOL_EXPLANATION}). */
  explanation?: string;
}

// ---- libsvm -------------------------------------------------------------------------------------------

/** The part of libsvm-js's `SVM` class songscope uses. */
interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  /** Release the model's memory in the WebAssembly heap (not garbage-collected). */
  free(): void;
}
interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  SVM_TYPES: { C_SVC: string };
  KERNEL_TYPES: { LINEAR: string };
}

let libsvmPromise: Promise<LibsvmClass> | undefined;

/**
 * libsvm-js's WebAssembly build, loaded once per process (later calls share the promise).
 *
 * The package is CommonJS whose main export is a promise of the `SVM` class; it is required through
 * `createRequire`. Two side effects of its 2018 Emscripten glue are undone, so loading prints nothing and
 * changes nothing global:
 *
 * - with a global `fetch` (Node ≥ 18) the glue tries `WebAssembly.instantiateStreaming(fetch(path))`,
 *   which fails on a file path and logs "wasm streaming compile failed … falling back" to stdout; `fetch`
 *   is hidden during the (synchronous) `require`, so it reads the `.wasm` file with `fs` straight away;
 * - it installs a `process.on('unhandledRejection')` handler that exits with code 1 silently; the
 *   handlers added during the `require` are removed again.
 *
 * libsvm's own training log is silenced per model with `quiet: true` (`-q`).
 */
export function loadLibsvm(): Promise<LibsvmClass> {
  libsvmPromise ??= requireLibsvm().catch((e: unknown) => {
    libsvmPromise = undefined; // let a later call try again
    throw e;
  });
  return libsvmPromise;
}

function requireLibsvm(): Promise<LibsvmClass> {
  const require = createRequire(import.meta.url);
  const fetchDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  const handlersBefore = new Set(process.listeners('unhandledRejection'));
  let loaded: Promise<LibsvmClass>;
  try {
    if (fetchDescriptor?.configurable) delete (globalThis as { fetch?: unknown }).fetch;
    loaded = require('libsvm-js') as Promise<LibsvmClass>;
  } finally {
    if (fetchDescriptor?.configurable) Object.defineProperty(globalThis, 'fetch', fetchDescriptor);
    for (const h of process.listeners('unhandledRejection')) {
      if (!handlersBefore.has(h)) process.removeListener('unhandledRejection', h);
    }
  }
  return Promise.resolve(loaded);
}

/**
 * Train a linear C-SVC on `train` (class indices `y`) and predict `test`.
 *
 * Training rows are passed grouped by class index (stable), so libsvm's internal class order — the order
 * of first appearance — is the sorted one, as in scikit-learn's bundled libsvm, which sorts the labels.
 * This fixes the tie-breaking of the one-vs-one vote for three or more classes.
 */
function fitPredict(SVM: LibsvmClass, train: Points, y: number[], test: Points, C: number): number[] {
  const order = y.map((_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
  const trainRows = pointsToRows(selectPoints(train, order));
  const model = new SVM({
    type: SVM.SVM_TYPES.C_SVC,
    kernel: SVM.KERNEL_TYPES.LINEAR,
    cost: C,
    tolerance: 1e-3, // scikit-learn's tol
    shrinking: true,
    cacheSize: 200, // MB, scikit-learn's cache_size
    quiet: true,
  });
  try {
    model.train(trainRows, order.map((i) => y[i]));
    return test.n === 0 ? [] : model.predict(pointsToRows(test));
  } finally {
    model.free();
  }
}

// ---- validation ---------------------------------------------------------------------------------------

/** Check the inputs; returns the sorted classes and the number of folds. Throws ParameterError. */
function checkInputs(points: Points, labels: readonly string[], options: CrossValidateOptions): { classes: Map<string, number[]>; nFolds: number } {
  if (points.n !== labels.length) {
    throw new ParameterError('labels', `${labels.length} labels for ${points.n} points`, 'one label per point');
  }
  if (points.d < 1) throw new ParameterError('points', '0 features', 'at least 1 feature');
  for (let k = 0; k < points.data.length; k++) {
    if (!Number.isFinite(points.data[k])) {
      const i = Math.floor(k / points.d);
      throw new ParameterError('points', `point ${i} (${labels[i]}) has ${points.data[k]} in feature ${k % points.d}`, 'finite features');
    }
  }
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || l === '') throw new ParameterError('labels', `label ${i} is empty`, 'a class label for every point');
  });
  const classes = indicesByClass(labels);
  if (classes.size < 2) {
    throw new ParameterError('labels', `all ${points.n} points labelled ${JSON.stringify(labels[0] ?? '')}`, 'at least 2 classes');
  }
  const nFolds = checkClassSizes(new Map([...classes].map(([label, members]) => [label, members.length])), options);
  const C = options.C ?? DEFAULT_C;
  if (!(Number.isFinite(C) && C > 0)) throw new ParameterError('C', String(C), 'a positive number');
  const cv = options.cv ?? 'kfold';
  if (!CV_SCHEMES.includes(cv)) throw new ParameterError('cv', JSON.stringify(cv), `one of ${CV_SCHEMES.join(', ')}`);
  if (options.reduce) {
    const { ndims } = options.reduce;
    if (!(Number.isInteger(ndims) && ndims >= 1)) throw new ParameterError('ndims', String(ndims), 'an integer ≥ 1');
  }
  return { classes, nFolds };
}

/**
 * Whether classes of these sizes can be cross-validated with `options` (the checks `crossValidate` makes,
 * usable before the points exist: a job checks its groups' track counts before fetching anything).
 *
 * @param sizes - the members of each class, by label
 * @returns the number of folds: k (`options.folds`, default min(5, smallest class), at least 2) for k-fold,
 *   the number of members for leave-one-out
 * @throws ParameterError for a class of fewer than 2 members, or more folds than the smallest class has members
 */
export function checkClassSizes(sizes: ReadonlyMap<string, number>, options: Pick<CrossValidateOptions, 'cv' | 'folds'> = {}): number {
  for (const [label, size] of sizes) {
    if (size < 2) {
      throw new ParameterError('labels', `class ${JSON.stringify(label)} has ${size} member${size === 1 ? '' : 's'}`, 'at least 2 members in every class for cross-validation');
    }
  }
  if ((options.cv ?? 'kfold') === 'loo') return [...sizes.values()].reduce((a, b) => a + b, 0);
  const smallest = Math.min(...sizes.values());
  const smallestName = [...sizes].find(([, size]) => size === smallest)![0];
  const nFolds = options.folds ?? Math.max(2, Math.min(DEFAULT_FOLDS, smallest));
  if (!Number.isInteger(nFolds) || nFolds < 2) throw new ParameterError('folds', String(nFolds), 'an integer ≥ 2');
  if (nFolds > smallest) {
    throw new ParameterError('folds', String(nFolds), `at most ${smallest}, the members of the smallest class (${JSON.stringify(smallestName)}); or leave-one-out`);
  }
  return nFolds;
}

// ---- cross-validation ---------------------------------------------------------------------------------

/**
 * Cross-validate a linear SVM on labelled points.
 *
 * The report always holds `plain` (the points as given: the notebook's cell 48). With `reduce` it also holds
 * `transductive` (reduce all points with `seed`, then cross-validate on the embedding: cell 49) and
 * `leak-free` (per fold, fit the reduction with `seed` on the training points, project the test points),
 * all on the same folds.
 *
 * Deterministic: the same points, labels and options give an identical report.
 *
 * @param points - one row per item (e.g. a track's time-averaged, z-scored features)
 * @param labels - the class of every point
 * @throws ParameterError for unusable input: `labels` not matching the points, fewer than 2 classes, a class
 *   with fewer than 2 points; `points` with non-finite values (naming the point, its class and the feature);
 *   more `folds` than the smallest class has points; `C` ≤ 0, an unknown `cv`, a bad `ndims`; and what
 *   {@link fitReducer} throws for the `reduce` options
 */
export async function crossValidate(
  points: Points,
  labels: readonly string[],
  options: CrossValidateOptions = {},
): Promise<ClassifyReport> {
  const { classes, nFolds } = checkInputs(points, labels, options);
  const cv = options.cv ?? 'kfold';
  const seed = options.seed ?? DEFAULT_SEED;
  const C = options.C ?? DEFAULT_C;
  const SVM = await loadLibsvm();

  const classList = [...classes.keys()];
  const classIndex = new Map(classList.map((c, k) => [c, k]));
  const y = labels.map((l) => classIndex.get(l)!);
  const shuffle = options.shuffle ?? true;
  const foldRule = options.foldRule ?? 'sklearn';
  const folds = cv === 'loo' ? leaveOneOutFolds(points.n) : stratifiedFolds(labels, nFolds, { seed, shuffle, rule: foldRule });
  const trainOf = (test: number[]): number[] => {
    const held = new Set(test);
    const train: number[] = [];
    for (let i = 0; i < points.n; i++) if (!held.has(i)) train.push(i);
    return train;
  };

  /** Run every fold; `features(train, test)` gives the training and test points of a fold. */
  const run = (protocol: ClassifyProtocol, features: (train: number[], test: number[]) => [Points, Points]): ProtocolReport => {
    const predicted = new Array<number>(points.n).fill(-1);
    const foldResults: FoldResult[] = folds.map((test, fold) => {
      const train = trainOf(test);
      const [trainPoints, testPoints] = features(train, test);
      const pred = fitPredict(SVM, trainPoints, train.map((i) => y[i]), testPoints, C);
      let correct = 0;
      test.forEach((i, k) => {
        predicted[i] = pred[k];
        if (pred[k] === y[i]) correct++;
      });
      return { fold, trainSize: train.length, testSize: test.length, accuracy: correct / test.length, testIndices: [...test] };
    });
    const matrix = classList.map(() => classList.map(() => 0));
    let correct = 0;
    for (let i = 0; i < points.n; i++) {
      matrix[y[i]][predicted[i]]++;
      if (predicted[i] === y[i]) correct++;
    }
    return {
      protocol,
      accuracy: foldResults.reduce((s, f) => s + f.accuracy, 0) / foldResults.length,
      pooledAccuracy: correct / points.n,
      folds: foldResults,
      confusion: { labels: [...classList], matrix },
      predictions: predicted.map((k) => classList[k]),
    };
  };

  const largest = Math.max(...[...classes.values()].map((m) => m.length));
  const report: ClassifyReport = {
    cv,
    nFolds: folds.length,
    ...(cv === 'kfold' ? { shuffle, foldRule } : {}),
    seed,
    C,
    n: points.n,
    d: points.d,
    classes: classList.map((label) => ({ label, count: classes.get(label)!.length })),
    majorityBaseline: largest / points.n,
    protocols: [],
  };

  report.protocols.push(run('plain', (train, test) => [selectPoints(points, train), selectPoints(points, test)]));
  if (!options.reduce) return report;
  const { model, ndims } = options.reduce;
  report.reduce = { model, ndims };
  const embedded = reduceAll(points, { model, ndims, seed }).points;
  report.protocols.push(run('transductive', (train, test) => [selectPoints(embedded, train), selectPoints(embedded, test)]));
  report.protocols.push(
    run('leak-free', (train, test) => {
      const fitted = fitReducer(selectPoints(points, train), { model, ndims, seed });
      return [fitted.embedding.points, fitted.project(selectPoints(points, test))];
    }),
  );
  report.explanation = PROTOCOL_EXPLANATION;
  return report;
}
