// The phone's life as a pure state machine (issue #14), in the sans-IO manner of h11's `_state.py`:
// `stepLife(state, event, now)` returns the next state and the effects for a driver to perform
// (sleep until an instant, run a round, find the server, save the flash, log a timeline entry).
// Nothing here waits, reads a clock or draws at random: when rounds run is src/triggers/*'s to say
// (nextTrigger, afterRound, deferForCall, the memory), from the seed and the MAC.
//
// The transitions, by state (any state but off also takes call-start, call-end and power-off;
// a NOTIFY or a T5 request that comes while the phone is not idle waits for it to be):
//
//   off            power-on     -> booting{until}           log "power on (T1)"            T1
//   booting        timer        -> finding-server           findServer
//   finding-server found-server -> provisioning{power-on}   (T1, power_on = 1)
//                               -> idle{next}               (power_on = 0)
//   provisioning   round-done   -> rebooting                (R1-R3, T7 reboot) saveState, log
//                               -> idle{next}               saveState, log, sleepUntil(next)
//   rebooting      timer        -> booting{until}           log "reboot into firmware X"
//   idle           timer        -> provisioning{kind}       (T2-T4, T6: the due trigger)
//                  notify       -> provisioning{notify}     (T7 by sip.notify_reboot_enable; 2: ignored)
//                  immediate    -> provisioning{immediate}  (T5)
//   a round due during a call   -> in-call{deferUntil}      (T10: checks every 30 s)
//   in-call        timer        -> provisioning             (the call ended within 2 hours)
//                               -> idle                     (abandoned after 2 hours)
//
// The driver feeds a timer only when the instant it asked for has come; an early or stale timer is
// ignored, so a driver may leave a superseded wake-up in its heap.
import type { Mac } from '../core/mac.js';
import type { Step } from '../core/step.js';
import { roundRan, type RoundStatus } from '../engine/report.js';
import { notifyDecision } from '../sip/notifyPolicy.js';
import { deferForCall } from '../triggers/callDeferral.js';
import { afterBoot, becameBusy, becameIdle, type TriggerMemory } from '../triggers/memory.js';
import { afterRound, nextTrigger, type NextTrigger, type RoundKind } from '../triggers/schedule.js';
import type { TriggerSettings } from '../triggers/settings.js';

/** What started a round: the schedule (T2-T4), power-on (T1), a NOTIFY (T7), the web UI (T5). */
export type RoundTrigger = Extract<
  RoundKind,
  'power-on' | 'repeat' | 'weekly' | 'flexible' | 'notify' | 'immediate'
>;

/** What the life reads from the phone's flash; the driver hands it in with every new flash. */
export interface LifeFlash {
  readonly firmware: string;
  readonly settings: LifeSettings;
}

export interface LifeSettings {
  /** T1-T4, read and checked by src/triggers/settings.ts. */
  readonly triggers: TriggerSettings;
  /** `sip.notify_reboot_enable` as configured (T7; notifyDecision reads it). */
  readonly notifyRebootEnable: string;
}

/** What every phone of a run shares. */
export interface LifeRun {
  /** Seeds the schedule's draws (T3, T4): the same seed, the same timeline. */
  readonly seed: string;
  /** How long a boot takes, power-on (or reboot) to the server search. */
  readonly bootMs: number;
  /**
   * false: the schedule never fires; the phone rests once idle until asked from outside (a
   * fleet's storms, where a phone's part is over at its first idle moment).
   */
  readonly schedule: boolean;
}

/** A request from outside that waits for the phone to be idle. */
export type LifeRequest =
  { readonly kind: 'notify'; readonly eventHeader: string } | { readonly kind: 'immediate' };

/** What every state carries. */
interface Phone {
  readonly mac: Mac;
  readonly run: LifeRun;
  readonly flash: LifeFlash;
  /** The schedule's memory (T2-T4); null before the first boot. */
  readonly memory: TriggerMemory | null;
  /** The call in progress (T10) and when it ends (the emulator's calls are scripted). */
  readonly call: { readonly endsAt: number } | null;
  /** NOTIFYs and T5 requests that came while the phone was not idle, oldest first. */
  readonly pending: readonly LifeRequest[];
}

