// dnsmasq as the LAN's DHCPv4 and DHCPv6 server, for the discovery tests (spec S3): started in
// the server namespace of a `createLan()` with a configuration written to a temp folder, its log
// and lease file kept there, and no DNS. Options are given in dnsmasq's own `dhcp-option` syntax.
import type { ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lan } from './netns.js';
import { tempDir, type Needed } from './servers.js';

export const DNSMASQ: Needed = { binary: '/usr/sbin/dnsmasq', debianPackage: 'dnsmasq' };

export const V4_RANGE = { first: '10.77.0.100', last: '10.77.0.150' } as const;
export const V6_RANGE = { first: 'fd77::100', last: 'fd77::1ff' } as const;

export interface DnsmasqSettings {
  /**
   * Values of `dhcp-option=` lines, e.g. `66,"http://10.77.0.1/"`, `66,9f:00:41` (bytes in hex),
   * `option6:59,"tftp://[fd77::1]/"`. dnsmasq sends an option only when the client asks for it.
   * The hex form gives bytes only for options dnsmasq has no string type for (43, 128-254): for
   * 66 it sends the text `9f:00:41`. The file is written as latin1, so a `\x9f` in a quoted value
   * is that one byte (dnsmasq copies it as it is; a NUL would end the value).
   */
  readonly options?: readonly string[];
  /** Serve DHCPv6 too (default true). */
  readonly v6?: boolean;
}

export interface Dnsmasq {
  readonly dir: string;
  /** The `log-dhcp` log so far: every packet, the options sent, in dnsmasq's words. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export function dnsmasqConfig(ifname: string, dir: string, settings: DnsmasqSettings): string {
  return [
    'port=0', // no DNS
    `interface=${ifname}`,
    'bind-interfaces',
    // Without it dnsmasq pings an address before offering it, delaying the OFFER by about 3 s.
    'no-ping',
    'user=root', // the log and lease file are in a root-owned temp folder
    `pid-file=${join(dir, 'pid')}`,
    `dhcp-leasefile=${join(dir, 'leases')}`,
    'log-dhcp',
    `log-facility=${join(dir, 'log')}`,
    `dhcp-range=${V4_RANGE.first},${V4_RANGE.last},255.255.255.0,1h`,
    ...(settings.v6 === false ? [] : [`dhcp-range=${V6_RANGE.first},${V6_RANGE.last},64,1h`]),
    ...(settings.options ?? []).map((value) => `dhcp-option=${value}`),
    '',
  ].join('\n');
}

/** Starts dnsmasq in the LAN's server namespace; resolves once its log says DHCP is served. */
export async function startDnsmasq(lan: Lan, settings: DnsmasqSettings = {}): Promise<Dnsmasq> {
  const dir = await tempDir('dnsmasq');
  const conf = join(dir, 'dnsmasq.conf');
  await writeFile(conf, dnsmasqConfig(lan.server.ifname, dir, settings), 'latin1');
  const child = lan.server.start(DNSMASQ.binary, ['--keep-in-foreground', `--conf-file=${conf}`]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const log = () => readFile(join(dir, 'log'), 'utf8').catch(() => '');
  await ready(child, log, settings.v6 === false ? 'DHCP, IP range' : 'DHCPv6, IP range', () => stderr);
  return {
    dir,
    log,
    async stop() {
      await stopped(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ready(
  child: ChildProcess,
  log: () => Promise<string>,
  line: string,
  stderr: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await log()).includes(line)) {
    if (child.exitCode !== null)
      throw new Error(`dnsmasq exited (${child.exitCode}): ${stderr().trim()} ${await log()}`);
    if (Date.now() > deadline) throw new Error(`dnsmasq did not log "${line}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
