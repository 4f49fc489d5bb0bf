/**
 * The record of one track in a collection or a corpus: its place in the listing, its summary and the 1 ms
 * model's raw column statistics (everything a song vector needs), and its shape fingerprint when asked.
 * `jobs/tracks.ts` makes records by analysing tracks; `corpus/read.ts` makes the same records from a
 * dataset's rows.
 */
import type { Analysis } from '../analysis/types.js';
import type { TrackSummary } from '../analysis/summary.js';
import type { TrackRef } from '../sources/collection.js';
import { displayText } from '../util/slug.js';

/** One track that was analysed. */
export interface TrackRecord {
  ref: TrackRef;
  /** Display name: `NN Title` for albums, else the title or file name. */
  name: string;
  summary: TrackSummary;
  /** 1 ms rows of the track. */
  rows: number;
  /** Raw column means and population std over the 1 ms rows [shape=(26)]. */
  mean: Float64Array;
  std: Float64Array;
  /** The track's shape fingerprint values (`src/shape`), when the collecting job asked for them. */
  shape?: Float32Array;
}

/** A track that could not be analysed, and why. */
export interface TrackFailure {
  ref: TrackRef;
  name: string;
  message: string;
  exitCode: number;
}

/**
 * A display name for a track of a collection: its position (1-based, unique even on multi-disc albums)
 * and its title — the analysis' own title when it has one, else the listing's title or the file name.
 */
export function trackName(ref: TrackRef, analysis?: Analysis): string {
  const title = analysis?.provenance.title ?? ref.title ?? ref.input.replace(/^.*[\\/]/, '').replace(/(\.[a-z0-9]+)+$/i, '');
  return `${String(ref.position).padStart(2, '0')} ${displayText(title)}`;
}

