// Spec S2, reference §7, for real: the phone in its own network namespace multicasts the
// SUBSCRIBE to 224.0.1.75:5060, and a PnP server in the other namespace (ours, then SIPp playing
// one) answers with the URL. Needs root and iproute2 (CI has both); the built dist/ is run, as
// `npm test` builds first.
import type { ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PnpResult } from '../../src/discovery/pnp.js';
import {
  assertNetns,
  createLan,
  outputOf,
  skipUnlessNetns,
  type Lan,
  type Namespace,
} from '../support/netns.js';
import { missing, tempDir } from '../support/servers.js';

const SIPP = { binary: '/usr/bin/sipp', debianPackage: 'sip-tester' };
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SCENARIO = fileURLToPath(new URL('./pnp-uas.xml', import.meta.url));
const MAC = '00156574b150';
/** The phone side's address: what its Via and Contact must say for the NOTIFY to reach it. */
const PHONE_V4 = '10.77.0.2';

/** Runs our server from dist/ in a namespace; prints `ready`, then one JSON line per phone served. */
const SERVER_SCRIPT = (url: string) => `
import { startPnpServer } from ${JSON.stringify(join(DIST, 'src/server/pnpServer.js'))};
const server = await startPnpServer({
  url: ${JSON.stringify(url)},
  onServed: (served) => console.log(JSON.stringify(served)),
  log: (line) => console.error(line),
});
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
console.log('ready');
`;

/** The phone: one pnpDiscover to the real group (no destination given), its result as JSON. */
const CLIENT_SCRIPT = `
import { pnpDiscover } from ${JSON.stringify(join(DIST, 'src/discovery/pnp.js'))};
import { macOrThrow } from ${JSON.stringify(join(DIST, 'src/core/mac.js'))};
const result = await pnpDiscover({
  mac: macOrThrow('${MAC}'),
  model: 'T46U',
  firmware: '108.86.0.90',
  userAgent: 'Yealink SIP-T46U 108.86.0.90',
  timeoutMs: 8000,
});
console.log(JSON.stringify(result));
`;

/** Resolves once something in the namespace listens on UDP port 5060. */
async function listening(ns: Namespace, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ns.run('ss', ['-Hlun', 'sport = :5060']).stdout.trim() === '') {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before listening`);
    if (Date.now() > deadline) throw new Error('nothing listens on UDP 5060 in the server namespace');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh LAN per test, the phone side at PHONE_V4, and the phone's script in a temp folder. */
function lanPerTest(): {
  setUp: () => Promise<Lan>;
  phone: (net: Lan) => Promise<PnpResult>;
  dir: () => string;
} {
  let lan: Lan | undefined;
  let dir = '';
  afterEach(async () => {
    await lan?.close();
    lan = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    setUp: async () => {
      dir = await tempDir('pnp-netns');
      lan = createLan();
      // A phone asks for PnP after DHCP gave it an address; the LAN may already give it one.
      if (!lan.phone.run('ip', ['-4', 'addr', 'show', 'dev', lan.phone.ifname]).stdout.includes(PHONE_V4))
        lan.phone.run('ip', ['addr', 'add', `${PHONE_V4}/24`, 'dev', lan.phone.ifname]);
      await writeFile(join(dir, 'client.mjs'), CLIENT_SCRIPT);
      return lan;
    },
    phone: async (net) => {
      const run = await outputOf(net.phone.start(process.execPath, [join(dir, 'client.mjs')]));
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as PnpResult;
    },
  };
}

describe.skipIf(skipUnlessNetns())('S2 PnP over a real link: our server (namespaces, 224.0.1.75)', () => {
  beforeAll(() => assertNetns());
  const { setUp, phone, dir } = lanPerTest();

  it('our server (reference §7 "Reply that works") hands the phone its URL, $MAC expanded', async () => {
    const net = await setUp();
    await writeFile(join(dir(), 'server.mjs'), SERVER_SCRIPT(`http://${net.serverV4}/phones/$MAC/`));
    const server = net.server.start(process.execPath, [join(dir(), 'server.mjs')]);
    const served = outputOf(server);
    await listening(net.server, server);

    const result = await phone(net);
    expect(result).toMatchObject({
      url: `http://${net.serverV4}/phones/${MAC}/`,
      from: `${net.serverV4}:5060`,
    });
    expect(result.ignored).toEqual([]);

    server.kill('SIGTERM');
    const { stdout, stderr } = await served;
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('ready');
    expect(JSON.parse(lines[1] ?? 'null'), stderr).toEqual({
      mac: MAC,
      model: 'T46U',
      firmware: '108.86.0.90',
      to: `${PHONE_V4}:5059`,
      url: `http://${net.serverV4}/phones/${MAC}/`,
    });
    expect(stderr).toContain(`NOTIFY to ${PHONE_V4}:5059 answered 200 OK`);
  });
});

describe.skipIf(skipUnlessNetns(missing(SIPP)))('S2 PnP over a real link: SIPp as the server', () => {
  beforeAll(() => assertNetns(missing(SIPP)));
  const { setUp, phone, dir } = lanPerTest();

  it('SIPp as the PnP server (pnp-uas.xml) hands the phone its URL', async () => {
    const net = await setUp();
    // SIPp joins no group; the kernel does, for an address added with autojoin. Bound without -i,
    // SIPp listens on 0.0.0.0:5060, and Linux gives a datagram sent to 224.0.1.75 to sockets bound
    // to the wildcard (or to the group): `-i 10.77.0.1` binds that address and hears nothing.
    const joined = net.server.run('ip', [
      'addr',
      'add',
      '224.0.1.75/32',
      'dev',
      net.server.ifname,
      'autojoin',
    ]);
    expect(joined.status, joined.stderr).toBe(0);
    const url = `tftp://${net.serverV4}/`;
    const sipp = net.server.start(
      SIPP.binary,
      [
        ...['-sf', SCENARIO, '-key', 'url', url],
        ...['-p', '5060', '-m', '1', '-nostdin'],
        ...['-timeout', '20s', '-timeout_error'],
        ...['-trace_err', '-error_file', join(dir(), 'errors.log')],
        ...['-trace_logs', '-log_file', join(dir(), 'actions.log')],
      ],
      { cwd: dir() },
    );
    const ended = outputOf(sipp);
    await listening(net.server, sipp);

    const result = await phone(net);
    expect(result).toMatchObject({ url, from: `${net.serverV4}:5060` });
    expect(result.ignored).toEqual([]);

    // SIPp passes the call only when the phone answered its NOTIFY 200 OK.
    const run = await ended;
    const errors = await readFile(join(dir(), 'errors.log'), 'utf8').catch(() => '');
    expect(run.code, run.stdout + run.stderr + errors).toBe(0);
    const log = await readFile(join(dir(), 'actions.log'), 'utf8');
    expect(log).toContain(`SUBSCRIBE ua-profile from <sip:MAC${MAC}@224.0.1.75>`);
    expect(log).toContain('model="T46U"');
  });
});
