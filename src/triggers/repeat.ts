// T2 repeat: a round every N minutes.
import { MINUTE_MS } from './localTime.js';
import type { TriggerMemory } from './memory.js';
import type { RepeatSettings } from './settings.js';

/**
 * The next repeat round strictly after `now`, or null when repeat is off.
 *
 * **Decision (T2):** the N minutes count from the end of the last round of any kind, or from the
 * boot when that is later: a phone that has just provisioned for any reason waits a full period.
 * The interval is read at every computation, so a provisioned change of `repeat.minutes` applies
 * at once; when the new interval has already elapsed, the round runs at the first multiple of it
 * after `now`, so the firings stay on the grid the origin sets.
 */
export function nextRepeat(repeat: RepeatSettings, memory: TriggerMemory, now: number): number | null {
  if (!repeat.enabled) return null;
  const origin = Math.max(memory.bootAt, memory.lastRoundAt ?? memory.bootAt);
  const step = repeat.minutes * MINUTE_MS;
  const periods = now < origin ? 1 : Math.floor((now - origin) / step) + 1;
  return origin + periods * step;
}
