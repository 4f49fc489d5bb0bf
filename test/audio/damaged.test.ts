/**
 * Damaged and hostile audio files (issue 15): headers promising absurd work (defect 3), a flipped bit in a
 * FLAC frame (defect 4), ffmpeg's failures in one clean line (defect 11), MP3 frames skipped with a warning
 * (defect 13), and bit-flip sweeps over every committed fixture: each case decodes or is refused with one
 * line and exit code 2 — never an internal error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio, decodeAudioFile } from '../../src/audio/decode.js';
import { MonoSink } from '../../src/audio/decode/sink.js';
import { mp3Layout } from '../../src/audio/decode/mp3.js';
import { SongscopeError } from '../../src/errors.js';
import { MAX_CHANNELS, MAX_DURATION_S, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from '../../src/limits.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/audio/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

const tmp = tempDirPerSuite('damaged');

async function rejectsInput(fn: () => Promise<unknown>, pattern: RegExp, what: string): Promise<SongscopeError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SongscopeError, `${what}: expected a SongscopeError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.equal(caught.exitCode, 2, `${what}: exit code 2 (${caught.message})`);
  assert.ok(!caught.message.includes('\n'), `${what}: one-line message: ${caught.message}`);
  assert.ok(!(caught.hint ?? '').includes('\n'), `${what}: at most one hint line: ${caught.hint}`);
  assert.match(caught.message, pattern, `${what}: message`);
  return caught;
}

/** A 16-bit PCM WAV header (44 bytes) for `dataBytes` of data, followed by that many zero bytes (or none). */
function wavHeader(rate: number, channels: number, dataBytes: number, bits = 16): Uint8Array {
  const b = new Uint8Array(44);
  const v = new DataView(b.buffer);
  const str = (at: number, s: string) => [...s].forEach((c, i) => (b[at + i] = c.charCodeAt(0)));
  const block = channels * (bits / 8);
  str(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, Math.min(0xffffffff, rate * block), true);
  v.setUint16(32, block, true);
  v.setUint16(34, bits, true);
  str(36, 'data');
  v.setUint32(40, dataBytes, true);
  return b;
}

function wav(rate: number, channels: number, frames: number): Uint8Array {
  const data = frames * channels * 2;
  const b = new Uint8Array(44 + data);
  b.set(wavHeader(rate, channels, data));
  const v = new DataView(b.buffer);
  for (let i = 0; i < frames * channels; i++) v.setInt16(44 + 2 * i, Math.round(8000 * Math.sin(i / 7)), true);
  return b;
}

