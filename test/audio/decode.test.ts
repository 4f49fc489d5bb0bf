/**
 * Decoding audio files to mono at 22,050 Hz: every WAV encoding (written here), the committed FLAC / MP3 /
 * Ogg Vorbis fixtures (fixtures/audio/SOURCES.md), the resampler's accuracy, the one-line errors, the
 * optional ffmpeg path (skipped without ffmpeg) and the memory of a long decode (in a child process).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ANALYSIS_SAMPLE_RATE,
  audioFormatOf,
  decodeAudio,
  decodeAudioFile,
  isAudioPath,
  type DecodedAudio,
} from '../../src/audio/decode.js';
import { StreamingResampler, resampleTo, resampledLength } from '../../src/audio/resample.js';
import { SongscopeError } from '../../src/errors.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'fixtures', 'audio');
const fixture = (name: string) => join(FIXTURES, name);

// ---- signal helpers ----------------------------------------------------------------------------------

function sine(freq: number, rate: number, n: number, amp = 0.5): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** Amplitude of the `freq` component of `x[a, b)` (least squares on sin/cos: exact for a pure tone). */
function amplitudeAt(x: ArrayLike<number>, rate: number, freq: number, a: number, b: number): number {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = a; i < b; i++) {
    const w = (2 * Math.PI * freq * i) / rate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += x[i] * s;
    xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const p = (xs * cc - xc * sc) / det;
  const q = (xc * ss - xs * sc) / det;
  return Math.hypot(p, q);
}

function rms(x: ArrayLike<number>, a: number, b: number): number {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, b - a));
}

const db = (ratio: number) => 20 * Math.log10(ratio);

/** The strongest of `candidates` (Hz) in `[t0, t1)` seconds of a 22,050 Hz signal. */
function dominant(x: Float32Array, t0: number, t1: number, candidates: number[]): number {
  const sr = ANALYSIS_SAMPLE_RATE;
  let best = candidates[0];
  let bestAmp = -1;
  for (const f of candidates) {
    const amp = amplitudeAt(x, sr, f, Math.round(t0 * sr), Math.round(t1 * sr));
    if (amp > bestAmp) [best, bestAmp] = [f, amp];
  }
  return best;
}

/** Time (s) of the loudest 1 ms of `[t0, t1)`. */
function peakTime(x: Float32Array, t0: number, t1: number): number {
  const sr = ANALYSIS_SAMPLE_RATE;
  const w = Math.round(sr / 1000);
  let best = 0;
  let bestE = -1;
  for (let i = Math.round(t0 * sr); i + w < Math.round(t1 * sr); i++) {
    let e = 0;
    for (let j = 0; j < w; j++) e += x[i + j] * x[i + j];
    if (e > bestE) [best, bestE] = [i + w / 2, e];
  }
  return best / sr;
}

// ---- a WAV writer ------------------------------------------------------------------------------------

interface WavSpec {
  rate: number;
  /** One array per channel, values in [-1, 1). */
  channels: ArrayLike<number>[];
  kind: 'int' | 'float';
  bits: 8 | 16 | 24 | 32 | 64;
  extensible?: boolean;
  /** A chunk with an odd size between "fmt " and "data" (tests the pad byte). */
  oddChunk?: boolean;
  /** Override the data chunk's size field. */
  dataSizeField?: number;
  rf64?: boolean;
}

