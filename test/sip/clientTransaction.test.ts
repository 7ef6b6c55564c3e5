// RFC 3261 §17.1.2: the non-INVITE client transaction over UDP, on exact time.
import { describe, expect, it } from 'vitest';
import {
  nextWake,
  startNict,
  stepNict,
  T2,
  type NictState,
  type NictStep,
} from '../../src/sip/clientTransaction.js';

const PHONE = { address: '10.0.0.50', port: 5060 };

/** Ticks at every wake-up until the transaction ends or `until`; the instants of each send. */
function run(start: NictStep, until = Number.POSITIVE_INFINITY): { state: NictState; sends: number[] } {
  let { state } = start;
  const sends = [0];
  for (let wake = nextWake(state); wake !== undefined && wake <= until; wake = nextWake(state)) {
    const step = stepNict(state, { kind: 'tick', now: wake });
    if (step.effects.some((e) => e.kind === 'send')) sends.push(wake);
    state = step.state;
  }
  return { state, sends };
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2.2)', () => {
  it('retransmits at T1 doubling up to T2, and gives up when Timer F fires at 64*T1', () => {
    const { state, sends } = run(startNict(0));
    expect(sends).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(state).toEqual({ name: 'timed-out', transmissions: 11, waitedMs: 32000 });
  });

  it('gives up sooner when the caller allows less time, never later', () => {
    expect(run(startNict(0, 2000)).state).toEqual({ name: 'timed-out', transmissions: 3, waitedMs: 2000 });
    expect(run(startNict(0, 90_000)).state).toMatchObject({ waitedMs: 32000 });
  });

  it('retransmits every T2 after a provisional response, and completes on the final one', () => {
    let step = startNict(0);
    step = stepNict(step.state, { kind: 'tick', now: 500 });
    step = stepNict(step.state, { kind: 'response', now: 600, status: 100, reason: 'Trying', from: PHONE });
    expect(step.effects).toEqual([{ kind: 'provisional', status: 100, reason: 'Trying' }]);
    expect(step.state.name).toBe('proceeding');
    step = stepNict(step.state, { kind: 'tick', now: 1500 });
    expect(nextWake(step.state)).toBe(1500 + T2);
    step = stepNict(step.state, { kind: 'response', now: 1600, status: 200, reason: 'OK', from: PHONE });
    expect(step.state).toEqual({
      name: 'completed',
      status: 200,
      reason: 'OK',
      from: PHONE,
      transmissions: 3,
      provisional: [100],
      // From the first transmission at 0 to the final response.
      latencyMs: 1600,
    });
    expect(nextWake(step.state)).toBeUndefined();
  });

  it('does nothing on an early tick, and ignores whatever comes once completed', () => {
    const start = startNict(0);
    expect(stepNict(start.state, { kind: 'tick', now: 499 })).toEqual({ state: start.state, effects: [] });
    const done = stepNict(start.state, {
      kind: 'response',
      now: 10,
      status: 489,
      reason: 'Bad Event',
      from: PHONE,
    });
    expect(
      stepNict(done.state, { kind: 'response', now: 20, status: 200, reason: 'OK', from: PHONE }).state,
    ).toBe(done.state);
  });
});
