import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dendrogramSegments, hierarchicalOrder, type Merge } from '../../src/transforms/hierarchy.js';
import { pointsFromRows } from '../../src/transforms/points.js';
import { createRandom } from '../../src/util/random.js';
import { assertClose, parameterError } from '../helpers/assert.js';

const rows = (merges: Merge[]) => merges.map((m) => [m.left, m.right, m.height, m.size]);

function assertLinkage(got: Merge[], want: number[][], tol = 1e-12): void {
  assert.equal(got.length, want.length, 'as many merges as expected');
  got.forEach((m, i) => {
    assert.deepEqual([m.left, m.right, m.size], [want[i][0], want[i][1], want[i][3]], `merge ${i}`);
    assertClose(m.height, want[i][2], tol, `merge ${i}: height`);
  });
}

describe('hierarchicalOrder matches scipy linkage / leaves_list', () => {
  // Four points on a line: 0, 1, 5, 11. Pairwise distances d01 = 1, d02 = 5, d03 = 11, d12 = 4,
  // d13 = 10, d23 = 6. Every method first merges {0, 1} at 1 (cluster 4), then 2 with cluster 4 (cluster
  // 5), then 3 with cluster 5. Leaf order: root → 3 (left, smaller id), then cluster 5 → 2, then 0, 1.
  // The expected matrices are what scipy.cluster.hierarchy.linkage(X, method) returns (checked with
  // scipy 1.17; heights derived by hand as below).
  const line = pointsFromRows([[0], [1], [5], [11]]);

  test('average: d(4,2) = (5+4)/2 = 4.5, d(5,3) = (2·10.5 + 6)/3 = 9', () => {
    const r = hierarchicalOrder(line, { metric: 'euclidean', method: 'average' });
    assertLinkage(r.merges, [[0, 1, 1, 2], [2, 4, 4.5, 3], [3, 5, 9, 4]]);
    assert.deepEqual(r.order, [3, 2, 0, 1], 'leaf order as scipy\'s leaves_list');
  });

  test('single: min distances 1, 4, 6', () => {
    const r = hierarchicalOrder(line, { metric: 'euclidean', method: 'single' });
    assertLinkage(r.merges, [[0, 1, 1, 2], [2, 4, 4, 3], [3, 5, 6, 4]]);
    assert.deepEqual(r.order, [3, 2, 0, 1], 'leaf order as scipy\'s leaves_list');
  });

  test('complete: max distances 1, 5, 11', () => {
    const r = hierarchicalOrder(line, { metric: 'euclidean', method: 'complete' });
    assertLinkage(r.merges, [[0, 1, 1, 2], [2, 4, 5, 3], [3, 5, 11, 4]]);
  });

  test('ward: √(2·ΔSSE): √27 for {2}+{0,1}, √121.5 for {3}+{0,1,2}', () => {
    // {0,1} + {5}: ΔSSE = (2·1/3)·(5 − 0.5)² = 13.5 → √27. {0,1,5} (centroid 2) + {11}: (3·1/4)·9² = 60.75 → √121.5.
    const r = hierarchicalOrder(line, { metric: 'euclidean', method: 'ward' });
    assertLinkage(r.merges, [[0, 1, 1, 2], [2, 4, Math.sqrt(27), 3], [3, 5, Math.sqrt(121.5), 4]]);
  });

  test('correlation distance (default) with average linkage (default)', () => {
    // Rows a = [1,2,3], b = 2a (r = 1, d = 0), c = reversed a (r = −1, d = 2), e = [1,3,2]: centred
    // a = [−1,0,1], e = [−1,1,0] → r(a,e) = 1/2 (d = 0.5), r(c,e) = −1/2 (d = 1.5). Merges: {a,b} at 0
    // (cluster 4); e + 4 at (0.5 + 0.5)/2 = 0.5 (cluster 5); c + 5 at (2·2 + 1.5)/3 = 11/6.
    // scipy: [[0, 1, 2.2e-16, 2], [3, 4, 0.5000000000000001, 3], [2, 5, 1.8333333333333333, 4]], leaves [2, 3, 0, 1].
    const r = hierarchicalOrder(pointsFromRows([[1, 2, 3], [2, 4, 6], [3, 2, 1], [1, 3, 2]]));
    assertLinkage(r.merges, [[0, 1, 0, 2], [3, 4, 0.5, 3], [2, 5, 11 / 6, 4]], 1e-12);
    assert.deepEqual(r.order, [2, 3, 0, 1], 'leaf order as scipy\'s leaves_list');
  });

  test('a constant row is treated as uncorrelated (distance 1), not NaN', () => {
    const r = hierarchicalOrder(pointsFromRows([[1, 2, 3], [4, 4, 4], [1, 2, 3.1]]));
    assert.equal(r.merges[0].left, 0, 'the first merge joins rows 0 …');
    assert.equal(r.merges[0].right, 2, '… and 2, the two correlated rows');
    assertLinkage(r.merges.slice(1), [[1, 3, 1, 3]]);
  });

  test('structural invariants on random data: monotone heights, ids, sizes, a permutation of leaves', () => {
    const random = createRandom(4);
    const n = 120;
    const points = pointsFromRows(Array.from({ length: n }, () => Array.from({ length: 26 }, () => random())));
    for (const method of ['average', 'single', 'complete', 'ward'] as const) {
      for (const metric of ['correlation', 'euclidean'] as const) {
        const r = hierarchicalOrder(points, { metric, method });
        assert.equal(r.merges.length, n - 1, `${method}/${metric}: n − 1 merges`);
        assert.deepEqual(r.order.slice().sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `${method}/${metric}: the order is a permutation of the leaves`);
        const sizes = [...Array.from({ length: n }, () => 1), ...r.merges.map((m) => m.size)];
        const used = new Set<number>();
        r.merges.forEach((m, i) => {
          assert.ok(m.left < m.right && m.right < n + i, `${method}/${metric} merge ${i}: ids`);
          assert.ok(!used.has(m.left) && !used.has(m.right), `${method}/${metric} merge ${i}: a cluster merged twice`);
          used.add(m.left).add(m.right);
          assert.equal(m.size, sizes[m.left] + sizes[m.right], `${method}/${metric} merge ${i}: size is the sum of the sizes merged`);
          if (i > 0) assert.ok(m.height >= r.merges[i - 1].height - 1e-12, `${method}/${metric} merge ${i}: heights not monotone`);
        });
        assert.equal(r.merges[n - 2].size, n, `${method}/${metric}: the last merge holds every leaf`);
      }
    }
  });

  test('edge cases and misuse', () => {
    assert.deepEqual(hierarchicalOrder(pointsFromRows([])), { order: [], merges: [] }, 'no points: no order, no merges');
    assert.deepEqual(hierarchicalOrder(pointsFromRows([[1, 2]])), { order: [0], merges: [] }, 'one point: itself, no merges');
    assert.deepEqual(rows(hierarchicalOrder(pointsFromRows([[0], [3]]), { metric: 'euclidean' }).merges), [[0, 1, 3, 2]], 'two points: one merge at their distance');
    assert.throws(() => hierarchicalOrder(pointsFromRows([[1], [NaN]])), parameterError('points', 'point 1 has NaN in feature 0', 'finite values'), 'NaN');
    assert.throws(
      () => hierarchicalOrder(pointsFromRows([[1], [2]]), { method: 'median' as never }),
      parameterError('method', '"median"', /^one of .*average/),
      'unknown method',
    );
    assert.throws(() => hierarchicalOrder(pointsFromRows([[1], [2]]), { metric: 'cosine' as never }), parameterError('metric', '"cosine"', /^one of .*correlation/), 'unknown metric');
  });
});

