// Issue #8 §7: a fleet in one process. A boot storm of 10,000 phones over HTTP against the embedded
// server and against nginx on loopback; autocannon fetching the same files at the same concurrency
// from the same nginx (our overhead as a load generator); the heap per phone at 10,000 and 100,000
// phones; a virtual week of 10,000 phones. Every storm here has no ramp and no boot time: all
// phones at once, as fast as the server and the emulator go.
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fixturesDir } from '../src/core/packageRoot.js';
import { generateFleet, parseModelMix, type FleetPhone } from '../src/fleet/fleetInventory.js';
import type { FleetReport } from '../src/fleet/report.js';
import { runFleet, type FleetRunOptions, type FleetSource } from '../src/fleet/runner.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { NGINX, startNginx } from '../test/support/debianServers.js';
import { writeTriggerTree } from './triggerTree.js';
import { heading, print, timed } from './measure.js';

const MIX = 'T46U:50%,T23G:50%';
/** Transfers at once for both load generators against nginx: the fleet's default. */
const NGINX_CONCURRENCY = 64;
const WEEK = 7 * 86_400_000;

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

/** `global.gc` even when node runs without --expose-gc (`npm run bench`). */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

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
  const phones = fleetOf(10_000);
  const embedded = await storm(phones, { kind: 'tree', dir: tree });
  printStorm('boot storm, 10,000 phones, embedded server (same process)', embedded.ms, embedded.report);

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
    const ours = await storm(phones, { kind: 'server', url: nginx.url }, { concurrency: NGINX_CONCURRENCY });
    printStorm(`boot storm, 10,000 phones, nginx (${NGINX_CONCURRENCY} at once)`, ours.ms, ours.report);

    // The same files in the same proportions: per T46U and per T23G round, its MAC boot file (404),
    // the common boot file, site.cfg and the model's file; as many requests, as many connections.
    const ua = 'Yealink SIP-T46U 108.86.0.90 00:15:65:00:00:01';
    const request = (path: string) => ({ method: 'GET' as const, path, headers: { 'user-agent': ua } });
    const roundFiles = (mac: string, modelFile: string) =>
      [`/${mac}.boot`, '/y000000000000.boot', '/site.cfg', modelFile].map(request);
    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
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
    const cannonRate = (result.requests.total / ms) * 1000;
    const ourRate = (ours.report.requests.total / ours.ms) * 1000;
    print({
      name: `autocannon, same files, ${NGINX_CONCURRENCY} connections, nginx`,
      value: cannonRate,
      unit: 'req/s',
      note: `${result.requests.total} requests, ${result['2xx']} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors`,
    });
    print({ name: 'fleet, same nginx and concurrency', value: ourRate, unit: 'req/s' });
    print({
      name: 'fleet / autocannon (our rate as a load generator)',
      value: ourRate / cannonRate,
      unit: '×',
      note: `autocannon sends ${(cannonRate / ourRate).toFixed(1)}× as many; each of ours is part of a phone's round: parsing, merging, its state`,
    });
  } finally {
    await nginx.stop();
  }
}

/** Heap held per phone once a virtual boot storm is over and every phone's flash is kept. */
async function heapPerPhone(tree: string): Promise<void> {
  const gc = gcFunction();
  // A small run first: modules, catalogues and caches are loaded before the baseline.
  await runFleet({
    scenario: 'boot-storm',
    phones: fleetOf(50, 'warm'),
    seed: 'warm',
    source: { kind: 'tree', dir: tree },
    time: 'virtual',
    concurrency: 64,
    rampMs: 60_000,
    bootMs: 5_000,
  });
  for (const count of [10_000, 100_000]) {
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let held = 0;
    const phones = fleetOf(count);
    const { ms, result: report } = await timed(() =>
      runFleet({
        scenario: 'boot-storm',
        phones,
        seed: 'bench',
        source: { kind: 'tree', dir: tree },
        time: 'virtual',
        concurrency: 64,
        rampMs: 60_000,
        bootMs: 5_000,
        onSettled: () => {
          gc();
          held = process.memoryUsage().heapUsed - baseline;
        },
      }),
    );
    const n = count.toLocaleString('en-US');
    print({
      name: `heap per phone, ${n} phones after a virtual boot storm`,
      value: held / count,
      unit: 'bytes',
      note: `${(held / 2 ** 20).toFixed(0)} MiB held; inventory, flash, counters, report`,
    });
    print({
      name: `peak heap per phone, ${n} phones, during the storm`,
      value: report.emulator.heapUsedBytes / count,
      unit: 'bytes',
      note: `${(report.emulator.heapUsedBytes / 2 ** 20).toFixed(0)} MiB peak, garbage included; ${(ms / 1000).toFixed(0)} s, ${report.phones.provisioned} provisioned`,
    });
  }
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
  heading('a fleet in one process (issue #8)');
  const tree = await servedTree();
  await stormsOverHttp(tree);
  await heapPerPhone(tree);
  await virtualWeek();
}
