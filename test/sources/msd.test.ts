import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import h5wasm from 'h5wasm/node';
import type { AudioAnalysis } from '../../src/analysis/types.js';
import { ExitCode, SongscopeError, messages } from '../../src/errors.js';
import { isHdf5, readMsdFile } from '../../src/sources/msd.js';
import { tempDirPerSuite } from '../helpers/assert.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const H5 = join(ROOT, 'fixtures/msd/TRAAAFP128F931B4E3.h5');
const REFERENCE = join(ROOT, 'fixtures/reference/TRAAAFP128F931B4E3.analysis.json');
const MSD_MODULE = join(ROOT, 'src/sources/msd.ts');

const dir = tempDirPerSuite('msd');

before(async () => {
  await h5wasm.ready;
});

/** Expect a SongscopeError with exit code 2 and exactly this message. */
async function rejectsWith(promise: Promise<unknown>, message: string | RegExp): Promise<SongscopeError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  }, 'the read fails');
  assert.ok(caught instanceof SongscopeError, `expected a SongscopeError, got ${String(caught)}`);
  assert.equal(caught.exitCode, ExitCode.USAGE, `exit code 2 for: ${caught.message}`);
  if (typeof message === 'string') assert.equal(caught.message, message, 'the message');
  else assert.match(caught.message, message, `"${caught.message}" matches ${message}`);
  assert.ok(!caught.message.includes('\n'), 'the message is one line');
  return caught;
}

interface SynthOptions {
  /** `/analysis/<name>` datasets to leave out (`songs` included). */
  omit?: string[];
  /** Store the per-event arrays as float32. */
  float32?: boolean;
  /** Width of segments_pitches (12 in a real file). */
  pitchWidth?: number;
  artist?: string;
  /** Leave out /metadata/songs. */
  noMetadata?: boolean;
}

/** A small MSD-shaped file: 3 segments, 2 beats, 1 bar, 2 tatums, 0 sections, duration 2.5 s. */
function writeSynthetic(path: string, options: SynthOptions = {}): void {
  const omit = new Set(options.omit ?? []);
  const floats = (values: number[]) => (options.float32 ? new Float32Array(values) : new Float64Array(values));
  const f = new h5wasm.File(path, 'w');
  try {
    const analysis = f.create_group('analysis');
    if (!omit.has('songs')) {
      analysis.create_dataset({
        name: 'songs',
        data: new Map<string, unknown>([
          ['analysis_sample_rate', new Int32Array([22050])],
          ['duration', new Float64Array([2.5])],
          ['end_of_fade_in', new Float64Array([0.1])],
          ['key', new Int32Array([11])],
          ['key_confidence', new Float64Array([0.5])],
          ['loudness', new Float64Array([-7.25])],
          ['mode', new Int32Array([0])],
          ['start_of_fade_out', new Float64Array([2.25])],
          ['tempo', new Float64Array([96.5])],
          ['time_signature', new Int32Array([3])],
          ['track_id', ['TRSYNTH0000000000']],
        ]),
        dtype: [
          ['analysis_sample_rate', '<i'],
          ['duration', '<d'],
          ['end_of_fade_in', '<d'],
          ['key', '<i'],
          ['key_confidence', '<d'],
          ['loudness', '<d'],
          ['mode', '<i'],
          ['start_of_fade_out', '<d'],
          ['tempo', '<d'],
          ['time_signature', '<i'],
          ['track_id', 'A32'],
        ],
      });
    }
    const width = options.pitchWidth ?? 12;
    const arrays: Record<string, { data: Float32Array | Float64Array; shape?: number[] }> = {
      segments_start: { data: floats([0, 0.5, 1.25]) },
      segments_confidence: { data: floats([1, 0.5, 0.25]) },
      segments_loudness_start: { data: floats([-60, -20, -30]) },
      segments_loudness_max: { data: floats([-10, -8, -12]) },
      segments_loudness_max_time: { data: floats([0.1, 0.2, 0.3]) },
      segments_pitches: { data: floats(Array.from({ length: 3 * width }, (_, i) => (i % 12) / 11)), shape: [3, width] },
      segments_timbre: { data: floats(Array.from({ length: 36 }, (_, i) => i - 18)), shape: [3, 12] },
      beats_start: { data: floats([0.2, 1.1]) },
      beats_confidence: { data: floats([0.9, 0.8]) },
      bars_start: { data: floats([0.2]) },
      bars_confidence: { data: floats([0.7]) },
      tatums_start: { data: floats([0.2, 0.65]) },
      tatums_confidence: { data: floats([0.3, 0.1]) },
      sections_start: { data: floats([]), shape: [0] },
      sections_confidence: { data: floats([]), shape: [0] },
    };
    for (const [name, { data, shape }] of Object.entries(arrays)) {
      if (!omit.has(name)) analysis.create_dataset({ name, data, shape: shape ?? [data.length] });
    }
    if (!options.noMetadata) {
      f.create_group('metadata').create_dataset({
        name: 'songs',
        data: new Map<string, unknown>([
          ['artist_name', [options.artist ?? 'Synthetic Artist']],
          ['title', ['Synthetic Title']],
        ]),
        dtype: [
          ['artist_name', 'A1024'],
          ['title', 'A1024'],
        ],
      });
    }
  } finally {
    f.close();
  }
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('isHdf5', () => {
  it('recognises the HDF5 signature', () => {
    assert.equal(isHdf5(readFileSync(H5).subarray(0, 8)), true, 'the 8-byte signature of the fixture');
    assert.equal(isHdf5(readFileSync(H5)), true, 'the whole fixture');
    assert.equal(isHdf5(Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)), true, 'the signature alone');
  });
  it('rejects other bytes', () => {
    assert.equal(isHdf5(new Uint8Array()), false, 'empty');
    assert.equal(isHdf5(Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a)), false, '7 of the 8 signature bytes'); // 7 bytes
    assert.equal(isHdf5(new TextEncoder().encode('{"track": {}}')), false, 'JSON');
    assert.equal(isHdf5(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), false, 'the PNG signature'); // PNG
  });
});

