/**
 * File-name slugs, one rule everywhere (fixture files, cache entries, output directories): accents
 * removed, lower-cased, each run of characters outside `[a-z0-9]` replaced by `-`, leading and trailing
 * `-` trimmed. `"Quiet  Instrumental!"` → `quiet-instrumental`, `"Beyoncé — Halo"` → `beyonce-halo`.
 *
 * @returns the slug, possibly empty (callers choose their own fallback)
 */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
