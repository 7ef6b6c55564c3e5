// The top Via of a request (RFC 3261 §20.42): the transaction it names (§17.2.3), the stamps a
// server transport adds (§18.2.1, RFC 3581) and where the response goes (§18.2.2). Pure.
import { Grammar } from 'sip.js';

export interface Address {
  readonly address: string;
  readonly port: number;
}

export interface TopVia {
  readonly transport: string;
  /** The sent-by host as written (an IPv6 address keeps its brackets). */
  readonly host: string;
  readonly port: number | undefined;
  readonly branch: string | undefined;
  /** RFC 3581: the client asks for the response at the port it sent from. */
  readonly rport: boolean;
}

/** RFC 3261 §8.1.1.7: a branch that starts with the magic cookie is unique per transaction. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** What sip.js's grammar makes of one Via value (its `Via` rule; unknown fields ignored). */
interface GrammarVia {
  transport?: unknown;
  host?: unknown;
  port?: unknown;
  branch?: unknown;
  rport?: unknown;
  params?: unknown;
}

/**
 * Splits a header line that carries several comma-separated values (RFC 3261 §7.3.1), leaving
 * commas inside quoted strings and angle brackets alone.
 */
export function splitHeaderValues(line: string): string[] {
  const values: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    else if (c === ',' && !quoted && !angle) {
      values.push(line.slice(start, i).trim());
      start = i + 1;
    }
  }
  values.push(line.slice(start).trim());
  return values.filter((v) => v !== '');
}

/**
 * The first Via value of the first Via line. sip.js's own `message.via` is the last value of a
 * line that carries several, so the top one is parsed here with its grammar.
 */
export function parseTopVia(viaLines: readonly string[]): TopVia | undefined {
  const first = viaLines[0];
  if (first === undefined) return undefined;
  const top = splitHeaderValues(first)[0];
  if (top === undefined) return undefined;
  const parsed = Grammar.parse(top, 'Via') as GrammarVia | -1;
  if (parsed === -1 || typeof parsed.host !== 'string') return undefined;
  const params = typeof parsed.params === 'object' && parsed.params !== null ? parsed.params : {};
  return {
    transport: typeof parsed.transport === 'string' ? parsed.transport.toUpperCase() : 'UDP',
    host: parsed.host,
    port: typeof parsed.port === 'number' ? parsed.port : undefined,
    branch: typeof parsed.branch === 'string' ? parsed.branch : undefined,
    // sip.js keeps a valueless `rport` among the generic params, a valued one as a field.
    rport: parsed.rport !== undefined || 'rport' in params,
  };
}

function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: the server transport notes on the top Via where the request
 * really came from (`received` when the sent-by host differs, `rport=PORT` when asked for), so the
 * response, which copies the Via lines, carries them back.
 */
export function stampTopVia(viaLines: readonly string[], top: TopVia, source: Address): string[] {
  const [first, ...rest] = viaLines;
  if (first === undefined) return [];
  const [topValue = '', ...others] = splitHeaderValues(first);
  let stamped = topValue;
  if (top.rport) stamped = stamped.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${source.port}`);
  if (top.rport || bare(top.host).toLowerCase() !== source.address.toLowerCase()) {
    if (!/;\s*received\s*=/i.test(stamped)) stamped += `;received=${source.address}`;
  }
  return [[stamped, ...others].join(', '), ...rest];
}

/**
 * RFC 3261 §18.2.2 for UDP: the response goes to the source address (the `received` stamp, or
 * the sent-by host, which then equals it), at the source port with rport (RFC 3581), else at the
 * sent-by port, 5060 when none is written.
 */
export function responseDestination(top: TopVia, source: Address): Address {
  return { address: source.address, port: top.rport ? source.port : (top.port ?? 5060) };
}
