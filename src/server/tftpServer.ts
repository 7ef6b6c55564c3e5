// The TFTP side of `autop serve DIR --tftp PORT` (issue #3 §5, spec S5): read-only, confined to
// the served root as the tree fetcher is (issue #2 §6), logging every request.
import { createReadStream, type ReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { tftp, type TftpServerRequest, type TftpServerResponse } from '../fetch/tftpTransfer.js';
import { locateBelowRoot } from './rootPath.js';

export interface TftpLogEntry {
  readonly time: string;
  readonly remote: string;
  readonly method: 'RRQ' | 'WRQ';
  readonly path: string;
  readonly status: 'ok' | 'not-found' | 'refused' | 'error';
  readonly bytes: number;
  readonly ms: number;
}

export interface TftpServerOptions {
  readonly root: string;
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  /** An IP address; default 127.0.0.1. */
  readonly host?: string;
  /** Called once per request, when its transfer has ended. */
  readonly log?: (entry: TftpLogEntry) => void;
}

export interface RunningTftpServer {
  readonly url: string;
  readonly port: number;
  /** Stops listening, aborts transfers in flight, and resolves when every socket is closed. */
  close(): Promise<void>;
}

type Status = TftpLogEntry['status'];

/** How long close() lets transfers in flight finish before it aborts them. */
const CLOSE_GRACE_MS = 250;

export async function startTftpServer(options: TftpServerOptions): Promise<RunningTftpServer> {
  const host = options.host ?? '127.0.0.1';
  const rootReal = await realpath(options.root);
  const inFlight = new Map<TftpServerRequest, Promise<void>>();
  let closing = false;

  const server = tftp.createServer({ host, port: options.port, root: rootReal }, (req, res) => {
    const ended = serveRequest(req, res, rootReal, () => closing, options.log);
    inFlight.set(req, ended);
    const forget = () => inFlight.delete(req);
    void ended.then(forget, forget);
  });
  // The package turns port 0 into 69 (`opts.port || 69`); its listen() binds `server.port`.
  server.port = options.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
    server.listen();
  });
  // After start, a socket error must not end the process (an 'error' with no listener would).
  server.on('error', () => undefined);
  const serverClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const port = server._socket.address().port;

  return {
    url: `tftp://${isIPv6(host) ? `[${host}]` : host}:${port}/`,
    port,
    close: async () => {
      if (!closing) {
        closing = true;
        server.close();
        // A client that has its last block may still owe the final ACK: give transfers a moment.
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(inFlight.values()),
          new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS))),
        ]);
        clearTimeout(grace);
        for (const req of inFlight.keys()) req.abort('The server is shutting down');
      }
      await Promise.all([serverClosed, ...inFlight.values()]);
    },
  };
}

/** Serves one request; resolves when its transfer has ended and been logged. */
async function serveRequest(
  req: TftpServerRequest,
  res: TftpServerResponse,
  rootReal: string,
  isClosing: () => boolean,
  log: TftpServerOptions['log'],
): Promise<void> {
  const started = Date.now();
  let status: Status | undefined;
  let bytes = 0;
  let file: ReadStream | undefined;
  // The package emits 'close' first, then 'error' or 'abort' in the same tick: decide a tick later.
  const ended = new Promise<void>((resolve) => {
    req.once('close', () =>
      process.nextTick(() => {
        file?.destroy();
        log?.({
          time: new Date(started).toISOString(),
          remote: `${req.stats.remoteAddress}:${req.stats.remotePort}`,
          method: req.method === 'GET' ? 'RRQ' : 'WRQ',
          path: req.file,
          status: status ?? 'ok',
          bytes,
          ms: Date.now() - started,
        });
        resolve();
      }),
    );
  });
  // Both are always listened to: an unhandled 'error' would end the process (dependencies.md).
  req.on('error', () => (status ??= 'error'));
  // An abort we did not classify first is close() cutting the transfer short.
  req.on('abort', () => (status ??= 'error'));
  res.on('error', () => (status ??= 'error'));
  const answer = (value: Status, error: string) => {
    status = value;
    req.abort(error);
  };

  if (req.method !== 'GET') {
    answer('refused', tftp.EACCESS); // read-only: a phone's uploads go over FTP or HTTP (K2)
    return ended;
  }
  const segments = segmentsOf(req.file);
  if (!segments) {
    answer('refused', tftp.EACCESS); // never read: `..` or a NUL byte
    return ended;
  }
  try {
    const located = await locateBelowRoot(rootReal, segments);
    if (isClosing()) answer('error', 'The server is shutting down');
    else if (located.kind === 'outside') answer('refused', tftp.EACCESS);
    else if (located.kind === 'missing') answer('not-found', tftp.ENOENT);
    else {
      const info = await stat(located.path);
      if (!info.isFile()) answer('not-found', tftp.ENOENT);
      else {
        file = createReadStream(located.path);
        file.on('data', (chunk) => (bytes += chunk.length));
        file.on('error', () => answer('error', tftp.EIO));
        // Sets tsize in the OACK, then releases the transfer the package holds until now.
        res.setSize(info.size);
        file.pipe(res);
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') answer('refused', tftp.EACCESS);
    else answer('error', tftp.EIO);
  }
  return ended;
}

/**
 * The path segments of a requested name, or undefined when it must be refused. TFTP names are not
 * percent-encoded; a leading slash is taken as the root (as tftpd-hpa's --secure does). The
 * package has already normalised the name and refused one that starts with `..`.
 */
function segmentsOf(name: string): string[] | undefined {
  if (name.includes('\0')) return undefined;
  const segments = name.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  return segments.includes('..') ? undefined : segments;
}
