// Issue #13, the systematic suite, the fetcher side: what a hostile server answers is parsed without
// a crash and becomes an outcome. A TFTP server that answers an RRQ with generated datagrams
// (truncated opcodes, OACKs with odd options and huge values, DATA with any block number and size,
// ERRORs without their NUL); an HTTP server that answers 401 with generated WWW-Authenticate
// challenges. Seeded, a fixed number of runs; both run in this process.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { HttpFetcher } from '../../src/fetch/httpFetcher.js';
import { chooseAuth, digestAuthorization, parseAuthHeader } from '../../src/fetch/httpAuth.js';
import { TftpFetcher } from '../../src/fetch/tftpFetcher.js';

const SEED = 1307;
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const field = (text: string) => Buffer.from(`${text}\0`, 'latin1');

function request(url: string, timeoutMs: number, maxBytes?: number): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    credentials: { user: 'u', password: 'p' },
    transfer: { timeoutMs, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...(maxBytes !== undefined && { maxBytes }),
  };
}

function isOutcome(outcome: FetchOutcome): boolean {
  if (outcome.kind === 'ok') return outcome.bytes instanceof Uint8Array;
  return (
    typeof outcome.detail === 'string' && (outcome.kind === 'not-found' || typeof outcome.cause === 'string')
  );
}

const oackOption = fc.tuple(
  fc.oneof(
    fc.constantFrom('blksize', 'tsize', 'timeout', 'windowsize', 'rollover', 'zzz', ''),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(
    fc.constantFrom('0', '8', '512', '1468', '65464', '65465', '-1', '', '4294967296', '2147483648', '1e3'),
    fc.string({ maxLength: 8 }),
  ),
);
/** What a hostile server sends back, from the transfer port. */
const answer = fc.oneof(
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 1600 }).map((b) => Buffer.from(b)),
  fc
    .array(oackOption, { maxLength: 4 })
    .map((options) => Buffer.concat([u16(6), ...options.flatMap(([n, v]) => [field(n), field(v)])])),
  fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 1600 }))
    .map(([block, size]) => Buffer.concat([u16(3), u16(block), Buffer.alloc(size, 0x41)])),
  fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.boolean())
    .map(([code, text, nul]) =>
      Buffer.concat([
        u16(5),
        u16(code),
        Buffer.from(text, 'latin1'),
        nul ? Buffer.alloc(1) : Buffer.alloc(0),
      ]),
    ),
  fc.integer({ min: 0, max: 65535 }).map((block) => Buffer.concat([u16(4), u16(block)])),
);

describe('issue #13: the TFTP fetcher against a hostile server', () => {
  let server: Socket;
  let script: Buffer[] = [];
  const transfers = new Set<Socket>();

  beforeAll(async () => {
    server = createSocket('udp4');
    // Every RRQ gets the current script, from a fresh transfer port, whatever it asked for.
    server.on('message', (_request: Buffer, client: RemoteInfo) => {
      const transfer = createSocket('udp4');
      transfers.add(transfer);
      transfer.bind(0, '127.0.0.1', () => {
        for (const packet of script) transfer.send(packet, client.port, client.address);
        setTimeout(() => transfer.close(() => transfers.delete(transfer)), 300);
      });
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise((r) => setTimeout(r, 350)); // the last transfer sockets close themselves
  });

  it('every answer is an outcome; nothing throws', async () => {
    const port = server.address().port;
    await fc.assert(
      fc.asyncProperty(
        fc.array(answer, { minLength: 1, maxLength: 5 }),
        fc.option(fc.integer({ min: 0, max: 3000 })),
        async (packets, limit) => {
          script = packets;
          const outcome = await new TftpFetcher().fetch(
            request(`tftp://127.0.0.1:${port}/a.cfg`, 250, limit ?? undefined),
          );
          expect(isOutcome(outcome)).toBe(true);
          if (outcome.kind === 'ok' && limit !== null)
            expect(outcome.bytes.length).toBeLessThanOrEqual(limit);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});

/** Pieces of WWW-Authenticate headers, well formed or not. */
const authParam = fc.tuple(
  fc.oneof(
    fc.constantFrom('realm', 'nonce', 'qop', 'algorithm', 'opaque', 'stale', 'domain', 'charset', 'userhash'),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(
    fc.constantFrom('auth', 'auth-int', 'auth,auth-int', 'MD5', 'md5-sess', 'SHA-256', 'true', 'FALSE', ''),
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 20 }).map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`),
    fc.string({ maxLength: 10 }).map((s) => `"${s}`), // unterminated
  ),
);
const challenge = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('Digest', 'digest', 'Basic', 'Negotiate', 'Bearer', 'NTLM', ''),
      fc.string({ maxLength: 8 }),
    ),
    fc.array(authParam, { maxLength: 6 }),
    fc.constantFrom(', ', ',', ' , ', ',,'),
  )
  .map(([scheme, params, comma]) => `${scheme} ${params.map(([n, v]) => `${n}=${v}`).join(comma)}`.trim());
/** What can travel in an HTTP header value: no CR, LF or NUL. */
const headerSafe = (text: string) => text.replace(/[\r\n\0]/g, ' ');
const wwwAuthenticate = fc.oneof(
  fc.array(challenge, { minLength: 1, maxLength: 3 }).map((cs) => headerSafe(cs.join(', '))),
  fc.string({ maxLength: 80 }).map(headerSafe),
);

describe('issue #13: HTTP authentication challenges from a hostile server', () => {
  it('any challenge is parsed, chosen and answered without a throw; an answer quotes what it echoes', () => {
    fc.assert(
      fc.property(fc.array(wwwAuthenticate, { minLength: 1, maxLength: 3 }), (headers) => {
        const chosen = chooseAuth(parseAuthHeader(headers));
        if (chosen.kind !== 'digest') return;
        const authorization = digestAuthorization(
          chosen.challenge,
          { user: 'u', password: 'p' },
          { method: 'GET', uri: '/a.cfg', nc: 1, cnonce: 'c0ffee' },
        );
        expect(authorization).not.toMatch(/[\r\n\0]/);
        const [echoed] = parseAuthHeader(authorization);
        expect(echoed?.params.get('nonce')).toBe(chosen.challenge.nonce);
        expect(echoed?.params.get('realm')).toBe(chosen.challenge.realm);
        if (chosen.challenge.opaque !== undefined)
          expect(echoed?.params.get('opaque')).toBe(chosen.challenge.opaque);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  describe('end to end, from a real server', () => {
    let server: Server;
    let port = 0;
    let challenges: string[] = [];
    const fetcher = new HttpFetcher();
    beforeAll(async () => {
      server = createServer((_req, res) => {
        try {
          res.writeHead(401, { 'www-authenticate': challenges, 'content-length': 0 }).end();
        } catch {
          res.writeHead(401, { 'content-length': 0 }).end(); // a value node will not send
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await fetcher.close();
      await new Promise((resolve) => server.close(resolve));
    });

    it('every 401, whatever its challenges, is a failed outcome; nothing throws', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(wwwAuthenticate, { minLength: 0, maxLength: 3 }), async (headers) => {
          challenges = headers.map((h) => h.replace(/[^\x20-\x7e\t]/g, '?'));
          const outcome = await fetcher.fetch(request(`http://127.0.0.1:${port}/a.cfg`, 2000));
          expect(outcome).toMatchObject({ kind: 'failed' });
          expect(['auth', 'protocol']).toContain((outcome as { cause: string }).cause);
        }),
        { seed: SEED, numRuns: 100 },
      );
    });
  });
});
