// The clock a phone runs on, handed in like the fetcher (issue #5 §1). Real time sleeps; virtual
// time jumps: when every phone on the clock is waiting, it moves straight to the earliest wake-up,
// so a simulated week costs only the rounds themselves, and the same inputs give the same timeline.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves at `at` (at once when `at` is not in the future), or early when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    const ms = at - Date.now();
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

interface Waiter {
  readonly at: number;
  readonly order: number;
  readonly wake: () => void;
}

/**
 * Virtual time for many actors. Each actor (a phone's life loop) `enter`s the clock and `leave`s
 * it when done; between, its `sleepUntil` counts it as waiting. While any actor is busy (in a
 * round, awaiting real I/O), time stands still; when all wait, time jumps to the earliest wake-up.
 * Wake-ups at the same instant run in the order they were asked for, so runs are reproducible.
 */
export class VirtualClock implements Clock {
  private current: number;
  private busy = 0;
  private readonly waiters: Waiter[] = [];
  private sequence = 0;
  private scheduled = false;
  private readonly idleListeners: (() => void)[] = [];

  constructor(
    start: number,
    private readonly end = Number.POSITIVE_INFINITY,
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** An actor starts running on this clock (busy until it sleeps). */
  enter(): void {
    this.busy++;
  }

  /** An actor is done for good. */
  leave(): void {
    this.busy--;
    this.maybeAdvance();
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (at <= this.current || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        at,
        order: this.sequence++,
        wake: () => {
          signal?.removeEventListener('abort', cancel);
          resolve();
        },
      };
      // Woken early by another actor (a NOTIFY arriving): busy again, and off the queue.
      const cancel = () => {
        const index = this.waiters.indexOf(waiter);
        if (index < 0) return;
        this.waiters.splice(index, 1);
        this.busy++;
        resolve();
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.insert(waiter);
      this.busy--;
      this.maybeAdvance();
    });
  }

  /** Resolves when no actor is busy and no wake-up is due before the end: the run is over. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleListeners.push(resolve);
      this.maybeAdvance();
    });
  }

  /** Wake-ups still pending past the end of the run. */
  get pending(): number {
    return this.waiters.length;
  }

  private insert(waiter: Waiter): void {
    // Binary search keeps the queue sorted by (at, order).
    let lo = 0;
    let hi = this.waiters.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const w = this.waiters[mid]!;
      if (w.at < waiter.at || (w.at === waiter.at && w.order < waiter.order)) lo = mid + 1;
      else hi = mid;
    }
    this.waiters.splice(lo, 0, waiter);
  }

  private maybeAdvance(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let promise continuations that are already queued run first: an actor that is about to
    // become busy again must not be overtaken by a jump in time.
    setImmediate(() => {
      this.scheduled = false;
      if (this.busy > 0) return;
      const next = this.waiters[0];
      if (!next || next.at > this.end) {
        for (const listener of this.idleListeners.splice(0)) listener();
        return;
      }
      this.current = next.at;
      while (this.waiters.length > 0 && this.waiters[0]!.at === next.at) {
        const waiter = this.waiters.shift()!;
        this.busy++;
        waiter.wake();
      }
    });
  }
}