function wavBytes(spec: WavSpec): Uint8Array {
  const nch = spec.channels.length;
  const frames = spec.channels[0].length;
  const bps = spec.bits / 8;
  const dataBytes = frames * nch * bps;
  const fmtSize = spec.extensible ? 40 : 16;
  const odd = spec.oddChunk ? 8 + 5 + 1 : 0;
  const ds64 = spec.rf64 ? 8 + 28 : 0;
  const total = 12 + ds64 + 8 + fmtSize + odd + 8 + dataBytes;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  const str = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) b[at + i] = s.charCodeAt(i);
  };
  str(0, spec.rf64 ? 'RF64' : 'RIFF');
  v.setUint32(4, spec.rf64 ? 0xffffffff : total - 8, true);
  str(8, 'WAVE');
  let p = 12;
  if (spec.rf64) {
    str(p, 'ds64');
    v.setUint32(p + 4, 28, true);
    v.setUint32(p + 8, total - 8, true);
    v.setUint32(p + 16, dataBytes, true);
    v.setUint32(p + 24, frames, true);
    p += 36;
  }
  str(p, 'fmt ');
  v.setUint32(p + 4, fmtSize, true);
  const tag = spec.kind === 'float' ? 3 : 1;
  v.setUint16(p + 8, spec.extensible ? 0xfffe : tag, true);
  v.setUint16(p + 10, nch, true);
  v.setUint32(p + 12, spec.rate, true);
  v.setUint32(p + 16, spec.rate * nch * bps, true);
  v.setUint16(p + 20, nch * bps, true);
  v.setUint16(p + 22, spec.bits, true);
  if (spec.extensible) {
    v.setUint16(p + 24, 22, true);
    v.setUint16(p + 26, spec.bits, true);
    v.setUint32(p + 28, nch === 2 ? 3 : 0, true);
    v.setUint16(p + 32, tag, true); // SubFormat GUID {0000000X-0000-0010-8000-00aa00389b71}
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], p + 34);
  }
  p += 8 + fmtSize;
  if (spec.oddChunk) {
    str(p, 'note');
    v.setUint32(p + 4, 5, true);
    str(p + 8, 'hello');
    p += 14;
  }
  str(p, 'data');
  v.setUint32(p + 4, spec.dataSizeField ?? (spec.rf64 ? 0xffffffff : dataBytes), true);
  p += 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++, p += bps) {
      const x = Math.max(-1, Math.min(1, spec.channels[c][i]));
      if (spec.kind === 'float') {
        if (spec.bits === 32) v.setFloat32(p, x, true);
        else v.setFloat64(p, x, true);
      } else if (spec.bits === 8) {
        v.setUint8(p, Math.max(0, Math.min(255, Math.round(x * 128) + 128)));
      } else {
        const full = 2 ** (spec.bits - 1);
        const q = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
        if (spec.bits === 16) v.setInt16(p, q, true);
        else if (spec.bits === 32) v.setInt32(p, q, true);
        else {
          v.setUint8(p, q & 0xff);
          v.setUint8(p + 1, (q >> 8) & 0xff);
          v.setUint8(p + 2, (q >> 16) & 0xff);
        }
      }
    }
  }
  return b;
}

/** Assert `fn` rejects with a SongscopeError, exit code 2, a one-line message matching `pattern`. */
async function rejectsInput(fn: () => Promise<unknown>, pattern: RegExp | string, what: string): Promise<SongscopeError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SongscopeError, `${what}: expected a SongscopeError, got ${String(caught)}`);
  const e = caught as SongscopeError;
  assert.equal(e.exitCode, 2, `${what}: exit code 2`);
  assert.ok(!e.message.includes('\n'), `${what}: one-line message: ${e.message}`);
  if (typeof pattern === 'string') assert.equal(e.message, pattern, `${what}: message`);
  else assert.match(e.message, pattern, `${what}: message`);
  return e;
}

