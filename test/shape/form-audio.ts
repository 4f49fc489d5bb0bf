/**
 * Generated audio of songs with a known form (`AABA`, `ABABCB` …), for evaluating the shape fingerprint on
 * what the local analyzer makes of real sound. Mono, 22,050 Hz, deterministic (seeded).
 *
 * Per song, every letter's material is drawn afresh: a four-chord progression in the key (one chord a bar),
 * an instrument for the chords (3 … 12 harmonics; struck and decaying, or sustained), how often the chord is
 * struck (1, 2 or 4 times a bar), a bass line or not, a drum pattern (hi-hats on quarters, eighths or
 * sixteenths, a kick on 1 or on 1 and 3, a snare on 2 and 4 or none) and a level (−6 … 0 dB). Different
 * letters of one song never share their instrument and strike rate both, and differ in at least two chords.
 * Then the whole song is transposed (key 0 … 11), played at a tempo of 110 × s BPM (s log-uniform 0.7 … 1.4;
 * moved just enough to keep the song 60 … 120 s long),
 * re-orchestrated (every instrument's harmonics scaled by 0.6 … 1.4, the drums' level by −6 … +3 dB) and its
 * letters lengthened (6, 8 or 12 bars each, drawn per letter).
 *
 * With a `soundSeed`, songs share a sound instead (key, tempo, orchestration, one chord instrument): the
 * "same sound, other forms" set.
 */
import { createRandom, randomInt, subSeed, type Random } from '../../src/util/random.js';
import { SR } from '../audio/signals.js';
import { addNote, midiHz, normalize } from '../audio/tonal-signals.js';
import { parseForm } from '../../src/synth/forms.js';

/** Tempo of a song stretched by 1, BPM. */
export const AUDIO_FORM_BASE_BPM = 110;
/** Bars a letter may last. */
export const AUDIO_FORM_BARS: readonly number[] = [6, 8, 12];

export interface FormAudioOptions {
  form: string;
  seed?: number;
  /** Fix the key (0 … 11); default drawn. */
  key?: number;
  /** Fix the tempo, BPM; default drawn. */
  tempoBpm?: number;
  /** Fix the bars of letters; default drawn per letter. */
  bars?: Readonly<Record<string, number>>;
  /** Seed of the letters' material; default from `seed`. */
  materialSeed?: number;
  /**
   * Seed of a shared sound: songs with the same `soundSeed` share their key, tempo, orchestration and one
   * chord instrument (harmonics, decay, register) for every part; their parts still differ in chords, strike
   * rate, bass and drums. Default: none (every song and part its own sound).
   */
  soundSeed?: number;
}

export interface FormAudio {
  samples: Float32Array;
  form: string;
  key: number;
  tempoBpm: number;
  /** Start of each part, seconds. */
  partStartsS: number[];
  durationS: number;
}

