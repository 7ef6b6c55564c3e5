// The phone's SIP endpoint over UDP (node:dgram): datagrams in, the user agent server's effects
// performed in order (the 200 OK is sent before the check-sync round is started, spec T7).
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { UserAgentServer, type CheckSyncEvent, type UasEffect } from './uas.js';

export interface SipEndpointOptions {
  /** Address to listen on (default 127.0.0.1; `::` or `::1` listen on IPv6). */
  readonly host?: string;
  /** UDP port; 0 picks a free one. */
  readonly port: number;
  /** The phone's UA string (spec S7), sent in every response. */
  readonly userAgent: string;
  /** Once per NOTIFY check-sync transaction, after its 200 OK has been sent. */
  readonly onCheckSync: (event: CheckSyncEvent) => void;
  readonly log?: (line: string) => void;
  /** Epoch ms; drives the transaction timers (default Date.now). */
  readonly now?: () => number;
  /** To tags for responses (default random). */
  readonly newTag?: () => string;
}

export interface SipEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSipEndpoint(options: SipEndpointOptions): Promise<SipEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const uas = new UserAgentServer({
    userAgent: options.userAgent,
    ...(options.newTag && { newTag: options.newTag }),
  });
  let closed = false;
  // One datagram's effects are performed before the next one's, so logs and rounds keep their order.
  let queue = Promise.resolve();

  const send = (message: string, port: number, address: string) =>
    new Promise<void>((resolve) => {
      try {
        socket.send(message, port, address, (error) => {
          if (error) log(`could not send to ${address}:${port}: ${error.message}`);
          resolve();
        });
      } catch (error) {
        // A Via naming port 0, or a socket closed meanwhile: nothing to deliver to.
        log(
          `could not send to ${address}:${port}: ${error instanceof Error ? error.message : String(error)}`,
        );
        resolve();
      }
    });

  const perform = async (effects: readonly UasEffect[]) => {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          if (!closed) await send(effect.message, effect.to.port, effect.to.address);
          break;
        case 'check-sync':
          try {
            options.onCheckSync(effect.event);
          } catch (error) {
            log(`check-sync handler failed: ${error instanceof Error ? error.message : String(error)}`);
          }
          break;
        case 'log':
          log(effect.line);
          break;
      }
    }
  };

  socket.on('message', (datagram: Buffer, remote: RemoteInfo) => {
    let effects: UasEffect[];
    try {
      effects = uas.receive(datagram, { address: remote.address, port: remote.port }, now());
    } catch (error) {
      // A bug in the parser or the UAS must not take the phone down: say so and go on.
      effects = [
        {
          kind: 'log',
          line: `internal error on a datagram from ${remote.address}:${remote.port}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        },
      ];
    }
    queue = queue.then(() => perform(effects));
  });

  await new Promise<void>((resolve, reject) => {
    const refused = (error: Error) => {
      socket.close();
      reject(new Error(`cannot listen for SIP on ${host} UDP port ${options.port}: ${error.message}`));
    };
    socket.once('error', refused);
    socket.bind(options.port, host, () => {
      socket.off('error', refused);
      resolve();
    });
  });

  socket.on('error', (error) => log(`socket error: ${error.message}`));

  return {
    port: socket.address().port,
    close: async () => {
      if (closed) return;
      closed = true;
      await queue;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
