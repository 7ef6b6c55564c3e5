// Sends NOTIFY `Event: check-sync` (spec T7) the way a PBX does, over UDP with the retransmissions
// of a non-INVITE client transaction (RFC 3261 §17.1.2), and says how each was answered: one at a
// time for `autop notify`, many at once over one socket for a fleet's NOTIFY storm.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import {
  nextWake,
  startNict,
  stepNict,
  TIMER_F,
  type NictState,
  type NictStep,
  type Completed,
} from './clientTransaction.js';
import { CHECK_SYNC } from './event.js';
import { parseSipMessage } from './message.js';
import { randomHex } from './randomHex.js';
import { MAGIC_COOKIE, type Address } from './via.js';

export interface CheckSyncRequest {
  /** Host name or IP address of the phone (an IPv6 address with or without brackets). */
  readonly host: string;
  readonly port: number;
  /** The user part of the Request-URI (`sip:USER@HOST:PORT`); none gives `sip:HOST:PORT`. */
  readonly user?: string;
  /** `Event: check-sync;reboot=true`. */
  readonly reboot?: boolean;
}

export interface SendCheckSyncOptions extends CheckSyncRequest {
  /** Give up after this long without a final response (default and at most Timer F, 32 s). */
  readonly timeoutMs?: number;
  /** User-Agent of the request (default `autop`). */
  readonly userAgent?: string;
  /** Local address to send from (default: the one the system routes to the phone by). */
  readonly localAddress?: string;
}

export type NotifyOutcome =
  /** The transaction's final response, as the machine completed it. */
  | ({ readonly kind: 'answered' } & Omit<Completed, 'name'>)
  | { readonly kind: 'timeout'; readonly transmissions: number; readonly waitedMs: number }
  /** Not sent (no route, the socket refused it), or stopped before any answer (`transmissions` > 0). */
  | { readonly kind: 'failed'; readonly message: string; readonly transmissions: number };

/** The values that make one NOTIFY unique (RFC 3261 §8.1.1). */
export interface NotifyIdentity {
  readonly localAddress: string;
  readonly localPort: number;
  /** Starts with the magic cookie z9hG4bK. */
  readonly branch: string;
  readonly fromTag: string;
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string;
}

const bracketed = (host: string) => (isIPv6(host) ? `[${host}]` : host);
const unbracketed = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

export function checkSyncUri(target: CheckSyncRequest): string {
  const user = target.user ? `${target.user}@` : '';
  return `sip:${user}${bracketed(unbracketed(target.host))}:${target.port}`;
}

/**
 * The NOTIFY as a PBX sends it (reference §10's example, with the headers RFC 3261 §8.1.1 asks
 * of every request): out of dialog, no body. Pure.
 */
