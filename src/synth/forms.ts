/**
 * Synthetic analyses of songs with a known **form**: a string of part letters (`AABA`, `ABABCB`, `ABCD` …)
 * rendered as a complete, valid Spotify-shaped audio analysis whose sections follow the letters. Made to
 * test whether a measure of song *shape* (`src/shape`) sees the form and nothing else.
 *
 * What a song is made of (every random draw from `util/random.ts`, so the same options give byte-identical
 * JSON):
 *
 * - **Material** (per letter, drawn per song from the material seed): a four-chord progression in the key
 *   (one chord a bar, cycled), the part's timbre deviation from the song's instrumentation (12
 *   coefficients, sd {@link PART_TIMBRE_SD}), its loudness offset (sd 2.5 dB), its segment density (3 … 5.5
 *   segments a second) and how often its segments carry broadband (percussive) chroma. Every occurrence of a
 *   letter plays the same material; the segments themselves (lengths, chroma, noise) are drawn afresh.
 * - **Transposition**: the key, 0 … 11 (uniform), major or minor.
 * - **Stretch**: the tempo, {@link FORM_BASE_TEMPO_BPM} × s with s log-uniform in
 *   [{@link FORM_STRETCH_RANGE}] (70 … 140 BPM), 4/4.
 * - **Re-orchestration** (from the instrumentation seed): the song's timbre profile (coefficients 2 … 12
 *   around {@link INSTRUMENT_TIMBRE_MEAN}, sd {@link INSTRUMENT_TIMBRE_SD}) and a positive scaling of
 *   every coefficient's deviations, log-uniform in [0.7, 1.4]; the track loudness (−8 dB, sd 3 dB).
 * - **Length**: the bars each letter lasts, drawn per song from {@link FORM_BARS_CHOICES}, so two songs of
 *   one form differ in the proportions of their parts, not only in overall length.
 *
 * Any of these can be fixed ({@link FormSongOptions}), which the invariance tests use to change one thing at
 * a time. {@link transposeAnalysis}, {@link stretchAnalysis} and {@link reorchestrateAnalysis} transform an
 * existing analysis exactly (every pitch vector rotated, every time scaled, every timbre coefficient
 * mapped affinely).
 */
import type { Analysis, AudioAnalysis, Section, Segment, TimeInterval } from '../analysis/types.js';
import { createRandom, DEFAULT_SEED, randomInt, randomNormal, subSeed, type Random } from '../util/random.js';
import { join } from 'node:path';
import { SYNTH_ANALYZER_VERSION, SYNTH_ARTIST } from './generate.js';
import { beatGrid, clamp, confidence, d3, MAJOR_SCALE, MINOR_SCALE, SEGMENT_TIMBRE_SD, segmentPitches, t5, trackSection, uniform, withSynthProvenance } from './common.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ParameterError } from '../errors.js';

/** Tempo of a song stretched by 1, BPM. */
export const FORM_BASE_TEMPO_BPM = 100;
/** Range of the tempo stretch (log-uniform): 0.7 … 1.4 × {@link FORM_BASE_TEMPO_BPM}. */
export const FORM_STRETCH_RANGE: readonly [number, number] = Object.freeze([0.7, 1.4] as [number, number]);
/** Bars a letter may last (drawn per song and letter). */
export const FORM_BARS_CHOICES: readonly number[] = Object.freeze([8, 12, 16]);
/** Longest form string accepted. */
export const MAX_FORM_LENGTH = 32;

/** Mean timbre coefficients 2 … 12 of an instrumentation (index 0 is derived from loudness). */
export const INSTRUMENT_TIMBRE_MEAN: readonly number[] = Object.freeze([0, 40, 5, 10, 5, -15, 2, 3, -1, 5, -10, -1]);
/** Between-instrumentation sd of each coefficient (index 0 unused). */
export const INSTRUMENT_TIMBRE_SD: readonly number[] = Object.freeze([0, 40, 30, 30, 18, 16, 14, 14, 12, 12, 12, 10]);
/** Between-part sd of each coefficient within a song (index 0 unused). */
export const PART_TIMBRE_SD: readonly number[] = Object.freeze([0, 30, 20, 22, 14, 12, 11, 11, 9, 9, 10, 8]);

