/**
 * MP3 (MPEG-1/2/2.5 Layer III) through `minimp3-wasm`: lieff's minimp3 (CC0) compiled to a 21 KB
 * WebAssembly module with no imports (the package is Apache-2.0). Only the module's exports are used
 * (the package's JavaScript wrapper fetches the module by URL, which Node cannot do from a file).
 *
 * The frames are walked here first (cheap: headers only) to find the length, a truncated last frame, and
 * the Xing/Info + LAME tag. When the LAME tag is present (LAME, and ffmpeg's Lavc/Lavf, write it) the
 * output is gapless: the encoder delay plus the decoder's 529-sample delay are dropped at the start and
 * the padding at the end, so the decoded length equals the encoded signal's, as ffmpeg does. Without the
 * tag the output keeps them (typically 1,105 samples ≈ 25 ms of leading silence at 44.1 kHz, and up to
 * one frame of padding at the end).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { inputError } from '../../errors.js';
import { audioMessages, count, seconds } from '../messages.js';
import type { ByteSource } from './source.js';
import { MonoSink } from './sink.js';
import { UnsupportedEncoding, checkStreamLimits, type DecodeResult } from './common.js';
import { findMpegFrame, id3v2Length, mpegHeader, type MpegHeader } from './sniff.js';

/** The decoder's own delay (synthesis filterbank + IMDCT overlap), samples. */
export const MP3_DECODER_DELAY = 529;

