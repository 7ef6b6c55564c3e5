// The TFTP side of `autop serve DIR --tftp PORT` (issue #3 §5, spec S5): read-only, confined to the
// served root as the tree fetcher is (issue #2 §6), regular files only (issue #13 §7), one log entry
// per request. Our own small RFC 1350 server with the options of RFC 2347 (negotiation), 2348
// (blksize) and 2349 (tsize, timeout), over node:dgram; the packets are read in tftpPackets.ts.
//
// Why not the `tftp` package's server (0.1.2, which the design card names; its client is still what
// src/fetch/tftpTransfer.ts uses): it cannot be made safe from outside (issue #13 §1). Seen on this
// machine (Node 20, 2026-12), each reproduced against the package-based server this module replaced:
// 1. Its transfer sockets are created and listened to inside the package (lib/protocol/request.js
//    `Helper`, lib/protocol/server/incoming-request.js `_initSocket`, `_onMessage`), and the listener
//    reads the opcode with `buffer.readUInt16BE(0)` before any length check: one 0- or 1-byte
//    datagram to a transfer port throws RangeError ERR_BUFFER_OUT_OF_BOUNDS inside a 'message'
//    handler, an uncaught exception that ends the whole process (HTTP and HTTPS with it). The
//    datagram goes from the kernel to that listener: no code of ours runs before it, and an 'error'
//    listener does not see a throw.
// 2. An RRQ from source port 0 (one crafted datagram) makes it call `socket.send` to port 0, which
//    throws ERR_SOCKET_BAD_PORT synchronously inside its own bind callback: the process ends.
// 3. A transfer socket takes packets from anyone (its listener drops the sender's address): a third
//    host acknowledged blocks for a client and aborted its transfer with one ERROR, where RFC 1350 §4
//    has a packet from an unknown transfer ID answered with ERROR 5 and the transfer left alone.
// 4. The socket it opens to refuse a bad request (`Helper`) has no 'error' listener at all.
// Changing any of these means patching its private methods and fields (`_onMessage`, `_socket`).
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import type { FileHandle } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
import { isIP, isIPv6 } from 'node:net';
import { openRegularFile } from '../fetch/regularFile.js';
import { locateBelowRoot } from './rootPath.js';
import type { RunningServer } from './runningServer.js';
import {
  dataPacket,
  ERROR_CODE,
  errorPacket,
  MAX_BLOCK_SIZE,
  negotiate,
  oackPacket,
  OPCODE,
  parseRequest,
  parseTransferPacket,
  toNetascii,
  type Negotiated,
  type TransferMode,
} from './tftpPackets.js';

export interface TftpLogEntry {
  readonly time: string;
  readonly remote: string;
  readonly method: 'RRQ' | 'WRQ';
  readonly path: string;
  readonly status: 'ok' | 'not-found' | 'refused' | 'error';
  /** File bytes the client acknowledged. */
  readonly bytes: number;
  readonly ms: number;
  /** Why it was not `ok`, for the server's log only (never sent to the client). */
  readonly detail?: string;
}

export interface TftpServerOptions {
  readonly root: string;
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  /** An IP address; default 127.0.0.1. */
  readonly host?: string;
  /** Called once per request, when its transfer has ended. */
  readonly log?: (entry: TftpLogEntry) => void;
  /** Retransmission interval unless the client asks for its own (RFC 2349 `timeout`); default 1 s. */
  readonly timeoutMs?: number;
  /** Sends of one packet beyond the first before a silent client is given up; default 5. */
  readonly retries?: number;
  /** The largest blksize granted (RFC 2348); default 65464, the RFC's maximum. */
  readonly maxBlockSize?: number;
  /** Transfers at once; more requests are answered "busy" (ERROR 0). Default 256. */
  readonly maxTransfers?: number;
  /** A bug of ours caught so that the server goes on: for the operator's eyes. */
  readonly onInternalError?: (message: string) => void;
}

/** Our TFTP server: its root URL, its port, and how to stop it (aborts transfers in flight). */
export type RunningTftpServer = RunningServer;

type Status = TftpLogEntry['status'];

interface Ended {
  readonly status: Status;
  readonly bytes: number;
  readonly detail?: string;
}

/** How long close() lets transfers in flight finish before it aborts them. */
const CLOSE_GRACE_MS = 250;
const SHUTTING_DOWN = 'The server is shutting down';

