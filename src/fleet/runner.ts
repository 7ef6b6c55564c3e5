// One process, many phones (issue #8 §3, issue #14): the fleet's phones share one engine, one
// fetcher (HTTP connections pooled per server), one scheduler and one SIP endpoint; at most
// `concurrency` transfers run at once. A phone is a small record: its flash (maps shared between
// phones with the same content, StateInterner), its life machine's state (src/phone/lifeMachine.ts)
// and a few counters; its next wake-up is an entry in the scheduler's heap, not a timer or a
// coroutine. This file is the machine's driver for the fleet: it performs the effects (rounds on the
// engine, discovery) and feeds the events back. Nothing is kept per round, so the memory does not
// grow with the run's length.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Mac } from '../core/mac.js';
import { maskUserInfo, withoutUserInfo } from '../core/url.js';
import { roundRan, type RoundStatus } from '../engine/report.js';
import { Engine, type Catalogues } from '../engine/round.js';
import { WireFetcher } from '../fetch/createFetcher.js';
import type { Fetcher, TransferSettings, Uploader } from '../fetch/fetcher.js';
import { FileFetcher } from '../fetch/fileFetcher.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { applyDiscovery, discoverForPhone, type DiscoverOptions } from '../discovery/discoverPhone.js';
import { lifeFlash, roundDone } from '../phone/lifeEvents.js';
import {
  isResting,
  stepLife,
  switchedOff,
  type LifeEffect,
  type LifeEvent,
  type LifeLogEntry,
  type LifeRun,
  type LifeState,
} from '../phone/lifeMachine.js';
import { factoryState, type PhoneState } from '../phone/state.js';
import { startHttpServer } from '../server/provisioningServer.js';
import type { NotifyOutcome } from '../sip/sender.js';
import { DEFAULT_VIRTUAL_START } from '../time/clock.js';
import { Scheduler } from '../time/scheduler.js';
import { ConcurrencyLimit, LimitedFetcher } from './concurrencyLimit.js';
import { startHealthMonitor } from './emulatorHealth.js';
import type { FleetPhone } from './fleetInventory.js';
import { sendNotifyStorm, startFleetSip, type FleetSipEndpoint } from './fleetSip.js';
import { StateInterner } from './interner.js';
import { MeteredFetcher } from './meteredFetcher.js';
import { FleetMetrics } from './metrics.js';
import { NotifyMetrics } from './notifyMetrics.js';
import { powerOnOffset } from './phoneDraw.js';
import { phonesSection } from './phonesSection.js';
import type { FleetReport, Interruption, LiveStats, PhoneOutcome, Scenario } from './report.js';
import { RolloutFetcher } from './rolloutFetcher.js';
import { runScenario, type LifePlan, type ScenarioTimes, type Stage } from './scenarios.js';
import type { Shard } from './shard.js';

/** Where the phones provision from. */
export type FleetSource =
  /** A server of the user's (real time, or virtual time with the clock standing still during transfers). */
  | { readonly kind: 'server'; readonly url: string }
  /** A tree on disk: an embedded HTTP server on 127.0.0.1 in real time, read in-process in virtual time. */
  | { readonly kind: 'tree'; readonly dir: string }
  /**
   * Issue #6's S1 chain at every boot of every phone, on the host's network. Phones discover one at
   * a time: they share the host's DHCP ports (68, 546), and a unicast answer reaches one socket.
   */
  | { readonly kind: 'discover'; readonly discover: Omit<DiscoverOptions, 'network' | 'oneKey'> };

