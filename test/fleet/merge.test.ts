import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macOrThrow, type Mac } from '../../src/core/mac.js';
import { mergeReports } from '../../src/fleet/merge.js';
import { FleetMetrics } from '../../src/fleet/metrics.js';
import { NotifyMetrics } from '../../src/fleet/notifyMetrics.js';
import { phonesSection } from '../../src/fleet/phonesSection.js';
import { isUnfinished, type FleetReport, type PhoneOutcome } from '../../src/fleet/report.js';
import { shardOfMac } from '../../src/fleet/shard.js';

const START = Date.parse('2026-11-29T10:00:00Z');
const RUN: FleetReport['run'] = {
  scenario: 'boot-storm',
  seed: 'seed-1',
  time: 'virtual',
  start: new Date(START).toISOString(),
  durationMs: 0,
  server: 'http://prov.test/',
  concurrency: 500,
  inventory: 0,
  shards: { count: 1, indexes: [0] },
};

function emulator(verdict: string, n = 1): FleetReport['emulator'] {
  return {
    wallMs: 1000 * n,
    eventLoopDelayP99Ms: 2 * n,
    eventLoopDelayMaxMs: 10 * n,
    cpuPercent: 20 * n,
    heapUsedBytes: 1e6 * n,
    bottleneck: n > 4,
    verdict,
  };
}

type Event =
  | { kind: 'request'; file: string; status: string; latencyMs: number; at: number }
  | { kind: 'round'; reboot: boolean; upgradedTo?: string };

interface SimPhone {
  mac: Mac;
  events: Event[];
  outcome: PhoneOutcome;
}

const macArb = fc
  .integer({ min: 0, max: 0xffffff })
  .map((n) => macOrThrow(`001565${n.toString(16).padStart(6, '0')}`));
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  fc.record({
    kind: fc.constant('request' as const),
    file: fc.constantFrom(
      '{mac}.boot',
      'site.cfg',
      'y000000000108.cfg',
      'phones/{mac}.cfg',
      '{mac}-local.cfg',
      'fw.rom',
      'ca.pem',
    ),
    status: fc.constantFrom('ok', 'ok', 'not-found', 'failed:timeout', 'failed:auth'),
    latencyMs: fc.integer({ min: 0, max: 40_000_000 }).map((n) => n / 997),
    at: fc.integer({ min: 0, max: 2 * 3_600_000 }),
  }),
  fc.record(
    { kind: fc.constant('round' as const), reboot: fc.boolean(), upgradedTo: fc.constant('108.86.0.118') },
    { requiredKeys: ['kind', 'reboot'] },
  ),
);
const outcomeArb = fc.record(
  {
    model: fc.constantFrom('T46U', 'T23G', 'T54W'),
    status: fc.constantFrom(
      'provisioned' as const,
      'failed' as const,
      'no-server' as const,
      'nothing-found' as const,
    ),
    rounds: fc.integer({ min: 0, max: 5 }),
    reboots: fc.integer({ min: 0, max: 3 }),
    upgradedTo: fc.constant('108.86.0.118'),
    failure: fc.constantFrom(
      'D: {mac}.boot: no answer from 10.0.0.{n}:69 within 5000 ms',
      'D: {mac}.boot: no answer from 10.0.0.{n}:69 within 4999 ms',
      'D: site.cfg: HTTP 403',
    ),
  },
  { requiredKeys: ['model', 'status', 'rounds', 'reboots'] },
);
const fleetArb = fc
  .uniqueArray(fc.tuple(macArb, fc.array(eventArb, { maxLength: 8 }), outcomeArb), {
    selector: ([mac]) => mac,
    maxLength: 40,
  })
  .chain((phones) =>
    // The order the events of all phones reach the metrics: interleaved, as in a real run.
    fc
      .shuffledSubarray(
        phones.flatMap(([, events], p) => events.map((_, e) => [p, e] as const)),
        { minLength: phones.reduce((n, [, events]) => n + events.length, 0) },
      )
      .map((order) => ({
        phones: phones.map(([mac, events, outcome], i): SimPhone => ({
          mac,
          events: events.map((e) =>
            e.kind === 'request' ? { ...e, file: e.file.replace('{mac}', mac) } : e,
          ),
          outcome: {
            ...outcome,
            mac,
            ...(outcome.failure && {
              failure: outcome.failure.replace('{mac}', mac).replace('{n}', String(i)),
            }),
          },
        })),
        order,
      })),
  );

