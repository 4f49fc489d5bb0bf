/**
 * File-name slugs, one rule everywhere (fixture files, cache entries, output directories): accents on
 * Latin letters removed, lower-cased, each run of characters that are not letters or digits (of any
 * script) replaced by `-`, leading and trailing `-` trimmed.
 * `"Quiet  Instrumental!"` → `quiet-instrumental`, `"Beyoncé — Halo"` → `beyonce-halo`,
 * `"강남스타일"` → `강남스타일`, `"夜に駆ける"` → `夜に駆ける`.
 *
 * @returns the slug, possibly empty (callers choose their own fallback)
 */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/([A-Za-z])\p{M}+/gu, '$1') // é → e, but leave marks that belong to other scripts (が)
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}
