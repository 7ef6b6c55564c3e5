// Issue #14 §2 (scale): a virtual boot storm of N phones in a process of its own, so that its
// resident memory is the fleet's alone. Run by fleet.bench.ts as `node dist/bench/scale.js N TREE`;
// prints one line of JSON: the RSS before the phones exist (modules, catalogues and caches loaded
// by a small run first), the peak RSS of the whole run (the kernel's high-water mark), and the RSS
// once the storm is over with every phone's flash kept.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateFleet, parseModelMix, type FleetPhone } from '../src/fleet/fleetInventory.js';
import { runFleet } from '../src/fleet/runner.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';

export interface ScaleFigures {
  readonly count: number;
  readonly provisioned: number;
  readonly rounds: number;
  readonly ms: number;
  readonly baselineRss: number;
  readonly peakRss: number;
  readonly afterRss: number;
}

function fleetOf(count: number, seed: string): FleetPhone[] {
  const models = loadModelCatalogue();
  return generateFleet({ count, mix: parseModelMix('T46U:50%,T23G:50%', models), seed }, models);
}

function storm(phones: readonly FleetPhone[], tree: string, onSettled?: () => void) {
  return runFleet({
    scenario: 'boot-storm',
    phones,
    seed: 'bench',
    source: { kind: 'tree', dir: tree },
    time: 'virtual',
    concurrency: 64,
    rampMs: 600_000,
    bootMs: 5_000,
    ...(onSettled && { onSettled }),
  });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const tree = process.argv[3]!;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await storm(fleetOf(50, 'warm'), tree);
  gc();
  const baselineRss = process.memoryUsage().rss;
  const started = performance.now();
  let afterRss = 0;
  const report = await storm(fleetOf(count, 'bench'), tree, () => {
    gc();
    afterRss = process.memoryUsage().rss;
  });
  const figures: ScaleFigures = {
    count,
    provisioned: report.phones.provisioned,
    rounds: report.outcomes.reduce((n, o) => n + o.rounds, 0),
    ms: performance.now() - started,
    baselineRss,
    // maxRSS is in kibibytes.
    peakRss: process.resourceUsage().maxRSS * 1024,
    afterRss,
  };
  console.log(JSON.stringify(figures));
}

await main();
