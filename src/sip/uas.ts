// The phone's SIP user agent server, sans I/O: a datagram and its source in, effects out (what to
// send where, a check-sync round to start, a log line). A provisioning emulator takes no calls: it
// answers NOTIFY check-sync (spec T7) and OPTIONS, refuses the rest, and never stays silent to a
// request it can answer. The socket lives in endpoint.ts.
import { CHECK_SYNC, parseEventHeader, rebootRequested } from './event.js';
import {
  buildResponse,
  missingHeader,
  parseSipMessage,
  type EchoedHeaders,
  type SipRequest,
} from './message.js';
import { randomHex } from './randomHex.js';
import { ServerTransactionTable, stepServerTransaction, transactionId } from './serverTransactions.js';
import { responseDestination, stampTopVia, type Address, type TopVia } from './via.js';

/** The methods this UA answers other than with 405 (ACK is absorbed, never answered). */
export const ALLOW = 'NOTIFY, OPTIONS, CANCEL';
/** RFC 6665 §8.2.2: the event packages this UA takes NOTIFYs for. */
export const ALLOW_EVENTS = CHECK_SYNC;

export interface CheckSyncEvent {
  /** `reboot=true` in the Event header (spec T7; what it leads to is notifyDecision's call). */
  readonly reboot: boolean;
  /** The From URI of the NOTIFY. */
  readonly from: string;
  /** The Event header as written, for notifyDecision. */
  readonly eventHeader: string;
  /** Where the datagram came from. */
  readonly source: Address;
}

export type UasEffect =
  | { readonly kind: 'send'; readonly message: string; readonly to: Address }
  | { readonly kind: 'check-sync'; readonly event: CheckSyncEvent }
  | { readonly kind: 'log'; readonly line: string };

export interface UasOptions {
  /** The phone's UA string, sent in every response. */
  readonly userAgent: string;
  /** To tags for responses; random by default. */
  readonly newTag?: () => string;
  /** How many completed transactions to remember at most. */
  readonly capacity?: number;
}

/** What to answer a request (RFC 3261 §8.2), and the round it starts. */
interface Answer {
  readonly status: number;
  readonly reason?: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly checkSync?: CheckSyncEvent;
}

const at = (a: Address) => `${a.address}:${a.port}`;
const log = (line: string): UasEffect => ({ kind: 'log', line });

export class UserAgentServer {
  private readonly transactions: ServerTransactionTable;
  private readonly newTag: () => string;

  constructor(private readonly options: UasOptions) {
    this.transactions = new ServerTransactionTable(options.capacity);
    this.newTag = options.newTag ?? (() => randomHex(6));
  }

  /** One datagram from `source` at time `now` (epoch ms): the effects, in the order to perform them. */
  receive(datagram: Buffer | string, source: Address, now: number): UasEffect[] {
    const incoming = parseSipMessage(datagram);
    switch (incoming.kind) {
      case 'keep-alive':
        return [];
      case 'response':
        return [log(`ignored a response (${incoming.status} ${incoming.reason}) from ${at(source)}`)];
      case 'malformed': {
        const request = incoming.answerable;
        if (!request || request.method === 'ACK')
          return [log(`ignored a datagram from ${at(source)}: ${incoming.reason}`)];
        // RFC 3261 §21.4.1: a request the parser refused is answered 400, saying why.
        const status = 400;
        return [
          this.respond(request.echo, request.topVia, source, {
            status,
            reason: `Bad Request (${incoming.reason})`,
          }),
          log(`${request.method} from ${at(source)} -> ${status}: ${incoming.reason}`),
        ];
      }
      case 'request':
        return this.receiveRequest(incoming, source, now);
    }
  }

