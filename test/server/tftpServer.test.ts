// `autop serve --tftp` (issue #3 §5): read-only, confined to its root, a log line per request, and
// a close() that ends transfers in flight. Raw datagrams say what a client other than ours sees.
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTftpServer, type RunningTftpServer, type TftpLogEntry } from '../../src/server/tftpServer.js';
import { tempDir } from '../support/servers.js';
import { rawTftpRequest, requestPacket } from '../support/udp.js';

const RRQ = 1;
const WRQ = 2;
const BOOT = '#!version:1.0.0.1\ninclude:config "site.cfg"\n';

async function entryFor(log: readonly TftpLogEntry[], path: string): Promise<TftpLogEntry | undefined> {
  for (let i = 0; i < 100; i++) {
    const entry = log.find((e) => e.path === path);
    if (entry) return entry;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

describe('TFTP server: read-only, below its root, logged', () => {
  let dir: string;
  let root: string;
  let server: RunningTftpServer;
  const log: TftpLogEntry[] = [];

  beforeAll(async () => {
    dir = await tempDir('tftp-serve');
    root = join(dir, 'root');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, '00156574b150.boot'), BOOT);
    await writeFile(join(dir, 'secret.txt'), 'outside the root');
    await symlink(join(dir, 'secret.txt'), join(root, 'link.cfg'));
    server = await startTftpServer({ root, port: 0, log: (e) => log.push(e) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on a free port when asked for port 0, and says where', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`tftp://127.0.0.1:${server.port}/`);
  });

  it('answers blksize and tsize in its OACK (RFC 2348, 2349)', async () => {
    const answer = await rawTftpRequest(
      server.port,
      requestPacket(RRQ, '00156574b150.boot', { blksize: '1468', tsize: '0' }),
    );
    expect(answer).toEqual({ kind: 'oack', options: { blksize: '1468', tsize: String(BOOT.length) } });
  });

  it('sends 512-byte blocks straight away to a client that asks for no options (RFC 1350)', async () => {
    const answer = await rawTftpRequest(server.port, requestPacket(RRQ, '00156574b150.boot'));
    expect(answer).toEqual({ kind: 'data', block: 1, length: BOOT.length });
  });

  it('refuses a write with an access violation, writes nothing, logs it as refused', async () => {
    const answer = await rawTftpRequest(server.port, requestPacket(WRQ, '00156574b150-local.cfg'));
    expect(answer).toMatchObject({ kind: 'error', code: 2 });
    expect(existsSync(join(root, '00156574b150-local.cfg'))).toBe(false);
    expect(await entryFor(log, '00156574b150-local.cfg')).toMatchObject({
      method: 'WRQ',
      status: 'refused',
      bytes: 0,
    });
  });

  it('answers a missing file with TFTP error 1, and a folder likewise', async () => {
    expect(await rawTftpRequest(server.port, requestPacket(RRQ, 'nope.cfg'))).toMatchObject({
      kind: 'error',
      code: 1,
    });
    expect(await rawTftpRequest(server.port, requestPacket(RRQ, 'sub'))).toMatchObject({
      kind: 'error',
      code: 1,
    });
    expect(await entryFor(log, 'nope.cfg')).toMatchObject({ method: 'RRQ', status: 'not-found' });
    expect(await entryFor(log, 'sub')).toMatchObject({ status: 'not-found' });
  });

  it.each(['sub\\..\\..\\secret.txt', 'link.cfg'])(
    'refuses %s, which leads out of the root, without reading it',
    async (name) => {
      const answer = await rawTftpRequest(server.port, requestPacket(RRQ, name));
      expect(answer).toMatchObject({ kind: 'error', code: 2 });
      expect(await entryFor(log, name)).toMatchObject({ status: 'refused', bytes: 0 });
    },
  );

  it('never serves ../, nor a name that climbs out after going down', async () => {
    for (const name of ['../secret.txt', 'sub/../../secret.txt', '/../secret.txt']) {
      expect(await rawTftpRequest(server.port, requestPacket(RRQ, name))).toMatchObject({
        kind: 'error',
        code: 2,
      });
    }
  });

  it('logs a served file with its client, size and time', async () => {
    const answer = await rawTftpRequest(server.port, requestPacket(RRQ, '/00156574b150.boot'));
    expect(answer.kind).toBe('data');
    // rawTftpRequest ended the transfer after block 1 with an ERROR: a finished download is below.
    const entry = await entryFor(log, '/00156574b150.boot');
    expect(entry).toMatchObject({
      method: 'RRQ',
      status: 'error',
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
    });
    expect(Date.parse(entry!.time)).not.toBeNaN();
  });
});

describe('TFTP server: a complete download is logged ok, and close() ends transfers in flight', () => {
  it('logs ok with the bytes sent, then aborts a stalled client on close', async () => {
    const root = await tempDir('tftp-close');
    await writeFile(join(root, 'a.cfg'), BOOT);
    await writeFile(join(root, 'big.cfg'), Buffer.alloc(4000, 0x41));
    const log: TftpLogEntry[] = [];
    const server = await startTftpServer({ root, port: 0, log: (e) => log.push(e) });
    const client = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
      // A lock-step client for a.cfg: one DATA block, one ACK.
      const data = new Promise<{ port: number }>((resolve) =>
        client.once('message', (_m, from) => resolve({ port: from.port })),
      );
      client.send(requestPacket(RRQ, 'a.cfg'), server.port, '127.0.0.1');
      const { port } = await data;
      client.send(Buffer.from([0, 4, 0, 1]), port, '127.0.0.1');
      expect(await entryFor(log, 'a.cfg')).toMatchObject({ status: 'ok', bytes: BOOT.length, method: 'RRQ' });

      // Now a client that takes block 1 of big.cfg and never acknowledges it.
      const messages: Buffer[] = [];
      client.on('message', (m: Buffer) => messages.push(m));
      client.send(requestPacket(RRQ, 'big.cfg'), server.port, '127.0.0.1');
      for (let i = 0; i < 100 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const started = Date.now();
      await server.close();
      expect(Date.now() - started).toBeLessThan(1000); // not the package's 4 x 3 s of retransmissions
      expect(await entryFor(log, 'big.cfg')).toMatchObject({ status: 'error' });
      for (let i = 0; i < 100 && !messages.some((m) => m.readUInt16BE(0) === 5); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(messages.some((m) => m.readUInt16BE(0) === 5)).toBe(true);
    } finally {
      await server.close();
      await new Promise<void>((resolve) => client.close(() => resolve()));
    }
  });
});

describe('TFTP server: close() is graceful for a transfer about to end', () => {
  it('lets a client that has its last block send the final ACK: logged ok, not error', async () => {
    const root = await tempDir('tftp-grace');
    await writeFile(join(root, 'a.cfg'), BOOT);
    const log: TftpLogEntry[] = [];
    const server = await startTftpServer({ root, port: 0, log: (e) => log.push(e) });
    const client = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
      const data = new Promise<{ port: number }>((resolve) =>
        client.once('message', (_m, from) => resolve({ port: from.port })),
      );
      client.send(requestPacket(RRQ, 'a.cfg'), server.port, '127.0.0.1');
      const { port } = await data;
      const closed = server.close(); // as `autop demo` does once its phones are done
      setTimeout(() => client.send(Buffer.from([0, 4, 0, 1]), port, '127.0.0.1'), 20);
      await closed;
      expect(log.find((e) => e.path === 'a.cfg')).toMatchObject({ status: 'ok', bytes: BOOT.length });
    } finally {
      await server.close();
      await new Promise<void>((resolve) => client.close(() => resolve()));
    }
  });
});
