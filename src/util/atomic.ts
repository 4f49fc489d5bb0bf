/**
 * Atomic file writes: write to a temporary file beside the target, then rename over it, so a reader
 * never sees a half-written file and a failure leaves the previous file (or nothing) in place.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { messages, runtimeError } from '../errors.js';

/** A temporary path in the same directory as `path` (same file system, so `rename` is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Write `data` to `path` atomically, creating parent directories. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeStreamAtomic(path, async (write) => {
    await write(data);
  });
}

/**
 * Stream chunks into `path` atomically: `produce` calls `write(chunk)` as often as it likes (each call
 * waits for back-pressure); the file appears under its name only after `produce` resolves.
 */
export async function writeStreamAtomic(
  path: string,
  produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(tmp);
    let failure: unknown;
    stream.on('error', (e) => {
      failure = e;
    });
    const write = (chunk: string | Uint8Array): Promise<void> =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (stream.write(chunk)) resolve();
        else stream.once('drain', resolve);
      });
    try {
      await produce(write);
    } finally {
      stream.end();
      await finished(stream).catch((e) => {
        failure ??= e;
      });
    }
    if (failure) throw failure;
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).code === 'string') {
      throw runtimeError(messages.writeFailed(path, (e as NodeJS.ErrnoException).code!), undefined, e);
    }
    throw e;
  }
}

/**
 * Write `value` as JSON with a trailing newline, atomically: indented by 2 spaces by default, or on
 * one line with `{ pretty: false }` (analyses: thousands of 12-number arrays stay compact).
 */
export async function writeJsonAtomic(path: string, value: unknown, options: { pretty?: boolean } = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, options.pretty === false ? undefined : 2) + '\n');
}
