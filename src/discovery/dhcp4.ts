// The phone's DHCPv4 client (spec S3, reference §8): DISCOVER with option 60 and a request for the
// custom option, 66 and 43 -> OFFER -> REQUEST -> ACK, bounded by timeoutMs; never rejects.
// The exchange is a pure state machine (`startDhcp4`, `receiveDhcp4`, `tickDhcp4`); exchange.ts
// drives it, and DHCPv6's, with one socket and real timers.
//
// Why not the `dhcp` package's Client (node_modules/dhcp 0.2.20, required by our design card):
// - lib/dhcp.js Client.sendDiscover / sendRequest never send option 60, and `config('features')`
//   asks in option 55 only for options named in lib/options.js (no 128-254 custom option);
// - Client.handleOffer takes any OFFER: no xid or chaddr check (it requests an offer made for
//   another MAC), and sendRequest omits the server identifier (54, a MUST in SELECTING, RFC 2131
//   §4.3.2: its own "TODO: server identifier"); no timeout or retransmission ("TODO: set timeouts");
//   Client._send console.logs errors;
// - lib/seqbuffer.js getOptions drops options missing from lib/options.js (custom 128-254) with a
//   console.error, skips two bytes for a one-byte pad, and getASCII decodes text as 7-bit 'ascii'
//   (a 0x9f byte reads as 0x1f: garbage hidden).
// So only its encoder is used (`require('dhcp/lib/protocol.js').format`, in dhcp4Message.ts); the
// replies are parsed by our own strict parser.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { macWithColons, parseMac, type Mac } from '../core/mac.js';
import {
  addressListOption,
  addressOption,
  BOOTREPLY,
  buildDiscover,
  checkRequestParameters,
  buildRequest,
  messageTypeOf,
  Option,
  parseDhcp4,
  uint32Option,
  type Dhcp4Message,
} from './dhcp4Message.js';
import type { Step } from '../core/step.js';
import {
  bindSocket,
  checkExchangeOptions,
  closeSocket,
  ignored,
  runExchange,
  send,
  type ExchangeEffect,
} from './exchange.js';
import { decodeOptionText, type OptionText } from './optionText.js';
import type { Ipv4Lease } from '../phone/state.js';

export type { OptionText } from './optionText.js';

export interface Dhcp4Options {
  readonly mac: Mac;
  /** Option 60 (spec S3: `static.auto_provision.dhcp_option.option60_value`, default `yealink`). */
  readonly vendorClass: string;
  /** 128..254, requested in option 55 too (spec S3 `list_user_options`). */
  readonly customOption?: number;
  /** Total time to wait for OFFER and ACK. */
  readonly timeoutMs: number;
  /** DISCOVER transmissions within timeoutMs (default 3), evenly spaced. */
  readonly attempts?: number;
  readonly serverPort?: number;
  readonly clientPort?: number;
  readonly broadcastAddress?: string;
  readonly signal?: AbortSignal;
}

/** The lease as the phone keeps it in its state. */
export type Dhcp4Lease = Ipv4Lease;

export interface Dhcp4Result {
  /** Undefined when nobody answered, or only with answers that were ignored. */
  readonly lease?: Dhcp4Lease;
  /** spec S3, as found in the ACK, else in the OFFER it confirmed. */
  readonly custom?: OptionText;
  readonly option66?: OptionText;
  readonly option43?: OptionText;
  /** One line per reply ignored, and why, in arrival order. */
  readonly ignored: readonly string[];
  readonly waitedMs: number;
  /** Why nothing could be sent or heard (port 68 taken, no permission, no route). */
  readonly failed?: string;
}

// ---- The exchange, as states -------------------------------------------------------------------

/** An OFFER or ACK that passed every check, with the server that sent it. */
interface Accepted {
  readonly message: Dhcp4Message;
  readonly server: string;
}

export type Dhcp4State =
  | {
      readonly name: 'selecting';
      readonly xid: number;
      readonly startedAt: number;
      readonly nextSendAt: number;
    }
  | {
      readonly name: 'requesting';
      readonly xid: number;
      readonly startedAt: number;
      readonly nextSendAt: number;
      readonly offer: Accepted;
    }
  | { readonly name: 'bound'; readonly offer: Accepted; readonly ack: Accepted };

export type Dhcp4Step = Step<Dhcp4State, ExchangeEffect>;

export interface Dhcp4Machine {
  readonly mac: Mac;
  readonly vendorClass: string;
  readonly customOption?: number;
  /** Time between transmissions of the same message. */
  readonly intervalMs: number;
  /** A fresh transaction id (random in use; fixed in tests). */
  readonly newXid: () => number;
}

