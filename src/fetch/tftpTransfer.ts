// The `tftp` 0.1.2 package (CommonJS, untyped, unmaintained since 2015) behind a typed, leak-free
// surface: one download as a promise that never rejects and settles only once the package's UDP
// socket is closed, and the few workarounds its defects need, each with the evidence for it.
import { createRequire } from 'node:module';
import type { Socket } from 'node:dgram';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** An ERROR packet as the package decodes it (RFC 1350 §5). */
export interface TftpErrorPacket {
  readonly code: number;
  readonly message: string;
}

/** What the package reports once options are negotiated (or not: then 512 and a null size). */
export interface TftpStats {
  readonly blockSize: number;
  readonly windowSize: number;
  readonly size: number | null;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

interface PackageClientOptions {
  extensions: { blksize: number; timeout: number; windowsize: number; rollover: number };
  extensionsString: Record<string, string>;
  extensionsLength: number;
}

interface ClientReader {
  _onErrorMessage: (this: ClientReader, message: TftpErrorPacket) => void;
  _onOackMessage: (this: ClientReader, message: Record<string, string>) => void;
}

interface ClientGetStream extends Readable {
  abort(error?: string): void;
  _reader?: ClientReader;
}

interface TftpClient {
  createGetStream(remote: string): ClientGetStream;
  _options?: PackageClientOptions;
}

/** The server side's request: a Readable for WRQ, an event source only for RRQ. */
export interface TftpServerRequest extends Readable {
  readonly method: 'GET' | 'PUT';
  readonly file: string;
  readonly stats: TftpStats;
  abort(error?: string): void;
}

export interface TftpServerResponse extends Writable {
  setSize(size: number): void;
}

export interface TftpServer extends EventEmitter {
  port: number;
  listen(): void;
  close(): void;
  readonly _socket: Socket;
}

interface TftpPackage {
  createClient(options: {
    host: string;
    port: number;
    blockSize: number;
    windowSize: number;
    retries: number;
    timeout: number;
  }): TftpClient;
  createServer(
    options: {
      host: string;
      port: number;
      root: string;
      blockSize?: number;
      retries?: number;
      timeout?: number;
    },
    listener: (req: TftpServerRequest, res: TftpServerResponse) => void,
  ): TftpServer;
  /** Error names → the RFC message, which `abort()` maps back to the code (`req.abort(tftp.ENOENT)`). */
  readonly ENOENT: string;
  readonly EACCESS: string;
  readonly EIO: string;
}

export const tftp = createRequire(import.meta.url)('tftp') as TftpPackage;

/** How one download went, in the package's terms; tftpFetcher.ts says what it means for a phone. */
export type TftpDownload =
  | { readonly kind: 'ok'; readonly bytes: Buffer; readonly stats: TftpStats | undefined }
  /** The server answered with an ERROR packet. */
  | { readonly kind: 'server-error'; readonly code: number | undefined; readonly message: string }
  /** Our side gave up: the package's own retransmissions ran out, a bad packet, a socket error. */
  | { readonly kind: 'local-error'; readonly message: string; readonly errno: string | undefined }
  /** The whole-transfer deadline passed; `answered`: the server had begun (OACK or DATA). */
  | { readonly kind: 'deadline'; readonly answered: boolean; readonly received: number }
  /** Over `maxBytes`: announced so in the OACK's tsize, or more arrived; the transfer was aborted. */
  | { readonly kind: 'too-large' };

export interface TftpDownloadOptions {
  /** An IP address: the package's own name lookup cannot be cancelled, so callers resolve first. */
  readonly address: string;
  readonly port: number;
  /** The file name as sent in the RRQ (ASCII, no leading slash needed). */
  readonly file: string;
  /** Asked for with the blksize option (RFC 2348); a server that ignores it sends 512-byte blocks. */
  readonly blockSize: number;
  /** For the whole transfer, from the RRQ to the last block. */
  readonly deadlineMs: number;
  /** Abort once more than this many bytes arrived, or at once when the OACK's tsize says more. */
  readonly maxBytes?: number;
}

/**
 * What the transfer is aborted with when a file is over the limit: RFC 1350 error 3, the words a
 * full flash would say. The package maps the RFC's own message back to its code.
 */
const OVER_LIMIT = 'Disk full or allocation exceeded';

/**
 * Downloads one file into memory. Never rejects; resolves only after the package has closed its
 * socket and every timer of ours is cleared, so nothing is left running when the caller goes on.
 */
export function downloadTftp(options: TftpDownloadOptions): Promise<TftpDownload> {
  // The package sends a packet again after `timeout` ms of silence, `retries` times, then gives
  // up. Here it repeats every quarter of the deadline (TFTP's own recovery from a lost datagram)
  // and would give up at 5/4 of it: the deadline is what ends a silent transfer, and
  // RetryingFetcher alone decides whether there is another attempt.
  const packetTimeout = Math.min(3000, Math.max(50, Math.floor(options.deadlineMs / 4)));
  return new Promise<TftpDownload>((resolve) => {
    let stream: ClientGetStream;
    try {
      const client = tftp.createClient({
        host: options.address,
        port: options.port,
        blockSize: options.blockSize,
        windowSize: 1,
        retries: 4,
        timeout: packetTimeout,
      });
      askForBlksizeAndTsizeOnly(client);
      // Throws for names the package will not send: `..` at the start, non-ASCII characters.
      stream = client.createGetStream(options.file);
    } catch (e) {
      resolve({ kind: 'local-error', message: (e as Error).message, errno: undefined });
      return;
    }
    const errorPackets = rememberErrorPackets(stream);
    const { maxBytes } = options;

    const chunks: Buffer[] = [];
    let received = 0;
    let stats: TftpStats | undefined;
    let outcome: TftpDownload | undefined;
    let socketClosed = false;
    let settled = false;
    let guard: NodeJS.Timeout | undefined;

    const finish = () => {
      if (settled || !outcome || !socketClosed) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(guard);
      resolve(outcome);
    };
    const settle = (value: TftpDownload) => {
      outcome ??= value;
      finish();
    };

    // The package emits 'close' (its socket is closed) before 'end', 'error' or 'abort'.
    stream.on('close', () => {
      socketClosed = true;
      finish();
    });
    const refuse = () => {
      if (outcome) return;
      outcome = { kind: 'too-large' };
      chunks.length = 0;
      stream.abort(OVER_LIMIT);
    };
    if (maxBytes !== undefined) refuseLargeTsize(stream, maxBytes, refuse);
    stream.on('stats', (value: TftpStats) => (stats = value));
    stream.on('data', (chunk: Buffer) => {
      if (outcome) return;
      received += chunk.length;
      if (maxBytes !== undefined && received > maxBytes) refuse();
      else chunks.push(chunk);
    });
    stream.on('end', () => settle({ kind: 'ok', bytes: Buffer.concat(chunks, received), stats }));
    // Always listened to: an 'error' with no listener would end the process.
    stream.on('error', (error: NodeJS.ErrnoException) => settle(describeError(error, errorPackets.last)));
    stream.on('abort', () => settle({ kind: 'deadline', answered: stats !== undefined, received }));

    const deadline = setTimeout(() => {
      // Closed already: its 'end' or 'error' is on its way, in this tick or the next.
      if (socketClosed) return;
      outcome ??= { kind: 'deadline', answered: stats !== undefined, received };
      // abort() tells the server (ERROR packet) so that it stops retransmitting, then closes.
      stream.abort();
      // Should the package never report its socket closed, the caller is not kept waiting.
      guard = setTimeout(() => {
        socketClosed = true;
        finish();
      }, 1000);
      guard.unref();
    }, options.deadlineMs);
  });
}

/**
 * tftp 0.1.2 sends its retransmission timeout, in milliseconds, as the RFC 2349 `timeout` option,
 * which is in seconds (1-255), along with `windowsize` and `rollover`. tftpd-hpa 5.2 answers an RRQ
 * carrying `timeout 3000` (the package's default) with ERROR 8 "Unsupported option(s) requested";
 * the package then asks again with no options at all, so neither blksize nor tsize is ever
 * negotiated (seen on this machine, 2026-11; pinned by the tftpd-hpa interop test). Ask for blksize
 * and tsize only (what a phone's own RRQ carries is not public, yealink-facts §6);
 * `write-request.js` sizes the packet from `extensionsLength`, recomputed here.
 */
function askForBlksizeAndTsizeOnly(client: TftpClient): void {
  const options = client._options;
  if (!options || typeof options.extensionsLength !== 'number' || !options.extensionsString) return;
  const blksize = String(options.extensions.blksize);
  options.extensionsString = { blksize };
  // "blksize\0<n>\0" and "tsize\0\0"; rrq.js adds 1 for tsize's value "0".
  options.extensionsLength = 'blksize'.length + 2 + blksize.length + 'tsize'.length + 2;
}

/**
 * RFC 2349: the server said in its OACK how large the file is: one over the limit is refused before
 * a block is taken. Read from the OACK itself, before the package: it reads tsize with `~~`, a
 * 32-bit conversion, so a file of 2 GiB or more has a negative size to it and the package refuses
 * the OACK as "The request has been denied" before it would report the size (seen with a 2 GiB
 * file from our server).
 */
function refuseLargeTsize(stream: ClientGetStream, maxBytes: number, refuse: () => void): void {
  const reader = stream._reader;
  if (!reader || typeof reader._onOackMessage !== 'function') return;
  const original = reader._onOackMessage;
  reader._onOackMessage = function (this: ClientReader, message: Record<string, string>) {
    const tsize = message.tsize;
    if (tsize !== undefined && /^\d+$/.test(tsize) && Number(tsize) > maxBytes) refuse();
    else original.call(this, message);
  };
}

/**
 * The package turns a server's ERROR packet into `Error("(Server) <text>")` with no `code`: the
 * TFTP error code (1 file not found, 2 access violation) is lost, and servers word the text as
 * they like. Its "(Server)" prefix is also put on errors our side raised. Keep the last ERROR
 * packet the reader decoded, from the one method all of them pass through.
 */
function rememberErrorPackets(stream: ClientGetStream): { last: TftpErrorPacket | undefined } {
  const seen: { last: TftpErrorPacket | undefined } = { last: undefined };
  const reader = stream._reader;
  if (!reader || typeof reader._onErrorMessage !== 'function') return seen;
  const original = reader._onErrorMessage;
  reader._onErrorMessage = function (this: ClientReader, message: TftpErrorPacket) {
    seen.last = message;
    original.call(this, message);
  };
  return seen;
}

function describeError(error: NodeJS.ErrnoException, packet: TftpErrorPacket | undefined): TftpDownload {
  if (packet && error.message === `(Server) ${packet.message}`) {
    return { kind: 'server-error', code: packet.code, message: packet.message };
  }
  const message = error.message.replace(/^\(Server\) /, '');
  return { kind: 'local-error', message, errno: typeof error.code === 'string' ? error.code : undefined };
}
