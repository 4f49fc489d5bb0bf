/**
 * Synthetic but valid audio analyses: complete Spotify-shaped `audio-analysis` objects (meta, track,
 * bars, beats, tatums, sections, segments) generated from a style and a seed, for tests, demos and
 * benchmarks that need whole albums without Spotify (whose audio-analysis endpoint is closed to new apps).
 *
 * Two styles that differ the way real genres do, so their time-averaged features separate cleanly:
 *
 * - `dance` — 120–128 BPM in 4/4, mostly minor keys, loud and steady (little loudness change between
 *   sections), punchy attacks, many short segments, bright and dense timbre (high `timbre_02`/`timbre_03`).
 * - `folk` — 80–100 BPM in 3/4 or 4/4, mostly major keys, quieter with more dynamic sections, softer
 *   attacks, fewer and longer segments, warmer timbre.
 *
 * Within a style every seed varies key, tempo, loudness, section layout and the timbre profile, so songs
 * differ while the styles stay apart. Everything random comes from `util/random.ts`: the same options
 * give byte-identical JSON. Values are rounded as Spotify rounds them (times to 5 decimals, loudness and
 * timbre to 3), and every analysis passes {@link validateAnalysis} without warnings.
 *
 * The files say they are generated: `meta.analyzer_version` is {@link SYNTH_ANALYZER_VERSION} and
 * `meta.generator` is `songscope-synth`; the title, artist and album are in `meta` (as The Echo Nest put
 * them), which {@link readAnalysisFile} reads into the provenance.
 */
import { join } from 'node:path';
import type { Analysis, AudioAnalysis, Section, Segment } from '../analysis/types.js';
import { createRandom, DEFAULT_SEED, randomInt, randomNormal, subSeed } from '../util/random.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ParameterError } from '../errors.js';
import { beatGrid, clamp, confidence, d3, MAJOR_SCALE, MINOR_SCALE, SEGMENT_TIMBRE_SD, segmentPitches, t5, trackSection, uniform, withSynthProvenance } from './common.js';

/** The generator's styles. */
export type SynthStyle = 'dance' | 'folk';
export const SYNTH_STYLES: readonly SynthStyle[] = Object.freeze(['dance', 'folk'] as const);

/** `meta.analyzer_version` of every generated analysis. */
export const SYNTH_ANALYZER_VERSION = 'songscope-synth 1';

/** The artist named in every generated analysis. */
export const SYNTH_ARTIST = 'songscope synth';

/** Default track length, seconds. */
export const DEFAULT_SYNTH_DURATION_S = 240;

/** Shortest and longest track the generator makes, seconds. */
export const MIN_SYNTH_DURATION_S = 5;
export const MAX_SYNTH_DURATION_S = 3600;

export interface GenerateOptions {
  style: SynthStyle;
  /** Default {@link DEFAULT_SEED}. */
  seed?: number;
  /** Track length in seconds, {@link MIN_SYNTH_DURATION_S} … {@link MAX_SYNTH_DURATION_S}; default 240. */
  durationS?: number;
  /**
   * Position in an album (0-based): the song's own random stream is derived from `seed`, the style and
   * `index`, and the title is `Dance 01` for index 0. Default 0.
   */
  index?: number;
}

export interface SyntheticAlbumOptions {
  style: SynthStyle;
  /** Number of tracks (≥ 1). */
  count: number;
  seed?: number;
  durationS?: number;
}

// ---- style parameters ---------------------------------------------------------------------------------

interface StyleParams {
  title: string;
  tempo: [number, number];
  /** Probability of 3/4 (else 4/4). */
  waltz: number;
  /** Probability of a major key (else minor). */
  major: number;
  /** Track loudness: mean and between-song sd, dB. */
  loudness: [number, number];
  /** Between-section loudness sd, dB. */
  sectionLoudnessSd: number;
  /** Between-segment loudness sd, dB, and the extra dB of a segment starting on a beat. */
  segmentLoudnessSd: number;
  beatAccent: number;
  /** loudness_max − loudness_start range, dB. */
  attack: [number, number];
  /** Mean segments per second. */
  segmentRate: number;
  /** Weight of broadband (percussive) energy in the chroma, 0 … 1. */
  noiseChroma: number;
  /** Timbre means of coefficients 2…12 (index 0 is derived from loudness). */
  timbreMean: number[];
  /** Between-song sd of each coefficient's mean (index 0 unused). */
  timbreSongSd: number[];
  /** Probability that a section moves to the dominant or subdominant key. */
  modulation: number;
  /** Beat-to-beat tempo jitter (relative sd). */
  jitter: number;
  /** Minimum confidence of beats/bars/segments. */
  confidenceFloor: number;
}

