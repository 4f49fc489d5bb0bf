/**
 * Clustering and segmentation of the time points of one track, and the scores that compare them.
 *
 * - {@link kmeans}: k-means (scikit-learn's greedy k-means++ start, Lloyd iterations, `nInit` seeded
 *   restarts) — recurring clusters: the same label may come back later in the track.
 * - {@link contiguousWard}: Ward agglomeration restricted to neighbouring time points — `k` contiguous
 *   segments.
 * - {@link noveltyCurve} / {@link noveltyBoundaries} / {@link noveltySegments}: Foote's checkerboard
 *   novelty on a self-similarity matrix — segments between novelty peaks.
 * - {@link adjustedRandIndex}: agreement of two labelings (as `sklearn.metrics.adjusted_rand_score`).
 * - {@link labelsToBoundaries}, {@link sectionBoundaries}, {@link boundaryFMeasure}: boundary lists and
 *   the boundary hit rate of `mir_eval.segment.detection` (see {@link BOUNDARY_CONVENTIONS}).
 *
 * Every random step draws from `util/random.ts`, so the same input and seed give identical output.
 * Labels are always canonical: 0 is the label of the first time point, 1 the next new label in time
 * order, and so on.
 *
 * This file is the public face: each method lives in `cluster/` (`kmeans.ts`, `novelty.ts`, `ward.ts`),
 * the scores in `../evaluate/` (`cluster.ts`, `segment.ts`); every name is re-exported here.
 */
export {
  fitKMeans,
  kmeans,
  KMEANS_KIND,
  loadKMeans,
  type KMeansJson,
  type KMeansModel,
  type KMeansOptions,
  type KMeansResult,
} from './cluster/kmeans.js';
export {
  noveltyBoundaries,
  noveltyCurve,
  noveltySegments,
  type NoveltyPeakOptions,
  type NoveltySegmentOptions,
} from './cluster/novelty.js';
export { contiguousWard } from './cluster/ward.js';
