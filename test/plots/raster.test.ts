/**
 * Heatmaps drawn as pictures (issue 11) look as the rect-per-cell heatmaps did: every pixel of the picture
 * has exactly the fill vega gives that cell's rect — the same scheme, the same clamping at the domain's
 * ends, grey for undefined cells — and the picture sits where the rects were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { featureHeatmapSpec, similarityHeatmapSpec, type RasterCells } from '../../src/plots/heatmap.js';
import { cellsAsImage } from '../../src/plots/raster.js';
import { renderSvg } from '../../src/plots/render.js';

/** The rects of a rendered rect heatmap: fill by (row, column), from each path's position and size. */
function rectFills(svg: string): Map<string, string> {
  const fills = new Map<string, string>();
  for (const m of svg.matchAll(/<path d="M([\d.]+),([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+Z" fill="([^"]+)"\/>/g)) {
    const [x, y, w, h] = [m[1], m[2], m[3], m[4]].map(Number);
    fills.set(`${Math.round(y / h)},${Math.round(x / w)}`, m[5]);
  }
  return fills;
}

/** The pixels of our own PNG (8-bit RGB, filter 0 rows) as `#rrggbb` by (row, column). */
function pngPixels(url: string): { width: number; height: number; at: (r: number, c: number) => string } {
  const png = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    if (png.toString('latin1', off + 4, off + 8) === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  return {
    width,
    height,
    at: (r, c) => {
      const i = r * (1 + width * 3) + 1 + c * 3;
      return `#${hex(raw[i])}${hex(raw[i + 1])}${hex(raw[i + 2])}`;
    },
  };
}

/** `rgb(r, g, b)` or `#rgb`/`#rrggbb` as `#rrggbb`. */
function asHex(color: string): string {
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(color);
  if (rgb) return `#${[rgb[1], rgb[2], rgb[3]].map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`;
  if (/^#[0-9a-f]{3}$/i.test(color)) return `#${[...color.slice(1)].map((d) => d + d).join('')}`.toLowerCase();
  return color.toLowerCase();
}

/** Render `make` with rects and as a picture; every cell's rect fill must be its pixel. */
async function samePicture(label: string, make: (cellsAsImage?: (cells: RasterCells) => string) => Parameters<typeof renderSvg>[0], rows: number, columns: number) {
  const fills = rectFills(await renderSvg(make()));
  assert.equal(fills.size, rows * columns, `${label}: one rect per cell in the rect version`);
  let url = '';
  const pictureSvg = await renderSvg(
    make((cells) => {
      url = cellsAsImage(cells);
      return url;
    }),
  );
  assert.equal(rectFills(pictureSvg).size, 0, `${label}: no visible cell rects in the picture version`);
  assert.match(pictureSvg, /<image[^>]*href="data:image\/png;base64,/, `${label}: the picture is embedded as an image`);
  // the picture covers the plot area the rects tiled, pixel cells unsmoothed
  const rectsSvg = await renderSvg(make());
  const extent = [...rectsSvg.matchAll(/<path d="M([\d.]+),([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+Z" fill="[^"]+"\/>/g)].reduce(
    (e, m) => [Math.max(e[0], Number(m[1]) + Number(m[3])), Math.max(e[1], Number(m[2]) + Number(m[4]))],
    [0, 0],
  );
  const image = /<image[^>]*transform="translate\(0,0\)" width="([\d.]+)" height="([\d.]+)" preserveAspectRatio="none" image-rendering="optimizeSpeed"/.exec(pictureSvg);
  assert.ok(image, `${label}: the image sits at the plot area's origin, stretched and not smoothed`);
  assert.deepEqual([Number(image[1]), Number(image[2])], extent.map((v) => Math.round(v * 100) / 100), `${label}: the image covers what the rects covered`);
  const png = pngPixels(url);
  assert.deepEqual([png.height, png.width], [rows, columns], `${label}: one pixel per cell`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) assert.equal(png.at(r, c), asHex(fills.get(`${r},${c}`)!), `${label}: cell (${r}, ${c}) has its rect's colour`);
  }
}

test('feature heatmap: the picture has every rect’s colour, clamped beyond ±2, grey where undefined', async () => {
  const bins = 9;
  const features = ['bar', 'beat', 'pitch_C'];
  // −3 … +3 across the cells (beyond the ±2 domain at both ends), one undefined cell
  const values = Float64Array.from({ length: features.length * bins }, (_, i) => -3 + (6 * i) / (features.length * bins - 1));
  values[4] = NaN;
  await samePicture(
    'features',
    (cellsAsImage) =>
      featureHeatmapSpec({ title: 'raster', features, binStartS: Float64Array.from({ length: bins }, (_, i) => i), binS: 1, values }, cellsAsImage ? { cellsAsImage } : {}),
    features.length,
    bins,
  );
});

test('similarity heatmap: the picture has every rect’s colour, including undefined rows and r beyond ±1', async () => {
  const n = 7;
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) values[i * n + j] = i === j ? 1 : Math.cos(i - j) * 1.2;
  for (let j = 0; j < n; j++) {
    values[3 * n + j] = NaN; // a constant bin: its row and column undefined
    values[j * n + 3] = NaN;
  }
  await samePicture(
    'similarity',
    (cellsAsImage) =>
      similarityHeatmapSpec({ title: 'raster', binStartS: Float64Array.from({ length: n }, (_, i) => i), binS: 1, values }, cellsAsImage ? { cellsAsImage } : {}),
    n,
    n,
  );
});
