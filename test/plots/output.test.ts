import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { similarityHeatmapSpec, VEGA_LITE_SCHEMA } from '../../src/plots/heatmap.js';
import { renderSvg } from '../../src/plots/render.js';
import { DEFAULT_PNG_SCALE, pngFallbackFont, svgToPng, writePlot, type PlotFormat } from '../../src/plots/output.js';
import { parameterError } from '../helpers/assert.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (right after the signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function svgSize(svg: string): { width: number; height: number } {
  const root = /^<svg [^>]*>/.exec(svg)?.[0] ?? '';
  return { width: Number(/ width="([\d.]+)"/.exec(root)?.[1]), height: Number(/ height="([\d.]+)"/.exec(root)?.[1]) };
}

/** A small similarity heatmap: title, subtitle, axes, legend — text of every kind. */
function smallSpec(): TopLevelSpec {
  const n = 12;
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) values[i * n + j] = Math.cos((i - j) / 2);
  return similarityHeatmapSpec(
    { title: 'Tiny – Track', binStartS: Float64Array.from({ length: n }, (_, i) => i), binS: 1, values, subtitle: 'Pearson r of 1 s bins' },
    { size: 120 },
  );
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'songscope-output-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCount = 0;
async function freshDir(): Promise<string> {
  return join(root, `run-${dirCount++}`);
}

describe('writePlot', () => {
  const expected: Record<PlotFormat, string[]> = {
    svg: ['sim.svg', 'sim.vl.json'],
    png: ['sim.png', 'sim.vl.json'],
    both: ['sim.png', 'sim.svg', 'sim.vl.json'],
  };
  for (const format of ['svg', 'png', 'both'] as const) {
    test(`format ${format}: exactly ${expected[format].join(', ')}, nothing else left behind`, async () => {
      const dir = await freshDir();
      const { files, renderMs } = await writePlot(dir, 'sim', smallSpec(), { format });
      assert.deepEqual((await readdir(dir)).sort(), expected[format]);
      assert.deepEqual(
        files,
        ['sim.vl.json', ...(format !== 'png' ? ['sim.svg'] : []), ...(format !== 'svg' ? ['sim.png'] : [])].map((f) => join(dir, f)),
      );
      assert.ok(renderMs > 0);
    });
  }

  test('default: the spec and an SVG; the spec file is indented JSON of the spec', async () => {
    const dir = await freshDir();
    const spec = smallSpec();
    await writePlot(dir, 'sim', spec);
    assert.deepEqual((await readdir(dir)).sort(), ['sim.svg', 'sim.vl.json']);
    const text = await readFile(join(dir, 'sim.vl.json'), 'utf8');
    assert.ok(text.startsWith(`{\n  "$schema": "${VEGA_LITE_SCHEMA}"`), text.slice(0, 80));
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(spec)));
    assert.equal(await readFile(join(dir, 'sim.svg'), 'utf8'), await renderSvg(spec));
  });

  test('render: false writes only the spec, in no time', async () => {
    const dir = await freshDir();
    const result = await writePlot(dir, 'sim', smallSpec(), { format: 'both', render: false });
    assert.deepEqual(result, { files: [join(dir, 'sim.vl.json')], renderMs: 0 });
    assert.deepEqual(await readdir(dir), ['sim.vl.json']);
  });

  test('PNG: signature, 2 px per SVG px by default (scale option), plausible size', async () => {
    const dir = await freshDir();
    await writePlot(dir, 'sim', smallSpec(), { format: 'both' });
    const svg = await readFile(join(dir, 'sim.svg'), 'utf8');
    const png = await readFile(join(dir, 'sim.png'));
    const s = svgSize(svg);
    assert.equal(DEFAULT_PNG_SCALE, 2);
    assert.deepEqual(pngSize(png), { width: Math.ceil(s.width * 2), height: Math.ceil(s.height * 2) });
    assert.ok(png.length > 5_000 && png.length < 500_000, `${png.length} bytes`);
    const dir1 = await freshDir();
    await writePlot(dir1, 'sim', smallSpec(), { format: 'png', scale: 1 });
    assert.deepEqual(pngSize(await readFile(join(dir1, 'sim.png'))), { width: Math.ceil(s.width), height: Math.ceil(s.height) });
  });

  test('byte-identical files across runs', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    await writePlot(a, 'sim', smallSpec(), { format: 'both' });
    await writePlot(b, 'sim', smallSpec(), { format: 'both' });
    for (const f of ['sim.vl.json', 'sim.svg', 'sim.png']) {
      assert.ok((await readFile(join(a, f))).equals(await readFile(join(b, f))), `${f} differs between runs`);
    }
  });

  test('rejects bad names, formats and scales before writing anything', async () => {
    const dir = await freshDir();
    for (const name of ['', '.', '..', 'a/b', 'a\\b']) {
      await assert.rejects(writePlot(dir, name, smallSpec()), parameterError('name', JSON.stringify(name), 'a plain file name stem (no /, \\ or NUL; not . or ..)'), name);
    }
    await assert.rejects(writePlot(dir, 'x', smallSpec(), { format: 'jpg' as PlotFormat }), parameterError('format', '"jpg"', 'one of svg, png, both'), 'format');
    await assert.rejects(writePlot(dir, 'x', smallSpec(), { scale: 0 }), parameterError('scale', '0', 'a positive number (PNG zoom)'), 'scale');
    await assert.rejects(readdir(dir), { code: 'ENOENT' });
  });

  test('a spec that does not render: rejected; the spec stays for inspection, no temporary files', async () => {
    const dir = await freshDir();
    const bad = { $schema: VEGA_LITE_SCHEMA, data: { url: 'https://example.invalid/x.json' }, mark: 'point' } as TopLevelSpec;
    await assert.rejects(writePlot(dir, 'bad', bad, { format: 'both' }), /inline data only/);
    assert.deepEqual(await readdir(dir), ['bad.vl.json']);
  });
});

