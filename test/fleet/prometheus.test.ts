import { spawnSync } from 'node:child_process';
import { register as globalRegister } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from '../../src/fleet/prometheus.js';
import { LATENCY_BOUNDS_MS, type LiveStats } from '../../src/fleet/report.js';
import { assertInstalled, skipUnlessInstalled } from '../support/servers.js';
import { liveStats, notifyFigures } from './renderFixture.js';

const PROMTOOL = { binary: 'promtool', debianPackage: 'prometheus' };

/** `name{labels} value` lines of a Prometheus text page → value by `name{labels}` as written. */
function samples(page: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of page.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

function sample(page: Map<string, number>, key: string): number {
  expect(page.has(key), `${key} in the page`).toBe(true);
  return page.get(key)!;
}

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function scrape(path = '/metrics'): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

describe('--metrics-port: the live counters for Prometheus', () => {
  it('serves the counters and gauges of the LiveStats it is given', async () => {
    server = await startMetricsServer({ port: 0, live: () => liveStats() });
    expect(server.port).toBeGreaterThan(0);
    const { status, type, body } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const page = samples(body);
    expect(sample(page, 'autop_fleet_phones')).toBe(10_000);
    expect(sample(page, 'autop_fleet_phones_done')).toBe(4_210);
    expect(sample(page, 'autop_fleet_phones_failed')).toBe(3);
    expect(sample(page, 'autop_fleet_rounds_total')).toBe(4_300);
    expect(sample(page, 'autop_fleet_reboots_total')).toBe(4_100);
    expect(sample(page, 'autop_fleet_upgrades_total')).toBe(12);
    expect(sample(page, 'autop_fleet_requests_in_flight')).toBe(480);
    expect(sample(page, 'autop_fleet_requests_total{status="ok"}')).toBe(17_200);
    expect(sample(page, 'autop_fleet_requests_total{status="not-found"}')).toBe(140);
    expect(sample(page, 'autop_fleet_requests_total{status="failed:timeout"}')).toBe(10);
    expect(body).toContain('# TYPE autop_fleet_rounds_total counter');
    expect(body).toContain('# TYPE autop_fleet_phones_done gauge');
  });

  it('exports the latency histograms per kind with cumulative buckets, +Inf equal to the count', async () => {
    const live = liveStats();
    server = await startMetricsServer({ port: 0, live: () => live });
    const { body } = await scrape();
    const page = samples(body);
    expect(body).toContain('# TYPE autop_fleet_request_duration_seconds histogram');
    for (const kind of ['boot', 'config'] as const) {
      const h = live.latency[kind]!;
      let cumulative = 0;
      let previous = 0;
      LATENCY_BOUNDS_MS.forEach((bound, i) => {
        cumulative += h.counts[i]!;
        const value = sample(
          page,
          `autop_fleet_request_duration_seconds_bucket{kind="${kind}",le="${bound / 1000}"}`,
        );
        expect(value).toBe(cumulative);
        expect(value).toBeGreaterThanOrEqual(previous);
        previous = value;
      });
      expect(sample(page, `autop_fleet_request_duration_seconds_bucket{kind="${kind}",le="+Inf"}`)).toBe(
        h.count,
      );
      expect(sample(page, `autop_fleet_request_duration_seconds_count{kind="${kind}"}`)).toBe(h.count);
      expect(sample(page, `autop_fleet_request_duration_seconds_sum{kind="${kind}"}`)).toBeCloseTo(
        h.sumMs / 1000,
        9,
      );
    }
    // config has 7 requests above the last bound (30 s): only +Inf counts them.
    expect(sample(page, 'autop_fleet_request_duration_seconds_bucket{kind="config",le="30"}')).toBe(
      live.latency.config!.count - 7,
    );
    expect(body).not.toContain('kind="firmware"');
  });

  it("exports a NOTIFY storm's NOTIFYs (issue #15): counters by outcome, answers by status, latency", async () => {
    const notify = notifyFigures();
    server = await startMetricsServer({ port: 0, live: () => liveStats({ notify }) });
    const { body } = await scrape();
    const page = samples(body);
    expect(sample(page, 'autop_fleet_notify_sent_total')).toBe(10_000);
    expect(sample(page, 'autop_fleet_notify_answered_total{status="200"}')).toBe(9_990);
    expect(sample(page, 'autop_fleet_notify_answered_total{status="404"}')).toBe(8);
    expect(sample(page, 'autop_fleet_notify_timeouts_total')).toBe(2);
    expect(sample(page, 'autop_fleet_notify_not_sent_total')).toBe(0);
    expect(sample(page, 'autop_fleet_notify_retransmissions_total')).toBe(31);
    expect(sample(page, 'autop_fleet_notify_rounds_total')).toBe(9_990);
    expect(sample(page, 'autop_fleet_notify_reboots_total')).toBe(9_990);
    expect(body).toContain('# TYPE autop_fleet_notify_duration_seconds histogram');
    expect(sample(page, 'autop_fleet_notify_duration_seconds_bucket{le="0.01"}')).toBe(120 + 2_400 + 5_100);
    expect(sample(page, 'autop_fleet_notify_duration_seconds_bucket{le="+Inf"}')).toBe(notify.latency.count);
    expect(sample(page, 'autop_fleet_notify_duration_seconds_count')).toBe(notify.latency.count);
    expect(sample(page, 'autop_fleet_notify_duration_seconds_sum')).toBeCloseTo(
      notify.latency.sumMs / 1000,
      9,
    );
  });

  it('exports zero NOTIFYs and no NOTIFY latency in a run that sends none', async () => {
    server = await startMetricsServer({ port: 0, live: () => liveStats() });
    const { body } = await scrape();
    expect(sample(samples(body), 'autop_fleet_notify_sent_total')).toBe(0);
    expect(body).not.toContain('autop_fleet_notify_duration_seconds_bucket');
  });

  it('reads one snapshot per scrape, so each scrape shows the run as it is then', async () => {
    let calls = 0;
    server = await startMetricsServer({
      port: 0,
      live: (): LiveStats => liveStats({ done: 1_000 * ++calls, requestsByStatus: { ok: calls } }),
    });
    const first = samples((await scrape()).body);
    const second = samples((await scrape()).body);
    expect(calls).toBe(2);
    expect(sample(first, 'autop_fleet_phones_done')).toBe(1_000);
    expect(sample(second, 'autop_fleet_phones_done')).toBe(2_000);
    expect(sample(second, 'autop_fleet_requests_total{status="ok"}')).toBe(2);
  });

  it("includes Node's process metrics, on its own registry rather than prom-client's global one", async () => {
    server = await startMetricsServer({ port: 0, live: () => liveStats() });
    const { body } = await scrape();
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(await globalRegister.metrics()).not.toContain('autop_fleet');
  });

  it('answers 404 elsewhere than /metrics', async () => {
    server = await startMetricsServer({ port: 0, live: () => liveStats() });
    expect((await scrape('/')).status).toBe(404);
    expect((await scrape('/metrics/extra')).status).toBe(404);
    expect((await scrape('/metrics?x=1')).status).toBe(200);
  });

  it('listens on loopback unless told otherwise, and says what to do when the port is taken', async () => {
    server = await startMetricsServer({ port: 0, live: () => liveStats() });
    await expect(startMetricsServer({ port: server.port, live: () => liveStats() })).rejects.toThrow(
      `metrics: cannot listen on 127.0.0.1:${server.port} (EADDRINUSE); choose another --metrics-port, or 0 for any free port`,
    );
  });

  it('closes even while a scraper keeps its connection open', async () => {
    server = await startMetricsServer({ port: 0, live: () => liveStats() });
    await scrape();
    const closing = server.close();
    server = undefined;
    await expect(closing).resolves.toBeUndefined();
  });
});

describe.skipIf(skipUnlessInstalled(PROMTOOL))(
  'the exposition passes promtool check metrics (issue #15)',
  () => {
    beforeAll(() => assertInstalled(PROMTOOL));

    function promtool(page: string): { status: number | null; problems: string } {
      const result = spawnSync('promtool', ['check', 'metrics'], { input: page, encoding: 'utf8' });
      return { status: result.status, problems: `${result.stdout}${result.stderr}`.trim() };
    }

    it('lints clean: units in seconds, counters named _total, no gauge named _total', async () => {
      server = await startMetricsServer({ port: 0, live: () => liveStats() });
      const { body } = await scrape();
      expect(body).toContain('autop_fleet_request_duration_seconds_bucket');
      expect(promtool(body)).toEqual({ status: 0, problems: '' });
    });

    it("lints clean with a NOTIFY storm's metrics", async () => {
      server = await startMetricsServer({ port: 0, live: () => liveStats({ notify: notifyFigures() }) });
      const { body } = await scrape();
      expect(body).toContain('autop_fleet_notify_duration_seconds_bucket');
      expect(body).toContain('autop_fleet_notify_answered_total{status="404"}');
      expect(promtool(body)).toEqual({ status: 0, problems: '' });
    });

    it('would flag what it was before: a histogram in ms and a gauge named _total', () => {
      const old = [
        '# HELP autop_fleet_request_duration_ms Request latency.',
        '# TYPE autop_fleet_request_duration_ms histogram',
        'autop_fleet_request_duration_ms_bucket{le="+Inf"} 1',
        'autop_fleet_request_duration_ms_sum 3',
        'autop_fleet_request_duration_ms_count 1',
        '# HELP nodejs_active_handles_total Total number of active handles.',
        '# TYPE nodejs_active_handles_total gauge',
        'nodejs_active_handles_total 3',
        '',
      ].join('\n');
      const { status, problems } = promtool(old);
      expect(status).not.toBe(0);
      expect(problems).toMatch(/autop_fleet_request_duration_ms .*abbreviated units/);
      expect(problems).toMatch(
        /nodejs_active_handles_total non-counter metrics should not have "_total" suffix/,
      );
    });
  },
);
