// Issue #15: a NOTIFY storm reports its NOTIFYs: how many went out, how they were answered (by
// status), timed out or could not be sent, retransmissions, latency, and the rounds and reboots they
// started (spec T7); the phones of a storm are done as they rest after their NOTIFY, so the progress
// moves while it goes on. Counted by NotifyMetrics; seen here in real runs, real time and virtual.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { generateFleet, parseModelMix } from '../../src/fleet/fleetInventory.js';
import { NotifyMetrics } from '../../src/fleet/notifyMetrics.js';
import { startFleetRun, runFleet, type FleetRunOptions } from '../../src/fleet/runner.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { tempDir } from '../support/servers.js';

const models = loadModelCatalogue();
const phones = generateFleet(
  { count: 24, mix: parseModelMix('T46U:50%,T23G:50%', models), seed: 'n' },
  models,
);

let tree: string;
beforeAll(async () => {
  // The common-only site: sip.notify_reboot_enable = 0, so a NOTIFY reboots only with reboot=true (T7).
  tree = join(await tempDir('fleet-notify'), 'site');
  await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
});

function storm(overrides: Partial<FleetRunOptions>): FleetRunOptions {
  return {
    scenario: 'notify-storm',
    phones,
    seed: 'n',
    source: { kind: 'tree', dir: tree },
    time: 'real',
    concurrency: 8,
    rampMs: 300,
    bootMs: 0,
    ...overrides,
  };
}

describe('issue #15: the NOTIFYs of a storm in its report', () => {
  it('over SIP: every NOTIFY sent and answered 200, its latency, and the round and reboot it started', async () => {
    const report = await runFleet(storm({ notifyReboot: true }));
    const notify = report.notify!;
    expect(notify).toMatchObject({
      sent: phones.length,
      answered: { '200': phones.length },
      timeouts: 0,
      notSent: 0,
      // reboot=true: each NOTIFY's round is followed by a reboot (T7).
      rounds: phones.length,
      reboots: phones.length,
    });
    expect(notify.latency.count).toBe(phones.length);
    expect(notify.latency.counts.reduce((a, b) => a + b, 0)).toBe(phones.length);
    // The rounds the NOTIFYs started are among the phones' own: power-on, reboot, again, NOTIFY, reboot, again.
    expect(report.outcomes.every((o) => o.rounds === 4 && o.reboots === 2)).toBe(true);
  }, 60_000);

  it('without reboot=true (sip.notify_reboot_enable 0): the rounds, and no reboot after them', async () => {
    const report = await runFleet(storm({}));
    expect(report.notify).toMatchObject({ sent: phones.length, rounds: phones.length, reboots: 0 });
  }, 60_000);

  it('in virtual time: NOTIFYs handed over in-process, no SIP figures', async () => {
    const report = await runFleet(storm({ time: 'virtual', rampMs: 60_000, bootMs: 5_000 }));
    expect(report.notify).toEqual({
      sent: phones.length,
      answered: {},
      timeouts: 0,
      notSent: 0,
      retransmissions: 0,
      latency: expect.objectContaining({ count: 0 }) as unknown,
      rounds: phones.length,
      reboots: 0,
    });
  });

  it('has no NOTIFY section in a run that sends none', async () => {
    const report = await runFleet(storm({ scenario: 'boot-storm', time: 'virtual' }));
    expect(report.notify).toBeUndefined();
  });

  it('marks a phone done once it rests after its NOTIFY: the progress moves during the storm', async () => {
    // One transfer at a time: the phones' NOTIFY rounds run one after another.
    const run = startFleetRun(storm({ concurrency: 1 }));
    const seen = new Set<number>();
    const watch = setInterval(() => {
      const live = run.live();
      if (live.notify && live.notify.sent > 0) seen.add(live.done);
    }, 1);
    const report = await run.report;
    clearInterval(watch);
    expect(report.phones.provisioned).toBe(phones.length);
    // Some phones were done while others still waited for their round.
    expect([...seen].some((done) => done > 0 && done < phones.length)).toBe(true);
    expect(run.live()).toMatchObject({ done: phones.length, notify: { sent: phones.length } });
  }, 60_000);
});

describe('NotifyMetrics', () => {
  it('counts each NOTIFY by how it ended, its retransmissions, and the latency of the answered', () => {
    const m = new NotifyMetrics();
    const from = { address: '127.0.0.1', port: 5060 };
    for (let i = 0; i < 4; i++) m.sentOne();
    m.ended({
      kind: 'answered',
      status: 200,
      reason: 'OK',
      from,
      transmissions: 1,
      provisional: [],
      latencyMs: 3,
    });
    m.ended({
      kind: 'answered',
      status: 200,
      reason: 'OK',
      from,
      transmissions: 2,
      provisional: [],
      latencyMs: 510,
    });
    m.ended({
      kind: 'answered',
      status: 404,
      reason: 'Not Found',
      from,
      transmissions: 1,
      provisional: [],
      latencyMs: 1,
    });
    m.ended({ kind: 'timeout', transmissions: 11, waitedMs: 32_000 });
    m.ended({ kind: 'failed', message: 'cannot send', transmissions: 0 });
    m.round(true);
    m.round(false);
    const figures = m.figures();
    expect(figures).toMatchObject({
      sent: 4,
      answered: { '200': 2, '404': 1 },
      timeouts: 1,
      notSent: 1,
      retransmissions: 1 + 10,
      rounds: 2,
      reboots: 1,
    });
    expect(figures.latency).toMatchObject({ count: 3, maxMs: 510 });
  });
});