describe('defect 3: headers promising work out of proportion are refused before decoding', () => {
  test('defect 3: an 8 KB WAV claiming 4 GHz is refused at once (it used to run for minutes at 12.5 GB)', { timeout: 30_000 }, async () => {
    const bytes = wav(4_000_000_000, 1, 4000);
    assert.equal(bytes.length, 8044, 'a 44-byte header and 8,000 bytes of samples');
    await rejectsInput(
      () => decodeAudio(bytes, 'fast.wav'),
      /^fast\.wav: WAV at 4,000,000,000 Hz; songscope decodes sample rates of 1,000–768,000 Hz$/,
      '4 GHz',
    );
  });

  test(`defect 3: ${MIN_SAMPLE_RATE_HZ} and ${MAX_SAMPLE_RATE_HZ} Hz decode; one below and one above are refused`, async () => {
    for (const rate of [MIN_SAMPLE_RATE_HZ, MAX_SAMPLE_RATE_HZ]) {
      const d = await decodeAudio(wav(rate, 1, rate / 10), `${rate}.wav`);
      assert.equal(d.source.sampleRate, rate, `${rate} Hz`);
      assert.equal(d.samples.length, 2205, `${rate} Hz: 0.1 s at 22,050 Hz`);
    }
    for (const rate of [MIN_SAMPLE_RATE_HZ - 1, MAX_SAMPLE_RATE_HZ + 1]) {
      await rejectsInput(() => decodeAudio(wav(rate, 1, 100), 'r.wav'), /songscope decodes sample rates of 1,000–768,000 Hz$/, `${rate} Hz`);
    }
  });

  test(`defect 3: ${MAX_CHANNELS} channels decode; ${MAX_CHANNELS + 1} are refused`, async () => {
    const d = await decodeAudio(wav(8000, MAX_CHANNELS, 800), 'many.wav');
    assert.equal(d.source.channels, MAX_CHANNELS, 'the most channels songscope decodes are kept');
    await rejectsInput(() => decodeAudio(wav(8000, MAX_CHANNELS + 1, 800), 'more.wav'), /^more\.wav: WAV with 33 channels; songscope decodes at most 32$/, '33 channels');
  });

  test('defect 3: a WAV whose data chunk promises more than 3 hours is refused from its header', async () => {
    const rate = 1000;
    const dataBytes = (MAX_DURATION_S + 1) * rate; // 8-bit mono: one byte a frame
    const path = join(tmp.path, 'long.wav');
    await writeFile(path, wavHeader(rate, 1, dataBytes, 8));
    await truncate(path, 44 + dataBytes); // sparse: no disk used
    await rejectsInput(() => decodeAudioFile(path), /long\.wav: the WAV header says 3:00:01 of audio; songscope decodes at most 3 hours$/, 'long WAV');
  });

  test('defect 3: FLAC STREAMINFO at 1,000,000 Hz, or promising 3 h 0 min 1 s, is refused before decoding', async () => {
    const whole = new Uint8Array(await readFile(fixture('tone-16.flac')));
    const fast = whole.slice();
    const rate = 1_000_000;
    fast[18] = (rate >> 12) & 0xff;
    fast[19] = (rate >> 4) & 0xff;
    fast[20] = (fast[20] & 0x0f) | ((rate & 0x0f) << 4);
    await rejectsInput(() => decodeAudio(fast, 'fast.flac'), /^fast\.flac: FLAC at 1,000,000 Hz; songscope decodes sample rates of 1,000–768,000 Hz$/, 'FLAC rate');
    const long = whole.slice();
    const total = 44100 * (MAX_DURATION_S + 1);
    new DataView(long.buffer).setUint32(22, total, false);
    long[21] &= 0xf0;
    await rejectsInput(() => decodeAudio(long, 'long.flac'), /^long\.flac: the FLAC header says 3:00:01 of audio; songscope decodes at most 3 hours$/, 'FLAC length');
  });

  test('defect 3: a 58 KB FLAC claiming 2.9 hours is called truncated, and the output is not allocated for 2.9 hours', async () => {
    const claim = new Uint8Array(await readFile(fixture('tone-16.flac')));
    const total = Math.round(44100 * 2.9 * 3600);
    new DataView(claim.buffer).setUint32(22, total, false);
    claim[21] &= 0xf0;
    await rejectsInput(() => decodeAudio(claim, 'claims.flac'), /^claims\.flac: truncated FLAC \(STREAMINFO says 460,404,000 samples \(10440\.00 s\), the file holds 176,400 \(4\.00 s\)\)$/, '2.9 h claim');
    const sink = new MonoSink(44100, total, { label: 'claims.flac', format: 'FLAC', fileBytes: claim.length });
    assert.ok(sink.preallocated <= 64 * claim.length, `preallocated ${sink.preallocated} samples for a ${claim.length}-byte file`);
    const honest = new MonoSink(44100, 176400, { label: 'tone.flac', format: 'FLAC', fileBytes: claim.length });
    assert.equal(honest.preallocated, 88200, 'a plausible header still gets its exact preallocation');
  });

  test('defect 3: decoded audio beyond 3 hours is refused as it streams (no header to trust)', () => {
    const sink = new MonoSink(1000, undefined, { label: 'endless.mp3', format: 'MP3', fileBytes: 1000 });
    const second = new Float32Array(1000);
    assert.throws(
      () => {
        for (let s = 0; s <= MAX_DURATION_S; s++) sink.push(second);
      },
      (e: unknown) => e instanceof SongscopeError && e.exitCode === 2 && /^endless\.mp3: more than 3 hours of MP3 audio; songscope decodes at most 3 hours$/.test(e.message), 'past 3 hours the sink refuses with exit code 2, naming the file',
    );
    assert.equal(sink.frames, MAX_DURATION_S * 1000, 'stopped at the limit');
  });
});