describe('dendrogramSegments', () => {
  test("scipy's icoord/dcoord in leaf units for the 4-point average example", () => {
    const r = hierarchicalOrder(pointsFromRows([[0], [1], [5], [11]]), { metric: 'euclidean', method: 'average' });
    const segs = dendrogramSegments(r, 4);
    assert.equal(segs.length, 9, 'three segments per merge');
    // scipy dendrogram: icoord [[25,25,35,35], [15,15,30,30], [5,5,22.5,22.5]] → (x − 5)/10;
    // dcoord [[0,1,1,0], [0,4.5,4.5,1], [0,9,9,4.5]]. Leaf order [3, 2, 0, 1]: leaf 0 at x = 2, leaf 1 at 3.
    const asU = (i: number) => [segs[3 * i].x1, segs[3 * i].x2, segs[3 * i + 2].x1, segs[3 * i + 2].x2, segs[3 * i].y1, segs[3 * i].y2, segs[3 * i + 2].y2, segs[3 * i + 2].y1];
    assert.deepEqual(asU(0), [2, 2, 3, 3, 0, 1, 0, 1], 'merge 0: legs and heights as scipy\'s dendrogram');
    assert.deepEqual(asU(1), [1, 1, 2.5, 2.5, 0, 4.5, 1, 4.5], 'merge 1: legs and heights as scipy\'s dendrogram');
    assert.deepEqual(asU(2), [0, 0, 1.75, 1.75, 0, 9, 4.5, 9], 'merge 2: legs and heights as scipy\'s dendrogram');
    // The bars join the legs' tops.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(segs[3 * i + 1], { x1: segs[3 * i].x2, y1: segs[3 * i].y2, x2: segs[3 * i + 2].x1, y2: segs[3 * i + 2].y1 }, `merge ${i}: the bar joins the tops of the legs`);
    }
    assert.throws(() => dendrogramSegments(r, 5), parameterError('result', '4 leaves and 3 merges', '5 leaves and 4 merges, for n = 5'), 'wrong n');
    assert.deepEqual(dendrogramSegments(hierarchicalOrder(pointsFromRows([[1, 2]])), 1), [], 'one point: no segments');
  });
});
