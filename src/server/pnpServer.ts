// Our PnP server (spec S2, reference §7 "Reply that works"): listens on 224.0.1.75:5060 for the
// phones' ua-profile SUBSCRIBEs, answers each 200 OK, then sends the phone a NOTIFY whose
// application/url body is the provisioning URL, retransmitted until the phone's 200 OK. `$MAC` in
// the URL becomes the subscriber's MAC (12 lower-case hex digits), so one server can hand each
// phone its own file or folder (`http://prov/$MAC.boot`).
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { runTransaction, sourceAddressToward, type RunningTransaction } from '../sip/liveTransaction.js';
import {
  buildPnpNotify,
  expandPnpUrl,
  headerOf,
  notifyDestination,
  PNP_GROUP,
  PNP_PORT,
  readPnpSubscribe,
  readSipDatagram,
  type PnpSubscribe,
} from '../discovery/pnpMessages.js';
import { TIMER_F } from '../sip/clientTransaction.js';
import { buildResponse, type EchoedHeaders, type SipRequest } from '../sip/message.js';
import { ServerTransactionTable, transactionId } from '../sip/serverTransactions.js';
import { responseDestination, stampTopVia, type Address, type TopVia } from '../sip/via.js';

export interface PnpServed {
  readonly mac: string;
  readonly model?: string;
  /** The Event header's `version`. */
  readonly firmware?: string;
  /** Where the NOTIFY went: `10.77.0.2:5059`. */
  readonly to: string;
  /** The URL sent, `$MAC` expanded. */
  readonly url: string;
}

export interface PnpServerOptions {
  /** The provisioning URL to hand out; `$MAC` is replaced by each phone's MAC. */
  readonly url: string;
  /** Default 5060 (reference §7). */
  readonly port?: number;
  /**
   * Default `0.0.0.0`. Linux hands a datagram sent to 224.0.1.75 only to sockets bound to the
   * wildcard or to the group itself, so a unicast address here hears unicast SUBSCRIBEs only.
   */
  readonly address?: string;
  /** The group joined (addMembership); default 224.0.1.75, `''` joins none. */
  readonly group?: string;
  /** Once per phone served, when its NOTIFY is first sent. */
  readonly onServed?: (served: PnpServed) => void;
  /** What the server ignored or refused, and how each NOTIFY ended. */
  readonly log?: (line: string) => void;
}

export interface PnpServer {
  readonly port: number;
  close(): Promise<void>;
}

