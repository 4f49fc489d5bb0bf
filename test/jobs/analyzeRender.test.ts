/**
 * `analyze` drawing its plots in a thread of its own (`src/jobs/analyzeRender.ts`, what the CLI does on
 * a machine with two cores or more): the SVG of every plot is byte for byte the one drawn in the calling
 * thread, every file written is the same, and a drawing that fails writes nothing and is never an
 * unhandled rejection.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTrack, ANALYZE_PLOTS, writeAnalyzeOutputs } from '../../src/jobs/analyze.js';
import { openRenderThread } from '../../src/jobs/analyzeRender.js';
import { buildReportHtml } from '../../src/report/html.js';
import { FIXTURE_CASES, loadFixture, ROOT } from '../helpers/fixtures.js';
import { tempDirPerSuite } from '../helpers/assert.js';

describe('analyze: plots drawn in a render thread', () => {
  const tmp = tempDirPerSuite('analyze-render');

  test('the same SVGs and the same files as drawing in this thread', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[0]);
    const inline = await analyzeTrack(analysis);
    assert.ok(inline.svgs && !inline.rendering, 'inline: svgs, no promise');
    // tsc's build of the thread entry (npm test builds first): tsx does not load vega inside a worker thread
    const entry = join(ROOT, 'dist', 'jobs', 'renderWorker.js');
    assert.ok(existsSync(entry), `${entry} built`);
    const thread = await openRenderThread(entry);
    try {
      const threaded = await analyzeTrack(analysis, { renderer: thread.render });
      assert.equal(threaded.svgs, undefined, 'threaded: no svgs yet');
      assert.ok(threaded.rendering, 'threaded: the drawing in progress');
      const svgs = await threaded.rendering;
      const drawn = ANALYZE_PLOTS.filter((name) => inline.svgs![name] !== undefined);
      assert.equal(drawn.length, 5, 'five plots drawn');
      for (const name of drawn) assert.equal(svgs[name], inline.svgs![name], `${name}.svg`);
      // as JSON: vega tags the data objects it draws in this thread with a symbol (vega_id)
      assert.equal(JSON.stringify(threaded.specs), JSON.stringify(inline.specs), 'the same specs');

      const a = join(tmp.path, 'inline');
      const b = join(tmp.path, 'threaded');
      await writeAnalyzeOutputs(analysis, inline, a, { report: buildReportHtml, format: 'both' });
      await writeAnalyzeOutputs(analysis, threaded, b, { report: buildReportHtml, format: 'both' });
      const files = readdirSync(a).sort();
      assert.deepStrictEqual(readdirSync(b).sort(), files, 'the same files');
      for (const f of files.filter((f) => f !== 'summary.json')) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} byte for byte`);
    } finally {
      await thread.close();
    }
  });

  test('a drawing that fails: writeAnalyzeOutputs rejects with its error, writes nothing, and nothing is unhandled meanwhile', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[2]);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const result = await analyzeTrack(analysis, { renderer: () => Promise.reject(new Error('the drawing failed')) });
      // let the rejection settle before anyone awaits it, as the CLI does while it builds report.html
      await new Promise((resolve) => setTimeout(resolve, 20));
      const out = join(tmp.path, 'failed');
      await assert.rejects(writeAnalyzeOutputs(analysis, result, out, { report: buildReportHtml }), /the drawing failed/, 'the drawing error');
      assert.equal(existsSync(out), false, 'nothing written');
      assert.deepStrictEqual(unhandled, [], 'no unhandled rejection');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a render thread that fails to start: the one error, nothing written, the process goes on', async () => {
    const entry = join(tmp.path, 'broken-worker.mjs');
    writeFileSync(entry, "throw new Error('vega failed to load');\n");
    const thread = await openRenderThread(entry);
    try {
      // let the thread fail while idle, before it is asked for anything (its 'error' event)
      await new Promise((resolve) => setTimeout(resolve, 300));
      const analysis = await loadFixture(FIXTURE_CASES[2]);
      const result = await analyzeTrack(analysis, { renderer: thread.render });
      const out = join(tmp.path, 'broken');
      await assert.rejects(writeAnalyzeOutputs(analysis, result, out, { report: buildReportHtml }), /vega failed to load/, 'the thread\'s error');
      assert.equal(existsSync(out), false, 'nothing written');
    } finally {
      await thread.close();
    }
  });

  test('with render: false the renderer is never called', async () => {
    const analysis = await loadFixture(FIXTURE_CASES[2]);
    let calls = 0;
    const result = await analyzeTrack(analysis, {
      render: false,
      renderer: async () => {
        calls++;
        return {};
      },
    });
    assert.equal(calls, 0, 'no drawing asked for');
    assert.equal(result.rendering, undefined, 'no drawing in progress');
    assert.equal(result.svgs, undefined, 'no svgs');
  });
});
