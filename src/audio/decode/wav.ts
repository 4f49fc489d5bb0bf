/**
 * WAV (RIFF, RF64/BW64): integer PCM of 8, 16, 24 and 32 bits, IEEE float of 32 and 64 bits,
 * WAVE_FORMAT_EXTENSIBLE, any number of channels. The chunks are walked by hand and the data chunk is
 * read in 1 MiB pieces, each mixed to mono and resampled straight into the output.
 */
import { inputError } from '../../errors.js';
import { audioMessages, count } from '../messages.js';
import type { ByteSource } from './source.js';
import { MonoSink } from './sink.js';
import { UnsupportedEncoding, checkStreamLimits, type DecodeResult } from './common.js';

export interface WavInfo {
  /** 1 integer PCM, 3 IEEE float (after resolving WAVE_FORMAT_EXTENSIBLE). */
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per sample of one channel in the container. */
  bytesPerSample: number;
  blockAlign: number;
  dataStart: number;
  /** Bytes of sample data present (whole frames). */
  dataBytes: number;
  frames: number;
}

const CODEC_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x0161: 'WMA',
  0x2000: 'AC-3',
};

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

/** Parse the header chunks; throws the one-line errors for corrupt, truncated or unsupported files. */
export async function readWavInfo(src: ByteSource): Promise<WavInfo> {
  const { label } = src;
  const corrupt = (detail: string) => inputError(audioMessages.corrupt(label, 'WAV', detail));
  const head = await src.read(0, 12);
  if (head.length < 12) throw corrupt(`only ${head.length} bytes, less than a RIFF header`);
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const riff = fourcc(head, 0);
  const rf64 = riff === 'RF64' || riff === 'BW64';
  const riffSize = dv(head).getUint32(4, true);
  let ds64Data: number | undefined;
  let fmt: Uint8Array | undefined;
  let dataStart: number | undefined;
  let dataDeclared = 0;
  let pos = 12;
  for (let chunks = 0; chunks < 10000 && pos + 8 <= src.size; chunks++) {
    const h = await src.read(pos, 8);
    const id = fourcc(h, 0);
    const size = dv(h).getUint32(4, true);
    const body = pos + 8;
    if (id === 'ds64' && rf64) {
      const b = await src.read(body, Math.min(size, 28));
      if (b.length >= 16) {
        const d = dv(b);
        ds64Data = d.getUint32(8, true) + d.getUint32(12, true) * 2 ** 32;
      }
    } else if (id === 'fmt ') {
      fmt = await src.read(body, Math.min(size, 64));
    } else if (id === 'data') {
      dataStart = body;
      dataDeclared = rf64 && size === 0xffffffff && ds64Data !== undefined ? ds64Data : size;
      if (fmt) break;
      if (dataDeclared === 0 || dataDeclared === 0xffffffff) break; // length unknown: the data runs to the end
    }
    pos = body + size + (size & 1);
  }
  if (!fmt) throw corrupt('no "fmt " chunk');
  if (dataStart === undefined) throw corrupt('no "data" chunk');
  if (fmt.length < 16) throw corrupt(`"fmt " chunk of ${fmt.length} bytes, expected at least 16`);
  const f = dv(fmt);
  let formatTag = f.getUint16(0, true);
  const channels = f.getUint16(2, true);
  const sampleRate = f.getUint32(4, true);
  const blockAlign = f.getUint16(12, true);
  const bitsPerSample = f.getUint16(14, true);
  if (formatTag === 0xfffe) {
    if (fmt.length < 26) throw corrupt('WAVE_FORMAT_EXTENSIBLE "fmt " chunk too short');
    formatTag = f.getUint16(24, true); // the first two bytes of the SubFormat GUID
  }
  if (channels === 0) throw corrupt('0 channels');
  if (sampleRate === 0) throw corrupt('sample rate 0');
  if (blockAlign === 0) throw corrupt('block size 0');
  checkStreamLimits(label, 'WAV', { sampleRate, channels });
  const bytesPerSample = blockAlign % channels === 0 ? blockAlign / channels : Math.ceil(bitsPerSample / 8);
  if (formatTag === 1) {
    if (bitsPerSample < 1 || bitsPerSample > 32 || ![1, 2, 3, 4].includes(bytesPerSample)) {
      throw new UnsupportedEncoding(`WAV integer PCM of ${bitsPerSample} bits`);
    }
  } else if (formatTag === 3) {
    if (bytesPerSample !== 4 && bytesPerSample !== 8) throw new UnsupportedEncoding(`WAV float of ${bitsPerSample} bits`);
  } else {
    const name = CODEC_NAMES[formatTag];
    throw new UnsupportedEncoding(`WAV ${name ? `${name}, ` : ''}format tag 0x${formatTag.toString(16).padStart(4, '0')}`);
  }
  if (blockAlign < channels * bytesPerSample) throw corrupt(`block size ${blockAlign} too small for ${channels} channels of ${bitsPerSample} bits`);
  const present = src.size - dataStart;
  // Streaming writers that cannot seek back leave a placeholder size: 0xFFFFFFFF (ffmpeg), ~0x7FFFF000
  // (sox) or 0. The data then runs to the end of the file. (A 0 that the RIFF size confirms is an empty
  // recording.)
  const placeholder = (n: number) => n === 0xffffffff || n >= 0x7ffff000;
  const unknownLength =
    (dataDeclared > present && placeholder(dataDeclared)) || (dataDeclared === 0 && (riffSize === 0 || placeholder(riffSize)));
  let dataBytes: number;
  if (unknownLength) {
    dataBytes = present;
  } else if (dataDeclared > present) {
    throw inputError(
      audioMessages.truncated(label, 'WAV', `data chunk says ${count(dataDeclared)} bytes, the file has ${count(present)}`),
    );
  } else {
    dataBytes = dataDeclared;
  }
  const frames = Math.floor(dataBytes / blockAlign);
  if (frames === 0) throw inputError(audioMessages.noSamples(label, 'WAV'));
  checkStreamLimits(label, 'WAV', { sampleRate, frames });
  return { formatTag, channels, sampleRate, bitsPerSample, bytesPerSample, blockAlign, dataStart, dataBytes: frames * blockAlign, frames };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Mix `frames` interleaved frames of `bytes` (starting at a frame boundary) to mono floats in `out`.
 * Typed-array views when the bytes are aligned on a little-endian host, a DataView otherwise.
 */
export function mixInterleaved(bytes: Uint8Array, info: WavInfo, frames: number, out: Float32Array): void {
  const { channels: nch, bytesPerSample: bps, blockAlign, formatTag } = info;
  const g = 1 / nch;
  const stride = blockAlign / bps;
  const typed = LITTLE_ENDIAN && bps !== 3 && Number.isInteger(stride) && bytes.byteOffset % bps === 0;
  if (typed) {
    const len = Math.floor(bytes.byteLength / bps);
    let view: Int16Array | Int32Array | Float32Array | Float64Array | Uint8Array;
    let scale: number;
    let offset = 0;
    if (formatTag === 3) {
      view = bps === 4 ? new Float32Array(bytes.buffer, bytes.byteOffset, len) : new Float64Array(bytes.buffer, bytes.byteOffset, len);
      scale = 1;
    } else if (bps === 1) {
      view = bytes;
      scale = 1 / 128;
      offset = -128;
    } else if (bps === 2) {
      view = new Int16Array(bytes.buffer, bytes.byteOffset, len);
      scale = 1 / 32768;
    } else {
      view = new Int32Array(bytes.buffer, bytes.byteOffset, len);
      scale = 1 / 2147483648;
    }
    const s = scale * g;
    if (nch === 1 && stride === 1) {
      for (let i = 0; i < frames; i++) out[i] = (view[i] + offset) * s;
    } else if (nch === 2 && stride === 2) {
      for (let i = 0, j = 0; i < frames; i++, j += 2) out[i] = (view[j] + view[j + 1] + 2 * offset) * s;
    } else {
      for (let i = 0, j = 0; i < frames; i++, j += stride) {
        let acc = 0;
        for (let c = 0; c < nch; c++) acc += view[j + c];
        out[i] = (acc + nch * offset) * s;
      }
    }
    return;
  }
  // 24-bit, unaligned or big-endian host
  const b = bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0, p = 0; i < frames; i++, p += blockAlign) {
    let acc = 0;
    for (let c = 0, q = p; c < nch; c++, q += bps) {
      if (formatTag === 3) acc += bps === 4 ? dv.getFloat32(q, true) : dv.getFloat64(q, true);
      else if (bps === 3) acc += ((b[q] | (b[q + 1] << 8) | (b[q + 2] << 16)) << 8) >> 8;
      else if (bps === 2) acc += dv.getInt16(q, true);
      else if (bps === 4) acc += dv.getInt32(q, true);
      else acc += b[q] - 128;
    }
    const scale = formatTag === 3 ? 1 : bps === 3 ? 1 / 8388608 : bps === 2 ? 1 / 32768 : bps === 4 ? 1 / 2147483648 : 1 / 128;
    out[i] = acc * scale * g;
  }
}

/** Bytes read per step: 1 MiB, rounded down to whole frames. */
const STEP = 1 << 20;

export async function decodeWav(src: ByteSource): Promise<DecodeResult> {
  const info = await readWavInfo(src);
  const sink = new MonoSink(info.sampleRate, info.frames, { label: src.label, format: 'WAV', fileBytes: src.size });
  const step = Math.max(1, Math.floor(STEP / info.blockAlign)) * info.blockAlign;
  const mono = new Float32Array(step / info.blockAlign);
  const buffer = new Uint8Array(step); // reused: no garbage per step
  for (let at = 0; at < info.dataBytes; at += step) {
    let bytes = await src.read(info.dataStart + at, Math.min(step, info.dataBytes - at), buffer);
    if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice(); // a memory source's view: align it
    const frames = Math.floor(bytes.length / info.blockAlign);
    mixInterleaved(bytes, info, frames, mono);
    sink.push(mono.subarray(0, frames));
  }
  return {
    samples: sink.finish(),
    source: {
      format: 'wav',
      sampleRate: info.sampleRate,
      channels: info.channels,
      bitsPerSample: info.bitsPerSample,
      frames: info.frames,
    },
  };
}
