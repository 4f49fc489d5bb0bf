/**
 * The `umap` reducer: umap-js with songscope's seeded generator.
 */
import { UMAP } from 'umap-js';
import { createRandom, subSeed, type Random } from '../../util/random.js';
import { pointsToRows, type Points } from '../points.js';
import { checkProjected } from './checks.js';
import type { Embedding, FittedReducer } from './types.js';

/** Smallest number of points UMAP accepts (it needs a few neighbours per point). */
export const UMAP_MIN_POINTS = 4;

export function fitUmap(points: Points, ndims: number, seed: number): FittedReducer {
  const { n, d } = points;
  // umap-js keeps the generator it is given; route it through a variable so `project` can re-seed it.
  let random: Random = createRandom(seed);
  const umap = new UMAP({ nComponents: ndims, nNeighbors: Math.min(15, n - 1), random: () => random() });
  const fitted = umap.fit(pointsToRows(points));
  const data = new Float64Array(n * ndims);
  fitted.forEach((row, i) => data.set(row, i * ndims));
  const snapshot = new Float64Array(data);
  const embedding: Embedding = { model: 'umap', points: { n, d: ndims, data } };
  return {
    embedding,
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      if (m === 0) return { n: 0, d: ndims, data: out };
      random = createRandom(subSeed(seed, 1));
      const rows = pointsToRows(newPoints);
      // umap-js moves the training embedding too when the batch has exactly n points (it decides by
      // length); split such a batch so the training embedding stays fixed.
      const batches = m === n ? [rows.slice(0, m - 1), rows.slice(m - 1)] : [rows];
      let at = 0;
      for (const batch of batches) {
        const placed = umap.transform(batch);
        placed.forEach((row) => {
          out.set(row, at * ndims);
          at++;
        });
        // Undo any drift of umap-js's internal training embedding so later calls start from the same state.
        umap.getEmbedding().forEach((row, i) => {
          for (let c = 0; c < ndims; c++) row[c] = snapshot[i * ndims + c];
        });
      }
      return { n: m, d: ndims, data: out };
    },
  };
}
