/**
 * FLAC through libFLAC compiled to WebAssembly (vendored from `@wasm-audio-decoders/flac`, see
 * src/vendor/wasm-audio-decoders), split into frames by `flacFrames.ts` and fed ~10 s of audio at a time
 * so only seconds of multichannel PCM exist at once; each piece is mixed to mono and resampled
 * straight into the output. STREAMINFO (parsed here) gives the length up front and exposes truncation.
 */
import { checkStreamLimits, isWasmTrap, stepBytes, type DecodeResult, type WasmDecoded } from './common.js';
import { inputError } from '../../errors.js';
import { audioMessages, count, seconds } from '../messages.js';
import type { ByteSource } from './source.js';
import { MonoSink, mixPlanar } from './sink.js';
import { id3v2Length } from './sniff.js';
import { FlacFrameSplitter, type FlacFrame } from './flacFrames.js';

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know it. */
  totalFrames: number;
  /** Offset of `fLaC`. */
  start: number;
}

export async function readFlacStreamInfo(src: ByteSource): Promise<FlacStreamInfo> {
  const corrupt = (detail: string) => inputError(audioMessages.corrupt(src.label, 'FLAC', detail));
  let start = 0;
  for (;;) {
    const tag = id3v2Length(await src.read(start, 10));
    if (tag === 0) break;
    start += tag;
  }
  const b = await src.read(start, 42);
  if (b.length < 42) throw inputError(audioMessages.truncated(src.label, 'FLAC', `only ${b.length} bytes of header`));
  if (String.fromCharCode(b[0], b[1], b[2], b[3]) !== 'fLaC') throw corrupt('no "fLaC" signature');
  if ((b[4] & 0x7f) !== 0) throw corrupt('the first metadata block is not STREAMINFO');
  const s = 8;
  const sampleRate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const channels = ((b[s + 12] >> 1) & 7) + 1;
  const bitsPerSample = (((b[s + 12] & 1) << 4) | (b[s + 13] >> 4)) + 1;
  const totalFrames = (b[s + 13] & 0x0f) * 2 ** 32 + (((b[s + 14] << 24) | (b[s + 15] << 16) | (b[s + 16] << 8) | b[s + 17]) >>> 0);
  if (sampleRate === 0) throw corrupt('sample rate 0 in STREAMINFO');
  checkStreamLimits(src.label, 'FLAC', { sampleRate, channels, frames: totalFrames || undefined });
  return { sampleRate, channels, bitsPerSample, totalFrames, start };
}


/** Start of a frame, seconds: frame numbers count blocks (fixed block size), sample numbers samples (variable). */
function frameStartS(frame: FlacFrame, sampleRate: number): number {
  const { header } = frame;
  return (header.variableBlockSize ? header.number : header.number * header.blockSize) / sampleRate;
}

export async function decodeFlac(src: ByteSource): Promise<DecodeResult> {
  const info = await readFlacStreamInfo(src);
  const { label } = src;
  const corrupt = (detail: string) => inputError(audioMessages.corrupt(label, 'FLAC', detail));
  const { FLACFrameDecoder } = await import('../../vendor/wasm-audio-decoders/flac/FLACDecoder.js');
  const decoder = new FLACFrameDecoder();
  await decoder.ready;
  // After a decoding error libFLAC's heap may be damaged (freeing it then traps): such an instance is
  // dropped for the garbage collector, never used or freed again.
  let poisoned = false;
  const sink = new MonoSink(info.sampleRate, info.totalFrames || undefined, { label, format: 'FLAC', fileBytes: src.size });
  let mono: Float32Array | undefined;
  /** A cut-short last frame that failed: the truncation check below says what is missing. */
  let lastFrameFailed = false;
  const decode = (frame: FlacFrame, last: boolean): void => {
    let r: WasmDecoded;
    try {
      r = decoder.decodeFrames([frame.data]);
    } catch (e) {
      poisoned = true;
      if (!isWasmTrap(e)) throw e;
      throw corrupt(audioMessages.flacFrameDamaged(frame.header.number, frameStartS(frame, info.sampleRate), audioMessages.decoderFailed('on it')));
    }
    if (r.errors.length > 0) {
      poisoned = true;
      if (last && !frame.crcOk) {
        lastFrameFailed = true;
        return;
      }
      throw corrupt(audioMessages.flacFrameDamaged(frame.header.number, frameStartS(frame, info.sampleRate), audioMessages.flacStatus(r.errors[0].message)));
    }
    if (r.samplesDecoded === 0) return;
    if (r.sampleRate !== info.sampleRate) {
      throw corrupt(`a frame at ${count(r.sampleRate)} Hz in a ${count(info.sampleRate)} Hz stream`);
    }
    mono = mixPlanar(r.channelData, r.samplesDecoded, mono);
    sink.push(mono);
  };
  try {
    const step = stepBytes(src.size, info.totalFrames || undefined, info.sampleRate);
    const splitter = new FlacFrameSplitter();
    let frames: FlacFrame[];
    for (let at = info.start; at < src.size; at += step) {
      try {
        frames = splitter.push(await src.read(at, step));
      } catch (e) {
        throw corrupt((e as Error).message);
      }
      for (const frame of frames) decode(frame, false);
    }
    frames = splitter.flush();
    frames.forEach((frame, i) => decode(frame, i === frames.length - 1));
  } finally {
    if (!poisoned) {
      try {
        decoder.free();
      } catch {
        // nothing more to free
      }
    }
  }
  const frames = sink.frames;
  if (frames === 0) {
    if (lastFrameFailed) throw corrupt('no decodable frame');
    if (info.totalFrames > 0) {
      throw inputError(audioMessages.truncated(label, 'FLAC', `STREAMINFO says ${count(info.totalFrames)} samples, the file holds none`));
    }
    throw inputError(audioMessages.noSamples(label, 'FLAC'));
  }
  if (info.totalFrames > 0 && frames < info.totalFrames) {
    const r = info.sampleRate;
    throw inputError(
      audioMessages.truncated(
        label,
        'FLAC',
        `STREAMINFO says ${count(info.totalFrames)} samples (${seconds(info.totalFrames / r)}), the file holds ${count(frames)} (${seconds(frames / r)})`,
      ),
    );
  }
  return {
    samples: sink.finish(),
    source: { format: 'flac', sampleRate: info.sampleRate, channels: info.channels, bitsPerSample: info.bitsPerSample, frames },
  };
}
