/** Shapes shared by the format decoders. */

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
