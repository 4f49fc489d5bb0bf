/**
 * Rhythm of a signal from its frame features (the analyzer's third stage): global tempo, beats, meter,
 * bars and tatums, each event with a confidence in [0, 1].
 *
 * Method (librosa's `beat.tempo` / `beat.beat_track`, Ellis 2007, with a few additions):
 *  1. **Onset envelope**: the log-mel flux of `features.mel` (as `features.onset`, whose peaks sit within a frame
 *     of the onsets) summed within four sub-bands (< 200 Hz, 200–800 Hz, 0.8–3 kHz, > 3 kHz), each sub-band
 *     envelope divided by its standard deviation, then summed. A snare or hi-hat spans far more mel bands than a
 *     kick or a bass note; unbalanced, they dominate the envelope and a kick/snare alternation at 160 BPM reads
 *     as 80 BPM. (`features.onset` itself is not used here: balancing fixed those half-tempo errors on unaccented
 *     drums and band mixes at 160–180 BPM and a double-tempo error at 60 BPM, and changed no other test outcome.)
 *  2. **Tempo.** The envelope, lightly smoothed ([¼ ½ ¼]) and detrended (minus a 4 s moving average), is
 *     autocorrelated (unbiased, normalised by lag 0) over lags of 40–220 BPM. Each local maximum is weighted by
 *     a log-normal prior `exp(−½·(log2(bpm / 120) / 1)²)` (librosa's `start_bpm=120, std_bpm=1`), the best one
 *     refined by parabolic interpolation to a fractional lag. Octave decision: the autocorrelation of a pulse
 *     is as strong at its multiples, so the prior alone halves fast tempos (a 180 BPM click track scores
 *     higher at 90); a faster related period (½ or ⅓ of the lag) replaces the winner while its own
 *     autocorrelation is at least `OCTAVE_RATIO` (0.6) of the winner's and it stays ≤ `FAST_MAX_BPM` (210).
 *     Off-beat hi-hats (eighths) give the half period only a fraction of the beat's autocorrelation, so drum
 *     patterns keep their beat.
 *  3. **Beats.** Dynamic programming over frames (Ellis 2007): local score = envelope / std, smoothed by a
 *     Gaussian of σ = period / 32; `cum[i] = local[i] + max_j (cum[j] − TIGHTNESS·ln((i − j) / period)²)` over
 *     predecessors `j ∈ [i − 2·period, i − period / 2]`, `TIGHTNESS` = 100 (librosa's; it follows ±5 % tempo
 *     drift easily); the last beat is the last local maximum of `cum` above half their median; backtrack.
 *     Weak leading/trailing beats are trimmed (librosa's rule: a beat whose Hann-smoothed local score is below
 *     half the RMS of those scores). Each beat frame then moves to the strongest envelope peak within ±2 frames
 *     (±46 ms) and gets a sub-frame offset by parabolic interpolation of the envelope, minus `ONSET_LAG_S`
 *     (6 ms, the envelope peak's measured lag after sharp onsets): beats land within ±5 ms (5th–95th
 *     percentile) of synthetic drum and click onsets.
 *  4. **Reported tempo** = 60 / mean of the inter-beat intervals within [0.7, 1.4] × the tracked period
 *     (the average beat duration, as Spotify's `tempo`); the autocorrelation tempo when fewer than 4 beats.
 *  5. **Meter and beat accent.** Each beat gets three accent features, z-scored over the beats: the envelope
 *     peak at the beat, the loudest RMS dB and the loudest low-band (< 150 Hz) log-mel level just after it. For
 *     `m` ∈ {2, 3, 4} beats per bar, `score(m)` = Σ over features of the share of the feature's variance that the
 *     beat position modulo `m` explains, corrected for chance (epsilon², ≈ 0 without `m`-periodic accents).
 *     3 wins when `score(3) > max(score(2), score(4))`, otherwise 4 (2/4 is reported as 4). The beat accent is
 *     `Σ w_f · z_f`, `w_f` = the feature's epsilon² at the winning `m` (features without that periodicity do not
 *     count); the low band counts only when it correlates positively with loudness (a kick or bass note on the
 *     downbeat, not the spectral leakage of an unaccented click).
 *  5b. **Downbeat phase** (which of the `timeSignature` beat phases starts the bars): the loudest beat is often not
 *     the first of the bar (a backbeat snare on 2 and 4, a big hit on 3), so three pieces of evidence vote, each
 *     turned into one value per phase, z-scored across the phases and multiplied by its own chance-corrected
 *     reliability (≈ 0 when it has no bar-periodic structure), then summed with `DOWNBEAT_WEIGHTS`:
 *     - harmony, weight 1 (the chord-change rhythm): beat-synchronous chroma (per-pitch-class median of
 *       `features.chroma` over each beat's onset-free frames, its flat floor removed, unit length); for each phase,
 *       `W` = the mean squared distance of the beats' chroma from their bar's mean chroma. With the right phase
 *       every bar holds one chord and `W` is smallest. Reliability: the best adjusted R² of the bar grouping
 *       (`1 − MS_within / MS_total`) over `HARMONY_FULL_R2` (0.5), at most 1. A loop that repeats every bar or
 *       faster (pitched kick and snare) leaves `W` nearly equal across phases and R² ≈ 0, so drums alone hardly
 *       vote here;
 *     - bass onsets, weight 1: the log-mel flux of the bands below 150 Hz that are within 25 dB of the frame's
 *       loudest band, at each beat (a kick or a bass note lands on 1);
 *     - accent, weight 0.5: the beat accent above.
 *     The two per-beat streams are winsorised (robust z, clipped at ±3: the first beat out of silence is no
 *     outlier that flattens the rest), averaged per phase, and weighted by their epsilon² at `timeSignature`.
 *     The highest sum wins (ties: the earliest phase). Downbeats are the beats of that phase; bars span
 *     `timeSignature` beats from each downbeat (beats before the first downbeat form no bar; the last bar may be
 *     short). 5, 6 and 7 are never reported.
 *  6. **Tatums.** Two per beat (at the beat and half-way), three (at the thirds) when the envelope averaged
 *     at the beat thirds is clearly stronger (× 1.5) than at the halves (swing / compound subdivision).
 *  7. **No pulse.** No envelope energy, fewer than 2 s of frames, or a best autocorrelation below
 *     max(0.1, 4 / √frames) (the noise level of a random envelope): tempo 0 and no beats, bars or tatums.
 *
 * Confidences (all in [0, 1]):
 *  - tempo: the normalised autocorrelation at the tempo lag, clipped to [0, 1];
 *  - beat / tatum: `(p − b) / (p + b)` clipped to [0, 1], `p` the envelope peak at the event (±1 frame) and
 *    `b` the median of the envelope (its background level): an onset 9 × the background → 0.8, none → 0;
 *  - time signature: `((s − max(o, 0)) / s) · min(1, 2s)` with `s` the winning score (3 vs 4, see 5.) and `o`
 *    the other's (0 when `s ≤ 0`): large when one meter's accents stand out clearly and the other's do not;
 *  - bar: the confidence of its first beat × (0.5 + 0.5 × the time-signature confidence).
 */
