import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/core/duration.js';
import { UsageError } from '../../src/cli/usage.js';
import { parseSize, parseTimeout, sizeLimitsFlag } from '../../src/cli/wire.js';

describe('durations on the command line', () => {
  it('reads days to milliseconds, alone and combined', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('1d2h30m')).toBe(86_400_000 + 2 * 3_600_000 + 30 * 60_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('1m30s250ms')).toBe(90_250);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', '5', 'soon', '5x', '-5s', '1.5s'])
      expect(parseDuration(text), text).toBeUndefined();
  });
});

describe('#13 durations, timeouts and sizes under generated text', () => {
  const texts = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.stringMatching(/^(\d{1,25}(ms|[dhms]|[KMG]i?B?|B)?){1,4}$/),
    fc.constantFrom('9'.repeat(400) + 'd', '1e3', '-1', ' 5s ', '0', 'config=1,boot=2', '=,'),
  );

  it('parseDuration: undefined, or a whole number of milliseconds that counts exactly', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const ms = parseDuration(text);
        expect(ms === undefined || (Number.isSafeInteger(ms) && ms >= 0)).toBe(true);
      }),
      { seed: 1316, numRuns: 2000 },
    );
    expect(parseDuration(`${'9'.repeat(400)}d`)).toBeUndefined();
  });

  it('--timeout, --max-size: a value in range, or a usage error; nothing else is thrown', () => {
    const onlyUsage = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
      }
    };
    fc.assert(
      fc.property(texts, (text) => {
        onlyUsage(() => {
          const ms = parseTimeout('--timeout', text, 32_000);
          expect(ms >= 1 && ms <= 32_000).toBe(true);
        });
        onlyUsage(() => {
          for (const bytes of Object.values(sizeLimitsFlag({ maxSize: text }) ?? {}))
            expect(Number.isSafeInteger(bytes) && bytes >= 1).toBe(true);
        });
        const size = parseSize(text);
        expect(size === undefined || (Number.isSafeInteger(size) && size >= 1)).toBe(true);
      }),
      { seed: 1316, numRuns: 2000 },
    );
  });

  it('reads sizes in bytes, KiB, MiB, GiB (K, M, G the same) and KB, MB, GB', () => {
    expect(parseSize('512')).toBe(512);
    expect(parseSize('64KiB')).toBe(65_536);
    expect(parseSize('16M')).toBe(16 * 1024 ** 2);
    expect(parseSize('1.5MiB')).toBe(1.5 * 1024 ** 2);
    expect(parseSize('2GB')).toBe(2e9);
    expect(sizeLimitsFlag({ maxSize: 'config=16MiB, firmware=512MiB' })).toEqual({
      config: 16 * 1024 ** 2,
      firmware: 512 * 1024 ** 2,
    });
    expect(() => sizeLimitsFlag({ maxSize: 'rom=1' })).toThrow(
      /kinds: boot, config, mac-local, firmware, certificate, key/,
    );
  });
});
