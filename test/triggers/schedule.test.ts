import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macOrThrow, type Mac } from '../../src/core/mac.js';
import { configView } from '../../src/engine/settings.js';
import { loadParameterCatalogue } from '../../src/models/parameters.js';
import { afterBoot, becameBusy, becameIdle, type TriggerMemory } from '../../src/triggers/memory.js';
import { afterRound, nextTrigger } from '../../src/triggers/schedule.js';
import { readTriggerSettings, type TriggerSettings } from '../../src/triggers/settings.js';
import { plannedRounds } from '../../src/triggers/timeline.js';

const params = loadParameterCatalogue();
const MAC = macOrThrow('00156574b150');
const SEED = 'seed';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Sunday 2024-01-07 00:00 UTC: every phone here boots then. */
const T0 = Date.UTC(2024, 0, 7);
const BOOTED = afterBoot(undefined, T0);

/** Settings from `static.auto_provision.*` parameters named without their prefix. */
function settingsOf(config: Record<string, string>, utcOffsetMinutes = 0): TriggerSettings {
  const full = Object.fromEntries(Object.entries(config).map(([k, v]) => [`static.auto_provision.${k}`, v]));
  const { settings, diagnostics } = readTriggerSettings(configView(full, params), { utcOffsetMinutes });
  expect(diagnostics).toEqual([]);
  return settings;
}

interface Run {
  readonly memory?: TriggerMemory;
  readonly from?: number;
  readonly seed?: string;
  readonly mac?: Mac;
}

/** The rounds over `days` from `from`, as `2024-01-08T02:46 weekly` (UTC). */
function rounds(settings: TriggerSettings, days: number, run: Run = {}): string[] {
  const from = run.from ?? T0;
  const planned = plannedRounds(
    settings,
    run.memory ?? BOOTED,
    from,
    from + days * DAY,
    run.mac ?? MAC,
    run.seed ?? SEED,
  );
  return planned.rounds.map((r) => `${stamp(r.at)} ${r.kind}`);
}

function stamp(at: number): string {
  return new Date(at).toISOString().slice(0, 16);
}

function weekday(at: number, utcOffsetMinutes = 0): number {
  return new Date(at + utcOffsetMinutes * MINUTE).getUTCDay();
}

describe('T2 repeat', () => {
  it('runs every N minutes from the boot', () => {
    expect(rounds(settingsOf({ 'repeat.enable': '1', 'repeat.minutes': '360' }), 1)).toEqual([
      '2024-01-07T06:00 repeat',
      '2024-01-07T12:00 repeat',
      '2024-01-07T18:00 repeat',
      '2024-01-08T00:00 repeat',
    ]);
  });

  it('is off by default: the factory phone provisions only at power-on', () => {
    expect(rounds(settingsOf({}), 30)).toEqual([]);
  });

  it('Decision: counts from the end of the last round of any kind', () => {
    const settings = settingsOf({ 'repeat.enable': '1', 'repeat.minutes': '360' });
    const memory = afterRound(settings, BOOTED, 'immediate', T0 + 7.5 * HOUR, MAC, SEED);
    expect(rounds(settings, 1, { memory, from: T0 + 7.5 * HOUR })).toEqual([
      '2024-01-07T13:30 repeat',
      '2024-01-07T19:30 repeat',
      '2024-01-08T01:30 repeat',
      '2024-01-08T07:30 repeat',
    ]);
  });

  it('takes a change of repeat.minutes from the next computation', () => {
    const before = settingsOf({ 'repeat.enable': '1', 'repeat.minutes': '360' });
    const first = plannedRounds(before, BOOTED, T0, T0 + 12 * HOUR, MAC, SEED);
    expect(first.rounds.map((r) => stamp(r.at))).toEqual(['2024-01-07T06:00', '2024-01-07T12:00']);
    // The 12:00 round provisions repeat.minutes = 90.
    const after = settingsOf({ 'repeat.enable': '1', 'repeat.minutes': '90' });
    expect(rounds(after, 0.25, { memory: first.memory, from: T0 + 12 * HOUR })).toEqual([
      '2024-01-07T13:30 repeat',
      '2024-01-07T15:00 repeat',
      '2024-01-07T16:30 repeat',
      '2024-01-07T18:00 repeat',
    ]);
    // Set at 14:15 to 60 minutes, already elapsed since the 12:00 round: the next hour on its grid.
    const later = settingsOf({ 'repeat.enable': '1', 'repeat.minutes': '60' });
    expect(nextTrigger(later, first.memory, T0 + 14.25 * HOUR, MAC, SEED)).toEqual({
      kind: 'repeat',
      at: T0 + 15 * HOUR,
    });
  });

  it('fires exactly N minutes apart (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 43200 }),
        fc.integer({ min: 0, max: 400 * DAY }),
        (minutes, bootOffset) => {
          const settings = settingsOf({ 'repeat.enable': '1', 'repeat.minutes': String(minutes) });
          const boot = T0 + bootOffset;
          const planned = plannedRounds(settings, afterBoot(undefined, boot), boot, Infinity, MAC, SEED, 20);
          const times = [boot, ...planned.rounds.map((r) => r.at)];
          expect(planned.rounds).toHaveLength(20);
          for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(minutes * MINUTE);
        },
      ),
    );
  });
});