import { melBandCentres, ONSET_DELAY } from './features.js';
import type { FrameFeatures, RhythmAnalysis, TimedEvent } from './types.js';

export const MIN_BPM = 40;
export const MAX_BPM = 220;
/** Centre and width (octaves) of the log-normal tempo prior. */
export const PRIOR_BPM = 120;
export const PRIOR_OCTAVES = 1;
/** A faster related period replaces the winner when its autocorrelation is at least this share of the winner's. */
export const OCTAVE_RATIO = 0.6;
/** …and when its tempo stays at or below this. */
export const FAST_MAX_BPM = 210;
/** DP transition tightness (librosa's default). */
export const TIGHTNESS = 100;

const LOW_BAND_HZ = 150;
/**
 * A low band's rise counts as a bass onset only while the band is within this many dB of the frame's loudest band
 * (at the downbeats of the test material a kick or a bass note is the loudest band; the low-band leakage of a
 * 1–1.6 kHz click, which must not count, sits 32–47 dB below).
 */
const BASS_RANGE_DB = 25;
/** Robust z-scores of a downbeat evidence stream are clipped to ± this. */
const WINSOR_Z = 3;
/**
 * Adjusted R² of the bar grouping at which the chord-change vote counts fully (measured: ≤ 0.10 on the click tracks
 * and drum loops of the tests, where the grouping means nothing; 0.80–0.95 on band loops with one chord a bar).
 */
const HARMONY_FULL_R2 = 0.5;
/**
 * How late the interpolated envelope peak sits after a sharp onset (measured: +6 ms on average for clicks,
 * drums and a band mix at −90 … −60 dB noise floors, spread ±5 ms); subtracted from every beat time.
 */
export const ONSET_LAG_S = 0.006;

function emptyRhythm(): RhythmAnalysis {
  return { tempo: 0, tempoConfidence: 0, timeSignature: 4, timeSignatureConfidence: 0, beats: [], bars: [], tatums: [] };
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/** Sub-sample offset in [−½, ½] of the extremum of a parabola through three points (0 when not a peak). */
function parabolicOffset(ym: number, y0: number, yp: number): number {
  const den = ym - 2 * y0 + yp;
  if (!(den < 0)) return 0;
  const d = (0.5 * (ym - yp)) / den;
  return Number.isFinite(d) ? Math.max(-0.5, Math.min(0.5, d)) : 0;
}

function median(values: ArrayLike<number>): number {
  const a = Array.from(values).filter(Number.isFinite).sort((x, y) => x - y);
  if (a.length === 0) return 0;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : 0.5 * (a[m - 1] + a[m]);
}

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0 };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}

