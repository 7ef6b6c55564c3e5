// E1-E4 in a round: a configuration file without the #!version header is taken to be encrypted
// (E4 Decision) and decrypted with the key its role calls for: the MAC key for the phone's own
// files, the common key for the others (E1), or the key in `<name>_Security.enc` when
// `aes_key_in_file = 1` (E3). The MD5 of M1 stays that of the file as downloaded.
import { error } from '../config/diagnostic.js';
import { parseAesKey, type AesKey } from '../crypto/aesKey.js';
import { decryptConfig, hasVersionHeader } from '../crypto/configCipher.js';
import { readSecurityFile, securityFileName } from '../crypto/securityFile.js';
import { fetchFile, textOf, type Context, type Fetched } from './roundContext.js';
import type { RoundKey, RoundKeys } from './roundKeys.js';
import { fileName } from './serverUrl.js';

/**
 * The text of a configuration file, decrypted when it must be; null when the phone refuses it.
 * `keys` are the round's keys so far: a key set by an earlier file of the round counts (E1).
 */
export async function plainText(
  ctx: Context,
  fetched: Fetched,
  keys: RoundKeys,
): Promise<{ readonly text: string; readonly decrypted: boolean } | null> {
  const onlyEncrypted = keys.current('static.auto_provision.update_file_mode') === '1';
  if (hasVersionHeader(fetched.bytes)) {
    if (!onlyEncrypted) return { text: textOf(ctx, fetched), decrypted: false };
    ctx.log.add(
      error(
        'E4',
        `${fetched.file} is plain text, and static.auto_provision.update_file_mode = 1 accepts only encrypted files; not applied`,
        fetched.file,
        1,
      ),
    );
    return null;
  }
  const key = await keyFor(ctx, fetched, keys);
  if (!key) return null;
  const decrypted = decryptConfig(fetched.bytes, key.key, fetched.file, key.name);
  if (!decrypted.ok) {
    ctx.log.add(error('E2', `${decrypted.message}; not applied`, fetched.file, 1));
    return null;
  }
  return { text: decrypted.text, decrypted: true };
}

async function keyFor(
  ctx: Context,
  fetched: Fetched,
  keys: RoundKeys,
): Promise<{ key: AesKey; name: string } | null> {
  if (keys.current('static.auto_provision.aes_key_in_file') === '1') {
    const url = new URL(securityFileName(fileName(fetched.url)), fetched.url);
    const got = await fetchFile(ctx, url, 'key', { setting: { file: fetched.file, line: 1 } });
    if (got.kind === 'failed' || got.kind === 'not-fetched') return null;
    if (got.kind === 'not-found') {
      ctx.log.add(
        error(
          'E3',
          `${fetched.file} is encrypted and aes_key_in_file = 1, but ${fileName(url)} is not on the server`,
          fetched.file,
          1,
        ),
      );
      return null;
    }
    const { file } = got;
    const read = readSecurityFile(file.bytes, file.file);
    if (!read.ok) {
      ctx.log.add(error('E3', read.message, file.file, 1));
      return null;
    }
    return { key: read.key, name: `the key in ${file.file} (E3)` };
  }
  // E1: the phone's own files (<mac>.cfg, <mac>-local.cfg) take the MAC key, the others the common
  // key; the newer aes_key.* names before aes_key_16.*; a blank MAC key falls back to the common one.
  const mac = ctx.input.state.mac;
  const own = new RegExp(`^${mac}(-local)?\\.cfg$`, 'i').test(fileName(fetched.url));
  const candidates: RoundKey[] = [
    ...(own ? (['static.auto_provision.aes_key.mac', 'static.auto_provision.aes_key_16.mac'] as const) : []),
    'static.auto_provision.aes_key.com',
    'static.auto_provision.aes_key_16.com',
  ];
  const param = candidates.find((p) => keys.current(p) !== '');
  if (!param) {
    ctx.log.add(
      error(
        'E4',
        `${fetched.file} does not start with #!version:1.0.0.1 (C1), so the phone takes it to be encrypted, but no AES key applies (${candidates.join(', ')} are empty); not applied`,
        fetched.file,
        1,
      ),
    );
    return null;
  }
  const parsed = parseAesKey(keys.current(param), param);
  if (!parsed.ok) {
    ctx.log.add(error('E1', `${parsed.message}; ${fetched.file} is not applied`, fetched.file, 1));
    return null;
  }
  return { key: parsed.key, name: param };
}
