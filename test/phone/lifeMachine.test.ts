// The life machine's transitions (issue #14), as tables by rule, the way h11 tests `_state.py`:
// each row a state, an event and the time, and the next state and effects it must give. No clock,
// no engine, no promise: the machine is a pure function.
import { describe, expect, it } from 'vitest';
import { macOrThrow } from '../../src/core/mac.js';
import { lifeSettings } from '../../src/phone/lifeEvents.js';
import {
  alreadyUp,
  isResting,
  stepLife,
  switchedOff,
  type LifeEffect,
  type LifeEvent,
  type LifeRun,
  type LifeState,
  type LifeStateName,
  type RoundOutcome,
  type RoundTrigger,
} from '../../src/phone/lifeMachine.js';
import { afterBoot, becameBusy, type TriggerMemory } from '../../src/triggers/memory.js';
import { params } from '../support/engine.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const BOOT = MIN;
/** Monday 2026-01-05 00:00 UTC. */
const MONDAY = Date.UTC(2026, 0, 5);
const MAC = macOrThrow('00156574b150');
const RUN: LifeRun = { seed: 'seed', bootMs: BOOT, schedule: true };
const FIRMWARE = '108.86.0.90';

type Config = Record<string, string>;
const P = 'static.auto_provision.';
const HOURLY: Config = { [`${P}repeat.enable`]: '1', [`${P}repeat.minutes`]: '60' };
const POWER_ON_OFF: Config = { [`${P}power_on`]: '0' };

const flash = (config: Config = {}, firmware = FIRMWARE) => ({
  firmware,
  settings: lifeSettings(config, params),
});

interface Phone {
  readonly config?: Config;
  readonly firmware?: string;
  readonly memory?: TriggerMemory | null;
  readonly call?: { readonly endsAt: number } | null;
  readonly pending?: LifeState['pending'];
  readonly run?: LifeRun;
}

/** A state of the phone: its own fields, and the ones every state carries. */
function state(own: Partial<LifeState> & { readonly name: LifeStateName }, phone: Phone = {}): LifeState {
  return {
    ...switchedOff({ mac: MAC, run: phone.run ?? RUN, flash: flash(phone.config, phone.firmware) }),
    memory: phone.memory === undefined ? afterBoot(undefined, MONDAY) : phone.memory,
    call: phone.call ?? null,
    pending: phone.pending ?? [],
    ...own,
  } as LifeState;
}

const idle = (next: { kind: 'repeat' | 'weekly' | 'flexible'; at: number } | null, phone?: Phone) =>
  state({ name: 'idle', next }, phone);
const provisioning = (trigger: RoundTrigger, phone?: Phone, notifyReboot = false) =>
  state({ name: 'provisioning', trigger, notifyReboot, poweringOff: false }, phone);

// Effects, as the machine writes them.
const log = (at: number, state: LifeStateName, event: string, trigger?: RoundTrigger): LifeEffect => ({
  kind: 'log',
  entry: { at, state, event, ...(trigger && { trigger }) },
});
const sleep = (at: number): LifeEffect => ({ kind: 'sleepUntil', at });
const runRound = (trigger: RoundTrigger): LifeEffect => ({ kind: 'runRound', trigger });
const SAVE: LifeEffect = { kind: 'saveState' };
const FIND: LifeEffect = { kind: 'findServer' };

const UNCHANGED: RoundOutcome = {
  status: 'unchanged',
  updated: false,
  changes: 0,
  reboot: false,
  reasons: [],
};
const done = (outcome: Partial<RoundOutcome> = {}, config: Config = {}, firmware?: string): LifeEvent => ({
  kind: 'round-done',
  outcome: { ...UNCHANGED, ...outcome },
  flash: flash(config, firmware),
});
/** The round's timeline entry. */
const roundLog = (
  at: number,
  state: 'idle' | 'rebooting',
  event: string,
  trigger: RoundTrigger,
  round: Partial<RoundOutcome>,
): LifeEffect => {
  const { error: _error, ...summary } = { ...UNCHANGED, ...round };
  return { kind: 'log', entry: { at, state, event, trigger, round: summary } };
};

