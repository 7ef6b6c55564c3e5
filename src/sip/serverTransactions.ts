// The server transactions a UAS remembers (RFC 3261 §17.2). Every request here is answered at once
// with a final response, so a transaction goes straight to Completed and stays there for Timer J
// (64*T1 = 32 s over UDP for non-INVITE; Timer H, also 64*T1, for an INVITE's error response): a
// retransmitted request within that time gets the same response and is not handed on again.
// A transaction is a pure machine (`stepServerTransaction`); the table keeps the Completed ones,
// bounded, oldest first out. Time is passed in, so tests set it exactly.
import type { Step } from '../core/step.js';
import type { SipRequest } from './message.js';
import { TIMER_J } from './timers.js';
import { MAGIC_COOKIE, type Address } from './via.js';

export { TIMER_J };

export interface TransactionId {
  /** What a retransmission and a CANCEL share with the original request. */
  readonly match: string;
  readonly method: string;
}

/**
 * RFC 3261 §17.2.3: with a magic-cookie branch, the branch and sent-by (and the method, CANCEL
 * being its own transaction); otherwise the RFC 2543 fields. The CSeq number is part of the match
 * too, so a sender that wrongly reuses a branch for a new NOTIFY still starts a new round.
 */
export function transactionId(request: SipRequest): TransactionId | undefined {
  const via = request.topVia;
  if (!via) return undefined;
  const seq = request.cseq?.number ?? '';
  const match = via.branch?.startsWith(MAGIC_COOKIE)
    ? ['3261', via.branch, `${via.host.toLowerCase()}:${via.port ?? ''}`, seq].join('|')
    : ['2543', request.uri, request.toTag, request.fromTag, request.callId, seq, request.echo.via[0]].join(
        '|',
      );
  return { match, method: request.method };
}

/** The final response sent, kept for retransmissions of the request until Timer J. */
export interface Completed {
  readonly name: 'completed';
  readonly method: string;
  readonly response: string;
  readonly destination: Address;
  readonly expiresAt: number;
}

export type ServerTransaction = Completed | { readonly name: 'terminated' };

export type ServerTransactionEvent =
  /** The request again (RFC 3261 §17.2.2: the response is sent again, nothing handed on). */
  | { readonly kind: 'request' }
  /** Time has passed (Timer J). */
  | { readonly kind: 'tick' };

export type ServerTransactionEffect = {
  readonly kind: 'send';
  readonly message: string;
  readonly to: Address;
};

export type ServerTransactionStep = Step<ServerTransaction, ServerTransactionEffect>;

const TERMINATED: ServerTransaction = { name: 'terminated' };

/** A request answered at once with a final response: sent, and Completed for Timer J. */
export function completeServerTransaction(
  method: string,
  response: string,
  destination: Address,
  now: number,
  lifetimeMs = TIMER_J,
): ServerTransactionStep {
  return {
    state: { name: 'completed', method, response, destination, expiresAt: now + lifetimeMs },
    effects: [{ kind: 'send', message: response, to: destination }],
  };
}

export function stepServerTransaction(
  state: ServerTransaction,
  event: ServerTransactionEvent,
  now: number,
): ServerTransactionStep {
  if (state.name === 'terminated') return { state, effects: [] };
  // Timer J fired: Terminated, and a late retransmission is a new request.
  if (now >= state.expiresAt) return { state: TERMINATED, effects: [] };
  if (event.kind === 'tick') return { state, effects: [] };
  return { state, effects: [{ kind: 'send', message: state.response, to: state.destination }] };
}

export class ServerTransactionTable {
  private readonly entries = new Map<string, Completed>();

  constructor(
    private readonly capacity = 1024,
    private readonly lifetimeMs = TIMER_J,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The response already sent for this transaction, while it is still Completed. */
  find(id: TransactionId, now: number): Completed | undefined {
    this.expire(now);
    return this.entries.get(`${id.method}|${id.match}`);
  }

  /** RFC 3261 §9.2: the transaction a CANCEL names, any method but CANCEL. */
  findCancelled(id: TransactionId, now: number): Completed | undefined {
    this.expire(now);
    for (const [key, entry] of this.entries) {
      if (entry.method !== 'CANCEL' && key === `${entry.method}|${id.match}`) return entry;
    }
    return undefined;
  }

  remember(id: TransactionId, response: string, destination: Address, now: number): void {
    this.expire(now);
    const key = `${id.method}|${id.match}`;
    this.entries.delete(key);
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(
      key,
      completeServerTransaction(id.method, response, destination, now, this.lifetimeMs).state as Completed,
    );
  }

  /** Timer J fired: every entry is as old as its place in the map, so the expired ones lead. */
  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (stepServerTransaction(entry, { kind: 'tick' }, now).state.name === 'completed') break;
      this.entries.delete(key);
    }
  }
}