/** The report of a run of the given phones, the events fed in the given global order. */
function runReport(
  fleet: { phones: SimPhone[]; order: readonly (readonly [number, number])[] },
  keep: (mac: Mac) => boolean,
  shards: FleetReport['run']['shards'],
  verdict: string,
): FleetReport {
  const phones = fleet.phones.filter((p) => keep(p.mac));
  const metrics = new FleetMetrics(START, phones.length);
  let last = 0;
  for (const [p, e] of fleet.order) {
    const phone = fleet.phones[p]!;
    if (!keep(phone.mac)) continue;
    const event = phone.events[e]!;
    if (event.kind === 'round') {
      metrics.recordRound(event);
      continue;
    }
    metrics.requestStarted();
    metrics.recordRequest({
      url: new URL(event.file, 'http://prov.test/'),
      status: event.status,
      latencyMs: event.latencyMs,
      at: START + event.at,
    });
    last = Math.max(last, event.at);
  }
  for (const phone of phones) metrics.recordPhone(phone.outcome);
  return metrics.report(
    { ...RUN, inventory: fleet.phones.length, durationMs: last, shards },
    emulator(verdict),
  );
}

/** Everything a merge must reproduce exactly: all but the shards covered and the emulator's health. */
function comparable(report: FleetReport): string {
  const { emulator: _emulator, run, ...rest } = report;
  const { shards: _shards, ...runRest } = run;
  return JSON.stringify({ run: runRest, ...rest });
}

