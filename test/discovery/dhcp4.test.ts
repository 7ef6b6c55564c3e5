// Spec S3, reference §8: the phone's DHCPv4 client. The message codec (our DISCOVER and REQUEST as
// the `dhcp` encoder writes them, our strict parser of replies), the option text rule, the exchange
// as states, and the client over loopback against a tiny responder that sends real datagrams.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { macOrThrow, type Mac } from '../../src/core/mac.js';
import {
  dhcp4Discover,
  receiveDhcp4,
  startDhcp4,
  tickDhcp4,
  type Dhcp4Machine,
  type Dhcp4Options,
  type Dhcp4State,
} from '../../src/discovery/dhcp4.js';
import { datagramsOf, ignoredOf } from '../../src/discovery/exchange.js';
import {
  addressOption,
  buildDiscover,
  buildRequest,
  encodeReply,
  ipBytes,
  MessageType,
  messageTypeOf,
  Option,
  parseDhcp4,
  type Dhcp4Message,
} from '../../src/discovery/dhcp4Message.js';
import { decodeOptionText } from '../../src/discovery/optionText.js';
import { freeUdpPort } from '../support/udp.js';

const MAC = macOrThrow('00:15:65:74:b1:50');
const OTHER = macOrThrow('00:15:65:00:00:01');
const SERVER = '10.77.0.1';
const CUSTOM = 128;
const text = (s: string) => Buffer.from(s, 'latin1');
const macBytes = (mac: Mac) => Buffer.from(mac, 'hex');

function parsed(bytes: Uint8Array): Dhcp4Message {
  const result = parseDhcp4(bytes);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

describe('S3 option text: printable ASCII only', () => {
  it('strips the trailing NUL dnsmasq appends to option 66, and surrounding white space', () => {
    expect(decodeOptionText(text('http://10.77.0.1/\0'))).toEqual({
      kind: 'text',
      text: 'http://10.77.0.1/',
    });
    expect(decodeOptionText(text(' \ttftp://h/ \r\n\0\0'))).toEqual({ kind: 'text', text: 'tftp://h/' });
  });

  it('says which byte is not printable, at its offset in the option', () => {
    expect(decodeOptionText(Uint8Array.from([0x41, 0x42, 0x43, 0x9f, 0x44]))).toEqual({
      kind: 'invalid',
      detail: 'byte 0x9f at offset 3 is not printable text',
    });
    // A NUL inside the value is not an end: the value is not text.
    expect(decodeOptionText(Uint8Array.from([0x9f, 0x00, 0x41]))).toEqual({
      kind: 'invalid',
      detail: 'byte 0x9f at offset 0 is not printable text',
    });
    expect(decodeOptionText(text('a\tb'))).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('0x09') as string,
    });
  });

  it('an empty option, or one of NULs and blanks, is not an address', () => {
    expect(decodeOptionText(new Uint8Array())).toEqual({ kind: 'invalid', detail: 'the option is empty' });
    expect(decodeOptionText(text(' \0'))).toMatchObject({ kind: 'invalid' });
  });

  it('any bytes: never throws; text is non-empty, trimmed, printable', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoded = decodeOptionText(bytes);
        if (decoded.kind === 'text') {
          expect(decoded.text).toMatch(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/);
        }
      }),
    );
  });
});