const STYLES: Record<SynthStyle, StyleParams> = {
  dance: {
    title: 'Dance',
    tempo: [120, 128],
    waltz: 0,
    major: 0.15,
    loudness: [-6, 1],
    sectionLoudnessSd: 1,
    segmentLoudnessSd: 1.5,
    beatAccent: 2.5,
    attack: [12, 22],
    segmentRate: 4.2,
    noiseChroma: 0.45,
    timbreMean: [0, 85, 35, 25, 10, -25, 8, 4, -6, 10, -18, -4],
    timbreSongSd: [0, 10, 7, 7, 4, 4, 3, 3, 3, 3, 3, 3],
    modulation: 0.05,
    jitter: 0.001,
    confidenceFloor: 0.4,
  },
  folk: {
    title: 'Folk',
    tempo: [80, 100],
    waltz: 0.4,
    major: 0.85,
    loudness: [-13, 2],
    sectionLoudnessSd: 3.5,
    segmentLoudnessSd: 3,
    beatAccent: 1,
    attack: [3, 12],
    segmentRate: 3.9,
    noiseChroma: 0.12,
    timbreMean: [0, 5, -25, -10, 2, -8, -4, 2, 4, 0, -4, 2],
    timbreSongSd: [0, 10, 7, 7, 4, 4, 3, 3, 3, 3, 3, 3],
    modulation: 0.2,
    jitter: 0.006,
    confidenceFloor: 0.1,
  },
};

/** A different random stream per style for the same seed and index. */
const STYLE_SALT: Record<SynthStyle, number> = { dance: 1, folk: 2 };

/** Chord progressions as [root offset, minor?] per bar. */
const MAJOR_PROGRESSIONS: [number, boolean][][] = [
  [[0, false], [5, false], [7, false], [0, false]], // I–IV–V–I
  [[0, false], [7, false], [9, true], [5, false]], // I–V–vi–IV
];
const MINOR_PROGRESSIONS: [number, boolean][][] = [
  [[0, true], [8, false], [3, false], [10, false]], // i–VI–III–VII
  [[0, true], [5, true], [7, true], [0, true]], // i–iv–v–i
];

/** The title of the `index`-th (0-based) song of a style: `Dance 01`. */
export function synthTitle(style: SynthStyle, index = 0): string {
  return `${STYLES[style].title} ${String(index + 1).padStart(2, '0')}`;
}

/** The file name {@link writeSyntheticAlbum} gives the `index`-th (0-based) song: `01-dance.json`. */
export function synthFileName(style: SynthStyle, index = 0): string {
  return `${String(index + 1).padStart(2, '0')}-${style}.json`;
}

function checkOptions(options: GenerateOptions): { style: SynthStyle; seed: number; durationS: number; index: number } {
  const { style } = options;
  if (!SYNTH_STYLES.includes(style)) throw new ParameterError('style', JSON.stringify(style), SYNTH_STYLES.join(' or '));
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) throw new ParameterError('seed', String(seed), 'a finite number');
  const durationS = options.durationS ?? DEFAULT_SYNTH_DURATION_S;
  if (!(Number.isFinite(durationS) && durationS >= MIN_SYNTH_DURATION_S && durationS <= MAX_SYNTH_DURATION_S)) {
    throw new ParameterError('durationS', String(durationS), `${MIN_SYNTH_DURATION_S} … ${MAX_SYNTH_DURATION_S} seconds`);
  }
  const index = options.index ?? 0;
  if (!(Number.isInteger(index) && index >= 0)) throw new ParameterError('index', String(index), 'an integer ≥ 0');
  return { style, seed, durationS, index };
}

// ---- generation ---------------------------------------------------------------------------------------

/**
 * Generate one audio-analysis object (what a file holds: no provenance).
 *
 * @throws ParameterError for an unknown `style`, a `durationS` outside 5 … 3600 s, a non-finite `seed`, a
 *   negative or fractional `index`
 */
