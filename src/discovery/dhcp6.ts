// The phone's DHCPv6 client (spec S3, reference §8): SOLICIT -> ADVERTISE -> REQUEST -> REPLY
// (RFC 8415 §18.2), asking for the custom option and option 59 (RFC 5970 boot file URL), bounded
// by timeoutMs; never rejects. A pure state machine, driven by exchange.ts's `runExchange`.
//
// Our own, over node:dgram, because no npm package fits (checked when this was written): `npm
// search dhcpv6` could not be run (the search endpoint answered 404), and a list of the npm
// registry's ~227,000 most used package names has none named for DHCPv6 (dhcp6, dhcpv6); its one
// DHCP protocol package, `dhcp` (npm view dhcp: 0.2.20, "A DHCP server written in JavaScript"), is
// IPv4 only: no udp6 socket and no DHCPv6 message anywhere in node_modules/dhcp/lib.
//
// Kept small, and where it departs from RFC 8415 it says so: no random delay before the first
// SOLICIT (§18.2.1 allows one of up to SOL_MAX_DELAY = 1 s), retransmissions evenly spaced within
// timeoutMs rather than doubling from 1 s, and no Information-request for stateless servers.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { parseMac, type Mac } from '../core/mac.js';
import type { Step } from '../core/step.js';
import {
  bindSocket,
  checkExchangeOptions,
  closeSocket,
  ignored as ignoredLine,
  runExchange,
  send,
  type ExchangeEffect,
} from './exchange.js';
import {
  buildRequest6,
  buildSolicit,
  describeStatus,
  duidLl,
  firstOption,
  hexOf,
  iaidOf,
  MessageType6,
  Option6,
  parseDhcp6,
  readIaNa,
  readStatus,
  TYPE6_NAMES,
  type Dhcp6Message,
} from './dhcp6Message.js';
import { decodeOptionText, type OptionText } from './optionText.js';

export interface Dhcp6Options {
  readonly mac: Mac;
  /** The link to multicast on: the scope of ff02::1:2. */
  readonly interfaceName: string;
  /** spec S3 `list_user6_options`. */
  readonly customOption?: number;
  readonly timeoutMs: number;
  /** SOLICIT transmissions within timeoutMs (default 3), evenly spaced. */
  readonly attempts?: number;
  readonly serverPort?: number;
  readonly clientPort?: number;
  /** Default ff02::1:2 (All_DHCP_Relay_Agents_and_Servers), scoped to interfaceName. */
  readonly serverAddress?: string;
  readonly signal?: AbortSignal;
}

export interface Dhcp6Result {
  /** The address in the REPLY's IA_NA (the emulator reports it, it does not configure it). */
  readonly address?: string;
  /** The server's DUID, hex; set once a REPLY confirmed the exchange. */
  readonly server?: string;
  /** spec S3, from the REPLY, else from the ADVERTISE it confirmed. */
  readonly custom?: OptionText;
  readonly option59?: OptionText;
  readonly ignored: readonly string[];
  readonly waitedMs: number;
  /** Why nothing could be sent or heard (port 546 taken, no such interface). */
  readonly failed?: string;
}

/** An ADVERTISE that passed every check. */
interface Advert {
  readonly message: Dhcp6Message;
  readonly serverId: Uint8Array;
  readonly preference: number;
  /** Our IA_NA as the server filled it in, to be sent back in the REQUEST. */
  readonly ia: Uint8Array;
}

export type Dhcp6State =
  | {
      readonly name: 'soliciting';
      readonly transactionId: number;
      readonly startedAt: number;
      readonly nextSendAt: number;
      /** §18.2.1: ADVERTISEs are collected until the first retransmission time. */
      readonly collectUntil: number;
      readonly best?: Advert;
    }
  | {
      readonly name: 'requesting';
      readonly transactionId: number;
      readonly startedAt: number;
      readonly nextSendAt: number;
      readonly advert: Advert;
    }
  | { readonly name: 'done'; readonly advert: Advert; readonly reply: Dhcp6Message };

