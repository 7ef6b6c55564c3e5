// DHCPv4 messages (RFC 2131, RFC 2132), pure: building the phone's DISCOVER and REQUEST with the
// `dhcp` package's encoder, and a strict parser of the server's replies that keeps every option's raw
// bytes (custom options 128-254 included). Bad input is a value (`{ ok: false }`), never a throw.
import { createRequire } from 'node:module';
import type { Mac } from '../core/mac.js';

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const MAGIC_COOKIE = 0x63825363;
/** RFC 2131 §2: op..file is 236 bytes; the options field starts with the 4-byte cookie. */
const FIXED_LENGTH = 236;
const OPTIONS_START = FIXED_LENGTH + 4;
/** RFC 951's minimum BOOTP message; some relays and servers drop shorter ones. */
const MIN_REQUEST_LENGTH = 300;

export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageTypeName = keyof typeof MessageType;
const TYPE_NAMES: ReadonlyMap<number, MessageTypeName> = new Map(
  Object.entries(MessageType).map(([name, code]) => [code, name as MessageTypeName]),
);

export const Option = {
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  VENDOR_SPECIFIC: 43,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
} as const;

export interface Dhcp4Message {
  readonly op: number;
  readonly htype: number;
  readonly hlen: number;
  readonly xid: number;
  readonly secs: number;
  readonly flags: number;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  /** The first `hlen` bytes of the 16-byte chaddr field. */
  readonly chaddr: Uint8Array;
  /**
   * Each option's value as sent; an option split over several instances (RFC 3396) or spread over
   * the overloaded `file`/`sname` fields (option 52) is joined, in RFC 3396's order.
   */
  readonly options: ReadonlyMap<number, Uint8Array>;
}

export type Dhcp4Parse =
  { readonly ok: true; readonly message: Dhcp4Message } | { readonly ok: false; readonly reason: string };

const ipAt = (bytes: Uint8Array, offset: number) => Array.from(bytes.subarray(offset, offset + 4)).join('.');

/** Reads one options area (RFC 2132 §2): pads, TLVs, an END. `chunks` collects values by code. */
function readOptions(
  bytes: Uint8Array,
  start: number,
  end: number,
  where: string,
  chunks: Map<number, Uint8Array[]>,
): string | undefined {
  let offset = start;
  while (offset < end) {
    const code = bytes[offset]!;
    if (code === 255) return undefined;
    if (code === 0) {
      offset += 1; // a pad is one byte, with no length (seqbuffer.js skips two)
      continue;
    }
    if (offset + 1 >= end) return `${where}: option ${code} at offset ${offset} has no length byte`;
    const length = bytes[offset + 1]!;
    const valueStart = offset + 2;
    if (valueStart + length > end)
      return `${where}: option ${code} at offset ${offset} claims ${length} bytes, only ${end - valueStart} remain`;
    const list = chunks.get(code) ?? [];
    list.push(bytes.subarray(valueStart, valueStart + length));
    chunks.set(code, list);
    offset = valueStart + length;
  }
  // The file and sname fields, when overloaded, may simply be full; the options field must end.
  return where === 'options' ? 'options: no END option (255) before the end of the message' : undefined;
}