function hasFfmpeg(): boolean {
  const r = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

const tmp = tempDirPerSuite('decode');

// ---- the resampler -----------------------------------------------------------------------------------

describe('resampler', () => {
  test('the SIMD (WebAssembly) kernel loads, and agrees with the JavaScript one', () => {
    assert.equal(new StreamingResampler(44100, 22050).engine, 'simd', 'Node ≥ 20 runs the SIMD kernel');
    assert.equal(new StreamingResampler(22050, 22050).engine, 'copy', 'equal rates: a copy');
    const x = Float32Array.from(sine(1234, 48000, 20000), (v, i) => v + 0.3 * Math.sin(i * 1.3));
    for (const from of [44100, 48000]) {
      const a = resampleTo(x, from, 22050, { engine: 'simd' });
      const b = resampleTo(x, from, 22050, { engine: 'js' });
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      assert.ok(maxDiff < 5e-7, `${from}: max |simd − js| = ${maxDiff}`); // measured 1.8e-7 (1.5 float32 ulps)
    }
  });

  for (const engine of ['simd', 'js'] as const) {
    // measured: the 1 kHz gain within 0.0005 dB, 15 kHz down 84.6 dB (44.1 kHz) and 86.8 dB (48 kHz)
    test(`44.1 → 22.05 kHz keeps a 1 kHz sine within 0.001 dB and removes 15 kHz by more than 84 dB (${engine})`, () => {
      const n = 44100;
      const y1 = resampleTo(Float32Array.from(sine(1000, 44100, n)), 44100, 22050, { engine });
      assert.equal(y1.length, 22050, 'exact 2:1 length');
      const a1 = amplitudeAt(y1, 22050, 1000, 1000, 21050);
      assert.ok(Math.abs(db(a1 / 0.5)) < 0.001, `1 kHz gain ${db(a1 / 0.5).toFixed(4)} dB`);
      const y15 = resampleTo(Float32Array.from(sine(15000, 44100, n)), 44100, 22050, { engine });
      const att = db(rms(y15, 1000, 21050) / (0.5 / Math.SQRT2));
      assert.ok(att < -84, `15 kHz (aliasing to 7.05 kHz) attenuated ${att.toFixed(1)} dB`);
    });

    test(`48 → 22.05 kHz (147/320) keeps 1 kHz, removes 15 kHz and has the right length (${engine})`, () => {
      const n = 48000 * 2 + 7;
      const y1 = resampleTo(Float32Array.from(sine(1000, 48000, n)), 48000, 22050, { engine });
      assert.equal(y1.length, Math.ceil((n * 147) / 320), 'length ceil(n·147/320)');
      assert.equal(y1.length, resampledLength(n, 48000, 22050), 'resampledLength agrees');
      const a1 = amplitudeAt(y1, 22050, 1000, 1000, y1.length - 1000);
      assert.ok(Math.abs(db(a1 / 0.5)) < 0.001, `1 kHz gain ${db(a1 / 0.5).toFixed(4)} dB`);
      const y15 = resampleTo(Float32Array.from(sine(15000, 48000, n)), 48000, 22050, { engine });
      const att = db(rms(y15, 1000, y15.length - 1000) / (0.5 / Math.SQRT2));
      assert.ok(att < -84, `15 kHz attenuated ${att.toFixed(1)} dB`);
    });
  }

  test('upsampling (16 kHz → 22.05 kHz) and equal rates', () => {
    const x = Float32Array.from(sine(1000, 16000, 16000));
    const y = resampleTo(x, 16000, 22050);
    assert.equal(y.length, resampledLength(16000, 16000, 22050), 'length');
    const a = amplitudeAt(y, 22050, 1000, 1000, y.length - 1000);
    assert.ok(Math.abs(db(a / 0.5)) < 0.0001, `1 kHz gain ${db(a / 0.5).toFixed(5)} dB`); // measured 0.00005 dB
    const same = resampleTo(x, 22050, 22050);
    assert.deepEqual(same, x, 'equal rates: the same samples');
    assert.notEqual(same, x, 'equal rates: a copy');
  });

  test('streaming in chunks of any size gives the whole-signal result, aligned (no delay)', () => {
    const x = new Float32Array(30011);
    let seed = 7;
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      x[i] = seed / 2147483648 - 0.5;
    }
    for (const [from, to, engine] of [
      [44100, 22050, 'simd'],
      [48000, 22050, 'simd'],
      [44100, 22050, 'js'],
      [48000, 22050, 'js'],
      [22050, 22050, 'js'],
    ] as const) {
      const whole = resampleTo(x, from, to, { engine });
      const r = new StreamingResampler(from, to, { engine });
      const parts: number[] = [];
      let i = 0;
      for (let size = 1; i < x.length; size = (size * 7 + 3) % 4099) {
        parts.push(...r.push(x.subarray(i, i + size)));
        i += size;
      }
      parts.push(...r.end());
      assert.equal(parts.length, whole.length, `${from}→${to} ${engine}: length`);
      let maxDiff = 0;
      for (let k = 0; k < whole.length; k++) maxDiff = Math.max(maxDiff, Math.abs(parts[k] - whole[k]));
      assert.equal(maxDiff, 0, `${from}→${to} ${engine}: streamed equals whole, sample for sample (measured)`);
    }
    const impulse = new Float32Array(48000);
    impulse[9600] = 1; // 0.2 s
    const y = resampleTo(impulse, 48000, 22050);
    let at = 0;
    for (let k = 0; k < y.length; k++) if (y[k] > y[at]) at = k;
    assert.equal(at, 4410, 'an impulse at 0.2 s stays at 0.2 s');
  });
});