/** Options of {@link generateFormAudioAnalysis}. Unset choices are drawn from `seed`. */
export interface FormSongOptions {
  /** Part letters in order, `A`–`Z`, 1 … {@link MAX_FORM_LENGTH} of them (case-insensitive). */
  form: string;
  /** The song's seed: every choice not fixed below. Default {@link DEFAULT_SEED}. */
  seed?: number;
  /** Position in a set (0-based): the song's streams derive from `seed` and `index`; the title is `AABA 01`. Default 0. */
  index?: number;
  /** Seed of the parts' material; songs sharing it (and their letters) play the same parts. Default: from `seed`/`index`. */
  materialSeed?: number;
  /** Seed of the instrumentation (timbre profile and scalings); songs sharing it sound alike. Default: from `seed`/`index`. */
  instrumentationSeed?: number;
  /** Seed of the segment-level detail (lengths, chroma, noise). Default: from `seed`/`index`. */
  detailSeed?: number;
  /** Key, 0 = C … 11 = B. Default: uniform. */
  key?: number;
  /** 1 major, 0 minor. Default: even odds. */
  mode?: 0 | 1;
  /** Tempo, BPM (30 … 300). Default: {@link FORM_BASE_TEMPO_BPM} × a log-uniform stretch in {@link FORM_STRETCH_RANGE}. */
  tempoBpm?: number;
  /** Bars of each letter (whole numbers 1 … 64); letters not named are drawn from {@link FORM_BARS_CHOICES}. */
  bars?: Readonly<Record<string, number>>;
  /** Track loudness, dB. Default −8 with sd 3. */
  loudnessDb?: number;
}

/** The letters of a valid form string, upper-cased, or a ParameterError naming what is wrong. */
export function parseForm(form: string): string[] {
  const letters = form.trim().toUpperCase();
  if (!/^[A-Z]+$/.test(letters)) throw new ParameterError('form', JSON.stringify(form), 'a string of part letters A–Z, e.g. AABA');
  if (letters.length > MAX_FORM_LENGTH) throw new ParameterError('form', `${letters.length} parts`, `at most ${MAX_FORM_LENGTH} parts`);
  return [...letters];
}

/** The title of the `index`-th (0-based) song of a form: `AABA 01`. */
export function formTitle(form: string, index = 0): string {
  return `${parseForm(form).join('')} ${String(index + 1).padStart(2, '0')}`;
}

/** The file name of the `index`-th (0-based) song of a form: `aaba-01.json`. */
export function formFileName(form: string, index = 0): string {
  return `${parseForm(form).join('').toLowerCase()}-${String(index + 1).padStart(2, '0')}.json`;
}

// ---- helpers ------------------------------------------------------------------------------------------

const logUniform = (random: Random, lo: number, hi: number): number => Math.exp(uniform(random, Math.log(lo), Math.log(hi)));

/** Stream salts: one independent stream per kind of choice. */
const SALT = { transform: 11, material: 12, instrumentation: 13, detail: 14 } as const;

/** A part's material. */
interface Part {
  /** Chord roots (scale degrees 0 … 6) per bar, cycled. */
  degrees: number[];
  timbre: number[];
  loudnessDb: number;
  segmentRate: number;
  noiseChroma: number;
}

function drawPart(random: Random): Part {
  const degrees = [randomInt(random, 7), randomInt(random, 7), randomInt(random, 7), randomInt(random, 7)];
  return {
    degrees,
    timbre: PART_TIMBRE_SD.map((sd) => sd * randomNormal(random)),
    loudnessDb: 2.5 * randomNormal(random),
    segmentRate: uniform(random, 3, 5.5),
    noiseChroma: uniform(random, 0.05, 0.5),
  };
}

/** Draws of a part's material at most, to find one distinct from the earlier parts. */
const MAX_PART_DRAWS = 50;
/** Smallest RMS difference of two parts' timbre deviations, in units of {@link PART_TIMBRE_SD}. */
export const MIN_PART_TIMBRE_DIFFERENCE = 1;
/** Fewest chord positions (of 4) in which two parts must differ. */
export const MIN_PART_CHORD_DIFFERENCE = 2;

