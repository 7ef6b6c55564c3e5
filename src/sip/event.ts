// The Event header (RFC 6665 §8.2.1) of a NOTIFY: its package and parameters, read with sip.js's
// grammar, which lowercases the package name. Pure.
import { Grammar } from 'sip.js';

export interface EventHeader {
  /** Lower case: `check-sync`, `ua-profile`, ... */
  readonly package: string;
  /** Parameter names lower case; values as written, quotes removed. */
  readonly params: Readonly<Record<string, string>>;
}

/** The package Yealink phones start a provisioning round for (spec T7). */
export const CHECK_SYNC = 'check-sync';

export function parseEventHeader(value: string): EventHeader | undefined {
  const parsed = Grammar.parse(value.trim(), 'Event') as { event?: unknown; params?: unknown } | -1;
  if (parsed === -1 || typeof parsed.event !== 'string') return undefined;
  const params: Record<string, string> = {};
  if (typeof parsed.params === 'object' && parsed.params !== null) {
    for (const [name, raw] of Object.entries(parsed.params as Record<string, unknown>)) {
      if (typeof raw === 'string') params[name.toLowerCase()] = raw.replace(/^"(.*)"$/s, '$1');
    }
  }
  return { package: parsed.event.toLowerCase(), params };
}

/** spec T7: `Event: check-sync;reboot=true` asks for a reboot after the round (any case). */
export function rebootRequested(event: EventHeader): boolean {
  return event.params.reboot?.toLowerCase() === 'true';
}
