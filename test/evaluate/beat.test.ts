import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as beat from '../../src/evaluate/beat.js';
import { parameterError } from '../helpers/assert.js';
import { assertScore, EVALUATE_REFERENCE } from './reference.js';

const REF = [6, 6.5, 7, 7.5, 8];

describe('evaluate/beat (mir_eval.beat conventions)', () => {
  test('hand-computed: ±70 ms window, one-to-one, the first 5 s trimmed', () => {
    assert.deepEqual(beat.evaluate(REF, REF), { 'F-measure': 1, Precision: 1, Recall: 1, Cemgil: 1 }, 'identical lists');
    // 60 ms early: every beat hits; Cemgil = exp(−0.06² / (2 · 0.04²)) = exp(−1.125) for each beat.
    const early = beat.evaluate(REF, REF.map((t) => t - 0.06));
    assert.equal(early['F-measure'], 1, '60 ms early: all hit');
    assertScore(early.Cemgil, Math.exp(-1.125), '60 ms early: Cemgil');
    // 80 ms late: nothing hits; Cemgil = exp(−0.08² / 0.0032) = exp(−2).
    const late = beat.evaluate(REF, REF.map((t) => t + 0.08));
    assert.equal(late['F-measure'], 0, '80 ms late: no hit');
    assertScore(late.Cemgil, Math.exp(-2), '80 ms late: Cemgil');
    // Every beat doubled 10 ms later: 5 of 10 estimates hit (P = 1/2, R = 1, F = 2/3); Cemgil = 5 / ((10 + 5) / 2).
    const doubled = beat.evaluate(REF, REF.flatMap((t) => [t, t + 0.01]));
    assert.deepEqual(doubled, { 'F-measure': 2 / 3, Precision: 0.5, Recall: 1, Cemgil: 5 / 7.5 }, 'doubled');
    assert.equal(beat.beatFMeasure(REF, REF.flatMap((t) => [t, t + 0.01])).matched, 5, 'one estimate per reference');
    // Before 5 s nothing counts; minBeatTimeS 0 keeps it.
    assert.equal(beat.evaluate([1, 2, 3], [1, 2, 3])['F-measure'], 0, 'all trimmed');
    assert.equal(beat.evaluate([1, 2, 3], [1, 2, 3], { minBeatTimeS: 0 })['F-measure'], 1, 'no trim');
    assert.deepEqual(beat.evaluate([6, 7], []), { 'F-measure': 0, Precision: 0, Recall: 0, Cemgil: 0 }, 'no estimates');
    assert.deepEqual(Object.keys(beat.evaluate(REF, REF)), ['F-measure', 'Precision', 'Recall', 'Cemgil'], 'key order');
  });

  test('matches mir_eval 0.8.2 on the reference cases (scripts/reference/evaluate_reference.py)', () => {
    assert.ok(EVALUATE_REFERENCE.beat.length >= 8, `${EVALUATE_REFERENCE.beat.length} beat cases`);
    for (const c of EVALUATE_REFERENCE.beat) {
      const scores = beat.evaluate(c.reference, c.estimated);
      for (const key of ['F-measure', 'Precision', 'Recall', 'Cemgil'] as const) assertScore(scores[key], c[key], `${c.name}: ${key}`);
      const trimmed = beat.beatFMeasure(beat.trimBeats(c.reference), beat.trimBeats(c.estimated));
      assert.equal(trimmed.matched, c.matched, `${c.name}: matched pairs`);
    }
  });

  test('validate refuses what mir_eval refuses, and NaN, naming the beat', () => {
    assert.throws(() => beat.validate([6, 5.5], []), parameterError('reference', 'beat 1 at 5.5 s before beat 0 at 6 s', 'times in ascending order'), 'order');
    assert.throws(() => beat.validate([], [6, NaN]), parameterError('estimated', 'beat 1 is NaN', 'finite times (seconds)'), 'NaN');
    assert.throws(
      () => beat.evaluate([6000, 31000], [6000]),
      parameterError('reference', 'beat 1 at 31000 s', 'times up to 30000 s (seconds, not milliseconds)'),
      'milliseconds',
    );
    beat.validate([6, 6, 7], [-1, 0]);
    assert.throws(() => beat.beatFMeasure(REF, REF, -0.01), parameterError('windowS', '-0.01', 'a number ≥ 0 (seconds)'), 'window');
    assert.throws(() => beat.cemgil(REF, REF, 0), parameterError('sigmaS', '0', 'a positive number (seconds)'), 'sigma');
    assert.throws(() => beat.evaluate(REF, REF, { minBeatTimeS: NaN }), parameterError('minBeatTimeS', 'NaN', 'a finite number (seconds)'), 'trim time');
  });
});
