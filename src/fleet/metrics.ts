// The counters of a fleet run (issue #8 §4): every request, round and phone outcome goes in as it
// happens; `live()` feeds the progress bar and Prometheus, `report()` the final report. Only
// counters and fixed-bucket histograms, so that shard reports merge into the unsharded one.
import { copyHistogram, emptyHistogram, observe } from './histogram.js';
import {
  FLEET_REPORT_FORMAT,
  type FleetReport,
  type LatencyHistogram,
  type LiveStats,
  type PhoneOutcome,
  type RequestKind,
  type RequestStatus,
} from './report.js';

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;
const FIRST_HOUR_SECONDS = 3_600;

/** What a request fetched, from the file name of its URL. */
export function requestKind(url: URL): RequestKind {
  const path = url.pathname.toLowerCase();
  if (path.endsWith('.boot')) return 'boot';
  if (path.endsWith('-local.cfg')) return 'mac-local';
  if (path.endsWith('.cfg')) return 'config';
  if (path.endsWith('.rom') || path.endsWith('.bin') || path.endsWith('.zip')) return 'firmware';
  return 'other';
}

/** The key of a request in `requests.byFile`: the URL's path, without host or user info. */
export function fileKey(url: URL): string {
  return decodedPath(url.pathname);
}

function decodedPath(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * A failure cause with what differs between phones and runs taken out (user info, hosts and ports,
 * MACs, timings, sizes), so that phones that failed for the same reason are counted together.
 */
export function normaliseFailure(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s]*@/gi, '$1')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)(\[[^\]\s]*\]|[^/\s:]+)(:\d+)?/gi, '$1<host>')
    .replace(/\[[0-9a-f:.]*:[0-9a-f:.]*\](:\d+)?/gi, '<host>')
    .replace(/\b[a-z0-9-]+(?:\.[a-z0-9-]+)*:\d+\b/gi, (found) => (isHostAndPort(found) ? '<host>' : found))
    .replace(/(?<![0-9a-z])[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}(?![0-9a-z])/gi, '<mac>')
    .replace(
      /\b\d+(\.\d+)?(\s*)(ms|milliseconds?|s|secs?|seconds?|min|minutes?|bytes?|[kmg]i?b)\b/gi,
      'N$2$3',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

/** File names a diagnostic cites as `site.cfg:7`: not a host and port. */
const FILE_EXTENSIONS = new Set([
  'cfg',
  'boot',
  'rom',
  'bin',
  'zip',
  'pem',
  'crt',
  'cer',
  'xml',
  'txt',
  'json',
  'csv',
]);

function isHostAndPort(text: string): boolean {
  const name = text.slice(0, text.lastIndexOf(':')).toLowerCase();
  if (name === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return true;
  const last = name.slice(name.lastIndexOf('.') + 1);
  return name.includes('.') && /^[a-z]+$/.test(last) && !FILE_EXTENSIONS.has(last);
}

/** Where a phone's failure is counted in `phones.failures`. */
export function failureReason(outcome: PhoneOutcome): string {
  return outcome.failure !== undefined && outcome.failure.trim() !== ''
    ? normaliseFailure(outcome.failure)
    : outcome.status;
}

export const byMac = (a: { mac: string }, b: { mac: string }): number =>
  a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0;

/** A record with its keys in sorted (code unit) order: what makes two reports' JSON comparable. */
export function sortedRecord<V, W = V>(
  entries: Iterable<readonly [string, V]>,
  value: (v: V) => W = (v) => v as unknown as W,
): Record<string, W> {
  const record: Record<string, W> = {};
  for (const [key, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    record[key] = value(v);
  return record;
}

type ModelTotals = FleetReport['phones']['byModel'][string];

/** The `phones` section, from the outcomes alone: a merge of shards derives it the same way. */
export function phonesSection(outcomes: readonly PhoneOutcome[]): FleetReport['phones'] {
  const failures = new Map<string, number>();
  const byModel = new Map<
    string,
    { total: number; provisioned: number; failed: number; reboots: number; upgrades: number }
  >();
  let provisioned = 0;
  let reboots = 0;
  let upgrades = 0;
  for (const outcome of outcomes) {
    let model = byModel.get(outcome.model);
    if (!model)
      byModel.set(outcome.model, (model = { total: 0, provisioned: 0, failed: 0, reboots: 0, upgrades: 0 }));
    model.total++;
    model.reboots += outcome.reboots;
    reboots += outcome.reboots;
    if (outcome.upgradedTo !== undefined) {
      model.upgrades++;
      upgrades++;
    }
    if (outcome.status === 'provisioned') {
      model.provisioned++;
      provisioned++;
    } else {
      model.failed++;
      const reason = failureReason(outcome);
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
  }
  return {
    total: outcomes.length,
    provisioned,
    failed: outcomes.length - provisioned,
    reboots,
    upgrades,
    failures: sortedRecord(failures),
    byModel: sortedRecord<ModelTotals>(byModel, (m) => ({ ...m })),
  };
}

/** One file's requests by status: most files only ever see one status, kept without a Map. */
class StatusCounts {
  private firstCount = 0;
  private others: Map<RequestStatus, number> | undefined;
  /** The tally of each status, made when a replayed round first needs it. */
  private tallies: Map<RequestStatus, RequestTally> | undefined;

  constructor(private readonly first: RequestStatus) {}

  add(status: RequestStatus): void {
    if (status === this.first) this.firstCount++;
    else (this.others ??= new Map()).set(status, (this.others.get(status) ?? 0) + 1);
  }

  entries(): [RequestStatus, number][] {
    const all: [RequestStatus, number][] = this.firstCount > 0 ? [[this.first, this.firstCount]] : [];
    if (this.others) all.push(...this.others);
    return all;
  }

  tally(status: RequestStatus, make: () => RequestTally): RequestTally {
    let found = this.tallies?.get(status);
    if (!found) (this.tallies ??= new Map()).set(status, (found = make()));
    return found;
  }
}

/**
 * Where a request of one file with one status is counted, found once: a replayed round (a phone's
 * round that is known to repeat its last one, see roundReplay.ts) counts its requests through these
 * without working out file names and kinds again.
 */
export interface RequestTally {
  readonly file: StatusCounts;
  readonly status: RequestStatus;
  readonly latency: LatencyHistogram;
}

export class FleetMetrics {
  private inFlight = 0;
  private requests = 0;
  private readonly byFile = new Map<string, StatusCounts>();
  private readonly byStatus = new Map<RequestStatus, number>();
  private readonly latency = new Map<RequestKind, LatencyHistogram>();
  private readonly perMinute: number[] = [];
  private readonly perSecond = new Uint32Array(FIRST_HOUR_SECONDS);
  private rounds = 0;
  private reboots = 0;
  private upgrades = 0;
  private done = 0;
  private failed = 0;
  private readonly outcomes: PhoneOutcome[] = [];

  /**
   * @param start the scenario clock (epoch ms) at the start of the run: minute 0 of `load`
   * @param phones the phones this process runs
   */
  constructor(
    private readonly start: number,
    private readonly phones: number,
  ) {}

  private root: string | undefined;
  /** The root's path, for files below it (`root` is its href). */
  private rootPath = '';

  /** Files below this `file:` folder are keyed by their path in it (`/site.cfg`), as a server's are. */
  fileRoot(root: URL): void {
    this.root = root.href.endsWith('/') ? root.href : `${root.href}/`;
    this.rootPath = new URL(this.root).pathname;
  }

  requestStarted(): void {
    this.inFlight++;
  }

  recordRequest(r: { url: URL; status: RequestStatus; latencyMs: number; at: number }): void {
    if (this.inFlight > 0) this.inFlight--;
    this.fileCounts(r.url, r.status).add(r.status);
    this.count(r.status, this.histogram(requestKind(r.url)), r.latencyMs, r.at);
  }

  /** Where a request of `url` with `status` is counted, without counting it. */
  tally(url: URL, status: RequestStatus): RequestTally {
    const file = this.fileCounts(url, status);
    return file.tally(status, () => ({ file, status, latency: this.histogram(requestKind(url)) }));
  }

  /** The requests of a replayed round, started at `at` (virtual time: each took 0 ms). */
  replay(tallies: readonly RequestTally[], at: number): void {
    for (const tally of tallies) {
      tally.file.add(tally.status);
      this.count(tally.status, tally.latency, 0, at);
    }
  }

  /** The key of a request in `byFile`: its path, below the tree's root for a `file:` tree. */
  private fileCounts(url: URL, status: RequestStatus): StatusCounts {
    // The same key as parsing the rest of the href below the root as a path: a URL's href is
    // already normalised, so its pathname below the root's is that path.
    const file =
      this.root && url.href.startsWith(this.root)
        ? decodedPath(url.pathname.slice(this.rootPath.length - 1))
        : fileKey(url);
    let counts = this.byFile.get(file);
    if (!counts) this.byFile.set(file, (counts = new StatusCounts(status)));
    return counts;
  }

  private histogram(kind: RequestKind): LatencyHistogram {
    let histogram = this.latency.get(kind);
    if (!histogram) this.latency.set(kind, (histogram = emptyHistogram()));
    return histogram;
  }

  private count(status: RequestStatus, latency: LatencyHistogram, latencyMs: number, at: number): void {
    this.requests++;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    observe(latency, latencyMs);
    const since = Math.max(0, at - this.start);
    const minute = Math.floor(since / MINUTE_MS);
    while (this.perMinute.length <= minute) this.perMinute.push(0);
    this.perMinute[minute]!++;
    const second = Math.floor(since / SECOND_MS);
    if (second < FIRST_HOUR_SECONDS) this.perSecond[second]!++;
  }

  recordRound(r: { reboot: boolean; upgradedTo?: string }): void {
    this.rounds++;
    if (r.reboot) this.reboots++;
    if (r.upgradedTo !== undefined) this.upgrades++;
  }

  /** A phone's part in the scenario is over, with this outcome. */
  recordPhone(outcome: PhoneOutcome): void {
    this.phoneDone(outcome.status !== 'provisioned');
    this.outcomes.push(outcome);
  }

  /**
   * A phone's part in the scenario is over; its outcome is handed to `report` at the end (a million
   * phones' outcomes are not held while the run goes on).
   */
  phoneDone(failed: boolean): void {
    this.done++;
    if (failed) this.failed++;
  }

  live(elapsedMs: number): LiveStats {
    return {
      phones: this.phones,
      done: this.done,
      failed: this.failed,
      rounds: this.rounds,
      reboots: this.reboots,
      upgrades: this.upgrades,
      requests: this.requests,
      inFlight: this.inFlight,
      requestsByStatus: sortedRecord(this.byStatus),
      latency: this.latencySection(),
      elapsedMs,
    };
  }

  /** The report, with the outcomes recorded and those of `more` phones done (any order). */
  report(
    run: FleetReport['run'],
    emulator: FleetReport['emulator'],
    more: readonly PhoneOutcome[] = [],
  ): FleetReport {
    const outcomes = [...this.outcomes, ...more].sort(byMac);
    const perSecondFirstHour: Record<string, number> = {};
    this.perSecond.forEach((count, second) => {
      if (count > 0) perSecondFirstHour[second] = count;
    });
    return {
      format: FLEET_REPORT_FORMAT,
      run: {
        ...run,
        shards: { count: run.shards.count, indexes: [...run.shards.indexes].sort((a, b) => a - b) },
      },
      phones: phonesSection(outcomes),
      outcomes,
      requests: {
        total: this.requests,
        byFile: sortedRecord(this.byFile, (statuses) => sortedRecord(statuses.entries())),
        byStatus: sortedRecord(this.byStatus),
        latency: this.latencySection(),
      },
      load: { perMinute: [...this.perMinute], perSecondFirstHour },
      emulator,
    };
  }

  private latencySection(): Partial<Record<RequestKind, LatencyHistogram>> {
    return sortedRecord(this.latency, copyHistogram);
  }
}
