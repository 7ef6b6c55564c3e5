// T10: a round that comes due during a call waits for it, checking every 30 s, for at most 2 hours.
import { MINUTE_MS } from './localTime.js';

export const CALL_CHECK_MS = 30_000;
export const CALL_WAIT_LIMIT_MS = 120 * MINUTE_MS;

export type CallDeferral =
  { readonly kind: 'run'; readonly at: number } | { readonly kind: 'abandon'; readonly at: number };

/**
 * When a round due at `dueAt` runs, given the end of the call in progress (null: no call). The
 * checks fall at dueAt + 30 s, + 60 s, ...; the round runs at the first check at or after the
 * call's end. **Decision:** a call ending exactly at a check counts as ended at it, so a call ending
 * exactly 2 hours after `dueAt` still lets the round run; past that the round is abandoned at 2 h.
 */
export function deferForCall(dueAt: number, callEndsAt: number | null): CallDeferral {
  if (callEndsAt === null || callEndsAt <= dueAt) return { kind: 'run', at: dueAt };
  const checks = Math.ceil((callEndsAt - dueAt) / CALL_CHECK_MS);
  const at = dueAt + checks * CALL_CHECK_MS;
  return at - dueAt <= CALL_WAIT_LIMIT_MS
    ? { kind: 'run', at }
    : { kind: 'abandon', at: dueAt + CALL_WAIT_LIMIT_MS };
}
