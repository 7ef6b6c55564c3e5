// Fetches `tftp://host[:port]/path` (spec S5: TFTP is the phone's default protocol): RFC 1350
// with the blksize and tsize options where the server takes them, one attempt per call, never more
// than the request's `maxBytes` (issue #13 §3: refused from the tsize, or cut off past it).
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { failed, notFound, tooLarge, type Fetcher, type FetchOutcome, type FetchRequest } from './fetcher.js';
import { remotePath, type RemotePath } from './remotePath.js';
import { downloadTftp, type TftpDownload } from './tftpTransfer.js';

export const TFTP_PORT = 69;

/**
 * The block size asked for: 1468 bytes fills an Ethernet frame. No public source says what a
 * Yealink phone asks for (yealink-facts §6); a server that ignores the option sends 512.
 */
export const DEFAULT_BLOCK_SIZE = 1468;

export interface TftpFetcherOptions {
  /** RFC 2348 blksize to ask for, 8-65464. */
  readonly blockSize?: number;
}

/**
 * One RRQ per call, timed over the whole transfer by `transfer.timeoutMs`; RetryingFetcher does
 * the retries (issue #3 §2). Never throws; every socket and timer is closed before it returns.
 */
export class TftpFetcher implements Fetcher {
  private readonly blockSize: number;

  constructor(options: TftpFetcherOptions = {}) {
    const size = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isInteger(size) || size < 8 || size > 65464) {
      throw new RangeError(`TFTP block size ${size} is outside RFC 2348's 8-65464`);
    }
    this.blockSize = size;
  }

  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const { url } = request;
    if (url.protocol !== 'tftp:') {
      return failed('unsupported', `the TFTP fetcher reads tftp: URLs, not ${url.protocol}`);
    }
    const file = tftpFileName(url);
    if (file.kind !== 'path')
      return failed(file.kind === 'outside' ? 'outside-root' : 'protocol', file.reason);

    const started = Date.now();
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? TFTP_PORT : Number(url.port);
    const where = url.port === '' ? `${url.host}:${port}` : url.host;
    const address = await resolveAddress(host, request.transfer.timeoutMs);
    if (address.kind === 'failed') return failed('unreachable', `cannot resolve ${host}: ${address.reason}`);

    const remaining = Math.max(1, request.transfer.timeoutMs - (Date.now() - started));
    const download = await downloadTftp({
      address: address.address,
      port,
      file: file.path,
      blockSize: this.blockSize,
      deadlineMs: remaining,
      ...(request.maxBytes !== undefined && { maxBytes: request.maxBytes }),
    });
    if (download.kind === 'too-large') return tooLarge(request.maxBytes ?? 0);
    return outcomeOf(download, file.path, where, request.transfer.timeoutMs);
  }
}

/**
 * The RRQ file name for a URL: the path without its leading slash, percent-decoded (RFC 3617).
 * A `..` segment, plain or encoded, is refused here and never sent: the server's root is the
 * phone's whole view of it, as for the tree fetcher (issue #2 §6).
 */
export function tftpFileName(url: URL): RemotePath {
  return remotePath(url, {
    filesOnly: 'TFTP fetches files only',
    separators: /[/\\]/,
    refused: [
      { pattern: /\0/, reason: () => 'a NUL byte in the file name' },
      // RFC 1350 names are netascii; the package refuses anything else.
      {
        pattern: /[^\x20-\x7e]/,
        reason: (name) => `"${name}" has characters TFTP cannot send (printable ASCII only)`,
      },
    ],
  });
}

async function resolveAddress(
  host: string,
  timeoutMs: number,
): Promise<{ kind: 'ok'; address: string } | { kind: 'failed'; reason: string }> {
  if (isIP(host)) return { kind: 'ok', address: host };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ kind: 'failed'; reason: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ kind: 'failed', reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      // IPv4 first: UDP has no happy-eyeballs fallback, and `localhost` may list ::1 first.
      lookup(host, { all: true }).then(
        (found) => {
          const chosen = found.find((a) => a.family === 4) ?? found[0];
          return chosen
            ? { kind: 'ok' as const, address: chosen.address }
            : { kind: 'failed' as const, reason: 'no address' };
        },
        (e: NodeJS.ErrnoException) => ({ kind: 'failed' as const, reason: e.code ?? e.message }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** spec D: which of the guide's diagnostics a TFTP result is. */
function outcomeOf(
  download: Exclude<TftpDownload, { kind: 'too-large' }>,
  file: string,
  where: string,
  timeoutMs: number,
): FetchOutcome {
  switch (download.kind) {
    case 'ok':
      return {
        kind: 'ok',
        bytes: download.bytes,
        md5: createHash('md5').update(download.bytes).digest('hex'),
      };
    case 'server-error':
      return serverError(download.code, download.message, file, where);
    case 'local-error': {
      const { errno, message } = download;
      if (errno === 'ECONNREFUSED' || errno === 'EHOSTUNREACH' || errno === 'ENETUNREACH') {
        return failed('unreachable', `${where} cannot be reached (${errno})`);
      }
      // The package's retransmissions ran out ("Timed out", its ETIME).
      if (message === 'Timed out') return failed('timeout', `no answer from ${where} within ${timeoutMs} ms`);
      if (errno === 'ENOENT') return notFound(`${where} has no ${file} (${message})`);
      // An ERROR packet the hook in tftpTransfer.ts missed is recognised by the RFC's words.
      return serverError(undefined, message, file, where);
    }
    case 'deadline':
      return failed(
        'timeout',
        download.answered || download.received > 0
          ? `${file} from ${where}: the transfer stalled after ${download.received} bytes; not finished within ${timeoutMs} ms`
          : `no answer from ${where} within ${timeoutMs} ms`,
      );
  }
}

function serverError(code: number | undefined, message: string, file: string, where: string): FetchOutcome {
  const text = `TFTP error${code === undefined ? '' : ` ${code}`} from ${where}: ${message || '(no text)'}`;
  if (code === 1 || (code === undefined && /^file not found$/i.test(message))) {
    return notFound(`${where} has no ${file} (${text})`);
  }
  if (code === 2 || (code === undefined && /^access violation$/i.test(message))) {
    return failed('auth', `${where} refused to send ${file} (${text}): check the server's permissions`);
  }
  return failed('protocol', text);
}
