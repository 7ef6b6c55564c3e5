// Our TFTP fetcher (spec S5: TFTP is the default protocol) against our own TFTP server, a plain
// RFC 1350 server and silent sockets on 127.0.0.1: outcomes in the terms of spec D, and nothing
// left open once a fetch has returned.
import { createHook } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { TftpFetcher, tftpFileName } from '../../src/fetch/tftpFetcher.js';
import { startTftpServer, type RunningTftpServer, type TftpLogEntry } from '../../src/server/tftpServer.js';
import { tempDir } from '../support/servers.js';
import { freeUdpPort, parseRequest, plainTftpServer, silentUdpServer } from '../support/udp.js';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

function request(url: string, timeoutMs = 2000): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs, attempts: 1, retryDelayMs: 0, verifyTls: true },
  };
}

/**
 * Runs `work` and returns the UDP sockets and timers it created that are still alive once closing
 * handles have had their turn of the event loop: what a fetch would leave running.
 */
async function leftOpenBy(work: () => Promise<unknown>): Promise<string[]> {
  const alive = new Map<number, string>();
  const hook = createHook({
    init: (id, type) => {
      if (type === 'UDPWRAP' || type === 'Timeout') alive.set(id, type);
    },
    destroy: (id) => alive.delete(id),
  }).enable();
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hook.disable();
  }
  return [...alive.values()];
}

/** The server logs a transfer when its own socket has closed, a moment after the client is done. */
async function loggedMore(log: readonly TftpLogEntry[], count: number): Promise<void> {
  for (let i = 0; i < 100 && log.length <= count; i++) await new Promise((r) => setTimeout(r, 10));
}

const files = {
  'big.cfg': randomBytes(5000), // several blocks, the last one short
  'boundary512.cfg': randomBytes(512 * 3), // a whole number of 512-byte blocks: an empty block ends it
  'boundary1468.cfg': randomBytes(1468 * 2), // the same with the negotiated block size
  'empty.cfg': Buffer.alloc(0),
};

describe('S5 TFTP fetcher against our TFTP server', () => {
  let dir: string;
  let root: string;
  let server: RunningTftpServer;
  const log: TftpLogEntry[] = [];

  beforeAll(async () => {
    dir = await tempDir('tftp-fetch');
    root = join(dir, 'root');
    await mkdir(join(root, 'sub dir'), { recursive: true });
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes);
    await writeFile(join(root, 'sub dir', 'a.cfg'), '#!version:1.0.0.1\n');
    await writeFile(join(dir, 'secret.txt'), 'outside the root');
    await symlink(join(dir, 'secret.txt'), join(root, 'link.cfg'));
    server = await startTftpServer({ root, port: 0, log: (e) => log.push(e) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(Object.keys(files))('downloads %s with the right MD5', async (name) => {
    const outcome = await new TftpFetcher().fetch(request(`${server.url}${name}`));
    const bytes = files[name as keyof typeof files];
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(bytes) });
    expect(Buffer.from((outcome as { bytes: Uint8Array }).bytes).equals(bytes)).toBe(true);
  });

  it('downloads with 512-byte blocks when asked to, across a block boundary', async () => {
    const outcome = await new TftpFetcher({ blockSize: 512 }).fetch(request(`${server.url}boundary512.cfg`));
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(files['boundary512.cfg']) });
  });

  it('percent-decodes the path: a space in a folder name', async () => {
    const outcome = await new TftpFetcher().fetch(request(`${server.url}sub%20dir/a.cfg`));
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(Buffer.from('#!version:1.0.0.1\n')) });
  });

  it('resolves a host name (localhost, to the IPv4 address the server listens on)', async () => {
    const outcome = await new TftpFetcher().fetch(request(`tftp://localhost:${server.port}/big.cfg`));
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(files['big.cfg']) });
  });

  it('D: a host name that does not resolve is unreachable', async () => {
    const outcome = await new TftpFetcher().fetch(request('tftp://no-such-host.invalid/a.cfg'));
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'unreachable' });
  });

  it('D: a missing file is not-found, not a failure (TFTP error 1)', async () => {
    const outcome = await new TftpFetcher().fetch(request(`${server.url}nope.cfg`));
    expect(outcome.kind).toBe('not-found');
    expect((outcome as { detail: string }).detail).toMatch(/TFTP error 1/);
  });

  it('refuses a ../ path without sending it', async () => {
    const before = log.length;
    const outcome = await new TftpFetcher().fetch(request(`${server.url}..%2Fsecret.txt`));
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'outside-root' });
    await new Promise((r) => setTimeout(r, 50));
    expect(log.length).toBe(before);
  });

  it('D: a link out of the server root is an access violation (TFTP error 2), reported as auth', async () => {
    const outcome = await new TftpFetcher().fetch(request(`${server.url}link.cfg`));
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'auth' });
    expect((outcome as { detail: string }).detail).toMatch(/TFTP error 2/);
  });

  it('leaves no socket or timer behind after ok and not-found', async () => {
    for (const name of ['big.cfg', 'missing.cfg']) {
      const count = log.length;
      const leftOpen = await leftOpenBy(async () => {
        await new TftpFetcher().fetch(request(`${server.url}${name}`));
        await loggedMore(log, count); // the server's own transfer socket has closed too
      });
      expect(leftOpen).toEqual([]);
    }
  });
});

