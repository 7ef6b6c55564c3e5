// The stretch of a day in which a weekly (T3) or flexible (T4) round may fire, and where it falls
// on a given local day. A window may run past midnight; it never spans more than 24 hours.
import { DAY_MINUTES, DAY_MS, MINUTE_MS, startOfLocalDay } from './localTime.js';

/** From `begin` (minutes after local midnight) for `length` minutes, 0 to 1440. */
export interface DailyWindow {
  readonly begin: number;
  readonly length: number;
}

/** One day's window as instants: `start` on local day `day`, `end` = start + length. */
export interface WindowOccurrence {
  readonly day: number;
  readonly start: number;
  readonly end: number;
}

/**
 * T3 weekly window. End before begin runs past midnight into the next day. **Decision:** end equal
 * to begin (the factory 00:00-00:00) is the whole day, 24 hours from begin: the guides give no rule
 * for weekly, and a zero-length window would make the default unusable with an inactivity time.
 */
export function weeklyWindow(begin: number, end: number): DailyWindow {
  return { begin, length: end === begin ? DAY_MINUTES : minutesFromTo(begin, end) };
}

/**
 * T4 flexible window (reference §10): end blank or equal to begin runs at the begin time (length 0);
 * end after begin is a random time between them; end before begin runs from begin today to end tomorrow.
 */
export function flexibleWindow(begin: number, end: number | null): DailyWindow {
  return { begin, length: end === null || end === begin ? 0 : minutesFromTo(begin, end) };
}

function minutesFromTo(begin: number, end: number): number {
  return end > begin ? end - begin : end + DAY_MINUTES - begin;
}

export function occurrenceOn(window: DailyWindow, day: number, utcOffsetMinutes: number): WindowOccurrence {
  const start = windowStartOn(window, day, utcOffsetMinutes);
  return { day, start, end: start + window.length * MINUTE_MS };
}

/** When the window opens on local `day`: occurrenceOn's start, without the object. */
export function windowStartOn(window: DailyWindow, day: number, utcOffsetMinutes: number): number {
  return startOfLocalDay(day, utcOffsetMinutes) + window.begin * MINUTE_MS;
}

/** The last local day whose window starts at or before `at` (the only one that can contain it). */
export function lastWindowDayAtOrBefore(window: DailyWindow, at: number, utcOffsetMinutes: number): number {
  return Math.floor((at + (utcOffsetMinutes - window.begin) * MINUTE_MS) / DAY_MS);
}

/** A whole minute of the window picked by `fraction` in [0, 1); the start when the window is empty. */
export function minuteInWindow(occurrence: WindowOccurrence, fraction: number): number {
  return minuteBetween(occurrence.start, occurrence.end, fraction);
}

/** minuteInWindow for a window given as its two instants. */
export function minuteBetween(start: number, end: number, fraction: number): number {
  const minutes = (end - start) / MINUTE_MS;
  return start + Math.floor(fraction * minutes) * MINUTE_MS;
}

export function contains(occurrence: WindowOccurrence, at: number): boolean {
  return occurrence.start <= at && at <= occurrence.end;
}
