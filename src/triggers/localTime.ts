// The phone's local calendar, from epoch milliseconds and a fixed UTC offset in minutes. The
// offset is the emulator's stand-in for the phone's time zone: no daylight saving, default 0 (UTC).

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;
export const DAY_MS = DAY_MINUTES * MINUTE_MS;
export const WEEK_DAYS = 7;

/** Weekday digits as the phone writes them (T3): 0 = Sunday ... 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * The local day number: whole days since 1970-01-01 local time. Days, not dates, because the
 * triggers only ever count days (flexible periods) and weekdays (weekly).
 */
export function localDayOf(at: number, utcOffsetMinutes: number): number {
  return Math.floor((at + utcOffsetMinutes * MINUTE_MS) / DAY_MS);
}

/** The instant of local midnight starting `day`. */
export function startOfLocalDay(day: number, utcOffsetMinutes: number): number {
  return day * DAY_MS - utcOffsetMinutes * MINUTE_MS;
}

/** Local day 0, 1970-01-01, was a Thursday. */
export function weekdayOf(day: number): Weekday {
  return mod(day + 4, WEEK_DAYS) as Weekday;
}

/** Weeks run Sunday to Saturday (0 = Sunday, T3); week 0 began on Sunday 1969-12-28. */
export function weekOf(day: number): number {
  return Math.floor((day + 4) / WEEK_DAYS);
}

/** `HH:MM` (00:00-23:59; one-digit hours accepted) as minutes after midnight, or null. */
export function parseClockTime(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/** Minutes after midnight as `HH:MM`. */
export function formatClockTime(minuteOfDay: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}

export function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
