// Fleet reports and live stats written by hand for the printers' tests: a 10,000-phone boot storm
// of two models, with failures of two kinds, an upgrade rollout on one model, and a server that
// slows down under the storm.
import {
  FLEET_REPORT_FORMAT,
  LATENCY_BOUNDS_MS,
  type FleetReport,
  type LatencyHistogram,
  type LiveStats,
  type NotifyFigures,
  type PhoneOutcome,
} from '../../src/fleet/report.js';

/** A histogram from per-bucket counts (shorter arrays are padded with zeros). */
export function histogram(counts: number[], maxMs: number): LatencyHistogram {
  const full = [...counts, ...new Array<number>(LATENCY_BOUNDS_MS.length + 1 - counts.length).fill(0)];
  const count = full.reduce((sum, n) => sum + n, 0);
  // A plausible sum: each request at its bucket's bound (the overflow bucket at maxMs).
  const sumMs = full.reduce((sum, n, i) => sum + n * (LATENCY_BOUNDS_MS[i] ?? maxMs), 0);
  return { counts: full, count, sumMs, maxMs };
}

function totals(byFile: Record<string, Record<string, number>>): {
  total: number;
  byStatus: Record<string, number>;
} {
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const statuses of Object.values(byFile))
    for (const [status, n] of Object.entries(statuses)) {
      byStatus[status] = (byStatus[status] ?? 0) + n;
      total += n;
    }
  return { total, byStatus };
}

export interface FixtureOptions {
  /** How many per-phone MAC files besides the common ones (default 4). */
  readonly macFiles?: number;
  readonly bottleneck?: boolean;
  /** How many other files, each requested once (to test a list longer than the printers show). */
  readonly otherFiles?: number;
  /** An extra file name, requested once and not found (to test escaping). */
  readonly oddFile?: string;
  /** A failure reason for one more failed phone (to test escaping). */
  readonly oddFailure?: string;
}

export function fleetReport(options: FixtureOptions = {}): FleetReport {
  const byFile: Record<string, Record<string, number>> = {
    '/00156574b150.boot': { ok: 1 },
    '/site.cfg': { ok: 9_980, 'failed:http-status': 20 },
    '/y000000000108.cfg': { ok: 6_000 },
    '/y000000000044.cfg': { ok: 3_970, 'failed:timeout': 30 },
    '/firmware/T46U-108.86.0.120.rom': { ok: 120 },
    '/y000000000000.boot': { ok: 9_999 },
  };
  for (let i = 0; i < (options.macFiles ?? 4); i++) {
    const mac = `0015650${(0x10000 + i).toString(16).padStart(5, '0')}`;
    byFile[`/phones/${mac}.cfg`] = { ok: 1 };
    byFile[`/${mac}-local.cfg`] = { 'not-found': 1 };
  }
  for (let i = 0; i < (options.otherFiles ?? 0); i++) byFile[`/media/ringtone-${i}.wav`] = { ok: 1 };
  if (options.oddFile !== undefined) byFile[options.oddFile] = { 'not-found': 1 };
  const { total, byStatus } = totals(byFile);

  const failures: Record<string, number> = {
    'timeout: no answer from http://<host>/y000000000044.cfg after 3 attempts': 30,
    'http-status: HTTP 503 Service Unavailable for http://<host>/site.cfg': 20,
  };
  if (options.oddFailure !== undefined) failures[options.oddFailure] = 1;
  const extra = options.oddFailure !== undefined ? 1 : 0;

  const outcomes: PhoneOutcome[] = [
    {
      mac: '00:15:65:00:00:01',
      model: 'T23G',
      status: 'failed',
      rounds: 1,
      reboots: 0,
      failure: 'timeout: no answer from http://<host>/y000000000044.cfg after 3 attempts',
    },
    {
      mac: '00:15:65:00:00:02',
      model: 'T46U',
      status: 'provisioned',
      rounds: 1,
      reboots: 1,
      upgradedTo: '108.86.0.120',
    },
    {
      mac: '00:15:65:00:00:03',
      model: 'T46U',
      status: 'failed',
      rounds: 1,
      reboots: 0,
      failure: 'http-status: HTTP 503 Service Unavailable for http://<host>/site.cfg',
    },
  ];
  if (options.oddFailure !== undefined)
    outcomes.push({
      mac: '00:15:65:<b>x</b>',
      model: 'T46U',
      status: 'failed',
      rounds: 1,
      reboots: 0,
      failure: options.oddFailure,
    });

  const perSecondFirstHour: Record<string, number> = {};
  const storm = [40, 310, 890, 1_204, 1_150, 980, 760, 540, 420, 300];
  storm.forEach((n, second) => (perSecondFirstHour[String(second)] = n));
  for (let second = 10; second < 60; second++) perSecondFirstHour[String(second)] = 55;
  perSecondFirstHour['61'] = 12;

  return {
    format: FLEET_REPORT_FORMAT,
    run: {
      scenario: 'boot-storm',
      seed: 'storm-1',
      time: 'virtual',
      start: '2026-11-28T09:00:00.000Z',
      durationMs: 3_600_000,
      server: 'http://prov.example.com/',
      concurrency: 500,
      inventory: 10_000 + extra,
      shards: { count: 1, indexes: [0] },
    },
    phones: {
      total: 10_000 + extra,
      provisioned: 9_950,
      failed: 50 + extra,
      reboots: 9_950,
      upgrades: 120,
      failures,
      byModel: {
        T23G: { total: 4_000, provisioned: 3_970, failed: 30, reboots: 3_970, upgrades: 0 },
        T46U: { total: 6_000 + extra, provisioned: 5_980, failed: 20 + extra, reboots: 5_980, upgrades: 120 },
      },
    },
    outcomes,
    requests: {
      total,
      byFile,
      byStatus,
      latency: {
        boot: histogram([0, 0, 40, 2_100, 5_200, 2_100, 400, 160], 187.5),
        config: histogram([0, 0, 300, 4_000, 9_000, 5_000, 1_200, 420, 29, 0, 0, 0, 0, 0, 30], 31_002),
        'mac-local': histogram([0, 0, 2, 5, 1], 14.25),
        firmware: histogram([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 90, 20], 8_640),
      },
    },
    load: {
      perMinute: [7_540, 3_300, 2_100, 1_800, 900, 700, 420, 300, 250, 240, 10, 0, 0, 5],
      perSecondFirstHour,
    },
    emulator: options.bottleneck
      ? {
          wallMs: 96_400,
          eventLoopDelayP99Ms: 870,
          eventLoopDelayMaxMs: 2_310,
          cpuPercent: 99.6,
          heapUsedBytes: 1_480_000_000,
          bottleneck: true,
          verdict:
            'the emulator was the bottleneck: its event loop lagged 870 ms (p99) at 100% of a core; the server may take more than this run shows',
        }
      : {
          wallMs: 41_800,
          eventLoopDelayP99Ms: 12.4,
          eventLoopDelayMaxMs: 38,
          cpuPercent: 71.2,
          heapUsedBytes: 212_000_000,
          bottleneck: false,
          verdict:
            'the server was the limit: the emulator kept up (event-loop delay p99 12 ms, 71% of a core)',
        },
  };
}

