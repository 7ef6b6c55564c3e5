// `<name>_Security.enc` (spec E3): the file's 16-character key, AES-128-ECB encrypted under the key
// built into the firmware and the vendor tool, so the phone needs no key configured.
import { isAes128Key, parseAesKey, type AesKey128 } from './aesKey.js';
import { ecbDecrypt, ecbEncrypt } from './ecb.js';

/** E3 / reference §12: the fixed key, verified against the vendor tool's test_Security.enc. */
export const SECURITY_FILE_KEY = 'EKs35XacP6eybA25';
const FIXED_KEY_BYTES = new TextEncoder().encode(SECURITY_FILE_KEY);
const SECURITY_FILE_SIZE = 16;

export type SecurityFileRead = { ok: true; key: AesKey128 } | { ok: false; message: string };

/** `y000000000108.cfg` → `y000000000108_Security.enc`; a directory part or URL path is kept. */
export function securityFileName(cfgName: string): string {
  const slash = cfgName.lastIndexOf('/');
  const dot = cfgName.lastIndexOf('.');
  const stem = dot > slash + 1 ? cfgName.slice(0, dot) : cfgName;
  return `${stem}_Security.enc`;
}

export function makeSecurityFile(key: AesKey128): Uint8Array {
  return ecbEncrypt(FIXED_KEY_BYTES, new TextEncoder().encode(key));
}

export function readSecurityFile(bytes: Uint8Array, name: string): SecurityFileRead {
  if (bytes.length !== SECURITY_FILE_SIZE) {
    return {
      ok: false,
      message:
        `${name} has ${bytes.length} bytes; a _Security.enc file holds exactly 16 ` +
        `(a 16-character key encrypted with AES-128-ECB, E3)`,
    };
  }
  const decrypted = Buffer.from(ecbDecrypt(FIXED_KEY_BYTES, bytes)).toString('latin1');
  const check = parseAesKey(decrypted);
  if (!check.ok || !isAes128Key(check.key)) {
    return {
      ok: false,
      message:
        `${name} does not decrypt to a valid key under the built-in key (E3): ` +
        `it is not a _Security.enc file made by the encryption tool, or it is damaged`,
    };
  }
  return { ok: true, key: check.key };
}