/** Centred moving average of width `w` (odd), edges averaged over the available samples. */
function movingAverage(x: Float64Array, w: number): Float64Array {
  const n = x.length;
  const half = Math.max(0, Math.floor(w / 2));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + x[i];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = (prefix[b] - prefix[a]) / (b - a);
  }
  return out;
}

/** Normalised unbiased autocorrelation `r[l] / r[0]` for lags 0 … maxLag. */
function autocorrelation(x: Float64Array, maxLag: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(maxLag + 1);
  for (let l = 0; l <= maxLag; l++) {
    let acc = 0;
    for (let i = 0, e = n - l; i < e; i++) acc += x[i] * x[i + l];
    out[l] = acc / (n - l);
  }
  const r0 = out[0];
  if (!(r0 > 0)) return new Float64Array(maxLag + 1);
  for (let l = 0; l <= maxLag; l++) out[l] /= r0;
  return out;
}

/** Value of `ac` at a fractional lag by parabolic peak refinement around the nearest local maximum of `ac`. */
function refinePeak(ac: Float64Array, lag: number): { lag: number; value: number } {
  let l = Math.round(lag);
  if (l < 1 || l >= ac.length - 1) return { lag, value: l >= 0 && l < ac.length ? ac[l] : 0 };
  // Climb to the local maximum (at most 2 steps either way).
  for (let step = 0; step < 2; step++) {
    if (l + 1 < ac.length - 1 && ac[l + 1] > ac[l]) l++;
    else if (l - 1 >= 1 && ac[l - 1] > ac[l]) l--;
    else break;
  }
  const d = parabolicOffset(ac[l - 1], ac[l], ac[l + 1]);
  const value = ac[l] - 0.25 * (ac[l - 1] - ac[l + 1]) * d;
  return { lag: l + d, value };
}

interface TempoEstimate {
  /** Period in frames (fractional), 0 when no pulse. */
  period: number;
  strength: number;
}

