// Spec S3, reference §8: the phone's DHCPv6 client (RFC 8415 SOLICIT/ADVERTISE/REQUEST/REPLY,
// asking for the custom option and option 59). The codec, the exchange as states, and the client
// over ::1 against a tiny responder that sends real datagrams.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { macOrThrow, type Mac } from '../../src/core/mac.js';
import {
  dhcp6Discover,
  nextWakeDhcp6,
  receiveDhcp6,
  startDhcp6,
  tickDhcp6,
  type Dhcp6Machine,
  type Dhcp6Options,
} from '../../src/discovery/dhcp6.js';
import { datagramsOf, ignoredOf } from '../../src/discovery/exchange.js';
import {
  buildRequest6,
  buildSolicit,
  duidLl,
  encodeDhcp6,
  firstOption,
  iaidOf,
  iaNa,
  ipv6Text,
  Option6,
  parseDhcp6,
  readIaNa,
  type Dhcp6Message,
  type Option6Value,
} from '../../src/discovery/dhcp6Message.js';

const MAC = macOrThrow('00:15:65:74:b1:50');
const OTHER = macOrThrow('00:15:65:00:00:01');
const CUSTOM6 = 200;
const SERVER_DUID = Buffer.from('000100013290aabb0a0b0c0d0e0f', 'hex');
const OTHER_DUID = Buffer.from('00030001aabbccddeeff', 'hex');
const text = (s: string) => Buffer.from(s, 'latin1');

function parsed(bytes: Uint8Array): Dhcp6Message {
  const result = parseDhcp6(bytes);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

const u16s = (data: Uint8Array | undefined) => {
  const b = Buffer.from(data ?? []);
  return Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16BE(2 * i));
};

/** IAADDR (§21.6): the address, preferred and valid lifetimes. */
function iaAddr(hex: string, valid = 3600): Option6Value {
  const data = Buffer.alloc(24);
  Buffer.from(hex, 'hex').copy(data, 0);
  data.writeUInt32BE(valid, 16);
  data.writeUInt32BE(valid, 20);
  return { code: Option6.IAADDR, data };
}
const FD77_197 = 'fd770000000000000000000000000197';

interface ServerMessage {
  readonly type: 2 | 7;
  readonly transactionId: number;
  readonly client?: Mac | Uint8Array | null;
  readonly serverId?: Uint8Array | null;
  readonly address?: string | null;
  readonly preference?: number;
  readonly extra?: Option6Value[];
}

/** An ADVERTISE (2) or REPLY (7) as a server builds it. */
function serverMessage(m: ServerMessage): Buffer {
  const options: Option6Value[] = [];
  const client = m.client === undefined ? MAC : m.client;
  if (client !== null)
    options.push({ code: Option6.CLIENTID, data: typeof client === 'string' ? duidLl(client) : client });
  if (m.serverId !== null) options.push({ code: Option6.SERVERID, data: m.serverId ?? SERVER_DUID });
  const inner =
    m.address === null
      ? [{ code: Option6.STATUS_CODE, data: Buffer.concat([Buffer.from([0, 2]), text('no addresses')]) }]
      : [iaAddr(m.address ?? FD77_197)];
  options.push({ code: Option6.IA_NA, data: iaNa(iaidOf(MAC), inner) });
  if (m.preference !== undefined)
    options.push({ code: Option6.PREFERENCE, data: Uint8Array.of(m.preference) });
  options.push(...(m.extra ?? []));
  return encodeDhcp6({ type: m.type, transactionId: m.transactionId, options });
}

