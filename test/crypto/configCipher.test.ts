import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAesKey, type AesKey } from '../../src/crypto/aesKey.js';
import {
  decryptConfig,
  encryptConfig,
  hasVersionHeader,
  looksEncrypted,
  PADDING_BYTE,
} from '../../src/crypto/configCipher.js';
import { noOpenssl, openssl, padTo16 } from './openssl.js';

const KEY16 = 'ljB7jiDIQQ7XD888';
const KEY32 = 'Zq4#nW-8b.Kp:7x=Ty2?Lm@5[Rd]9^Hs';
const OTHER16 = 'ljB7jiDIQQ7XD889';

function key(text: string): AesKey {
  const check = parseAesKey(text);
  if (!check.ok) throw new Error(check.message);
  return check.key;
}

const encode = (text: string) => new TextEncoder().encode(text);
const CFG =
  '#!version:1.0.0.1\r\n# office\r\naccount.1.password = s3cret\r\nlinekey.1.label = Caf\u00e9 #2\r\n';

function decrypted(bytes: Uint8Array, k: AesKey, name = 'x.cfg'): string {
  const result = decryptConfig(bytes, k, name);
  if (!result.ok) throw new Error(result.message);
  return result.text;
}

function failure(bytes: Uint8Array, k: AesKey, name: string, keyName?: string): string {
  const result = decryptConfig(bytes, k, name, keyName);
  if (result.ok) throw new Error(`expected ${name} not to decrypt`);
  return result.message;
}

describe('E2 encrypted CFG format', () => {
  it('round-trips a CRLF UTF-8 CFG with a 16- and a 32-character key', () => {
    for (const k of [key(KEY16), key(KEY32)]) expect(decrypted(encryptConfig(encode(CFG), k), k)).toBe(CFG);
  });

  it('pads with spaces to a whole block and adds no block to a text that fills its last one', () => {
    const k = key(KEY16);
    const text = encode(CFG);
    const cipher = encryptConfig(text, k);
    expect(cipher.length).toBe(Math.ceil(text.length / 16) * 16);
    expect(cipher.length).toBeGreaterThan(text.length);
    const exact = encode('#!version:1.0.0.1\nkey = 12345678901\n'.padEnd(48, '#'));
    expect(exact.length % 16).toBe(0);
    expect(encryptConfig(exact, k).length).toBe(exact.length);
  });

  it('has no header: the ciphertext neither starts with #!version nor holds the text', () => {
    const cipher = encryptConfig(encode(CFG), key(KEY16));
    expect(hasVersionHeader(cipher)).toBe(false);
    expect(Buffer.from(cipher).includes('account')).toBe(false);
  });

  it('round-trips any CFG text, less the spaces and NULs at its very end (the padding)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.boolean(), (body, long) => {
        const k = key(long ? KEY32 : KEY16);
        const text = `#!version:1.0.0.1\n${body}`;
        return decrypted(encryptConfig(encode(text), k), k) === text.replace(/[ \0]+$/, '');
      }),
    );
  });

  it('strips a UTF-8 BOM before the header', () => {
    const k = key(KEY16);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...encode(CFG)]);
    expect(decrypted(encryptConfig(withBom, k), k)).toBe(CFG);
  });
});

