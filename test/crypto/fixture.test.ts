import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBootFile } from '../../src/config/bootFile.js';
import { parseCfgFile } from '../../src/config/cfgFile.js';
import { decryptConfig, looksEncrypted } from '../../src/crypto/configCipher.js';
import { readSecurityFile } from '../../src/crypto/securityFile.js';
import {
  encryptedFixtureFiles,
  FIXTURE_DIR,
  FIXTURE_KEY_TEXT,
  FIXTURE_PASSWORD,
  fixtureKey,
  MAC_CFG_PLAINTEXT,
} from './encryptedFixture.js';
import { noOpenssl, openssl } from './openssl.js';

const read = (name: string) => readFile(join(FIXTURE_DIR, name));

describe('fixtures/encrypted (E1-E3)', () => {
  it('holds exactly the bytes test/crypto/encryptedFixture.ts makes (regenerate with it if not)', async () => {
    for (const [name, bytes] of encryptedFixtureFiles()) {
      expect(Buffer.from(await read(name)), name).toEqual(Buffer.from(bytes));
    }
  });

  it('the common boot file includes the plain common CFG, then the encrypted MAC CFG', async () => {
    const boot = parseBootFile((await read('y000000000000.boot')).toString('utf8'), {
      file: 'y000000000000.boot',
    });
    expect(boot.diagnostics).toEqual([]);
    expect(boot.includes.map((i) => [i.target, i.models])).toEqual([
      ['y000000000108.cfg', null],
      ['00156574b150.cfg', null],
    ]);
  });

  it('the plain common CFG sets the MAC key that decrypts the MAC CFG, and the README gives it', async () => {
    const common = await read('y000000000108.cfg');
    expect(looksEncrypted(common)).toBe(false);
    const parsed = parseCfgFile(common.toString('utf8'), { file: 'y000000000108.cfg' });
    expect(parsed.diagnostics).toEqual([]);
    const setting = parsed.settings.find((s) => s.param === 'static.auto_provision.aes_key_16.mac');
    expect(setting?.value).toEqual({ kind: 'value', text: FIXTURE_KEY_TEXT });
    expect(await readFile(join(FIXTURE_DIR, 'README.md'), 'utf8')).toContain(`\`${FIXTURE_KEY_TEXT}\``);
  });

  it('the MAC CFG is encrypted and decrypts to a clean CFG with the test account', async () => {
    const bytes = await read('00156574b150.cfg');
    expect(looksEncrypted(bytes)).toBe(true);
    const result = decryptConfig(bytes, fixtureKey(), '00156574b150.cfg');
    expect(result).toEqual({ ok: true, text: MAC_CFG_PLAINTEXT });
    const parsed = parseCfgFile(MAC_CFG_PLAINTEXT, { file: '00156574b150.cfg' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.settings.find((s) => s.param === 'account.1.password')?.value).toEqual({
      kind: 'value',
      text: FIXTURE_PASSWORD,
    });
    // The padding is exercised: the plaintext does not fill its last block.
    expect(new TextEncoder().encode(MAC_CFG_PLAINTEXT).length % 16).not.toBe(0);
  });

  it('its _Security.enc holds the same key (E3)', async () => {
    expect(readSecurityFile(await read('00156574b150_Security.enc'), '00156574b150_Security.enc')).toEqual({
      ok: true,
      key: FIXTURE_KEY_TEXT,
    });
  });

  it.skipIf(noOpenssl)('openssl decrypts the MAC CFG with the key from the README', async () => {
    const plain = openssl('decrypt', 'aes-128-ecb', FIXTURE_KEY_TEXT, await read('00156574b150.cfg'));
    expect(Buffer.from(plain).toString('utf8').trimEnd()).toBe(MAC_CFG_PLAINTEXT.trimEnd());
  });
});
