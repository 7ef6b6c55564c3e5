// `--metrics-port`: the fleet run's live counters in the Prometheus text format at GET /metrics, for
// a Grafana board next to the server's own metrics during a load test. Values are read from one
// LiveStats snapshot per scrape (nothing is counted twice), on a registry of our own, so a process
// that also uses prom-client's global registry is left alone.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Histogram } from 'prom-client';
import { LATENCY_BOUNDS_MS, type LatencyHistogram, type LiveStats, type RequestKind } from './report.js';

export interface MetricsServer {
  /** The bound port (the one asked for, or the one the system chose for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  readonly port: number;
  /** Default 127.0.0.1: metrics are not published beyond this machine unless asked for. */
  readonly host?: string;
  readonly live: () => LiveStats;
}

/** Prometheus names units in full, in base units: seconds (promtool flags `_ms`). */
const DURATION_METRIC = 'autop_fleet_request_duration_seconds';
const NOTIFY_DURATION_METRIC = 'autop_fleet_notify_duration_seconds';

/**
 * prom-client's default metrics that are gauges named `_total` (counts of handles, requests and
 * resources active now), which `promtool check metrics` flags: a `_total` is a counter. Left out;
 * the same figures by type (`nodejs_active_handles{type=…}`) stay.
 */
const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** The registry of a fleet run: every fleet metric reads `snapshot()` when scraped. */
export function fleetRegistry(snapshot: () => LiveStats): Registry {
  const register = new Registry();
  const registers = [register];

  const gauge = (name: string, help: string, value: (s: LiveStats) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(snapshot()));
      },
    });
  };
  const counter = (name: string, help: string, value: (s: LiveStats) => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(snapshot()));
      },
    });
  };

  gauge('autop_fleet_phones', 'Phones this process runs.', (s) => s.phones);
  gauge('autop_fleet_phones_done', 'Phones whose scenario is over, provisioned or not.', (s) => s.done);
  gauge(
    'autop_fleet_phones_failed',
    'Phones whose scenario is over and that were not provisioned.',
    (s) => s.failed,
  );
  gauge('autop_fleet_requests_in_flight', 'Requests sent and not yet answered.', (s) => s.inFlight);
  counter('autop_fleet_rounds_total', 'Provisioning rounds run.', (s) => s.rounds);
  counter('autop_fleet_reboots_total', 'Reboots the rounds decided.', (s) => s.reboots);
  counter('autop_fleet_upgrades_total', 'Firmware upgrades the rounds decided.', (s) => s.upgrades);

  new Counter({
    name: 'autop_fleet_requests_total',
    help: 'Requests answered, by status: ok, not-found, failed:<cause>.',
    labelNames: ['status'],
    registers,
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(snapshot().requestsByStatus)) this.inc({ status }, n);
    },
  });

  // The check-sync NOTIFYs of a NOTIFY storm (0 in a run that sends none).
  const notify = (s: LiveStats) => s.notify;
  counter(
    'autop_fleet_notify_sent_total',
    'check-sync NOTIFYs sent (first transmission).',
    (s) => notify(s)?.sent ?? 0,
  );
  counter(
    'autop_fleet_notify_timeouts_total',
    'NOTIFYs sent and never answered (Timer F, or the run stopped first).',
    (s) => notify(s)?.timeouts ?? 0,
  );
  counter(
    'autop_fleet_notify_not_sent_total',
    'NOTIFYs that could not be sent.',
    (s) => notify(s)?.notSent ?? 0,
  );
  counter(
    'autop_fleet_notify_retransmissions_total',
    'NOTIFY transmissions beyond the first (RFC 3261 Timer E).',
    (s) => notify(s)?.retransmissions ?? 0,
  );
  counter(
    'autop_fleet_notify_rounds_total',
    'Provisioning rounds the NOTIFYs started.',
    (s) => notify(s)?.rounds ?? 0,
  );
  counter(
    'autop_fleet_notify_reboots_total',
    'Reboots after the rounds the NOTIFYs started.',
    (s) => notify(s)?.reboots ?? 0,
  );
  new Counter({
    name: 'autop_fleet_notify_answered_total',
    help: 'NOTIFYs answered, by final status code.',
    labelNames: ['status'],
    registers,
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(snapshot().notify?.answered ?? {})) this.inc({ status }, n);
    },
  });

  // prom-client's Histogram can only be filled one observation at a time, and the run already keeps
  // fixed-bucket histograms: these metrics export those as they are (the registry asks a metric only
  // for its name, help, type and values).
  const histogram = (name: string, help: string, values: (s: LiveStats) => SampleValue[]): void => {
    const metric = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: () =>
        Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values: values(snapshot()) }),
    };
    register.registerMetric(metric as unknown as Histogram);
  };
  histogram(
    DURATION_METRIC,
    'Request latency in seconds by kind of file (boot, config, mac-local, firmware, other).',
    (s) => durationValues(s.latency),
  );
  histogram(NOTIFY_DURATION_METRIC, 'NOTIFY latency in seconds, sent to final response.', (s) =>
    s.notify && s.notify.latency.count > 0 ? bucketValues(NOTIFY_DURATION_METRIC, s.notify.latency, {}) : [],
  );

  collectDefaultMetrics({ register });
  for (const name of MISNAMED_DEFAULT_METRICS) register.removeSingleMetric(name);
  return register;
}

interface SampleValue {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

/**
 * The buckets of our histograms are per interval in ms; Prometheus's are cumulative (`le`: at most)
 * and in seconds.
 */
function durationValues(latency: LiveStats['latency']): SampleValue[] {
  const values: SampleValue[] = [];
  for (const [kind, h] of Object.entries(latency) as [RequestKind, LiveStats['latency'][RequestKind]][]) {
    if (h) values.push(...bucketValues(DURATION_METRIC, h, { kind }));
  }
  return values;
}

/** One histogram's samples: cumulative buckets in seconds, the sum and the count. */
function bucketValues(name: string, h: LatencyHistogram, labels: Record<string, string>): SampleValue[] {
  const values: SampleValue[] = [];
  let cumulative = 0;
  LATENCY_BOUNDS_MS.forEach((bound, i) => {
    cumulative += h.counts[i] ?? 0;
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bound / 1000 }, value: cumulative });
  });
  values.push(
    { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count },
    { metricName: `${name}_sum`, labels, value: h.sumMs / 1000 },
    { metricName: `${name}_count`, labels, value: h.count },
  );
  return values;
}

export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  let current: LiveStats | undefined;
  const register = fleetRegistry(() => (current ??= options.live()));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    // One snapshot per scrape, so that the counters of one scrape agree with each other.
    current = undefined;
    const body = await register.metrics();
    current = undefined;
    res.writeHead(200, { 'content-type': register.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in a collector: say so to the scraper rather than crash the run.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        `autop: could not collect the metrics: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  });

  return new Promise((resolve, reject) => {
    const host = options.host ?? '127.0.0.1';
    const failed = (error: NodeJS.ErrnoException): void =>
      reject(
        new Error(
          `metrics: cannot listen on ${host}:${options.port} (${error.code ?? error.message}); ` +
            'choose another --metrics-port, or 0 for any free port',
          { cause: error },
        ),
      );
    server.once('error', failed);
    server.listen(options.port, host, () => {
      server.off('error', failed);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // A scraper's keep-alive connection would hold close() open until it times out.
            server.closeAllConnections();
          }),
      });
    });
  });
}