export interface FleetRunOptions extends ScenarioTimes {
  readonly scenario: Scenario;
  /** The phones this process runs (a shard of the inventory, or all of it), any order. */
  readonly phones: readonly FleetPhone[];
  /** Phones in the whole inventory (default: `phones.length`). */
  readonly inventory?: number;
  readonly shard?: Shard;
  readonly seed: string;
  readonly source: FleetSource;
  /** The rollout's tree B, served from `rolloutAtMs` on at the address of `source`. */
  readonly rolloutSource?: FleetSource;
  readonly time: 'real' | 'virtual';
  /** Scenario clock at the start (epoch ms); default now, or 2026-01-05T00:00Z (a Monday) in virtual time. */
  readonly start?: number;
  readonly concurrency: number;
  /** NOTIFYs say `Event: check-sync;reboot=true`. */
  readonly notifyReboot?: boolean;
  readonly catalogues?: Catalogues;
  /** Overrides of the transfer settings the configuration gives (shorter timeouts in tests). */
  readonly transfer?: Partial<TransferSettings>;
  /** Extra trusted CAs (PEM files) for HTTPS servers. */
  readonly caFiles?: readonly string[];
  /**
   * Called when the scenario is over, every phone's flash still held, before the servers close and
   * the report is made: where the bench measures the heap per phone.
   */
  readonly onSettled?: () => void | Promise<void>;
}

export interface FleetRun {
  /** What the progress bar and the Prometheus endpoint show. */
  live(): LiveStats;
  /**
   * Ends the run early (Ctrl-C): rounds under way finish, nothing new starts; the report follows,
   * saying the run was interrupted by `signal` (default `stop`: the caller's own).
   */
  stop(signal?: string): void;
  readonly report: Promise<FleetReport>;
}

export { DEFAULT_VIRTUAL_START };

/** What a phone of the fleet keeps: its flash, its life and a few counters. */
interface Member {
  readonly phone: FleetPhone;
  readonly mac: Mac;
  /** Its place in MAC order: how wake-ups at one instant are ordered. */
  readonly index: number;
  state: PhoneState;
  /** Undefined until powered on. */
  life: LifeState | undefined;
  /** The instant of the wake-up its life last asked for; older ones in the heap are stale. */
  wakeAt: number;
  /** With a discover source: the server its last boot found. */
  server?: { readonly url: string; readonly source: string };
  serverSource?: string;
  rounds: number;
  reboots: number;
  upgradedTo?: string;
  last?: RoundStatus;
  failure?: string;
  /** Why the phone did not get the NOTIFY of a NOTIFY storm (real SIP only). */
  notifyFailure?: string;
  /** A check-sync NOTIFY reached its life: its part of a storm is over once it rests. */
  notified?: boolean;
  finished: boolean;
}

/** What the scheduler wakes: a phone, or an action of the scenario. */
type Wake = Member | (() => void);

/** Starts a fleet run; `report` resolves when it is over. */
export function startFleetRun(options: FleetRunOptions): FleetRun {
  const runner = new FleetRunner(options);
  return { live: () => runner.live(), stop: (signal) => runner.stop(signal), report: runner.run() };
}

export function runFleet(options: FleetRunOptions): Promise<FleetReport> {
  return startFleetRun(options).report;
}

class FleetRunner implements Stage<Member> {
  readonly time: 'real' | 'virtual';
  readonly start: number;
  readonly phones: Member[];
  private readonly members = new Map<Mac, Member>();
  private readonly scheduler: Scheduler<Wake>;
  private readonly metrics: FleetMetrics;
  /** Present in a run that sends NOTIFYs (notify-storm, rollout --rollout-notify). */
  private readonly notify: NotifyMetrics | undefined;
  private readonly interner = new StateInterner();
  private readonly engine: Engine;
  private readonly limit: ConcurrencyLimit;
  private readonly discoveries: ConcurrencyLimit;
  private fetcher: (Fetcher & Uploader) | undefined;
  private server: { url: string; source: string } | undefined;
  private sip: FleetSipEndpoint | undefined;
  private lifePlan: LifePlan = { schedule: true, finishAtRest: false };
  private lifeRun: LifeRun;
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly stopping = new AbortController();
  readonly stopped = this.stopping.signal;
  private interruption: Interruption | undefined;
  /** Phones whose part was not over when the run stopped: kept out of the metrics' outcomes. */
  private readonly unfinished: PhoneOutcome[] = [];