// ---- WAV ---------------------------------------------------------------------------------------------

describe('WAV', () => {
  const encodings: { kind: 'int' | 'float'; bits: 8 | 16 | 24 | 32 | 64; tolerance: number }[] = [
    { kind: 'int', bits: 8, tolerance: 0.6 },
    { kind: 'int', bits: 16, tolerance: 0.05 },
    { kind: 'int', bits: 24, tolerance: 0.05 },
    { kind: 'int', bits: 32, tolerance: 0.05 },
    { kind: 'float', bits: 32, tolerance: 0.05 },
    { kind: 'float', bits: 64, tolerance: 0.05 },
  ];
  for (const { kind, bits, tolerance } of encodings) {
    for (const [rate, nch, extensible] of [
      [44100, 2, false],
      [48000, 1, true],
      [22050, 2, false],
    ] as const) {
      test(`${kind} ${bits}-bit, ${nch === 2 ? 'stereo' : 'mono'}, ${rate} Hz${extensible ? ', EXTENSIBLE' : ''}`, async () => {
        const frames = Math.round(rate * 0.5);
        const tone = sine(440, rate, frames, 0.5);
        const bytes = wavBytes({ rate, channels: nch === 2 ? [tone, tone] : [tone], kind, bits, extensible });
        const d = await decodeAudio(bytes, 'tone.wav');
        assert.equal(d.sampleRate, 22050, 'analysis rate');
        assert.equal(d.samples.length, resampledLength(frames, rate, 22050), 'length');
        assert.equal(d.durationS, 0.5, 'duration');
        assert.deepEqual(d.source, { format: 'wav', sampleRate: rate, channels: nch, bitsPerSample: bits, frames }, 'source');
        const amp = amplitudeAt(d.samples, 22050, 440, 500, d.samples.length - 500);
        assert.ok(Math.abs(db(amp / 0.5)) < tolerance, `440 Hz at ${db(amp / 0.5).toFixed(3)} dB`);
      });
    }
  }

  test('stereo is the mean of the channels (exactly, at 22,050 Hz)', async () => {
    const n = 2205;
    const left = sine(440, 22050, n, 0.6);
    const right = sine(660, 22050, n, 0.3);
    const d = await decodeAudio(wavBytes({ rate: 22050, channels: [left, right], kind: 'float', bits: 32 }), 'lr.wav');
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(d.samples[i] - (Math.fround(left[i]) + Math.fround(right[i])) / 2));
    assert.ok(maxDiff < 3e-8, `mono = (L + R) / 2 (max diff ${maxDiff})`); // measured 1.5e-8: float32 rounding of the mean
    const opposite = await decodeAudio(
      wavBytes({ rate: 44100, channels: [sine(440, 44100, 4410), sine(440, 44100, 4410, -0.5)], kind: 'int', bits: 16 }),
      'opposite.wav',
    );
    assert.equal(rms(opposite.samples, 0, opposite.samples.length), 0, 'L = −R cancels exactly (measured)');
  });

  test('six channels, an odd-sized chunk before the data, RF64, and a streaming writer’s size field', async () => {
    const n = 4800;
    const chans = [0.6, 0, 0, 0, 0, 0].map((a) => sine(440, 48000, n, a));
    const six = await decodeAudio(wavBytes({ rate: 48000, channels: chans, kind: 'int', bits: 24, extensible: true, oddChunk: true }), 'six.wav');
    assert.equal(six.source.channels, 6, 'channels');
    const amp = amplitudeAt(six.samples, 22050, 440, 300, six.samples.length - 300);
    assert.ok(Math.abs(amp - 0.1) < 1e-5, `mean of six channels: 0.6 / 6 = 0.1 (got ${amp.toFixed(6)})`); // measured 7.9e-6 off
    const rf64 = await decodeAudio(wavBytes({ rate: 44100, channels: [sine(440, 44100, n)], kind: 'int', bits: 16, rf64: true }), 'big.wav');
    assert.equal(rf64.source.frames, n, 'RF64: frames from ds64');
    const streamed = await decodeAudio(
      wavBytes({ rate: 44100, channels: [sine(440, 44100, n)], kind: 'int', bits: 16, dataSizeField: 0xffffffff }),
      'piped.wav',
    );
    assert.equal(streamed.source.frames, n, 'size 0xFFFFFFFF: read to the end');
    const sox = await decodeAudio(
      wavBytes({ rate: 44100, channels: [sine(440, 44100, n)], kind: 'int', bits: 16, dataSizeField: 0x7ffff000 }),
      'sox.wav',
    );
    assert.equal(sox.source.frames, n, 'size 0x7FFFF000 (sox’s placeholder): read to the end');
  });

  test('a file on disk decodes like its bytes', async () => {
    const bytes = wavBytes({ rate: 44100, channels: [sine(440, 44100, 44100), sine(440, 44100, 44100)], kind: 'int', bits: 16 });
    const path = join(tmp.path, 'disk.wav');
    await writeFile(path, bytes);
    const fromFile = await decodeAudioFile(path);
    const fromBytes = await decodeAudio(bytes, 'disk.wav');
    assert.deepEqual(fromFile.samples, fromBytes.samples, 'same samples');
    assert.deepEqual(fromFile.source, fromBytes.source, 'same source');
  });
});

