/**
 * The bench's stand-in for a real album from audio (it cannot ship music): 13 tracks of generated audio,
 * 0:10 to 7:00 long (49.5 minutes in all), as 44.1 kHz stereo 16-bit WAV — drums, a band (drums, chords,
 * bass), sustained chords, free notes, noise, silence, and tracks that change between them. Deterministic
 * (every generator seeded), built from the test suite's signal generators.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { SR, bandLoop, chord, drumPattern, midiHz, mix, silence, whiteNoise } from '../audio/signals.js';
import { TEST_CHORDS, arrhythmicNotes, chordSequence, groove } from '../audio/tonal-signals.js';
import { writeWav44 } from './lib.js';

/** Signals end to end. */
function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `count` chords of {@link TEST_CHORDS}, cycled, `chordS` s each. */
const chords = (count: number, chordS: number) =>
  chordSequence(Array.from({ length: count }, (_, i) => TEST_CHORDS[i % TEST_CHORDS.length]), chordS).samples;

/** The album: file name, what it holds, and its samples at {@link SR} (made on demand, one at a time). */
export const LOCAL_ALBUM: ReadonlyArray<{ name: string; what: string; make: () => Float32Array }> = [
  { name: '01-count-in', what: 'drums, 120 BPM, 0:10', make: () => drumPattern({ bpm: 120, durationS: 10, seed: 1 }).samples },
  { name: '02-long-band', what: 'band (drums, chords, bass), 110 BPM, 7:00', make: () => bandLoop({ bpm: 110, durationS: 420, seed: 2 }).samples },
  { name: '03-organ', what: 'sustained chords, 5 s each, no pulse, 3:30', make: () => chords(42, 5) },
  { name: '04-band', what: 'band, 120 BPM, 4:00', make: () => bandLoop({ bpm: 120, durationS: 240, seed: 4 }).samples },
  {
    name: '05-groove',
    what: 'groove with bass and a pickup beat, 96 BPM, 5:15',
    make: () =>
      groove({
        bpm: 96,
        durationS: 315,
        meter: 4,
        seed: 5,
        pickup: 1,
        bass: 'downbeat',
        drums: [{ kick: 0.6, hat: 0.2 }, { snare: 0.7, hat: 0.2 }, { kick: 0.6, hat: 0.2 }, { snare: 0.7, hat: 0.2 }],
      }).samples,
  },
  { name: '06-noise', what: 'white noise between 5 s of silence, 2:45', make: () => concat(silence(5).samples, whiteNoise(155, -20, 6).samples, silence(5).samples) },
  { name: '07-waltz', what: 'band in 3/4, 90 BPM drifting ±5 %, 6:10', make: () => bandLoop({ bpm: 90, durationS: 370, meter: 3, drift: 0.05, seed: 7 }).samples },
  { name: '08-silence', what: 'digital silence, 0:45', make: () => silence(45).samples },
  { name: '09-swing', what: 'swung drums, 140 BPM, 4:30', make: () => drumPattern({ bpm: 140, durationS: 270, swing: 2 / 3, seed: 9 }).samples },
  { name: '10-band-in-noise', what: 'band, 100 BPM, under noise at −30 dBFS, 3:55', make: () => mix(bandLoop({ bpm: 100, durationS: 235, seed: 10 }), whiteNoise(235, -30, 10)).samples },
  {
    name: '11-suite',
    what: 'free notes 1:00, band 124 BPM 2:40, chords 1:00, band 2:00 (6:40)',
    make: () =>
      concat(
        arrhythmicNotes(60, 11).samples,
        bandLoop({ bpm: 124, durationS: 160, seed: 11 }).samples,
        chords(12, 5),
        bandLoop({ bpm: 124, durationS: 120, seed: 12 }).samples,
      ),
  },
  {
    name: '12-two-chords',
    what: 'C major 0:40, silence 0:10, A minor 0:40 (1:30)',
    make: () => concat(chord([60, 64, 67].map(midiHz), 40).samples, silence(10).samples, chord([57, 60, 64].map(midiHz), 40).samples),
  },
  { name: '13-free-notes', what: 'notes of random pitch and length, no pulse, 3:20', make: () => arrhythmicNotes(200, 13).samples },
];

/** Write the album into `dir`; returns each file with its length and the total audio minutes. */
export function writeLocalAlbum(dir: string): { files: Array<{ path: string; durationS: number; what: string; bytes: number }>; audioMinutes: number } {
  mkdirSync(dir, { recursive: true });
  const files = LOCAL_ALBUM.map((t) => {
    const samples = t.make();
    const path = join(dir, `${t.name}.wav`);
    const bytes = writeWav44(path, samples, SR);
    return { path, durationS: samples.length / SR, what: t.what, bytes };
  });
  return { files, audioMinutes: files.reduce((m, f) => m + f.durationS, 0) / 60 };
}