describe('fleet merge: shards add up to the unsharded run', () => {
  it('gives, byte for byte, the report of the whole run (property)', () => {
    fc.assert(
      fc.property(fleetArb, fc.integer({ min: 1, max: 6 }), (fleet, count) => {
        const whole = runReport(fleet, () => true, { count: 1, indexes: [0] }, 'kept up');
        const shards = Array.from({ length: count }, (_, index) =>
          runReport(fleet, (mac) => shardOfMac(mac, count) === index, { count, indexes: [index] }, 'kept up'),
        );
        const merged = mergeReports(shards);
        expect(comparable(merged)).toBe(comparable(whole));
        expect(merged.run.shards).toMatchObject({
          count,
          indexes: Array.from({ length: count }, (_, i) => i),
        });
        expect(merged.run.shards.runs?.map((r) => r.indexes)).toEqual(
          Array.from({ length: count }, (_, i) => [i]),
        );
        // Merging in another order, or in two steps, changes nothing.
        expect(JSON.stringify(mergeReports([...shards].reverse()))).toBe(JSON.stringify(merged));
        if (count > 2) {
          const twoSteps = mergeReports([mergeReports(shards.slice(0, 2)), ...shards.slice(2)]);
          expect(JSON.stringify(twoSteps)).toBe(JSON.stringify(merged));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('sums the emulator’s health as worst cases, and labels differing verdicts by shard', () => {
    const base = { ...RUN, shards: { count: 3, indexes: [0] } };
    const metrics = new FleetMetrics(START, 0);
    const a = metrics.report(
      { ...base, shards: { count: 3, indexes: [2] } },
      emulator('the emulator kept up: p99 3 ms', 1),
    );
    const b = metrics.report(
      { ...base, shards: { count: 3, indexes: [0] } },
      emulator('the emulator was the bottleneck', 5),
    );
    const merged = mergeReports([a, b]);
    expect(merged.emulator).toEqual({
      wallMs: 5000,
      eventLoopDelayP99Ms: 10,
      eventLoopDelayMaxMs: 50,
      cpuPercent: 100,
      heapUsedBytes: 5e6,
      bottleneck: true,
      verdict: 'shard 0: the emulator was the bottleneck; shard 2: the emulator kept up: p99 3 ms',
    });
    expect(merged.run.shards).toMatchObject({ count: 3, indexes: [0, 2] });
    // Each shard's own health is kept beside the worst cases.
    expect(merged.run.shards.runs?.map((r) => [r.indexes, r.emulator.verdict])).toEqual([
      [[0], 'the emulator was the bottleneck'],
      [[2], 'the emulator kept up: p99 3 ms'],
    ]);
    const same = mergeReports([a, { ...b, emulator: emulator('the emulator kept up: p99 3 ms') }]);
    expect(same.emulator.verdict).toBe('the emulator kept up: p99 3 ms');
  });

  it('takes the longest duration', () => {
    const metrics = new FleetMetrics(START, 0);
    const a = metrics.report({ ...RUN, durationMs: 10, shards: { count: 2, indexes: [0] } }, emulator('x'));
    const b = metrics.report({ ...RUN, durationMs: 70, shards: { count: 2, indexes: [1] } }, emulator('x'));
    expect(mergeReports([a, b]).run.durationMs).toBe(70);
  });
});

describe('fleet merge of real-time shards (issue #15): one time axis from the earliest start', () => {
  const real = { ...RUN, time: 'real' as const };
  /** A shard that started `afterMs` after START and sent `perSecond` requests in its own seconds. */
  function shard(index: number, afterMs: number, perSecond: Record<number, number>, durationMs: number) {
    const metrics = new FleetMetrics(START + afterMs, 0);
    for (const [second, n] of Object.entries(perSecond))
      for (let i = 0; i < n; i++)
        metrics.recordRequest({
          url: new URL('http://prov.test/y000000000000.boot'),
          status: 'ok',
          latencyMs: 3,
          at: START + afterMs + Number(second) * 1000 + 10,
        });
    return metrics.report(
      {
        ...real,
        start: new Date(START + afterMs).toISOString(),
        durationMs,
        shards: { count: 2, indexes: [index] },
      },
      emulator(`shard ${index} kept up`),
    );
  }

  it('merges shards started 11 ms apart: counts add up, the axis starts at the earliest', () => {
    const a = shard(0, 0, { 0: 5, 1: 7 }, 2_000);
    const b = shard(1, 11, { 0: 4, 2: 1 }, 3_000);
    const merged = mergeReports([b, a]);
    expect(merged.run.start).toBe(new Date(START).toISOString());
    expect(merged.run.durationMs).toBe(3_011);
    expect(merged.requests.total).toBe(17);
    expect(merged.requests.byFile).toEqual({ '/y000000000000.boot': { ok: 17 } });
    expect(merged.load.perSecondFirstHour).toEqual({ 0: 9, 1: 7, 2: 1 });
    expect(merged.load.perMinute).toEqual([17]);
    expect(
      merged.run.shards.runs?.map((r) => [r.indexes, r.start, r.durationMs, r.emulator.verdict]),
    ).toEqual([
      [[0], new Date(START).toISOString(), 2_000, 'shard 0 kept up'],
      [[1], new Date(START + 11).toISOString(), 3_000, 'shard 1 kept up'],
    ]);
  });

  it('shifts a shard that started seconds (or minutes) later by its start, rounded to the step', () => {
    const a = shard(0, 0, { 0: 1 }, 1_000);
    const b = shard(1, 61_600, { 0: 2, 3: 1 }, 4_000);
    const merged = mergeReports([a, b]);
    // 61.6 s later: second 0 of shard 1 is second 62 of the run, its minute 0 is minute 1.
    expect(merged.load.perSecondFirstHour).toEqual({ 0: 1, 62: 2, 65: 1 });
    expect(merged.load.perMinute).toEqual([1, 3]);
    expect(merged.run.durationMs).toBe(65_600);
  });

  it('still refuses virtual-time shards of different starts: another --start is another run', () => {
    const metrics = new FleetMetrics(START, 0);
    const v = (index: number, start: string) =>
      metrics.report({ ...RUN, start, shards: { count: 2, indexes: [index] } }, emulator('x'));
    expect(() => mergeReports([v(0, RUN.start), v(1, new Date(START + 11).toISOString())])).toThrow(
      /has start .* but/,
    );
  });
});

describe('fleet merge refuses reports that are not shards of one run', () => {
  const metrics = new FleetMetrics(START, 0);
  const shard = (index: number, run: Partial<FleetReport['run']> = {}) =>
    metrics.report({ ...RUN, shards: { count: 4, indexes: [index] }, ...run }, emulator('x'));

  it.each([
    ['seed', { seed: 'seed-2' }],
    ['scenario', { scenario: 'life' as const }],
    ['time', { time: 'real' as const }],
    ['start', { start: '2026-11-30T10:00:00.000Z' }],
    ['server', { server: 'http://other.test/' }],
    ['tree', { tree: 'file:///other/', server: 'http://127.0.0.1:4242/' }],
    ['concurrency', { concurrency: 1 }],
    ['inventory', { inventory: 7 }],
  ])('with another %s', (key, change) => {
    expect(() => mergeReports([shard(0), shard(1, change)])).toThrow(new RegExp(`has ${key} .* but`));
  });

  it('cut into another number of shards', () => {
    expect(() => mergeReports([shard(0), shard(1, { shards: { count: 8, indexes: [1] } })])).toThrow(
      /cut into 8 shards but .* into 4/,
    );
  });

  it('overlapping', () => {
    expect(() => mergeReports([shard(0), shard(1), shard(1)])).toThrow(
      /shard 1 is in report #2 and report #3/,
    );
    const both = mergeReports([shard(2), shard(3)]);
    expect(() => mergeReports([both, shard(3)])).toThrow(/shard 3 is in report #1 and report #2/);
  });

  it('of another format', () => {
    const other = { ...shard(1), format: 'autop-fleet-report/2' } as unknown as FleetReport;
    expect(() => mergeReports([shard(0), other])).toThrow(/report #2 is "autop-fleet-report\/2"/);
  });

  it('with the same phone twice', () => {
    const one = new FleetMetrics(START, 1);
    one.recordPhone({ mac: '001565000001', model: 'T46U', status: 'provisioned', rounds: 1, reboots: 0 });
    const a = one.report({ ...RUN, shards: { count: 2, indexes: [0] } }, emulator('x'));
    const b = one.report({ ...RUN, shards: { count: 2, indexes: [1] } }, emulator('x'));
    expect(() => mergeReports([a, b])).toThrow(/phone 001565000001 is in two reports/);
  });

  it('none at all', () => {
    expect(() => mergeReports([])).toThrow(/no report to merge/);
  });
});

describe('fleet merge: NOTIFYs and interrupted shards (issue #15)', () => {
  const real = { ...RUN, time: 'real' as const, scenario: 'notify-storm' as const };
  const from = { address: '127.0.0.1', port: 5060 };

  /** A real-time shard's report: its NOTIFYs, and the phones it finished or not. */
  function shard(
    index: number,
    afterMs: number,
    notifies: { status: number; latencyMs: number; transmissions: number }[],
    outcomes: PhoneOutcome[],
    interrupted?: { signal: string; atMs: number },
  ): FleetReport {
    const notify = new NotifyMetrics();
    for (const n of notifies) {
      notify.sentOne();
      notify.ended({ kind: 'answered', reason: '', from, provisional: [], ...n });
      notify.round(true);
    }
    const metrics = new FleetMetrics(START + afterMs, outcomes.length);
    for (const o of outcomes) if (!isUnfinished(o.status)) metrics.recordPhone(o);
    const report = metrics.report(
      {
        ...real,
        start: new Date(START + afterMs).toISOString(),
        durationMs: 5_000,
        shards: { count: 2, indexes: [index] },
      },
      emulator('kept up'),
    );
    return {
      ...report,
      run: { ...report.run, ...(interrupted && { interrupted }) },
      phones: phonesSection(outcomes),
      outcomes: [...outcomes].sort((a, b) => (a.mac < b.mac ? -1 : 1)),
      notify: notify.figures(),
    };
  }
  const phone = (mac: string, status: PhoneOutcome['status']): PhoneOutcome => ({
    mac,
    model: 'T46U',
    status,
    rounds: status === 'not-started' ? 0 : 2,
    reboots: status === 'not-started' ? 0 : 1,
  });

  it('adds up the NOTIFY figures: counts, answers by status, latency buckets', () => {
    const a = shard(
      0,
      0,
      [
        { status: 200, latencyMs: 3, transmissions: 1 },
        { status: 404, latencyMs: 1, transmissions: 1 },
      ],
      [phone('001565000001', 'provisioned'), phone('001565000002', 'failed')],
    );
    const b = shard(
      1,
      7,
      [{ status: 200, latencyMs: 700, transmissions: 2 }],
      [phone('001565000003', 'provisioned')],
    );
    const merged = mergeReports([a, b]);
    expect(merged.notify).toMatchObject({
      sent: 3,
      answered: { '200': 2, '404': 1 },
      timeouts: 0,
      notSent: 0,
      retransmissions: 1,
      rounds: 3,
      reboots: 3,
    });
    expect(merged.notify!.latency).toMatchObject({ count: 3, maxMs: 700, sumMs: 704 });
    expect(merged.run.interrupted).toBeUndefined();
  });

  it('makes the run interrupted at the earliest stop, keeps each shard’s, and counts unfinished phones apart', () => {
    const a = shard(0, 0, [], [phone('001565000001', 'provisioned'), phone('001565000002', 'interrupted')], {
      signal: 'SIGTERM',
      atMs: 4_000,
    });
    const b = shard(1, 2_000, [], [phone('001565000003', 'not-started'), phone('001565000004', 'failed')], {
      signal: 'SIGINT',
      atMs: 1_000,
    });
    const merged = mergeReports([a, b]);
    // b stopped 1 s into its run, which began 2 s after a's: 3 s on the common axis, before a's 4 s.
    expect(merged.run.interrupted).toEqual({ signal: 'SIGINT', atMs: 3_000 });
    expect(merged.run.shards.runs?.map((r) => r.interrupted)).toEqual([
      { signal: 'SIGTERM', atMs: 4_000 },
      { signal: 'SIGINT', atMs: 1_000 },
    ]);
    expect(merged.phones).toMatchObject({
      total: 4,
      provisioned: 1,
      failed: 1,
      interrupted: 1,
      notStarted: 1,
    });
    expect(Object.values(merged.phones.failures).reduce((x, y) => x + y, 0)).toBe(1);
  });
});
