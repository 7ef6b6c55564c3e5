// Encrypted CFG files (spec E2, E4): the whole text as raw AES-ECB ciphertext under the key's ASCII
// bytes, padded with spaces to a whole block; the file keeps its name and has no header.
import { keyBits, keyBytes, type AesKey } from './aesKey.js';
import { BLOCK_SIZE, ecbDecrypt, ecbEncrypt } from './ecb.js';

/**
 * The byte that fills the last block. Reference §12: the vendor's test vector decrypts to text that
 * ends in "\r\n" and four spaces, the padding of an 800-byte file; no NULs and no PKCS#7 bytes.
 * A text whose length is already a multiple of 16 gets no padding block.
 */
export const PADDING_BYTE = 0x20;

const VERSION_HEADER = new TextEncoder().encode('#!version');
const BOM = [0xef, 0xbb, 0xbf];

export type Decryption = { ok: true; text: string } | { ok: false; message: string };

export function cipherLabel(key: AesKey): string {
  return `AES-${keyBits(key)}-ECB`;
}

export function encryptConfig(plaintext: Uint8Array, key: AesKey): Uint8Array {
  const padded = new Uint8Array(Math.ceil(plaintext.length / BLOCK_SIZE) * BLOCK_SIZE).fill(PADDING_BYTE);
  padded.set(plaintext);
  return ecbEncrypt(keyBytes(key), padded);
}

/**
 * Decrypts one file. `name` (a file name or URL) and `keyName` (which key, e.g. "the MAC key
 * (static.auto_provision.aes_key_16.mac)") go into the messages; the key itself never does.
 */
export function decryptConfig(
  ciphertext: Uint8Array,
  key: AesKey,
  name: string,
  keyName = 'the key given',
): Decryption {
  if (ciphertext.length === 0) {
    return { ok: false, message: `${name} is empty; an encrypted CFG holds at least one 16-byte block (E2)` };
  }
  if (hasVersionHeader(ciphertext)) {
    return {
      ok: false,
      message: `${name} is not encrypted: it already starts with #!version (a plain-text CFG)`,
    };
  }
  const plainHint = isPrintableText(ciphertext)
    ? '; or it is not encrypted at all: it looks like plain text without the #!version:1.0.0.1 first line'
    : '';
  if (ciphertext.length % BLOCK_SIZE !== 0) {
    return {
      ok: false,
      message:
        `${name} has ${ciphertext.length} bytes, not a multiple of 16, so it is not an AES-ECB ` +
        `encrypted CFG (E2: the encryption tool writes whole 16-byte blocks)${plainHint}`,
    };
  }
  const plain = ecbDecrypt(keyBytes(key), ciphertext);
  if (!hasVersionHeader(plain)) {
    return {
      ok: false,
      message:
        `${name} does not decrypt with ${keyName} (${cipherLabel(key)}): the result does not start ` +
        `with #!version, so the key is wrong for this file${plainHint}`,
    };
  }
  const body = startsWithBom(plain) ? plain.subarray(BOM.length) : plain;
  return { ok: true, text: new TextDecoder('utf-8').decode(body.subarray(0, paddedEnd(body))) };
}

/** E4 Decision: a file that does not begin with the #!version header is taken to be encrypted. */
export function looksEncrypted(bytes: Uint8Array): boolean {
  return !hasVersionHeader(bytes);
}

/**
 * `#!version` at the start, after an optional UTF-8 BOM and spaces or tabs (the CFG parser trims the
 * first line the same way, C1). Ciphertext begins like this with probability 2^-72.
 */
export function hasVersionHeader(bytes: Uint8Array): boolean {
  let i = startsWithBom(bytes) ? BOM.length : 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
  return VERSION_HEADER.every((b, j) => bytes[i + j] === b);
}

function startsWithBom(bytes: Uint8Array): boolean {
  return BOM.every((b, i) => bytes[i] === b);
}

/** Where the text ends once the padding (spaces, or NULs from other tools) after the last line is cut. */
function paddedEnd(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === PADDING_BYTE || bytes[end - 1] === 0x00)) end--;
  return end;
}

/** Valid UTF-8 with no control bytes but tab, CR and LF: text, not ciphertext. */
function isPrintableText(bytes: Uint8Array): boolean {
  if (!bytes.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f))) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
