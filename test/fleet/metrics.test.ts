import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyHistogram, mergeHistograms, observe, percentile } from '../../src/fleet/histogram.js';
import { FleetMetrics, normaliseFailure, requestKind } from '../../src/fleet/metrics.js';
import { LATENCY_BOUNDS_MS, type FleetReport, type PhoneOutcome } from '../../src/fleet/report.js';

const START = Date.parse('2026-11-29T10:00:00Z');
const RUN: FleetReport['run'] = {
  scenario: 'boot-storm',
  seed: 's',
  time: 'virtual',
  start: new Date(START).toISOString(),
  durationMs: 0,
  server: 'http://prov.test/',
  concurrency: 100,
  inventory: 3,
  shards: { count: 1, indexes: [0] },
};
const EMULATOR: FleetReport['emulator'] = {
  wallMs: 1,
  eventLoopDelayP99Ms: 0,
  eventLoopDelayMaxMs: 0,
  cpuPercent: 0,
  heapUsedBytes: 0,
  bottleneck: false,
  verdict: 'ok',
};

describe('latency histograms', () => {
  it('counts each latency in the first bucket whose bound holds it, the rest in the overflow bucket', () => {
    const h = emptyHistogram();
    for (const ms of [0, 1, 1.5, 2, 30_000, 30_001, 45_000]) observe(h, ms);
    expect(h.counts).toHaveLength(LATENCY_BOUNDS_MS.length + 1);
    expect(h.counts[0]).toBe(2); // 0 and 1
    expect(h.counts[1]).toBe(2); // 1.5 and 2
    expect(h.counts[LATENCY_BOUNDS_MS.length - 1]).toBe(1); // 30 000
    expect(h.counts[LATENCY_BOUNDS_MS.length]).toBe(2);
    expect(h).toMatchObject({ count: 7, maxMs: 45_000 });
    expect(h.sumMs).toBe(0 + 1 + 1.5 + 2 + 30_000 + 30_001 + 45_000);
  });

  it('gives the upper bound of the bucket holding the percentile, maxMs past the last bound, 0 when empty', () => {
    expect(percentile(emptyHistogram(), 99)).toBe(0);
    const h = emptyHistogram();
    for (let i = 0; i < 98; i++) observe(h, 3);
    observe(h, 150);
    observe(h, 42_000);
    expect(percentile(h, 50)).toBe(5);
    expect(percentile(h, 98)).toBe(5);
    expect(percentile(h, 99)).toBe(200);
    expect(percentile(h, 100)).toBe(42_000);
    expect(percentile(h, 0)).toBe(5);
    expect(() => percentile(h, 101)).toThrow();
  });

  it('merges by adding up, with exact sums whatever the grouping (property)', () => {
    // Latencies such as performance.now() differences: decimal fractions that floats cannot hold exactly.
    const latency = fc.integer({ min: 0, max: 60_000_000 }).map((n) => n / 997);
    fc.assert(
      fc.property(fc.array(latency, { minLength: 5 }), fc.array(latency), fc.array(latency), (xs, ys, zs) => {
        const fill = (values: number[]) => {
          const h = emptyHistogram();
          for (const v of values) observe(h, v);
          return h;
        };
        const whole = fill([...xs, ...ys, ...zs]);
        const left = mergeHistograms(mergeHistograms(fill(xs), fill(ys)), fill(zs));
        const right = mergeHistograms(fill(xs), mergeHistograms(fill(zs), fill(ys)));
        expect(left).toEqual(whole);
        expect(right).toEqual(whole);
      }),
    );
  });
});

describe('request kinds, from the file name', () => {
  it.each([
    ['http://h/00156574b150.boot', 'boot'],
    ['http://h/y000000000000.BOOT', 'boot'],
    ['tftp://h/00156574b150-local.cfg', 'mac-local'],
    ['http://h/phones/00156574b150.cfg', 'config'],
    ['ftp://h/fw/T46U-108.86.0.90.rom', 'firmware'],
    ['http://h/fw/T46U.bin', 'firmware'],
    ['http://h/fw/T46U.zip', 'firmware'],
    ['http://h/ca.pem', 'other'],
    ['http://h/', 'other'],
  ])('%s is a %s request', (url, kind) => {
    expect(requestKind(new URL(url))).toBe(kind);
  });
});

