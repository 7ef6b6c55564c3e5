// Issue #8 §7, #14 §2: a fleet in one process. A boot storm of 10,000 phones over HTTP against the
// embedded server and against nginx on loopback; autocannon fetching the same files at the same
// concurrency from the same nginx, turn about with the fleet (our rate as a load generator, goal
// >= 0.9x); a virtual week of 10,000 phones (virtual time against real time, goal >= 20,000x); a
// virtual boot storm of 1,000,000 phones in a process of its own (its RSS per phone, goal <= 4 KB).
// Every storm over HTTP has no ramp and no boot time: all phones at once, as fast as the server and
// the emulator go.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fixturesDir } from '../src/core/packageRoot.js';
import { generateFleet, parseModelMix, type FleetPhone } from '../src/fleet/fleetInventory.js';
import type { FleetReport } from '../src/fleet/report.js';
import { runFleet, type FleetRunOptions, type FleetSource } from '../src/fleet/runner.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { NGINX, startNginx } from '../test/support/debianServers.js';
import { writeTriggerTree } from './triggerTree.js';
import { heading, print, printGoal, timed } from './measure.js';
import type { ScaleFigures } from './scale.js';

const MIX = 'T46U:50%,T23G:50%';
/** Transfers at once for both load generators against nginx: the fleet's default. */
const NGINX_CONCURRENCY = 64;
const WEEK = 7 * 86_400_000;
/** Phones of the storms over HTTP (the goal holds from 5,000 phones up). */
const HTTP_PHONES = 10_000;
/** Phones of the scale run. */
const SCALE_PHONES = 1_000_000;
/** Each load generator runs this many times, turn about; the best run of each is compared. */
const TURNS = 2;

/** autocannon ships no types; the part of its API used here. */
interface AutocannonResult {
  readonly requests: { readonly total: number };
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  requests: { method: 'GET'; path: string; headers: Record<string, string> }[];
}) => Promise<AutocannonResult>;

function fleetOf(count: number, seed = 'bench'): FleetPhone[] {
  const models = loadModelCatalogue();
  return generateFleet({ count, mix: parseModelMix(MIX, models), seed }, models);
}

async function storm(
  phones: readonly FleetPhone[],
  source: FleetSource,
  extra: Partial<FleetRunOptions> = {},
): Promise<{ ms: number; report: FleetReport }> {
  const { ms, result } = await timed(() =>
    runFleet({
      scenario: 'boot-storm',
      phones,
      seed: 'bench',
      source,
      time: 'real',
      concurrency: 64,
      rampMs: 0,
      bootMs: 0,
      ...extra,
    }),
  );
  return { ms, report: result };
}

function printStorm(label: string, ms: number, report: FleetReport): void {
  const rounds = report.outcomes.reduce((n, o) => n + o.rounds, 0);
  const failed = report.phones.failed;
  print({
    name: `${label}: wall time`,
    value: ms / 1000,
    unit: 's',
    note: failed > 0 ? `${failed} phones failed` : `every phone provisioned`,
  });
  print({
    name: `${label}: rounds per second`,
    value: (rounds / ms) * 1000,
    unit: 'rounds/s',
    note: `${rounds} rounds`,
  });
  print({
    name: `${label}: requests per second`,
    value: (report.requests.total / ms) * 1000,
    unit: 'req/s',
    note: `${report.requests.total} requests; ${report.emulator.verdict}`,
  });
}

/** A copy of the common-only site that nginx's workers can read. */
async function servedTree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'autop-bench-fleet-'));
  await chmod(dir, 0o755);
  const tree = join(dir, 'site');
  await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
  return tree;
}

