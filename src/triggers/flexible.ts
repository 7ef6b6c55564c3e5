// T4 flexible ("custom random"): one round every `interval` days, on a day of the period fixed by
// the MAC, at a time in the window drawn at boot.
import type { Mac } from '../core/mac.js';
import { MINUTE_MS, localDayOf, mod } from './localTime.js';
import type { TriggerMemory } from './memory.js';
import { drawFractionOf, fnv1a32, type Drawer } from './random.js';
import type { FlexibleSettings } from './settings.js';
import { minuteBetween, windowStartOn } from './window.js';

/**
 * The day of each period on which this phone runs its flexible round, 0 to interval - 1. The real
 * MAC-to-day hash is not public. **Decision (T4):** FNV-1a 32 of the MAC's 12 lower-case hex
 * digits as ASCII, modulo the interval; periods are runs of `interval` local days counted from
 * 1970-01-01 (local day 0). By hand: fnv1a32("00156574b150") = 0xdcf21909 = 3706853641, and
 * 3706853641 mod 30 = 1, so with the default interval this phone runs on local days 1, 31, 61, ...
 * (1970-01-02, 1970-02-01, ...): a local day number is floor((epoch ms + offset) / 86 400 000).
 * The seed plays no part: the day belongs to the phone, stable across reboots.
 */
export function flexibleDayInPeriod(mac: Mac, intervalDays: number): number {
  return fnv1a32(mac) % intervalDays;
}

/**
 * Where the flexible round of the period containing local day `day` falls: its day, window and due
 * time. `inPeriod` is flexibleDayInPeriod and `fraction` the time's draw, both taken once by the
 * caller for every period it looks at.
 */
class FlexiblePeriod {
  day = 0;
  start = 0;
  end = 0;
  dueAt = 0;

  constructor(
    private readonly flexible: FlexibleSettings,
    private readonly utcOffsetMinutes: number,
    private readonly inPeriod: number,
    private readonly fraction: number,
  ) {}

  of(day: number): this {
    this.day = day - mod(day, this.flexible.intervalDays) + this.inPeriod;
    this.start = windowStartOn(this.flexible.window, this.day, this.utcOffsetMinutes);
    this.end = this.start + this.flexible.window.length * MINUTE_MS;
    this.dueAt = minuteBetween(this.start, this.end, this.fraction);
    return this;
  }
}

/** The periods of a phone as its memory stands: T4's time is drawn at boot and re-drawn by a round in the window. */
function periodsOf(
  flexible: FlexibleSettings,
  memory: TriggerMemory,
  utcOffsetMinutes: number,
  drawer: Drawer,
): FlexiblePeriod {
  // The same draw serves every period until the next one.
  const fraction = drawFractionOf(drawer.seed, drawer.mac, 'flexible-time', memory.flexibleDrawnAt);
  return new FlexiblePeriod(
    flexible,
    utcOffsetMinutes,
    flexibleDayInPeriod(drawer.mac, flexible.intervalDays),
    fraction,
  );
}

/** The next flexible round strictly after `now`, or null when flexible is off. */
export function nextFlexible(
  flexible: FlexibleSettings,
  memory: TriggerMemory,
  now: number,
  utcOffsetMinutes: number,
  drawer: Drawer,
): number | null {
  if (!flexible.enabled) return null;
  const period = periodsOf(flexible, memory, utcOffsetMinutes, drawer);
  // Start a day back: yesterday's window may run past midnight into today.
  let day = localDayOf(now, utcOffsetMinutes) - 1;
  for (let periods = 0; periods < 3; periods++, day += flexible.intervalDays) {
    period.of(day);
    if (!served(period.start, memory) && period.dueAt > now) return period.dueAt;
  }
  return null;
}

/** What a round of another kind ending at `at` does to the flexible round (T4, T6). */
export type FlexibleEffect = 'none' | 'served' | 'redraw';

/**
 * A round inside the flexible window re-draws the time (T4). **Decision:** "inside the window"
 * means the window this phone is waiting on, on its flexible day, not the same hours on other days.
 * If the flexible round was already due by then, the round served it instead (T6: one round).
 * The new draw may fall before `at`: then this period's flexible round is over.
 */
export function flexibleEffectOfRound(
  flexible: FlexibleSettings,
  memory: TriggerMemory,
  at: number,
  utcOffsetMinutes: number,
  drawer: Drawer,
): FlexibleEffect {
  if (!flexible.enabled) return 'none';
  const period = periodsOf(flexible, memory, utcOffsetMinutes, drawer);
  const today = localDayOf(at, utcOffsetMinutes);
  for (let day = today - 1; day <= today; day++) {
    period.of(day);
    if (period.day !== day || !(period.start <= at && at <= period.end) || served(period.start, memory))
      continue;
    return period.dueAt <= at ? 'served' : 'redraw';
  }
  return 'none';
}

function served(start: number, memory: TriggerMemory): boolean {
  return memory.flexibleServedAt !== null && start <= memory.flexibleServedAt;
}
