import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { similarityHeatmapSpec, VEGA_LITE_SCHEMA } from '../../src/plots/heatmap.js';
import { clusterTimelineSpec } from '../../src/plots/timeline.js';
import { labelledScatterSpec, trajectorySpec } from '../../src/plots/scatter.js';
import { clustermapSpec } from '../../src/plots/songs.js';
import { buildReportHtml, escapeJson, escapeScript, writeReport, type ReportGalleryItem, type ReportInput } from '../../src/report/html.js';
import { parameterError, tempDirPerSuite } from '../helpers/assert.js';

/** What a report link must be (the `expected` of its ParameterError). */
const RELATIVE = 'a relative URL (no scheme, not starting with / or \\)';

/** A gallery entry per track: a small self-similarity heatmap and a small trajectory (as album draws them). */
function galleryItem(name: string, i: number): ReportGalleryItem {
  const n = 8 + i;
  const values = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) values[a * n + b] = Math.cos((a - b) / (2 + i));
  const times = Array.from({ length: n }, (_, k) => k);
  const points = { n, d: 2, data: Float64Array.from({ length: 2 * n }, (_, k) => Math.sin(k * (i + 1))) };
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  return {
    title: name,
    href: `tracks/${name}/report.html`,
    plots: [
      { name: `${slug}-similarity`, spec: similarityHeatmapSpec({ title: name, binStartS: Float64Array.from(times), binS: 1, values }, { size: 120 }) },
      { name: `${slug}-trajectory`, spec: trajectorySpec({ points, timesS: times, clusters: times.map((k) => k % 3), title: name }, { size: 120 }) },
    ],
  };
}

/**
 * A report with one plot of each kind, links (in the header and a table) and a gallery of two entries; the
 * similarity title carries text that must not break the page.
 */
function reportInput(): ReportInput {
  const n = 16;
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) values[i * n + j] = Math.cos((i - j) / 3);
  const names = ['01 One', '02 Two', '03 Three'];
  return {
    title: 'Tiny – Track <test>',
    subtitle: 'songscope report & friends',
    links: [{ text: 'album <report>', href: '../../report.html' }],
    summary: { duration: '3:39', tempo: 132.1, key: 'B minor' },
    tables: [
      { title: 'Sections', columns: ['start (s)', 'label'], rows: [[0, 'intro'], [12.5, 'verse <1>']] },
      { title: 'Tracks', columns: ['track', 'key'], rows: [[{ text: '01 One', href: 'tracks/01 One/report.html' }, 'A minor'], ['02 Two', 'C major']] },
    ],
    galleries: [{ title: 'Every track', caption: 'Each song, small.', items: [galleryItem('01 One', 0), galleryItem('02 Two', 1)] }],
    plots: [
      {
        name: 'similarity',
        title: 'Self-similarity',
        spec: similarityHeatmapSpec({
          title: 'Tiny </script><!-- – Track',
          binStartS: Float64Array.from({ length: n }, (_, i) => i),
          binS: 1,
          values,
        }),
        caption: 'Red: alike; blue: opposite.',
      },
      {
        name: 'clusters',
        title: 'Cluster timeline',
        spec: clusterTimelineSpec({ timesS: Array.from({ length: n }, (_, i) => i), binS: 1, labels: Array.from({ length: n }, (_, i) => i % 3), sections: [0, 5] }),
      },
      {
        name: 'mds',
        title: 'Album MDS',
        spec: labelledScatterSpec({ items: names.map((label, i) => ({ x: i, y: i * i, label, cluster: i % 2 })), colorBy: 'cluster' }),
      },
      {
        name: 'clustermap',
        title: 'Songs, clustered',
        spec: clustermapSpec({
          names,
          values: Float64Array.from([1, 0.5, -0.2, 0.5, 1, 0.1, -0.2, 0.1, 1]),
          order: [2, 0, 1],
          dendrogram: [
            { x1: 1, y1: 0, x2: 1, y2: 0.5 },
            { x1: 2, y1: 0, x2: 2, y2: 0.5 },
            { x1: 1, y1: 0.5, x2: 2, y2: 0.5 },
            { x1: 0, y1: 0, x2: 0, y2: 1.1 },
            { x1: 1.5, y1: 0.5, x2: 1.5, y2: 1.1 },
            { x1: 0, y1: 1.1, x2: 1.5, y2: 1.1 },
          ],
        }),
      },
    ],
  };
}

const root = tempDirPerSuite('report');

