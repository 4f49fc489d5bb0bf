/**
 * Groups of tracks for `compare` and `classify`: from `NAME=INPUT` arguments or a labelled manifest,
 * analysed one track at a time, their vectors normalised together.
 */
import { join } from 'node:path';
import { resolveCollection, type Collection } from '../sources/collection.js';
import type { ResolveOptions } from '../sources/resolve.js';
import type { TrackFailure, TrackRecord } from './tracks.js';
import { DEFAULT_SONG_NORMALIZATION, songVectors } from '../transforms/songs.js';
import type { Points } from '../transforms/points.js';
import { slug } from '../util/slug.js';
import { collect, type BatchOptions, type BatchTimings } from './batch.js';
import { inputError, messages } from '../errors.js';
import { checkClassSizes, type CvScheme } from '../transforms/classify.js';

/** A named group of tracks. */
export interface TrackGroup {
  name: string;
  collection: Collection;
}

export interface GroupedTracks {
  tracks: TrackRecord[];
  labels: string[];
  failures: TrackFailure[];
  vectors: Points;
}

/** Analyse every group's tracks (one shared progress count) and normalise their vectors together. */
export async function collectGroups(groups: TrackGroup[], options: BatchOptions): Promise<GroupedTracks & { timings: BatchTimings }> {
  const timings: BatchTimings = { tracks: 0, perTrack: 0, songs: 0, plots: 0, total: 0 };
  const tracks: TrackRecord[] = [];
  const labels: string[] = [];
  const failures: TrackFailure[] = [];
  const total = groups.reduce((s, g) => s + g.collection.tracks.length, 0);
  let before = 0;
  for (const g of groups) {
    const t: BatchTimings = { tracks: 0, perTrack: 0, songs: 0, plots: 0, total: 0 };
    const r = await collect(
      g.collection,
      { ...options, outDir: join(options.outDir, slug(g.name) || 'group'), onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, done: before + p.done, total, failed: failures.length + p.failed })) },
      t,
    );
    before += g.collection.tracks.length;
    timings.tracks += t.tracks;
    timings.perTrack += t.perTrack;
    for (const tr of r.tracks) {
      tracks.push(tr);
      labels.push(g.name);
    }
    failures.push(...r.failures);
  }
  return { tracks, labels, failures, vectors: songVectors(tracks, options.normalize ?? DEFAULT_SONG_NORMALIZATION), timings };
}

/** `NAME=INPUT` (or a bare INPUT, named after its collection). */
export function splitGroup(text: string): { name?: string; input: string } {
  const eq = text.indexOf('=');
  // a Spotify URL can hold '=' only after '?', so a '=' before any '?' or ':' separates the name
  if (eq > 0 && !/[?:/]/.test(text.slice(0, eq))) return { name: text.slice(0, eq).trim(), input: text.slice(eq + 1).trim() };
  return { input: text };
}

/**
 * Groups from `NAME=INPUT` arguments (several with the same NAME are merged) or from one manifest whose
 * `label` column names the groups (entries without a label are left out, and `log` says so).
 */
export async function resolveGroups(specs: readonly string[], resolve: ResolveOptions, log: (line: string) => void = () => undefined): Promise<TrackGroup[]> {
  const groups = new Map<string, Collection>();
  for (const spec of specs) {
    const { name, input } = splitGroup(spec);
    if (!input) throw inputError(messages.toolkit.badGroup(spec));
    const collection = await resolveCollection(input, resolve);
    if (name === undefined && collection.kind === 'manifest' && collection.tracks.some((t) => t.label)) {
      // a labelled manifest: one group per label; an entry without a label belongs to no group
      const unlabelled = collection.tracks.filter((t) => !t.label);
      if (unlabelled.length > 0) {
        log(messages.collection.unlabelledLeftOut(input, unlabelled.map((t) => t.input)));
      }
      for (const t of collection.tracks) {
        if (!t.label) continue;
        const g = groups.get(t.label) ?? { ...collection, name: t.label, tracks: [] };
        g.tracks.push({ ...t, position: g.tracks.length + 1 });
        groups.set(t.label, g);
      }
      continue;
    }
    const groupName = name || collection.name;
    const existing = groups.get(groupName);
    if (existing) existing.tracks.push(...collection.tracks.map((t, i) => ({ ...t, position: existing.tracks.length + i + 1 })));
    else groups.set(groupName, { ...collection, name: groupName, tracks: [...collection.tracks] });
  }
  return [...groups.entries()].map(([name, collection]) => ({ name, collection }));
}

/**
 * Refuse, before anything is fetched, groups that cannot be cross-validated whatever happens — a group
 * listing fewer than 2 tracks, or fewer tracks than `folds` — with the checks `crossValidate` makes.
 *
 * @throws ParameterError (exit code 2) as `checkClassSizes`
 */
export function checkGroupSizes(groups: readonly TrackGroup[], options: { cv?: CvScheme; folds?: number }): void {
  checkClassSizes(new Map(groups.map((g) => [g.name, g.collection.tracks.length])), options);
}
