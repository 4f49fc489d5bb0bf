/**
 * FLAC through libFLAC compiled to WebAssembly (vendored from `@wasm-audio-decoders/flac`, see
 * src/vendor/wasm-audio-decoders), split into frames by `flacFrames.ts` and fed ~10 s of audio at a time
 * so only seconds of multichannel PCM exist at once; each piece is mixed to mono and resampled
 * straight into the output. STREAMINFO (parsed here) gives the length up front and exposes truncation.
 */
import { stepBytes, type DecodeResult, type WasmDecoded } from './common.js';
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
  return { sampleRate, channels, bitsPerSample, totalFrames, start };
}


export async function decodeFlac(src: ByteSource): Promise<DecodeResult> {
  const info = await readFlacStreamInfo(src);
  const { FLACFrameDecoder } = await import('../../vendor/wasm-audio-decoders/flac/FLACDecoder.js');
  const decoder = new FLACFrameDecoder();
  await decoder.ready;
  const sink = new MonoSink(info.sampleRate, info.totalFrames || undefined);
  let mono: Float32Array | undefined;
  let errors = 0;
  let firstError: string | undefined;
  const take = (r: WasmDecoded): void => {
    errors += r.errors.length;
    firstError ??= r.errors[0]?.message;
    if (r.samplesDecoded === 0) return;
    if (r.sampleRate !== info.sampleRate) {
      throw inputError(audioMessages.corrupt(src.label, 'FLAC', `a frame at ${count(r.sampleRate)} Hz in a ${count(info.sampleRate)} Hz stream`));
    }
    mono = mixPlanar(r.channelData, r.samplesDecoded, mono);
    sink.push(mono);
  };
  try {
    const step = stepBytes(src.size, info.totalFrames || undefined, info.sampleRate);
    const splitter = new FlacFrameSplitter();
    const decode = (frames: FlacFrame[]) => {
      if (frames.length) take(decoder.decodeFrames(frames.map((f) => f.data)));
    };
    try {
      for (let at = info.start; at < src.size; at += step) decode(splitter.push(await src.read(at, step)));
    } catch (e) {
      throw inputError(audioMessages.corrupt(src.label, 'FLAC', (e as Error).message));
    }
    decode(splitter.flush());
  } finally {
    decoder.free();
  }
  const frames = sink.frames;
  if (frames === 0) {
    if (errors > 0) throw inputError(audioMessages.corrupt(src.label, 'FLAC', firstError ?? 'no decodable frame'));
    if (info.totalFrames > 0) {
      throw inputError(audioMessages.truncated(src.label, 'FLAC', `STREAMINFO says ${count(info.totalFrames)} samples, the file holds none`));
    }
    throw inputError(audioMessages.noSamples(src.label, 'FLAC'));
  }
  if (info.totalFrames > 0 && frames < info.totalFrames) {
    const r = info.sampleRate;
    throw inputError(
      audioMessages.truncated(
        src.label,
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
