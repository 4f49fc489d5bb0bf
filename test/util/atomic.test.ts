/**
 * Atomic writes (`src/util/atomic.ts`): a failing write rejects with one line naming the path and the
 * cause and leaves no temporary file (issue 15, defect 1); `-o` onto a device, FIFO or symlink writes
 * through or at the link's target instead of replacing it (defect 2); stale temporary files of dead
 * processes are cleaned (defect 9). A full disk is simulated by a stream that fails with ENOSPC after N
 * bytes, so no root is needed; /dev/full gives the real ENOSPC where it exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SongscopeError } from '../../src/errors.js';
import {
  cleanStaleTempFiles,
  makeDirectory,
  tempPathFor,
  writeFileAtomic,
  writeStreamAtomic,
  type AtomicWriteOptions,
} from '../../src/util/atomic.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'songscope-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file stream that accepts `capacity` bytes, then fails every write with `code` (as a full disk does). */
function failingStream(capacity: number, code = 'ENOSPC'): AtomicWriteOptions['createStream'] {
  return (path: string) => {
    let written = 0;
    writeFileSync(path, ''); // the temporary file exists, as with a real stream
    return new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        if (written + chunk.length > capacity) {
          const error = Object.assign(new Error(`${code}: write failed`), { code });
          setImmediate(() => callback(error));
          return;
        }
        written += chunk.length;
        setImmediate(() => callback());
      },
    });
  };
}

/** 2 MB in 64 KiB chunks: far more than one stream buffer, as the fuzz case had. */
async function produceMegabytes(write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const chunk = new Uint8Array(1 << 16).fill(7);
  for (let i = 0; i < 32; i++) await write(chunk);
}

const entries = (d: string) => readdirSync(d).sort();

async function rejectsRuntime(promise: Promise<unknown>, pattern: RegExp): Promise<SongscopeError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SongscopeError, `expected a SongscopeError, got ${String(caught)}`);
  assert.equal(caught.exitCode, 1, `exit code of: ${caught.message}`);
  assert.match(caught.message, pattern);
  assert.equal(caught.message.includes('\n'), false, `one line: ${caught.message}`);
  return caught;
}

describe('defect 1: a failed write rejects, names the path and the cause, and leaves no temporary file', () => {
  test('defect 1: ENOSPC after 40 KB of a 2 MB stream rejects (it used to hang until Node exited 0)', { timeout: 20_000 }, async () => {
    const sub = join(dir, 'enospc');
    mkdirSync(sub);
    const path = join(sub, 'x.arrow');
    await rejectsRuntime(
      writeStreamAtomic(path, produceMegabytes, { createStream: failingStream(40_000) }),
      new RegExp(`^cannot write ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(no space left on the device\\)$`),
    );
    assert.deepEqual(entries(sub), [], 'neither the file nor its temporary file');
  });

  test('defect 1: a failure on the first chunk, and EROFS / EACCES, say the target is not writable', { timeout: 20_000 }, async () => {
    const sub = join(dir, 'readonly');
    mkdirSync(sub);
    await rejectsRuntime(
      writeStreamAtomic(join(sub, 'a.csv'), produceMegabytes, { createStream: failingStream(0, 'EROFS') }),
      /^cannot write .*a\.csv \(not writable: read-only file system\)$/,
    );
    await rejectsRuntime(
      writeFileAtomic(join(sub, 'b.json'), 'x'.repeat(100_000), { createStream: failingStream(10, 'EACCES') }),
      /^cannot write .*b\.json \(not writable: permission denied\)$/,
    );
    assert.deepEqual(entries(sub), []);
  });

  test('defect 1: an older file survives a failed rewrite untouched', { timeout: 20_000 }, async () => {
    const sub = join(dir, 'older');
    mkdirSync(sub);
    const path = join(sub, 'keep.txt');
    writeFileSync(path, 'the previous run');
    await rejectsRuntime(
      writeStreamAtomic(path, produceMegabytes, { createStream: failingStream(100_000) }),
      /no space left on the device/,
    );
    assert.equal(readFileSync(path, 'utf8'), 'the previous run');
    assert.deepEqual(entries(sub), ['keep.txt']);
  });

  test('defect 1: a producer that fails after the stream failed still rejects once, with the write error', { timeout: 20_000 }, async () => {
    const sub = join(dir, 'producer');
    mkdirSync(sub);
    const produce = async (write: (chunk: Uint8Array) => Promise<void>) => {
      try {
        await produceMegabytes(write);
      } catch {
        // a producer that swallows the error and goes on writing must not make the write succeed
      }
      await write(new Uint8Array(10));
    };
    await rejectsRuntime(writeStreamAtomic(join(sub, 'y.bin'), produce, { createStream: failingStream(20_000) }), /no space left/);
    assert.deepEqual(entries(sub), []);
  });

  test('defect 1: the real ENOSPC of /dev/full (a device: written through) rejects', { skip: !existsSync('/dev/full') && 'no /dev/full here', timeout: 20_000 }, async () => {
    await rejectsRuntime(writeStreamAtomic('/dev/full', produceMegabytes), /^cannot write \/dev\/full \(no space left on the device\)$/);
    assert.ok(statSync('/dev/full').isCharacterDevice(), '/dev/full is still a device');
  });
});

