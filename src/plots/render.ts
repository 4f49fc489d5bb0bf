/**
 * Compile Vega-Lite specs and render them to SVG text, headless and in-process.
 *
 * - **Quiet.** vega-lite's and vega's loggers are replaced by one that prints nothing: warnings go to
 *   {@link RenderOptions.onLog} when given and are dropped otherwise; errors that vega logs while running
 *   the dataflow (rather than throwing) make {@link renderSvg} reject.
 * - **No canvas.** No `canvas` package is installed, so vega would fall back to its crude text-width
 *   estimate (0.8 em per character). While rendering, text is measured instead with built-in
 *   Helvetica/Arial character widths ({@link estimateTextWidth}); the result is independent of whether a
 *   `canvas` package happens to be present, so layouts are the same on every machine.
 * - **Deterministic.** Renders run one at a time, and vega's global SVG id counters (clip paths, gradients)
 *   are reset before each, so the same spec gives byte-identical SVG.
 * - **Inline data only.** The view's loader refuses every URL and file, so a spec can never reach the
 *   network or the disk.
 * - **Compact, seamless SVG.** Path coordinates are rounded to 0.01 px and colours written as `#rrggbb`
 *   ({@link compactSvg}); rect marks get `shape-rendering="crispEdges"` so heatmap cells show no
 *   anti-aliasing seams ({@link RenderOptions.crispRects}).
 *
 * @module
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { messages, runtimeError } from '../errors.js';

/** A compiled Vega spec (the output of vega-lite's `compile`). */
export type VgSpec = vega.Spec;

/** Severity of a message from vega or vega-lite. */
export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';

/** Options of {@link compileSpec} and {@link renderSvg}. */
export interface RenderOptions {
  /**
   * Receives vega/vega-lite messages at `logLevel` or more severe, one string each. Default: none (all
   * messages are dropped; nothing is ever printed to stdout or stderr).
   */
  onLog?: (level: LogLevelName, message: string) => void;
  /** The least severe level passed to `onLog`. Default `'warn'`. */
  logLevel?: LogLevelName;
  /** Multiply the SVG's width and height (its `viewBox` stays the same). Default 1. */
  scaleFactor?: number;
  /**
   * Draw rect marks with `shape-rendering="crispEdges"`, so that adjacent heatmap cells meet without the
   * faint seams anti-aliasing leaves between them. Default `true`. (Rounded bars would lose their curves.)
   */
  crispRects?: boolean;
}

const LEVEL_NUMBER: Record<LogLevelName, number> = { error: vega.Error, warn: vega.Warn, info: vega.Info, debug: vega.Debug };

function argText(a: unknown): string {
  if (a instanceof Error) return a.message;
  if (typeof a === 'string') return a;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return String(a);
  }
}

function messageText(args: readonly unknown[]): string {
  return args.map(argText).join(' ');
}

/** A vega `LoggerInterface` that never prints, plus the errors it was given. */
interface QuietLogger extends vega.LoggerInterface {
  readonly errors: string[];
}

/**
 * A logger that forwards to `onLog` and records the errors. Its methods do not use `this` (vega calls them
 * unbound); vega-lite and vega call `level()` to read and set the threshold, which only filters what
 * reaches `onLog`.
 */
function quietLogger(options: RenderOptions): QuietLogger {
  const errors: string[] = [];
  let threshold = LEVEL_NUMBER[options.logLevel ?? 'warn'];
  const emit = (level: LogLevelName, args: unknown[]) => {
    const forward = options.onLog !== undefined && LEVEL_NUMBER[level] <= threshold;
    if (level !== 'error' && !forward) return logger; // the common case: vega logs debug for every pulse
    const text = messageText(args);
    if (level === 'error') errors.push(text);
    if (forward) options.onLog?.(level, text);
    return logger;
  };
  const logger: QuietLogger = {
    errors,
    level(_?: number) {
      if (_ === undefined) return threshold;
      threshold = _;
      return logger;
    },
    error: (...args: unknown[]) => emit('error', args),
    warn: (...args: unknown[]) => emit('warn', args),
    info: (...args: unknown[]) => emit('info', args),
    debug: (...args: unknown[]) => emit('debug', args),
  };
  return logger;
}

