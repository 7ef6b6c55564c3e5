// The one assembly of a fetcher (issue #16.6): every command and the fleet open their wire here, so
// that a tree on disk, extra CAs, outside credentials, a timeout and retries mean the same
// everywhere. From the wire outwards: the transport (the schemes, or a tree on disk: offline, issue
// #12), retries per file, the `--timeout` override, outside credentials, the caller's own layers
// (the fleet's rollout, metering, concurrency), and masking of user info in every detail.
import { readFileSync } from 'node:fs';
import {
  compose,
  fallbackCredentials,
  masking,
  retrying,
  transferTimeout,
  type Layer,
  type Transport,
} from './compose.js';
import type { Credentials } from './fetcher.js';
import { FileFetcher } from './fileFetcher.js';
import { FtpFetcher } from './ftpFetcher.js';
import { HttpFetcher } from './httpFetcher.js';
import type { Sleep } from './retry.js';
import { SchemeRouter } from './router.js';
import { TftpFetcher } from './tftpFetcher.js';

export interface WireOptions {
  /**
   * A round on a tree on disk (`--tree`, `--server file://…`): `file:` URLs are read below this
   * folder only, and nothing else is fetched or uploaded (`offline`, issue #12). Without it `file:`
   * is refused and the other schemes go on the wire.
   */
  readonly treeRoot?: string;
  /** Keep each file of the tree once read (a tree read for many phones: check, a virtual fleet). */
  readonly cacheTree?: boolean;
  /** Extra trusted CAs for HTTPS, PEM texts (`--ca`, read and checked before any work). */
  readonly ca?: readonly string[];
  /** Or as PEM files, read now. */
  readonly caFiles?: readonly string[];
  /** spec S5's last rung: for a request with no credentials from its URL or the configuration. */
  readonly credentials?: Credentials;
  /** Every attempt bounded by this many milliseconds, whatever the phone's settings say. */
  readonly timeoutMs?: number;
  /** How retries wait: real time by default; a virtual clock's sleep in a virtual fleet. */
  readonly sleep?: Sleep;
  /** HTTP(S): at most this many connections per origin. */
  readonly connections?: number;
  /** The caller's layers, outside the wire's own and inside masking, nearest the wire first. */
  readonly layers?: readonly (Layer | undefined | false)[];
}

/** A fetcher and uploader; `close()` ends pooled connections. No detail it returns holds a password. */
export interface Wire extends Transport {
  close(): Promise<void>;
}

export function openWire(options: WireOptions = {}): Wire {
  let http: HttpFetcher | undefined;
  let base: Transport;
  if (options.treeRoot !== undefined) {
    // Offline (issue #12): the tree fetcher answers every other scheme `offline` itself.
    base = new FileFetcher(options.treeRoot, { cache: options.cacheTree ?? false });
  } else {
    http = new HttpFetcher({
      ca: [...(options.ca ?? []), ...(options.caFiles ?? []).map((path) => readFileSync(path, 'utf8'))],
      ...(options.connections !== undefined && { connections: options.connections }),
    });
    base = new SchemeRouter({ http, https: http, tftp: new TftpFetcher(), ftp: new FtpFetcher() });
  }
  const transport = compose(
    base,
    retrying(options.sleep),
    options.timeoutMs !== undefined && transferTimeout(options.timeoutMs),
    options.credentials && fallbackCredentials(options.credentials),
    ...(options.layers ?? []),
    masking,
  );
  return {
    fetch: (request) => transport.fetch(request),
    put: (request, bytes) => transport.put(request, bytes),
    close: async () => {
      await http?.close();
    },
  };
}