describe('readMsdFile: TRAAAFP128F931B4E3.h5', () => {
  let analysis: AudioAnalysis;
  before(async () => {
    analysis = await readMsdFile(H5);
  });

  it('equals the h5py reference conversion exactly', () => {
    const reference: unknown = JSON.parse(readFileSync(REFERENCE, 'utf8'));
    assert.deepStrictEqual(analysis, reference, 'the h5py reference conversion');
    // deepStrictEqual ignores key order; the serialised text does not.
    assert.equal(JSON.stringify(analysis), JSON.stringify(reference), 'the same key order as the reference');
  });

  it('has the expected counts', () => {
    assert.equal(analysis.segments.length, 1059, '1059 segments');
    assert.equal(analysis.beats.length, 582, '582 beats');
    assert.equal(analysis.bars.length, 145, '145 bars');
    assert.equal(analysis.tatums.length, 1164, '1164 tatums');
    assert.equal(analysis.sections.length, 8, '8 sections');
    for (const s of analysis.segments) {
      assert.equal(s.pitches.length, 12, '12 pitches a segment');
      assert.equal(s.timbre.length, 12, '12 timbre values a segment');
    }
  });

  it('has the hand-checked values', () => {
    assert.deepEqual(analysis.meta, {
      source: 'msd',
      track_id: 'TRAAAFP128F931B4E3',
      artist: 'F.L.Y. (Fast Life Yungstaz)',
      title: 'Bands',
    }, 'metadata');
    assert.deepEqual(analysis.track, {
      duration: 246.54322,
      tempo: 141.968,
      key: 3,
      mode: 1,
      time_signature: 4,
      loudness: -5.816,
      end_of_fade_in: 0,
      start_of_fade_out: 239.113,
    }, 'track fields');
    assert.deepEqual(analysis.beats[0], { start: 0.23526, duration: 0.41942999999999997, confidence: 0.457 }, 'first beat');
    assert.equal(analysis.beats[0]!.duration, 0.65469 - 0.23526, 'the first beat\'s duration is the next start minus its start');
    assert.deepEqual(analysis.bars[0], { start: 0.65469, duration: 1.68189, confidence: 0.015 }, 'first bar');
    assert.deepEqual(analysis.sections[0], { start: 0, duration: 13.74723, confidence: 1 }, 'first section');
    const first = analysis.segments[0]!;
    assert.equal(first.start, 0, 'first segment start');
    assert.equal(first.duration, 0.41492, 'first segment duration');
    assert.equal(first.loudness_start, -36.672, 'first segment loudness_start');
    assert.equal(first.loudness_max, -12.554, 'first segment loudness_max');
    assert.equal(first.loudness_max_time, 0.11878, 'first segment loudness_max_time');
    assert.deepEqual(first.pitches, [0.962, 0.204, 0.168, 0.644, 0.13, 0.175, 0.753, 0.426, 1, 0.146, 0.22, 0.284], 'first segment pitches');
    assert.equal(first.timbre[0], 42.967, 'first segment timbre[0]');
    assert.ok(!('loudness_end' in first), 'loudness_end is not stored in MSD files');
  });

  it('derives durations as next start − start, the last running to the track duration', () => {
    const end = analysis.track.duration;
    for (const kind of ['bars', 'beats', 'tatums', 'sections', 'segments'] as const) {
      const events = analysis[kind];
      events.forEach((e, i) => {
        const next = i + 1 < events.length ? events[i + 1]!.start : end;
        assert.equal(e.duration, next - e.start, `${kind}[${i}]`);
      });
    }
    assert.equal(analysis.segments.at(-1)!.duration, 246.54322 - 246.10884, 'the last segment runs to the track duration'); // 0.43438000000000443
  });

  it('reads the same file again, and concurrently, with the same result and no leaked descriptors', async () => {
    const fds = existsSync('/proc/self/fd') ? openFds() : undefined;
    const [a, b] = await Promise.all([readMsdFile(H5), readMsdFile(H5)]);
    assert.deepStrictEqual(a, analysis, 'the first concurrent read');
    assert.deepStrictEqual(b, analysis, 'the second concurrent read');
    assert.notEqual(a.segments, b.segments, 'fresh objects each time'); // fresh objects each time
    if (fds !== undefined) assert.equal(openFds(), fds, 'no leaked file descriptors');
  });

  it('accepts a relative path', async () => {
    const relative = join('fixtures', 'msd', 'TRAAAFP128F931B4E3.h5');
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      assert.deepStrictEqual(await readMsdFile(relative), analysis, 'the relative path reads the same');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('readMsdFile: synthetic files', () => {
  it('reads a minimal MSD-shaped file (empty sections, no extra fields)', async () => {
    const path = join(dir.path, 'synthetic.h5');
    writeSynthetic(path);
    const a = await readMsdFile(path);
    assert.deepEqual(Object.keys(a), ['meta', 'track', 'bars', 'beats', 'tatums', 'sections', 'segments'], 'keys in the order of a Spotify analysis');
    assert.deepEqual(a.meta, { source: 'msd', track_id: 'TRSYNTH0000000000', artist: 'Synthetic Artist', title: 'Synthetic Title' }, 'metadata');
    // key_confidence and analysis_sample_rate are in the table but not in the reference schema
    assert.deepEqual(a.track, {
      duration: 2.5,
      tempo: 96.5,
      key: 11,
      mode: 0,
      time_signature: 3,
      loudness: -7.25,
      end_of_fade_in: 0.1,
      start_of_fade_out: 2.25,
    }, 'track fields');
    assert.deepEqual(a.sections, [], 'no sections');
    assert.deepEqual(a.bars, [{ start: 0.2, duration: 2.3, confidence: 0.7 }], 'the bar runs to the track duration');
    assert.deepEqual(
      a.segments.map((s) => s.duration),
      [0.5, 0.75, 1.25], 'segment durations from the starts and the track duration',
    );
    assert.deepEqual(a.segments[2]!.timbre, [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], 'third segment timbre');
  });

  it('widens float32 exactly (as h5py does) and keeps float64 as stored', async () => {
    const path = join(dir.path, 'float32.h5');
    writeSynthetic(path, { float32: true });
    const a = await readMsdFile(path);
    assert.equal(a.segments[1]!.start, Math.fround(0.5), 'float32 start widened exactly');
    assert.equal(a.segments[0]!.loudness_max_time, Math.fround(0.1), 'float32 loudness_max_time widened exactly'); // 0.10000000149011612
    assert.equal(a.beats[0]!.start, Math.fround(0.2), 'float32 beat start widened exactly');
    assert.equal(a.beats[0]!.duration, Math.fround(1.1) - Math.fround(0.2), 'beat duration from the widened starts');
    assert.equal(a.beats[1]!.duration, 2.5 - Math.fround(1.1), 'the last beat runs to the float64 duration'); // duration (float64) − float32 start
  });

  it('decodes UTF-8 artist names', async () => {
    const path = join(dir.path, 'utf8.h5');
    writeSynthetic(path, { artist: 'Beyoncé – Sigur Rós, 坂本龍一' });
    assert.equal((await readMsdFile(path)).meta!.artist, 'Beyoncé – Sigur Rós, 坂本龍一', 'UTF-8 artist name');
  });

  it('leaves artist and title out when /metadata/songs is absent', async () => {
    const path = join(dir.path, 'nometa.h5');
    writeSynthetic(path, { noMetadata: true });
    assert.deepEqual((await readMsdFile(path)).meta, { source: 'msd', track_id: 'TRSYNTH0000000000' }, 'metadata without artist and title');
  });
});

describe('readMsdFile: errors', () => {
  it('a missing file', async () => {
    const path = join(dir.path, 'nope.h5');
    await rejectsWith(readMsdFile(path), messages.fileNotFound(path));
    await rejectsWith(readMsdFile(join(dir.path, 'nope-dir.path', 'x.h5')), messages.fileNotFound(join(dir.path, 'nope-dir.path', 'x.h5')));
  });

  it('a file that is not HDF5 (JSON, empty)', async () => {
    const json = join(dir.path, 'analysis.h5');
    await writeFile(json, '{"track": {"duration": 1}}');
    const error = await rejectsWith(readMsdFile(json), messages.msd.notHdf5(json));
    assert.match(error.hint ?? '', /\/analysis\/songs/, 'the hint names /analysis/songs');
    const empty = join(dir.path, 'empty.h5');
    await writeFile(empty, '');
    await rejectsWith(readMsdFile(empty), messages.msd.notHdf5(empty));
  });

  it('a directory', async () => {
    const sub = join(dir.path, 'a-directory.h5');
    await mkdir(sub, { recursive: true });
    await rejectsWith(readMsdFile(sub), messages.fileUnreadable(sub, 'EISDIR'));
  });

  it('a damaged (truncated) HDF5 file, with the HDF5 report as the cause and no leaked descriptors', async () => {
    const path = join(dir.path, 'truncated.h5');
    await writeFile(path, readFileSync(H5).subarray(0, 4096));
    const fds = existsSync('/proc/self/fd') ? openFds() : undefined;
    for (let i = 0; i < 5; i++) {
      const error = await rejectsWith(readMsdFile(path), messages.fileUnreadable(path, 'HDF5: File has been truncated'));
      assert.match(String((error.cause as Error).message), /HDF5-DIAG/, 'the HDF5 report is the cause');
    }
    if (fds !== undefined) assert.equal(openFds(), fds, 'no leaked file descriptors');
    // and a good file still reads afterwards
    assert.equal((await readMsdFile(H5)).segments.length, 1059, 'the good file still reads');
  });

  it('an HDF5 file without the MSD datasets', async () => {
    const bare = join(dir.path, 'bare.h5');
    const f = new h5wasm.File(bare, 'w');
    f.create_group('analysis');
    f.create_dataset({ name: 'other', data: new Float64Array([1, 2, 3]) });
    f.close();
    await rejectsWith(
      readMsdFile(bare),
      `${bare}: dataset /analysis/songs is missing (not a Million Song Dataset track file)`,
    );
  });

  it('names the first missing dataset', async () => {
    const path = join(dir.path, 'no-timbre.h5');
    writeSynthetic(path, { omit: ['segments_timbre', 'sections_start'] });
    await rejectsWith(
      readMsdFile(path),
      messages.invalidField(path, 'dataset /analysis/segments_timbre', 'is missing (not a Million Song Dataset track file)'),
    );
  });

  it('a misshapen dataset', async () => {
    const path = join(dir.path, 'pitches11.h5');
    writeSynthetic(path, { pitchWidth: 11 });
    await rejectsWith(
      readMsdFile(path),
      messages.invalidField(path, 'dataset /analysis/segments_pitches', 'has shape [3, 11]; expected [3, 12]'),
    );
  });

  it('prints nothing to stdout or stderr (HDF5 diagnostics bypass process.stderr)', () => {
    const script = `
      import { readMsdFile } from ${JSON.stringify(pathToFileURL(MSD_MODULE).href)};
      import { readFileSync, writeFileSync } from 'node:fs';
      const bad = ${JSON.stringify(join(dir.path, 'child-truncated.h5'))};
      writeFileSync(bad, readFileSync(${JSON.stringify(H5)}).subarray(0, 4096));
      const missing = ${JSON.stringify(join(dir.path, 'child-bare.h5'))};
      const h5wasm = (await import('h5wasm/node')).default;
      await h5wasm.ready;
      const f = new h5wasm.File(missing, 'w'); f.create_group('analysis'); f.close();
      for (const p of [bad, missing, ${JSON.stringify(H5)}]) { try { await readMsdFile(p); } catch {} }
      // control: h5wasm left to itself does print, i.e. the default handler is back in place
      process.stderr.write('MARK\\n');
      new h5wasm.File(bad, 'r');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, '', 'nothing on stdout');
    const [beforeMark, afterMark] = child.stderr.split('MARK\n');
    assert.equal(beforeMark, '', 'nothing on stderr before the control mark');
    assert.match(afterMark ?? '', /HDF5-DIAG/, 'h5wasm itself prints after the mark (its handler is back)');
  });
});