interface Row {
  readonly when: string;
  readonly state: LifeState;
  readonly event: LifeEvent;
  readonly now: number;
  /** The fields of the next state that matter to the row. */
  readonly next: Partial<Record<string, unknown>> & { readonly name: LifeStateName };
  readonly effects: readonly LifeEffect[];
}

function table(rows: readonly Row[]): void {
  it.each(rows.map((row) => [row.when, row] as const))('%s', (_when, row) => {
    const step = stepLife(row.state, row.event, row.now);
    expect(step.state).toMatchObject(row.next);
    expect(step.effects).toEqual(row.effects);
  });
}

const at = (hours: number, minutes = 0) => MONDAY + hours * HOUR + minutes * MIN;

describe('T1 power on', () => {
  table([
    {
      when: 'power-on boots the phone for the boot time',
      state: state({ name: 'off' }, { memory: null }),
      event: { kind: 'power-on' },
      now: MONDAY,
      next: { name: 'booting', until: MONDAY + BOOT },
      effects: [log(MONDAY, 'booting', 'power on (T1)'), sleep(MONDAY + BOOT)],
    },
    {
      when: 'at the end of the boot the phone looks for its server (S1)',
      state: state({ name: 'booting', until: at(0, 1) }),
      event: { kind: 'timer' },
      now: at(0, 1),
      next: { name: 'finding-server' },
      effects: [FIND],
    },
    {
      when: 'a timer before the end of the boot changes nothing',
      state: state({ name: 'booting', until: at(0, 1) }),
      event: { kind: 'timer' },
      now: at(0, 0),
      next: { name: 'booting', until: at(0, 1) },
      effects: [],
    },
    {
      when: 'with its server found it runs the power-on round (power_on = 1, the default)',
      state: state({ name: 'finding-server', poweringOff: false }, { memory: null }),
      event: { kind: 'found-server', summary: 'server from --tree' },
      now: at(0, 1),
      next: { name: 'provisioning', trigger: 'power-on', memory: afterBoot(undefined, at(0, 1)) },
      effects: [
        log(at(0, 1), 'finding-server', 'server from --tree'),
        log(at(0, 1), 'provisioning', 'power-on round', 'power-on'),
        runRound('power-on'),
      ],
    },
    {
      when: 'with power_on = 0 it goes idle and waits for the schedule, which counts from this boot',
      state: state(
        { name: 'finding-server', poweringOff: false },
        { config: { ...POWER_ON_OFF, ...HOURLY } },
      ),
      event: { kind: 'found-server', summary: 'server from --tree' },
      now: at(3),
      next: { name: 'idle', next: { kind: 'repeat', at: at(4) } },
      effects: [
        log(at(3), 'finding-server', 'server from --tree'),
        log(at(3), 'idle', 'waiting for the next trigger'),
        sleep(at(4)),
      ],
    },
    {
      when: 'after the power-on round the boot sequence ends: idle, waiting for the next trigger',
      state: provisioning('power-on', { config: HOURLY }),
      event: done({}, HOURLY),
      now: at(0, 1),
      next: { name: 'idle', next: { kind: 'repeat', at: at(1, 1) } },
      effects: [
        SAVE,
        roundLog(at(0, 1), 'idle', 'nothing new (M1)', 'power-on', {}),
        log(at(0, 1), 'idle', 'waiting for the next trigger'),
        sleep(at(1, 1)),
      ],
    },
  ]);

  it('a phone already up starts idle, its schedule counting from now (a fleet after its storm)', () => {
    const off = state({ name: 'off' }, { config: HOURLY, memory: null });
    const step = alreadyUp(off, at(5));
    expect(step.state).toMatchObject({ name: 'idle', next: { kind: 'repeat', at: at(6) } });
    expect(step.effects).toEqual([log(at(5), 'idle', 'waiting for the next trigger'), sleep(at(6))]);
  });
});

