// PnP on the wire (spec S2, reference §7): the SUBSCRIBE a Yealink phone multicasts at boot, the
// PnP server's 200 OK and NOTIFY carrying the provisioning URL, and what each side reads from the
// other's messages. Pure: no sockets; parsing is src/sip/message.ts's.
import { isIP, isIPv6 } from 'node:net';
import { Grammar } from 'sip.js';
import { parseMac, type Mac } from '../core/mac.js';
import { maskUserInfo } from '../core/url.js';
import { parseEventHeader } from '../sip/event.js';
import {
  missingHeader,
  parseSipMessage,
  type Answerable,
  type SipRequest,
  type SipResponse,
} from '../sip/message.js';
import type { Address, TopVia } from '../sip/via.js';

/** Reference §7: the SUBSCRIBE goes to this group and port; the capture's phone sent from 5059. */
export const PNP_GROUP = '224.0.1.75';
export const PNP_PORT = 5060;
export const PHONE_PNP_PORT = 5059;
/** RFC 6080's event package, the one Yealink's SUBSCRIBE names. */
export const UA_PROFILE = 'ua-profile';
export const APPLICATION_URL = 'application/url';
/** Schemes a provisioning URL can have (spec S5). */
export const PROVISIONING_SCHEMES: readonly string[] = ['http:', 'https:', 'tftp:', 'ftp:'];

const bracketed = (host: string) => (isIPv6(host) ? `[${host}]` : host);

/** Reference §7: `sip:MAC<12 lowercase hex>@224.0.1.75`, no port, no `%3a` (unlike snom). */
export function pnpSubscriberUri(mac: Mac, host: string): string {
  return `sip:MAC${mac}@${bracketed(host)}`;
}

export interface PnpPhone {
  readonly mac: Mac;
  /** As the Event header's `model` parameter carries it (e.g. `T46U`, `W52P`). */
  readonly model: string;
  readonly firmware: string;
  readonly userAgent: string;
}

/** What makes one SUBSCRIBE unique, and where the phone listens for the NOTIFY. */
export interface SubscribeIdentity {
  /** The address written in Via and Contact: the one the server can reach the phone at. */
  readonly localAddress: string;
  readonly localPort: number;
  /**
   * The capture uses one decimal number for the branch (after z9hG4bK), the From tag and the
   * Call-ID's local part; so does this.
   */
  readonly id: string;
}

/** The Via branch of a SUBSCRIBE with this identity (RFC 3261 §8.1.1.7's magic cookie). */
export function subscribeBranch(identity: SubscribeIdentity): string {
  return `z9hG4bK${identity.id}`;
}

/** spec S2: the Event header, parameters quoted and in the capture's order, vendor lower case. */
export function uaProfileEvent(model: string, firmware: string): string {
  return `${UA_PROFILE};profile-type="device";vendor="yealink";model="${model}";version="${firmware}"`;
}

/**
 * The SUBSCRIBE of reference §7's capture, header for header and in its order, addressed to
 * `destinationHost` (224.0.1.75 unless a test sends it elsewhere).
 */
