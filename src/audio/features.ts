/**
 * Frame features of a mono signal (the analyzer's second stage): one streaming pass over centred STFT frames
 * computes, per frame, the RMS loudness, a log-mel spectrum and a chroma vector; a cheap second pass over the
 * stored log-mel rows (not over the audio) adds the onset strength and the MFCCs. The full-resolution
 * spectrogram is never stored: only `frames × (nMel + 12 + nMfcc + 2)` floats are.
 *
 * Conventions (librosa's defaults unless stated):
 *  - Frames: `N_FFT` = 2048 samples, `HOP` = 512, **centred** (frame `i` is centred on sample `i × hop`),
 *    the signal **zero-padded** by `N_FFT / 2` at both ends (librosa ≥ 0.10's `pad_mode='constant'`);
 *    `frames = 1 + ⌊n / hop⌋` (0 for an empty signal). Periodic Hann window.
 *  - Spectrum: power `|X_k|²` of the window-normalised FFT (`X / Σw`), so a full-scale sine peaks at
 *    0.25 (−6 dB) in its bin.
 *  - Mel: `N_MEL` = 64 triangular filters, 30 Hz – 8 kHz, **Slaney** mel scale (linear below 1 kHz, logarithmic
 *    above) with Slaney area normalisation (librosa's `htk=False, norm='slaney'`). Values are
 *    `10·log10(max(mel power, 1e-10))` dB, then clipped from below at (global maximum − 80 dB)
 *    (librosa's `power_to_db(…, top_db=80)`), so silence and the quietest noise floor carry no detail.
 *  - Onset strength (librosa's `onset_strength` with `lag=1, max_size=1`, but **summed** over bands):
 *    `onset[t] = Σ_b max(0, mel[t − D][b] − mel[t − D − 1][b])` with a delay `D = ONSET_DELAY` = 1 frame
 *    (0 for `t < D + 1`). A centred 2048-sample frame "sees" an onset up to 1024 samples (2 hops) before it
 *    happens, and the log-mel rise is steepest as the onset enters the window; the 1-frame delay puts the
 *    envelope's peak within ±1 frame of the true onset for clicks and drum hits (librosa shifts by 2 frames;
 *    measured here, 1 frame aligns better for percussive onsets).
 *  - Chroma: every STFT bin from 55 Hz to 5 kHz is mapped to its nearest equal-tempered pitch (A4 = 440 Hz,
 *    no tuning estimate) and adds `power × cos²(π·d)` to that pitch's class, `d ∈ [−½, ½]` being its distance
 *    in semitones from the pitch: a bin exactly on a semitone counts fully, one half-way between two counts 0.
 *    C is class 0. The vector is non-negative and not normalised.
 *  - MFCC: `N_MFCC` = 13 coefficients (c0 … c12), orthonormal DCT-II of each (clipped) log-mel row (librosa's
 *    `mfcc(S=power_to_db(mel), dct_type=2, norm='ortho')`).
 *  - RMS: root mean square of the 2048 (zero-padded, unwindowed) samples of the frame, in dBFS
 *    (`20·log10(rms)`, floored at −100 dB; a full-scale sine ≈ −3 dB).
 *
 * Speed: two frames share one complex 2048-point FFT (frame t as the real part, t + 1 as the imaginary part,
 * separated by conjugate symmetry), ~30 % cheaper than two real transforms; mel and chroma use sparse weights.
 */
import FFT from 'fft.js';
import { ANALYSIS_SAMPLE_RATE, HOP, N_FFT, type FrameFeatures } from './types.js';

/** Mel bands of `FrameFeatures.mel`. */
export const N_MEL = 64;
/** Lowest and highest mel filter edges, Hz. */
export const MEL_FMIN = 30;
export const MEL_FMAX = 8000;
/** MFCCs per frame. */
export const N_MFCC = 13;
/** Dynamic range kept in the log-mel spectrum, dB below its global maximum. */
export const TOP_DB = 80;
/** Frames the onset envelope is delayed by (see the module comment). */
export const ONSET_DELAY = 1;
/** Chroma frequency range, Hz. */
export const CHROMA_FMIN = 55;
export const CHROMA_FMAX = 5000;

const AMIN = 1e-10;
/** 10 / ln 10: power ratio in nepers → dB. */
const DB_PER_NEPER = 10 / Math.LN10;
const RMS_FLOOR_DB = -100;

/** Hz → mel, Slaney scale (librosa `hz_to_mel(htk=False)`). */
export function hzToMel(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logStep : hz / fSp;
}

