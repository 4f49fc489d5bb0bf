/**
 * songscope's local audio analyzer: an audio file (or a mono signal at 22,050 Hz) → Spotify's audio-analysis
 * object, so every later stage takes it as it takes a Spotify track.
 *
 * Stages: decode (`./decode.ts`) → frame features (`./features.ts`) → rhythm: tempo, beats, bars, tatums, meter
 * (`./rhythm.ts`) → segments (`./segments.ts`) → sections (`./sections.ts`) → key (`./tonal.ts`) and the track
 * fields below.
 *
 * Track fields:
 *  - `duration` (the file's duration, s), `num_samples` (mono samples analysed), `sample_md5` "",
 *    `offset_seconds` 0, `window_seconds` 0, `analysis_sample_rate` 22050, `analysis_channels` 1;
 *  - `loudness`: integrated loudness, dBFS — the power mean of the frames' RMS over the frames above −70 dBFS
 *    (absolute gate) and no more than {@link RELATIVE_GATE_DB} below the absolutely gated mean (relative gate), as
 *    EBU R 128 gates its blocks (but unweighted: RMS, not K-weighted); −60 (Spotify's floor) for silence;
 *  - `end_of_fade_in`: the first time the loudness, a power mean over the preceding {@link FADE_WINDOW_S} s, comes
 *    within {@link FADE_DB} dB of the track's loudness; `start_of_fade_out`: the last time the power mean over the
 *    following {@link FADE_WINDOW_S} s is within that range (0 and the duration when it never is);
 *  - `tempo`, `time_signature` (+ confidences) from the rhythm stage; `key`, `mode` (+ confidences) from the whole
 *    track's chroma.
 *
 * `meta`: `analyzer_version` "songscope <VERSION>", `platform` "Node.js", `detailed_status` "OK", `status_code` 0,
 * `timestamp` 0 and `analysis_time` 0 (so that the output is a deterministic function of the audio; pass
 * `recordTime: true` for the measured seconds), `input_process` (e.g. "wav 2ch 44100->22050").
 *
 * Numbers are rounded as Spotify's are (times 5 decimals, loudness and confidences 3); every event starts before
 * `track.duration`; no value is NaN or infinite, whatever the input (silence, noise, a 0.1 s file).
 */
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Analysis, AudioAnalysis, TimeInterval, TrackInfoSection } from '../analysis/types.js';
import { inputError, messages } from '../errors.js';
import { analysisFromJson } from '../analysis/fromJson.js';
import { decodeAudioFile, type DecodeOptions } from './decode.js';
import { computeFrameFeatures } from './features.js';
import { analyzeRhythm } from './rhythm.js';
import { computeSections } from './sections.js';
import { computeSegments, LOUDNESS_FLOOR_DB, round } from './segments.js';
import { estimateKeyOfFrames } from './tonal.js';
import { ANALYSIS_SAMPLE_RATE, LOCAL_ANALYZER_VERSION, type FrameFeatures, type RhythmAnalysis, type TimedEvent } from './types.js';

/** Frames quieter than this (dBFS) do not count towards the track loudness. */
export const ABSOLUTE_GATE_DB = -70;
/** …nor frames this far below the absolutely gated mean. */
export const RELATIVE_GATE_DB = 10;
/** Fade detection: the loudness counts as "up" within this many dB of the track loudness. */
export const FADE_DB = 10;
/** Fade detection: length of the power-mean window, s. */
export const FADE_WINDOW_S = 0.25;

/** What the signal came from (the decoder's `SourceInfo`, or any subset). */
export interface SignalSource {
  format?: string;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  frames?: number;
}

/** Options of {@link analyzeSignal}. */
export interface AnalyzeSignalOptions {
  /** The duration to report, s (default: the number of samples / 22,050). */
  durationS?: number;
  /** The original file's format, rate and channels (for `meta.input_process`). */
  source?: SignalSource;
  /** Put the measured analysis time in `meta.analysis_time` (default false: 0, deterministic output). */
  recordTime?: boolean;
}

/** Wall-clock time of each stage, ms. */
export interface StageTimings {
  /** Reading and decoding the file (0 for {@link analyzeSignal}). */
  decode: number;
  /** Frame features: STFT, mel, chroma, MFCC, onset envelope. */
  features: number;
  /** Tempo, beats, bars, tatums, meter. */
  rhythm: number;
  segments: number;
  sections: number;
  /** Key and the track-level fields. */
  track: number;
  total: number;
}

/** An analysis together with how long each stage took. */
export interface TimedAnalysis<A> {
  analysis: A;
  timings: StageTimings;
}

