// The phone's PnP client (spec S2, reference §7): multicast the ua-profile SUBSCRIBE, retransmit it
// as a non-INVITE client transaction until it is answered, answer every NOTIFY 200 OK, and take the
// first application/url body that is a provisioning URL. Bounded by timeoutMs; never rejects.
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Mac } from '../core/mac.js';
import { TIMER_F } from '../sip/clientTransaction.js';
import { runTransaction, sourceAddressToward, type RunningTransaction } from '../sip/liveTransaction.js';
import { buildResponse, type EchoedHeaders, type SipRequest } from '../sip/message.js';
import { ServerTransactionTable, transactionId } from '../sip/serverTransactions.js';
import { responseDestination, stampTopVia, type Address, type TopVia } from '../sip/via.js';
import {
  buildPnpSubscribe,
  PHONE_PNP_PORT,
  PNP_GROUP,
  PNP_PORT,
  readPnpNotify,
  readSipDatagram,
  subscribeBranch,
} from './pnpMessages.js';

export interface PnpOptions {
  readonly mac: Mac;
  /** As in Event model="..." (the caller decides: the catalogue's UA model name, e.g. `T46U`). */
  readonly model: string;
  readonly firmware: string;
  /** e.g. `Yealink SIP-T46U 108.86.0.20` (the caller builds it). */
  readonly userAgent: string;
  /** How long to wait for a NOTIFY after sending the SUBSCRIBE. */
  readonly timeoutMs: number;
  /** Default 224.0.1.75:5060 (spec S2); tests use 127.0.0.1:<port>. */
  readonly destination?: { readonly address: string; readonly port: number };
  /** Default 5059, as in reference §7's capture; 0 picks any. */
  readonly localPort?: number;
  /** For Via and Contact; default: the address the system sends to the destination from. */
  readonly localAddress?: string;
  readonly signal?: AbortSignal;
}

export interface PnpResult {
  /** The application/url body, trimmed. */
  readonly url?: string;
  /** `10.77.0.1:5060`: who sent the NOTIFY. */
  readonly from?: string;
  /** Why each unusable message was ignored, in arrival order. */
  readonly ignored: readonly string[];
  readonly waitedMs: number;
  /** Why no SUBSCRIBE could be sent (the local port taken, no route, ...). */
  readonly failed?: string;
}

const at = (a: Address) => `${a.address}:${a.port}`;
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

function firstExternalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces()))
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

async function bind(socket: Socket, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // The wildcard: the NOTIFY comes by unicast to whichever address the Contact names.
    socket.bind(port, '0.0.0.0', () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** 224.0.0.0/4. */
const isMulticast = (address: string) => isIPv4(address) && (Number(address.split('.')[0]) & 0xf0) === 224;

/** spec S2: one PnP attempt. Resolves with the URL, or with none once timeoutMs has passed. */
export async function pnpDiscover(options: PnpOptions): Promise<PnpResult> {
  const destination = options.destination ?? { address: PNP_GROUP, port: PNP_PORT };
  const localPort = options.localPort ?? PHONE_PNP_PORT;
  const socket = createSocket('udp4');
  try {
    try {
      await bind(socket, localPort);
      // A PnP server is on the phone's own link (reference §7); the SUBSCRIBE goes no further.
      if (isMulticast(destination.address)) socket.setMulticastTTL(1);
      // Until the attempt listens for errors itself, an 'error' event must not end the process.
      socket.on('error', () => undefined);
    } catch (e) {
      return { ignored: [], waitedMs: 0, failed: `cannot listen on UDP port ${localPort}: ${messageOf(e)}` };
    }
    const localAddress =
      options.localAddress ?? (await sourceAddressToward(destination)) ?? firstExternalIPv4() ?? '127.0.0.1';
    const identity = { localAddress, localPort: socket.address().port, id: String(randomInt(1, 2 ** 31)) };
    const subscribe = Buffer.from(buildPnpSubscribe(options, destination.address, identity));
    return await new PnpAttempt(socket, options, destination, subscribeBranch(identity)).run(subscribe);
  } finally {
    socket.removeAllListeners('message');
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // never bound, or closed after an error: nothing to release
      }
    });
  }
}

/** One SUBSCRIBE and the messages that come back on its socket, until a URL or the deadline. */
class PnpAttempt {
  private readonly ignored: string[] = [];
  /** NOTIFYs already answered: a retransmission gets the same 200 OK and is not read twice. */
  private readonly answered = new ServerTransactionTable(64);
  private readonly sends: Promise<void>[] = [];
  private readonly startedAt = Date.now();
  private transaction: RunningTransaction | undefined;
  private over = false;
  private finish: (found?: { url: string; from: string }) => void = () => {};

  constructor(
    private readonly socket: Socket,
    private readonly options: PnpOptions,
    private readonly destination: Address,
    private readonly branch: string,
  ) {}