function estimateTempo(env: Float64Array, fps: number): TempoEstimate {
  const n = env.length;
  const smooth = new Float64Array(n);
  for (let i = 0; i < n; i++) smooth[i] = 0.25 * env[Math.max(0, i - 1)] + 0.5 * env[i] + 0.25 * env[Math.min(n - 1, i + 1)];
  const trend = movingAverage(smooth, 2 * Math.round(2 * fps) + 1);
  for (let i = 0; i < n; i++) smooth[i] -= trend[i];
  const lagMin = Math.max(2, Math.floor((60 * fps) / MAX_BPM));
  const lagMaxWanted = Math.ceil((60 * fps) / MIN_BPM) + 2;
  const maxLag = Math.min(lagMaxWanted, Math.floor(n / 2));
  if (maxLag <= lagMin + 1) return { period: 0, strength: 0 };
  const ac = autocorrelation(smooth, maxLag);
  let best = -1;
  let bestScore = -Infinity;
  for (let l = lagMin; l < maxLag; l++) {
    if (!(ac[l] > 0 && ac[l] >= ac[l - 1] && ac[l] >= ac[l + 1])) continue;
    const bpm = (60 * fps) / l;
    if (bpm < MIN_BPM || bpm > MAX_BPM) continue;
    const z = Math.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES;
    const score = ac[l] * Math.exp(-0.5 * z * z);
    if (score > bestScore) {
      bestScore = score;
      best = l;
    }
  }
  if (best < 0) return { period: 0, strength: 0 };
  let peak = refinePeak(ac, best);
  // Octave decision: prefer a faster related period that is nearly as periodic.
  for (let guard = 0; guard < 4; guard++) {
    let moved = false;
    for (const div of [2, 3]) {
      const target = peak.lag / div;
      if (target < 2 || (60 * fps) / target > FAST_MAX_BPM) continue;
      const cand = refinePeak(ac, target);
      if (Math.abs(cand.lag - target) > Math.max(1, 0.1 * target)) continue;
      if (cand.value >= OCTAVE_RATIO * peak.value) {
        peak = cand;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return { period: peak.lag, strength: peak.value };
}

/** Ellis's DP beat tracker; returns beat frames (integers), ascending. */
function trackBeats(local: Float64Array, period: number, tightness: number): number[] {
  const n = local.length;
  if (n === 0 || !(period > 0)) return [];
  const cum = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  const wLo = Math.max(1, Math.round(period / 2));
  const wHi = Math.max(wLo + 1, Math.round(2 * period));
  const txwt = new Float64Array(wHi + 1);
  for (let d = wLo; d <= wHi; d++) {
    const r = Math.log(d / period);
    txwt[d] = -tightness * r * r;
  }
  let localMax = 0;
  for (let i = 0; i < n; i++) if (local[i] > localMax) localMax = local[i];
  let firstBeat = true;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = -1;
    for (let d = wLo; d <= wHi; d++) {
      const j = i - d;
      const s = txwt[d] + (j >= 0 ? cum[j] : 0);
      if (s > best) {
        best = s;
        arg = j;
      }
    }
    cum[i] = local[i] + best;
    if (firstBeat && local[i] < 0.01 * localMax) back[i] = -1;
    else {
      back[i] = arg;
      firstBeat = false;
    }
  }
  // Last beat: the last local maximum of cum above half the median of those maxima.
  const maxima: number[] = [];
  for (let i = 1; i < n - 1; i++) if (cum[i] > cum[i - 1] && cum[i] >= cum[i + 1]) maxima.push(i);
  if (maxima.length === 0) return [];
  const thr = 0.5 * median(maxima.map((i) => cum[i]));
  let last = maxima[maxima.length - 1];
  for (let k = maxima.length - 1; k >= 0; k--) {
    if (cum[maxima[k]] >= thr) {
      last = maxima[k];
      break;
    }
  }
  const beats: number[] = [];
  for (let i = last, guard = 0; i >= 0 && guard <= n; i = back[i], guard++) beats.push(i);
  beats.reverse();
  return beats;
}

/** librosa's `__trim_beats`: drop leading/trailing beats whose Hann-smoothed local score is weak. */
function trimBeats(local: Float64Array, beats: number[]): number[] {
  if (beats.length < 3) return beats;
  const w = [0, 0.5, 1, 0.5, 0]; // numpy's hanning(5), as librosa
  const vals = beats.map((b) => local[b]);
  const sm = vals.map((_, i) => {
    let acc = 0;
    for (let k = -2; k <= 2; k++) {
      const j = i + k;
      if (j >= 0 && j < vals.length) acc += w[k + 2] * vals[j];
    }
    return acc;
  });
  const thr = 0.5 * Math.sqrt(sm.reduce((a, v) => a + v * v, 0) / sm.length);
  let a = 0;
  while (a < sm.length && sm[a] <= thr) a++;
  let b = sm.length - 1;
  while (b > a && sm[b] <= thr) b--;
  return beats.slice(a, b + 1);
}

function peakNear(env: Float64Array, frame: number, radius: number): number {
  let best = 0;
  const a = Math.max(0, Math.floor(frame) - radius);
  const b = Math.min(env.length - 1, Math.ceil(frame) + radius);
  for (let i = a; i <= b; i++) if (env[i] > best) best = env[i];
  return best;
}

function eventConfidence(peak: number, background: number): number {
  if (!(peak > 0)) return 0;
  return clamp01((peak - background) / (peak + background));
}

/**
 * Beat-synchronous accent features, each z-scored over the beats (all zeros when constant): the envelope peak
 * at the beat (±1 frame), the loudest RMS dB and the loudest low-band (< 150 Hz) log-mel level in frames
 * −1 … +3 around it.
 */
function beatFeatures(features: FrameFeatures, env: Float64Array, beatFrames: number[]): { on: Float64Array; rms: Float64Array; low: Float64Array } {
  const nb = beatFrames.length;
  const n = features.frames;
  const centres = melBandCentres(features.nMel);
  const lowBands: number[] = [];
  for (let m = 0; m < features.nMel; m++) if (centres[m] < LOW_BAND_HZ) lowBands.push(m);
  if (lowBands.length === 0) lowBands.push(0);
  const on = new Float64Array(nb);
  const rms = new Float64Array(nb);
  const low = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const b = Math.round(beatFrames[k]);
    on[k] = peakNear(env, b, 1);
    let r = -Infinity;
    let lo = -Infinity;
    for (let i = Math.max(0, b - 1); i <= Math.min(n - 1, b + 3); i++) {
      if (features.rmsDb[i] > r) r = features.rmsDb[i];
      let acc = 0;
      for (const m of lowBands) acc += features.mel[i * features.nMel + m];
      acc /= lowBands.length;
      if (acc > lo) lo = acc;
    }
    rms[k] = Number.isFinite(r) ? r : 0;
    low[k] = Number.isFinite(lo) ? lo : 0;
  }
  for (const f of [on, rms, low]) {
    const { mean, std } = meanStd(f);
    for (let k = 0; k < nb; k++) f[k] = std > 1e-6 ? (f[k] - mean) / std : 0;
  }
  return { on, rms, low };
}

/**
 * How much of a (z-scored) feature's variance the beat position modulo `m` explains, corrected for chance
 * (epsilon², `(SS_between − (m − 1)·MS_within) / SS_total`; ≈ 0 without `m`-periodic accents, ≤ 1).
 */
function periodicity(x: Float64Array, m: number): number {
  const n = x.length;
  if (n <= m) return 0;
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  let total = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    sums[i % m] += x[i];
    counts[i % m]++;
    total += x[i];
  }
  const mean = total / n;
  for (let i = 0; i < n; i++) ssTot += (x[i] - mean) ** 2;
  if (!(ssTot > 1e-9)) return 0;
  let ssB = 0;
  for (let p = 0; p < m; p++) if (counts[p] > 0) ssB += counts[p] * (sums[p] / counts[p] - mean) ** 2;
  const msW = (ssTot - ssB) / (n - m);
  return (ssB - (m - 1) * msW) / ssTot;
}