export interface Dhcp6Machine {
  readonly mac: Mac;
  readonly customOption?: number;
  readonly intervalMs: number;
  /** A fresh 24-bit transaction id. */
  readonly newTransactionId: () => number;
}

/** SOL_TIMEOUT (§7.6): the first retransmission time, hence the end of the collecting. */
const SOL_TIMEOUT_MS = 1000;

export type Dhcp6Step = Step<Dhcp6State, ExchangeEffect>;

const none = (state: Dhcp6State, ignored: string[] = []): Dhcp6Step => ({
  state,
  effects: ignored.map(ignoredLine),
});
const elapsedCs = (startedAt: number, now: number) => (now - startedAt) / 10;
const hex6 = (n: number) => `0x${n.toString(16).padStart(6, '0')}`;

function solicit(m: Dhcp6Machine, transactionId: number, startedAt: number, now: number): Buffer {
  return buildSolicit({
    mac: m.mac,
    transactionId,
    elapsedCs: elapsedCs(startedAt, now),
    ...(m.customOption !== undefined && { customOption: m.customOption }),
  });
}

function request(m: Dhcp6Machine, state: Extract<Dhcp6State, { name: 'requesting' }>, now: number): Buffer {
  return buildRequest6({
    mac: m.mac,
    transactionId: state.transactionId,
    elapsedCs: elapsedCs(state.startedAt, now),
    ...(m.customOption !== undefined && { customOption: m.customOption }),
    serverId: state.advert.serverId,
    ia: state.advert.ia,
  });
}

export function startDhcp6(m: Dhcp6Machine, now: number): Dhcp6Step {
  const transactionId = m.newTransactionId();
  return {
    state: {
      name: 'soliciting',
      transactionId,
      startedAt: now,
      nextSendAt: now + m.intervalMs,
      collectUntil: now + Math.min(SOL_TIMEOUT_MS, m.intervalMs),
    },
    effects: [send(solicit(m, transactionId, now, now))],
  };
}

/** §18.2.2: a REQUEST to the chosen server, in a transaction of its own. */
function requestFrom(m: Dhcp6Machine, advert: Advert, now: number, ignored: string[] = []): Dhcp6Step {
  const state = {
    name: 'requesting' as const,
    transactionId: m.newTransactionId(),
    startedAt: now,
    nextSendAt: now + m.intervalMs,
    advert,
  };
  return { state, effects: [...ignored.map(ignoredLine), send(request(m, state, now))] };
}

export function tickDhcp6(m: Dhcp6Machine, state: Dhcp6State, now: number): Dhcp6Step {
  if (state.name === 'done') return none(state);
  if (state.name === 'soliciting' && state.best && now >= state.collectUntil)
    return requestFrom(m, state.best, now);
  if (now < state.nextSendAt) return none(state);
  const next = { ...state, nextSendAt: now + m.intervalMs };
  const datagram =
    next.name === 'soliciting' ? solicit(m, next.transactionId, next.startedAt, now) : request(m, next, now);
  return { state: next, effects: [send(datagram)] };
}

export function nextWakeDhcp6(state: Dhcp6State): number | undefined {
  if (state.name === 'done') return undefined;
  if (state.name === 'soliciting' && state.best) return Math.min(state.collectUntil, state.nextSendAt);
  return state.nextSendAt;
}

