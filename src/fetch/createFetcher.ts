// The fetcher a phone uses on the wire: one adapter per scheme (S5), retries per file (issue #3 §2),
// and uploads (K2) by the same scheme. With a tree root it is offline (issue #12): the tree is the
// whole world, and every other URL is answered `offline` at once, never tried on the network.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { maskUserInfo } from '../core/url.js';
import { FileFetcher } from './fileFetcher.js';
import { FtpFetcher } from './ftpFetcher.js';
import { HttpFetcher } from './httpFetcher.js';
import { RetryingFetcher, realSleep, type Sleep } from './retry.js';
import { SchemeRouter } from './router.js';
import { TftpFetcher } from './tftpFetcher.js';
import {
  failed,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from './fetcher.js';

export interface WireOptions {
  /**
   * A round on a tree on disk (`--tree`, `--server file://…`): `file:` URLs are read below this
   * folder only, and nothing else is fetched or uploaded (`offline`, issue #12). Without it `file:`
   * is refused and the other schemes go on the wire.
   */
  readonly treeRoot?: string;
  /** Extra trusted CAs (PEM file paths), on top of the system's roots (`--ca`). */
  readonly caFiles?: readonly string[];
  readonly sleep?: Sleep;
  /** HTTP(S): at most this many connections per origin. */
  readonly connections?: number;
}

/**
 * A fetcher and uploader over every supported scheme, or over a tree on disk only (`treeRoot`);
 * `close()` ends pooled connections. No detail it returns holds a URL's password.
 */
export class WireFetcher implements Fetcher, Uploader {
  private readonly http: HttpFetcher;
  private readonly ftp = new FtpFetcher();
  private readonly file?: FileFetcher;
  private readonly router: Fetcher;

  constructor(options: WireOptions = {}) {
    this.http = new HttpFetcher({
      ca: (options.caFiles ?? []).map((path) => readFileSync(path, 'utf8')),
      ...(options.connections !== undefined && { connections: options.connections }),
    });
    if (options.treeRoot) {
      // Offline (issue #12): the tree fetcher answers every other scheme `offline` itself.
      this.file = new FileFetcher(options.treeRoot);
      this.router = new RetryingFetcher(this.file, options.sleep ?? realSleep);
      return;
    }
    const schemes: Record<string, Fetcher> = {
      http: this.http,
      https: this.http,
      tftp: new TftpFetcher(),
      ftp: this.ftp,
    };
    this.router = new RetryingFetcher(new SchemeRouter(schemes), options.sleep ?? realSleep);
  }

  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    return masked(await this.router.fetch(request));
  }

  async put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    return masked(await this.upload(request, bytes));
  }

  private upload(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    if (this.file) return this.file.put(request, bytes);
    switch (request.url.protocol) {
      case 'http:':
      case 'https:':
        return this.http.put(request, bytes);
      case 'ftp:':
        return this.ftp.put(request, bytes);
    }
    const outcome = failed('unsupported', `the phone does not upload over ${request.url.protocol}`);
    return Promise.resolve(outcome as PutOutcome);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** Last line of defence: a detail never shows a URL's user info, whatever wrote it (issue #13 §4). */
function masked<T extends FetchOutcome | PutOutcome>(outcome: T): T {
  if (outcome.kind === 'ok' || !('detail' in outcome)) return outcome;
  const detail = maskUserInfo(outcome.detail);
  return detail === outcome.detail ? outcome : { ...outcome, detail };
}

/** The tree root for a `file:` server URL: the folder it names, or the folder of the file it names. */
export function treeRootOf(serverUrl: string): string | undefined {
  if (!serverUrl.startsWith('file:')) return undefined;
  const url = new URL(serverUrl);
  return fileURLToPath(url.pathname.endsWith('/') ? url : new URL('./', url));
}