describe('DHCPv6 messages: what the phone sends (S3: the custom option, then 59)', () => {
  it('SOLICIT: DUID-LL from the MAC, IA_NA, elapsed time, ORO 82, custom, 59; no vendor class', () => {
    const m = parsed(
      buildSolicit({ mac: MAC, transactionId: 0xabcdef, elapsedCs: 0, customOption: CUSTOM6 }),
    );
    expect(m.type).toBe(1);
    expect(m.transactionId).toBe(0xabcdef);
    expect(Buffer.from(firstOption(m.options, Option6.CLIENTID)!).toString('hex')).toBe(`00030001${MAC}`);
    expect(u16s(firstOption(m.options, Option6.ORO))).toEqual([82, CUSTOM6, 59]);
    expect(u16s(firstOption(m.options, Option6.ELAPSED_TIME))).toEqual([0]);
    const ia = readIaNa(firstOption(m.options, Option6.IA_NA)!);
    expect(ia).toEqual({ ok: true, value: { iaid: 0x6574b150, addresses: [] } });
    expect(m.options.map((o) => o.code).sort((a, b) => a - b)).toEqual([1, 3, 6, 8]);
  });

  it('REQUEST: the server identifier and the IA_NA as advertised; elapsed time in hundredths', () => {
    const ia = iaNa(iaidOf(MAC), [iaAddr(FD77_197)]);
    const m = parsed(
      buildRequest6({ mac: MAC, transactionId: 5, elapsedCs: 150, serverId: SERVER_DUID, ia }),
    );
    expect(m.type).toBe(3);
    expect(Buffer.from(firstOption(m.options, Option6.SERVERID)!)).toEqual(SERVER_DUID);
    expect(Buffer.from(firstOption(m.options, Option6.IA_NA)!)).toEqual(Buffer.from(ia));
    expect(u16s(firstOption(m.options, Option6.ELAPSED_TIME))).toEqual([150]);
    expect(u16s(firstOption(m.options, Option6.ORO))).toEqual([82, 59]);
  });

  it('IPv6 addresses in RFC 5952 form', () => {
    expect(ipv6Text(Buffer.from(FD77_197, 'hex'))).toBe('fd77::197');
    expect(ipv6Text(Buffer.from('20010db8000000010000000000000001', 'hex'))).toBe('2001:db8:0:1::1');
    expect(ipv6Text(Buffer.alloc(16))).toBe('::');
    expect(ipv6Text(Buffer.from('20010db8000100020003000400050006', 'hex'))).toBe('2001:db8:1:2:3:4:5:6');
  });

  it('truncated or overlong input is a parse error with the reason', () => {
    expect(parseDhcp6(Uint8Array.of(2, 0))).toEqual({
      ok: false,
      reason: 'truncated: 2 bytes, a DHCPv6 message has at least 4',
    });
    const good = serverMessage({ type: 2, transactionId: 1 });
    expect(parseDhcp6(good.subarray(0, good.length - 1))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/claims \d+ bytes, only \d+ remain/) as string,
    });
    expect(parseDhcp6(Buffer.concat([good, Buffer.from([0, 1])]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('stray bytes') as string,
    });
    expect(parseDhcp6(Uint8Array.of(13, 0, 0, 0))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('relay') as string,
    });
  });

  it('random bytes never throw, nor do nested IA_NA options', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = parseDhcp6(bytes);
        if (result.ok) for (const o of result.value.options) if (o.code === Option6.IA_NA) readIaNa(o.data);
        readIaNa(bytes);
      }),
    );
  });

  it('a truncated option value inside an IA_NA is an error', () => {
    const ia = iaNa(1, [iaAddr(FD77_197)]);
    expect(readIaNa(ia.subarray(0, ia.length - 2)).ok).toBe(false);
  });
});

// ---- The exchange as states ------------------------------------------------------------------

const machine = (): Dhcp6Machine => {
  let next = 0x100;
  return { mac: MAC, customOption: CUSTOM6, intervalMs: 2000, newTransactionId: () => next++ };
};
const from = '[fe80::1]:547';

