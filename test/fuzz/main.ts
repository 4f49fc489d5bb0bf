/**
 * `npm run fuzz [-- options]`: the whole fuzz suite against the built CLI, or one case, or one family.
 *
 *   --seed N        run seed (default 0): the same seed gives the same cases, byte for byte
 *   --count N       cases in all (default 2000), shared among the families (json 40 %, audio 30 %,
 *                   containers 18 %, invocations 12 %)
 *   --family F      only this family (json, audio, containers, invocations); --count is then its count
 *   --case ID       only this case (e.g. json-0412), its directory kept and its command printed
 *   --jobs N        cases run in parallel (default 2)
 *   --keep DIR      copy the directories of unclean cases (inputs, outputs, command) into DIR
 *   --json FILE     write every result as JSON
 *   --list          print the cases (id, mutation) without running them
 *   --slice         run the `npm test` slice (seed 0) and print its known-defect list (known-defects.ts)
 *   --from FILE     print the report of a run saved with --json, without running anything
 *
 * Exit code 0 when every case ran clean, 1 otherwise.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { buildCorpus } from './corpus.js';
import { causeOf } from './known-defects.js';
import { runCase, type CaseResult } from './runner.js';
import { familyCounts, makeCase, parseCaseId, sliceCases, summaryTable } from './suite.js';
import { FAMILIES, type Family, type FuzzCase } from './types.js';

interface Args {
  seed: number;
  count: number;
  family?: Family;
  case?: string;
  jobs: number;
  keep?: string;
  json?: string;
  list: boolean;
  slice: boolean;
  from?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 0, count: 2000, jobs: 2, list: false, slice: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    const int = (x: string) => {
      const n = Number(x);
      if (!Number.isInteger(n)) throw new Error(`${k}: not an integer: ${x}`);
      return n;
    };
    if (k === '--seed') a.seed = int(v());
    else if (k === '--count') a.count = int(v());
    else if (k === '--family') {
      const f = v();
      if (!(FAMILIES as readonly string[]).includes(f)) throw new Error(`--family: one of ${FAMILIES.join(', ')}`);
      a.family = f as Family;
    } else if (k === '--case') a.case = v();
    else if (k === '--jobs') a.jobs = Math.max(1, int(v()));
    else if (k === '--keep') a.keep = resolve(v());
    else if (k === '--json') a.json = resolve(v());
    else if (k === '--list') a.list = true;
    else if (k === '--slice') a.slice = true;
    else if (k === '--from') a.from = resolve(v());
    else throw new Error(`unknown option ${k} (see the comment at the top of test/fuzz/main.ts)`);
  }
  return a;
}

/** Run `cases` with `jobs` in parallel, reporting progress on stderr. */
export async function runAll(cases: FuzzCase[], jobs: number, run: (c: FuzzCase) => Promise<CaseResult>, onResult?: (r: CaseResult, done: number) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, cases.length) }, async () => {
      while (next < cases.length) {
        const i = next++;
        results[i] = await run(cases[i]);
        onResult?.(results[i], ++done);
      }
    }),
  );
  return results;
}

function describe(r: CaseResult): string {
  return [
    `${r.id} [${r.kind}] ${r.what}`,
    `  status ${r.status}, exit ${r.exit}, ${(r.ms / 1000).toFixed(1)} s, ${r.rssMb === undefined ? '?' : Math.round(r.rssMb)} MB`,
    ...r.problems.map((p) => `  ✗ ${p}`),
    ...(r.stderr.trim() ? ['  stderr: ' + r.stderr.trimEnd().split('\n').slice(0, 4).map((l) => l.slice(0, 200)).join('\n          ')] : []),
    `  input: ${r.inputs.join(', ') || '(none)'}`,
    `  command: ${r.command}`,
  ].join('\n');
}

