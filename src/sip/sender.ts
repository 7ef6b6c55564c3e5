// Sends a NOTIFY `Event: check-sync` (spec T7) the way a PBX does, over UDP with the retransmissions
// of a non-INVITE client transaction (RFC 3261 §17.1.2), and says how it was answered. For
// `autop notify`, the tests and the fleet.
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import {
  nextWake,
  startNict,
  stepNict,
  TIMER_F,
  type NictInput,
  type NictState,
  type NictStep,
} from './clientTransaction.js';
import { CHECK_SYNC } from './event.js';
import { parseSipMessage } from './message.js';
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
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly reason: string;
      readonly from: Address;
      readonly transmissions: number;
      readonly provisional: readonly number[];
    }
  | { readonly kind: 'timeout'; readonly transmissions: number; readonly waitedMs: number }
  | { readonly kind: 'failed'; readonly message: string };

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

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
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

/** Sends one check-sync NOTIFY and waits for its final response, retransmitting over UDP. */
export async function sendCheckSync(options: SendCheckSyncOptions): Promise<NotifyOutcome> {
  let remote: Address;
  let type: 'udp4' | 'udp6';
  try {
    const found = await lookup(unbracketed(options.host));
    remote = { address: found.address, port: options.port };
    type = found.family === 6 ? 'udp6' : 'udp4';
  } catch (e) {
    return { kind: 'failed', message: `cannot resolve ${options.host}: ${messageOf(e)}` };
  }
  const socket = createSocket(type);
  try {
    await bind(socket, options.localAddress);
    const chosen = options.localAddress;
    // A wildcard cannot go in a Via: the address the system routes by is what the phone sees.
    const localAddress =
      chosen === undefined || chosen === '0.0.0.0' || chosen === '::'
        ? await routeAddress(remote, type)
        : chosen;
    const branch = `${MAGIC_COOKIE}${hex(10)}`;
    const notify = Buffer.from(
      buildCheckSyncNotify(options, {
        localAddress,
        localPort: socket.address().port,
        branch,
        fromTag: hex(6),
        callId: `${hex(12)}@${bracketed(localAddress)}`,
        cseq: 1,
        userAgent: options.userAgent ?? 'autop',
      }),
    );
    return await runTransaction(socket, notify, remote, branch, options.timeoutMs ?? TIMER_F);
  } catch (e) {
    return { kind: 'failed', message: messageOf(e) };
  } finally {
    socket.removeAllListeners('message');
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** Drives the transaction with real time: one timer, responses that match it (RFC 3261 §17.1.3). */
function runTransaction(
  socket: Socket,
  request: Buffer,
  remote: Address,
  branch: string,
  limitMs: number,
): Promise<NotifyOutcome> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let state: NictState;
    let done = false;
    const finish = (outcome: NotifyOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      resolve(outcome);
    };
    const apply = (step: NictStep) => {
      state = step.state;
      for (const effect of step.effects) {
        if (effect.kind === 'send')
          socket.send(request, remote.port, remote.address, (error) => {
            if (error)
              finish({
                kind: 'failed',
                message: `cannot send to ${remote.address}:${remote.port}: ${error.message}`,
              });
          });
      }
      if (state.name === 'completed') {
        const { status, reason, from, transmissions, provisional } = state;
        return finish({ kind: 'answered', status, reason, from, transmissions, provisional });
      }
      if (state.name === 'timed-out') {
        return finish({ kind: 'timeout', transmissions: state.transmissions, waitedMs: state.waitedMs });
      }
      const wake = nextWake(state);
      clearTimeout(timer);
      if (wake !== undefined)
        timer = setTimeout(() => feed({ kind: 'tick', now: Date.now() }), Math.max(0, wake - Date.now()));
    };
    const feed = (input: NictInput) => apply(stepNict(state, input));
    const onMessage = (datagram: Buffer, from: RemoteInfo) => {
      const incoming = parseSipMessage(datagram);
      if (incoming.kind !== 'response') return;
      if (incoming.topVia?.branch !== branch || incoming.cseq?.method !== 'NOTIFY') return;
      feed({
        kind: 'response',
        now: Date.now(),
        status: incoming.status,
        reason: incoming.reason,
        from: { address: from.address, port: from.port },
      });
    };
    const onError = (error: Error) => finish({ kind: 'failed', message: error.message });
    socket.on('message', onMessage);
    socket.on('error', onError);
    apply(startNict(Date.now(), limitMs));
  });
}
