/**
 * The optional ffmpeg fallback for what songscope does not decode itself (Opus, AAC/M4A, WMA, ADPCM WAV,
 * MP2, …): `ffmpeg -i FILE -f f32le -ac 1 -ar 22050 -`, its standard output read as it streams into
 * the output blocks. ffmpeg's own stream line on standard error gives the file's rate and channels.
 */
import { spawn } from 'node:child_process';
import { inputError } from '../../errors.js';
import { audioMessages } from '../messages.js';
import { ANALYSIS_SAMPLE_RATE } from '../types.js';
import { MonoSink } from './sink.js';
import type { DecodeResult } from './common.js';

/** What to run: the `ffmpeg` on the PATH unless told otherwise. */
export const DEFAULT_FFMPEG = 'ffmpeg';

const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  '2.1': 3,
  '3.0': 3,
  quad: 4,
  '4.0': 4,
  '5.0': 5,
  '5.1': 6,
  '6.1': 7,
  '7.1': 8,
};

/** The first audio stream's rate and channel count from ffmpeg's `Stream #0:0: Audio: …` line. */
export function parseFfmpegStreamLine(stderr: string): { codec: string; sampleRate: number; channels: number } | undefined {
  const m = /Stream #\d+:\d+[^:]*: Audio: ([^,\s]+)[^,]*, (\d+) Hz, ([^,]+)/.exec(stderr);
  if (!m) return undefined;
  const layout = m[3].trim();
  const n = /^(\d+) channels/.exec(layout);
  const channels = n ? Number(n[1]) : (LAYOUT_CHANNELS[layout.replace(/\(.*\)$/, '')] ?? 0);
  return { codec: m[1], sampleRate: Number(m[2]), channels };
}

/**
 * What went wrong, from ffmpeg's standard error, as one short clause: the last line that names an error,
 * without ffmpeg's `[demuxer @ 0x55d0…]` prefixes (heap addresses), the input's name, or "Error opening
 * input:" framing, starting in lower case ("invalid data found when processing input").
 */
export function ffmpegErrorLine(stderr: string, input: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/\[[^\]]*@ ?0x[0-9a-fA-F]+\]\s*/g, '').trim())
    .filter((l) => l && !/^(Input #|Stream #|Duration:|Metadata:|Output #|Press \[q\]|\s*[a-z_]+\s*:)/.test(l))
    .filter((l) => !/^Error opening (input|output) files?( .*)?\.$/.test(l)); // "Error opening input file X." says nothing new
  const line = [...lines].reverse().find((l) => /error|invalid|could not|unknown|no such|not found|unsupported|end of file/i.test(l)) ?? lines.at(-1) ?? 'no output';
  let clause = line.startsWith(`${input}: `) ? line.slice(input.length + 2) : line;
  clause = clause.replace(/^Error (opening|while decoding|during demuxing|opening input files?)[^:]*:\s*/i, '');
  clause = clause.slice(0, 200);
  return clause.charAt(0).toLowerCase() + clause.slice(1);
}

/** ffmpeg's "End of file" while opening: the file ends before its header does. */
function isEndOfFile(clause: string): boolean {
  return /^end of file$/i.test(clause.trim());
}

/**
 * Decode with ffmpeg: a file by path, or bytes piped to its standard input. Resolves to `undefined` when
 * ffmpeg cannot be started (not installed), so the caller can say which formats songscope decodes.
 */
export function decodeWithFfmpeg(
  input: { path: string } | { bytes: Uint8Array },
  label: string,
  command: string = DEFAULT_FFMPEG,
): Promise<DecodeResult | undefined> {
  const inputArg = 'path' in input ? input.path : 'pipe:0';
  const args = [
    '-hide_banner',
    '-nostats',
    ...('path' in input ? ['-nostdin'] : []),
    '-v',
    'info',
    '-i',
    // a path starting with "-" would read as an option
    'path' in input && input.path.startsWith('-') ? `file:${input.path}` : inputArg,
    '-map',
    '0:a:0',
    // down-mix gains normalised to sum to 1: stereo becomes the mean (L + R) / 2, not ffmpeg's 0.707 (L + R)
    '-rematrix_maxval',
    '1',
    '-vn',
    '-sn',
    '-dn',
    '-f',
    'f32le',
    '-ac',
    '1',
    '-ar',
    String(ANALYSIS_SAMPLE_RATE),
    '-',
  ];
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (f: () => void) => {
      if (!settled) {
        settled = true;
        f();
      }
    };
    const child = spawn(command, args, { stdio: ['path' in input ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const sink = new MonoSink(ANALYSIS_SAMPLE_RATE, undefined, { label, format: 'decoded' });
    // f32le bytes arrive in chunks of any length: carry the 0–3 bytes of a split sample
    const carry = new Uint8Array(4);
    let carried = 0;
    let scratch = new Uint8Array(1 << 16);
    child.stdout!.on('data', (chunk: Buffer) => {
      const total = carried + chunk.length;
      const whole = total - (total % 4);
      if (scratch.length < total) scratch = new Uint8Array(Math.max(total, scratch.length * 2));
      scratch.set(carry.subarray(0, carried), 0);
      scratch.set(chunk, carried);
      carried = total - whole;
      try {
        sink.push(new Float32Array(scratch.buffer, 0, whole / 4));
      } catch (error) {
        // longer than songscope decodes: stop ffmpeg, refuse the file
        child.stdout!.removeAllListeners('data');
        child.kill('SIGKILL');
        done(() => reject(error));
        return;
      }
      carry.set(scratch.subarray(whole, total), 0);
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 1 << 16) stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') done(() => resolve(undefined));
      else done(() => reject(inputError(audioMessages.ffmpegFailed(label, error.message))));
    });
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const why = signal ? `killed by ${signal}` : ffmpegErrorLine(stderr, inputArg);
        if (!signal && isEndOfFile(why)) {
          done(() => reject(inputError(audioMessages.truncated(label, 'audio file', audioMessages.ffmpegEndOfFile()))));
          return;
        }
        done(() => reject(inputError(audioMessages.ffmpegFailed(label, why), audioMessages.ffmpegFailedHint())));
        return;
      }
      if (sink.frames === 0) {
        done(() => reject(inputError(audioMessages.noSamples(label, 'audio'))));
        return;
      }
      const stream = parseFfmpegStreamLine(stderr);
      const samples = sink.finish();
      const sampleRate = stream?.sampleRate || ANALYSIS_SAMPLE_RATE;
      done(() =>
        resolve({
          samples,
          source: {
            format: 'ffmpeg',
            sampleRate,
            channels: stream?.channels || 1,
            frames: Math.round((samples.length * sampleRate) / ANALYSIS_SAMPLE_RATE),
          },
        }),
      );
    });
    if (!('path' in input)) {
      child.stdin!.on('error', () => undefined); // ffmpeg may stop reading early; its exit status tells
      child.stdin!.end(input.bytes);
    }
  });
}