/** Whether two parts are different material: timbres apart and chords different enough. */
function distinctParts(a: Part, b: Part): boolean {
  let ss = 0;
  for (let j = 1; j < 12; j++) ss += ((a.timbre[j] - b.timbre[j]) / PART_TIMBRE_SD[j]) ** 2;
  const chords = a.degrees.filter((d, i) => d !== b.degrees[i]).length;
  return Math.sqrt(ss / 11) >= MIN_PART_TIMBRE_DIFFERENCE && chords >= MIN_PART_CHORD_DIFFERENCE;
}

function checkFormOptions(options: FormSongOptions): { letters: string[]; seed: number; index: number } {
  const letters = parseForm(options.form);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) throw new ParameterError('seed', String(seed), 'a finite number');
  const index = options.index ?? 0;
  if (!(Number.isInteger(index) && index >= 0)) throw new ParameterError('index', String(index), 'a whole number ≥ 0');
  if (options.key !== undefined && !(Number.isInteger(options.key) && options.key >= 0 && options.key < 12)) {
    throw new ParameterError('key', String(options.key), 'a whole number 0 … 11');
  }
  if (options.tempoBpm !== undefined && !(options.tempoBpm >= 30 && options.tempoBpm <= 300)) {
    throw new ParameterError('tempoBpm', String(options.tempoBpm), '30 … 300 BPM');
  }
  for (const [letter, n] of Object.entries(options.bars ?? {})) {
    if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new ParameterError('barsPerPart', `${n} bars for part ${letter}`, 'a whole number 1 … 64');
  }
  return { letters, seed, index };
}

// ---- generation ---------------------------------------------------------------------------------------

/**
 * Generate the analysis of one song of a given form (what a file holds: no provenance). `meta` records the
 * form, the seeds and the choices made (key, tempo, bars per letter), and the sections are the form's
 * parts in order, one section per letter.
 *
 * @throws ParameterError for a malformed form or option
 */
