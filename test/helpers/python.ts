/**
 * A Python that has the given modules, for tests and benchmarks that check songscope against the tools
 * users have (pandas, polars, pyarrow, ray). Tried in order: `$SONGSCOPE_PYTHON`, `/work/venv/bin/python`
 * (the development machines' venv), `python3`. None: the caller skips, saying why.
 */
import { spawnSync } from 'node:child_process';

/** The first Python that imports every module, or undefined; `why` says what was tried. */
export function findPython(modules: readonly string[]): { python?: string; why: string } {
  const candidates = [process.env.SONGSCOPE_PYTHON, '/work/venv/bin/python', 'python3'].filter((p): p is string => Boolean(p));
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python, why: '' };
    tried.push(`${python}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { why: `no Python with ${modules.join(', ')} (set SONGSCOPE_PYTHON; tried ${tried.join('; ')})` };
}
