// Fetches and uploads `ftp://[user:password@]host[:port]/path` with basic-ftp (spec S5, K2):
// passive mode, one control connection per call, closed on every path before the call returns;
// a download is cut off once past the request's `maxBytes` (issue #13 §3).
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { Client, FTPError } from 'basic-ftp';
import {
  failed,
  notFound,
  tooLarge,
  type Credentials,
  type FailureCause,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from './fetcher.js';
import { remotePath, type RemotePath } from './remotePath.js';

export const FTP_PORT = 21;

/** Raised by the download's sink past `maxBytes`: basic-ftp then closes the connections. */
class OverLimit extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
  }
}

/**
 * One connection per call: a round fetches a handful of files, each perhaps with other
 * credentials (an absolute include URL may name its own), and a login per file is what keeps
 * a failure in one transfer from leaking into the next. Pooling is not worth that here.
 */
export class FtpFetcher implements Fetcher, Uploader {
  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const { maxBytes } = request;
    const result = await session(request, 'download', async (client, path) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          if (maxBytes !== undefined && received > maxBytes) {
            chunks.length = 0;
            done(new OverLimit(maxBytes));
            return;
          }
          chunks.push(chunk);
          done();
        },
      });
      await client.downloadTo(sink, path);
      return Buffer.concat(chunks);
    });
    if (result.kind === 'failed') {
      return result.notFound ? notFound(result.detail) : failed(result.cause, result.detail);
    }
    const bytes = result.value;
    return { kind: 'ok', bytes, md5: createHash('md5').update(bytes).digest('hex') };
  }

  /** K2: STOR of the MAC-local file; the server needs write, create and overwrite rights (facts §6). */
  async put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    const result = await session(request, 'upload', (client, path) =>
      client.uploadFrom(Readable.from([Buffer.from(bytes)]), path),
    );
    if (result.kind === 'failed') return { kind: 'failed', cause: result.cause, detail: result.detail };
    return { kind: 'ok' };
  }
}

type SessionResult<T> =
  | { readonly kind: 'done'; readonly value: T }
  | {
      readonly kind: 'failed';
      readonly cause: FailureCause;
      readonly detail: string;
      readonly notFound: boolean;
    };

/** Logs in, runs `work`, and always closes; the deadline covers the whole call (login included). */
async function session<T>(
  request: FetchRequest,
  direction: 'download' | 'upload',
  work: (client: Client, path: string) => Promise<T>,
): Promise<SessionResult<T>> {
  const { url, transfer } = request;
  const refuse = (cause: FailureCause, detail: string): SessionResult<T> => ({
    kind: 'failed',
    cause,
    detail,
    notFound: false,
  });
  if (url.protocol !== 'ftp:')
    return refuse('unsupported', `the FTP fetcher reads ftp: URLs, not ${url.protocol}`);
  const path = ftpPath(url);
  if (path.kind !== 'path') return refuse(path.kind === 'outside' ? 'outside-root' : 'protocol', path.reason);
  const login = credentialsFor(request);
  if (login.kind === 'bad') return refuse('protocol', login.reason);

  const port = url.port === '' ? FTP_PORT : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const where = url.port === '' ? `${url.host}:${port}` : url.host;
  // basic-ftp's timeout is per socket and resets on activity; ours bounds the whole call.
  const client = new Client(transfer.timeoutMs);
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    client.close();
  }, transfer.timeoutMs);
  try {
    // Passive (EPSV, then PASV) is basic-ftp's only mode: the phone's is undocumented (facts §6).
    await client.access({ host, port, user: login.user, password: login.password, secure: false });
    return { kind: 'done', value: await work(client, path.path) };
  } catch (e) {
    if (e instanceof OverLimit) return refuse('too-large', tooLarge(e.maxBytes).detail);
    const failure = classify(
      e as Error,
      timedOut,
      direction,
      path.path,
      where,
      login.user,
      transfer.timeoutMs,
    );
    return { kind: 'failed', ...failure, detail: redact(failure.detail, login.password) };
  } finally {
    clearTimeout(deadline);
    client.close();
  }
}

/**
 * The server path for a URL (RFC 1738 §3.2.2): relative to the login folder, so the leading slash
 * goes; `%2F` (or an empty first segment) makes it absolute. `;type=` is dropped (binary always).
 * `..` is refused as for TFTP and the tree; CR and LF would inject FTP commands and are refused.
 */
export function ftpPath(url: URL): RemotePath {
  return remotePath(url, {
    filesOnly: 'FTP fetches files here',
    separators: /\//,
    suffix: /;type=[aid]$/i,
    refused: [{ pattern: /[\r\n\0]/, reason: () => 'a line break or NUL byte in the path; refused' }],
  });
}

/** spec S5: the engine's credentials (URL or configuration), else the URL's own, else anonymous. */
function credentialsFor(
  request: FetchRequest,
): ({ kind: 'ok' } & Credentials) | { kind: 'bad'; reason: string } {
  if (request.credentials) return { kind: 'ok', ...request.credentials };
  if (request.url.username === '') return { kind: 'ok', user: 'anonymous', password: 'guest' };
  try {
    return {
      kind: 'ok',
      user: decodeURIComponent(request.url.username),
      password: decodeURIComponent(request.url.password),
    };
  } catch {
    return { kind: 'bad', reason: 'the user name or password in the URL is not valid percent-encoding' };
  }
}

/** spec D: which of the guide's diagnostics an FTP failure is. */
function classify(
  error: Error,
  timedOut: boolean,
  direction: 'download' | 'upload',
  path: string,
  where: string,
  user: string,
  timeoutMs: number,
): { cause: FailureCause; detail: string; notFound: boolean } {
  const result = (cause: FailureCause, detail: string, isNotFound = false) => ({
    cause,
    detail,
    notFound: isNotFound,
  });
  if (timedOut || /^Timeout \(/.test(error.message)) {
    return result('timeout', `${where} did not finish the ${direction} of ${path} within ${timeoutMs} ms`);
  }
  if (error instanceof FTPError) {
    const reply = error.message.trim();
    if (error.code === 530 || error.code === 532) {
      return result(
        'auth',
        `${where} refused the login as "${user}" (${reply}): wrong user name or password`,
      );
    }
    if (error.code === 550 && direction === 'download') {
      return result('server-error', `${where} has no ${path} (${reply})`, true);
    }
    if (direction === 'upload' && (error.code === 550 || error.code === 553)) {
      return result(
        'server-error',
        `${where} refused to store ${path} (${reply}): the FTP account needs write, create and overwrite rights`,
      );
    }
    return result('server-error', `${where} answered ${reply} to the ${direction} of ${path}`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND') {
    return result('unreachable', `${where} cannot be reached: ${error.message}`);
  }
  return result('protocol', `FTP ${direction} of ${path} from ${where} failed: ${error.message}`);
}

/** A password never appears in a detail, even if a server echoes it back. */
function redact(text: string, password: string): string {
  return password === '' ? text : text.split(password).join('***');
}
