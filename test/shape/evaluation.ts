/**
 * The shape evaluation shared by the tests (a few songs) and `scripts/evaluate-shape.ts` (the full sets):
 * retrieval of same-label songs by shape (warped and direct) and by the time-averaged feature vectors
 * (`--by features`: Euclidean distance between the songs' vectors z-scored across the set, as `similar`
 * ranks them), on generated analyses and on what the local analyzer makes of generated audio.
 */
import type { AudioAnalysis } from '../../src/analysis/types.js';
import { analyzeSignal } from '../../src/audio/analyzer.js';
import { evaluate, type RetrievalScores } from '../../src/evaluate/shape.js';
import { eventColumnStats, eventGrid } from '../../src/matrix/events.js';
import { shapeDistances } from '../../src/shape/distance.js';
import { shapeFingerprint } from '../../src/shape/fingerprint.js';
import { EVALUATION_FORMS, generateFormSet, type FormSetKind } from '../../src/synth/forms.js';
import { euclideanDistances } from '../../src/transforms/points.js';
import { songVectors } from '../../src/transforms/songs.js';
import { createRandom, randomInt, subSeed } from '../../src/util/random.js';
import { renderFormAudio } from './form-audio.js';

/** A labelled song. */
export interface LabelledSong {
  analysis: AudioAnalysis;
  label: string;
}

/** Scores of one set by each way of ranking. */
export interface SetScores {
  songs: number;
  /** The default: warped shape distance. */
  shape: RetrievalScores;
  /** Shape, direct distance. */
  shapeDirect: RetrievalScores;
  /** The songs' time-averaged feature vectors, z-scored across the set, Euclidean. */
  features: RetrievalScores;
}

/** Score retrieval of same-label songs in a set, by shape and by features. */
export function scoreSet(songs: readonly LabelledSong[]): SetScores {
  const labels = songs.map((s) => s.label);
  const fingerprints = songs.map((s) => shapeFingerprint(s.analysis).values);
  const stats = songs.map((s) => {
    const g = eventGrid(s.analysis, 'full');
    const st = eventColumnStats(g);
    return { rows: g.rows, mean: st.mean, std: st.std };
  });
  return {
    songs: songs.length,
    shape: evaluate(shapeDistances(fingerprints, 'warped'), labels),
    shapeDirect: evaluate(shapeDistances(fingerprints, 'direct'), labels),
    features: evaluate(euclideanDistances(songVectors(stats, 'zscore-songs')), labels),
  };
}

/** A set of generated analyses (see `generateFormSet`). */
export function analysisSet(kind: FormSetKind, perGroup: number, seed: number, forms: readonly string[] = EVALUATION_FORMS): LabelledSong[] {
  return generateFormSet({ kind, perGroup, seed, forms }).map((s) => ({ analysis: s.analysis, label: s.label }));
}

/**
 * A set of generated audio, analysed by the local analyzer (see `./form-audio.ts`). `same-form`: `perGroup`
 * songs of each form, each rendered from its own seed (new material, key, tempo, orchestration and bars per
 * letter). `same-sound`: one group per form in `forms` (the number of groups), `perGroup` songs each sharing a
 * sound, each of a form drawn at random.
 */
export function audioSet(kind: FormSetKind, perGroup: number, seed: number, forms: readonly string[] = EVALUATION_FORMS): LabelledSong[] {
  const songs: LabelledSong[] = [];
  const pick = createRandom(subSeed(seed, 97));
  forms.forEach((groupForm, g) => {
    for (let i = 0; i < perGroup; i++) {
      const songSeed = subSeed(seed, songs.length);
      const audio =
        kind === 'same-form'
          ? renderFormAudio({ form: groupForm, seed: songSeed })
          : renderFormAudio({ form: forms[randomInt(pick, forms.length)], seed: songSeed, soundSeed: subSeed(seed, 1000 + g) });
      songs.push({ analysis: analyzeSignal(audio.samples), label: kind === 'same-form' ? groupForm : `sound ${g + 1}` });
    }
  });
  return songs;
}
