// A non-INVITE client transaction over UDP (RFC 3261 §17.1.2), sans I/O: states and a transition
// function; the caller sends, sets one timer and feeds responses in. sip.js's own transaction
// assumes a reliable transport (no Timer E, Timer K 0), so UDP needs this one.
import type { Step } from '../core/step.js';
import { T1, T2, TIMER_F } from './timers.js';
import type { Address } from './via.js';

export { T1, T2, TIMER_F };

/** Trying, or Proceeding after a provisional response: the request is still being retransmitted. */
export interface Waiting {
  readonly name: 'trying' | 'proceeding';
  readonly startedAt: number;
  /** Timer F, or the caller's shorter limit. */
  readonly deadline: number;
  /** Timer E. */
  readonly nextSendAt: number;
  readonly interval: number;
  readonly transmissions: number;
  readonly provisional: readonly number[];
}

/** A final response arrived (Timer K is not kept: the caller closes its socket, nothing is lost). */
export interface Completed {
  readonly name: 'completed';
  readonly status: number;
  readonly reason: string;
  readonly from: Address;
  readonly transmissions: number;
  readonly provisional: readonly number[];
  /** From the first transmission to the final response. */
  readonly latencyMs: number;
}

/** Timer F fired (or the caller's limit): no final response. */
export interface TimedOut {
  readonly name: 'timed-out';
  readonly transmissions: number;
  readonly waitedMs: number;
}

export type NictState = Waiting | Completed | TimedOut;

export type NictInput =
  | { readonly kind: 'tick'; readonly now: number }
  | {
      readonly kind: 'response';
      readonly now: number;
      readonly status: number;
      readonly reason: string;
      readonly from: Address;
    };

export type NictEffect =
  | { readonly kind: 'send' }
  | { readonly kind: 'provisional'; readonly status: number; readonly reason: string };

export type NictStep = Step<NictState, NictEffect>;

/** Trying: the request goes out, Timer E at T1, Timer F at 64*T1 or `limitMs` if sooner. */
export function startNict(now: number, limitMs: number = TIMER_F): NictStep {
  return {
    state: {
      name: 'trying',
      startedAt: now,
      deadline: now + Math.min(limitMs, TIMER_F),
      nextSendAt: now + T1,
      interval: T1,
      transmissions: 1,
      provisional: [],
    },
    effects: [{ kind: 'send' }],
  };
}

/** When the caller should tick next; undefined once the transaction is over. */
export function nextWake(state: NictState): number | undefined {
  return state.name === 'trying' || state.name === 'proceeding'
    ? Math.min(state.nextSendAt, state.deadline)
    : undefined;
}

export function stepNict(state: NictState, input: NictInput): NictStep {
  if (state.name !== 'trying' && state.name !== 'proceeding') return { state, effects: [] };
  if (input.kind === 'response') {
    if (input.status < 200) {
      return {
        state: { ...state, name: 'proceeding', provisional: [...state.provisional, input.status] },
        effects: [{ kind: 'provisional', status: input.status, reason: input.reason }],
      };
    }
    return {
      state: {
        name: 'completed',
        status: input.status,
        reason: input.reason,
        from: input.from,
        transmissions: state.transmissions,
        provisional: state.provisional,
        latencyMs: input.now - state.startedAt,
      },
      effects: [],
    };
  }
  if (input.now >= state.deadline) {
    return {
      state: {
        name: 'timed-out',
        transmissions: state.transmissions,
        waitedMs: state.deadline - state.startedAt,
      },
      effects: [],
    };
  }
  if (input.now < state.nextSendAt) return { state, effects: [] };
  // Timer E: doubling up to T2 while Trying; every T2 once Proceeding (RFC 3261 §17.1.2.2).
  const interval = state.name === 'trying' ? Math.min(2 * state.interval, T2) : T2;
  return {
    state: {
      ...state,
      nextSendAt: state.nextSendAt + interval,
      interval,
      transmissions: state.transmissions + 1,
    },
    effects: [{ kind: 'send' }],
  };
}