export function buildPnpSubscribe(
  phone: PnpPhone,
  destinationHost: string,
  identity: SubscribeIdentity,
): string {
  const uri = pnpSubscriberUri(phone.mac, destinationHost);
  const local = bracketed(identity.localAddress);
  return [
    `SUBSCRIBE ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local}:${identity.localPort};branch=${subscribeBranch(identity)}`,
    `From: <${uri}>;tag=${identity.id}`,
    `To: <${uri}>`,
    `Call-ID: ${identity.id}@${local}`,
    'CSeq: 1 SUBSCRIBE',
    `Contact: <sip:MAC${phone.mac}@${local}:${identity.localPort}>`,
    'Max-Forwards: 70',
    `User-Agent: ${phone.userAgent}`,
    'Expires: 0',
    `Event: ${uaProfileEvent(phone.model, phone.firmware)}`,
    `Accept: ${APPLICATION_URL}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** What the phone makes of a NOTIFY: the URL to provision from, or why it is unusable. */
export type NotifyReading =
  { readonly kind: 'url'; readonly url: string } | { readonly kind: 'unusable'; readonly reason: string };

/** The media type of a Content-Type value, lower case, parameters dropped. */
function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

const shown = (text: string) => {
  const masked = maskUserInfo(text); // a body may carry a URL with a password
  return JSON.stringify(masked.length > 80 ? `${masked.slice(0, 80)}…` : masked);
};

/**
 * spec S2: the URL is the bare body of an `application/url` NOTIFY. A body of another type, an
 * empty one, or one that is not an absolute http/https/tftp/ftp URL is not a server address.
 * Neither the Event nor the Call-ID is checked: reference §7 gives no sign the phone does, and
 * servers word them differently (`reason=noresource` or `timeout`, their own Call-IDs).
 */
export function readPnpNotify(request: Pick<SipRequest, 'contentType' | 'body'>): NotifyReading {
  const type = mediaType(request.contentType);
  const body = request.body.trim();
  if (type !== APPLICATION_URL || body === '') {
    const what = type === undefined ? 'no Content-Type' : `Content-Type ${type}`;
    return {
      kind: 'unusable',
      reason: `NOTIFY without ${APPLICATION_URL} body (${what}, ${body.length} bytes)`,
    };
  }
  let url: URL;
  try {
    url = new URL(body);
  } catch {
    return { kind: 'unusable', reason: `NOTIFY body is not a URL: ${shown(body)}` };
  }
  if (!PROVISIONING_SCHEMES.includes(url.protocol))
    return {
      kind: 'unusable',
      reason: `NOTIFY body is not a URL: ${shown(body)} (scheme ${url.protocol} is not http, https, tftp or ftp)`,
    };
  return { kind: 'url', url: body };
}

/** A ua-profile SUBSCRIBE as the server reads it. */
export interface PnpSubscribe {
  readonly mac: Mac;
  /** The Event header's parameters (absent when the phone left them out). */
  readonly model: string | undefined;
  readonly firmware: string | undefined;
  /** The Contact's URI (the NOTIFY's Request-URI), and its address when it names an IP. */
  readonly contactUri: string | undefined;
  readonly contact: Address | undefined;
}

export type SubscribeReading =
  | { readonly kind: 'pnp'; readonly subscribe: PnpSubscribe }
  | {
      readonly kind: 'refused';
      readonly status: number;
      readonly reason: string;
      readonly headers?: readonly (readonly [string, string])[];
    };

/**
 * Reads the MAC from the user part of a URI: `MAC001565f4f9e1` (Yealink, reference §7) or
 * `MAC%3a000413123456` (snom's form, accepted as well: a PnP server answers whoever asks).
 */
export function macOfPnpUri(uri: string): Mac | undefined {
  const parsed = Grammar.URIParse(uri.replace(/^<|>$/g, ''));
  const user = parsed?.user === undefined ? undefined : decodeURIComponent(parsed.user);
  const hex = user === undefined ? undefined : /^MAC:?([0-9A-Fa-f]{12})$/i.exec(user)?.[1];
  if (hex === undefined) return undefined;
  const mac = parseMac(hex);
  return mac.ok ? mac.mac : undefined;
}

/** The URI inside a Contact value, and the IP address and port it names (5060 when none). */
export function readContact(value: string | undefined): { uri: string; address?: Address } | undefined {
  if (value === undefined) return undefined;
  const parsed = Grammar.nameAddrHeaderParse(value.trim());
  if (!parsed) return undefined;
  const uri = parsed.uri;
  const host = uri.host.replace(/^\[(.*)\]$/, '$1');
  return {
    uri: uri.toString(),
    ...(isIP(host) !== 0 && { address: { address: host, port: uri.port ?? PNP_PORT } }),
  };
}

/**
 * The first value of a header in a raw datagram, long or compact name (RFC 3261 §7.3.3), folded
 * lines joined. src/sip/message.ts does not hand the Contact on, so it is read here.
 */
export function headerOf(datagram: string, name: string, compact?: string): string | undefined {
  const head = datagram.split('\r\n\r\n', 1)[0] ?? '';
  const names = [name.toLowerCase(), compact?.toLowerCase()].filter((n) => n !== undefined);
  for (const line of head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && names.includes(line.slice(0, colon).trim().toLowerCase()))
      return line.slice(colon + 1).trim();
  }
  return undefined;
}

/**
 * The server's reading of a SUBSCRIBE: a ua-profile one (spec S2) is served; another event
 * package gets 489 Bad Event (RFC 6665 §8.2.2), a missing header or MAC 400.
 */
export function readPnpSubscribe(request: SipRequest, contactHeader: string | undefined): SubscribeReading {
  const echo = request.echo;
  const missing = missingHeader(echo);
  if (missing) return { kind: 'refused', status: 400, reason: `Missing ${missing} Header` };
  const event = request.event === undefined ? undefined : parseEventHeader(request.event);
  if (event?.package !== UA_PROFILE)
    return { kind: 'refused', status: 489, reason: 'Bad Event', headers: [['Allow-Events', UA_PROFILE]] };
  const mac =
    macOfPnpUri(request.uri) ?? (request.from === undefined ? undefined : macOfPnpUri(request.from));
  if (mac === undefined) return { kind: 'refused', status: 400, reason: 'No MAC in the Request-URI' };
  const contact = readContact(contactHeader);
  return {
    kind: 'pnp',
    subscribe: {
      mac,
      model: event.params.model,
      firmware: event.params.version,
      contactUri: contact?.uri,
      contact: contact?.address,
    },
  };
}

/** `$MAC` in the URL becomes the subscriber's MAC, 12 lower-case hex digits (spec S4's form). */
export function expandPnpUrl(url: string, mac: Mac): string {
  return url.replace(/\$MAC/g, mac);
}

/**
 * Where the NOTIFY goes (reference §7, unicast): the Contact when it names an IP address, else
 * the top Via's sent-by when it does, else the address the SUBSCRIBE came from.
 */
export function notifyDestination(
  subscribe: PnpSubscribe,
  topVia: TopVia | undefined,
  source: Address,
): Address {
  if (subscribe.contact) return subscribe.contact;
  const viaHost = topVia?.host.replace(/^\[(.*)\]$/, '$1');
  if (viaHost !== undefined && isIP(viaHost) !== 0)
    return { address: viaHost, port: topVia?.port ?? PNP_PORT };
  return source;
}

/** A To that already has a tag keeps it (it is then the dialog's); otherwise `tag` is added. */
export function withTag(nameAddr: string, tag: string): string {
  return /;\s*tag\s*=/i.test(nameAddr) ? nameAddr : `${nameAddr};tag=${tag}`;
}

export interface NotifyIdentity {
  readonly localAddress: string;
  readonly localPort: number;
  /** Starts with z9hG4bK. */
  readonly branch: string;
  /** The To tag of the 200 OK: the NOTIFY's From tag, so both belong to one dialog. */
  readonly tag: string;
  readonly userAgent: string;
}

/**
 * Reference §7 "Reply that works": `NOTIFY <Contact URI>`, From and To swapped (the server's
 * side carries the 200 OK's tag), `CSeq: 2 NOTIFY`, the subscription terminated at once, and the
 * bare URL as the body: no trailing CRLF, Content-Length its length in bytes.
 */
export function buildPnpNotify(
  subscribe: PnpSubscribe,
  echo: SipRequest['echo'],
  destination: Address,
  url: string,
  id: NotifyIdentity,
): string {
  const requestUri =
    subscribe.contactUri ?? `sip:MAC${subscribe.mac}@${bracketed(destination.address)}:${destination.port}`;
  const local = bracketed(id.localAddress);
  return [
    `NOTIFY ${requestUri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local}:${id.localPort};branch=${id.branch}`,
    `From: ${withTag(echo.to ?? `<${pnpSubscriberUri(subscribe.mac, PNP_GROUP)}>`, id.tag)}`,
    `To: ${echo.from ?? `<${pnpSubscriberUri(subscribe.mac, PNP_GROUP)}>`}`,
    `Call-ID: ${echo.callId ?? `${id.tag}@${local}`}`,
    'CSeq: 2 NOTIFY',
    'Max-Forwards: 70',
    `Event: ${UA_PROFILE}`,
    'Subscription-State: terminated;reason=noresource',
    `Content-Type: ${APPLICATION_URL}`,
    `User-Agent: ${id.userAgent}`,
    `Content-Length: ${Buffer.byteLength(url, 'utf8')}`,
    '',
    url,
  ].join('\r\n');
}

/**
 * A datagram as either PnP party reads it (the phone's client, our server): keep-alives are dropped
 * quietly; a request the parser refused is answered 400 when its start line and top Via can be read
 * (RFC 3261 §21.4.1, never an ACK) and dropped with the reason; a request or a response goes on.
 */
export function readSipDatagram(
  datagram: Buffer,
  badRequest: (request: Answerable, reason: string) => void,
): SipRequest | SipResponse | { readonly kind: 'dropped'; readonly reason?: string } {
  const incoming = parseSipMessage(datagram);
  if (incoming.kind === 'keep-alive') return { kind: 'dropped' };
  if (incoming.kind === 'malformed') {
    const request = incoming.answerable;
    if (request && request.method !== 'ACK') badRequest(request, `Bad Request (${incoming.reason})`);
    return { kind: 'dropped', reason: incoming.reason };
  }
  return incoming;
}