export function generateFormAudioAnalysis(options: FormSongOptions): AudioAnalysis {
  const { letters, seed, index } = checkFormOptions(options);
  const song = subSeed(seed, index);
  const transform = createRandom(subSeed(song, SALT.transform));
  const materialRandom = createRandom(options.materialSeed ?? subSeed(song, SALT.material));
  const instrumentRandom = createRandom(options.instrumentationSeed ?? subSeed(song, SALT.instrumentation));
  const random = createRandom(options.detailSeed ?? subSeed(song, SALT.detail));

  // ---- transformations: key, tempo, loudness, bars per letter (always drawn, so fixing one leaves the others)
  const drawnKey = randomInt(transform, 12);
  const drawnMode: 0 | 1 = transform() < 0.5 ? 1 : 0;
  const drawnTempo = FORM_BASE_TEMPO_BPM * logUniform(transform, FORM_STRETCH_RANGE[0], FORM_STRETCH_RANGE[1]);
  const drawnLoudness = -8 + 3 * randomNormal(transform);
  const distinct = [...new Set(letters)].sort();
  const drawnBars = new Map(distinct.map((l) => [l, FORM_BARS_CHOICES[randomInt(transform, FORM_BARS_CHOICES.length)]]));
  const key = options.key ?? drawnKey;
  const mode = options.mode ?? drawnMode;
  const tempo = options.tempoBpm ?? drawnTempo;
  const loudness = options.loudnessDb ?? drawnLoudness;
  const barsOf = (l: string): number => options.bars?.[l] ?? options.bars?.[l.toLowerCase()] ?? drawnBars.get(l)!;

  // ---- material per letter (in alphabetical order, so a letter's material does not depend on the form)
  const parts = new Map<string, Part>();
  const drawn: Part[] = [];
  for (let c = 0; c < 26; c++) {
    const letter = String.fromCharCode(65 + c);
    let part = drawPart(materialRandom);
    for (let tries = 1; tries < MAX_PART_DRAWS && !drawn.every((q) => distinctParts(part, q)); tries++) part = drawPart(materialRandom);
    drawn.push(part);
    if (distinct.includes(letter)) parts.set(letter, part);
    if (parts.size === distinct.length) break;
  }

  // ---- instrumentation
  const instrument = INSTRUMENT_TIMBRE_MEAN.map((m, j) => (j === 0 ? 0 : m + INSTRUMENT_TIMBRE_SD[j] * randomNormal(instrumentRandom)));
  const scaling = INSTRUMENT_TIMBRE_MEAN.map(() => logUniform(instrumentRandom, 0.7, 1.4));

  // ---- time: beats and bars, part by part
  const meter = 4;
  const period = 60 / tempo;
  const startS = t5(uniform(random, 0.05, 0.3));
  const beatStarts: number[] = [];
  const partStarts: number[] = [];
  /** Index of each part's first bar. */
  const partFirstBar: number[] = [];
  let t = startS;
  for (const letter of letters) {
    partStarts.push(partStarts.length === 0 ? 0 : t5(t));
    partFirstBar.push(beatStarts.length / meter);
    for (let b = 0; b < barsOf(letter) * meter; b++, t += period) beatStarts.push(t5(t));
  }
  const duration = t5(t + period * 0.5);
  const { beats, tatums, barStarts, bars } = beatGrid(random, beatStarts, period, meter, duration, 0.4);

  // ---- sections: one per letter
  const scale = (mode === 1 ? MAJOR_SCALE : MINOR_SCALE).map((d) => (key + d) % 12);
  const sections: Section[] = letters.map((letter, k) => {
    const start = partStarts[k];
    const end = k + 1 < letters.length ? partStarts[k + 1] : duration;
    return {
      start,
      duration: t5(end - start),
      confidence: k === 0 ? 1 : confidence(random, 0.3),
      loudness: d3(loudness + parts.get(letter)!.loudnessDb),
      tempo: d3(tempo),
      tempo_confidence: confidence(random, 0.3),
      key,
      key_confidence: confidence(random, 0.2),
      mode,
      mode_confidence: confidence(random, 0.2),
      time_signature: meter,
      time_signature_confidence: confidence(random, 0.5),
    };
  });

  // ---- segments
  const segments: Segment[] = [];
  const sigma = 0.45;
  let section = 0;
  let bar = 0;
  let beat = 0;
  for (let start = 0; start < duration; ) {
    while (section + 1 < sections.length && sections[section + 1].start <= start) section++;
    while (bar + 1 < barStarts.length && barStarts[bar + 1] <= start) bar++;
    while (beat + 1 < beatStarts.length && beatStarts[beat + 1] <= start) beat++;
    const part = parts.get(letters[section])!;
    let length = clamp((1 / part.segmentRate) * Math.exp(sigma * randomNormal(random) - (sigma * sigma) / 2), 0.06, 1.5);
    let end = t5(start + length);
    if (end > duration - 0.06) end = duration;
    length = t5(end - start);
    const onBeat = Math.abs(beatStarts[beat] - start) < 0.05;
    const barInPart = Math.max(0, bar - partFirstBar[section]);

    const lmax = clamp(loudness + part.loudnessDb + (onBeat ? 2 : 0) + 1.5 * randomNormal(random), -60, -0.05);
    const lstart = clamp(lmax - uniform(random, 5, 20), -60, lmax);

    const degree = part.degrees[barInPart % 4];
    const chordRoot = scale[degree];
    const chord = [chordRoot, scale[(degree + 2) % 7], scale[(degree + 4) % 7]];
    const pitches = segmentPitches(random, scale, chord, chordRoot, part.noiseChroma);

    const timbre = new Array<number>(12);
    timbre[0] = d3(clamp(56 + 1.1 * lmax + SEGMENT_TIMBRE_SD[0] * randomNormal(random), 0, 60));
    for (let j = 1; j < 12; j++) {
      const deviation = part.timbre[j] + SEGMENT_TIMBRE_SD[j] * randomNormal(random);
      timbre[j] = d3(clamp(instrument[j] + scaling[j] * deviation, -300, 300));
    }
    segments.push({
      start,
      duration: length,
      confidence: start === 0 ? 1 : confidence(random, 0.2),
      loudness_start: d3(lstart),
      loudness_max_time: t5(Math.min(length * 0.8, uniform(random, 0.005, 0.09))),
      loudness_max: d3(lmax),
      loudness_end: end >= duration ? -60 : 0,
      pitches,
      timbre,
    });
    start = end;
  }

  const form = letters.join('');
  const trackInfo = trackSection(random, { duration, fadeIn: 0, fadeOut: duration, loudness, tempo, meter, key, mode });
  const meta = {
    analyzer_version: SYNTH_ANALYZER_VERSION,
    platform: 'songscope',
    detailed_status: 'OK',
    status_code: 0,
    timestamp: 0,
    analysis_time: 0,
    input_process: 'synthetic (no audio)',
    generator: 'songscope-synth',
    form,
    seed,
    index,
    bars: Object.fromEntries(distinct.map((l) => [l, barsOf(l)])),
    title: formTitle(form, index),
    artist: SYNTH_ARTIST,
    album: `Synthetic forms`,
  };
  return { meta, track: trackInfo, bars, beats, sections, segments, tatums };
}

