// One phone living on a clock (issue #5 §2, issue #14): the driver of the life machine
// (lifeMachine.ts) for `autop run` and the tests. It keeps the flash and the server, performs the
// machine's effects (rounds on the engine, the server search, saving, the timeline) and feeds it
// events: its own wake-ups from a Scheduler (real or virtual time), NOTIFYs and calls from outside,
// and power-off on Ctrl-C (which saves the flash).
import type { Engine } from '../engine/round.js';
import type { Fetcher } from '../fetch/fetcher.js';
import type { ModelEntry } from '../models/catalogue.js';
import { DEFAULT_VIRTUAL_START } from '../time/clock.js';
import { Scheduler, type TimeKind } from '../time/scheduler.js';
import { lifeFlash, roundDone } from './lifeEvents.js';
import {
  alreadyUp,
  stepLife,
  switchedOff,
  type LifeEvent,
  type LifeLogEntry,
  type LifeState,
  type LifeStateName,
  type LifeStep,
  type RoundSummary,
  type RoundTrigger,
} from './lifeMachine.js';
import type { PhoneState } from './state.js';

export type { LifeStateName, RoundSummary, RoundTrigger } from './lifeMachine.js';

export interface TimelineEntry {
  /** ISO 8601, from the phone's clock. */
  readonly at: string;
  readonly state: LifeStateName;
  readonly event: string;
  readonly trigger?: RoundTrigger;
  readonly round?: RoundSummary;
}

/** A call, for T10: the phone is busy from `start` to `end` (epoch ms). */
export interface Call {
  readonly start: number;
  readonly end: number;
}

export interface FoundServer {
  readonly server?: { readonly url: string; readonly source: string };
  readonly state: PhoneState;
  readonly summary: string;
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
  readonly findServer?: (state: PhoneState, now: number) => Promise<FoundServer>;
  readonly fetcher: Fetcher;
  /** Virtual: the clock jumps from one wake-up to the next; real: the wall clock. */
  readonly time: TimeKind;
  /** Virtual time's start (epoch ms); default DEFAULT_VIRTUAL_START. Real time starts now. */
  readonly start?: number;
  /** Seeds the random draws of the schedule (T3, T4): the same seed, the same timeline. */
  readonly seed?: string;
  readonly calls?: readonly Call[];
  /** How long a boot takes, power-on to the first round (ms). */
  readonly bootMs?: number;
  readonly onEntry?: (entry: TimelineEntry) => void;
  /** Called with the flash after every round that ran, and at power-off, to save it. */
  readonly onState?: (state: PhoneState) => void | Promise<void>;
  /** false: no timeline kept in memory (the entries still go to onEntry). */
  readonly keepTimeline?: boolean;
  /** The phone is already up and idle when its life starts (a fleet phone after its boot storm). */
  readonly poweredOn?: boolean;
  /** The life ends the first time the phone is idle with nothing asked of it (a fleet's storms). */
  readonly endWhenIdle?: boolean;
}

const DEFAULT_BOOT_MS = 60_000;

/** What the scheduler wakes: the phone's own timer, or something from outside at its instant. */
type Wake = 'timer' | (() => void);
/** At one instant, what comes from outside (a call, a script) comes before the phone's own timer. */
const OUTSIDE = 0;
const PHONE = 1;

export class PhoneLife {
  private state: PhoneState;
  private server: { readonly url: string; readonly source: string } | undefined;
  private life: LifeState;
  private readonly scheduler: Scheduler<Wake>;
  /** The instant of the timer the machine last asked for (older ones in the heap are stale). */
  private wakeAt = Number.NaN;
  private saving: Promise<void> = Promise.resolve();
  private started = false;
  readonly timeline: TimelineEntry[] = [];

  constructor(private readonly options: LifeOptions) {
    this.state = options.state;
    this.server = options.server;
    this.scheduler = new Scheduler<Wake>({
      time: options.time,
      start: options.start ?? DEFAULT_VIRTUAL_START,
      wake: (wake, at) => {
        if (wake !== 'timer') return wake();
        if (at !== this.wakeAt) return; // superseded
        this.wakeAt = Number.NaN;
        this.feed({ kind: 'timer' });
      },
    });
    this.life = switchedOff({
      mac: options.state.mac,
      run: {
        seed: options.seed ?? '',
        bootMs: options.bootMs ?? DEFAULT_BOOT_MS,
        schedule: !options.endWhenIdle,
      },
      flash: lifeFlash(options.state, options.engine.catalogues.params),
    });
  }

