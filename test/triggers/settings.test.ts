import { describe, expect, it } from 'vitest';
import { configView } from '../../src/engine/settings.js';
import { loadParameterCatalogue } from '../../src/models/parameters.js';
import { readTriggerSettings, type TriggerSettings } from '../../src/triggers/settings.js';

const params = loadParameterCatalogue();
const P = 'static.auto_provision.';
const read = (config: Record<string, string>, utcOffsetMinutes?: number) =>
  readTriggerSettings(configView(config, params), utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes });

const FACTORY: TriggerSettings = {
  powerOn: true,
  repeat: { enabled: false, minutes: 1440 },
  weekly: {
    enabled: false,
    days: [0, 1, 2, 3, 4, 5, 6],
    window: { begin: 0, length: 1440 },
    intervalWeeks: 0,
    inactivityMinutes: 0,
  },
  flexible: { enabled: false, intervalDays: 30, window: { begin: 120, length: 0 } },
  utcOffsetMinutes: 0,
};

describe('T1-T4 trigger settings', () => {
  it('are the factory defaults of the parameter catalogue on a phone with no configuration', () => {
    expect(read({})).toEqual({ settings: FACTORY, diagnostics: [] });
  });

  it('read every trigger parameter', () => {
    const { settings, diagnostics } = read(
      {
        [`${P}power_on`]: '0',
        [`${P}repeat.enable`]: '1',
        [`${P}repeat.minutes`]: '90',
        [`${P}weekly.enable`]: '1',
        [`${P}weekly.dayofweek`]: '5311',
        [`${P}weekly.begin_time`]: '22:30',
        [`${P}weekly.end_time`]: '1:15',
        [`${P}weekly_upgrade_interval`]: '4',
        [`${P}inactivity_time_expire`]: '10',
        [`${P}flexible.enable`]: '1',
        [`${P}flexible.interval`]: '7',
        [`${P}flexible.begin_time`]: '01:00',
        [`${P}flexible.end_time`]: '06:00',
      },
      480,
    );
    expect(diagnostics).toEqual([]);
    expect(settings).toEqual({
      powerOn: false,
      repeat: { enabled: true, minutes: 90 },
      weekly: {
        enabled: true,
        days: [1, 3, 5],
        window: { begin: 22 * 60 + 30, length: 165 },
        intervalWeeks: 4,
        inactivityMinutes: 10,
      },
      flexible: { enabled: true, intervalDays: 7, window: { begin: 60, length: 300 } },
      utcOffsetMinutes: 480,
    });
  });

  it('fall back to the default for a value out of range, and say which', () => {
    const { settings, diagnostics } = read({
      [`${P}repeat.enable`]: 'yes',
      [`${P}repeat.minutes`]: '0',
      [`${P}weekly.dayofweek`]: '17',
      [`${P}weekly.begin_time`]: '25:00',
      [`${P}weekly_upgrade_interval`]: '13',
      [`${P}flexible.interval`]: '1001',
      [`${P}flexible.end_time`]: '9pm',
    });
    expect(settings).toEqual(FACTORY);
    expect(diagnostics.map((d) => `${d.rule} ${d.severity} ${d.message}`)).toEqual([
      'T2 warning static.auto_provision.repeat.enable = "yes" is not 0 or 1; the phone uses the default "0"',
      'T2 warning static.auto_provision.repeat.minutes = "0" is not a whole number from 1 to 43200; the phone uses the default "1440"',
      'T3 warning static.auto_provision.weekly.dayofweek = "17" is not digits 0-6 (0 = Sunday); the phone uses the default "0123456"',
      'T3 warning static.auto_provision.weekly.begin_time = "25:00" is not a time HH:MM from 00:00 to 23:59; the phone uses the default "00:00"',
      'T3 warning static.auto_provision.weekly_upgrade_interval = "13" is not a whole number from 0 to 12; the phone uses the default "0"',
      'T4 warning static.auto_provision.flexible.interval = "1001" is not a whole number from 1 to 1000; the phone uses the default "30"',
      'T4 warning static.auto_provision.flexible.end_time = "9pm" is not a time HH:MM from 00:00 to 23:59, or blank; the phone uses the default ""',
    ]);
  });

  it('T4 reads a flexible end equal to the begin as the begin time, and one before it as past midnight', () => {
    const equal = read({ [`${P}flexible.begin_time`]: '03:00', [`${P}flexible.end_time`]: '03:00' });
    expect(equal.settings.flexible.window).toEqual({ begin: 180, length: 0 });
    const overnight = read({ [`${P}flexible.begin_time`]: '23:00', [`${P}flexible.end_time`]: '01:00' });
    expect(overnight.settings.flexible.window).toEqual({ begin: 23 * 60, length: 120 });
    const bad = read({ [`${P}flexible.begin_time`]: '03:00', [`${P}flexible.end_time`]: '25:00' });
    expect(bad.settings.flexible.window).toEqual({ begin: 180, length: 0 });
  });

  it('T3 warns when the inactivity time cannot fit in the weekly window', () => {
    const { diagnostics } = read({
      [`${P}weekly.enable`]: '1',
      [`${P}weekly.begin_time`]: '02:00',
      [`${P}weekly.end_time`]: '03:00',
      [`${P}inactivity_time_expire`]: '90',
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toContain('the weekly round never runs');
  });

  it('refuses a UTC offset no time zone has (a caller bug)', () => {
    expect(() => read({}, 900)).toThrow(RangeError);
    expect(() => read({}, 1.5)).toThrow(RangeError);
  });
});