export function parseDhcp4(input: Uint8Array): Dhcp4Parse {
  const bytes = input;
  if (bytes.length < OPTIONS_START)
    return {
      ok: false,
      reason: `truncated: ${bytes.length} bytes, a DHCP message has at least ${OPTIONS_START}`,
    };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(FIXED_LENGTH) !== MAGIC_COOKIE)
    return { ok: false, reason: 'no DHCP magic cookie (99.130.83.99) after the BOOTP header' };
  const hlen = bytes[2]!;
  if (hlen > 16) return { ok: false, reason: `hardware address length ${hlen} exceeds chaddr's 16 bytes` };

  const chunks = new Map<number, Uint8Array[]>();
  const problem = readOptions(bytes, OPTIONS_START, bytes.length, 'options', chunks);
  if (problem) return { ok: false, reason: problem };
  const overload = chunks.get(Option.OVERLOAD);
  if (overload) {
    const value = overload.length === 1 && overload[0]!.length === 1 ? overload[0]![0]! : 0;
    if (value < 1 || value > 3)
      return { ok: false, reason: 'option 52 (overload) must be one byte, 1, 2 or 3' };
    // RFC 3396 §6: options, then file, then sname.
    const fields: [number, number, string][] = [];
    if (value & 1) fields.push([108, 236, 'file']);
    if (value & 2) fields.push([44, 108, 'sname']);
    for (const [start, end, where] of fields) {
      const fieldProblem = readOptions(bytes, start, end, where, chunks);
      if (fieldProblem) return { ok: false, reason: fieldProblem };
    }
  }
  const options = new Map<number, Uint8Array>();
  for (const [code, parts] of chunks)
    options.set(code, parts.length === 1 ? parts[0]! : Buffer.concat(parts));

  return {
    ok: true,
    message: {
      op: bytes[0]!,
      htype: bytes[1]!,
      hlen,
      xid: view.getUint32(4),
      secs: view.getUint16(8),
      flags: view.getUint16(10),
      ciaddr: ipAt(bytes, 12),
      yiaddr: ipAt(bytes, 16),
      siaddr: ipAt(bytes, 20),
      giaddr: ipAt(bytes, 24),
      chaddr: bytes.slice(28, 28 + hlen),
      options,
    },
  };
}

/** Option 53 by name; undefined when absent or not one byte of a known type. */
export function messageTypeOf(message: Dhcp4Message): MessageTypeName | undefined {
  const value = message.options.get(Option.MESSAGE_TYPE);
  return value?.length === 1 ? TYPE_NAMES.get(value[0]!) : undefined;
}

/** An option holding one IPv4 address (1, 50, 54), or undefined when absent or not 4 bytes. */
export function addressOption(message: Dhcp4Message, code: number): string | undefined {
  const value = message.options.get(code);
  return value?.length === 4 ? ipAt(value, 0) : undefined;
}

/** An option holding a list of IPv4 addresses (3, 6); empty when absent or not a multiple of 4. */
export function addressListOption(message: Dhcp4Message, code: number): string[] {
  const value = message.options.get(code);
  if (!value || value.length === 0 || value.length % 4 !== 0) return [];
  const list: string[] = [];
  for (let offset = 0; offset < value.length; offset += 4) list.push(ipAt(value, offset));
  return list;
}

export function uint32Option(message: Dhcp4Message, code: number): number | undefined {
  const value = message.options.get(code);
  return value?.length === 4 ? new DataView(value.buffer, value.byteOffset, 4).getUint32(0) : undefined;
}

// ---- Building the phone's requests -------------------------------------------------------------

/** The `dhcp` package's encoder (CommonJS, untyped): only `format` is used, see dhcp4.ts. */
interface DhcpProtocol {
  format(data: Record<string, unknown>): { _data: Buffer; _w: number };
}
const protocol = createRequire(import.meta.url)('dhcp/lib/protocol.js') as DhcpProtocol;

export interface RequestParameters {
  readonly mac: Mac;
  readonly xid: number;
  /** Seconds since the client began (RFC 2131 `secs`). */
  readonly secs: number;
  /** Option 60, spec S3. */
  readonly vendorClass: string;
  readonly customOption?: number;
  /** Asks for a broadcast answer (flags bit 15): the phone has no address yet. */
  readonly broadcast: boolean;
}

/**
 * spec S3: what the phone asks for in option 55: the subnet mask, router and DNS servers of any
 * client, then the custom option, 66 and 43 that may carry the provisioning server's address.
 */
export function parameterRequestList(customOption?: number): number[] {
  const list: number[] = [Option.SUBNET_MASK, Option.ROUTER, Option.DNS, Option.LEASE_TIME, Option.SERVER_ID];
  if (customOption !== undefined) list.push(customOption);
  list.push(Option.TFTP_SERVER_NAME, Option.VENDOR_SPECIFIC);
  return list;
}

/**
 * The encoder writes ASCII-typed options (60, 61) with Buffer's 'ascii' encoding, which writes each
 * char code's low byte (as latin1 does), and takes `length` as the option length: a latin1 string
 * therefore travels as exactly its bytes.
 */