export async function startTftpServer(options: TftpServerOptions): Promise<RunningTftpServer> {
  const host = options.host ?? '127.0.0.1';
  if (isIP(host) === 0) throw new Error(`${host} is not an IP address`);
  const type: SocketType = isIPv6(host) ? 'udp6' : 'udp4';
  const rootReal = await realpath(options.root);
  const limits = {
    timeoutMs: options.timeoutMs ?? 1000,
    retries: options.retries ?? 5,
    maxBlockSize: Math.min(options.maxBlockSize ?? MAX_BLOCK_SIZE, MAX_BLOCK_SIZE),
  };
  const maxTransfers = options.maxTransfers ?? 256;
  const internalError = (what: string, e: unknown) =>
    options.onInternalError?.(`TFTP: ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);

  const main = await boundSocket(type, options.port, host);
  const mainClosed = new Promise<void>((resolve) => main.once('close', () => resolve()));
  // A bound UDP socket reports send failures to the send callback; anything else is not fatal either.
  main.on('error', (e) => internalError('listening socket', e));

  const requests = new Set<Promise<void>>();
  const transfers = new Set<ReadTransfer>();
  let closing = false;

  const onRequest = (packet: Buffer, from: RemoteInfo) => {
    const parsed = parseRequest(packet);
    if (parsed.kind === 'ignored') return;
    if (parsed.kind === 'refused') {
      void send(main, errorPacket(parsed.code, parsed.message), from);
      return;
    }
    const started = Date.now();
    const log = (ended: Ended) =>
      options.log?.({
        time: new Date(started).toISOString(),
        remote: remoteText(from),
        method: parsed.opcode === OPCODE.RRQ ? 'RRQ' : 'WRQ',
        path: parsed.file,
        status: ended.status,
        bytes: ended.bytes,
        ms: Date.now() - started,
        ...(ended.detail !== undefined && { detail: ended.detail }),
      });
    const refuse = (status: Status, code: number, message: string, detail?: string) => {
      if (!closing) void send(main, errorPacket(code, message), from);
      log({ status, bytes: 0, ...(detail !== undefined && { detail }) });
    };
    if (parsed.opcode === OPCODE.WRQ) {
      // Read-only: a phone's uploads go over FTP or HTTP (K2).
      refuse('refused', ERROR_CODE.accessViolation, 'Access violation', 'write request refused (read-only)');
      return;
    }
    if (requests.size >= maxTransfers) {
      refuse(
        'error',
        ERROR_CODE.notDefined,
        'Server busy, try again later',
        `${maxTransfers} transfers at once`,
      );
      return;
    }
    const work: Promise<void> = serveRead(parsed.file, parsed.mode, parsed.options, from)
      .then(log, (e: unknown) => {
        internalError(`RRQ ${parsed.file}`, e);
        refuse('error', ERROR_CODE.notDefined, 'Internal error', 'internal error (see above)');
      })
      .finally(() => requests.delete(work));
    requests.add(work);
  };

  /** Finds the file, then runs its transfer; resolves with what to log. */
  const serveRead = async (
    name: string,
    mode: TransferMode,
    asked: ReadonlyMap<string, string>,
    client: RemoteInfo,
  ): Promise<Ended> => {
    const refuse = (status: Status, code: number, message: string, detail: string): Ended => {
      if (!closing) void send(main, errorPacket(code, message), client);
      return { status, bytes: 0, detail };
    };
    const segments = segmentsOf(name);
    if (!segments)
      return refuse('refused', ERROR_CODE.accessViolation, 'Access violation', 'the name leaves the root');
    const located = await locateBelowRoot(rootReal, segments);
    if (closing) return refuse('error', ERROR_CODE.notDefined, SHUTTING_DOWN, SHUTTING_DOWN);
    if (located.kind === 'outside') {
      return refuse('refused', ERROR_CODE.accessViolation, 'Access violation', located.reason);
    }
    if (located.kind === 'denied') {
      return refuse('refused', ERROR_CODE.accessViolation, 'Access violation', 'permission denied');
    }
    if (located.kind === 'missing')
      return refuse('not-found', ERROR_CODE.fileNotFound, 'File not found', 'no such file');
    // Regular files only, opened without blocking (issue #13 §7): a FIFO is never read.
    const opened = await openRegularFile(located.path);
    if (opened.kind === 'missing')
      return refuse('not-found', ERROR_CODE.fileNotFound, 'File not found', 'no such file');
    if (opened.kind === 'not-a-file') {
      return refuse(
        'not-found',
        ERROR_CODE.fileNotFound,
        'File not found',
        `${opened.what}, not a regular file`,
      );
    }
    if (opened.kind === 'error') {
      const denied = opened.code === 'EACCES' || opened.code === 'EPERM';
      return denied
        ? refuse('refused', ERROR_CODE.accessViolation, 'Access violation', opened.code)
        : refuse('error', ERROR_CODE.notDefined, 'I/O error', opened.code);
    }
    const negotiated = negotiate(asked, { mode, size: opened.size }, limits);
    let socket: Socket;
    try {
      if (closing) throw new Error(SHUTTING_DOWN);
      socket = await boundSocket(type, 0, host);
    } catch (e) {
      await opened.handle.close().catch(() => undefined);
      return refuse('error', ERROR_CODE.notDefined, 'Server busy, try again later', (e as Error).message);
    }
    const transfer = new ReadTransfer(
      socket,
      client,
      new FileBlocks(opened.handle, negotiated.blockSize, mode),
      negotiated,
      limits.retries,
      (e) => internalError(`transfer of ${name}`, e),
    );
    transfers.add(transfer);
    try {
      return await transfer.run();
    } finally {
      transfers.delete(transfer);
    }
  };

  main.on('message', (packet: Buffer, from: RemoteInfo) => {
    if (closing) return;
    try {
      onRequest(packet, from);
    } catch (e) {
      internalError('request', e);
    }
  });

  const port = main.address().port;
  return {
    url: `tftp://${isIPv6(host) ? `[${host}]` : host}:${port}/`,
    port,
    close: async () => {
      if (!closing) {
        closing = true;
        main.close();
        // A client that has its last block may still owe the final ACK: give transfers a moment.
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(requests),
          new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS))),
        ]);
        clearTimeout(grace);
        for (const transfer of transfers) transfer.abort(SHUTTING_DOWN);
      }
      await Promise.all([mainClosed, ...requests]);
    },
  };
}