/**
 * Compile a Vega-Lite spec to a Vega spec with vega-lite's `compile`, printing nothing.
 *
 * @param spec A Vega-Lite v6 spec, e.g. from `featureHeatmapSpec`.
 * @param options Where compiler warnings go (default: dropped).
 * @returns The Vega spec.
 * @throws {SongscopeError} (exit code 1) When vega-lite rejects the spec (`messages.plot.invalidVegaLite`,
 *   the compiler's error as `cause`) or logs an error while compiling.
 */
export function compileSpec(spec: TopLevelSpec, options: RenderOptions = {}): VgSpec {
  const logger = quietLogger(options);
  let compiled: VgSpec;
  try {
    compiled = compile(spec, { logger }).spec;
  } catch (error) {
    throw runtimeError(messages.plot.invalidVegaLite(error instanceof Error ? error.message : String(error)), undefined, error);
  }
  if (logger.errors.length > 0) throw runtimeError(messages.plot.invalidVegaLite(logger.errors.join('; ')));
  return compiled;
}

// ---- text measurement without canvas ------------------------------------------------------------------

/** Helvetica (= Arial) advance widths of ASCII 32–126, in 1/1000 em. */
// prettier-ignore
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' ' … '/'
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // '0' … '?'
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // '@' … 'O'
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 'P' … '_'
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // '`' … 'o'
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p' … '~'
];
/** Helvetica-Bold (= Arial Bold) advance widths of ASCII 32–126, in 1/1000 em. */
// prettier-ignore
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

function charWidth(code: number, bold: boolean): number {
  if (code >= 32 && code <= 126) return (bold ? HELVETICA_BOLD : HELVETICA)[code - 32];
  if (code === 0x2013) return 556; // en dash
  if (code === 0x2014) return 1000; // em dash
  if (code === 0x2212 || code === 0x2264 || code === 0x2265 || code === 0xd7) return 584; // − ≤ ≥ ×
  if (code === 0x2026) return 1000; // …
  if (code >= 0x2e80) return 1000; // CJK, Hangul, full-width forms: one em
  return bold ? 611 : 556; // Latin-1, Greek, Cyrillic …: an average letter
}

/**
 * Width in px of one line of text in Helvetica/Arial at `fontSize` px, from built-in character widths
 * (exact for ASCII in those fonts, an average elsewhere). Used for layout when rendering without canvas.
 *
 * @param text The text (one line).
 * @param fontSize Font size, px.
 * @param bold Bold weight (`fontWeight` `'bold'` or ≥ 600).
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += charWidth(ch.codePointAt(0) as number, bold);
  return (units * fontSize) / 1000;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

/** The `textMetrics.width` vega calls for layout: our estimate, capped at the item's truncation limit. */
function itemTextWidth(item: TextItem, text: unknown): number {
  const line = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || Number(weight) >= 600;
  const width = estimateTextWidth(line, size, bold);
  return item.limit != null && item.limit > 0 ? Math.min(width, item.limit) : width;
}

interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
}

/** vega re-exports vega-scenegraph's `textMetrics` (missing from its typings). */
const textMetrics: TextMetrics | undefined = (vega as unknown as { textMetrics?: TextMetrics }).textMetrics;

// ---- rendering ------------------------------------------------------------------------------------------

/**
 * A loader that refuses everything (specs must carry their data inline) and remembers what it refused:
 * vega only logs a failed load as a warning and renders on without the data.
 */
function inlineOnlyLoader(): { loader: vega.Loader; refused: string[] } {
  const refused: string[] = [];
  const loader = vega.loader();
  loader.sanitize = async (uri: string) => {
    // the pictures of heatmap cells (./raster.ts) are inline PNGs
    if (uri.startsWith('data:image/png;base64,')) return { href: uri };
    const message = messages.plot.externalData(uri);
    refused.push(message);
    throw runtimeError(message);
  };
  return { loader, refused };
}

/** Decimals kept for path coordinates by {@link compactSvg}: 0.01 px, invisible at any sensible zoom. */
const PATH_DECIMALS = 2;

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

