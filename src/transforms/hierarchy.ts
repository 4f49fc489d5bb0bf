/**
 * Agglomerative hierarchical clustering of a few hundred points (songs × features) with scipy's
 * conventions, for seaborn-style clustermaps: a scipy-style linkage (`scipy.cluster.hierarchy.linkage`),
 * the dendrogram's leaf order (`leaves_list` / `dendrogram(...)['leaves']`) and the dendrogram's line
 * segments (`dendrogram(...)['icoord'/'dcoord']`, in leaf-position units).
 *
 * The linkage is computed directly (Lance–Williams updates on a full distance matrix, O(n³)), which is
 * exact for these methods and fast enough for n ≤ ~1000.
 */
import { ParameterError } from '../errors.js';
import { pearsonRows } from './correlate.js';
import { checkFinitePoints, euclideanDistances, type Points } from './points.js';

/** Pairwise distance between points. */
export type HierarchyMetric = 'correlation' | 'euclidean';
/** How the distance between two clusters is derived (scipy's `method`). */
export type LinkageMethod = 'average' | 'single' | 'complete' | 'ward';

export const HIERARCHY_METRICS: readonly HierarchyMetric[] = Object.freeze(['correlation', 'euclidean'] as const);
export const LINKAGE_METHODS: readonly LinkageMethod[] = Object.freeze(['average', 'single', 'complete', 'ward'] as const);

export interface HierarchyOptions {
  /**
   * `correlation` (default): 1 − Pearson r between the two rows, as scipy's `pdist(metric='correlation')`.
   * A constant row has no defined correlation; it is treated as uncorrelated with everything (distance 1,
   * 0 to itself) rather than NaN. `euclidean`: straight-line distance.
   */
  metric?: HierarchyMetric;
  /**
   * `average` (default, UPGMA), `single`, `complete` or `ward` (scipy's Lance–Williams Ward on the
   * distances). Ward is only meaningful with the Euclidean metric: scipy's `linkage(X, 'ward',
   * metric='correlation')` refuses, while this applies it to the correlation distances as scipy does for a
   * precomputed `linkage(pdist(X, 'correlation'), 'ward')`.
   */
  method?: LinkageMethod;
}

/** One row of a scipy linkage matrix. */
export interface Merge {
  /** Id of the first merged cluster: `< n` a leaf (point index), `n + i` the cluster of merge `i`. Always `< right`. */
  left: number;
  /** Id of the second merged cluster. */
  right: number;
  /** Distance between the two clusters under the linkage method (the dendrogram height). */
  height: number;
  /** Number of points in the merged cluster. */
  size: number;
}

export interface HierarchyResult {
  /**
   * Point indices in dendrogram leaf order [shape=(n)]: a depth-first walk from the last merge visiting
   * `left` before `right` — scipy's `leaves_list(Z)` and `dendrogram(Z)['leaves']` with the default
   * `count_sort=False, distance_sort=False`.
   */
  order: number[];
  /** The n − 1 merges in order, as scipy's linkage matrix `Z` (row i = merge i, new cluster id n + i). */
  merges: Merge[];
}

/**
 * Hierarchical agglomerative clustering with scipy's linkage conventions.
 *
 * Each step merges the pair of current clusters at the smallest linkage distance; the merges come out in
 * non-decreasing height (these four methods are monotone), the new cluster of merge `i` gets id `n + i`,
 * and each row lists the smaller id as `left`, as scipy's `linkage` does. With tied distances the pair
 * found first (lowest cluster slot, then lowest partner slot) is merged first; scipy's nearest-neighbour
 * chain may order tied merges differently, which can change ids and leaf order but not the heights.
 *
 * @param points - the observations [shape=(n, d)]
 * @throws ParameterError for an unknown `metric` or `method`, or `points` with a non-finite value (naming the
 *   point and feature)
 */
export function hierarchicalOrder(points: Points, options: HierarchyOptions = {}): HierarchyResult {
  const metric = options.metric ?? 'correlation';
  const method = options.method ?? 'average';
  if (!HIERARCHY_METRICS.includes(metric)) throw new ParameterError('metric', JSON.stringify(metric), `one of ${HIERARCHY_METRICS.join(', ')}`);
  if (!LINKAGE_METHODS.includes(method)) throw new ParameterError('method', JSON.stringify(method), `one of ${LINKAGE_METHODS.join(', ')}`);
  checkFinitePoints(points);
  const n = points.n;
  const dist = metric === 'correlation' ? correlationDistances(points) : euclideanDistances(points);
  const merges = linkage(dist, n, method);
  return { order: leafOrder(merges, n), merges };
}

