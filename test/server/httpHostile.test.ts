// Issue #13 §6, §7 and §4 on `autop serve --http`: special files are never opened for reading (a
// FIFO used to hang every later request), an answer never shows the server's own paths or errors
// (the log has them), and no password reaches the log. Raw requests over real sockets.
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHttpServer,
  type RequestLogEntry,
  type RunningHttpServer,
} from '../../src/server/provisioningServer.js';
import { get, rawRequest } from '../support/rawHttp.js';
import { tempDir } from '../support/servers.js';

describe('issue #13: hostile requests to the HTTP server', () => {
  let base: string;
  let root: string;
  let server: RunningHttpServer;
  let socketFile: Server;
  const log: RequestLogEntry[] = [];
  const entryFor = async (path: string) => {
    await expect.poll(() => log.some((e) => e.path === path)).toBe(true);
    return log.find((e) => e.path === path)!;
  };

  beforeAll(async () => {
    base = await tempDir('http-hostile');
    root = join(base, 'tree');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'a.cfg'), '#!version:1.0.0.1\n');
    execFileSync('mkfifo', [join(root, 'fifo.cfg')]);
    await symlink(join(root, 'fifo.cfg'), join(root, 'sub', 'to-fifo.cfg'));
    socketFile = createServer();
    await new Promise<void>((resolve) => socketFile.listen(join(root, 'socket.cfg'), resolve));
    await writeFile(join(base, 'secret.txt'), 'outside');
    await symlink(join(base, 'secret.txt'), join(root, 'link.cfg'));
    server = await startHttpServer({ root, port: 0, log: (e) => log.push(e) });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => socketFile.close(resolve));
  });

  describe('§7 special files', () => {
    it.each(['/fifo.cfg', '/sub/to-fifo.cfg', '/socket.cfg'])(
      'GET and HEAD %s: 404, and the log says what it is',
      async (path) => {
        expect((await rawRequest(server.port, get(path))).status).toBe(404);
        const head = `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
        expect((await rawRequest(server.port, head)).status).toBe(404);
        expect((await entryFor(path)).detail).toMatch(/not a regular file$/);
      },
    );

    it('sixteen FIFO requests at once (libuv has four threads), then a regular file: 200', async () => {
      const answers = await Promise.all(
        Array.from({ length: 16 }, () => rawRequest(server.port, get('/fifo.cfg'))),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(16).fill(404));
      const after = await rawRequest(server.port, get('/a.cfg'));
      expect(after.status).toBe(200);
      expect(after.body).toBe('#!version:1.0.0.1\n');
    });
  });

  describe('§6 no internal detail in an answer', () => {
    it('a name too long for the file system: 404, not a 500 naming the root', async () => {
      for (const path of [`/${'a'.repeat(300)}.cfg`, `/${Array(40).fill('b'.repeat(200)).join('/')}`]) {
        const answer = await rawRequest(server.port, get(path));
        expect(answer.status).toBe(404);
        expect(answer.head + answer.body).not.toContain(base);
        expect(answer.body).not.toMatch(/ENAMETOOLONG|realpath/);
      }
    });

    it('a link out of the tree: 403 that does not say where it leads; the log does', async () => {
      const answer = await rawRequest(server.port, get('/link.cfg'));
      expect(answer.status).toBe(403);
      expect(answer.body).toBe('refused: not in the served tree, or not readable\n');
      expect((await entryFor('/link.cfg')).detail).toBe('a link that leads out of the root');
    });
  });

  describe('§4 no password in the log', () => {
    it('an absolute-form request-target with user info is logged masked', async () => {
      const answer = await rawRequest(server.port, get('http://prov:Hunter2-pw@127.0.0.1/a.cfg'));
      expect(answer.status).toBe(200);
      await expect
        .poll(() => log.some((e) => e.path.endsWith('/a.cfg') && e.path.startsWith('http')))
        .toBe(true);
      expect(JSON.stringify(log)).not.toContain('Hunter2-pw');
      expect(log.map((e) => e.path)).toContain('http://***@127.0.0.1/a.cfg');
    });
  });
});
