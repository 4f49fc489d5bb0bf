/**
 * The shape fingerprint (src/shape/fingerprint.ts) and its distances (src/shape/distance.ts): the layout,
 * each invariance one at a time (transposition, stretch 0.7 and 1.4, length, timbre offsets and scalings,
 * loudness), proportions under the warped distance, and that different forms stay apart.
 *
 * The bounds are what was measured on these generated songs, with a little room: exact invariances
 * (transposition, timbre, loudness) to rounding; the stretch to where events fall on interval edges; and the
 * changes that re-draw the segments (tempo, length, instrumentation through the generator) to the level of a
 * fresh noise draw of the same song (`detailSeed`), which is the floor of any two recordings.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SHAPE_SIZE,
  FALLBACK_BAR_MS,
  fingerprintLength,
  fingerprintMatrix,
  SHAPE_VERSION,
  shapeFingerprint,
  shapeId,
  sizeOfLength,
  barEdgesMs,
} from '../../src/shape/fingerprint.js';
import { directDistance, shapeDistances, warpedDistance } from '../../src/shape/distance.js';
import { generateFormAnalysis, reorchestrateAnalysis, stretchAnalysis, transposeAnalysis, type FormSongOptions } from '../../src/synth/forms.js';
import { validateAnalysis } from '../../src/analysis/schema.js';
import type { AudioAnalysis } from '../../src/analysis/types.js';
import { eventGrid } from '../../src/matrix/events.js';
import { assertClose, parameterError } from '../helpers/assert.js';

const BASE: FormSongOptions = { form: 'ABABCB', seed: 5, key: 2, tempoBpm: 100, bars: { A: 8, B: 8, C: 8 } };
const base = generateFormAnalysis(BASE);
const fp = (a: AudioAnalysis) => shapeFingerprint(a).values;
const fBase = fp(base);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

/** Distance of a fresh noise draw of the same song: the floor every re-generated variant is held to. */
const noiseFloor = directDistance(fBase, fp(generateFormAnalysis({ ...BASE, detailSeed: 99 })));

describe('the fingerprint: layout, id, determinism', () => {
  test('64 intervals give 2,016 standardised float32 values', () => {
    const f = shapeFingerprint(base);
    assert.ok(f.values instanceof Float32Array, 'a Float32Array');
    assert.equal(f.values.length, 2016, 'size·(size−1)/2 values');
    assert.equal(f.size, DEFAULT_SHAPE_SIZE, 'the default size');
    assert.equal(fingerprintLength(64), 2016, 'fingerprintLength');
    assert.equal(sizeOfLength(2016), 64, 'sizeOfLength inverts it');
    assert.ok(Number.isNaN(sizeOfLength(2000)), 'no size has 2,000 values');
    const mean = f.values.reduce((s, v) => s + v, 0) / f.values.length;
    const sd = Math.sqrt(f.values.reduce((s, v) => s + (v - mean) ** 2, 0) / f.values.length);
    assert.ok(Math.abs(mean) < 1e-6, `mean 0, got ${mean}`);
    assert.ok(Math.abs(sd - 1) < 1e-6, `population sd 1, got ${sd}`);
    assert.equal(f.sequence.n, 64, 'the trajectory has one point per interval');
    assert.equal(f.sequence.d, 24, 'of the 12 pitch and 12 timbre columns');
  });

  test('the id names the version and every parameter', () => {
    assert.equal(shapeFingerprint(base).id, `${SHAPE_VERSION} size=64 window=4 blur=1`, 'default id');
    assert.equal(shapeId({ size: 32, windowBars: 2, blur: 0 }), `${SHAPE_VERSION} size=32 window=2 blur=0`, 'id of other parameters');
    assert.equal(shapeFingerprint(base, { size: 32 }).values.length, 496, 'size 32 gives 496 values');
  });

  test('the same analysis gives the same bytes', () => {
    const again = fp(generateFormAnalysis(BASE));
    assert.deepEqual(Buffer.from(again.buffer), Buffer.from(fBase.buffer), 'byte-identical fingerprints');
  });

  test('the square matrix mirrors the triangle', () => {
    const m = fingerprintMatrix(fBase);
    assert.equal(m.length, 64 * 64, '64 × 64');
    assert.equal(m[0 * 64 + 1], fBase[0], 'cell (0, 1) is the first value');
    assert.equal(m[1 * 64 + 0], fBase[0], 'and so is (1, 0)');
    assert.equal(m[1 * 64 + 2], fBase[63], 'cell (1, 2) follows row 0');
    assert.equal(m[5 * 64 + 5], Math.max(...fBase), 'the diagonal is the largest value');
    assert.throws(() => fingerprintMatrix(new Float32Array(10 + 1)), parameterError('values', '11 values', 'size·(size−1)/2 values for a whole size'), 'a length that is no triangle');
  });

  test('bad parameters and grids are refused', () => {
    assert.throws(() => shapeFingerprint(base, { size: 7 }), parameterError('size', '7', 'a whole number 8 … 256'), 'size 7');
    assert.throws(() => shapeFingerprint(base, { windowBars: 0 }), parameterError('windowBars', '0', 'a whole number of bars 1 … 64'), 'window 0');
    assert.throws(() => shapeFingerprint(base, { blur: -1 }), parameterError('blur', '-1', /^0 … \d+ cells$/), 'negative blur');
  });
});

