/**
 * Track identity and shards: the `track_key` of an input, the file facts a re-scan compares, and which of
 * N shards a key belongs to.
 *
 * Keys:
 * - a Spotify track: `spotify:<22-character id>`;
 * - a Million Song Dataset file named by its track id (`TRAAAFP128F931B4E3.h5`): `msd:TRAAAFP128F931B4E3`,
 *   known from the name without reading the file (a million-file scan lists keys in seconds);
 * - any other file (analysis JSON, other `.h5`, audio): `sha256:<hex>` of its bytes, so the same content
 *   under two names has one key and a changed file a new one;
 * - a search query: `search:<query, trimmed, spaces collapsed, lower case>`.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TrackRef } from '../sources/collection.js';
import { parseInput } from '../sources/input.js';
import { fileSha256 } from '../util/hash.js';

/** What identifies a scanned input: its key and, for files, the size and time a re-scan compares. */
export interface TrackIdentity {
  trackKey: string;
  fileBytes: bigint | null;
  fileMtimeNs: bigint | null;
}

/** How an input's key is found. */
export type KeyPlan =
  /** Known from the input alone (Spotify, search). */
  | { kind: 'fixed'; trackKey: string }
  /** A file: `nameKey` when its name is its key (MSD), else the hash of its bytes. */
  | { kind: 'file'; path: string; nameKey?: string };

/** An MSD track id as a file name: `TR` + 16 letters and digits, `.h5` or `.hdf5`. */
const MSD_FILE = /^(TR[A-Z0-9]{16})\.(h5|hdf5)$/i;

/** How the key of a listed input is found (see the module comment). */
export function keyPlan(ref: Pick<TrackRef, 'input' | 'id'>): KeyPlan {
  if (ref.id !== undefined) return { kind: 'fixed', trackKey: `spotify:${ref.id}` };
  const parsed = parseInput(ref.input);
  switch (parsed.kind) {
    case 'track':
      return { kind: 'fixed', trackKey: `spotify:${parsed.id}` };
    case 'search':
      return { kind: 'fixed', trackKey: `search:${parsed.query.trim().replace(/\s+/g, ' ').toLowerCase()}` };
    case 'file': {
      const msd = MSD_FILE.exec(basename(parsed.path));
      return msd ? { kind: 'file', path: parsed.path, nameKey: `msd:${msd[1].toUpperCase()}` } : { kind: 'file', path: parsed.path };
    }
    default:
      // stdin, directories and collections are expanded or refused by the listing; key them by what they are
      return { kind: 'fixed', trackKey: `input:${ref.input}` };
  }
}

/** Size in bytes and modification time in ns of a file (throws the file system's error). */
export async function fileFacts(path: string): Promise<{ fileBytes: bigint; fileMtimeNs: bigint }> {
  const s = await stat(path, { bigint: true });
  return { fileBytes: s.size, fileMtimeNs: s.mtimeNs };
}

/**
 * The identity of an input, reading the file when its key is its content.
 *
 * @throws the file system's error for a file that cannot be read (the caller records a failure)
 */
export async function identify(plan: KeyPlan): Promise<TrackIdentity> {
  if (plan.kind === 'fixed') return { trackKey: plan.trackKey, fileBytes: null, fileMtimeNs: null };
  const facts = await fileFacts(plan.path);
  const trackKey = plan.nameKey ?? `sha256:${await fileSha256(plan.path)}`;
  return { trackKey, ...facts };
}

/** A shard: the K-th (1-based) of N. */
export interface Shard {
  index: number;
  count: number;
}

/** The whole: one shard of one. */
export const WHOLE: Shard = Object.freeze({ index: 1, count: 1 });

/**
 * The shard (0-based) a key belongs to among `count`: the first 8 bytes of the key's SHA-256 (UTF-8), read
 * as a big-endian unsigned integer, modulo `count`. Shard K of `--shard K/N` takes the keys with K − 1.
 * The same in any language: Python `int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], 'big') % n`.
 */
export function shardOfKey(trackKey: string, count: number): number {
  if (count === 1) return 0;
  const digest = createHash('sha256').update(trackKey, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

/** Whether a key is in a shard. */
export function inShard(trackKey: string, shard: Shard): boolean {
  return shardOfKey(trackKey, shard.count) === shard.index - 1;
}

/** `K/N` → a shard, or undefined when the text is not two integers with 1 ≤ K ≤ N. */
export function parseShard(text: string): Shard | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(count) && index >= 1 && index <= count)) return undefined;
  return { index, count };
}

/** The writer tag of a shard in part names: `s1of1`, `s03of16`. */
export function shardTag(shard: Shard): string {
  const width = String(shard.count).length;
  return `s${String(shard.index).padStart(width, '0')}of${shard.count}`;
}