interface AudioPart {
  degrees: number[];
  harmonics: number;
  decayS: number;
  strikes: number;
  octave: number;
  bass: boolean;
  hats: number;
  kickOn3: boolean;
  snare: boolean;
  gain: number;
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

function drawAudioPart(random: Random): AudioPart {
  return {
    degrees: [randomInt(random, 7), randomInt(random, 7), randomInt(random, 7), randomInt(random, 7)],
    harmonics: 3 + randomInt(random, 10),
    decayS: random() < 0.5 ? 0.25 + 0.5 * random() : Infinity,
    strikes: [1, 2, 4][randomInt(random, 3)],
    octave: random() < 0.5 ? 4 : 5,
    bass: random() < 0.6,
    hats: [1, 2, 4][randomInt(random, 3)],
    kickOn3: random() < 0.5,
    snare: random() < 0.7,
    gain: 10 ** ((-6 * random()) / 20),
  };
}

/** Two parts are different material: at least two chords differ, and so does their sound (with a shared instrument: their rhythm). */
function distinctAudioParts(a: AudioPart, b: AudioPart, sharedInstrument: boolean): boolean {
  const chords = a.degrees.filter((d, i) => d !== b.degrees[i]).length;
  const sameSound = sharedInstrument
    ? a.strikes === b.strikes && a.hats === b.hats && a.bass === b.bass
    : Math.abs(a.harmonics - b.harmonics) < 3 && Number.isFinite(a.decayS) === Number.isFinite(b.decayS) && a.strikes === b.strikes;
  return chords >= 2 && !sameSound;
}

function drum(buf: Float32Array, t: number, kind: 'kick' | 'snare' | 'hat', amp: number, random: Random): void {
  const start = Math.round(t * SR);
  const len = Math.round((kind === 'kick' ? 0.3 : kind === 'snare' ? 0.18 : 0.05) * SR);
  const decay = Math.exp(-1 / ((kind === 'kick' ? 0.12 : kind === 'snare' ? 0.06 : 0.015) * SR));
  let env = amp;
  let phase = 0;
  let prev = 0;
  for (let i = 0; i < len && start + i < buf.length; i++, env *= decay) {
    let v: number;
    if (kind === 'kick') {
      phase += (2 * Math.PI * (50 + 100 * Math.exp(-i / (0.04 * SR)))) / SR;
      v = Math.sin(phase);
    } else {
      const w = 2 * random() - 1;
      v = kind === 'hat' ? 0.5 * (w - prev) : w;
      prev = w;
    }
    if (start + i >= 0) buf[start + i] += env * (i < 16 ? i / 16 : 1) * v;
  }
}

/**
 * Render a song of the given form (see the module comment). Deterministic for the same options.
 *
 * @throws RangeError for a malformed form
 */
export function renderFormAudio(options: FormAudioOptions): FormAudio {
  const letters = parseForm(options.form);
  const seed = options.seed ?? 0;
  const transform = createRandom(options.soundSeed ?? subSeed(seed, 1));
  const material = createRandom(options.materialSeed ?? subSeed(seed, 2));
  const random = createRandom(subSeed(seed, 3));

  const key = options.key ?? randomInt(transform, 12);
  const minor = transform() < 0.5;
  const stretch = Math.exp(Math.log(0.7) + (Math.log(1.4) - Math.log(0.7)) * transform());
  const drawnTempo = AUDIO_FORM_BASE_BPM * stretch;
  const brightness = 0.6 + 0.8 * transform();
  const drumGain = 10 ** ((-6 + 9 * transform()) / 20);
  const distinct = [...new Set(letters)].sort();
  const sound = options.soundSeed !== undefined ? drawAudioPart(transform) : undefined;
  const lengths = createRandom(subSeed(seed, 4));
  const drawnBars = new Map(distinct.map((l) => [l, AUDIO_FORM_BARS[randomInt(lengths, AUDIO_FORM_BARS.length)]]));
  const barsOf = (l: string) => options.bars?.[l] ?? drawnBars.get(l)!;

  const parts = new Map<string, AudioPart>();
  const drawn: AudioPart[] = [];
  const draw = (): AudioPart => {
    const p = drawAudioPart(material);
    return sound ? { ...p, harmonics: sound.harmonics, decayS: sound.decayS, octave: sound.octave } : p;
  };
  for (let c = 0; c < 26 && parts.size < distinct.length; c++) {
    let p = draw();
    for (let tries = 1; tries < 50 && !drawn.every((q) => distinctAudioParts(p, q, sound !== undefined)); tries++) p = draw();
    drawn.push(p);
    const letter = String.fromCharCode(65 + c);
    if (distinct.includes(letter)) parts.set(letter, p);
  }

  const totalBars = letters.reduce((s, l) => s + barsOf(l), 0);
  // keep the song 60 … 120 s long: a drawn tempo that would leave that range is moved to its edge
  const tempo = options.tempoBpm ?? Math.min(Math.max(drawnTempo, (totalBars * 240) / 120), (totalBars * 240) / 60);
  const beatS = 60 / tempo;
  const barS = 4 * beatS;
  const durationS = 0.25 + totalBars * barS + 1;
  const buf = new Float32Array(Math.round(durationS * SR));
  const scale = (minor ? MINOR : MAJOR).map((d) => (d + key) % 12);
  const partStartsS: number[] = [];
  let t = 0.25;
  for (const letter of letters) {
    partStartsS.push(partStartsS.length === 0 ? 0 : t);
    const p = parts.get(letter)!;
    const harmonics = Math.max(1, Math.round(p.harmonics * brightness));
    for (let bar = 0; bar < barsOf(letter); bar++, t += barS) {
      const degree = p.degrees[bar % 4];
      const rootPc = scale[degree];
      const chord = [rootPc, scale[(degree + 2) % 7], scale[(degree + 4) % 7]];
      const base = 12 * p.octave;
      const strikeS = barS / p.strikes;
      for (let s = 0; s < p.strikes; s++) {
        for (const pc of chord) {
          addNote(buf, t + s * strikeS, strikeS, midiHz(base + pc), 0.1 * p.gain, { harmonics, decayS: p.decayS, rampS: 0.005 });
        }
      }
      if (p.bass) addNote(buf, t, barS, midiHz(36 + rootPc), 0.15 * p.gain, { harmonics: 3, decayS: 0.8, rampS: 0.005 });
      for (let b = 0; b < 4; b++) {
        const bt = t + b * beatS;
        if (b === 0 || (p.kickOn3 && b === 2)) drum(buf, bt, 'kick', 0.5 * drumGain, random);
        if (p.snare && (b === 1 || b === 3)) drum(buf, bt, 'snare', 0.25 * drumGain, random);
        for (let h = 0; h < p.hats; h++) drum(buf, bt + (h * beatS) / p.hats, 'hat', 0.12 * drumGain, random);
      }
    }
  }
  return { samples: normalize(buf), form: letters.join(''), key, tempoBpm: tempo, partStartsS, durationS };
}