describe('T2 repeat', () => {
  table([
    {
      when: 'the repeat timer runs a round when it is due',
      state: idle({ kind: 'repeat', at: at(2) }, { config: HOURLY }),
      event: { kind: 'timer' },
      now: at(2),
      next: { name: 'provisioning', trigger: 'repeat' },
      effects: [log(at(2), 'provisioning', 'repeat round', 'repeat'), runRound('repeat')],
    },
    {
      when: 'a timer before it is due (superseded) changes nothing',
      state: idle({ kind: 'repeat', at: at(2) }, { config: HOURLY }),
      event: { kind: 'timer' },
      now: at(1),
      next: { name: 'idle', next: { kind: 'repeat', at: at(2) } },
      effects: [],
    },
    {
      when: 'the N minutes count again from the end of the round',
      state: provisioning('repeat', { config: HOURLY }),
      event: done({}, HOURLY),
      now: at(2, 10),
      next: { name: 'idle', next: { kind: 'repeat', at: at(3, 10) }, memory: { lastRoundAt: at(2, 10) } },
      effects: [SAVE, roundLog(at(2, 10), 'idle', 'nothing new (M1)', 'repeat', {}), sleep(at(3, 10))],
    },
    {
      when: 'a provisioned change of repeat.minutes applies from the next round on',
      state: provisioning('repeat', { config: HOURLY }),
      event: done(
        { status: 'updated', updated: true, changes: 1 },
        { ...HOURLY, [`${P}repeat.minutes`]: '30' },
      ),
      now: at(2),
      next: { name: 'idle', next: { kind: 'repeat', at: at(2, 30) } },
      effects: [
        SAVE,
        roundLog(at(2), 'idle', '1 change(s)', 'repeat', { status: 'updated', updated: true, changes: 1 }),
        sleep(at(2, 30)),
      ],
    },
  ]);
});

describe('T3 weekly, with an inactivity time', () => {
  // Mondays 02:00-06:00, once the phone has been idle 30 minutes in the window.
  const WEEKLY: Config = {
    [`${P}weekly.enable`]: '1',
    [`${P}weekly.dayofweek`]: '1',
    [`${P}weekly.begin_time`]: '02:00',
    [`${P}weekly.end_time`]: '06:00',
    [`${P}inactivity_time_expire`]: '30',
  };
  const booted = afterBoot(undefined, at(0, 1));
  table([
    {
      when: 'idle since the boot: due 30 minutes into the window',
      state: state(
        { name: 'finding-server', poweringOff: false },
        { config: { ...WEEKLY, ...POWER_ON_OFF } },
      ),
      event: { kind: 'found-server', summary: 'server from --tree' },
      now: at(0, 1),
      next: { name: 'idle', next: { kind: 'weekly', at: at(2, 30) } },
      effects: [
        log(at(0, 1), 'finding-server', 'server from --tree'),
        log(at(0, 1), 'idle', 'waiting for the next trigger'),
        sleep(at(2, 30)),
      ],
    },
    {
      when: 'a call makes the phone busy: no weekly round is due while it lasts',
      state: idle({ kind: 'weekly', at: at(2, 30) }, { config: WEEKLY, memory: booted }),
      event: { kind: 'call-start', endsAt: at(3) },
      now: at(2, 10),
      next: { name: 'idle', next: null, call: { endsAt: at(3) }, memory: { idleSince: null } },
      effects: [],
    },
    {
      when: 'the call ends: due 30 minutes later, inside the window',
      state: idle(null, { config: WEEKLY, memory: becameBusy(booted), call: { endsAt: at(3) } }),
      event: { kind: 'call-end' },
      now: at(3),
      next: {
        name: 'idle',
        next: { kind: 'weekly', at: at(3, 30) },
        call: null,
        memory: { idleSince: at(3) },
      },
      effects: [sleep(at(3, 30))],
    },
    {
      when: 'the call ends too late for this window: the next Monday',
      state: idle(null, { config: WEEKLY, memory: becameBusy(booted), call: { endsAt: at(5, 45) } }),
      event: { kind: 'call-end' },
      now: at(5, 45),
      next: { name: 'idle', next: { kind: 'weekly', at: at(7 * 24 + 2, 30) } },
      effects: [sleep(at(7 * 24 + 2, 30))],
    },
    {
      when: 'the weekly round served, the next one is a week later',
      state: state(
        { name: 'provisioning', trigger: 'weekly', notifyReboot: false, poweringOff: false },
        {
          config: WEEKLY,
          memory: booted,
        },
      ),
      event: done({}, WEEKLY),
      now: at(2, 30),
      next: {
        name: 'idle',
        next: { kind: 'weekly', at: at(7 * 24 + 2, 30) },
        memory: { weeklyServedAt: at(2, 30) },
      },
      effects: [
        SAVE,
        roundLog(at(2, 30), 'idle', 'nothing new (M1)', 'weekly', {}),
        sleep(at(7 * 24 + 2, 30)),
      ],
    },
  ]);
});

