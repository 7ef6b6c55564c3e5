// The clock of a run and its wake-ups (issue #14): every phone's next wake-up is an entry in one
// binary heap (wakeHeap.ts). In virtual time the run pops the earliest entry and jumps to it, and
// stands still while the work started at that instant (a round, a discovery) is in flight; in real
// time it sleeps on one timer until the next entry is due or something comes from outside (a
// NOTIFY). Drivers tell it what is in flight (`track`); nothing counts sleeping coroutines.
import { MAX_TIMER_MS, type Clock } from './clock.js';
import { WakeHeap } from './wakeHeap.js';

export type TimeKind = 'real' | 'virtual';

export interface SchedulerOptions<T> {
  readonly time: TimeKind;
  /** Virtual time's start, epoch ms (real time reads the wall clock). */
  readonly start: number;
  /**
   * Called for each wake-up once it is due, in time order (ties: lower `order`, then first asked),
   * with the instant it was asked for. Virtual time has moved to that instant; real time is at or
   * past it.
   */
  readonly wake: (target: T, at: number) => void;
}

export interface SchedulerRun {
  /** Wake-ups at or after this instant are left in the heap: the run is over there (default never). */
  readonly until?: number;
  /**
   * Real time: with nothing due and nothing in flight, wait for the outside (NOTIFYs, Ctrl-C) until
   * `until` instead of returning. Virtual time never waits: nothing can come from outside.
   */
  readonly waitForOutside?: boolean;
}

export class Scheduler<T> implements Clock {
  readonly time: TimeKind;
  private current: number;
  private readonly heap = new WakeHeap<T>();
  private readonly wake: (target: T, at: number) => void;
  private inFlight = 0;
  private failure: { readonly error: unknown } | undefined;
  private stopping = false;
  /** Resolves the run's current pause (a settle, a stop, an earlier wake-up in real time). */
  private resume: (() => void) | undefined;
  /** Real time: when the current pause ends by itself. */
  private pausedUntil = Number.POSITIVE_INFINITY;

  constructor(options: SchedulerOptions<T>) {
    this.time = options.time;
    this.current = options.start;
    this.wake = options.wake;
  }

  now(): number {
    return this.time === 'virtual' ? this.current : Date.now();
  }

  /**
   * Clock: in real time a timer. In virtual time it resolves at once: it is only ever awaited by
   * work in flight (a transfer's retry pause), and virtual time stands still while work is in flight.
   */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (this.time === 'virtual' || at <= Date.now() || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.min(at - Date.now(), MAX_TIMER_MS));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wake-ups waiting in the heap (stale ones a driver will ignore included). */
  get pending(): number {
    return this.heap.size;
  }

  /** Work started and not yet settled. */
  get busy(): number {
    return this.inFlight;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /**
   * Asks for `target` to be woken at `at` (an instant already past is taken as now). A driver may
   * leave a superseded wake-up in the heap and ignore it when it comes: virtual time passes through
   * its instant, where nothing happens.
   */
  wakeAt(at: number, target: T, order = 0): void {
    this.heap.push(at, order, target);
    if (this.time === 'real' && at < this.pausedUntil) this.resume?.();
  }

  /**
   * Work in flight: virtual time waits for it before it moves on. A rejection is a bug: the run
   * goes on to its end, then rejects with the first one.
   */
  track(work: Promise<unknown>): void {
    this.inFlight++;
    work.then(
      () => this.settled(),
      (error: unknown) => {
        this.failure ??= { error };
        this.settled();
      },
    );
  }

  /** Nothing more is woken; `run` returns once the work in flight has settled. */
  stop(): void {
    this.stopping = true;
    this.resume?.();
  }

  /** Wakes what is due, in order, until nothing is left before `until` (see SchedulerRun) or stop(). */
  async run(options: SchedulerRun = {}): Promise<void> {
    const until = options.until ?? Number.POSITIVE_INFINITY;
    if (this.time === 'virtual') await this.runVirtual(until);
    else await this.runReal(until, options.waitForOutside ?? false);
    if (this.failure) throw this.failure.error;
  }

  private async runVirtual(until: number): Promise<void> {
    for (;;) {
      while (this.inFlight > 0) await this.pause();
      if (this.stopping) return;
      const at = this.heap.peekAt();
      if (!(at < until)) return;
      if (at > this.current) this.current = at;
      // Everything due now, including what those wake-ups ask for at this same instant.
      while (!this.stopping && this.heap.peekAt() <= this.current) {
        const wakeAt = this.heap.peekAt();
        this.wake(this.heap.pop()!, wakeAt);
      }
    }
  }

  private async runReal(until: number, waitForOutside: boolean): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.stopping || now >= until) {
        if (this.inFlight === 0) return;
        await this.pause();
        continue;
      }
      const at = this.heap.peekAt();
      if (at <= now && at < until) {
        while (!this.stopping && this.heap.peekAt() <= now && this.heap.peekAt() < until) {
          const wakeAt = this.heap.peekAt();
          this.wake(this.heap.pop()!, wakeAt);
        }
        continue;
      }
      const next = Math.min(at, until);
      if (next === Number.POSITIVE_INFINITY && this.inFlight === 0 && !waitForOutside) return;
      // A timer even when nothing is due: it keeps the process alive while it waits for the outside.
      await this.pause(Math.min(next - now, MAX_TIMER_MS));
    }
  }

  private settled(): void {
    this.inFlight--;
    if (this.time === 'real' || this.inFlight === 0) this.resume?.();
  }

  /** Until resume() (a settle, a stop, an earlier wake-up) or, given `ms`, that long. */
  private pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.resume = undefined;
        this.pausedUntil = Number.POSITIVE_INFINITY;
        resolve();
      };
      this.resume = done;
      if (ms !== undefined) {
        this.pausedUntil = Date.now() + ms;
        timer = setTimeout(done, ms);
      }
    });
  }
}
