import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  drawBelow,
  drawFraction,
  drawFractionOf,
  drawKey,
  fnv1a32,
  mulberry32,
} from '../../src/triggers/random.js';

describe('T4 Decision: the documented hash', () => {
  it('is FNV-1a 32 (the published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of any text, a seed in any script included', () => {
    // By hand: 0x811c9dc5 ^ 0xc3 (the first byte of "é"), times 0x01000193, then 0xa9 likewise.
    const reference = (text: string) =>
      [...Buffer.from(text, 'utf8')].reduce((h, byte) => Math.imul(h ^ byte, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32('é')).toBe(reference('é'));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => fnv1a32(text) === reference(text)));
  });

  it('gives the worked example of the flexible day', () => {
    expect(fnv1a32('00156574b150')).toBe(0xdcf21909);
    expect(0xdcf21909 % 30).toBe(1);
  });
});

describe('draws', () => {
  it('are the first mulberry32 output of the key hash, as a fraction', () => {
    const key = drawKey('seed', '00156574b150', 'weekly-time', 19740);
    expect(key).toBe('seed|00156574b150|weekly-time|19740');
    expect(drawFraction(key)).toBe(mulberry32(fnv1a32(key)).output / 2 ** 32);
  });

  it('taken piece by piece are the draws of the joined key (no key string built per draw)', () => {
    expect(drawFractionOf('seed', '00156574b150', 'weekly-time', 19740)).toBe(
      drawFraction('seed|00156574b150|weekly-time|19740'),
    );
    const per = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      fc.integer({ min: 0, max: 2 ** 45 }),
      fc.constantFrom(0, -0, 1e15, -1e15, 1e15 + 1, 2 ** 53, 1.5, 1e21, Number.NaN, Infinity),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.string(), per, (seed, mac, purpose, p) => {
        expect(drawFractionOf(seed, mac, purpose, p)).toBe(drawFraction(drawKey(seed, mac, purpose, p)));
      }),
    );
  });

  it('stay in range and repeat for the same key', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const fraction = drawFraction(key);
        expect(fraction).toBeGreaterThanOrEqual(0);
        expect(fraction).toBeLessThan(1);
        const below = drawBelow(key, n);
        expect(Number.isInteger(below) && below >= 0 && below < n).toBe(true);
        expect(drawBelow(key, n)).toBe(below);
      }),
    );
  });

  it('spread over their range', () => {
    const counts = [0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 7000; i++) counts[drawBelow(`k${i}`, 7)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(850);
  });
});
