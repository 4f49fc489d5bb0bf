/**
 * libvorbis (BSD) compiled to WebAssembly, from `@wasm-audio-decoders/ogg-vorbis` 0.1.20 (MIT, Ethan
 * Halsall); see ../README.md. The package's `Decoder` (the part that drives the WebAssembly) typed, and
 * its `OggVorbisDecoder.decodeOggPages` rewritten over songscope's own Ogg page reader
 * (`src/audio/decode/oggPages.ts`) in place of `codec-parser` (LGPL): the identification and setup
 * header packets are recognised by their packet type, the comment header is skipped (an empty one is
 * used), and the samples decoded past the granule position of the end-of-stream page are trimmed. The
 * web-worker path is not vendored.
 */
import { WASMAudioDecoderCommon, type CommonInstance, type DecodedAudio, type DecodeError, type HeapArray } from '../common.js';
import EmscriptenWASM from './EmscriptenWasm.js';

type Fn = (...args: number[]) => number;

/** What the decoder needs of an Ogg page (of the Vorbis stream). */
export interface VorbisOggPage {
  /** Packets that end on the page, whole. */
  packets: Uint8Array[];
  /** Absolute granule position (-1: none). */
  granulePosition: number;
  isLastPage: boolean;
}

class VorbisWasmDecoder {
  readonly ready: Promise<void>;
  private common!: CommonInstance;
  private decoder = 0;
  private input!: HeapArray<Uint8Array>;
  private inputLen!: HeapArray<Uint32Array>;
  private outputBufferPtr!: HeapArray<Uint32Array>;
  private channels!: HeapArray<Uint32Array>;
  private sampleRate!: HeapArray<Uint32Array>;
  private samplesDecoded!: HeapArray<Uint32Array>;
  private errors!: HeapArray<Uint32Array>;
  private errorsLength!: HeapArray<Int32Array>;
  private firstPage = true;
  private frameNumber = 0;
  private inputBytes = 0;
  private outputSamples = 0;
  private static readonly INPUT_SIZE = 128 * 1024;

  constructor() {
    this.ready = this.init();
  }

  private fn(name: string): Fn {
    return this.common.wasm[name] as Fn;
  }

  private async init(): Promise<void> {
    this.common = await new WASMAudioDecoderCommon().instantiate(EmscriptenWASM);
    this.input = this.common.allocateTypedArray(VorbisWasmDecoder.INPUT_SIZE, Uint8Array);
    this.firstPage = true;
    this.inputLen = this.common.allocateTypedArray(1, Uint32Array);
    this.outputBufferPtr = this.common.allocateTypedArray(1, Uint32Array);
    this.channels = this.common.allocateTypedArray(1, Uint32Array);
    this.sampleRate = this.common.allocateTypedArray(1, Uint32Array);
    this.samplesDecoded = this.common.allocateTypedArray(1, Uint32Array);
    const maxErrors = 128 * 2;
    this.errors = this.common.allocateTypedArray(maxErrors, Uint32Array);
    this.errorsLength = this.common.allocateTypedArray(1, Int32Array);
    this.frameNumber = 0;
    this.inputBytes = 0;
    this.outputSamples = 0;
    this.decoder = this.fn('create_decoder')(
      this.input.ptr,
      this.inputLen.ptr,
      this.outputBufferPtr.ptr,
      this.channels.ptr,
      this.sampleRate.ptr,
      this.samplesDecoded.ptr,
      this.errors.ptr,
      this.errorsLength.ptr,
      maxErrors,
    );
  }

  free(): void {
    this.fn('destroy_decoder')(this.decoder);
    this.common.free();
  }

  private setInput(data: Uint8Array): void {
    if (data.length > VorbisWasmDecoder.INPUT_SIZE) {
      throw new Error(`a Vorbis packet of ${data.length} bytes (at most ${VorbisWasmDecoder.INPUT_SIZE} are supported)`);
    }
    this.input.buf.set(data);
    this.inputLen.buf[0] = data.length;
  }

  sendSetupHeader(data: Uint8Array): void {
    this.setInput(data);
    this.fn('send_setup')(this.decoder, this.firstPage ? 1 : 0);
    this.firstPage = false;
  }

  initDsp(): void {
    this.fn('init_dsp')(this.decoder);
  }

  decodePackets(packets: Uint8Array[]): DecodedAudio {
    const outputBuffers: Float32Array[][] = [];
    const errors: DecodeError[] = [];
    let outputSamples = 0;
    for (const packet of packets) {
      this.setInput(packet);
      this.fn('decode_packets')(this.decoder);
      const samplesDecoded = this.samplesDecoded.buf[0];
      const nch = this.channels.buf[0];
      const channels: Float32Array[] = [];
      const outputBufferChannels = new Uint32Array(this.common.wasm.HEAP, this.outputBufferPtr.buf[0], nch);
      for (let channel = 0; channel < nch; channel++) {
        const output = new Float32Array(samplesDecoded);
        if (samplesDecoded) output.set(new Float32Array(this.common.wasm.HEAP, outputBufferChannels[channel], samplesDecoded));
        channels.push(output);
      }
      outputBuffers.push(channels);
      outputSamples += samplesDecoded;
      this.frameNumber++;
      this.inputBytes += packet.length;
      this.outputSamples += samplesDecoded;
      for (let i = 0; i < this.errorsLength.buf[0]; i += 2) {
        errors.push({
          message: this.common.codeToString(this.errors.buf[i]) + ' vorbis_synthesis' + this.common.codeToString(this.errors.buf[i + 1]),
          frameLength: packet.length,
          frameNumber: this.frameNumber,
          inputBytes: this.inputBytes,
          outputSamples: this.outputSamples,
        });
      }
      this.errorsLength.buf[0] = 0;
    }
    return WASMAudioDecoderCommon.getDecodedAudioMultiChannel(errors, outputBuffers, this.channels.buf[0], outputSamples, this.sampleRate.buf[0], 16);
  }
}

export class OggVorbisDecoder {
  private readonly decoder = new VorbisWasmDecoder();
  readonly ready: Promise<void> = this.decoder.ready;
  private setupInProgress = true;
  private totalSamplesDecoded = 0;

  free(): void {
    this.decoder.free();
  }

  /** Decode the packets of consecutive pages of one Vorbis stream (the first pages first). */
  decodeOggPages(pages: VorbisOggPage[]): DecodedAudio {
    const packets: Uint8Array[] = [];
    for (const page of pages) {
      for (const packet of page.packets) {
        if (this.setupInProgress) {
          const type = packet[0];
          if (type === 1) this.decoder.sendSetupHeader(packet); // identification
          else if (type === 5) {
            // setup (the comment header, type 3, is skipped)
            this.decoder.sendSetupHeader(packet);
            this.decoder.initDsp();
            this.setupInProgress = false;
          }
          continue;
        }
        packets.push(packet);
      }
    }
    const decoded = this.decoder.decodePackets(packets);
    this.totalSamplesDecoded += decoded.samplesDecoded;
    const last = pages[pages.length - 1];
    if (last && last.isLastPage && last.granulePosition >= 0) {
      // trim the samples decoded beyond the granule position of the stream's last page
      const trim = this.totalSamplesDecoded - last.granulePosition;
      if (trim > 0) {
        const keep = Math.max(0, decoded.samplesDecoded - trim);
        for (let i = 0; i < decoded.channelData.length; i++) decoded.channelData[i] = decoded.channelData[i].subarray(0, keep);
        this.totalSamplesDecoded -= decoded.samplesDecoded - keep;
        decoded.samplesDecoded = keep;
      }
    }
    return decoded;
  }
}
