// The trigger parameters (T1-T4) read from the phone's configuration, checked once: a value out of
// range falls back to the factory default and says so, so the schedule code never sees a bad value.
import { warning, type Diagnostic } from '../config/diagnostic.js';
import type { ConfigView } from '../engine/settings.js';
import { formatClockTime, parseClockTime, type Weekday } from './localTime.js';
import { flexibleWindow, weeklyWindow, type DailyWindow } from './window.js';

export interface RepeatSettings {
  readonly enabled: boolean;
  readonly minutes: number;
}

export interface WeeklySettings {
  readonly enabled: boolean;
  /** Selected weekdays, ascending, no repeats. */
  readonly days: readonly Weekday[];
  readonly window: DailyWindow;
  /** 0 = every selected day; N = one selected day once every N weeks. */
  readonly intervalWeeks: number;
  /** 0 = a random time in the window; N = once the phone has been idle N minutes in it. */
  readonly inactivityMinutes: number;
}

export interface FlexibleSettings {
  readonly enabled: boolean;
  readonly intervalDays: number;
  readonly window: DailyWindow;
}

export interface TriggerSettings {
  /** T1: a round at power-on. The schedule never fires it; the boot sequence does. */
  readonly powerOn: boolean;
  readonly repeat: RepeatSettings;
  readonly weekly: WeeklySettings;
  readonly flexible: FlexibleSettings;
  /** The phone's local time as a fixed offset from UTC, in minutes (+480 = UTC+8). Default 0. */
  readonly utcOffsetMinutes: number;
}

export interface TriggerSettingsRead {
  readonly settings: TriggerSettings;
  readonly diagnostics: readonly Diagnostic[];
}

export interface TriggerReadOptions {
  /** The phone's UTC offset in minutes, -720 to +840; default 0. */
  readonly utcOffsetMinutes?: number;
}

const P = 'static.auto_provision.';

/**
 * The factory defaults (reference §10, the same as models/parameters.json): the fallback for a
 * value that is missing or out of range.
 */
export const TRIGGER_DEFAULTS = {
  powerOn: '1',
  repeatEnable: '0',
  repeatMinutes: '1440',
  weeklyEnable: '0',
  weeklyDays: '0123456',
  weeklyBegin: '00:00',
  weeklyEnd: '00:00',
  weeklyInterval: '0',
  inactivity: '0',
  flexibleEnable: '0',
  flexibleInterval: '30',
  flexibleBegin: '02:00',
  flexibleEnd: '',
} as const;

export function readTriggerSettings(get: ConfigView, options: TriggerReadOptions = {}): TriggerSettingsRead {
  const diagnostics: Diagnostic[] = [];
  const reader = new Reader(get, diagnostics);

  // Read in rule order (T1-T4), so the diagnostics come in that order.
  const powerOn = reader.bool('T1', `${P}power_on`, TRIGGER_DEFAULTS.powerOn);
  const repeat: RepeatSettings = {
    enabled: reader.bool('T2', `${P}repeat.enable`, TRIGGER_DEFAULTS.repeatEnable),
    minutes: reader.int('T2', `${P}repeat.minutes`, TRIGGER_DEFAULTS.repeatMinutes, 1, 43200),
  };
  const weekly: WeeklySettings = {
    enabled: reader.bool('T3', `${P}weekly.enable`, TRIGGER_DEFAULTS.weeklyEnable),
    days: reader.weekdays('T3', `${P}weekly.dayofweek`, TRIGGER_DEFAULTS.weeklyDays),
    window: weeklyWindow(
      reader.time('T3', `${P}weekly.begin_time`, TRIGGER_DEFAULTS.weeklyBegin),
      reader.time('T3', `${P}weekly.end_time`, TRIGGER_DEFAULTS.weeklyEnd),
    ),
    intervalWeeks: reader.int('T3', `${P}weekly_upgrade_interval`, TRIGGER_DEFAULTS.weeklyInterval, 0, 12),
    inactivityMinutes: reader.int('T3', `${P}inactivity_time_expire`, TRIGGER_DEFAULTS.inactivity, 0, 120),
  };
  if (weekly.enabled && weekly.inactivityMinutes > weekly.window.length) {
    diagnostics.push(
      warning(
        'T3',
        `${P}inactivity_time_expire = ${weekly.inactivityMinutes} is longer than the weekly window ` +
          `(${weekly.window.length} min from ${formatClockTime(weekly.window.begin)}): the weekly round never runs; ` +
          'widen begin_time-end_time or lower the inactivity time',
      ),
    );
  }
  const flexible: FlexibleSettings = {
    enabled: reader.bool('T4', `${P}flexible.enable`, TRIGGER_DEFAULTS.flexibleEnable),
    intervalDays: reader.int('T4', `${P}flexible.interval`, TRIGGER_DEFAULTS.flexibleInterval, 1, 1000),
    window: flexibleWindow(
      reader.time('T4', `${P}flexible.begin_time`, TRIGGER_DEFAULTS.flexibleBegin),
      reader.optionalTime('T4', `${P}flexible.end_time`),
    ),
  };
  const settings: TriggerSettings = {
    powerOn,
    repeat,
    weekly,
    flexible,
    utcOffsetMinutes: utcOffset(options.utcOffsetMinutes),
  };
  return { settings, diagnostics };
}

