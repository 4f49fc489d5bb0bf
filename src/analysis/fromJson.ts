/**
 * Parsed JSON → a validated analysis with its provenance: the one step every source (files, stdin, the
 * cache, the local analyzer, Spotify) ends with.
 */
import { validateAnalysis } from './schema.js';
import type { Analysis, Origin, Provenance } from './types.js';

/**
 * Validate parsed JSON and attach provenance.
 *
 * @param location - what the user named (path, `-`, URI)
 * @param warn - receives non-fatal findings (e.g. events sorted)
 */
export function analysisFromJson(
  raw: unknown,
  location: string,
  origin: Origin,
  extra: Partial<Provenance> = {},
  warn: (line: string) => void = () => undefined,
): Analysis {
  const { analysis, warnings, source, embedded } = validateAnalysis(raw, location);
  warnings.forEach(warn);
  const provenance: Provenance = { source, origin, location, ...embedded, ...stripUndefined(extra) };
  return { ...analysis, provenance };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
