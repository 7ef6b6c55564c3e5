// Issue #12, offline `--tree`: a round on a tree on disk reads nothing outside the tree. Every URL of
// another scheme is answered failed/offline at once, without a network try, as WireFetcher with a
// tree root and by every command that takes a tree. The "network" here is real servers on loopback
// that count what reaches them: nothing may.
import { createSocket } from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WireFetcher } from '../../src/fetch/createFetcher.js';
import type { FetchRequest } from '../../src/fetch/fetcher.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/servers.js';

const ROM = 'T46U(T43U,T46U,T41U,T48U,T42U,T44U,T44W)-108.86.0.95.rom';

/** A TCP port and a UDP port on 127.0.0.1 that count every connection and datagram. */
async function countingNetwork() {
  const seen = { tcp: 0, udp: 0 };
  const tcp: Server = createServer((socket) => {
    seen.tcp++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const udp = createSocket('udp4');
  udp.on('message', () => seen.udp++);
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const tcpPort = (tcp.address() as { port: number }).port;
  return {
    seen,
    tcpPort,
    udpPort: udp.address().port,
    close: async () => {
      await new Promise((resolve) => tcp.close(resolve));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

function request(url: string, attempts = 3): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs: 10_000, attempts, retryDelayMs: 10_000, verifyTls: true },
  };
}

describe('issue #12: WireFetcher for a tree is offline', () => {
  let net: Awaited<ReturnType<typeof countingNetwork>>;
  let root: string;
  beforeAll(async () => {
    net = await countingNetwork();
    root = await tempDir('offline-wire');
    await writeFile(join(root, 'a.cfg'), '#!version:1.0.0.1\n');
  });
  afterAll(async () => {
    await net.close();
  });

  it('answers http, https, ftp and tftp URLs offline at once: no connection, no datagram, no retry', async () => {
    const wire = new WireFetcher({ treeRoot: root });
    try {
      for (const url of [
        `http://prov:S3cret@127.0.0.1:${net.tcpPort}/${ROM}`,
        `https://127.0.0.1:${net.tcpPort}/a.cfg`,
        `ftp://127.0.0.1:${net.tcpPort}/a.cfg`,
        `tftp://127.0.0.1:${net.udpPort}/a.cfg`,
      ]) {
        const outcome = await wire.fetch(request(url));
        expect(outcome).toMatchObject({ kind: 'failed', cause: 'offline' });
        const detail = (outcome as { detail: string }).detail;
        expect(detail).toMatch(/^not fetched: a --tree round reads nothing outside the tree \(/);
        expect(detail).not.toContain('S3cret');
        expect(detail).not.toContain('attempts'); // RetryingFetcher did not try again
      }
      const upload = await wire.put(
        request(`http://127.0.0.1:${net.tcpPort}/00156574b150-local.cfg`),
        new Uint8Array(1),
      );
      expect(upload).toMatchObject({ kind: 'failed', cause: 'offline' });
      await new Promise((r) => setTimeout(r, 100));
      expect(net.seen).toEqual({ tcp: 0, udp: 0 });
      expect(await wire.fetch(request(pathToFileURL(join(root, 'a.cfg')).href))).toMatchObject({
        kind: 'ok',
      });
    } finally {
      await wire.close();
    }
  });

  it('without a tree root the same http URL does go on the wire (the counter can count)', async () => {
    const wire = new WireFetcher();
    try {
      const outcome = await wire.fetch(request(`http://127.0.0.1:${net.tcpPort}/a.cfg`, 1));
      expect(outcome.kind).toBe('failed');
      expect(net.seen.tcp).toBeGreaterThan(0);
    } finally {
      await wire.close();
      net.seen.tcp = 0;
    }
  });
});

describe('issue #12: every command that takes a tree stays off the network', () => {
  let net: Awaited<ReturnType<typeof countingNetwork>>;
  let tree: string;
  let other: string;
  let inventory: string;
  const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

  beforeAll(async () => {
    net = await countingNetwork();
    const base = await tempDir('offline-cli');
    const write = async (dir: string, firmwareHost: string) => {
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, '00156574b150.boot'),
        `#!version:1.0.0.1\ninclude:config "site.cfg"\ninclude:config "http://prov:S3cret@127.0.0.1:${net.tcpPort}/extra.cfg"\n`,
      );
      await writeFile(
        join(dir, 'site.cfg'),
        `#!version:1.0.0.1\naccount.1.label = one\nstatic.firmware.url = http://${firmwareHost}/${ROM}\n`,
      );
    };
    tree = join(base, 'a');
    other = join(base, 'b');
    await write(tree, `127.0.0.1:${net.tcpPort}`);
    await write(other, `127.0.0.1:${net.tcpPort}/v2`);
    inventory = join(base, 'inventory.csv');
    await writeFile(inventory, 'mac,model\n00:15:65:74:b1:50,T46U\n');
  });
  afterAll(async () => {
    await net.close();
  });

  // Each test starts from zero: what reached the server is what its own command sent.
  beforeEach(() => {
    net.seen.tcp = 0;
    net.seen.udp = 0;
  });

  it('provision --tree: the include and the firmware are offline downloads, nothing reached the server', async () => {
    const result = await runCli(['provision', '--tree', tree, ...T46U, '--json']);
    expect(result.stderr).not.toMatch(/internal error/);
    const report = JSON.parse(result.stdout) as {
      status: string;
      downloads: { url: string; outcome: string; cause?: string }[];
    };
    const remote = report.downloads.filter((d) => d.url.startsWith('http:'));
    expect(remote.length).toBeGreaterThanOrEqual(1);
    // Not fetched, and not a failure: the round goes on as the phone's would (issue #12).
    for (const download of remote)
      expect(download).toMatchObject({ outcome: 'not-fetched', cause: 'offline' });
    expect(report.status).toBe('updated');
    expect(result.stdout).not.toContain('S3cret');
    expect(net.seen).toEqual({ tcp: 0, udp: 0 });
  });

  it.each([
    ['run --tree', () => ['run', '--tree', tree, ...T46U, '--virtual', '--for', '1d', '--no-sip']],
    ['check', () => ['check', tree, '--inventory', inventory]],
    ['diff', () => ['diff', tree, other, '--inventory', inventory]],
    ['explain', () => ['explain', tree, ...T46U]],
  ])('%s: nothing reached the server, no internal error', async (_name, args) => {
    const result = await runCli(args());
    expect(result.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(result.code);
    expect(net.seen).toEqual({ tcp: 0, udp: 0 });
  });
});
