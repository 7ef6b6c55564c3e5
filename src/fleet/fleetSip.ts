// A NOTIFY storm over real SIP (issue #8 §2, spec T7): one UDP endpoint for the whole fleet, each
// phone a user of it (`sip:00156574b150@127.0.0.1:PORT`), so a PBX-like sender reaches 100,000
// phones on one socket. Requests go through the phone's user agent server (src/sip/uas.ts): the
// 200 OK is sent before the phone's round starts, retransmissions are absorbed; a Request-URI that
// names no phone of the fleet is answered 404. The storm sender is src/sip/sender.ts's NOTIFY client:
// one socket, one transaction per phone, `concurrency` at once, as SIPp sends a storm.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { parseMac, type Mac } from '../core/mac.js';
import { buildResponse, parseSipMessage, type SipRequest } from '../sip/message.js';
import { randomHex } from '../sip/randomHex.js';
import { openNotifyClient, type NotifyOutcome } from '../sip/sender.js';
import { UserAgentServer, type CheckSyncEvent, type UasEffect } from '../sip/uas.js';
import { responseDestination, stampTopVia, type Address, type TopVia } from '../sip/via.js';

export interface FleetSipOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Is this MAC a phone of the fleet (run by this process)? Others are answered 404. */
  readonly isPhone: (mac: Mac) => boolean;
  /** A check-sync NOTIFY for a phone, after its 200 OK has been sent. */
  readonly onCheckSync: (mac: Mac, event: CheckSyncEvent) => void;
  readonly log?: (line: string) => void;
}

export interface FleetSipEndpoint {
  readonly host: string;
  readonly port: number;
  /** NOTIFYs that started a round (retransmissions not counted). */
  readonly delivered: () => number;
  close(): Promise<void>;
}

/** Responses sent by the fleet's endpoint name it, not a phone model: all phones share it. */
export const FLEET_SIP_USER_AGENT = 'autop fleet';

/** A request's start line: method and Request-URI. */
const START_LINE = /^([A-Za-z]+) (\S+) SIP\/2\.0\r?\n/;

/** The user part of a SIP Request-URI, `sip:USER@host:port;params`. */
export function requestUser(uri: string): string | undefined {
  return /^sips?:([^@;?>]+)@/i.exec(uri)?.[1];
}