describe('DHCPv4 messages: what the phone sends (S3: option 60, and 55 asking for custom, 66, 43)', () => {
  const params = {
    mac: MAC,
    xid: 0x12345678,
    secs: 3,
    vendorClass: 'yealink',
    customOption: CUSTOM,
    broadcast: true,
  };

  it('DISCOVER: BOOTREQUEST, broadcast flag, our MAC, options 53, 55, 57, 60, 61', () => {
    const bytes = buildDiscover(params);
    // RFC 951's 300-byte minimum: some relays drop shorter requests.
    expect(bytes.length).toBeGreaterThanOrEqual(300);
    const m = parsed(bytes);
    expect(m).toMatchObject({ op: 1, htype: 1, hlen: 6, xid: 0x12345678, secs: 3, flags: 0x8000 });
    expect(Buffer.from(m.chaddr).toString('hex')).toBe(MAC);
    expect(messageTypeOf(m)).toBe('DISCOVER');
    expect([...m.options.get(Option.PARAMETER_REQUEST_LIST)!]).toEqual([1, 3, 6, 51, 54, CUSTOM, 66, 43]);
    expect(Buffer.from(m.options.get(Option.VENDOR_CLASS)!).toString('latin1')).toBe('yealink');
    // RFC 2132 §9.14: hardware type 1, then the MAC (the `dhcp` Client sends the MAC as text).
    expect(Buffer.from(m.options.get(Option.CLIENT_ID)!).toString('hex')).toBe(`01${MAC}`);
    expect(Buffer.from(m.options.get(Option.MAX_MESSAGE_SIZE)!).readUInt16BE()).toBe(1500);
    expect(m.options.has(Option.SERVER_ID)).toBe(false);
  });

  it('without a custom option, 55 asks for 66 and 43 only beyond the basics', () => {
    const m = parsed(buildDiscover({ ...params, customOption: undefined }));
    expect([...m.options.get(Option.PARAMETER_REQUEST_LIST)!]).toEqual([1, 3, 6, 51, 54, 66, 43]);
  });

  it('option 60 travels as its UTF-8 bytes', () => {
    const m = parsed(buildDiscover({ ...params, vendorClass: 'yéalink' }));
    expect(Buffer.from(m.options.get(Option.VENDOR_CLASS)!).toString('hex')).toBe(
      Buffer.from('yéalink', 'utf8').toString('hex'),
    );
  });

  it('REQUEST (RFC 2131 §4.3.2 SELECTING): requested address 50 and server identifier 54', () => {
    const m = parsed(buildRequest({ ...params, address: '10.77.0.120', server: SERVER }));
    expect(messageTypeOf(m)).toBe('REQUEST');
    expect(addressOption(m, Option.REQUESTED_ADDRESS)).toBe('10.77.0.120');
    expect(addressOption(m, Option.SERVER_ID)).toBe(SERVER);
    expect(m.options.get(Option.VENDOR_CLASS)).toBeDefined();
  });

  it('a custom option outside 128-254 or an unsendable option 60 is a programmer error', () => {
    expect(() => buildDiscover({ ...params, customOption: 66 })).toThrow(/128-254/);
    expect(() => buildDiscover({ ...params, vendorClass: '' })).toThrow(/option 60/);
    expect(() => buildDiscover({ ...params, vendorClass: 'x'.repeat(256) })).toThrow(/option 60/);
  });
});