/** mel → Hz, Slaney scale (librosa `mel_to_hz(htk=False)`). */
export function melToHz(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : fSp * mel;
}

/** Centre frequency (Hz) of each mel band of `FrameFeatures.mel` (for other stages, e.g. low-band energy). */
export function melBandCentres(nMel = N_MEL, fmin = MEL_FMIN, fmax = MEL_FMAX): Float64Array {
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const out = new Float64Array(nMel);
  for (let m = 0; m < nMel; m++) out[m] = melToHz(lo + ((hi - lo) * (m + 1)) / (nMel + 1));
  return out;
}

/** A sparse filter: weights for FFT bins `start … start + weights.length − 1`. */
interface SparseFilter {
  start: number;
  weights: Float64Array;
}

function melFilterbank(sampleRate: number, nFft: number, nMel: number, fmin: number, fmax: number): SparseFilter[] {
  const nBins = nFft / 2 + 1;
  const lo = hzToMel(fmin);
  const hi = hzToMel(Math.min(fmax, sampleRate / 2));
  const edges = new Float64Array(nMel + 2);
  for (let i = 0; i < nMel + 2; i++) edges[i] = melToHz(lo + ((hi - lo) * i) / (nMel + 1));
  const filters: SparseFilter[] = [];
  for (let m = 0; m < nMel; m++) {
    const f0 = edges[m];
    const f1 = edges[m + 1];
    const f2 = edges[m + 2];
    const enorm = 2 / (f2 - f0);
    const w: number[] = [];
    let start = -1;
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const lower = (f - f0) / (f1 - f0);
      const upper = (f2 - f) / (f2 - f1);
      const v = Math.max(0, Math.min(lower, upper)) * enorm;
      if (v > 0) {
        if (start < 0) start = k;
        // Fill any interior gap (cannot happen for triangles, kept for safety).
        while (start + w.length < k) w.push(0);
        w.push(v);
      }
    }
    if (start < 0) {
      // A band narrower than a bin: give it the nearest bin (keeps every band finite and meaningful).
      const k = Math.min(nBins - 1, Math.max(0, Math.round((f1 * nFft) / sampleRate)));
      filters.push({ start: k, weights: Float64Array.of(enorm) });
    } else {
      filters.push({ start, weights: Float64Array.from(w) });
    }
  }
  return filters;
}

interface ChromaMap {
  start: number;
  /** Pitch class (0 = C) of bins `start …`. */
  pc: Uint8Array;
  weight: Float64Array;
}

function chromaMap(sampleRate: number, nFft: number): ChromaMap {
  const kLo = Math.max(1, Math.ceil((CHROMA_FMIN * nFft) / sampleRate));
  const kHi = Math.min(nFft / 2, Math.floor((Math.min(CHROMA_FMAX, sampleRate / 2) * nFft) / sampleRate));
  const n = Math.max(0, kHi - kLo + 1);
  const pc = new Uint8Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = ((kLo + i) * sampleRate) / nFft;
    const midi = 69 + 12 * Math.log2(f / 440);
    const nearest = Math.round(midi);
    const d = midi - nearest;
    pc[i] = ((nearest % 12) + 12) % 12;
    const c = Math.cos(Math.PI * d);
    weight[i] = c * c;
  }
  return { start: kLo, pc, weight };
}

function dctMatrix(nMfcc: number, nMel: number): Float64Array {
  const m = new Float64Array(nMfcc * nMel);
  for (let k = 0; k < nMfcc; k++) {
    const scale = k === 0 ? Math.sqrt(1 / nMel) : Math.sqrt(2 / nMel);
    for (let j = 0; j < nMel; j++) m[k * nMel + j] = scale * Math.cos((Math.PI * k * (j + 0.5)) / nMel);
  }
  return m;
}

/** Window the frame starting at sample `s0` (zero outside the signal) into every other slot of `pair` from `offset`. */
function windowInto(pair: Float64Array, offset: number, x: Float32Array, s0: number, win: Float64Array): void {
  const nFft = win.length;
  const n = x.length;
  if (s0 >= 0 && s0 + nFft <= n) {
    for (let i = 0, j = offset; i < nFft; i++, j += 2) pair[j] = x[s0 + i] * win[i];
  } else {
    for (let i = 0, j = offset; i < nFft; i++, j += 2) {
      const k = s0 + i;
      pair[j] = k >= 0 && k < n ? x[k] * win[i] : 0;
    }
  }
}

