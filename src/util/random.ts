/**
 * Seeded pseudo-random numbers for every random step (k-means initialisation, MDS starts, CV folds,
 * UMAP, the analysis generator), so the same input and seed give byte-identical outputs.
 *
 * The generator is mulberry32: 32-bit state, fast, good enough statistically for initialisations and
 * shuffles (not for cryptography). Seeds are integers; any finite number is truncated to 32 bits.
 */

/** The seed every command uses unless `--seed` says otherwise. */
export const DEFAULT_SEED = 0;

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** A mulberry32 generator started from `seed`. */
export function createRandom(seed: number = DEFAULT_SEED): Random {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A derived seed for the `index`-th independent sub-run (restart, fold, …) of a seeded computation. */
export function subSeed(seed: number, index: number): number {
  return (Math.imul(Math.trunc(seed) ^ 0x85ebca6b, 0x27d4eb2f) + Math.imul(index + 1, 0x165667b1)) | 0;
}

/** Integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Standard normal deviate (Box–Muller). */
export function randomNormal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Shuffle `array` in place (Fisher–Yates) and return it. */
export function shuffleInPlace<T>(array: T[], random: Random): T[] {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
