import { describe, expect, it } from 'vitest';
import { generateKey, parseAesKey, type AesKey128 } from '../../src/crypto/aesKey.js';
import {
  makeSecurityFile,
  readSecurityFile,
  SECURITY_FILE_KEY,
  securityFileName,
} from '../../src/crypto/securityFile.js';
import { ecbEncrypt } from '../../src/crypto/ecb.js';
import { noOpenssl, openssl } from './openssl.js';

// test/test_Security.enc of traviscross/yealink-confenc, made by the vendor's tool (reference §12),
// and the key it holds.
const VENDOR_SECURITY_FILE = Buffer.from('ac31d043a08b31ec3c0a88fc2de47156', 'hex');
const VENDOR_KEY = 'ljB7jiDIQQ7XD888';

function read(bytes: Uint8Array, name = 'x_Security.enc') {
  return readSecurityFile(bytes, name);
}

describe('E3 <name>_Security.enc', () => {
  it('reads the key out of the vendor tool’s test vector', () => {
    expect(read(VENDOR_SECURITY_FILE)).toEqual({ ok: true, key: VENDOR_KEY });
  });

  it('makes the vendor tool’s bytes from the same key', () => {
    expect(Buffer.from(makeSecurityFile(VENDOR_KEY as AesKey128))).toEqual(VENDOR_SECURITY_FILE);
  });

  it('round-trips generated keys', () => {
    for (let i = 0; i < 20; i++) {
      const key = generateKey();
      const bytes = makeSecurityFile(key);
      expect(bytes).toHaveLength(16);
      expect(read(bytes)).toEqual({ ok: true, key });
    }
  });

  it('round-trips keys that use the symbols of the E1 alphabet', () => {
    const check = parseAesKey('#$%*+,-.:=?@[]^_');
    if (!check.ok) throw new Error(check.message);
    expect(read(makeSecurityFile(check.key as AesKey128))).toEqual({ ok: true, key: '#$%*+,-.:=?@[]^_' });
  });

  it.skipIf(noOpenssl)('is the key encrypted with openssl -aes-128-ecb under EKs35XacP6eybA25', () => {
    const key = generateKey();
    const plain = openssl('decrypt', 'aes-128-ecb', SECURITY_FILE_KEY, makeSecurityFile(key));
    expect(Buffer.from(plain).toString('latin1')).toBe(key);
    const made = openssl('encrypt', 'aes-128-ecb', SECURITY_FILE_KEY, Buffer.from(key, 'latin1'));
    expect(read(made)).toEqual({ ok: true, key });
  });

  it.each([0, 15, 17, 32])('rejects %i bytes, naming the file', (n) => {
    const result = read(new Uint8Array(n), 'phones/account_Security.enc');
    expect(result).toEqual({
      ok: false,
      message: `phones/account_Security.enc has ${n} bytes; a _Security.enc file holds exactly 16 (a 16-character key encrypted with AES-128-ECB, E3)`,
    });
  });

  it('rejects 16 bytes that do not decrypt to a key, without showing what they decrypt to', () => {
    const notAKey = ecbEncrypt(Buffer.from(SECURITY_FILE_KEY), Buffer.from('not a key! 12345'));
    const result = read(notAKey, 'a_Security.enc');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain(
        'a_Security.enc does not decrypt to a valid key under the built-in key',
      );
      expect(result.message).not.toContain('not a key');
    }
    expect(read(new Uint8Array(16)).ok).toBe(false);
  });
});

describe('E3 security file names', () => {
  it.each([
    ['y000000000108.cfg', 'y000000000108_Security.enc'],
    ['account.cfg', 'account_Security.enc'],
    ['out/00156574b150.cfg', 'out/00156574b150_Security.enc'],
    ['http://192.0.2.10/prov/00156574b150.cfg', 'http://192.0.2.10/prov/00156574b150_Security.enc'],
    ['dir.v2/noextension', 'dir.v2/noextension_Security.enc'],
    ['.hidden', '.hidden_Security.enc'],
  ])('%s → %s', (cfg, security) => {
    expect(securityFileName(cfg)).toBe(security);
  });
});