describe('T4 flexible and T6 several triggers at once', () => {
  // Every day at 02:00 exactly (end blank), and a repeat every 60 minutes.
  const DAILY_AT_TWO: Config = {
    [`${P}flexible.enable`]: '1',
    [`${P}flexible.interval`]: '1',
    [`${P}flexible.begin_time`]: '02:00',
  };
  const BOTH = { ...DAILY_AT_TWO, ...HOURLY };
  // Booted at midnight, last round at 01:00: the repeat is due at 02:00 too.
  const memory = { ...afterBoot(undefined, MONDAY), lastRoundAt: at(1) };
  table([
    {
      when: 'the flexible time is drawn afresh at each boot (T4)',
      state: state(
        { name: 'finding-server', poweringOff: false },
        { config: { ...DAILY_AT_TWO, ...POWER_ON_OFF } },
      ),
      event: { kind: 'found-server', summary: 'server from --tree' },
      now: at(1),
      next: { name: 'idle', next: { kind: 'flexible', at: at(2) }, memory: { flexibleDrawnAt: at(1) } },
      effects: [
        log(at(1), 'finding-server', 'server from --tree'),
        log(at(1), 'idle', 'waiting for the next trigger'),
        sleep(at(2)),
      ],
    },
    {
      when: 'flexible and repeat due at one instant make one round, named flexible (T6)',
      state: idle({ kind: 'flexible', at: at(2) }, { config: BOTH, memory }),
      event: { kind: 'timer' },
      now: at(2),
      next: { name: 'provisioning', trigger: 'flexible' },
      effects: [log(at(2), 'provisioning', 'flexible round', 'flexible'), runRound('flexible')],
    },
    {
      when: 'that round served both: the repeat counts from it, the flexible round is tomorrow (T6)',
      state: provisioning('flexible', { config: BOTH, memory }),
      event: done({}, BOTH),
      now: at(2),
      next: {
        name: 'idle',
        next: { kind: 'repeat', at: at(3) },
        memory: { lastRoundAt: at(2), flexibleServedAt: at(2) },
      },
      effects: [SAVE, roundLog(at(2), 'idle', 'nothing new (M1)', 'flexible', {}), sleep(at(3))],
    },
  ]);
});

