// DHCPv6 messages (RFC 8415), pure: the client's SOLICIT and REQUEST, and a strict parser of the
// server's ADVERTISE and REPLY, options kept as raw bytes. Bad input is a value, never a throw.
import type { Mac } from '../core/mac.js';

export const MessageType6 = { SOLICIT: 1, ADVERTISE: 2, REQUEST: 3, REPLY: 7 } as const;
export const TYPE6_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'SOLICIT'],
  [2, 'ADVERTISE'],
  [3, 'REQUEST'],
  [4, 'CONFIRM'],
  [5, 'RENEW'],
  [6, 'REBIND'],
  [7, 'REPLY'],
  [8, 'RELEASE'],
  [9, 'DECLINE'],
  [10, 'RECONFIGURE'],
  [11, 'INFORMATION-REQUEST'],
  [12, 'RELAY-FORW'],
  [13, 'RELAY-REPL'],
]);

/** RFC 8415 §21 option codes used here; 59 is RFC 5970's OPT_BOOTFILE_URL (spec S3). */
export const Option6 = {
  CLIENTID: 1,
  SERVERID: 2,
  IA_NA: 3,
  IAADDR: 5,
  ORO: 6,
  PREFERENCE: 7,
  ELAPSED_TIME: 8,
  STATUS_CODE: 13,
  BOOTFILE_URL: 59,
  SOL_MAX_RT: 82,
} as const;

export const STATUS_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Success'],
  [1, 'UnspecFail'],
  [2, 'NoAddrsAvail'],
  [3, 'NoBinding'],
  [4, 'NotOnLink'],
  [5, 'UseMulticast'],
  [6, 'NoPrefixAvail'],
]);

export interface Option6Value {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface Dhcp6Message {
  readonly type: number;
  /** 24 bits. */
  readonly transactionId: number;
  /** In wire order; a code may repeat (several IA_NA). */
  readonly options: readonly Option6Value[];
}

export type Parse6<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A sequence of options (RFC 8415 §21.1): code (2), length (2), data; nothing may be left over. */
export function parseOptions6(bytes: Uint8Array, where = 'options'): Parse6<Option6Value[]> {
  const options: Option6Value[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length)
      return {
        ok: false,
        reason: `${where}: ${bytes.length - offset} stray bytes at offset ${offset}, an option header is 4`,
      };
    const code = (bytes[offset]! << 8) | bytes[offset + 1]!;
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (offset + 4 + length > bytes.length)
      return {
        ok: false,
        reason: `${where}: option ${code} at offset ${offset} claims ${length} bytes, only ${bytes.length - offset - 4} remain`,
      };
    options.push({ code, data: bytes.subarray(offset + 4, offset + 4 + length) });
    offset += 4 + length;
  }
  return { ok: true, value: options };
}

