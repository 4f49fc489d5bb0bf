/**
 * songscope's own container parsers (they replace codec-parser): the Ogg page reader and the FLAC frame
 * splitter, on the fixtures in fixtures/audio/.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OggPageReader, type OggPage } from '../../src/audio/decode/oggPages.js';
import { FlacFrameSplitter, type FlacFrame } from '../../src/audio/decode/flacFrames.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/audio/', import.meta.url));
const load = async (name: string) => new Uint8Array(await readFile(join(FIXTURES, name)));

/** Feed `bytes` in `step`-byte pieces. */
function chunks(bytes: Uint8Array, step: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += step) out.push(bytes.subarray(i, i + step));
  return out;
}

function oggPages(bytes: Uint8Array, step: number): { pages: OggPage[]; reader: OggPageReader } {
  const reader = new OggPageReader();
  const pages = chunks(bytes, step).flatMap((c) => reader.push(c));
  return { pages, reader };
}

function flacFrames(bytes: Uint8Array, step: number): { frames: FlacFrame[]; splitter: FlacFrameSplitter } {
  const splitter = new FlacFrameSplitter();
  const frames = chunks(bytes, step).flatMap((c) => splitter.push(c));
  frames.push(...splitter.flush());
  return { frames, splitter };
}

describe('Ogg page reader', () => {
  test('tone-48k.ogg: pages, packets and granule positions', async () => {
    const bytes = await load('tone-48k.ogg');
    const { pages, reader } = oggPages(bytes, bytes.length);
    assert.ok(pages.length >= 3, `at least 3 pages, got ${pages.length}`);
    assert.equal(reader.pending, 0, 'no bytes left over');
    assert.equal(reader.skippedBytes, 0, 'no bytes skipped');
    assert.equal(pages[0].flags & 2, 2, 'the first page begins the stream');
    assert.equal(pages[0].packets.length, 1, 'the first page holds the identification header only');
    assert.equal(pages[0].packets[0][0], 1, 'identification header packet type');
    assert.equal(String.fromCharCode(...pages[0].packets[0].subarray(1, 7)), 'vorbis', 'identification header magic');
    const headers = pages.flatMap((p) => p.packets).slice(0, 3).map((p) => p[0]);
    assert.deepEqual(headers, [1, 3, 5], 'identification, comment, setup header packets in order');
    const last = pages[pages.length - 1];
    assert.ok(last.isLastPage, 'the last page has the end-of-stream flag');
    assert.ok(pages.slice(0, -1).every((p) => !p.isLastPage), 'no other page has it');
    assert.equal(last.granulePosition, 192000, 'the last granule position is the stream length (4 s at 48 kHz)');
    pages.forEach((p, i) => assert.equal(p.sequence, i, `page ${i} sequence number`));
    const granules = pages.map((p) => p.granulePosition).filter((g) => g >= 0);
    for (let i = 1; i < granules.length; i++) assert.ok(granules[i] >= granules[i - 1], `granule positions do not decrease (${i})`);
    let offset = 0;
    for (const p of pages) {
      assert.equal(p.offset, offset, `page at ${offset}`);
      offset = p.offset + (bytes[p.offset + 26] + 27 + p.data.length);
    }
    assert.equal(offset, bytes.length, 'the pages cover the file');
  });

  test('the same pages and packets whatever the chunking', async () => {
    const bytes = await load('tone-48k.ogg');
    const whole = oggPages(bytes, bytes.length).pages;
    for (const step of [1, 7, 100, 4096]) {
      const split = oggPages(bytes, step).pages;
      assert.equal(split.length, whole.length, `page count with ${step}-byte chunks`);
      assert.deepEqual(
        split.map((p) => [p.granulePosition, p.packets.map((k) => k.length)]),
        whole.map((p) => [p.granulePosition, p.packets.map((k) => k.length)]),
        `granule positions and packet sizes with ${step}-byte chunks`,
      );
    }
  });

  test('a truncated file: the cut page is held back, a damaged page skipped', async () => {
    const bytes = await load('truncated-tone-48k.ogg');
    const { pages, reader } = oggPages(bytes, 1000);
    assert.ok(pages.length > 0, 'whole pages are read');
    assert.ok(reader.pending > 0, 'the cut page is pending');
    assert.ok(!pages.some((p) => p.isLastPage), 'no end-of-stream page');
    const whole = await load('tone-48k.ogg');
    const damaged = whole.slice();
    const second = oggPages(whole, whole.length).pages[1];
    damaged[second.offset + 40] ^= 0xff;
    const r = oggPages(damaged, damaged.length);
    assert.equal(r.pages.length, oggPages(whole, whole.length).pages.length - 1, 'the page with a bad CRC is skipped');
    assert.ok(r.reader.skippedBytes > 0, 'its bytes are counted as skipped');
  });
});

describe('FLAC frame splitter', () => {
  for (const name of ['tone-16.flac', 'tone-24-mono.flac']) {
    test(`${name}: frames × block size = total samples`, async () => {
      const bytes = await load(name);
      for (const step of [bytes.length, 1, 333, 4096]) {
        const { frames, splitter } = flacFrames(bytes, step);
        const info = splitter.streamInfo;
        assert.ok(info, `STREAMINFO read (${step}-byte chunks)`);
        assert.equal(info.totalSamples, 176400, 'STREAMINFO total samples');
        assert.equal(info.sampleRate, 44100, 'STREAMINFO sample rate');
        assert.equal(splitter.skippedBytes, 0, `no bytes skipped (${step}-byte chunks)`);
        const total = frames.reduce((n, f) => n + f.header.blockSize, 0);
        assert.equal(total, info.totalSamples, `the frames' block sizes add up to the total (${step}-byte chunks)`);
        assert.equal(frames.length, Math.ceil(info.totalSamples / info.maxBlockSize), `frame count (${step}-byte chunks)`);
        assert.ok(frames.every((f) => f.crcOk), `every frame's CRC-16 checks (${step}-byte chunks)`);
        frames.forEach((f, i) => assert.equal(f.header.number, i, `frame ${i} number`));
        assert.ok(
          frames.every((f) => info.maxFrameSize === 0 || f.data.length <= info.maxFrameSize),
          'no frame longer than STREAMINFO max frame size',
        );
        const audioBytes = frames.reduce((n, f) => n + f.data.length, 0);
        assert.ok(audioBytes < bytes.length && audioBytes > bytes.length - 9000, `frames cover the audio (${audioBytes} of ${bytes.length} bytes)`);
      }
    });
  }

  test('a truncated file: the last frame is cut short', async () => {
    const bytes = await load('truncated-tone-16.flac');
    const { frames } = flacFrames(bytes, 4096);
    assert.ok(frames.length > 1, 'frames before the cut');
    assert.ok(frames.slice(0, -1).every((f) => f.crcOk), 'the frames before the cut are whole');
    assert.equal(frames[frames.length - 1].crcOk, false, 'the last frame fails its CRC-16');
  });

  test('not FLAC', () => {
    const splitter = new FlacFrameSplitter();
    assert.throws(() => splitter.push(new TextEncoder().encode('RIFF....WAVEfmt ')), /no "fLaC" signature/, 'no marker');
  });
});
