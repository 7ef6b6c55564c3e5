// E1-E4 in a round: a configuration file without the #!version header is taken to be encrypted
// (E4 Decision) and decrypted with the key its role calls for: the MAC key for the phone's own
// files, the common key for the others (E1), or the key in `<name>_Security.enc` when
// `aes_key_in_file = 1` (E3). The MD5 of M1 stays that of the file as downloaded.
import { error } from '../config/diagnostic.js';
import { parseAesKey, type AesKey } from '../crypto/aesKey.js';
import { decryptConfig, hasVersionHeader } from '../crypto/configCipher.js';
import { readSecurityFile, securityFileName } from '../crypto/securityFile.js';
import { lastValue } from './merge.js';
import { fetchFile, type Context, type Fetched } from './roundContext.js';
import { fileName } from './serverUrl.js';

/** The phone's configuration as this round has it so far: keys set by an earlier file count (E1). */
function currentValue(ctx: Context, param: string): string {
  const value = lastValue(ctx.seen, param, false);
  if (typeof value === 'string') return value;
  return ctx.input.state.config[param] ?? ctx.catalogues.params.defaultOf(param) ?? '';
}

/** The text of a configuration file, decrypted when it must be; null when it cannot be used. */
export async function plainText(ctx: Context, fetched: Fetched): Promise<string | null> {
  const onlyEncrypted = currentValue(ctx, 'static.auto_provision.update_file_mode') === '1';
  if (hasVersionHeader(fetched.bytes)) {
    if (!onlyEncrypted) return fetched.text;
    ctx.log.diagnostics.push(
      error(
        'E4',
        `${fetched.file} is plain text, and static.auto_provision.update_file_mode = 1 accepts only encrypted files; not applied`,
        fetched.file,
      ),
    );
    return null;
  }
  const key = await keyFor(ctx, fetched);
  if (!key) return null;
  const decrypted = decryptConfig(fetched.bytes, key.key, fetched.file, key.name);
  if (!decrypted.ok) {
    ctx.log.diagnostics.push(error('E2', `${decrypted.message}; not applied`, fetched.file));
    return null;
  }
  return decrypted.text;
}

async function keyFor(ctx: Context, fetched: Fetched): Promise<{ key: AesKey; name: string } | null> {
  if (currentValue(ctx, 'static.auto_provision.aes_key_in_file') === '1') {
    const url = new URL(securityFileName(fileName(fetched.url)), fetched.url);
    const file = await fetchFile(ctx, url, 'key');
    if (file === 'failed') return null;
    if (!file) {
      ctx.log.diagnostics.push(
        error(
          'E3',
          `${fetched.file} is encrypted and aes_key_in_file = 1, but ${fileName(url)} is not on the server`,
          fetched.file,
        ),
      );
      return null;
    }
    const read = readSecurityFile(file.bytes, file.file);
    if (!read.ok) {
      ctx.log.diagnostics.push(error('E3', read.message, file.file));
      return null;
    }
    return { key: read.key, name: `the key in ${file.file} (E3)` };
  }
  // E1: the phone's own files (<mac>.cfg, <mac>-local.cfg) take the MAC key, the others the common
  // key; the newer aes_key.* names before aes_key_16.*; a blank MAC key falls back to the common one.
  const mac = ctx.input.state.mac;
  const own = new RegExp(`^${mac}(-local)?\\.cfg$`, 'i').test(fileName(fetched.url));
  const candidates = [
    ...(own ? ['static.auto_provision.aes_key.mac', 'static.auto_provision.aes_key_16.mac'] : []),
    'static.auto_provision.aes_key.com',
    'static.auto_provision.aes_key_16.com',
  ];
  const param = candidates.find((p) => currentValue(ctx, p) !== '');
  if (!param) {
    ctx.log.diagnostics.push(
      error(
        'E4',
        `${fetched.file} does not start with #!version:1.0.0.1 (C1), so the phone takes it to be encrypted, but no AES key applies (${candidates.join(', ')} are empty); not applied`,
        fetched.file,
      ),
    );
    return null;
  }
  const parsed = parseAesKey(currentValue(ctx, param), param);
  if (!parsed.ok) {
    ctx.log.diagnostics.push(error('E1', `${parsed.message}; ${fetched.file} is not applied`, fetched.file));
    return null;
  }
  return { key: parsed.key, name: param };
}
