// The embedded provisioning server of `autop serve DIR` (issue #3 §5): HTTP or HTTPS over one tree,
// read-only but for the uploads a phone makes (K2), with Basic or Digest when asked (S5), and a log
// entry per request. Regular files only (issue #13 §7); an answer never carries the server's own
// detail (paths, error messages): that goes to the log (issue #13 §6).
import { realpath, stat } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { maskUserInfo } from '../core/url.js';
import { UPLOADABLE } from '../fetch/fileFetcher.js';
import { openRegularFile } from '../fetch/regularFile.js';
import { DEFAULT_REALM, type AuthGuard, type AuthOptions } from './authGuard.js';
import { BasicGuard } from './basicAuth.js';
import { DigestGuard } from './digestAuth.js';
import { remoteOf, type RequestLogEntry } from './requestLog.js';
import { locateBelowRoot, requestPath } from './rootPath.js';
import type { RunningServer } from './runningServer.js';
import { MAX_UPLOAD_BYTES, saveUpload } from './upload.js';

export type { RequestLogEntry } from './requestLog.js';
export type { AuthOptions } from './authGuard.js';

export interface HttpServerOptions {
  /** The tree served: nothing outside it is read or written. */
  readonly root: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** PEM certificate and key: HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly auth?: AuthOptions;
  readonly log?: (entry: RequestLogEntry) => void;
}

/** An HTTP(S) server of ours: its root URL, its port, and how to stop it (ends open connections). */
export type RunningHttpServer = RunningServer;

/**
 * A connection idle this long is closed: a client that stops reading a file, or never finishes its
 * request, does not hold a socket and a file open for ever. Node's own limits stay: 60 s for the
 * headers, 300 s for a whole request, 16 KiB of headers (431 beyond).
 */
