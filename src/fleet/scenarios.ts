// What happens when in a fleet run (issue #8 §2), written against a stage that owns the clock, the
// phones and the sockets: a boot storm (every phone powered on at its own instant of the ramp), a
// phone's normal life for a while, a NOTIFY storm once the boot storm has settled, and a rollout
// (the server's tree replaced at a given time, picked up by the triggers or a NOTIFY storm). A
// scenario only plans: it puts power-ons and actions on the stage's clock and lets it run.
import type { TimeKind } from '../time/scheduler.js';
import type { Scenario } from './report.js';

/** How a phone lives once powered on. */
export interface LifePlan {
  /** The triggers fire (a life, a rollout); false: the phone rests at its first idle moment (a storm). */
  readonly schedule: boolean;
  /** The phone's outcome is final once it rests (a boot storm). */
  readonly finishAtRest: boolean;
}

/** What a scenario needs from the runner; `P` names a phone (the runner: its place in MAC order). */
export interface Stage<P> {
  readonly time: TimeKind;
  /** Scenario clock (epoch ms) at the start of the run. */
  readonly start: number;
  /** Every phone this process runs, sorted by MAC. */
  readonly phones: readonly P[];
  /** Aborted when the run is stopped (Ctrl-C): no phone is powered on or notified after that. */
  readonly stopped: AbortSignal;
  /** The scenario clock (epoch ms). */
  now(): number;
  /** ms after the start at which the phone is powered on (a seeded draw of its MAC). */
  powerOnOffset(phone: P): number;
  /** How every phone powered on from now lives. */
  plan(plan: LifePlan): void;
  /** Powers the phone on at `at` (ties in MAC order). */
  powerOnAt(phone: P, at: number): void;
  /** Runs `action` at `at` on the scenario clock (now, if `at` has passed). */
  at(at: number, action: () => void): void;
  /**
   * A check-sync NOTIFY to every phone now (real time: over SIP; virtual time: handed in-process, in
   * MAC order, at one instant), each to its life; the rounds they start are the stage's to wait for.
   */
  notifyAll(phones: readonly P[]): void;
  /** Runs the clock until nothing is due before `until` and nothing is in flight (or the run stops). */
  settle(until?: number): Promise<void>;
  /** The phone's part of the scenario is over: its outcome is final. */
  finish(phone: P): void;
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

export async function runScenario<P>(
  scenario: Scenario,
  stage: Stage<P>,
  times: ScenarioTimes,
): Promise<void> {
  switch (scenario) {
    case 'boot-storm':
      stage.plan({ schedule: false, finishAtRest: true });
      powerOnAll(stage, Number.POSITIVE_INFINITY);
      return stage.settle();
    case 'notify-storm': {
      stage.plan({ schedule: false, finishAtRest: false });
      powerOnAll(stage, Number.POSITIVE_INFINITY);
      await stage.settle();
      if (!stage.stopped.aborted) {
        // Virtual time: at a fixed instant (later if the storm took longer); real time: now that it settled.
        const at = stage.time === 'virtual' ? notifyStormAt(stage.start, times) : stage.now();
        stage.at(at, () => stage.notifyAll(stage.phones));
        await stage.settle();
      }
      for (const phone of stage.phones) stage.finish(phone);
      return;
    }
    case 'life':
    case 'rollout': {
      const until = stage.start + (times.forMs ?? 0);
      stage.plan({ schedule: true, finishAtRest: false });
      powerOnAll(stage, until);
      const at = times.rolloutAtMs;
      if (scenario === 'rollout' && times.rolloutNotify && at !== undefined && at < (times.forMs ?? 0))
        stage.at(stage.start + at, () => stage.notifyAll(stage.phones));
      return stage.settle(until);
    }
  }
}

/**
 * Every phone powered on at its instant of the ramp (ties by MAC). Phones whose instant falls at or
 * after `until` never power on; their outcome says so.
 */
function powerOnAll<P>(stage: Stage<P>, until: number): void {
  for (const phone of stage.phones) {
    const at = stage.start + stage.powerOnOffset(phone);
    if (at < until) stage.powerOnAt(phone, at);
  }
}
