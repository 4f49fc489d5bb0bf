/**
 * Where encoded bytes come from: a file read in pieces (so a one-hour WAV is never held whole) or bytes
 * already in memory. Both answer `read(position, length)`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { inputError } from '../../errors.js';
import { audioMessages } from '../messages.js';

export interface ByteSource {
  /** How the file is named in messages. */
  readonly label: string;
  /** Total size, bytes. */
  readonly size: number;
  /** The path, when the bytes are a file. */
  readonly path: string | undefined;
  /**
   * Up to `length` bytes at `position` (fewer at the end of the source). For files: read into `into` when
   * given (returning a view of it), else into a fresh array. For memory sources: a view of the caller's
   * bytes (never to be written to).
   */
  read(position: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** The whole content (reads a file completely). */
  readAll(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function memorySource(bytes: Uint8Array, label: string): ByteSource {
  return {
    label,
    size: bytes.length,
    path: undefined,
    read: async (position, length) => bytes.subarray(Math.min(position, bytes.length), Math.min(bytes.length, position + length)),
    readAll: async () => bytes,
    close: async () => undefined,
  };
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** A one-line, user-facing description of a file-system error. */
export function describeFsError(error: unknown): string {
  switch (errnoOf(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'EIO':
      return 'input/output error';
    default:
      return error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
  }
}

/** Open a file for reading, turning failures into the one-line input errors. */
export async function fileSource(path: string, label = path): Promise<ByteSource> {
  let fh: FileHandle;
  let size: number;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw inputError(audioMessages.fileNotFound(label));
    throw inputError(audioMessages.fileUnreadable(label, describeFsError(error)));
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw inputError(audioMessages.fileUnreadable(label, 'it is a directory'));
    size = st.size;
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error instanceof Error && error.name === 'SongscopeError'
      ? error
      : inputError(audioMessages.fileUnreadable(label, describeFsError(error)));
  }
  const read = async (position: number, length: number, into?: Uint8Array): Promise<Uint8Array> => {
    const n = Math.max(0, Math.min(length, size - position));
    const out = into && into.length >= n ? into.subarray(0, n) : new Uint8Array(n);
    let got = 0;
    try {
      while (got < n) {
        const { bytesRead } = await fh.read(out, got, Math.min(n - got, 1 << 30), position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (error) {
      throw inputError(audioMessages.fileUnreadable(label, describeFsError(error)));
    }
    return got === n ? out : out.subarray(0, got);
  };
  return {
    label,
    size,
    path,
    read,
    readAll: () => read(0, size),
    close: () => fh.close(),
  };
}