describe('DHCPv4 messages: the strict reply parser', () => {
  const reply = (options: [number, Uint8Array][], extra: Partial<Parameters<typeof encodeReply>[0]> = {}) =>
    encodeReply({ xid: 7, chaddr: macBytes(MAC), yiaddr: '10.77.0.120', options, ...extra });

  it('keeps custom options (128-254) as raw bytes, which the `dhcp` parser drops', () => {
    const m = parsed(
      reply([
        [53, Uint8Array.of(2)],
        [CUSTOM, Uint8Array.of(0x9f, 0, 0x41)],
        [254, text('x')],
      ]),
    );
    expect([...m.options.get(CUSTOM)!]).toEqual([0x9f, 0, 0x41]);
    expect([...m.options.get(254)!]).toEqual([0x78]);
    expect(m).toMatchObject({ op: 2, xid: 7, yiaddr: '10.77.0.120' });
  });

  it('a pad (option 0) is one byte', () => {
    const bytes = reply([[53, Uint8Array.of(2)]]);
    // Put pads before the END: code 0 has no length byte.
    const padded = Buffer.concat([
      bytes.subarray(0, bytes.length - 1),
      Buffer.from([0, 0, 0, 66, 1, 0x41, 255]),
    ]);
    expect(Buffer.from(parsed(padded).options.get(66)!).toString()).toBe('A');
  });

  it('RFC 3396: an option split over several instances is joined', () => {
    const m = parsed(
      reply([
        [66, text('http://')],
        [53, Uint8Array.of(5)],
        [66, text('h/')],
      ]),
    );
    expect(Buffer.from(m.options.get(66)!).toString()).toBe('http://h/');
  });

  it('option 52 overload: options in the file field are read too', () => {
    const bytes = reply([
      [53, Uint8Array.of(5)],
      [52, Uint8Array.of(1)],
    ]);
    Buffer.from([66, 3, 0x61, 0x62, 0x63, 255]).copy(bytes, 108);
    expect(Buffer.from(parsed(bytes).options.get(66)!).toString()).toBe('abc');
  });

  it('truncated, overlong or unended input is a parse error with the reason', () => {
    const good = reply([
      [53, Uint8Array.of(2)],
      [66, text('http://h/')],
    ]);
    expect(parseDhcp4(good.subarray(0, 100))).toEqual({
      ok: false,
      reason: 'truncated: 100 bytes, a DHCP message has at least 240',
    });
    const noCookie = Buffer.from(good);
    noCookie.writeUInt32BE(0, 236);
    expect(parseDhcp4(noCookie)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('magic cookie') as string,
    });
    expect(parseDhcp4(good.subarray(0, good.length - 3))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('option 66 at offset 243 claims 9 bytes') as string,
    });
    expect(parseDhcp4(good.subarray(0, good.length - 1))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no END option') as string,
    });
    const wideHardware = Buffer.from(good);
    wideHardware[2] = 17;
    expect(parseDhcp4(wideHardware)).toMatchObject({ ok: false });
  });

  it('random bytes, and random options after a valid header, never throw', () => {
    const header = reply([]).subarray(0, 240);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, withHeader) => {
        const input = withHeader ? Buffer.concat([header, bytes]) : bytes;
        const result = parseDhcp4(input);
        expect(typeof result.ok).toBe('boolean');
        if (result.ok) messageTypeOf(result.message);
      }),
    );
  });

  it('every truncation of a reply before its END is an error, never a throw', () => {
    const good = reply([
      [53, Uint8Array.of(2)],
      [66, text('http://h/')],
      [CUSTOM, text('tftp://x/')],
    ]);
    for (let length = 0; length < good.length; length++)
      expect(parseDhcp4(good.subarray(0, length)).ok).toBe(false);
    expect(parseDhcp4(good).ok).toBe(true);
  });
});

// ---- The exchange as states ------------------------------------------------------------------

const machine = (overrides: Partial<Dhcp4Machine> = {}): Dhcp4Machine => {
  let next = 0x1000;
  return {
    mac: MAC,
    vendorClass: 'yealink',
    customOption: CUSTOM,
    intervalMs: 1000,
    newXid: () => next++,
    ...overrides,
  };
};

interface ServerReply {
  readonly type: number;
  readonly xid: number;
  readonly mac?: Mac;
  /** The server identifier (54); null leaves it out. */
  readonly server?: string | null;
  readonly yiaddr?: string;
  readonly options?: [number, Uint8Array][];
}

function serverReply(r: ServerReply): Buffer {
  const options: [number, Uint8Array][] = [[53, Uint8Array.of(r.type)]];
  if (r.server !== null) options.push([54, ipBytes(r.server ?? SERVER)]);
  return encodeReply({
    xid: r.xid,
    chaddr: macBytes(r.mac ?? MAC),
    yiaddr: r.yiaddr ?? '10.77.0.120',
    options: [...options, ...(r.options ?? [])],
  });
}

