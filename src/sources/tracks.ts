/**
 * The one way a job turns its collection argument into tracks: {@link resolveTracks}. Today it is
 * {@link resolveCollection} (an album, a playlist, a directory, a CSV manifest, or any single track input);
 * the dataset input of issue "Corpus scale" (`src/corpus`) plugs in here, so every job that takes a
 * collection (`similar` first) accepts a dataset without changing.
 */
import { resolveCollection, type Collection } from './collection.js';
import type { ResolveOptions } from './resolve.js';

/**
 * Resolve a collection argument into its tracks, in order.
 *
 * @throws SongscopeError as {@link resolveCollection}
 */
export function resolveTracks(spec: string, options: ResolveOptions = {}): Promise<Collection> {
  return resolveCollection(spec, options);
}