export async function startFleetSip(options: FleetSipOptions): Promise<FleetSipEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const log = options.log ?? (() => {});
  // Completed transactions are kept for Timer J (32 s): enough for a storm's worth of them.
  const uas = new UserAgentServer({ userAgent: FLEET_SIP_USER_AGENT, capacity: 65_536 });
  let closed = false;
  let delivered = 0;
  /** Responses handed to the socket and not yet sent: close() waits for them. */
  let sending = 0;
  let drained: (() => void) | undefined;

  const sent = (to: Address) => (error: Error | null) => {
    if (error) log(`could not send to ${to.address}:${to.port}: ${error.message}`);
    if (--sending === 0) drained?.();
  };

  const send = (message: string, to: Address) => {
    if (closed) return;
    try {
      sending++;
      socket.send(message, to.port, to.address, sent(to));
    } catch (error) {
      // A Via naming port 0 or a bad address throws at once: the sender is told nothing.
      sending--;
      log(
        `could not send to ${to.address}:${to.port}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  /** The answer to a request for a user that is no phone of the fleet (RFC 3261 §8.2.2.1). */
  const notFound = (message: SipRequest, topVia: TopVia, source: Address): UasEffect[] => {
    const response = buildResponse(
      { ...message.echo, via: stampTopVia(message.echo.via, topVia, source) },
      {
        status: 404,
        reason: 'Not Found',
        toTag: randomHex(6),
        userAgent: FLEET_SIP_USER_AGENT,
      },
    );
    return [
      { kind: 'send', message: response, to: responseDestination(topVia, source) },
      { kind: 'log', line: `${message.method} for ${message.uri}: no such phone in the fleet -> 404` },
    ];
  };

  /**
   * The effects in order, without waiting between them: the 200 OK is handed to the socket before
   * the phone is told (T7), and the phone is told before the sender can have the answer, so that
   * whoever waits for the storm's answers finds every round already started.
   */
  const perform = (effects: readonly UasEffect[], mac: Mac | undefined): void => {
    for (const effect of effects) {
      if (effect.kind === 'send') send(effect.message, effect.to);
      else if (effect.kind === 'log') log(effect.line);
      else if (mac) {
        delivered++;
        try {
          options.onCheckSync(mac, effect.event);
        } catch (error) {
          log(`check-sync for ${mac} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  };

  socket.on('message', (datagram: Buffer, remote: RemoteInfo) => {
    const source = { address: remote.address, port: remote.port };
    let effects: UasEffect[];
    let mac: Mac | undefined;
    try {
      // The Request-URI from the start line: the datagram is parsed here only for a 404, and
      // otherwise once, by the user agent server.
      const start = START_LINE.exec(datagram.toString('latin1', 0, 256));
      if (start && start[1]!.toUpperCase() !== 'ACK') {
        const user = requestUser(start[2]!);
        const parsed = user === undefined ? undefined : parseMac(user);
        if (parsed?.ok && options.isPhone(parsed.mac)) mac = parsed.mac;
        else {
          const message = parseSipMessage(datagram);
          if (message.kind === 'request' && message.topVia)
            effects = notFound(message, message.topVia, source);
        }
      }
      // Everything else (a phone's request, a response, garbage) is the user agent server's to answer.
      effects ??= uas.receive(datagram, source, Date.now());
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      effects = [{ kind: 'log', line: `internal error on a datagram: ${text}` }];
    }
    perform(effects, mac);
  });

  await new Promise<void>((resolve, reject) => {
    const refused = (error: Error) => {
      socket.close();
      reject(new Error(`cannot listen for SIP on ${host} UDP port ${options.port ?? 0}: ${error.message}`));
    };
    socket.once('error', refused);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', refused);
      resolve();
    });
  });
  socket.on('error', (error) => log(`socket error: ${error.message}`));

  return {
    host,
    port: socket.address().port,
    delivered: () => delivered,
    close: async () => {
      if (closed) return;
      if (sending > 0) await new Promise<void>((resolve) => (drained = resolve));
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

export interface StormOptions {
  readonly host: string;
  readonly port: number;
  /** `Event: check-sync;reboot=true`. */
  readonly reboot?: boolean;
  /** NOTIFY transactions at once. */
  readonly concurrency: number;
  /** No NOTIFY is sent once this is aborted (those under way run to their answer). */
  readonly signal?: AbortSignal;
  /** Called as each NOTIFY goes out (its first transmission). */
  readonly onSent?: (mac: Mac) => void;
  /** Called as each NOTIFY is answered (or not). */
  readonly onOutcome?: (mac: Mac, outcome: NotifyOutcome) => void;
}

/**
 * Sends every phone its check-sync NOTIFY in the order given, from one socket, `concurrency`
 * transactions at once (each retransmitted on RFC 3261's timers until answered or Timer F).
 */
export async function sendNotifyStorm(macs: readonly Mac[], options: StormOptions): Promise<void> {
  const client = await openNotifyClient({ type: isIPv6(options.host) ? 'udp6' : 'udp4' });
  let next = 0;
  const worker = async () => {
    while (next < macs.length && !options.signal?.aborted) {
      const mac = macs[next++]!;
      const onSent = options.onSent;
      const outcome = await client.send({
        host: options.host,
        port: options.port,
        user: mac,
        ...(options.reboot && { reboot: true }),
        ...(onSent && { onSent: () => onSent(mac) }),
      });
      options.onOutcome?.(mac, outcome);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.concurrency, macs.length)) }, worker),
    );
  } finally {
    await client.close();
  }
}
