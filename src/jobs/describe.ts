/**
 * One-line descriptions of what `analyze` found, shared by the printed summary and report.html. Kept apart
 * from `./analyze.ts` (types only from there) so the CLI can format a summary without loading vega.
 */
import type { AnalyzeSummary, PartsSummary } from './analyze.js';

/** At most `max` times, then `…` and the last: `0, 9, 38, … 219.5` (seconds, as given). */
function someTimes(times: readonly number[], max = 6): string {
  const text = (x: number) => String(Math.round(x * 100) / 100);
  if (times.length <= max) return times.map(text).join(', ');
  return `${times.slice(0, max - 1).map(text).join(', ')}, … ${text(times[times.length - 1])}`;
}

/** One line about the parts: how many, where they change, and how well that matches the sections. */
export function describeParts(p: PartsSummary): string {
  const f = p.agreement?.find((a) => a.windowS === 3);
  return (
    `${p.k} by k-means, ${p.runs.length} runs; boundaries ${someTimes(p.boundariesS)} s` +
    (f ? `; F ${f.f.toFixed(2)} vs sections (±3 s)` : '')
  );
}

/** One line about the trajectory: the model and its explained variance. */
export function describeTrajectory(t: NonNullable<AnalyzeSummary['trajectory']>): string {
  const [a, b] = t.explainedVarianceRatio;
  return `PCA of ${t.points} bins; PC1 ${(a * 100).toFixed(1)} % + PC2 ${(b * 100).toFixed(1)} % of the variance`;
}
