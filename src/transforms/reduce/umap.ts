/**
 * The `umap` reducer: umap-js with songscope's seeded generator.
 */
import { createRequire } from 'node:module';
import type { UMAP as UmapClass } from 'umap-js';
import { createRandom, subSeed, type Random } from '../../util/random.js';
import { ParameterError } from '../../errors.js';
import { pointsToRows, type Points } from '../points.js';
import { encodeNumbers, integerField, numberField, numbersField } from '../modelJson.js';
import { checkProjected } from './checks.js';
import { REDUCER_KIND, type Embedding, type FittedReducer, type ReducerJson } from './types.js';

let umapConstructor: typeof UmapClass | undefined;

/** umap-js's class, required on first use (CommonJS; most runs never reduce with UMAP). */
function umapClass(): typeof UmapClass {
  umapConstructor ??= (createRequire(import.meta.url)('umap-js') as { UMAP: typeof UmapClass }).UMAP;
  return umapConstructor;
}

/** Smallest number of points UMAP accepts (it needs a few neighbours per point). */
export const UMAP_MIN_POINTS = 4;

export function fitUmap(points: Points, ndims: number, seed: number): FittedReducer {
  const { n, d } = points;
  // umap-js keeps the generator it is given; route it through a variable so `project` can re-seed it.
  let random: Random = createRandom(seed);
  const umap = new (umapClass())({ nComponents: ndims, nNeighbors: Math.min(15, n - 1), random: () => random() });
  const fitted = umap.fit(pointsToRows(points));
  const data = new Float64Array(n * ndims);
  fitted.forEach((row, i) => data.set(row, i * ndims));
  const snapshot = new Float64Array(data);
  const embedding: Embedding = { model: 'umap', points: { n, d: ndims, data } };
  const train = new Float64Array(points.data);
  return {
    embedding,
    toJSON(): ReducerJson {
      return {
        kind: REDUCER_KIND,
        version: 1,
        model: 'umap',
        ndims,
        d,
        n,
        seed,
        train: encodeNumbers(train),
        embedding: encodeNumbers(snapshot),
      };
    },
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

/**
 * A saved `umap` reducer back (see `../modelJson.ts`; `o` has passed the header check). umap-js cannot
 * save its fitted graph, so the JSON holds the training points and the seed, and this fits again: the fit
 * is deterministic for a seed, so the refit has the same embedding and projects identically. That costs a
 * whole fit at every load (≈ 1.3 s at n = 250, ≈ 17 s at n = 4000; see `../reduce.ts`). The saved
 * embedding is compared with the refit's, bit for bit, so a model saved under another umap-js (whose fit
 * may differ) is refused rather than projecting into a space that is not the saved one.
 *
 * @throws ParameterError (`json`) for a malformed field, or an embedding the refit does not reproduce
 */
export function loadUmap(o: Record<string, unknown>, ndims: number, d: number): FittedReducer {
  const n = integerField(o, 'n', Math.max(UMAP_MIN_POINTS, ndims + 1));
  const seed = numberField(o, 'seed');
  const train = numbersField(o, 'train', n * d);
  const saved = numbersField(o, 'embedding', n * ndims);
  const refit = fitUmap({ n, d, data: train }, ndims, seed);
  const data = refit.embedding.points.data;
  for (let i = 0; i < saved.length; i++) {
    if (!Object.is(saved[i], data[i])) {
      throw new ParameterError('json', `an embedding the refit does not reproduce (value ${i}: ${saved[i]}, refit ${data[i]})`, 'a umap model saved by this version of umap-js');
    }
  }
  return refit;
}