  private receiveRequest(request: SipRequest, source: Address, now: number): UasEffect[] {
    const topVia = request.topVia;
    if (!topVia) return [log(`ignored ${request.method} from ${at(source)}: no Via, nowhere to answer`)];
    // RFC 3261 §17.2.1: an ACK ends an INVITE's error transaction and is never answered.
    if (request.method === 'ACK') return [log(`ACK from ${at(source)} absorbed`)];
    const id = transactionId(request);
    const done = id && this.transactions.find(id, now);
    if (done) {
      const again = stepServerTransaction(done, { kind: 'request' }, now).effects;
      return [
        ...again,
        log(`${request.method} from ${at(source)} again (retransmission): same answer, nothing started`),
      ];
    }
    // RFC 3261 §9.2: a CANCEL names the transaction of the request it cancels.
    const cancelsKnown =
      request.method === 'CANCEL' &&
      id !== undefined &&
      this.transactions.findCancelled(id, now) !== undefined;
    const answer = this.answer(request, source, cancelsKnown);
    const send = this.respond(request.echo, topVia, source, answer);
    if (id) this.transactions.remember(id, send.message, send.to, now);
    const event = request.event === undefined ? '' : ` (Event: ${request.event})`;
    return [
      send,
      ...(answer.checkSync ? [{ kind: 'check-sync', event: answer.checkSync } as const] : []),
      log(`${request.method}${event} from ${at(source)} -> ${answer.status}`),
    ];
  }

  private answer(request: SipRequest, source: Address, cancelsKnown: boolean): Answer {
    // RFC 3261 §8.1.1: the header fields every request carries (Via was checked by the caller;
    // Max-Forwards is not asked for: it matters to proxies, and hand-made NOTIFYs often lack it).
    const echo = request.echo;
    const missing = missingHeader(echo);
    if (missing) return { status: 400, reason: `Missing ${missing} Header` };
    if (request.cseq?.method !== request.method)
      return { status: 400, reason: 'CSeq Method Does Not Match Request' };
    // RFC 3261 §8.2.2.3: no extension is supported, so any required one is refused.
    if (request.require.length > 0 && request.method !== 'CANCEL')
      return { status: 420, headers: [['Unsupported', request.require.join(', ')]] };

    switch (request.method) {
      case 'NOTIFY':
        return answerNotify(request, source);
      case 'OPTIONS':
        return {
          status: 200,
          headers: [
            ['Allow', ALLOW],
            ['Allow-Events', ALLOW_EVENTS],
          ],
        };
      case 'CANCEL':
        // RFC 3261 §9.2: a CANCEL of a request already answered is 200 and changes nothing.
        return { status: cancelsKnown ? 200 : 481 };
      default:
        // A provisioning emulator takes no calls, messages, registrations or subscriptions.
        return { status: 405, headers: [['Allow', ALLOW]] };
    }
  }

  private respond(
    echo: EchoedHeaders,
    topVia: TopVia,
    source: Address,
    answer: Answer,
  ): { readonly kind: 'send'; readonly message: string; readonly to: Address } {
    const message = buildResponse(
      { ...echo, via: stampTopVia(echo.via, topVia, source) },
      {
        status: answer.status,
        toTag: this.newTag(),
        userAgent: this.options.userAgent,
        ...(answer.reason !== undefined && { reason: answer.reason }),
        ...(answer.headers && { headers: answer.headers }),
      },
    );
    return { kind: 'send', message, to: responseDestination(topVia, source) };
  }
}

/** spec T7: NOTIFY with Event check-sync starts a round; other event packages are refused (489). */
function answerNotify(request: SipRequest, source: Address): Answer {
  if (request.event === undefined) return { status: 400, reason: 'Missing Event Header' };
  const event = parseEventHeader(request.event);
  if (!event) return { status: 400, reason: 'Malformed Event Header' };
  if (event.package !== CHECK_SYNC) return { status: 489, headers: [['Allow-Events', ALLOW_EVENTS]] };
  return {
    status: 200,
    checkSync: {
      reboot: rebootRequested(event),
      from: request.from ?? '',
      eventHeader: request.event,
      source,
    },
  };
}
