/**
 * Retrieval by shape and by features on generated songs of known form (the acceptance test), a few
 * songs each so the suite stays quick; `npx tsx scripts/evaluate-shape.ts` runs the full sets (README).
 *
 * - same form, everything else drawn per song: shape MAP ≥ 0.9, features near chance;
 * - the reverse, the same sound (instrumentation, key, tempo) in other forms: features high, shape near chance;
 * on generated analyses and on the local analyzer's output for generated audio.
 *
 * "Near chance" is held to the exact expected MAP of a random ranking plus the margin measured here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisSet, audioSet, scoreSet, type SetScores } from './evaluation.js';

const AUDIO_FORMS = ['AABA', 'ABAB', 'ABABCB', 'ABCD'];

function report(what: string, s: SetScores): string {
  return `${what}: ${s.songs} songs, MAP shape ${s.shape.map.toFixed(3)} (direct ${s.shapeDirect.map.toFixed(3)}), features ${s.features.map.toFixed(3)}, chance ${s.shape.chanceMap.toFixed(3)}`;
}

describe('generated analyses (8 forms × 6 songs)', () => {
  test('same form, nothing else shared: shape finds the form, features do not', () => {
    const s = scoreSet(analysisSet('same-form', 6, 0));
    const line = report('same form', s);
    // measured: shape 0.9178 (direct 0.8040), P@1 0.9375, features 0.1890, chance 0.1732
    assert.ok(s.shape.map >= 0.915, line);
    assert.ok(s.shape.precisionAt1 >= 0.935, `${line}; P@1 ${s.shape.precisionAt1}`);
    assert.ok(s.shape.map > s.shapeDirect.map + 0.11, `${line}: warping helps`);
    assert.ok(s.features.map <= s.features.chanceMap + 0.02, line);
  });

  test('the same sound in other forms: features find the sound, shape does not', () => {
    const s = scoreSet(analysisSet('same-sound', 6, 0));
    const line = report('same sound', s);
    // measured: features 0.9967, shape 0.2121, chance 0.1732
    assert.ok(s.features.map >= 0.995, line);
    assert.ok(s.shape.map <= s.shape.chanceMap + 0.04, line);
  });
});

describe("generated audio through the local analyzer (4 forms × 3 songs, 60–120 s each)", () => {
  test('same form: shape finds the form, features do not', () => {
    const s = scoreSet(audioSet('same-form', 3, 0, AUDIO_FORMS));
    const line = report('audio, same form', s);
    // measured: shape 1 (every song's form-mates ranked first), features 0.3930, chance 0.3471
    assert.equal(s.shape.map, 1, line);
    assert.ok(s.features.map <= s.features.chanceMap + 0.05, line);
  });

  test('the same sound in other forms: features find the sound, shape does not', () => {
    const s = scoreSet(audioSet('same-sound', 3, 0, AUDIO_FORMS));
    const line = report('audio, same sound', s);
    // measured: features 0.9861, shape 0.4041, chance 0.3471
    assert.ok(s.features.map >= 0.985, line);
    assert.ok(s.shape.map <= s.shape.chanceMap + 0.06, line);
  });
});
