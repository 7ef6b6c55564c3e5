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
import { roundRan } from '../engine/report.js';
import { Engine, type Catalogues } from '../engine/round.js';
import type { Fetcher, TransferSettings, Uploader } from '../fetch/fetcher.js';
import { realSleep } from '../fetch/retry.js';
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
} from '../phone/lifeMachine.js';
import { factoryState } from '../phone/state.js';
import { startHttpServer } from '../server/provisioningServer.js';
import type { NotifyOutcome } from '../sip/sender.js';
import { DEFAULT_VIRTUAL_START } from '../time/clock.js';
import { Scheduler } from '../time/scheduler.js';
import { ConcurrencyLimit, LimitedFetcher } from './concurrencyLimit.js';
import { startHealthMonitor } from './emulatorHealth.js';
import type { FleetPhone } from './fleetInventory.js';
import { sendNotifyStorm, startFleetSip, type FleetSipEndpoint } from './fleetSip.js';
import { StateInterner } from './interner.js';
import { FleetWire } from './leanHttp.js';
import { MeteredFetcher } from './meteredFetcher.js';
import { FleetMetrics } from './metrics.js';
import { NotifyMetrics } from './notifyMetrics.js';
import { powerOnOffset } from './phoneDraw.js';
import { phonesSection } from './phonesSection.js';
import type { FleetReport, Interruption, LiveStats, PhoneOutcome, Scenario } from './report.js';
import { RolloutFetcher } from './rolloutFetcher.js';
import { CUT_SHORT, FINISHED, PhoneTable } from './phoneTable.js';
import { RoundRequests, TreeVersions } from './roundReplay.js';
import { TreeSnapshot } from './treeSnapshot.js';
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

/**
 * What the scheduler wakes: a phone (its place in MAC order, in the PhoneTable), or an action of the
 * scenario.
 */
type Wake = number | (() => void);

/** Starts a fleet run; `report` resolves when it is over. */
export function startFleetRun(options: FleetRunOptions): FleetRun {
  const runner = new FleetRunner(options);
  return { live: () => runner.live(), stop: (signal) => runner.stop(signal), report: runner.run() };
}

export function runFleet(options: FleetRunOptions): Promise<FleetReport> {
  return startFleetRun(options).report;
}

class FleetRunner implements Stage<number> {
  readonly time: 'real' | 'virtual';
  readonly start: number;
  /** The phones' places in the table, 0 to n - 1: the table is in MAC order. */
  readonly phones: readonly number[];
  private readonly table: PhoneTable;
  private readonly scheduler: Scheduler<Wake>;
  private readonly metrics: FleetMetrics;
  /** Present in a run that sends NOTIFYs (notify-storm, rollout --rollout-notify). */
  private readonly notify: NotifyMetrics | undefined;
  private readonly interner = new StateInterner();
  private readonly engine: Engine;
  private readonly limit: ConcurrencyLimit;
  /**
   * Rounds under way at once: twice the transfers, enough to keep every transfer slot busy. A storm
   * with no ramp starts every phone's round at one instant; without this, each round's second file
   * would wait behind every other phone's first, and all of them would be under way (and held in
   * memory) until the storm's end. Phones beyond it wait their turn as a number in a queue.
   */
  private readonly roundSlots: ConcurrencyLimit;
  private readonly discoveries: ConcurrencyLimit;
  private fetcher: (Fetcher & Uploader) | undefined;
  private server: { url: string; source: string } | undefined;
  private sip: FleetSipEndpoint | undefined;
  private lifePlan: LifePlan = { schedule: true, finishAtRest: false };
  private lifeRun: LifeRun;
  /** Virtual time with trees read in-process: what they serve, by version (roundReplay.ts). */
  private versions: TreeVersions | undefined;
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly stopping = new AbortController();
  readonly stopped = this.stopping.signal;
  private interruption: Interruption | undefined;