describe('T5 immediately and T7 NOTIFY', () => {
  const notify = (eventHeader: string): LifeEvent => ({ kind: 'notify', eventHeader });
  const nre = (value: string): Config => ({ ...HOURLY, 'sip.notify_reboot_enable': value });
  const waiting = idle({ kind: 'repeat', at: at(2) }, { config: HOURLY });
  table([
    {
      when: 'T5: the web UI button runs a round at once',
      state: waiting,
      event: { kind: 'immediate' },
      now: at(1, 30),
      next: { name: 'provisioning', trigger: 'immediate', notifyReboot: false },
      effects: [log(at(1, 30), 'provisioning', 'immediate round', 'immediate'), runRound('immediate')],
    },
    {
      when: 'T7 notify_reboot_enable 1 (the default): a round, then a reboot',
      state: waiting,
      event: notify('check-sync'),
      now: at(1, 30),
      next: { name: 'provisioning', trigger: 'notify', notifyReboot: true },
      effects: [log(at(1, 30), 'provisioning', 'notify round', 'notify'), runRound('notify')],
    },
    {
      when: 'T7 notify_reboot_enable 0: a round without a reboot for a plain check-sync',
      state: idle({ kind: 'repeat', at: at(2) }, { config: nre('0') }),
      event: notify('check-sync'),
      now: at(1, 30),
      next: { name: 'provisioning', trigger: 'notify', notifyReboot: false },
      effects: [log(at(1, 30), 'provisioning', 'notify round', 'notify'), runRound('notify')],
    },
    {
      when: 'T7 notify_reboot_enable 0: a reboot when the Event header says reboot=true',
      state: idle({ kind: 'repeat', at: at(2) }, { config: nre('0') }),
      event: notify('check-sync;reboot=true'),
      now: at(1, 30),
      next: { name: 'provisioning', trigger: 'notify', notifyReboot: true },
      effects: [log(at(1, 30), 'provisioning', 'notify round', 'notify'), runRound('notify')],
    },
    {
      when: 'T7 notify_reboot_enable 2: the NOTIFY is ignored and the schedule goes on',
      state: idle({ kind: 'repeat', at: at(2) }, { config: nre('2') }),
      event: notify('check-sync;reboot=true'),
      now: at(1, 30),
      next: { name: 'idle', next: { kind: 'repeat', at: at(2) } },
      effects: [
        log(at(1, 30), 'idle', 'check-sync NOTIFY ignored (sip.notify_reboot_enable = 2)', 'notify'),
        sleep(at(2)),
      ],
    },
    {
      when: 'T7 the reboot a NOTIFY asked for comes after its round, even when nothing changed',
      state: provisioning('notify', { config: HOURLY }, true),
      event: done({}, HOURLY),
      now: at(1, 30),
      next: { name: 'rebooting' },
      effects: [
        SAVE,
        roundLog(at(1, 30), 'rebooting', 'nothing new (M1); reboot (T7 check-sync NOTIFY)', 'notify', {
          reboot: true,
          reasons: ['T7 check-sync NOTIFY'],
        }),
        sleep(at(1, 30)),
      ],
    },
    {
      when: 'a NOTIFY during a round waits for it',
      state: provisioning('repeat', { config: HOURLY }),
      event: notify('check-sync'),
      now: at(2),
      next: {
        name: 'provisioning',
        trigger: 'repeat',
        pending: [{ kind: 'notify', eventHeader: 'check-sync' }],
      },
      effects: [],
    },
    {
      when: 'and runs as soon as the phone is idle again',
      state: provisioning('repeat', {
        config: HOURLY,
        pending: [{ kind: 'notify', eventHeader: 'check-sync' }],
      }),
      event: done({}, HOURLY),
      now: at(2),
      next: { name: 'provisioning', trigger: 'notify', pending: [] },
      effects: [
        SAVE,
        roundLog(at(2), 'idle', 'nothing new (M1)', 'repeat', {}),
        log(at(2), 'provisioning', 'notify round', 'notify'),
        runRound('notify'),
      ],
    },
  ]);
});

describe('R1-R3 reboots after a round', () => {
  const rebooting = (reasons: string[], extra: Partial<RoundOutcome> = {}) =>
    done({ status: 'updated', updated: true, changes: 3, reboot: true, reasons, ...extra });
  table([
    {
      when: 'R1: a changed setting that needs a reboot',
      state: provisioning('repeat'),
      event: rebooting(['R1 static.network.vlan.internet_port_enable']),
      now: at(2),
      next: { name: 'rebooting' },
      effects: [
        SAVE,
        roundLog(
          at(2),
          'rebooting',
          '3 change(s); reboot (R1 static.network.vlan.internet_port_enable)',
          'repeat',
          {
            status: 'updated',
            updated: true,
            changes: 3,
            reboot: true,
            reasons: ['R1 static.network.vlan.internet_port_enable'],
          },
        ),
        sleep(at(2)),
      ],
    },
    {
      when: 'R2: reboot_force after a round that updated something',
      state: provisioning('weekly'),
      event: rebooting(['R2']),
      now: at(2),
      next: { name: 'rebooting' },
      effects: [
        SAVE,
        roundLog(at(2), 'rebooting', '3 change(s); reboot (R2)', 'weekly', {
          status: 'updated',
          updated: true,
          changes: 3,
          reboot: true,
          reasons: ['R2'],
        }),
        sleep(at(2)),
      ],
    },
    {
      when: 'R3: new firmware, installed by the reboot',
      state: provisioning('power-on'),
      event: rebooting(['R3'], { firmware: '108.86.0.95' }),
      now: at(0, 1),
      next: { name: 'rebooting' },
      effects: [
        SAVE,
        roundLog(at(0, 1), 'rebooting', '3 change(s); firmware 108.86.0.95; reboot (R3)', 'power-on', {
          status: 'updated',
          updated: true,
          changes: 3,
          reboot: true,
          reasons: ['R3'],
          firmware: '108.86.0.95',
        }),
        sleep(at(0, 1)),
      ],
    },
    {
      when: 'the reboot boots the phone again, on the firmware now in its flash',
      state: state({ name: 'rebooting' }, { firmware: '108.86.0.95' }),
      event: { kind: 'timer' },
      now: at(0, 1),
      next: { name: 'booting', until: at(0, 2) },
      effects: [log(at(0, 1), 'booting', 'reboot into firmware 108.86.0.95'), sleep(at(0, 2))],
    },
    {
      when: 'a failed round changes nothing: no save, no reboot, the error in the timeline',
      state: provisioning('repeat', { config: HOURLY }),
      event: done(
        { status: 'failed', error: 'http://prov.test/y000000000000.boot: connection refused' },
        HOURLY,
      ),
      now: at(2),
      next: { name: 'idle', next: { kind: 'repeat', at: at(3) } },
      effects: [
        roundLog(
          at(2),
          'idle',
          'round failed: http://prov.test/y000000000000.boot: connection refused',
          'repeat',
          {
            status: 'failed',
          },
        ),
        sleep(at(3)),
      ],
    },
  ]);
});

