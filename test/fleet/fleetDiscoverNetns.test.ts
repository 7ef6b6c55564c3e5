// Issue #8 §1 `autop fleet --discover` on a network of our own (issue #6's namespaces): every phone
// of a small fleet runs the S1 chain at boot against dnsmasq and provisions from what option 66
// said. Needs root (CI has it).
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { CLI } from '../support/cli.js';
import { DNSMASQ, startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';
import { assertNetns, createLan, outputOf, skipUnlessNetns, type Lan } from '../support/netns.js';
import { missing, tempDir } from '../support/servers.js';

describe.skipIf(skipUnlessNetns(missing(DNSMASQ)))('autop fleet --discover (S1 per phone)', () => {
  let lan: Lan;
  let dir: string;
  let dnsmasq: Dnsmasq | undefined;

  beforeAll(async () => {
    assertNetns(missing(DNSMASQ));
    dir = await tempDir('fleet-discover');
    await cp(join(fixturesDir, 'site'), join(dir, 'www', 'site'), { recursive: true });
    lan = createLan();
    const serve = lan.server.start(process.execPath, [
      CLI,
      'serve',
      join(dir, 'www'),
      '--http',
      '8080',
      '--host',
      '0.0.0.0',
    ]);
    const deadline = Date.now() + 10_000;
    while (lan.server.run('ss', ['-Hltn', 'sport = :8080']).stdout.trim() === '') {
      if (serve.exitCode !== null || Date.now() > deadline) throw new Error('autop serve did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    dnsmasq = await startDnsmasq(lan, { options: [`66,"http://${lan.serverV4}:8080/site/"`] });
  });

  afterAll(async () => {
    await dnsmasq?.stop();
    await lan?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every phone learns its server from DHCP option 66 and provisions from it', async () => {
    const run = await outputOf(
      lan.phone.start(process.execPath, [
        CLI,
        'fleet',
        '--count',
        '4',
        '--models',
        'T46U:50%,T23G:50%',
        '--seed',
        'discover',
        '--discover',
        '--interface',
        lan.phone.ifname,
        '--pnp-timeout',
        '300ms',
        '--dhcp-timeout',
        '2s',
        '--ramp',
        '1s',
        '--boot',
        '0s',
        '--no-progress',
        '--json',
      ]),
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as FleetReport;
    expect(report.run.server).toBe('discovered by each phone (S1)');
    expect(report.outcomes).toHaveLength(4);
    for (const outcome of report.outcomes) {
      expect(outcome).toMatchObject({ status: 'provisioned', serverSource: 'dhcp-66' });
    }
    // Each phone fetched from the address DHCP gave: the common boot file was asked for 4 times at least.
    expect(report.phones.byModel).toMatchObject({ T46U: { total: 2 }, T23G: { total: 2 } });
    expect(Object.keys(report.requests.byFile).some((f) => f.startsWith('/site/'))).toBe(true);
  });
});
