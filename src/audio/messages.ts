/**
 * The audio decoder's view of the message catalogue: its sentences live in `../errors.ts`
 * (`messages.audio`), with the number formats they share here.
 */
import { messages, SUPPORTED_AUDIO_FORMATS } from '../errors.js';

/** 1234000 → "1,234,000". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds, 2 decimals: "3.00 s". */
export function seconds(s: number): string {
  return `${s.toFixed(2)} s`;
}

export const SUPPORTED_FORMATS = SUPPORTED_AUDIO_FORMATS;

export const audioMessages = messages.audio;
