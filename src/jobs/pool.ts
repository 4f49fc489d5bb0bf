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
import { threadEntry } from '../util/threadEntry.js';
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
  /**
   * Old-generation heap limit of each worker thread, MB; default none (V8's own). A small limit keeps a
   * long run's memory flat: what a track's work leaves in the old generation is freed only by a full
   * collection, which a small heap runs sooner (`scan` of 10,000 analyses, two jobs, when each analysis
   * was still read as one large string: about 30 MB less peak RSS with 32 MB). A task that needs more than the limit is not lost: its worker
   * runs out of memory and the task is run again in the calling thread, which has no such limit.
   */
  workerHeapMb?: number;
}

/** What a task whose worker ran out of memory (under {@link TrackPoolOptions.workerHeapMb}) rejects with. */
function isWorkerOutOfMemory(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/** Runs {@link TrackTask}s on worker threads, or inline for one job. */
export class TrackPool {
  /** Tasks run again in the calling thread because their worker ran out of memory. */
  redoneInline = 0;

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
      filename: threadEntry(import.meta.url, 'worker'),
      minThreads: jobs,
      maxThreads: jobs,
      // an idle thread is kept: tasks arrive in bursts as the caller writes
      idleTimeout: 60_000,
      // a small nursery: a track's parse and validation make megabytes of short-lived objects; with 8 MB
      // the threads used less CPU and ~50 MB less memory for two jobs than with V8's default (1,000 tracks,
      // three runs each). The old generation is not limited: a long audio file may need a lot.
      resourceLimits: { maxYoungGenerationSizeMb: 8, ...(options.workerHeapMb !== undefined ? { maxOldGenerationSizeMb: options.workerHeapMb } : {}) },
    });
    // a thread that runs out of memory between tasks is replaced by piscina; without a listener its
    // 'error' event would end the process
    piscina.on('error', (e: unknown) => {
      if (!isWorkerOutOfMemory(e)) throw e;
    });
    return new TrackPool(jobs, piscina);
  }

  /** Run one task (again in the calling thread when its worker ran out of memory: the same outcome). */
  run(task: TrackTask): Promise<TrackOutcome> {
    if (!this.piscina) return runTrackTask(task);
    return this.piscina.run(task).catch((e: unknown) => {
      if (!isWorkerOutOfMemory(e)) throw e;
      this.redoneInline++;
      return runTrackTask(task);
    });
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