describe('invariances, one at a time', () => {
  test('transposition by 1, 5 and 11 semitones: the same fingerprint', () => {
    for (const k of [1, 5, 11]) {
      const t = transposeAnalysis(base, k);
      assert.notDeepEqual(t.segments[0].pitches, base.segments[0].pitches, `transposed by ${k}: the pitches moved`);
      const f = fp(t);
      assert.ok(maxAbsDiff(f, fBase) <= 1e-6, `transposed by ${k}: largest difference ${maxAbsDiff(f, fBase)}`);
      assert.equal(directDistance(f, fBase), 0, `transposed by ${k}: distance 0 (measured)`);
    }
  });

  test('time-stretched to 0.7 and 1.4: the same fingerprint up to events on interval edges', () => {
    for (const s of [0.7, 1.4]) {
      const t = stretchAnalysis(base, s);
      assert.ok(Math.abs(t.track.duration - base.track.duration * s) < 1e-4, `stretched by ${s}: the duration scales`);
      const f = fp(t);
      // measured: 3.6e-7 (0.7) and 2.5e-7 (1.4); largest single difference 2.9e-3
      assert.ok(directDistance(f, fBase) <= 1e-6, `stretched by ${s}: distance ${directDistance(f, fBase)}`);
      assert.ok(warpedDistance(f, fBase) <= 1e-6, `stretched by ${s}: warped distance ${warpedDistance(f, fBase)}`);
      assert.ok(maxAbsDiff(f, fBase) <= 5e-3, `stretched by ${s}: largest difference ${maxAbsDiff(f, fBase)}`);
    }
  });

  test('timbre offsets and positive scalings (re-orchestration): the same fingerprint', () => {
    const t = reorchestrateAnalysis(base, {
      offset: [0, 30, -20, 10, 5, -5, 3, 0, 7, -9, 2, 1],
      scale: [1, 1.3, 0.7, 1.2, 0.8, 1.4, 0.9, 1.1, 1, 0.75, 1.25, 1.05],
    });
    // measured 4.4e-12: the timbre is rounded to 3 decimals after the change, as in a file
    assert.ok(directDistance(fp(t), fBase) <= 1e-10, `distance ${directDistance(fp(t), fBase)}`);
  });

  test('loudness −9 dB (the loudness-like first timbre coefficient and every loudness field): the same fingerprint', () => {
    const t = reorchestrateAnalysis(base, { offset: [-9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], loudnessDb: -9 });
    assert.ok(directDistance(fp(t), fBase) <= 1e-10, `distance ${directDistance(fp(t), fBase)}`);
  });

  test('the generator re-rendering the same song at other tempi, key, length or instrumentation stays at the noise floor', () => {
    // re-rendering draws new segments (their lengths are in seconds), so these are as far apart as two noise draws
    assert.ok(noiseFloor > 0.01 && noiseFloor < 0.1, `a fresh noise draw of the song is at ${noiseFloor} (measured 0.062)`);
    const variants: [string, Partial<FormSongOptions>][] = [
      ['tempo 70 BPM (0.7×)', { tempoBpm: 70 }],
      ['tempo 140 BPM (1.4×)', { tempoBpm: 140 }],
      ['key 9', { key: 9 }],
      ['every part twice as long (16 bars)', { bars: { A: 16, B: 16, C: 16 } }],
      ['another instrumentation', { instrumentationSeed: 77 }],
    ];
    for (const [what, change] of variants) {
      const d = directDistance(fBase, fp(generateFormAnalysis({ ...BASE, ...change })));
      assert.ok(d <= 1.5 * noiseFloor, `${what}: distance ${d}, noise floor ${noiseFloor}`);
    }
  });
});

