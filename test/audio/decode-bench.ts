/**
 * Decoding benchmarks (not a test file; `decode.test.ts` runs the memory check through it).
 *
 *   node --import tsx test/audio/decode-bench.ts memory MINUTES [wav|flac|mp3|ogg]
 *     writes a MINUTES-long 44.1 kHz stereo 16-bit WAV to a temp file (streamed, constant memory), encodes
 *     it with ffmpeg for the other formats, decodes it and prints one JSON line: the output size and the
 *     peak RSS above the pre-decode baseline.
 *   node --import tsx test/audio/decode-bench.ts timing [MINUTES=4]
 *     times decodeAudioFile on a 44.1 kHz stereo WAV, and (when ffmpeg is on the PATH) FLAC, MP3
 *     (192 kbit/s) and Ogg Vorbis (q 5) encodings of the same music-like signal; cold (first call in the
 *     process: module loading and WebAssembly compilation) and warm (median of 3).
 */
import { open, mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudioFile } from '../../src/audio/decode.js';

/** Stream a WAV of `seconds` of a cheap music-like signal (two tones, a decaying click every 0.5 s). */
async function writeLongWav(path: string, seconds: number, rate = 44100): Promise<void> {
  const frames = seconds * rate;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + frames * 4, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(frames * 4, 40);
  // one second of signal, repeated
  const second = Buffer.alloc(rate * 4);
  for (let i = 0; i < rate; i++) {
    const t = i / rate;
    const click = Math.exp(-(t % 0.5) * 60) * Math.sin(2 * Math.PI * 1500 * t);
    const l = 0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.3 * click;
    const r = 0.3 * Math.sin(2 * Math.PI * 330 * t) + 0.3 * click;
    second.writeInt16LE(Math.round(l * 32767), i * 4);
    second.writeInt16LE(Math.round(r * 32767), i * 4 + 2);
  }
  const fh = await open(path, 'w');
  try {
    await fh.write(header);
    for (let s = 0; s < seconds; s++) await fh.write(second);
  } finally {
    await fh.close();
  }
}

async function memory(minutes: number, format: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-decode-mem-'));
  try {
    let path = join(dir, 'long.wav');
    await writeLongWav(path, minutes * 60);
    if (format !== 'wav') {
      // encode with ffmpeg (bench only), then drop the WAV
      const out = join(dir, `long.${format}`);
      const codec: Record<string, string[]> = { flac: ['-c:a', 'flac'], mp3: ['-c:a', 'libmp3lame', '-b:a', '192k'], ogg: ['-c:a', 'libvorbis', '-q:a', '5'] };
      if (spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', path, ...(codec[format] ?? []), out], { stdio: 'inherit' }).status !== 0) {
        throw new Error(`ffmpeg could not make ${out}`);
      }
      await rm(path);
      path = out;
    }
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage().rss;
    const t0 = performance.now();
    const d = await decodeAudioFile(path);
    const ms = performance.now() - t0;
    const peak = process.resourceUsage().maxRSS * 1024;
    const mb = (b: number) => Math.round(b / 1e6);
    console.log(
      JSON.stringify({
        minutes,
        format,
        samples: d.samples.length,
        decodeMs: Math.round(ms),
        outputMB: mb(d.samples.byteLength),
        baselineMB: mb(baseline),
        peakRssMB: mb(peak),
        extraMB: mb(peak - baseline),
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timing(minutes: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'songscope-decode-time-'));
  try {
    const wav = join(dir, 'music.wav');
    await writeLongWav(wav, minutes * 60);
    const files: [string, string][] = [['WAV 16-bit', wav]];
    // a less compressible version for realistic codec work: pink noise under the tones
    const noisy = join(dir, 'noisy.wav');
    const haveFfmpeg =
      spawnSync(
        'ffmpeg',
        ['-v', 'error', '-y', '-i', wav, '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.05:duration=${minutes * 60}:sample_rate=44100`, '-filter_complex', '[0][1]amix=inputs=2:normalize=0', '-ac', '2', noisy],
        { stdio: 'ignore' },
      ).status === 0;
    if (haveFfmpeg) {
      files[0] = ['WAV 16-bit', noisy];
      const enc = (name: string, args: string[]) => {
        const out = join(dir, name);
        if (spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', noisy, ...args, out], { stdio: 'ignore' }).status === 0) files.push([name, out]);
      };
      enc('music.flac', ['-c:a', 'flac']);
      enc('music.mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']);
      enc('music.ogg', ['-c:a', 'libvorbis', '-q:a', '5']);
      enc('music-48k.wav', ['-ar', '48000']);
    } else {
      console.log('(ffmpeg not found: WAV only)');
    }
    // wall time, and this process's CPU time (less disturbed by other load on the machine)
    const timed = async (path: string) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await decodeAudioFile(path);
      const c = process.cpuUsage(c0);
      return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
    };
    for (const [name, path] of files) {
      const cold = await timed(path);
      const warm: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < 3; i++) warm.push(await timed(path));
      const median = (k: 'wall' | 'cpu') => warm.map((w) => w[k]).sort((a, b) => a - b)[1].toFixed(0);
      console.log(
        `${name.padEnd(14)} ${minutes} min: cold ${cold.wall.toFixed(0)} ms (cpu ${cold.cpu.toFixed(0)}), warm ${median('wall')} ms (cpu ${median('cpu')})`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [mode, arg, arg2] = process.argv.slice(2);
if (mode === 'memory') await memory(Number(arg ?? 60), arg2 ?? 'wav');
else if (mode === 'timing') await timing(Number(arg ?? 4));
else {
  console.error('usage: decode-bench.ts memory MINUTES [wav|flac|mp3|ogg] | timing [MINUTES]');
  process.exitCode = 2;
}
