// Issue #14 §2: a fleet in virtual time replays a phone's round that repeats its last one (M1)
// instead of running it on the engine. Pinned here against the phone living alone (PhoneLife, which
// runs every round on the engine): the same rounds, reboots and requests per file, through a
// rollout that changes the tree under the phones (a new tree version, so rounds run again).
import { appendFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTriggerTree } from '../../bench/triggerTree.js';
import { Engine } from '../../src/engine/round.js';
import type { Fetcher, FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import { generateFleet, parseModelMix, type FleetPhone } from '../../src/fleet/fleetInventory.js';
import { fileKey } from '../../src/fleet/metrics.js';
import { powerOnOffset } from '../../src/fleet/phoneDraw.js';
import { runFleet } from '../../src/fleet/runner.js';
import { TreeVersions } from '../../src/fleet/roundReplay.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { loadParameterCatalogue } from '../../src/models/parameters.js';
import { PhoneLife } from '../../src/phone/life.js';
import { factoryState } from '../../src/phone/state.js';
import { DEFAULT_VIRTUAL_START } from '../../src/time/clock.js';
import { tempDir } from '../support/servers.js';

const models = loadModelCatalogue();
const params = loadParameterCatalogue();
const HOUR = 3_600_000;
const SEED = 'replay';
const RAMP = 60_000;
const BOOT = 60_000;

let treeA: string;
let treeB: string;

beforeAll(async () => {
  const dir = await tempDir('fleet-replay');
  // A: hourly, weekly and flexible rounds (the bench's tree). B: the same with one more setting
  // that needs a reboot (R1), so that every phone updates once after the switch.
  treeA = join(dir, 'a');
  await writeTriggerTree(treeA);
  treeB = join(dir, 'b');
  await cp(treeA, treeB, { recursive: true });
  await appendFile(join(treeB, 'triggers.cfg'), 'static.network.vlan.internet_port_enable = 1\n');
});

/** Requests counted per file (the fleet report's `byFile` keys), ahead of another fetcher. */
class Counting implements Fetcher {
  readonly byFile = new Map<string, Map<string, number>>();

  constructor(
    private inner: Fetcher,
    private readonly root: () => string,
  ) {}

  switchTo(inner: Fetcher): void {
    this.inner = inner;
  }

  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const outcome = await this.inner.fetch(request);
    const file = fileKey(new URL(request.url.href.slice(this.root().length - 1), 'file:///'));
    const status = outcome.kind === 'failed' ? `failed:${outcome.cause}` : outcome.kind;
    let statuses = this.byFile.get(file);
    if (!statuses) this.byFile.set(file, (statuses = new Map<string, number>()));
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    return outcome;
  }
}

/**
 * Each phone's life alone, on the engine every round: powered on where the fleet powers it on,
 * living to the same end; tree B (requested at A's address) from `rolloutAt` when given.
 */
async function alone(phones: readonly FleetPhone[], forMs: number, rolloutAt?: number) {
  const engine = new Engine({ models, params });
  const rootA = pathToFileURL(treeA + '/').href;
  const a = new FileFetcher(treeA, { cache: true });
  const b = new FileFetcher(treeB, { cache: true });
  const requests = new Map<string, Map<string, number>>();
  const outcomes = new Map<string, { rounds: number; reboots: number }>();
  for (const phone of phones) {
    const start = DEFAULT_VIRTUAL_START + powerOnOffset(SEED, phone.mac, RAMP);
    // B answers below A's address: the same file names, B's contents.
    const fromB: Fetcher = {
      fetch: (request) =>
        b.fetch({
          ...request,
          url: new URL(request.url.href.replace(rootA, pathToFileURL(treeB + '/').href)),
        }),
    };
    const counting = new Counting(a, () => rootA);
    const life = new PhoneLife({
      engine,
      model: phone.model,
      state: factoryState(phone.mac, phone.model.id, phone.firmware),
      server: { url: rootA, source: '--tree' },
      fetcher: counting,
      time: 'virtual',
      start,
      seed: SEED,
      bootMs: BOOT,
    });
    if (rolloutAt !== undefined) life.at(DEFAULT_VIRTUAL_START + rolloutAt, () => counting.switchTo(fromB));
    await life.live(DEFAULT_VIRTUAL_START + forMs);
    const rounds = life.timeline.filter((e) => e.round !== undefined);
    outcomes.set(phone.mac, { rounds: rounds.length, reboots: rounds.filter((e) => e.round!.reboot).length });
    for (const [file, statuses] of counting.byFile) {
      let all = requests.get(file);
      if (!all) requests.set(file, (all = new Map<string, number>()));
      for (const [status, n] of statuses) all.set(status, (all.get(status) ?? 0) + n);
    }
  }
  return {
    outcomes,
    byFile: Object.fromEntries([...requests].map(([file, s]) => [file, Object.fromEntries(s)])),
  };
}

describe('issue #14 §2: replayed rounds (M1) in virtual time', () => {
  const phones = generateFleet(
    { count: 12, mix: parseModelMix('T46U:50%,T23G:50%', models), seed: SEED },
    models,
  );

  it('a fleet with hourly rounds makes the rounds and requests each phone makes alone', async () => {
    const forMs = 30 * HOUR;
    const report = await runFleet({
      scenario: 'life',
      phones,
      seed: SEED,
      source: { kind: 'tree', dir: treeA },
      time: 'virtual',
      concurrency: 4,
      rampMs: RAMP,
      bootMs: BOOT,
      forMs,
    });
    const expected = await alone(phones, forMs);
    for (const outcome of report.outcomes) expect(outcome).toMatchObject(expected.outcomes.get(outcome.mac)!);
    // About 30 rounds a phone: nearly all of them replays of the one before.
    expect(report.outcomes.every((o) => o.rounds > 25)).toBe(true);
    expect(report.requests.byFile).toEqual(expected.byFile);
  });

  it('a new tree (a rollout) makes every phone run its rounds on the engine again, and update', async () => {
    const forMs = 30 * HOUR;
    const rolloutAtMs = 10 * HOUR;
    const report = await runFleet({
      scenario: 'rollout',
      phones,
      seed: SEED,
      source: { kind: 'tree', dir: treeA },
      rolloutSource: { kind: 'tree', dir: treeB },
      rolloutAtMs,
      time: 'virtual',
      concurrency: 4,
      rampMs: RAMP,
      bootMs: BOOT,
      forMs,
    });
    const expected = await alone(phones, forMs, rolloutAtMs);
    for (const outcome of report.outcomes) expect(outcome).toMatchObject(expected.outcomes.get(outcome.mac)!);
    // The power-on round's reboot, and the one B's setting needs (R1).
    expect(report.outcomes.every((o) => o.reboots === 2)).toBe(true);
    expect(report.requests.byFile).toEqual(expected.byFile);
  });
});

describe('TreeVersions', () => {
  it('starts a new version of a tree when something is uploaded to it', async () => {
    const versions = new TreeVersions(2);
    const before = [versions.of(0), versions.of(1)];
    const tree = versions.watch(1, {
      fetch: () => Promise.resolve({ kind: 'not-found', detail: 'HTTP 404' }),
      put: () => Promise.resolve({ kind: 'ok' }),
    });
    await tree.fetch({} as FetchRequest);
    expect(versions.of(1)).toBe(before[1]);
    await tree.put({} as FetchRequest, new Uint8Array());
    expect(versions.of(0)).toBe(before[0]);
    expect(versions.of(1)).not.toBe(before[1]);
  });
});
