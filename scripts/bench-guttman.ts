/**
 * Time one SMACOF Guttman step: the generic `guttmanK` against the unrolled 2-D / 3-D copies, on random
 * dissimilarities (n = 250 and 1000). Prints the median of 5 rounds and checks the copies agree bit for bit.
 *
 *   npx tsx scripts/bench-guttman.ts
 */
import { guttman2, guttman3, guttmanK } from '../src/transforms/reduce/smacof.js';
import { createRandom } from '../src/util/random.js';

for (const n of [250, 1000]) {
  const random = createRandom(n);
  const delta = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) delta[i * n + j] = delta[j * n + i] = 3 * random();
  }
  for (const k of [2, 3]) {
    const x = Float64Array.from({ length: n * k }, () => random());
    const unrolled = (out: Float64Array): number => (k === 2 ? guttman2(delta, n, x, out) : guttman3(delta, n, x, out));
    const generic = (out: Float64Array): number => guttmanK(delta, n, k, x, out);
    const a = new Float64Array(n * k);
    const b = new Float64Array(n * k);
    const same = unrolled(a) === generic(b) && a.every((v, i) => v === b[i]);
    const reps = Math.max(20, Math.round(2e8 / (n * n)));
    const out = new Float64Array(n * k);
    const time = (step: (o: Float64Array) => number): number => {
      for (let w = 0; w < 5; w++) step(out.fill(0));
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) step(out.fill(0));
      return (performance.now() - t0) / reps;
    };
    const tu: number[] = [];
    const tg: number[] = [];
    for (let round = 0; round < 5; round++) {
      tu.push(time(unrolled));
      tg.push(time(generic));
    }
    const median = (v: number[]): number => v.sort((p, q) => p - q)[2];
    const [u, g] = [median(tu), median(tg)];
    console.log(`n = ${n}, k = ${k}: unrolled ${u.toFixed(3)} ms, generic ${g.toFixed(3)} ms, generic/unrolled ${(g / u).toFixed(2)}, bit-identical ${same}`);
  }
}