const asLatin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** RFC 2132 §9.14: hardware type 1 (Ethernet), then the MAC. */
export function clientIdentifier(mac: Mac): Uint8Array {
  return Buffer.concat([Buffer.from([1]), Buffer.from(mac, 'hex')]);
}

/** Throws on what no request can carry: the caller's mistake, not the network's. */
export function checkRequestParameters(p: Pick<RequestParameters, 'vendorClass' | 'customOption'>): void {
  const vendorClass = Buffer.byteLength(p.vendorClass, 'utf8');
  if (vendorClass < 1 || vendorClass > 255)
    throw new RangeError(`option 60 must be 1-255 bytes, "${p.vendorClass}" is ${vendorClass}`);
  const custom = p.customOption;
  if (custom !== undefined && !(Number.isInteger(custom) && custom >= 128 && custom <= 254))
    throw new RangeError(`the custom option must be 128-254 (spec S3), not ${custom}`);
}

function encode(type: number, p: RequestParameters, extra: Record<number, string>): Buffer {
  checkRequestParameters(p);
  const vendorClass = Buffer.from(p.vendorClass, 'utf8');
  const written = protocol.format({
    op: BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: p.xid,
    secs: Math.min(p.secs, 0xffff),
    flags: p.broadcast ? 0x8000 : 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: p.mac.replace(/(..)(?!$)/g, '$1:'),
    sname: '',
    file: '',
    // The encoder writes options in key order (integer keys ascend).
    options: {
      [Option.MESSAGE_TYPE]: type,
      [Option.PARAMETER_REQUEST_LIST]: parameterRequestList(p.customOption),
      [Option.MAX_MESSAGE_SIZE]: 1500,
      [Option.VENDOR_CLASS]: asLatin1(vendorClass),
      [Option.CLIENT_ID]: asLatin1(clientIdentifier(p.mac)),
      ...extra,
    },
  });
  const message = written._data.subarray(0, written._w);
  // Pads (option 0) after END up to the BOOTP minimum.
  return message.length >= MIN_REQUEST_LENGTH
    ? Buffer.from(message)
    : Buffer.concat([message, Buffer.alloc(MIN_REQUEST_LENGTH - message.length)]);
}

export function buildDiscover(p: RequestParameters): Buffer {
  return encode(MessageType.DISCOVER, p, {});
}

/** RFC 2131 §4.3.2, SELECTING: the offered address (50) and the chosen server (54) are MUST. */
export function buildRequest(
  p: RequestParameters & { readonly address: string; readonly server: string },
): Buffer {
  return encode(MessageType.REQUEST, p, {
    [Option.REQUESTED_ADDRESS]: p.address,
    [Option.SERVER_ID]: p.server,
  });
}

// ---- Building replies (for tests and fake servers) ---------------------------------------------

export interface ReplyFields {
  readonly xid: number;
  readonly chaddr: Uint8Array;
  readonly yiaddr?: string;
  readonly op?: number;
  /** In wire order; values are written as given (any code, any bytes, up to 255). */
  readonly options: readonly (readonly [number, Uint8Array])[];
}

/** A server's reply, encoded by hand: the `dhcp` encoder cannot write options it has no type for. */
export function encodeReply(fields: ReplyFields): Buffer {
  const head = Buffer.alloc(OPTIONS_START);
  head[0] = fields.op ?? BOOTREPLY;
  head[1] = 1;
  head[2] = fields.chaddr.length;
  head.writeUInt32BE(fields.xid >>> 0, 4);
  Buffer.from((fields.yiaddr ?? '0.0.0.0').split('.').map(Number)).copy(head, 16);
  Buffer.from(fields.chaddr).copy(head, 28);
  head.writeUInt32BE(MAGIC_COOKIE, FIXED_LENGTH);
  const options = fields.options.map(([code, value]) =>
    Buffer.concat([Buffer.from([code, value.length]), value]),
  );
  return Buffer.concat([head, ...options, Buffer.from([255])]);
}

export const ipBytes = (address: string) => Uint8Array.from(address.split('.').map(Number));
