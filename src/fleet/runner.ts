// One process, many phones (issue #8 §3): the fleet's phones share one engine, one fetcher (HTTP
// connections pooled per server), one clock and one SIP endpoint; at most `concurrency` transfers
// run at once. A phone keeps only what is its own: its flash (maps shared between phones with the
// same content, StateInterner), a few counters, and a PhoneLife only while it is running. Nothing
// is kept per round, so the memory does not grow with the run's length.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Mac } from '../core/mac.js';
import { maskUserInfo, withoutUserInfo } from '../core/url.js';
import { roundRan, type RoundStatus } from '../engine/report.js';
import { Engine, type Catalogues, type RoundInput, type RoundResult } from '../engine/round.js';
import { WireFetcher } from '../fetch/createFetcher.js';
import type { Fetcher, TransferSettings, Uploader } from '../fetch/fetcher.js';
import { FileFetcher } from '../fetch/fileFetcher.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { PhoneLife, type FoundServer, type TimelineEntry } from '../phone/life.js';
import { applyDiscovery, discoverForPhone, type DiscoverOptions } from '../discovery/discoverPhone.js';
import { factoryState, type PhoneState } from '../phone/state.js';
import { startHttpServer } from '../server/provisioningServer.js';
import type { NotifyOutcome } from '../sip/sender.js';
import { RealClock, VirtualClock, type Clock } from '../time/clock.js';
import { ConcurrencyLimit, LimitedFetcher } from './concurrencyLimit.js';
import { startHealthMonitor } from './emulatorHealth.js';
import type { FleetPhone } from './fleetInventory.js';
import { sendNotifyStorm, startFleetSip, type FleetSipEndpoint } from './fleetSip.js';
import { StateInterner } from './interner.js';
import { MeteredFetcher } from './meteredFetcher.js';
import { FleetMetrics } from './metrics.js';
import { powerOnOffset } from './phoneDraw.js';
import type { FleetReport, LiveStats, PhoneOutcome, Scenario } from './report.js';
import { RolloutFetcher } from './rolloutFetcher.js';
import { Pending, runScenario, type ScenarioTimes, type Stage } from './scenarios.js';
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
  /** Ends the run early (Ctrl-C): rounds under way finish, nothing new starts; the report follows. */
  stop(): void;
  readonly report: Promise<FleetReport>;
}

export const DEFAULT_VIRTUAL_START = Date.UTC(2026, 0, 5);

/** What a phone of the fleet keeps between rounds. */
interface Member {
  readonly phone: FleetPhone;
  readonly mac: Mac;
  state: PhoneState;
  serverSource?: string;
  rounds: number;
  reboots: number;
  upgradedTo?: string;
  last?: RoundStatus;
  failure?: string;
  /** Why the phone did not get the NOTIFY of a NOTIFY storm (real SIP only). */
  notifyFailure?: string;
  phase: 'off' | 'running' | 'up';
  life?: PhoneLife;
  finished: boolean;
}

/** Starts a fleet run; `report` resolves when it is over. */
export function startFleetRun(options: FleetRunOptions): FleetRun {
  const runner = new FleetRunner(options);
  return { live: () => runner.live(), stop: () => runner.stop(), report: runner.run() };
}

export function runFleet(options: FleetRunOptions): Promise<FleetReport> {
  return startFleetRun(options).report;
}

/** The engine of the fleet: after every round the phone's flash is compacted and its outcome noted. */
class FleetEngine extends Engine {
  constructor(
    catalogues: Catalogues,
    private readonly transfer: Partial<TransferSettings> | undefined,
    private readonly afterRound: (input: RoundInput, result: RoundResult) => RoundResult,
  ) {
    super(catalogues);
  }

  override async runRound(input: RoundInput): Promise<RoundResult> {
    const result = await super.runRound(
      this.transfer ? { ...input, transfer: { ...this.transfer, ...input.transfer } } : input,
    );
    return this.afterRound(input, result);
  }
}

