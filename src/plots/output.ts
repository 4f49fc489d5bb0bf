/**
 * Write a plot to disk: its Vega-Lite spec (`NAME.vl.json`, always) and, rendered, `NAME.svg` and/or
 * `NAME.png`. Every file is written atomically (`../util/atomic.js`): a reader never sees half a file, and
 * a failure leaves no temporary file behind.
 *
 * PNGs are rasterized from the SVG of {@link renderSvg} with resvg (`@resvg/resvg-js`, a self-contained
 * native module: no browser, no system libraries). Text needs fonts: resvg loads the system's fonts, and
 * text whose font families (the plots ask for Helvetica, Arial, sans-serif) are not installed is drawn in
 * {@link pngFallbackFont} — Liberation Sans when installed (it has Arial's metrics, which the SVG's layout
 * assumes), else DejaVu Sans. The same SVG on the same machine gives byte-identical PNG.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { ParameterError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';

/** Which rendered files {@link writePlot} writes beside the spec. */
export type PlotFormat = 'svg' | 'png' | 'both';

/** The formats accepted by {@link writePlot} (e.g. for a CLI option's choices). */
export const PLOT_FORMATS: readonly PlotFormat[] = Object.freeze(['svg', 'png', 'both'] as const);

/** Default PNG zoom: 2 device pixels per SVG pixel (sharp on high-density screens and in print). */
export const DEFAULT_PNG_SCALE = 2;

/** Options of {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Device pixels per SVG pixel (> 0). Default {@link DEFAULT_PNG_SCALE}. */
  scale?: number;
  /** Font family for text in families that are not installed. Default {@link pngFallbackFont}. */
  fallbackFont?: string;
  /** Background colour (CSS) behind transparent parts. Default: none (vega's SVG paints its own, white). */
  background?: string;
}

/** Font files whose presence makes Liberation Sans the fallback (Debian/Ubuntu, Fedora/Arch layouts). */
const LIBERATION_SANS_FILES = [
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf',
  '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
  '/usr/share/fonts/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/TTF/LiberationSans-Regular.ttf',
];

let fallbackFont: string | undefined;

let resvg: typeof import('@resvg/resvg-js').Resvg | undefined;

/** resvg's class, loaded on the first PNG (a native addon: loading it costs tens of ms, which SVG-only runs skip). */
function resvgClass(): typeof import('@resvg/resvg-js').Resvg {
  resvg ??= (createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js')).Resvg;
  return resvg;
}

/**
 * The font family resvg draws text in when none of the SVG's families is installed: `'Liberation Sans'`
 * when its regular face is found in a usual place (its widths are Arial's, which the SVG's text layout
 * assumes), else `'DejaVu Sans'` (wider: long labels may come closer to their neighbours). Looked up once.
 */
export function pngFallbackFont(): string {
  fallbackFont ??= LIBERATION_SANS_FILES.some((f) => existsSync(f)) ? 'Liberation Sans' : 'DejaVu Sans';
  return fallbackFont;
}

/**
 * Rasterize SVG text to PNG with resvg, at `scale` device pixels per SVG pixel, with the system's fonts.
 * Deterministic: the same SVG, options and installed fonts give byte-identical PNG. Prints nothing.
 *
 * @param svg An SVG document, e.g. from {@link renderSvg}.
 * @param options Zoom (default 2), fallback font, background.
 * @returns The PNG file's bytes.
 * @throws {ParameterError} On a bad scale; {@link Error} when resvg cannot parse the SVG.
 */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Buffer {
  const scale = options.scale ?? DEFAULT_PNG_SCALE;
  if (!(Number.isFinite(scale) && scale > 0)) throw new ParameterError('scale', String(scale), 'a positive number (PNG zoom)');
  const resvg = new (resvgClass())(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: options.fallbackFont ?? pngFallbackFont() },
    fitTo: { mode: 'zoom', value: scale },
    ...(options.background ? { background: options.background } : {}),
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

/** Options of {@link writePlot}. */
export interface WritePlotOptions {
  /** Rendered files to write beside the spec. Default `'svg'`. */
  format?: PlotFormat;
  /** Render at all; `false` writes only `NAME.vl.json` (fast). Default `true`. */
  render?: boolean;
  /** PNG zoom, device pixels per SVG pixel. Default {@link DEFAULT_PNG_SCALE}. */
  scale?: number;
}

/** Result of {@link writePlot}. */
export interface WritePlotResult {
  /** Paths written, in order: `NAME.vl.json`, then `NAME.svg` and/or `NAME.png`. */
  files: string[];
  /** Wall-clock milliseconds spent rendering (SVG and PNG; 0 without rendering). */
  renderMs: number;
}

/**
 * Write a plot into `dir` (created if missing): `NAME.vl.json` (the spec, indented JSON — opens in the
 * Vega editor as is) and, unless `render` is false, `NAME.svg` (format `svg`, the default), `NAME.png`
 * (`png`) or both (`both`). Each file is written atomically; the SVG is rendered once for both.
 *
 * @param dir Output directory.
 * @param name File name stem, e.g. `'similarity'`: no path separators, not empty.
 * @param spec The Vega-Lite spec (inline data).
 * @param options Format (default svg), render (default true), PNG scale (default 2).
 * @returns The paths written and the rendering time.
 * @throws {ParameterError} On a bad name, format or scale; a SongscopeError (exit code 1) when the spec does
 *   not render or a file cannot be written (the runtime error of `writeFileAtomic`).
 */
export async function writePlot(
  dir: string,
  name: string,
  spec: TopLevelSpec,
  options: WritePlotOptions = {},
): Promise<WritePlotResult> {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new ParameterError('name', JSON.stringify(name), 'a plain file name stem (no /, \\ or NUL; not . or ..)');
  }
  const format = options.format ?? 'svg';
  if (!PLOT_FORMATS.includes(format)) throw new ParameterError('format', JSON.stringify(format), `one of ${PLOT_FORMATS.join(', ')}`);
  const scale = options.scale ?? DEFAULT_PNG_SCALE;
  if (!(Number.isFinite(scale) && scale > 0)) throw new ParameterError('scale', String(scale), 'a positive number (PNG zoom)');

  const files: string[] = [];
  const specPath = join(dir, `${name}.vl.json`);
  await writeJsonAtomic(specPath, spec);
  files.push(specPath);
  if (options.render === false) return { files, renderMs: 0 };

  const start = performance.now();
  const { renderSvg } = await import('./render.js'); // vega is loaded only when a plot is drawn
  const svg = await renderSvg(spec);
  const png = format === 'svg' ? undefined : svgToPng(svg, { scale });
  const renderMs = performance.now() - start;
  if (format !== 'png') {
    const svgPath = join(dir, `${name}.svg`);
    await writeFileAtomic(svgPath, svg);
    files.push(svgPath);
  }
  if (png) {
    const pngPath = join(dir, `${name}.png`);
    await writeFileAtomic(pngPath, png);
    files.push(pngPath);
  }
  return { files, renderMs };
}