const request = (m: Dhcp4Machine, xid: number, startedAt: number, now: number) => ({
  mac: m.mac,
  xid,
  secs: Math.floor((now - startedAt) / 1000),
  vendorClass: m.vendorClass,
  ...(m.customOption !== undefined && { customOption: m.customOption }),
  // The phone has no address yet and cannot take a unicast answer (RFC 2131 §4.1).
  broadcast: true,
});

export function startDhcp4(m: Dhcp4Machine, now: number): Dhcp4Step {
  const xid = m.newXid();
  return {
    state: { name: 'selecting', xid, startedAt: now, nextSendAt: now + m.intervalMs },
    effects: [send(buildDiscover(request(m, xid, now, now)))],
  };
}

/** Retransmits the current message when its time has come. */
export function tickDhcp4(m: Dhcp4Machine, state: Dhcp4State, now: number): Dhcp4Step {
  if (state.name === 'bound' || now < state.nextSendAt) return { state, effects: [] };
  const next = { ...state, nextSendAt: now + m.intervalMs };
  const datagram =
    state.name === 'selecting'
      ? buildDiscover(request(m, state.xid, state.startedAt, now))
      : sendRequestFor(m, state, now);
  return { state: next, effects: [send(datagram)] };
}

function sendRequestFor(
  m: Dhcp4Machine,
  state: { readonly xid: number; readonly startedAt: number; readonly offer: Accepted },
  now: number,
): Buffer {
  return buildRequest({
    ...request(m, state.xid, state.startedAt, now),
    address: state.offer.message.yiaddr,
    server: state.offer.server,
  });
}

const ignore = (state: Dhcp4State, line: string): Dhcp4Step => ({ state, effects: [ignored(line)] });

