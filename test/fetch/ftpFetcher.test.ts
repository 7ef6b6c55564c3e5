// Our FTP fetcher's edges that need no real FTP server (spec S5, D): which credentials it logs in
// with, that a password never reaches a detail, refused and silent ports, and the URL-to-path
// rule. Transfers themselves are pinned against vsftpd in test/interop/tftp-ftp.interop.test.ts.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchRequest } from '../../src/fetch/fetcher.js';
import { FtpFetcher, ftpPath } from '../../src/fetch/ftpFetcher.js';
import { freePort } from '../support/servers.js';

function request(url: string, extra: Partial<FetchRequest> = {}, timeoutMs = 2000): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...extra,
  };
}

/** A control connection that greets, takes USER and PASS, and refuses every login, echoing the password. */
async function refusingFtpServer(
  greet = true,
): Promise<{ port: number; logins: string[][]; close(): Promise<void> }> {
  const logins: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (!greet) return;
    const login: string[] = [];
    logins.push(login);
    socket.write('220 test server\r\n');
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const [verb = '', ...rest] = line.split(' ');
        const argument = rest.join(' ');
        if (verb === 'USER') {
          login.push(argument);
          socket.write('331 Please specify the password.\r\n');
        } else if (verb === 'PASS') {
          login.push(argument);
          socket.write(`530 Login incorrect (you sent ${argument}).\r\n`);
        } else socket.write('502 Not implemented.\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    logins,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("S5 FTP credentials: the engine's, else the URL's, else anonymous", () => {
  let server: Awaited<ReturnType<typeof refusingFtpServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("logs in with request.credentials before the URL's user info", async () => {
    server = await refusingFtpServer();
    const outcome = await new FtpFetcher().fetch(
      request(`ftp://url-user:url-pass@127.0.0.1:${server.port}/a.cfg`, {
        credentials: { user: 'configured', password: 'Conf1gured-pw' },
      }),
    );
    expect(server.logins).toEqual([['configured', 'Conf1gured-pw']]);
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'auth' });
  });

  it("uses the URL's user info, percent-decoded, when the request has none", async () => {
    server = await refusingFtpServer();
    await new FtpFetcher().fetch(request(`ftp://phone%20one:p%40ss%3Aw0rd@127.0.0.1:${server.port}/a.cfg`));
    expect(server.logins).toEqual([['phone one', 'p@ss:w0rd']]);
  });

  it('logs in anonymously without any', async () => {
    server = await refusingFtpServer();
    await new FtpFetcher().fetch(request(`ftp://127.0.0.1:${server.port}/a.cfg`));
    expect(server.logins[0]?.[0]).toBe('anonymous');
  });

  it('D: a refused login is auth, and the detail never holds the password, even echoed back', async () => {
    server = await refusingFtpServer();
    const password = 'Echoed-s3cret';
    const fetched = await new FtpFetcher().fetch(
      request(`ftp://127.0.0.1:${server.port}/a.cfg`, { credentials: { user: 'phone', password } }),
    );
    const put = await new FtpFetcher().put(
      request(`ftp://127.0.0.1:${server.port}/00156574b150-local.cfg`, {
        credentials: { user: 'phone', password },
      }),
      Buffer.from('x'),
    );
    for (const outcome of [fetched, put]) {
      expect(outcome).toMatchObject({ kind: 'failed', cause: 'auth' });
      expect((outcome as { detail: string }).detail).toMatch(/530/);
      expect((outcome as { detail: string }).detail).not.toContain(password);
    }
  });
});

describe('D: FTP servers that cannot be reached or do not answer', () => {
  it('a refused connection is unreachable', async () => {
    const port = await freePort();
    const outcome = await new FtpFetcher().fetch(request(`ftp://127.0.0.1:${port}/a.cfg`));
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'unreachable' });
  });

  it('a server that accepts and never greets is a timeout, within about timeoutMs', async () => {
    const silent = await refusingFtpServer(false);
    try {
      const started = Date.now();
      const outcome = await new FtpFetcher().fetch(request(`ftp://127.0.0.1:${silent.port}/a.cfg`, {}, 300));
      expect(outcome).toMatchObject({ kind: 'failed', cause: 'timeout' });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await silent.close();
    }
  });
});

describe('FTP paths from URLs (RFC 1738)', () => {
  it.each([
    ['ftp://h/00156574b150.boot', '00156574b150.boot'],
    ['ftp://h/HTTP%20Directory/sip.cfg', 'HTTP Directory/sip.cfg'],
    ['ftp://h/%2Fsrv/ftp/a.cfg', '/srv/ftp/a.cfg'],
    ['ftp://h/a.cfg;type=i', 'a.cfg'],
  ])('%s is %s, relative to the login folder unless %%2F says otherwise', (url, path) => {
    expect(ftpPath(new URL(url))).toEqual({ kind: 'path', path });
  });

  it('refuses .. and line breaks (command injection) without connecting', () => {
    expect(ftpPath(new URL('ftp://h/..%2Fetc/passwd')).kind).toBe('outside');
    expect(ftpPath(new URL('ftp://h/a.cfg%0D%0ADELE%20b.cfg')).kind).toBe('bad');
    expect(ftpPath(new URL('ftp://h/')).kind).toBe('bad');
  });
});