describe('S3 DHCPv4 exchange, as states', () => {
  const from = `${SERVER}:67`;

  it('DISCOVER, OFFER -> REQUEST to that server, ACK -> bound', () => {
    const m = machine();
    const start = startDhcp4(m, 0);
    expect(start.state).toMatchObject({ name: 'selecting', xid: 0x1000 });
    expect(messageTypeOf(parsed(datagramsOf(start)[0]!))).toBe('DISCOVER');
    const offered = receiveDhcp4(
      m,
      start.state,
      serverReply({ type: MessageType.OFFER, xid: 0x1000 }),
      from,
      10,
    );
    expect(offered.state.name).toBe('requesting');
    const request = parsed(datagramsOf(offered)[0]!);
    expect(request.xid).toBe(0x1000);
    expect(addressOption(request, Option.SERVER_ID)).toBe(SERVER);
    expect(addressOption(request, Option.REQUESTED_ADDRESS)).toBe('10.77.0.120');
    const acked = receiveDhcp4(
      m,
      offered.state,
      serverReply({ type: MessageType.ACK, xid: 0x1000 }),
      from,
      20,
    );
    expect(acked.state.name).toBe('bound');
  });

  it('ignores a reply for another MAC, a wrong xid, a request, and garbage, saying why', () => {
    const m = machine();
    const { state } = startDhcp4(m, 0);
    const steps = [
      serverReply({ type: MessageType.OFFER, xid: 0x1000, mac: OTHER }),
      serverReply({ type: MessageType.OFFER, xid: 0x2000 }),
      encodeReply({ op: 1, xid: 0x1000, chaddr: macBytes(MAC), options: [[53, Uint8Array.of(1)]] }),
      Buffer.from('not dhcp'),
    ].map((bytes) => receiveDhcp4(m, state, bytes, from, 5));
    for (const step of steps) {
      expect(step.state).toBe(state);
      expect(datagramsOf(step)).toEqual([]);
    }
    expect(steps.map((s) => ignoredOf(s)[0])).toEqual([
      `reply for 00:15:65:00:00:01, not us (from ${from})`,
      `xid mismatch: 0x00002000, ours is 0x00001000 (from ${from})`,
      `not a reply: op 1 (from ${from})`,
      `malformed: truncated: 8 bytes, a DHCP message has at least 240 (from ${from})`,
    ]);
  });

  it('an OFFER without a server identifier (option 54) is ignored: the REQUEST could not name it', () => {
    const m = machine();
    const step = receiveDhcp4(
      m,
      startDhcp4(m, 0).state,
      serverReply({ type: 2, xid: 0x1000, server: null }),
      from,
      1,
    );
    expect(step.state.name).toBe('selecting');
    expect(ignoredOf(step)).toEqual([`OFFER from ${from} without a server identifier (option 54)`]);
  });

  it('takes the first OFFER; a second one is ignored', () => {
    const m = machine();
    const offered = receiveDhcp4(m, startDhcp4(m, 0).state, serverReply({ type: 2, xid: 0x1000 }), from, 1);
    const second = receiveDhcp4(
      m,
      offered.state,
      serverReply({ type: 2, xid: 0x1000, server: '10.77.0.9' }),
      from,
      2,
    );
    expect(ignoredOf(second)).toEqual([`OFFER from 10.77.0.9: already requesting from ${SERVER}`]);
  });

  it('an ACK from a server the REQUEST did not go to is ignored', () => {
    const m = machine();
    const offered = receiveDhcp4(m, startDhcp4(m, 0).state, serverReply({ type: 2, xid: 0x1000 }), from, 1);
    const ack = receiveDhcp4(
      m,
      offered.state,
      serverReply({ type: 5, xid: 0x1000, server: '10.77.0.9' }),
      from,
      2,
    );
    expect(ack.state.name).toBe('requesting');
    expect(ignoredOf(ack)[0]).toMatch(/^ACK from 10\.77\.0\.9, but the REQUEST went to 10\.77\.0\.1/);
  });

  it('a NAK to our REQUEST starts over with a new xid (RFC 2131 §4.4.1)', () => {
    const m = machine();
    const offered = receiveDhcp4(m, startDhcp4(m, 0).state, serverReply({ type: 2, xid: 0x1000 }), from, 1);
    const message: [number, Uint8Array][] = [[56, text('wrong network')]];
    const nak = receiveDhcp4(
      m,
      offered.state,
      serverReply({ type: 6, xid: 0x1000, options: message }),
      from,
      2,
    );
    expect(ignoredOf(nak)).toEqual([`NAK from ${SERVER}: wrong network`]);
    expect(nak.state).toMatchObject({ name: 'selecting', xid: 0x1001 });
    expect(messageTypeOf(parsed(datagramsOf(nak)[0]!))).toBe('DISCOVER');
  });

  it('retransmits the same DISCOVER (same xid, secs counting) every interval', () => {
    const m = machine();
    const { state } = startDhcp4(m, 0);
    expect(datagramsOf(tickDhcp4(m, state, 999))).toEqual([]);
    const again = tickDhcp4(m, state, 2500);
    const resent = parsed(datagramsOf(again)[0]!);
    expect(resent).toMatchObject({ xid: 0x1000, secs: 2 });
    expect((again.state as Extract<Dhcp4State, { name: 'selecting' }>).nextSendAt).toBe(3500);
  });
});