/** One datagram on the client port. */
export function receiveDhcp6(
  m: Dhcp6Machine,
  state: Dhcp6State,
  bytes: Uint8Array,
  from: string,
  now: number,
): Dhcp6Step {
  const parsed = parseDhcp6(bytes);
  if (!parsed.ok) return none(state, [`malformed: ${parsed.reason} (from ${from})`]);
  const message = parsed.value;
  const type = TYPE6_NAMES.get(message.type) ?? `message type ${message.type}`;
  // §16.3, §16.10: a reply without our Client Identifier is for someone else.
  const clientId = firstOption(message.options, Option6.CLIENTID);
  if (!clientId) return none(state, [`${type} from ${from} without a Client Identifier`]);
  if (hexOf(clientId) !== hexOf(duidLl(m.mac)))
    return none(state, [`reply for client ${hexOf(clientId)}, not us (${type} from ${from})`]);
  const serverId = firstOption(message.options, Option6.SERVERID);
  if (!serverId) return none(state, [`${type} from ${from} without a Server Identifier`]);
  const server = hexOf(serverId);
  if (state.name === 'done') return none(state, [`late ${type} from server ${server}: already done`]);
  if (message.transactionId !== state.transactionId)
    return none(state, [
      `transaction id mismatch: ${hex6(message.transactionId)}, ours is ${hex6(state.transactionId)} (${type} from ${from})`,
    ]);

  if (message.type === MessageType6.ADVERTISE) {
    if (state.name !== 'soliciting') return none(state, [`ADVERTISE from server ${server} after the choice`]);
    const advert = readAdvert(m, message, serverId);
    if (typeof advert === 'string') return none(state, [`ADVERTISE from server ${server} ${advert}`]);
    // §18.2.1: preference 255 is taken at once; after the first RT the first valid one is.
    if (advert.preference === 255 || now >= state.collectUntil) return requestFrom(m, advert, now);
    if (state.best && state.best.preference >= advert.preference)
      return none(state, [
        `ADVERTISE from server ${server}: preference ${advert.preference}, a better one came first`,
      ]);
    return none({ ...state, best: advert });
  }
  if (message.type === MessageType6.REPLY) {
    if (state.name !== 'requesting') return none(state, [`REPLY from server ${server} before any REQUEST`]);
    if (server !== hexOf(state.advert.serverId))
      return none(state, [
        `REPLY from server ${server}, but the REQUEST went to ${hexOf(state.advert.serverId)}`,
      ]);
    const status = readStatus(firstOption(message.options, Option6.STATUS_CODE));
    // A failure for the whole message (§18.2.10): the REQUEST is retransmitted until timeoutMs.
    if (status && status.code !== 0)
      return none(state, [`REPLY from server ${server}: ${describeStatus(status)}`]);
    return none({ name: 'done', advert: state.advert, reply: message });
  }
  return none(state, [`unexpected ${type} from ${from}`]);
}

/** The ADVERTISE's usable parts, or why it is not usable (§18.2.9: it must offer an address). */
function readAdvert(m: Dhcp6Machine, message: Dhcp6Message, serverId: Uint8Array): Advert | string {
  const status = readStatus(firstOption(message.options, Option6.STATUS_CODE));
  if (status && status.code !== 0) return `offers nothing: ${describeStatus(status)}`;
  const ias = message.options.filter((o) => o.code === Option6.IA_NA);
  const ours = ias.find((o) => o.data.length >= 4 && Buffer.from(o.data).readUInt32BE(0) === iaidOf(m.mac));
  if (!ours) return 'has no IA_NA for our IAID';
  const ia = readIaNa(ours.data);
  if (!ia.ok) return `is malformed: ${ia.reason}`;
  if (ia.value.addresses.length === 0)
    return `offers no address${ia.value.status ? ` (${describeStatus(ia.value.status)})` : ''}`;
  const preference = firstOption(message.options, Option6.PREFERENCE);
  return { message, serverId, preference: preference?.length === 1 ? preference[0]! : 0, ia: ours.data };
}

