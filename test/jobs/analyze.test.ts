import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANALYZE_PLOTS, analyzeGalleryItem, analyzeTrack, defaultOutDir, binMsForDisplay, smoothingWindowBins, writeAnalyzeOutputs } from '../../src/jobs/analyze.js';
import { clusterJob, correlateJob, reduceJob } from '../../src/jobs/transforms.js';
import { buildReportHtml } from '../../src/report/html.js';
import { loadMatrix, type LoadedMatrix } from '../../src/jobs/load.js';
import { adjustedRandIndex } from '../../src/evaluate/cluster.js';
import { compileSpec } from '../../src/plots/render.js';
import { generateAnalysis } from '../../src/synth/generate.js';
import { SongscopeError } from '../../src/errors.js';
import { outputJsonText } from '../../src/util/outputJson.js';
import { FIXTURE_CASES, ROOT, loadFixture, loadReference, worst } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

/** A fixture as the transform subcommands load it. */
function loaded(c: (typeof FIXTURE_CASES)[number]): Promise<LoadedMatrix> {
  return loadMatrix(join(ROOT, c.input), { grid: 'full', resolve: { useCache: false } });
}

/** The inline data of a (single-view or layered) spec's first data set. */
function specRows(spec: unknown): Record<string, number>[] {
  const s = spec as { data?: { values: Record<string, number>[] }; layer?: { data?: { values: Record<string, number>[] } }[] };
  const values = s.data?.values ?? s.layer?.[0]?.data?.values;
  assert.ok(values, 'the spec carries inline data');
  return values;
}

const tmp = tempDirPerSuite('analyze');

