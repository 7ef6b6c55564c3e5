// SIP messages on the wire (RFC 3261 §7): incoming datagrams parsed (the common ones by strictParse.ts,
// the rest by sip.js's core parser) into small typed values, and responses built from a request's headers (§8.2.6). Pure: no sockets.
import { Core, Grammar } from 'sip.js';
import { parseStrict, strictNameAddr, type MessageFields, type StartLine } from './strictParse.js';
import { parseTopVia, splitHeaderValues, type TopVia } from './via.js';

/** The header lines a response copies from its request (RFC 3261 §8.2.6.2), verbatim. */
export interface EchoedHeaders {
  /** Every Via line, top first. */
  readonly via: readonly string[];
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly callId: string | undefined;
  readonly cseq: string | undefined;
}

export interface CSeq {
  readonly number: number;
  readonly method: string;
}

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly topVia: TopVia | undefined;
  /** The From URI (`sip:pbx@10.0.0.1`), or the raw value when it has none. */
  readonly from: string | undefined;
  readonly fromTag: string | undefined;
  readonly toTag: string | undefined;
  readonly callId: string | undefined;
  readonly cseq: CSeq | undefined;
  /** The Event header as written (long or compact form `o`). */
  readonly event: string | undefined;
  /** Option tags of the Require header(s) (RFC 3261 §20.32). */
  readonly require: readonly string[];
  readonly contentType: string | undefined;
  readonly body: string;
  readonly echo: EchoedHeaders;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly topVia: TopVia | undefined;
  readonly callId: string | undefined;
  readonly cseq: CSeq | undefined;
}

/** A request whose start line and top Via could be read, though the rest could not: 400 it. */
export interface Answerable {
  readonly method: string;
  readonly topVia: TopVia;
  readonly echo: EchoedHeaders;
}

export interface MalformedMessage {
  readonly kind: 'malformed';
  readonly reason: string;
  readonly answerable: Answerable | undefined;
}

/** RFC 5626 §3.5.1: CRLFs alone keep a NAT binding open; nothing to answer. */
export interface KeepAlive {
  readonly kind: 'keep-alive';
}

export type IncomingSip = SipRequest | SipResponse | MalformedMessage | KeepAlive;

