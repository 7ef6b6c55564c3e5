import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import type { Fetcher, FetchRequest } from '../../src/fetch/fetcher.js';
import { MeteredFetcher } from '../../src/fleet/meteredFetcher.js';
import { FleetMetrics } from '../../src/fleet/metrics.js';
import type { FleetReport } from '../../src/fleet/report.js';
import type { Clock } from '../../src/time/clock.js';
import { newPhone, round } from '../support/engine.js';

const START = Date.parse('2026-11-29T10:00:00Z');
const RUN: FleetReport['run'] = {
  scenario: 'boot-storm',
  seed: 's',
  time: 'real',
  start: new Date(START).toISOString(),
  durationMs: 0,
  server: 'file:///site/',
  concurrency: 1,
  inventory: 1,
  shards: { count: 1, indexes: [0] },
};
const EMULATOR: FleetReport['emulator'] = {
  wallMs: 0,
  eventLoopDelayP99Ms: 0,
  eventLoopDelayMaxMs: 0,
  cpuPercent: 0,
  heapUsedBytes: 0,
  bottleneck: false,
  verdict: '',
};

/** A scenario clock that says 10:00 + 90 s, and a wall clock that moves 4 ms per reading. */
const clock: Clock = { now: () => START + 90_000, sleepUntil: () => Promise.resolve() };
function steppingWallClock(): () => number {
  let t = 0;
  return () => (t += 4);
}

const request = (url: string): FetchRequest => ({
  url: new URL(url),
  userAgent: 'test',
  transfer: { timeoutMs: 1000, attempts: 1, retryDelayMs: 0, verifyTls: true },
});

describe('metered fetcher: every request of a phone counted', () => {
  let root: string;
  let server: string;
  beforeAll(async () => {
    root = join(await mkdtemp(join(tmpdir(), 'autop-metered-')), 'site');
    await cp(join(fixturesDir, 'site'), root, { recursive: true });
    server = `${pathToFileURL(root).href}/`;
  });

  const path = (file: string) => `${pathToFileURL(root).pathname}/${file}`;

  it('records the files of a real round, per status, without changing what the phone gets', async () => {
    const metrics = new FleetMetrics(START, 1);
    const inner = new FileFetcher(root);
    const metered = new MeteredFetcher(inner, metrics, clock, steppingWallClock());
    const result = await round(metered, newPhone('T46U', '00156574b150'), server);
    const direct = await round(inner, newPhone('T46U', '00156574b150'), server);
    expect(result.state).toEqual(direct.state);
    expect(result.report.status).toBe(direct.report.status);

    const report = metrics.report(RUN, EMULATOR);
    const fetched = result.report.downloads.map((d) => [path(d.file), d.outcome === 'ok' ? 'ok' : d.outcome]);
    expect(fetched.length).toBeGreaterThanOrEqual(4);
    expect(
      Object.entries(report.requests.byFile).map(([file, statuses]) => [file, Object.keys(statuses)[0]]),
    ).toEqual([...fetched].sort(([a], [b]) => (a! < b! ? -1 : 1)));
    expect(report.requests.byFile[path('00156574b150.boot')]).toEqual({ ok: 1 });
    expect(report.requests.byFile[path('phones/00156574b150.cfg')]).toEqual({ ok: 1 });
    expect(report.requests.total).toBe(fetched.length);
    expect(report.requests.latency.boot).toMatchObject({ count: 1, sumMs: 4, maxMs: 4 });
    expect(report.load.perSecondFirstHour).toEqual({ 90: fetched.length });
    expect(metrics.live(0).inFlight).toBe(0);
  });

  it('records not-found and failed with their cause', async () => {
    const metrics = new FleetMetrics(START, 1);
    const metered = new MeteredFetcher(new FileFetcher(root), metrics, clock, steppingWallClock());
    expect((await metered.fetch(request(`${server}001565000000.boot`))).kind).toBe('not-found');
    expect((await metered.fetch(request(`${server}../secret.cfg`))).kind).toBe('failed');
    expect((await metered.fetch(request('http://prov.test/site.cfg'))).kind).toBe('failed');
    expect(metrics.live(0).requestsByStatus).toEqual({
      'failed:offline': 1, // a tree's fetcher fetches nothing else (issue #12)
      'failed:outside-root': 1,
      'not-found': 1,
    });
  });

  it('records uploads (K2), and refuses them, counted, when the inner fetcher cannot upload', async () => {
    const metrics = new FleetMetrics(START, 1);
    const body = new TextEncoder().encode('#!version:1.0.0.1\n');
    const uploading = new MeteredFetcher(new FileFetcher(root), metrics, clock, steppingWallClock());
    expect(await uploading.put(request(`${server}00156574b150-local.cfg`), body)).toEqual({ kind: 'ok' });
    expect((await uploading.put(request(`${server}site.cfg`), body)).kind).toBe('failed');
    const fetchOnly: Fetcher = { fetch: () => Promise.resolve({ kind: 'not-found', detail: '' }) };
    const refusing = new MeteredFetcher(fetchOnly, metrics, clock, steppingWallClock());
    expect(await refusing.put(request(`${server}00156574b150-local.cfg`), body)).toMatchObject({
      kind: 'failed',
      cause: 'unsupported',
    });
    const report = metrics.report(RUN, EMULATOR);
    expect(report.requests.byFile[path('00156574b150-local.cfg')]).toEqual({
      'failed:unsupported': 1,
      ok: 1,
    });
    expect(report.requests.byFile[path('site.cfg')]).toEqual({ 'failed:auth': 1 });
    expect(Object.keys(report.requests.latency)).toEqual(['config', 'mac-local']);
  });

  it('keeps the count in flight right while requests run, and when a fetcher throws', async () => {
    const metrics = new FleetMetrics(START, 1);
    let release!: () => void;
    const slow: Fetcher = {
      fetch: () =>
        new Promise((resolve) => (release = () => resolve({ kind: 'ok', bytes: new Uint8Array() }))),
    };
    const metered = new MeteredFetcher(slow, metrics, clock);
    const pending = metered.fetch(request('http://h/a.cfg'));
    expect(metrics.live(0).inFlight).toBe(1);
    release();
    await pending;
    expect(metrics.live(0).inFlight).toBe(0);

    const broken: Fetcher = { fetch: () => Promise.reject(new Error('bug')) };
    await expect(new MeteredFetcher(broken, metrics, clock).fetch(request('http://h/b.cfg'))).rejects.toThrow(
      'bug',
    );
    expect(metrics.live(0)).toMatchObject({
      inFlight: 0,
      requestsByStatus: { 'failed:exception': 1, ok: 1 },
    });
  });
});
