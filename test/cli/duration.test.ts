import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration.js';

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
