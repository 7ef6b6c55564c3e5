// Issue #14 §2: the tree a fleet reads in virtual time answers as FileFetcher does, a file that is
// not in the tree's root at once (from one listing of it), everything else from FileFetcher.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FetchRequest } from '../../src/fetch/fetcher.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import { TreeSnapshot } from '../../src/fleet/treeSnapshot.js';
import { tempDir } from '../support/servers.js';

let dir: string;
let root: string;

const request = (url: string): FetchRequest => ({
  url: new URL(url),
  userAgent: 'test',
  transfer: { timeoutMs: 1000, attempts: 1, retryDelayMs: 0, verifyTls: true },
});

beforeAll(async () => {
  dir = await tempDir('tree-snapshot');
  root = join(dir, 'site');
  await mkdir(join(root, 'phones'), { recursive: true });
  await writeFile(join(root, 'y000000000000.boot'), '#!version:1.0.0.1\n');
  await writeFile(join(root, 'phones', 'a.cfg'), '#!version:1.0.0.1\n');
  await writeFile(join(dir, 'secret.cfg'), 'outside\n');
  await symlink(join(dir, 'secret.cfg'), join(root, 'link.cfg'));
});

describe('issue #14 §2: TreeSnapshot', () => {
  it('answers every kind of request as FileFetcher does', async () => {
    const snapshot = new TreeSnapshot(root);
    const files = new FileFetcher(root, { cache: true });
    const base = pathToFileURL(root + '/').href;
    for (const path of [
      'y000000000000.boot',
      '001565000001.boot',
      'phones/a.cfg',
      'phones/b.cfg',
      'link.cfg',
      'phones',
      '../secret.cfg',
      'a%20b.cfg',
      '.',
    ]) {
      const url = new URL(path, base).href;
      expect([path, await snapshot.fetch(request(url))]).toEqual([path, await files.fetch(request(url))]);
    }
  });

  it('sees a file uploaded to the root from then on', async () => {
    const snapshot = new TreeSnapshot(root);
    const url = new URL('001565000009-local.cfg', pathToFileURL(root + '/')).href;
    expect((await snapshot.fetch(request(url))).kind).toBe('not-found');
    expect(await snapshot.put(request(url), new TextEncoder().encode('#!version:1.0.0.1\n'))).toEqual({
      kind: 'ok',
    });
    expect((await snapshot.fetch(request(url))).kind).toBe('ok');
  });

  it('leaves a root it cannot list to FileFetcher', async () => {
    const missing = join(dir, 'nowhere');
    const url = new URL('y000000000000.boot', pathToFileURL(missing + '/')).href;
    expect(await new TreeSnapshot(missing).fetch(request(url))).toEqual(
      await new FileFetcher(missing).fetch(request(url)),
    );
  });
});
