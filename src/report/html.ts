/**
 * One self-contained HTML report: a summary table, optional tables, and one interactive plot per section
 * (zoomable SVG with tooltips and a download menu), in a single file that opens from disk without a network.
 *
 * - **Self-contained.** The browser builds of vega, vega-lite and vega-embed are inlined from
 *   `node_modules` (about 0.8 MB, read once per process), the specs are inlined as JSON, the CSS is
 *   inline; nothing is fetched. A Content-Security-Policy forbids every network request, so a spec with a
 *   data URL fails visibly instead of phoning out.
 * - **Deterministic.** The same input gives the same bytes: no timestamps, no random ids.
 * - **Testable.** When every plot's `vegaEmbed` has settled, the page sets `document.body.dataset.plots`
 *   to the number embedded; `document.body.dataset.errors` holds error messages (uncaught errors,
 *   rejected embeds), one per line, and is empty when there are none.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportInput, ReportPlot, ReportTable, ReportLink, ReportCell } from '../plots/page.js';
import { messages, ParameterError, runtimeError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';

export type { ReportCell, ReportGallery, ReportGalleryItem, ReportInput, ReportLink, ReportPlot, ReportTable } from '../plots/page.js';

// ---- the inlined libraries --------------------------------------------------------------------------------

/** The browser (UMD) builds inlined, in load order, with the global each defines. */
const LIBRARIES = [
  { pkg: 'vega', file: 'build/vega.min.js', global: 'vega' },
  { pkg: 'vega-lite', file: 'build/vega-lite.min.js', global: 'vegaLite' },
  { pkg: 'vega-embed', file: 'build/vega-embed.min.js', global: 'vegaEmbed' },
] as const;

/**
 * The root directory of an installed package. Its `exports` map hides `build/*.min.js` from
 * `require.resolve`, so this resolves the package's entry point and walks up to the `package.json` that
 * names it.
 */
function packageRoot(pkg: string): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(pkg);
  for (let dir = dirname(entry); ; ) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return dir;
    const up = dirname(dir);
    if (up === dir) throw runtimeError(messages.plot.libraryNotFound(pkg, entry));
    dir = up;
  }
}

let libraryScripts: string[] | undefined;

/** The libraries' code, escaped for inline `<script>` elements; read from disk once per process. */
function inlineLibraries(): string[] {
  libraryScripts ??= LIBRARIES.map(({ pkg, file }) => escapeScript(readFileSync(join(packageRoot(pkg), file), 'utf8')));
  return libraryScripts;
}

// ---- escaping ---------------------------------------------------------------------------------------------

/** Text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JavaScript made safe inside `<script>…</script>`: `</script` (any case) would end the element and
 * `<!--` would switch the HTML parser into its escaped mode; both become equivalent JS (`<\/script`,
 * `<\!--`), which is only valid inside string, regex or template literals and comments — where minified
 * libraries have them.
 */
export function escapeScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * JSON made safe inside `<script type="application/json">` and as a JS literal: `<`, `>` and `&` (only
 * ever inside JSON strings) become `\u003c`, `\u003e`, `\u0026`, and U+2028/U+2029 are escaped too.
 * `JSON.parse` gives back the same value.
 */
export function escapeJson(value: unknown): string {
  return escapeJsonText(JSON.stringify(value));
}

/**
 * {@link escapeJson} of JSON text already serialised. The few matches are found with `exec` and the text
 * between them copied as slices: `replace` with a callback is ~15× slower on the megabytes of a report's
 * specs (measured: 3.4 MB of two-byte JSON, 8 matches, 24 ms against 1.5 ms).
 */