/**
 * Weights of the downbeat evidence streams (see {@link downbeatPhase}). Harmonic change and bass onsets mark where
 * a bar starts; accent (loudness, onset, low-band level) marks which beat is *played hardest*, which in much music
 * is the backbeat (2 and 4) or a syncopated hit, so it gets half the weight: it decides alone only when the other
 * two abstain (no chords, no bass: click tracks, drum loops) or leave phases tied (kick on 1 and 3, chords on 1
 * and 3). Measured on the tests' signals and 600 generated grooves (backbeats, a hit on 3, 3/4, bass lines,
 * half-bar chords, pickups, drift): accent weights 0.35–0.5 give the same downbeats; at 0.25 chance structure in
 * the other votes beats a click track's accent, at 0.7 a backbeat snare beats a bass line on 1 (2 of 48 grooves).
 */
export const DOWNBEAT_WEIGHTS = Object.freeze({ harmony: 1, bass: 1, accent: 0.5 });

/**
 * Robust z-scores clipped to ±`WINSOR_Z`: `(x − median) / (1.4826 · MAD)` (the standard deviation instead when the
 * MAD is 0; all zeros when constant). One outlier (the first beat's onset out of silence, a beat tracked in the
 * silence before the music) then cannot flatten every other beat's contrast.
 */
function winsorize(x: Float64Array): Float64Array {
  const centre = median(x);
  let scale = 1.4826 * median(x.map((v) => Math.abs(v - centre)));
  if (!(scale > 1e-12)) scale = meanStd(x).std;
  if (!(scale > 1e-12)) return new Float64Array(x.length);
  return x.map((v) => (Number.isFinite(v) ? Math.max(-WINSOR_Z, Math.min(WINSOR_Z, (v - centre) / scale)) : 0));
}

/**
 * One per-beat evidence stream's vote for each bar phase (0 … m − 1): the stream is winsorised
 * ({@link winsorize}), its mean over the beats of each phase z-scored across the `m` phases, times the stream's
 * reliability, its epsilon² at `m` ({@link periodicity}, clipped at 0): a stream without `m`-periodic structure
 * (noise, or constant) votes ≈ 0 however its phase means happen to fall. Length `m`.
 */
function phaseVote(raw: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m);
  if (raw.length < 2 * m) return out;
  const x = winsorize(raw);
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  for (let i = 0; i < x.length; i++) {
    sums[i % m] += x[i];
    counts[i % m]++;
  }
  const means = sums.map((v, p) => v / counts[p]);
  const { mean, std } = meanStd(means);
  if (!(std > 1e-12)) return out;
  const reliability = Math.max(0, periodicity(x, m));
  for (let p = 0; p < m; p++) out[p] = (reliability * (means[p] - mean)) / std;
  return out;
}

/**
 * Beat-synchronous chroma: for each beat, the per-pitch-class median of `features.chroma` over the frames of its
 * interval that see no onset (from 2 frames after the beat to 2 frames before the next, as a centred 2048-sample
 * frame reaches ±2 hops), minus its smallest pitch class (the flat part: noise, a cymbal), scaled to unit length
 * (all zeros when nothing is left). The median ignores drum hits (a snare's flat noise chroma lasts a few frames),
 * so what remains is the sustained harmony. `beatFrames` are fractional frame indices; one 12-vector per beat.
 */
function beatChroma(features: FrameFeatures, beatFrames: number[]): Float64Array[] {
  const nb = beatFrames.length;
  const n = features.frames;
  const out: Float64Array[] = [];
  const column: number[] = [];
  const typical = nb > 1 ? (beatFrames[nb - 1] - beatFrames[0]) / (nb - 1) : 0;
  for (let k = 0; k < nb; k++) {
    const next = k + 1 < nb ? beatFrames[k + 1] : beatFrames[k] + typical;
    let a = Math.ceil(beatFrames[k]) + 2;
    let b = Math.floor(next) - 2;
    if (b < a) a = b = Math.round(0.5 * (beatFrames[k] + next));
    a = Math.max(0, Math.min(n - 1, a));
    b = Math.max(0, Math.min(n - 1, b));
    const c = new Float64Array(12);
    for (let pc = 0; pc < 12; pc++) {
      column.length = 0;
      for (let i = a; i <= b; i++) column.push(features.chroma[i * 12 + pc]);
      c[pc] = median(column);
    }
    let floor = Infinity;
    for (let pc = 0; pc < 12; pc++) if (c[pc] < floor) floor = c[pc];
    let norm = 0;
    for (let pc = 0; pc < 12; pc++) {
      c[pc] -= floor;
      norm += c[pc] * c[pc];
    }
    norm = Math.sqrt(norm);
    if (norm > 0 && Number.isFinite(norm)) for (let pc = 0; pc < 12; pc++) c[pc] /= norm;
    else c.fill(0);
    out.push(c);
  }
  return out;
}

