import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('refuses other schemes', async () => {
    expect(await new FileFetcher(root).fetch(request('http://x.test/a.cfg'))).toMatchObject({
      kind: 'failed',
      cause: 'unsupported',
    });
  });
});
