// Issue #6, done when: "the namespace tests show each source alone, and all of them together in
// priority order, leading to a provisioned phone" (spec S1-S3). A network of our own: dnsmasq
// (DHCPv4 + DHCPv6), our PnP server and `autop serve` in one namespace; `autop provision
// --discover` in the other, as a user would run it. Each source hands out a different folder of
// the same tree, so the folder the phone provisioned from says which source won.
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { CLI } from '../support/cli.js';
import { DNSMASQ, startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';
import { assertNetns, createLan, outputOf, skipUnlessNetns, type Lan } from '../support/netns.js';
import { missing, tempDir } from '../support/servers.js';

const FOLDERS = ['one-key', 'pnp', 'custom', 'o66', 'o43', 'custom6', 'o59', 'flash'] as const;
type Folder = (typeof FOLDERS)[number];

interface Discovery {
  winner?: { source: string; url: string };
  sources: { source: string; heard: { kind: string; url?: string; detail?: string }; won: boolean }[];
  lease?: { address: string };
  ignored: string[];
}
interface Provisioned {
  discovery: Discovery;
  status: string;
  server: { url: string; source: string } | null;
}

describe.skipIf(skipUnlessNetns(missing(DNSMASQ)))(
  'S1 on a real network: every source, alone and together',
  () => {
    let lan: Lan;
    let dir: string;
    let web = '';
    let web6 = '';
    const started: ChildProcess[] = [];
    let dnsmasq: Dnsmasq | undefined;

    beforeAll(async () => {
      assertNetns(missing(DNSMASQ));
      dir = await tempDir('chain-netns');
      await cp(join(fixturesDir, 'site'), join(dir, 'www', 'by-model', 'T46U'), { recursive: true });
      for (const folder of FOLDERS)
        await cp(join(fixturesDir, 'site'), join(dir, 'www', folder), { recursive: true });
      lan = createLan();
      web = `http://${lan.serverV4}:8080`;
      web6 = `http://[${lan.serverV6}]:8080`;
      // The provisioning server, dual-stack so that DHCPv6's addresses work too.
      const serve = lan.server.start(process.execPath, [
        CLI,
        'serve',
        join(dir, 'www'),
        '--http',
        '8080',
        '--host',
        '::',
      ]);
      await until(() => lan.server.run('ss', ['-Hltn', 'sport = :8080']).stdout.trim() !== '', serve);
    });

    afterEach(async () => {
      await dnsmasq?.stop();
      dnsmasq = undefined;
      for (const child of started.splice(0)) {
        child.kill('SIGTERM');
        await new Promise((resolve) =>
          child.exitCode !== null ? resolve(null) : child.once('exit', resolve),
        );
      }
    });

    afterAll(async () => {
      await lan?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function until(ready: () => boolean, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!ready()) {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready`);
        if (Date.now() > deadline) throw new Error('not ready in time');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    async function pnpServer(folder: Folder): Promise<void> {
      const child = lan.server.start(process.execPath, [CLI, 'pnp-server', '--url', `${web}/${folder}/`]);
      started.push(child);
      await until(() => lan.server.run('ss', ['-Hlun', 'sport = :5060']).stdout.trim() !== '', child);
    }

    const DHCP: Record<Exclude<Folder, 'one-key' | 'pnp' | 'flash'>, string> = {
      custom: `160,"${'WEB'}/custom/"`,
      o66: `66,"WEB/o66/"`,
      o43: `43,"WEB/o43/"`,
      custom6: `option6:200,"WEB6/custom6/"`,
      o59: `option6:59,"WEB6/o59/"`,
    };

    async function dhcp(...folders: (keyof typeof DHCP)[]): Promise<void> {
      dnsmasq = await startDnsmasq(lan, {
        options: folders.map((f) => DHCP[f].replace('WEB6', web6).replace('WEB', web)),
      });
    }

    /** A phone whose flash asks for the custom options (and may carry a server URL and switches). */
    async function phoneState(config: Record<string, string> = {}): Promise<string> {
      const path = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
      const state = {
        format: 'autop-phone-state/1',
        mac: '00156574b150',
        model: 'T46U',
        firmware: '108.86.0.20',
        config: {
          'static.auto_provision.dhcp_option.list_user_options': '160',
          'static.auto_provision.dhcp_option.list_user6_options': '200',
          ...config,
        },
        origins: {},
        provisioned: {},
        local: {},
        md5: {},
        rounds: 0,
      };
      await writeFile(path, JSON.stringify(state));
      return path;
    }

    async function provision(state: string, ...extra: string[]): Promise<Provisioned> {
      const child = lan.phone.start(process.execPath, [
        CLI,
        'provision',
        '--state',
        state,
        '--discover',
        '--interface',
        lan.phone.ifname,
        '--pnp-timeout',
        '1s',
        '--dhcp-timeout',
        '2s',
        '--json',
        ...extra,
      ]);
      const run = await outputOf(child);
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout) as Provisioned;
    }

    function expectWon(result: Provisioned, source: string, folder: Folder): void {
      expect(result.discovery.winner?.source, JSON.stringify(result.discovery.sources)).toBe(source);
      expect(result.status).toBe('updated');
      expect(result.server?.url).toMatch(new RegExp(`/${folder}/$`));
    }

    it('PnP alone: our PnP server answers the SUBSCRIBE (S2)', async () => {
      await pnpServer('pnp');
      const result = await provision(await phoneState());
      expectWon(result, 'pnp', 'pnp');
      const heard = result.discovery.sources.find((s) => s.source === 'dhcp-66')!.heard;
      expect(heard.kind).toBe('silent');
    });

    for (const [folder, source] of [
      ['custom', 'dhcp-custom'],
      ['o66', 'dhcp-66'],
      ['o43', 'dhcp-43'],
      ['custom6', 'dhcpv6-custom'],
      ['o59', 'dhcpv6-59'],
    ] as const) {
      it(`${source} alone: dnsmasq hands it out (S3)`, async () => {
        await dhcp(folder);
        const result = await provision(await phoneState());
        expectWon(result, source, folder);
        if (!source.startsWith('dhcpv6'))
          expect(result.discovery.lease?.address).toMatch(/^10\.77\.0\.1\d\d$/);
      });
    }

    it('flash alone: nothing on the network answers, the stored address is used', async () => {
      const result = await provision(
        await phoneState({ 'static.auto_provision.server.url': `${web}/flash/` }),
      );
      expectWon(result, 'flash', 'flash');
      expect(result.discovery.sources.find((s) => s.source === 'pnp')!.heard.kind).toBe('silent');
    });

    it('all at once: PnP beats every DHCP option, and the report lists what each said', async () => {
      await pnpServer('pnp');
      await dhcp('custom', 'o66', 'o43', 'custom6', 'o59');
      const result = await provision(
        await phoneState({ 'static.auto_provision.server.url': `${web}/flash/` }),
      );
      expectWon(result, 'pnp', 'pnp');
      const said = Object.fromEntries(
        result.discovery.sources.map((s) => [s.source, s.heard.url ?? s.heard.kind]),
      );
      expect(said).toEqual({
        'one-key': 'absent',
        pnp: `${web}/pnp/`,
        'dhcp-custom': `${web}/custom/`,
        'dhcp-66': `${web}/o66/`,
        'dhcp-43': `${web}/o43/`,
        'dhcpv6-custom': `${web6}/custom6/`,
        'dhcpv6-59': `${web6}/o59/`,
        flash: `${web}/flash/`,
      });
    });

    it('all at once with a one-key address: one-key wins', async () => {
      await pnpServer('pnp');
      await dhcp('custom', 'o66');
      const result = await provision(await phoneState(), '--one-key', `${web}/one-key/`);
      expectWon(result, 'one-key', 'one-key');
    });

    it('the custom option beats 66 and 43 when PnP is off (pnp_enable = 0)', async () => {
      await pnpServer('pnp');
      await dhcp('custom', 'o66', 'o43');
      const result = await provision(await phoneState({ 'static.auto_provision.pnp_enable': '0' }));
      expectWon(result, 'dhcp-custom', 'custom');
      expect(result.discovery.sources.find((s) => s.source === 'pnp')!.heard.kind).toBe('off');
    });

    it('garbage bytes in option 66 are reported and ignored: option 43 wins, nothing crashes', async () => {
      // A quoted value with a raw 0x9f byte: dnsmasq's hex form would send option 66 as text.
      dnsmasq = await startDnsmasq(lan, { options: [`66,"\x9f${web}/o66/"`, `43,"${web}/o43/"`] });
      const result = await provision(await phoneState({ 'static.auto_provision.pnp_enable': '0' }));
      const heard = result.discovery.sources.find((s) => s.source === 'dhcp-66')!.heard;
      expect(heard.kind).toBe('invalid');
      expect(heard.detail).toMatch(/0x9f/);
      expectWon(result, 'dhcp-43', 'o43');
    });

    it('S4: $PN in a DHCP answer is expanded after discovery, by the round', async () => {
      dnsmasq = await startDnsmasq(lan, { options: [`66,"${web}/by-model/$PN/"`] });
      const result = await provision(await phoneState({ 'static.auto_provision.pnp_enable': '0' }));
      expect(result.discovery.winner).toEqual({ source: 'dhcp-66', url: `${web}/by-model/$PN/` });
      expect(result.status).toBe('updated');
      expect(result.server?.url).toBe(`${web}/by-model/T46U/`);
    });

    it('the lease is kept in the phone state', async () => {
      await dhcp('o66');
      const state = await phoneState();
      await provision(state);
      const { readFile } = await import('node:fs/promises');
      const saved = JSON.parse(await readFile(state, 'utf8')) as {
        network: { ipv4: { address: string; server: string }; serverSource: string };
      };
      expect(saved.network.ipv4.address).toMatch(/^10\.77\.0\.1\d\d$/);
      expect(saved.network.ipv4.server).toBe(lan.serverV4);
      expect(saved.network.serverSource).toBe('dhcp-66');
    });

    it('autop run --discover: the chain runs at boot, and the timeline says where the server came from', async () => {
      await dhcp('o66');
      const child = lan.phone.start(process.execPath, [
        CLI,
        'run',
        '--state',
        await phoneState(),
        '--discover',
        '--interface',
        lan.phone.ifname,
        '--pnp-timeout',
        '1s',
        '--dhcp-timeout',
        '2s',
        '--virtual',
        '--for',
        '10m',
        '--json',
      ]);
      const run = await outputOf(child);
      expect(run.stderr).toBe('');
      const result = JSON.parse(run.stdout) as {
        discovery: Discovery;
        timeline: { state: string; event: string; round?: { status: string } }[];
      };
      expect(result.discovery.winner).toEqual({ source: 'dhcp-66', url: `${web}/o66/` });
      const found = result.timeline.find((e) => e.state === 'finding-server');
      expect(found?.event).toBe(`server from DHCP option 66 (S1): ${web}/o66/`);
      expect(result.timeline.find((e) => e.round)?.round?.status).toBe('updated');
    });
  },
);