export type LifeState =
  | (Phone & { readonly name: 'off' })
  | (Phone & { readonly name: 'booting'; readonly until: number })
  | (Phone & { readonly name: 'finding-server'; readonly poweringOff: boolean })
  | (Phone & {
      readonly name: 'provisioning';
      readonly trigger: RoundTrigger;
      /** T7: a NOTIFY that asks for a reboot after the round. */
      readonly notifyReboot: boolean;
      /** Powered off during the round: off once it is done. */
      readonly poweringOff: boolean;
    })
  | (Phone & { readonly name: 'rebooting' })
  /** `next`: the scheduled round it waits for; null when none (or the run has no schedule). */
  | (Phone & { readonly name: 'idle'; readonly next: NextTrigger | null })
  | (Phone & {
      readonly name: 'in-call';
      /** T10: when the round runs (the first check after the call) or is abandoned (2 hours). */
      readonly deferUntil: number;
      readonly abandon: boolean;
      readonly trigger: RoundTrigger;
      readonly notifyReboot: boolean;
    });

export type LifeStateName = LifeState['name'];

/** A round's outcome, as the engine reported it. */
export interface RoundOutcome {
  readonly status: RoundStatus;
  readonly updated: boolean;
  readonly changes: number;
  /** The engine's reboot decision (R1-R3). */
  readonly reboot: boolean;
  /** `R1 param`, `R2`, `R3`: why. */
  readonly reasons: readonly string[];
  /** The firmware version installed by the round (R3). */
  readonly firmware?: string;
  /** The first error, for a round that failed. */
  readonly error?: string;
}

export type LifeEvent =
  | { readonly kind: 'power-on' }
  | { readonly kind: 'power-off' }
  | { readonly kind: 'timer' }
  | { readonly kind: 'found-server'; readonly summary: string }
  | { readonly kind: 'round-done'; readonly outcome: RoundOutcome; readonly flash: LifeFlash }
  | LifeRequest
  | { readonly kind: 'call-start'; readonly endsAt: number }
  | { readonly kind: 'call-end' };

/** What a round's timeline entry says of it. */
export interface RoundSummary {
  readonly status: RoundStatus;
  readonly updated: boolean;
  readonly changes: number;
  readonly reboot: boolean;
  readonly reasons: readonly string[];
  readonly firmware?: string;
}

/** A timeline entry; `at` in epoch ms (the driver writes it as it likes). */
export interface LifeLogEntry {
  readonly at: number;
  readonly state: LifeStateName;
  readonly event: string;
  readonly trigger?: RoundTrigger;
  readonly round?: RoundSummary;
}

export type LifeEffect =
  | { readonly kind: 'sleepUntil'; readonly at: number }
  | { readonly kind: 'runRound'; readonly trigger: RoundTrigger }
  | { readonly kind: 'findServer' }
  | { readonly kind: 'saveState' }
  | { readonly kind: 'log'; readonly entry: LifeLogEntry };

export type LifeStep = Step<LifeState, LifeEffect>;

const NONE: readonly LifeRequest[] = [];

/** A phone of the run, switched off. */
export function switchedOff(phone: {
  readonly mac: Mac;
  readonly run: LifeRun;
  readonly flash: LifeFlash;
}): LifeState {
  return {
    name: 'off',
    mac: phone.mac,
    run: phone.run,
    flash: phone.flash,
    memory: null,
    call: null,
    pending: NONE,
  };
}

/**
 * A phone already up and idle when its life starts (a fleet phone after its boot storm): no boot
 * and no power-on round; the schedule counts from now.
 */
export function alreadyUp(off: LifeState, now: number): LifeStep {
  const effects: LifeEffect[] = [];
  const up = { ...phoneOf(off), memory: afterBoot(off.memory ?? undefined, now) };
  return enterIdle(up, now, effects, true);
}

/** Is the phone idle with nothing to wait for but the outside (a storm's phone whose part is over)? */
export function isResting(state: LifeState): boolean {
  return state.name === 'idle' && state.next === null;
}

