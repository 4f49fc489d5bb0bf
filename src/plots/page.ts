/**
 * A page of plots: what a job's report shows — its title, summary numbers, tables, plots and galleries of
 * small plots — as plain data. Jobs describe their page; `report/html.ts` renders it as report.html
 * (the jobs stage does not depend on the report stage: the caller hands a {@link ReportRenderer} in).
 */
import type { TopLevelSpec } from 'vega-lite';

/** A link in the report: to a file beside it (e.g. another report), by a relative URL. */
export interface ReportLink {
  /** The link text. */
  text: string;
  /**
   * A relative URL (`tracks/01-intro/report.html`, `../../report.html`): no scheme and no `//` host, so a
   * report only ever links to files that travel with it. Characters a URL cannot hold are percent-encoded.
   */
  href: string;
}

/** A cell of a report table: text, a number (right-aligned) or a link. */
export type ReportCell = string | number | ReportLink;

/** A table of the report, below the summary. */
export interface ReportTable {
  /** Heading above the table. */
  title: string;
  /** Column headings. */
  columns: readonly string[];
  /** Rows of cells, each as long as `columns`; numbers are right-aligned. */
  rows: readonly (readonly ReportCell[])[];
}

/** A plot of the report. */
export interface ReportPlot {
  /** Short name, used as the file name of downloads (e.g. `'similarity'`). */
  name: string;
  /** Section heading above the plot. */
  title: string;
  /** The Vega-Lite spec, with inline data. */
  spec: TopLevelSpec;
  /**
   * `JSON.stringify(spec)`, when the caller has it already (e.g. written as `NAME.vl.json`): the report
   * then embeds this text instead of serialising the spec a second time. Must be exactly that.
   */
  specJson?: string;
  /** A sentence or two below the plot on how to read it. */
  caption?: string;
}

/** One entry of a gallery: a heading (optionally a link) over a few small plots side by side. */
export interface ReportGalleryItem {
  /** Heading of the entry, e.g. `'03 Digital Love'`. */
  title: string;
  /** Where the heading links to (a relative URL, see {@link ReportLink.href}), e.g. the track's own report. */
  href?: string;
  /** The small plots; `name` is the download file name, unique among all plots of the report. */
  plots: readonly { name: string; spec: TopLevelSpec }[];
}

/** A section of small multiples: one entry per item (e.g. per track), laid out in a wrapping grid. */
export interface ReportGallery {
  /** Section heading. */
  title: string;
  /** A sentence or two above the entries on how to read them. */
  caption?: string;
  items: readonly ReportGalleryItem[];
}

/** Input of {@link buildReportHtml}. */
export interface ReportInput {
  /** Page title and main heading, e.g. `'PSY – Gangnam Style'`. */
  title: string;
  /** A line below the heading. */
  subtitle?: string;
  /** Links below the subtitle (e.g. back to the album report). */
  links?: readonly ReportLink[];
  /** The summary table at the top: label → value, in order. */
  summary: readonly { label: string; value: string }[] | Record<string, string | number>;
  /** More tables, after the summary. */
  tables?: readonly ReportTable[];
  /** The plots, one section each, in order. */
  plots: readonly ReportPlot[];
  /** Galleries of small plots, after the plots. */
  galleries?: readonly ReportGallery[];
}

/** Renders a page as one HTML document (report/html.ts's `buildReportHtml`). */
export type ReportRenderer = (page: ReportInput) => string;