export interface Mp3Layout {
  /** Offset of the first frame (after ID3v2 tags and junk). */
  first: number;
  /** End of the audio frames (before ID3v1 / APE tags). */
  end: number;
  header: MpegHeader;
  /** Bytes of the Xing/Info/VBRI frame at `first` (0 when there is none): it holds no audio. */
  infoFrameBytes: number;
  /** Audio frames walked (excluding the info frame). */
  frames: number;
  /** The frame count the Xing/VBRI header announces, if any. */
  announcedFrames: number | undefined;
  /** Encoder delay and padding from the LAME tag, if any. */
  delay: number | undefined;
  padding: number | undefined;
  /** Bytes of the last frame present and the bytes it should have, when it is cut short. */
  partialLast: { have: number; need: number } | undefined;
  /** Bytes passed over because no frame could be read there: before the first frame and between frames. */
  skippedBytes: number;
  channels: number;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = at; i < at + n && i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Bytes at the end that are tags, not audio: ID3v1 (128 bytes) and APEv2. */
function trailingTagsStart(b: Uint8Array, start: number): number {
  let end = b.length;
  if (end - 128 >= start && ascii(b, end - 128, 3) === 'TAG') end -= 128;
  if (end - 32 >= start && ascii(b, end - 32, 8) === 'APETAGEX') {
    const size = b[end - 20] | (b[end - 19] << 8) | (b[end - 18] << 16) | (b[end - 17] << 24);
    const hasHeader = (b[end - 9] & 0x80) !== 0;
    const total = size + (hasHeader ? 32 : 0);
    if (size >= 32 && end - total >= start) end -= total;
  }
  return end;
}

/** Walk the frames of an MP3 file: where the audio is, how long it is, and what its tags say. */
export function mp3Layout(b: Uint8Array, label: string): Mp3Layout {
  let start = 0;
  for (let tag = id3v2Length(b, start); tag > 0; tag = id3v2Length(b, start)) start += tag;
  const end = trailingTagsStart(b, start);
  const region = b.subarray(0, end);
  const first = findMpegFrame(region, start, 1 << 18);
  if (first === undefined) throw inputError(audioMessages.corrupt(label, 'MP3', 'no MPEG audio frame found'));
  const header = mpegHeader(region, first)!;
  if (header.layer !== 3) {
    throw new UnsupportedEncoding(`MPEG-${header.version} Layer ${header.layer === 1 ? 'I' : 'II'} audio`);
  }
  // Xing/Info (after the side information) or VBRI (at 36) in the first frame
  const side = header.version === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17;
  const x = first + 4 + (header.crc ? 2 : 0) + side;
  let infoFrameBytes = 0;
  let announcedFrames: number | undefined;
  let delay: number | undefined;
  let padding: number | undefined;
  const tag = ascii(region, x, 4);
  if (tag === 'Xing' || tag === 'Info') {
    infoFrameBytes = header.frameBytes;
    const flags = u32be(region, x + 4);
    let p = x + 8;
    if (flags & 1) {
      announcedFrames = u32be(region, p);
      p += 4;
    }
    if (flags & 2) p += 4;
    if (flags & 4) p += 100;
    if (flags & 8) p += 4;
    const encoder = ascii(region, p, 4);
    if (/^(LAME|Lavc|Lavf|L3\.9|GOGO)/.test(encoder) && p + 24 <= end) {
      const d = p + 21;
      delay = (region[d] << 4) | (region[d + 1] >> 4);
      padding = ((region[d + 1] & 0x0f) << 8) | region[d + 2];
    }
  } else if (ascii(region, first + 36, 4) === 'VBRI') {
    infoFrameBytes = header.frameBytes;
    announcedFrames = u32be(region, first + 36 + 14);
  }
  // walk the frames (free-format streams, whose frame length the header does not give, are not walked)
  let frames = 0;
  let channels = header.channels;
  let partialLast: Mp3Layout['partialLast'];
  let pos = first + infoFrameBytes;
  let skippedBytes = first - start;
  if (header.frameBytes > 0) {
    while (pos + 4 <= end) {
      const h = mpegHeader(region, pos);
      if (!h || h.frameBytes === 0 || h.layer !== 3 || h.sampleRate !== header.sampleRate) {
        const next = findMpegFrame(region, pos + 1, 1 << 16);
        if (next === undefined) break; // trailing junk
        skippedBytes += next - pos;
        pos = next;
        continue;
      }
      if (pos + h.frameBytes > end) {
        partialLast = { have: end - pos, need: h.frameBytes };
        break;
      }
      if (h.channels > channels) channels = h.channels;
      frames++;
      pos += h.frameBytes;
    }
  }
  return { first, end, header, infoFrameBytes, frames, announcedFrames, delay, padding, partialLast, channels, skippedBytes };
}

/** The little of the WebAssembly API used here (the project's `lib` has no DOM/WebAssembly typings). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: unknown }>;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Minimp3Exports {
  memory: { buffer: ArrayBuffer };
  decoder_init(): void;
  decoder_mp3_data_offset(): number;
  decoder_set_mp3_data_size(size: number): void;
  decoder_pcm_data_offset(): number;
  decoder_pcm_data_size(): number;
  decoder_decode(seconds: number): void;
  decode_results_sampling_rate(): number;
  decode_results_num_channels(): number;
  decode_results_num_samples(): number;
}

let compiled: Promise<object> | undefined;

function minimp3Module(): Promise<object> {
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve('minimp3-wasm/dist/decoder.opt.wasm');
    return Wasm.compile(await readFile(path));
  })();
  return compiled;
}

/** Seconds of audio decoded per call into the module (the PCM buffer it grows: ~3.5 MB at 44.1 kHz stereo). */
const CHUNK_SECONDS = 20;

/** Bytes read per call when loading a file into the module's memory. */
const LOAD_STEP = 1 << 24;

export async function decodeMp3(src: ByteSource): Promise<DecodeResult> {
  const { label } = src;
  // the whole file goes straight into the module's memory (no second copy in JavaScript)
  const instance = await Wasm.instantiate(await minimp3Module(), {});
  const wasm = instance.exports as unknown as Minimp3Exports;
  wasm.decoder_init();
  wasm.decoder_set_mp3_data_size(src.size);
  const bytes = new Uint8Array(wasm.memory.buffer, wasm.decoder_mp3_data_offset(), src.size);
  if (src.path === undefined) {
    bytes.set(await src.readAll());
  } else {
    for (let at = 0; at < src.size; at += LOAD_STEP) {
      const got = await src.read(at, LOAD_STEP, bytes.subarray(at, at + LOAD_STEP));
      if (got.length === 0) break;
    }
  }
  const layout = mp3Layout(bytes, label);
  const { header } = layout;
  const spf = header.samplesPerFrame;
  const rate = header.sampleRate;
  checkStreamLimits(label, 'MP3', { sampleRate: rate, frames: layout.announcedFrames === undefined ? undefined : layout.announcedFrames * spf }, 'MP3 Xing header');
  checkStreamLimits(label, 'MP3', { sampleRate: rate, frames: layout.frames * spf }, 'MP3 file');
  const warnings: string[] = [];
  // Damage the walk passed over (at least a frame's worth: a few stray bytes are no audio): its audio is
  // missing, and it explains frames missing from what the Xing header announced.
  const damaged = header.frameBytes > 0 && layout.skippedBytes >= header.frameBytes;
  if (damaged) warnings.push(audioMessages.mp3Skipped(label, layout.skippedBytes, (layout.skippedBytes / header.frameBytes) * (spf / rate)));
  if (!damaged && layout.announcedFrames !== undefined && layout.frames < layout.announcedFrames && header.frameBytes > 0) {
    throw inputError(
      audioMessages.truncated(
        label,
        'MP3',
        `the Xing header says ${count(layout.announcedFrames)} frames (${seconds((layout.announcedFrames * spf) / rate)}), the file holds ${count(layout.frames)} (${seconds((layout.frames * spf) / rate)})`,
      ),
    );
  }
  if (layout.partialLast) {
    throw inputError(
      audioMessages.truncated(
        label,
        'MP3',
        `the last frame has ${count(layout.partialLast.have)} of its ${count(layout.partialLast.need)} bytes, after ${seconds((layout.frames * spf) / rate)}`,
      ),
    );
  }
  // gapless trimming from the LAME tag
  const walked = layout.frames * spf;
  let skip = 0;
  let total: number | undefined = header.frameBytes > 0 ? walked : undefined;
  if (layout.delay !== undefined && layout.padding !== undefined && layout.frames > 0) {
    const keep = walked - layout.delay - layout.padding;
    if (keep > 0) {
      skip = layout.delay + MP3_DECODER_DELAY;
      total = keep;
    }
  }
  // decode only the audio frames: move them to the start of the buffer (past tags and the info frame)
  const audioStart = layout.first + layout.infoFrameBytes;
  bytes.copyWithin(0, audioStart, layout.end);
  wasm.decoder_set_mp3_data_size(layout.end - audioStart);

  const sink = new MonoSink(rate, total, { label, format: 'MP3', fileBytes: src.size });
  if (total !== undefined) sink.limitFrames(total);
  let mono = new Float32Array(0);
  let decoded = 0;
  for (;;) {
    wasm.decoder_decode(CHUNK_SECONDS);
    const n = wasm.decode_results_num_samples();
    if (n === 0) break;
    const nch = wasm.decode_results_num_channels();
    const hz = wasm.decode_results_sampling_rate();
    if (hz !== rate) {
      throw new UnsupportedEncoding(`an MP3 stream whose sample rate changes (${count(rate)} → ${count(hz)} Hz)`);
    }
    const framesHere = Math.floor(n / nch);
    const pcm = new Int16Array(wasm.memory.buffer, wasm.decoder_pcm_data_offset(), framesHere * nch);
    if (mono.length < framesHere) mono = new Float32Array(framesHere);
    if (nch === 2) {
      for (let i = 0, j = 0; i < framesHere; i++, j += 2) mono[i] = (pcm[j] + pcm[j + 1]) * (1 / 65536);
    } else {
      for (let i = 0; i < framesHere; i++) mono[i] = pcm[i] * (1 / 32768);
    }
    // drop the encoder + decoder delay at the start
    const from = Math.min(framesHere, Math.max(0, skip - decoded));
    decoded += framesHere;
    sink.push(mono.subarray(from, framesHere));
  }
  if (sink.frames === 0) throw inputError(audioMessages.corrupt(label, 'MP3', 'no decodable frame'));
  // frames walked that the decoder gave no audio for (damaged side information or main data)
  const dropped = header.frameBytes > 0 ? Math.floor((walked - decoded) / spf) : 0;
  if (dropped > 0) warnings.push(audioMessages.mp3FramesDropped(label, dropped, (dropped * spf) / rate));
  return {
    samples: sink.finish(),
    source: { format: 'mp3', sampleRate: rate, channels: layout.channels, frames: sink.frames },
    warnings,
  };
}