// ---- the committed fixtures --------------------------------------------------------------------------

/**
 * The test signal (SOURCES.md): clicks at 0.25 and 3.75 s, 440 Hz 0.5–2 s, 660 Hz 2–3.5 s, 4 s long. `levelDb` and
 * `clickS` are the measured deviations' bounds for that file. Through songscope's own decoders the length, the
 * duration and the closing silence are exact (measured); through ffmpeg (whose builds differ, and which this
 * machine lacks) they get the slack of the ±1-sample length and −50 dBFS.
 */
function assertToneContent(d: DecodedAudio, what: string, { levelDb, clickS, ffmpeg = false }: { levelDb: number; clickS: number; ffmpeg?: boolean }): void {
  assert.equal(d.sampleRate, 22050, `${what}: analysis rate`);
  if (ffmpeg) assert.ok(Math.abs(d.samples.length - 88200) <= 1, `${what}: 4 s at 22,050 Hz (±1), got ${d.samples.length}`);
  else assert.equal(d.samples.length, 88200, `${what}: 4 s at 22,050 Hz`);
  if (ffmpeg) assert.ok(Math.abs(d.durationS - 4) < 1e-6, `${what}: durationS ${d.durationS}`);
  else assert.equal(d.durationS, 4, `${what}: durationS`);
  assert.equal(dominant(d.samples, 0.6, 1.9, [330, 440, 550, 660]), 440, `${what}: 440 Hz in 0.6–1.9 s`);
  assert.equal(dominant(d.samples, 2.1, 3.4, [330, 440, 550, 660]), 660, `${what}: 660 Hz in 2.1–3.4 s`);
  const level = db(amplitudeAt(d.samples, 22050, 440, Math.round(0.6 * 22050), Math.round(1.9 * 22050)) / 0.5);
  assert.ok(Math.abs(level) < levelDb, `${what}: 440 Hz level ${level.toFixed(4)} dB`);
  for (const click of [0.25, 3.75]) {
    const t = peakTime(d.samples, click - 0.1, click + 0.1);
    assert.ok(Math.abs(t - click) < clickS, `${what}: click at ${click} s found at ${t.toFixed(5)} s`);
  }
  const quiet = rms(d.samples, Math.round(3.85 * 22050), Math.round(3.98 * 22050));
  if (ffmpeg) assert.ok(db(quiet + 1e-12) < -50, `${what}: silence at the end (${db(quiet + 1e-12).toFixed(1)} dBFS)`);
  else assert.equal(quiet, 0, `${what}: digital silence at the end`);
}

