// Issue #8 done-when, CI-sized: a boot storm of 1,000 phones in real time against the embedded
// server and against Debian's nginx, every phone with the outcome a lone phone would have (the
// rounds a single Engine.runRound after another give for its MAC and model), and the requests per
// file what those rounds ask for: counted by us, and for nginx by its own access log too.
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { roundRan } from '../../src/engine/report.js';
import { Engine } from '../../src/engine/round.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import { generateFleet, parseModelMix, type FleetPhone } from '../../src/fleet/fleetInventory.js';
import type { FleetReport, PhoneOutcome } from '../../src/fleet/report.js';
import { runFleet } from '../../src/fleet/runner.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { loadParameterCatalogue } from '../../src/models/parameters.js';
import { factoryState } from '../../src/phone/state.js';
import { NGINX, servedCopy, startNginx, type RunningNginx } from '../support/debianServers.js';
import { assertInstalled, skipUnlessInstalled, tempDir } from '../support/servers.js';

const PHONES = 1000;
const models = loadModelCatalogue();
const fleet = generateFleet(
  { count: PHONES, mix: parseModelMix('T46U:60%,T23G:40%', models), seed: 'storm' },
  models,
);

/** What one phone alone does at power-on: rounds until one asks for no reboot, as the firmware does. */
async function aloneOutcome(phone: FleetPhone, tree: string, engine: Engine, fetcher: FileFetcher) {
  let state = factoryState(phone.mac, phone.model.id, phone.firmware);
  let rounds = 0;
  let reboots = 0;
  let upgradedTo: string | undefined;
  for (;;) {
    const { report, state: next } = await engine.runRound({
      model: phone.model,
      state,
      server: { url: pathToFileURL(tree + '/').href, source: 'test' },
      fetcher,
      now: new Date(Date.UTC(2026, 0, 5)),
    });
    state = next;
    rounds++;
    if (report.firmware?.install && report.firmware.version) upgradedTo = report.firmware.version;
    if (!report.reboot || rounds > 5) {
      const status = roundRan(report.status) ? 'provisioned' : report.status;
      return {
        mac: phone.mac,
        model: phone.model.id,
        status,
        rounds,
        reboots,
        ...(upgradedTo && { upgradedTo }),
      };
    }
    reboots++;
  }
}

async function expectedOutcomes(tree: string): Promise<PhoneOutcome[]> {
  const engine = new Engine({ models, params: loadParameterCatalogue() });
  const fetcher = new FileFetcher(tree, { cache: true });
  const outcomes: PhoneOutcome[] = [];
  for (const phone of fleet)
    outcomes.push((await aloneOutcome(phone, tree, engine, fetcher)) as PhoneOutcome);
  return outcomes;
}

/** The files each phone's rounds ask for on the common-only site: its MAC boot file, then the common ones. */
function expectedRequests(outcomes: readonly PhoneOutcome[]): Record<string, Record<string, number>> {
  const byFile: Record<string, Record<string, number>> = {};
  const add = (file: string, status: string, n: number) => {
    byFile[file] ??= {};
    byFile[file][status] = (byFile[file][status] ?? 0) + n;
  };
  for (const o of outcomes) {
    add(`/${o.mac}.boot`, 'not-found', o.rounds);
    add('/y000000000000.boot', 'ok', o.rounds);
    add('/site.cfg', 'ok', o.rounds);
    add(o.model === 'T46U' ? '/y000000000108.cfg' : '/y000000000044.cfg', 'ok', o.rounds);
  }
  return byFile;
}

function checkStorm(report: FleetReport, expected: readonly PhoneOutcome[]): void {
  expect(report.run).toMatchObject({ scenario: 'boot-storm', time: 'real', inventory: PHONES });
  expect(report.outcomes).toHaveLength(PHONES);
  expect(report.outcomes).toEqual(expected);
  expect(report.phones).toMatchObject({ total: PHONES, provisioned: PHONES, failed: 0 });
  expect(report.requests.byFile).toEqual(expectedRequests(expected));
  expect(report.requests.total).toBe(4 * expected.reduce((n, o) => n + o.rounds, 0));
}

describe('issue #8: a boot storm of 1,000 phones against the embedded server', () => {
  let tree: string;
  let expected: PhoneOutcome[];

  beforeAll(async () => {
    tree = join(await tempDir('fleet-storm'), 'site');
    await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
    expected = await expectedOutcomes(tree);
  });

  it('gives every phone the outcome it has alone, and asks for each file as its rounds do', async () => {
    // The tree's settings need a reboot (R1): each phone runs its power-on round twice.
    expect(expected.every((o) => o.status === 'provisioned' && o.rounds === 2 && o.reboots === 1)).toBe(true);
    const report = await runFleet({
      scenario: 'boot-storm',
      phones: fleet,
      seed: 'storm',
      source: { kind: 'tree', dir: tree },
      time: 'real',
      concurrency: 64,
      rampMs: 2000,
      bootMs: 0,
    });
    checkStorm(report, expected);
    expect(report.run.server).toBe(pathToFileURL(tree + '/').href);
  }, 120_000);
});

describe.skipIf(skipUnlessInstalled(NGINX))('issue #8: a boot storm of 1,000 phones against nginx', () => {
  let tree: string;
  let nginx: RunningNginx<Record<string, never>> | undefined;
  let expected: PhoneOutcome[];

  beforeAll(async () => {
    assertInstalled(NGINX);
    tree = await servedCopy(await tempDir('fleet-nginx'), join(fixturesDir, 'site-common-only'));
    nginx = await startNginx(tree, {});
    expected = await expectedOutcomes(tree);
  });

  afterAll(async () => {
    await nginx?.stop();
  });

  it('gives every phone the outcome it has alone; nginx logged exactly the requests we counted', async () => {
    const report = await runFleet({
      scenario: 'boot-storm',
      phones: fleet,
      seed: 'storm',
      source: { kind: 'server', url: nginx!.url },
      time: 'real',
      // startNginx allows 64 connections per worker, its listening socket among them; the fleet
      // opens at most --concurrency connections.
      concurrency: 48,
      rampMs: 2000,
      bootMs: 0,
    });
    checkStorm(report, expected);
    expect(report.run.server).toBe(nginx!.url);
    // nginx's own count of what it served: request path and status, per file.
    const logged: Record<string, Record<string, number>> = {};
    for (const line of (await readFile(nginx!.accessLog, 'utf8')).split('\n')) {
      const match = /"GET (\S+) HTTP\/1\.1" (\d{3}) /.exec(line);
      if (!match) continue;
      const status = match[2] === '200' ? 'ok' : match[2] === '404' ? 'not-found' : `http-${match[2]}`;
      logged[match[1]!] ??= {};
      logged[match[1]!]![status] = (logged[match[1]!]![status] ?? 0) + 1;
    }
    expect(logged).toEqual(report.requests.byFile);
    // Every request came with the User-Agent of a Yealink phone (spec S7).
    expect(await readFile(nginx!.accessLog, 'utf8')).toMatch(/"Yealink SIP-T46U 108\.86\.0\.90 00:15:65:/);
  }, 120_000);
});
