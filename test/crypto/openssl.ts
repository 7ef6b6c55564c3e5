// The `openssl enc` command line as an independent implementation of raw AES-ECB (reference §12
// verified the vendor's files with exactly these flags), for cross-checking our cipher.
import { execFileSync } from 'node:child_process';
import { skipUnlessInstalled } from '../support/servers.js';

/** Skip on a developer's machine without openssl; in CI (CI=true) the tests run and fail instead. */
export const noOpenssl = skipUnlessInstalled({ binary: 'openssl', debianPackage: 'openssl' });

export function openssl(
  direction: 'encrypt' | 'decrypt',
  cipher: 'aes-128-ecb' | 'aes-256-ecb',
  asciiKey: string,
  input: Uint8Array,
): Uint8Array {
  const hexKey = Buffer.from(asciiKey, 'latin1').toString('hex');
  const flag = direction === 'decrypt' ? '-d' : '-e';
  return new Uint8Array(
    execFileSync('openssl', ['enc', flag, `-${cipher}`, '-nopad', '-K', hexKey], { input }),
  );
}

/** Pads with `byte` to a whole number of 16-byte blocks, as the encryption tool does. */
export function padTo16(bytes: Uint8Array, byte: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 16) * 16).fill(byte);
  out.set(bytes);
  return out;
}
