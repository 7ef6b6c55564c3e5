// The fetcher a phone uses on the wire: one adapter per scheme (S5), retries per file (issue #3 §2),
// and uploads (K2) by the same scheme.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
  /** `file:` URLs are read below this folder only; without it `file:` is refused. */
  readonly treeRoot?: string;
  /** Extra trusted CAs (PEM file paths), on top of the system's roots (`--ca`). */
  readonly caFiles?: readonly string[];
  readonly sleep?: Sleep;
  /** HTTP(S): at most this many connections per origin. */
  readonly connections?: number;
}

/** A fetcher and uploader over every supported scheme; `close()` ends pooled connections. */
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
    const schemes: Record<string, Fetcher> = {
      http: this.http,
      https: this.http,
      tftp: new TftpFetcher(),
      ftp: this.ftp,
    };
    if (options.treeRoot) {
      this.file = new FileFetcher(options.treeRoot);
      schemes.file = this.file;
    }
    this.router = new RetryingFetcher(new SchemeRouter(schemes), options.sleep ?? realSleep);
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    return this.router.fetch(request);
  }

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    switch (request.url.protocol) {
      case 'http:':
      case 'https:':
        return this.http.put(request, bytes);
      case 'ftp:':
        return this.ftp.put(request, bytes);
      case 'file:':
        if (this.file) return this.file.put(request, bytes);
        break;
    }
    const outcome = failed('unsupported', `the phone does not upload over ${request.url.protocol}`);
    return Promise.resolve(outcome as PutOutcome);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** The tree root for a `file:` server URL: the folder it names, or the folder of the file it names. */
export function treeRootOf(serverUrl: string): string | undefined {
  if (!serverUrl.startsWith('file:')) return undefined;
  const url = new URL(serverUrl);
  return fileURLToPath(url.pathname.endsWith('/') ? url : new URL('./', url));
}