describe('failure reasons group the same cause', () => {
  it.each([
    [
      'D: 00156574b150.boot: the server did not answer in time: no answer from 127.0.0.1:38863 within 5000 ms (after 3 attempts)',
      'D: <mac>.boot: the server did not answer in time: no answer from <host> within N ms (after 3 attempts)',
    ],
    [
      'connect ECONNREFUSED [::1]:6969 for tftp://user:secret@prov.example.com:69/00:15:65:74:B1:50.cfg',
      'connect ECONNREFUSED <host> for tftp://<host>/<mac>.cfg',
    ],
    [
      'no complete answer from prov.example.com:8443 within 2.5 s',
      'no complete answer from <host> within N s',
    ],
    // What tells causes apart stays: status codes, file and line, firmware versions, model files.
    ['site.cfg:7: HTTP 404 for y000000000108.cfg', 'site.cfg:7: HTTP 404 for y000000000108.cfg'],
    ['firmware 108.86.0.90 is not a T23G version', 'firmware 108.86.0.90 is not a T23G version'],
  ])('%s', (text, expected) => {
    expect(normaliseFailure(text)).toBe(expected);
  });
});

describe('fleet metrics', () => {
  it('keys files of a tree by their path in the tree, as a server would', () => {
    const metrics = new FleetMetrics(0, 1);
    metrics.fileRoot(new URL('file:///tmp/run/site/'));
    for (const url of [
      'file:///tmp/run/site/y000000000000.boot',
      'file:///tmp/run/site/phones/a%20b.cfg',
      'http://h/x.cfg',
    ]) {
      metrics.requestStarted();
      metrics.recordRequest({ url: new URL(url), status: 'ok', latencyMs: 0, at: 0 });
    }
    const keys = metricsFiles(metrics);
    expect(keys).toEqual(['/phones/a b.cfg', '/x.cfg', '/y000000000000.boot']);
  });

  it('counts requests per file (path only), per status and per kind, and the requests in flight', () => {
    const m = new FleetMetrics(START, 3);
    m.requestStarted();
    m.requestStarted();
    expect(m.live(0).inFlight).toBe(2);
    m.recordRequest({
      url: new URL('http://u:p@prov.test:8080/a%20b/x.boot'),
      status: 'ok',
      latencyMs: 3,
      at: START,
    });
    m.recordRequest({
      url: new URL('https://other.test/a%20b/x.boot'),
      status: 'not-found',
      latencyMs: 7,
      at: START,
    });
    m.requestStarted();
    m.recordRequest({
      url: new URL('http://prov.test/site.cfg'),
      status: 'failed:timeout',
      latencyMs: 5000,
      at: START,
    });
    const live = m.live(1234);
    expect(live).toMatchObject({ phones: 3, requests: 3, inFlight: 0, elapsedMs: 1234 });
    expect(live.requestsByStatus).toEqual({ 'failed:timeout': 1, 'not-found': 1, ok: 1 });
    const { requests } = m.report(RUN, EMULATOR);
    expect(requests.byFile).toEqual({
      '/a b/x.boot': { 'not-found': 1, ok: 1 },
      '/site.cfg': { 'failed:timeout': 1 },
    });
    expect(Object.keys(requests.latency)).toEqual(['boot', 'config']);
    expect(requests.latency.boot).toMatchObject({ count: 2, sumMs: 10, maxMs: 7 });
    expect(requests.latency.config).toMatchObject({ count: 1, maxMs: 5000 });
  });

  it('puts each request in the minute and (first hour) second it started in', () => {
    const m = new FleetMetrics(START, 1);
    const at = (ms: number) =>
      m.recordRequest({ url: new URL('http://h/a.cfg'), status: 'ok', latencyMs: 1, at: START + ms });
    at(0);
    at(999);
    at(1_000);
    at(59_999);
    at(3 * 60_000 + 5);
    at(3_600_000 + 1);
    const { load } = m.report(RUN, EMULATOR);
    expect(load.perMinute.slice(0, 4)).toEqual([4, 0, 0, 1]);
    expect(load.perMinute).toHaveLength(61);
    expect(load.perMinute[60]).toBe(1);
    expect(load.perSecondFirstHour).toEqual({ 0: 2, 1: 1, 59: 1, 180: 1 });
  });

  it('keeps live round counters, and derives the phones section from the outcomes, sorted by MAC', () => {
    const m = new FleetMetrics(START, 4);
    m.recordRound({ reboot: true, upgradedTo: '108.86.0.118' });
    m.recordRound({ reboot: false });
    const outcomes: PhoneOutcome[] = [
      {
        mac: '001565000003',
        model: 'T46U',
        status: 'provisioned',
        rounds: 2,
        reboots: 1,
        upgradedTo: '108.86.0.118',
      },
      {
        mac: '001565000001',
        model: 'T23G',
        status: 'failed',
        rounds: 1,
        reboots: 0,
        failure: 'D: 001565000001.boot: no answer from 10.0.0.1:69 within 5000 ms',
      },
      {
        mac: '001565000002',
        model: 'T23G',
        status: 'failed',
        rounds: 1,
        reboots: 0,
        failure: 'D: 001565000002.boot: no answer from 10.0.0.1:69 within 5003 ms',
      },
      { mac: '001565000000', model: 'T46U', status: 'no-server', rounds: 0, reboots: 0 },
    ];
    for (const o of outcomes) m.recordPhone(o);
    expect(m.live(0)).toMatchObject({ done: 4, failed: 3, rounds: 2, reboots: 1, upgrades: 1 });
    const report = m.report(RUN, EMULATOR);
    expect(report.outcomes.map((o) => o.mac)).toEqual([
      '001565000000',
      '001565000001',
      '001565000002',
      '001565000003',
    ]);
    expect(report.phones).toEqual({
      total: 4,
      provisioned: 1,
      failed: 3,
      reboots: 1,
      upgrades: 1,
      failures: { 'D: <mac>.boot: no answer from <host> within N ms': 2, 'no-server': 1 },
      byModel: {
        T23G: { total: 2, provisioned: 0, failed: 2, reboots: 0, upgrades: 0 },
        T46U: { total: 2, provisioned: 1, failed: 1, reboots: 1, upgrades: 1 },
      },
    });
    expect(report.format).toBe('autop-fleet-report/1');
    expect(report.run).toEqual(RUN);
    expect(report.emulator).toBe(EMULATOR);
  });

  it('hands out copies: a report does not change as the run goes on', () => {
    const m = new FleetMetrics(START, 1);
    m.recordRequest({ url: new URL('http://h/a.cfg'), status: 'ok', latencyMs: 1, at: START });
    const before = m.report(RUN, EMULATOR);
    const json = JSON.stringify(before);
    m.recordRequest({ url: new URL('http://h/a.cfg'), status: 'ok', latencyMs: 1, at: START + 70_000 });
    expect(JSON.stringify(before)).toBe(json);
  });
});

function metricsFiles(metrics: FleetMetrics): string[] {
  const run = {
    scenario: 'boot-storm',
    seed: '',
    time: 'virtual',
    start: '2026-01-05T00:00:00.000Z',
    durationMs: 0,
    server: 'file:///tmp/run/site/',
    concurrency: 1,
    inventory: 1,
    shards: { count: 1, indexes: [0] },
  } as const;
  const emulator = {
    wallMs: 0,
    eventLoopDelayP99Ms: 0,
    eventLoopDelayMaxMs: 0,
    cpuPercent: 0,
    heapUsedBytes: 0,
    bottleneck: false,
    verdict: '',
  };
  return Object.keys(
    metrics.report({ ...run, shards: { count: 1, indexes: [0] } }, emulator).requests.byFile,
  );
}
