// Spec S3, reference §8, for real: the phone's DHCPv4 and DHCPv6 clients in their own network
// namespace, dnsmasq in the other. Needs root, iproute2 and dnsmasq (CI has all three: a missing
// one fails there rather than skips); the built dist/ is run, as `npm test` builds first.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Dhcp4Result } from '../../src/discovery/dhcp4.js';
import type { Dhcp6Result } from '../../src/discovery/dhcp6.js';
import { DNSMASQ, startDnsmasq, type Dnsmasq, type DnsmasqSettings } from '../support/dnsmasq.js';
import { assertNetns, createLan, outputOf, skipUnlessNetns, type Lan } from '../support/netns.js';
import { missing, tempDir } from '../support/servers.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const MAC = '00156574b150';
const CUSTOM = 128; // [CN]'s Wireshark example carries the URL in option 128
const CUSTOM6 = 200;

/** The phone: one dhcp4Discover or dhcp6Discover with the options in argv, its result as JSON. */
const CLIENT_SCRIPT = `
import { dhcp4Discover } from ${JSON.stringify(join(DIST, 'src/discovery/dhcp4.js'))};
import { dhcp6Discover } from ${JSON.stringify(join(DIST, 'src/discovery/dhcp6.js'))};
import { macOrThrow } from ${JSON.stringify(join(DIST, 'src/core/mac.js'))};
const { family, ...options } = JSON.parse(process.argv[2]);
const discover = family === 6 ? dhcp6Discover : dhcp4Discover;
console.log(JSON.stringify(await discover({ ...options, mac: macOrThrow(${JSON.stringify(MAC)}) })));
`;

/** The last octet of an address in 10.77.0.100-150, the dnsmasq range. */
const inV4Range = (address: string | undefined) => {
  const match = /^10\.77\.0\.(\d+)$/.exec(address ?? '');
  return match !== null && Number(match[1]) >= 100 && Number(match[1]) <= 150;
};
const inV6Range = (address: string | undefined) => /^fd77::1[0-9a-f]{2}$/.test(address ?? '');