/**
 * {@link generateFormAudioAnalysis} with its provenance, as `readAnalysisFile` would return it for the file
 * {@link formFileName} names (`location` is `synth:` + the file's stem: `synth:aaba-01`).
 */
export function generateFormAnalysis(options: FormSongOptions): Analysis {
  return withSynthProvenance(generateFormAudioAnalysis(options), formFileName(options.form, options.index ?? 0), SYNTH_ANALYZER_VERSION);
}

// ---- evaluation sets -------------------------------------------------------------------------------------

/** The forms of the evaluation sets: 32-bar song form, verse–chorus, verse–chorus–bridge, through-composed, binary, … */
export const EVALUATION_FORMS: readonly string[] = Object.freeze(['AABA', 'ABAB', 'ABABCB', 'ABCD', 'AABB', 'ABAC', 'ABACA', 'ABCABC']);

/**
 * Which tracks belong together in a set of {@link generateFormSet}:
 * - `same-form`: one group per form; every song draws its own material, key, tempo, instrumentation and
 *   bars per letter, so songs of a group share their form and nothing else.
 * - `same-sound`: one group per instrumentation; a group's songs share their instrumentation seed, key,
 *   mode and tempo (they sound alike: one band, one session) while each song's form is drawn from the
 *   forms at random and its material afresh.
 */
export type FormSetKind = 'same-form' | 'same-sound';

export interface FormSetOptions {
  kind: FormSetKind;
  /** Forms to use (default {@link EVALUATION_FORMS}); `same-sound` makes as many groups as there are forms. */
  forms?: readonly string[];
  /** Songs per group (≥ 2). */
  perGroup: number;
  seed?: number;
}

/** One song of a set: its analysis, its group label and its form. */
export interface FormSetSong {
  analysis: Analysis;
  label: string;
  form: string;
}

/**
 * A labelled set of generated songs for retrieval tests (see {@link FormSetKind}). Songs are numbered in
 * order (index 0, 1, …) under one seed, so every song is different.
 *
 * @throws ParameterError for fewer than 2 songs per group, no forms, or a malformed form
 */
export function generateFormSet(options: FormSetOptions): FormSetSong[] {
  const forms = (options.forms ?? EVALUATION_FORMS).map((f) => parseForm(f).join(''));
  const seed = options.seed ?? DEFAULT_SEED;
  if (forms.length === 0) throw new ParameterError('forms', 'none', 'at least one form');
  if (!(Number.isInteger(options.perGroup) && options.perGroup >= 2)) throw new ParameterError('perGroup', String(options.perGroup), 'at least 2 songs per group');
  const songs: FormSetSong[] = [];
  const pick = createRandom(subSeed(seed, 97));
  forms.forEach((groupForm, g) => {
    // a group's shared sound (same-sound sets)
    const sound = createRandom(subSeed(seed, 1000 + g));
    const shared = { instrumentationSeed: subSeed(seed, 2000 + g), key: randomInt(sound, 12), mode: (sound() < 0.5 ? 1 : 0) as 0 | 1, tempoBpm: FORM_BASE_TEMPO_BPM * logUniform(sound, FORM_STRETCH_RANGE[0], FORM_STRETCH_RANGE[1]) };
    for (let i = 0; i < options.perGroup; i++) {
      const index = songs.length;
      if (options.kind === 'same-form') {
        songs.push({ analysis: generateFormAnalysis({ form: groupForm, seed, index }), label: groupForm, form: groupForm });
      } else {
        const form = forms[randomInt(pick, forms.length)];
        songs.push({ analysis: generateFormAnalysis({ form, seed, index, ...shared }), label: `sound ${g + 1}`, form });
      }
    }
  });
  return songs;
}

/**
 * Write a set of {@link generateFormSet} into `dir` (created if needed) as `aaba-01.json`, `abab-02.json`, …
 * (numbered in set order): plain audio-analysis JSON, form and title in `meta`, written atomically.
 *
 * @returns the paths written, in order
 * @throws ParameterError for bad options; SongscopeError (exit code 1) when a file cannot be written
 */
