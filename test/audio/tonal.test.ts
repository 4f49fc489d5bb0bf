/**
 * Key and mode (src/audio/tonal.ts): the profile correlation itself, and keys of generated scales and cadences
 * in all 24 keys (through the real frame features).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFrameFeatures } from '../../src/audio/features.js';
import { estimateKey, estimateKeyOfFrames, KK_MAJOR, KK_MINOR, keyCorrelations, meanChroma } from '../../src/audio/tonal.js';
import { KEY_NAMES } from '../../src/analysis/summary.js';
import { silence, whiteNoise, SR } from './signals.js';
import { scaleAndCadence } from './tonal-signals.js';
import { assertClose } from '../helpers/assert.js';

const rotate = (p: readonly number[], k: number): number[] => p.map((_, i) => p[(i - k + 12) % 12]);
const name = (key: number, mode: number): string => `${KEY_NAMES[key] ?? '?'} ${mode === 1 ? 'major' : mode === 0 ? 'minor' : '?'}`;

describe('key profiles', () => {
  test('a rotated profile is recognised as its own key with high confidence', () => {
    for (let k = 0; k < 12; k++) {
      for (const [mode, profile] of [
        [1, KK_MAJOR],
        [0, KK_MINOR],
      ] as const) {
        const e = estimateKey(rotate(profile, k));
        assert.equal(name(e.key, e.mode), name(k, mode), `profile of ${name(k, mode)}`);
        // measured: 1 (to 2e-16) for every key and mode
        assert.ok(e.keyConfidence > 0.999 && e.keyConfidence <= 1, `key confidence ${e.keyConfidence} for ${name(k, mode)}`);
        assert.ok(e.modeConfidence > 0.999 && e.modeConfidence <= 1, `mode confidence ${e.modeConfidence} for ${name(k, mode)}`);
      }
    }
  });

  test('correlations are Pearson coefficients: 1 at the matching rotation', () => {
    const { major, minor } = keyCorrelations(rotate(KK_MAJOR, 5));
    assertClose(major[5], 1, 1e-15, 'r(F major)'); // measured 2.2e-16
    for (const r of [...major, ...minor]) assert.ok(r >= -1 - 1e-12 && r <= 1 + 1e-12, `r = ${r} in [-1, 1]`);
  });

  test('no tonal content: key and mode −1 with confidence 0; never NaN', () => {
    for (const [label, v] of [
      ['zeros', new Array(12).fill(0)],
      ['flat', new Array(12).fill(3)],
      ['NaN', [NaN, ...new Array(11).fill(1)]],
    ] as const) {
      const e = estimateKey(v);
      assert.deepEqual(e, { key: -1, mode: -1, keyConfidence: 0, modeConfidence: 0 }, label);
    }
    const f = computeFrameFeatures(silence(3).samples, SR);
    assert.equal(estimateKeyOfFrames(f).key, -1, 'digital silence has no key');
    const chroma = meanChroma(f);
    assert.ok(chroma.every((v) => v === 0), 'silent frames are gated out of the mean chroma');
  });

  test('white noise: some key, with low confidence', () => {
    const e = estimateKeyOfFrames(computeFrameFeatures(whiteNoise(4).samples, SR));
    assert.ok(e.keyConfidence < 0.1, `key confidence of noise ${e.keyConfidence}`); // measured 0.089
  });
});

describe('keys of scales and cadences (scale up and down, then I–IV–V–I; minor: harmonic minor, i–iv–V–i)', () => {
  test('all 24 keys are found, with confident keys', () => {
    const wrong: string[] = [];
    const confidences: number[] = [];
    for (let k = 0; k < 12; k++) {
      for (const mode of [1, 0] as const) {
        const e = estimateKeyOfFrames(computeFrameFeatures(scaleAndCadence(k, mode).samples, SR));
        confidences.push(e.keyConfidence);
        if (e.key !== k || e.mode !== mode) wrong.push(`${name(k, mode)} → ${name(e.key, e.mode)}`);
      }
    }
    assert.deepEqual(wrong, [], `24/24 keys correct (got ${24 - wrong.length}/24)`);
    const minConf = Math.min(...confidences);
    assert.ok(minConf > 0.8, `every key confidence above 0.8 (min ${minConf.toFixed(3)})`); // measured 0.820
  });
});
