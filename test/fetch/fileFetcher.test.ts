import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import type { FetchRequest } from '../../src/fetch/fetcher.js';

const request = (url: string): FetchRequest => ({
  url: new URL(url),
  userAgent: 'test',
  transfer: { timeoutMs: 1000, attempts: 1, retryDelayMs: 0, verifyTls: true },
});

describe('file fetcher: a tree on disk, never outside its root', () => {
  let base: string;
  let root: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'autop-tree-'));
    root = join(base, 'tree');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'sub', 'a.cfg'), '#!version:1.0.0.1\n');
    await writeFile(join(base, 'secret.txt'), 'outside');
    await symlink(join(base, 'secret.txt'), join(root, 'link.cfg'));
    await symlink(join(root, 'sub', 'a.cfg'), join(root, 'inside-link.cfg'));
  });

  it('reads a file below the root, with its MD5', async () => {
    const outcome = await new FileFetcher(root).fetch(
      request(pathToFileURL(join(root, 'sub', 'a.cfg')).href),
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      md5: createHash('md5').update('#!version:1.0.0.1\n').digest('hex'),
    });
  });

  it('answers not-found for a missing file', async () => {
    const outcome = await new FileFetcher(root).fetch(request(pathToFileURL(join(root, 'nope.cfg')).href));
    expect(outcome.kind).toBe('not-found');
  });

  it('refuses ../ that leaves the root without reading it', async () => {
    const url = new URL('../secret.txt', pathToFileURL(root + '/')).href;
    const outcome = await new FileFetcher(root).fetch(request(url));
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'outside-root' });
    const etc = await new FileFetcher(root).fetch(
      request(new URL('../../../../../../etc/passwd', pathToFileURL(root + '/')).href),
    );
    expect(etc).toMatchObject({ kind: 'failed', cause: 'outside-root' });
  });

  it('refuses a symbolic link that leads out of the root, and follows one that stays inside', async () => {
    const fetcher = new FileFetcher(root);
    expect(await fetcher.fetch(request(pathToFileURL(join(root, 'link.cfg')).href))).toMatchObject({
      kind: 'failed',
      cause: 'outside-root',
    });
    expect(await fetcher.fetch(request(pathToFileURL(join(root, 'inside-link.cfg')).href))).toMatchObject({
      kind: 'ok',
    });
  });

  it('issue #12: answers any other scheme offline, user info masked, without a network try', async () => {
    expect(await new FileFetcher(root).fetch(request('http://u:S3cret@x.test/a.cfg'))).toEqual({
      kind: 'failed',
      cause: 'offline',
      detail: 'not fetched: a --tree round reads nothing outside the tree (http://***@x.test/a.cfg)',
    });
  });
});

describe('issue #13 §7: special files in the tree are never read, and never hang the reader', () => {
  let root: string;
  let socketServer: Server;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'autop-special-'));
    execFileSync('mkfifo', [join(root, 'fifo.cfg')]);
    await symlink(join(root, 'fifo.cfg'), join(root, 'to-fifo.cfg'));
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(join(root, 'socket.cfg'), resolve));
    await writeFile(join(root, 'after.cfg'), '#!version:1.0.0.1\n');
  });
  afterAll(async () => {
    await new Promise((resolve) => socketServer.close(resolve));
  });

  it.each(['fifo.cfg', 'to-fifo.cfg', 'socket.cfg'])(
    '%s is not-found (as `autop serve` answers 404 for it), not read',
    async (name) => {
      const outcome = await new FileFetcher(root).fetch(request(pathToFileURL(join(root, name)).href));
      expect(outcome.kind).toBe('not-found');
      expect((outcome as { detail: string }).detail).toMatch(/not a regular file/);
    },
  );

  it('reads a regular file after more FIFO reads than libuv has threads', async () => {
    const fetcher = new FileFetcher(root);
    const fifo = request(pathToFileURL(join(root, 'fifo.cfg')).href);
    const fifos = await Promise.all(Array.from({ length: 8 }, () => fetcher.fetch(fifo)));
    expect(fifos.map((o) => o.kind)).toEqual(Array(8).fill('not-found'));
    expect(await fetcher.fetch(request(pathToFileURL(join(root, 'after.cfg')).href))).toMatchObject({
      kind: 'ok',
    });
  });
});

describe('issue #13 §3: a file over maxBytes is too-large, never read whole', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'autop-large-'));
    // Sparse: 4 GiB on disk costs nothing, and reading it whole would exhaust the test's memory.
    const handle = await open(join(root, 'huge.rom'), 'w');
    await handle.truncate(4 * 1024 ** 3);
    await handle.close();
    await writeFile(join(root, 'exact.cfg'), Buffer.alloc(1000, 0x41));
  });

  it('refuses a 4 GiB file under a 1 MiB limit from its size', async () => {
    const outcome = await new FileFetcher(root).fetch({
      ...request(pathToFileURL(join(root, 'huge.rom')).href),
      maxBytes: 1024 * 1024,
    });
    expect(outcome).toEqual({ kind: 'failed', cause: 'too-large', detail: 'larger than 1048576 bytes' });
  });

  it('takes a file of exactly maxBytes, refuses it one byte under, reads it with no limit', async () => {
    const url = pathToFileURL(join(root, 'exact.cfg')).href;
    const fetcher = new FileFetcher(root, { cache: true });
    expect(await fetcher.fetch({ ...request(url), maxBytes: 1000 })).toMatchObject({ kind: 'ok' });
    expect(await fetcher.fetch({ ...request(url), maxBytes: 999 })).toMatchObject({ cause: 'too-large' });
    const whole = await fetcher.fetch(request(url));
    expect((whole as { bytes: Uint8Array }).bytes.length).toBe(1000);
  });
});

describe('issue #13 §6: a name too long for the file system', () => {
  it('is not-found, as `autop serve` answers it, not a server error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'autop-long-'));
    const outcome = await new FileFetcher(root).fetch(
      request(pathToFileURL(join(root, `${'n'.repeat(300)}.cfg`)).href),
    );
    expect(outcome.kind).toBe('not-found');
  });
});
