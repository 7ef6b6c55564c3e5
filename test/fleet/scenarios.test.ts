// Issue #8 §2 with small fleets and exact expectations: a NOTIFY storm reaches every phone (in
// virtual time in-process, in real time as real SIP over UDP) and each runs one more round (and
// reboots as sip.notify_reboot_enable says, T7); a rollout of new firmware is picked up by every
// phone of that model, by its weekly trigger or by a NOTIFY at the moment of the switch.
import { appendFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { generateFleet, parseModelMix } from '../../src/fleet/fleetInventory.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { runFleet, type FleetRunOptions } from '../../src/fleet/runner.js';
import { notifyStormAt } from '../../src/fleet/scenarios.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { tempDir } from '../support/servers.js';

const models = loadModelCatalogue();
const phones = generateFleet(
  { count: 50, mix: parseModelMix('T46U:50%,T23G:50%', models), seed: 'small' },
  models,
);
const T46U_ROM = 'T46U(T43U,T46U,T41U,T48U,T42U,T44U,T44W)-108.86.0.95.rom';

let treeA: string;
let treeB: string;

beforeAll(async () => {
  const dir = await tempDir('fleet-scenarios');
  // A: the common-only site (its site.cfg: weekly rounds Mon-Fri 01:00-04:00, notify_reboot_enable 0).
  treeA = join(dir, 'a');
  await cp(join(fixturesDir, 'site-common-only'), treeA, { recursive: true });
  // B: the same site, with new firmware for the T46U (spec R3).
  treeB = join(dir, 'b');
  await cp(treeA, treeB, { recursive: true });
  await cp(join(fixturesDir, 'firmware-rollout', 'firmware'), join(treeB, 'firmware'), { recursive: true });
  await appendFile(join(treeB, 'y000000000108.cfg'), `\nstatic.firmware.url = firmware/${T46U_ROM}\n`);
});

function base(overrides: Partial<FleetRunOptions>): FleetRunOptions {
  return {
    scenario: 'boot-storm',
    phones,
    seed: 'small',
    source: { kind: 'tree', dir: treeA },
    time: 'virtual',
    concurrency: 16,
    rampMs: 60_000,
    bootMs: 5_000,
    ...overrides,
  };
}

const ok = (report: FleetReport, file: string) => report.requests.byFile[file]?.ok ?? 0;
const endsWith = (report: FleetReport, name: string) =>
  Object.entries(report.requests.byFile)
    .filter(([path]) => path.endsWith(`/${name}`))
    .reduce((n, [, statuses]) => n + (statuses.ok ?? 0), 0);

describe('issue #8 §2: NOTIFY storm', () => {
  it('in virtual time: every phone runs one more round after the storm, without reboot (notify_reboot_enable 0)', async () => {
    const report = await runFleet(base({ scenario: 'notify-storm' }));
    // Power-on round, reboot (R1), power-on round again, then the NOTIFY's round.
    expect(report.outcomes.map((o) => [o.rounds, o.reboots, o.status])).toEqual(
      phones.map(() => [3, 1, 'provisioned']),
    );
    expect(endsWith(report, 'y000000000000.boot')).toBe(3 * phones.length);
    // The storm comes at one instant after the ramp, in the minute the requests show it.
    const minute = Math.floor((notifyStormAt(0, { rampMs: 60_000, bootMs: 5_000 }) - 0) / 60_000);
    expect(report.load.perMinute[minute]).toBe(4 * phones.length);
  });

  it('in virtual time with reboot=true: every phone reboots after its NOTIFY round and provisions again', async () => {
    const report = await runFleet(base({ scenario: 'notify-storm', notifyReboot: true }));
    expect(report.outcomes.map((o) => [o.rounds, o.reboots])).toEqual(phones.map(() => [4, 2]));
  });

  it('in real time over SIP: every phone answers its NOTIFY and runs a round', async () => {
    const report = await runFleet(
      base({ scenario: 'notify-storm', time: 'real', rampMs: 500, bootMs: 0, notifyReboot: true }),
    );
    expect(report.outcomes.filter((o) => o.failure !== undefined)).toEqual([]);
    expect(report.outcomes.map((o) => [o.rounds, o.reboots, o.status])).toEqual(
      phones.map(() => [4, 2, 'provisioned']),
    );
    expect(ok(report, '/y000000000000.boot')).toBe(4 * phones.length);
  }, 60_000);
});

describe('issue #8 §2: rollout', () => {
  const t46u = phones.filter((p) => p.model.id === 'T46U').length;

  it('is picked up by the weekly trigger: every T46U upgrades, no T23G does', async () => {
    // Monday 00:00 start; B from 00:30; the weekly window opens at 01:00 (site.cfg).
    const report = await runFleet(
      base({
        scenario: 'rollout',
        rolloutSource: { kind: 'tree', dir: treeB },
        rolloutAtMs: 30 * 60_000,
        forMs: 86_400_000,
      }),
    );
    expect(t46u).toBeGreaterThan(0);
    for (const o of report.outcomes) {
      expect(o.status).toBe('provisioned');
      expect(o.upgradedTo).toBe(o.model === 'T46U' ? '108.86.0.95' : undefined);
      // The first boot's R1 reboot, and the upgrade's (R3).
      expect(o.reboots).toBe(o.model === 'T46U' ? 2 : 1);
    }
    expect(report.phones.upgrades).toBe(t46u);
    expect(endsWith(report, T46U_ROM)).toBe(t46u);
    // Nothing was fetched from B before the switch: no firmware in the first 30 minutes.
    expect(report.load.perMinute.slice(0, 30).reduce((a, b) => a + b, 0)).toBe(8 * phones.length);
  });

  it('is picked up at once with --rollout-notify: every T46U upgrades at the switch', async () => {
    const report = await runFleet(
      base({
        scenario: 'rollout',
        rolloutSource: { kind: 'tree', dir: treeB },
        rolloutAtMs: 10 * 60_000,
        rolloutNotify: true,
        forMs: 20 * 60_000,
      }),
    );
    expect(report.outcomes.filter((o) => o.upgradedTo === '108.86.0.95').map((o) => o.mac)).toEqual(
      phones.filter((p) => p.model.id === 'T46U').map((p) => p.mac),
    );
    // At the switch: every phone's NOTIFY round (4 files, plus the ROM for a T46U), then each T46U's
    // power-on round after its reboot into the new firmware, 5 s later.
    expect(report.load.perMinute[10]).toBe(4 * phones.length + t46u + 4 * t46u);
  });

  it('in real time, a NOTIFY over SIP at the switch reaches every phone', async () => {
    const report = await runFleet(
      base({
        scenario: 'rollout',
        time: 'real',
        rampMs: 300,
        bootMs: 0,
        rolloutSource: { kind: 'tree', dir: treeB },
        rolloutAtMs: 2_000,
        rolloutNotify: true,
        forMs: 5_000,
      }),
    );
    expect(report.outcomes.filter((o) => o.failure !== undefined)).toEqual([]);
    expect(report.phones.upgrades).toBe(t46u);
    expect(
      report.outcomes.every((o) => o.upgradedTo === (o.model === 'T46U' ? '108.86.0.95' : undefined)),
    ).toBe(true);
  }, 60_000);
});
