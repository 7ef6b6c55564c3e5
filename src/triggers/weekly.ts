// T3 weekly: rounds in a daily window on selected weekdays, every week or once every N weeks, at a
// random time in the window or once the phone has been idle long enough in it.
import { MINUTE_MS, WEEK_DAYS, mod, weekOf, weekdayOf, type Weekday } from './localTime.js';
import type { TriggerMemory } from './memory.js';
import { drawFractionOf, type Drawer } from './random.js';
import type { WeeklySettings } from './settings.js';
import { lastWindowDayAtOrBefore, minuteBetween, windowStartOn } from './window.js';

/**
 * With an interval of N weeks, the one selected weekday this phone uses (T3: "one random day").
 * **Decision:** drawn once from the seed, the MAC and the selection, not per period: the phone keeps
 * its weekday from one period to the next, the way the flexible day stays put (T4), while a fleet
 * spreads over the selected days.
 */
export function weeklyDay(weekly: WeeklySettings, drawer: Drawer): Weekday | undefined {
  const fraction = drawFractionOf(drawer.seed, drawer.mac, 'weekly-day', weekly.days.join(''));
  return weekly.days[Math.floor(fraction * weekly.days.length)];
}

/**
 * Is a weekly round planned on local `day` (its weekday selected; with N weeks, the phone's day in
 * the first week of a run)? **Decision:** a window that runs past midnight belongs to the day it
 * begins on: Monday 23:00-01:00 is Monday night. With an interval of N weeks, the rounds fall in
 * the first week of each run of N weeks counted from week 0 (Sunday 1969-12-28), so "every second
 * week" is the even weeks.
 */
function plannedOn(weekly: WeeklySettings, day: number, chosen: Weekday | undefined): boolean {
  const weekday = weekdayOf(day);
  if (!weekly.days.includes(weekday)) return false;
  return weekly.intervalWeeks === 0 || (weekday === chosen && mod(weekOf(day), weekly.intervalWeeks) === 0);
}

/**
 * When the round of the window [start, end] on `day` is due; null: not due, or not yet knowable.
 * With an inactivity time, a phone busy now has no due time in any window until it is idle again:
 * the caller asks afresh after `becameIdle`.
 */
function dueIn(
  weekly: WeeklySettings,
  memory: TriggerMemory,
  start: number,
  end: number,
  drawer: Drawer,
  day: number,
): number | null {
  if (weekly.inactivityMinutes === 0) {
    // T3: inactivity 0 runs at a random time in the window, drawn per window.
    const fraction = drawFractionOf(drawer.seed, drawer.mac, 'weekly-time', day);
    return minuteBetween(start, end, fraction);
  }
  // T3: idle N minutes inside the window. **Decision:** only idle time inside the window counts, so
  // the earliest round is begin + N; a phone not idle long enough by the window's end skips the day.
  if (memory.idleSince === null) return null;
  const dueAt = Math.max(start, memory.idleSince) + weekly.inactivityMinutes * MINUTE_MS;
  return dueAt <= end ? dueAt : null;
}

/**
 * The next weekly round strictly after `now`, or null when weekly is off or can never run. Called
 * each time a phone goes idle: nothing is allocated per day looked at.
 */
export function nextWeekly(
  weekly: WeeklySettings,
  memory: TriggerMemory,
  now: number,
  utcOffsetMinutes: number,
  drawer: Drawer,
): number | null {
  if (!weekly.enabled || weekly.days.length === 0) return null;
  const first = lastWindowDayAtOrBefore(weekly.window, now, utcOffsetMinutes);
  const chosen = weekly.intervalWeeks > 0 ? weeklyDay(weekly, drawer) : undefined;
  const length = weekly.window.length * MINUTE_MS;
  // Windows never overlap, so the first due time found in day order is the earliest. Two runs of
  // N weeks cover the window open now and the next planned one.
  const last = first + WEEK_DAYS * (Math.max(1, weekly.intervalWeeks) + 1);
  for (let day = first; day <= last; day++) {
    if (!plannedOn(weekly, day, chosen)) continue;
    const start = windowStartOn(weekly.window, day, utcOffsetMinutes);
    if (servedSince(start, memory)) continue;
    const dueAt = dueIn(weekly, memory, start, start + length, drawer, day);
    if (dueAt !== null && dueAt > now) return dueAt;
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
  const chosen = weekly.intervalWeeks > 0 ? weeklyDay(weekly, drawer) : undefined;
  if (!plannedOn(weekly, day, chosen)) return false;
  const start = windowStartOn(weekly.window, day, utcOffsetMinutes);
  const end = start + weekly.window.length * MINUTE_MS;
  if (!(start <= at && at <= end) || servedSince(start, memory)) return false;
  const dueAt = dueIn(weekly, memory, start, end, drawer, day);
  return dueAt !== null && dueAt <= at;
}

/** A window starting at `start` whose round a round at or after its start already served. */
function servedSince(start: number, memory: TriggerMemory): boolean {
  return memory.weeklyServedAt !== null && start <= memory.weeklyServedAt;
}
