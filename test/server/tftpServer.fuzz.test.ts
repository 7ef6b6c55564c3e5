// Issue #13, the systematic suite: the TFTP server under generated datagrams (random bytes, truncated
// opcodes, bad modes, options with huge values, wrong block numbers), to its listening port and to
// transfer ports mid-transfer, from the client and from strangers. After every batch a whole file
// still downloads with the right MD5; the server runs in this process, so a crash fails the test.
// Seeded, a fixed number of runs.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TftpFetcher } from '../../src/fetch/tftpFetcher.js';
import { startTftpServer, type RunningTftpServer } from '../../src/server/tftpServer.js';
import { tempDir } from '../support/servers.js';

const SEED = 1301;
const big = randomBytes(50_000);
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket;
}
const closeSocket = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));

/** The first datagram that arrives within `ms`, with its sender. */
function firstAnswer(socket: Socket, ms: number): Promise<{ message: Buffer; from: RemoteInfo } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(undefined);
    }, ms);
    const onMessage = (message: Buffer, from: RemoteInfo) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve({ message, from });
    };
    socket.on('message', onMessage);
  });
}

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const field = (text: string) => Buffer.from(`${text}\0`, 'latin1');

const opcode = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 255, 65535),
  fc.integer({ min: 0, max: 65535 }),
);
const fileName = fc.oneof(
  fc.constantFrom(
    'big.cfg',
    'a.cfg',
    '/big.cfg',
    '../big.cfg',
    'sub/../big.cfg',
    '..\\x',
    '',
    'nope.cfg',
    '.',
    '/',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 100, max: 700 }).map((n) => 'n'.repeat(n)),
);
const mode = fc.oneof(
  fc.constantFrom('octet', 'OCTET', 'netascii', 'NetAscii', 'mail', '', 'binary'),
  fc.string({ maxLength: 10 }),
);
const optionValue = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '7',
    '8',
    '512',
    '65464',
    '65465',
    '255',
    '256',
    '-1',
    '',
    '1e9',
    '0x10',
    ' 8',
    '99999999999999999999999',
  ),
  fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
  fc.string({ maxLength: 12 }),
);
const option = fc.tuple(
  fc.oneof(
    fc.constantFrom('blksize', 'BLKSIZE', 'tsize', 'timeout', 'windowsize', 'rollover', 'multicast', ''),
    fc.string({ maxLength: 12 }),
  ),
  optionValue,
);
/** Something like a request: the fields may be anything, the final NUL may be missing. */
const requestLike = fc
  .record({
    opcode,
    file: fileName,
    mode,
    options: fc.array(option, { maxLength: 6 }),
    dropLastNul: fc.boolean(),
  })
  .map(({ opcode, file, mode, options, dropLastNul }) => {
    const packet = Buffer.concat([
      u16(opcode),
      field(file),
      field(mode),
      ...options.flatMap(([n, v]) => [field(n), field(v)]),
    ]);
    return dropLastNul ? packet.subarray(0, -1) : packet;
  });
const datagram = fc.oneof(
  requestLike,
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 700 }).map((b) => Buffer.from(b)),
);

/** What may reach a transfer port: ACKs for any block, DATA, ERRORs, truncated packets, noise. */
const transferDatagram = fc.oneof(
  fc.integer({ min: 0, max: 65535 }).map((block) => Buffer.concat([u16(4), u16(block)])),
  fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 8 }))
    .map(([block, extra]) => Buffer.concat([u16(4), u16(block), Buffer.from(extra)])),
  fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 600 }))
    .map(([block, data]) => Buffer.concat([u16(3), u16(block), Buffer.from(data)])),
  fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean())
    .map(([code, text, nul]) =>
      Buffer.concat([
        u16(5),
        u16(code),
        Buffer.from(text, 'latin1'),
        nul ? Buffer.alloc(1) : Buffer.alloc(0),
      ]),
    ),
  datagram,
);

describe('issue #13: the TFTP server under generated datagrams', () => {
  let server: RunningTftpServer;
  let client: Socket;
  let stranger: Socket;

  beforeAll(async () => {
    const root = await tempDir('tftp-fuzz');
    await writeFile(join(root, 'big.cfg'), big);
    await writeFile(join(root, 'a.cfg'), 'a\nb\n');
    // Quick retransmissions and few of them: transfers the fuzz leaves open end within a second.
    server = await startTftpServer({ root, port: 0, timeoutMs: 100, retries: 3 });
    client = await udpSocket();
    stranger = await udpSocket();
  });
  afterAll(async () => {
    await closeSocket(client);
    await closeSocket(stranger);
    await server?.close();
  });

  const stillServes = async () => {
    const outcome = await new TftpFetcher().fetch({
      url: new URL(`${server.url}big.cfg`),
      userAgent: 'fuzz',
      transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    });
    expect(outcome).toMatchObject({ kind: 'ok', md5: md5(big) });
  };

  it('datagrams to the listening port: answered or dropped, and the next download is whole', async () => {
    for (let batch = 0; batch < 4; batch++) {
      await fc.assert(
        fc.asyncProperty(datagram, async (packet) => {
          const socket = await udpSocket();
          try {
            const answer = firstAnswer(socket, 60);
            socket.send(packet, server.port, '127.0.0.1');
            const got = await answer;
            if (got) {
              // An answer is a TFTP packet: DATA, OACK or ERROR, never garbage.
              expect([3, 5, 6]).toContain(got.message.readUInt16BE(0));
              if (got.message.readUInt16BE(0) !== 5) {
                socket.send(
                  Buffer.concat([u16(5), u16(0), field('fuzz done')]),
                  got.from.port,
                  got.from.address,
                );
              }
            }
          } finally {
            await closeSocket(socket);
          }
        }),
        { seed: SEED + batch, numRuns: 60 },
      );
      await stillServes();
    }
  });

  it('datagrams to a transfer port mid-transfer, from the client and from a stranger', async () => {
    for (let batch = 0; batch < 4; batch++) {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('big.cfg', 'a.cfg'),
          fc.array(fc.tuple(fc.boolean(), transferDatagram), { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          async (file, datagrams, withOptions) => {
            const options = withOptions ? [field('blksize'), field('8'), field('tsize'), field('0')] : [];
            const first = firstAnswer(client, 500);
            client.send(
              Buffer.concat([u16(1), field(file), field('octet'), ...options]),
              server.port,
              '127.0.0.1',
            );
            const started = await first;
            expect(started).toBeDefined();
            const transfer = started!.from.port;
            // ACK the OACK or the first block, so that the transfer is under way, then the fuzz.
            client.send(
              Buffer.concat([u16(4), u16(started!.message.readUInt16BE(0) === 6 ? 0 : 1)]),
              transfer,
              '127.0.0.1',
            );
            for (const [fromClient, packet] of datagrams) {
              (fromClient ? client : stranger).send(packet, transfer, '127.0.0.1');
            }
            // End it from our side whatever state it is in (a finished transfer ignores this).
            client.send(Buffer.concat([u16(5), u16(0), field('fuzz done')]), transfer, '127.0.0.1');
            await new Promise((r) => setTimeout(r, 5));
          },
        ),
        { seed: SEED + 100 + batch, numRuns: 50 },
      );
      await stillServes();
    }
  });
});