/** The offset comes from the caller, not the phone's configuration: a bad one is a bug, not a finding. */
function utcOffset(offset = 0): number {
  if (Number.isInteger(offset) && offset >= -720 && offset <= 840) return offset;
  throw new RangeError(`UTC offset ${offset} is not a whole number of minutes from -720 to +840`);
}

/** Reads one kind of value, falling back to the default with a diagnostic that names the parameter. */
class Reader {
  constructor(
    private readonly get: ConfigView,
    private readonly diagnostics: Diagnostic[],
  ) {}

  bool(rule: string, param: string, fallback: string): boolean {
    const text = this.value(param, fallback);
    if (text === '0' || text === '1') return text === '1';
    this.complain(rule, param, text, '0 or 1', fallback);
    return fallback === '1';
  }

  int(rule: string, param: string, fallback: string, min: number, max: number): number {
    const text = this.value(param, fallback);
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (n >= min && n <= max) return n;
    this.complain(rule, param, text, `a whole number from ${min} to ${max}`, fallback);
    return Number(fallback);
  }

  time(rule: string, param: string, fallback: string): number {
    const text = this.value(param, fallback);
    const minutes = parseClockTime(text);
    if (minutes !== null) return minutes;
    this.complain(rule, param, text, 'a time HH:MM from 00:00 to 23:59', fallback);
    return parseClockTime(fallback) ?? 0;
  }

  /** T4: a blank flexible end is meaningful (run at the begin time); a bad one falls back to blank. */
  optionalTime(rule: string, param: string): number | null {
    const text = this.get(param).trim();
    if (text === '') return null;
    const minutes = parseClockTime(text);
    if (minutes === null)
      this.complain(
        rule,
        param,
        text,
        'a time HH:MM from 00:00 to 23:59, or blank',
        TRIGGER_DEFAULTS.flexibleEnd,
      );
    return minutes;
  }

  weekdays(rule: string, param: string, fallback: string): Weekday[] {
    const text = this.value(param, fallback);
    const valid = /^[0-6]+$/.test(text) ? text : fallback;
    if (valid !== text) this.complain(rule, param, text, 'digits 0-6 (0 = Sunday)', fallback);
    return [...new Set(valid)].map(Number).sort((a, b) => a - b) as Weekday[];
  }

  /** The configured text; blank (nothing set, no catalogued default) means the factory default. */
  private value(param: string, fallback: string): string {
    const text = this.get(param).trim();
    return text === '' ? fallback : text;
  }

  private complain(rule: string, param: string, found: string, expected: string, fallback: string): void {
    this.diagnostics.push(
      warning(rule, `${param} = "${found}" is not ${expected}; the phone uses the default "${fallback}"`),
    );
  }
}