const USER_AGENT = 'autop PnP server';
const at = (a: Address) => `${a.address}:${a.port}`;
const newTag = () => randomBytes(6).toString('hex');
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function startPnpServer(options: PnpServerOptions): Promise<PnpServer> {
  const address = options.address ?? '0.0.0.0';
  const group = options.group ?? PNP_GROUP;
  const log = options.log ?? (() => {});
  // reuseAddr: other listeners on the group's port (a PBX on 5060) need not stop us, nor we them.
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const subscribes = new ServerTransactionTable();
  /** NOTIFYs in flight, by their Via branch: the phone's 200 OK names it. */
  const notifies = new Map<string, RunningTransaction>();
  let closed = false;

  await new Promise<void>((resolve, reject) => {
    const refused = (error: Error) => {
      socket.close();
      reject(
        new Error(
          `cannot listen for PnP on ${address} UDP port ${options.port ?? PNP_PORT}: ${error.message}`,
        ),
      );
    };
    socket.once('error', refused);
    socket.bind(options.port ?? PNP_PORT, address, () => {
      socket.off('error', refused);
      resolve();
    });
  });
  const port = socket.address().port;
  if (group !== '') {
    try {
      socket.addMembership(group, address === '0.0.0.0' ? undefined : address);
    } catch (e) {
      socket.close();
      throw new Error(
        `cannot join the multicast group ${group}: ${messageOf(e)} (is there a route to 224.0.0.0/4?)`,
      );
    }
  }
  socket.on('error', (error) => log(`socket error: ${error.message}`));

  const send = (message: string, to: Address) => {
    if (closed) return;
    try {
      socket.send(message, to.port, to.address, (error) => {
        if (error) log(`cannot send to ${at(to)}: ${error.message}`);
      });
    } catch (e) {
      // A Via or Contact naming port 0, or the socket closing meanwhile.
      log(`cannot send to ${at(to)}: ${messageOf(e)}`);
    }
  };

  const respond = (
    echo: EchoedHeaders,
    topVia: TopVia,
    source: Address,
    answer: {
      status: number;
      reason?: string;
      headers?: readonly (readonly [string, string])[];
      tag?: string;
    },
  ): { response: string; to: Address } => {
    const response = buildResponse(
      { ...echo, via: stampTopVia(echo.via, topVia, source) },
      {
        status: answer.status,
        toTag: answer.tag ?? newTag(),
        userAgent: USER_AGENT,
        ...(answer.reason !== undefined && { reason: answer.reason }),
        ...(answer.headers && { headers: answer.headers }),
      },
    );
    const to = responseDestination(topVia, source);
    send(response, to);
    return { response, to };
  };

  /** Reference §7: the NOTIFY with the URL, to the Contact, until the phone answers it. */
  const sendNotify = async (subscribe: PnpSubscribe, request: SipRequest, source: Address, tag: string) => {
    const to = notifyDestination(subscribe, request.topVia, source);
    const localAddress = address === '0.0.0.0' ? ((await sourceAddressToward(to)) ?? '127.0.0.1') : address;
    if (closed) return;
    const url = expandPnpUrl(options.url, subscribe.mac);
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const notify = buildPnpNotify(subscribe, request.echo, to, url, {
      localAddress,
      localPort: port,
      branch,
      tag,
      userAgent: USER_AGENT,
    });
    const transaction = runTransaction(
      () => send(notify, to),
      TIMER_F,
      (end) => {
        notifies.delete(branch);
        log(
          end.name === 'completed'
            ? `NOTIFY to ${at(to)} answered ${end.status} ${end.reason}`
            : `NOTIFY to ${at(to)} unanswered after ${end.transmissions} transmissions`,
        );
      },
    );
    notifies.set(branch, transaction);
    options.onServed?.({
      mac: subscribe.mac,
      ...(subscribe.model !== undefined && { model: subscribe.model }),
      ...(subscribe.firmware !== undefined && { firmware: subscribe.firmware }),
      to: at(to),
      url,
    });
  };

  const receiveRequest = (request: SipRequest, datagram: Buffer, source: Address) => {
    const topVia = request.topVia;
    if (request.method === 'ACK') return;
    if (!topVia) return log(`ignored ${request.method} from ${at(source)}: no Via, nowhere to answer`);
    const id = transactionId(request);
    const done = id && subscribes.find(id, Date.now());
    // A retransmitted SUBSCRIBE (our 200 OK was lost) gets the same answer, not a second NOTIFY.
    if (done) return send(done.response, done.destination);
    const remember = (sent: { response: string; to: Address }) => {
      if (id) subscribes.remember(id, sent.response, sent.to, Date.now());
    };
    if (request.method !== 'SUBSCRIBE') {
      remember(respond(request.echo, topVia, source, { status: 405, headers: [['Allow', 'SUBSCRIBE']] }));
      return log(`${request.method} from ${at(source)} -> 405`);
    }
    const reading = readPnpSubscribe(request, headerOf(datagram.toString('utf8'), 'Contact', 'm'));
    if (reading.kind === 'refused') {
      remember(respond(request.echo, topVia, source, reading));
      return log(
        `SUBSCRIBE (Event: ${request.event ?? 'none'}) from ${at(source)} -> ${reading.status} ${reading.reason}`,
      );
    }
    const tag = newTag();
    remember(respond(request.echo, topVia, source, { status: 200, headers: [['Expires', '0']], tag }));
    void sendNotify(reading.subscribe, request, source, tag).catch((e: unknown) =>
      log(`NOTIFY to ${at(source)} not sent: ${messageOf(e)}`),
    );
  };

  const receive = (datagram: Buffer, source: Address) => {
    const incoming = readSipDatagram(datagram, (request, reason) =>
      respond(request.echo, request.topVia, source, { status: 400, reason }),
    );
    switch (incoming.kind) {
      case 'dropped':
        if (incoming.reason !== undefined) log(`ignored a datagram from ${at(source)}: ${incoming.reason}`);
        return;
      case 'response': {
        const transaction =
          incoming.topVia?.branch === undefined ? undefined : notifies.get(incoming.topVia.branch);
        if (!transaction || incoming.cseq?.method !== 'NOTIFY')
          return log(`ignored a ${incoming.status} response from ${at(source)}: not to one of our NOTIFYs`);
        return transaction.respond(incoming.status, incoming.reason, source);
      }
      case 'request':
        return receiveRequest(incoming, datagram, source);
    }
  };

  socket.on('message', (datagram: Buffer, remote: RemoteInfo) => {
    const source = { address: remote.address, port: remote.port };
    try {
      receive(datagram, source);
    } catch (e) {
      // A bug here must not take the server down for every other phone: say so and go on.
      log(
        `internal error on a datagram from ${at(source)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  });

  return {
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const transaction of notifies.values()) transaction.cancel();
      notifies.clear();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