describe('escaping', () => {
  test('escapeScript: no </script or <!-- survives, in any case', () => {
    const out = escapeScript('a = "</script>"; b = "</SCRIPT"; c = "<!--";');
    assert.ok(!/<\/script|<!--/i.test(out), out);
    // still the same JavaScript
    assert.deepEqual(new Function(`${out}; return [a, b, c];`)(), ['</script>', '</SCRIPT', '<!--'], 'the escaped script still evaluates to the same strings');
  });

  test('escapeJson: no < > & or line separators, and JSON.parse gives the value back', () => {
    const value = { t: '</script><!-- & > \u2028\u2029', n: [1, 2] };
    const out = escapeJson(value);
    assert.ok(!/[<>&\u2028\u2029]/.test(out), out);
    assert.deepEqual(JSON.parse(out), value, 'JSON.parse gives the value back');
  });

  test('escapeJson: each special character as its \\u escape, everything between untouched, also in two-byte text', () => {
    const value = { a: '<', b: 'x>y&z', c: '≤ -2 <= \u2028', d: 'plain', e: ['&&', '>'], f: 'end<' };
    const text = JSON.stringify(value);
    const expected = text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    assert.equal(escapeJson(value), expected, 'the same as a replace of every match');
    assert.equal(escapeJson({ none: '≤ only' }), JSON.stringify({ none: '≤ only' }), 'nothing to escape: the text itself');
  });
});