/** sip.js needs a logger; its messages become the reason a datagram was not a SIP message. */
function parserLogger(notes: string[]): Core.Logger {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  factory.connector = (_level, _category, _label, content) => notes.push(String(content));
  return factory.getLogger('autop.sip');
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Parses one datagram. Never throws: what is not a SIP message comes back as `malformed`, with
 * enough of the request to answer 400 when its start line and top Via can be read. The common
 * messages are read by strictParse.ts (issue #14 §2: sip.js costs about a millisecond a message);
 * whatever it refuses, sip.js reads, with the same result.
 */
export function parseSipMessage(datagram: Buffer | string): IncomingSip {
  const bytes = typeof datagram === 'string' ? Buffer.from(datagram, 'utf8') : datagram;
  const text = bytes.toString('utf8');
  if (/^[\r\n]*$/.test(text)) return { kind: 'keep-alive' };
  const strict = parseStrict(text);
  return strict ? incoming(strict, strict.fields, bytes, text) : parseWithSipJs(bytes, text);
}

/** The same as parseSipMessage, read by sip.js alone: the parser of record (for tests and the bench). */
export function parseSipMessageBySipJs(datagram: Buffer | string): IncomingSip {
  const bytes = typeof datagram === 'string' ? Buffer.from(datagram, 'utf8') : datagram;
  const text = bytes.toString('utf8');
  if (/^[\r\n]*$/.test(text)) return { kind: 'keep-alive' };
  return parseWithSipJs(bytes, text);
}

function parseWithSipJs(bytes: Buffer, text: string): IncomingSip {
  const notes: string[] = [];
  let message: Core.IncomingRequestMessage | Core.IncomingResponseMessage | undefined;
  try {
    message = Core.Parser.parseMessage(text, parserLogger(notes));
  } catch (e) {
    // sip.js reads a response's CSeq method without checking that the CSeq parsed.
    notes.push(`sip.js: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!message) return malformed(text, notes.join('; ') || 'not a SIP message');
  const viaLines = message.getHeaders('via');
  const from = message.getHeader('from');
  const fields: MessageFields = {
    via: viaLines,
    topVia: parseTopVia(viaLines),
    from,
    to: message.getHeader('to'),
    callId: message.getHeader('call-id'),
    cseqText: message.getHeader('cseq'),
    cseq: readCSeq(message),
    fromUri: from === undefined ? undefined : (message.from?.uri.toString() ?? from),
    fromTag: message.from ? optional(message.fromTag) : undefined,
    toTag: message.to ? optional(message.toTag) : undefined,
    event: message.getHeader('event') ?? message.getHeader('o'),
    require: message.getHeaders('require'),
    contentType: message.getHeader('content-type'),
    contentLength: message.getHeader('content-length'),
  };
  const start: StartLine =
    message instanceof Core.IncomingResponseMessage
      ? { kind: 'response', status: message.statusCode ?? 0, reason: message.reasonPhrase ?? '' }
      : { kind: 'request', method: message.method, uri: String(message.ruri) };
  return incoming(start, fields, bytes, text);
}

/** The typed message from its start line and fields, whichever parser read them. */
function incoming(start: StartLine, fields: MessageFields, bytes: Buffer, text: string): IncomingSip {
  // Content-Length counts bytes (RFC 3261 §20.14); sip.js counts UTF-16 units, so the body is cut here.
  const headerEnd = bytes.indexOf(HEADER_END);
  const afterHeaders = headerEnd < 0 ? Buffer.alloc(0) : bytes.subarray(headerEnd + HEADER_END.length);
  let body = afterHeaders;
  if (fields.contentLength !== undefined) {
    const length = Number(fields.contentLength);
    // RFC 3261 §18.3: over UDP a request whose body is shorter than its Content-Length is a 400.
    if (length > afterHeaders.length)
      return malformed(text, `Content-Length ${length} but ${afterHeaders.length} bytes of body`);
    body = afterHeaders.subarray(0, length);
  }
  if (start.kind === 'response') {
    return {
      kind: 'response',
      status: start.status,
      reason: start.reason,
      topVia: fields.topVia,
      callId: fields.callId,
      cseq: fields.cseq,
    };
  }
  return {
    kind: 'request',
    method: start.method,
    uri: start.uri,
    topVia: fields.topVia,
    from: fields.fromUri,
    fromTag: fields.fromTag,
    toTag: fields.toTag,
    callId: fields.callId,
    cseq: fields.cseq,
    event: fields.event,
    require: fields.require.flatMap(splitHeaderValues),
    contentType: fields.contentType,
    body: body.toString('utf8'),
    echo: {
      via: fields.via,
      from: fields.from,
      to: fields.to,
      callId: fields.callId,
      cseq: fields.cseqText,
    },
  };
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function readCSeq(message: Core.IncomingMessage): CSeq | undefined {
  if (!message.hasHeader('cseq')) return undefined;
  const parsed = message.parseHeader('cseq') as { value?: unknown; method?: unknown } | undefined;
  return typeof parsed?.value === 'number' && typeof parsed.method === 'string'
    ? { number: parsed.value, method: parsed.method }
    : undefined;
}

/** Long names of the compact forms a response must echo (RFC 3261 §7.3.3). */
const COMPACT: Readonly<Record<string, string>> = { v: 'via', f: 'from', t: 'to', i: 'call-id' };

/** What sip.js refused: if the start line is a request's and a top Via reads, it can be answered. */
function malformed(text: string, reason: string): MalformedMessage {
  const head = text.split('\r\n\r\n', 1)[0] ?? '';
  const [startLine = '', ...lines] = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const start = /^([A-Za-z!%*_+`'~.-]+) \S+ SIP\/2\.0$/.exec(startLine);
  if (!start?.[1]) return { kind: 'malformed', reason, answerable: undefined };
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const long = COMPACT[name] ?? name;
    headers.set(long, [...(headers.get(long) ?? []), line.slice(colon + 1).trim()]);
  }
  const via = headers.get('via') ?? [];
  const topVia = parseTopVia(via);
  if (!topVia) return { kind: 'malformed', reason, answerable: undefined };
  const one = (name: string) => headers.get(name)?.[0];
  return {
    kind: 'malformed',
    reason,
    answerable: {
      method: start[1].toUpperCase(),
      topVia,
      echo: { via, from: one('from'), to: one('to'), callId: one('call-id'), cseq: one('cseq') },
    },
  };
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  405: 'Method Not Allowed',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  489: 'Bad Event',
};

export interface ResponseSpec {
  readonly status: number;
  /** Default: the RFC's phrase for the status. */
  readonly reason?: string;
  /** Added to the To header when it has none (RFC 3261 §8.2.6.2). */
  readonly toTag: string;
  /** The phone's UA string: Yealink phones name themselves with User-Agent in responses too. */
  readonly userAgent: string;
  /** Allow, Allow-Events, Unsupported, ... in this order. */
  readonly headers?: readonly (readonly [name: string, value: string])[];
}

function hasTag(to: string): boolean {
  const strict = strictNameAddr(to);
  if (strict) return strict.tag !== undefined;
  const parsed = Grammar.nameAddrHeaderParse(to);
  return parsed ? parsed.hasParam('tag') : /;\s*tag\s*=/i.test(to);
}

/**
 * A response per RFC 3261 §8.2.6: Via lines, From, Call-ID and CSeq copied as they came, To with
 * a tag added, the phone's User-Agent, no body. Headers the request lacked are left out.
 */
export function buildResponse(echo: EchoedHeaders, spec: ResponseSpec): string {
  const to = echo.to === undefined || hasTag(echo.to) ? echo.to : `${echo.to};tag=${spec.toTag}`;
  const lines = [`SIP/2.0 ${spec.status} ${spec.reason ?? REASONS[spec.status] ?? 'Unknown'}`];
  for (const via of echo.via) lines.push(`Via: ${via}`);
  if (echo.from !== undefined) lines.push(`From: ${echo.from}`);
  if (to !== undefined) lines.push(`To: ${to}`);
  if (echo.callId !== undefined) lines.push(`Call-ID: ${echo.callId}`);
  if (echo.cseq !== undefined) lines.push(`CSeq: ${echo.cseq}`);
  for (const [name, value] of spec.headers ?? []) lines.push(`${name}: ${value}`);
  lines.push(`User-Agent: ${spec.userAgent}`, 'Content-Length: 0');
  return lines.join('\r\n') + '\r\n\r\n';
}

/** RFC 3261 §8.1.1: the first of From, To, Call-ID, CSeq a request lacks, for a 400 answer. */
export function missingHeader(echo: EchoedHeaders): string | undefined {
  const fields = [
    ['From', echo.from],
    ['To', echo.to],
    ['Call-ID', echo.callId],
    ['CSeq', echo.cseq],
  ] as const;
  return fields.find(([, value]) => value === undefined)?.[0];
}
