import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { digestResponse, parseAuthHeader } from '../../src/fetch/httpAuth.js';
import { HttpFetcher, MAX_REDIRECTS } from '../../src/fetch/httpFetcher.js';
import {
  startHttpServer,
  type RequestLogEntry,
  type RunningHttpServer,
} from '../../src/server/provisioningServer.js';
import { rawServer } from '../support/rawHttp.js';
import { freePort, tempDir } from '../support/servers.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const UA = 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50';
const BOOT = '#!version:1.0.0.1\ninclude:config "site.cfg"\n';
const PASSWORD = 's3cret-pa55';

function request(
  url: string,
  extra: Partial<FetchRequest> = {},
  timeoutMs = 2000,
  verifyTls = true,
): FetchRequest {
  return {
    url: new URL(url),
    userAgent: UA,
    transfer: { timeoutMs, attempts: 1, retryDelayMs: 0, verifyTls },
    ...extra,
  };
}

/** The server logs a request when its answer has gone out, a moment after the client has it. */
async function logged(
  log: readonly RequestLogEntry[],
  match: (e: RequestLogEntry) => boolean,
): Promise<RequestLogEntry | undefined> {
  for (let i = 0; i < 100; i++) {
    const entry = log.find(match);
    if (entry) return entry;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** A node:http server on 127.0.0.1 whose handler the test writes; records request headers. */
async function httpServer(
  handler: (
    req: { url: string; method: string; headers: IncomingHttpHeaders },
    send: (status: number, headers?: Record<string, string>, body?: string) => void,
  ) => void,
): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    handler(
      { url: req.url ?? '', method: req.method ?? '', headers: req.headers },
      (status, headers = {}, body = '') => {
        res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers }).end(body);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('HTTP fetcher against our provisioning server', () => {
  let root: string;
  let ca: TestCa;
  const log: RequestLogEntry[] = [];
  const servers: RunningHttpServer[] = [];
  let plain: RunningHttpServer;
  let basic: RunningHttpServer;
  let digest: RunningHttpServer;
  let https: RunningHttpServer;
  let httpsOtherHost: RunningHttpServer;
  const fetcher = new HttpFetcher();
  let trusting: HttpFetcher;

  beforeAll(async () => {
    root = await tempDir('http-tree');
    await writeFile(join(root, '00156574b150.boot'), BOOT);
    ca = makeTestCa(await tempDir('http-ca'));
    trusting = new HttpFetcher({ ca: [ca.caPem] });
    const start = async (options: Omit<Parameters<typeof startHttpServer>[0], 'root' | 'port'>) => {
      const server = await startHttpServer({ root, port: 0, log: (e) => log.push(e), ...options });
      servers.push(server);
      return server;
    };
    plain = await start({});
    basic = await start({ auth: { user: 'admin', password: PASSWORD, scheme: 'basic' } });
    digest = await start({
      auth: { user: 'admin', password: PASSWORD, scheme: 'digest', realm: 'provisioning' },
    });
    https = await start({ tls: { cert: ca.cert, key: ca.key } });
    httpsOtherHost = await start({ tls: { cert: ca.otherHostCert, key: ca.otherHostKey } });
  });
  afterAll(async () => {
    await fetcher.close();
    await trusting.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  describe('S5 plain downloads', () => {
    it('returns the bytes and their MD5', async () => {
      const outcome = await fetcher.fetch(request(`${plain.url}00156574b150.boot`));
      expect(outcome).toMatchObject({ kind: 'ok', md5: md5(BOOT) });
      expect(outcome.kind === 'ok' && Buffer.from(outcome.bytes).toString()).toBe(BOOT);
    });

    it('answers not-found to 404 (spec D: wrong URL or missing file)', async () => {
      expect(await fetcher.fetch(request(`${plain.url}y000000000000.boot`))).toEqual({
        kind: 'not-found',
        detail: 'HTTP 404',
      });
    });
  });

  describe('S7 User-Agent', () => {
    it("sends the request's User-Agent, which the server receives unchanged", async () => {
      const ua = 'Yealink SIP-T23G 44.86.0.15 00:15:65:93:70:f2';
      await fetcher.fetch(request(`${plain.url}00156574b150.boot?ua-test`, { userAgent: ua }));
      const entry = await logged(log, (e) => e.path === '/00156574b150.boot?ua-test');
      expect(entry?.userAgent).toBe(ua);
    });
  });

  describe('S5 Basic and Digest, as the server asks', () => {
    const creds = { credentials: { user: 'admin', password: PASSWORD } };

    it.each(['basic', 'digest'] as const)('%s: fetches with the right credentials', async (scheme) => {
      const server = scheme === 'basic' ? basic : digest;
      expect(await fetcher.fetch(request(`${server.url}00156574b150.boot`, creds))).toMatchObject({
        kind: 'ok',
        md5: md5(BOOT),
      });
    });

    it.each(['basic', 'digest'] as const)(
      '%s: a refused password is "wrong credentials", without the password',
      async (scheme) => {
        const server = scheme === 'basic' ? basic : digest;
        const outcome = await fetcher.fetch(
          request(`${server.url}00156574b150.boot`, { credentials: { user: 'admin', password: 'not-it' } }),
        );
        expect(outcome).toMatchObject({
          kind: 'failed',
          cause: 'auth',
          detail: expect.stringContaining('wrong credentials') as string,
        });
        expect(JSON.stringify(outcome)).not.toContain('not-it');
      },
    );

    it.each(['basic', 'digest'] as const)(
      '%s: says which settings are missing when no credentials are configured',
      async (scheme) => {
        const server = scheme === 'basic' ? basic : digest;
        expect(await fetcher.fetch(request(`${server.url}00156574b150.boot`))).toEqual({
          kind: 'failed',
          cause: 'auth',
          detail:
            'the server asks for credentials and none are configured (static.auto_provision.server.username/password)',
        });
      },
    );

    it('takes credentials from the URL (percent-decoded) and never sends them in the request line', async () => {
      const url = `${digest.url.replace('http://', 'http://admin:' + encodeURIComponent(PASSWORD + '@') + '@')}00156574b150.boot`;
      const wrong = await fetcher.fetch(request(url));
      expect(wrong).toMatchObject({ kind: 'failed', cause: 'auth' });
      expect(JSON.stringify(wrong)).not.toContain(PASSWORD);
      const right = await fetcher.fetch(
        request(
          `${digest.url.replace('http://', `http://admin:${encodeURIComponent(PASSWORD)}@`)}00156574b150.boot?userinfo`,
        ),
      );
      expect(right.kind).toBe('ok');
      expect((await logged(log, (e) => e.path.endsWith('?userinfo')))?.path).toBe(
        '/00156574b150.boot?userinfo',
      );
    });

    it('prefers Digest when offered both, echoes opaque, and sends the UA on every request', async () => {
      const server = await httpServer((req, send) => {
        const given = parseAuthHeader(req.headers.authorization)[0];
        if (given?.scheme === 'digest' && given.params.get('opaque') === 'op') return send(200, {}, 'ok');
        send(401, {
          'www-authenticate': 'Basic realm="r", Digest realm="r", nonce="n1", qop="auth", opaque="op"',
        });
      });
      try {
        expect(await fetcher.fetch(request(`${server.url}a.cfg`, creds))).toMatchObject({ kind: 'ok' });
        expect(server.seen.map((h) => h['user-agent'])).toEqual([UA, UA]);
        expect(server.seen[0]!.authorization).toBeUndefined();
      } finally {
        await server.close();
      }
    });

    it('answers a stale nonce once more with the new nonce, then gives up', async () => {
      // Right answers are called stale `staleAnswers` times before one is accepted.
      let staleAnswers = 0;
      let nonce = 0;
      const server = await httpServer((req, send) => {
        const p = parseAuthHeader(req.headers.authorization)[0]?.params;
        const right =
          p !== undefined &&
          p.get('nonce') === `nonce-${nonce}` &&
          p.get('response') ===
            digestResponse({
              algorithm: 'MD5',
              user: 'admin',
              realm: 'r',
              password: PASSWORD,
              method: 'GET',
              uri: req.url,
              nonce: `nonce-${nonce}`,
              qop: 'auth',
              nc: p.get('nc') ?? '',
              cnonce: p.get('cnonce') ?? '',
            });
        if (right && staleAnswers === 0) return send(200, {}, 'ok');
        if (right) staleAnswers--;
        nonce++;
        send(401, {
          'www-authenticate': `Digest realm="r", nonce="nonce-${nonce}", qop="auth"${right ? ', stale=true' : ''}`,
        });
      });
      try {
        staleAnswers = 1;
        expect(await fetcher.fetch(request(`${server.url}a.cfg`, creds))).toMatchObject({ kind: 'ok' });
        expect(server.seen).toHaveLength(3); // challenge, stale, accepted
        server.seen.length = 0;
        staleAnswers = 100;
        expect(await fetcher.fetch(request(`${server.url}a.cfg`, creds))).toMatchObject({
          kind: 'failed',
          cause: 'auth',
        });
        expect(server.seen).toHaveLength(3); // challenge, stale, stale again: refused, no loop
      } finally {
        await server.close();
      }
    });

    it('refuses a scheme the phone does not speak, naming it', async () => {
      const server = await httpServer((_req, send) => send(401, { 'www-authenticate': 'Negotiate' }));
      try {
        expect(await fetcher.fetch(request(`${server.url}a.cfg`, creds))).toMatchObject({
          kind: 'failed',
          cause: 'auth',
          detail: expect.stringContaining('Negotiate') as string,
        });
      } finally {
        await server.close();
      }
    });
  });

  describe('K2 uploads (HTTP PUT)', () => {
    it('uploads <mac>-local.cfg, with Digest, and the server stores it', async () => {
      const outcome = await fetcher.put(
        request(`${digest.url}00156574b150-local.cfg`, {
          credentials: { user: 'admin', password: PASSWORD },
        }),
        Buffer.from('#!version:1.0.0.1\naccount.1.label = mine\n'),
      );
      expect(outcome).toEqual({ kind: 'ok' });
      expect(await readFile(join(root, '00156574b150-local.cfg'), 'utf8')).toContain('label = mine');
      const entry = await logged(log, (e) => e.method === 'PUT' && e.status === 201);
      expect(entry?.userAgent).toBe(UA);
    });

    it('is refused for any other file name (405)', async () => {
      const outcome = await fetcher.put(request(`${plain.url}00156574b150.boot`), Buffer.from('x'));
      expect(outcome).toMatchObject({
        kind: 'failed',
        cause: 'protocol',
        detail: expect.stringContaining('HTTP 405') as string,
      });
      expect(await readFile(join(root, '00156574b150.boot'), 'utf8')).toBe(BOOT);
    });
  });

  describe('S5 HTTPS: the certificate is checked unless trust_certificates = 0', () => {
    it('fetches when the server certificate chains to a CA given to the fetcher', async () => {
      expect(await trusting.fetch(request(`${https.url}00156574b150.boot`))).toMatchObject({
        kind: 'ok',
        md5: md5(BOOT),
      });
      const localhost = https.url.replace('127.0.0.1', 'localhost');
      expect(await trusting.fetch(request(`${localhost}00156574b150.boot`))).toMatchObject({ kind: 'ok' });
    });

    it("fails with 'tls' when the CA is not trusted (spec D: can't authenticate the server)", async () => {
      expect(await fetcher.fetch(request(`${https.url}00156574b150.boot`))).toEqual({
        kind: 'failed',
        cause: 'tls',
        detail:
          "can't authenticate the server: its certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
      });
    });

    it("fails with 'tls' when the certificate names another host", async () => {
      expect(await trusting.fetch(request(`${httpsOtherHost.url}00156574b150.boot`))).toMatchObject({
        kind: 'failed',
        cause: 'tls',
        detail: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID') as string,
      });
    });

    it('fetches from any certificate when verification is off', async () => {
      expect(await fetcher.fetch(request(`${https.url}00156574b150.boot`, {}, 2000, false))).toMatchObject({
        kind: 'ok',
      });
      expect(
        await fetcher.fetch(request(`${httpsOtherHost.url}00156574b150.boot`, {}, 2000, false)),
      ).toMatchObject({ kind: 'ok' });
    });

    it('reports a plain HTTP server at an https: URL as a protocol failure, not a certificate one', async () => {
      const outcome = await fetcher.fetch(
        request(plain.url.replace('http:', 'https:') + '00156574b150.boot'),
      );
      expect(outcome).toMatchObject({
        kind: 'failed',
        cause: 'protocol',
        detail: expect.stringContaining('TLS handshake') as string,
      });
    });
  });
});

describe('faults are outcomes: each returns, never throws, never hangs (issue §7)', () => {
  const fetcher = new HttpFetcher();
  afterAll(async () => {
    await fetcher.close();
  });

  async function withRaw(
    onConnection: Parameters<typeof rawServer>[0],
    run: (url: string) => Promise<void>,
  ): Promise<void> {
    const server = await rawServer(onConnection);
    try {
      await run(`http://127.0.0.1:${server.port}/`);
    } finally {
      await server.close();
    }
  }

  it("a server that never answers: 'timeout' within the transfer timeout", async () => {
    await withRaw(
      () => undefined,
      async (url) => {
        const started = Date.now();
        const outcome = await fetcher.fetch(request(`${url}a.cfg`, {}, 300));
        expect(outcome).toMatchObject({ kind: 'failed', cause: 'timeout' });
        expect(Date.now() - started).toBeLessThan(1500);
      },
    );
  });

  it("a server that stops in the middle of the body: 'timeout'", async () => {
    await withRaw(
      (socket) =>
        socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789')),
      async (url) => {
        const started = Date.now();
        expect(await fetcher.fetch(request(`${url}a.cfg`, {}, 300))).toMatchObject({
          kind: 'failed',
          cause: 'timeout',
        });
        expect(Date.now() - started).toBeLessThan(1500);
      },
    );
  });

  it("nothing listening: 'unreachable'", async () => {
    const port = await freePort();
    expect(await fetcher.fetch(request(`http://127.0.0.1:${port}/a.cfg`))).toMatchObject({
      kind: 'failed',
      cause: 'unreachable',
      detail: expect.stringContaining('ECONNREFUSED') as string,
    });
  });

  it("an unknown host: 'unreachable'", async () => {
    expect(await fetcher.fetch(request('http://autop-no-such-host.invalid/a.cfg'))).toMatchObject({
      kind: 'failed',
      cause: 'unreachable',
    });
  });

  it("a connection closed before any answer: 'unreachable'", async () => {
    await withRaw(
      (socket) => socket.once('data', () => socket.destroy()),
      async (url) => {
        expect(await fetcher.fetch(request(`${url}a.cfg`))).toMatchObject({
          kind: 'failed',
          cause: 'unreachable',
        });
      },
    );
  });

  it("HTTP 500: 'server-error' with the status", async () => {
    await withRaw(
      (socket) =>
        socket.once('data', () =>
          socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n'),
        ),
      async (url) => {
        expect(await fetcher.fetch(request(`${url}a.cfg`))).toEqual({
          kind: 'failed',
          cause: 'server-error',
          detail: 'HTTP 500 Internal Server Error: the server failed',
        });
      },
    );
  });

  it.each([
    [403, 'auth'],
    [400, 'protocol'],
    [410, 'not-found'],
    [503, 'server-error'],
  ] as const)('HTTP %i: %s', async (status, expected) => {
    await withRaw(
      (socket) => socket.once('data', () => socket.end(`HTTP/1.1 ${status} X\r\nContent-Length: 0\r\n\r\n`)),
      async (url) => {
        const outcome: FetchOutcome = await fetcher.fetch(request(`${url}a.cfg`));
        expect(outcome.kind === 'failed' ? outcome.cause : outcome.kind).toBe(expected);
      },
    );
  });

  it("a body shorter than its Content-Length: 'protocol', saying how much arrived", async () => {
    await withRaw(
      (socket) =>
        socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789')),
      async (url) => {
        const outcome = await fetcher.fetch(request(`${url}a.cfg`));
        expect(outcome).toMatchObject({
          kind: 'failed',
          cause: 'protocol',
          detail: expect.stringContaining('after 10 bytes of the 1000') as string,
        });
      },
    );
  });

  it("an answer that is not HTTP: 'protocol'", async () => {
    await withRaw(
      (socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n')),
      async (url) => {
        expect(await fetcher.fetch(request(`${url}a.cfg`))).toMatchObject({
          kind: 'failed',
          cause: 'protocol',
        });
      },
    );
  });

  describe('redirects', () => {
    it(`follows up to ${MAX_REDIRECTS}, relative or absolute`, async () => {
      const server = await httpServer((req, send) => {
        const n = Number(/\/r(\d+)/.exec(req.url)?.[1] ?? -1);
        if (n > 0) return send(n % 2 ? 302 : 301, { location: `/r${n - 1}` });
        if (n === 0) return send(200, {}, 'landed');
        send(404);
      });
      try {
        const ok = await fetcher.fetch(request(`${server.url}r${MAX_REDIRECTS}`));
        expect(ok.kind === 'ok' && Buffer.from(ok.bytes).toString()).toBe('landed');
        expect(server.seen.every((h) => h['user-agent'] === UA)).toBe(true);
        expect(await fetcher.fetch(request(`${server.url}r${MAX_REDIRECTS + 1}`))).toMatchObject({
          kind: 'failed',
          cause: 'protocol',
          detail: expect.stringContaining(`more than ${MAX_REDIRECTS} redirects`) as string,
        });
      } finally {
        await server.close();
      }
    });

    it('issue #13 §4: a Location with a password is masked in the detail, even one that is not a URL', async () => {
      const server = await httpServer((req, send) =>
        send(302, {
          location: req.url === '/bad' ? 'http://prov:Redirect-Pw@[::1' : 'gopher://prov:Redirect-Pw@x/a',
        }),
      );
      try {
        const bad = await fetcher.fetch(request(`${server.url}bad`));
        expect(bad).toMatchObject({ kind: 'failed', cause: 'protocol' });
        expect((bad as { detail: string }).detail).toContain('redirect to "http://***@[::1"');
        const gopher = await fetcher.fetch(request(`${server.url}gopher`));
        expect(gopher).toMatchObject({ kind: 'failed', cause: 'unsupported' });
        expect((gopher as { detail: string }).detail).not.toContain('Redirect-Pw');
      } finally {
        await server.close();
      }
    });

    it('does not hand the credentials to another server it is redirected to', async () => {
      const other = await httpServer((_req, send) =>
        send(401, { 'www-authenticate': 'Basic realm="elsewhere"' }),
      );
      const first = await httpServer((_req, send) =>
        send(302, { location: `${other.url.replace('127.0.0.1', 'localhost')}a.cfg` }),
      );
      try {
        const outcome = await fetcher.fetch(
          request(`${first.url}a.cfg`, { credentials: { user: 'admin', password: PASSWORD } }),
        );
        expect(outcome).toMatchObject({
          kind: 'failed',
          cause: 'auth',
          detail: expect.stringContaining('sent only to') as string,
        });
        expect(other.seen.every((h) => h.authorization === undefined)).toBe(true);
      } finally {
        await first.close();
        await other.close();
      }
    });
  });
});
