// The clock a phone runs on, handed in like the fetcher (issue #5 §1). Real time is the wall clock;
// virtual time is a Scheduler's (scheduler.ts): it jumps from one wake-up to the next, so a
// simulated week costs only the rounds themselves, and the same inputs give the same timeline.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves at `at` (at once when `at` is not in the future), or early when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

/** Where virtual time starts unless told otherwise: Monday 2026-01-05 00:00 UTC. */
export const DEFAULT_VIRTUAL_START = Date.UTC(2026, 0, 5);

/** setTimeout's longest delay (about 24.8 days); longer waits are taken in several. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (at <= Date.now() || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        const ms = at - Date.now();
        if (ms <= 0) return done();
        timer = setTimeout(arm, Math.min(ms, MAX_TIMER_MS));
      };
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
      arm();
    });
  }
}
