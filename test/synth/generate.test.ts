import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateAnalysis,
  generateAudioAnalysis,
  SYNTH_ANALYZER_VERSION,
  SYNTH_ARTIST,
  synthFileName,
  synthTitle,
  writeSyntheticAlbum,
  type SynthStyle,
} from '../../src/synth/generate.js';
import { validateAnalysis } from '../../src/analysis/schema.js';
import { readAnalysisFile } from '../../src/sources/files.js';
import type { AudioAnalysis, TimeInterval } from '../../src/analysis/types.js';
import { ROOT } from '../helpers/fixtures.js';
import { parameterError, tempDirPerSuite } from '../helpers/assert.js';

const STYLES: SynthStyle[] = ['dance', 'folk'];

/** Time-averaged features in the feature-matrix column order (bar, beat, 12 pitches, 12 timbre). */
function timeAverage(a: AudioAnalysis): number[] {
  const d = a.track.duration;
  const v = new Array<number>(26).fill(0);
  // bar k (1-based) holds from its start to the next bar's start; before the first bar it is 0
  a.bars.forEach((b, k) => {
    const end = k + 1 < a.bars.length ? a.bars[k + 1].start : d;
    v[0] += (k + 1) * (end - b.start);
  });
  v[1] = a.beats.length / (d * 1000); // 1 in one millisecond per beat
  for (const s of a.segments) {
    for (let j = 0; j < 12; j++) {
      v[2 + j] += s.pitches[j] * s.duration;
      v[14 + j] += s.timbre[j] * s.duration;
    }
  }
  return v.map((x, j) => (j === 1 ? x : x / d));
}