export function stepLife(state: LifeState, event: LifeEvent, now: number): LifeStep {
  if (state.name === 'off')
    return event.kind === 'power-on' ? boot(state, now, 'power on (T1)') : same(state);
  switch (event.kind) {
    case 'power-off':
      return powerOff(state);
    case 'call-start':
      return callChanged(state, { endsAt: event.endsAt }, now);
    case 'call-end':
      return callChanged(state, null, now);
    case 'notify':
    case 'immediate':
      if (state.name === 'idle') return request(phoneOf(state), event, now, []);
      // Taken up once the phone is idle again (a reboot included).
      return {
        state: withPhone(state, { ...phoneOf(state), pending: [...state.pending, event] }),
        effects: [],
      };
    case 'power-on':
      return same(state);
    case 'timer':
      return timer(state, now);
    case 'found-server':
      return state.name === 'finding-server' ? serverFound(state, event.summary, now) : same(state);
    case 'round-done':
      return state.name === 'provisioning' ? roundDone(state, event.outcome, event.flash, now) : same(state);
  }
}

// ---- Transitions --------------------------------------------------------------------------------

type Of<N extends LifeStateName> = Extract<LifeState, { readonly name: N }>;

function same(state: LifeState): LifeStep {
  return { state, effects: [] };
}

/** T1: power-on or a reboot; the boot takes the run's boot time. */
function boot(state: LifeState, now: number, cause: string): LifeStep {
  const until = now + state.run.bootMs;
  return {
    state: booting(phoneOf(state), until),
    effects: [log(now, 'booting', cause), { kind: 'sleepUntil', at: until }],
  };
}

function timer(state: LifeState, now: number): LifeStep {
  switch (state.name) {
    case 'booting':
      if (now < state.until) return same(state);
      return {
        state: findingServer(phoneOf(state), false),
        effects: [{ kind: 'findServer' }],
      };
    case 'rebooting':
      return boot(state, now, `reboot into firmware ${state.flash.firmware}`);
    case 'idle':
      // T2-T4, T6: the trigger due now; several due together make this one round.
      if (state.next === null || now < state.next.at) return same(state);
      return beginRound(phoneOf(state), state.next.kind, false, now, []);
    case 'in-call':
      if (now < state.deferUntil) return same(state);
      if (!state.abandon) return provision(phoneOf(state), state.trigger, state.notifyReboot, now, []);
      // T10: the call lasted past 2 hours; the schedule counts the round as if it ran.
      return idleAfterRound(
        { ...phoneOf(state), memory: remember(state, state.trigger, now) },
        state.trigger,
        now,
        [log(now, 'in-call', 'the call lasted past 2 hours: round abandoned (T10)', state.trigger)],
      );
    default:
      return same(state);
  }
}

/** S1 done: the schedule starts from this boot (T4 draws its time afresh), then T1's round. */
function serverFound(state: Of<'finding-server'>, summary: string, now: number): LifeStep {
  const booted = afterBoot(state.memory ?? undefined, now);
  const phone = { ...phoneOf(state), memory: state.call ? becameBusy(booted) : booted };
  const effects = [log(now, 'finding-server', summary)];
  if (state.poweringOff) return off(phone, effects);
  if (phone.flash.settings.triggers.powerOn) return beginRound(phone, 'power-on', false, now, effects);
  return enterIdle(phone, now, effects, true);
}

/** A round is due: now, or after the call in progress (T10). */
function beginRound(
  phone: Phone,
  trigger: RoundTrigger,
  notifyReboot: boolean,
  now: number,
  effects: LifeEffect[],
): LifeStep {
  if (phone.call === null || phone.call.endsAt <= now)
    return provision(phone, trigger, notifyReboot, now, effects);
  const deferral = deferForCall(now, phone.call.endsAt);
  effects.push(
    log(now, 'in-call', `${trigger} round due during a call; checking every 30 s (T10)`, trigger),
    { kind: 'sleepUntil', at: deferral.at },
  );
  return {
    state: inCall(phone, deferral.at, deferral.kind === 'abandon', trigger, notifyReboot),
    effects,
  };
}

function provision(
  phone: Phone,
  trigger: RoundTrigger,
  notifyReboot: boolean,
  now: number,
  effects: LifeEffect[],
): LifeStep {
  effects.push(log(now, 'provisioning', `${trigger} round`, trigger), { kind: 'runRound', trigger });
  return { state: provisioning(phone, trigger, notifyReboot, false), effects };
}

