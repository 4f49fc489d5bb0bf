/**
 * One track's own outputs in a batch job (album, compare, classify): the `analyze` plots under
 * `tracks/NN-title/`, with their own report.html linking back to the batch's, and the small gallery entry
 * the batch report shows for it. The same function runs in the calling thread (`--jobs 1`) or in a pool
 * worker (`./track.ts`): what it writes depends only on the analysis and {@link PerTrackSpec}, so the
 * files are byte-identical for any number of jobs.
 *
 * A function cannot cross into a worker thread, so a worker is given the report renderer as a module URL
 * ({@link PerTrackSpec.reportModule}: the module exporting `buildReportHtml`) and imports it once.
 */
import { join } from 'node:path';
import type { Analysis } from '../analysis/types.js';
import type { EventGrid } from '../matrix/events.js';
import type { ColumnStats } from '../transforms/normalize.js';
import type { PlotFormat } from '../plots/output.js';
import type { ReportGalleryItem, ReportRenderer } from '../plots/page.js';
import { slug } from '../util/slug.js';
import type { TrackRecord } from '../corpus/record.js';
import { analyzeGalleryItem, analyzeTrack, writeAnalyzeOutputs, type AnalyzeOptions } from './analyze.js';

/** Display resolution of the per-track plots of a batch: time bins of the feature heatmap, cells per axis of the similarity heatmap. */
export const ALBUM_TRACK_FEATURE_BINS = 240;

export const ALBUM_TRACK_SIMILARITY_CELLS = 80;

/** Cells per axis of a track's self-similarity heatmap in the album report's gallery. */
export const ALBUM_GALLERY_SIMILARITY_CELLS = 50;

/** Where a track's `analyze` outputs go, relative to the batch's output directory. */
export function trackDir(record: TrackRecord): string {
  return `tracks/${slug(record.name) || `track-${record.ref.position}`}`;
}

/** What a batch writes for each track: plain data, so it crosses into worker threads. */
export interface PerTrackSpec {
  /** The batch's output directory (the track's go under `tracks/`). */
  outDir: string;
  /** The per-track `analyze` settings (grid, events and statistics come with the track). */
  analyze: Pick<AnalyzeOptions, 'normalize' | 'binMs' | 'smoothS' | 'seed'>;
  /** Static image format; default `svg`. */
  format?: PlotFormat;
  /** The batch's title, named by the link from each track's report.html back to the batch's. */
  batchTitle: string;
  /** URL of the module exporting `buildReportHtml` (`report/html.js`), for a worker thread. */
  reportModule?: string;
}

/**
 * Analyse one track for display and write its outputs.
 *
 * @param render - the report renderer (the caller's, or the one a worker imported from `reportModule`);
 *   without one no report.html is written and no gallery entry returned
 * @returns the track's gallery entry when its report was written
 */
export async function writeTrackOutputs(
  analysis: Analysis,
  events: EventGrid,
  stats: ColumnStats,
  record: TrackRecord,
  spec: PerTrackSpec,
  render: ReportRenderer | undefined,
): Promise<ReportGalleryItem | undefined> {
  const analyzed = await analyzeTrack(analysis, {
    ...spec.analyze,
    grid: events.semantics,
    events,
    stats,
    render: true,
    // coarser than `analyze` so 22 tracks of plots cost seconds, not a minute (analyze one track for full detail)
    maxFeatureBins: ALBUM_TRACK_FEATURE_BINS,
    maxSimilarityCells: ALBUM_TRACK_SIMILARITY_CELLS,
  });
  const dir = trackDir(record);
  await writeAnalyzeOutputs(analysis, analyzed, join(spec.outDir, dir), {
    format: spec.format,
    report: render,
    links: [{ text: `album report: ${spec.batchTitle}`, href: '../../report.html' }],
  });
  if (!render) return undefined;
  return analyzeGalleryItem(analyzed, {
    title: record.name,
    name: dir.slice('tracks/'.length),
    href: `${dir}/report.html`,
    maxSimilarityCells: ALBUM_GALLERY_SIMILARITY_CELLS,
  });
}

/** Renderers imported by URL in this thread. */
const renderers = new Map<string, Promise<ReportRenderer>>();

/** The `buildReportHtml` of the module at `url`, imported once per thread. */
export function importRenderer(url: string): Promise<ReportRenderer> {
  let r = renderers.get(url);
  if (!r) {
    r = import(url).then((m: { buildReportHtml: ReportRenderer }) => m.buildReportHtml);
    renderers.set(url, r);
  }
  return r;
}
