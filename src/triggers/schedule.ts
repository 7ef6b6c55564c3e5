// When the next scheduled round runs (T2-T4) and what a round changes in the phone's memory, with
// several triggers on at once (T6). Pure: time is handed in as epoch ms, nothing is read or waited.
import type { Mac } from '../core/mac.js';
import { flexibleEffectOfRound, nextFlexible } from './flexible.js';
import type { TriggerMemory } from './memory.js';
import { nextRepeat } from './repeat.js';
import type { TriggerSettings } from './settings.js';
import { nextWeekly, weeklyServedBy } from './weekly.js';

/** The triggers that fire from the schedule. */
export type ScheduledKind = 'repeat' | 'weekly' | 'flexible';

/** What started a round: the schedule, power-on (T1), the web UI (T5), a NOTIFY (T7), a code (T8), a PIN (T9). */
export type RoundKind = ScheduledKind | 'power-on' | 'immediate' | 'notify' | 'activation' | 'pin';

export interface NextTrigger {
  readonly kind: ScheduledKind;
  readonly at: number;
}

/**
 * T6: the earliest of the enabled triggers, strictly after `now`; null when none is on.
 * **Decision:** when two are due at the same instant they make one round, named by the first of
 * weekly, flexible, repeat (the calendar the administrator set before the background timer);
 * `afterRound` then counts it as served for the others.
 */
export function nextTrigger(
  settings: TriggerSettings,
  memory: TriggerMemory,
  now: number,
  mac: Mac,
  seed: string,
): NextTrigger | null {
  const drawer = { seed, mac };
  const offset = settings.utcOffsetMinutes;
  // In the order that names a tie (weekly, flexible, repeat): a later one wins only if earlier.
  let kind: ScheduledKind = 'weekly';
  let at = nextWeekly(settings.weekly, memory, now, offset, drawer);
  const flexible = nextFlexible(settings.flexible, memory, now, offset, drawer);
  if (flexible !== null && (at === null || flexible < at)) {
    kind = 'flexible';
    at = flexible;
  }
  const repeat = nextRepeat(settings.repeat, memory, now);
  if (repeat !== null && (at === null || repeat < at)) {
    kind = 'repeat';
    at = repeat;
  }
  return at === null ? null : { kind, at };
}

/**
 * The memory after a round of `kind` that ended at `at`. Any round restarts the repeat count (T2).
 * A weekly or flexible window whose round was already due by `at` counts as served (T6: one round
 * for triggers due together); a round inside the flexible window before its time re-draws the time
 * (T4). Read the settings in force when the round ran, before it changed them.
 */
export function afterRound(
  settings: TriggerSettings,
  memory: TriggerMemory,
  kind: RoundKind,
  at: number,
  mac: Mac,
  seed: string,
): TriggerMemory {
  const drawer = { seed, mac };
  const offset = settings.utcOffsetMinutes;
  const weeklyServed = kind === 'weekly' || weeklyServedBy(settings.weekly, memory, at, offset, drawer);
  const flexible =
    kind === 'flexible' ? 'served' : flexibleEffectOfRound(settings.flexible, memory, at, offset, drawer);
  return {
    ...memory,
    lastRoundAt: at,
    weeklyServedAt: weeklyServed ? at : memory.weeklyServedAt,
    flexibleServedAt: flexible === 'served' ? at : memory.flexibleServedAt,
    flexibleDrawnAt: flexible === 'redraw' ? at : memory.flexibleDrawnAt,
  };
}