/** The round is over: R1-R3 (the engine's decision) or T7 reboot, else back to idle. */
function roundDone(
  state: Of<'provisioning'>,
  outcome: RoundOutcome,
  flash: LifeFlash,
  now: number,
): LifeStep {
  const { trigger, notifyReboot } = state;
  const reboot = outcome.reboot || notifyReboot;
  const round: RoundSummary = {
    status: outcome.status,
    updated: outcome.updated,
    changes: outcome.changes,
    reboot,
    reasons: notifyReboot ? [...outcome.reasons, 'T7 check-sync NOTIFY'] : outcome.reasons,
    ...(outcome.firmware !== undefined && { firmware: outcome.firmware }),
  };
  const effects: LifeEffect[] = roundRan(outcome.status) ? [{ kind: 'saveState' }] : [];
  effects.push({
    kind: 'log',
    entry: {
      at: now,
      state: reboot ? 'rebooting' : 'idle',
      event: describeRound(round, outcome.error),
      trigger,
      round,
    },
  });
  // The schedule counts the round with the settings in force when it ran (T6), not the new ones.
  const phone: Phone = { ...phoneOf(state), flash, memory: remember(state, trigger, now) };
  if (state.poweringOff) return off(phone, effects);
  if (reboot) {
    effects.push({ kind: 'sleepUntil', at: now });
    return { state: rebooting(phone), effects };
  }
  return idleAfterRound(phone, trigger, now, effects);
}

/** After a round (or its abandonment): the power-on round ends the boot sequence. */
function idleAfterRound(phone: Phone, trigger: RoundTrigger, now: number, effects: LifeEffect[]): LifeStep {
  return enterIdle(phone, now, effects, trigger === 'power-on');
}

/**
 * Idle: first what came from outside meanwhile, then the next scheduled round. The settings are
 * read afresh each time, so a provisioned change of the schedule applies from the next computation.
 */
function enterIdle(phone: Phone, now: number, effects: LifeEffect[], afterBootSequence: boolean): LifeStep {
  if (afterBootSequence) effects.push(log(now, 'idle', 'waiting for the next trigger'));
  const [first, ...rest] = phone.pending;
  if (first) return request({ ...phone, pending: rest.length > 0 ? rest : NONE }, first, now, effects);
  const next = phone.run.schedule
    ? nextTrigger(phone.flash.settings.triggers, memoryOf(phone, now), now, phone.mac, phone.run.seed)
    : null;
  if (next) effects.push({ kind: 'sleepUntil', at: next.at });
  return { state: idle(phone, next), effects };
}

/** T5 and T7 in an idle phone. */
function request(phone: Phone, event: LifeRequest, now: number, effects: LifeEffect[]): LifeStep {
  if (event.kind === 'immediate') return beginRound(phone, 'immediate', false, now, effects);
  // T7: sip.notify_reboot_enable decides whether a NOTIFY provisions and reboots.
  const decision = notifyDecision(phone.flash.settings.notifyRebootEnable, event.eventHeader);
  if (!decision.provision) {
    effects.push(log(now, 'idle', 'check-sync NOTIFY ignored (sip.notify_reboot_enable = 2)', 'notify'));
    return enterIdle(phone, now, effects, false);
  }
  return beginRound(phone, 'notify', decision.reboot, now, effects);
}

/**
 * T3 inactivity and T10: a call makes the phone busy, its end idle from then. An idle phone
 * computes its next round again (an inactivity round's time depends on it).
 */
function callChanged(state: LifeState, call: Phone['call'], now: number): LifeStep {
  const memory = state.memory && (call ? becameBusy(state.memory) : becameIdle(state.memory, now));
  if (state.name === 'idle') return enterIdle({ ...phoneOf(state), call, memory }, now, [], false);
  return { state: withPhone(state, { ...phoneOf(state), call, memory }), effects: [] };
}

/** Off at once, or after the round or server search under way (it cannot be taken back). */
function powerOff(state: LifeState): LifeStep {
  if (state.name === 'provisioning' || state.name === 'finding-server')
    return {
      state:
        state.name === 'provisioning'
          ? provisioning(phoneOf(state), state.trigger, state.notifyReboot, true)
          : findingServer(phoneOf(state), true),
      effects: [],
    };
  return off(phoneOf(state), []);
}