  async run(subscribe: Buffer): Promise<PnpResult> {
    const found = await new Promise<{ url: string; from: string } | undefined>((resolve) => {
      const deadline = setTimeout(() => this.finish(), this.options.timeoutMs);
      const onAbort = () => this.finish();
      this.finish = (found) => {
        clearTimeout(deadline);
        this.options.signal?.removeEventListener('abort', onAbort);
        this.transaction?.cancel();
        this.over = true;
        this.finish = () => {};
        resolve(found);
      };
      if (this.options.signal?.aborted) return this.finish();
      this.options.signal?.addEventListener('abort', onAbort);
      this.socket.on('message', (datagram: Buffer, from: RemoteInfo) =>
        this.receive(datagram, { address: from.address, port: from.port }),
      );
      this.socket.on('error', (e) => this.ignored.push(`socket error: ${e.message}`));
      this.transaction = runTransaction(
        () => this.send(subscribe, this.destination),
        Math.min(this.options.timeoutMs, TIMER_F),
        () => {},
      );
    });
    // The 200 OK to the NOTIFY leaves before the socket closes.
    await Promise.all(this.sends);
    const waitedMs = Date.now() - this.startedAt;
    return { ...found, ignored: [...this.ignored], waitedMs };
  }

  private send(message: string | Buffer, to: Address): void {
    this.sends.push(
      new Promise<void>((resolve) => {
        try {
          this.socket.send(message, to.port, to.address, (error) => {
            if (error) this.ignored.push(`cannot send to ${at(to)}: ${error.message}`);
            resolve();
          });
        } catch (e) {
          this.ignored.push(`cannot send to ${at(to)}: ${messageOf(e)}`);
          resolve();
        }
      }),
    );
  }

  private receive(datagram: Buffer, source: Address): void {
    // After the URL (or the deadline) the socket is closing: what comes now is not read.
    if (this.over) return;
    const incoming = readSipDatagram(datagram, (request, reason) =>
      this.answer(request.echo, request.topVia, source, 400, reason),
    );
    switch (incoming.kind) {
      case 'dropped':
        if (incoming.reason !== undefined)
          this.ignored.push(`malformed: ${incoming.reason} (from ${at(source)})`);
        return;
      case 'response': {
        if (incoming.topVia?.branch !== this.branch || incoming.cseq?.method !== 'SUBSCRIBE') {
          this.ignored.push(`a ${incoming.status} response to another request (from ${at(source)})`);
          return;
        }
        this.transaction?.respond(incoming.status, incoming.reason, source);
        if (incoming.status >= 300) {
          this.ignored.push(`SUBSCRIBE answered ${incoming.status} ${incoming.reason} (from ${at(source)})`);
          // Sent to one server, a refusal is final; sent to the group, another server may still answer.
          if (!isMulticast(this.destination.address)) this.finish();
        }
        return;
      }
      case 'request':
        return this.receiveRequest(incoming, source);
    }
  }

  private receiveRequest(request: SipRequest, source: Address): void {
    const topVia = request.topVia;
    if (request.method === 'ACK') return;
    if (!topVia) {
      this.ignored.push(`${request.method} without a Via, nowhere to answer (from ${at(source)})`);
      return;
    }
    const id = transactionId(request);
    const done = id && this.answered.find(id, Date.now());
    if (done) return this.send(done.response, done.destination);
    if (request.method !== 'NOTIFY') {
      this.remember(
        request,
        this.answer(request.echo, topVia, source, 405, undefined, [['Allow', 'NOTIFY']]),
      );
      this.ignored.push(`${request.method} is not a NOTIFY (from ${at(source)})`);
      return;
    }
    // spec S2: the phone answers every NOTIFY 200 OK, then looks at what it carried.
    this.remember(request, this.answer(request.echo, topVia, source, 200));
    const reading = readPnpNotify(request);
    if (reading.kind === 'url') this.finish({ url: reading.url, from: at(source) });
    else this.ignored.push(`${reading.reason} (from ${at(source)})`);
  }

  private remember(request: SipRequest, sent: { response: string; to: Address }): void {
    const id = transactionId(request);
    if (id) this.answered.remember(id, sent.response, sent.to, Date.now());
  }

  private answer(
    echo: EchoedHeaders,
    topVia: TopVia,
    source: Address,
    status: number,
    reason?: string,
    headers?: readonly (readonly [string, string])[],
  ): { response: string; to: Address } {
    const response = buildResponse(
      { ...echo, via: stampTopVia(echo.via, topVia, source) },
      {
        status,
        toTag: String(randomInt(1, 2 ** 31)),
        userAgent: this.options.userAgent,
        ...(reason !== undefined && { reason }),
        ...(headers && { headers }),
      },
    );
    const to = responseDestination(topVia, source);
    this.send(response, to);
    return { response, to };
  }
}
