/**
 * Validation at the edge: turn untrusted JSON into an {@link AudioAnalysis} or fail with one line that
 * names the input and the offending field (`segments[17].pitches has 11 values, expected 12`).
 *
 * Accepted shapes: Spotify's audio-analysis object, The Echo Nest 3.x track analysis (same keys, title
 * and artist in `meta`), and a wrapper `{ "analysis": {…} }` (as some tools and songscope's cache store it).
 */
import { describeJsonValue, inputError, messages } from '../errors.js';
import type { AudioAnalysis, Provenance, Section, Segment, SourceKind, TimeInterval } from './types.js';

/** Result of {@link validateAnalysis}. */
export interface ValidationResult {
  analysis: AudioAnalysis;
  /** Non-fatal findings (events sorted, …), one sentence each, already prefixed with the label. */
  warnings: string[];
  /** The format family, from `meta` (see {@link detectSourceKind}). */
  source: SourceKind;
  /** Provenance found inside the input: `meta.title`/`meta.artist` or a songscope `provenance` record. */
  embedded: Partial<Provenance>;
}

type Json = Record<string, unknown>;

/** How far past `track.duration` an event may start (real analyses end within a few ms of it). */
export const LATE_START_TOLERANCE_S = 10;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Describe a bad value briefly for an error message. */
function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `"${v.length > 20 ? v.slice(0, 20) + '…' : v}"`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

class Checker {
  /** Prepended to field paths: `analysis.` inside a `{ "analysis": … }` wrapper. */
  prefix = '';

  constructor(readonly label: string) {}

  fail(field: string, problem: string): never {
    throw inputError(messages.invalidField(this.label, this.prefix + field, problem));
  }

