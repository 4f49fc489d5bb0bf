import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as cluster from '../../src/evaluate/cluster.js';
import { parameterError } from '../helpers/assert.js';
import { assertScore, EVALUATE_REFERENCE } from './reference.js';

const KEYS = ['Pairwise Precision', 'Pairwise Recall', 'Pairwise F-measure', 'Rand Index', 'Adjusted Rand Index'] as const;

describe('evaluate/cluster (pair counting)', () => {
  test("hand-computed on scikit-learn's documentation example", () => {
    // [0,0,1,1] vs [0,0,1,2]: of the 6 pairs the reference joins {0,1} and {2,3}, the estimate {0,1} only.
    // Precision 1/1, recall 1/2, F 2/3; they agree on 5 of 6 pairs (all but {2,3}); ARI 4/7 (sklearn's docs).
    const scores = cluster.evaluate([0, 0, 1, 1], [0, 0, 1, 2]);
    assert.deepEqual(Object.keys(scores), [...KEYS], 'mir_eval names, in order');
    assert.deepEqual(Object.values(scores), [1, 0.5, 2 / 3, 5 / 6, 4 / 7], 'scores');
    // Label values mean nothing; identical partitions are perfect.
    assert.deepEqual(Object.values(cluster.evaluate([0, 0, 1, 1], [7, 7, 3, 3])), [1, 1, 1, 1, 1], 'renamed labels');
    // No pair joined by either labeling (0/0 ratios): 0, not NaN; Rand and ARI 1, as scikit-learn.
    assert.deepEqual(Object.values(cluster.evaluate([0, 1, 2], [2, 1, 0])), [0, 0, 0, 1, 1], 'all singletons');
    assert.deepEqual(Object.values(cluster.evaluate([], [])), [0, 0, 0, 1, 1], 'no points');
  });

  test('matches scikit-learn (and mir_eval.segment.pairwise where it is defined) on the reference cases', () => {
    assert.ok(EVALUATE_REFERENCE.cluster.length >= 7, `${EVALUATE_REFERENCE.cluster.length} cluster cases`);
    for (const c of EVALUATE_REFERENCE.cluster) {
      const scores = cluster.evaluate(c.reference, c.estimated);
      for (const key of KEYS) assertScore(scores[key], c[key], `${c.name}: ${key}`);
      // mir_eval's pairwise on unit intervals counts the same pairs (it gives NaN where this gives 0).
      c['mir_eval pairwise'].forEach((value, k) => {
        if (value !== null) assertScore(scores[KEYS[k]], value, `${c.name}: mir_eval ${KEYS[k]}`);
      });
      assertScore(cluster.adjustedRandIndex(c.reference, c.estimated), c['Adjusted Rand Index'], `${c.name}: adjustedRandIndex`);
    }
  });

  test('validate: equal lengths, finite labels', () => {
    assert.throws(() => cluster.validate([0, 1, 1], [0, 1]), parameterError('estimated', '2 labels', '3 labels, one per point as in reference'), 'length');
    assert.throws(() => cluster.evaluate([0, NaN], [0, 1]), parameterError('reference', 'label 1 is NaN', 'finite numbers'), 'NaN');
  });
});
