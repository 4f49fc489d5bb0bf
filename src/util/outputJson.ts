/**
 * The JSON songscope writes for people and other tools — summary.json, album.json, compare.json,
 * similar.json and every `--json` — names its keys in snake_case with the unit suffix (`duration_s`,
 * `tempo_bpm`, `track_id`, `bin_s`, `n_folds`), as the corpus dataset's columns and the matrix files'
 * metadata do, while the library's objects keep TypeScript's camelCase (`durationS`, `tempoBpm`). One rule
 * joins the two, applied here as the text is written: a key in lowerCamelCase becomes snake_case; any other
 * key is kept (`C`, `F-measure@3.0`, `similarity-smooth`, keys already in snake_case).
 *
 * Records whose keys are data rather than names (a manifest's own column names under `columns`) keep them.
 */

/** Keys whose object values are records keyed by data (kept as written, not renamed). */
const DATA_RECORDS: ReadonlySet<string> = new Set(['columns']);

/** `durationS` → `duration_s`, `explainedVarianceRatio` → `explained_variance_ratio`; other keys as they are. */
export function snakeCaseKey(key: string): string {
  if (!/^[a-z][A-Za-z0-9]*$/.test(key) || !/[A-Z]/.test(key)) return key;
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** JSON.stringify replacer: the keys of every plain object renamed by {@link snakeCaseKey}. */
function snakeCaseReplacer(key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || DATA_RECORDS.has(key)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[snakeCaseKey(k)] = v;
  return out;
}

/**
 * A value as the JSON text of an output file or `--json`: its keys in snake_case ({@link snakeCaseKey}),
 * indented by 2 spaces unless `pretty` is false, ending with a line feed.
 */
export function outputJsonText(value: unknown, options: { pretty?: boolean } = {}): string {
  return JSON.stringify(value, snakeCaseReplacer, options.pretty === false ? undefined : 2) + '\n';
}