describe('S5 TFTP fetcher against a server that ignores options (plain RFC 1350)', () => {
  const content = new Map<string, Buffer>([
    ['boundary.cfg', files['boundary512.cfg']],
    ['short.cfg', Buffer.from('#!version:1.0.0.1\n')],
    ['empty.cfg', Buffer.alloc(0)],
  ]);
  let plain: Awaited<ReturnType<typeof plainTftpServer>>;
  beforeAll(async () => {
    plain = await plainTftpServer(content);
  });
  afterAll(async () => {
    await plain?.close();
  });

  it.each([...content.keys()])('downloads %s in 512-byte blocks', async (name) => {
    const outcome = await new TftpFetcher().fetch(request(`tftp://127.0.0.1:${plain.port}/${name}`));
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(content.get(name)!) });
  });

  it('D: maps ERROR code 1 to not-found whatever the server calls it', async () => {
    const outcome = await new TftpFetcher().fetch(request(`tftp://127.0.0.1:${plain.port}/nope.cfg`));
    expect(outcome.kind).toBe('not-found');
    expect((outcome as { detail: string }).detail).toMatch(/No such file or directory/);
  });
});

describe('D: a TFTP server that does not answer', () => {
  it('no server on the port: timeout or unreachable within about timeoutMs', async () => {
    const port = await freeUdpPort();
    const started = Date.now();
    const outcome: FetchOutcome = await new TftpFetcher().fetch(
      request(`tftp://127.0.0.1:${port}/a.cfg`, 300),
    );
    const elapsed = Date.now() - started;
    expect(outcome.kind).toBe('failed');
    expect(['timeout', 'unreachable']).toContain((outcome as { cause: string }).cause);
    expect(elapsed).toBeLessThan(1000);
  });

  it('a socket that receives and never answers: timeout within about timeoutMs, nothing left open', async () => {
    const silent = await silentUdpServer();
    try {
      let outcome: FetchOutcome | undefined;
      const started = Date.now();
      const leftOpen = await leftOpenBy(async () => {
        outcome = await new TftpFetcher().fetch(request(`tftp://127.0.0.1:${silent.port}/a.cfg`, 300));
      });
      const elapsed = Date.now() - started;
      expect(outcome).toMatchObject({ kind: 'failed', cause: 'timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1000);
      expect(leftOpen).toEqual([]);
      // The RRQ asks for blksize and tsize only (tftpTransfer.ts says why), and is sent again
      // within the attempt; the abort at the deadline tells the server to stop (ERROR packet).
      const rrqs = silent.received.filter((p) => p.readUInt16BE(0) === 1).map(parseRequest);
      expect(rrqs.length).toBeGreaterThanOrEqual(2);
      expect(rrqs[0]).toEqual({
        opcode: 1,
        file: 'a.cfg',
        mode: 'octet',
        options: { blksize: '1468', tsize: '0' },
      });
      expect(silent.received.some((p) => p.readUInt16BE(0) === 5)).toBe(true);
    } finally {
      await silent.close();
    }
  });
});

describe('TFTP file names from URLs', () => {
  it.each([
    ['tftp://h/00156574b150.boot', '00156574b150.boot'],
    ['tftp://h/HTTP%20Directory/sip.cfg', 'HTTP Directory/sip.cfg'],
  ])('%s asks for %s', (url, name) => {
    expect(tftpFileName(new URL(url))).toEqual({ kind: 'path', path: name });
  });

  it.each(['tftp://h/..%2Fetc/passwd', 'tftp://h/a/..%2F..%2Fb.cfg', 'tftp://h/..%5Cb.cfg'])(
    '%s is refused',
    (url) => {
      expect(tftpFileName(new URL(url)).kind).toBe('outside');
    },
  );

  it.each(['tftp://h/', 'tftp://h/d%C3%A9j%C3%A0.cfg', 'tftp://h/a%00.cfg'])('%s cannot be sent', (url) => {
    expect(tftpFileName(new URL(url)).kind).toBe('bad');
  });
});