export function buildCheckSyncNotify(target: CheckSyncRequest, id: NotifyIdentity): string {
  const uri = checkSyncUri(target);
  const local = bracketed(id.localAddress);
  return [
    `NOTIFY ${uri} SIP/2.0`,
    // RFC 3581: rport asks for the answer at the port this came from, whatever NAT did to it.
    `Via: SIP/2.0/UDP ${local}:${id.localPort};branch=${id.branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:autop@${local}>;tag=${id.fromTag}`,
    `To: <${uri}>`,
    `Call-ID: ${id.callId}`,
    `CSeq: ${id.cseq} NOTIFY`,
    `Event: ${CHECK_SYNC}${target.reboot ? ';reboot=true' : ''}`,
    `User-Agent: ${id.userAgent}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The local address the system would send to `remote` from (a connected socket, never used). */
async function routeAddress(remote: Address, type: 'udp4' | 'udp6'): Promise<string> {
  const probe = createSocket(type);
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(remote.port, remote.address, () => resolve());
    });
    return probe.address().address;
  } finally {
    probe.close();
  }
}

async function bind(socket: Socket, address: string | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export interface NotifyClientOptions {
  /** The address family of the phones. */
  readonly type: 'udp4' | 'udp6';
  /** Local address to send from (default: the one the system routes to each phone by). */
  readonly localAddress?: string;
  /** User-Agent of the requests (default `autop`). */
  readonly userAgent?: string;
}

export interface NotifyTarget extends CheckSyncRequest {
  /** Give up after this long without a final response (default and at most Timer F, 32 s). */
  readonly timeoutMs?: number;
  /** Called when the NOTIFY has gone out (its first transmission). */
  readonly onSent?: () => void;
}

/** One UDP socket that sends check-sync NOTIFYs, each its own client transaction. */
export interface NotifyClient {
  /** Sends one NOTIFY to an address (not a host name) and waits for its final response. */
  send(target: NotifyTarget): Promise<NotifyOutcome>;
  /** NOTIFYs sent and not yet answered or timed out. */
  readonly inFlight: number;
  /** Stops every transaction still running (each ends `failed`) and closes the socket. */
  close(): Promise<void>;
}

/** Transmissions so far of a transaction under way. */
function transmissionsOf(tx: Running): number {
  return tx.state.name === 'trying' || tx.state.name === 'proceeding' ? tx.state.transmissions : 0;
}

/** A transaction under way (RFC 3261 §17.1.2), known by its branch. */
interface Running {
  state: NictState;
  timer: NodeJS.Timeout | undefined;
  readonly request: Buffer;
  readonly remote: Address;
  readonly resolve: (outcome: NotifyOutcome) => void;
  readonly onSent: (() => void) | undefined;
}

/**
 * Opens the socket NOTIFYs go out from, as a PBX (or SIPp) sends them: one socket for any number
 * of transactions at once, responses matched to theirs by the top Via branch and the CSeq method
 * (RFC 3261 §17.1.3), each retransmitted on Timer E until answered or Timer F. How many run at once
 * is the caller's to bound.
 */
export async function openNotifyClient(options: NotifyClientOptions): Promise<NotifyClient> {
  const socket = createSocket(options.type);
  await bind(socket, options.localAddress);
  const localPort = socket.address().port;
  const userAgent = options.userAgent ?? 'autop';
  const running = new Map<string, Running>();
  /** The address each remote sees this socket by (a wildcard cannot go in a Via). */
  const viaAddresses = new Map<string, Promise<string>>();
  let closed = false;

  const viaAddressFor = (remote: Address): Promise<string> => {
    const chosen = options.localAddress;
    if (chosen !== undefined && chosen !== '0.0.0.0' && chosen !== '::') return Promise.resolve(chosen);
    let found = viaAddresses.get(remote.address);
    if (!found) {
      // The route depends on the address alone: the probe connects to a port of its own (9, discard).
      found = routeAddress({ address: remote.address, port: 9 }, options.type);
      viaAddresses.set(remote.address, found);
      found.catch(() => viaAddresses.delete(remote.address));
    }
    return found;
  };

  const notSent = (tx: Running, message: string): NotifyOutcome => ({
    kind: 'failed',
    message: `cannot send to ${tx.remote.address}:${tx.remote.port}: ${message}`,
    transmissions: 0,
  });

  const finish = (branch: string, tx: Running, outcome: NotifyOutcome) => {
    clearTimeout(tx.timer);
    running.delete(branch);
    tx.resolve(outcome);
  };

  const apply = (branch: string, tx: Running, step: NictStep) => {
    tx.state = step.state;
    for (const effect of step.effects) {
      if (effect.kind !== 'send') continue;
      const first = tx.state.name === 'trying' && tx.state.transmissions === 1;
      try {
        socket.send(tx.request, tx.remote.port, tx.remote.address, (error) => {
          if (!first) return;
          // The answer may be in before this callback: sent is sent, whatever came since.
          if (!error) tx.onSent?.();
          // The first transmission refused: not sent. A retransmission refused: the next may go.
          else if (running.get(branch) === tx) finish(branch, tx, notSent(tx, error.message));
        });
      } catch (error) {
        // A port or address the socket refuses outright: nothing went, nothing will.
        return finish(branch, tx, notSent(tx, messageOf(error)));
      }
    }
    const state = tx.state;
    if (state.name === 'completed') {
      const { status, reason, from, transmissions, provisional, latencyMs } = state;
      return finish(branch, tx, {
        kind: 'answered',
        status,
        reason,
        from,
        transmissions,
        provisional,
        latencyMs,
      });
    }
    if (state.name === 'timed-out')
      return finish(branch, tx, {
        kind: 'timeout',
        transmissions: state.transmissions,
        waitedMs: state.waitedMs,
      });
    const wake = nextWake(state);
    clearTimeout(tx.timer);
    if (wake !== undefined)
      tx.timer = setTimeout(
        () => apply(branch, tx, stepNict(tx.state, { kind: 'tick', now: Date.now() })),
        Math.max(0, wake - Date.now()),
      );
  };

  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    const incoming = parseSipMessage(datagram);
    if (incoming.kind !== 'response' || incoming.cseq?.method !== 'NOTIFY') return;
    const branch = incoming.topVia?.branch;
    const tx = branch === undefined ? undefined : running.get(branch);
    if (!tx) return;
    apply(
      branch!,
      tx,
      stepNict(tx.state, {
        kind: 'response',
        now: Date.now(),
        status: incoming.status,
        reason: incoming.reason,
        from: { address: from.address, port: from.port },
      }),
    );
  });
  socket.on('error', (error) => {
    for (const [branch, tx] of running)
      finish(branch, tx, { kind: 'failed', message: error.message, transmissions: transmissionsOf(tx) });
  });

  return {
    get inFlight() {
      return running.size;
    },
    async send(target) {
      if (closed) return { kind: 'failed', message: 'the NOTIFY client is closed', transmissions: 0 };
      const remote = { address: unbracketed(target.host), port: target.port };
      let viaAddress: string;
      try {
        viaAddress = await viaAddressFor(remote);
      } catch (e) {
        return {
          kind: 'failed',
          message: `no route to ${remote.address}:${remote.port}: ${messageOf(e)}`,
          transmissions: 0,
        };
      }
      const branch = `${MAGIC_COOKIE}${randomHex(10)}`;
      const request = Buffer.from(
        buildCheckSyncNotify(target, {
          localAddress: viaAddress,
          localPort,
          branch,
          fromTag: randomHex(6),
          callId: `${randomHex(12)}@${bracketed(viaAddress)}`,
          cseq: 1,
          userAgent,
        }),
      );
      return new Promise<NotifyOutcome>((resolve) => {
        const start = startNict(Date.now(), target.timeoutMs ?? TIMER_F);
        const tx: Running = {
          state: start.state,
          timer: undefined,
          request,
          remote,
          resolve,
          onSent: target.onSent,
        };
        running.set(branch, tx);
        apply(branch, tx, start);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const [branch, tx] of running)
        finish(branch, tx, {
          kind: 'failed',
          message: 'stopped before an answer came',
          transmissions: transmissionsOf(tx),
        });
      socket.removeAllListeners('message');
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Sends one check-sync NOTIFY and waits for its final response, retransmitting over UDP. */
export async function sendCheckSync(options: SendCheckSyncOptions): Promise<NotifyOutcome> {
  let remote: Address;
  let type: 'udp4' | 'udp6';
  try {
    const found = await lookup(unbracketed(options.host));
    remote = { address: found.address, port: options.port };
    type = found.family === 6 ? 'udp6' : 'udp4';
  } catch (e) {
    return { kind: 'failed', message: `cannot resolve ${options.host}: ${messageOf(e)}`, transmissions: 0 };
  }
  let client: NotifyClient;
  try {
    client = await openNotifyClient({
      type,
      ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
      ...(options.userAgent !== undefined && { userAgent: options.userAgent }),
    });
  } catch (e) {
    return { kind: 'failed', message: messageOf(e), transmissions: 0 };
  }
  try {
    return await client.send({
      host: remote.address,
      port: remote.port,
      ...(options.user !== undefined && { user: options.user }),
      ...(options.reboot && { reboot: true }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
  } finally {
    await client.close();
  }
}