  get flash(): PhoneState {
    return this.state;
  }

  /** The phone's clock (epoch ms). */
  now(): number {
    return this.scheduler.now();
  }

  /** T7 and T5: a round requested from outside (a NOTIFY, the web UI's button). */
  request(trigger: 'notify' | 'immediate', eventHeader = ''): void {
    this.feed(trigger === 'notify' ? { kind: 'notify', eventHeader } : { kind: 'immediate' });
  }

  /** Something from outside at `at` on the phone's clock (a call, a change to the server's tree). */
  at(at: number, action: () => void): void {
    this.scheduler.wakeAt(at, action, OUTSIDE);
  }

  /** Powers the phone off (Ctrl-C): a round under way finishes, the flash is saved, the life ends. */
  stop(): void {
    if (this.started) this.feed({ kind: 'power-off' });
    this.scheduler.stop();
  }

  /** Lives until `until` (epoch ms) or stop(): power-on, then rounds as the triggers say. */
  async live(until = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.started) throw new Error('a PhoneLife lives once');
    this.started = true;
    for (const call of this.options.calls ?? []) {
      this.at(call.start, () => this.feed({ kind: 'call-start', endsAt: call.end }));
      this.at(call.end, () => this.feed({ kind: 'call-end' }));
    }
    const now = this.scheduler.now();
    if (this.options.poweredOn) this.perform(alreadyUp(this.life, now));
    else this.feed({ kind: 'power-on' });
    try {
      await this.scheduler.run({
        until,
        waitForOutside: this.options.time === 'real' && !this.options.endWhenIdle,
      });
    } finally {
      if (this.life.name !== 'off') this.feed({ kind: 'power-off' });
      await this.saving;
    }
  }

  private feed(event: LifeEvent): void {
    this.perform(stepLife(this.life, event, this.scheduler.now()));
  }

  /** The machine's effects, in order; an answer that is known at once is fed back after them. */
  private perform(step: LifeStep): void {
    let next: LifeStep | undefined = step;
    while (next) {
      this.life = next.state;
      let followUp: LifeEvent | undefined;
      for (const effect of next.effects) {
        switch (effect.kind) {
          case 'sleepUntil':
            if (effect.at !== this.wakeAt) {
              this.wakeAt = effect.at;
              this.scheduler.wakeAt(effect.at, 'timer', PHONE);
            }
            break;
          case 'runRound':
            this.scheduler.track(this.round());
            break;
          case 'findServer':
            followUp = this.findServer();
            break;
          case 'saveState':
            this.save();
            break;
          case 'log':
            this.log(effect.entry);
            break;
        }
      }
      next = followUp && stepLife(this.life, followUp, this.scheduler.now());
    }
  }

  private async round(): Promise<void> {
    const { engine } = this.options;
    const result = await engine.runRound({
      model: this.options.model,
      state: this.state,
      ...(this.server && { server: this.server }),
      fetcher: this.options.fetcher,
      now: new Date(this.scheduler.now()),
      // The timeline needs the changes and the reboot decision, not the whole configuration.
      detail: 'lean',
    });
    this.state = result.state;
    this.feed(roundDone(result.report, result.state, engine.catalogues.params));
  }

  /** S1 at every boot with `findServer`; else the server given, or the one in flash, at once. */
  private findServer(): LifeEvent | undefined {
    const find = this.options.findServer;
    if (!find) {
      const summary = this.server ? `server from ${this.server.source}` : 'server from flash (S1)';
      return { kind: 'found-server', summary };
    }
    this.scheduler.track(
      find(this.state, this.scheduler.now()).then((found) => {
        this.state = found.state;
        this.server = found.server;
        this.feed({ kind: 'found-server', summary: found.summary });
      }),
    );
    return undefined;
  }

  /** Saves one after the other, in order; virtual time waits for each. */
  private save(): void {
    const onState = this.options.onState;
    if (!onState) return;
    const state = this.state;
    this.saving = this.saving.then(() => onState(state));
    this.scheduler.track(this.saving);
  }

  private log(entry: LifeLogEntry): void {
    const timed: TimelineEntry = {
      at: new Date(entry.at).toISOString(),
      state: entry.state,
      event: entry.event,
      ...(entry.trigger && { trigger: entry.trigger }),
      ...(entry.round && { round: entry.round }),
    };
    if (this.options.keepTimeline !== false) this.timeline.push(timed);
    this.options.onEntry?.(timed);
  }
}
