/**
 * libFLAC (BSD) compiled to WebAssembly, from `@wasm-audio-decoders/flac` 0.2.11 (MIT, Ethan Halsall);
 * see ../README.md. This is the package's `_FLACDecoder` (the part that drives the WebAssembly) typed;
 * the package's frame parsing through `codec-parser` (LGPL) is replaced by songscope's own
 * `src/audio/decode/flacFrames.ts`, so this class takes whole FLAC frames. The web-worker and Ogg FLAC
 * paths are not vendored, and decode errors are returned (not also printed with console.error).
 */
import { WASMAudioDecoderCommon, type CommonInstance, type DecodedAudio, type DecodeError, type HeapArray } from '../common.js';
import EmscriptenWASM from './EmscriptenWasm.js';

type Fn = (...args: number[]) => number;

export class FLACFrameDecoder {
  readonly ready: Promise<void>;
  private common!: CommonInstance;
  private decoder = 0;
  private inputBytes = 0;
  private outputSamples = 0;
  private frameNumber = 0;
  private channels!: HeapArray<Uint32Array>;
  private sampleRate!: HeapArray<Uint32Array>;
  private bitsPerSample!: HeapArray<Uint32Array>;
  private samplesDecoded!: HeapArray<Uint32Array>;
  private outputBufferPtr!: HeapArray<Uint32Array>;
  private outputBufferLen!: HeapArray<Uint32Array>;
  private errorStringPtr!: HeapArray<Uint32Array>;
  private stateStringPtr!: HeapArray<Uint32Array>;
  private static readonly MAX_INPUT_SIZE = 65535 * 8;

  constructor() {
    this.ready = this.init();
  }

  private fn(name: string): Fn {
    return this.common.wasm[name] as Fn;
  }

  private async init(): Promise<void> {
    this.common = await new WASMAudioDecoderCommon().instantiate(EmscriptenWASM);
    this.inputBytes = 0;
    this.outputSamples = 0;
    this.frameNumber = 0;
    const u32 = () => this.common.allocateTypedArray(1, Uint32Array);
    this.channels = u32();
    this.sampleRate = u32();
    this.bitsPerSample = u32();
    this.samplesDecoded = u32();
    this.outputBufferPtr = u32();
    this.outputBufferLen = u32();
    this.errorStringPtr = u32();
    this.stateStringPtr = u32();
    this.decoder = this.fn('create_decoder')(
      this.channels.ptr,
      this.sampleRate.ptr,
      this.bitsPerSample.ptr,
      this.samplesDecoded.ptr,
      this.outputBufferPtr.ptr,
      this.outputBufferLen.ptr,
      this.errorStringPtr.ptr,
      this.stateStringPtr.ptr,
    );
  }

  free(): void {
    this.fn('destroy_decoder')(this.decoder);
    this.common.free();
  }

  private decodeChunk(data: Uint8Array): { error: string | undefined; outputBuffer: Float32Array[]; samplesDecoded: number } {
    const input = this.common.allocateTypedArray(data.length, Uint8Array, false);
    input.buf.set(data);
    this.fn('decode_frame')(this.decoder, input.ptr, input.len);
    const messages: string[] = [];
    if (this.errorStringPtr.buf[0]) messages.push('Error: ' + this.common.codeToString(this.errorStringPtr.buf[0]));
    if (this.stateStringPtr.buf[0]) messages.push('State: ' + this.common.codeToString(this.stateStringPtr.buf[0]));
    const output = new Float32Array(this.common.wasm.HEAP, this.outputBufferPtr.buf[0], this.outputBufferLen.buf[0]);
    const decoded = {
      error: messages.length ? messages.join('; ') : undefined,
      outputBuffer: this.common.getOutputChannels(output, this.channels.buf[0], this.samplesDecoded.buf[0]),
      samplesDecoded: this.samplesDecoded.buf[0],
    };
    this.common.wasm.free(this.outputBufferPtr.buf[0]);
    this.outputBufferLen.buf[0] = 0;
    this.samplesDecoded.buf[0] = 0;
    return decoded;
  }

  /** Decode whole FLAC frames (each one frame's bytes, header to CRC-16). */
  decodeFrames(frames: Uint8Array[]): DecodedAudio {
    const outputBuffers: Float32Array[][] = [];
    const errors: DecodeError[] = [];
    let outputSamples = 0;
    for (const data of frames) {
      let offset = 0;
      while (offset < data.length) {
        const chunk = data.subarray(offset, offset + FLACFrameDecoder.MAX_INPUT_SIZE);
        offset += chunk.length;
        const decoded = this.decodeChunk(chunk);
        outputBuffers.push(decoded.outputBuffer);
        outputSamples += decoded.samplesDecoded;
        if (decoded.error) this.common.addError(errors, decoded.error, data.length, this.frameNumber, this.inputBytes, this.outputSamples);
        this.inputBytes += data.length;
        this.outputSamples += decoded.samplesDecoded;
      }
      this.frameNumber++;
    }
    return WASMAudioDecoderCommon.getDecodedAudioMultiChannel(
      errors,
      outputBuffers,
      this.channels.buf[0],
      outputSamples,
      this.sampleRate.buf[0],
      this.bitsPerSample.buf[0],
    );
  }
}
