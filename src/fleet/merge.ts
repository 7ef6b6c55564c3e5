// `autop fleet merge` (issue #8 §6): shard reports of one run added up into the report the
// unsharded run of the same seed would have written; only `emulator` (measured) is summarised.
import { mergeHistograms, copyHistogram } from './histogram.js';
import { byMac, phonesSection, sortedRecord } from './metrics.js';
import {
  FLEET_REPORT_FORMAT,
  type FleetReport,
  type LatencyHistogram,
  type PhoneOutcome,
  type RequestKind,
} from './report.js';

/** The run settings every shard must share: otherwise the shards are of different runs. */
const SAME_RUN = ['scenario', 'seed', 'time', 'start', 'server', 'concurrency', 'inventory'] as const;

export function mergeReports(reports: readonly FleetReport[]): FleetReport {
  const first = reports[0];
  if (!first) throw new Error('fleet merge: no report to merge; give the JSON report of each shard');
  checkSameRun(reports);
  const indexes = shardIndexes(reports);

  const outcomes = mergeOutcomes(reports);
  return {
    format: FLEET_REPORT_FORMAT,
    run: {
      ...first.run,
      durationMs: Math.max(...reports.map((r) => r.run.durationMs)),
      shards: { count: first.run.shards.count, indexes },
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
      perMinute: addArrays(reports.map((r) => r.load.perMinute)),
      perSecondFirstHour: mergeCounts(reports.map((r) => r.load.perSecondFirstHour)),
    },
    emulator: mergeEmulator(reports),
  };
}

function label(report: FleetReport, i: number): string {
  const shards = report.run.shards.indexes;
  return `the report of shard${shards.length === 1 ? '' : 's'} ${shards.join(', ') || `#${i + 1}`}`;
}

function checkSameRun(reports: readonly FleetReport[]): void {
  const first = reports[0]!;
  reports.forEach((report, i) => {
    if ((report.format as string) !== FLEET_REPORT_FORMAT) {
      throw new Error(
        `fleet merge: report #${i + 1} is "${String(report.format)}", not ${FLEET_REPORT_FORMAT}; merge reports of the same autop version`,
      );
    }
    for (const key of SAME_RUN) {
      if (report.run[key] !== first.run[key]) {
        throw new Error(
          `fleet merge: ${label(report, i)} has ${key} ${JSON.stringify(report.run[key])} but ${label(first, 0)} has ${JSON.stringify(first.run[key])}; the shards must come from one run (same arguments and seed)`,
        );
      }
    }
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

function mergeOutcomes(reports: readonly FleetReport[]): PhoneOutcome[] {
  const outcomes = reports.flatMap((r) => r.outcomes).sort(byMac);
  for (let i = 1; i < outcomes.length; i++) {
    if (outcomes[i]!.mac === outcomes[i - 1]!.mac) {
      throw new Error(`fleet merge: phone ${outcomes[i]!.mac} is in two reports; the shards overlap`);
    }
  }
  return outcomes;
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
