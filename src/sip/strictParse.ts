// The SIP hot path's own parser (issue #14 §2): a strict, small reader of the messages a NOTIFY
// storm is made of (a PBX's check-sync NOTIFY, the 200 OK that answers it), for the few fields the
// endpoint and the sender need. sip.js stays the parser of record: whatever this reader does not
// fully understand it refuses (undefined), and the caller hands the datagram to sip.js. Pure.
//
// Why: sip.js's grammar is a peggy parser generated in bytecode mode whose `peg$parse` decodes its
// whole bytecode table on every call, before parsing anything, and sip.js calls it once for the
// start line and once per known header: about a millisecond a message (issue #14 §2's profile).
//
// What is accepted is a subset of what sip.js accepts, chosen so that every field read here equals
// what sip.js's parse gives (test/sip/strictParse.test.ts checks both on generated messages):
// CRLF line ends, no folded lines, header names of letters, digits and `-`; From/To as `<URI>` or a
// bare URI with an optional display name and token parameters; URIs `sip:`/`sips:` with an
// unreserved user, an IPv4 address or host name and a port, without parameters; a top Via line with
// one value; each single-valued header once; none of the headers sip.js parses that are not read
// here (Contact, Content-Type, Record-Route, Refer-To, WWW-/Proxy-Authenticate).

/** What the hot path reads of a message, the same whether this reader or sip.js read it. */
export interface MessageFields {
  /** Every Via line, top first, as written (trimmed). */
  readonly via: readonly string[];
  readonly topVia: StrictVia | undefined;
  /** The raw From, To, Call-ID and CSeq values (last of each, as sip.js keeps them). */
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly callId: string | undefined;
  readonly cseqText: string | undefined;
  readonly cseq: { readonly number: number; readonly method: string } | undefined;
  /** The From URI, as sip.js writes it (scheme and host lower case). */
  readonly fromUri: string | undefined;
  readonly fromTag: string | undefined;
  readonly toTag: string | undefined;
  /** The first Event (or compact `o`) value. */
  readonly event: string | undefined;
  /** Every Require line. */
  readonly require: readonly string[];
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
}

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string };

export type StrictMessage = StartLine & { readonly fields: MessageFields };

/** The top Via value (RFC 3261 §20.42) as the transaction layer needs it. */
export interface StrictVia {
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly branch: string | undefined;
  readonly rport: boolean;
}

/** RFC 3261 §25.1 `token`. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** RFC 3261 §25.1 `word` (a Call-ID's parts). */
const WORD = '[A-Za-z0-9\\-.!%*_+`\'~()<>:\\\\"/\\[\\]?{}]+';
const CALL_ID = new RegExp(`^${WORD}(?:@${WORD})?$`);
const DEC_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^${DEC_OCTET}(?:\\.${DEC_OCTET}){3}$`);
/**
 * sip.js's `hostname`: labels of letters, digits, `_` and `-` followed by a dot, then a top label
 * that starts with a letter (no trailing dot: the grammar's repetition would take it and fail).
 */
const HOSTNAME = /^(?:[A-Za-z0-9_-]+\.)*[A-Za-z][A-Za-z0-9-]*$/;
/** An unreserved user part: what sip.js writes back unchanged (no escapes, no `;`, `?`, `/`...). */
const USER = /^[A-Za-z0-9\-_.!~*'()]+$/;
const PORT = /^[0-9]{1,5}$/;
const DIGITS = /^[0-9]{1,9}$/;
const CSEQ = /^([0-9]{1,9}) ([A-Z]+)$/;
/** A display name as a quoted string of plain characters, or tokens separated by one space. */
const DISPLAY_NAME = /^(?:"[A-Za-z0-9 ._-]*"|[A-Za-z0-9\-.!%*_+`'~]+(?: [A-Za-z0-9\-.!%*_+`'~]+)*) ?$/;
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
/** RFC 3261 §25.1 Reason-Phrase, without escapes and non-ASCII. */
const REASON = /^[A-Za-z0-9 \t;/?:@&=+$,\-_.!~*'()]*$/;
const START_REQUEST = /^([A-Z]+) (sips?:[^ ]+) SIP\/2\.0$/;
const START_RESPONSE = /^SIP\/2\.0 ([1-6][0-9][0-9]) (.*)$/;
const VIA_START = /^SIP\/2\.0\/(UDP|TCP|TLS|SCTP|WS|WSS) ([^;:]+)(?::([^;]*))?((?:;.*)?)$/;

/**
 * The methods sip.js reads as themselves. Its grammar commits to a known method that is a prefix
 * of the one written (`NOTIFYX` fails on the X), so only whole known names are taken here.
 */
const METHODS = new Set([
  'ACK',
  'BYE',
  'CANCEL',
  'INFO',
  'INVITE',
  'MESSAGE',
  'NOTIFY',
  'OPTIONS',
  'PRACK',
  'PUBLISH',
  'REFER',
  'REGISTER',
  'SUBSCRIBE',
  'UPDATE',
]);

/** Headers sip.js parses (and refuses a message for) that this reader does not read: sip.js's. */
const NOT_READ = new Set([
  'contact',
  'm',
  'record-route',
  'content-type',
  'c',
  'www-authenticate',
  'proxy-authenticate',
  'refer-to',
  'r',
]);

/** Compact forms (RFC 3261 §7.3.3) of the headers read here. */
const LONG_NAME: Readonly<Record<string, string>> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  l: 'content-length',
};

