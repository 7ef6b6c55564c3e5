// `autop fleet merge` (issue #8 §6, issue #15): shard reports of one run added up into the report of
// the whole fleet. What adds up exactly: phones and their outcomes, requests per file and status,
// latency histograms (fixed buckets), requests per minute and per second. In virtual time every
// shard starts at the same instant, so the merge equals the unsharded run of the same seed. Real-time
// shards (Kubernetes pods) start moments apart: their load series are put on one time axis from the
// earliest start, each shifted by its own start rounded to the series' step (a second, a minute),
// so a request may land one step off: per-second peaks across shards are close, not exact. Each
// shard's start, length, server and emulator health are kept in `run.shards.runs`. The NOTIFY
// figures are sums and a fixed-bucket histogram: they add up exactly. A shard that was interrupted
// makes the merged run interrupted, at the earliest stop on the common time axis.
import { mergeHistograms, copyHistogram } from './histogram.js';
import { byMac, sortedRecord } from './metrics.js';
import { phonesSection } from './phonesSection.js';
import {
  FLEET_REPORT_FORMAT,
  type FleetReport,
  type Interruption,
  type LatencyHistogram,
  type NotifyFigures,
  type PhoneOutcome,
  type RequestKind,
  type ShardRun,
} from './report.js';

/** The run settings every shard must share: otherwise the shards are of different runs. */
const SAME_RUN = ['scenario', 'seed', 'time', 'concurrency', 'inventory'] as const;

const FIRST_HOUR_SECONDS = 3_600;

export function mergeReports(reports: readonly FleetReport[]): FleetReport {
  const first = reports[0];
  if (!first) throw new Error('fleet merge: no report to merge; give the JSON report of each shard');
  checkSameRun(reports);
  const indexes = shardIndexes(reports);
  const starts = reports.map((r) => Date.parse(r.run.start));
  const earliest = Math.min(...starts);
  const offsets = starts.map((start) => start - earliest);

  const outcomes = mergeOutcomes(reports);
  const servers = [...new Set(reports.map((r) => r.run.server))];
  const interrupted = earliestStop(reports, offsets);
  const notify = mergeNotify(reports.flatMap((r) => (r.notify ? [r.notify] : [])));
  return {
    format: FLEET_REPORT_FORMAT,
    run: {
      ...first.run,
      start: new Date(earliest).toISOString(),
      // From the earliest start to the latest end.
      durationMs: Math.max(...reports.map((r, i) => offsets[i]! + r.run.durationMs)),
      // --tree in real time: each shard had an embedded server of its own (same tree, other ports).
      server: servers.join(', '),
      shards: { count: first.run.shards.count, indexes, runs: shardRuns(reports) },
      ...(interrupted && { interrupted }),
    },
    // Derived from the outcomes, as `report()` derives it: the same phones give the same section.
    phones: phonesSection(outcomes),
    outcomes,
    requests: {
      total: sum(reports.map((r) => r.requests.total)),
      byFile: mergeNested(reports.map((r) => r.requests.byFile)),
      byStatus: mergeCounts(reports.map((r) => r.requests.byStatus)),
      latency: mergeLatency(reports.map((r) => r.requests.latency)),
    },
    load: {
      perMinute: addArrays(
        reports.map((r, i) => shiftArray(r.load.perMinute, Math.round(offsets[i]! / 60_000))),
      ),
      perSecondFirstHour: mergeCounts(
        reports.map((r, i) => shiftSeconds(r.load.perSecondFirstHour, Math.round(offsets[i]! / 1_000))),
      ),
    },
    emulator: mergeEmulator(reports),
    // Last, as a run's own report has it: the JSON of a merge equals the unsharded run's.
    ...(notify && { notify }),
  };
}

function label(report: FleetReport, i: number): string {
  const shards = report.run.shards.indexes;
  return `the report of shard${shards.length === 1 ? '' : 's'} ${shards.join(', ') || `#${i + 1}`}`;
}

/** What the phones fetched from: the tree when there is one (real-time shards serve it on ports of their own). */
function sourceOf(report: FleetReport): string {
  return report.run.tree ?? report.run.server;
}

