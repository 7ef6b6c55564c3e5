// Deterministic "random" draws for the triggers (T3, T4): the same seed and MAC give the same
// timeline on every run, and a person can recompute any draw by hand.
//
// Two pieces, both public-domain and well known:
// - FNV-1a, 32 bits (http://www.isthe.com/chongo/tech/comp/fnv/): start from 0x811c9dc5; for each
//   UTF-8 byte of the text, XOR the byte in, then multiply by 0x01000193 modulo 2^32.
// - mulberry32 (Tommy Ettinger, 2017): a 32-bit generator; its first output from the FNV-1a hash of
//   a key is the draw for that key.
//
// Draws are keyed, not streamed: each draw names what it is for (`seed|mac|flexible-time|<instant>`),
// so no draw depends on how many came before it, and a changed setting moves only its own draws.

import type { Mac } from '../core/mac.js';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TWO_TO_32 = 0x1_0000_0000;

/** FNV-1a over the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  // ASCII (MACs, digits, most seeds) is its own UTF-8: no encoding, no allocation per draw.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      ascii = false;
      break;
    }
    hash = Math.imul(hash ^ code, FNV_PRIME) >>> 0;
  }
  if (ascii) return hash;
  hash = FNV_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  }
  return hash;
}

/** One step of mulberry32: the output (unsigned 32 bits) and the state for the next step. */
export function mulberry32(state: number): { readonly output: number; readonly state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
  return { output: (t ^ (t >>> 14)) >>> 0, state: next };
}

/** The draw for `key`: a number in [0, 1), the first mulberry32 output seeded with fnv1a32(key). */
export function drawFraction(key: string): number {
  return mulberry32(fnv1a32(key)).output / TWO_TO_32;
}

/** The draw for `key` as an integer in [0, n). */
export function drawBelow(key: string, n: number): number {
  return Math.floor(drawFraction(key) * n);
}

/** The key of a draw: the run's seed, the phone, what the draw is for, and what it is per. */
export function drawKey(
  seed: string,
  mac: string,
  purpose: string,
  ...per: readonly (string | number)[]
): string {
  return [seed, mac, purpose, ...per].join('|');
}

/** Who draws: the run's seed (any text) and the phone. */
export interface Drawer {
  readonly seed: string;
  readonly mac: Mac;
}