describe('svgToPng', () => {
  const TEXT_SVG =
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="white"/>' +
    '<text x="10" y="26" font-family="Helvetica, Arial, sans-serif" font-size="16px" fill="#000">timbre_01 – r</text></svg>';

  test('text is drawn: a PNG with text differs from the same drawing without it', async () => {
    const blank = svgToPng(TEXT_SVG.replace(/<text[^>]*>[^<]*<\/text>/, ''));
    const withText = svgToPng(TEXT_SVG);
    assert.ok(!withText.equals(blank), `fallback font ${pngFallbackFont()} drew nothing`);
    // and in a real plot: strip every <text> and the PNG changes
    const svg = await renderSvg(smallSpec());
    const stripped = svg.replace(/<text[^>]*>.*?<\/text>/g, '');
    assert.notEqual(stripped, svg);
    assert.ok(!svgToPng(svg).equals(svgToPng(stripped)));
  });

  test('deterministic, scaled, and rejects bad scales', () => {
    assert.ok(svgToPng(TEXT_SVG).equals(svgToPng(TEXT_SVG)));
    assert.deepEqual(pngSize(svgToPng(TEXT_SVG)), { width: 400, height: 80 });
    assert.deepEqual(pngSize(svgToPng(TEXT_SVG, { scale: 1.5 })), { width: 300, height: 60 });
    assert.throws(() => svgToPng(TEXT_SVG, { scale: -1 }), parameterError('scale', '-1', 'a positive number (PNG zoom)'), 'scale −1');
    assert.throws(() => svgToPng(TEXT_SVG, { scale: NaN }), parameterError('scale', 'NaN', 'a positive number (PNG zoom)'), 'scale NaN');
  });

  test('the fallback font is one resvg knows how to find', () => {
    assert.ok(['Liberation Sans', 'DejaVu Sans'].includes(pngFallbackFont()));
  });
});