  constructor(private readonly options: FleetRunOptions) {
    this.time = options.time;
    this.start = options.start ?? (options.time === 'virtual' ? DEFAULT_VIRTUAL_START : Date.now());
    this.scheduler = new Scheduler<Wake>({
      time: options.time,
      start: this.start,
      wake: (wake, at) => (typeof wake === 'function' ? wake() : this.wake(wake, at)),
    });
    this.table = new PhoneTable(options.phones, (phone) =>
      this.interner.compact(phone.state ?? factoryState(phone.mac, phone.model.id, phone.firmware)),
    );
    this.phones = Array.from({ length: this.table.count }, (_, i) => i);
    this.metrics = new FleetMetrics(this.start, this.table.count);
    if (options.scenario === 'notify-storm' || options.rolloutNotify) this.notify = new NotifyMetrics();
    this.limit = new ConcurrencyLimit(options.concurrency);
    this.roundSlots = new ConcurrencyLimit(2 * options.concurrency);
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
    for (const i of this.phones) if (this.table.lives[i]) this.feed(i, { kind: 'power-off' });
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
    for (const i of this.phones) this.finish(i);
    const emulator = health.stop(performance.now() - wallStart);
    // Phones whose part was not over when the run stopped are kept out of the metrics' outcomes.
    const finished: PhoneOutcome[] = [];
    const unfinished: PhoneOutcome[] = [];
    for (const i of this.phones) {
      if (this.table.finished[i] === CUT_SHORT) unfinished.push(unfinishedOutcome(this.table, i));
      else finished.push(outcomeOf(this.table, i));
    }
    const report = this.metrics.report(
      {
        scenario: this.options.scenario,
        seed: this.options.seed,
        time: this.time,
        start: new Date(this.start).toISOString(),
        durationMs: this.durationMs(),
        server: describeSource(this.options.source),
        concurrency: this.options.concurrency,
        inventory: this.options.inventory ?? this.table.count,
        shards: this.options.shard
          ? { count: this.options.shard.count, indexes: [this.options.shard.index] }
          : { count: 1, indexes: [0] },
      },
      emulator,
      finished,
    );
    const withNotify = this.notify ? { ...report, notify: this.notify.figures() } : report;
    return this.interruption ? this.interrupted(withNotify, this.interruption, unfinished) : withNotify;
  }