function escapeJsonText(json: string): string {
  const special = /[<>&\u2028\u2029]/g;
  let out = '';
  let from = 0;
  for (let m = special.exec(json); m !== null; m = special.exec(json)) {
    out += `${json.slice(from, m.index)}\\u${m[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
    from = m.index + 1;
  }
  return from === 0 ? json : out + json.slice(from);
}

// ---- the page -----------------------------------------------------------------------------------------------

/** No network: scripts and styles only inline (vega compiles expressions with `Function`), images from data/blob URLs (the PNG export). */
const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:";

const CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #dcdcdc; --bg-alt: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 Helvetica, Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 24px 64px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header .subtitle { margin: 0; color: var(--muted); }
nav { margin: 12px 0 8px; font-size: 14px; }
nav a { color: #1a5fb4; text-decoration: none; margin-right: 14px; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
table { border-collapse: collapse; font-size: 14px; margin: 4px 0 8px; }
th, td { padding: 4px 12px 4px 0; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); }
tbody tr:nth-child(even) { background: var(--bg-alt); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { font-weight: normal; color: var(--muted); padding-right: 24px; }
.table-wrap { overflow-x: auto; }
.plot .vega { overflow-x: auto; padding: 4px 0; }
.plot .vega.failed { color: #b00020; }
.plot .caption, .gallery .caption { color: var(--muted); margin: 6px 0 0; max-width: 80ch; font-size: 14px; }
header .links { margin: 4px 0 0; font-size: 14px; }
header .links a, td a, .card h3 a { color: #1a5fb4; }
.cards { display: flex; flex-wrap: wrap; gap: 20px 32px; margin-top: 12px; }
.card { margin: 0; }
.card h3 { font-size: 14px; margin: 0 0 2px; font-weight: 600; }
.card-plots { display: flex; gap: 8px; align-items: flex-start; }
.card .vega.failed { color: #b00020; max-width: 200px; font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/**
 * The page's error capture, first thing in `<body>`: uncaught errors and unhandled rejections go to
 * `data-errors`, one message per line.
 */
const ERROR_SCRIPT = `
(function () {
  var errors = [];
  document.body.dataset.errors = '';
  window.songscopeError = function (message) {
    errors.push(String(message));
    document.body.dataset.errors = errors.join('\\n');
  };
  window.addEventListener('error', function (e) { window.songscopeError(e.message || (e.error && e.error.message) || 'error'); });
  window.addEventListener('unhandledrejection', function (e) {
    window.songscopeError('unhandled rejection: ' + (e.reason && e.reason.message ? e.reason.message : e.reason));
  });
})();
`;

/**
 * Embeds every plot; sets `data-plots` to the number embedded once all have settled. A plot that fails
 * says so in its place (and in `data-errors`).
 */
const EMBED_SCRIPT = `
(function () {
  var plots = JSON.parse(document.getElementById('songscope-plots').textContent);
  var embedded = 0;
  var missing = ${JSON.stringify(LIBRARIES.map((l) => l.global))}.filter(function (g) { return !window[g]; });
  if (missing.length > 0) {
    window.songscopeError('libraries did not load: ' + missing.join(', '));
    document.body.dataset.plots = '0';
    return;
  }
  Promise.all(plots.map(function (plot, i) {
    var options = {
      actions: plot.small ? false : { export: true, source: false, compiled: false, editor: false },
      renderer: 'svg',
      downloadFileName: plot.name
    };
    return vegaEmbed('#plot-' + i, plot.spec, options).then(
      function () { embedded++; },
      function (error) {
        var message = error && error.message ? error.message : String(error);
        window.songscopeError('plot "' + plot.name + '": ' + message);
        var box = document.getElementById('plot-' + i);
        box.className += ' failed';
        box.textContent = 'This plot could not be drawn: ' + message;
      }
    );
  })).then(function () { document.body.dataset.plots = String(embedded); });
})();
`;

function summaryRows(summary: ReportInput['summary']): { label: string; value: string }[] {
  if (Array.isArray(summary)) return summary.map(({ label, value }) => ({ label, value }));
  return Object.entries(summary as Record<string, string | number>).map(([label, value]) => ({ label, value: cellText(value) }));
}

function cellText(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '–';
  return value;
}

/** A relative URL, percent-encoded where needed and escaped for an attribute; anything else is refused. */
function hrefAttr(href: string): string {
  if (href === '' || /^[a-z][a-z0-9+.-]*:/i.test(href) || /^[\\/]/.test(href)) {
    throw new ParameterError('href', JSON.stringify(href), 'a relative URL (no scheme, not starting with / or \\)');
  }
  return escapeHtml(encodeURI(href));
}

function linkHtml(link: ReportLink): string {
  return `<a href="${hrefAttr(link.href)}">${escapeHtml(link.text)}</a>`;
}

function cellHtml(v: ReportCell): string {
  if (typeof v === 'number') return `<td class="num">${escapeHtml(cellText(v))}</td>`;
  if (typeof v === 'string') return `<td>${escapeHtml(v)}</td>`;
  return `<td>${linkHtml(v)}</td>`;
}

function tableHtml(table: ReportTable): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map((row) => {
      const cells = row.map(cellHtml);
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/**
 * The embedded plot list, escaped for a `<script>` element: `[{name, spec}, …, {name, spec, small: true}, …]`
 * (main plots, then gallery plots), as {@link escapeJson} of that array would give, reusing `specJson`.
 */
function plotsJson(plots: readonly ReportPlot[], galleryPlots: readonly { name: string; spec: TopLevelSpec }[]): string {
  const entry = (name: string, specJson: string, small: boolean) =>
    `{"name":${JSON.stringify(name)},"spec":${specJson}${small ? ',"small":true' : ''}}`;
  const entries = [
    ...plots.map((p) => entry(p.name, p.specJson ?? JSON.stringify(p.spec), false)),
    ...galleryPlots.map((p) => entry(p.name, JSON.stringify(p.spec), true)),
  ];
  return escapeJsonText(`[${entries.join(',')}]`);
}

/**
 * Build the report as one self-contained HTML document (see the module notes): heading (and links), a
 * table of contents, the summary table, the extra tables, then one section per plot with its title, the
 * plot (embedded with vega-embed as SVG, tooltips on hover, an export menu for SVG/PNG) and its caption,
 * then the galleries: one section each, its entries (a heading, optionally a link, over small plots
 * without menus) in a wrapping grid. Plot containers are numbered `plot-0`, `plot-1`, … in that order,
 * main plots first; `data-plots` counts them all.
 *
 * @param input Title, summary, tables, plots and galleries.
 * @returns The HTML text (UTF-8); the same input gives the same text.
 * @throws {ParameterError} On duplicate or empty plot names (across plots and galleries), a table row whose
 *   length differs from its columns, or a link that is not a relative URL; a SongscopeError (exit code 1)
 *   when a library build cannot be found in `node_modules`.
 */
export function buildReportHtml(input: ReportInput): string {
  const names = new Set<string>();
  const galleryPlots = (input.galleries ?? []).flatMap((g) => g.items.flatMap((item) => item.plots));
  for (const plot of [...input.plots, ...galleryPlots]) {
    if (plot.name === '') throw new ParameterError('plots', 'a plot named ""', 'non-empty plot names');
    if (names.has(plot.name)) throw new ParameterError('plots', `${JSON.stringify(plot.name)} twice`, 'distinct plot names across plots and galleries');
    names.add(plot.name);
  }
  for (const table of input.tables ?? []) {
    table.rows.forEach((row, i) => {
      if (row.length !== table.columns.length) {
        throw new ParameterError('tables', `table ${JSON.stringify(table.title)}: row ${i} has ${row.length} cells`, `${table.columns.length} cells, one per column`);
      }
    });
  }

  const summary = summaryRows(input.summary);
  const toc = [
    ...(summary.length > 0 ? [['summary', 'Summary']] : []),
    ...(input.tables ?? []).map((t, i) => [`table-${i}`, t.title]),
    ...input.plots.map((p, i) => [`section-${i}`, p.title]),
    ...(input.galleries ?? []).map((g, i) => [`gallery-${i}`, g.title]),
  ];
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="generator" content="songscope ${escapeHtml(VERSION)}">`,
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<script>${ERROR_SCRIPT}</script>`,
    '<main>',
    '<header>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    ...(input.subtitle ? [`<p class="subtitle">${escapeHtml(input.subtitle)}</p>`] : []),
    ...(input.links && input.links.length > 0 ? [`<p class="links">${input.links.map(linkHtml).join(' · ')}</p>`] : []),
    '</header>',
    `<nav>${toc.map(([id, text]) => `<a href="#${id}">${escapeHtml(text)}</a>`).join('\n')}</nav>`,
  ];
  if (summary.length > 0) {
    parts.push(
      '<section id="summary">',
      '<h2>Summary</h2>',
      '<table class="summary"><tbody>',
      ...summary.map(({ label, value }) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
      '</tbody></table>',
      '</section>',
    );
  }
  (input.tables ?? []).forEach((table, i) => {
    parts.push(`<section id="table-${i}">`, `<h2>${escapeHtml(table.title)}</h2>`, tableHtml(table), '</section>');
  });
  input.plots.forEach((plot, i) => {
    parts.push(
      `<section class="plot" id="section-${i}">`,
      `<h2>${escapeHtml(plot.title)}</h2>`,
      `<div class="vega" id="plot-${i}" data-name="${escapeHtml(plot.name)}"></div>`,
      ...(plot.caption ? [`<p class="caption">${escapeHtml(plot.caption)}</p>`] : []),
      '</section>',
    );
  });
  let next = input.plots.length;
  (input.galleries ?? []).forEach((gallery, g) => {
    parts.push(
      `<section class="gallery" id="gallery-${g}">`,
      `<h2>${escapeHtml(gallery.title)}</h2>`,
      ...(gallery.caption ? [`<p class="caption">${escapeHtml(gallery.caption)}</p>`] : []),
      '<div class="cards">',
    );
    for (const item of gallery.items) {
      const heading = item.href ? linkHtml({ text: item.title, href: item.href }) : escapeHtml(item.title);
      parts.push(
        '<figure class="card">',
        `<h3>${heading}</h3>`,
        '<div class="card-plots">',
        ...item.plots.map((plot) => `<div class="vega" id="plot-${next++}" data-name="${escapeHtml(plot.name)}"></div>`),
        '</div>',
        '</figure>',
      );
    }
    parts.push('</div>', '</section>');
  });
  parts.push(`<footer>Made with songscope ${escapeHtml(VERSION)}. Interactive plots: hover for values; ⋯ menu to save as SVG or PNG.</footer>`);
  parts.push('</main>');
  for (const [k, code] of inlineLibraries().entries()) {
    parts.push(`<script data-library="${LIBRARIES[k].pkg}">${code}</script>`);
  }
  parts.push(
    `<script type="application/json" id="songscope-plots">${plotsJson(input.plots, galleryPlots)}</script>`,
    `<script>${EMBED_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  );
  return parts.join('\n');
}

/**
 * Build the report ({@link buildReportHtml}) and write it to `path` atomically (parent directories are
 * created).
 *
 * @returns The number of bytes written.
 */
export async function writeReport(path: string, input: ReportInput): Promise<number> {
  const html = buildReportHtml(input);
  await writeFileAtomic(path, html);
  return Buffer.byteLength(html);
}
