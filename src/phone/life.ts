// The phone's life on a clock (issue #5 §2): booting, finding its server, provisioning, rebooting,
// idle, in a call. Each transition is a timeline entry. The schedule of rounds comes from the
// triggers its configuration sets (T1-T6), NOTIFYs and the keypad come from outside (T7), and a
// round due during a call waits for it (T10). The clock and fetcher are handed in.
import type { Engine, RoundResult } from '../engine/round.js';
import { roundRan } from '../engine/report.js';
import { configView, type ConfigView } from '../engine/settings.js';
import type { Fetcher } from '../fetch/fetcher.js';
import type { ModelEntry } from '../models/catalogue.js';
import type { Clock } from '../time/clock.js';
import { deferForCall } from '../triggers/callDeferral.js';
import { afterBoot, becameBusy, becameIdle, type TriggerMemory } from '../triggers/memory.js';
import { afterRound, nextTrigger } from '../triggers/schedule.js';
import { readTriggerSettings, type TriggerSettings } from '../triggers/settings.js';
import { notifyDecision } from '../sip/notifyPolicy.js';
import type { PhoneState } from './state.js';

export type LifeState =
  'off' | 'booting' | 'finding-server' | 'provisioning' | 'rebooting' | 'idle' | 'in-call';

/** What started a round. */
export type RoundTrigger = 'power-on' | 'repeat' | 'weekly' | 'flexible' | 'notify' | 'immediate';

export interface RoundSummary {
  readonly status: string;
  readonly updated: boolean;
  readonly changes: number;
  readonly reboot: boolean;
  readonly reasons: readonly string[];
  readonly firmware?: string;
}

export interface TimelineEntry {
  /** ISO 8601, from the phone's clock. */
  readonly at: string;
  readonly state: LifeState;
  readonly event: string;
  readonly trigger?: RoundTrigger;
  readonly round?: RoundSummary;
}

/** A call, for T10: the phone is busy from `start` to `end` (epoch ms). */
export interface Call {
  readonly start: number;
  readonly end: number;
}

export interface LifeOptions {
  readonly engine: Engine;
  readonly model: ModelEntry;
  readonly state: PhoneState;
  readonly server?: { readonly url: string; readonly source: string };
  /**
   * Finds the server at each boot (issue #6: the S1 chain) instead of a fixed `server`; returns the
   * flash with what it learnt (the DHCP lease) and a line for the timeline.
   */
  readonly findServer?: (state: PhoneState) => Promise<FoundServer>;
  readonly fetcher: Fetcher;
  readonly clock: Clock;
  /** Seeds the random draws of the schedule (T3, T4): the same seed, the same timeline. */
  readonly seed?: string;
  readonly calls?: readonly Call[];
  /** How long a boot takes, power-on to the first round (ms). */
  readonly bootMs?: number;
  readonly onEntry?: (entry: TimelineEntry) => void;
  /** Called with the flash after every round that ran, to save it. */
  readonly onState?: (state: PhoneState) => void | Promise<void>;
  /** false: no timeline kept in memory (a fleet of 100,000 phones reads the entries from onEntry). */
  readonly keepTimeline?: boolean;
  /** The phone is already up and idle when its life starts (a fleet phone after its boot storm). */
  readonly poweredOn?: boolean;
  /** The life ends the first time the phone is idle with nothing asked of it (a fleet's storms). */
  readonly endWhenIdle?: boolean;
}

export interface FoundServer {
  readonly server?: { readonly url: string; readonly source: string };
  readonly state: PhoneState;
  readonly summary: string;
}

interface External {
  readonly trigger: 'notify' | 'immediate';
  readonly eventHeader: string;
}

const DEFAULT_BOOT_MS = 60_000;

export class PhoneLife {
  private state: PhoneState;
  private server: { readonly url: string; readonly source: string } | undefined;
  private readonly external: External[] = [];
  private wake: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private memory: TriggerMemory | undefined;
  private readonly seed: string;
  readonly timeline: TimelineEntry[] = [];

