/**
 * Ogg Vorbis through libvorbis compiled to WebAssembly (vendored from `@wasm-audio-decoders/ogg-vorbis`,
 * see src/vendor/wasm-audio-decoders), the pages read by `oggPages.ts`, fed ~10 s at a time and mixed/resampled into the output as it goes. The Ogg pages are checked here: the granule
 * position of the last page gives the length up front, and a last page cut short means a truncated file.
 */
import { checkStreamLimits, isWasmTrap, stepBytes, type DecodeResult, type WasmDecoded } from './common.js';
import { inputError } from '../../errors.js';
import { audioMessages, seconds } from '../messages.js';
import type { ByteSource } from './source.js';
import { MonoSink, mixPlanar } from './sink.js';
import { OggPageReader } from './oggPages.js';

export interface VorbisInfo {
  sampleRate: number;
  channels: number;
  serial: number;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** The identification header of the first logical stream (in the first page). */
export async function readVorbisInfo(src: ByteSource): Promise<VorbisInfo> {
  const corrupt = (detail: string) => inputError(audioMessages.corrupt(src.label, 'Ogg Vorbis', detail));
  const b = await src.read(0, 27 + 255 + 30);
  if (b.length < 28) throw inputError(audioMessages.truncated(src.label, 'Ogg Vorbis', `only ${b.length} bytes`));
  const body = 27 + b[26];
  if (b.length < body + 30) throw inputError(audioMessages.truncated(src.label, 'Ogg Vorbis', 'the first page is cut short'));
  if (b[body] !== 1 || String.fromCharCode(...b.subarray(body + 1, body + 7)) !== 'vorbis') throw corrupt('no Vorbis identification header');
  const channels = b[body + 11];
  const sampleRate = u32(b, body + 12);
  if (channels === 0 || sampleRate === 0) throw corrupt(`${channels} channels at ${sampleRate} Hz`);
  checkStreamLimits(src.label, 'Ogg Vorbis', { sampleRate, channels });
  return { sampleRate, channels, serial: u32(b, 14) };
}

/**
 * The last page of the stream `serial`, found scanning back from the end: its granule position (the
 * stream's length in samples) and whether it is whole. Undefined when no page starts in the last 64 KiB.
 */
async function lastPage(src: ByteSource, serial: number): Promise<{ granule: number; complete: boolean; eos: boolean } | undefined> {
  const span = Math.min(src.size, 1 << 16);
  const tail = await src.read(src.size - span, span);
  for (let i = tail.length - 27; i >= 0; i--) {
    if (tail[i] !== 0x4f || tail[i + 1] !== 0x67 || tail[i + 2] !== 0x67 || tail[i + 3] !== 0x53 || tail[i + 4] !== 0) continue;
    if (u32(tail, i + 14) !== serial) continue;
    const segments = tail[i + 26];
    let length = 27 + segments;
    const complete0 = i + length <= tail.length;
    if (complete0) for (let s = 0; s < segments; s++) length += tail[i + 27 + s];
    const lo = u32(tail, i + 6);
    const hi = u32(tail, i + 10);
    const granule = hi === 0xffffffff && lo === 0xffffffff ? -1 : hi * 2 ** 32 + lo;
    return { granule, complete: complete0 && i + length <= tail.length, eos: (tail[i + 5] & 4) !== 0 };
  }
  return undefined;
}


export async function decodeVorbis(src: ByteSource): Promise<DecodeResult> {
  const info = await readVorbisInfo(src);
  const last = await lastPage(src, info.serial);
  if (last && !last.complete) {
    const have = last.granule > 0 ? `; the last whole page ends near ${seconds(last.granule / info.sampleRate)}` : '';
    throw inputError(audioMessages.truncated(src.label, 'Ogg Vorbis', `the last Ogg page is cut short${have}`));
  }
  const expected = last && last.granule > 0 ? last.granule : undefined;
  checkStreamLimits(src.label, 'Ogg Vorbis', { sampleRate: info.sampleRate, frames: expected }, 'Ogg Vorbis stream');
  const { OggVorbisDecoder } = await import('../../vendor/wasm-audio-decoders/ogg-vorbis/OggVorbisDecoder.js');
  const decoder = new OggVorbisDecoder();
  await decoder.ready;
  // After a trap libvorbis's heap may be damaged: that instance is dropped, never freed.
  let poisoned = false;
  const sink = new MonoSink(info.sampleRate, expected, { label: src.label, format: 'Ogg Vorbis', fileBytes: src.size });
  if (expected !== undefined && last?.eos) sink.limitFrames(expected);
  let mono: Float32Array | undefined;
  let errors = 0;
  let firstError: string | undefined;
  const take = (r: WasmDecoded): void => {
    errors += r.errors.length;
    firstError ??= r.errors[0]?.message;
    if (r.samplesDecoded === 0) return;
    mono = mixPlanar(r.channelData, r.samplesDecoded, mono);
    sink.push(mono);
  };
  const reader = new OggPageReader(info.serial);
  try {
    const step = stepBytes(src.size, expected, info.sampleRate);
    for (let at = 0; at < src.size; at += step) {
      const pages = reader.push(await src.read(at, step));
      if (!pages.length) continue;
      let r: WasmDecoded;
      try {
        r = decoder.decodeOggPages(pages);
      } catch (e) {
        poisoned = true;
        if (!isWasmTrap(e)) throw e;
        throw inputError(audioMessages.corrupt(src.label, 'Ogg Vorbis', audioMessages.decoderFailed(`after ${seconds(sink.frames / info.sampleRate)}`)));
      }
      take(r);
    }
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
    // a stream whose last page says it holds audio, none of which decodes, is damaged (not empty)
    if (errors > 0 || expected !== undefined) throw inputError(audioMessages.corrupt(src.label, 'Ogg Vorbis', firstError ?? 'no decodable packet'));
    throw inputError(audioMessages.noSamples(src.label, 'Ogg Vorbis'));
  }
  // Damaged pages are skipped (to the next page whose CRC checks): say how much audio that lost, from the
  // length the last page promises, so nothing is lost silently.
  const warnings: string[] = [];
  const lostS = expected !== undefined ? Math.max(0, expected - frames) / info.sampleRate : 0;
  if (reader.skippedBytes > 0 || lostS > 0.05) warnings.push(audioMessages.oggDamaged(src.label, reader.skippedBytes, lostS));
  return {
    samples: sink.finish(),
    source: { format: 'ogg-vorbis', sampleRate: info.sampleRate, channels: info.channels, frames },
    ...(warnings.length ? { warnings } : {}),
  };
}

