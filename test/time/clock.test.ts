import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/time/clock.js';

const HOUR = 3_600_000;

describe('virtual clock', () => {
  it('jumps to the earliest wake-up when every actor waits, and orders equal instants by request', async () => {
    const clock = new VirtualClock(0, 10 * HOUR);
    const seen: string[] = [];
    const actor = async (name: string, times: number[]) => {
      clock.enter();
      for (const t of times) {
        await clock.sleepUntil(t);
        seen.push(`${clock.now() / HOUR}h ${name}`);
      }
      clock.leave();
    };
    void actor('a', [2 * HOUR, 5 * HOUR]);
    void actor('b', [2 * HOUR, 3 * HOUR, 20 * HOUR]);
    await clock.whenIdle();
    expect(seen).toEqual(['2h a', '2h b', '3h b', '5h a']);
    expect(clock.pending).toBe(1);
  });

  it('stands still while an actor is busy with real I/O', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.enter();
    void (async () => {
      await clock.sleepUntil(HOUR);
      await new Promise((r) => setTimeout(r, 30)); // a real round on a real socket
      seen.push(clock.now());
      await clock.sleepUntil(2 * HOUR);
      seen.push(clock.now());
      clock.leave();
    })();
    clock.enter();
    void (async () => {
      await clock.sleepUntil(HOUR + 1);
      seen.push(clock.now());
      clock.leave();
    })();
    await clock.whenIdle();
    expect(seen).toEqual([HOUR, HOUR + 1, 2 * HOUR]);
  });

  it('runs a simulated week of hourly wake-ups, ending at the last one', async () => {
    const clock = new VirtualClock(0, 7 * 24 * HOUR);
    let wakeups = 0;
    clock.enter();
    void (async () => {
      for (let t = HOUR; t <= 7 * 24 * HOUR; t += HOUR) {
        await clock.sleepUntil(t);
        wakeups++;
      }
      clock.leave();
    })();
    await clock.whenIdle();
    expect(wakeups).toBe(168);
    expect(clock.now()).toBe(7 * 24 * HOUR);
  });
});