describe('FLAC, MP3 and Ogg Vorbis fixtures', () => {
  test('FLAC 16-bit stereo', async () => {
    const d = await decodeAudioFile(fixture('tone-16.flac'));
    assert.deepEqual(d.source, { format: 'flac', sampleRate: 44100, channels: 2, bitsPerSample: 16, frames: 176400 }, 'source');
    assertToneContent(d, 'tone-16.flac', { levelDb: 0.001, clickS: 5e-5 }); // measured 0.0007 dB, clicks 1 sample off
  });

  test('FLAC 24-bit mono', async () => {
    const d = await decodeAudioFile(fixture('tone-24-mono.flac'));
    assert.deepEqual(d.source, { format: 'flac', sampleRate: 44100, channels: 1, bitsPerSample: 24, frames: 176400 }, 'source');
    assertToneContent(d, 'tone-24-mono.flac', { levelDb: 0.001, clickS: 5e-5 }); // measured 0.0005 dB, clicks 1 sample off
  });

  test('MP3 44.1 kHz stereo: gapless (LAME tag delay 576 + decoder 529 dropped, padding cut)', async () => {
    const d = await decodeAudioFile(fixture('tone.mp3'));
    assert.deepEqual(d.source, { format: 'mp3', sampleRate: 44100, channels: 2, frames: 176400 }, 'source');
    assertToneContent(d, 'tone.mp3', { levelDb: 0.45, clickS: 5e-5 }); // measured −0.445 dB, clicks 1 sample off
  });

  test('Ogg Vorbis 48 kHz stereo', async () => {
    const d = await decodeAudioFile(fixture('tone-48k.ogg'));
    assert.deepEqual(d.source, { format: 'ogg-vorbis', sampleRate: 48000, channels: 2, frames: 192000 }, 'source');
    assertToneContent(d, 'tone-48k.ogg', { levelDb: 0.05, clickS: 5e-5 }); // measured 0.0497 dB, clicks 1 sample off
  });

  test('bytes in memory decode like the file', async () => {
    for (const name of ['tone-16.flac', 'tone.mp3', 'tone-48k.ogg']) {
      const a = await decodeAudio(await readFile(fixture(name)), name);
      const b = await decodeAudioFile(fixture(name));
      assert.deepEqual(a.samples, b.samples, `${name}: same samples`);
    }
  });
});

// ---- recognising formats -----------------------------------------------------------------------------