/** The flash is saved on the way down (Ctrl-C in `autop run`). */
function off(phone: Phone, effects: LifeEffect[]): LifeStep {
  if (!effects.some((e) => e.kind === 'saveState')) effects.push({ kind: 'saveState' });
  return { state: switchedOff(phone), effects };
}

// ---- Helpers ------------------------------------------------------------------------------------

// States are built field by field, never by spreading: a fleet holds one per phone, and V8 gives a
// spread-built object several times the memory of a literal.

function booting(p: Phone, until: number): LifeState {
  const { mac, run, flash, memory, call, pending } = p;
  return { name: 'booting', until, mac, run, flash, memory, call, pending };
}

function findingServer(p: Phone, poweringOff: boolean): LifeState {
  const { mac, run, flash, memory, call, pending } = p;
  return { name: 'finding-server', poweringOff, mac, run, flash, memory, call, pending };
}

function provisioning(
  p: Phone,
  trigger: RoundTrigger,
  notifyReboot: boolean,
  poweringOff: boolean,
): LifeState {
  const { mac, run, flash, memory, call, pending } = p;
  return { name: 'provisioning', trigger, notifyReboot, poweringOff, mac, run, flash, memory, call, pending };
}

function rebooting(p: Phone): LifeState {
  const { mac, run, flash, memory, call, pending } = p;
  return { name: 'rebooting', mac, run, flash, memory, call, pending };
}

function idle(p: Phone, next: NextTrigger | null): LifeState {
  const { mac, run, flash, memory, call, pending } = p;
  return { name: 'idle', next, mac, run, flash, memory, call, pending };
}

function inCall(
  p: Phone,
  deferUntil: number,
  abandon: boolean,
  trigger: RoundTrigger,
  notifyReboot: boolean,
): LifeState {
  const { mac, run, flash, memory, call, pending } = p;
  return {
    name: 'in-call',
    deferUntil,
    abandon,
    trigger,
    notifyReboot,
    mac,
    run,
    flash,
    memory,
    call,
    pending,
  };
}

/** The same state with other common fields. */
function withPhone(state: LifeState, p: Phone): LifeState {
  switch (state.name) {
    case 'off':
      return { ...switchedOff(p), call: p.call, pending: p.pending };
    case 'booting':
      return booting(p, state.until);
    case 'finding-server':
      return findingServer(p, state.poweringOff);
    case 'provisioning':
      return provisioning(p, state.trigger, state.notifyReboot, state.poweringOff);
    case 'rebooting':
      return rebooting(p);
    case 'idle':
      return idle(p, state.next);
    case 'in-call':
      return inCall(p, state.deferUntil, state.abandon, state.trigger, state.notifyReboot);
  }
}

/** The fields every state carries, without the state's own. */
function phoneOf(state: LifeState): Phone {
  const { mac, run, flash, memory, call, pending } = state;
  return { mac, run, flash, memory, call, pending };
}

function memoryOf(phone: Phone, now: number): TriggerMemory {
  return phone.memory ?? afterBoot(undefined, now);
}

/** The schedule's memory after a round of `trigger` at `now`, by the settings before the round. */
function remember(state: LifeState, trigger: RoundTrigger, now: number): TriggerMemory {
  const { flash, run, mac } = state;
  return afterRound(flash.settings.triggers, memoryOf(state, now), trigger, now, mac, run.seed);
}

function log(at: number, state: LifeStateName, event: string, trigger?: RoundTrigger): LifeEffect {
  return { kind: 'log', entry: { at, state, event, ...(trigger && { trigger }) } };
}

/** The timeline's words for a round. */
export function describeRound(round: RoundSummary, error?: string): string {
  if (round.status !== 'updated' && round.status !== 'unchanged')
    return `round ${round.status}${error ? `: ${error}` : ''}`;
  const what = round.updated ? `${round.changes} change(s)` : 'nothing new (M1)';
  const reboot = round.reboot ? `; reboot (${round.reasons.join(', ')})` : '';
  const firmware = round.firmware ? `; firmware ${round.firmware}` : '';
  return `${what}${firmware}${reboot}`;
}