describe('analyzeTrack (the library behind `songscope analyze`)', () => {
  test('similarity and similarity-smooth equal the reference pipeline (z-score → 1 s bins [→ rolling(10)] → corr)', async () => {
    const c = FIXTURE_CASES[0];
    const ref = loadReference(c);
    const analysis = await loadFixture(c);
    const r = await analyzeTrack(analysis, { grid: 'seed', render: false });
    const pairs: [number, number, string][] = [];
    for (const [i, row] of Object.entries(ref.corr_1s_rows)) row.forEach((v, j) => pairs.push([r.similarity.values[Number(i) * r.similarity.n + j], v, `[${i}][${j}]`]));
    let w = worst(pairs);
    // measured: 2.1e-15 and 1.5e-15 (relative to max(1, |r|))
    assert.ok(pairs.length > 0 && w.err <= 3e-15, `similarity, error ${w.err}: ${w.at}`);
    assert.equal(r.summary.similarity.undefinedBins, 0, 'the unsmoothed bins are all defined');

    // the default --smooth is the notebook's rolling(10)
    assert.ok(r.similaritySmooth, 'similarity-smooth is drawn by default');
    assert.equal(r.summary.similaritySmooth?.smoothS, 10, 'the notebook\'s 10 s smoothing by default');
    assert.equal(r.summary.similaritySmooth?.undefinedBins, 9, 'the nine zero rows the rolling mean leaves');
    const sp: [number, number, string][] = [];
    for (const [i, row] of Object.entries(ref.corr_smoothed_rows)) {
      if (Number(i) < 9) continue;
      row.forEach((v, j) => j >= 9 && sp.push([r.similaritySmooth!.values[Number(i) * r.similaritySmooth!.n + j], v, `[${i}][${j}]`]));
    }
    w = worst(sp);
    assert.ok(sp.length > 0 && w.err <= 3e-15, `similarity-smooth, error ${w.err}: ${w.at}`);
    // parts are k-means of those smoothed bins: the same partition scikit-learn finds (the generators differ)
    const ari = adjustedRandIndex(r.parts!, ref.kmeans_k3_smoothed_sklearn_labels);
    assert.equal(ari, 1, "the partition scikit-learn's k-means finds (measured: ARI 1)");
    assert.equal(r.svgs, undefined, 'render: false draws nothing');
  });

  for (const c of [FIXTURE_CASES[0], FIXTURE_CASES[3], FIXTURE_CASES[4]]) {
    test(`five plots whose numbers are those of correlate, cluster and reduce on the same input: ${c.name}`, async () => {
      const analysis = await loadFixture(c);
      const r = await analyzeTrack(analysis, { render: false });
      const input = await loaded(c);
      assert.deepEqual(Object.keys(r.specs).sort(), [...ANALYZE_PLOTS].sort(), 'every plot has a spec');
      assert.equal(r.summary.skipped, undefined, 'nothing skipped');

      // similarity / similarity-smooth = correlate [--smooth 10], bit for bit
      assert.deepEqual(r.similarity.values, correlateJob(input, {}).similarity.values, 'similarity = correlate');
      const smooth = correlateJob(input, { smoothS: 10 });
      assert.deepEqual(r.similaritySmooth!.values, smooth.similarity.values, 'similarity-smooth = correlate --smooth 10');
      assert.equal(r.summary.similaritySmooth!.undefinedBins, smooth.summary.undefinedBinsS.length, 'the undefined bins as correlate reports them');

      // parts = cluster --k 3 --smooth 10 --seed 0: labels, boundaries, section agreement and the plot itself
      const cluster = clusterJob(input, { k: 3, smoothS: 10, seed: 0 });
      assert.deepEqual(r.parts, cluster.labels, 'parts labels = cluster labels');
      const { title: _title, ...clusterSummary } = cluster.summary;
      const { runs, nInit, ...parts } = r.summary.parts!;
      assert.deepEqual(parts, clusterSummary, 'summary.json parts = cluster --json');
      assert.equal(nInit, 10, '10 k-means starts');
      assert.deepEqual(r.specs.parts, cluster.spec, 'the parts plot is the cluster plot');
      // the runs are the labels, run-length encoded, between the boundaries
      const expanded = new Int32Array(r.parts!.length);
      for (const run of runs) for (let i = run.startS; i < Math.min(run.endS, r.parts!.length); i++) expanded[i] = run.label;
      assert.deepEqual(expanded, r.parts, 'runs expand to the labels');
      assert.deepEqual([...runs.map((run) => run.startS), runs[runs.length - 1].endS], parts.boundariesS, 'runs start at the boundaries');
      assert.deepEqual(specRows(r.specs.parts).map((row) => row.cluster), Array.from(r.parts!), 'the timeline draws the labels');

      // trajectory = reduce --model pca (unsmoothed bins), coloured by part
      const reduced = reduceJob([input], { model: 'pca' });
      assert.deepEqual(r.trajectory!.points.data, reduced.embedding.points.data, 'trajectory = reduce --model pca');
      assert.deepEqual(r.summary.trajectory!.explainedVarianceRatio, reduced.summary.explainedVarianceRatio, 'the explained variance as reduce reports it');
      const rows = specRows(r.specs.trajectory);
      assert.equal(rows.length, r.similarity.n, 'one point per bin');
      assert.deepEqual(rows.map((row) => row.cluster), Array.from(r.parts!), 'coloured by part');
      const [a, b] = r.summary.trajectory!.explainedVarianceRatio;
      const subtitle = JSON.stringify((r.specs.trajectory as { title: unknown }).title);
      assert.ok(subtitle.includes(`${((a + b) * 100).toFixed(1)} % of the variance`), `explained variance in the subtitle: ${subtitle}`);

      for (const name of ANALYZE_PLOTS) compileSpec(r.specs[name]!);
    });
  }

  test('--smooth 0 skips similarity-smooth and finds parts on the unsmoothed bins, as cluster --smooth 0', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[1]);
    const r = await analyzeTrack(analysis, { smoothS: 0, k: 4, seed: 3, render: false });
    assert.equal(r.similaritySmooth, undefined, '--smooth 0: no similarity-smooth');
    assert.equal(r.specs['similarity-smooth'], undefined, '--smooth 0: no similarity-smooth plot');
    assert.match(r.summary.skipped?.['similarity-smooth'] ?? '', /--smooth 0/, 'the reason names --smooth 0');
    assert.equal(r.summary.parts?.smoothS, 0, 'parts on the unsmoothed bins');
    assert.deepEqual(r.parts, clusterJob(await loaded(FIXTURE_CASES[1]), { k: 4, seed: 3, smoothS: 0 }).labels, 'the parts of cluster --smooth 0');
    // a window of one bin smooths nothing: similarity-smooth is the same matrix, not computed twice
    const one = await analyzeTrack(analysis, { smoothS: 1, render: false });
    assert.equal(one.similaritySmooth, one.similarity, 'a one-bin window: the same matrix object');
    assert.equal(one.summary.similaritySmooth?.windowBins, 1, 'a one-bin window');
  });

  test('a track shorter than --smooth: similarity-smooth skipped with the reason, parts on the unsmoothed bins', async () => {
    const analysis = generateAnalysis({ style: 'folk', durationS: 8, seed: 5 });
    const r = await analyzeTrack(analysis, { render: false });
    assert.equal(r.similarity.n, 8, '8 bins of 1 s');
    assert.equal(r.similaritySmooth, undefined, 'no similarity-smooth');
    assert.match(r.summary.skipped?.['similarity-smooth'] ?? '', /--smooth 10 s is longer than the track's 8 bins of 1 s/, 'the reason names the 10 s window and the 8 bins');
    assert.equal(r.summary.parts?.smoothS, 0, 'parts on the unsmoothed bins');
    assert.equal(r.parts?.length, 8, 'a part label per bin');
    assert.ok(r.trajectory, 'the trajectory is still drawn');
    // fewer bins than --k: as many parts as bins at most
    const tiny = await analyzeTrack(generateAnalysis({ style: 'dance', durationS: 5, seed: 1 }), { k: 9, render: false });
    assert.equal(tiny.summary.parts?.k, 5, 'k capped at the 5 bins');
  });

  test('the feature heatmap has at most 1,000 bins and z-scores of the 1 ms matrix', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[3]); // 367 s
    const r = await analyzeTrack(analysis, { render: false });
    assert.ok(r.featureBins.rows <= 1000 && r.featureBins.rows > 900, String(r.featureBins.rows));
    assert.equal(r.featureBins.metadata.resolution_ms, '368', '367 s in at most 1,000 bins: 368 ms bins');
    // z-scored columns average ~0 over the track
    let sum = 0;
    for (let i = 0; i < r.featureBins.rows; i++) sum += r.featureBins.data[2 * r.featureBins.rows + i];
    assert.ok(Math.abs(sum / r.featureBins.rows) < 0.05, `mean z ${sum / r.featureBins.rows}`);
    assert.equal(r.summary.grid.rows, 367474, '367,474 rows at 1 ms');
    assert.equal(defaultOutDir(analysis), 'songscope-out/give-it-up-for-love-feat-john-williams-mysto-pizzi-remix', 'the output directory is named after the artist and title');
  });

  test('display bins and smoothing windows', () => {
    assert.equal(binMsForDisplay(0, 219493, 1000), 220, '219.5 s in 1,000 bins: 220 ms');
    assert.equal(binMsForDisplay(0, 999, 1000), 1, 'under a second in 1,000 bins: 1 ms');
    assert.equal(binMsForDisplay(999, 1998, 500), 3, 'the bins are anchored at 0 ms'); // 2 ms bins anchored at 0 would need 501 bins here
    assert.equal(smoothingWindowBins(10, 1000), 10, '10 s of 1 s bins');
    assert.equal(smoothingWindowBins(10, 500), 20, '10 s of 0.5 s bins');
    assert.equal(smoothingWindowBins(0, 1000), 0, 'no smoothing');
    assert.throws(() => smoothingWindowBins(0.3, 1000), (e: unknown) => e instanceof SongscopeError && e.exitCode === 2, 'a window that is not a whole number of bins is a usage error');
  });
});

