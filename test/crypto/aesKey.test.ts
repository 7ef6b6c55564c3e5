import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateKey,
  isAes128Key,
  KEY_ALPHABET,
  keyBits,
  keyBytes,
  parseAesKey,
} from '../../src/crypto/aesKey.js';

function rejection(text: string, what?: string): string {
  const check = parseAesKey(text, what);
  if (check.ok) throw new Error(`expected a rejection, got a key of ${text.length} characters`);
  return check.message;
}

describe('E1 AES key validation', () => {
  it('accepts 16 and 32 characters from the whole E1 alphabet', () => {
    for (const text of ['ljB7jiDIQQ7XD888', '#$%*+,-.:=?@[]^_', '{}~0123456789AZaz{}~0123456789AZ']) {
      const check = parseAesKey(text);
      expect(check.ok, text).toBe(true);
      if (check.ok) expect(check.key).toBe(text);
    }
  });

  it('tells 16-character (AES-128) keys from 32-character (AES-256) ones', () => {
    const short = parseAesKey('a'.repeat(16));
    const long = parseAesKey('a'.repeat(32));
    if (!short.ok || !long.ok) throw new Error('valid keys rejected');
    expect(isAes128Key(short.key)).toBe(true);
    expect(keyBits(short.key)).toBe(128);
    expect(isAes128Key(long.key)).toBe(false);
    expect(keyBits(long.key)).toBe(256);
  });

  it.each([0, 1, 15, 17, 24, 31, 33, 64])('rejects %i characters and says how many it needs', (n) => {
    expect(rejection('k'.repeat(n))).toContain(
      `has ${n} character${n === 1 ? '' : 's'}; it must have 16 or 32`,
    );
  });

  it.each([
    ['a space', 'abcdefg hijklmno', 8, 'a space'],
    ['"!"', 'abcdefghijklmno!', 16, '"!"'],
    ['a tab', '\tbcdefghijklmnop', 1, 'U+0009'],
    ['a pasted NBSP', 'abcdefghijklmn\u00a0p', 15, 'U+00A0'],
    ['a quote', 'abcdefghijklmno"', 16, '"\\""'],
    ['"/"', 'abcdefghijklmno/', 16, '"/"'],
  ])('names the position of %s', (_what, text, position, shown) => {
    const message = rejection(text);
    expect(message).toContain(`character ${position} is ${shown}`);
    expect(message).toContain('allowed: 0-9 A-Z a-z # $ % * + , - . : = ? @ [ ] ^ _ { } ~');
  });

  it('reports a wrong length and a bad character together, naming the key by its source', () => {
    const message = rejection('abc def', 'the --key value');
    expect(message).toMatch(/^the --key value has 7 characters; .*character 4 is a space/);
  });

  it('never repeats the key in its message', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 40, unit: 'binary-ascii' }), (text) => {
        const check = parseAesKey(text);
        return check.ok || !check.message.includes(text);
      }),
    );
  });

  it('accepts exactly the strings of 16 or 32 alphabet characters', () => {
    const alphabetChar = fc.constantFrom(...KEY_ALPHABET);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(alphabetChar, { maxLength: 40 }),
          fc.array(alphabetChar, { minLength: 16, maxLength: 16 }),
          fc.array(alphabetChar, { minLength: 32, maxLength: 32 }),
        ),
        (chars) => {
          return parseAesKey(chars.join('')).ok === (chars.length === 16 || chars.length === 32);
        },
      ),
    );
  });

  it('uses the ASCII bytes of the key as the AES key (E2)', () => {
    const check = parseAesKey('ljB7jiDIQQ7XD888');
    if (!check.ok) throw new Error('rejected');
    expect(Buffer.from(keyBytes(check.key)).toString('hex')).toBe(
      Buffer.from('ljB7jiDIQQ7XD888').toString('hex'),
    );
  });
});

describe('generateKey', () => {
  it('makes valid 16-character keys by default and 32-character ones on request', () => {
    const short = generateKey();
    const long = generateKey(32);
    expect(short).toHaveLength(16);
    expect(long).toHaveLength(32);
    expect(parseAesKey(short).ok).toBe(true);
    expect(parseAesKey(long).ok).toBe(true);
  });

  it('uses letters and digits only, as the vendor tool does, and draws them at random', () => {
    const keys = Array.from({ length: 200 }, () => generateKey());
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(new Set(keys).size).toBe(keys.length);
    // 3200 draws over 62 characters: missing more than a couple would mean a broken draw.
    expect(new Set(keys.join('')).size).toBeGreaterThanOrEqual(60);
  });
});
