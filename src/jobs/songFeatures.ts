/**
 * What `album`, `compare` and `classify` describe each song by (`--features`):
 *
 * - `mean` (default) — the song's time-averaged feature vector (26 numbers), normalised across the songs
 *   (`transforms/songs.ts`): what the songs *sound* like on average.
 * - `shape` — the song's shape fingerprint (`src/shape`): the order and recurrence of its parts, whatever the
 *   key, tempo, length or sound. Maps and song-by-song matrices use the warped shape distance; the classifier
 *   takes the fingerprint's 2,016 values as the song's features.
 * - `both` — both: the maps of each, and a classifier on the two side by side, the fingerprint scaled by
 *   √(26 / 2016) so each block weighs the same (a fingerprint's values have a sum of squares of 2,016, a
 *   z-scored vector's 26 on average).
 */
import { messages } from '../errors.js';
import { shapeDistances } from '../shape/distance.js';
import type { Points } from '../transforms/points.js';
import { smacof } from '../transforms/reduce.js';
import type { TrackRecord } from './tracks.js';

export const SONG_FEATURES = Object.freeze(['mean', 'shape', 'both'] as const);
export type SongFeatures = (typeof SONG_FEATURES)[number];
/** The default: today's vectors. */
export const DEFAULT_SONG_FEATURES: SongFeatures = 'mean';

/** Whether the songs' shape fingerprints are needed. */
export const usesShape = (features: SongFeatures | undefined): boolean => features === 'shape' || features === 'both';
/** Whether the songs' time-averaged vectors are shown. */
export const usesMean = (features: SongFeatures | undefined): boolean => features !== 'shape';

function fingerprintsOf(tracks: readonly TrackRecord[]): Float32Array[] {
  return tracks.map((t) => {
    if (!t.shape) throw new Error(messages.invariant.noShapeFingerprint(t.name));
    return t.shape;
  });
}

/** Warped shape distance between every two songs, row-major n × n. */
export function shapeDistanceMatrix(tracks: readonly TrackRecord[]): Float64Array {
  return shapeDistances(fingerprintsOf(tracks), 'warped');
}

/** Shape similarity 1 − distance: Pearson r between the two songs' aligned shape matrices, in [−1, 1]. */
export function shapeSimilarity(distances: Float64Array): Float64Array {
  return distances.map((d) => 1 - d);
}

/**
 * 2-D metric MDS (SMACOF, seeded) of the songs' shape distances. Two songs: on the x axis, their distance
 * apart, centred; songs all at distance 0 from each other: all at 0.
 */
export function shapeMap(distances: Float64Array, n: number, seed: number): Points {
  if (distances.every((d) => d === 0)) return { n, d: 2, data: new Float64Array(n * 2) };
  if (n === 2) return { n, d: 2, data: Float64Array.from([-distances[1] / 2, 0, distances[1] / 2, 0]) };
  return smacof(distances, n, { ndims: 2, seed }).points;
}

/**
 * The points a classifier sees for `features`: the normalised vectors (`mean`), the fingerprints (`shape`),
 * or both side by side with the fingerprint scaled by √(26 / its length) (`both`).
 */
export function classificationPoints(tracks: readonly TrackRecord[], vectors: Points, features: SongFeatures): Points {
  if (features === 'mean') return vectors;
  const prints = fingerprintsOf(tracks);
  const length = prints[0]?.length ?? 0;
  const scale = features === 'both' ? Math.sqrt(vectors.d / length) : 1;
  const d = (features === 'both' ? vectors.d : 0) + length;
  const data = new Float64Array(tracks.length * d);
  tracks.forEach((_, i) => {
    let o = i * d;
    if (features === 'both') {
      data.set(vectors.data.subarray(i * vectors.d, (i + 1) * vectors.d), o);
      o += vectors.d;
    }
    for (let k = 0; k < length; k++) data[o + k] = prints[i][k] * scale;
  });
  return { n: tracks.length, d, data };
}