function checkSameRun(reports: readonly FleetReport[]): void {
  const first = reports[0]!;
  const differ = (report: FleetReport, i: number, key: string, value: unknown, expected: unknown): Error =>
    new Error(
      `fleet merge: ${label(report, i)} has ${key} ${JSON.stringify(value)} but ${label(first, 0)} has ${JSON.stringify(expected)}; the shards must come from one run (same arguments and seed)`,
    );
  reports.forEach((report, i) => {
    if ((report.format as string) !== FLEET_REPORT_FORMAT) {
      throw new Error(
        `fleet merge: report #${i + 1} is "${String(report.format)}", not ${FLEET_REPORT_FORMAT}; merge reports of the same autop version`,
      );
    }
    if (Number.isNaN(Date.parse(report.run.start)))
      throw new Error(`fleet merge: ${label(report, i)} has no readable start time (${report.run.start})`);
    for (const key of SAME_RUN) {
      if (report.run[key] !== first.run[key]) throw differ(report, i, key, report.run[key], first.run[key]);
    }
    if (sourceOf(report) !== sourceOf(first))
      throw differ(report, i, report.run.tree ? 'tree' : 'server', sourceOf(report), sourceOf(first));
    // Virtual-time shards all start at the scenario's start (--start): another start is another run.
    if (report.run.time === 'virtual' && report.run.start !== first.run.start)
      throw differ(report, i, 'start', report.run.start, first.run.start);
    if (report.run.shards.count !== first.run.shards.count) {
      throw new Error(
        `fleet merge: ${label(report, i)} was cut into ${report.run.shards.count} shards but ${label(first, 0)} into ${first.run.shards.count}; merge shards of one --shard I/N split`,
      );
    }
  });
}

function shardIndexes(reports: readonly FleetReport[]): number[] {
  const owner = new Map<number, number>();
  reports.forEach((report, i) => {
    for (const index of report.run.shards.indexes) {
      if (!Number.isInteger(index) || index < 0 || index >= report.run.shards.count) {
        throw new Error(
          `fleet merge: report #${i + 1} names shard ${index} of ${report.run.shards.count}; shards count from 0 to ${report.run.shards.count - 1}`,
        );
      }
      const earlier = owner.get(index);
      if (earlier !== undefined) {
        throw new Error(
          `fleet merge: shard ${index} is in report #${earlier + 1} and report #${i + 1}; give each shard's report once`,
        );
      }
      owner.set(index, i);
    }
  });
  return [...owner.keys()].sort((a, b) => a - b);
}

/** Every shard process's own figures; a report that is itself a merge brings its list. */
function shardRuns(reports: readonly FleetReport[]): ShardRun[] {
  return reports
    .flatMap(
      (r): ShardRun[] =>
        r.run.shards.runs ?? [
          {
            indexes: [...r.run.shards.indexes],
            start: r.run.start,
            durationMs: r.run.durationMs,
            server: r.run.server,
            emulator: r.emulator,
            ...(r.run.interrupted && { interrupted: r.run.interrupted }),
          },
        ],
    )
    .sort((a, b) => Math.min(...a.indexes) - Math.min(...b.indexes));
}

function mergeOutcomes(reports: readonly FleetReport[]): PhoneOutcome[] {
  const outcomes = reports.flatMap((r) => r.outcomes).sort(byMac);
  for (let i = 1; i < outcomes.length; i++) {
    if (outcomes[i]!.mac === outcomes[i - 1]!.mac) {
      throw new Error(`fleet merge: phone ${outcomes[i]!.mac} is in two reports; the shards overlap`);
    }
  }
  return outcomes;
}

/** The first stop of an interrupted shard, on the merged run's time axis. */
function earliestStop(reports: readonly FleetReport[], offsets: readonly number[]): Interruption | undefined {
  let first: Interruption | undefined;
  reports.forEach((r, i) => {
    const stop = r.run.interrupted;
    if (!stop) return;
    const atMs = offsets[i]! + stop.atMs;
    if (!first || atMs < first.atMs) first = { signal: stop.signal, atMs };
  });
  return first;
}

