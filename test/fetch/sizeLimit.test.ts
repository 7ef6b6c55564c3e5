// Issue #13 §3, the fetcher side: every fetcher stops at the request's maxBytes, closes the transfer
// and answers failed/too-large ("larger than N bytes"); a size announced up front (Content-Length,
// TFTP tsize) over the limit is refused at once. Real servers on loopback: an endless HTTP body
// counted on the server's side, our TFTP server, and a plain RFC 1350 server that announces nothing.
import { createHash, randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchRequest } from '../../src/fetch/fetcher.js';
import { HttpFetcher } from '../../src/fetch/httpFetcher.js';
import { TftpFetcher } from '../../src/fetch/tftpFetcher.js';
import { startTftpServer, type RunningTftpServer, type TftpLogEntry } from '../../src/server/tftpServer.js';
import { rawServer } from '../support/rawHttp.js';
import { tempDir } from '../support/servers.js';
import { plainTftpServer } from '../support/udp.js';

const MiB = 1024 * 1024;
/**
 * What loopback TCP can hold between the two programs once the client stops reading: the sender's
 * and the receiver's socket buffers (net.ipv4.tcp_wmem and tcp_rmem maxima are 4 and 32 MiB here).
 * A client that stopped at the limit has made the server write at most the limit plus this.
 */
const KERNEL_BUFFERS = 40 * MiB;
/** The server gives up here whatever happens: a client without a limit would take all of it. */
const SERVER_STOPS_AT = 256 * MiB;

function request(url: string, maxBytes: number | undefined, timeoutMs = 10_000): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...(maxBytes !== undefined && { maxBytes }),
  };
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/**
 * An HTTP server whose answer never ends (or ends at SERVER_STOPS_AT): chunked, or close-delimited
 * (no length at all), or with a Content-Length it means to honour. Counts the body bytes the kernel
 * accepted, and says when the client's side closed.
 */
async function endlessServer(framing: 'chunked' | 'close' | 'content-length') {
  // `closed`: connections that had a request and then closed (undici may open one more, unused).
  const state = { written: 0, closed: 0 };
  const block = Buffer.alloc(64 * 1024, 0x41);
  const server = await rawServer((socket: Socket) => {
    let head: string | undefined = '';
    socket.on('data', (chunk: Buffer) => {
      if (head === undefined) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = undefined;
      socket.on('close', () => state.closed++);
      const headers =
        framing === 'chunked'
          ? 'Transfer-Encoding: chunked\r\n'
          : framing === 'content-length'
            ? `Content-Length: ${SERVER_STOPS_AT}\r\n`
            : 'Connection: close\r\n';
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n${headers}\r\n`);
      const frame = (data: Buffer) =>
        framing === 'chunked'
          ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
          : data;
      const pump = () => {
        while (!socket.destroyed && state.written < SERVER_STOPS_AT) {
          const more = socket.write(frame(block), (error) => {
            if (!error) state.written += block.length;
          });
          if (!more) {
            socket.once('drain', pump);
            return;
          }
        }
        if (!socket.destroyed) socket.end(framing === 'chunked' ? '0\r\n\r\n' : '');
      };
      pump();
    });
  });
  return { url: `http://127.0.0.1:${server.port}/`, state, close: () => server.close() };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('issue #13 §3: HTTP bodies past maxBytes', () => {
  const fetcher = new HttpFetcher();
  afterAll(async () => {
    await fetcher.close();
  });

  it.each(['chunked', 'close'] as const)(
    'an endless %s body: too-large, the connection closed, the server stopped near the limit',
    async (framing) => {
      const server = await endlessServer(framing);
      try {
        const outcome = await fetcher.fetch(request(`${server.url}firmware.rom`, 4 * MiB));
        expect(outcome).toEqual({
          kind: 'failed',
          cause: 'too-large',
          detail: `larger than ${4 * MiB} bytes`,
        });
        await until(() => server.state.closed === 1);
        expect(server.state.closed).toBe(1);
        expect(server.state.written).toBeLessThan(4 * MiB + KERNEL_BUFFERS);
      } finally {
        await server.close();
      }
    },
  );

  it('a Content-Length over the limit is refused before the body is read', async () => {
    const server = await endlessServer('content-length');
    try {
      const outcome = await fetcher.fetch(request(`${server.url}firmware.rom`, 1000));
      expect(outcome).toEqual({ kind: 'failed', cause: 'too-large', detail: 'larger than 1000 bytes' });
      await until(() => server.state.closed === 1);
      expect(server.state.closed).toBe(1);
      expect(server.state.written).toBeLessThan(KERNEL_BUFFERS);
    } finally {
      await server.close();
    }
  });

  it('a body of exactly the limit is taken, and a later request opens a new connection', async () => {
    const body = randomBytes(5000);
    const server = await rawServer((socket) => {
      socket.once('data', () =>
        socket.end(
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n'),
            body,
          ]),
        ),
      );
    });
    try {
      expect(await fetcher.fetch(request(`http://127.0.0.1:${server.port}/a.cfg`, 5000))).toMatchObject({
        kind: 'ok',
        md5: md5(body),
      });
      expect(await fetcher.fetch(request(`http://127.0.0.1:${server.port}/a.cfg`, 4999))).toMatchObject({
        cause: 'too-large',
      });
    } finally {
      await server.close();
    }
  });
});

describe('issue #13 §3: TFTP files past maxBytes', () => {
  let root: string;
  let server: RunningTftpServer;
  const log: TftpLogEntry[] = [];
  const big = randomBytes(300_000);

  beforeAll(async () => {
    root = await tempDir('tftp-large');
    await writeFile(join(root, 'big.rom'), big);
    // Sparse: 2 GiB announced in the OACK, never read.
    const handle = await open(join(root, 'huge.rom'), 'w');
    await handle.truncate(2 * 1024 ** 3);
    await handle.close();
    server = await startTftpServer({ root, port: 0, log: (e) => log.push(e) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('our server announces 2 GiB in tsize: refused at once with ERROR 3, not one block taken', async () => {
    const outcome = await new TftpFetcher().fetch(request(`${server.url}huge.rom`, MiB));
    expect(outcome).toEqual({ kind: 'failed', cause: 'too-large', detail: `larger than ${MiB} bytes` });
    await until(() => log.some((e) => e.path === 'huge.rom'));
    expect(log.find((e) => e.path === 'huge.rom')).toMatchObject({
      status: 'error',
      bytes: 0,
      detail: 'the client ended the transfer: ERROR 3 "Disk full or allocation exceeded"',
    });
  });

  it('a file of exactly the limit is taken', async () => {
    const outcome = await new TftpFetcher().fetch(request(`${server.url}big.rom`, big.length));
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(big) });
  });

  it('a server that announces no size (RFC 1350 only) is cut off once past the limit', async () => {
    const plain = await plainTftpServer(new Map([['big.rom', big]]));
    try {
      const outcome = await new TftpFetcher().fetch(
        request(`tftp://127.0.0.1:${plain.port}/big.rom`, 100_000),
      );
      expect(outcome).toEqual({ kind: 'failed', cause: 'too-large', detail: 'larger than 100000 bytes' });
      // 512-byte blocks: the client took blocks up to the one past the limit (196), not all 586.
      expect(plain.acked.blocks).toBeLessThanOrEqual(Math.ceil(100_000 / 512) + 1);
    } finally {
      await plain.close();
    }
  });
});