/**
 * Power spectra (bins 0 … N/2) of two real frames from the FFT `Z` of `A + iB`:
 * `A_k = (Z_k + conj Z_{N−k}) / 2`, `B_k = (Z_k − conj Z_{N−k}) / 2i`.
 */
function splitPair(spec: Float64Array, nFft: number, powerA: Float64Array, powerB: Float64Array): void {
  const nBins = powerA.length;
  for (let k = 0; k < nBins; k++) {
    const zr = spec[2 * k];
    const zi = spec[2 * k + 1];
    const nk = k === 0 ? 0 : nFft - k;
    const wr = spec[2 * nk];
    const wi = spec[2 * nk + 1];
    const ar = zr + wr;
    const ai = zi - wi;
    const br = zr - wr;
    const bi = zi + wi;
    powerA[k] = 0.25 * (ar * ar + ai * ai);
    powerB[k] = 0.25 * (br * br + bi * bi);
  }
}

/** One log-mel row (unclipped dB) into `mel[mo …]`; returns its maximum. */
function melRow(
  power: Float64Array,
  fStart: Int32Array,
  fEnd: Int32Array,
  fOff: Int32Array,
  fW: Float64Array,
  mel: Float32Array,
  mo: number,
): number {
  let rowMax = -Infinity;
  for (let m = 0; m < fStart.length; m++) {
    const off = fOff[m];
    let acc = 0;
    for (let k = fStart[m], end = fEnd[m]; k < end; k++) acc += fW[off + k] * power[k];
    const db = DB_PER_NEPER * Math.log(acc > AMIN ? acc : AMIN);
    mel[mo + m] = db;
    if (db > rowMax) rowMax = db;
  }
  return rowMax;
}

/** One chroma row into `chroma[co …]` (weights grouped by pitch class). */
function chromaRow(power: Float64Array, cOff: Int32Array, cBin: Int32Array, cW: Float64Array, chroma: Float32Array, co: number): void {
  for (let pc = 0; pc < 12; pc++) {
    let acc = 0;
    for (let j = cOff[pc], end = cOff[pc + 1]; j < end; j++) acc += cW[j] * power[cBin[j]];
    chroma[co + pc] = acc;
  }
}

/**
 * Frame features of `samples` (mono, normally at `ANALYSIS_SAMPLE_RATE`). Non-finite samples count as 0.
 * See the module comment for every convention.
 */
