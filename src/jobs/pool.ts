/**
 * A pool of worker threads for per-track work (piscina): a task is an input and its options, the outcome
 * a track record, an identity, or a failure (`./track.ts`). Results come back in the order the tasks were
 * given, whatever the number of threads, so everything written from them is the same for `--jobs 1` and
 * `--jobs 16`.
 *
 * With one job no thread is started and piscina is not loaded: tasks run in the calling thread, so
 * `--jobs 1` uses one core. With N jobs, N threads work while the calling thread only collects and writes.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { inputError, messages } from '../errors.js';
import { runTrackTask, type TrackOutcome, type TrackTask } from './track.js';

/** Default number of jobs: every core the process may use. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export interface TrackPoolOptions {
  /** Worker threads (integer ≥ 1); 1 runs tasks in the calling thread. Default {@link defaultJobs}. */
  jobs?: number;
}

/** The worker module next to this one (`.ts` when running from source under tsx, `.js` when built). */
function workerFile(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? './worker.ts' : './worker.js', here));
}

/** Runs {@link TrackTask}s on worker threads, or inline for one job. */
export class TrackPool {
  private constructor(
    readonly jobs: number,
    private readonly piscina: Piscina<TrackTask, TrackOutcome> | undefined,
  ) {}

  /**
   * Open a pool. Loads piscina and starts the threads only for more than one job.
   *
   * @throws SongscopeError (exit 2) for a job count that is not an integer ≥ 1
   */
  static async open(options: TrackPoolOptions = {}): Promise<TrackPool> {
    const jobs = options.jobs ?? defaultJobs();
    if (!Number.isInteger(jobs) || jobs < 1) throw inputError(messages.badOption('--jobs', String(jobs), 'an integer ≥ 1'));
    if (jobs === 1) return new TrackPool(1, undefined);
    const { Piscina } = await import('piscina');
    const piscina = new Piscina<TrackTask, TrackOutcome>({
      filename: workerFile(),
      minThreads: jobs,
      maxThreads: jobs,
      // an idle thread is kept: tasks arrive in bursts as the caller writes
      idleTimeout: 60_000,
      // a small nursery: a track's parse and validation make megabytes of short-lived objects; with 8 MB
      // the threads used less CPU and ~50 MB less memory for two jobs than with V8's default (1,000 tracks,
      // three runs each). The old generation is not limited: a long audio file may need a lot.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    return new TrackPool(jobs, piscina);
  }

  /** Run one task. */
  run(task: TrackTask): Promise<TrackOutcome> {
    return this.piscina ? this.piscina.run(task) : runTrackTask(task);
  }

  /**
   * Run tasks with up to `window` in flight and yield their outcomes in task order. Default: 16 per thread,
   * so the threads stay busy while the caller writes a part; with one job 2 (tasks share the calling thread,
   * more in flight would only hold more analyses in memory at once). Memory: at most `window` outcomes (a
   * few KB each) wait here while an earlier one is slow.
   */
  async *runOrdered(tasks: Iterable<TrackTask>, window: number = this.piscina ? this.jobs * 16 : 2): AsyncGenerator<TrackOutcome, void, undefined> {
    const iterator = tasks[Symbol.iterator]();
    const inFlight: Promise<TrackOutcome>[] = [];
    let exhausted = false;
    const refill = (): void => {
      while (!exhausted && inFlight.length < window) {
        const next = iterator.next();
        if (next.done) exhausted = true;
        else inFlight.push(this.run(next.value));
      }
    };
    refill();
    while (inFlight.length > 0) {
      const outcome = await inFlight.shift()!;
      refill();
      yield outcome;
    }
  }

  /** Stop the threads (tasks in flight finish first). */
  async close(): Promise<void> {
    await this.piscina?.close();
  }
}