/**
 * The chord-change rhythm's vote for each bar phase (0 … m − 1): chords change on downbeats far more often than
 * inside a bar, so with the right phase every bar holds one harmony. For phase `p`, `W(p)` = the mean squared
 * distance of each beat's chroma ({@link beatChroma}) from the mean chroma of its bar, over the complete bars of
 * that phase. The vote is `−W` z-scored across the phases, times the reliability: the largest chance-corrected
 * share of the chroma variance that a phase's bars explain (adjusted R², `1 − MS_within / MS_total`; ≈ 0 when the
 * bar grouping means nothing, ≈ 1 with one steady chord a bar), over `HARMONY_FULL_R2`, at most 1. Anything that
 * repeats every `m` beats or faster (a drum loop's pitched kick and snare, a riff inside the bar) falls into every
 * phase's bars alike and leaves `W` nearly flat and the adjusted R² near 0, so only what changes from bar to bar
 * votes. Length `m`, all zeros without bar-to-bar harmonic change (or fewer than two bars).
 */
function chordChangeVote(chroma: Float64Array[], m: number): Float64Array {
  const out = new Float64Array(m);
  const nb = chroma.length;
  const w = new Float64Array(m);
  let reliability = 0;
  const mean = new Float64Array(12);
  const grand = new Float64Array(12);
  for (let p = 0; p < m; p++) {
    let within = 0;
    let bars = 0;
    grand.fill(0);
    for (let start = p; start + m <= nb; start += m, bars++) {
      mean.fill(0);
      for (let k = start; k < start + m; k++) for (let pc = 0; pc < 12; pc++) mean[pc] += chroma[k][pc] / m;
      for (let k = start; k < start + m; k++) for (let pc = 0; pc < 12; pc++) within += (chroma[k][pc] - mean[pc]) ** 2;
      for (let pc = 0; pc < 12; pc++) grand[pc] += mean[pc];
    }
    if (bars < 2) return out;
    const beats = bars * m;
    for (let pc = 0; pc < 12; pc++) grand[pc] /= bars;
    let total = 0;
    for (let k = p; k < p + beats; k++) for (let pc = 0; pc < 12; pc++) total += (chroma[k][pc] - grand[pc]) ** 2;
    w[p] = within / beats;
    if (total > 1e-12) reliability = Math.max(reliability, 1 - within / (beats - bars) / (total / (beats - 1)));
  }
  const { mean: mw, std } = meanStd(w);
  if (!(std > 1e-12) || !(reliability > 0)) return out;
  reliability = Math.min(1, reliability / HARMONY_FULL_R2);
  for (let p = 0; p < m; p++) out[p] = (reliability * (mw - w[p])) / std;
  return out;
}

/**
 * Bass onset strength at each beat: the log-mel flux (as `features.onset`, same delay) summed over the bands below
 * 150 Hz (`LOW_BAND_HZ`) that are within `BASS_RANGE_DB` of the frame's loudest band, its largest value in frames
 * −1 … +2 around the beat (a kick or a bass note lands on 1). `beatFrames` are fractional frame indices.
 */
function bassOnsets(features: FrameFeatures, beatFrames: number[]): Float64Array {
  const n = features.frames;
  const nMel = features.nMel;
  const centres = melBandCentres(nMel);
  const bands: number[] = [];
  for (let m = 0; m < nMel; m++) if (centres[m] < LOW_BAND_HZ) bands.push(m);
  if (bands.length === 0) bands.push(0);
  const flux = new Float64Array(n);
  for (let t = ONSET_DELAY + 1; t < n; t++) {
    const cur = (t - ONSET_DELAY) * nMel;
    const prev = cur - nMel;
    let top = -Infinity;
    for (let m = 0; m < nMel; m++) if (features.mel[cur + m] > top) top = features.mel[cur + m];
    let acc = 0;
    for (const m of bands) {
      if (features.mel[cur + m] < top - BASS_RANGE_DB) continue;
      const d = features.mel[cur + m] - features.mel[prev + m];
      if (d > 0) acc += d;
    }
    flux[t] = acc;
  }
  return Float64Array.from(beatFrames, (f) => {
    const b = Math.round(f);
    let best = 0;
    for (let i = Math.max(0, b - 1); i <= Math.min(n - 1, b + 2); i++) if (flux[i] > best) best = flux[i];
    return best;
  });
}

/**
 * The bar phase (0 … m − 1: the index of the first downbeat among the beats) from three votes per phase, each
 * normalised (z-scored across the phases) and scaled by its own chance-corrected reliability, summed with
 * {@link DOWNBEAT_WEIGHTS}:
 *  - harmony: {@link chordChangeVote} on {@link beatChroma} (the chord-change rhythm: with the right phase each bar
 *    holds one harmony);
 *  - bass: {@link phaseVote} of {@link bassOnsets} (a kick or a bass note on 1);
 *  - accent: {@link phaseVote} of the beat accent `Σ w_f · z_f` (see the module comment, 5.).
 * Ties go to the earliest phase. Deterministic.
 */
