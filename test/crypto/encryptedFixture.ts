// Makes the encrypted files of fixtures/encrypted/ (spec E1-E3) from the plaintext below, with the
// project's own encryptConfig. AES-ECB is deterministic, so fixture.test.ts checks that the
// committed bytes are exactly what this makes. After editing the plaintext, regenerate with
//   npx tsc -p . && node dist/test/crypto/encryptedFixture.js
import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { isAes128Key, parseAesKey, type AesKey128 } from '../../src/crypto/aesKey.js';
import { encryptConfig } from '../../src/crypto/configCipher.js';
import { makeSecurityFile } from '../../src/crypto/securityFile.js';

export const FIXTURE_DIR = join(fixturesDir, 'encrypted');
export const FIXTURE_MAC = '00156574b150';
/** Test data, also set in the tree's plain y000000000108.cfg and given in its README. */
export const FIXTURE_KEY_TEXT = 'autopE2TestKey16';
export const FIXTURE_PASSWORD = 'enc-test-pw-1';

export const MAC_CFG_PLAINTEXT = `#!version:1.0.0.1
# MAC CFG for SIP-T46U 00:15:65:74:b1:50, stored encrypted (spec E1, E2) with the key that
# y000000000108.cfg sets as static.auto_provision.aes_key_16.mac. Test data: see README.md.

account.1.enable = 1
account.1.label = 201 Encrypted Desk
account.1.display_name = Encrypted Desk
account.1.auth_name = 201
account.1.user_name = 201
account.1.password = ${FIXTURE_PASSWORD}
account.1.sip_server.1.address = sip.example.com
account.1.sip_server.1.port = 5060
account.1.sip_server.1.transport_type = 0
account.1.sip_server.1.expires = 3600
phone_setting.backlight_time = 600
`;

export function fixtureKey(): AesKey128 {
  const check = parseAesKey(FIXTURE_KEY_TEXT);
  if (!check.ok || !isAes128Key(check.key)) throw new Error('the fixture key must be a 16-character key');
  return check.key;
}

/** The files this script owns in fixtures/encrypted/, by name. */
export function encryptedFixtureFiles(): Map<string, Uint8Array> {
  const key = fixtureKey();
  return new Map([
    [`${FIXTURE_MAC}.cfg`, encryptConfig(new TextEncoder().encode(MAC_CFG_PLAINTEXT), key)],
    [`${FIXTURE_MAC}_Security.enc`, makeSecurityFile(key)],
  ]);
}

async function main(): Promise<void> {
  for (const [name, bytes] of encryptedFixtureFiles()) {
    await writeFile(join(FIXTURE_DIR, name), bytes);
    process.stdout.write(`wrote ${join(FIXTURE_DIR, name)} (${bytes.length} bytes)\n`);
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
