// A fleet phone's random draws (issue #8 §1, §6): each depends on the seed, the purpose and the
// phone's MAC only, never on its place in the inventory or in a shard, so that a phone does the
// same thing in a sharded run as in the unsharded one.
import { createHash } from 'node:crypto';
import type { Mac } from '../core/mac.js';

/** A number in [0, 1) from SHA-256 of purpose, seed and MAC (48 bits of it). */
export function phoneDraw(seed: string, mac: Mac, purpose: string): number {
  const digest = createHash('sha256').update(`${purpose}\0${seed}\0${mac}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The instant (ms after the start) a phone is powered on in a ramp of `rampMs`, whole ms. */
export function powerOnOffset(seed: string, mac: Mac, rampMs: number): number {
  return Math.floor(phoneDraw(seed, mac, 'power-on') * rampMs);
}