describe('writeAnalyzeOutputs', () => {
  test('every plot as spec + SVG, summary.json with parts and trajectory, report.html in the notebook order; stale files removed', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[1]);
    const r = await analyzeTrack(analysis, { maxFeatureBins: 60, maxSimilarityCells: 30 });
    const out = join(tmp.path, 'five');
    const files = await writeAnalyzeOutputs(analysis, r, out, { report: buildReportHtml, links: [{ text: 'album', href: '../../report.html' }] });
    const names = files.map((f) => f.slice(out.length + 1));
    assert.deepEqual(names, [...ANALYZE_PLOTS.flatMap((p) => [`${p}.vl.json`, `${p}.svg`]), 'analysis.json', 'summary.json', 'report.html'], 'every plot as spec and SVG, then analysis.json, summary.json and report.html');
    for (const p of ANALYZE_PLOTS) {
      assert.equal(await readFile(join(out, `${p}.vl.json`), 'utf8'), JSON.stringify(r.specs[p]) + '\n', `${p}.vl.json`);
      assert.equal(await readFile(join(out, `${p}.svg`), 'utf8'), r.svgs?.[p], `${p}.svg`);
    }
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.parts, JSON.parse(outputJsonText(r.summary.parts)), 'summary.json parts: the library parts, keys in snake_case');
    assert.equal(summary.parts.k, 3, 'k 3 by default');
    assert.equal(summary.parts.seed, 0, 'seed 0 by default');
    assert.deepEqual(summary.parts.agreement.map((a: { window_s: number }) => a.window_s), [0.5, 3], 'agreement at ±0.5 s and ±3 s');
    assert.equal(summary.trajectory.explained_variance_ratio.length, 2, 'two explained-variance ratios');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    const order = [...html.matchAll(/<div class="vega" id="plot-(\d+)" data-name="([^"]+)">/g)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(order, ANALYZE_PLOTS.map((p, i) => `${i}:${p}`), 'the five plots, in the notebook order');
    for (const cell of ['cells 12 and 17', 'cells 13 and 18', 'cell 19', 'cell 20', 'cells 20–21']) assert.ok(html.includes(`notebook&#39;s ${cell}`), `a caption names ${cell}`);
    assert.ok(html.includes('<p class="links"><a href="../../report.html">album</a></p>'), 'the link back');

    // again with --smooth 0, no rendering and no report renderer: similarity-smooth, every SVG and report.html are gone
    const again = await analyzeTrack(analysis, { smoothS: 0, render: false, maxFeatureBins: 60, maxSimilarityCells: 30 });
    await writeAnalyzeOutputs(analysis, again, out, {});
    assert.deepEqual(
      (await readdir(out)).sort(),
      ['analysis.json', 'features.vl.json', 'parts.vl.json', 'similarity.vl.json', 'summary.json', 'trajectory.vl.json'], 'only the specs, the analysis and the summary: stale SVGs, similarity-smooth and report.html removed',
    );
  });

  test('a gallery entry: the small self-similarity and trajectory, titled and linked, without legends', async () => {
    const r = await analyzeTrack(await loadFixture(FIXTURE_CASES[0]), { render: false });
    const item = analyzeGalleryItem(r, { title: '02 Gangnam Style', name: '02-gangnam-style', href: 'tracks/02-gangnam-style/report.html' });
    assert.equal(item.title, '02 Gangnam Style', 'the title');
    assert.equal(item.href, 'tracks/02-gangnam-style/report.html', 'the link to the track\'s report');
    assert.deepEqual(item.plots.map((p) => p.name), ['02-gangnam-style-similarity', '02-gangnam-style-trajectory'], 'the small similarity and trajectory, named after the track');
    const [similarity, trajectory] = item.plots.map((p) => JSON.stringify(p.spec));
    const similarityRows = specRows(item.plots[0].spec);
    assert.deepEqual([similarityRows.length, new Set(similarityRows.map((row) => (row.r as unknown as number[]).length))], [44, new Set([44])], '220 bins shown as 44 × 44 cells (at most 50)');
    assert.equal(specRows(item.plots[1].spec).length, 220, 'one point per bin');
    for (const text of [similarity, trajectory]) {
      assert.ok(!/"legend":\{/.test(text), 'no legend');
      assert.ok(text.includes('"width":140'), 'small');
    }
    for (const p of item.plots) compileSpec(p.spec);
  });
});