  constructor(private readonly options: FleetRunOptions) {
    this.time = options.time;
    this.start = options.start ?? (options.time === 'virtual' ? DEFAULT_VIRTUAL_START : Date.now());
    this.scheduler = new Scheduler<Wake>({
      time: options.time,
      start: this.start,
      wake: (wake, at) => (typeof wake === 'function' ? wake() : this.wake(wake, at)),
    });
    this.phones = [...options.phones]
      .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0))
      .map((phone, index) => ({
        phone,
        mac: phone.mac,
        index,
        state: phone.state
          ? this.interner.compact(phone.state)
          : factoryState(phone.mac, phone.model.id, phone.firmware),
        life: undefined,
        wakeAt: Number.NaN,
        rounds: 0,
        reboots: 0,
        finished: false,
      }));
    for (const member of this.phones) {
      if (this.members.has(member.mac)) throw new Error(`fleet: ${member.mac} is in the fleet twice`);
      this.members.set(member.mac, member);
    }
    this.metrics = new FleetMetrics(this.start, this.phones.length);
    if (options.scenario === 'notify-storm' || options.rolloutNotify) this.notify = new NotifyMetrics();
    this.limit = new ConcurrencyLimit(options.concurrency);
    this.discoveries = new ConcurrencyLimit(1);
    const catalogues = options.catalogues ?? {
      models: loadModelCatalogue(),
      params: loadParameterCatalogue(),
    };
    this.engine = new Engine(catalogues);
    this.lifeRun = { seed: options.seed, bootMs: options.bootMs, schedule: true };
  }

  live(): LiveStats {
    const live = this.metrics.live(this.scheduler.now() - this.start);
    return this.notify ? { ...live, notify: this.notify.figures() } : live;
  }

  /** Ctrl-C: every phone is powered off (a round under way finishes first), nothing new starts. */
  stop(signal = 'stop'): void {
    if (this.stopped.aborted) return;
    this.interruption = { signal, atMs: this.scheduler.now() - this.start };
    this.stopping.abort();
    for (const member of this.phones) if (member.life) this.feed(member, { kind: 'power-off' });
    this.scheduler.stop();
  }

  async run(): Promise<FleetReport> {
    const health = startHealthMonitor(this.options.time);
    const wallStart = performance.now();
    try {
      await this.openServers();
      await runScenario(this.options.scenario, this, this.options);
      await this.options.onSettled?.();
    } finally {
      for (const close of this.closers.reverse()) await close().catch(() => undefined);
    }
    for (const member of this.phones) this.finish(member);
    const emulator = health.stop(performance.now() - wallStart);
    const report = this.metrics.report(
      {
        scenario: this.options.scenario,
        seed: this.options.seed,
        time: this.time,
        start: new Date(this.start).toISOString(),
        durationMs: this.durationMs(),
        server: describeSource(this.options.source),
        concurrency: this.options.concurrency,
        inventory: this.options.inventory ?? this.phones.length,
        shards: this.options.shard
          ? { count: this.options.shard.count, indexes: [this.options.shard.index] }
          : { count: 1, indexes: [0] },
      },
      emulator,
    );
    const withNotify = this.notify ? { ...report, notify: this.notify.figures() } : report;
    return this.interruption ? this.interrupted(withNotify, this.interruption) : withNotify;
  }

  /** A stopped run's report: its unfinished phones counted apart, not as failed (issue #15). */
  private interrupted(report: FleetReport, interruption: Interruption): FleetReport {
    const outcomes = [...report.outcomes, ...this.unfinished].sort((a, b) =>
      a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0,
    );
    return {
      ...report,
      run: { ...report.run, interrupted: interruption },
      phones: phonesSection(outcomes),
      outcomes,
    };
  }

  private durationMs(): number {
    const { scenario, forMs } = this.options;
    // A life or rollout lasts what it was asked to (unless stopped); a storm until its last phone is done.
    const whole = (scenario === 'life' || scenario === 'rollout') && !this.stopped.aborted;
    if (whole && forMs !== undefined) return forMs;
    return this.scheduler.now() - this.start;
  }

  // ---- The stage the scenarios play on ----------------------------------------------------------

  now(): number {
    return this.scheduler.now();
  }

  powerOnOffset(member: Member): number {
    return powerOnOffset(this.options.seed, member.mac, this.options.rampMs);
  }

  plan(plan: LifePlan): void {
    this.lifePlan = plan;
    this.lifeRun = { ...this.lifeRun, schedule: plan.schedule };
  }

  powerOnAt(member: Member, at: number): void {
    member.wakeAt = at;
    this.scheduler.wakeAt(at, member, member.index);
  }

  at(at: number, action: () => void): void {
    this.scheduler.wakeAt(at, action, -1);
  }

  settle(until?: number): Promise<void> {
    return this.scheduler.run(until === undefined ? {} : { until });
  }

  notifyAll(members: readonly Member[]): void {
    if (this.stopped.aborted) return;
    const header = this.options.notifyReboot ? 'check-sync;reboot=true' : 'check-sync';
    const sip = this.sip;
    if (this.time === 'virtual' || !sip) {
      // Virtual time: the NOTIFY is handed to each phone in-process, in MAC order, at this instant.
      for (const member of members) this.deliver(member, header);
      return;
    }
    this.scheduler.track(
      sendNotifyStorm(
        members.map((m) => m.mac),
        {
          host: sip.host,
          port: sip.port,
          reboot: this.options.notifyReboot ?? false,
          concurrency: this.options.concurrency,
          signal: this.stopped,
          onSent: () => this.notify?.sentOne(),
          onOutcome: (mac, outcome) => this.noteNotify(mac, outcome),
        },
      ),
    );
  }

  finish(member: Member): void {
    if (member.finished) return;
    member.finished = true;
    // Finished only because the run stopped: its part of the scenario was cut short.
    if (this.stopped.aborted) this.unfinished.push(unfinishedOutcome(member));
    else this.metrics.recordPhone(outcomeOf(member));
  }

  // ---- The life machine's driver ----------------------------------------------------------------

  /** A phone's wake-up: its power-on, or its life's timer (unless superseded). */
  private wake(member: Member, at: number): void {
    if (at !== member.wakeAt) return;
    member.wakeAt = Number.NaN;
    if (member.life) return this.feed(member, { kind: 'timer' });
    if (this.stopped.aborted) return;
    member.life = switchedOff({
      mac: member.mac,
      run: this.lifeRun,
      flash: lifeFlash(member.state, this.engine.catalogues.params),
    });
    this.feed(member, { kind: 'power-on' });
  }

  /** One event into a phone's life; its effects performed in order, an answer known at once fed back. */
  private feed(member: Member, event: LifeEvent): void {
    let next: LifeEvent | undefined = event;
    while (next) {
      const step = stepLife(member.life!, next, this.scheduler.now());
      member.life = step.state;
      next = this.perform(member, step.effects);
    }
    // A storm's phone is done once it rests: after its boot (a boot storm), after its NOTIFY's round
    // and the reboot that may follow (a NOTIFY storm: so the progress moves as NOTIFYs are acted on).
    const done = this.lifePlan.finishAtRest || (member.notified === true && !this.lifePlan.schedule);
    if (done && isResting(member.life!)) this.finish(member);
  }

  private perform(member: Member, effects: readonly LifeEffect[]): LifeEvent | undefined {
    let followUp: LifeEvent | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'sleepUntil':
          if (effect.at !== member.wakeAt) {
            member.wakeAt = effect.at;
            this.scheduler.wakeAt(effect.at, member, member.index);
          }
          break;
        case 'runRound':
          this.scheduler.track(this.round(member));
          break;
        case 'findServer':
          followUp = this.findServer(member);
          break;
        case 'saveState':
          // The flash is kept in memory (compacted after each round); nothing to write.
          break;
        case 'log':
          this.count(member, effect.entry);
          break;
      }
    }
    return followUp;
  }

  private async round(member: Member): Promise<void> {
    const server = this.options.source.kind === 'discover' ? member.server : this.server;
    const { report, state } = await this.engine.runRound({
      model: member.phone.model,
      state: member.state,
      ...(server && { server }),
      fetcher: this.fetcher!,
      now: new Date(this.scheduler.now()),
      // The counters need the changes and the reboot decision, not the whole configuration.
      detail: 'lean',
      ...(this.options.transfer && { transfer: this.options.transfer }),
    });
    member.last = report.status;
    member.failure = roundRan(report.status)
      ? undefined
      : (report.errors[0]?.message ?? `round ${report.status}`);
    member.state = this.interner.compact(state);
    this.feed(member, roundDone(report, member.state, this.engine.catalogues.params));
  }

  /** A boot's server: the source's at once, or the S1 chain one phone at a time (see FleetSource). */
  private findServer(member: Member): LifeEvent | undefined {
    const source = this.options.source;
    if (source.kind !== 'discover')
      return {
        kind: 'found-server',
        summary: this.server ? `server from ${this.server.source}` : 'server from flash (S1)',
      };
    this.scheduler.track(
      this.discoveries
        .run(() =>
          discoverForPhone(
            { model: member.phone.model, state: member.state },
            this.engine.catalogues.params,
            {
              ...source.discover,
              network: true,
              pnpLocalPort: 0,
            },
          ),
        )
        .then((report) => {
          member.serverSource = report.winner?.source;
          const found = applyDiscovery(member.state, report, new Date(this.scheduler.now()));
          member.state = found.state;
          member.server = found.server;
          this.feed(member, { kind: 'found-server', summary: found.summary });
        }),
    );
    return undefined;
  }

  /** A check-sync NOTIFY for a phone's life (T7): none for a phone not yet powered on. */
  private deliver(member: Member, eventHeader: string): boolean {
    if (!member.life || member.life.name === 'off' || this.stopped.aborted) return false;
    // Virtual time: the NOTIFY is handed over here, not sent (SIP counts it as it goes out).
    if (this.time === 'virtual' || !this.sip) this.notify?.sentOne();
    member.notified = true;
    this.feed(member, { kind: 'notify', eventHeader });
    return true;
  }

  private noteNotify(mac: Mac, outcome: NotifyOutcome): void {
    this.notify?.ended(outcome);
    const member = this.members.get(mac);
    if (!member) return;
    if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) return;
    member.notifyFailure =
      outcome.kind === 'answered'
        ? `check-sync NOTIFY answered ${outcome.status} ${outcome.reason}`
        : outcome.kind === 'timeout'
          ? `check-sync NOTIFY not answered after ${outcome.transmissions} transmissions (Timer F)`
          : `check-sync NOTIFY not sent: ${outcome.message}`;
  }

  /** A round's timeline entry, counted: the fleet keeps no timeline. */
  private count(member: Member, entry: LifeLogEntry): void {
    const round = entry.round;
    if (!round) return;
    member.rounds++;
    if (round.reboot) member.reboots++;
    if (entry.trigger === 'notify') this.notify?.round(round.reboot);
    if (round.firmware !== undefined) member.upgradedTo = round.firmware;
    this.metrics.recordRound({
      reboot: round.reboot,
      ...(round.firmware !== undefined && { upgradedTo: round.firmware }),
    });
  }

  /** The servers and the fetcher chain: limit → metering → (rollout switch) → transport. */
  private async openServers(): Promise<void> {
    const virtual = this.time === 'virtual';
    const clock = this.scheduler;
    const wire = new WireFetcher({
      ...(this.options.caFiles && { caFiles: this.options.caFiles }),
      // Retry pauses (issue #3 §2) pass on the scenario clock: in virtual time, which stands still
      // during a round, they cost nothing.
      ...(virtual && { sleep: (ms: number) => clock.sleepUntil(clock.now() + ms) }),
      // No more connections than transfers at once: undici would otherwise open new ones while
      // closing ones linger, past a server's connection limit.
      connections: this.options.concurrency,
    });
    this.closers.push(() => wire.close());
    const open = async (source: FleetSource): Promise<{ url: string; fetcher: Fetcher & Uploader }> => {
      if (source.kind === 'server') return { url: source.url, fetcher: wire };
      if (source.kind === 'discover') return { url: '', fetcher: wire };
      const dir = resolve(source.dir);
      if (virtual)
        return { url: pathToFileURL(dir + '/').href, fetcher: new FileFetcher(dir, { cache: true }) };
      const http = await startHttpServer({ root: dir, port: 0 });
      this.closers.push(() => http.close());
      return { url: http.url, fetcher: wire };
    };
    const a = await open(this.options.source);
    let transport: Fetcher & Uploader = a.fetcher;
    if (this.options.rolloutSource && this.options.rolloutAtMs !== undefined) {
      const b = await open(this.options.rolloutSource);
      transport = new RolloutFetcher(a, b, this.start + this.options.rolloutAtMs, clock);
    }
    // Virtual time: latencies in virtual ms too (0: the clock stands still during a transfer).
    const metered = virtual
      ? new MeteredFetcher(transport, this.metrics, clock, () => clock.now())
      : new MeteredFetcher(transport, this.metrics, clock);
    this.fetcher = new LimitedFetcher(metered, this.limit);
    // Report files relative to a tree's root, as they are for a server (its URL path).
    if (a.url.startsWith('file:')) this.metrics.fileRoot(new URL(a.url));
    if (this.options.source.kind !== 'discover')
      this.server = { url: a.url, source: this.options.source.kind === 'tree' ? '--tree' : '--server' };
    if (!virtual && (this.options.scenario === 'notify-storm' || this.options.rolloutNotify)) {
      this.sip = await startFleetSip({
        isPhone: (mac) => this.members.get(mac)?.life !== undefined,
        onCheckSync: (mac, event) => {
          const member = this.members.get(mac);
          if (member) this.deliver(member, event.eventHeader);
        },
      });
      const sip = this.sip;
      this.closers.push(() => sip.close());
    }
  }
}