describe('buildReportHtml', () => {
  test('self-contained: libraries and specs inline, no external scripts, styles or links', () => {
    const html = buildReportHtml(reportInput());
    assert.ok(html.startsWith('<!doctype html>\n<html lang="en">'), 'an HTML5 document in English');
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i, 'no external script');
    assert.doesNotMatch(html, /<link\b/i, 'no linked stylesheet or resource');
    assert.doesNotMatch(html, /@import|url\(\s*['"]?https?:/i, 'no imported or remote CSS');
    assert.match(html, /http-equiv="Content-Security-Policy" content="default-src 'none';/, 'a Content-Security-Policy that forbids everything by default');
    for (const pkg of ['vega', 'vega-lite', 'vega-embed']) assert.match(html, new RegExp(`<script data-library="${pkg}">`), `${pkg} inlined`);
    // the only </script> are those closing our own script elements
    const opens = html.match(/<script\b/gi)?.length ?? 0;
    const closes = html.match(/<\/script/gi)?.length ?? 0;
    assert.equal(closes, opens, 'every </script> closes one of our script elements');
    assert.equal(html.match(/<!--/g), null, 'no <!-- anywhere');
  });

  test('summary, tables and sections, escaped; one plot container per plot', () => {
    const html = buildReportHtml(reportInput());
    assert.match(html, /<title>Tiny – Track &#60;test&#62;<\/title>/, 'the title, escaped');
    assert.match(html, /<p class="subtitle">songscope report &#38; friends<\/p>/, 'the subtitle, escaped');
    assert.match(html, /<tr><th scope="row">tempo<\/th><td>132\.1<\/td><\/tr>/, 'a summary row');
    assert.match(html, /<td class="num">12\.5<\/td><td>verse &#60;1&#62;<\/td>/, 'a table row, escaped');
    for (const [i, name] of ['similarity', 'clusters', 'mds', 'clustermap'].entries()) {
      assert.match(html, new RegExp(`<div class="vega" id="plot-${i}" data-name="${name}"></div>`), `plot ${i}: a container named ${name}`);
    }
    assert.match(html, /<p class="caption">Red: alike; blue: opposite\.<\/p>/, 'the caption');
    assert.match(html, /<a href="#section-3">Songs, clustered<\/a>/, 'the table of contents links the sections');
    assert.match(html, /<a href="#gallery-0">Every track<\/a>/, 'the table of contents links the gallery');
    // links: in the header, in a table cell and on each gallery entry, percent-encoded and escaped
    assert.match(html, /<p class="links"><a href="\.\.\/\.\.\/report\.html">album &#60;report&#62;<\/a><\/p>/, 'the header link, escaped');
    assert.match(html, /<td><a href="tracks\/01%20One\/report\.html">01 One<\/a><\/td><td>A minor<\/td>/, 'a table cell link, percent-encoded');
    // the gallery: one card per entry, its plots numbered after the main plots
    assert.match(html, /<section class="gallery" id="gallery-0">\n<h2>Every track<\/h2>\n<p class="caption">Each song, small\.<\/p>/, 'the gallery section with its title and caption');
    assert.equal(html.match(/<figure class="card">/g)?.length, 2, 'one card per gallery entry');
    assert.match(
      html,
      /<h3><a href="tracks\/02%20Two\/report\.html">02 Two<\/a><\/h3>\n<div class="card-plots">\n<div class="vega" id="plot-6" data-name="02-two-similarity"><\/div>\n<div class="vega" id="plot-7" data-name="02-two-trajectory"><\/div>/, 'the second card: its link and its plots numbered after the main plots',
    );
    // the summary as a list keeps its order
    const listed = buildReportHtml({ ...reportInput(), summary: [{ label: 'b', value: '2' }, { label: 'a', value: '1' }] });
    assert.ok(listed.indexOf('>b</th>') < listed.indexOf('>a</th>'), 'the summary keeps the order given');
  });

  test('the specs are inline JSON that parses back to the plots', () => {
    const input = reportInput();
    const html = buildReportHtml(input);
    const m = /<script type="application\/json" id="songscope-plots">([^<]*)<\/script>/.exec(html);
    assert.ok(m, 'plots JSON found');
    const plots = JSON.parse(m[1]);
    assert.deepEqual(plots, [
      ...input.plots.map((p) => JSON.parse(JSON.stringify({ name: p.name, spec: p.spec }))),
      ...input.galleries![0].items.flatMap((item) => item.plots.map((p) => JSON.parse(JSON.stringify({ name: p.name, spec: p.spec, small: true })))),
    ], 'the main plots, then the gallery\'s marked small');
    // a spec handed over already serialised is embedded as it is: the same page
    const withJson = { ...input, plots: input.plots.map((p) => ({ ...p, specJson: JSON.stringify(p.spec) })) };
    assert.equal(buildReportHtml(withJson), html, 'a spec given as JSON makes the same page');
  });

  test('deterministic: the same input gives the same bytes', () => {
    assert.equal(buildReportHtml(reportInput()), buildReportHtml(reportInput()), 'the same input, the same bytes');
  });

  test('rejects duplicate plot names and ragged tables', () => {
    const input = reportInput();
    const distinct = 'distinct plot names across plots and galleries';
    assert.throws(() => buildReportHtml({ ...input, plots: [input.plots[0], input.plots[0]] }), parameterError('plots', '"similarity" twice', distinct), 'duplicate');
    assert.throws(() => buildReportHtml({ ...input, plots: [{ ...input.plots[0], name: '' }] }), parameterError('plots', 'a plot named ""', 'non-empty plot names'), 'empty');
    assert.throws(
      () => buildReportHtml({ ...input, tables: [{ title: 'T', columns: ['a', 'b'], rows: [['x']] }] }),
      parameterError('tables', 'table "T": row 0 has 1 cells', '2 cells, one per column'),
      'short row',
    );
    // plot names are unique across the plots and the galleries
    const clash = { ...input, galleries: [{ title: 'G', items: [{ title: 'x', plots: [{ name: 'mds', spec: input.plots[2].spec }] }] }] };
    assert.throws(() => buildReportHtml(clash), parameterError('plots', '"mds" twice', distinct), 'clash with a gallery');
  });

  test('links must be relative: no scheme, no host, no absolute path', () => {
    const input = reportInput();
    for (const href of ['javascript:alert(1)', 'https://example.com/', 'file:///etc/passwd', '//example.com/x', '/etc/passwd', '\\\\host\\share', '']) {
      assert.throws(() => buildReportHtml({ ...input, links: [{ text: 'x', href }] }), parameterError('href', JSON.stringify(href), RELATIVE), href);
    }
    const item = { ...galleryItem('03 Three', 2), href: 'JavaScript:alert(1)' };
    assert.throws(() => buildReportHtml({ ...input, galleries: [{ title: 'G', items: [item] }] }), parameterError('href', /^"/, RELATIVE), 'gallery link');
  });

  test('writeReport writes the same bytes atomically', async () => {
    const path = join(root.path, 'sub', 'report.html');
    const bytes = await writeReport(path, reportInput());
    const text = await readFile(path, 'utf8');
    assert.equal(text, buildReportHtml(reportInput()), 'the file is the page buildReportHtml makes');
    assert.equal(bytes, Buffer.byteLength(text), 'the byte count returned is the file\'s');
    assert.deepEqual(await readdir(join(root.path, 'sub')), ['report.html'], 'no temporary file left');
  });
});

// ---- in a real browser ------------------------------------------------------------------------------------

const CHROMIUM = process.env.SONGSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRE_CHROMIUM = process.env.SONGSCOPE_REQUIRE_CHROMIUM === '1';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Evaluated in the page (a string: this file is type-checked without the DOM library). */
const BODY_STATE = '({ plots: document.body.dataset.plots, errors: document.body.dataset.errors })';
const SKIP = !HAVE_CHROMIUM && !REQUIRE_CHROMIUM ? `no Chromium at ${CHROMIUM} (set SONGSCOPE_CHROMIUM; SONGSCOPE_REQUIRE_CHROMIUM=1 makes this a failure)` : false;

describe('report.html in headless Chromium', { skip: SKIP }, () => {
  test('opens from file:// without errors or requests; every plot embedded; tooltips on hover', { timeout: 30_000 }, async () => {
    assert.ok(HAVE_CHROMIUM, `SONGSCOPE_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM}`);
    const { chromium } = await import('playwright-core');
    const path = join(root.path, 'browser', 'report.html');
    const input = reportInput();
    await writeReport(path, input);
    const url = pathToFileURL(path).href;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(url);
      await page.waitForSelector('body[data-plots]', { timeout: 15_000 });
      const state = await page.evaluate(BODY_STATE);
      const all = [...input.plots, ...input.galleries![0].items.flatMap((item) => item.plots)];
      assert.equal(all.length, 8, 'four main plots and two cards of two');
      assert.deepEqual(state, { plots: String(all.length), errors: '' }, 'every plot embedded, no errors');

      // each container, the gallery's too, holds an SVG with marks
      for (let i = 0; i < all.length; i++) {
        const marks = await page.locator(`#plot-${i} svg .role-mark > *`).count();
        assert.ok(marks > 0, `plot ${i} (${all[i].name}) has marks`);
      }
      assert.equal(await page.locator('#plot-6 svg .mark-rect.role-mark path').count(), 9 * 9, 'the second entry\'s 9 × 9 heatmap');
      assert.equal(await page.locator('#gallery-0 .vega-actions').count(), 0, 'no export menus on the small plots');
      assert.equal(await page.locator('#plot-0 .vega-actions').count(), 1, 'an export menu on a main plot');
      assert.equal(await page.locator('#plot-0 svg .mark-rect.role-mark path').count(), 16 * 16, 'the 16 × 16 heatmap of the first plot');
      // the title with </script><!-- arrived intact
      assert.equal(await page.locator('#plot-0 svg .role-title-text text').textContent(), 'Tiny </script><!-- – Track', 'the title arrived intact');

      // hover a heatmap cell: vega-tooltip shows its values
      await page.hover('#plot-0 svg .mark-rect.role-mark path >> nth=37'); // row 2, column 5
      const tooltip = page.locator('#vg-tooltip-element');
      await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
      const text = (await tooltip.textContent()) ?? '';
      assert.match(text, /time x \(s\)\s*5\.00/, 'the tooltip shows time x');
      assert.match(text, /time y \(s\)\s*2\.00/, 'the tooltip shows time y');
      assert.match(text, /r\s*0\.540/, 'the tooltip shows r = cos((2 − 5) / 3)'); // cos((2 − 5) / 3)
      assert.deepEqual(problems, [], 'no console errors or warnings, no page errors');
      assert.deepEqual(requests, [url], 'no request but the page itself');

      // a plot that fails to embed is counted out and its error reported on the page
      const badPath = join(root.path, 'browser', 'bad.html');
      const broken = { $schema: VEGA_LITE_SCHEMA, data: { values: [{ a: 1 }] }, mark: 'nonsense' } as unknown as TopLevelSpec;
      const bad = { name: 'bad', title: 'Broken', spec: broken };
      await writeReport(badPath, { ...input, plots: [input.plots[2], bad], galleries: [] });
      const page2 = await browser.newPage();
      await page2.goto(pathToFileURL(badPath).href);
      await page2.waitForSelector('body[data-plots]', { timeout: 15_000 });
      const bad2 = await page2.evaluate(BODY_STATE);
      assert.equal((bad2 as { plots?: string }).plots, '1', 'only the good plot counted');
      assert.match((bad2 as { errors?: string }).errors ?? '', /^plot "bad": ./, 'the error names the plot');
      assert.match((await page2.locator('#plot-1').textContent()) ?? '', /^This plot could not be drawn: ./, 'the failed container says why');
      assert.ok((await page2.locator('#plot-0 svg .role-mark > *').count()) > 0, 'the good plot is drawn');
    } finally {
      await browser.close();
    }
  });
});