/** One datagram on the client port. `from` is only for the wording of ignored lines. */
export function receiveDhcp4(
  m: Dhcp4Machine,
  state: Dhcp4State,
  bytes: Uint8Array,
  from: string,
  now: number,
): Dhcp4Step {
  const parsed = parseDhcp4(bytes);
  if (!parsed.ok) return ignore(state, `malformed: ${parsed.reason} (from ${from})`);
  const message = parsed.message;
  if (message.op !== BOOTREPLY) return ignore(state, `not a reply: op ${message.op} (from ${from})`);
  const chaddr = Buffer.from(message.chaddr).toString('hex');
  if (message.htype !== 1 || chaddr !== m.mac) {
    const whom =
      message.htype === 1 && message.hlen === 6
        ? macWithColons(chaddr as Mac)
        : `hardware address ${chaddr || '(none)'}`;
    return ignore(state, `reply for ${whom}, not us (from ${from})`);
  }
  if (state.name === 'bound') return ignore(state, `late reply from ${from}: already bound`);
  if (message.xid !== state.xid)
    return ignore(state, `xid mismatch: 0x${hex8(message.xid)}, ours is 0x${hex8(state.xid)} (from ${from})`);
  const type = messageTypeOf(message);
  if (type === undefined) return ignore(state, `no DHCP message type (option 53) in a reply from ${from}`);
  const server = addressOption(message, Option.SERVER_ID);

  if (type === 'NAK') {
    const why = decodeOptionText(message.options.get(Option.MESSAGE) ?? new Uint8Array());
    const line = `NAK from ${server ?? from}${why.kind === 'text' ? `: ${why.text}` : ''}`;
    if (state.name !== 'requesting' || (server !== undefined && server !== state.offer.server))
      return ignore(state, line);
    // RFC 2131 §4.4.1: a NAK sends the client back to INIT, with a new transaction.
    const restarted = startDhcp4(m, now);
    return { ...restarted, effects: [ignored(line), ...restarted.effects] };
  }
  if (server === undefined)
    return ignore(state, `${type} from ${from} without a server identifier (option 54)`);
  if (type === 'OFFER') {
    if (state.name === 'requesting')
      return ignore(state, `OFFER from ${server}: already requesting from ${state.offer.server}`);
    if (message.yiaddr === '0.0.0.0') return ignore(state, `OFFER from ${server} offers no address`);
    const requesting = {
      name: 'requesting' as const,
      xid: state.xid,
      startedAt: state.startedAt,
      nextSendAt: now + m.intervalMs,
      offer: { message, server },
    };
    return { state: requesting, effects: [send(sendRequestFor(m, requesting, now))] };
  }
  if (type === 'ACK') {
    if (state.name !== 'requesting') return ignore(state, `ACK from ${server} before any REQUEST`);
    if (server !== state.offer.server)
      return ignore(state, `ACK from ${server}, but the REQUEST went to ${state.offer.server}`);
    return { state: { name: 'bound', offer: state.offer, ack: { message, server } }, effects: [] };
  }
  return ignore(state, `unexpected ${type} from ${server}`);
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** The result the state stands for once the exchange is over. */
export function dhcp4ResultOf(
  m: Pick<Dhcp4Machine, 'customOption'>,
  state: Dhcp4State,
  ignored: readonly string[],
  waitedMs: number,
): Dhcp4Result {
  if (state.name !== 'bound') {
    const unconfirmed =
      state.name === 'requesting'
        ? [`OFFER from ${state.offer.server} not confirmed: no ACK to our REQUEST within ${waitedMs} ms`]
        : [];
    return { ignored: [...ignored, ...unconfirmed], waitedMs };
  }
  const { ack, offer } = state;
  // The ACK is authoritative; an option it lacks is taken from the OFFER it confirms.
  const raw = (code: number) => ack.message.options.get(code) ?? offer.message.options.get(code);
  const text = (code: number | undefined) => {
    const bytes = code === undefined ? undefined : raw(code);
    return bytes && decodeOptionText(bytes);
  };
  const either = <T>(read: (message: Dhcp4Message) => T | undefined) =>
    read(ack.message) ?? read(offer.message);
  const router = either((msg) => addressListOption(msg, Option.ROUTER)[0]);
  const dns = addressListOption(ack.message, Option.DNS);
  const netmask = either((msg) => addressOption(msg, Option.SUBNET_MASK));
  const leaseSeconds = either((msg) => uint32Option(msg, Option.LEASE_TIME));
  const custom = text(m.customOption);
  const option66 = text(Option.TFTP_SERVER_NAME);
  const option43 = text(Option.VENDOR_SPECIFIC);
  return {
    lease: {
      address: ack.message.yiaddr,
      ...(netmask !== undefined && { netmask }),
      ...(router !== undefined && { router }),
      dns: dns.length > 0 ? dns : addressListOption(offer.message, Option.DNS),
      server: ack.server,
      ...(leaseSeconds !== undefined && { leaseSeconds }),
    },
    ...(custom && { custom }),
    ...(option66 && { option66 }),
    ...(option43 && { option43 }),
    ignored,
    waitedMs,
  };
}

/** Programmer errors: the promise rejects with these, before any socket is opened. */
function checkOptions(options: Dhcp4Options): void {
  if (!parseMac(options.mac).ok) throw new TypeError(`not a MAC: ${options.mac}`);
  checkRequestParameters(options);
  checkExchangeOptions(options);
}

/** spec S3: one DHCPv4 exchange. Resolves with what came back, or with nothing after timeoutMs. */
export async function dhcp4Discover(options: Dhcp4Options): Promise<Dhcp4Result> {
  checkOptions(options);
  const machine: Dhcp4Machine = {
    mac: options.mac,
    vendorClass: options.vendorClass,
    ...(options.customOption !== undefined && { customOption: options.customOption }),
    intervalMs: options.timeoutMs / (options.attempts ?? 3),
    newXid: () => randomInt(1, 2 ** 32 - 1),
  };

  const clientPort = options.clientPort ?? 68;
  // reuseAddr: the host's own DHCP client may hold port 68 too (each gets the broadcasts).
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', () => undefined); // after bind, errors reach us through send callbacks
  try {
    const bindProblem = await bindSocket(socket, clientPort, '0.0.0.0');
    if (bindProblem) return { ignored: [], waitedMs: 0, failed: bindProblem };
    socket.setBroadcast(true);
    const run = await runExchange<Dhcp4State>(
      socket,
      {
        start: (now) => startDhcp4(machine, now),
        receive: (state, bytes, from, now) =>
          receiveDhcp4(machine, state, bytes, `${from.address}:${from.port}`, now),
        tick: (state, now) => tickDhcp4(machine, state, now),
        nextWake: (state) => (state.name === 'bound' ? undefined : state.nextSendAt),
        done: (state) => state.name === 'bound',
      },
      { address: options.broadcastAddress ?? '255.255.255.255', port: options.serverPort ?? 67 },
      options.timeoutMs,
      options.signal,
    );
    const result = dhcp4ResultOf(machine, run.state, run.ignored, run.waitedMs);
    return run.failed !== undefined && !result.lease ? { ...result, failed: run.failed } : result;
  } finally {
    await closeSocket(socket);
  }
}
