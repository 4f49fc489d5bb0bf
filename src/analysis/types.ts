/**
 * The analysis schema: Spotify's `audio-analysis` object (which is The Echo Nest's 3.x track analysis
 * with the same keys), plus songscope's provenance record.
 *
 * All times are in seconds (float), loudness in dB, confidences in [0, 1]. Field names follow the
 * Spotify JSON exactly so a validated analysis can be written back out unchanged.
 */

/** A time span with a confidence: one bar, beat or tatum. */
export interface TimeInterval {
  /** Start, seconds from the beginning of the track. */
  start: number;
  /** Length in seconds (non-negative). */
  duration: number;
  /** Reliability of the interval in [0, 1], when the source provides one. */
  confidence?: number;
}

/** Loudness, tempo, key, mode and meter, as both the track and each section report them. */
export interface MusicalProperties {
  /** Overall loudness, dB. */
  loudness?: number;
  /** Beats per minute. */
  tempo?: number;
  tempo_confidence?: number;
  /** Pitch class of the key, 0 = C … 11 = B, −1 = unknown. */
  key?: number;
  key_confidence?: number;
  /** 1 = major, 0 = minor, −1 = unknown. */
  mode?: number;
  mode_confidence?: number;
  /** Beats per bar (3 … 7). */
  time_signature?: number;
  time_signature_confidence?: number;
}

/** A large-scale part of the track (verse, chorus, …) with its own tempo, key and loudness. */
export interface Section extends TimeInterval, MusicalProperties {}

/** A short sound of roughly uniform timbre and harmony (typically 0.1–0.5 s). */
export interface Segment extends TimeInterval {
  loudness_start?: number;
  loudness_max?: number;
  /** Offset of the loudness peak from the segment start, seconds. */
  loudness_max_time?: number;
  loudness_end?: number;
  /** 12 pitch-class strengths, C first (C, C♯/D♭, …, B), each in [0, 1]. */
  pitches: number[];
  /** 12 timbre coefficients (Echo Nest basis; the first is loudness-like). */
  timbre: number[];
}

/** Track-level values. Only `duration` is required; the rest are shown when present. */
export interface TrackInfoSection extends MusicalProperties {
  /** Track length in seconds. */
  duration: number;
  end_of_fade_in?: number;
  start_of_fade_out?: number;
  [key: string]: unknown;
}

/** The audio-analysis object as Spotify and The Echo Nest publish it. */
export interface AudioAnalysis {
  meta?: Record<string, unknown>;
  track: TrackInfoSection;
  bars: TimeInterval[];
  beats: TimeInterval[];
  tatums: TimeInterval[];
  sections: Section[];
  segments: Segment[];
  [key: string]: unknown;
}

/**
 * Where an analysis came from. `source` is the format family: `spotify` (analyzer 4.x, fetched or a
 * file of it), `echonest` (analyzer 3.x track analysis), `msd` (Million Song Dataset .h5), `local`
 * (songscope's own analyzer run on an audio file: `meta.analyzer_version` "songscope …") or `file`
 * (any other analysis JSON in the same schema). `origin` says how songscope got it.
 */
export type SourceKind = 'spotify' | 'echonest' | 'msd' | 'local' | 'file';
export type Origin = 'api' | 'cache' | 'fixtures' | 'file' | 'stdin';

export interface Provenance {
  source: SourceKind;
  origin: Origin;
  /** What the user named: a file path, `-`, or `spotify:track:ID`. */
  location: string;
  /** `meta.analyzer_version` of the analysis, when present. */
  analyzerVersion?: string;
  /** Spotify track id (22 characters) or MSD track id, when known. */
  trackId?: string;
  title?: string;
  /** Artist names joined with ", ". */
  artist?: string;
  album?: string;
}

/** A validated analysis with its provenance: what every later stage consumes. */
export interface Analysis extends AudioAnalysis {
  provenance: Provenance;
}

/** Track metadata from Spotify's `/tracks/{id}` (or the cache). */
export interface TrackMetadata {
  id: string;
  name: string;
  artists: string[];
  album?: string;
  /** Track length in milliseconds, as Spotify reports it. */
  durationMs?: number;
}
