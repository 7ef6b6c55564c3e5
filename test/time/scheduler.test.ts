// Issue #14: the run's wake-ups in one heap. Virtual time jumps from one wake-up to the next and
// stands still while work is in flight; real time wakes each one at or after its instant; equal
// instants wake in the order asked for, so the same inputs give the same run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/time/scheduler.js';
import { WakeHeap } from '../../src/time/wakeHeap.js';

const HOUR = 3_600_000;

/** A scheduler whose targets are actions. */
function actions(time: 'real' | 'virtual', start = 0) {
  return new Scheduler<() => void>({ time, start, wake: (action) => action() });
}

describe('the wake-up heap', () => {
  it('gives entries back by time, then order, then first pushed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -2, max: 2 })), {
          maxLength: 300,
        }),
        (entries) => {
          const heap = new WakeHeap<number>();
          entries.forEach(([at, order], i) => heap.push(at, order, i));
          const popped: number[] = [];
          for (let i = heap.pop(); i !== undefined; i = heap.pop()) popped.push(i);
          const expected = entries
            .map(([at, order], i) => ({ at, order, i }))
            .sort((a, b) => a.at - b.at || a.order - b.order || a.i - b.i)
            .map((e) => e.i);
          expect(popped).toEqual(expected);
          expect(heap.size).toBe(0);
          expect(heap.peekAt()).toBe(Number.POSITIVE_INFINITY);
        },
      ),
    );
  });
});

describe('virtual time', () => {
  it('jumps to the earliest wake-up; equal instants by order, then as asked; nothing at or after `until`', async () => {
    const scheduler = actions('virtual');
    const seen: string[] = [];
    const at = (t: number, name: string, order = 0) =>
      scheduler.wakeAt(t, () => seen.push(`${scheduler.now() / HOUR}h ${name}`), order);
    at(5 * HOUR, 'a2');
    at(2 * HOUR, 'b1');
    at(2 * HOUR, 'a1');
    at(2 * HOUR, 'first', -1);
    at(3 * HOUR, 'b2');
    at(10 * HOUR, 'too late');
    await scheduler.run({ until: 10 * HOUR });
    expect(seen).toEqual(['2h first', '2h b1', '2h a1', '3h b2', '5h a2']);
    expect(scheduler.now()).toBe(5 * HOUR);
    expect(scheduler.pending).toBe(1);
  });

  it('stands still while work is in flight, and runs what that work asks for at the same instant', async () => {
    const scheduler = actions('virtual');
    const seen: string[] = [];
    scheduler.wakeAt(HOUR, () => {
      scheduler.track(
        new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => {
          seen.push(`round done at ${scheduler.now() / HOUR}h`);
          scheduler.wakeAt(HOUR, () => seen.push(`asked for now: ${scheduler.now() / HOUR}h`));
        }),
      );
    });
    scheduler.wakeAt(HOUR + 1, () => seen.push(`next: ${scheduler.now()}`));
    await scheduler.run();
    expect(seen).toEqual(['round done at 1h', 'asked for now: 1h', `next: ${HOUR + 1}`]);
  });

  it('runs a simulated week of hourly wake-ups, ending at the last one', async () => {
    let wakeups = 0;
    const scheduler: Scheduler<'phone'> = new Scheduler<'phone'>({
      time: 'virtual',
      start: 0,
      wake: () => {
        wakeups++;
        scheduler.wakeAt(scheduler.now() + HOUR, 'phone');
      },
    });
    scheduler.wakeAt(HOUR, 'phone');
    await scheduler.run({ until: 7 * 24 * HOUR + 1 });
    expect(wakeups).toBe(168);
    expect(scheduler.now()).toBe(7 * 24 * HOUR);
  });

  it('stops waking on stop(), once the work in flight has settled', async () => {
    const scheduler = actions('virtual');
    let settled = false;
    const late: number[] = [];
    scheduler.wakeAt(HOUR, () => {
      scheduler.track(new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => (settled = true)));
      scheduler.stop();
    });
    scheduler.wakeAt(2 * HOUR, () => late.push(scheduler.now()));
    await scheduler.run();
    expect(settled).toBe(true);
    expect(late).toEqual([]);
  });

  it('goes to the end of the run when work in flight fails (a bug), then says so', async () => {
    const scheduler = actions('virtual');
    const seen: number[] = [];
    scheduler.wakeAt(HOUR, () => scheduler.track(Promise.reject(new Error('a bug'))));
    scheduler.wakeAt(2 * HOUR, () => seen.push(scheduler.now()));
    await expect(scheduler.run()).rejects.toThrow('a bug');
    expect(seen).toEqual([2 * HOUR]);
  });
});

describe('real time', () => {
  it('wakes each wake-up at or after its instant, in order, and returns when nothing is left', async () => {
    const scheduler = actions('real');
    const start = Date.now();
    const seen: { name: string; late: boolean }[] = [];
    const at = (offset: number, name: string) =>
      scheduler.wakeAt(start + offset, () => seen.push({ name, late: Date.now() >= start + offset }));
    at(30, 'second');
    at(10, 'first');
    at(30, 'third');
    await scheduler.run();
    expect(seen).toEqual([
      { name: 'first', late: true },
      { name: 'second', late: true },
      { name: 'third', late: true },
    ]);
  });

  it('with waitForOutside, takes what comes from outside until stopped', async () => {
    const scheduler = actions('real');
    const seen: string[] = [];
    const run = scheduler.run({ waitForOutside: true });
    setTimeout(() => scheduler.wakeAt(Date.now(), () => seen.push('a NOTIFY')), 10);
    setTimeout(() => scheduler.stop(), 40);
    await run;
    expect(seen).toEqual(['a NOTIFY']);
  });

  it('wakes an earlier wake-up asked for while it sleeps toward a later one', async () => {
    const scheduler = actions('real');
    const seen: string[] = [];
    const start = Date.now();
    scheduler.wakeAt(start + 60_000, () => seen.push('a minute'));
    setTimeout(() => scheduler.wakeAt(Date.now(), () => seen.push('now')), 10);
    await scheduler.run({ until: start + 50 });
    expect(seen).toEqual(['now']);
    expect(scheduler.pending).toBe(1);
  });
});