export function generateAudioAnalysis(options: GenerateOptions): AudioAnalysis {
  const { style, seed, durationS, index } = checkOptions(options);
  const p = STYLES[style];
  const random = createRandom(subSeed(subSeed(seed, STYLE_SALT[style]), index));
  const duration = t5(durationS);

  // ---- track-level choices
  const tempo = uniform(random, p.tempo[0], p.tempo[1]);
  const timeSignature = random() < p.waltz ? 3 : 4;
  const key = randomInt(random, 12);
  const mode = random() < p.major ? 1 : 0;
  const loudness = p.loudness[0] + p.loudness[1] * randomNormal(random);
  const timbreSong = p.timbreMean.map((m, j) => m + p.timbreSongSd[j] * randomNormal(random));
  const fadeIn = t5(uniform(random, 0, 0.6));
  const fadeOut = t5(duration - uniform(random, 3, Math.min(10, duration / 4)));

  // ---- beats, tatums and bars
  const period = 60 / tempo;
  const beatStarts: number[] = [];
  for (let t = fadeIn + uniform(random, 0, period); t < duration - 0.05; t += period * (1 + p.jitter * randomNormal(random))) {
    beatStarts.push(t5(t));
  }
  const { beats, tatums, barStarts, bars } = beatGrid(random, beatStarts, period, timeSignature, duration, p.confidenceFloor);

  // ---- sections: 4–8 (fewer when there are fewer bars), boundaries on bar starts
  const wanted = 4 + randomInt(random, 5);
  const weights = Array.from({ length: wanted }, () => 0.6 + 0.8 * random());
  const total = weights.reduce((s, w) => s + w, 0);
  const sectionStarts = [0];
  let acc = 0;
  for (let k = 0; k + 1 < wanted; k++) {
    acc += weights[k];
    const target = (acc / total) * duration;
    // the bar start nearest the target, after the previous boundary
    let best = -1;
    for (const b of barStarts) {
      if (b <= sectionStarts[sectionStarts.length - 1] + 1) continue;
      if (best < 0 || Math.abs(b - target) < Math.abs(best - target)) best = b;
    }
    if (best > 0 && best < duration - 1) sectionStarts.push(best);
  }
  const progressions = mode === 1 ? MAJOR_PROGRESSIONS : MINOR_PROGRESSIONS;
  const sections: (Section & { progression: [number, boolean][] })[] = sectionStarts.map((start, k) => {
    const end = k + 1 < sectionStarts.length ? sectionStarts[k + 1] : duration;
    const modulated = k > 0 && random() < p.modulation;
    const sectionKey = modulated ? (key + (random() < 0.5 ? 7 : 5)) % 12 : key;
    // dance: a quieter intro, then steady; folk: free dynamics
    const offset = style === 'dance' && k === 0 ? -3 : p.sectionLoudnessSd * randomNormal(random);
    return {
      start,
      duration: t5(end - start),
      confidence: k === 0 ? 1 : confidence(random, p.confidenceFloor),
      loudness: d3(loudness + offset),
      tempo: d3(tempo + 0.4 * randomNormal(random)),
      tempo_confidence: confidence(random, 0.2),
      key: sectionKey,
      key_confidence: confidence(random, 0),
      mode,
      mode_confidence: confidence(random, 0),
      time_signature: timeSignature,
      time_signature_confidence: confidence(random, 0.3),
      progression: progressions[randomInt(random, progressions.length)],
    };
  });
  const timbreSection = sections.map(() => timbreSong.map((m, j) => m + 0.4 * p.timbreSongSd[j] * randomNormal(random)));

  // ---- segments
  const segments: Segment[] = [];
  const meanLength = 1 / p.segmentRate;
  const sigma = 0.45;
  let section = 0;
  let bar = 0;
  let beat = 0;
  for (let start = 0; start < duration; ) {
    let length = clamp(meanLength * Math.exp(sigma * randomNormal(random) - (sigma * sigma) / 2), 0.06, 1.5);
    let end = t5(start + length);
    if (end > duration - 0.06) end = duration; // never leave a sliver at the end
    length = t5(end - start);
    while (section + 1 < sections.length && sections[section + 1].start <= start) section++;
    while (bar + 1 < barStarts.length && barStarts[bar + 1] <= start) bar++;
    while (beat + 1 < beatStarts.length && beatStarts[beat + 1] <= start) beat++;
    const s = sections[section];
    const onBeat = beatStarts.length > 0 && Math.abs(beatStarts[beat] - start) < 0.05;

    // loudness: section level, beat accents, fades
    let fade = 0;
    if (start < fadeIn) fade = 25 * (1 - start / Math.max(fadeIn, 1e-9));
    else if (start > fadeOut) fade = 25 * ((start - fadeOut) / Math.max(duration - fadeOut, 1e-9));
    const lmax = clamp(s.loudness! + (onBeat ? p.beatAccent : 0) + p.segmentLoudnessSd * randomNormal(random) - fade, -60, -0.05);
    const lstart = clamp(lmax - uniform(random, p.attack[0], p.attack[1]), -60, lmax);
    const isLast = end >= duration;

    // chroma: the bar's chord over the section's scale, plus broadband energy
    const [root, minor] = s.progression[bar % s.progression.length];
    const chordRoot = (s.key! + root) % 12;
    const chord = [chordRoot, (chordRoot + (minor ? 3 : 4)) % 12, (chordRoot + 7) % 12];
    const scale = (s.mode === 1 ? MAJOR_SCALE : MINOR_SCALE).map((d) => (s.key! + d) % 12);
    const pitches = segmentPitches(random, scale, chord, chordRoot, p.noiseChroma);

    // timbre: loudness-like first coefficient, the rest around the section's profile
    const tb = timbreSection[section];
    const timbre = new Array<number>(12);
    timbre[0] = d3(clamp(56 + 1.1 * lmax + SEGMENT_TIMBRE_SD[0] * randomNormal(random), 0, 60));
    for (let j = 1; j < 12; j++) {
      const accent = onBeat && (j === 2 || j === 3) ? 0.3 * tb[j] : 0; // percussive hits: brighter, denser
      timbre[j] = d3(clamp(tb[j] + accent + SEGMENT_TIMBRE_SD[j] * randomNormal(random), -200, 200));
    }

    segments.push({
      start,
      duration: length,
      confidence: start === 0 ? 1 : confidence(random, p.confidenceFloor * 0.5),
      loudness_start: d3(lstart),
      loudness_max_time: t5(Math.min(length * 0.8, uniform(random, 0.005, 0.09))),
      loudness_max: d3(lmax),
      loudness_end: isLast ? -60 : 0,
      pitches,
      timbre,
    });
    start = end;
  }

  const track = trackSection(random, { duration, fadeIn, fadeOut, loudness, tempo, meter: timeSignature, key, mode });
  const title = synthTitle(style, index);
  const meta = {
    analyzer_version: SYNTH_ANALYZER_VERSION,
    platform: 'songscope',
    detailed_status: 'OK',
    status_code: 0,
    timestamp: 0,
    analysis_time: 0,
    input_process: 'synthetic (no audio)',
    generator: 'songscope-synth',
    style,
    seed,
    index,
    title,
    artist: SYNTH_ARTIST,
    album: `Synthetic ${style}`,
  };
  return {
    meta,
    track,
    bars,
    beats,
    sections: sections.map(({ progression: _progression, ...rest }) => rest),
    segments,
    tatums,
  };
}

