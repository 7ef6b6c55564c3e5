// The Event header (RFC 6665 §8.2.1) of a NOTIFY: its package and parameters, read strictly on the
// hot path (strictParse.ts) or else with sip.js's grammar, which lowercases the package name. Pure.
import { Grammar } from 'sip.js';
import { strictEvent } from './strictParse.js';

export interface EventHeader {
  /** Lower case: `check-sync`, `ua-profile`, ... */
  readonly package: string;
  /** Parameter names lower case; values as written, quotes removed. */
  readonly params: Readonly<Record<string, string>>;
}

/** The package Yealink phones start a provisioning round for (spec T7). */
export const CHECK_SYNC = 'check-sync';

export function parseEventHeader(value: string): EventHeader | undefined {
  const strict = strictEvent(value.trim());
  return strict ? eventHeader(strict.package, strict.params) : parseEventHeaderBySipJs(value);
}

/** The same as parseEventHeader, read by sip.js's grammar alone (the parser of record). */
export function parseEventHeaderBySipJs(value: string): EventHeader | undefined {
  const parsed = Grammar.parse(value.trim(), 'Event') as { event?: unknown; params?: unknown } | -1;
  if (parsed === -1 || typeof parsed.event !== 'string') return undefined;
  const params = typeof parsed.params === 'object' && parsed.params !== null ? parsed.params : {};
  return eventHeader(parsed.event, params as Record<string, unknown>);
}

/** Parameter names lower case, valueless ones left out, quotes removed. */
function eventHeader(name: string, raw: Readonly<Record<string, unknown>>): EventHeader {
  const params: Record<string, string> = {};
  for (const [param, value] of Object.entries(raw)) {
    if (typeof value === 'string') params[param.toLowerCase()] = value.replace(/^"(.*)"$/s, '$1');
  }
  return { package: name.toLowerCase(), params };
}

/** spec T7: `Event: check-sync;reboot=true` asks for a reboot after the round (any case). */
export function rebootRequested(event: EventHeader): boolean {
  return event.params.reboot?.toLowerCase() === 'true';
}
