// Fetches `file://` URLs from a tree on disk, never outside its root (issue #2 §6): `..` in a URL
// and symbolic links that lead out of the root are refused, and the refusal is an outcome. A round
// on a tree is offline (issue #12): any other scheme is answered `offline` without a network try.
// Regular files only, never more than the request's `maxBytes` (issue #13 §3, §7).
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomicWrite.js';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maskUserInfo } from '../core/url.js';
import { readRegularFile } from './regularFile.js';
import {
  failed,
  notFound,
  tooLarge,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from './fetcher.js';

/** What a phone may upload (K2 MAC-local, contact backups): nothing else is ever written. */
export const UPLOADABLE = /^[0-9a-f]{12}-(local\.cfg|contact\.xml)$/;

/**
 * The answer of a fetcher for a tree on disk to a URL it does not read (issue #12): not a network
 * failure, a URL that this kind of round never fetches. The user info is masked.
 */
export function offline(url: URL): FetchOutcome & { kind: 'failed' } {
  return {
    kind: 'failed',
    cause: 'offline',
    detail: `not fetched: a --tree round reads nothing outside the tree (${maskUserInfo(url.href)})`,
  };
}

export interface FileFetcherOptions {
  /** Keep each file's bytes and MD5 after the first read: a tree checked for many phones is read once. */
  readonly cache?: boolean;
}

export class FileFetcher implements Fetcher, Uploader {
  private rootReal: Promise<string>;
  private readonly cache?: Map<string, Promise<FetchOutcome>>;

  /** @param root the tree's root folder: nothing outside it is ever read. */
  constructor(
    readonly root: string,
    options: FileFetcherOptions = {},
  ) {
    this.rootReal = realpath(root).catch(() => root);
    if (options.cache) this.cache = new Map();
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    if (request.url.protocol !== 'file:') return Promise.resolve(offline(request.url));
    const { maxBytes } = request;
    if (!this.cache) return this.read(request.url, maxBytes);
    // The same file may be asked for under two limits (a config and a firmware kind).
    const key = `${maxBytes ?? ''} ${request.url.href}`;
    let outcome = this.cache.get(key);
    if (!outcome) {
      outcome = this.read(request.url, maxBytes);
      this.cache.set(key, outcome);
    }
    return outcome;
  }

  /** K2: writes `<mac>-local.cfg` into the tree, atomically; any other name is refused. */
  async put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    if (request.url.protocol !== 'file:') return offline(request.url);
    let path: string;
    try {
      path = resolve(fileURLToPath(request.url));
    } catch (e) {
      return { kind: 'failed', cause: 'protocol', detail: `not a local file URL: ${(e as Error).message}` };
    }
    if (!UPLOADABLE.test(basename(path))) {
      return {
        kind: 'failed',
        cause: 'auth',
        detail: `${basename(path)} is not a file a phone uploads; refused`,
      };
    }
    const root = await this.rootReal;
    let dir: string;
    try {
      dir = await realpath(dirname(path));
    } catch {
      return { kind: 'failed', cause: 'server-error', detail: `no folder ${dirname(path)} in the tree` };
    }
    if (!isInside(dir, root))
      return {
        kind: 'failed',
        cause: 'outside-root',
        detail: `${request.url.pathname} is outside the tree; refused`,
      };
    const target = join(dir, basename(path));
    try {
      await writeFileAtomic(target, bytes);
    } catch (e) {
      return {
        kind: 'failed',
        cause: 'server-error',
        detail: `cannot write ${target}: ${(e as Error).message}`,
      };
    }
    if (this.cache) {
      for (const key of this.cache.keys()) if (key.endsWith(` ${request.url.href}`)) this.cache.delete(key);
    }
    return { kind: 'ok' };
  }

  private async read(url: URL, maxBytes: number | undefined): Promise<FetchOutcome> {
    if (/(^|\/)(\.\.|%2e%2e|\.%2e|%2e\.)(\/|$)/i.test(url.pathname)) {
      return failed('outside-root', `${url.pathname} leaves the tree's root; refused`);
    }
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch (e) {
      return failed('protocol', `not a local file URL: ${(e as Error).message}`);
    }
    if (!isInside(resolve(path), resolve(this.root))) {
      return failed('outside-root', `${url.pathname} is outside the tree's root; refused, not read`);
    }
    const root = await this.rootReal;
    let real: string;
    try {
      real = await realpath(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG')
        return notFound(`no such file in the tree`);
      return failed('server-error', `cannot read ${path}: ${code ?? (e as Error).message}`);
    }
    if (!isInside(real, root)) {
      return failed(
        'outside-root',
        `${url.pathname} leads outside the tree's root (a link to ${real}); refused, not read`,
      );
    }
    // Regular files only (issue #13 §7): what `autop serve` would answer for the same tree, 404.
    const read = await readRegularFile(real, maxBytes);
    switch (read.kind) {
      case 'ok':
        return { kind: 'ok', bytes: read.bytes, md5: createHash('md5').update(read.bytes).digest('hex') };
      case 'too-large':
        return tooLarge(maxBytes!);
      case 'missing':
        return notFound('no such file in the tree');
      case 'not-a-file':
        return notFound(`${read.what}, not a regular file; not read`);
      case 'error':
        return failed('server-error', `cannot read ${path}: ${read.code}`);
    }
  }
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
