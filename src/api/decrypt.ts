// `decrypt`: the plain text of an encrypted CFG (spec E2), with its key or its `_Security.enc`
// (E3); the text as `autop decrypt` prints it (issue #17).
import { UsageError } from '../core/usageError.js';
import { parseAesKey, type AesKey } from '../crypto/aesKey.js';
import { decryptConfig } from '../crypto/configCipher.js';
import { readSecurityFile } from '../crypto/securityFile.js';
import { AutopError, guardedSync } from './errors.js';

export interface DecryptOptions {
  /** The key: 16 or 32 characters. Give this or `security`. */
  readonly key?: string;
  /** Or the content of the file's `<name>_Security.enc`, which holds its key (E3). */
  readonly security?: Uint8Array;
  /** The file's name, in messages (default `the CFG`). */
  readonly name?: string;
}

/** The plain text; an AutopError `does-not-decrypt` when the key does not open it. */
export function decrypt(ciphertext: Uint8Array, options: DecryptOptions): string {
  return guardedSync(() => {
    const name = options.name ?? 'the CFG';
    if (!(ciphertext instanceof Uint8Array)) throw new UsageError('decrypt: give the encrypted CFG as bytes');
    if (options.key !== undefined && options.security !== undefined)
      throw new UsageError('give the key one way: key or security, not both');
    let key: AesKey;
    let keyName: string;
    if (options.key !== undefined) {
      const check = parseAesKey(String(options.key), 'the --key value');
      if (!check.ok) throw new UsageError(check.message);
      key = check.key;
      keyName = 'the --key value';
    } else if (options.security !== undefined) {
      const read = readSecurityFile(options.security, `the _Security.enc of ${name}`);
      if (!read.ok) throw new AutopError('does-not-decrypt', read.message);
      key = read.key;
      keyName = `the key in the _Security.enc of ${name}`;
    } else {
      throw new UsageError(`say which key decrypts ${name}: key, or security (its _Security.enc)`);
    }
    const result = decryptConfig(ciphertext, key, name, keyName);
    if (!result.ok) throw new AutopError('does-not-decrypt', result.message);
    return result.text;
  });
}
