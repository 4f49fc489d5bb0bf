/** Where a worker thread's entry module is. */
import { fileURLToPath } from 'node:url';

/**
 * The path of module `stem` next to the module whose `import.meta.url` is `here`: `stem.ts` when that
 * module runs from source (under tsx), `stem.js` when built by tsc or bundled (the bundle puts the thread
 * entries beside its chunks: `scripts/bundle.mjs`).
 */
export function threadEntry(here: string, stem: string): string {
  return fileURLToPath(new URL(`./${stem}${here.endsWith('.ts') ? '.ts' : '.js'}`, here));
}
