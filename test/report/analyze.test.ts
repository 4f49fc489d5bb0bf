import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTrack, defaultOutDir, displayBinMs, smoothingWindow } from '../../src/report/analyze.js';
import { SongscopeError } from '../../src/errors.js';
import { FIXTURE_CASES, loadFixture, loadReference, worst } from '../helpers/fixtures.js';

describe('analyzeTrack (the library behind `songscope analyze`)', () => {
  test('its self-similarity equals the reference pipeline (z-score → 1 s bins → rolling(10) → corr)', async () => {
    const c = FIXTURE_CASES[0];
    const ref = loadReference(c);
    const analysis = await loadFixture(c);
    const plain = await analyzeTrack(analysis, { grid: 'seed', render: false });
    const pairs: [number, number, string][] = [];
    for (const [i, row] of Object.entries(ref.corr_1s_rows)) row.forEach((v, j) => pairs.push([plain.similarity.values[Number(i) * plain.similarity.n + j], v, `[${i}][${j}]`]));
    let w = worst(pairs);
    assert.ok(w.err <= 1e-9, w.at);

    const smooth = await analyzeTrack(analysis, { grid: 'seed', smoothS: 10, render: false });
    assert.equal(smooth.summary.similarity.undefinedBins, 9);
    const sp: [number, number, string][] = [];
    for (const [i, row] of Object.entries(ref.corr_smoothed_rows)) {
      if (Number(i) < 9) continue;
      row.forEach((v, j) => j >= 9 && sp.push([smooth.similarity.values[Number(i) * smooth.similarity.n + j], v, `[${i}][${j}]`]));
    }
    w = worst(sp);
    assert.ok(w.err <= 1e-9, w.at);
    assert.equal(smooth.svgs, undefined);
  });

  test('the feature heatmap has at most 1,000 bins and z-scores of the 1 ms matrix', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[3]); // 367 s
    const r = await analyzeTrack(analysis, { render: false });
    assert.ok(r.featureBins.rows <= 1000 && r.featureBins.rows > 900, String(r.featureBins.rows));
    assert.equal(r.featureBins.metadata.resolution_ms, '368');
    // z-scored columns average ~0 over the track
    let sum = 0;
    for (let i = 0; i < r.featureBins.rows; i++) sum += r.featureBins.data[2 * r.featureBins.rows + i];
    assert.ok(Math.abs(sum / r.featureBins.rows) < 0.05);
    assert.equal(r.summary.grid.rows, 367474);
    assert.equal(defaultOutDir(analysis), 'songscope-out/give-it-up-for-love-feat-john-williams-mysto-pizzi-remix');
  });

  test('display bins and smoothing windows', () => {
    assert.equal(displayBinMs(0, 219493, 1000), 220);
    assert.equal(displayBinMs(0, 999, 1000), 1);
    assert.equal(displayBinMs(999, 1998, 500), 3); // 2 ms bins anchored at 0 would need 501 bins here
    assert.equal(smoothingWindow(10, 1000), 10);
    assert.equal(smoothingWindow(10, 500), 20);
    assert.equal(smoothingWindow(0, 1000), 0);
    assert.throws(() => smoothingWindow(0.3, 1000), (e: unknown) => e instanceof SongscopeError && e.exitCode === 2);
  });
});
