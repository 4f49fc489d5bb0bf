/**
 * Distances between shape fingerprints (see `./fingerprint.ts`).
 *
 * - `direct` — 1 − Pearson r between the two fingerprints (both are standardised, so r is their mean
 *   product): 0 for the same shape, 1 for unrelated ones, up to 2. O(size²); compares the matrices cell for
 *   cell, so it wants the parts of two songs in the same proportions.
 * - `warped` — the same after aligning the two songs' timelines by dynamic time warping ({@link warpedDistance}):
 *   parts of one form in different proportions (a long verse and a short chorus against the reverse) line
 *   up. O(iterations · size³).
 */
import { fingerprintMatrix, sizeOfLength } from './fingerprint.js';
import { ParameterError } from '../errors.js';

export const SHAPE_DISTANCES = Object.freeze(['warped', 'direct'] as const);
export type ShapeDistance = (typeof SHAPE_DISTANCES)[number];
/** The default: {@link SHAPE_DISTANCES}. */
export const DEFAULT_SHAPE_DISTANCE: ShapeDistance = 'warped';

/** Options of {@link warpedDistance}. */
export interface WarpOptions {
  /** Largest |i − j| of an aligned pair, as a fraction of size; default 0.2. */
  band?: number;
  /** Alignment refinements after the first (each re-aligns with the last path's column pairing); default 2. */
  iterations?: number;
  /** Extra cost of a horizontal or vertical step, as a fraction of the mean local cost; default 0.2. */
  stepPenalty?: number;
}

/** The default band, iterations and step penalty of {@link warpedDistance}. */
export const DEFAULT_WARP: Required<WarpOptions> = Object.freeze({ band: 0.2, iterations: 2, stepPenalty: 0.2 });

function check(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new ParameterError('b', `a fingerprint of ${b.length} values`, `the length of a (${a.length}): fingerprints of one id`);
}

/** 1 − Pearson r between two fingerprints of equal length (0 … 2; 1 when either has no structure). */
export function directDistance(a: Float32Array, b: Float32Array): number {
  check(a, b);
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let k = 0; k < n; k++) {
    sa += a[k];
    sb += b[k];
  }
  const ma = sa / n;
  const mb = sb / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < n; k++) {
    const x = a[k] - ma;
    const y = b[k] - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (!(aa > 0 && bb > 0)) return 1;
  return 1 - Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb)));
}

/** Whether `a` comes before `b` in a fixed order of fingerprints (so a pair is always taken the same way round). */
function before(a: Float32Array, b: Float32Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] < b[k];
  return true;
}

/**
 * Dynamic time warping on a local cost matrix (n × n, row-major) within a band, with steps (1,1), (1,0),
 * (0,1), the latter two costing `penalty` extra. Returns the optimal path from (0,0) to (n−1,n−1) as pairs.
 */
function dtwPath(cost: Float64Array, n: number, band: number, penalty: number): Int32Array {
  const acc = new Float64Array(n * n).fill(Infinity);
  const move = new Uint8Array(n * n); // 0 diagonal, 1 from (i−1, j), 2 from (i, j−1)
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - band);
    const hi = Math.min(n - 1, i + band);
    for (let j = lo; j <= hi; j++) {
      const c = cost[i * n + j];
      if (i === 0 && j === 0) {
        acc[0] = c;
        continue;
      }
      let best = Infinity;
      let m = 0;
      if (i > 0 && j > 0 && acc[(i - 1) * n + j - 1] < best) {
        best = acc[(i - 1) * n + j - 1];
        m = 0;
      }
      if (i > 0 && acc[(i - 1) * n + j] + penalty < best) {
        best = acc[(i - 1) * n + j] + penalty;
        m = 1;
      }
      if (j > 0 && acc[i * n + j - 1] + penalty < best) {
        best = acc[i * n + j - 1] + penalty;
        m = 2;
      }
      acc[i * n + j] = best + c;
      move[i * n + j] = m;
    }
  }
  const path: number[] = [];
  let i = n - 1;
  let j = n - 1;
  for (;;) {
    path.push(i, j);
    if (i === 0 && j === 0) break;
    const m = move[i * n + j];
    if (m === 0) {
      i--;
      j--;
    } else if (m === 1) i--;
    else j--;
  }
  const out = new Int32Array(path.length);
  for (let k = 0; k < path.length; k += 2) {
    out[k] = path[path.length - 2 - k];
    out[k + 1] = path[path.length - 1 - k];
  }
  return out;
}

