/**
 * The shapes every fuzz family shares: a case (a mutation of a real input plus the command that reads
 * it), what the runner must see for the case to be clean, and a seeded random source with the helpers
 * the generators use.
 */
import { createRandom, subSeed, type Random } from '../../src/util/random.js';
import type { Corpus } from './corpus.js';

export const FAMILIES = ['json', 'audio', 'containers', 'invocations'] as const;
export type Family = (typeof FAMILIES)[number];

/** The directories of one case, all under its own temporary root. */
export interface CaseDirs {
  root: string;
  /** Where the damaged inputs are written. */
  input: string;
  /** The working directory of the command and where outputs go; checked for temp and invalid files. */
  work: string;
  /** The private cache (`--cache-dir` and `SONGSCOPE_CACHE_DIR`). */
  cache: string;
}

/** Limits of one case: the child is killed after `timeoutMs` (counted as hung); peak RSS over `memMb` is unclean. */
export interface Budget {
  timeoutMs: number;
  memMb: number;
}

/** The default budget: 30 s and 1 GB, far above what any undamaged fixture needs (≤ 350 MB, ≤ 6 s). */
export const DEFAULT_BUDGET: Budget = { timeoutMs: 30_000, memMb: 1024 };

/** What a clean run of the case looks like, beyond the contract every case shares (see runner.ts). */
export interface Expectation {
  /** Exit codes that are acceptable: 0 (success), 2 (bad input or usage), 1 (runtime failure). */
  exits: readonly number[];
  /** Files that must exist and parse after exit 0. */
  outputs?: string[];
  /** What stdout must hold after exit 0: `json` (parses; its `files`, if any, must exist), an Arrow stream. */
  stdout?: 'json' | 'arrow-stream';
  /** album/compare/classify: exit 1 with some tracks failed is a clean partial result when `album.json` exists. */
  batch?: string;
  /** Nodes made before the run that must still be there, of the same kind, afterwards (device nodes, FIFOs). */
  preserve?: { path: string; kind: 'char' | 'fifo' | 'file' | 'dir' }[];
  /**
   * Audio whose container says how long it is: on exit 0 the analysis must be about this long, or stderr
   * must say that audio was lost (truncated, skipped, damaged …). Read from `-o` JSON or `--json` stdout.
   */
  durationS?: number;
  /** Where the duration is read from: the `fetch -o` file (`track.duration`) or `analyze --json` stdout (`durationS`). */
  durationFrom?: string;
}

/** How the runner starts the command. */
export interface Invocation {
  args: string[];
  /** A file fed to standard input (empty stdin otherwise). */
  stdin?: string;
  env?: Record<string, string>;
  /** Run in a private mount namespace with a tiny tmpfs (ENOSPC) or a read-only bind mount at `mount`. */
  sandbox?: { kind: 'tmpfs' | 'readonly'; mount: string; sizeKb?: number };
  expect: Expectation;
  budget: Budget;
}

/** A generated case before it has an id: the mutation and how to lay it out on disk. */
export interface CaseSpec {
  /** The mutator's name (the summary groups by it). */
  kind: string;
  /** One line: what was damaged and how. */
  what: string;
  /** Needs a large budget (50 MB inputs, a 3-hour track): left out of the `npm test` slice. */
  heavy?: boolean;
  /** Write the inputs under `dirs` and return the command to run. */
  prepare(dirs: CaseDirs): Promise<Invocation>;
}

export interface FuzzCase extends CaseSpec {
  /** `family-NNNN`: with the run's seed, names the case for `--case`. */
  id: string;
  family: Family;
  index: number;
  /** The run's seed (`--seed`). */
  seed: number;
}

/** A family's generator: case `index` of the run seeded `rng`, mutators taken round-robin by index. */
export type Generator = (rng: Rng, index: number, corpus: Corpus) => CaseSpec;

/** The seeded random source of one case, with the helpers generators need. */
export class Rng {
  private readonly r: Random;
  constructor(seed: number) {
    this.r = createRandom(seed);
  }
  /** The random source of case `index` of `family` in a run seeded `seed` (independent of every other case). */
  static forCase(seed: number, family: Family, index: number): Rng {
    const f = FAMILIES.indexOf(family);
    return new Rng(subSeed(subSeed(seed, f), index));
  }
  next(): number {
    return this.r();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Pick by weight: `[[weight, value], …]`. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let x = this.r() * total;
    for (const [w, v] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1][1];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}
