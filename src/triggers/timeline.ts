// The scheduled rounds over a stretch of time, as the phone would run them if each round took no
// time and changed nothing (T2-T4, T6): "when will this phone provision next month?".
import type { Mac } from '../core/mac.js';
import type { TriggerMemory } from './memory.js';
import { afterRound, nextTrigger, type NextTrigger } from './schedule.js';
import type { TriggerSettings } from './settings.js';

export interface PlannedRounds {
  /** Rounds strictly after `from` and at or before `until`, in order. */
  readonly rounds: readonly NextTrigger[];
  /** The memory after the last of them. */
  readonly memory: TriggerMemory;
}

/** At most `limit` rounds, so that a one-minute repeat over years stays bounded. */
export function plannedRounds(
  settings: TriggerSettings,
  memory: TriggerMemory,
  from: number,
  until: number,
  mac: Mac,
  seed: string,
  limit = 10_000,
): PlannedRounds {
  const rounds: NextTrigger[] = [];
  let current = memory;
  let now = from;
  while (rounds.length < limit) {
    const next = nextTrigger(settings, current, now, mac, seed);
    if (next === null || next.at > until) break;
    rounds.push(next);
    current = afterRound(settings, current, next.kind, next.at, mac, seed);
    now = next.at;
  }
  return { rounds, memory: current };
}