export function computeFrameFeatures(samples: Float32Array, sampleRate: number = ANALYSIS_SAMPLE_RATE): FrameFeatures {
  const n = samples.length;
  const hop = HOP;
  const nFft = N_FFT;
  const half = nFft / 2;
  const nBins = half + 1;
  const frames = n > 0 ? 1 + Math.floor(n / hop) : 0;
  const nMel = N_MEL;
  const nMfcc = N_MFCC;

  const rmsDb = new Float32Array(frames);
  const onset = new Float32Array(frames);
  const mel = new Float32Array(frames * nMel);
  const chroma = new Float32Array(frames * 12);
  const mfcc = new Float32Array(frames * nMfcc);

  // The signal as read (a cleaned copy only if it holds non-finite values) and the energy of each hop-long
  // block (a frame is `N_FFT / hop` = 4 whole blocks, so its energy is a sum of 4 block energies).
  const nBlocks = Math.ceil(n / hop) + 1;
  const blockSq = new Float64Array(nBlocks);
  let total = 0;
  for (let b = 0, i = 0; i < n; b++) {
    const end = Math.min(n, i + hop);
    let acc = 0;
    for (; i < end; i++) acc += samples[i] * samples[i];
    blockSq[b] = acc;
    total += acc;
  }
  const clean = Number.isFinite(total);
  const x: Float32Array = clean ? samples : new Float32Array(n);
  if (!clean) {
    for (let i = 0; i < n; i++) x[i] = Number.isFinite(samples[i]) ? samples[i] : 0;
    for (let b = 0, i = 0; i < n; b++) {
      const end = Math.min(n, i + hop);
      let acc = 0;
      for (; i < end; i++) acc += x[i] * x[i];
      blockSq[b] = acc;
    }
  }
  const blocksPerFrame = Math.round(nFft / hop);
  const firstBlockOffset = Math.round(half / hop);

  // Periodic Hann window, pre-divided by its sum (window normalisation of the spectrum).
  const win = new Float64Array(nFft);
  let wSum = 0;
  for (let i = 0; i < nFft; i++) {
    win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
    wSum += win[i];
  }
  for (let i = 0; i < nFft; i++) win[i] /= wSum;

  const fft = new FFT(nFft);
  // Two frames per complex FFT: frame t in the real part, frame t + 1 in the imaginary part.
  const pair = new Float64Array(2 * nFft);
  const spec = new Float64Array(2 * nFft);
  const powerA = new Float64Array(nBins);
  const powerB = new Float64Array(nBins);
  const cmap = chromaMap(sampleRate, nFft);
  const cLen = cmap.pc.length;
  const filters = melFilterbank(sampleRate, nFft, nMel, MEL_FMIN, MEL_FMAX);
  const fStart = new Int32Array(nMel);
  const fEnd = new Int32Array(nMel);
  const fOff = new Int32Array(nMel);
  let totalW = 0;
  for (let m = 0; m < nMel; m++) {
    fStart[m] = filters[m].start;
    fEnd[m] = filters[m].start + filters[m].weights.length;
    fOff[m] = totalW - filters[m].start;
    totalW += filters[m].weights.length;
  }
  const fW = new Float64Array(totalW);
  for (let m = 0; m < nMel; m++) fW.set(filters[m].weights, fOff[m] + fStart[m]);
  // Chroma weights grouped by pitch class: bins `cBin[cOff[pc] … cOff[pc + 1] − 1]` with weights `cW[…]`.
  const cOff = new Int32Array(13);
  for (let i = 0; i < cLen; i++) cOff[cmap.pc[i] + 1]++;
  for (let pc = 0; pc < 12; pc++) cOff[pc + 1] += cOff[pc];
  const cBin = new Int32Array(cLen);
  const cW = new Float64Array(cLen);
  {
    const fill = cOff.slice(0, 12);
    for (let i = 0; i < cLen; i++) {
      const j = fill[cmap.pc[i]]++;
      cBin[j] = cmap.start + i;
      cW[j] = cmap.weight[i];
    }
  }

  let melMax = -Infinity;
  for (let t = 0; t < frames; t += 2) {
    windowInto(pair, 0, x, t * hop - half, win);
    if (t + 1 < frames) windowInto(pair, 1, x, (t + 1) * hop - half, win);
    else for (let i = 1; i < 2 * nFft; i += 2) pair[i] = 0;
    fft.transform(spec, pair);
    splitPair(spec, nFft, powerA, powerB);
    for (let u = t; u < t + 2 && u < frames; u++) {
      const power = u === t ? powerA : powerB;
      // RMS over the zero-padded frame (blocks u − 2 … u + 1).
      let energy = 0;
      for (let j = u - firstBlockOffset, e = j + blocksPerFrame; j < e; j++) if (j >= 0 && j < nBlocks) energy += blockSq[j];
      const rms = Math.sqrt(Math.max(0, energy) / nFft);
      rmsDb[u] = rms > 0 ? Math.max(RMS_FLOOR_DB, 20 * Math.log10(rms)) : RMS_FLOOR_DB;
      const rowMax = melRow(power, fStart, fEnd, fOff, fW, mel, u * nMel);
      if (rowMax > melMax) melMax = rowMax;
      chromaRow(power, cOff, cBin, cW, chroma, u * 12);
    }
  }

  // Second pass over the stored log-mel rows: clip to TOP_DB, onset strength, MFCC.
  if (frames > 0) {
    const floor = melMax - TOP_DB;
    for (let i = 0; i < mel.length; i++) if (mel[i] < floor) mel[i] = floor;
    for (let t = ONSET_DELAY + 1; t < frames; t++) {
      const cur = (t - ONSET_DELAY) * nMel;
      const prev = cur - nMel;
      let acc = 0;
      for (let m = 0; m < nMel; m++) {
        const d = mel[cur + m] - mel[prev + m];
        if (d > 0) acc += d;
      }
      onset[t] = acc;
    }
    const dct = dctMatrix(nMfcc, nMel);
    for (let t = 0; t < frames; t++) {
      const mo = t * nMel;
      const oo = t * nMfcc;
      for (let k = 0; k < nMfcc; k++) {
        const ko = k * nMel;
        let acc = 0;
        for (let m = 0; m < nMel; m++) acc += dct[ko + m] * mel[mo + m];
        mfcc[oo + k] = acc;
      }
    }
  }

  return { sampleRate, hop, frames, rmsDb, onset, nMel, mel, chroma, nMfcc, mfcc };
}