  constructor(private readonly options: LifeOptions) {
    this.state = options.state;
    this.server = options.server;
    this.seed = options.seed ?? '';
  }

  get flash(): PhoneState {
    return this.state;
  }

  /** T7 and T5: a round requested from outside (a NOTIFY, the web UI's button). */
  request(trigger: 'notify' | 'immediate', eventHeader = ''): void {
    this.external.push({ trigger, eventHeader });
    this.wake?.();
  }

  /** Ends the life at the next opportunity (Ctrl-C). */
  stop(): void {
    this.stopping.abort();
    this.wake?.();
  }

  /** Lives until `until` (epoch ms) or stop(): power-on, then rounds as the triggers say. */
  async live(until: number): Promise<void> {
    const { clock } = this.options;
    let cause = 'power on (T1)';
    if (this.options.poweredOn) {
      // No boot and no power-on round: straight to idle; a reboot then starts the usual cycle.
      this.memory = afterBoot(this.memory, clock.now());
      if (!(await this.idle(until))) return;
      cause = `reboot into firmware ${this.state.firmware}`;
    }
    for (;;) {
      this.log('booting', cause);
      await clock.sleepUntil(clock.now() + (this.options.bootMs ?? DEFAULT_BOOT_MS), this.stopping.signal);
      if (this.over(until)) return;
      if (this.options.findServer) {
        const found = await this.options.findServer(this.state);
        this.state = found.state;
        this.server = found.server;
        this.log('finding-server', found.summary);
      } else {
        this.log(
          'finding-server',
          this.server ? `server from ${this.server.source}` : 'server from flash (S1)',
        );
      }
      // T4: the flexible time is drawn afresh at each boot; what was served is remembered.
      this.memory = afterBoot(this.memory, clock.now());
      let reboot = false;
      if (this.get()('static.auto_provision.power_on') !== '0') reboot = await this.round('power-on');
      if (!reboot) reboot = await this.idle(until);
      if (!reboot) return;
      cause = `reboot into firmware ${this.state.firmware}`;
    }
  }

  /** Waits for the next trigger or an outside request; true when the phone must reboot. */
  private async idle(until: number): Promise<boolean> {
    const { clock } = this.options;
    this.log('idle', 'waiting for the next trigger');
    for (;;) {
      const external = this.external.shift();
      if (external) {
        // T7: sip.notify_reboot_enable decides whether a NOTIFY provisions and reboots.
        const decision = notifyDecision(this.get()('sip.notify_reboot_enable'), external.eventHeader);
        if (external.trigger === 'notify' && !decision.provision) {
          this.log('idle', 'check-sync NOTIFY ignored (sip.notify_reboot_enable = 2)', 'notify');
          continue;
        }
        if (await this.round(external.trigger, external.trigger === 'notify' && decision.reboot)) return true;
        continue;
      }
      if (this.options.endWhenIdle) return false;
      // The settings are read afresh each time: a provisioned change of the schedule applies from
      // the next computation on (issue #5 §3).
      const next = nextTrigger(this.settings(), this.idleMemory(), clock.now(), this.state.mac, this.seed);
      const at = Math.min(next?.at ?? Number.POSITIVE_INFINITY, until);
      if (at === Number.POSITIVE_INFINITY) return false;
      await this.sleep(at);
      if (this.over(until)) return false;
      if (this.external.length > 0 || !next || clock.now() < next.at) continue;
      if (await this.round(next.kind)) return true;
    }
  }

