/**
 * A track's vital numbers in readable form: what `songscope analyze` prints and writes to summary.json.
 */
import type { Analysis } from './types.js';
import { slug } from '../util/slug.js';

/** Key names by pitch class, as musicians usually spell them. */
export const KEY_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/**
 * "A minor" from Spotify's `key` (pitch class 0–11, −1 unknown) and `mode` (1 major, 0 minor).
 * Unknown key → undefined; unknown mode → the key name alone.
 */
export function keyName(key: number | undefined, mode: number | undefined): string | undefined {
  if (key === undefined || key === null || key < 0 || key > 11 || !Number.isInteger(key)) return undefined;
  const name = KEY_NAMES[key];
  if (mode === 1) return `${name} major`;
  if (mode === 0) return `${name} minor`;
  return name;
}

/** Track-level facts of an analysis. */
export interface TrackSummary {
  title?: string;
  artist?: string;
  album?: string;
  trackId?: string;
  source: string;
  origin: string;
  /** The input as the user gave it: a file path, `-`, `spotify:track:ID`, a search query. */
  input: string;
  analyzerVersion?: string;
  /** Track length, seconds. */
  durationS: number;
  /** Tempo, beats per minute. */
  tempoBpm?: number;
  tempoConfidence?: number;
  /** e.g. "A minor". */
  key?: string;
  keyConfidence?: number;
  modeConfidence?: number;
  /** e.g. "4/4". */
  timeSignature?: string;
  timeSignatureConfidence?: number;
  /** Overall loudness, dB. */
  loudnessDb?: number;
  counts: { bars: number; beats: number; tatums: number; segments: number; sections: number };
}

/** Summarise an analysis (no computation beyond counting). */
export function summarizeAnalysis(analysis: Analysis): TrackSummary {
  const t = analysis.track;
  const p = analysis.provenance;
  const out: TrackSummary = {
    title: p.title,
    artist: p.artist,
    album: p.album,
    trackId: p.trackId,
    source: p.source,
    origin: p.origin,
    input: p.location,
    analyzerVersion: p.analyzerVersion,
    durationS: t.duration,
    tempoBpm: t.tempo,
    tempoConfidence: t.tempo_confidence,
    key: keyName(t.key, t.mode),
    keyConfidence: t.key_confidence,
    modeConfidence: t.mode_confidence,
    timeSignature: t.time_signature && t.time_signature > 0 ? `${t.time_signature}/4` : undefined,
    timeSignatureConfidence: t.time_signature_confidence,
    loudnessDb: t.loudness,
    counts: {
      bars: analysis.bars.length,
      beats: analysis.beats.length,
      tatums: analysis.tatums.length,
      segments: analysis.segments.length,
      sections: analysis.sections.length,
    },
  };
  // Drop absent fields so summary.json has no nulls standing for "unknown".
  for (const k of Object.keys(out) as (keyof TrackSummary)[]) if (out[k] === undefined || out[k] === null) delete out[k];
  return out;
}

/** "3:39.5" from seconds. */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** A directory-name slug ({@link slug}), at most 80 characters, `track` when nothing is left. */
export function slugify(text: string): string {
  return slug(text).slice(0, 80).replace(/-+$/, '') || 'track';
}

/**
 * A short file-name stem for an analysis: the slug of its title, else of its file name (without
 * extensions), else its track id, else `stdin`.
 */
export function analysisSlug(analysis: Analysis): string {
  const p = analysis.provenance;
  const fileStem = p.origin === 'file' ? p.location.replace(/^.*[\\/]/, '').replace(/(\.[a-z0-9]+)+$/i, '') : undefined;
  return slugify(p.title ?? fileStem ?? p.trackId ?? 'stdin');
}