describe.skipIf(noOpenssl)('E2 against openssl enc -nopad', () => {
  it('openssl -aes-128-ecb decrypts what encryptConfig makes with a 16-character key, padding and all', () => {
    const text = encode(CFG);
    const plain = openssl('decrypt', 'aes-128-ecb', KEY16, encryptConfig(text, key(KEY16)));
    expect(Buffer.from(plain)).toEqual(Buffer.from(padTo16(text, PADDING_BYTE)));
    expect(plain.at(-1)).toBe(0x20);
  });

  it('openssl -aes-256-ecb decrypts what encryptConfig makes with a 32-character key', () => {
    const text = encode(CFG);
    const plain = openssl('decrypt', 'aes-256-ecb', KEY32, encryptConfig(text, key(KEY32)));
    expect(Buffer.from(plain)).toEqual(Buffer.from(padTo16(text, PADDING_BYTE)));
  });

  it('a 32-character key is AES-256 over all 32 bytes, not AES-128 over the first 16', () => {
    const cipher = encryptConfig(encode(CFG), key(KEY32));
    const wrong = openssl('decrypt', 'aes-128-ecb', KEY32.slice(0, 16), cipher);
    expect(hasVersionHeader(wrong)).toBe(false);
  });

  it.each([
    ['aes-128-ecb', KEY16],
    ['aes-256-ecb', KEY32],
  ] as const)('decryptConfig reads %s files openssl made, padded with spaces or NULs', (cipher, k) => {
    for (const pad of [0x20, 0x00]) {
      const made = openssl('encrypt', cipher, k, padTo16(encode(CFG), pad));
      expect(decrypted(made, key(k))).toBe(CFG);
    }
  });
});

describe('E2 files that do not decrypt', () => {
  it('a wrong key is an error naming the file and the key used, not garbage, and shows no key', () => {
    const cipher = encryptConfig(encode(CFG), key(KEY16));
    const message = failure(cipher, key(OTHER16), 'phones/00156574b150.cfg', 'the MAC key');
    expect(message).toContain('phones/00156574b150.cfg does not decrypt with the MAC key (AES-128-ECB)');
    expect(message).toContain('key is wrong');
    expect(message).not.toContain(KEY16);
    expect(message).not.toContain(OTHER16);
    expect(message).not.toContain('plain text');
  });

  it('a 32-character key on a file made with a 16-character one says AES-256', () => {
    const cipher = encryptConfig(encode(CFG), key(KEY16));
    expect(failure(cipher, key(KEY32), 'a.cfg')).toContain('(AES-256-ECB)');
  });

  it('a length that is not a multiple of 16 is an error naming the file', () => {
    const cipher = encryptConfig(encode(CFG), key(KEY16));
    const message = failure(cipher.subarray(0, cipher.length - 3), key(KEY16), 'y000000000108.cfg');
    expect(message).toMatch(/^y000000000108\.cfg has \d+ bytes, not a multiple of 16/);
  });

  it('a plain-text file is reported as not encrypted', () => {
    expect(failure(encode(CFG), key(KEY16), 'a.cfg')).toBe(
      'a.cfg is not encrypted: it already starts with #!version (a plain-text CFG)',
    );
  });

  it('plain text without the header gets a hint that it may be a CFG missing its first line', () => {
    const text = encode('account.1.enable = 1\nstatic.wifi.enable = 0\n'.padEnd(48, ' '));
    expect(failure(text, key(KEY16), 'a.cfg')).toContain(
      'key is wrong for this file; or it is not encrypted at all: it looks like plain text without the #!version:1.0.0.1 first line',
    );
    expect(failure(text.subarray(0, 45), key(KEY16), 'a.cfg')).toContain(
      'not a multiple of 16, so it is not an AES-ECB encrypted CFG (E2: the encryption tool writes whole 16-byte blocks); or it is not encrypted at all',
    );
  });

  it('an empty file is an error', () => {
    expect(failure(new Uint8Array(), key(KEY16), 'a.cfg')).toContain('a.cfg is empty');
  });
});

describe('E4 telling encrypted files from plain ones', () => {
  it('takes a file without the #!version header to be encrypted', () => {
    expect(looksEncrypted(encode(CFG))).toBe(false);
    expect(looksEncrypted(new Uint8Array([0xef, 0xbb, 0xbf, ...encode(CFG)]))).toBe(false);
    expect(looksEncrypted(encode('  #!version:1.0.0.1\n'))).toBe(false);
    expect(looksEncrypted(encryptConfig(encode(CFG), key(KEY16)))).toBe(true);
    expect(looksEncrypted(encode('account.1.enable = 1\n'))).toBe(true);
    expect(looksEncrypted(new Uint8Array())).toBe(true);
  });
});