describe('T3 weekly', () => {
  const monWedFri = {
    'weekly.enable': '1',
    'weekly.dayofweek': '135',
    'weekly.begin_time': '02:00',
    'weekly.end_time': '03:00',
  };

  it('interval 0: runs on every selected day, at a random time in the window', () => {
    const fired = rounds(settingsOf(monWedFri), 14);
    expect(fired).toEqual([
      '2024-01-08T02:46 weekly',
      '2024-01-10T02:55 weekly',
      '2024-01-12T02:42 weekly',
      '2024-01-15T02:30 weekly',
      '2024-01-17T02:04 weekly',
      '2024-01-19T02:56 weekly',
    ]);
  });

  it('interval 2: one selected day every second week, the same weekday each time for the same seed', () => {
    const settings = settingsOf({ ...monWedFri, weekly_upgrade_interval: '2' });
    expect(rounds(settings, 56)).toEqual([
      '2024-01-17T02:04 weekly',
      '2024-01-31T02:15 weekly',
      '2024-02-14T02:06 weekly',
      '2024-02-28T02:05 weekly',
    ]);
    expect(rounds(settingsOf(monWedFri), 56)).toHaveLength(24);
    const weekdays = new Set<number>();
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      const planned = plannedRounds(settings, BOOTED, T0, T0 + 56 * DAY, MAC, seed).rounds;
      expect(planned).toHaveLength(4);
      for (let i = 1; i < planned.length; i++)
        expect(planned[i]!.at - planned[i - 1]!.at).toBeLessThan(15 * DAY);
      const days = new Set(planned.map((r) => weekday(r.at)));
      expect(days.size).toBe(1);
      weekdays.add([...days][0]!);
    }
    // The draw picks among the selected days: across seeds more than one of them comes up.
    expect([...weekdays].every((d) => [1, 3, 5].includes(d))).toBe(true);
    expect(weekdays.size).toBeGreaterThan(1);
  });

  describe('inactivity', () => {
    const settings = settingsOf({ ...monWedFri, inactivity_time_expire: '10' });
    const monday = Date.UTC(2024, 0, 8);

    it('runs once the phone has been idle N minutes inside the window', () => {
      expect(rounds(settings, 7)).toEqual([
        '2024-01-08T02:10 weekly',
        '2024-01-10T02:10 weekly',
        '2024-01-12T02:10 weekly',
      ]);
    });

    it('waits while the phone is busy, and counts the idle minutes from the end of the call', () => {
      const busy = becameBusy(BOOTED);
      expect(nextTrigger(settings, busy, monday + 1.75 * HOUR, MAC, SEED)).toBeNull();
      const idle = becameIdle(busy, monday + 2 * HOUR + 40 * MINUTE);
      expect(rounds(settings, 4, { memory: idle, from: monday + 2 * HOUR + 40 * MINUTE })).toEqual([
        '2024-01-08T02:50 weekly',
        '2024-01-10T02:10 weekly',
        '2024-01-12T02:10 weekly',
      ]);
    });

    it('skips the day when the phone is not idle long enough by the end of the window', () => {
      const idle = becameIdle(becameBusy(BOOTED), monday + 2 * HOUR + 55 * MINUTE);
      expect(nextTrigger(settings, idle, monday + 2 * HOUR + 55 * MINUTE, MAC, SEED)).toEqual({
        kind: 'weekly',
        at: Date.UTC(2024, 0, 10, 2, 10),
      });
    });

    it('runs once per window, whatever the phone does after its round', () => {
      const ran = afterRound(settings, BOOTED, 'weekly', monday + 2 * HOUR + 10 * MINUTE, MAC, SEED);
      const idle = becameIdle(becameBusy(ran), monday + 2 * HOUR + 20 * MINUTE);
      expect(nextTrigger(settings, idle, monday + 2 * HOUR + 20 * MINUTE, MAC, SEED)).toEqual({
        kind: 'weekly',
        at: Date.UTC(2024, 0, 10, 2, 10),
      });
    });
  });

  it('Decision: a window past midnight belongs to the day it begins on', () => {
    const night = {
      'weekly.enable': '1',
      'weekly.dayofweek': '1',
      'weekly.begin_time': '23:00',
      'weekly.end_time': '01:00',
    };
    expect(rounds(settingsOf({ ...night, inactivity_time_expire: '30' }), 14)).toEqual([
      '2024-01-08T23:30 weekly',
      '2024-01-15T23:30 weekly',
    ]);
    expect(rounds(settingsOf({ ...night, inactivity_time_expire: '90' }), 14)).toEqual([
      '2024-01-09T00:30 weekly',
      '2024-01-16T00:30 weekly',
    ]);
  });

  it('Decision: begin equal to end (the factory 00:00-00:00) is the whole day', () => {
    expect(rounds(settingsOf({ 'weekly.enable': '1', inactivity_time_expire: '120' }), 7)).toEqual([
      '2024-01-07T02:00 weekly',
      '2024-01-08T02:00 weekly',
      '2024-01-09T02:00 weekly',
      '2024-01-10T02:00 weekly',
      '2024-01-11T02:00 weekly',
      '2024-01-12T02:00 weekly',
      '2024-01-13T02:00 weekly',
    ]);
  });

  it("reads weekdays and times in the phone's local time (UTC offset)", () => {
    const settings = settingsOf({ ...monWedFri, 'weekly.dayofweek': '1', inactivity_time_expire: '10' }, 480);
    const fired = plannedRounds(settings, BOOTED, T0, T0 + 14 * DAY, MAC, SEED).rounds;
    // Monday 02:10 at UTC+8 is Sunday 18:10 UTC.
    expect(fired.map((r) => stamp(r.at))).toEqual(['2024-01-07T18:10', '2024-01-14T18:10']);
    expect(fired.map((r) => weekday(r.at, 480))).toEqual([1, 1]);
  });
});