describe('audioFormatOf and isAudioPath', () => {
  test('by magic bytes, the extension only a hint', async () => {
    const wav = wavBytes({ rate: 8000, channels: [sine(440, 8000, 100)], kind: 'int', bits: 16 });
    assert.equal(audioFormatOf(wav), 'wav', 'RIFF/WAVE');
    assert.equal(audioFormatOf(wav, 'misnamed.mp3'), 'wav', 'a WAV named .mp3 is a WAV');
    assert.equal(audioFormatOf(await readFile(fixture('tone-16.flac'))), 'flac', 'fLaC');
    assert.equal(audioFormatOf(await readFile(fixture('tone.mp3'))), 'mp3', 'ID3 / frame sync');
    assert.equal(audioFormatOf(await readFile(fixture('tone-48k.ogg'))), 'ogg-vorbis', 'OggS + vorbis');
    assert.equal(audioFormatOf(await readFile(fixture('tone.opus'))), 'ogg-opus', 'OggS + OpusHead');
    const mp3 = await readFile(fixture('tone.mp3'));
    const bare = mp3.subarray(45); // without its ID3v2 tag: starts at the first frame
    assert.equal(audioFormatOf(bare), 'mp3', 'bare frame sync');
    const id3flac = new Uint8Array([...mp3.subarray(0, 45), ...(await readFile(fixture('tone-16.flac'))).subarray(0, 100)]);
    assert.equal(audioFormatOf(id3flac), 'flac', 'FLAC behind an ID3v2 tag');
    assert.equal(audioFormatOf(new TextEncoder().encode('just some text, not audio at all')), undefined, 'text');
    assert.equal(audioFormatOf(new Uint8Array(0), 'x.wav'), undefined, 'empty');
  });

  test('isAudioPath by extension', () => {
    for (const p of ['a.wav', 'B.WAVE', 'c.flac', 'd.mp3', 'e.ogg', 'f.oga', 'g.opus', 'dir.x/song.Mp3']) assert.ok(isAudioPath(p), p);
    for (const p of ['a.json', 'b.h5', 'wav', 'c.wav.json', 'd.m4a']) assert.ok(!isAudioPath(p), p);
  });
});

// ---- errors ------------------------------------------------------------------------------------------

