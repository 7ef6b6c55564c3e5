// A tree on disk as the CI tools read it (check, explain, diff): one caching tree fetcher that serves
// the rounds, and reads of single files by their path in the tree, offline and never outside it.
import { pathToFileURL } from 'node:url';
import type { Fetcher, FetchOutcome, FetchRequest, TransferSettings } from './fetcher.js';
import { FileFetcher } from './fileFetcher.js';

/** A read from disk: one attempt, no retries; the timeout only bounds a stuck file system. */
export const LOCAL_TRANSFER: TransferSettings = {
  timeoutMs: 5000,
  attempts: 1,
  retryDelayMs: 0,
  verifyTls: true,
};

/** The `file:` URL of a folder, ending in `/`: the root its files' URLs resolve against. */
export function folderUrl(dir: string): URL {
  return pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`);
}

export class TreeReader implements Fetcher {
  /** The tree's URL, the server a round on it provisions from. */
  readonly root: URL;
  private readonly files: FileFetcher;

  constructor(readonly dir: string) {
    this.root = folderUrl(dir);
    // Many phones read the same files: each is read from disk once.
    this.files = new FileFetcher(dir, { cache: true });
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    return this.files.fetch(request);
  }

  /** The URL of a file of the tree from its path (`sub/a b.cfg`), each segment encoded. */
  urlOf(file: string): URL {
    return new URL(file.split('/').map(encodeURIComponent).join('/'), this.root);
  }

  /** A file by its path in the tree (or its URL): its bytes and MD5, or undefined when unreadable. */
  async read(file: string | URL, userAgent: string): Promise<{ bytes: Uint8Array; md5: string } | undefined> {
    const outcome = await this.files.fetch({
      url: typeof file === 'string' ? this.urlOf(file) : file,
      userAgent,
      transfer: LOCAL_TRANSFER,
    });
    return outcome.kind === 'ok' ? { bytes: outcome.bytes, md5: outcome.md5! } : undefined;
  }
}