/** 1 − Pearson r between x[p_i, p_k] and y[q_i, q_k] over all pairs of path steps i < k. */
function pathDistance(x: Float64Array, y: Float64Array, n: number, path: Int32Array): number {
  const steps = path.length / 2;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let count = 0;
  for (let a = 0; a < steps; a++) {
    const pi = path[2 * a];
    const qi = path[2 * a + 1];
    for (let b = a + 1; b < steps; b++) {
      const pk = path[2 * b];
      const qk = path[2 * b + 1];
      if (pk === pi || qk === qi) continue; // a diagonal cell of either matrix
      const u = x[pi * n + pk];
      const v = y[qi * n + qk];
      sx += u;
      sy += v;
      sxx += u * u;
      syy += v * v;
      sxy += u * v;
      count++;
    }
  }
  if (count < 2) return 1;
  const cov = sxy - (sx * sy) / count;
  const vx = sxx - (sx * sx) / count;
  const vy = syy - (sy * sy) / count;
  if (!(vx > 0 && vy > 0)) return 1;
  return 1 - Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy)));
}

/**
 * The warped distance: align the two songs' normalised timelines, then compare their matrices along the
 * alignment.
 *
 * 1. Start from the identity pairing of the columns (interval k of one song with interval k of the other).
 * 2. Local cost of pairing interval i of `a` with interval j of `b`: the mean squared difference between
 *    row i of a's matrix and row j of b's, their columns taken in the current pairing.
 * 3. Dynamic time warping on that cost (a band of ±`band`·size, horizontal and vertical steps costing
 *    `stepPenalty` × the mean cost extra) gives a monotone path from the start to the end of both songs.
 * 4. The path's pairs become the column pairing; repeat 2–3 `iterations` times.
 * 5. The distance: 1 − Pearson r between a's matrix and b's, cell (i, k) against cell (j, l) for every two
 *    pairs (i, j), (k, l) of the path.
 *
 * Symmetric (the pair is always taken in one fixed order) and 0 for identical fingerprints.
 *
 * @throws ParameterError for fingerprints of different or impossible lengths
 */
export function warpedDistance(a: Float32Array, b: Float32Array, options: WarpOptions = {}): number {
  check(a, b);
  if (!before(a, b)) [a, b] = [b, a];
  const n = sizeOfLength(a.length);
  if (!Number.isFinite(n)) throw new ParameterError('a', `${a.length} values`, 'size·(size−1)/2 values for a whole size');
  const band = Math.max(1, Math.round((options.band ?? DEFAULT_WARP.band) * n));
  const iterations = options.iterations ?? DEFAULT_WARP.iterations;
  const penaltyFraction = options.stepPenalty ?? DEFAULT_WARP.stepPenalty;
  const x = fingerprintMatrix(a);
  const y = fingerprintMatrix(b);
  let path: Int32Array = new Int32Array(2 * n);
  for (let k = 0; k < n; k++) {
    path[2 * k] = k;
    path[2 * k + 1] = k;
  }
  const cost = new Float64Array(n * n);
  for (let it = 0; it <= iterations; it++) {
    const steps = path.length / 2;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (Math.abs(i - j) > band) {
          cost[i * n + j] = Infinity;
          continue;
        }
        let s = 0;
        for (let p = 0; p < steps; p++) {
          const d = x[i * n + path[2 * p]] - y[j * n + path[2 * p + 1]];
          s += d * d;
        }
        cost[i * n + j] = s / steps;
        total += s / steps;
      }
    }
    const cells = n * (2 * band + 1) - band * (band + 1);
    path = dtwPath(cost, n, band, (penaltyFraction * total) / cells);
  }
  return pathDistance(x, y, n, path);
}

/** The distance between two fingerprints by `kind` (default {@link DEFAULT_SHAPE_DISTANCE}). */
export function shapeDistance(a: Float32Array, b: Float32Array, kind: ShapeDistance = DEFAULT_SHAPE_DISTANCE, options: WarpOptions = {}): number {
  return kind === 'direct' ? directDistance(a, b) : warpedDistance(a, b, options);
}

/**
 * Every pairwise distance of a set of fingerprints, row-major n × n, symmetric, 0 on the diagonal.
 */
export function shapeDistances(fingerprints: readonly Float32Array[], kind: ShapeDistance = DEFAULT_SHAPE_DISTANCE, options: WarpOptions = {}): Float64Array {
  const n = fingerprints.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = shapeDistance(fingerprints[i], fingerprints[j], kind, options);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}