/** The NOTIFY figures of the shards that sent NOTIFYs, added up. */
function mergeNotify(all: readonly NotifyFigures[]): NotifyFigures | undefined {
  if (all.length === 0) return undefined;
  const total = (pick: (n: NotifyFigures) => number) => sum(all.map(pick));
  return {
    sent: total((n) => n.sent),
    answered: mergeCounts(all.map((n) => n.answered)),
    timeouts: total((n) => n.timeouts),
    notSent: total((n) => n.notSent),
    retransmissions: total((n) => n.retransmissions),
    latency: all.slice(1).reduce((h, n) => mergeHistograms(h, n.latency), copyHistogram(all[0]!.latency)),
    rounds: total((n) => n.rounds),
    reboots: total((n) => n.reboots),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mergeCounts(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total = new Map<string, number>();
  for (const record of records) {
    for (const [key, n] of Object.entries(record)) total.set(key, (total.get(key) ?? 0) + n);
  }
  return sortedRecord(total);
}

/** The per-second counts of a shard that started `by` seconds after the earliest, on the common axis. */
function shiftSeconds(record: Readonly<Record<string, number>>, by: number): Record<string, number> {
  const shifted: Record<string, number> = {};
  for (const [second, n] of Object.entries(record)) {
    const at = Number(second) + by;
    // The series covers the first hour of the merged run.
    if (at < FIRST_HOUR_SECONDS) shifted[at] = n;
  }
  return shifted;
}

function shiftArray(values: readonly number[], by: number): number[] {
  return [...new Array<number>(by).fill(0), ...values];
}

function mergeNested(
  records: readonly Readonly<Record<string, Record<string, number>>>[],
): Record<string, Record<string, number>> {
  const byKey = new Map<string, Record<string, number>[]>();
  for (const record of records) {
    for (const [key, inner] of Object.entries(record)) {
      const list = byKey.get(key) ?? [];
      list.push(inner);
      byKey.set(key, list);
    }
  }
  return sortedRecord(byKey, mergeCounts);
}

function mergeLatency(
  sections: readonly Partial<Record<RequestKind, LatencyHistogram>>[],
): Partial<Record<RequestKind, LatencyHistogram>> {
  const byKind = new Map<string, LatencyHistogram>();
  for (const section of sections) {
    for (const [kind, h] of Object.entries(section)) {
      if (!h) continue;
      const earlier = byKind.get(kind);
      byKind.set(kind, earlier ? mergeHistograms(earlier, h) : copyHistogram(h));
    }
  }
  return sortedRecord(byKind);
}

/** Element-wise sums; the result is as long as the longest. */
function addArrays(arrays: readonly (readonly number[])[]): number[] {
  const result = new Array<number>(Math.max(0, ...arrays.map((a) => a.length))).fill(0);
  for (const array of arrays) array.forEach((n, i) => (result[i]! += n));
  return result;
}

function mergeEmulator(reports: readonly FleetReport[]): FleetReport['emulator'] {
  const all = reports.map((r) => r.emulator);
  const verdicts = all.map((e) => e.verdict);
  const verdict = verdicts.every((v) => v === verdicts[0])
    ? verdicts[0]!
    : [...reports]
        .sort((a, b) => Math.min(...a.run.shards.indexes) - Math.min(...b.run.shards.indexes))
        .map((r) => {
          const shards = r.run.shards.indexes;
          return `${shards.length === 1 ? 'shard' : 'shards'} ${shards.join(', ')}: ${r.emulator.verdict}`;
        })
        .join('; ');
  return {
    wallMs: Math.max(...all.map((e) => e.wallMs)),
    eventLoopDelayP99Ms: Math.max(...all.map((e) => e.eventLoopDelayP99Ms)),
    eventLoopDelayMaxMs: Math.max(...all.map((e) => e.eventLoopDelayMaxMs)),
    cpuPercent: Math.max(...all.map((e) => e.cpuPercent)),
    heapUsedBytes: Math.max(...all.map((e) => e.heapUsedBytes)),
    bottleneck: all.some((e) => e.bottleneck),
    verdict,
  };
}
