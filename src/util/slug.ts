/**
 * File-name slugs, one rule everywhere (fixture files, cache entries, output directories): accents on
 * Latin letters removed, lower-cased, each run of characters that are not letters or digits (of any
 * script) replaced by `-`, leading and trailing `-` trimmed, at most {@link MAX_SLUG_CHARS} characters.
 * `"Quiet  Instrumental!"` → `quiet-instrumental`, `"Beyoncé — Halo"` → `beyonce-halo`,
 * `"강남스타일"` → `강남스타일`, `"夜に駆ける"` → `夜に駆ける`.
 *
 * @returns the slug, possibly empty (callers choose their own fallback)
 */
export function slug(text: string): string {
  return text
    .slice(0, MAX_SLUG_CHARS * 4) // what can reach the cut below, whatever the text's length
    .normalize('NFD')
    .replace(/([A-Za-z])\p{M}+/gu, '$1') // é → e, but leave marks that belong to other scripts (が)
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    // a file name has room for 255 bytes: keep well inside it (a title can be megabytes long)
    .slice(0, MAX_SLUG_CHARS)
    .replace(/-+$/, '');
}

/** The longest slug, characters (UTF-16 units; at most 3 bytes each in UTF-8, so within a file name's 255 bytes). */
export const MAX_SLUG_CHARS = 80;

/** The longest title shown in a plot, a report or a track's name, characters. */
export const MAX_DISPLAY_CHARS = 200;

/**
 * A title for display: `text` cut to {@link MAX_DISPLAY_CHARS} (at a code point) with `…` when longer. An
 * analysis' own metadata keeps the whole text; plots, names and reports show this, so a title of
 * megabytes is not copied into every spec.
 */
export function displayText(text: string, max = MAX_DISPLAY_CHARS): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (end > 0 && text.charCodeAt(end - 1) >= 0xd800 && text.charCodeAt(end - 1) <= 0xdbff) end--; // not half a surrogate pair
  return `${text.slice(0, end)}…`;
}
