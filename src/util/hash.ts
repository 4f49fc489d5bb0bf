/** Content hashes of files. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * SHA-256 of a file's bytes, hex, streamed in 1 MiB reads (constant memory; with the stream's default
 * 64 KiB, hashing an album's 0.5 GB of WAV took twice the time).
 *
 * @throws the file system's error for a file that cannot be read
 */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
