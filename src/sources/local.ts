/**
 * Audio files as inputs: songscope's own analyzer (`../audio/analyzer.ts`) turns a WAV/FLAC/MP3/Ogg file
 * into the same audio-analysis schema Spotify returns, so every later stage takes it unchanged. Analyses
 * are cached by the SHA-256 of the file's bytes (and the analyzer version), so a second run — of the
 * same file under any name — is instant.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Analysis } from '../analysis/types.js';
import { analysisFromJson } from '../analysis/fromJson.js';
import { AnalysisCache, analysisChecksumProblem, defaultCacheDir, storeOrWarn } from './cache.js';
import { analyzeAudioFile } from '../audio/analyzer.js';
import { inputError, messages, SongscopeError } from '../errors.js';
import { MAX_AUDIO_FILE_BYTES } from '../limits.js';
import { LOCAL_ANALYZER_VERSION } from '../audio/types.js';

export { isAudioPath } from '../audio/types.js';

export interface LocalAnalysisOptions {
  cacheDir?: string;
  /** Read and write the cache; default true. */
  useCache?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** SHA-256 of a file's bytes, hex, streamed (constant memory). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: with the stream's default 64 KiB, hashing an album's 0.5 GB of WAV for its cache keys
  // took twice the time (most of a cached album run)
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The analysis of a local audio file: from the cache when this file (by content) was analysed before by
 * this analyzer version, else decoded and analysed, then cached.
 *
 * @throws SongscopeError exit code 2 for unreadable, truncated or unsupported files
 */
export async function analyzeLocalFile(path: string, options: LocalAnalysisOptions = {}): Promise<Analysis> {
  const cache = options.useCache === false ? undefined : new AnalysisCache(options.cacheDir ?? defaultCacheDir(options.env ?? process.env));
  const log = options.log ?? (() => undefined);
  let sha: string | undefined;
  let regular = false;
  try {
    const st = await stat(path);
    regular = st.isFile();
    // refused before hashing gigabytes (the decoder refuses it too)
    if (regular && st.size > MAX_AUDIO_FILE_BYTES) throw inputError(messages.fileTooLarge(path, st.size, MAX_AUDIO_FILE_BYTES, 'audio files'));
  } catch (e) {
    if (e instanceof SongscopeError) throw e;
    // missing or unreadable: the decoder says why
  }
  // Only a regular file is hashed for the cache: a pipe or a device (/dev/zero behind a .wav name) may never end.
  if (cache && regular) {
    try {
      sha = await fileSha256(path);
    } catch {
      sha = undefined; // unreadable: the decoder says why
    }
  }
  if (cache && sha) {
    const hit = await cache.getLocal(sha, LOCAL_ANALYZER_VERSION, log);
    if (hit) {
      try {
        const analysis = analysisFromJson(hit.analysis, path, 'cache', { title: titleOf(path) }, log);
        // valid, but is it what was written? (a duration of 1e7 or emptied segments pass the schema)
        const problem = analysisChecksumProblem(hit, true);
        if (problem === undefined) {
          for (const line of Array.isArray(hit.decode_warnings) ? hit.decode_warnings : []) log(`${path}: ${line}`);
          return analysis;
        }
        log(messages.damagedLocalCacheEntry(cache.localPath(sha), problem));
      } catch (error) {
        // a damaged entry is the cache's fault, not the file's: analyse the file again (and overwrite it)
        if (!(error instanceof SongscopeError)) throw error;
        log(messages.damagedLocalCacheEntry(cache.localPath(sha), `not a valid analysis: ${error.message}`));
      }
    }
  }
  const warnings: string[] = [];
  const analysis = await analyzeAudioFile(path, {
    warn: (line) => {
      warnings.push(line);
      log(line);
    },
  });
  if (cache && sha) {
    const { provenance: _omit, ...plain } = analysis;
    const prefix = `${path}: `;
    const decodeWarnings = warnings.map((w) => (w.startsWith(prefix) ? w.slice(prefix.length) : w));
    await storeOrWarn('the analysis', () => cache.putLocal(sha, LOCAL_ANALYZER_VERSION, basename(path), plain, decodeWarnings), log);
  }
  return analysis;
}

/** A title for a local file: its name without the extension. */
export function titleOf(path: string): string {
  return basename(path).replace(/\.[^.]+$/, '');
}