describe.skipIf(skipUnlessNetns(missing(DNSMASQ)))('S3 DHCP over a real link: dnsmasq (namespaces)', () => {
  beforeAll(() => assertNetns(missing(DNSMASQ)));

  let lan: Lan | undefined;
  let dnsmasq: Dnsmasq | undefined;
  let dir = '';
  afterEach(async () => {
    await dnsmasq?.stop();
    await lan?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    lan = dnsmasq = undefined;
  });

  /** A fresh LAN, dnsmasq on it when `settings` are given, and the phone's script. */
  async function setUp(settings?: DnsmasqSettings): Promise<Lan> {
    dir = await tempDir('dhcp-netns');
    await writeFile(join(dir, 'client.mjs'), CLIENT_SCRIPT);
    lan = createLan();
    if (settings) dnsmasq = await startDnsmasq(lan, settings);
    return lan;
  }

  async function phone<T>(net: Lan, family: 4 | 6, options: Record<string, unknown>): Promise<T> {
    const args = [join(dir, 'client.mjs'), JSON.stringify({ family, ...options })];
    const run = await outputOf(net.phone.start(process.execPath, args));
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  }

  const v4 = (net: Lan, timeoutMs = 5000) =>
    phone<Dhcp4Result>(net, 4, { vendorClass: 'yealink', customOption: CUSTOM, timeoutMs });
  const v6 = (net: Lan, timeoutMs = 5000) =>
    phone<Dhcp6Result>(net, 6, { interfaceName: net.phone.ifname, customOption: CUSTOM6, timeoutMs });

  it('S3 v4: the custom option, 66 and 43 all decoded, with the lease (dnsmasq ends 66 with a NUL)', async () => {
    const net = await setUp({
      options: [
        `${CUSTOM},"tftp://10.77.0.1/custom/"`,
        '66,"http://10.77.0.1/66/"',
        '43,"https://10.77.0.1/43/"',
        'option:dns-server,10.77.0.53',
      ],
    });
    const result = await v4(net);
    expect(result.custom).toEqual({ kind: 'text', text: 'tftp://10.77.0.1/custom/' });
    expect(result.option66).toEqual({ kind: 'text', text: 'http://10.77.0.1/66/' });
    expect(result.option43).toEqual({ kind: 'text', text: 'https://10.77.0.1/43/' });
    expect(result.lease).toMatchObject({
      netmask: '255.255.255.0',
      router: net.serverV4,
      dns: ['10.77.0.53'],
      server: net.serverV4,
      leaseSeconds: 3600,
    });
    expect(inV4Range(result.lease?.address), result.lease?.address).toBe(true);
    expect(result.ignored).toEqual([]);
    // What dnsmasq heard: our option 60, and 55 asking for the custom option, 66 and 43.
    const log = await dnsmasq!.log();
    expect(log).toContain('vendor class: yealink');
    expect(log).toMatch(/requested options: .*\b128, 66:tftp-server,/);
    expect(log).toContain(`DHCPACK(${net.server.ifname}) ${result.lease?.address} 00:15:65:74:b1:50`);
  });

  it('S3 v4: only option 43 on offer: 43 read, the others absent', async () => {
    const net = await setUp({ options: ['43,"http://10.77.0.1/only43/"'] });
    const result = await v4(net);
    expect(result.option43).toEqual({ kind: 'text', text: 'http://10.77.0.1/only43/' });
    expect(result.option66).toBeUndefined();
    expect(result.custom).toBeUndefined();
    expect(inV4Range(result.lease?.address)).toBe(true);
  });

  it('S3 v4: options of garbage bytes are invalid, not text, and nothing breaks', async () => {
    // 66 is a string to dnsmasq (its hex form would go out as the text "9f:00:41"): the raw byte
    // is written into its configuration. The custom option takes the hex form as bytes.
    const net = await setUp({ options: ['66,"\x9fhttp://10.77.0.1/"', `${CUSTOM},9f:00:41`] });
    const result = await v4(net);
    expect(result.option66).toEqual({
      kind: 'invalid',
      detail: 'byte 0x9f at offset 0 is not printable text',
    });
    expect(result.custom).toEqual({ kind: 'invalid', detail: 'byte 0x9f at offset 0 is not printable text' });
    expect(inV4Range(result.lease?.address)).toBe(true);
    expect(result.ignored).toEqual([]);
  });

  it('S3 v6: the custom option and option 59 from the REPLY, with the IA_NA address', async () => {
    const net = await setUp({
      options: [`option6:${CUSTOM6},"http://prov6.example/custom/"`, 'option6:59,"tftp://[fd77::1]/boot/"'],
    });
    const result = await v6(net);
    expect(result.custom).toEqual({ kind: 'text', text: 'http://prov6.example/custom/' });
    expect(result.option59).toEqual({ kind: 'text', text: 'tftp://[fd77::1]/boot/' });
    expect(inV6Range(result.address), result.address).toBe(true);
    expect(result.server).toMatch(/^0001[0-9a-f]+$/); // dnsmasq's DUID-LLT
    expect(result.ignored).toEqual([]);
    // dnsmasq advertises preference 0, so the phone collects ADVERTISEs for SOL_TIMEOUT (RFC 8415
    // §18.2.1) before its REQUEST: about a second.
    expect(result.waitedMs).toBeGreaterThanOrEqual(950);
    const log = await dnsmasq!.log();
    expect(log).toContain(`DHCPSOLICIT(${net.server.ifname}) 00:03:00:01:00:15:65:74:b1:50`);
    expect(log).toMatch(/requested options: 82, 200, 59:bootfile-url/);
  });

  it('S3 nobody answering (no dnsmasq): no lease, no server, after the timeout', async () => {
    const net = await setUp();
    const [four, six] = await Promise.all([v4(net, 1500), v6(net, 1500)]);
    expect(four.lease).toBeUndefined();
    expect(four.ignored).toEqual([]);
    expect(four.failed).toBeUndefined();
    expect(four.waitedMs).toBeGreaterThanOrEqual(1490);
    expect(four.waitedMs).toBeLessThan(2500);
    expect(six.server).toBeUndefined();
    expect(six.failed).toBeUndefined();
    expect(six.waitedMs).toBeGreaterThanOrEqual(1490);
  });
});