export const IDLE_TIMEOUT_MS = 120_000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.cfg': 'text/plain; charset=utf-8',
  '.boot': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const rootReal = await realpath(options.root);
  const guard = options.auth && createAuthGuard(options.auth);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const note: Note = {};
    handle(req, res, rootReal, guard, options.log, note).catch((e: unknown) => {
      // A bug or a file system error, not the phone's doing: answer 500 and keep serving. The
      // message may hold the root's absolute path (issue #13 §6): the log has it, the answer not.
      note.detail = `server error: ${e instanceof Error ? e.message : String(e)}`;
      if (!res.headersSent) answer(res, 500, 'server error\n');
      else res.destroy();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  server.setTimeout(IDLE_TIMEOUT_MS);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${urlHost(host)}:${port}/`,
    port,
    // A closure, not a method: callers keep `server.close` apart from the object.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function createAuthGuard(options: AuthOptions): AuthGuard {
  const realm = options.realm ?? DEFAULT_REALM;
  return options.scheme === 'digest'
    ? new DigestGuard({ user: options.user, password: options.password, realm })
    : new BasicGuard(options.user, options.password, realm);
}

/** How the URL names the host: a wildcard address is reached on loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** What the log says beyond the status: why a request was refused or failed. */
interface Note {
  detail?: string;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  rootReal: string,
  guard: AuthGuard | undefined,
  log: ((entry: RequestLogEntry) => void) | undefined,
  note: Note,
): Promise<void> {
  const started = performance.now();
  const time = new Date().toISOString();
  const method = req.method ?? '';
  const target = req.url ?? '';
  const moved = { bytes: 0 };
  const remote = remoteOf(req.socket); // now: a closed socket no longer knows its peer
  res.once('close', () => {
    log?.({
      time,
      remote,
      method,
      // An absolute-form target may carry user info: never a password in the log (issue #13 §4).
      path: maskUserInfo(target),
      status: res.headersSent ? res.statusCode : 0,
      bytes: moved.bytes,
      userAgent: req.headers['user-agent'] ?? '',
      ms: Math.round(performance.now() - started),
      ...(note.detail !== undefined && { detail: note.detail }),
    });
  });

  if (guard) {
    const check = guard.check(req.headers.authorization, method, target);
    if (check.kind === 'challenge') {
      answer(res, 401, 'authentication required\n', { 'www-authenticate': check.header });
      return;
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') {
    answer(res, 405, `${method} is not served here\n`, { allow: 'GET, HEAD, PUT' });
    return;
  }
  const path = requestPath(target);
  if (path.kind === 'bad') {
    answer(res, 400, `${path.reason}\n`);
    return;
  }
  if (path.kind === 'outside') {
    answer(res, 403, `refused: ${path.reason}\n`);
    return;
  }
  if (method === 'PUT') await receive(req, res, rootReal, path.segments, moved, note);
  else await send(res, rootReal, path.segments, method === 'HEAD', moved, note);
}

/** 403 for what lies outside the tree or may not be read; the reason (a link's target) is logged only. */
function refuse(res: ServerResponse, note: Note, reason: string): void {
  note.detail = reason;
  answer(res, 403, 'refused: not in the served tree, or not readable\n');
}

/** GET and HEAD: a regular file below the root; folders and special files are not served (404). */
async function send(
  res: ServerResponse,
  rootReal: string,
  segments: readonly string[],
  headOnly: boolean,
  moved: { bytes: number },
  note: Note,
): Promise<void> {
  const located = await locateBelowRoot(rootReal, segments);
  if (located.kind === 'missing') return answer(res, 404, 'not found\n');
  if (located.kind === 'outside') return refuse(res, note, located.reason);
  if (located.kind === 'denied') return refuse(res, note, 'permission denied on the way');
  // Opened without blocking and checked before a byte is read (issue #13 §7): a FIFO would
  // otherwise hold a thread of libuv's pool for good, and with four of them every later request.
  const opened = await openRegularFile(located.path);
  if (opened.kind === 'missing') return answer(res, 404, 'not found\n');
  if (opened.kind === 'not-a-file') {
    note.detail = `${opened.what}, not a regular file`;
    return answer(res, 404, 'not found\n');
  }
  if (opened.kind === 'error') {
    if (opened.code === 'EACCES' || opened.code === 'EPERM') return refuse(res, note, opened.code);
    note.detail = `cannot open the file: ${opened.code}`;
    return answer(res, 500, 'server error\n');
  }
  const file = opened.handle;
  try {
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(located.path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': opened.size,
    });
    if (headOnly) {
      res.end();
      return;
    }
    const stream = file.createReadStream({ autoClose: false });
    stream.on('data', (chunk: string | Buffer) => {
      moved.bytes += chunk.length;
    });
    // A phone that goes away mid-file ends the pipeline early: nothing to report but the log entry.
    await pipeline(stream, res).catch(() => undefined);
  } finally {
    await file.close();
  }
}

/** PUT (K2): only the files a phone uploads, into an existing folder of the tree. */
async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  rootReal: string,
  segments: readonly string[],
  moved: { bytes: number },
  note: Note,
): Promise<void> {
  const name = segments.at(-1);
  if (name === undefined || !UPLOADABLE.test(name)) {
    answer(res, 405, 'only <mac>-local.cfg and <mac>-contact.xml may be uploaded\n', { allow: 'GET, HEAD' });
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_UPLOAD_BYTES) {
    answer(res, 413, `an upload is at most ${MAX_UPLOAD_BYTES} bytes\n`, { connection: 'close' });
    return;
  }
  const folder = await locateBelowRoot(rootReal, segments.slice(0, -1));
  if (folder.kind === 'outside') return refuse(res, note, folder.reason);
  if (folder.kind === 'denied') return refuse(res, note, 'permission denied on the way');
  if (folder.kind === 'missing' || !(await stat(folder.path)).isDirectory()) {
    return answer(res, 409, 'no such folder on the server\n');
  }
  const upload = await saveUpload(req, folder.path, name);
  if (upload.kind !== 'not-a-file') moved.bytes = upload.bytes;
  switch (upload.kind) {
    case 'created':
      return answer(res, 201, 'created\n');
    case 'replaced':
      res.writeHead(204).end();
      return;
    case 'too-large':
      return answer(res, 413, `an upload is at most ${MAX_UPLOAD_BYTES} bytes\n`, { connection: 'close' });
    case 'not-a-file':
      return answer(res, 409, `${name} is a folder on the server\n`);
    case 'aborted':
      res.destroy();
      return;
  }
}

function answer(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
