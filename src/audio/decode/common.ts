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