async function stormsOverHttp(tree: string): Promise<void> {
  const phones = fleetOf(HTTP_PHONES);
  const n = HTTP_PHONES.toLocaleString('en-US');
  const embedded = await storm(phones, { kind: 'tree', dir: tree });
  printStorm(`boot storm, ${n} phones, embedded server (same process)`, embedded.ms, embedded.report);

  if (!existsSync(NGINX.binary)) {
    print({
      name: 'boot storm against nginx',
      value: 0,
      unit: '',
      note: `skipped: ${NGINX.binary} not installed`,
    });
    return;
  }
  // Room for the fleet's and autocannon's connections (64 each) beside the listening socket.
  const nginx = await startNginx(tree, { workerConnections: 4096, accessLog: false });
  try {
    // The same files in the same proportions: per T46U and per T23G round, its MAC boot file (404),
    // the common boot file, site.cfg and the model's file; as many requests, as many connections.
    const ua = 'Yealink SIP-T46U 108.86.0.90 00:15:65:00:00:01';
    const request = (path: string) => ({ method: 'GET' as const, path, headers: { 'user-agent': ua } });
    const roundFiles = (mac: string, modelFile: string) =>
      [`/${mac}.boot`, '/y000000000000.boot', '/site.cfg', modelFile].map(request);
    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
    let ourRate = 0;
    let cannonRate = 0;
    // Turn about, so that whatever else the machine does falls on both alike.
    for (let turn = 1; turn <= TURNS; turn++) {
      const ours = await storm(
        phones,
        { kind: 'server', url: nginx.url },
        { concurrency: NGINX_CONCURRENCY },
      );
      printStorm(
        `boot storm, ${n} phones, nginx (${NGINX_CONCURRENCY} at once), run ${turn}`,
        ours.ms,
        ours.report,
      );
      ourRate = Math.max(ourRate, (ours.report.requests.total / ours.ms) * 1000);
      const { ms, result } = await timed(() =>
        autocannon({
          url: nginx.url,
          connections: NGINX_CONCURRENCY,
          amount: ours.report.requests.total,
          requests: [
            ...roundFiles('001565000001', '/y000000000108.cfg'),
            ...roundFiles('001565000002', '/y000000000044.cfg'),
          ],
        }),
      );
      const rate = (result.requests.total / ms) * 1000;
      cannonRate = Math.max(cannonRate, rate);
      print({
        name: `autocannon, same files, ${NGINX_CONCURRENCY} connections, nginx, run ${turn}`,
        value: rate,
        unit: 'req/s',
        note: `${result.requests.total} requests, ${result['2xx']} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors`,
      });
    }
    printGoal({
      name: `GOAL fleet / autocannon, ${n} phones, nginx (best of ${TURNS})`,
      ours: `${ourRate.toFixed(0)} req/s`,
      peer: `autocannon ${cannonRate.toFixed(0)} req/s`,
      ratio: ourRate / cannonRate,
      goal: { atLeast: 0.9 },
    });
  } finally {
    await nginx.stop();
  }
}

/** RSS per phone of a virtual boot storm of SCALE_PHONES phones, in a process of its own (scale.ts). */
async function scale(tree: string): Promise<void> {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'scale.js');
  const { stdout } = await promisify(execFile)(process.execPath, [child, String(SCALE_PHONES), tree], {
    maxBuffer: 1 << 20,
  });
  const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as ScaleFigures;
  const n = figures.count.toLocaleString('en-US');
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const peak = (figures.peakRss - figures.baselineRss) / figures.count;
  const after = (figures.afterRss - figures.baselineRss) / figures.count;
  print({
    name: `virtual boot storm, ${n} phones, one process: wall time`,
    value: figures.ms / 1000,
    unit: 's',
    note: `${figures.provisioned} provisioned, ${figures.rounds} rounds`,
  });
  print({
    name: `RSS per phone, ${n} phones, once the storm is over`,
    value: after,
    unit: 'bytes',
    note: `${mib(figures.afterRss - figures.baselineRss)} over the ${mib(figures.baselineRss)} before the phones`,
  });
  printGoal({
    name: `GOAL RSS per phone, ${n} phones, at its peak / 4 KB`,
    ours: `${peak.toFixed(0)} bytes (peak RSS ${mib(figures.peakRss)})`,
    peer: '4,096 bytes (cpe-labs: about 105 KB per device, quoted in issue #14, not run here)',
    ratio: peak / 4096,
    goal: { atMost: 1 },
  });
}

/** A virtual week of 10,000 phones, each with repeat every 60 minutes, weekly and flexible rounds. */
async function virtualWeek(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'autop-bench-fleet-week-'));
  const tree = join(dir, 'site');
  await writeTriggerTree(tree);
  const { ms, result: report } = await timed(() =>
    runFleet({
      scenario: 'life',
      phones: fleetOf(10_000),
      seed: 'bench',
      source: { kind: 'tree', dir: tree },
      time: 'virtual',
      concurrency: 64,
      rampMs: 60_000,
      bootMs: 60_000,
      forMs: WEEK,
    }),
  );
  const rounds = report.outcomes.reduce((n, o) => n + o.rounds, 0);
  printGoal({
    name: 'GOAL 10,000 phones, one virtual week: virtual / real time',
    ours: `7 days in ${(ms / 1000).toFixed(1)} s`,
    peer: 'real time',
    ratio: WEEK / ms,
    goal: { atLeast: 20_000 },
  });
  print({
    name: '10,000 phones, one virtual week: wall time',
    value: ms / 1000,
    unit: 's',
    note: `${rounds} rounds, ${report.requests.total} requests, ${report.phones.provisioned} provisioned`,
  });
  print({
    name: '10,000 phones, one virtual week: rounds per second',
    value: (rounds / ms) * 1000,
    unit: 'rounds/s',
  });
}

export async function benchFleet(): Promise<void> {
  heading('a fleet in one process (issue #8, #14 §2)');
  const tree = await servedTree();
  await stormsOverHttp(tree);
  await virtualWeek();
  await scale(tree);
}