/**
 * Full `n × n` matrix of 1 − Pearson r between rows (scipy `pdist(X, 'correlation')`, clipped at 0); a
 * constant row, whose correlation is undefined, is at distance 1 from every other row and 0 from itself.
 */
function correlationDistances(points: Points): Float64Array {
  const { values } = pearsonRows(points);
  const n = points.n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = values[i * n + j];
      values[i * n + j] = i === j ? 0 : Number.isNaN(r) ? 1 : Math.max(0, 1 - r);
    }
  }
  return values;
}

/** Generic agglomeration with Lance–Williams updates; `dist` is overwritten. */
function linkage(dist: Float64Array, n: number, method: LinkageMethod): Merge[] {
  const active = new Uint8Array(n).fill(1);
  const id = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Float64Array(n).fill(1);
  const merges: Merge[] = [];
  for (let step = 0; step < n - 1; step++) {
    let bi = -1;
    let bj = -1;
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      const row = i * n;
      for (let j = i + 1; j < n; j++) {
        if (active[j] && dist[row + j] < best) {
          best = dist[row + j];
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) {
      // Only non-finite distances left (cannot happen for finite input): merge the first two slots.
      bi = active.indexOf(1);
      bj = active.indexOf(1, bi + 1);
      best = dist[bi * n + bj];
    }
    const na = size[bi];
    const nb = size[bj];
    const dab = dist[bi * n + bj];
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === bi || k === bj) continue;
      const dak = dist[bi * n + k];
      const dbk = dist[bj * n + k];
      let v: number;
      switch (method) {
        case 'single':
          v = Math.min(dak, dbk);
          break;
        case 'complete':
          v = Math.max(dak, dbk);
          break;
        case 'average':
          v = (na * dak + nb * dbk) / (na + nb);
          break;
        case 'ward': {
          const nk = size[k];
          const t = na + nb + nk;
          v = Math.sqrt(Math.max(0, ((na + nk) * dak * dak + (nb + nk) * dbk * dbk - nk * dab * dab) / t));
          break;
        }
      }
      dist[bi * n + k] = v;
      dist[k * n + bi] = v;
    }
    const a = id[bi];
    const b = id[bj];
    merges.push({ left: Math.min(a, b), right: Math.max(a, b), height: best, size: na + nb });
    active[bj] = 0;
    size[bi] = na + nb;
    id[bi] = n + step;
  }
  return merges;
}

function leafOrder(merges: Merge[], n: number): number[] {
  if (n === 0) return [];
  if (merges.length === 0) return Array.from({ length: n }, (_, i) => i);
  const order: number[] = [];
  const stack = [n + merges.length - 1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node < n) order.push(node);
    else {
      const m = merges[node - n];
      stack.push(m.right, m.left);
    }
  }
  return order;
}

/** A straight line of a dendrogram drawing. */
export interface DendrogramSegment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * The lines of the dendrogram of a {@link hierarchicalOrder} result, with leaves at `y = 0` and
 * `x = position in result.order` (leaf `order[i]` at `x = i`; scipy draws it at `5 + 10·i`) and merges at
 * `y = height`. Each merge is an upside-down U drawn as three segments, in this order: the left leg
 * `(xl, yl) → (xl, h)`, the bar `(xl, h) → (xr, h)`, and the right leg `(xr, h) → (xr, yr)` — scipy's
 * `icoord = [xl, xl, xr, xr]`, `dcoord = [yl, h, h, yr]` — where a child's `x` is its leaf position or
 * the middle of its own bar and its `y` is 0 for a leaf or its merge height. Merges come in linkage order.
 *
 * @param result - the clustering
 * @param n - number of leaves (points)
 * @returns 3·(n − 1) segments
 * @throws ParameterError (`result`) if it does not describe `n` leaves
 */
export function dendrogramSegments(result: HierarchyResult, n: number): DendrogramSegment[] {
  if (result.order.length !== n || result.merges.length !== Math.max(0, n - 1)) {
    throw new ParameterError(
      'result',
      `${result.order.length} leaves and ${result.merges.length} merges`,
      `${n} leaves and ${Math.max(0, n - 1)} merges, for n = ${n}`,
    );
  }
  const x = new Float64Array(2 * n);
  const y = new Float64Array(2 * n);
  result.order.forEach((leaf, i) => (x[leaf] = i));
  const out: DendrogramSegment[] = [];
  result.merges.forEach((m, i) => {
    const xl = x[m.left];
    const xr = x[m.right];
    const h = m.height;
    out.push({ x1: xl, y1: y[m.left], x2: xl, y2: h }, { x1: xl, y1: h, x2: xr, y2: h }, { x1: xr, y1: h, x2: xr, y2: y[m.right] });
    x[n + i] = (xl + xr) / 2;
    y[n + i] = h;
  });
  return out;
}