describe('errors: one line, exit code 2, naming the file', () => {
  test('missing, a directory, empty', async () => {
    await rejectsInput(() => decodeAudioFile(join(tmp.path, 'nope.wav')), `${join(tmp.path, 'nope.wav')}: no such file`, 'missing');
    await rejectsInput(() => decodeAudioFile(tmp.path), `${tmp.path}: cannot read the file (it is a directory)`, 'directory');
    const empty = join(tmp.path, 'empty.mp3');
    await writeFile(empty, new Uint8Array(0));
    await rejectsInput(() => decodeAudioFile(empty), `${empty}: empty file (0 bytes)`, 'empty file');
    await rejectsInput(() => decodeAudio(new Uint8Array(0), 'e.wav'), 'e.wav: empty file (0 bytes)', 'empty bytes');
  });

  test('truncated files', async () => {
    const whole = wavBytes({ rate: 44100, channels: [sine(440, 44100, 1000)], kind: 'int', bits: 16 });
    await rejectsInput(
      () => decodeAudio(whole.subarray(0, 44 + 1000), 'song.wav'),
      'song.wav: truncated WAV (data chunk says 2,000 bytes, the file has 1,000)',
      'WAV',
    );
    await rejectsInput(() => decodeAudioFile(fixture('truncated-tone-16.flac')), /truncated-tone-16\.flac: truncated FLAC \(STREAMINFO says 176,400 samples \(4\.00 s\), the file holds [\d,]+ \(1\.\d\d s\)\)$/, 'FLAC');
    await rejectsInput(() => decodeAudioFile(fixture('truncated-tone.mp3')), /truncated-tone\.mp3: truncated MP3 \(the Xing header says 155 frames/, 'MP3');
    await rejectsInput(() => decodeAudioFile(fixture('truncated-tone-48k.ogg')), /truncated-tone-48k\.ogg: truncated Ogg Vorbis \(the last Ogg page is cut short/, 'Ogg Vorbis');
    await rejectsInput(() => decodeAudio(whole.subarray(0, 20), 'stub.wav'), /^stub\.wav: not a valid WAV file/, 'WAV header cut');
    const silent = wavBytes({ rate: 44100, channels: [[]], kind: 'int', bits: 16 });
    await rejectsInput(() => decodeAudio(silent, 'silent.wav'), 'silent.wav: the WAV file holds no audio samples', 'empty data chunk');
  });

  test('garbage, and formats songscope does not decode (ffmpeg off or missing)', async () => {
    const garbage = new Uint8Array(5000).map((_, i) => (i * 7919) % 251);
    const e = await rejectsInput(
      () => decodeAudio(garbage, 'noise.wav', { ffmpeg: false }),
      'noise.wav: unsupported or unrecognised audio format; songscope decodes WAV (PCM and float), FLAC, MP3 and Ogg Vorbis',
      'garbage',
    );
    assert.match(e.hint ?? '', /ffmpeg/, 'the hint mentions ffmpeg');
    const adpcm = wavBytes({ rate: 8000, channels: [sine(440, 8000, 100)], kind: 'int', bits: 16 });
    adpcm[20] = 2; // format tag 2: Microsoft ADPCM
    await rejectsInput(
      () => decodeAudio(adpcm, 'adpcm.wav', { ffmpeg: false }),
      /^adpcm\.wav: unsupported audio format \(WAV Microsoft ADPCM, format tag 0x0002\); songscope decodes WAV/,
      'ADPCM WAV',
    );
    const opus = fixture('tone.opus');
    await rejectsInput(() => decodeAudioFile(opus, { ffmpeg: false }), `${opus}: unsupported audio format (Ogg Opus); songscope decodes WAV (PCM and float), FLAC, MP3 and Ogg Vorbis`, 'Opus, ffmpeg off');
    const missing = await rejectsInput(() => decodeAudioFile(opus, { ffmpegPath: join(tmp.path, 'no-ffmpeg-here') }), /unsupported audio format \(Ogg Opus\)/, 'Opus, no ffmpeg');
    assert.match(missing.hint ?? '', /ffmpeg was not found/, 'hint: ffmpeg not found');
  });
});

// ---- ffmpeg ------------------------------------------------------------------------------------------

describe('the ffmpeg fallback', { skip: hasFfmpeg() ? false : 'ffmpeg is not on the PATH' }, () => {
  test('Ogg Opus decodes through ffmpeg, from a file and from bytes', async () => {
    const d = await decodeAudioFile(fixture('tone.opus'));
    assert.equal(d.source.format, 'ffmpeg', 'format');
    assert.equal(d.source.sampleRate, 48000, 'source rate from ffmpeg’s stream line');
    assert.equal(d.source.channels, 2, 'channels');
    assertToneContent(d, 'tone.opus', { levelDb: 0.5, clickS: 0.004, ffmpeg: true }); // not measured: no ffmpeg on the test machine
    const b = await decodeAudio(await readFile(fixture('tone.opus')), 'tone.opus');
    assert.equal(b.samples.length, d.samples.length, 'piped bytes: same length');
  });

  test('ffmpeg’s failure is a one-line error', async () => {
    const garbage = new Uint8Array(5000).map((_, i) => (i * 7919) % 251);
    const path = join(tmp.path, 'garbage.bin');
    await writeFile(path, garbage);
    const e = await rejectsInput(
      () => decodeAudioFile(path),
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ffmpeg could not decode the file \\(.+\\)$`),
      'garbage via ffmpeg',
    );
    assert.match(e.hint ?? '', /WAV .*FLAC, MP3 and Ogg Vorbis/, 'the hint names the formats decoded without ffmpeg');
  });
});

// ---- memory of a long decode -------------------------------------------------------------------------

describe('memory', () => {
  test('a 10-minute 44.1 kHz stereo WAV decodes with the output plus little more (child process)', async () => {
    const minutes = 10;
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'audio', 'decode-bench.ts'), 'memory', String(minutes)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `child exit status (stderr: ${r.stderr})`);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { outputMB: number; extraMB: number; samples: number };
    assert.equal(report.samples, minutes * 60 * 22050, 'samples');
    // the output plus a constant (no second full-length copy: that would be ≥ 2 × output)
    assert.ok(report.extraMB < report.outputMB + 60, `peak RSS above the baseline: ${report.extraMB} MB for ${report.outputMB} MB of output`);
  });
});