/** The report's `run.server`: the server's URL without user info, or the tree's file URL. */
export function describeSource(source: FleetSource): string {
  if (source.kind === 'tree') return pathToFileURL(resolve(source.dir) + '/').href;
  if (source.kind === 'discover') return 'discovered by each phone (S1)';
  try {
    return withoutUserInfo(new URL(source.url)).href;
  } catch {
    return maskUserInfo(source.url);
  }
}

/** A phone of a stopped run whose part was not over: powered on (interrupted) or not yet. */
function unfinishedOutcome(member: Member): PhoneOutcome {
  return {
    mac: member.mac,
    model: member.phone.model.id,
    status: member.life === undefined ? 'not-started' : 'interrupted',
    rounds: member.rounds,
    reboots: member.reboots,
    ...(member.upgradedTo !== undefined && { upgradedTo: member.upgradedTo }),
    ...(member.serverSource !== undefined && { serverSource: member.serverSource }),
  };
}

function outcomeOf(member: Member): PhoneOutcome {
  const base = {
    mac: member.mac,
    model: member.phone.model.id,
    rounds: member.rounds,
    reboots: member.reboots,
    ...(member.upgradedTo !== undefined && { upgradedTo: member.upgradedTo }),
    ...(member.serverSource !== undefined && { serverSource: member.serverSource }),
  };
  if (member.notifyFailure !== undefined) return { ...base, status: 'failed', failure: member.notifyFailure };
  const last = member.last;
  if (last === undefined) {
    const why = member.life === undefined ? 'never powered on in the run' : 'no provisioning round ran';
    return { ...base, status: 'failed', failure: why };
  }
  if (roundRan(last)) return { ...base, status: 'provisioned' };
  const status = last === 'no-server' || last === 'nothing-found' ? last : 'failed';
  return { ...base, status, ...(member.failure !== undefined && { failure: member.failure }) };
}