describe('T4 flexible', () => {
  const flexible = { 'flexible.enable': '1' };

  it('runs once per interval on the day the MAC gives, at the begin time when the end is blank', () => {
    // Decision: fnv1a32("00156574b150") mod 30 = 1: local days 1, 31, ... since 1970-01-01.
    const fired = rounds(settingsOf(flexible), 100);
    expect(fired).toEqual([
      '2024-01-19T02:00 flexible',
      '2024-02-18T02:00 flexible',
      '2024-03-19T02:00 flexible',
    ]);
    expect(rounds(settingsOf({ ...flexible, 'flexible.end_time': '02:00' }), 100)).toEqual(fired);
  });

  it('runs in a window that crosses midnight, from the begin on its day to the end the next', () => {
    const settings = settingsOf({
      ...flexible,
      'flexible.interval': '7',
      'flexible.begin_time': '23:00',
      'flexible.end_time': '01:00',
    });
    expect(rounds(settings, 28)).toEqual([
      '2024-01-12T23:24 flexible',
      '2024-01-19T23:24 flexible',
      '2024-01-26T23:24 flexible',
      '2024-02-02T23:24 flexible',
    ]);
    const other = rounds(settings, 28, { seed: 'other' });
    expect(other).toEqual([
      '2024-01-13T00:13 flexible',
      '2024-01-20T00:13 flexible',
      '2024-01-27T00:13 flexible',
      '2024-02-03T00:13 flexible',
    ]);
  });

  describe('across reboots and other rounds', () => {
    const settings = settingsOf({
      ...flexible,
      'flexible.begin_time': '01:00',
      'flexible.end_time': '06:00',
    });
    const flexibleDay = Date.UTC(2024, 0, 19);

    it('keeps the day and draws the time afresh at each boot', () => {
      expect(rounds(settings, 30)).toEqual(['2024-01-19T02:01 flexible']);
      const reboot = T0 + 3 * DAY;
      const rebooted = afterBoot(BOOTED, reboot);
      expect(rounds(settings, 30, { memory: rebooted, from: reboot })).toEqual(['2024-01-19T02:39 flexible']);
    });

    it('draws the time again after a round inside the window for another reason', () => {
      const at = flexibleDay + 1.5 * HOUR;
      const memory = afterRound(settings, BOOTED, 'immediate', at, MAC, SEED);
      expect(memory.flexibleDrawnAt).toBe(at);
      // Due at 02:01 before the 01:30 round; drawn again, 04:54.
      expect(rounds(settings, 1, { memory, from: at })).toEqual(['2024-01-19T04:54 flexible']);
    });

    it('keeps the time after a round outside the window', () => {
      const dayBefore = flexibleDay - DAY + 2 * HOUR;
      const memory = afterRound(settings, BOOTED, 'notify', dayBefore, MAC, SEED);
      expect(memory.flexibleDrawnAt).toBe(BOOTED.flexibleDrawnAt);
      expect(rounds(settings, 2, { memory, from: dayBefore })).toEqual(['2024-01-19T02:01 flexible']);
    });
  });

  it("fires `interval` days apart, modulo the window, on the MAC's day, across reboots between windows (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.option(fc.integer({ min: 0, max: 1439 })),
        fc.stringMatching(/^[0-9a-f]{12}$/),
        fc.array(fc.option(fc.integer({ min: 0, max: DAY - 1 })), { minLength: 4, maxLength: 4 }),
        (interval, begin, end, macText, reboots) => {
          const hhmm = (m: number) =>
            `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const settings = settingsOf({
            ...flexible,
            'flexible.interval': String(interval),
            'flexible.begin_time': hhmm(begin),
            'flexible.end_time': end === null ? '' : hhmm(end),
          });
          const mac = macOrThrow(macText);
          const windowMs = settings.flexible.window.length * MINUTE;
          let memory = BOOTED;
          let now = T0;
          const times: number[] = [];
          for (const reboot of [null, ...reboots]) {
            let next = nextTrigger(settings, memory, now, mac, SEED);
            // A reboot between two windows (one inside a window may lose that period's round).
            const windowStart = next && Math.floor((next.at - begin * MINUTE) / DAY) * DAY + begin * MINUTE;
            if (reboot !== null && windowStart !== null && now + reboot < windowStart) {
              now += reboot;
              memory = afterBoot(memory, now);
              next = nextTrigger(settings, memory, now, mac, SEED);
            }
            expect(next?.kind).toBe('flexible');
            times.push(next!.at);
            memory = afterRound(settings, memory, 'flexible', next!.at, mac, SEED);
            now = next!.at;
          }
          for (let i = 1; i < times.length; i++) {
            const gap = times[i]! - times[i - 1]!;
            expect(Math.abs(gap - interval * DAY)).toBeLessThanOrEqual(windowMs);
          }
          const firstWindowDay = Math.floor((times[0]! - begin * MINUTE) / DAY);
          expect(((firstWindowDay % interval) + interval) % interval).toBe(fnvDay(macText, interval));
        },
      ),
    );
  });
});

/** The documented day, recomputed here from the FNV-1a recipe rather than with the code under test. */
function fnvDay(mac: string, interval: number): number {
  let hash = 0x811c9dc5;
  for (const char of mac)
    hash = Number((BigInt((hash ^ char.charCodeAt(0)) >>> 0) * 0x01000193n) % 0x1_0000_0000n);
  return hash % interval;
}

describe('T6 several triggers at once', () => {
  it('runs the earliest, and one round for triggers due at the same instant', () => {
    // Friday 2024-01-12 is the flexible day (interval 7) and a selected weekday; repeat is hourly.
    const settings = settingsOf({
      'repeat.enable': '1',
      'repeat.minutes': '60',
      'weekly.enable': '1',
      'weekly.dayofweek': '5',
      'weekly.begin_time': '01:50',
      'weekly.end_time': '03:00',
      inactivity_time_expire: '10',
      'flexible.enable': '1',
      'flexible.interval': '7',
    });
    const friday = Date.UTC(2024, 0, 12);
    const planned = plannedRounds(settings, BOOTED, friday + 0.5 * HOUR, friday + 4 * HOUR, MAC, SEED);
    expect(planned.rounds.map((r) => `${stamp(r.at)} ${r.kind}`)).toEqual([
      '2024-01-12T01:00 repeat',
      '2024-01-12T02:00 weekly',
      '2024-01-12T03:00 repeat',
      '2024-01-12T04:00 repeat',
    ]);
    expect(planned.memory.weeklyServedAt).toBe(friday + 2 * HOUR);
    expect(planned.memory.flexibleServedAt).toBe(friday + 2 * HOUR);
  });

  it('interleaves repeat, weekly and flexible, each round restarting the repeat count', () => {
    const settings = settingsOf({
      'repeat.enable': '1',
      'weekly.enable': '1',
      'weekly.dayofweek': '135',
      'weekly.begin_time': '02:00',
      'weekly.end_time': '03:00',
      'flexible.enable': '1',
      'flexible.interval': '7',
      'flexible.begin_time': '12:00',
    });
    expect(rounds(settings, 7)).toEqual([
      '2024-01-08T00:00 repeat',
      '2024-01-08T02:46 weekly',
      '2024-01-09T02:46 repeat',
      '2024-01-10T02:46 repeat',
      '2024-01-10T02:55 weekly',
      '2024-01-11T02:55 repeat',
      '2024-01-12T02:42 weekly',
      '2024-01-12T12:00 flexible',
      '2024-01-13T12:00 repeat',
    ]);
  });

  it('gives byte-identical timelines for the same inputs and seed', () => {
    const settings = settingsOf({
      'repeat.enable': '1',
      'repeat.minutes': '997',
      'weekly.enable': '1',
      'weekly.dayofweek': '0246',
      'weekly.begin_time': '22:00',
      'weekly.end_time': '04:00',
      'flexible.enable': '1',
      'flexible.interval': '3',
      'flexible.begin_time': '01:00',
      'flexible.end_time': '05:00',
    });
    const run = (seed: string) =>
      JSON.stringify(plannedRounds(settings, BOOTED, T0, T0 + 31 * DAY, MAC, seed));
    expect(run('fleet-1')).toBe(run('fleet-1'));
    expect(run('fleet-1')).not.toBe(run('fleet-2'));
  });
});

describe('nextTrigger (property)', () => {
  const time = fc
    .integer({ min: 0, max: 1439 })
    .map((m) => `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`);
  const config = fc.record({
    'repeat.enable': fc.constantFrom('0', '1'),
    'repeat.minutes': fc.integer({ min: 1, max: 43200 }).map(String),
    'weekly.enable': fc.constantFrom('0', '1'),
    'weekly.dayofweek': fc
      .subarray(['0', '1', '2', '3', '4', '5', '6'], { minLength: 1 })
      .map((d) => d.join('')),
    'weekly.begin_time': time,
    'weekly.end_time': time,
    weekly_upgrade_interval: fc.integer({ min: 0, max: 12 }).map(String),
    inactivity_time_expire: fc.integer({ min: 0, max: 120 }).map(String),
    'flexible.enable': fc.constantFrom('0', '1'),
    'flexible.interval': fc.integer({ min: 1, max: 1000 }).map(String),
    'flexible.begin_time': time,
    'flexible.end_time': fc.oneof(time, fc.constant('')),
  });
  const instant = fc.integer({ min: T0, max: T0 + 400 * DAY });

  it('is strictly after now, and comes from an enabled trigger', () => {
    fc.assert(
      fc.property(
        config,
        fc.integer({ min: -720, max: 840 }),
        instant,
        fc.integer({ min: 0, max: 30 * DAY }),
        fc.option(fc.integer({ min: 0, max: 30 * DAY })),
        fc.option(fc.integer({ min: 0, max: 30 * DAY })),
        fc.string(),
        (raw, offset, boot, sinceBoot, roundBefore, idleBefore, seed) => {
          const full = Object.fromEntries(
            Object.entries(raw).map(([k, v]) => [`static.auto_provision.${k}`, v]),
          );
          const { settings } = readTriggerSettings(configView(full, params), { utcOffsetMinutes: offset });
          const now = boot + sinceBoot;
          let memory = afterBoot(undefined, boot);
          if (roundBefore !== null)
            memory = afterRound(
              settings,
              memory,
              'immediate',
              now - Math.min(roundBefore, sinceBoot),
              MAC,
              seed,
            );
          memory =
            idleBefore === null
              ? becameBusy(memory)
              : becameIdle(memory, now - Math.min(idleBefore, sinceBoot));
          const next = nextTrigger(settings, memory, now, MAC, seed);
          if (next === null) return;
          expect(next.at).toBeGreaterThan(now);
          expect(settings[next.kind].enabled).toBe(true);
          const again = nextTrigger(
            settings,
            afterRound(settings, memory, next.kind, next.at, MAC, seed),
            next.at,
            MAC,
            seed,
          );
          if (again) expect(again.at).toBeGreaterThan(next.at);
        },
      ),
      { numRuns: 300 },
    );
  });
});