export function parseDhcp6(bytes: Uint8Array): Parse6<Dhcp6Message> {
  if (bytes.length < 4)
    return { ok: false, reason: `truncated: ${bytes.length} bytes, a DHCPv6 message has at least 4` };
  const type = bytes[0]!;
  if (type === 12 || type === 13)
    return { ok: false, reason: `a relay message (${TYPE6_NAMES.get(type)}), not for a client` };
  const options = parseOptions6(bytes.subarray(4));
  if (!options.ok) return options;
  return {
    ok: true,
    value: { type, transactionId: (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!, options: options.value },
  };
}

export const firstOption = (options: readonly Option6Value[], code: number) =>
  options.find((o) => o.code === code)?.data;

export function encodeOption6(code: number, data: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(code, 0);
  head.writeUInt16BE(data.length, 2);
  return Buffer.concat([head, data]);
}

export function encodeDhcp6(message: Dhcp6Message): Buffer {
  const head = Buffer.from([
    message.type,
    (message.transactionId >> 16) & 0xff,
    (message.transactionId >> 8) & 0xff,
    message.transactionId & 0xff,
  ]);
  return Buffer.concat([head, ...message.options.map((o) => encodeOption6(o.code, o.data))]);
}

/** RFC 8415 §11.4 DUID-LL: type 3, hardware type 1 (Ethernet), the MAC. Stable across boots. */
export function duidLl(mac: Mac): Uint8Array {
  return Buffer.concat([Buffer.from([0, 3, 0, 1]), Buffer.from(mac, 'hex')]);
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

/** The IAID for the phone's one IA_NA: the MAC's last four bytes, stable as RFC 8415 §12 asks. */
export const iaidOf = (mac: Mac) => Buffer.from(mac, 'hex').readUInt32BE(2);

/** IA_NA with T1 = T2 = 0 (the server chooses, §21.4) and the given sub-options. */
export function iaNa(iaid: number, inner: readonly Option6Value[] = []): Uint8Array {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32BE(iaid >>> 0, 0);
  return Buffer.concat([fixed, ...inner.map((o) => encodeOption6(o.code, o.data))]);
}

export interface Solicit6 {
  readonly mac: Mac;
  readonly transactionId: number;
  /** Hundredths of a second since the exchange began (§21.9), capped at 0xffff. */
  readonly elapsedCs: number;
  readonly customOption?: number;
}

/**
 * spec S3: the phone asks for the custom option and option 59. §18.2.1 also has every SOLICIT ask
 * for SOL_MAX_RT (82). No Vendor Class (16): spec S3 names no DHCPv6 vendor class and Yealink's
 * enterprise number is not in the reference; enterprise number 0 is reserved, not a vendor.
 */
export function optionRequest(customOption?: number): Uint8Array {
  const codes: number[] = [Option6.SOL_MAX_RT];
  if (customOption !== undefined) codes.push(customOption);
  codes.push(Option6.BOOTFILE_URL);
  return Buffer.concat(codes.map(u16));
}

function clientOptions(p: Solicit6): Option6Value[] {
  return [
    { code: Option6.CLIENTID, data: duidLl(p.mac) },
    { code: Option6.ELAPSED_TIME, data: u16(Math.min(Math.max(0, Math.round(p.elapsedCs)), 0xffff)) },
    { code: Option6.ORO, data: optionRequest(p.customOption) },
  ];
}

export function buildSolicit(p: Solicit6): Buffer {
  return encodeDhcp6({
    type: MessageType6.SOLICIT,
    transactionId: p.transactionId,
    options: [...clientOptions(p), { code: Option6.IA_NA, data: iaNa(iaidOf(p.mac)) }],
  });
}

/** §18.2.2: the chosen server's identifier, and the IA_NA as the ADVERTISE gave it (its address). */
export function buildRequest6(
  p: Solicit6 & { readonly serverId: Uint8Array; readonly ia: Uint8Array },
): Buffer {
  return encodeDhcp6({
    type: MessageType6.REQUEST,
    transactionId: p.transactionId,
    options: [
      ...clientOptions(p),
      { code: Option6.SERVERID, data: p.serverId },
      { code: Option6.IA_NA, data: p.ia },
    ],
  });
}

/** A Status Code option (§21.13): code and its UTF-8 message. */
export interface Status6 {
  readonly code: number;
  readonly message: string;
}

export function readStatus(data: Uint8Array | undefined): Status6 | undefined {
  if (!data || data.length < 2) return undefined;
  return { code: (data[0]! << 8) | data[1]!, message: Buffer.from(data.subarray(2)).toString('utf8') };
}

export const describeStatus = (s: Status6) =>
  `${STATUS_NAMES.get(s.code) ?? `status ${s.code}`}${s.message ? `: ${s.message}` : ''}`;

/** What one IA_NA holds: its IAID, the addresses with a non-zero valid lifetime, its status. */
export interface IaNa {
  readonly iaid: number;
  readonly addresses: readonly string[];
  readonly status?: Status6;
}

export function readIaNa(data: Uint8Array): Parse6<IaNa> {
  if (data.length < 12) return { ok: false, reason: `IA_NA of ${data.length} bytes, at least 12 expected` };
  const inner = parseOptions6(data.subarray(12), 'IA_NA');
  if (!inner.ok) return inner;
  const addresses: string[] = [];
  for (const option of inner.value) {
    if (option.code !== Option6.IAADDR) continue;
    if (option.data.length < 24)
      return { ok: false, reason: `IAADDR of ${option.data.length} bytes, at least 24 expected` };
    const validLifetime = Buffer.from(option.data).readUInt32BE(20);
    if (validLifetime > 0) addresses.push(ipv6Text(option.data.subarray(0, 16)));
  }
  const status = readStatus(firstOption(inner.value, Option6.STATUS_CODE));
  return {
    ok: true,
    value: {
      iaid: Buffer.from(data).readUInt32BE(0),
      addresses,
      ...(status && { status }),
    },
  };
}

/** RFC 5952 text form: lower case, the longest run of two or more zero groups as `::`. */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
