/**
 * What did the user name? Classify a command-line argument without touching the network:
 * a file, a directory, standard input, a Spotify track (URI, URL or bare id), another Spotify object,
 * or a search query.
 */
import { AUDIO_EXTENSIONS } from '../audio/types.js';
import { statSync } from 'node:fs';
import { inputError, messages } from '../errors.js';

/** A Spotify id: 22 characters of base 62. */
export const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/;

export type InputRef =
  | { kind: 'stdin' }
  | { kind: 'file'; path: string }
  | { kind: 'directory'; path: string }
  | { kind: 'track'; id: string; form: 'uri' | 'url' | 'id' }
  | { kind: 'album' | 'playlist' | 'artist' | 'episode' | 'show'; id: string }
  | { kind: 'search'; query: string };

const SPOTIFY_TYPES = ['track', 'album', 'playlist', 'artist', 'episode', 'show'] as const;
type SpotifyType = (typeof SPOTIFY_TYPES)[number];

/** Extensions that make an argument a file path even when the file does not exist (→ "no such file"). */
const FILE_EXTENSIONS = new RegExp(`\\.(json|h5|hdf5|${AUDIO_EXTENSIONS.join('|')})$`, 'i');

function spotifyRef(type: string, id: string, form: 'uri' | 'url', arg: string): InputRef {
  if (!(SPOTIFY_TYPES as readonly string[]).includes(type)) {
    throw inputError(messages.input.unsupportedSpotifyType(arg, type));
  }
  if (!SPOTIFY_ID.test(id)) {
    throw inputError(messages.input.notSpotifyId(arg, id));
  }
  if (type === 'track') return { kind: 'track', id, form };
  return { kind: type as Exclude<SpotifyType, 'track'>, id };
}

/** What is at a path: 'file', 'directory' or undefined (nothing, or unreadable). */
export type PathKind = 'file' | 'directory' | undefined;

function pathKind(path: string): PathKind {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * Classify an argument. In order: `-` is stdin; `spotify:TYPE:ID` and `https://open.spotify.com/…/TYPE/ID`
 * (optionally `/intl-xx/`, any `?si=…`) are Spotify objects; an existing file or directory is that; an
 * argument that looks like a path (ends in .json/.h5/.hdf5, or starts with `./`, `../`, `/` or `~`) but
 * does not exist is still a file (so the caller reports "no such file"); a bare 22-character base-62
 * string is a track id; anything else is a search query.
 *
 * @param stat - injectable for tests; defaults to looking at the file system
 */
export function parseInput(arg: string, stat: (path: string) => PathKind = pathKind): InputRef {
  const text = arg.trim();
  if (text === '') throw inputError(messages.input.empty());
  if (text === '-') return { kind: 'stdin' };

  const uri = /^spotify:([a-z]+):([^:?#\s]*)$/i.exec(text);
  if (uri) return spotifyRef(uri[1].toLowerCase(), uri[2], 'uri', text);
  if (/^spotify:/i.test(text)) throw inputError(messages.input.notSpotifyUri(text));

  const web = /^(open|play)\.spotify\.com\//i.test(text) ? `https://${text}` : text; // scheme left off
  if (/^https?:\/\//i.test(web)) {
    let url: URL;
    try {
      url = new URL(web);
    } catch {
      throw inputError(messages.input.notUrl(text));
    }
    if (url.hostname !== 'open.spotify.com' && url.hostname !== 'play.spotify.com') {
      throw inputError(messages.input.notSpotifyUrl(text));
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] && /^intl-[a-z]{2}(-[a-z]{2})?$/i.test(parts[0])) parts.shift();
    if (parts[0] === 'embed') parts.shift();
    if (parts.length !== 2) throw inputError(messages.input.notTrackUrl(text));
    return spotifyRef(parts[0].toLowerCase(), parts[1], 'url', text);
  }

  const kind = stat(arg);
  if (kind === 'directory') return { kind: 'directory', path: arg };
  if (kind === 'file') return { kind: 'file', path: arg };
  if (FILE_EXTENSIONS.test(text) || /^(\.{1,2}[\\/]|[\\/]|~)/.test(text)) return { kind: 'file', path: arg };
  if (SPOTIFY_ID.test(text)) return { kind: 'track', id: text, form: 'id' };
  return { kind: 'search', query: text.replace(/\s+/g, ' ') };
}

/** The canonical name of a Spotify track for messages and provenance. */
export const trackUri = (id: string): string => `spotify:track:${id}`;