export async function writeFormSet(dir: string, options: FormSetOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, song] of generateFormSet(options).entries()) {
    const { provenance: _provenance, ...analysis } = song.analysis;
    const path = join(dir, formFileName(song.form, i));
    await writeFileAtomic(path, JSON.stringify(analysis) + '\n');
    paths.push(path);
  }
  return paths;
}

// ---- exact transformations of an analysis --------------------------------------------------------------

/** A deep copy of an analysis (plain JSON data). */
function copy<A extends AudioAnalysis>(analysis: A): A {
  return structuredClone(analysis);
}

/**
 * The analysis transposed by `semitones`: every segment's pitch vector rotated (class c moves to c + k mod
 * 12) and every key moved. Nothing else changes.
 */
export function transposeAnalysis<A extends AudioAnalysis>(analysis: A, semitones: number): A {
  const k = ((Math.round(semitones) % 12) + 12) % 12;
  const out = copy(analysis);
  for (const s of out.segments) s.pitches = s.pitches.map((_, c) => s.pitches[(c - k + 12) % 12]);
  const moveKey = (x: { key?: number }) => {
    if (x.key !== undefined && x.key >= 0) x.key = (x.key + k) % 12;
  };
  moveKey(out.track);
  out.sections.forEach(moveKey);
  return out;
}

/**
 * The analysis time-stretched by `factor` (> 1 slower and longer): every start, duration and time scaled,
 * tempi divided by the factor.
 */
export function stretchAnalysis<A extends AudioAnalysis>(analysis: A, factor: number): A {
  if (!(factor > 0 && Number.isFinite(factor))) throw new ParameterError('factor', String(factor), 'a positive number');
  const out = copy(analysis);
  const scale = (x: TimeInterval) => {
    x.start = t5(x.start * factor);
    x.duration = t5(x.duration * factor);
  };
  for (const key of ['bars', 'beats', 'tatums', 'sections', 'segments'] as const) out[key].forEach(scale);
  for (const s of out.segments) if (s.loudness_max_time !== undefined) s.loudness_max_time = t5(s.loudness_max_time * factor);
  for (const s of out.sections) if (s.tempo !== undefined) s.tempo = d3(s.tempo / factor);
  out.track.duration = t5(out.track.duration * factor);
  if (typeof out.track.tempo === 'number') out.track.tempo = d3(out.track.tempo / factor);
  for (const f of ['end_of_fade_in', 'start_of_fade_out'] as const) {
    const v = out.track[f];
    if (typeof v === 'number') out.track[f] = t5(Math.min(v * factor, out.track.duration));
  }
  out.track.num_samples = Math.round(out.track.duration * 22050);
  return out;
}

/**
 * The analysis re-orchestrated: timbre coefficient j of every segment mapped to `offset[j] + scale[j] ·
 * timbre[j]` (scales positive), and `loudnessDb` added to every loudness (segment, section and track). The
 * first timbre coefficient is loudness-like, so a loudness change is `offset[0] = loudnessDb`.
 */
export function reorchestrateAnalysis<A extends AudioAnalysis>(
  analysis: A,
  change: { offset?: readonly number[]; scale?: readonly number[]; loudnessDb?: number },
): A {
  const offset = change.offset ?? new Array<number>(12).fill(0);
  const scale = change.scale ?? new Array<number>(12).fill(1);
  if (offset.length !== 12 || scale.length !== 12) throw new ParameterError('offset', `${offset.length} offsets and ${scale.length} scales`, '12 values each');
  if (!scale.every((s) => s > 0)) throw new ParameterError('scale', `[${scale.join(', ')}]`, 'positive timbre scales');
  const dl = change.loudnessDb ?? 0;
  const out = copy(analysis);
  for (const s of out.segments) {
    s.timbre = s.timbre.map((v, j) => d3(offset[j] + scale[j] * v));
    for (const f of ['loudness_start', 'loudness_max'] as const) if (s[f] !== undefined) s[f] = d3(s[f]! + dl);
  }
  for (const s of out.sections) if (s.loudness !== undefined) s.loudness = d3(s.loudness + dl);
  if (typeof out.track.loudness === 'number') out.track.loudness = d3(out.track.loudness + dl);
  return out;
}
