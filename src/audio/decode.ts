/**
 * Audio decoding for the local analyzer: any supported file becomes one mono signal at
 * {@link ANALYSIS_SAMPLE_RATE} (the mean of the channels, band-limited resampling).
 *
 * Formats decoded in-process, with permissively licensed code only (see each module):
 * - WAV (`./decode/wav.ts`): integer PCM 8/16/24/32-bit, float 32/64-bit, WAVE_FORMAT_EXTENSIBLE, RF64;
 * - FLAC (`./decode/flac.ts`): libFLAC in WebAssembly;
 * - Ogg Vorbis (`./decode/vorbis.ts`): libvorbis in WebAssembly;
 * - MP3 (`./decode/mp3.ts`): minimp3 in WebAssembly, gapless when the LAME tag is present.
 *
 * Anything else (Ogg Opus, AAC/M4A, WMA, ADPCM WAV, MP2, …) goes to `ffmpeg` when it is on the PATH.
 *
 * Memory: the output is the only full-length array. Files are read in 1 MiB pieces (MP3 is read whole: it
 * is compressed), each piece is mixed to mono and resampled straight into the output, which is
 * allocated once at its final size whenever the header says the length (all but the ffmpeg path). A
 * one-hour 44.1 kHz stereo file costs its 318 MB of output plus a few MB.
 *
 * Every failure a user can meet is a `SongscopeError` with exit code 2 and a one-line cause naming the
 * file (texts in `./messages.ts`).
 */
import { inputError, messages } from '../errors.js';
import { MAX_AUDIO_FILE_BYTES } from '../limits.js';
import { ANALYSIS_SAMPLE_RATE } from './types.js';
import { audioMessages } from './messages.js';
import { fileSource, memorySource, type ByteSource } from './decode/source.js';
import { audioFormatOf, findMpegFrame, id3v2Length, type AudioFormat } from './decode/sniff.js';
import { UnsupportedEncoding, type DecodeResult, type SourceInfo } from './decode/common.js';
import { decodeWav } from './decode/wav.js';
import { decodeFlac } from './decode/flac.js';
import { decodeVorbis } from './decode/vorbis.js';
import { decodeMp3 } from './decode/mp3.js';
import { DEFAULT_FFMPEG, decodeWithFfmpeg } from './decode/ffmpeg.js';

export { ANALYSIS_SAMPLE_RATE, AUDIO_EXTENSIONS, isAudioPath } from './types.js';
export { audioFormatOf, type AudioFormat } from './decode/sniff.js';
export type { SourceFormat, SourceInfo } from './decode/common.js';
export { MP3_DECODER_DELAY } from './decode/mp3.js';

/** A decoded file: mono at the analysis rate, and what the file itself was. */
export interface DecodedAudio {
  /** Mono (mean of the channels) at {@link ANALYSIS_SAMPLE_RATE}. */
  samples: Float32Array;
  sampleRate: typeof ANALYSIS_SAMPLE_RATE;
  /** The file's duration, seconds (its own frames at its own rate). */
  durationS: number;
  source: SourceInfo;
  /** Damage the decoder got past (e.g. skipped MP3 bytes), one line each naming the file; usually empty. */
  warnings: string[];
}

export interface DecodeOptions {
  /**
   * Use ffmpeg for formats songscope cannot decode itself (default true; it is used only when it is
   * found). False: such files are errors.
   */
  ffmpeg?: boolean;
  /** The ffmpeg executable (default `ffmpeg`, looked up on the PATH). */
  ffmpegPath?: string;
}

/** Bytes looked at to recognise a format. */
const SNIFF_BYTES = 1 << 16;

/** The format of a source, looking past ID3v2 tags however long (cover art can take megabytes). */
async function sniff(src: ByteSource): Promise<AudioFormat | undefined> {
  let at = 0;
  for (let tag = id3v2Length(await src.read(0, 10)); tag > 0; tag = id3v2Length(await src.read(at, 10))) at += tag;
  const head = await src.read(at, SNIFF_BYTES);
  const format = audioFormatOf(head, src.path ?? src.label);
  // after an ID3v2 tag, MP3 frames may follow some junk
  if (format === undefined && at > 0 && findMpegFrame(head, 0, 1 << 14) !== undefined) return 'mp3';
  return format;
}

function finish(result: DecodeResult): DecodedAudio {
  const { samples, source } = result;
  return {
    samples,
    sampleRate: ANALYSIS_SAMPLE_RATE,
    durationS: source.format === 'ffmpeg' ? samples.length / ANALYSIS_SAMPLE_RATE : source.frames / source.sampleRate,
    source,
    warnings: result.warnings ?? [],
  };
}

async function decodeSource(src: ByteSource, options: DecodeOptions): Promise<DecodedAudio> {
  const { label } = src;
  if (src.size === 0) throw inputError(audioMessages.empty(label));
  if (src.size > MAX_AUDIO_FILE_BYTES) throw inputError(messages.fileTooLarge(label, src.size, MAX_AUDIO_FILE_BYTES, 'audio files'));
  const format = await sniff(src);
  if (format === undefined) {
    // "OggS" and less than a page header (27 bytes) with its segment table: cut short, whatever it held
    const head = await src.read(0, 28);
    if (head.length < 28 && head.length >= 4 && head[0] === 0x4f && head[1] === 0x67 && head[2] === 0x67 && head[3] === 0x53) {
      throw inputError(audioMessages.truncated(label, 'Ogg', audioMessages.oggTooShort(src.size)));
    }
  }
  let unsupported: string | undefined;
  try {
    switch (format) {
      case 'wav':
        return finish(await decodeWav(src));
      case 'flac':
        return finish(await decodeFlac(src));
      case 'ogg-vorbis':
        return finish(await decodeVorbis(src));
      case 'mp3':
        return finish(await decodeMp3(src));
      case 'ogg-opus':
        unsupported = 'Ogg Opus';
        break;
      default:
        unsupported = undefined;
    }
  } catch (error) {
    if (!(error instanceof UnsupportedEncoding)) throw error;
    unsupported = error.what;
  }
  // not ours: ffmpeg, if allowed and installed
  const useFfmpeg = options.ffmpeg !== false;
  if (useFfmpeg) {
    const input = src.path !== undefined ? { path: src.path } : { bytes: await src.readAll() };
    const decoded = await decodeWithFfmpeg(input, label, options.ffmpegPath ?? DEFAULT_FFMPEG);
    if (decoded) return finish(decoded);
  }
  const message = unsupported === undefined ? audioMessages.unrecognised(label) : audioMessages.unsupportedCodec(label, unsupported);
  throw inputError(message, audioMessages.unsupportedHint(useFfmpeg));
}

/**
 * Decode an audio file to mono at {@link ANALYSIS_SAMPLE_RATE}. The format is recognised by its content
 * (the extension is only a hint).
 *
 * @throws SongscopeError exit code 2: no such file, unreadable, empty, truncated, corrupt or unsupported
 */
export async function decodeAudioFile(path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const src = await fileSource(path);
  try {
    return await decodeSource(src, options);
  } finally {
    await src.close().catch(() => undefined);
  }
}

/**
 * Decode audio bytes already in memory; `label` names them in messages (a file name). With ffmpeg (for
 * formats songscope does not decode) the bytes are piped to it.
 *
 * @throws SongscopeError exit code 2: empty, truncated, corrupt or unsupported
 */
export async function decodeAudio(bytes: Uint8Array, label: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  return decodeSource(memorySource(bytes, label), options);
}