describe('T10 a round during a call', () => {
  const due = idle({ kind: 'repeat', at: at(1) }, { config: HOURLY, call: { endsAt: at(1, 39) + 10_000 } });
  table([
    {
      when: 'a round due during a call waits for the first 30 s check after the call',
      state: due,
      event: { kind: 'timer' },
      now: at(1),
      next: { name: 'in-call', trigger: 'repeat', deferUntil: at(1, 39) + 30_000, abandon: false },
      effects: [
        log(at(1), 'in-call', 'repeat round due during a call; checking every 30 s (T10)', 'repeat'),
        sleep(at(1, 39) + 30_000),
      ],
    },
    {
      when: 'a call ending at the instant the round is due does not hold it',
      state: idle({ kind: 'repeat', at: at(1) }, { config: HOURLY, call: { endsAt: at(1) } }),
      event: { kind: 'timer' },
      now: at(1),
      next: { name: 'provisioning', trigger: 'repeat' },
      effects: [log(at(1), 'provisioning', 'repeat round', 'repeat'), runRound('repeat')],
    },
    {
      when: 'a call ending exactly at a check lets the round run at it',
      state: idle({ kind: 'repeat', at: at(1) }, { config: HOURLY, call: { endsAt: at(1, 40) } }),
      event: { kind: 'timer' },
      now: at(1),
      next: { name: 'in-call', deferUntil: at(1, 40), abandon: false },
      effects: [
        log(at(1), 'in-call', 'repeat round due during a call; checking every 30 s (T10)', 'repeat'),
        sleep(at(1, 40)),
      ],
    },
    {
      when: 'at that check the round runs',
      state: state(
        { name: 'in-call', trigger: 'repeat', deferUntil: at(1, 40), abandon: false, notifyReboot: false },
        { config: HOURLY },
      ),
      event: { kind: 'timer' },
      now: at(1, 40),
      next: { name: 'provisioning', trigger: 'repeat' },
      effects: [log(at(1, 40), 'provisioning', 'repeat round', 'repeat'), runRound('repeat')],
    },
    {
      when: 'a call ending exactly 2 hours after the round was due still lets it run',
      state: idle({ kind: 'repeat', at: at(1) }, { config: HOURLY, call: { endsAt: at(3) } }),
      event: { kind: 'timer' },
      now: at(1),
      next: { name: 'in-call', deferUntil: at(3), abandon: false },
      effects: [
        log(at(1), 'in-call', 'repeat round due during a call; checking every 30 s (T10)', 'repeat'),
        sleep(at(3)),
      ],
    },
    {
      when: 'a call lasting past 2 hours: the round is given up at 2 hours',
      state: idle({ kind: 'repeat', at: at(1) }, { config: HOURLY, call: { endsAt: at(4) } }),
      event: { kind: 'timer' },
      now: at(1),
      next: { name: 'in-call', deferUntil: at(3), abandon: true },
      effects: [
        log(at(1), 'in-call', 'repeat round due during a call; checking every 30 s (T10)', 'repeat'),
        sleep(at(3)),
      ],
    },
    {
      when: 'given up, it counts for the schedule as a round at that moment',
      state: state(
        { name: 'in-call', trigger: 'repeat', deferUntil: at(3), abandon: true, notifyReboot: false },
        { config: HOURLY, call: { endsAt: at(4) } },
      ),
      event: { kind: 'timer' },
      now: at(3),
      next: { name: 'idle', next: { kind: 'repeat', at: at(4) }, memory: { lastRoundAt: at(3) } },
      effects: [
        log(at(3), 'in-call', 'the call lasted past 2 hours: round abandoned (T10)', 'repeat'),
        sleep(at(4)),
      ],
    },
    {
      when: 'the power-on round waits for a call too',
      state: state({ name: 'finding-server', poweringOff: false }, { call: { endsAt: at(0, 10) } }),
      event: { kind: 'found-server', summary: 'server from --tree' },
      now: at(0, 1),
      next: { name: 'in-call', trigger: 'power-on', deferUntil: at(0, 10) },
      effects: [
        log(at(0, 1), 'finding-server', 'server from --tree'),
        log(at(0, 1), 'in-call', 'power-on round due during a call; checking every 30 s (T10)', 'power-on'),
        sleep(at(0, 10)),
      ],
    },
    {
      when: 'a NOTIFY during the wait waits for the round',
      state: state(
        { name: 'in-call', trigger: 'repeat', deferUntil: at(1, 40), abandon: false, notifyReboot: false },
        { config: HOURLY, call: { endsAt: at(1, 40) } },
      ),
      event: { kind: 'notify', eventHeader: 'check-sync' },
      now: at(1, 20),
      next: { name: 'in-call', pending: [{ kind: 'notify', eventHeader: 'check-sync' }] },
      effects: [],
    },
  ]);
});

