// T3 weekly: rounds in a daily window on selected weekdays, every week or once every N weeks, at a
// random time in the window or once the phone has been idle long enough in it.
import { MINUTE_MS, WEEK_DAYS, mod, weekOf, weekdayOf, type Weekday } from './localTime.js';
import type { TriggerMemory } from './memory.js';
import { drawBelow, drawFraction, drawKey, type Drawer } from './random.js';
import type { WeeklySettings } from './settings.js';
import {
  contains,
  lastWindowDayAtOrBefore,
  minuteInWindow,
  occurrenceOn,
  type WindowOccurrence,
} from './window.js';

/** One day's weekly window and when its round is due in it (null: not due, or not yet knowable). */
export interface WeeklyOccurrence extends WindowOccurrence {
  readonly dueAt: number | null;
}

/**
 * With an interval of N weeks, the one selected weekday this phone uses (T3: "one random day").
 * **Decision:** drawn once from the seed, the MAC and the selection, not per period: the phone keeps
 * its weekday from one period to the next, the way the flexible day stays put (T4), while a fleet
 * spreads over the selected days.
 */
export function weeklyDay(weekly: WeeklySettings, drawer: Drawer): Weekday | undefined {
  const key = drawKey(drawer.seed, drawer.mac, 'weekly-day', weekly.days.join(''));
  return weekly.days[drawBelow(key, weekly.days.length)];
}

/**
 * The weekly window that opens on local `day`, or null when no round is planned that day.
 * **Decision:** a window that runs past midnight belongs to the day it begins on: Monday 23:00-01:00
 * is Monday night. With an interval of N weeks, the rounds fall in the first week of each run of N
 * weeks counted from week 0 (Sunday 1969-12-28), so "every second week" is the even weeks.
 * With an inactivity time, a phone busy now has no due time in any window until it is idle again:
 * the caller asks afresh after `becameIdle`.
 */
export function weeklyOccurrence(
  weekly: WeeklySettings,
  memory: TriggerMemory,
  day: number,
  utcOffsetMinutes: number,
  drawer: Drawer,
): WeeklyOccurrence | null {
  const weekday = weekdayOf(day);
  if (!weekly.days.includes(weekday)) return null;
  if (weekly.intervalWeeks > 0) {
    if (weekday !== weeklyDay(weekly, drawer) || mod(weekOf(day), weekly.intervalWeeks) !== 0) return null;
  }
  const window = occurrenceOn(weekly.window, day, utcOffsetMinutes);
  if (weekly.inactivityMinutes === 0) {
    // T3: inactivity 0 runs at a random time in the window, drawn per window.
    const fraction = drawFraction(drawKey(drawer.seed, drawer.mac, 'weekly-time', day));
    return { ...window, dueAt: minuteInWindow(window, fraction) };
  }
  // T3: idle N minutes inside the window. **Decision:** only idle time inside the window counts, so
  // the earliest round is begin + N; a phone not idle long enough by the window's end skips the day.
  if (memory.idleSince === null) return { ...window, dueAt: null };
  const dueAt = Math.max(window.start, memory.idleSince) + weekly.inactivityMinutes * MINUTE_MS;
  return { ...window, dueAt: dueAt <= window.end ? dueAt : null };
}

/** The next weekly round strictly after `now`, or null when weekly is off or can never run. */
export function nextWeekly(
  weekly: WeeklySettings,
  memory: TriggerMemory,
  now: number,
  utcOffsetMinutes: number,
  drawer: Drawer,
): number | null {
  if (!weekly.enabled || weekly.days.length === 0) return null;
  const first = lastWindowDayAtOrBefore(weekly.window, now, utcOffsetMinutes);
  // Windows never overlap, so the first due time found in day order is the earliest. Two runs of
  // N weeks cover the window open now and the next planned one.
  const last = first + WEEK_DAYS * (Math.max(1, weekly.intervalWeeks) + 1);
  for (let day = first; day <= last; day++) {
    const occurrence = weeklyOccurrence(weekly, memory, day, utcOffsetMinutes, drawer);
    if (!occurrence || served(occurrence, memory)) continue;
    if (occurrence.dueAt !== null && occurrence.dueAt > now) return occurrence.dueAt;
  }
  return null;
}

/**
 * Whether a round of another kind ending at `at` also served the weekly window (T6): the window
 * contains `at` and its round was already due, so running it again would be a second round for one.
 */
export function weeklyServedBy(
  weekly: WeeklySettings,
  memory: TriggerMemory,
  at: number,
  utcOffsetMinutes: number,
  drawer: Drawer,
): boolean {
  if (!weekly.enabled || weekly.days.length === 0) return false;
  const day = lastWindowDayAtOrBefore(weekly.window, at, utcOffsetMinutes);
  const occurrence = weeklyOccurrence(weekly, memory, day, utcOffsetMinutes, drawer);
  return (
    occurrence !== null &&
    contains(occurrence, at) &&
    !served(occurrence, memory) &&
    occurrence.dueAt !== null &&
    occurrence.dueAt <= at
  );
}

function served(occurrence: WindowOccurrence, memory: TriggerMemory): boolean {
  return memory.weeklyServedAt !== null && occurrence.start <= memory.weeklyServedAt;
}