describe('proportions and forms', () => {
  test('parts in other proportions: far apart directly, close once warped', () => {
    const other = fp(generateFormAnalysis({ ...BASE, bars: { A: 16, B: 8, C: 12 } }));
    const direct = directDistance(fBase, other);
    const warped = warpedDistance(fBase, other);
    // measured 0.384 and 0.060
    assert.ok(direct > 0.3, `direct distance ${direct}`);
    assert.ok(warped < 1.5 * noiseFloor, `warped distance ${warped} (noise floor ${noiseFloor})`);
  });

  test('the same material in other forms is far from ABABCB, farther than any variant of it', () => {
    // measured (warped): ABAB 0.70, AABA 0.69, ABCD 0.63, ABACAB 0.35, ABCBCB 0.27
    for (const form of ['ABAB', 'AABA', 'ABCD', 'ABACAB', 'ABCBCB']) {
      const d = warpedDistance(fBase, fp(generateFormAnalysis({ ...BASE, form })));
      assert.ok(d > 3 * noiseFloor, `${form}: warped distance ${d}, noise floor ${noiseFloor}`);
    }
  });

  test('another song of the same form (new material) is nearer than the same material in another form', () => {
    const sameForm = warpedDistance(fBase, fp(generateFormAnalysis({ ...BASE, materialSeed: 1234 })));
    const otherForm = warpedDistance(fBase, fp(generateFormAnalysis({ ...BASE, form: 'ABCBCB' })));
    assert.ok(sameForm < otherForm / 2, `same form, new material ${sameForm}; same material, ABCBCB ${otherForm}`);
  });
});

describe('edge cases', () => {
  test('without bars the track is cut into 2.4 s pieces, and the invariances still hold', () => {
    const noBars = { ...base, bars: [] };
    const edges = barEdgesMs([], eventGrid(noBars, 'full').rows);
    assert.equal(edges[1], FALLBACK_BAR_MS, 'the first stand-in bar ends at 2.4 s');
    const f = fp(noBars);
    assert.ok(directDistance(f, fBase) < 1.5 * noiseFloor, `close to the fingerprint with bars: ${directDistance(f, fBase)}`);
    assert.equal(directDistance(f, fp(transposeAnalysis(noBars, 3))), 0, 'transposition-invariant without bars: distance 0 (measured)');
  });

  test('a track without structure (every segment the same) has an all-zero fingerprint, at distance 1 from everything', () => {
    const flat = structuredClone(base);
    for (const s of flat.segments) {
      s.pitches = base.segments[0].pitches;
      s.timbre = base.segments[0].timbre;
    }
    const f = fp(flat);
    assert.ok(f.every((v) => v === 0), 'all zeros');
    assert.equal(directDistance(f, fBase), 1, 'direct distance 1');
    assert.equal(warpedDistance(f, fBase), 1, 'warped distance 1');
  });

  test('a 5-second track has a fingerprint', () => {
    const short = generateFormAnalysis({ form: 'AB', seed: 1, tempoBpm: 240, bars: { A: 1, B: 1 } });
    assert.ok(short.track.duration < 5, `a short song (${short.track.duration} s)`);
    const f = fp(short);
    assert.equal(f.length, 2016, 'the same length as any other');
    assert.ok(f.every(Number.isFinite), 'finite values');
  });
});

