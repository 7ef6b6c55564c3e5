// Issue #8 §1-§3: the fleet runner's own promises. Seeded runs are reproducible and power every
// phone on within the ramp; `--concurrency` bounds what a server sees at once; a server that does
// not answer gives every phone a failed outcome with its reason; credentials never reach the report.
import { cp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { ConcurrencyLimit } from '../../src/fleet/concurrencyLimit.js';
import { generateFleet, parseModelMix } from '../../src/fleet/fleetInventory.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { runFleet, type FleetRunOptions } from '../../src/fleet/runner.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { freePort, tempDir } from '../support/servers.js';

const models = loadModelCatalogue();
const phones = generateFleet(
  { count: 200, mix: parseModelMix('T46U:50%,T23G:50%', models), seed: 'r' },
  models,
);

let tree: string;
beforeAll(async () => {
  tree = join(await tempDir('fleet-runner'), 'site');
  await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
});

function options(overrides: Partial<FleetRunOptions> = {}): FleetRunOptions {
  return {
    scenario: 'boot-storm',
    phones,
    seed: 'r',
    source: { kind: 'tree', dir: tree },
    time: 'virtual',
    concurrency: 16,
    rampMs: 120_000,
    bootMs: 30_000,
    ...overrides,
  };
}

const withoutEmulator = ({ emulator: _measured, ...rest }: FleetReport) => rest;

describe('issue #8 §1: seeded runs', () => {
  it('give the same report twice in virtual time, and another with another seed', async () => {
    const first = await runFleet(options());
    const second = await runFleet(options());
    expect(withoutEmulator(second)).toEqual(withoutEmulator(first));
    const other = await runFleet(options({ seed: 'other' }));
    expect(other.load.perSecondFirstHour).not.toEqual(first.load.perSecondFirstHour);
  });

  it('power every phone on within the ramp: its rounds fall between one boot and the ramp plus two boots', async () => {
    const report = await runFleet(options());
    const seconds = Object.keys(report.load.perSecondFirstHour).map(Number);
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...seconds)).toBeLessThan(120 + 60);
    // Spread over the ramp, not bunched: most seconds of it see a round start.
    expect(new Set(seconds.map((s) => Math.floor(s / 10))).size).toBeGreaterThan(12);
    expect(report.run).toMatchObject({
      scenario: 'boot-storm',
      time: 'virtual',
      start: '2026-01-05T00:00:00.000Z',
    });
    expect(report.run.durationMs).toBeLessThanOrEqual(120_000 + 60_000);
  });
});

describe('issue #8 §3: --concurrency', () => {
  let server: Server;
  let url: string;
  let inFlight = 0;
  let most = 0;

  beforeAll(async () => {
    // Serves the tree slowly and counts the requests it holds at once.
    server = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
      setTimeout(() => {
        readFile(join(tree, name)).then(
          (bytes) => res.end(bytes),
          () => res.writeHead(404).end(),
        );
        res.once('finish', () => inFlight--);
      }, 5);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://prov:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('bounds the transfers a server sees at once, all phones together', async () => {
    const report = await runFleet(
      options({
        phones: phones.slice(0, 60),
        time: 'real',
        source: { kind: 'server', url },
        concurrency: 4,
        rampMs: 50,
        bootMs: 0,
      }),
    );
    expect(report.phones.provisioned).toBe(60);
    expect(most).toBe(4);
    // The URL's credentials are used, never shown.
    expect(report.run.server).toBe(url.replace('prov:s3cret@', ''));
    expect(JSON.stringify(report)).not.toContain('s3cret');
  });
});

describe('issue #8 §4: failed phones', () => {
  it('give each phone its outcome and reason when the server does not answer', async () => {
    const port = await freePort();
    const report = await runFleet(
      options({
        phones: phones.slice(0, 20),
        time: 'real',
        source: { kind: 'server', url: `http://127.0.0.1:${port}/` },
        rampMs: 50,
        bootMs: 0,
        transfer: { attempts: 1, timeoutMs: 1000 },
      }),
    );
    expect(report.phones).toMatchObject({ total: 20, provisioned: 0, failed: 20 });
    for (const outcome of report.outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', rounds: 1, reboots: 0 });
      expect(outcome.failure).toMatch(/127\.0\.0\.1/);
    }
    // One reason for all, with the host taken out.
    expect(Object.values(report.phones.failures)).toEqual([20]);
    expect(Object.keys(report.phones.failures)[0]).not.toMatch(/127\.0\.0\.1/);
  });
});

describe('issue #8 §3: ConcurrencyLimit', () => {
  it('lets N run at once and the others in arrival order', async () => {
    const limit = new ConcurrencyLimit(3);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit.run(async () => {
          started.push(i);
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          running--;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limit.running).toBe(0);
    expect(limit.waiting).toBe(0);
  });
});
