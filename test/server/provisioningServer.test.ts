import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHttpServer,
  type RequestLogEntry,
  type RunningHttpServer,
} from '../../src/server/provisioningServer.js';
import { MAX_UPLOAD_BYTES } from '../../src/server/upload.js';
import { get, rawRequest } from '../support/rawHttp.js';
import { tempDir } from '../support/servers.js';

const SECRET = 'outside-the-root-secret';
const MAC_LOCAL = '00156574b150-local.cfg';

const put = (path: string, body: string, extra = '') =>
  `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`;

describe('the provisioning server (autop serve)', () => {
  let base: string;
  let root: string;
  let server: RunningHttpServer;
  const log: RequestLogEntry[] = [];

  beforeAll(async () => {
    base = await tempDir('serve');
    root = join(base, 'tree');
    await mkdir(join(root, 'phones'), { recursive: true });
    await writeFile(join(root, 'y000000000000.boot'), '#!version:1.0.0.1\ninclude:config "site.cfg"\n');
    await writeFile(join(root, 'phones', '00156574b150.cfg'), '#!version:1.0.0.1\naccount.1.label = one\n');
    await writeFile(join(base, 'secret.txt'), SECRET);
    await writeFile(join(base, MAC_LOCAL), SECRET);
    await symlink(join(base, 'secret.txt'), join(root, 'link.cfg'));
    await symlink(base, join(root, 'up'));
    server = await startHttpServer({ root, port: 0, log: (e) => log.push(e) });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves a file below the root, HEAD without the body', async () => {
    const answer = await rawRequest(server.port, get('/phones/00156574b150.cfg'));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('#!version:1.0.0.1\naccount.1.label = one\n');
    const head = await rawRequest(
      server.port,
      `HEAD /phones/00156574b150.cfg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(head.status).toBe(200);
    expect(head.head).toMatch(/content-length: 40/i);
    expect(head.body).toBe('');
  });

  it('answers 404 for a missing file and for a folder (no listings)', async () => {
    expect((await rawRequest(server.port, get('/nope.cfg'))).status).toBe(404);
    expect((await rawRequest(server.port, get('/phones/'))).status).toBe(404);
    expect((await rawRequest(server.port, get('/phones'))).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/phones/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/phones/..%2f..%2fsecret.txt',
    '/phones/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/link.cfg',
    '/up/secret.txt',
    'http://127.0.0.1/../secret.txt',
  ])('refuses %s without reading outside the root', async (path) => {
    const answer = await rawRequest(server.port, get(path));
    expect([400, 403, 404]).toContain(answer.status);
    expect(answer.body).not.toContain(SECRET);
  });

  it('answers 405 to methods other than GET, HEAD and PUT', async () => {
    const answer = await rawRequest(
      server.port,
      `DELETE /phones/00156574b150.cfg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(405);
    expect(answer.head).toMatch(/allow: GET, HEAD, PUT/i);
    expect(existsSync(join(root, 'phones', '00156574b150.cfg'))).toBe(true);
  });

  describe('K2 uploads', () => {
    it('creates <mac>-local.cfg (201), then replaces it (204), atomically and with nothing left over', async () => {
      expect((await rawRequest(server.port, put(`/${MAC_LOCAL}`, 'first\n'))).status).toBe(201);
      expect((await rawRequest(server.port, put(`/${MAC_LOCAL}`, 'second\n'))).status).toBe(204);
      expect(await readFile(join(root, MAC_LOCAL), 'utf8')).toBe('second\n');
      expect((await rawRequest(server.port, put('/phones/00156574b150-contact.xml', '<x/>'))).status).toBe(
        201,
      );
    });

    it('refuses any other name with 405 and leaves the tree as it was', async () => {
      const answer = await rawRequest(server.port, put('/y000000000000.boot', 'overwritten'));
      expect(answer.status).toBe(405);
      expect(await readFile(join(root, 'y000000000000.boot'), 'utf8')).toContain('include:config');
    });

    it.each([`/../${MAC_LOCAL}`, `/%2e%2e/${MAC_LOCAL}`, `/up/${MAC_LOCAL}`])(
      'refuses an upload to %s, outside the root',
      async (path) => {
        const answer = await rawRequest(server.port, put(path, 'overwritten'));
        expect(answer.status).toBe(403);
        expect(await readFile(join(base, MAC_LOCAL), 'utf8')).toBe(SECRET);
      },
    );

    it('refuses an upload into a missing folder (409) and one over 1 MiB (413)', async () => {
      expect((await rawRequest(server.port, put(`/nofolder/${MAC_LOCAL}`, 'x'))).status).toBe(409);
      const big = 'x'.repeat(MAX_UPLOAD_BYTES + 1);
      expect((await rawRequest(server.port, put(`/phones/${MAC_LOCAL}`, big))).status).toBe(413);
      // Chunked, so the size is only known while the body arrives.
      const chunked = `PUT /phones/${MAC_LOCAL} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
      expect((await rawRequest(server.port, chunked)).status).toBe(413);
      expect(existsSync(join(root, 'phones', MAC_LOCAL))).toBe(false);
    });
  });

  it('logs each request: time, remote, method, path, status, bytes, User-Agent (S7), duration', async () => {
    log.length = 0;
    await rawRequest(
      server.port,
      get('/phones/00156574b150.cfg', 'User-Agent: Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50\r\n'),
    );
    await expect.poll(() => log.length).toBe(1);
    const entry = log[0]!;
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/phones/00156574b150.cfg',
      status: 200,
      bytes: 40,
      userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    });
    expect(entry.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
    expect(entry.ms).toBeGreaterThanOrEqual(0);
  });
});

describe('S5 the provisioning server asks for credentials when configured', () => {
  let server: RunningHttpServer;
  const log: RequestLogEntry[] = [];
  beforeAll(async () => {
    const root = await tempDir('serve-auth');
    await writeFile(join(root, 'a.cfg'), 'x');
    server = await startHttpServer({
      root,
      port: 0,
      auth: { user: 'admin', password: 'pa55word', scheme: 'basic' },
      log: (e) => log.push(e),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 401 with a challenge, then the file to the right credentials; never logs them', async () => {
    const refused = await rawRequest(server.port, get('/a.cfg'));
    expect(refused.status).toBe(401);
    expect(refused.head).toMatch(/www-authenticate: Basic realm="autop"/i);
    const basic = Buffer.from('admin:pa55word').toString('base64');
    const ok = await rawRequest(server.port, get('/a.cfg', `Authorization: Basic ${basic}\r\n`));
    expect(ok.status).toBe(200);
    await expect.poll(() => log.some((e) => e.status === 200)).toBe(true);
    const logged = JSON.stringify(log);
    expect(logged).not.toContain(basic);
    expect(logged).not.toContain('pa55word');
    expect(logged.toLowerCase()).not.toContain('authorization');
  });

  it('asks before saying anything about a path, even a refused one', async () => {
    expect((await rawRequest(server.port, get('/../secret.txt'))).status).toBe(401);
    expect((await rawRequest(server.port, put(`/${MAC_LOCAL}`, 'x'))).status).toBe(401);
  });
});