const finite = (x: number, fallback = 0): number => (Number.isFinite(x) ? x : fallback);
const clamp01 = (x: number): number => Math.min(1, Math.max(0, finite(x)));

/** Rhythm events made safe for the schema: finite, sorted, starting in [0, duration), rounded. */
function cleanEvents(events: readonly TimedEvent[], durationS: number): TimeInterval[] {
  const out: TimeInterval[] = [];
  for (const e of events) {
    const start = finite(e.start, -1);
    if (!(start >= 0 && start < durationS)) continue;
    const s = round(start, 5);
    if (!(s < durationS)) continue;
    out.push({ start: s, duration: round(Math.max(0, Math.min(finite(e.duration), durationS - start)), 5), confidence: round(clamp01(e.confidence), 3) });
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** Integrated loudness of frame RMS values (see the module comment), dBFS, floored at −60. */
export function integratedLoudness(rmsDb: ArrayLike<number>): number {
  const meanAbove = (gate: number): number => {
    let acc = 0;
    let n = 0;
    for (let i = 0; i < rmsDb.length; i++) {
      if (rmsDb[i] > gate) {
        acc += 10 ** (rmsDb[i] / 10);
        n++;
      }
    }
    return n > 0 ? 10 * Math.log10(acc / n) : -Infinity;
  };
  const abs = meanAbove(ABSOLUTE_GATE_DB);
  if (!Number.isFinite(abs)) return LOUDNESS_FLOOR_DB;
  const rel = meanAbove(abs - RELATIVE_GATE_DB);
  return Math.max(LOUDNESS_FLOOR_DB, Number.isFinite(rel) ? rel : abs);
}

/** `end_of_fade_in` and `start_of_fade_out` (see the module comment). */
export function fadeTimes(features: FrameFeatures, loudnessDb: number, durationS: number): { endOfFadeIn: number; startOfFadeOut: number } {
  const n = features.frames;
  const fps = features.sampleRate / features.hop;
  const w = Math.max(1, Math.round(FADE_WINDOW_S * fps));
  const p = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) p[i + 1] = p[i] + 10 ** (features.rmsDb[i] / 10);
  const level = loudnessDb - FADE_DB;
  const db = (from: number, to: number): number => 10 * Math.log10(Math.max(1e-30, (p[to] - p[from]) / Math.max(1, to - from)));
  let first = -1;
  let last = -1;
  if (loudnessDb > LOUDNESS_FLOOR_DB) {
    for (let t = 0; t < n && first < 0; t++) if (db(Math.max(0, t - w + 1), t + 1) >= level) first = t;
    for (let t = n - 1; t >= 0 && last < 0; t--) if (db(t, Math.min(n, t + w)) >= level) last = t;
  }
  const endOfFadeIn = first >= 0 ? Math.min(durationS, first / fps) : 0;
  const startOfFadeOut = last >= 0 ? Math.min(durationS, Math.max(endOfFadeIn, last / fps)) : durationS;
  return { endOfFadeIn, startOfFadeOut };
}

function inputProcess(source: SignalSource | undefined): string {
  if (!source) return `mono ${ANALYSIS_SAMPLE_RATE}`;
  const parts: string[] = [];
  if (source.format) parts.push(source.format);
  if (source.channels) parts.push(source.channels === 1 ? 'mono' : `${source.channels}ch`);
  if (source.sampleRate) parts.push(`${source.sampleRate}->${ANALYSIS_SAMPLE_RATE}`);
  else parts.push(String(ANALYSIS_SAMPLE_RATE));
  return parts.join(' ');
}

/** {@link analyzeSignal} that also returns the time each stage took. */
export function analyzeSignalTimed(samples: Float32Array, options: AnalyzeSignalOptions = {}): TimedAnalysis<AudioAnalysis> {
  const t0 = performance.now();
  const numSamples = samples.length;
  const durationS = options.durationS !== undefined && Number.isFinite(options.durationS) && options.durationS > 0
    ? options.durationS
    : numSamples / ANALYSIS_SAMPLE_RATE;
  if (!(durationS > 0)) throw inputError(messages.audio.noSignal());
  // the reported duration (rounded as Spotify's; exact for sub-10-µs signals): every event starts before it
  const reportedS = round(durationS, 5) > 0 ? round(durationS, 5) : durationS;

  const features = computeFrameFeatures(samples, ANALYSIS_SAMPLE_RATE);
  const t1 = performance.now();
  let rhythm: RhythmAnalysis = analyzeRhythm(features, durationS);
  if (!Number.isFinite(rhythm.tempo)) rhythm = { ...rhythm, tempo: 0, tempoConfidence: 0 };
  const t2 = performance.now();
  const segments = computeSegments(features, durationS).filter((s, i) => i === 0 || s.start < reportedS);
  const t3 = performance.now();
  const sections = computeSections(features, rhythm, durationS).filter((s, i) => i === 0 || s.start < reportedS);
  const t4 = performance.now();

  const key = estimateKeyOfFrames(features);
  const loudness = integratedLoudness(features.rmsDb);
  const fades = fadeTimes(features, loudness, durationS);
  const ts = Math.round(finite(rhythm.timeSignature, 4));
  const track: TrackInfoSection = {
    num_samples: numSamples,
    duration: reportedS,
    sample_md5: '',
    offset_seconds: 0,
    window_seconds: 0,
    analysis_sample_rate: ANALYSIS_SAMPLE_RATE,
    analysis_channels: 1,
    end_of_fade_in: round(fades.endOfFadeIn, 5),
    start_of_fade_out: round(fades.startOfFadeOut, 5),
    loudness: round(loudness, 3),
    tempo: round(Math.max(0, finite(rhythm.tempo)), 3),
    tempo_confidence: round(clamp01(rhythm.tempoConfidence), 3),
    time_signature: ts >= 3 && ts <= 7 ? ts : 4,
    time_signature_confidence: round(clamp01(rhythm.timeSignatureConfidence), 3),
    key: key.key,
    key_confidence: round(key.keyConfidence, 3),
    mode: key.mode,
    mode_confidence: round(key.modeConfidence, 3),
  };
  const t5 = performance.now();

  const meta: Record<string, unknown> = {
    analyzer_version: LOCAL_ANALYZER_VERSION,
    platform: 'Node.js',
    detailed_status: 'OK',
    status_code: 0,
    timestamp: 0,
    analysis_time: options.recordTime ? round((t5 - t0) / 1000, 5) : 0,
    input_process: inputProcess(options.source),
  };
  const analysis: AudioAnalysis = {
    meta,
    track,
    bars: cleanEvents(rhythm.bars, reportedS),
    beats: cleanEvents(rhythm.beats, reportedS),
    sections,
    segments,
    tatums: cleanEvents(rhythm.tatums, reportedS),
  };
  return {
    analysis,
    timings: { decode: 0, features: t1 - t0, rhythm: t2 - t1, segments: t3 - t2, sections: t4 - t3, track: t5 - t4, total: t5 - t0 },
  };
}

/**
 * Analyse a mono signal at 22,050 Hz (see the module comment for every field).
 *
 * @throws SongscopeError (exit code 2) for an empty signal
 */
export function analyzeSignal(samples: Float32Array, options: AnalyzeSignalOptions = {}): AudioAnalysis {
  return analyzeSignalTimed(samples, options).analysis;
}

/** Options of {@link analyzeAudioFile}. */
export interface AnalyzeFileOptions extends DecodeOptions {
  /** See {@link AnalyzeSignalOptions.recordTime}. */
  recordTime?: boolean;
  /** Receives non-fatal findings: damage the decoder got past (skipped MP3 frames), validation notes. */
  warn?: (line: string) => void;
}

/** {@link analyzeAudioFile} that also returns the time each stage took. */
export async function analyzeAudioFileTimed(path: string, options: AnalyzeFileOptions = {}): Promise<TimedAnalysis<Analysis>> {
  const t0 = performance.now();
  const decoded = await decodeAudioFile(path, options);
  decoded.warnings.forEach((line) => options.warn?.(line));
  const t1 = performance.now();
  const { analysis, timings } = analyzeSignalTimed(decoded.samples, {
    durationS: decoded.durationS,
    source: decoded.source,
    recordTime: options.recordTime,
  });
  if (options.recordTime && analysis.meta) analysis.meta.analysis_time = round((performance.now() - t0) / 1000, 5);
  const title = basename(path).replace(/\.[^.]+$/, '');
  const validated = analysisFromJson(analysis, path, 'file', { title }, options.warn);
  return { analysis: validated, timings: { ...timings, decode: t1 - t0, total: timings.total + (t1 - t0) } };
}

/**
 * Decode an audio file and analyse it: the validated analysis with provenance `{ source: 'local', origin: 'file',
 * location: path, analyzerVersion: 'songscope <VERSION>', title: the file name without its extension }`.
 *
 * @throws SongscopeError exit code 2 for missing, unreadable, empty, corrupt or unsupported files
 */
export async function analyzeAudioFile(path: string, options: AnalyzeFileOptions = {}): Promise<Analysis> {
  return (await analyzeAudioFileTimed(path, options)).analysis;
}