  /** One round, deferred by a call (T10); true when the phone reboots after it. */
  private async round(trigger: RoundTrigger, notifyReboot = false): Promise<boolean> {
    const { clock, engine } = this.options;
    const call = this.callAt(clock.now());
    // The schedule counts the round with the settings in force when it ran (T6).
    const settings = this.settings();
    if (call) {
      const deferral = deferForCall(clock.now(), call.end);
      this.log('in-call', `${trigger} round due during a call; checking every 30 s (T10)`, trigger);
      await clock.sleepUntil(deferral.at);
      if (deferral.kind === 'abandon') {
        this.log('in-call', 'the call lasted past 2 hours: round abandoned (T10)', trigger);
        this.remember(settings, trigger);
        return false;
      }
    }
    this.log('provisioning', `${trigger} round`, trigger);
    const result: RoundResult = await engine.runRound({
      model: this.options.model,
      state: this.state,
      ...(this.server && { server: this.server }),
      fetcher: this.options.fetcher,
      now: new Date(clock.now()),
      // The timeline needs the changes and the reboot decision, not the whole configuration.
      detail: 'lean',
    });
    const { report } = result;
    this.state = result.state;
    if (roundRan(report.status)) await this.options.onState?.(this.state);
    const reasons = report.rebootReasons.map((r) => `${r.rule}${r.param ? ` ${r.param}` : ''}`);
    if (notifyReboot) reasons.push('T7 check-sync NOTIFY');
    const reboot = report.reboot || notifyReboot;
    const summary: RoundSummary = {
      status: report.status,
      updated: report.updated,
      changes: report.changes.length,
      reboot,
      reasons,
      ...(report.firmware?.install && report.firmware.version && { firmware: report.firmware.version }),
    };
    this.log(reboot ? 'rebooting' : 'idle', describe(summary, report.errors[0]?.message), trigger, summary);
    this.remember(settings, trigger);
    return reboot;
  }

  private remember(settings: TriggerSettings, trigger: RoundTrigger): void {
    const now = this.options.clock.now();
    this.memory = afterRound(
      settings,
      this.memory ?? afterBoot(undefined, now),
      trigger,
      now,
      this.state.mac,
      this.seed,
    );
  }

  private settings(): TriggerSettings {
    return readTriggerSettings(this.get()).settings;
  }

  /** T3 inactivity: the phone is idle since the last call ended (or since boot); busy during one. */
  private idleMemory(): TriggerMemory {
    const now = this.options.clock.now();
    const memory = this.memory ?? afterBoot(undefined, now);
    if (this.callAt(now)) return becameBusy(memory);
    const lastEnd = Math.max(
      memory.bootAt,
      ...(this.options.calls ?? []).filter((c) => c.end <= now).map((c) => c.end),
    );
    return becameIdle(memory, lastEnd);
  }

  private callAt(at: number): Call | undefined {
    return this.options.calls?.find((c) => c.start <= at && at < c.end);
  }

  private get(): ConfigView {
    return configView(this.state.config, this.options.engine.catalogues.params);
  }

  private over(until: number): boolean {
    return this.stopping.signal.aborted || this.options.clock.now() >= until;
  }

  /** Sleeps until `at`, or less when a request arrives or the life is stopped. */
  private async sleep(at: number): Promise<void> {
    const early = new AbortController();
    this.wake = () => early.abort();
    try {
      await this.options.clock.sleepUntil(at, early.signal);
    } finally {
      this.wake = undefined;
    }
  }

  private log(state: LifeState, event: string, trigger?: RoundTrigger, round?: RoundSummary): void {
    const entry: TimelineEntry = {
      at: new Date(this.options.clock.now()).toISOString(),
      state,
      event,
      ...(trigger && { trigger }),
      ...(round && { round }),
    };
    if (this.options.keepTimeline !== false) this.timeline.push(entry);
    this.options.onEntry?.(entry);
  }
}

function describe(summary: RoundSummary, error?: string): string {
  if (summary.status !== 'updated' && summary.status !== 'unchanged')
    return `round ${summary.status}${error ? `: ${error}` : ''}`;
  const what = summary.updated ? `${summary.changes} change(s)` : 'nothing new (M1)';
  const reboot = summary.reboot ? `; reboot (${summary.reasons.join(', ')})` : '';
  const firmware = summary.firmware ? `; firmware ${summary.firmware}` : '';
  return `${what}${firmware}${reboot}`;
}