  /** A required finite number (optionally ≥ 0). */
  num(obj: Json, key: string, path: string, opts: { min?: number } = {}): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(`${path}.${key}`, v === undefined ? 'is missing' : `is ${show(v)}, expected a finite number`);
    }
    if (opts.min !== undefined && v < opts.min) {
      this.fail(`${path}.${key}`, `is ${v}, expected a number ≥ ${opts.min}`);
    }
    return v;
  }

  /** An optional finite number: absent and null are allowed. */
  optNum(obj: Json, key: string, path: string, opts: { integer?: boolean; min?: number; max?: number } = {}): void {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}.${key}`, `is ${show(v)}, expected a finite number`);
    if (opts.integer && !Number.isInteger(v)) this.fail(`${path}.${key}`, `is ${v}, expected an integer`);
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      this.fail(`${path}.${key}`, `is ${v}, expected ${opts.min} … ${opts.max}`);
    }
  }

  /** A vector of exactly `n` finite numbers. */
  vector(obj: Json, key: string, path: string, n: number): void {
    const v = obj[key];
    const field = `${path}.${key}`;
    if (!Array.isArray(v)) this.fail(field, v === undefined ? 'is missing' : `is ${show(v)}, expected an array of ${n} numbers`);
    if (v.length !== n) this.fail(field, `has ${v.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${field}[${i}]`, `is ${show(x)}, expected a finite number`);
    }
  }

  /** The optional loudness/tempo/key/mode/meter fields the track and each section share. */
  musicalProperties(obj: Json, path: string): void {
    for (const k of ['loudness', 'tempo', 'tempo_confidence', 'key_confidence', 'mode_confidence', 'time_signature_confidence']) {
      this.optNum(obj, k, path);
    }
    this.optNum(obj, 'key', path, { integer: true, min: -1, max: 11 });
    this.optNum(obj, 'mode', path, { integer: true, min: -1, max: 1 });
    this.optNum(obj, 'time_signature', path, { integer: true, min: -1, max: 64 });
  }

  /** An array of events; each element checked by `each`. Missing → error unless `optional`. */
  events<T extends TimeInterval>(
    root: Json,
    key: string,
    optional: boolean,
    each: (e: Json, path: string) => void,
  ): T[] {
    const v = root[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) {
      this.fail(key, v === undefined ? `is missing (expected an array of ${key}; [] when there are none)` : `is ${show(v)}, expected an array`);
    }
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      const path = `${key}[${i}]`;
      if (!isObject(e)) this.fail(path, `is ${show(e)}, expected an object with start and duration`);
      this.num(e, 'start', path, { min: 0 });
      this.num(e, 'duration', path, { min: 0 });
      this.optNum(e, 'confidence', path);
      each(e, path);
    }
    return v as T[];
  }
}

/** Return the events sorted by start (stable), or the same array when already in order. */
function inTimeOrder<T extends TimeInterval>(events: T[]): { events: T[]; sorted: boolean } {
  for (let i = 1; i < events.length; i++) {
    if (events[i].start < events[i - 1].start) {
      return { events: events.map((e, k) => ({ e, k })).sort((a, b) => a.e.start - b.e.start || a.k - b.k).map((x) => x.e), sorted: true };
    }
  }
  return { events, sorted: false };
}

/**
 * The format family of an analysis object, from its `meta`: analyzer 4.x → `spotify`, 3.x →
 * `echonest`, `meta.source === 'msd'` → `msd`, anything else → `file`.
 */
export function detectSourceKind(raw: unknown): SourceKind {
  const meta = isObject(raw) && isObject(raw.meta) ? raw.meta : {};
  if (meta.source === 'msd') return 'msd';
  const version = typeof meta.analyzer_version === 'string' ? meta.analyzer_version : '';
  if (version.startsWith('4.')) return 'spotify';
  if (version.startsWith('3.')) return 'echonest';
  if (version.startsWith('songscope ')) return 'local';
  return 'file';
}

/**
 * Validate an analysis object and normalise it: unwrap `{ analysis: … }`, default the optional
 * `tatums` and `sections` to `[]`, and sort any event list that is out of time order (with a warning).
 *
 * Required: `track.duration` > 0, arrays `bars`, `beats`, `segments` (possibly empty), every event's
 * `start` and `duration` (finite, ≥ 0), each segment's 12 `pitches` and 12 `timbre` values (finite).
 * Optional numeric fields, when present, must be finite; `track.key` an integer −1…11 and
 * `track.mode` −1…1.
 *
 * @param raw - parsed JSON
 * @param label - how to name the input in messages (a file path, `spotify:track:ID`, `stdin`)
 * @throws SongscopeError (exit code 2) naming the first offending field
 */
export function validateAnalysis(raw: unknown, label: string): ValidationResult {
  const check: Checker = new Checker(label);
  if (!isObject(raw)) throw inputError(messages.notAnObject(label, describeJsonValue(raw)));
  let root: Json = raw;
  if (!('segments' in root) && isObject(root.analysis)) {
    root = root.analysis;
    check.prefix = 'analysis.';
  }
  if (!('track' in root) && !('segments' in root)) throw inputError(messages.notAnObject(label, describeJsonValue(root)));

  const track = root.track;
  if (!isObject(track)) check.fail('track', track === undefined ? 'is missing' : `is ${show(track)}, expected an object`);
  check.num(track, 'duration', 'track', { min: 0 });
  if ((track.duration as number) <= 0) check.fail('track.duration', `is ${track.duration as number}, expected a positive number of seconds`);
  check.musicalProperties(track, 'track');
  check.optNum(track, 'end_of_fade_in', 'track');
  check.optNum(track, 'start_of_fade_out', 'track');

  const noExtra = () => undefined;
  const bars = check.events<TimeInterval>(root, 'bars', false, noExtra);
  const beats = check.events<TimeInterval>(root, 'beats', false, noExtra);
  const tatums = check.events<TimeInterval>(root, 'tatums', true, noExtra);
  const sections = check.events<Section>(root, 'sections', true, (e, path) => check.musicalProperties(e, path));
  const segments = check.events<Segment>(root, 'segments', false, (e, path) => {
    for (const k of ['loudness_start', 'loudness_max', 'loudness_max_time', 'loudness_end']) check.optNum(e, k, path);
    check.vector(e, 'pitches', path, 12);
    check.vector(e, 'timbre', path, 12);
  });

  // An event far past the end is a unit or data error (ms for s?) and would blow up the 1 ms grid.
  const duration = track.duration as number;
  for (const [name, events] of [['bars', bars], ['beats', beats], ['tatums', tatums], ['sections', sections], ['segments', segments]] as const) {
    const i = events.findIndex((e) => e.start > duration + LATE_START_TOLERANCE_S);
    if (i >= 0) check.fail(`${name}[${i}].start`, `is ${events[i].start}, after the end of the track (track.duration ${duration} s)`);
  }

  const warnings: string[] = [];
  for (const [name, events] of [['bars', bars], ['beats', beats], ['tatums', tatums], ['sections', sections], ['segments', segments]] as const) {
    const i = events.findIndex((e) => e.start >= duration);
    if (i >= 0) warnings.push(messages.eventAfterEnd(label, `${name}[${i}]`, events[i].start, duration));
  }
  const ordered = <T extends TimeInterval>(name: string, events: T[]): T[] => {
    const r = inTimeOrder(events);
    if (r.sorted) warnings.push(messages.eventsSorted(label, name));
    return r.events;
  };

  const { provenance: embeddedProvenance, ...rest } = root;
  const analysis: AudioAnalysis = {
    ...rest,
    track: track as AudioAnalysis['track'],
    bars: ordered('bars', bars),
    beats: ordered('beats', beats),
    tatums: ordered('tatums', tatums),
    sections: ordered('sections', sections),
    segments: ordered('segments', segments),
  };

  const embedded: Partial<Provenance> = {};
  const meta = isObject(root.meta) ? root.meta : {};
  if (typeof meta.title === 'string' && meta.title) embedded.title = meta.title;
  if (typeof meta.artist === 'string' && meta.artist) embedded.artist = meta.artist;
  if (typeof meta.album === 'string' && meta.album) embedded.album = meta.album;
  if (typeof meta.track_id === 'string' && meta.track_id) embedded.trackId = meta.track_id;
  if (typeof meta.analyzer_version === 'string') embedded.analyzerVersion = meta.analyzer_version;
  let source = detectSourceKind(root);
  if (isObject(embeddedProvenance)) {
    // songscope's own analysis.json: trust its record of where the analysis came from
    for (const k of ['trackId', 'title', 'artist', 'album', 'analyzerVersion'] as const) {
      const v = embeddedProvenance[k];
      if (typeof v === 'string' && v) embedded[k] = v;
    }
    const s = embeddedProvenance.source;
    if (s === 'spotify' || s === 'echonest' || s === 'msd' || s === 'local' || s === 'file') source = s;
  }
  return { analysis, warnings, source, embedded };
}