/** A short signature of an unclean result, for grouping by cause. */
function signature(r: CaseResult): string {
  const c = causeOf(r);
  return c.id === 'new' ? `new? ${c.title}` : `${c.id}${c.known ? '' : ' (new)'} ${c.title}`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.from) {
    const saved = JSON.parse(await (await import('node:fs/promises')).readFile(args.from, 'utf8')) as { seed: number; wallS: number; jobs?: number; load?: number; results: CaseResult[] };
    process.stdout.write(report(saved.results, { ...args, seed: saved.seed, jobs: saved.jobs ?? args.jobs }, saved.wallS, saved.load ?? NaN, false));
    return saved.results.some((r) => r.status === 'mismatch' || r.status === 'hung') ? 1 : 0;
  }
  const cli = join(ROOT, 'dist', 'bin', 'songscope.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm run fuzz does)`);
  const tmpRoot = join(tmpdir(), `songscope-fuzz-${process.pid}`);
  const started = performance.now();
  const corpus = await buildCorpus(join(tmpRoot, 'corpus'));

  let cases: FuzzCase[];
  if (args.slice) {
    cases = sliceCases(corpus);
  } else if (args.case) {
    const { family, index } = parseCaseId(args.case);
    cases = [makeCase(family, index, args.seed, corpus)];
  } else {
    const counts = familyCounts(args.count, args.family ? [args.family] : FAMILIES);
    cases = FAMILIES.flatMap((f) => Array.from({ length: counts[f] }, (_, i) => makeCase(f, i, args.seed, corpus)));
  }
  if (args.list) {
    for (const c of cases) process.stdout.write(`${c.id}\t${c.kind}\t${c.what}\n`);
    await rm(tmpRoot, { recursive: true, force: true });
    return 0;
  }
  process.stderr.write(`fuzz: ${cases.length} cases, seed ${args.seed}, ${args.jobs} jobs, CLI ${cli}\n`);
  const single = cases.length === 1;
  const results = await runAll(
    cases,
    args.jobs,
    (c) => runCase(c, { cli, tmpRoot: join(tmpRoot, 'cases'), keep: args.keep, keepAll: single }),
    (r, done) => {
      if (r.status === 'mismatch' || r.status === 'hung') process.stderr.write(`  ${r.status}: ${r.id} [${r.kind}] ${r.problems[0] ?? ''}\n`);
      if (done % 100 === 0) process.stderr.write(`fuzz: ${done}/${cases.length} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    },
  );
  const wallS = (performance.now() - started) / 1000;
  // the corpus goes; a single case's directory stays for inspection
  await rm(single ? join(tmpRoot, 'corpus') : tmpRoot, { recursive: true, force: true });

  const load = loadavg()[1];
  if (args.json) await writeFile(args.json, JSON.stringify({ seed: args.seed, wallS, jobs: args.jobs, load, results }, null, 1));
  process.stdout.write(report(results, args, wallS, load, single));
  if (single && results[0].kept) process.stdout.write(`case directory: ${results[0].kept}\n`);
  return results.some((r) => r.status === 'mismatch' || r.status === 'hung') ? 1 : 0;
}

/** The report: unclean cases grouped by cause (each with its command), the summary table, the totals. */
function report(results: CaseResult[], args: Args, wallS: number, load: number, single: boolean): string {
  const out: string[] = [];
  if (single) out.push(describe(results[0]), '');
  const unclean = results.filter((r) => r.status === 'mismatch' || r.status === 'hung');
  if (unclean.length && !single) {
    const groups = new Map<string, CaseResult[]>();
    for (const r of unclean) groups.set(signature(r), [...(groups.get(signature(r)) ?? []), r]);
    out.push(`Unclean cases by cause (${unclean.length}):`, '');
    for (const [sig, rs] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      out.push(`## ${sig} — ${rs.length} case${rs.length === 1 ? '' : 's'}: ${rs.slice(0, 12).map((r) => r.id).join(' ')}${rs.length > 12 ? ' …' : ''}`);
      out.push(describe(rs[0]), `  again: npm run fuzz -- --case ${rs[0].id} --seed ${args.seed}`, '');
    }
  }
  if (args.slice) {
    out.push('KNOWN_DEFECT_CASES for test/fuzz/known-defects.ts (the slice skips these):', '{');
    for (const r of unclean) {
      const c = causeOf(r);
      out.push(`  '${r.id}': '${c.id}: ${c.title.replace(/'/g, "\\'")}',`);
    }
    out.push('}', '');
  }
  out.push(summaryTable(results), '');
  const cpuS = results.reduce((s, r) => s + (r.cpuS ?? 0), 0);
  out.push(
    `${results.length} cases in ${wallS.toFixed(0)} s wall (${args.jobs} jobs; the CLI used ${cpuS.toFixed(0)} s of CPU; load average ${load.toFixed(1)} on ${cpus().length} cores), seed ${args.seed}; unclean: ${unclean.length}`,
  );
  if (args.keep && unclean.length) out.push(`unclean cases' directories: ${args.keep}`);
  return out.join('\n') + '\n';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`fuzz: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 2;
  },
);