  /** A stopped run's report: its unfinished phones counted apart, not as failed (issue #15). */
  private interrupted(
    report: FleetReport,
    interruption: Interruption,
    unfinished: readonly PhoneOutcome[],
  ): FleetReport {
    const outcomes = [...report.outcomes, ...unfinished].sort((a, b) =>
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

  powerOnOffset(i: number): number {
    return powerOnOffset(this.options.seed, this.table.mac(i), this.options.rampMs);
  }

  plan(plan: LifePlan): void {
    this.lifePlan = plan;
    this.lifeRun = { ...this.lifeRun, schedule: plan.schedule };
  }

  powerOnAt(i: number, at: number): void {
    this.table.wakeAt[i] = at;
    this.scheduler.wakeAt(at, i, i);
  }

  at(at: number, action: () => void): void {
    this.scheduler.wakeAt(at, action, -1);
  }

  settle(until?: number): Promise<void> {
    return this.scheduler.run(until === undefined ? {} : { until });
  }

  notifyAll(phones: readonly number[]): void {
    if (this.stopped.aborted) return;
    const header = this.options.notifyReboot ? 'check-sync;reboot=true' : 'check-sync';
    const sip = this.sip;
    if (this.time === 'virtual' || !sip) {
      // Virtual time: the NOTIFY is handed to each phone in-process, in MAC order, at this instant.
      for (const i of phones) this.deliver(i, header);
      return;
    }
    this.scheduler.track(
      sendNotifyStorm(
        phones.map((i) => this.table.mac(i)),
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

  finish(i: number): void {
    const table = this.table;
    if (table.finished[i]) return;
    // Finished only because the run stopped: its part of the scenario was cut short (issue #15),
    // counted apart in the report, not in the metrics.
    if (this.stopped.aborted) {
      table.finished[i] = CUT_SHORT;
      return;
    }
    table.finished[i] = FINISHED;
    this.metrics.phoneDone(outcomeOf(table, i).status !== 'provisioned');
    // A storm's phone is done with its life: nothing more comes to it (its outcome is kept).
    if (this.lifePlan.finishAtRest) table.lives[i] = undefined;
  }

  // ---- The life machine's driver ----------------------------------------------------------------

  /** A phone's wake-up: its power-on, or its life's timer (unless superseded). */
  private wake(i: number, at: number): void {
    const table = this.table;
    if (at !== table.wakeAt[i]) return;
    table.wakeAt[i] = Number.NaN;
    if (table.lives[i]) return this.feed(i, { kind: 'timer' });
    if (this.stopped.aborted || table.finished[i]) return;
    table.poweredOn[i] = 1;
    table.lives[i] = switchedOff({
      mac: table.mac(i),
      run: this.lifeRun,
      flash: lifeFlash(table.state(i), this.engine.catalogues.params),
    });
    this.feed(i, { kind: 'power-on' });
  }

  /** One event into a phone's life; its effects performed in order, an answer known at once fed back. */
  private feed(i: number, event: LifeEvent): void {
    const lives = this.table.lives;
    let next: LifeEvent | undefined = event;
    while (next) {
      const step = stepLife(lives[i]!, next, this.scheduler.now());
      lives[i] = step.state;
      next = this.perform(i, step.effects);
    }
    // A storm's phone is done once it rests: after its boot (a boot storm), after its NOTIFY's round
    // and the reboot that may follow (a NOTIFY storm: so the progress moves as NOTIFYs are acted on).
    const done = this.lifePlan.finishAtRest || (this.table.notified[i] === 1 && !this.lifePlan.schedule);
    if (done && isResting(lives[i]!)) this.finish(i);
  }

  private perform(i: number, effects: readonly LifeEffect[]): LifeEvent | undefined {
    let followUp: LifeEvent | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'sleepUntil':
          if (effect.at !== this.table.wakeAt[i]) {
            this.table.wakeAt[i] = effect.at;
            this.scheduler.wakeAt(effect.at, i, i);
          }
          break;
        case 'runRound':
          followUp = this.round(i);
          break;
        case 'findServer':
          followUp = this.findServer(i);
          break;
        case 'saveState':
          // The flash is kept in memory (compacted after each round); nothing to write.
          break;
        case 'log':
          this.count(i, effect.entry);
          break;
      }
    }
    return followUp;
  }

  /**
   * A round: replayed when it repeats the phone's last one (its outcome, known at once, is returned
   * to be fed back), else run on the engine (its outcome fed back when it is done).
   */
  private round(i: number): LifeEvent | undefined {
    const table = this.table;
    const version = this.treeVersion();
    const replay = table.replays[i];
    if (replay && replay.version === version && replay.flash === table.flash(i)) {
      const now = this.scheduler.now();
      this.metrics.replay(replay.tallies, now);
      table.setLast(i, 'unchanged');
      table.failures.delete(i);
      table.noteRound(i, replay.server, now);
      return { kind: 'round-done', outcome: replay.outcome, flash: replay.lifeFlash };
    }
    table.replays[i] = undefined;
    this.scheduler.track(this.roundSlots.run(() => this.engineRound(i, version)));
    return undefined;
  }

  private async engineRound(i: number, version: object | undefined): Promise<void> {
    const table = this.table;
    const server = this.options.source.kind === 'discover' ? table.servers.get(i) : this.server;
    // Only a life has further rounds that could repeat this one.
    const requests = version && this.lifePlan.schedule ? new RoundRequests(this.fetcher!) : undefined;
    const before = table.state(i);
    const now = this.scheduler.now();
    const { report, state } = await this.engine.runRound({
      model: table.phones[i]!.model,
      state: before,
      ...(server && { server }),
      fetcher: requests ?? this.fetcher!,
      now: new Date(now),
      // The counters need the changes and the reboot decision, not the whole configuration.
      detail: 'lean',
      ...(this.options.transfer && { transfer: this.options.transfer }),
    });
    table.setLast(i, report.status);
    if (roundRan(report.status)) table.failures.delete(i);
    else table.failures.set(i, report.errors[0]?.message ?? `round ${report.status}`);
    const compact = this.interner.compact(state);
    table.setAfterRound(i, before, compact, now);
    const event = roundDone(report, compact, this.engine.catalogues.params);
    // Nothing new, and the tree as it was all along (roundReplay.ts): the next round repeats this one.
    if (
      requests &&
      version !== undefined &&
      report.status === 'unchanged' &&
      version === this.treeVersion() &&
      compact.server !== undefined &&
      event.kind === 'round-done'
    ) {
      table.replays[i] = {
        version,
        flash: table.flash(i),
        server: compact.server,
        tallies: requests.tallies(this.metrics),
        outcome: event.outcome,
        lifeFlash: event.flash,
      };
    }
    this.feed(i, event);
  }

  /**
   * What the trees serve now, when the run reads them in-process (virtual time): a rollout's tree B
   * from its switch on, as RolloutFetcher routes. Undefined for a server, whose files may change.
   */
  private treeVersion(): object | undefined {
    const versions = this.versions;
    if (!versions) return undefined;
    const { rolloutSource, rolloutAtMs } = this.options;
    if (rolloutSource && rolloutAtMs !== undefined && this.scheduler.now() >= this.start + rolloutAtMs)
      return versions.of(1);
    return versions.of(0);
  }

  /** A boot's server: the source's at once, or the S1 chain one phone at a time (see FleetSource). */
  private findServer(i: number): LifeEvent | undefined {
    const source = this.options.source;
    if (source.kind !== 'discover')
      return {
        kind: 'found-server',
        summary: this.server ? `server from ${this.server.source}` : 'server from flash (S1)',
      };
    const table = this.table;
    this.scheduler.track(
      this.discoveries
        .run(() =>
          discoverForPhone(
            { model: table.phones[i]!.model, state: table.state(i) },
            this.engine.catalogues.params,
            {
              ...source.discover,
              network: true,
              pnpLocalPort: 0,
            },
          ),
        )
        .then((report) => {
          const winner = report.winner?.source;
          if (winner === undefined) table.serverSources.delete(i);
          else table.serverSources.set(i, winner);
          const found = applyDiscovery(table.state(i), report, new Date(this.scheduler.now()));
          table.setState(i, found.state);
          if (found.server) table.servers.set(i, found.server);
          else table.servers.delete(i);
          this.feed(i, { kind: 'found-server', summary: found.summary });
        }),
    );
    return undefined;
  }

  /** A check-sync NOTIFY for a phone's life (T7): none for a phone not yet powered on. */
  private deliver(i: number, eventHeader: string): boolean {
    const life = this.table.lives[i];
    if (!life || life.name === 'off' || this.stopped.aborted) return false;
    // Virtual time: the NOTIFY is handed over here, not sent (SIP counts it as it goes out).
    if (this.time === 'virtual' || !this.sip) this.notify?.sentOne();
    this.table.notified[i] = 1;
    this.feed(i, { kind: 'notify', eventHeader });
    return true;
  }

  private noteNotify(mac: Mac, outcome: NotifyOutcome): void {
    this.notify?.ended(outcome);
    const i = this.table.indexOf(mac);
    if (i === undefined) return;
    if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) return;
    this.table.notifyFailures.set(
      i,
      outcome.kind === 'answered'
        ? `check-sync NOTIFY answered ${outcome.status} ${outcome.reason}`
        : outcome.kind === 'timeout'
          ? `check-sync NOTIFY not answered after ${outcome.transmissions} transmissions (Timer F)`
          : `check-sync NOTIFY not sent: ${outcome.message}`,
    );
  }

  /** A round's timeline entry, counted: the fleet keeps no timeline. */
  private count(i: number, entry: LifeLogEntry): void {
    const round = entry.round;
    if (!round) return;
    const table = this.table;
    table.rounds[i]!++;
    if (round.reboot) table.reboots[i]!++;
    if (entry.trigger === 'notify') this.notify?.round(round.reboot);
    if (round.firmware !== undefined) table.upgradedTo.set(i, round.firmware);
    this.metrics.recordRound({
      reboot: round.reboot,
      ...(round.firmware !== undefined && { upgradedTo: round.firmware }),
    });
  }

  /** The servers and the fetcher chain: limit → metering → (rollout switch) → transport. */
  private async openServers(): Promise<void> {
    const virtual = this.time === 'virtual';
    const clock = this.scheduler;
    // Retry pauses (issue #3 §2) pass on the scenario clock: in virtual time, which stands still
    // during a round, they cost nothing.
    const sleep = virtual ? (ms: number) => clock.sleepUntil(clock.now() + ms) : realSleep;
    // No more connections than transfers at once: undici would otherwise open new ones while
    // closing ones linger, past a server's connection limit.
    const connections = this.options.concurrency;
    // Plain HTTP downloads on the light path (leanHttp.ts), the rest as any phone's (openWire).
    const wire = new FleetWire({ caFiles: this.options.caFiles ?? [], sleep, connections });
    this.closers.push(() => wire.close());
    // Replays need every tree read in-process, each a version of its own (roundReplay.ts).
    const sources = [
      this.options.source,
      ...(this.options.rolloutSource ? [this.options.rolloutSource] : []),
    ];
    if (virtual && sources.every((source) => source.kind === 'tree'))
      this.versions = new TreeVersions(sources.length);
    let trees = 0;
    const open = async (source: FleetSource): Promise<{ url: string; fetcher: Fetcher & Uploader }> => {
      if (source.kind === 'server') return { url: source.url, fetcher: wire };
      if (source.kind === 'discover') return { url: '', fetcher: wire };
      const dir = resolve(source.dir);
      if (virtual) {
        const tree = new TreeSnapshot(dir);
        return { url: pathToFileURL(dir + '/').href, fetcher: this.versions?.watch(trees++, tree) ?? tree };
      }
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
        isPhone: (mac) => {
          const i = this.table.indexOf(mac);
          return i !== undefined && this.table.lives[i] !== undefined;
        },
        onCheckSync: (mac, event) => {
          const i = this.table.indexOf(mac);
          if (i !== undefined) this.deliver(i, event.eventHeader);
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
function unfinishedOutcome(table: PhoneTable, i: number): PhoneOutcome {
  const upgradedTo = table.upgradedTo.get(i);
  const serverSource = table.serverSources.get(i);
  return {
    mac: table.mac(i),
    model: table.phones[i]!.model.id,
    status: table.poweredOn[i] ? 'interrupted' : 'not-started',
    rounds: table.rounds[i]!,
    reboots: table.reboots[i]!,
    ...(upgradedTo !== undefined && { upgradedTo }),
    ...(serverSource !== undefined && { serverSource }),
  };
}

function outcomeOf(table: PhoneTable, i: number): PhoneOutcome {
  const upgradedTo = table.upgradedTo.get(i);
  const serverSource = table.serverSources.get(i);
  const base = {
    mac: table.mac(i),
    model: table.phones[i]!.model.id,
    rounds: table.rounds[i]!,
    reboots: table.reboots[i]!,
    ...(upgradedTo !== undefined && { upgradedTo }),
    ...(serverSource !== undefined && { serverSource }),
  };
  const notifyFailure = table.notifyFailures.get(i);
  if (notifyFailure !== undefined) return { ...base, status: 'failed', failure: notifyFailure };
  const last = table.last(i);
  if (last === undefined) {
    const why = table.poweredOn[i] ? 'no provisioning round ran' : 'never powered on in the run';
    return { ...base, status: 'failed', failure: why };
  }
  if (roundRan(last)) return { ...base, status: 'provisioned' };
  const failure = table.failures.get(i);
  const status = last === 'no-server' || last === 'nothing-found' ? last : 'failed';
  return { ...base, status, ...(failure !== undefined && { failure }) };
}