describe('defect 2: -o onto a device, a FIFO or a symlink writes through it instead of replacing it', () => {
  test('defect 2: /dev/null stays a character device', { skip: !existsSync('/dev/null') && 'no /dev/null here' }, async () => {
    await writeFileAtomic('/dev/null', 'x'.repeat(500_000));
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a character device');
    assert.equal(readdirSync('/dev').some((n) => n.startsWith('.null.tmp-')), false, 'no temporary file in /dev');
  });

  test('defect 2: a symlink to a file keeps being a symlink; the target gets the content, atomically', async () => {
    const sub = join(dir, 'link');
    mkdirSync(join(sub, 'real'), { recursive: true });
    writeFileSync(join(sub, 'real', 'out.json'), 'old');
    symlinkSync(join('real', 'out.json'), join(sub, 'out.json'));
    await writeFileAtomic(join(sub, 'out.json'), 'new content');
    assert.ok(lstatSync(join(sub, 'out.json')).isSymbolicLink(), 'still a symlink');
    assert.equal(readFileSync(join(sub, 'real', 'out.json'), 'utf8'), 'new content');
    assert.deepEqual(entries(sub), ['out.json', 'real']);
    assert.deepEqual(entries(join(sub, 'real')), ['out.json']);
  });

  test('defect 2: a dangling symlink creates its target (as the shell\'s > does); a symlink chain is followed', async () => {
    const sub = join(dir, 'dangling');
    mkdirSync(sub);
    symlinkSync('target.txt', join(sub, 'a'));
    symlinkSync('a', join(sub, 'b'));
    await writeFileAtomic(join(sub, 'b'), 'made');
    assert.ok(lstatSync(join(sub, 'a')).isSymbolicLink() && lstatSync(join(sub, 'b')).isSymbolicLink(), 'both links kept');
    assert.equal(readFileSync(join(sub, 'target.txt'), 'utf8'), 'made');
  });

  test('defect 2: a FIFO is written through (a reader gets the bytes) and stays a FIFO', { skip: process.platform === 'win32' && 'no FIFOs' }, async () => {
    const fifo = join(dir, 'pipe');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, `mkfifo failed: ${made.stderr}`);
    const cat = spawn('cat', [fifo]);
    const got: Buffer[] = [];
    cat.stdout.on('data', (b: Buffer) => got.push(b));
    const closed = new Promise<void>((resolve) => cat.on('close', () => resolve()));
    await writeFileAtomic(fifo, 'through the pipe');
    await closed;
    assert.equal(Buffer.concat(got).toString('utf8'), 'through the pipe', "the FIFO's reader got the bytes");
    assert.ok(lstatSync(fifo).isFIFO(), 'still a FIFO');
  });

  test('defect 2: a directory at the path is refused before anything is written', async () => {
    const sub = join(dir, 'isdir');
    mkdirSync(join(sub, 'out.arrow'), { recursive: true });
    let produced = false;
    await rejectsRuntime(
      writeStreamAtomic(join(sub, 'out.arrow'), async () => {
        produced = true;
      }),
      /^cannot write .*out\.arrow \(it is a directory\)$/,
    );
    assert.equal(produced, false, 'no work for a target that cannot be written');
    assert.deepEqual(entries(sub), ['out.arrow']);
  });
});

describe('defect 9: stale temporary files of processes that died are cleaned', () => {
  test('defect 9: a temp file older than a minute whose pid is gone is removed; live or fresh ones stay', async () => {
    const sub = join(dir, 'stale');
    mkdirSync(sub);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid is gone
    const stale = join(sub, `.abc.json.tmp-${dead}-0123abcd`);
    const fresh = join(sub, `.def.json.tmp-${dead}-4567cdef`);
    const live = join(sub, `.ghi.json.tmp-${process.pid}-89abcdef`);
    const other = join(sub, '.not-ours.tmp');
    for (const p of [stale, fresh, live, other]) writeFileSync(p, 'partial');
    const old = new Date(Date.now() - 5 * 60_000);
    for (const p of [stale, live, other]) utimesSync(p, old, old);
    const removed = await cleanStaleTempFiles(sub);
    assert.deepEqual(removed, [stale]);
    assert.deepEqual(entries(sub), [`.def.json.tmp-${dead}-4567cdef`, `.ghi.json.tmp-${process.pid}-89abcdef`, '.not-ours.tmp']);
  });

  test('defect 9: a missing directory is nothing to clean', async () => {
    assert.deepEqual(await cleanStaleTempFiles(join(dir, 'no-such-dir')), []);
  });

  test('temporary names match what the cleaner looks for', () => {
    const name = tempPathFor(join(dir, 'a.json'));
    assert.match(name, new RegExp(`\\.a\\.json\\.tmp-${process.pid}-[0-9a-f]{8}$`));
  });
});

// a hang here is the defect (the fuzz suite's invocations-0080 and containers-0335): the timeout catches it
test('a directory that cannot be made under an existing parent fails at once (Node’s recursive mkdir loops forever on /proc/self/x)', { skip: !existsSync('/proc/self') && 'no /proc here', timeout: 60_000 }, async () => {
  await assert.rejects(writeFileAtomic('/proc/self/songscope-test/out.json', '{}\n'), (e: Error & { exitCode?: number }) => e.exitCode === 1 && /ENOENT/.test(e.message), 'a runtime error naming ENOENT');
  await makeDirectory(join(dir, 'a', 'b', 'c'));
  await makeDirectory(join(dir, 'a', 'b', 'c'));
  assert.ok(statSync(join(dir, 'a', 'b', 'c')).isDirectory(), 'makes missing parents, and an existing directory is fine');
  await writeFile(join(dir, 'file'), 'x');
  await assert.rejects(makeDirectory(join(dir, 'file', 'sub')), /ENOTDIR|not a directory/, 'a file in the way: ENOTDIR');
});
