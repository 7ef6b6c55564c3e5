// Issue #8 §6: `--shard I/N` runs take disjoint slices of the inventory by MAC, and their reports
// merged are the report of the unsharded run with the same seed: the same phones with the same
// outcomes, the same requests per file, the same latencies and load over time. Only `emulator`
// (measured) differs, and `run.shards` (which shards a report covers) by design.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { generateFleet, parseModelMix } from '../../src/fleet/fleetInventory.js';
import { mergeReports } from '../../src/fleet/merge.js';
import type { FleetReport, Scenario } from '../../src/fleet/report.js';
import { runFleet } from '../../src/fleet/runner.js';
import { takeShard } from '../../src/fleet/shard.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { tempDir } from '../support/servers.js';

const models = loadModelCatalogue();
const everyone = generateFleet(
  { count: 300, mix: parseModelMix('T46U:70%,T23G:30%', models), seed: 'shards' },
  models,
);

let tree: string;
beforeAll(async () => {
  tree = join(await tempDir('fleet-shards'), 'site');
  await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
});

function comparable(report: FleetReport): unknown {
  const { emulator: _measured, run, ...rest } = report;
  const { shards: _which, ...sameRun } = run;
  return { run: sameRun, ...rest };
}

async function run(scenario: Scenario, shard?: { index: number; count: number }): Promise<FleetReport> {
  return runFleet({
    scenario,
    phones: shard ? takeShard(everyone, shard) : everyone,
    inventory: everyone.length,
    ...(shard && { shard }),
    seed: 'shards',
    source: { kind: 'tree', dir: tree },
    time: 'virtual',
    concurrency: 8,
    rampMs: 10 * 60_000,
    bootMs: 60_000,
    ...(scenario === 'life' && { forMs: 3 * 86_400_000 }),
  });
}

describe('issue #8 §6: shards merge into the unsharded report', () => {
  for (const scenario of ['boot-storm', 'life', 'notify-storm'] as const) {
    it(`${scenario}: three shards merged equal the unsharded run`, async () => {
      const whole = await run(scenario);
      const shards = await Promise.all([0, 1, 2].map((index) => run(scenario, { index, count: 3 })));
      // Disjoint and complete: every phone in exactly one shard.
      expect(shards.map((r) => r.outcomes.length).reduce((a, b) => a + b)).toBe(everyone.length);
      expect(shards.every((r) => r.outcomes.length > 0 && r.run.inventory === everyone.length)).toBe(true);
      const merged = mergeReports(shards);
      expect(merged.run.shards).toMatchObject({ count: 3, indexes: [0, 1, 2] });
      // Virtual time: every shard started at the scenario's start.
      expect(merged.run.shards.runs?.map((r) => r.start)).toEqual([0, 1, 2].map(() => whole.run.start));
      expect(comparable(merged)).toEqual(comparable(whole));
      expect(JSON.stringify(comparable(merged))).toBe(JSON.stringify(comparable(whole)));
    }, 60_000);
  }
});