describe('distances', () => {
  const others = ['AABA', 'ABCD', 'ABAC'].map((form, i) => fp(generateFormAnalysis({ form, seed: 9, index: i })));
  test('warped and direct: 0 for the same, symmetric, within [0, 2]', () => {
    for (const a of [fBase, ...others]) {
      assert.equal(warpedDistance(a, a), 0, 'warped distance to itself');
      assertClose(directDistance(a, a), 0, 1e-15, 'direct distance to itself');
      for (const b of [fBase, ...others]) {
        assert.equal(warpedDistance(a, b), warpedDistance(b, a), 'warped is exactly symmetric');
        assert.equal(directDistance(a, b), directDistance(b, a), 'direct is exactly symmetric');
        assert.ok(warpedDistance(a, b) >= 0 && warpedDistance(a, b) <= 2, 'warped within [0, 2]');
      }
    }
  });

  test('the warped distance never exceeds the direct one by much (the identity alignment is one of its paths)', () => {
    for (const a of others) {
      const w = warpedDistance(fBase, a);
      const d = directDistance(fBase, a);
      assert.ok(w <= d + 0.05, `warped ${w}, direct ${d}`);
    }
  });

  test('shapeDistances: a symmetric matrix with a zero diagonal', () => {
    const all = [fBase, ...others];
    const m = shapeDistances(all);
    for (let i = 0; i < 4; i++) {
      assert.equal(m[i * 4 + i], 0, `diagonal ${i}`);
      for (let j = 0; j < 4; j++) assert.equal(m[i * 4 + j], m[j * 4 + i], `(${i}, ${j})`);
    }
    assert.equal(m[1], warpedDistance(fBase, others[0]), 'the warped distance by default');
    assert.equal(shapeDistances(all, 'direct')[1], directDistance(fBase, others[0]), 'direct on request');
  });

  test('fingerprints of different sizes cannot be compared', () => {
    const small = shapeFingerprint(base, { size: 32 }).values;
    assert.throws(() => directDistance(small, fBase), parameterError('b', 'a fingerprint of 2016 values', 'the length of a (496): fingerprints of one id'), 'direct');
    assert.throws(() => warpedDistance(small, fBase), parameterError('b', 'a fingerprint of 2016 values', 'the length of a (496): fingerprints of one id'), 'warped');
  });
});

describe('the form generator', () => {
  test('songs are valid analyses whose sections follow the form', () => {
    for (const form of ['AABA', 'ABABCB', 'ABCD']) {
      const a = generateFormAnalysis({ form, seed: 3 });
      const { warnings } = validateAnalysis(JSON.parse(JSON.stringify(a)), form);
      assert.deepEqual(warnings, [], `${form}: validates without warnings`);
      assert.equal(a.sections.length, form.length, `${form}: one section per letter`);
      assert.equal((a.meta as { form: string }).form, form, `${form}: the form is in meta`);
      const bars = (a.meta as { bars: Record<string, number> }).bars;
      const total = [...form].reduce((s, l) => s + bars[l], 0);
      assert.equal(a.bars.length, total, `${form}: as many bars as the letters' bars add up to`);
    }
  });

  test('bad forms and options are refused', () => {
    assert.throws(() => generateFormAnalysis({ form: 'AB-A' }), parameterError('form', '"AB-A"', 'a string of part letters A–Z, e.g. AABA'), 'a dash');
    assert.throws(() => generateFormAnalysis({ form: '' }), parameterError('form', '""', 'a string of part letters A–Z, e.g. AABA'), 'empty');
    assert.throws(() => generateFormAnalysis({ form: 'A'.repeat(33) }), parameterError('form', '33 parts', 'at most 32 parts'), '33 parts');
    assert.throws(() => generateFormAnalysis({ form: 'AB', key: 12 }), parameterError('key', '12', 'a whole number 0 … 11'), 'key 12');
    assert.throws(() => generateFormAnalysis({ form: 'AB', bars: { A: 0 } }), parameterError('barsPerPart', '0 bars for part A', 'a whole number 1 … 64'), 'zero bars');
  });
});
