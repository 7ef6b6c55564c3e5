// `encrypt`: a plain CFG encrypted as Yealink's encryption tool does (spec E2): raw AES-ECB under the
// key's characters, padded with spaces; optionally the `<name>_Security.enc` that carries the key
// (E3). Bytes or text in, bytes out, nothing written (issue #17; `autop encrypt` writes files).
import { UsageError } from '../core/usageError.js';
import { generateKey, isAes128Key, parseAesKey, type AesKey } from '../crypto/aesKey.js';
import { cipherLabel, encryptConfig, hasVersionHeader } from '../crypto/configCipher.js';
import { makeSecurityFile } from '../crypto/securityFile.js';
import { AutopError, guardedSync } from './errors.js';

export interface EncryptOptions {
  /** 16 characters (AES-128) or 32 (AES-256) of the alphabet of E1; default: a new random key. */
  readonly key?: string;
  /** The length of a generated key: 16 (the default) or 32. */
  readonly keyLength?: 16 | 32;
  /** Also make the `<name>_Security.enc` content: the key under the built-in key (E3; 16-character keys). */
  readonly security?: boolean;
  /** The file's name, in messages (default `the CFG`); a `.boot` name is refused (E1). */
  readonly name?: string;
}

export interface Encrypted {
  /** The encrypted CFG: what the phone downloads under the plain file's name. */
  readonly bytes: Uint8Array;
  /** The key, given or generated: the phone needs it (E1), so keep it. */
  readonly key: string;
  readonly cipher: 'AES-128-ECB' | 'AES-256-ECB';
  /** With `security`: the content of `<name>_Security.enc`. */
  readonly security?: Uint8Array;
}

function keyOf(options: EncryptOptions): AesKey {
  const length = options.keyLength;
  if (length !== undefined && length !== 16 && length !== 32)
    throw new UsageError(`--key-length must be 16 (AES-128) or 32 (AES-256), not "${String(length)}"`);
  if (options.key === undefined) return generateKey(length ?? 16);
  if (length !== undefined) throw new UsageError('--key-length is for generated keys; --key gives one');
  const check = parseAesKey(String(options.key), 'the --key value');
  if (!check.ok) throw new UsageError(check.message);
  return check.key;
}

/** Encrypts one plain CFG (text, UTF-8, or bytes). */
export function encrypt(plain: string | Uint8Array, options: EncryptOptions = {}): Encrypted {
  return guardedSync(() => {
    const name = options.name ?? 'the CFG';
    const bytes = typeof plain === 'string' ? new TextEncoder().encode(plain) : plain;
    if (!(bytes instanceof Uint8Array)) throw new UsageError('encrypt: give the CFG as a string or bytes');
    const key = keyOf(options);
    if (options.security && !isAes128Key(key))
      throw new UsageError(
        `--security needs a 16-character key: a _Security.enc file holds 16 bytes (E3); ` +
          `use a 16-character key or drop --security`,
      );
    if (name.endsWith('.boot'))
      throw new AutopError(
        'not-plain',
        `${name} is a boot file; the phone decrypts CFG files only (E1), so leave it plain`,
      );
    if (!hasVersionHeader(bytes))
      throw new AutopError(
        'not-plain',
        `${name} does not start with #!version, so it is not a plain CFG: already encrypted? ` +
          '(only plain CFG files are encrypted; add the #!version:1.0.0.1 first line if it is missing)',
      );
    return {
      bytes: encryptConfig(bytes, key),
      key,
      cipher: cipherLabel(key) as Encrypted['cipher'],
      ...(options.security && isAes128Key(key) && { security: makeSecurityFile(key) }),
    };
  });
}
