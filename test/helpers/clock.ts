/**
 * For tests that need time to pass (a Retry-After wait, a delayed answer) without reading or waiting on the
 * wall clock: they run under node:test's mocked clock and move it themselves,
 *
 * ```ts
 * test('…', async (t) => {
 *   t.mock.timers.enable({ apis: MOCKED_CLOCK, now: 0 });
 *   const pending = client.getAudioAnalysis(ID);       // real sockets; every timer waits for the mocked clock
 *   await until(() => lines.length > 0, 'the wait line');
 *   t.mock.timers.tick(999);
 *   await turns();                                      // let the I/O run: nothing may be sent yet
 *   …
 * });
 * ```
 *
 * The waiting here is by turns of the event loop (`setImmediate`, which is not mocked), never by time: I/O
 * callbacks and promise jobs run while the mocked clock stands still.
 */
import assert from 'node:assert/strict';

/** What `t.mock.timers.enable` mocks in these tests: `setTimeout` (global and node:timers/promises) and `Date`. */
export const MOCKED_CLOCK: ['setTimeout', 'Date'] = ['setTimeout', 'Date'];

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Let `n` turns of the event loop pass (default 500): enough for a request over the loopback to reach a
 * server in this process, for a test that checks that nothing was sent.
 */
export async function turns(n = 500): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

/** Resolve once `condition()` holds (checked every turn of the event loop); fail naming `what` after `maxTurns`. */
export async function until(condition: () => boolean, what: string, maxTurns = 1_000_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await turn();
  }
  assert.fail(`${what}: still not so after ${maxTurns.toLocaleString('en-US')} turns of the event loop`);
}

/**
 * `promise`, once it has settled without the mocked clock moving: it fails naming `what` if the promise is
 * still pending after `maxTurns` turns (it is waiting on a timer, which would never fire).
 */
export async function settled<T>(promise: Promise<T>, what: string, maxTurns = 1_000_000): Promise<T> {
  let done = false;
  const mark = (): void => {
    done = true;
  };
  promise.then(mark, mark);
  await until(() => done, `${what} (waiting on the mocked clock?)`, maxTurns);
  return promise;
}

/**
 * Run the mocked clock until `promise` settles: fire every pending timer (`timers.runAll()`, in time order,
 * moving the clock as far as the last), let the I/O they start happen, and again. Fails naming `what` when the
 * promise is still pending after `maxRounds` rounds.
 */
export async function runClockUntil<T>(timers: { runAll(): void }, promise: Promise<T>, what: string, maxRounds = 1000): Promise<T> {
  let done = false;
  const mark = (): void => {
    done = true;
  };
  promise.then(mark, mark);
  for (let round = 0; round < maxRounds && !done; round++) {
    timers.runAll();
    await turns(50);
  }
  if (!done) assert.fail(`${what}: still pending after ${maxRounds} rounds of the mocked clock`);
  return promise;
}
