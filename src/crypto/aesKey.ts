// AES keys for encrypted CFG files (spec E1): 16 or 32 characters from a fixed alphabet, checked once
// here and branded, so the cipher never sees an unchecked string. Messages never repeat the key.
import { randomInt } from 'node:crypto';

declare const aesKeyBits: unique symbol;
/** A checked 16-character key: AES-128 (E2). */
export type AesKey128 = string & { readonly [aesKeyBits]: 128 };
/** A checked 32-character key: AES-256 (E2 Decision). */
export type AesKey256 = string & { readonly [aesKeyBits]: 256 };
export type AesKey = AesKey128 | AesKey256;

export type KeyLength = 16 | 32;
export const KEY_LENGTHS: readonly KeyLength[] = [16, 32];

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** E1: the characters a key may use. */
export const KEY_ALPHABET = `${ALPHANUMERIC}#$%*+,-.:=?@[]^_{}~`;
const ALLOWED = new Set(KEY_ALPHABET);

export type KeyCheck = { ok: true; key: AesKey } | { ok: false; message: string };

/**
 * Checks a key against E1. `what` names it in the message ("the --key value", "the key in k.txt");
 * the message gives the length and the position of a bad character, never the key.
 */
export function parseAesKey(text: string, what = 'the AES key'): KeyCheck {
  const chars = Array.from(text);
  const problems: string[] = [];
  if (chars.length !== 16 && chars.length !== 32) {
    problems.push(`has ${chars.length} character${chars.length === 1 ? '' : 's'}; it must have 16 or 32`);
  }
  const bad = chars.findIndex((c) => !ALLOWED.has(c));
  if (bad >= 0) {
    problems.push(
      `character ${bad + 1} is ${describeCharacter(chars[bad]!)}, which a key may not contain ` +
        `(allowed: 0-9 A-Z a-z ${[...KEY_ALPHABET.slice(ALPHANUMERIC.length)].join(' ')})`,
    );
  }
  if (problems.length > 0) return { ok: false, message: `${what} ${problems.join('; ')} (E1)` };
  return { ok: true, key: text as AesKey };
}

/** A disallowed character, shown so that invisible ones (space, tab, a pasted NBSP) can be found. */
function describeCharacter(c: string): string {
  if (c === ' ') return 'a space';
  const code = c.codePointAt(0)!;
  if (code > 0x20 && code < 0x7f) return JSON.stringify(c);
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function isAes128Key(key: AesKey): key is AesKey128 {
  return key.length === 16;
}

export function keyBits(key: AesKey): 128 | 256 {
  return isAes128Key(key) ? 128 : 256;
}

/** The bytes AES uses: the key's ASCII characters themselves (E2), no hashing or derivation. */
export function keyBytes(key: AesKey): Uint8Array {
  return new Uint8Array(Buffer.from(key, 'latin1'));
}

/**
 * A new random key. Letters and digits only, as the vendor tool makes them (reference §12: its key
 * `ljB7jiDIQQ7XD888`; traviscross/yealink-confenc: "[a-zA-Z0-9]"): such a key can be pasted into a
 * CFG line, a shell or a URL without quoting, and still carries 16 × log2(62) ≈ 95 bits.
 */
export function generateKey(): AesKey128;
export function generateKey(length: 16): AesKey128;
export function generateKey(length: 32): AesKey256;
export function generateKey(length: KeyLength): AesKey;
export function generateKey(length: KeyLength = 16): AesKey {
  let key = '';
  for (let i = 0; i < length; i++) key += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return key as AesKey;
}