function downbeatPhase(features: FrameFeatures, beatFrames: number[], accent: Float64Array, m: number): number {
  const votes = [
    { w: DOWNBEAT_WEIGHTS.harmony, v: chordChangeVote(beatChroma(features, beatFrames), m) },
    { w: DOWNBEAT_WEIGHTS.bass, v: phaseVote(bassOnsets(features, beatFrames), m) },
    { w: DOWNBEAT_WEIGHTS.accent, v: phaseVote(accent, m) },
  ];
  let best = 0;
  let bestScore = -Infinity;
  for (let p = 0; p < m; p++) {
    let score = 0;
    for (const { w, v } of votes) score += w * v[p];
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = p;
    }
  }
  return best;
}

function correlation(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Edges (Hz) of the sub-bands whose onset envelopes are balanced against each other. */
const SUB_BAND_EDGES = [200, 800, 3000];

/**
 * A band-balanced onset envelope: the log-mel flux (as `features.onset`, same delay) summed within each of
 * four sub-bands (< 200 Hz, 200–800 Hz, 0.8–3 kHz, > 3 kHz), each divided by its standard deviation, then
 * summed. Broadband events (snare, hi-hat) span many more mel bands than a kick or a bass note, and would
 * otherwise dominate the envelope.
 */
function balancedOnset(features: FrameFeatures): Float64Array {
  const n = features.frames;
  const nMel = features.nMel;
  const centres = melBandCentres(nMel);
  const group = new Int32Array(nMel);
  for (let m = 0; m < nMel; m++) {
    let g = 0;
    while (g < SUB_BAND_EDGES.length && centres[m] >= SUB_BAND_EDGES[g]) g++;
    group[m] = g;
  }
  const nGroups = SUB_BAND_EDGES.length + 1;
  const bands = Array.from({ length: nGroups }, () => new Float64Array(n));
  for (let t = ONSET_DELAY + 1; t < n; t++) {
    const cur = (t - ONSET_DELAY) * nMel;
    const prev = cur - nMel;
    for (let m = 0; m < nMel; m++) {
      const d = features.mel[cur + m] - features.mel[prev + m];
      if (d > 0) bands[group[m]][t] += d;
    }
  }
  const out = new Float64Array(n);
  for (const e of bands) {
    const { std } = meanStd(e);
    if (!(std > 1e-9)) continue;
    for (let t = 0; t < n; t++) out[t] += e[t] / std;
  }
  return out;
}

/**
 * Tempo, beats, meter, bars and tatums of a signal from its frame features (see the module comment).
 * `durationS` is the signal's duration (clips the last events); never throws, never returns NaN.
 */
export function analyzeRhythm(features: FrameFeatures, durationS: number): RhythmAnalysis {
  const n = features.frames;
  const fps = features.sampleRate / features.hop;
  const duration = Number.isFinite(durationS) && durationS > 0 ? durationS : (n * features.hop) / features.sampleRate;
  if (!(fps > 0) || n < Math.max(8, Math.round(2 * fps))) return emptyRhythm();

  const env = balancedOnset(features);
  let envMax = 0;
  for (let i = 0; i < n; i++) if (env[i] > envMax) envMax = env[i];
  if (!(envMax > 0)) return emptyRhythm();

  // 1–2. Tempo.
  const tempoEst = estimateTempo(env, fps);
  const noiseLevel = Math.max(0.1, 4 / Math.sqrt(n));
  if (!(tempoEst.period > 0) || tempoEst.strength < noiseLevel) return emptyRhythm();
  const period = tempoEst.period;
  const tempoConfidence = clamp01(tempoEst.strength);

  // 3. Beats.
  const { std } = meanStd(env);
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) norm[i] = env[i] / (std > 0 ? std : 1);
  const sigma = Math.max(period / 32, 0.5);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const gauss = new Float64Array(2 * radius + 1);
  for (let k = -radius; k <= radius; k++) gauss[k + radius] = Math.exp(-0.5 * (k / sigma) ** 2);
  const local = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -radius; k <= radius; k++) {
      const j = i + k;
      if (j >= 0 && j < n) acc += gauss[k + radius] * norm[j];
    }
    local[i] = acc;
  }
  const beatFrames = trimBeats(local, trackBeats(local, period, TIGHTNESS));
  if (beatFrames.length < 2) return emptyRhythm();

  // Refine each beat to the strongest envelope peak within ±2 frames, with a sub-frame offset.
  const refined: number[] = [];
  for (const b of beatFrames) {
    let best = b;
    for (let i = Math.max(0, b - 2); i <= Math.min(n - 1, b + 2); i++) if (env[i] > env[best]) best = i;
    const d = best > 0 && best < n - 1 ? parabolicOffset(env[best - 1], env[best], env[best + 1]) : 0;
    const f = best + d;
    if (refined.length === 0 || f > refined[refined.length - 1] + 0.25 * period) refined.push(f);
  }
  const toTime = (frame: number): number => (frame * features.hop) / features.sampleRate - ONSET_LAG_S;
  const beatTimes = refined.map(toTime).filter((t) => t >= 0 && t < duration);
  if (beatTimes.length < 2) return emptyRhythm();

  // 4. Tempo from the beats.
  const periodS = period / fps;
  let ibiSum = 0;
  let ibiCount = 0;
  for (let i = 1; i < beatTimes.length; i++) {
    const d = beatTimes[i] - beatTimes[i - 1];
    if (d >= 0.7 * periodS && d <= 1.4 * periodS) {
      ibiSum += d;
      ibiCount++;
    }
  }
  const tempo = ibiCount >= 3 ? (60 * ibiCount) / ibiSum : 60 / periodS;

  const background = median(env);
  const beatConf = beatTimes.map((t) => eventConfidence(peakNear(env, t * fps, 1), background));
  const durations = beatTimes.map((t, i) =>
    i + 1 < beatTimes.length ? beatTimes[i + 1] - t : Math.max(0, Math.min(60 / tempo, duration - t)),
  );
  const beats: TimedEvent[] = beatTimes.map((t, i) => ({ start: t, duration: durations[i], confidence: beatConf[i] }));

  // 5. Meter and downbeats.
  let timeSignature = 4;
  let timeSignatureConfidence = 0;
  let downPhase = 0;
  if (beatTimes.length >= 8) {
    const beatFramesF = beatTimes.map((t) => t * fps);
    const { on, rms, low } = beatFeatures(features, env, beatFramesF);
    // A louder low band marks downbeats only when it goes with loudness (a kick, a bass note), not when it is
    // the leakage of a quieter, lower-pitched event.
    const lowSign = correlation(low, rms) > 0 ? 1 : 0;
    const feats: Array<{ x: Float64Array; sign: number }> = [
      { x: on, sign: 1 },
      { x: rms, sign: 1 },
      { x: low, sign: lowSign },
    ];
    const score = (m: number): number => feats.reduce((acc, f) => acc + Math.max(0, periodicity(f.x, m)), 0);
    const s2 = score(2);
    const s3 = score(3);
    const s4 = score(4);
    const four = Math.max(s2, s4);
    timeSignature = s3 > four ? 3 : 4;
    const m = timeSignature === 3 ? 3 : s4 >= s2 ? 4 : 2;
    const accent = new Float64Array(beatTimes.length);
    for (const f of feats) {
      const w = f.sign * Math.max(0, periodicity(f.x, m));
      for (let i = 0; i < accent.length; i++) accent[i] += w * f.x[i];
    }
    downPhase = downbeatPhase(features, beatFramesF, accent, timeSignature);
    const best = Math.max(s3, four);
    const other = Math.min(s3, four);
    timeSignatureConfidence = best > 0 ? clamp01(((best - Math.max(0, other)) / best) * Math.min(1, 2 * best)) : 0;
  }

  // Bars.
  const bars: TimedEvent[] = [];
  for (let i = downPhase; i < beats.length; i += timeSignature) {
    const endIdx = i + timeSignature;
    const end = endIdx < beats.length ? beats[endIdx].start : beats[beats.length - 1].start + beats[beats.length - 1].duration;
    bars.push({
      start: beats[i].start,
      duration: Math.max(0, end - beats[i].start),
      confidence: clamp01(beatConf[i] * (0.5 + 0.5 * timeSignatureConfidence)),
    });
  }

  // 6. Tatums.
  const fracEnv = (frac: number): number => {
    let acc = 0;
    for (let i = 0; i < beats.length - 1; i++) acc += peakNear(env, (beats[i].start + frac * beats[i].duration) * fps, 1);
    return beats.length > 1 ? acc / (beats.length - 1) : 0;
  };
  const half = fracEnv(0.5);
  const third = Math.max(fracEnv(1 / 3), fracEnv(2 / 3));
  const perBeat = third > 1.5 * half && third > 2 * background ? 3 : 2;
  const tatums: TimedEvent[] = [];
  for (let i = 0; i < beats.length; i++) {
    const b = beats[i];
    const step = b.duration / perBeat;
    for (let k = 0; k < perBeat; k++) {
      const start = b.start + k * step;
      if (start >= duration) break;
      const confidence = k === 0 ? b.confidence : eventConfidence(peakNear(env, start * fps, 1), background);
      tatums.push({ start, duration: step, confidence });
    }
  }

  return {
    tempo: Number.isFinite(tempo) ? tempo : 0,
    tempoConfidence,
    timeSignature,
    timeSignatureConfidence,
    beats,
    bars,
    tatums,
  };
}