// ---- The client over loopback ------------------------------------------------------------------

interface Responder {
  readonly port: number;
  readonly received: Dhcp4Message[];
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A UDP socket on 127.0.0.1 playing the server: `answer` says what to send back to each request. */
async function responder(
  clientPort: number,
  answer: (request: Dhcp4Message, index: number) => Buffer[],
): Promise<Responder> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const received: Dhcp4Message[] = [];
  socket.on('message', (bytes: Buffer, _from: RemoteInfo) => {
    const request = parsed(bytes);
    received.push(request);
    for (const reply of answer(request, received.length - 1)) socket.send(reply, clientPort, '127.0.0.1');
  });
  const self = {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  closers.push(self.close);
  return self;
}

async function loopbackOptions(extra: Partial<Dhcp4Options> = {}) {
  return {
    mac: MAC,
    vendorClass: 'yealink',
    customOption: CUSTOM,
    timeoutMs: 3000,
    clientPort: await freeUdpPort(),
    broadcastAddress: '127.0.0.1',
    ...extra,
  };
}

describe('S3 DHCPv4 client over loopback (a responder sending real datagrams)', () => {
  it('ignores an OFFER for another MAC and garbage, takes ours, and reads 66, 43 and the custom option', async () => {
    const options = await loopbackOptions();
    const server = await responder(options.clientPort, (request) => {
      const type = messageTypeOf(request);
      if (type === 'DISCOVER')
        return [
          serverReply({ type: 2, xid: request.xid, mac: OTHER, yiaddr: '10.77.0.199' }),
          Buffer.from([2, 1, 6, 0, 1, 2]),
          serverReply({ type: 2, xid: request.xid, options: [[66, text('http://offer/\0')]] }),
        ];
      return [
        serverReply({
          type: 5,
          xid: request.xid,
          options: [
            [1, ipBytes('255.255.255.0')],
            [3, Uint8Array.of(...ipBytes(SERVER), ...ipBytes('10.77.0.254'))],
            [6, Uint8Array.of(...ipBytes('10.77.0.53'), ...ipBytes('10.77.0.54'))],
            [51, Uint8Array.of(0, 0, 0x0e, 0x10)],
            [66, Uint8Array.of(0x9f, 0x00, 0x41)],
            [43, text('https://ten.example/')],
            [CUSTOM, text('tftp://10.77.0.1/\0')],
          ],
        }),
      ];
    });
    const result = await dhcp4Discover({ ...options, serverPort: server.port });
    expect(result.lease).toEqual({
      address: '10.77.0.120',
      netmask: '255.255.255.0',
      router: SERVER,
      dns: ['10.77.0.53', '10.77.0.54'],
      server: SERVER,
      leaseSeconds: 3600,
    });
    expect(result.custom).toEqual({ kind: 'text', text: 'tftp://10.77.0.1/' });
    // The ACK's option 66 wins over the OFFER's, garbage and all: reported, not cleaned up.
    expect(result.option66).toEqual({
      kind: 'invalid',
      detail: 'byte 0x9f at offset 0 is not printable text',
    });
    expect(result.option43).toEqual({ kind: 'text', text: 'https://ten.example/' });
    expect(result.ignored).toEqual([
      expect.stringMatching(/^reply for 00:15:65:00:00:01, not us/),
      expect.stringMatching(/^malformed: truncated: 6 bytes/),
    ]);
    expect(server.received.map(messageTypeOf)).toEqual(['DISCOVER', 'REQUEST']);
    expect(result.waitedMs).toBeLessThan(1000);
  });

  it('an option the ACK lacks is taken from the OFFER', async () => {
    const options = await loopbackOptions();
    const server = await responder(options.clientPort, (request) =>
      messageTypeOf(request) === 'DISCOVER'
        ? [serverReply({ type: 2, xid: request.xid, options: [[43, text('http://from-offer/')]] })]
        : [serverReply({ type: 5, xid: request.xid })],
    );
    const result = await dhcp4Discover({ ...options, serverPort: server.port });
    expect(result.option43).toEqual({ kind: 'text', text: 'http://from-offer/' });
    expect(result.option66).toBeUndefined();
  });

  it('retransmits the DISCOVER when the first goes unanswered', async () => {
    const options = await loopbackOptions({ timeoutMs: 1500, attempts: 3 });
    const server = await responder(options.clientPort, (request, index) => {
      if (index === 0) return [];
      return [serverReply({ type: messageTypeOf(request) === 'DISCOVER' ? 2 : 5, xid: request.xid })];
    });
    const result = await dhcp4Discover({ ...options, serverPort: server.port });
    expect(result.lease?.address).toBe('10.77.0.120');
    expect(server.received.map(messageTypeOf)).toEqual(['DISCOVER', 'DISCOVER', 'REQUEST']);
    expect(server.received[1]!.xid).toBe(server.received[0]!.xid);
    expect(result.waitedMs).toBeGreaterThanOrEqual(450);
  });

  it('nobody answering: no lease after timeoutMs, having sent `attempts` DISCOVERs', async () => {
    const options = await loopbackOptions({ timeoutMs: 600, attempts: 3 });
    const server = await responder(options.clientPort, () => []);
    const result = await dhcp4Discover({ ...options, serverPort: server.port });
    expect(result).toMatchObject({ ignored: [] });
    expect(result.lease).toBeUndefined();
    expect(result.waitedMs).toBeGreaterThanOrEqual(590);
    expect(result.waitedMs).toBeLessThan(1000);
    expect(server.received).toHaveLength(3);
  });

  it('an OFFER without an ACK is no lease, and says so', async () => {
    const options = await loopbackOptions({ timeoutMs: 500 });
    const server = await responder(options.clientPort, (request) =>
      messageTypeOf(request) === 'DISCOVER' ? [serverReply({ type: 2, xid: request.xid })] : [],
    );
    const result = await dhcp4Discover({ ...options, serverPort: server.port });
    expect(result.lease).toBeUndefined();
    expect(result.ignored).toEqual([expect.stringMatching(/^OFFER from 10\.77\.0\.1 not confirmed: no ACK/)]);
  });

  it('an abort ends the wait early, without a lease', async () => {
    const options = await loopbackOptions({ timeoutMs: 5000 });
    const server = await responder(options.clientPort, () => []);
    const result = await dhcp4Discover({
      ...options,
      serverPort: server.port,
      signal: AbortSignal.timeout(200),
    });
    expect(result.lease).toBeUndefined();
    expect(result.waitedMs).toBeLessThan(1000);
  });

  it('a client port it cannot have is reported in `failed`, not thrown', async () => {
    const options = await loopbackOptions();
    // Bound without SO_REUSEADDR: nobody else may share the port.
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(options.clientPort, () => resolve()));
    closers.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const result = await dhcp4Discover({ ...options, serverPort: 9 });
    expect(result).toEqual({
      ignored: [],
      waitedMs: 0,
      failed: expect.stringMatching(
        new RegExp(`^cannot listen on UDP port ${options.clientPort}: .*EADDRINUSE`),
      ) as string,
    });
  });

  it('rejects only on a programmer error', async () => {
    await expect(dhcp4Discover({ ...(await loopbackOptions()), customOption: 12 })).rejects.toThrow(
      /128-254/,
    );
    await expect(dhcp4Discover({ ...(await loopbackOptions()), timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});
