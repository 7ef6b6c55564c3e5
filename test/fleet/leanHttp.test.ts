// Issue #14 §2: the fleet's light HTTP path (src/fleet/leanHttp.ts) against Debian's nginx and a
// server of our own for what nginx is not set up to do. Every outcome is the one HttpFetcher gives
// for the same request: a file, a missing file, a server that asks for credentials (with and
// without them), a redirect, a server error, a body that stalls, a server that is not there; and a
// body that repeats the last one of its URL is handed out as that one, its MD5 taken once.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { HttpFetcher } from '../../src/fetch/httpFetcher.js';
import { WireFetcher } from '../../src/fetch/createFetcher.js';
import { FleetWire, LeanHttp } from '../../src/fleet/leanHttp.js';
import { NGINX, OPENSSL, servedCopy, startNginx } from '../support/debianServers.js';
import { assertInstalled, freePort, skipUnlessInstalled, tempDir } from '../support/servers.js';

const USER = 'provisioner';
const PASSWORD = 'Pr0v-pa55 word';
const BOOT = '00156574b150.boot';

function request(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...extra,
  };
}

describe.skipIf(skipUnlessInstalled(NGINX, OPENSSL))('issue #14 §2: LeanHttp against nginx', () => {
  let site: string;
  let plain: string;
  let basic: string;
  let stop: (() => Promise<void>) | undefined;
  const http = new HttpFetcher();
  const lean = new LeanHttp(http, 4);

  beforeAll(async () => {
    assertInstalled(NGINX, OPENSSL);
    site = await servedCopy(await tempDir('lean-http'));
    const nginx = await startNginx(site, { basic: { user: USER, password: PASSWORD } });
    plain = nginx.url;
    basic = nginx.basicUrl;
    stop = nginx.stop;
  });

  afterAll(async () => {
    await lean.close();
    await http.close();
    await stop?.();
  });

  const both = async (r: FetchRequest): Promise<[FetchOutcome, FetchOutcome]> => [
    await lean.fetch(r),
    await http.fetch(r),
  ];

  it('downloads a file and its MD5 as HttpFetcher does', async () => {
    const [ours, theirs] = await both(request(plain + BOOT));
    expect(ours).toEqual(theirs);
    const bytes = await readFile(join(site, BOOT));
    expect(ours).toMatchObject({ kind: 'ok', md5: createHash('md5').update(bytes).digest('hex') });
  });

  it('hands out a body equal to the last one of its URL as that one', async () => {
    const first = await lean.fetch(request(plain + 'site.cfg'));
    const second = await lean.fetch(request(plain + 'site.cfg'));
    expect(first.kind === 'ok' && second.kind === 'ok' && first.bytes === second.bytes).toBe(true);
  });

  it('refuses a file over the size limit as HttpFetcher does (issue #13 §3), and goes on', async () => {
    const [ours, theirs] = await both(request(plain + BOOT, { maxBytes: 10 }));
    expect(ours).toEqual({ kind: 'failed', cause: 'too-large', detail: 'larger than 10 bytes' });
    expect(ours).toEqual(theirs);
    expect((await lean.fetch(request(plain + BOOT))).kind).toBe('ok');
  });

  it('says a missing file is not found as HttpFetcher does (spec D)', async () => {
    const [ours, theirs] = await both(request(plain + 'y000000000000.boot'));
    expect(ours).toEqual({ kind: 'not-found', detail: 'HTTP 404' });
    expect(ours).toEqual(theirs);
  });

  it('leaves a server that asks for credentials to HttpFetcher (S5), with and without them', async () => {
    const without = await both(request(basic + BOOT));
    expect(without[0]).toEqual(without[1]);
    expect(without[0]).toMatchObject({ kind: 'failed', cause: 'auth' });
    const withThem = await both(request(basic + BOOT, { credentials: { user: USER, password: PASSWORD } }));
    expect(withThem[0]).toEqual(withThem[1]);
    expect(withThem[0].kind).toBe('ok');
  });

  it('gives the wire fetcher outcome, retries included, for a server that is not there', async () => {
    const port = await freePort();
    const r = request(`http://127.0.0.1:${port}/${BOOT}`, {
      transfer: { timeoutMs: 2000, attempts: 2, retryDelayMs: 0, verifyTls: true },
    });
    const wire = new WireFetcher();
    const fleet = new FleetWire({ caFiles: [], connections: 2, sleep: () => Promise.resolve() });
    try {
      const ours = await fleet.fetch(r);
      expect(ours).toEqual(await wire.fetch(r));
      expect(ours).toMatchObject({ kind: 'failed', cause: 'unreachable' });
      expect(ours.kind === 'failed' && ours.detail).toMatch(/after 2 attempts/);
    } finally {
      await Promise.all([fleet.close(), wire.close()]);
    }
  });
});

describe('issue #14 §2: LeanHttp leaves what is not a plain answer to HttpFetcher (spec D)', () => {
  let server: Server;
  let base: string;
  const http = new HttpFetcher();
  const lean = new LeanHttp(http, 4);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/moved.cfg') {
        res.writeHead(302, { location: '/here.cfg' }).end();
      } else if (req.url === '/here.cfg') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('#!version:1.0.0.1\nlang.gui = French\n');
      } else if (req.url === '/endless.cfg') {
        // No size announced (chunked): the limit is found while reading.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('#!version:1.0.0.1\n' + 'x'.repeat(4096));
        res.end('y'.repeat(4096));
      } else if (req.url === '/broken.cfg') {
        res.writeHead(500).end();
      } else if (req.url === '/stalled.cfg') {
        // Headers and the start of a body, then nothing: the phone gives up on the transfer.
        res.writeHead(200, { 'content-length': '100' });
        res.write('#!version:1.0.0.1\n');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await lean.close();
    await http.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('follows a redirect as HttpFetcher does', async () => {
    const ours = await lean.fetch(request(base + 'moved.cfg'));
    expect(ours).toEqual(await http.fetch(request(base + 'moved.cfg')));
    expect(ours).toMatchObject({ kind: 'ok' });
  });

  it('cuts off a body without a size once past the size limit, as HttpFetcher does (issue #13 §3)', async () => {
    const endless = request(base + 'endless.cfg', { maxBytes: 1000 });
    const ours = await lean.fetch(endless);
    expect(ours).toEqual(await http.fetch(endless));
    expect(ours).toMatchObject({ kind: 'failed', cause: 'too-large' });
  });

  it('says a server error is one, as HttpFetcher does', async () => {
    const ours = await lean.fetch(request(base + 'broken.cfg'));
    expect(ours).toEqual(await http.fetch(request(base + 'broken.cfg')));
    expect(ours).toMatchObject({ kind: 'failed', cause: 'server-error' });
  });

  it('gives up on a body that stalls, as HttpFetcher does', async () => {
    const stalled = request(base + 'stalled.cfg', {
      transfer: { timeoutMs: 300, attempts: 1, retryDelayMs: 0, verifyTls: true },
    });
    const ours = await lean.fetch(stalled);
    expect(ours).toEqual(await http.fetch(stalled));
    expect(ours).toMatchObject({ kind: 'failed', cause: 'timeout' });
  });
});