/**
 * Generate one analysis with its provenance, as {@link readAnalysisFile} would return it for the file
 * {@link writeSyntheticAlbum} writes (source `file`, as `meta.analyzer_version` is neither Spotify's 4.x
 * nor The Echo Nest's 3.x), except that `location` is `synth:` + the file's stem (`synth:01-dance`).
 *
 * @throws ParameterError for an unknown `style`, a `durationS` outside 5 … 3600 s, a non-finite `seed`, a
 *   negative or fractional `index`
 */
export function generateAnalysis(options: GenerateOptions): Analysis {
  return withSynthProvenance(generateAudioAnalysis(options), synthFileName(options.style, options.index ?? 0), SYNTH_ANALYZER_VERSION);
}

/**
 * Write `count` generated analyses of one style into `dir` (created if needed) as `01-dance.json`,
 * `02-dance.json`, …: plain audio-analysis JSON with title, artist and album in `meta`. Files are written
 * atomically; existing files of the same name are replaced.
 *
 * @returns the paths written, in track order
 * @throws ParameterError for bad options (`count` outside 1 … 99, and those of {@link generateAnalysis});
 *   SongscopeError (exit code 1) when a file cannot be written
 */
export async function writeSyntheticAlbum(dir: string, options: SyntheticAlbumOptions): Promise<string[]> {
  const { style, count } = options;
  if (!(Number.isInteger(count) && count >= 1 && count <= 99)) throw new ParameterError('count', String(count), 'an integer in [1, 99]');
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const audio = generateAudioAnalysis({ style, seed: options.seed, durationS: options.durationS, index });
    const path = join(dir, synthFileName(style, index));
    await writeFileAtomic(path, JSON.stringify(audio) + '\n');
    paths.push(path);
  }
  return paths;
}