describe('defect 4: a flipped bit in a FLAC frame is a clean exit 2 naming the damage', () => {
  test('defect 4: tone-16.flac with byte 30925 ^= 0x80: "frame 19 … is damaged", not "memory access out of bounds"', async () => {
    const bytes = new Uint8Array(await readFile(fixture('tone-16.flac')));
    bytes[30925] ^= 0x80;
    await rejectsInput(() => decodeAudio(bytes, 'flip.flac'), /^flip\.flac: not a valid FLAC file \(frame 19 at 1\.99 s is damaged: lost sync\)$/, 'flip');
  });

  test('defect 4: the truncated fixture is still "truncated", not "damaged"', async () => {
    await rejectsInput(() => decodeAudioFile(fixture('truncated-tone-16.flac')), /truncated FLAC \(STREAMINFO says 176,400 samples/, 'truncated');
  });
});

describe('bit flips across every fixture: decoded, or one line with exit code 2 (issue 15)', () => {
  for (const [name, stride] of [
    ['tone-16.flac', 331],
    ['tone-24-mono.flac', 331],
    ['tone.mp3', 293],
    ['tone-48k.ogg', 97],
  ] as const) {
    test(`${name}: one bit flipped every ${stride} bytes`, { timeout: 120_000 }, async () => {
      const whole = new Uint8Array(await readFile(fixture(name)));
      const outcomes = new Map<string, number>();
      for (let at = 0; at < whole.length; at += stride) {
        const bytes = whole.slice();
        bytes[at] ^= 1 << (at % 8);
        let outcome = 'decoded';
        try {
          await decodeAudio(bytes, name, { ffmpeg: false });
        } catch (e) {
          assert.ok(e instanceof SongscopeError, `byte ${at}: ${e instanceof Error ? e.message : String(e)}`);
          assert.equal(e.exitCode, 2, `byte ${at}: exit code of ${e.message}`);
          assert.ok(!e.message.includes('\n') && !/internal error/.test(e.message), `byte ${at}: ${e.message}`);
          outcome = e.message.replace(/[\d,.]+/g, 'N');
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      assert.ok((outcomes.get('decoded') ?? 0) > 0, `some flips (in padding, in samples) still decode: ${JSON.stringify([...outcomes])}`);
    });
  }
});

describe('defect 11: ffmpeg failures are one clean line', { skip: process.platform === 'win32' && 'the fake ffmpeg is a shell script' }, () => {
  /** A fake ffmpeg printing `stderr` and exiting with `code`. */
  async function fakeFfmpeg(name: string, stderr: string, code = 1): Promise<string> {
    const path = join(tmp.path, name);
    await writeFile(path, `#!/bin/sh\ncat >&2 <<'EOF'\n${stderr}\nEOF\nexit ${code}\n`);
    await chmod(path, 0o755);
    return path;
  }
  const odd = async (name: string, bytes: Uint8Array) => {
    const path = join(tmp.path, name);
    await writeFile(path, bytes);
    return path;
  };

  test('defect 11: ffmpeg 6+ "Invalid data": no heap address, no "[in#0 @ …]", the hint on one line', async () => {
    const ffmpeg = await fakeFfmpeg(
      'ffmpeg-invalid',
      '[in#0 @ 0x55d0c5a0c1c0] Error opening input: Invalid data found when processing input\nError opening input file /x/y.bin.\nError opening input files: Invalid data found when processing input',
    );
    const path = await odd('noise.bin', new Uint8Array(5000).map((_, i) => (i * 7919) % 251));
    const e = await rejectsInput(() => decodeAudioFile(path, { ffmpegPath: ffmpeg }), /: ffmpeg could not decode the file \(invalid data found when processing input\)$/, 'invalid data');
    assert.ok(!/0x[0-9a-f]{6,}/.test(e.message), `no heap address: ${e.message}`);
    assert.match(e.hint ?? '', /^songscope decodes WAV .* is it an audio file\?$/, 'the hint lists the formats songscope decodes');
  });

  test('defect 11: "End of file" from ffmpeg (6+ and 5) says "truncated"', async () => {
    const path = await odd('short.bin', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    for (const [version, stderr] of [
      ['6', `[mp3 @ 0x5603c0b3e940] Format mp3 detected only with low score of 1, misdetection possible!\n[in#0 @ 0x5603c0b3e6c0] Error opening input: End of file\nError opening input file ${path}.\nError opening input files: End of file`],
      ['5', `[mp3 @ 0x5603c0b3e940] Format mp3 detected only with low score of 1, misdetection possible!\n${path}: End of file`],
    ]) {
      const ffmpeg = await fakeFfmpeg(`ffmpeg-eof-${version}`, stderr);
      await rejectsInput(() => decodeAudioFile(path, { ffmpegPath: ffmpeg }), /short\.bin: truncated audio file \(ffmpeg reached the end of the file before any audio\)$/, `ffmpeg ${version}`);
    }
  });

  test('defect 11: a 9-byte .ogg is "truncated Ogg" with or without ffmpeg', async () => {
    const path = await odd('nine.ogg', new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0]));
    const ffmpeg = await fakeFfmpeg('ffmpeg-unused', '[ogg @ 0x1] something else', 1);
    for (const options of [{ ffmpeg: false }, { ffmpegPath: ffmpeg }]) {
      await rejectsInput(() => decodeAudioFile(path, options), /nine\.ogg: truncated Ogg \(9 bytes, less than one Ogg page\)$/, JSON.stringify(options));
    }
  });
});

describe('defect 13: an MP3 whose damaged frames the decoder skips is decoded with a warning saying how much', () => {
  test('defect 13: the first 4096 bytes zeroed: a warning with the bytes skipped and about how much audio', async () => {
    const whole = new Uint8Array(await readFile(fixture('tone.mp3')));
    const damaged = whole.slice();
    damaged.fill(0, 0, 4096);
    const d = await decodeAudio(damaged, 'zeroed.mp3');
    assert.equal(d.warnings.length, 1, `one warning: ${JSON.stringify(d.warnings)}`);
    const m = /^zeroed\.mp3: skipped (\d,\d{3}) bytes where no MP3 frame could be read \(about (\d\.\d\d) s of audio\)$/.exec(d.warnings[0]);
    assert.ok(m, d.warnings[0]);
    // the zeros, and the rest of the frame they end in (313 or 314 bytes at 96 kbit/s)
    const skipped = Number(m[1].replace(',', ''));
    assert.ok(skipped >= 4096 && skipped < 4096 + 314, `skipped ${skipped} bytes`);
    // what was really lost: the audio frames of the whole file that the damaged one no longer has
    const lostFrames = mp3Layout(whole, 'whole').frames - mp3Layout(damaged, 'damaged').frames;
    const lostS = (lostFrames * 1152) / 44100;
    assert.ok(Math.abs(Number(m[2]) - lostS) <= 0.06, `estimate ${m[2]} s vs ${lostS.toFixed(3)} s lost (${lostFrames} frames)`);
    const clean = await decodeAudio(whole, 'tone.mp3');
    assert.deepEqual(clean.warnings, [], 'an undamaged file: no warning');
  });

  test('defect 13: 2,000 zeroed bytes mid-stream: decoded (not "truncated"), with the bytes and the frame lost', async () => {
    const damaged = new Uint8Array(await readFile(fixture('tone.mp3')));
    damaged.fill(0, 20_000, 22_000);
    const d = await decodeAudio(damaged, 'middle.mp3');
    assert.deepEqual(d.warnings, [
      // from the frame whose header the zeros hit to the next whole frame: 7 frames of 313–314 bytes
      'middle.mp3: skipped 2,194 bytes where no MP3 frame could be read (about 0.18 s of audio)',
      // the frame after the gap needs bits of the frames before it (the bit reservoir): minimp3 drops it
      'middle.mp3: the decoder could not decode 1 damaged MP3 frame (about 0.03 s of audio)',
    ], 'one warning for the skipped bytes and one for the frame minimp3 drops');
    assert.ok(Math.abs(d.durationS - (4 - 8 * (1152 / 44100))) < 0.03, `about 8 frames shorter than 4 s: ${d.durationS}`);
  });
});
