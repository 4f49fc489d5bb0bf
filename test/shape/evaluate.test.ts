/**
 * The retrieval evaluation (src/evaluate/shape.ts) against scikit-learn's average_precision_score
 * (fixtures/reference/retrieval.json, made by scripts/reference/retrieval_reference.py), the chance level
 * against brute-force enumeration, and validation.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chanceAveragePrecision, evaluate, rankFor, validate } from '../../src/evaluate/shape.js';
import { readJson } from '../helpers/fixtures.js';
import { assertClose } from '../helpers/assert.js';
import { parameterError } from '../helpers/assert.js';

interface RetrievalReference {
  generator: string;
  labels: string[];
  distances: number[][];
  queries: { query: number; ap: number; p1: number; p5: number; rprec: number }[];
  map: number;
  precisionAt1: number;
  precisionAt5: number;
  rPrecision: number;
}

const ref = readJson<RetrievalReference>('fixtures/reference/retrieval.json');

describe('evaluate: scores as scikit-learn computes them', () => {
  test('mean average precision, precision at 1 and 5, R-precision on 23 items in 5 classes', () => {
    const d = Float64Array.from(ref.distances.flat());
    const s = evaluate(d, ref.labels);
    assert.match(ref.generator, /scikit-learn/, 'the reference names its generator');
    assertClose(s.map, ref.map, 1e-15, 'MAP'); // measured 2.2e-16
    assertClose(s.precisionAt1, ref.precisionAt1, 1e-15, 'P@1'); // measured exact
    assertClose(s.precisionAt5, ref.precisionAt5, 1e-15, 'P@5'); // measured exact
    assertClose(s.rPrecision, ref.rPrecision, 1e-15, 'R-precision'); // measured 1.1e-16
    assert.equal(s.queries, 23, 'every item is a query');
  });

  test('a perfect ranking scores 1, the reversed one less than chance', () => {
    const labels = ['a', 'a', 'a', 'b', 'b', 'b'];
    const perfect = new Float64Array(36);
    const reversed = new Float64Array(36);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) if (i !== j) {
      perfect[i * 6 + j] = labels[i] === labels[j] ? 1 + Math.abs(i - j) * 0.01 : 5;
      reversed[i * 6 + j] = labels[i] === labels[j] ? 5 + Math.abs(i - j) * 0.01 : 1;
    }
    const p = evaluate(perfect, labels);
    assert.equal(p.map, 1, 'perfect MAP');
    assert.equal(p.precisionAt1, 1, 'perfect P@1');
    assert.equal(p.rPrecision, 1, 'perfect R-precision');
    const r = evaluate(reversed, labels);
    // relevant at ranks 4 and 5 of 5: AP = (1/4 + 2/5) / 2
    assertClose(r.map, (1 / 4 + 2 / 5) / 2, 1e-15, 'reversed MAP');
    assert.ok(r.map < r.chanceMap, `reversed ${r.map} is below chance ${r.chanceMap}`);
  });

  test('ties are broken by position', () => {
    const labels = ['a', 'b', 'a'];
    const d = Float64Array.from([0, 1, 1, 1, 0, 1, 1, 1, 0]);
    assert.deepEqual(rankFor(d, 3, 0), [1, 2], 'equal distances: the earlier item first');
    assert.deepEqual(rankFor(d, 3, 2), [0, 1], 'and for the last query too');
    // query 0 finds b first (AP 1/2), query 2 finds a first (AP 1)
    assertClose(evaluate(d, labels).map, 0.75, 1e-15, 'MAP of queries 0 and 2');
  });
});

describe('the chance level', () => {
  /** E[AP] by enumerating every ranking of N candidates with R relevant. */
  function bruteForce(N: number, R: number): number {
    let total = 0;
    let count = 0;
    const rec = (ranked: boolean[], left: number) => {
      if (ranked.length === N) {
        let hits = 0;
        let ap = 0;
        ranked.forEach((rel, k) => {
          if (rel) {
            hits++;
            ap += hits / (k + 1);
          }
        });
        total += ap / R;
        count++;
        return;
      }
      const rest = N - ranked.length;
      if (left > 0) rec([...ranked, true], left - 1);
      if (rest > left) rec([...ranked, false], left);
    };
    rec([], R);
    return total / count; // every arrangement of the relevant positions is equally likely
  }

  test('the closed form equals enumeration for every R of N = 1 … 9', () => {
    for (let N = 1; N <= 9; N++) {
      for (let R = 1; R <= N; R++) assertClose(chanceAveragePrecision(N, R), bruteForce(N, R), 1e-15, `N = ${N}, R = ${R}`); // measured 2.2e-16
    }
  });

  test('evaluate reports it averaged over the queries', () => {
    const d = Float64Array.from(ref.distances.flat());
    const s = evaluate(d, ref.labels);
    const counts = new Map<string, number>();
    for (const l of ref.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const expected = ref.labels.reduce((sum, l) => sum + chanceAveragePrecision(22, counts.get(l)! - 1), 0) / 23;
    assertClose(s.chanceMap, expected, 1e-15, 'chance MAP'); // measured exact
  });
});

describe('validate', () => {
  test('what is wrong is named', () => {
    assert.throws(() => validate([0], ['a']), parameterError('labels', '1 track', 'at least 2 tracks'), 'one track');
    assert.throws(() => validate([0, 1, 1], ['a', 'a']), parameterError('distances', '3 values', 'a 2 × 2 matrix (4 values) for 2 labels'), 'wrong size');
    assert.throws(() => validate([0, NaN, 1, 0], ['a', 'a']), parameterError('distances', 'NaN at (0, 1)', 'finite distances ≥ 0'), 'NaN');
    assert.throws(() => validate([0, -1, 1, 0], ['a', 'a']), parameterError('distances', '-1 at (0, 1)', 'finite distances ≥ 0'), 'negative');
    assert.throws(() => validate([0, 1, 1, 0], ['a', 'b']), parameterError('labels', 'no class with two members', /a class of at least two tracks/), 'only singletons');
    assert.throws(() => evaluate([0, 1, 1, 0], ['a', 'b']), parameterError('labels', 'no class with two members', /a class of at least two tracks/), 'evaluate validates');
  });

  test('a query without another member of its class is left out', () => {
    const labels = ['a', 'a', 'z'];
    const d = Float64Array.from([0, 1, 2, 1, 0, 2, 2, 2, 0]);
    const s = evaluate(d, labels);
    assert.equal(s.queries, 2, 'z is no query');
    assert.equal(s.map, 1, 'a and a find each other first');
  });
});
