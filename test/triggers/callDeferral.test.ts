import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deferForCall } from '../../src/triggers/callDeferral.js';

const DUE = Date.UTC(2024, 0, 8, 2, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('T10 a round due during a call', () => {
  it('runs at once when there is no call, or it has ended', () => {
    expect(deferForCall(DUE, null)).toEqual({ kind: 'run', at: DUE });
    expect(deferForCall(DUE, DUE - MINUTE)).toEqual({ kind: 'run', at: DUE });
  });

  it('runs at the first 30 s check after a call that ends after 40 min', () => {
    expect(deferForCall(DUE, DUE + 40 * MINUTE + 10 * SECOND)).toEqual({
      kind: 'run',
      at: DUE + 40 * MINUTE + 30 * SECOND,
    });
    expect(deferForCall(DUE, DUE + 40 * MINUTE)).toEqual({ kind: 'run', at: DUE + 40 * MINUTE });
  });

  it('is abandoned at 2 h when the call lasts 3 h', () => {
    expect(deferForCall(DUE, DUE + 3 * HOUR)).toEqual({ kind: 'abandon', at: DUE + 2 * HOUR });
  });

  it('still runs when the call ends exactly at the 2 h check, not a moment later', () => {
    expect(deferForCall(DUE, DUE + 2 * HOUR)).toEqual({ kind: 'run', at: DUE + 2 * HOUR });
    expect(deferForCall(DUE, DUE + 2 * HOUR + 1)).toEqual({ kind: 'abandon', at: DUE + 2 * HOUR });
  });

  it('runs on a check, at or after the call end and less than 30 s after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 * HOUR }), (callLength) => {
        const deferral = deferForCall(DUE, DUE + callLength);
        expect(deferral.kind).toBe('run');
        expect((deferral.at - DUE) % (30 * SECOND)).toBe(0);
        expect(deferral.at).toBeGreaterThanOrEqual(DUE + callLength);
        expect(deferral.at).toBeLessThan(DUE + callLength + 30 * SECOND);
      }),
    );
  });
});
