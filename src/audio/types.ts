/**
 * Shared shapes of the local audio analyzer (contract between its stages):
 * decode (`./decode.ts`) → frame features (`./features.ts`) → rhythm (`./rhythm.ts`) → segments, tonal,
 * sections (`./segments.ts`, `./tonal.ts`, `./sections.ts`) → the Spotify-shaped analysis (`./analyzer.ts`).
 */
import { VERSION } from '../version.js';

/** The analysis sample rate (the Echo Nest analyzer's): every decoded file is mono at this rate. */
export const ANALYSIS_SAMPLE_RATE = 22050;
/** Samples between frames: 512 at 22,050 Hz ≈ 23.2 ms. */
export const HOP = 512;
/** FFT size: 2048 samples ≈ 92.9 ms. */
export const N_FFT = 2048;

/**
 * Per-frame features of a whole signal, computed in one streaming pass (the full-resolution spectrogram is
 * never stored: a one-hour file has 155,000 frames). Frame `i` is centred at `i × hop / sampleRate` s.
 * All 2-D arrays are row-major `[frames × width]`.
 */
export interface FrameFeatures {
  sampleRate: number;
  hop: number;
  frames: number;
  /** Loudness of each frame, dBFS (RMS of the frame; −100 for digital silence) [shape=(frames)]. */
  rmsDb: Float32Array;
  /** Onset strength: half-wave-rectified spectral flux of the log-mel spectrum, summed over bands [shape=(frames)]. */
  onset: Float32Array;
  /** Number of mel bands. */
  nMel: number;
  /** Log-mel power spectrum, dB [shape=(frames × nMel)]. */
  mel: Float32Array;
  /** Pitch-class energy, C first, non-negative, not normalised [shape=(frames × 12)]. */
  chroma: Float32Array;
  /** Number of MFCCs (≥ 13). */
  nMfcc: number;
  /** Mel-frequency cepstral coefficients of the log-mel spectrum (DCT-II, orthonormal) [shape=(frames × nMfcc)]. */
  mfcc: Float32Array;
}

/** One timed event with a confidence in [0, 1], as Spotify's bars/beats/tatums. */
export interface TimedEvent {
  start: number;
  duration: number;
  confidence: number;
}

/** What the rhythm stage finds. */
export interface RhythmAnalysis {
  /** Global tempo, BPM (0 when there is no pulse), and its confidence in [0, 1]. */
  tempo: number;
  tempoConfidence: number;
  /** Beats per bar (3…7; 4 when unknown) and its confidence in [0, 1]. */
  timeSignature: number;
  timeSignatureConfidence: number;
  beats: TimedEvent[];
  bars: TimedEvent[];
  tatums: TimedEvent[];
}

/** `meta.analyzer_version` of songscope's own analyses (and the key that invalidates cached ones). */
export const LOCAL_ANALYZER_VERSION = `songscope ${VERSION}`;

/** File extensions routed to the local analyzer (lower case, without the dot). */
export const AUDIO_EXTENSIONS: readonly string[] = Object.freeze(['wav', 'wave', 'flac', 'mp3', 'ogg', 'oga', 'opus']);

/** Whether a path names an audio file, by its extension (case-insensitive). */
export function isAudioPath(path: string): boolean {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m !== null && AUDIO_EXTENSIONS.includes(m[1].toLowerCase());
}