/**
 * One read transfer, lock-step (RFC 1350): a block, its ACK, the next block. Only the client's
 * transfer ID (address and port) is listened to; a duplicate ACK is ignored rather than answered
 * with the block again (RFC 1123 §4.2.3.1, the Sorcerer's Apprentice bug); a silent client gets the
 * last packet again every `timeoutMs`, `retries` times, then is given up.
 */
class ReadTransfer {
  /** The number of the last block sent, unwrapped (0: the OACK, or nothing yet). */
  private block = 0;
  private lastPayload = 0;
  private isLast = false;
  private reading = false;
  private packet: Buffer | undefined;
  private sends = 0;
  private timer: NodeJS.Timeout | undefined;
  private acknowledged = 0;
  private ended: Ended | undefined;
  /** The last send in flight: the socket is closed after it, or an ERROR would never leave. */
  private sending: Promise<void> = Promise.resolve();
  private readonly done: Promise<Ended>;
  private resolveDone: (ended: Ended) => void = () => undefined;

  constructor(
    private readonly socket: Socket,
    private readonly client: RemoteInfo,
    private readonly source: FileBlocks,
    private readonly negotiated: Negotiated,
    private readonly retries: number,
    private readonly internalError: (e: unknown) => void,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    socket.on('message', (packet: Buffer, from: RemoteInfo) => {
      try {
        this.onPacket(packet, from);
      } catch (e) {
        this.internalError(e);
        this.finish('error', 'internal error (see above)');
      }
    });
    socket.on('error', (e) => this.finish('error', `socket error: ${e.message}`));
  }

  run(): Promise<Ended> {
    if (this.negotiated.acknowledged.length > 0) this.transmit(oackPacket(this.negotiated.acknowledged));
    else void this.sendNextBlock();
    return this.done;
  }

  /** Ends the transfer and tells the client so (ERROR 0). */
  abort(message: string): void {
    if (this.ended) return;
    this.send(errorPacket(ERROR_CODE.notDefined, message), this.client);
    this.finish('error', message);
  }

  private onPacket(packet: Buffer, from: RemoteInfo): void {
    if (this.ended) return;
    if (from.address !== this.client.address || from.port !== this.client.port) {
      // RFC 1350 §4: not this transfer's client. Told so, and the transfer goes on; an ERROR is
      // never answered (two servers could otherwise answer each other for ever).
      if (packet.length >= 2 && packet.readUInt16BE(0) !== OPCODE.ERROR) {
        this.send(errorPacket(ERROR_CODE.unknownTransferId, 'Unknown transfer ID'), from);
      }
      return;
    }
    const parsed = parseTransferPacket(packet);
    switch (parsed.kind) {
      case 'ack':
        // An ACK for an older block (a duplicate), or one that arrives while the next block is
        // being read, changes nothing: the timer resends what is unacknowledged.
        if (this.reading || parsed.block !== (this.block & 0xffff)) return;
        if (this.block > 0) this.acknowledged += this.lastPayload;
        if (this.isLast) this.finish('ok');
        else void this.sendNextBlock();
        return;
      case 'error':
        this.finish(
          'error',
          `the client ended the transfer: ERROR ${parsed.code}${parsed.message ? ` "${parsed.message}"` : ''}`,
        );
        return;
      case 'other':
        this.send(errorPacket(ERROR_CODE.illegalOperation, 'Illegal TFTP operation'), this.client);
        this.finish('error', 'the client sent a packet that is not an ACK');
        return;
    }
  }

