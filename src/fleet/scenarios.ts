// What happens when in a fleet run (issue #8 §2), written against a stage that owns the clock, the
// phones and the sockets: a boot storm (every phone powered on at its own instant of the ramp), a
// phone's normal life for a while, a NOTIFY storm once the boot storm has settled, and a rollout
// (the server's tree replaced at a given time, picked up by the triggers or a NOTIFY storm).
import type { Mac } from '../core/mac.js';
import type { Clock } from '../time/clock.js';
import type { Scenario } from './report.js';

/** What a scenario needs from the runner. */
export interface Stage<P extends { readonly mac: Mac }> {
  readonly clock: Clock;
  readonly time: 'real' | 'virtual';
  /** Scenario clock (epoch ms) at the start of the run. */
  readonly start: number;
  /** Every phone this process runs, sorted by MAC. */
  readonly phones: readonly P[];
  /** Aborted when the run is stopped (Ctrl-C): no phone is powered on or notified after that. */
  readonly stopped: AbortSignal;
  /** ms after the start at which the phone is powered on (a seeded draw of its MAC). */
  powerOnOffset(phone: P): number;
  /** The phone's life from power-on until `until` (or its first idle moment); resolves at its end. */
  powerOn(phone: P, how: { readonly until: number; readonly endWhenIdle: boolean }): Promise<void>;
  /**
   * A check-sync NOTIFY to every phone (real time: over SIP; virtual time: handed in-process), each
   * to its running life or to an idle phone woken for it; resolves when every round it started ended.
   */
  notifyAll(phones: readonly P[]): Promise<void>;
  /** The phone's part of the scenario is over: its outcome is final. */
  finish(phone: P): void;
  /** Runs `work` as an actor of the virtual clock (time waits for it while it is busy). */
  asActor<T>(work: () => Promise<T>): Promise<T>;
}

export interface ScenarioTimes {
  readonly rampMs: number;
  readonly bootMs: number;
  /** life and rollout: how long the run lasts. */
  readonly forMs?: number;
  /** rollout: when tree B replaces tree A (ms after the start). */
  readonly rolloutAtMs?: number;
  /** rollout: send every phone a NOTIFY at that moment too. */
  readonly rolloutNotify?: boolean;
}

/** Settling time after the last boot of a storm before the NOTIFY storm in virtual time. */
const SETTLE_MS = 60_000;

/**
 * When the NOTIFY storm starts in virtual time: a fixed instant after the ramp (a phone's boot, round,
 * reboot and second round fit in two boots, virtual rounds taking no time), the same in every shard.
 */
export function notifyStormAt(start: number, times: ScenarioTimes): number {
  return start + times.rampMs + 2 * times.bootMs + SETTLE_MS;
}

export async function runScenario<P extends { readonly mac: Mac }>(
  scenario: Scenario,
  stage: Stage<P>,
  times: ScenarioTimes,
): Promise<void> {
  switch (scenario) {
    case 'boot-storm':
      return powerOnAll(stage, { until: Number.POSITIVE_INFINITY, endWhenIdle: true, finish: true });
    case 'notify-storm': {
      await powerOnAll(stage, { until: Number.POSITIVE_INFINITY, endWhenIdle: true, finish: false });
      // Virtual time: at a fixed instant (later if the storm took longer); real time: now that it settled.
      if (stage.time === 'virtual')
        await stage.asActor(() => stage.clock.sleepUntil(notifyStormAt(stage.start, times), stage.stopped));
      if (!stage.stopped.aborted) await stage.notifyAll(stage.phones);
      for (const phone of stage.phones) stage.finish(phone);
      return;
    }
    case 'life':
    case 'rollout': {
      const until = stage.start + (times.forMs ?? 0);
      const lives = powerOnAll(stage, { until, endWhenIdle: false, finish: true });
      const at = times.rolloutAtMs;
      if (scenario === 'rollout' && times.rolloutNotify && at !== undefined && at < (times.forMs ?? 0)) {
        await stage.asActor(() => stage.clock.sleepUntil(stage.start + at, stage.stopped));
        if (!stage.stopped.aborted) await stage.notifyAll(stage.phones);
      }
      await lives;
      return;
    }
  }
}

/** Every phone powered on at its instant of the ramp, in time order (ties by MAC). */
async function powerOnAll<P extends { readonly mac: Mac }>(
  stage: Stage<P>,
  how: { readonly until: number; readonly endWhenIdle: boolean; readonly finish: boolean },
): Promise<void> {
  const order = stage.phones
    .map((phone) => ({ phone, at: stage.start + stage.powerOnOffset(phone) }))
    .sort((a, b) => a.at - b.at || (a.phone.mac < b.phone.mac ? -1 : a.phone.mac > b.phone.mac ? 1 : 0));
  const lives = new Pending();
  await stage.asActor(async () => {
    for (const { phone, at } of order) {
      if (at >= how.until) break;
      await stage.clock.sleepUntil(at, stage.stopped);
      if (stage.stopped.aborted) break;
      lives.add(
        stage.powerOn(phone, how).then(() => {
          if (how.finish) stage.finish(phone);
        }),
        phone,
      );
    }
  });
  // Phones whose instant falls after the end (or the stop) never power on; their outcome says so.
  if (how.finish) for (const { phone } of order) if (!lives.has(phone)) stage.finish(phone);
  await lives.settled();
}

/** Promises in flight, counted: resolves when all ended, rejects with the first failure (a bug). */
export class Pending {
  private count = 0;
  private readonly keys = new WeakSet<object>();
  private error: Error | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  /** `key`: what the work is for, so that has() can tell. */
  add(work: Promise<unknown>, key?: object): void {
    if (key) this.keys.add(key);
    this.count++;
    work.then(
      () => this.done(),
      (e: unknown) => {
        this.error ??= e instanceof Error ? e : new Error(String(e));
        this.done();
      },
    );
  }

  has(key: object): boolean {
    return this.keys.has(key);
  }

  settled(): Promise<void> {
    if (this.count === 0) return this.error ? Promise.reject(this.error) : Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private done(): void {
    if (--this.count > 0) return;
    for (const waiter of this.waiters.splice(0)) {
      if (this.error) waiter.reject(this.error);
      else waiter.resolve();
    }
  }
}