function roundNumberText(text: string): string {
  const x = Number(text);
  if (!Number.isFinite(x)) return text;
  const r = Math.round(x * 10 ** PATH_DECIMALS) / 10 ** PATH_DECIMALS;
  return String(r === 0 ? 0 : r);
}

function hex2(n: string): string {
  return Number(n).toString(16).padStart(2, '0');
}

/**
 * Shrink vega's SVG without changing what it shows: numbers in path data (`d="…"`), which vega writes with
 * full float noise (`h0.8000000000000003`), are rounded to 0.01 px, and `rgb(r, g, b)` fills and strokes
 * become `#rrggbb`. About 40 % smaller for a heatmap of tens of thousands of cells.
 *
 * @param svg SVG text as written by vega's `toSVG`.
 * @returns The same drawing, shorter.
 */
export function compactSvg(svg: string): string {
  return svg
    .replace(/ d="([^"]*)"/g, (_, d: string) => ` d="${d.replace(NUMBER, roundNumberText)}"`)
    .replace(
      /(fill|stroke)="rgb\((\d{1,3}), ?(\d{1,3}), ?(\d{1,3})\)"/g,
      (_, attr: string, r: string, g: string, b: string) => `${attr}="#${hex2(r)}${hex2(g)}${hex2(b)}"`,
    );
}

/**
 * Pictures (heatmap cells, see `./raster.ts`) scaled without smoothing, one cell a sharp square: vega
 * writes `image-rendering` only as CSS, which resvg reads in the attribute form.
 */
function pixelatedImages(svg: string): string {
  return svg.replace(/ style="image-rendering: optimizeSpeed; image-rendering: pixelated;"/g, ' image-rendering="optimizeSpeed"');
}

/** Add `shape-rendering="crispEdges"` to the groups of rect marks (the property is inherited). */
function crispRects(svg: string): string {
  return svg.replace(/<g class="mark-rect role-mark( [^"]*)?"/g, '$& shape-rendering="crispEdges"');
}

/** Renders run one after the other (vega's SVG id counters and text metrics are global). */
let queue: Promise<unknown> = Promise.resolve();

function serialized<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Compile a Vega-Lite spec and render it to SVG text with vega, headless (`renderer: 'none'`), in this
 * process. Same spec → byte-identical SVG. Prints nothing; see the module notes on logging, text
 * measurement and loading.
 *
 * @param spec A Vega-Lite v6 spec with inline data.
 * @param options Where warnings go (default: dropped) and the SVG scale factor (default 1).
 * @returns The SVG document as a string (`<svg …>…</svg>`, with width, height and viewBox in px).
 * @throws {SongscopeError} (exit code 1) When the spec does not compile or parse, or vega reports an error
 *   while rendering (e.g. a bad expression or a data URL); see `messages.plot`.
 */
export function renderSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  return serialized(async () => {
    const vgSpec = compileSpec(spec, options);
    let runtime: vega.Runtime;
    try {
      runtime = vega.parse(vgSpec);
    } catch (error) {
      throw runtimeError(messages.plot.invalidVega(error instanceof Error ? error.message : String(error)), undefined, error);
    }
    const logger = quietLogger(options);
    const previousWidth = textMetrics?.width;
    if (textMetrics) textMetrics.width = itemTextWidth;
    vega.resetSVGDefIds();
    const { loader, refused } = inlineOnlyLoader();
    const view = new vega.View(runtime, {
      renderer: 'none',
      logger,
      logLevel: LEVEL_NUMBER[options.logLevel ?? 'warn'],
      loader,
    });
    try {
      await view.runAsync();
      const svg = await view.toSVG(options.scaleFactor ?? 1);
      if (refused.length > 0) throw runtimeError(refused.join('; '));
      if (logger.errors.length > 0) throw runtimeError(messages.plot.renderFailed(logger.errors.join('; ')));
      const compact = pixelatedImages(compactSvg(svg));
      return options.crispRects === false ? compact : crispRects(compact);
    } finally {
      view.finalize();
      if (textMetrics && previousWidth) textMetrics.width = previousWidth;
    }
  });
}