const isHost = (host: string): boolean => IPV4.test(host) || HOSTNAME.test(host);

/** `sip:user@host:port` without parameters or headers, written as sip.js's URI writes it; or undefined. */
function strictUri(text: string): string | undefined {
  const colon = text.indexOf(':');
  const scheme = text.slice(0, colon);
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  let rest = text.slice(colon + 1);
  let user = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    if (!USER.test(user)) return undefined;
    rest = rest.slice(at + 1);
  }
  const portAt = rest.indexOf(':');
  const host = portAt < 0 ? rest : rest.slice(0, portAt);
  if (!isHost(host)) return undefined;
  let port = '';
  if (portAt >= 0) {
    const digits = rest.slice(portAt + 1);
    if (!PORT.test(digits)) return undefined;
    port = `:${Number(digits)}`;
  }
  return `${scheme}:${user === '' ? '' : `${user}@`}${host.toLowerCase()}${port}`;
}

/** A From or To value: its URI (as sip.js writes it) and tag; undefined when not strictly readable. */
export function strictNameAddr(value: string): { uri: string; tag: string | undefined } | undefined {
  let uriText: string;
  let params: string;
  const open = value.indexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    if (close < 0) return undefined;
    if (open > 0 && !DISPLAY_NAME.test(value.slice(0, open))) return undefined;
    uriText = value.slice(open + 1, close);
    params = value.slice(close + 1);
  } else {
    const semi = value.indexOf(';');
    uriText = semi < 0 ? value : value.slice(0, semi);
    params = semi < 0 ? '' : value.slice(semi);
  }
  const uri = strictUri(uriText);
  if (uri === undefined) return undefined;
  let tag: string | undefined;
  if (params !== '') {
    if (params[0] !== ';') return undefined;
    for (const param of params.slice(1).split(';')) {
      const eq = param.indexOf('=');
      const name = eq < 0 ? param : param.slice(0, eq);
      if (!TOKEN.test(name)) return undefined;
      if (eq >= 0 && !TOKEN.test(param.slice(eq + 1))) return undefined;
      if (name.toLowerCase() === 'tag') {
        // sip.js takes the last tag, its name in any case; a bare `tag` is a parameter of its own.
        if (eq < 0) return undefined;
        tag = param.slice(eq + 1);
      }
    }
  }
  return { uri, tag };
}

/** One Via value, strictly: `SIP/2.0/UDP host[:port];branch=...;rport[=N];received=IPv4;name[=token]`. */
export function strictVia(value: string): StrictVia | undefined {
  const match = VIA_START.exec(value);
  if (!match) return undefined;
  const [, transport, host, port, params] = match;
  if (!isHost(host!)) return undefined;
  if (port !== undefined && !PORT.test(port)) return undefined;
  let branch: string | undefined;
  let rport = false;
  if (params !== '') {
    for (const param of params!.slice(1).split(';')) {
      const eq = param.indexOf('=');
      const name = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
      const val = eq < 0 ? undefined : param.slice(eq + 1);
      if (!TOKEN.test(name)) return undefined;
      if (name === 'branch') {
        // The last branch, as sip.js keeps it.
        if (val === undefined || !TOKEN.test(val)) return undefined;
        branch = val;
      } else if (name === 'rport') {
        if (val !== undefined && !DIGITS.test(val)) return undefined;
        rport = true;
      } else if (name === 'received') {
        if (val === undefined || !IPV4.test(val)) return undefined;
      } else if (name === 'ttl' || name === 'maddr') {
        return undefined;
      } else if (val !== undefined && !TOKEN.test(val)) {
        return undefined;
      }
    }
  }
  return {
    transport: transport!,
    host: host!,
    port: port === undefined ? undefined : Number(port),
    branch,
    rport,
  };
}

