/**
 * Audio files as inputs: songscope's own analyzer (`../audio/analyzer.ts`) turns a WAV/FLAC/MP3/Ogg file
 * into the same audio-analysis schema Spotify returns, so every later stage takes it unchanged. Analyses
 * are cached by the SHA-256 of the file's bytes (and the analyzer version), so a second run — of the
 * same file under any name — is instant.
 */
import { fileSha256 } from '../util/hash.js';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Analysis } from '../analysis/types.js';
import { analysisFromJson } from '../analysis/fromJson.js';
import { AnalysisCache, analysisChecksumProblem, defaultCacheDir, fileStamp, storeOrWarn, type FileStamp } from './cache.js';
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

export { fileSha256 } from '../util/hash.js';

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
  let stamp: FileStamp | undefined;
  try {
    const st = await stat(path, { bigint: true });
    // refused before hashing gigabytes (the decoder refuses it too)
    if (st.isFile() && st.size > BigInt(MAX_AUDIO_FILE_BYTES)) throw inputError(messages.fileTooLarge(path, Number(st.size), MAX_AUDIO_FILE_BYTES, 'audio files'));
    if (st.isFile()) stamp = fileStamp(resolve(path), st);
  } catch (e) {
    if (e instanceof SongscopeError) throw e;
    // missing or unreadable: the decoder says why
  }
  // Only a regular file is hashed for the cache: a pipe or a device (/dev/zero behind a .wav name) may never end.
  // A file unchanged since it was last hashed (its stamp) is not read again: an album's 0.5 GB of WAV
  // took most of a cached run to hash.
  if (cache && stamp) {
    sha = await cache.getStampedSha(stamp);
    if (sha === undefined) {
      const hashedAt = Date.now();
      try {
        sha = await fileSha256(path);
      } catch {
        sha = undefined; // unreadable: the decoder says why
      }
      // only an optimisation: a cache that cannot take it says so when the analysis is stored
      if (sha !== undefined) {
        await cache.putStamp(stamp, sha, hashedAt).catch((e: unknown) => {
          if (!(e instanceof SongscopeError) && typeof (e as NodeJS.ErrnoException | undefined)?.code !== 'string') throw e;
        });
      }
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
