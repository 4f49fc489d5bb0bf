/** Shapes shared by the format decoders, and the limits every one of them checks. */
import { inputError } from '../../errors.js';
import { MAX_CHANNELS, MAX_DURATION_S, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from '../../limits.js';
import { audioMessages } from '../messages.js';

export type SourceFormat = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis' | 'ffmpeg';

export interface SourceInfo {
  format: SourceFormat;
  /** The file's own sample rate, Hz. */
  sampleRate: number;
  channels: number;
  /** Bits per sample where the format has them (WAV, FLAC). */
  bitsPerSample?: number;
  /** Sample frames decoded, at the file's own rate (after MP3 encoder-delay and padding trimming). */
  frames: number;
}

/** What a format decoder hands back: mono samples at the analysis rate and where they came from. */
export interface DecodeResult {
  samples: Float32Array;
  source: SourceInfo;
  /** Damage the decoder got past (skipped MP3 bytes, …), one line each, naming the file. */
  warnings?: string[];
}

/**
 * Refuse, from its header and before any decoding, a stream outside the limits of `../../limits.ts`: a sample
 * rate outside {@link MIN_SAMPLE_RATE_HZ}…{@link MAX_SAMPLE_RATE_HZ}, more than {@link MAX_CHANNELS}
 * channels, or a promised length (`frames` at `sampleRate`) over {@link MAX_DURATION_S}.
 *
 * @param format - the format as messages name it ("WAV", "FLAC")
 * @param where - what promises the length ("WAV header"); defaults to "`format` header"
 * @throws SongscopeError (exit code 2) naming the limit
 */
export function checkStreamLimits(
  label: string,
  format: string,
  stream: { sampleRate: number; channels?: number; frames?: number },
  where = `${format} header`,
): void {
  const { sampleRate, channels, frames } = stream;
  if (!(sampleRate >= MIN_SAMPLE_RATE_HZ && sampleRate <= MAX_SAMPLE_RATE_HZ)) {
    throw inputError(audioMessages.sampleRateOutOfRange(label, format, sampleRate, MIN_SAMPLE_RATE_HZ, MAX_SAMPLE_RATE_HZ));
  }
  if (channels !== undefined && channels > MAX_CHANNELS) throw inputError(audioMessages.tooManyChannels(label, format, channels, MAX_CHANNELS));
  if (frames !== undefined && frames / sampleRate > MAX_DURATION_S) {
    throw inputError(audioMessages.promisesTooLong(label, where, frames / sampleRate, MAX_DURATION_S));
  }
}

/** Whether an error is a WebAssembly trap (`memory access out of bounds`, `unreachable`): the decoder met damaged data. */
export function isWasmTrap(error: unknown): boolean {
  const ctor = (globalThis as unknown as { WebAssembly?: { RuntimeError?: new () => Error } }).WebAssembly?.RuntimeError;
  return ctor !== undefined && error instanceof ctor;
}

/**
 * Thrown by a format decoder for a file it recognises but cannot decode (e.g. an ADPCM WAV or an MP2
 * stream): the caller falls back to ffmpeg, or tells the user which formats are supported.
 */
export class UnsupportedEncoding extends Error {
  constructor(readonly what: string) {
    super(what);
    this.name = 'UnsupportedEncoding';
  }
}

/**
 * Bytes fed to a WebAssembly decoder per call: about ten seconds of audio (the decoders return all the PCM
 * of a call at once, so a byte-sized step of a highly compressed file would be minutes of PCM), within
 * 16 KiB … 1 MiB.
 */
export function stepBytes(fileBytes: number, frames: number | undefined, rate: number): number {
  const STEP_SECONDS = 10;
  const perSecond = frames ? fileBytes / (frames / rate) : 1 << 16;
  return Math.max(1 << 14, Math.min(1 << 20, Math.round(perSecond * STEP_SECONDS)));
}

/** What the vendored FLAC and Vorbis decoders return per call. */
export interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}