/** An Event value strictly (`package[.template];name[=token]`): package and parameters as sip.js gives them. */
export function strictEvent(
  value: string,
): { package: string; params: Record<string, string | undefined> } | undefined {
  const [type = '', ...params] = value.split(';');
  if (!/^[A-Za-z0-9\-!%*_+`'~]+(?:\.[A-Za-z0-9\-!%*_+`'~]+)*$/.test(type)) return undefined;
  const found: Record<string, string | undefined> = {};
  for (const param of params) {
    const eq = param.indexOf('=');
    const name = eq < 0 ? param : param.slice(0, eq);
    const val = eq < 0 ? undefined : param.slice(eq + 1);
    if (!TOKEN.test(name) || (val !== undefined && !TOKEN.test(val))) return undefined;
    found[name.toLowerCase()] = val;
  }
  return { package: type.toLowerCase(), params: found };
}

function startLine(line: string): StartLine | undefined {
  const request = START_REQUEST.exec(line);
  if (request) {
    const method = request[1]!;
    const uri = strictUri(request[2]!);
    return METHODS.has(method) && uri !== undefined ? { kind: 'request', method, uri } : undefined;
  }
  const response = START_RESPONSE.exec(line);
  if (response && REASON.test(response[2]!))
    return { kind: 'response', status: Number(response[1]), reason: response[2]! };
  return undefined;
}

/**
 * Reads a message's start line and the headers the hot path needs, or refuses it (undefined): then
 * sip.js reads it. `text` is the whole datagram decoded as UTF-8.
 */
export function parseStrict(text: string): StrictMessage | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = text.slice(0, headEnd).split('\r\n');
  const start = startLine(lines[0]!);
  if (!start) return undefined;
  const via: string[] = [];
  const require: string[] = [];
  const single = new Map<string, string>();
  let event: string | undefined;
  let compactEvent: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // A folded line (continuation) or a bare CR or LF: sip.js's to read.
    if (/^\s/.test(line) || line.includes('\r') || line.includes('\n')) return undefined;
    const colon = line.indexOf(':');
    if (colon < 0) return undefined;
    const written = line.slice(0, colon);
    if (!HEADER_NAME.test(written)) return undefined;
    const lower = written.toLowerCase();
    const name = LONG_NAME[lower] ?? lower;
    const value = line.slice(colon + 1).trim();
    if (NOT_READ.has(name)) return undefined;
    switch (name) {
      case 'via':
        via.push(value);
        break;
      case 'from':
      case 'to':
      case 'call-id':
      case 'cseq':
      case 'content-length':
      case 'max-forwards':
        if (single.has(name)) return undefined;
        single.set(name, value);
        break;
      case 'event':
        event ??= value;
        break;
      case 'o':
        compactEvent ??= value;
        break;
      case 'require':
        require.push(value);
        break;
    }
  }
  // sip.js parses the first Via line only, as a whole: one value there.
  let topVia: StrictVia | undefined;
  if (via.length > 0) {
    topVia = strictVia(via[0]!);
    if (!topVia) return undefined;
  }
  const from = single.get('from');
  const to = single.get('to');
  const fromParsed = from === undefined ? undefined : strictNameAddr(from);
  const toParsed = to === undefined ? undefined : strictNameAddr(to);
  if ((from !== undefined && !fromParsed) || (to !== undefined && !toParsed)) return undefined;
  const callId = single.get('call-id');
  if (callId !== undefined && !CALL_ID.test(callId)) return undefined;
  const cseqText = single.get('cseq');
  let cseq: MessageFields['cseq'];
  if (cseqText !== undefined) {
    const match = CSEQ.exec(cseqText);
    if (!match || !METHODS.has(match[2]!)) return undefined;
    cseq = { number: Number(match[1]), method: match[2]! };
  }
  const contentLength = single.get('content-length');
  if (contentLength !== undefined && !DIGITS.test(contentLength)) return undefined;
  const maxForwards = single.get('max-forwards');
  if (maxForwards !== undefined && !DIGITS.test(maxForwards)) return undefined;
  return {
    ...start,
    fields: {
      via,
      topVia,
      from,
      to,
      callId,
      cseqText,
      cseq,
      fromUri: fromParsed?.uri,
      fromTag: fromParsed?.tag,
      toTag: toParsed?.tag,
      event: event ?? compactEvent,
      require,
      contentType: undefined,
      contentLength,
    },
  };
}