describe('S3 DHCPv6 exchange, as states', () => {
  it('ADVERTISEs are collected for the first RT (1 s, §18.2.1); the preferred one is requested', () => {
    const m = machine();
    const start = startDhcp6(m, 0);
    expect(start.state).toMatchObject({ name: 'soliciting', transactionId: 0x100, collectUntil: 1000 });
    const low = serverMessage({ type: 2, transactionId: 0x100, serverId: OTHER_DUID, preference: 1 });
    const high = serverMessage({ type: 2, transactionId: 0x100, preference: 7 });
    const one = receiveDhcp6(m, start.state, low, from, 10);
    expect(datagramsOf(one)).toEqual([]);
    const two = receiveDhcp6(m, one.state, high, from, 20);
    expect(datagramsOf(two)).toEqual([]);
    expect(nextWakeDhcp6(two.state)).toBe(1000);
    const chosen = tickDhcp6(m, two.state, 1000);
    expect(chosen.state).toMatchObject({ name: 'requesting', transactionId: 0x101 });
    const request = parsed(datagramsOf(chosen)[0]!);
    expect(request.type).toBe(3);
    expect(Buffer.from(firstOption(request.options, Option6.SERVERID)!)).toEqual(SERVER_DUID);
  });

  it('preference 255 is requested at once', () => {
    const m = machine();
    const step = receiveDhcp6(
      m,
      startDhcp6(m, 0).state,
      serverMessage({ type: 2, transactionId: 0x100, preference: 255 }),
      from,
      5,
    );
    expect(step.state.name).toBe('requesting');
    expect(datagramsOf(step)).toHaveLength(1);
  });

  it('ignores replies for another client, with another transaction id, or without identifiers', () => {
    const m = machine();
    const { state } = startDhcp6(m, 0);
    const steps = [
      serverMessage({ type: 2, transactionId: 0x100, client: OTHER }),
      serverMessage({ type: 2, transactionId: 0x999 }),
      serverMessage({ type: 2, transactionId: 0x100, client: null }),
      serverMessage({ type: 2, transactionId: 0x100, serverId: null }),
      serverMessage({ type: 2, transactionId: 0x100, address: null }),
      Buffer.from([2, 0, 1]),
    ].map((bytes) => receiveDhcp6(m, state, bytes, from, 5));
    for (const step of steps) expect(step.state).toBe(state);
    expect(steps.map((s) => ignoredOf(s)[0])).toEqual([
      `reply for client 00030001${OTHER}, not us (ADVERTISE from ${from})`,
      `transaction id mismatch: 0x000999, ours is 0x000100 (ADVERTISE from ${from})`,
      `ADVERTISE from ${from} without a Client Identifier`,
      `ADVERTISE from ${from} without a Server Identifier`,
      `ADVERTISE from server ${SERVER_DUID.toString('hex')} offers no address (NoAddrsAvail: no addresses)`,
      `malformed: truncated: 3 bytes, a DHCPv6 message has at least 4 (from ${from})`,
    ]);
  });

  it('a REPLY must come from the server requested, in the REQUEST transaction', () => {
    const m = machine();
    const advert = serverMessage({ type: 2, transactionId: 0x100, preference: 255 });
    const requesting = receiveDhcp6(m, startDhcp6(m, 0).state, advert, from, 1).state;
    const wrongServer = receiveDhcp6(
      m,
      requesting,
      serverMessage({ type: 7, transactionId: 0x101, serverId: OTHER_DUID }),
      from,
      2,
    );
    expect(ignoredOf(wrongServer)[0]).toMatch(
      /^REPLY from server 00030001aabbccddeeff, but the REQUEST went to/,
    );
    const oldTransaction = receiveDhcp6(
      m,
      requesting,
      serverMessage({ type: 7, transactionId: 0x100 }),
      from,
      2,
    );
    expect(ignoredOf(oldTransaction)[0]).toMatch(/^transaction id mismatch/);
    const reply = receiveDhcp6(m, requesting, serverMessage({ type: 7, transactionId: 0x101 }), from, 3);
    expect(reply.state.name).toBe('done');
  });
});