export function dhcp6ResultOf(
  m: Pick<Dhcp6Machine, 'customOption' | 'mac'>,
  state: Dhcp6State,
  ignored: readonly string[],
  waitedMs: number,
): Dhcp6Result {
  if (state.name !== 'done') {
    const unconfirmed =
      state.name === 'requesting'
        ? [
            `ADVERTISE from server ${hexOf(state.advert.serverId)} not confirmed: no REPLY within ${waitedMs} ms`,
          ]
        : [];
    return { ignored: [...ignored, ...unconfirmed], waitedMs };
  }
  const { reply, advert } = state;
  const text = (code: number | undefined) => {
    if (code === undefined) return undefined;
    const bytes = firstOption(reply.options, code) ?? firstOption(advert.message.options, code);
    return bytes && decodeOptionText(bytes);
  };
  const ia = reply.options.find(
    (o) =>
      o.code === Option6.IA_NA && o.data.length >= 4 && Buffer.from(o.data).readUInt32BE(0) === iaidOf(m.mac),
  );
  const read = ia && readIaNa(ia.data);
  const address = read?.ok ? read.value.addresses[0] : undefined;
  const custom = text(m.customOption);
  const option59 = text(Option6.BOOTFILE_URL);
  return {
    ...(address !== undefined && { address }),
    server: hexOf(advert.serverId),
    ...(custom && { custom }),
    ...(option59 && { option59 }),
    ignored,
    waitedMs,
  };
}

/** `ff02::1:2` is link-scoped: it needs the interface (`ff02::1:2%eth0`); so do link-local unicasts. */
function scoped(address: string, interfaceName: string): string {
  const linkScoped = /^ff[0-9a-f]2:/i.test(address) || /^fe[89ab][0-9a-f]:/i.test(address);
  return linkScoped && !address.includes('%') ? `${address}%${interfaceName}` : address;
}

/** Programmer errors: the promise rejects with these, before any socket is opened. */
function checkOptions(options: Dhcp6Options): void {
  if (!parseMac(options.mac).ok) throw new TypeError(`not a MAC: ${options.mac}`);
  checkExchangeOptions(options);
  const custom = options.customOption;
  if (custom !== undefined && !(Number.isInteger(custom) && custom >= 1 && custom <= 0xffff))
    throw new RangeError(`a DHCPv6 option code is 1-65535, not ${custom}`);
}

/** spec S3: one DHCPv6 exchange on `interfaceName`. Resolves after REPLY, or after timeoutMs. */
export async function dhcp6Discover(options: Dhcp6Options): Promise<Dhcp6Result> {
  checkOptions(options);
  const machine: Dhcp6Machine = {
    mac: options.mac,
    ...(options.customOption !== undefined && { customOption: options.customOption }),
    intervalMs: options.timeoutMs / (options.attempts ?? 3),
    newTransactionId: () => randomInt(1, 0xffffff),
  };
  // libuv turns an unknown `%name` into scope 0, and the kernel then multicasts on the default
  // route's interface: the SOLICIT would leave by another link, so the name is checked here.
  const ipv6 = networkInterfaces()[options.interfaceName]?.some((a) => a.family === 'IPv6');
  if (!ipv6)
    return {
      ignored: [],
      waitedMs: 0,
      failed: `no interface ${options.interfaceName} with an IPv6 address here`,
    };
  const clientPort = options.clientPort ?? 546;
  const socket = createSocket({ type: 'udp6', reuseAddr: true });
  socket.on('error', () => undefined); // after bind, errors reach us through send callbacks
  try {
    const bindProblem = await bindSocket(socket, clientPort, '::');
    if (bindProblem) return { ignored: [], waitedMs: 0, failed: bindProblem };
    const run = await runExchange<Dhcp6State>(
      socket,
      {
        start: (now) => startDhcp6(machine, now),
        receive: (state, bytes, from, now) =>
          receiveDhcp6(machine, state, bytes, `[${from.address}]:${from.port}`, now),
        tick: (state, now) => tickDhcp6(machine, state, now),
        nextWake: nextWakeDhcp6,
        done: (state) => state.name === 'done',
      },
      {
        address: scoped(options.serverAddress ?? 'ff02::1:2', options.interfaceName),
        port: options.serverPort ?? 547,
      },
      options.timeoutMs,
      options.signal,
    );
    const result = dhcp6ResultOf(machine, run.state, run.ignored, run.waitedMs);
    return run.failed !== undefined && result.server === undefined
      ? { ...result, failed: run.failed }
      : result;
  } finally {
    await closeSocket(socket);
  }
}