class FleetRunner implements Stage<Member> {
  readonly clock: Clock;
  readonly time: 'real' | 'virtual';
  readonly start: number;
  readonly phones: Member[];
  private readonly members = new Map<Mac, Member>();
  private readonly metrics: FleetMetrics;
  private readonly interner = new StateInterner();
  private readonly engine: FleetEngine;
  private readonly limit: ConcurrencyLimit;
  private readonly discoveries: ConcurrencyLimit;
  private fetcher: (Fetcher & Uploader) | undefined;
  private server: { url: string; source: string } | undefined;
  private sip: FleetSipEndpoint | undefined;
  /** Lives started by a NOTIFY (a phone woken from idle). */
  private readonly woken = new Pending();
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly stopping = new AbortController();
  readonly stopped = this.stopping.signal;

  constructor(private readonly options: FleetRunOptions) {
    this.time = options.time;
    this.start = options.start ?? (options.time === 'virtual' ? DEFAULT_VIRTUAL_START : Date.now());
    this.clock = options.time === 'virtual' ? new VirtualClock(this.start) : new RealClock();
    this.phones = [...options.phones]
      .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0))
      .map((phone) => ({
        phone,
        mac: phone.mac,
        state: phone.state
          ? this.interner.compact(phone.state)
          : factoryState(phone.mac, phone.model.id, phone.firmware),
        rounds: 0,
        reboots: 0,
        phase: 'off',
        finished: false,
      }));
    for (const member of this.phones) {
      if (this.members.has(member.mac)) throw new Error(`fleet: ${member.mac} is in the fleet twice`);
      this.members.set(member.mac, member);
    }
    this.metrics = new FleetMetrics(this.start, this.phones.length);
    this.limit = new ConcurrencyLimit(options.concurrency);
    this.discoveries = new ConcurrencyLimit(1);
    const catalogues = options.catalogues ?? {
      models: loadModelCatalogue(),
      params: loadParameterCatalogue(),
    };
    this.engine = new FleetEngine(catalogues, options.transfer, (input, result) =>
      this.afterRound(input, result),
    );
  }

  live(): LiveStats {
    return this.metrics.live(this.clock.now() - this.start);
  }

  stop(): void {
    if (this.stopped.aborted) return;
    this.stopping.abort();
    for (const member of this.phones) member.life?.stop();
  }

  async run(): Promise<FleetReport> {
    const health = startHealthMonitor(this.options.time);
    const wallStart = performance.now();
    try {
      await this.openServers();
      await runScenario(this.options.scenario, this, this.options);
      await this.woken.settled();
      await this.options.onSettled?.();
    } finally {
      for (const close of this.closers.reverse()) await close().catch(() => undefined);
    }
    for (const member of this.phones) this.finish(member);
    const emulator = health.stop(performance.now() - wallStart);
    return this.metrics.report(
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
  }

  private durationMs(): number {
    const { scenario, forMs } = this.options;
    // A life or rollout lasts what it was asked to (unless stopped); a storm until its last phone is done.
    const whole = (scenario === 'life' || scenario === 'rollout') && !this.stopped.aborted;
    if (whole && forMs !== undefined) return forMs;
    return this.clock.now() - this.start;
  }

  powerOnOffset(member: Member): number {
    return powerOnOffset(this.options.seed, member.mac, this.options.rampMs);
  }

  asActor<T>(work: () => Promise<T>): Promise<T> {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) return work();
    clock.enter();
    return work().finally(() => clock.leave());
  }

  powerOn(member: Member, how: { until: number; endWhenIdle: boolean }): Promise<void> {
    return this.runLife(member, { ...how, poweredOn: false });
  }

  async notifyAll(members: readonly Member[]): Promise<void> {
    const header = this.options.notifyReboot ? 'check-sync;reboot=true' : 'check-sync';
    if (this.time === 'virtual' || !this.sip) {
      // Virtual time: the NOTIFY is handed to the phone in-process, in MAC order, all at one instant.
      await this.asActor(async () => {
        for (const member of members) this.deliver(member, header);
        await Promise.resolve();
      });
    } else {
      const sip = this.sip;
      await sendNotifyStorm(
        members.map((m) => m.mac),
        {
          host: sip.host,
          port: sip.port,
          reboot: this.options.notifyReboot ?? false,
          concurrency: this.options.concurrency,
          signal: this.stopped,
          onOutcome: (mac, outcome) => this.noteNotify(mac, outcome),
        },
      );
    }
    await this.woken.settled();
  }

  finish(member: Member): void {
    if (member.finished) return;
    member.finished = true;
    this.metrics.recordPhone(outcomeOf(member));
  }

  /** A check-sync NOTIFY for a phone: to its running life, or to an idle phone woken for it. */
  private deliver(member: Member, eventHeader: string): boolean {
    if (member.phase === 'off' || this.stopped.aborted) return false;
    if (member.life) {
      member.life.request('notify', eventHeader);
      return true;
    }
    this.woken.add(
      this.runLife(member, {
        until: Number.POSITIVE_INFINITY,
        endWhenIdle: true,
        poweredOn: true,
        notify: eventHeader,
      }),
    );
    return true;
  }

  private noteNotify(mac: Mac, outcome: NotifyOutcome): void {
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

  /** A boot's discovery for one phone: the S1 chain, one phone at a time (see FleetSource). */
  private finder(
    member: Member,
    source: Extract<FleetSource, { kind: 'discover' }>,
  ): (state: PhoneState) => Promise<FoundServer> {
    return async (state) => {
      const report = await this.discoveries.run(() =>
        discoverForPhone({ model: member.phone.model, state }, this.engine.catalogues.params, {
          ...source.discover,
          network: true,
          pnpLocalPort: 0,
        }),
      );
      member.serverSource = report.winner?.source;
      return applyDiscovery(state, report, new Date(this.clock.now()));
    };
  }

  private async runLife(
    member: Member,
    how: { until: number; endWhenIdle: boolean; poweredOn: boolean; notify?: string },
  ): Promise<void> {
    const life = new PhoneLife({
      engine: this.engine,
      model: member.phone.model,
      state: member.state,
      ...(this.server && { server: this.server }),
      ...(this.options.source.kind === 'discover' && {
        findServer: this.finder(member, this.options.source),
      }),
      fetcher: this.fetcher!,
      clock: this.clock,
      seed: this.options.seed,
      bootMs: this.options.bootMs,
      keepTimeline: false,
      endWhenIdle: how.endWhenIdle,
      poweredOn: how.poweredOn,
      onEntry: (entry) => this.onEntry(member, entry),
    });
    if (how.notify !== undefined) life.request('notify', how.notify);
    if (this.stopped.aborted) life.stop();
    member.life = life;
    member.phase = 'running';
    const clock = this.clock;
    if (clock instanceof VirtualClock) clock.enter();
    try {
      await life.live(how.until);
    } finally {
      if (clock instanceof VirtualClock) clock.leave();
      member.life = undefined;
      member.phase = 'up';
      member.state = life.flash;
    }
  }

  private afterRound(input: RoundInput, result: RoundResult): RoundResult {
    const member = this.members.get(input.state.mac);
    if (!member) return result;
    const { report } = result;
    member.last = report.status;
    if (!roundRan(report.status)) member.failure = report.errors[0]?.message ?? `round ${report.status}`;
    else member.failure = undefined;
    const state = this.interner.compact(result.state);
    return state === result.state ? result : { report, state };
  }

  private onEntry(member: Member, entry: TimelineEntry): void {
    const round = entry.round;
    if (!round) return;
    member.rounds++;
    if (round.reboot) member.reboots++;
    if (round.firmware !== undefined) member.upgradedTo = round.firmware;
    this.metrics.recordRound({
      reboot: round.reboot,
      ...(round.firmware !== undefined && { upgradedTo: round.firmware }),
    });
  }

  /** The servers and the fetcher chain: limit → metering → (rollout switch) → transport. */
  private async openServers(): Promise<void> {
    const virtual = this.clock instanceof VirtualClock;
    const clock = this.clock;
    const wire = new WireFetcher({
      ...(this.options.caFiles && { caFiles: this.options.caFiles }),
      // Retry pauses (issue #3 §2) pass on the scenario clock: in virtual time they cost nothing.
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
      transport = new RolloutFetcher(a, b, this.start + this.options.rolloutAtMs, this.clock);
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
          const member = this.members.get(mac);
          return member !== undefined && member.phase !== 'off';
        },
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
    const why = member.phase === 'off' ? 'never powered on in the run' : 'no provisioning round ran';
    return { ...base, status: 'failed', failure: why };
  }
  if (roundRan(last)) return { ...base, status: 'provisioned' };
  const status = last === 'no-server' || last === 'nothing-found' ? last : 'failed';
  return { ...base, status, ...(member.failure !== undefined && { failure: member.failure }) };
}
