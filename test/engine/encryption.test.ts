// E1-E4 in a round: encrypted CFGs decrypted with the key their role calls for, keys provisioned
// earlier in the same round, _Security.enc files, and the errors when it cannot be done.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAesKey, type AesKey, type AesKey128 } from '../../src/crypto/aesKey.js';
import { encryptConfig } from '../../src/crypto/configCipher.js';
import { makeSecurityFile } from '../../src/crypto/securityFile.js';
import { maskReport } from '../../src/report/mask.js';
import { renderText } from '../../src/report/text.js';
import { MemoryTree, file } from '../support/memoryTree.js';
import { newPhone, params, round, T46U_MAC } from '../support/engine.js';

const MAC_KEY = 'Mac0Key1Test2Abc';
const COM_KEY = 'Com0Key1Test2Xyz';
const key = (text: string): AesKey => {
  const parsed = parseAesKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
};
const encrypt = (text: string, k: string) => encryptConfig(new TextEncoder().encode(text), key(k));
const PASSWORD = 'enc-secret-99';
const macCfg = file('account.1.enable = 1', 'account.1.user_name = 101', `account.1.password = ${PASSWORD}`);

function tree(common: string[], mac: Uint8Array | string) {
  return new MemoryTree({
    'y000000000000.boot': file('include:config "y000000000108.cfg"', `include:config "${T46U_MAC}.cfg"`),
    'y000000000108.cfg': file(...common),
    [`${T46U_MAC}.cfg`]: mac,
  });
}

describe('E1 encrypted files in a round', () => {
  it('decrypts <mac>.cfg with the MAC key the common CFG provisioned in the same round', async () => {
    const encrypted = encrypt(macCfg, MAC_KEY);
    const { report } = await round(
      tree([`static.auto_provision.aes_key_16.mac = ${MAC_KEY}`], encrypted),
      newPhone(),
    );
    expect(report.errors).toEqual([]);
    expect(report.applied).toEqual(['y000000000108.cfg', `${T46U_MAC}.cfg`]);
    expect(report.config['account.1.user_name']).toBe('101');
    // M1 takes the MD5 of the file as downloaded, not of the plaintext.
    expect(report.downloads.find((d) => d.name === `${T46U_MAC}.cfg`)?.md5).toBe(
      createHash('md5').update(encrypted).digest('hex'),
    );
    const shown = maskReport(report, params);
    for (const text of [JSON.stringify(shown), renderText(shown)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(MAC_KEY);
    }
  });

  it('decrypts the other files with the common key, and falls back to it for a blank MAC key', async () => {
    const t = new MemoryTree({
      'y000000000000.boot': file(
        'include:config "keys.cfg"',
        'include:config "site.cfg"',
        `include:config "${T46U_MAC}.cfg"`,
      ),
      'keys.cfg': file(`static.auto_provision.aes_key.com = ${COM_KEY}`),
      'site.cfg': encrypt(file('lang.gui = German'), COM_KEY),
      [`${T46U_MAC}.cfg`]: encrypt(macCfg, COM_KEY),
    });
    const { report } = await round(t, newPhone());
    expect(report.errors).toEqual([]);
    expect(report.config).toMatchObject({ 'lang.gui': 'German', 'account.1.user_name': '101' });
  });

  it('takes a 32-character key as AES-256', async () => {
    const long = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';
    const { report } = await round(
      tree([`static.auto_provision.aes_key.mac = ${long}`], encrypt(macCfg, long)),
      newPhone(),
    );
    expect(report.errors).toEqual([]);
    expect(report.config['account.1.user_name']).toBe('101');
  });

  it('refuses a file the key does not open, naming the file, and applies nothing of it', async () => {
    const { report } = await round(
      tree([`static.auto_provision.aes_key_16.mac = ${COM_KEY}`], encrypt(macCfg, MAC_KEY)),
      newPhone(),
    );
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'E2', file: `${T46U_MAC}.cfg` })]);
    expect(report.errors[0]?.message).toContain('the key is wrong');
    expect(report.errors[0]?.message).not.toContain(COM_KEY);
    expect(report.config['account.1.user_name']).toBeUndefined();
    expect(report.applied).toEqual(['y000000000108.cfg']);
  });

  it('refuses a length that is not a multiple of 16, and says when no key applies', async () => {
    const cut = encrypt(macCfg, MAC_KEY).subarray(0, 40);
    const short = await round(tree([`static.auto_provision.aes_key_16.mac = ${MAC_KEY}`], cut), newPhone());
    expect(short.report.errors[0]?.message).toContain('not a multiple of 16');
    const none = await round(tree(['lang.gui = English'], encrypt(macCfg, MAC_KEY)), newPhone());
    expect(none.report.errors).toEqual([expect.objectContaining({ rule: 'E4', file: `${T46U_MAC}.cfg` })]);
  });

  it('reports a key with characters outside the allowed set without echoing it', async () => {
    const { report } = await round(
      tree(['static.auto_provision.aes_key_16.mac = bad key with sp'], encrypt(macCfg, MAC_KEY)),
      newPhone(),
    );
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'E1' })]);
    expect(report.errors[0]?.message).not.toContain('bad key with sp');
  });
});

describe('E3 keys in _Security.enc files', () => {
  it('fetches <name>_Security.enc beside the file when aes_key_in_file = 1', async () => {
    const t = tree(['static.auto_provision.aes_key_in_file = 1'], encrypt(macCfg, MAC_KEY)).set({
      [`${T46U_MAC}_Security.enc`]: makeSecurityFile(key(MAC_KEY) as AesKey128),
    });
    const { report } = await round(t, newPhone());
    expect(report.errors).toEqual([]);
    expect(t.requested).toContain(`${T46U_MAC}_Security.enc`);
    expect(report.downloads.find((d) => d.name.endsWith('_Security.enc'))).toMatchObject({
      kind: 'key',
      outcome: 'ok',
    });
    expect(report.config['account.1.user_name']).toBe('101');
  });
});

describe('E4 update_file_mode = 1', () => {
  it('accepts only encrypted files', async () => {
    const { report } = await round(
      tree(
        [`static.auto_provision.aes_key_16.mac = ${MAC_KEY}`, 'static.auto_provision.update_file_mode = 1'],
        macCfg,
      ),
      newPhone(),
    );
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'E4', file: `${T46U_MAC}.cfg` })]);
    expect(report.config['account.1.user_name']).toBeUndefined();
  });
});
