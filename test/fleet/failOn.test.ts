// `--fail-on` (issue #15): when a completed fleet run counts as failed for CI.
import { describe, expect, it } from 'vitest';
import { failOnText, judgeFailures, parseFailOn } from '../../src/fleet/failOn.js';

describe('--fail-on: the threshold of failed phones that fails a run (exit 1)', () => {
  it.each([
    ['any', { kind: 'count', phones: 0 }, 'any'],
    ['never', { kind: 'never' }, 'never'],
    ['failed>10', { kind: 'count', phones: 10 }, 'failed>10'],
    ['failed > 1.5 %', { kind: 'share', percent: 1.5 }, 'failed>1.5%'],
    ['5%', { kind: 'share', percent: 5 }, 'failed>5%'],
    ['FAILED>0%', { kind: 'share', percent: 0 }, 'failed>0%'],
  ])('reads %s', (text, parsed, shown) => {
    expect(parseFailOn(text)).toEqual(parsed);
    expect(failOnText(parseFailOn(text))).toBe(shown);
  });

  it.each(['', 'some', '5', 'failed>', 'failed>1.5', 'failed>=3', '100%', 'failed>-1'])(
    'refuses %j, naming the syntax',
    (text) => {
      expect(() => parseFailOn(text)).toThrow(/--fail-on .*(write any|below 100%|whole number)/);
    },
  );

  it('judges "more than": N failed phones are within failed>N, N+1 are over', () => {
    const threshold = parseFailOn('failed>2');
    expect(judgeFailures({ total: 100, failed: 2 }, threshold).overThreshold).toBe(false);
    expect(judgeFailures({ total: 100, failed: 3 }, threshold).overThreshold).toBe(true);
  });

  it('judges shares of the phones, and never fails with never', () => {
    expect(judgeFailures({ total: 1000, failed: 10 }, parseFailOn('1%')).overThreshold).toBe(false);
    expect(judgeFailures({ total: 1000, failed: 11 }, parseFailOn('1%')).overThreshold).toBe(true);
    expect(judgeFailures({ total: 10, failed: 10 }, parseFailOn('never')).overThreshold).toBe(false);
    expect(judgeFailures({ total: 0, failed: 0 }, parseFailOn('0%')).overThreshold).toBe(false);
  });

  it('says in one line what failed, against which threshold, and the exit status', () => {
    expect(judgeFailures({ total: 1000, failed: 11 }, parseFailOn('1%')).text).toBe(
      '11 of 1,000 phones failed (1.1%): over --fail-on failed>1%, exit 1',
    );
    expect(judgeFailures({ total: 50, failed: 0 }, parseFailOn('any')).text).toBe(
      'every phone of 50 provisioned: within --fail-on any, exit 0',
    );
  });
});
