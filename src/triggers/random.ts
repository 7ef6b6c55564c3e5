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
  return fnv1aUpdate(FNV_OFFSET_BASIS, text);
}

/**
 * FNV-1a continued from `hash` over the UTF-8 bytes of `text`: fnv1a32(a + b) is
 * fnv1aUpdate(fnv1a32(a), b), since the UTF-8 of a concatenation is the concatenation of the UTF-8s
 * (pieces here are joined by `|`, so no surrogate pair is ever split between two).
 */
function fnv1aUpdate(hash: number, text: string): number {
  const start = hash;
  // ASCII (MACs, digits, most seeds) is its own UTF-8: no encoding, no allocation per draw.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return fnv1aBytes(start, new TextEncoder().encode(text));
    hash = Math.imul(hash ^ code, FNV_PRIME) >>> 0;
  }
  return hash;
}

function fnv1aBytes(hash: number, bytes: Uint8Array): number {
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  return hash;
}

/** FNV-1a continued over the decimal digits of a safe integer, as `String(n)` writes them. */
function fnv1aInteger(hash: number, n: number): number {
  if (n < 0) {
    hash = Math.imul(hash ^ 0x2d, FNV_PRIME) >>> 0; // '-'
    n = -n;
  }
  let place = 1;
  while (place * 10 <= n) place *= 10;
  for (; place >= 1; place /= 10) {
    const digit = Math.floor(n / place) % 10;
    hash = Math.imul(hash ^ (0x30 + digit), FNV_PRIME) >>> 0;
  }
  return hash;
}

/** One step of mulberry32: the output (unsigned 32 bits) and the state for the next step. */
export function mulberry32(state: number): { readonly output: number; readonly state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  return { output: mulberry32Output(next), state: next };
}

/** mulberry32's output for the state after one step, without the object. */
function mulberry32Output(next: number): number {
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/** The draw for `key`: a number in [0, 1), the first mulberry32 output seeded with fnv1a32(key). */
export function drawFraction(key: string): number {
  return fractionOfHash(fnv1a32(key));
}

function fractionOfHash(hash: number): number {
  return mulberry32Output((hash + 0x6d2b79f5) | 0) / TWO_TO_32;
}

/**
 * `drawFraction(drawKey(seed, mac, purpose, per))` without building the key: the same hash, taken
 * piece by piece (a phone's schedule draws several times each time it goes idle, issue #14).
 */
export function drawFractionOf(seed: string, mac: string, purpose: string, per: string | number): number {
  let hash = fnv1aUpdate(FNV_OFFSET_BASIS, seed);
  hash = Math.imul(hash ^ BAR, FNV_PRIME) >>> 0;
  hash = fnv1aUpdate(hash, mac);
  hash = Math.imul(hash ^ BAR, FNV_PRIME) >>> 0;
  hash = fnv1aUpdate(hash, purpose);
  hash = Math.imul(hash ^ BAR, FNV_PRIME) >>> 0;
  hash =
    typeof per === 'number' && Number.isInteger(per) && Math.abs(per) <= MAX_DIGITS_EXACT
      ? fnv1aInteger(hash, per)
      : fnv1aUpdate(hash, String(per));
  return fractionOfHash(hash);
}

const BAR = 0x7c; // '|', drawKey's separator
/** Up to here floor(n / 10^k) is exact in doubles (days and epoch ms are far below). */
const MAX_DIGITS_EXACT = 1e15;

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
