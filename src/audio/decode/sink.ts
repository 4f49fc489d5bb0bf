/**
 * Where decoded audio goes: mono samples at the source rate are resampled on the fly to the analysis rate
 * and written straight into the output array, so no full-length intermediate (source-rate, multichannel,
 * or Float64) ever exists. When the decoder knows the length up front (WAV header, FLAC STREAMINFO, the
 * Vorbis granule, the MP3 Xing frame count) the output is allocated once at its final size.
 */
import { ANALYSIS_SAMPLE_RATE } from '../types.js';
import { StreamingResampler, resampledLength } from '../resample.js';
import { inputError } from '../../errors.js';
import { MAX_DURATION_S } from '../../limits.js';
import { audioMessages } from '../messages.js';

/** Output blocks when the length is unknown: 2^20 samples (47.6 s at 22,050 Hz). */
const BLOCK = 1 << 20;

/**
 * The most source frames per byte of file a header is trusted for when preallocating: 64 (compressed audio
 * has a few; 8 kbit/s MP3 has 8). A header promising more (a 58 KB FLAC claiming hours) gets this much,
 * and the output grows if the audio really is there.
 */
const MAX_PREALLOCATED_FRAMES_PER_BYTE = 64;

/** What a sink names in its messages, and the size of the file (to bound what a header may preallocate). */
export interface MonoSinkOptions {
  /** The file, in messages. */
  label: string;
  /** The format, in messages ("FLAC"; "decoded" for what ffmpeg hands over). */
  format: string;
  /** Size of the encoded file, bytes: preallocation is bounded by it. */
  fileBytes?: number;
}

export class MonoSink {
  readonly sourceRate: number;
  private readonly resampler: StreamingResampler;
  /** One preallocated array (length known) … */
  private out: Float32Array | undefined;
  /** … or a list of blocks (length unknown). */
  private blocks: Float32Array[] = [];
  private filled = 0;
  /** Source frames pushed. */
  frames = 0;
  /** Stop accepting source frames after this many (e.g. the Vorbis end trim). */
  private limit = Infinity;
  /** Source frames of {@link MAX_DURATION_S}: more is refused. */
  private readonly maxFrames: number;
  private readonly options: MonoSinkOptions;

  /**
   * `expectedFrames`: the source length if known (an estimate is fine: the output grows or is trimmed); the
   * output is preallocated for it, but for at most {@link MAX_PREALLOCATED_FRAMES_PER_BYTE} frames per byte of
   * `options.fileBytes`. Pushing more than {@link MAX_DURATION_S} of audio throws (exit code 2).
   */
  constructor(sourceRate: number, expectedFrames?: number, options: MonoSinkOptions = { label: 'audio', format: 'decoded' }) {
    this.sourceRate = sourceRate;
    this.options = options;
    this.maxFrames = Math.floor(MAX_DURATION_S * sourceRate);
    this.resampler = new StreamingResampler(sourceRate, ANALYSIS_SAMPLE_RATE);
    if (expectedFrames !== undefined && expectedFrames > 0) {
      let frames = Math.min(expectedFrames, this.maxFrames);
      if (options.fileBytes !== undefined) frames = Math.min(frames, Math.max(1, options.fileBytes) * MAX_PREALLOCATED_FRAMES_PER_BYTE);
      this.out = new Float32Array(resampledLength(frames, sourceRate, ANALYSIS_SAMPLE_RATE));
    }
  }

  /** Output samples allocated up front (0 when the length was unknown). */
  get preallocated(): number {
    return this.out?.length ?? 0;
  }

  /** Accept at most `frames` source frames in all (later pushes are cut). */
  limitFrames(frames: number): void {
    this.limit = frames;
  }

  /** Add mono samples at the source rate. `mono` may be reused by the caller after the call. */
  push(mono: Float32Array): void {
    if (this.frames + mono.length > this.limit) mono = mono.subarray(0, Math.max(0, this.limit - this.frames));
    if (mono.length === 0) return;
    if (this.frames + mono.length > this.maxFrames) {
      throw inputError(audioMessages.tooLong(this.options.label, this.options.format, MAX_DURATION_S));
    }
    this.frames += mono.length;
    this.write(this.resampler.push(mono));
  }

  private write(y: Float32Array): void {
    if (y.length === 0) return;
    if (this.out) {
      if (this.filled + y.length > this.out.length) {
        // longer than announced: grow by a quarter (rare: a wrong header)
        const grown = new Float32Array(Math.max(this.filled + y.length, Math.ceil(this.out.length * 1.25) + BLOCK));
        grown.set(this.out.subarray(0, this.filled));
        this.out = grown;
      }
      this.out.set(y, this.filled);
      this.filled += y.length;
      return;
    }
    let i = 0;
    while (i < y.length) {
      const at = this.filled % BLOCK;
      if (at === 0) this.blocks.push(new Float32Array(BLOCK));
      const n = Math.min(BLOCK - at, y.length - i);
      this.blocks[this.blocks.length - 1].set(y.subarray(i, i + n), at);
      i += n;
      this.filled += n;
    }
  }

  /** End of the stream: the mono signal at the analysis rate. */
  finish(): Float32Array {
    this.write(this.resampler.end());
    if (this.out) {
      if (this.filled === this.out.length) return this.out;
      // shorter than announced: a view when little is wasted, else a compact copy
      const waste = this.out.length - this.filled;
      return waste <= ANALYSIS_SAMPLE_RATE || waste <= this.out.length / 100 ? this.out.subarray(0, this.filled) : this.out.slice(0, this.filled);
    }
    const result = new Float32Array(this.filled);
    let at = 0;
    for (const b of this.blocks) {
      const n = Math.min(BLOCK, this.filled - at);
      result.set(b.subarray(0, n), at);
      at += n;
    }
    this.blocks = [];
    return result;
  }
}

/** Mean of the channels of planar float audio, `frames` long, into `into` (allocated when too small). */
export function mixPlanar(channels: readonly Float32Array[], frames: number, into?: Float32Array): Float32Array {
  const out = into && into.length >= frames ? into.subarray(0, frames) : new Float32Array(frames);
  const nch = channels.length;
  if (nch === 1) {
    out.set(channels[0].subarray(0, frames));
  } else if (nch === 2) {
    const a = channels[0];
    const b = channels[1];
    for (let i = 0; i < frames; i++) out[i] = (a[i] + b[i]) * 0.5;
  } else {
    out.set(channels[0].subarray(0, frames));
    for (let c = 1; c < nch; c++) {
      const x = channels[c];
      for (let i = 0; i < frames; i++) out[i] += x[i];
    }
    const g = 1 / nch;
    for (let i = 0; i < frames; i++) out[i] *= g;
  }
  return out;
}