  private async sendNextBlock(): Promise<void> {
    this.reading = true;
    clearTimeout(this.timer);
    let payload: Buffer;
    try {
      payload = await this.source.next();
    } catch (e) {
      if (this.ended) return;
      this.send(errorPacket(ERROR_CODE.notDefined, 'I/O error'), this.client);
      this.finish('error', `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return;
    } finally {
      this.reading = false;
    }
    if (this.ended) return;
    this.block++;
    this.lastPayload = payload.length;
    // A block shorter than the block size, even an empty one, is the last (RFC 1350 §6).
    this.isLast = payload.length < this.negotiated.blockSize;
    this.transmit(dataPacket(this.block, payload));
  }

  private transmit(packet: Buffer): void {
    this.packet = packet;
    this.sends = 0;
    this.sendAndWait();
  }

  private sendAndWait(): void {
    clearTimeout(this.timer);
    if (this.ended || !this.packet) return;
    if (this.sends > this.retries) {
      const what = this.block === 0 ? 'the OACK' : `block ${this.block}`;
      this.finish('error', `timed out: no ACK for ${what} after ${this.sends} sends`);
      return;
    }
    this.sends++;
    this.send(this.packet, this.client);
    this.timer = setTimeout(() => this.sendAndWait(), this.negotiated.timeoutMs);
  }

  private send(packet: Buffer, to: RemoteInfo): void {
    this.sending = send(this.socket, packet, to);
  }

  private finish(status: Status, detail?: string): void {
    if (this.ended) return;
    const ended: Ended = { status, bytes: this.acknowledged, ...(detail !== undefined && { detail }) };
    this.ended = ended;
    clearTimeout(this.timer);
    const closed = this.sending.then(
      () =>
        new Promise<void>((resolve) => {
          try {
            this.socket.close(() => resolve());
          } catch {
            resolve(); // closed already
          }
        }),
    );
    void Promise.all([closed, this.source.close()]).then(() => this.resolveDone(ended));
  }
}

/** A file cut into blocks, read ahead 64 KiB at a time, converted to netascii when asked. */
class FileBlocks {
  private pending: Buffer = Buffer.alloc(0);
  private eof = false;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    private readonly blockSize: number,
    private readonly mode: TransferMode,
  ) {}

  /** The next block: `blockSize` bytes, or fewer at the end of the file. */
  async next(): Promise<Buffer> {
    while (this.pending.length < this.blockSize && !this.eof) {
      const chunk = Buffer.allocUnsafe(Math.max(64 * 1024, this.blockSize));
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) {
        this.eof = true;
        break;
      }
      const raw = chunk.subarray(0, bytesRead);
      const encoded = this.mode === 'netascii' ? toNetascii(raw) : raw;
      this.pending = this.pending.length === 0 ? encoded : Buffer.concat([this.pending, encoded]);
    }
    const block = this.pending.subarray(0, this.blockSize);
    this.pending = this.pending.subarray(block.length);
    return block;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

function boundSocket(type: SocketType, port: number, host: string): Promise<Socket> {
  const socket = createSocket(type);
  return new Promise<Socket>((resolve, reject) => {
    const refused = (e: Error) => {
      try {
        socket.close();
      } catch {
        // never bound
      }
      reject(e);
    };
    socket.once('error', refused);
    socket.bind(port, host, () => {
      socket.off('error', refused);
      resolve(socket);
    });
  });
}

/**
 * Sends and forgets: a failed send (the client's port 0, a closed socket, a full buffer) is never an
 * exception. Some of these throw synchronously (ERR_SOCKET_BAD_PORT), the rest go to the callback.
 */
function send(socket: Socket, packet: Buffer, to: RemoteInfo): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.send(packet, to.port, to.address, () => resolve());
    } catch {
      resolve(); // nothing to tell: the peer cannot be reached at that address
    }
  });
}

function remoteText(from: RemoteInfo): string {
  return `${from.family === 'IPv6' ? `[${from.address}]` : from.address}:${from.port}`;
}

/**
 * The path segments of a requested name, or undefined when it must be refused. TFTP names are not
 * percent-encoded; a leading slash is taken as the root (as tftpd-hpa's --secure does); `\` is a
 * separator too, so that `..\` cannot climb out either.
 */
function segmentsOf(name: string): string[] | undefined {
  if (name.includes('\0')) return undefined;
  const segments = name.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  return segments.includes('..') ? undefined : segments;
}