// ---- The client over ::1 ----------------------------------------------------------------------

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function freeUdp6Port(): Promise<number> {
  const socket = createSocket('udp6');
  await new Promise<void>((resolve) => socket.bind(0, '::1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A UDP socket on ::1 playing the server; `answer` says what to send back to each request. */
async function responder(
  clientPort: number,
  answer: (request: Dhcp6Message, index: number) => Buffer[],
): Promise<{ port: number; received: Dhcp6Message[] }> {
  const socket: Socket = createSocket('udp6');
  await new Promise<void>((resolve) => socket.bind(0, '::1', () => resolve()));
  const received: Dhcp6Message[] = [];
  socket.on('message', (bytes: Buffer, _from: RemoteInfo) => {
    const request = parsed(bytes);
    received.push(request);
    for (const reply of answer(request, received.length - 1)) socket.send(reply, clientPort, '::1');
  });
  closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, received };
}

async function loopbackOptions(extra: Partial<Dhcp6Options> = {}): Promise<Dhcp6Options> {
  return {
    mac: MAC,
    interfaceName: 'lo',
    customOption: CUSTOM6,
    timeoutMs: 3000,
    clientPort: await freeUdp6Port(),
    serverAddress: '::1',
    ...extra,
  };
}

describe('S3 DHCPv6 client over ::1 (a responder sending real datagrams)', () => {
  it('ignores an ADVERTISE for another client, then takes 59 and the custom option from the REPLY', async () => {
    const options = await loopbackOptions();
    const server = await responder(options.clientPort!, (request) => {
      const id = request.transactionId;
      if (request.type === 1)
        return [
          serverMessage({ type: 2, transactionId: id, client: OTHER, preference: 255 }),
          serverMessage({
            type: 2,
            transactionId: id,
            preference: 255,
            extra: [{ code: 59, data: text('http://advertised/') }],
          }),
        ];
      return [
        serverMessage({
          type: 7,
          transactionId: id,
          extra: [
            { code: CUSTOM6, data: Uint8Array.of(0x68, 0x9f) },
            { code: 59, data: text('tftp://[fd77::1]/boot/') },
          ],
        }),
      ];
    });
    const result = await dhcp6Discover({ ...options, serverPort: server.port });
    expect(result).toMatchObject({
      address: 'fd77::197',
      server: SERVER_DUID.toString('hex'),
      option59: { kind: 'text', text: 'tftp://[fd77::1]/boot/' },
      custom: { kind: 'invalid', detail: 'byte 0x9f at offset 1 is not printable text' },
    });
    expect(result.ignored).toEqual([
      expect.stringMatching(new RegExp(`^reply for client 00030001${OTHER}, not us`)),
    ]);
    expect(server.received.map((m) => m.type)).toEqual([1, 3]);
    expect(result.waitedMs).toBeLessThan(1000);
  });

  it('an option the REPLY lacks is taken from the ADVERTISE', async () => {
    const options = await loopbackOptions();
    const server = await responder(options.clientPort!, (request) =>
      request.type === 1
        ? [
            serverMessage({
              type: 2,
              transactionId: request.transactionId,
              preference: 255,
              extra: [{ code: 59, data: text('http://a/') }],
            }),
          ]
        : [serverMessage({ type: 7, transactionId: request.transactionId })],
    );
    const result = await dhcp6Discover({ ...options, serverPort: server.port });
    expect(result.option59).toEqual({ kind: 'text', text: 'http://a/' });
    expect(result.custom).toBeUndefined();
  });

  it('nobody answering: no server after timeoutMs, having sent `attempts` SOLICITs', async () => {
    const options = await loopbackOptions({ timeoutMs: 600, attempts: 2 });
    const server = await responder(options.clientPort!, () => []);
    const result = await dhcp6Discover({ ...options, serverPort: server.port });
    expect(result.server).toBeUndefined();
    expect(result.ignored).toEqual([]);
    expect(result.waitedMs).toBeGreaterThanOrEqual(590);
    expect(server.received.map((m) => m.type)).toEqual([1, 1]);
    // Elapsed time counts from the first SOLICIT, in hundredths of a second (§21.9).
    expect(u16s(firstOption(server.received[1]!.options, Option6.ELAPSED_TIME))[0]).toBeGreaterThanOrEqual(
      29,
    );
  });

  it('an interface that does not exist is reported in `failed`, and nothing is sent', async () => {
    // libuv would send to ff02::1:2%nosuchif0 through the default route's interface, silently.
    const options = await loopbackOptions({ interfaceName: 'nosuchif0', serverAddress: 'ff02::1:2' });
    expect(await dhcp6Discover(options)).toEqual({
      ignored: [],
      waitedMs: 0,
      failed: 'no interface nosuchif0 with an IPv6 address here',
    });
  });

  it('a link it cannot send on is reported in `failed`, not thrown', async () => {
    // lo has no route for ff02::/16: the kernel answers ENETUNREACH.
    const options = await loopbackOptions({ serverAddress: 'ff02::1:2', timeoutMs: 300 });
    const result = await dhcp6Discover(options);
    expect(result.server).toBeUndefined();
    expect(result.failed).toMatch(/^cannot send to ff02::1:2%lo:547: .*ENETUNREACH/);
  });
});
