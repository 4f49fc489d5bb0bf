/**
 * Heatmap cells as one picture: the colour of every cell, computed by the very vega scale the rect marks
 * would use, written into a PNG (one pixel per cell) and embedded in the Vega-Lite spec as an image mark.
 * vega then draws only the axes, legend and titles, so rendering no longer grows with the cell count
 * (a 220 × 220 self-similarity matrix was 48,400 SVG rectangles and most of `analyze`'s time).
 *
 * Used for the static SVG/PNG files only; `NAME.vl.json` and report.html keep one rect per cell with its
 * value in the tooltip. Loads vega: import it only on the rendering path.
 */
import { messages } from '../errors.js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { deflateSync } from 'node:zlib';
import type { RasterCells } from './heatmap.js';

/** Colour functions by scale definition: one tiny vega view per distinct scale, per process. */
const scales = new Map<string, (value: number) => string>();

/**
 * The function vega uses to colour a value under `scale` (a Vega-Lite quantitative colour scale:
 * domain, scheme, reverse, clamp): evaluated by vega itself, so the picture's colours are the rects'.
 */
function colorFunction(scale: RasterCells['scale']): (value: number) => string {
  const key = JSON.stringify(scale);
  let fn = scales.get(key);
  if (!fn) {
    const spec: TopLevelSpec = {
      data: { values: [{ v: scale.domain[0] }, { v: scale.domain[1] }] },
      mark: 'point',
      encoding: { color: { field: 'v', type: 'quantitative', scale } },
    };
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    view.run();
    fn = view.scale('color') as (value: number) => string;
    view.finalize();
    scales.set(key, fn);
  }
  return fn;
}

/** `rgb(r, g, b)`, `#rrggbb` or `#rgb` → [r, g, b] (what vega's scales give, and the undefined colour). */
function parseColor(text: string): [number, number, number] {
  const rgb = /^rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)$/.exec(text);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short) return [parseInt(short[1] + short[1], 16), parseInt(short[2] + short[2], 16), parseInt(short[3] + short[3], 16)];
  throw new Error(messages.invariant.unexpectedColour(text));
}

/**
 * The cells as a `data:image/png;base64,…` URL: `rows × columns` pixels, row 0 at the top, coloured by
 * `scale` (clamped as it says), undefined cells (`null`/NaN) in `undefinedColor`. Deterministic bytes.
 */
export function cellsAsImage(cells: RasterCells): string {
  const { rows, columns, values } = cells;
  const color = colorFunction(cells.scale);
  const missing = parseColor(cells.undefinedColor);
  const rgb = new Uint8Array(rows * columns * 3);
  const cache = new Map<number, [number, number, number]>();
  for (let i = 0; i < rows * columns; i++) {
    const v = values[i];
    let c: [number, number, number];
    if (v === null || v === undefined || Number.isNaN(v)) c = missing;
    else {
      c = cache.get(v) ?? parseColor(color(v));
      cache.set(v, c);
    }
    rgb[i * 3] = c[0];
    rgb[i * 3 + 1] = c[1];
    rgb[i * 3 + 2] = c[2];
  }
  return `data:image/png;base64,${encodePng(columns, rows, rgb).toString('base64')}`;
}

// ---- PNG ------------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/**
 * A truecolour 8-bit PNG (no alpha, no interlace, filter 0) of `width × height` pixels from RGB bytes,
 * row-major from the top. Deflated by Node's zlib at its default level.
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  const stride = width * 3;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
