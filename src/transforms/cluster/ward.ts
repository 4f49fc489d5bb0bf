/**
 * Ward agglomeration restricted to neighbouring time points: `k` contiguous segments.
 */
import { ParameterError } from '../../errors.js';
import type { Points } from '../points.js';

/**
 * Ward agglomeration constrained to time-contiguous segments: every point starts as its own segment and
 * the *adjacent* pair with the smallest Ward cost `Δ = na·nb/(na+nb) · ‖ca − cb‖²` (the increase of the
 * within-segment sum of squares) is merged until `k` segments remain; ties merge the earlier pair.
 * Each merge scans the live segments' cached costs (O(n)) and recomputes only the two costs that
 * changed (O(d)), O(n²) in all: a few thousand points take milliseconds.
 *
 * @param points - time points in time order [shape=(n, d)]
 * @param k - number of segments, 1 ≤ k ≤ n
 * @returns segment labels 0 … k−1 in time order [shape=(n)]
 * @throws ParameterError (`points`) for no points, (`k`) for k outside [1, n]
 */
export function contiguousWard(points: Points, k: number): Int32Array {
  const { n, d, data } = points;
  if (n === 0) throw new ParameterError('points', '0 points', 'at least 1 point');
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ParameterError('k', String(k), `an integer in [1, ${n}] (the number of points)`);
  // Segments are identified by their first point; a doubly linked list in time order.
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const count = new Float64Array(n).fill(1);
  const sums = data.slice();
  const cost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const wardCost = (a: number): number => {
    const b = next[a];
    if (b < 0) return Infinity;
    const na = count[a];
    const nb = count[b];
    let s = 0;
    for (let j = 0; j < d; j++) {
      const x = sums[a * d + j] / na - sums[b * d + j] / nb;
      s += x * x;
    }
    return ((na * nb) / (na + nb)) * s;
  };
  for (let i = 0; i < n; i++) cost[i] = wardCost(i);
  for (let segments = n; segments > k; segments--) {
    let best = -1;
    let bestCost = Infinity;
    for (let a = 0; a >= 0; a = next[a]) {
      if (cost[a] < bestCost) {
        bestCost = cost[a];
        best = a;
      }
    }
    if (best < 0) {
      // Only non-finite costs left (cannot happen for finite data): merge the first pair.
      best = 0;
    }
    const b = next[best];
    count[best] += count[b];
    for (let j = 0; j < d; j++) sums[best * d + j] += sums[b * d + j];
    next[best] = next[b];
    if (next[b] >= 0) prev[next[b]] = best;
    cost[best] = wardCost(best);
    if (prev[best] >= 0) cost[prev[best]] = wardCost(prev[best]);
  }
  const labels = new Int32Array(n);
  let label = -1;
  for (let a = 0; a >= 0; a = next[a]) {
    label++;
    const end = next[a] < 0 ? n : next[a];
    labels.fill(label, a, end);
  }
  return labels;
}