describe('power-off (Ctrl-C) and the storms of a fleet', () => {
  table([
    {
      when: 'an idle phone goes off at once and saves its flash',
      state: idle({ kind: 'repeat', at: at(2) }, { config: HOURLY }),
      event: { kind: 'power-off' },
      now: at(1, 30),
      next: { name: 'off' },
      effects: [SAVE],
    },
    {
      when: 'a round under way finishes first',
      state: provisioning('repeat', { config: HOURLY }),
      event: { kind: 'power-off' },
      now: at(2),
      next: { name: 'provisioning', poweringOff: true },
      effects: [],
    },
    {
      when: 'then the phone goes off, its round in the timeline',
      state: state({ name: 'provisioning', trigger: 'repeat', notifyReboot: false, poweringOff: true }),
      event: done(),
      now: at(2),
      next: { name: 'off' },
      effects: [SAVE, roundLog(at(2), 'idle', 'nothing new (M1)', 'repeat', {})],
    },
    {
      when: 'a phone that is off takes no NOTIFY',
      state: state({ name: 'off' }),
      event: { kind: 'notify', eventHeader: 'check-sync' },
      now: at(2),
      next: { name: 'off', pending: [] },
      effects: [],
    },
    {
      when: 'without a schedule (a storm) the phone rests at its first idle moment',
      state: provisioning('power-on', { config: HOURLY, run: { ...RUN, schedule: false } }),
      event: done({}, HOURLY),
      now: at(0, 1),
      next: { name: 'idle', next: null },
      effects: [
        SAVE,
        roundLog(at(0, 1), 'idle', 'nothing new (M1)', 'power-on', {}),
        log(at(0, 1), 'idle', 'waiting for the next trigger'),
      ],
    },
  ]);

  it('a resting phone still takes a NOTIFY (a NOTIFY storm after a boot storm)', () => {
    const resting = idle(null, { run: { ...RUN, schedule: false } });
    expect(isResting(resting)).toBe(true);
    const step = stepLife(resting, { kind: 'notify', eventHeader: 'check-sync' }, at(1));
    expect(step.state).toMatchObject({ name: 'provisioning', trigger: 'notify' });
    expect(isResting(step.state)).toBe(false);
  });
});
