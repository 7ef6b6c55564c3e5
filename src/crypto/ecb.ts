// Raw AES-ECB over whole 16-byte blocks, as Yealink's encryption tool uses it (spec E2, E3): no IV,
// no PKCS#7; the key's size picks AES-128 or AES-256.
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const BLOCK_SIZE = 16;

export type EcbCipher = 'aes-128-ecb' | 'aes-256-ecb';

export function ecbCipherFor(keyBytes: Uint8Array): EcbCipher {
  if (keyBytes.length === 16) return 'aes-128-ecb';
  if (keyBytes.length === 32) return 'aes-256-ecb';
  throw new Error(`an AES key has 16 or 32 bytes, not ${keyBytes.length}`);
}

export function ecbEncrypt(keyBytes: Uint8Array, data: Uint8Array): Uint8Array {
  return run('encrypt', keyBytes, data);
}

export function ecbDecrypt(keyBytes: Uint8Array, data: Uint8Array): Uint8Array {
  return run('decrypt', keyBytes, data);
}

function run(direction: 'encrypt' | 'decrypt', keyBytes: Uint8Array, data: Uint8Array): Uint8Array {
  // Callers pad or check the length first; a partial block here is a bug, not bad input.
  if (data.length % BLOCK_SIZE !== 0) {
    throw new Error(`AES-ECB works on whole ${BLOCK_SIZE}-byte blocks; got ${data.length} bytes`);
  }
  const algorithm = ecbCipherFor(keyBytes);
  const cipher =
    direction === 'encrypt'
      ? createCipheriv(algorithm, keyBytes, null)
      : createDecipheriv(algorithm, keyBytes, null);
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(data), cipher.final()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
