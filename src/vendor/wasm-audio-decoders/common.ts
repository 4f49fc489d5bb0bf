/**
 * Types for the parts of `@wasm-audio-decoders/common` (MIT) the vendored decoders use: it instantiates
 * the Emscripten module (inflating the WebAssembly embedded in EmscriptenWasm.ts) and manages its heap.
 */
// the package's types.d.ts declares only DecodeError, not the class it exports
import * as common from '@wasm-audio-decoders/common';

export interface DecodeError {
  message: string;
  frameLength: number;
  frameNumber: number;
  inputBytes: number;
  outputSamples: number;
}

export interface DecodedAudio {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth: number;
  errors: DecodeError[];
}

type TypedArrayClass = Uint8ArrayConstructor | Uint32ArrayConstructor | Int32ArrayConstructor;

export interface HeapArray<T> {
  ptr: number;
  len: number;
  buf: T;
}

/** The Emscripten module's exports (the functions differ per codec). */
export interface EmscriptenModule {
  HEAP: ArrayBuffer;
  malloc(bytes: number): number;
  free(ptr: number): void;
  // the codec's own exports
  [name: string]: unknown;
}

export interface CommonInstance {
  readonly wasm: EmscriptenModule;
  instantiate(emscripten: unknown, module?: WebAssembly.Module): Promise<CommonInstance>;
  allocateTypedArray<C extends TypedArrayClass>(len: number, type: C, setPointer?: boolean): HeapArray<InstanceType<C>>;
  getOutputChannels(output: Float32Array, channels: number, samples: number): Float32Array[];
  codeToString(ptr: number): string;
  addError(errors: DecodeError[], message: string, frameLength: number, frameNumber: number, inputBytes: number, outputSamples: number): void;
  free(): void;
}

export interface CommonStatic {
  new (): CommonInstance;
  getDecodedAudioMultiChannel(
    errors: DecodeError[],
    input: Float32Array[][],
    channels: number,
    samples: number,
    sampleRate: number,
    bitDepth: number,
  ): DecodedAudio;
}

export const WASMAudioDecoderCommon = (common as unknown as { WASMAudioDecoderCommon: CommonStatic }).WASMAudioDecoderCommon;