export function liveStats(overrides: Partial<LiveStats> = {}): LiveStats {
  return {
    phones: 10_000,
    done: 4_210,
    failed: 3,
    rounds: 4_300,
    reboots: 4_100,
    upgrades: 12,
    requests: 17_350,
    inFlight: 480,
    requestsByStatus: { ok: 17_200, 'not-found': 140, 'failed:timeout': 10 },
    latency: {
      boot: histogram([0, 0, 40, 2_100, 1_500, 400], 48),
      config: histogram([0, 0, 300, 4_000, 6_000, 1_200, 0, 0, 0, 0, 0, 0, 0, 0, 7], 30_800),
    },
    elapsedMs: 1_200_000,
    ...overrides,
  };
}

/** The NOTIFYs of a real-time storm of 10,000 phones: a few answered 404, some late, two never. */
export function notifyFigures(): NotifyFigures {
  return {
    sent: 10_000,
    answered: { '200': 9_990, '404': 8 },
    timeouts: 2,
    notSent: 0,
    retransmissions: 31,
    latency: histogram([0, 120, 2_400, 5_100, 1_900, 440, 30, 0, 0, 8], 934),
    rounds: 9_990,
    reboots: 9_990,
  };
}

/** The storm as a notify-storm over SIP, stopped by Ctrl-C 42 s in with 35 phones not finished. */
export function interruptedNotifyStorm(): FleetReport {
  const report = fleetReport();
  return {
    ...report,
    run: {
      ...report.run,
      scenario: 'notify-storm',
      time: 'real',
      interrupted: { signal: 'SIGINT', atMs: 42_000 },
    },
    phones: { ...report.phones, provisioned: report.phones.provisioned - 35, interrupted: 30, notStarted: 5 },
    outcomes: [
      ...report.outcomes,
      { mac: '00:15:65:00:00:04', model: 'T46U', status: 'interrupted', rounds: 1, reboots: 0 },
      { mac: '00:15:65:00:00:05', model: 'T23G', status: 'not-started', rounds: 0, reboots: 0 },
    ],
    notify: notifyFigures(),
  };
}
