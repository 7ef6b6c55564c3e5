// The server transactions a UAS remembers (RFC 3261 §17.2). Every request here is answered at once
// with a final response, so a transaction goes straight to Completed and stays there for Timer J
// (64*T1 = 32 s over UDP for non-INVITE; Timer H, also 64*T1, for an INVITE's error response): a
// retransmitted request within that time gets the same response and is not handed on again.
// Bounded, oldest first out; time is passed in, so tests set it exactly.
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

export interface Completed {
  readonly method: string;
  readonly response: string;
  readonly destination: Address;
  readonly expiresAt: number;
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
    this.entries.set(key, { method: id.method, response, destination, expiresAt: now + this.lifetimeMs });
  }

  /** Timer J fired: every entry is as old as its place in the map, so the expired ones lead. */
  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
