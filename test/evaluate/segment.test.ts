import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as segment from '../../src/evaluate/segment.js';
import { parameterError } from '../helpers/assert.js';
import { assertScore, EVALUATE_REFERENCE } from './reference.js';

describe('evaluate/segment (mir_eval.segment.detection and deviation)', () => {
  test('hand-computed: hits at 0.5 s and 3 s, deviations, key names and order', () => {
    // Reference 0, 5, 12.5, 40; estimate 0, 5.5, 9.5, 16, 40. At 0.5 s: 0, 5.5 (|5 − 5.5| = 0.5, the edge
    // counts) and 40 hit → P = 3/5, R = 3/4. At 3 s: 9.5 reaches 12.5 (3.0) as well → P = 4/5, R = 1.
    // Nearest distances: reference → estimate 0, 0.5, 3, 0 (median 0.25); estimate → reference 0, 0.5, 3,
    // 3.5, 0 (median 0.5).
    const scores = segment.evaluate([0, 5, 12.5, 40], [0, 5.5, 9.5, 16, 40]);
    assert.deepEqual(Object.keys(scores), [
      'Precision@0.5', 'Recall@0.5', 'F-measure@0.5', 'Precision@3.0', 'Recall@3.0', 'F-measure@3.0', 'Ref-to-est deviation', 'Est-to-ref deviation',
    ], 'mir_eval.segment.evaluate names, in its order');
    assertScore(scores['Precision@0.5'], 0.6, 'P@0.5');
    assertScore(scores['Recall@0.5'], 0.75, 'R@0.5');
    assertScore(scores['F-measure@0.5'], (2 * 0.6 * 0.75) / 1.35, 'F@0.5');
    assertScore(scores['Precision@3.0'], 0.8, 'P@3');
    assertScore(scores['Recall@3.0'], 1, 'R@3');
    assertScore(scores['Ref-to-est deviation'], 0.25, 'ref → est');
    assertScore(scores['Est-to-ref deviation'], 0.5, 'est → ref');
    const custom = segment.evaluate([0, 10, 20], [0, 11, 20], { windowsS: [1, 0.25] });
    assert.deepEqual(Object.keys(custom).slice(0, 6), ['Precision@1.0', 'Recall@1.0', 'F-measure@1.0', 'Precision@0.25', 'Recall@0.25', 'F-measure@0.25'], 'windows as given');
    assert.equal(custom['F-measure@1.0'], 1, '11 is 1 s from 10');
    assertScore(custom['F-measure@0.25'], 2 / 3, '11 misses at 0.25 s');
  });

  test('matches mir_eval 0.8.2 on the reference cases, with and without trim', () => {
    assert.ok(EVALUATE_REFERENCE.segment.length >= 5, `${EVALUATE_REFERENCE.segment.length} segment cases`);
    for (const c of EVALUATE_REFERENCE.segment) {
      for (const trim of [false, true]) {
        const expected = trim ? c.trim : c.untrimmed;
        const scores = segment.evaluate(c.reference, c.estimated, { trim });
        assert.deepEqual(Object.keys(scores), Object.keys(expected), `${c.name}: keys`);
        for (const [key, value] of Object.entries(expected)) assertScore(scores[key], value, `${c.name}, trim ${trim}: ${key}`);
      }
    }
  });

  test('validate refuses negative and non-finite boundaries; evaluate refuses bad windows', () => {
    assert.throws(() => segment.validate([0, -1, 10], [0, 10]), parameterError('reference', 'boundary 1 is -1', 'finite times ≥ 0 (seconds)'), 'negative');
    assert.throws(() => segment.evaluate([0, 10], [0, Infinity]), parameterError('estimated', 'boundary 1 is Infinity', 'finite times ≥ 0 (seconds)'), 'infinite');
    assert.throws(() => segment.evaluate([0, 10], [0, 10], { windowsS: [0.5, -3] }), parameterError('windowsS', '[0.5, -3]', 'finite windows ≥ 0 (seconds)'), 'window');
    // Unsorted and repeated boundaries are sorted and de-duplicated, as mir_eval's np.unique.
    assert.deepEqual(segment.evaluate([30, 0, 10, 10], [0, 30, 10]), segment.evaluate([0, 10, 30], [0, 10, 30]), 'unsorted input');
  });
});
