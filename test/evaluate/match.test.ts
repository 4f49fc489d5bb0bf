import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { matchedPairs } from '../../src/evaluate/match.js';
import { createRandom } from '../../src/util/random.js';

/** A maximum bipartite matching by augmenting paths (Kuhn), the slow general way, for comparison. */
function kuhn(ref: number[], est: number[], window: number): number {
  const adj = est.map((e) => ref.flatMap((r, i) => (Math.abs(r - e) <= window ? [i] : [])));
  const owner = new Int32Array(ref.length).fill(-1);
  const augment = (j: number, seen: Uint8Array): boolean => {
    for (const i of adj[j]) {
      if (seen[i]) continue;
      seen[i] = 1;
      if (owner[i] < 0 || augment(owner[i], seen)) {
        owner[i] = j;
        return true;
      }
    }
    return false;
  };
  let pairs = 0;
  for (let j = 0; j < est.length; j++) if (augment(j, new Uint8Array(ref.length))) pairs++;
  return pairs;
}

describe('matchedPairs (mir_eval.util.match_events)', () => {
  test('hand cases: one-to-one, window edges inclusive, a greedy-nearest trap', () => {
    assert.equal(matchedPairs([1, 2, 3], [1, 2, 3], 0), 3, 'identical lists, zero window');
    assert.equal(matchedPairs([1, 2, 3], [1.5], 0.5), 1, 'one estimate between two references pairs once');
    assert.equal(matchedPairs([1], [1, 1, 1], 0.1), 1, 'a reference is used once');
    assert.equal(matchedPairs([0, 1], [0.5], 0.49), 0, 'outside the window on both sides');
    // Nearest-first pairs 1.03 with 1.0 (0.03 apart) and leaves 0.95 without a partner; the maximum pairs
    // 0.95–1.0 and 1.03–1.08.
    assert.equal(matchedPairs([1.0, 1.08], [0.95, 1.03], 0.06), 2, 'maximum, not nearest-first');
    assert.equal(matchedPairs([], [1], 1), 0, 'no references');
    assert.equal(matchedPairs([1], [], 1), 0, 'no estimates');
  });

  test('equals a general maximum matching on 3000 random sorted lists (repeats and exact-window distances)', () => {
    const random = createRandom(17);
    for (let trial = 0; trial < 3000; trial++) {
      const step = [0.1, 0.25, 0.5][trial % 3];
      const list = (): number[] =>
        Array.from({ length: Math.floor(random() * 12) }, () => Math.round((random() * 5) / step) * step).sort((a, b) => a - b);
      const ref = list();
      const est = list();
      const window = [0, 0.1, 0.3, 0.5, 1, 2][trial % 6];
      assert.equal(matchedPairs(ref, est, window), kuhn(ref, est, window), `trial ${trial}: ref [${ref}], est [${est}], window ${window}`);
    }
  });

  test('long lists do not recurse: 200,000 events', () => {
    const ref = Array.from({ length: 200_000 }, (_, i) => i * 0.5);
    const est = ref.map((t) => t + 0.01);
    assert.equal(matchedPairs(ref, est, 0.07), 200_000, 'every beat matched');
  });
});
