import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage.js';
import { macOrThrow, type Mac } from '../../src/core/mac.js';
import { parseShard, shardOfMac, takeShard } from '../../src/fleet/shard.js';

const macArb = fc
  .bigInt({ min: 0n, max: 0xffffffffffffn })
  .map((n) => macOrThrow(n.toString(16).padStart(12, '0')));

/** FNV-1a 32 written out independently, as the reference. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5n;
  for (const ch of text) {
    h ^= BigInt(ch.charCodeAt(0));
    h = (h * 0x01000193n) & 0xffffffffn;
  }
  return Number(h);
}

describe('--shard I/N', () => {
  it('reads a 0-based index and a count', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
  });

  it.each([
    ['8/8', /counts from 0, so with 8 shards it is 0 to 7/],
    ['1/0', /at least 1/],
    ['-1/4', /INDEX\/COUNT/],
    ['two/4', /INDEX\/COUNT/],
    ['1.5/4', /INDEX\/COUNT/],
    ['3', /INDEX\/COUNT/],
  ])('refuses %s', (text, message) => {
    expect(() => parseShard(text)).toThrow(UsageError);
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe('the shard of a MAC', () => {
  it('is FNV-1a of the 12 hex digits modulo the count', () => {
    fc.assert(
      fc.property(macArb, fc.integer({ min: 1, max: 1000 }), (mac, count) => {
        expect(shardOfMac(mac, count)).toBe(fnv1a(mac) % count);
      }),
    );
  });

  it('spreads phones evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 16_000; i++)
      counts[shardOfMac(macOrThrow(`001565${i.toString(16).padStart(6, '0')}`), 8)]!++;
    for (const n of counts) expect(Math.abs(n - 2000)).toBeLessThan(200);
  });

  it('cuts a fleet into disjoint shards that together are the fleet, whatever its order or size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(macArb, { maxLength: 200 }),
        fc.integer({ min: 1, max: 9 }),
        (macs, count) => {
          const phones = macs.map((mac, i) => ({ mac, i }));
          const shards = Array.from({ length: count }, (_, index) => takeShard(phones, { index, count }));
          const taken = shards.flat().map((p) => p.mac);
          expect(taken).toHaveLength(phones.length);
          expect(new Set(taken)).toEqual(new Set(macs));
          // Reversed and halved inventories put each phone in the same shard.
          const reversed = [...phones].reverse();
          const half = phones.slice(0, phones.length >> 1);
          for (let index = 0; index < count; index++) {
            const mine = new Set<Mac>(shards[index]!.map((p) => p.mac));
            expect(new Set(takeShard(reversed, { index, count }).map((p) => p.mac))).toEqual(mine);
            for (const p of takeShard(half, { index, count })) expect(mine.has(p.mac)).toBe(true);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