function zscoreColumns(rows: number[][]): number[][] {
  const n = rows.length;
  const out = rows.map((r) => [...r]);
  for (let c = 0; c < rows[0].length; c++) {
    const mean = rows.reduce((s, r) => s + r[c], 0) / n;
    const sd = Math.sqrt(rows.reduce((s, r) => s + (r[c] - mean) ** 2, 0) / n);
    for (const r of out) r[c] = sd > 0 ? (r[c] - mean) / sd : 0;
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function assertContiguous(events: TimeInterval[], name: string): void {
  for (let i = 1; i < events.length; i++) {
    const gap = events[i].start - (events[i - 1].start + events[i - 1].duration);
    assert.ok(Math.abs(gap) < 2e-5, `${name}[${i}] starts ${gap} s after ${name}[${i - 1}] ends`);
  }
}

describe('generateAnalysis', () => {
  test('every analysis is valid without warnings, in both styles, many seeds and lengths', () => {
    for (const style of STYLES) {
      for (const [seed, index, durationS] of [[0, 0, 240], [0, 10, 240], [1, 3, 240], [-5, 2, 30], [123456789, 0, 5], [7, 1, 5.5], [2, 0, 600]]) {
        const a = generateAnalysis({ style, seed, index, durationS });
        const label = `${style} seed ${seed} index ${index} ${durationS} s`;
        const v = validateAnalysis(JSON.parse(JSON.stringify(generateAudioAnalysis({ style, seed, index, durationS }))), label);
        assert.deepEqual(v.warnings, [], label);
        assert.equal(v.source, 'file', `${label}: validated as a file`);
        assert.equal(a.track.duration, durationS, `${label}: the duration asked for`);
        assert.equal(a.segments[0].start, 0, `${label}: the first segment starts at 0`);
        const last = a.segments[a.segments.length - 1];
        assert.ok(Math.abs(last.start + last.duration - durationS) < 1e-5, label);
        assertContiguous(a.segments, 'segments');
        assertContiguous(a.sections, 'sections');
        assertContiguous(a.beats, 'beats');
        assertContiguous(a.tatums, 'tatums');
        assert.equal(a.sections[0].start, 0, `${label}: the first section starts at 0`);
        for (const s of a.segments) {
          assert.ok(s.duration > 0, `${label}: segment durations are positive`);
          assert.equal(Math.max(...s.pitches), 1, label);
          assert.ok(s.pitches.every((p) => p >= 0 && p <= 1), label);
          assert.ok(s.timbre[0] >= 0 && s.timbre[0] <= 60, label);
          assert.ok(s.timbre.slice(1).every((t) => t >= -200 && t <= 200), label);
          assert.ok(s.loudness_start! <= s.loudness_max! && s.loudness_max! < 0, label);
          assert.ok(s.confidence! >= 0 && s.confidence! <= 1, `${label}: confidence in [0, 1]`);
        }
      }
    }
  });

  test('a four-minute track: about 4 segments a second, 4–8 sections, style-typical tempo, meter and mode', () => {
    const modes: Record<string, number[]> = { dance: [], folk: [] };
    for (const style of STYLES) {
      for (let index = 0; index < 11; index++) {
        const a = generateAnalysis({ style, seed: 0, index });
        const n = a.segments.length;
        assert.ok(n >= 905 && n <= 1060, `${style} ${index}: ${n} segments`); // measured 912 … 1052
        assert.ok(a.sections.length >= 4 && a.sections.length <= 8, `${style} ${index}: ${a.sections.length} sections`); // measured 4 … 8
        const { tempo, time_signature: ts, mode } = a.track;
        if (style === 'dance') {
          assert.ok(tempo! >= 120 && tempo! <= 128, `dance tempo ${tempo}`);
          assert.equal(ts, 4, `dance ${index}: 4/4`);
        } else {
          assert.ok(tempo! >= 80 && tempo! <= 100, `folk tempo ${tempo}`);
          assert.ok(ts === 3 || ts === 4, `folk ${index}: 3/4 or 4/4, got ${ts}`);
        }
        modes[style].push(mode!);
        // beats follow the tempo; bars hold time_signature beats; two tatums a beat
        const beatS = median(a.beats.map((b) => b.duration));
        assert.ok(Math.abs(beatS - 60 / tempo!) < 0.001 * (60 / tempo!), `beat ${beatS} s at ${tempo} BPM`); // measured 0.08 % at most
        assert.equal(a.bars.length, Math.ceil(a.beats.length / ts!), `${style} ${index}: a bar every ${ts} beats`);
        assert.equal(a.tatums.length, 2 * a.beats.length, `${style} ${index}: two tatums a beat`);
        assert.deepEqual(a.bars.map((b) => b.start), a.beats.filter((_, i) => i % ts! === 0).map((b) => b.start), `${style} ${index}: bars start on every ${ts}th beat`);
      }
    }
    // mostly minor for dance, mostly major for folk: measured 9 of 11 and 10 of 11
    assert.ok(modes.dance.filter((m) => m === 0).length >= 9, `dance modes ${modes.dance}`);
    assert.ok(modes.folk.filter((m) => m === 1).length >= 10, `folk modes ${modes.folk}`);
  });

  test('deterministic: the same options give identical JSON; seed, index and style all matter', () => {
    const json = (o: Parameters<typeof generateAnalysis>[0]) => JSON.stringify(generateAnalysis(o));
    for (const style of STYLES) {
      assert.equal(json({ style, seed: 42, index: 3 }), json({ style, seed: 42, index: 3 }), `${style}: same options, same JSON`);
      assert.notEqual(json({ style, seed: 42, index: 3 }), json({ style, seed: 43, index: 3 }), `${style}: another seed, another analysis`);
      assert.notEqual(json({ style, seed: 42, index: 3 }), json({ style, seed: 42, index: 4 }), `${style}: another index, another analysis`);
    }
    assert.equal(json({ style: 'dance' }), json({ style: 'dance', seed: 0, index: 0, durationS: 240 }), 'the defaults: seed 0, index 0, 240 s');
    const dance = generateAudioAnalysis({ style: 'dance', seed: 5 });
    const folk = generateAudioAnalysis({ style: 'folk', seed: 5 });
    assert.notDeepEqual(dance.segments[1].timbre, folk.segments[1].timbre, 'the styles differ in timbre');
  });

  test('says it is generated: meta, title, artist and provenance', () => {
    const a = generateAnalysis({ style: 'folk', seed: 3, index: 2 });
    assert.equal(a.meta!.analyzer_version, SYNTH_ANALYZER_VERSION, 'meta names the synthetic analyzer');
    assert.equal(a.meta!.generator, 'songscope-synth', 'meta names the generator');
    assert.equal(a.meta!.title, 'Folk 03', 'meta carries the title');
    assert.deepEqual(a.provenance, {
      source: 'file',
      origin: 'file',
      location: 'synth:03-folk',
      analyzerVersion: SYNTH_ANALYZER_VERSION,
      title: 'Folk 03',
      artist: SYNTH_ARTIST,
      album: 'Synthetic folk',
    }, 'the provenance says it is generated');
    assert.equal(synthTitle('dance', 0), 'Dance 01', 'titles count from 01');
    assert.equal(synthFileName('dance', 10), '11-dance.json', 'file names count from 01');
  });

  test('the styles separate: nearest centroid on time-averaged, z-scored features is always right', () => {
    for (const seed of [0, 1, 2]) {
      const rows: number[][] = [];
      const labels: SynthStyle[] = [];
      for (const style of STYLES) {
        for (let index = 0; index < 11; index++) {
          rows.push(timeAverage(generateAnalysis({ style, seed, index })));
          labels.push(style);
        }
      }
      const z = zscoreColumns(rows);
      // leave-one-out nearest centroid
      z.forEach((row, i) => {
        const dist = (style: SynthStyle) => {
          const members = z.filter((_, k) => k !== i && labels[k] === style);
          let s = 0;
          for (let c = 0; c < row.length; c++) s += (row[c] - members.reduce((t, m) => t + m[c], 0) / members.length) ** 2;
          return s;
        };
        const predicted: SynthStyle = dist('dance') < dist('folk') ? 'dance' : 'folk';
        assert.equal(predicted, labels[i], `seed ${seed}: track ${i} (${labels[i]})`);
      });
    }
  });

  test('rejects bad options', () => {
    assert.throws(() => generateAnalysis({ style: 'jazz' as SynthStyle }), parameterError('style', '"jazz"', 'dance or folk'), 'style');
    assert.throws(() => generateAnalysis({ style: 'dance', durationS: 4 }), parameterError('durationS', '4', '5 … 3600 seconds'), 'duration 4');
    assert.throws(() => generateAnalysis({ style: 'dance', durationS: NaN }), parameterError('durationS', 'NaN', '5 … 3600 seconds'), 'duration NaN');
    assert.throws(() => generateAnalysis({ style: 'dance', index: -1 }), parameterError('index', '-1', 'an integer ≥ 0'), 'index');
    assert.throws(() => generateAnalysis({ style: 'dance', seed: Infinity }), parameterError('seed', 'Infinity', 'a finite number'), 'seed');
  });
});

describe('writeSyntheticAlbum and scripts/generate-analyses.ts', () => {
  const tmp = tempDirPerSuite('synth');
  test('writes NN-style.json files that readAnalysisFile reads back with their titles', async () => {
    const dir = join(tmp.path, 'synth');
    mkdirSync(dir);
    const paths = await writeSyntheticAlbum(join(dir, 'album'), { style: 'dance', count: 3, seed: 4, durationS: 60 });
    assert.deepEqual(paths, ['01-dance.json', '02-dance.json', '03-dance.json'].map((f) => join(dir, 'album', f)), 'NN-style.json in the album directory');
    for (const [index, path] of paths.entries()) {
      const warnings: string[] = [];
      const read = await readAnalysisFile(path, (w) => warnings.push(w));
      assert.deepEqual(warnings, [], `${path} reads without warnings`);
      const generated = generateAnalysis({ style: 'dance', seed: 4, durationS: 60, index });
      assert.deepEqual(read.provenance, { ...generated.provenance, location: path }, `${path}: the generated provenance, located at the file`);
      const { provenance: _a, ...readRest } = read;
      const { provenance: _b, ...generatedRest } = generated;
      assert.deepEqual(readRest, generatedRest, `${path}: the analysis read back is the one generated`);
      assert.equal(read.provenance.title, `Dance 0${index + 1}`, `${path}: the title`);
    }
    // same options, same bytes
    const before = paths.map((p) => readFileSync(p, 'utf8'));
    await writeSyntheticAlbum(join(dir, 'album'), { style: 'dance', count: 3, seed: 4, durationS: 60 });
    assert.deepEqual(paths.map((p) => readFileSync(p, 'utf8')), before, 'the same options write the same bytes');
    await assert.rejects(writeSyntheticAlbum(dir, { style: 'folk', count: 0 }), parameterError('count', '0', 'an integer in [1, 99]'), 'count 0');
  });

  test('the script writes both styles and says so in one line; bad usage exits 2', () => {
    const dir = join(tmp.path, 'synth-cli');
    mkdirSync(dir);
    const script = join(ROOT, 'scripts/generate-analyses.ts');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8' });
    const ok = run('--out', dir, '--count', '2', '--seed', '3', '--duration', '30');
    assert.equal(ok.stderr, '', 'nothing on stderr');
    assert.equal(ok.status, 0, 'the script exits 0');
    assert.equal(ok.stdout, `wrote 4 synthetic analyses (2 dance + 2 folk, seed 3, 30 s each) to ${dir}\n`, 'one line says what was written');
    assert.deepEqual(readdirSync(dir).sort(), ['01-dance.json', '01-folk.json', '02-dance.json', '02-folk.json'], 'two files a style');
    assert.equal(
      readFileSync(join(dir, '02-folk.json'), 'utf8'),
      JSON.stringify(generateAudioAnalysis({ style: 'folk', seed: 3, durationS: 30, index: 1 })) + '\n', 'the file is the library\'s analysis as JSON',
    );
    const bad = run('--out', dir, '--style', 'jazz');
    assert.equal(bad.status, 2, 'an unknown style exits 2');
    assert.match(bad.stderr, /--style must be dance, folk or both/, 'the message names the styles');
    // A value the library refuses is named by its flag.
    const short = run('--out', dir, '--duration', '2');
    assert.equal(short.status, 2, short.stderr);
    assert.equal(short.stderr, 'generate-analyses: --duration: 2 (expected 5 … 3600 seconds)\nRun with --help for usage.\n', 'the flag, the value and the range, then the pointer to --help');
    const noOut = run();
    assert.equal(noOut.status, 2, 'no --out exits 2');
    assert.match(noOut.stderr, /--out DIR is required/, 'the message says --out is required');
    const help = run('--help');
    assert.equal(help.status, 0, '--help exits 0');
    assert.match(help.stdout, /^Usage: npx tsx scripts\/generate-analyses.ts --out DIR/, 'the usage on stdout');
  });
});
