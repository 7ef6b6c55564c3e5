// Spec S2, reference §7: the PnP client (the phone's SUBSCRIBE, its handling of NOTIFYs) and our
// PnP server, over loopback: client against our server, and each against a raw UDP socket that
// plays the other side by hand, so that what goes on the wire is checked line by line.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { macOrThrow } from '../../src/core/mac.js';
import { pnpDiscover, type PnpOptions } from '../../src/discovery/pnp.js';
import {
  buildPnpSubscribe,
  macOfPnpUri,
  readPnpNotify,
  uaProfileEvent,
} from '../../src/discovery/pnpMessages.js';
import { startPnpServer, type PnpServed, type PnpServer } from '../../src/server/pnpServer.js';
import { freeUdpPort } from '../support/udp.js';

const MAC = macOrThrow('00:15:65:74:b1:50');
const PHONE = {
  mac: MAC,
  model: 'T46U',
  firmware: '108.86.0.90',
  userAgent: 'Yealink SIP-T46U 108.86.0.90',
} as const;

/** Reference §7's capture, verbatim (CRLF line ends, empty line at the end). */
const CAPTURE = [
  'SUBSCRIBE sip:MAC001565f4f9e1@224.0.1.75 SIP/2.0',
  'Via: SIP/2.0/UDP 10.1.3.239:5059;branch=z9hG4bK1536537630',
  'From: <sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630',
  'To: <sip:MAC001565f4f9e1@224.0.1.75>',
  'Call-ID: 1536537630@10.1.3.239',
  'CSeq: 1 SUBSCRIBE',
  'Contact: <sip:MAC001565f4f9e1@10.1.3.239:5059>',
  'Max-Forwards: 70',
  'User-Agent: Yealink W52P 25.81.0.10',
  'Expires: 0',
  'Event: ua-profile;profile-type="device";vendor="yealink";model="W52P";version="25.81.0.10"',
  'Accept: application/url',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

interface Datagram {
  readonly text: string;
  readonly from: RemoteInfo;
}

/** A raw UDP socket on loopback that records what it gets and sends what the test writes. */
interface Peer {
  readonly port: number;
  readonly received: Datagram[];
  next(test: (d: Datagram) => boolean, timeoutMs?: number): Promise<Datagram>;
  send(text: string | Buffer, port: number): Promise<void>;
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function peer(port = 0): Promise<Peer> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  const received: Datagram[] = [];
  const waiting = new Set<() => void>();
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    received.push({ text: message.toString('utf8'), from });
    for (const wake of waiting) wake();
  });
  let read = 0;
  const self: Peer = {
    port: socket.address().port,
    received,
    /** The first datagram not yet returned by next() that passes `test`. */
    next: (test, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const look = () => {
          for (let i = read; i < received.length; i++) {
            const d = received[i]!;
            if (test(d)) {
              read = i + 1;
              waiting.delete(look);
              clearTimeout(timer);
              return resolve(d);
            }
          }
        };
        const timer = setTimeout(() => {
          waiting.delete(look);
          reject(
            new Error(
              `nothing expected within ${timeoutMs} ms; got:\n${received.map((d) => d.text).join('\n---\n')}`,
            ),
          );
        }, timeoutMs);
        waiting.add(look);
        look();
      }),
    send: (text, to) => new Promise((resolve) => socket.send(text, to, '127.0.0.1', () => resolve())),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  closers.push(() => self.close());
  return self;
}

async function server(url: string, served: PnpServed[] = [], log: string[] = []): Promise<PnpServer> {
  const started = await startPnpServer({
    url,
    port: 0,
    address: '127.0.0.1',
    group: '',
    onServed: (s) => served.push(s),
    log: (line) => log.push(line),
  });
  closers.push(() => started.close());
  return started;
}

function discover(port: number, extra: Partial<PnpOptions> = {}) {
  return pnpDiscover({
    ...PHONE,
    timeoutMs: 3000,
    destination: { address: '127.0.0.1', port },
    localPort: 0,
    ...extra,
  });
}

const header = (text: string, name: string) =>
  new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(text.split('\r\n\r\n', 1)[0] ?? '')?.[1]?.trim();
const isRequest = (method: string) => (d: Datagram) => d.text.startsWith(`${method} `);
const isResponse = (d: Datagram) => d.text.startsWith('SIP/2.0 ');

/** A 200 OK to a request as a phone or server would answer it: Via, From, To, Call-ID, CSeq echoed. */
function ok(request: string, status = '200 OK'): string {
  const lines = [`SIP/2.0 ${status}`];
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq'])
    lines.push(`${name}: ${header(request, name)}${name === 'To' ? ';tag=t1' : ''}`);
  return [...lines, 'Content-Length: 0', '', ''].join('\r\n');
}

/** A NOTIFY to the phone's SUBSCRIBE, as a hand-written PnP server sends it. */
function notify(
  subscribe: string,
  viaPort: number,
  branch: string,
  contentType: string | undefined,
  body: string,
): string {
  const contact = /<([^>]+)>/.exec(header(subscribe, 'Contact') ?? '')?.[1];
  return [
    `NOTIFY ${contact} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${viaPort};branch=z9hG4bK${branch}`,
    `From: ${header(subscribe, 'To')};tag=t1`,
    `To: ${header(subscribe, 'From')}`,
    `Call-ID: ${header(subscribe, 'Call-ID')}`,
    'CSeq: 2 NOTIFY',
    'Event: ua-profile',
    'Subscription-State: terminated;reason=noresource',
    ...(contentType === undefined ? [] : [`Content-Type: ${contentType}`]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

describe('S2 the SUBSCRIBE is the one of reference §7', () => {
  it('is byte for byte the capture, given the capture phone’s values', () => {
    const built = buildPnpSubscribe(
      {
        mac: macOrThrow('001565f4f9e1'),
        model: 'W52P',
        firmware: '25.81.0.10',
        userAgent: 'Yealink W52P 25.81.0.10',
      },
      '224.0.1.75',
      { localAddress: '10.1.3.239', localPort: 5059, id: '1536537630' },
    );
    expect(built).toBe(CAPTURE);
  });

  it('goes on the wire in the capture’s form: URI, From/To, Via, Contact, Event, Accept, Expires', async () => {
    const listener = await peer();
    const result = discover(listener.port, { timeoutMs: 300 });
    const { text, from } = await listener.next(isRequest('SUBSCRIBE'));
    await result;
    const lines = text.split('\r\n');
    const uri = `sip:MAC${MAC}@127.0.0.1`;
    const expected = [
      `SUBSCRIBE ${uri} SIP/2.0`,
      new RegExp(`^Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${from.port};branch=z9hG4bK(\\d+)$`),
      new RegExp(`^From: <${uri}>;tag=(\\d+)$`),
      `To: <${uri}>`,
      /^Call-ID: \d+@127\.0\.0\.1$/,
      'CSeq: 1 SUBSCRIBE',
      `Contact: <sip:MAC${MAC}@127.0.0.1:${from.port}>`,
      'Max-Forwards: 70',
      'User-Agent: Yealink SIP-T46U 108.86.0.90',
      'Expires: 0',
      'Event: ua-profile;profile-type="device";vendor="yealink";model="T46U";version="108.86.0.90"',
      'Accept: application/url',
      'Content-Length: 0',
      '',
      '',
    ];
    expect(lines).toHaveLength(expected.length);
    expected.forEach((want, i) => {
      if (typeof want === 'string') expect(lines[i]).toBe(want);
      else expect(lines[i]).toMatch(want);
    });
  });

  it('uses port 5059 by default, as the capture’s phone did', async () => {
    const listener = await peer();
    const outcome = await discover(listener.port, { timeoutMs: 200, localPort: undefined });
    // Unless something else holds 5059 here: then the client says so instead of sending.
    if (outcome.failed) return expect(outcome.failed).toMatch(/UDP port 5059/);
    const { from } = await listener.next(isRequest('SUBSCRIBE'));
    expect(from.port).toBe(5059);
  });

  it('is retransmitted at T1 doubling while unanswered, and gives up after timeoutMs (≈800 ms)', async () => {
    const listener = await peer();
    const result = await discover(listener.port, { timeoutMs: 800 });
    expect(result.url).toBeUndefined();
    expect(result.ignored).toEqual([]);
    expect(result.waitedMs).toBeGreaterThanOrEqual(790);
    expect(result.waitedMs).toBeLessThan(1500);
    // Sent at 0 and at T1 = 500 ms; the next one (1500 ms) is past the deadline.
    const subscribes = listener.received.filter(isRequest('SUBSCRIBE'));
    expect(subscribes).toHaveLength(2);
    expect(header(subscribes[1]!.text, 'Via')).toBe(header(subscribes[0]!.text, 'Via'));
  });

  it('stops retransmitting once answered 200 OK, and waits on for the NOTIFY', async () => {
    const listener = await peer();
    const result = discover(listener.port, { timeoutMs: 1200 });
    const subscribe = await listener.next(isRequest('SUBSCRIBE'));
    await listener.send(ok(subscribe.text), subscribe.from.port);
    const outcome = await result;
    expect(outcome.url).toBeUndefined();
    expect(outcome.waitedMs).toBeGreaterThanOrEqual(1190);
    expect(listener.received.filter(isRequest('SUBSCRIBE'))).toHaveLength(1);
  });

  it('ends at once when the one server it asked refuses: "SUBSCRIBE answered 404"', async () => {
    const listener = await peer();
    const result = discover(listener.port, { timeoutMs: 3000 });
    const subscribe = await listener.next(isRequest('SUBSCRIBE'));
    await listener.send(ok(subscribe.text, '404 Not Found'), subscribe.from.port);
    const outcome = await result;
    expect(outcome.url).toBeUndefined();
    expect(outcome.ignored).toEqual([expect.stringMatching(/^SUBSCRIBE answered 404 Not Found/)]);
    expect(outcome.waitedMs).toBeLessThan(1000);
  });

  it('stops when its signal is aborted', async () => {
    const listener = await peer();
    const outcome = await discover(listener.port, { timeoutMs: 5000, signal: AbortSignal.timeout(150) });
    expect(outcome.url).toBeUndefined();
    expect(outcome.waitedMs).toBeLessThan(1000);
  });

  it('says why when it cannot listen on its port, and does not reject', async () => {
    const taken = await peer();
    const outcome = await discover(await freeUdpPort(), { localPort: taken.port });
    expect(outcome.failed).toMatch(new RegExp(`cannot listen on UDP port ${taken.port}`));
    expect(outcome.url).toBeUndefined();
  });
});

describe('S2 the NOTIFY: every one answered 200 OK, only an application/url body taken', () => {
  it('ignores a NOTIFY without body and a text/plain one, and takes the good one', async () => {
    const responder = await peer();
    const result = discover(responder.port);
    const subscribe = await responder.next(isRequest('SUBSCRIBE'));
    const phonePort = subscribe.from.port;
    await responder.send(ok(subscribe.text), phonePort);
    const sent = [
      notify(subscribe.text, responder.port, 'a', undefined, ''),
      notify(subscribe.text, responder.port, 'b', 'text/plain', 'http://wrong.example/'),
      notify(subscribe.text, responder.port, 'c', 'application/url', 'http://10.0.0.9/prov/'),
    ];
    for (const message of sent) {
      await responder.send(message, phonePort);
      // Each is answered before the next goes, so the order the phone reads them in is known.
      const answer = await responder.next(isResponse);
      expect(answer.text).toMatch(/^SIP\/2\.0 200 OK\r\n/);
      expect(header(answer.text, 'CSeq')).toBe('2 NOTIFY');
      expect(header(answer.text, 'Via')).toBe(header(message, 'Via'));
      expect(header(answer.text, 'To')).toMatch(/;tag=/);
      expect(header(answer.text, 'User-Agent')).toBe(PHONE.userAgent);
    }
    const outcome = await result;
    expect(outcome.url).toBe('http://10.0.0.9/prov/');
    expect(outcome.from).toBe(`127.0.0.1:${responder.port}`);
    expect(outcome.ignored).toEqual([
      expect.stringMatching(/^NOTIFY without application\/url body \(no Content-Type/),
      expect.stringMatching(/^NOTIFY without application\/url body \(Content-Type text\/plain/),
    ]);
  });

  it('answers a retransmitted NOTIFY again without reading it twice', async () => {
    const responder = await peer();
    const result = discover(responder.port, { timeoutMs: 1500 });
    const subscribe = await responder.next(isRequest('SUBSCRIBE'));
    const bad = notify(subscribe.text, responder.port, 'same', 'text/plain', 'x');
    await responder.send(bad, subscribe.from.port);
    await responder.send(bad, subscribe.from.port);
    await responder.next(isResponse);
    await responder.next(isResponse);
    const outcome = await result;
    expect(outcome.ignored.filter((i) => i.startsWith('NOTIFY'))).toHaveLength(1);
  });

  it('survives garbage and a NOTIFY the parser refuses, answering what it can', async () => {
    const responder = await peer();
    const result = discover(responder.port, { timeoutMs: 1500 });
    const subscribe = await responder.next(isRequest('SUBSCRIBE'));
    await responder.send(Buffer.from([0, 1, 2, 255, 13, 10]), subscribe.from.port);
    await responder.send(
      `NOTIFY sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${responder.port};branch=z9hG4bKm\r\nContent-Length: 99\r\n\r\nshort`,
      subscribe.from.port,
    );
    await responder.send(
      notify(subscribe.text, responder.port, 'g', 'application/url', 'tftp://10.0.0.9/'),
      subscribe.from.port,
    );
    expect((await responder.next(isResponse)).text).toMatch(/^SIP\/2\.0 400 /);
    const outcome = await result;
    expect(outcome.url).toBe('tftp://10.0.0.9/');
    expect(outcome.ignored).toHaveLength(2);
    expect(outcome.ignored.every((i) => i.startsWith('malformed: '))).toBe(true);
  });

  it.each([
    ['an empty application/url body', 'application/url', '   ', /^NOTIFY without application\/url body/],
    [
      'a body that is not a URL',
      'application/url',
      'provisioning server',
      /^NOTIFY body is not a URL: "provisioning server"$/,
    ],
    ['a file: URL', 'application/url', 'file:///etc/passwd', /^NOTIFY body is not a URL: .*scheme file:/],
  ])('refuses %s', (_what, contentType, body, reason) => {
    const reading = readPnpNotify({ contentType, body });
    expect(reading).toEqual({ kind: 'unusable', reason: expect.stringMatching(reason) as string });
  });

  it.each([
    ['application/url', 'http://10.0.0.1/prov/\r\n', 'http://10.0.0.1/prov/'],
    ['Application/URL; charset=utf-8', 'https://p.example/$MAC.boot', 'https://p.example/$MAC.boot'],
    ['application/url', 'ftp://u:p@10.0.0.1/', 'ftp://u:p@10.0.0.1/'],
  ])('takes %s %j', (contentType, body, url) => {
    expect(readPnpNotify({ contentType, body })).toEqual({ kind: 'url', url });
  });
});

describe('S2 our PnP server answers as reference §7 "Reply that works"', () => {
  it('gives the client the URL, and says whom it served', async () => {
    const served: PnpServed[] = [];
    const pnp = await server('http://10.0.0.1/prov/', served);
    const outcome = await discover(pnp.port);
    expect(outcome).toMatchObject({
      url: 'http://10.0.0.1/prov/',
      from: `127.0.0.1:${pnp.port}`,
      ignored: [],
    });
    expect(outcome.waitedMs).toBeLessThan(1000);
    expect(served).toEqual([
      {
        mac: MAC,
        model: 'T46U',
        firmware: '108.86.0.90',
        to: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as string,
        url: 'http://10.0.0.1/prov/',
      },
    ]);
  });

  it('replaces $MAC in the URL with the subscriber’s MAC', async () => {
    const pnp = await server('tftp://10.0.0.1/$MAC/$MAC.boot');
    const outcome = await discover(pnp.port);
    expect(outcome.url).toBe(`tftp://10.0.0.1/${MAC}/${MAC}.boot`);
  });

  it('sends 200 OK with Expires: 0, then the NOTIFY to the Contact, From/To swapped, bare URL body', async () => {
    const pnp = await server('http://10.0.0.1/$MAC/');
    const phone = await peer();
    const subscribe = buildPnpSubscribe({ ...PHONE, mac: macOrThrow('001565f4f9e1') }, '224.0.1.75', {
      localAddress: '127.0.0.1',
      localPort: phone.port,
      id: '1536537630',
    });
    await phone.send(subscribe, pnp.port);
    const answer = await phone.next(isResponse);
    const lines = answer.text.split('\r\n');
    expect(lines[0]).toBe('SIP/2.0 200 OK');
    expect(header(answer.text, 'Via')).toBe(`SIP/2.0/UDP 127.0.0.1:${phone.port};branch=z9hG4bK1536537630`);
    expect(header(answer.text, 'From')).toBe('<sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630');
    const to = header(answer.text, 'To') ?? '';
    expect(to).toMatch(/^<sip:MAC001565f4f9e1@224\.0\.1\.75>;tag=\w+$/);
    expect(header(answer.text, 'Call-ID')).toBe('1536537630@127.0.0.1');
    expect(header(answer.text, 'CSeq')).toBe('1 SUBSCRIBE');
    expect(header(answer.text, 'Expires')).toBe('0');

    const request = await phone.next(isRequest('NOTIFY'));
    const url = 'http://10.0.0.1/001565f4f9e1/';
    const [head, body] = request.text.split('\r\n\r\n');
    expect(head!.split('\r\n')[0]).toBe(`NOTIFY sip:MAC001565f4f9e1@127.0.0.1:${phone.port} SIP/2.0`);
    expect(request.from.port).toBe(pnp.port);
    expect(header(request.text, 'From')).toBe(to);
    expect(header(request.text, 'To')).toBe('<sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630');
    expect(header(request.text, 'Call-ID')).toBe('1536537630@127.0.0.1');
    expect(header(request.text, 'CSeq')).toBe('2 NOTIFY');
    expect(header(request.text, 'Event')).toBe('ua-profile');
    expect(header(request.text, 'Subscription-State')).toBe('terminated;reason=noresource');
    expect(header(request.text, 'Content-Type')).toBe('application/url');
    expect(header(request.text, 'Content-Length')).toBe(String(url.length));
    expect(body).toBe(url);
  });

  it('retransmits the NOTIFY until the phone’s 200 OK, then stops', async () => {
    const log: string[] = [];
    const pnp = await server('http://10.0.0.1/', [], log);
    const phone = await peer();
    const subscribe = buildPnpSubscribe(PHONE, '224.0.1.75', {
      localAddress: '127.0.0.1',
      localPort: phone.port,
      id: '42',
    });
    await phone.send(subscribe, pnp.port);
    const first = await phone.next(isRequest('NOTIFY'));
    const again = await phone.next(isRequest('NOTIFY'), 1000); // Timer E: T1 = 500 ms
    expect(header(again.text, 'Via')).toBe(header(first.text, 'Via'));
    await phone.send(ok(again.text), pnp.port);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(phone.received.filter(isRequest('NOTIFY'))).toHaveLength(2);
    expect(log).toContain(`NOTIFY to 127.0.0.1:${phone.port} answered 200 OK`);
  });

  it('answers a retransmitted SUBSCRIBE with the same 200 OK and sends one NOTIFY', async () => {
    const served: PnpServed[] = [];
    const pnp = await server('http://10.0.0.1/', served);
    const phone = await peer();
    const subscribe = buildPnpSubscribe(PHONE, '224.0.1.75', {
      localAddress: '127.0.0.1',
      localPort: phone.port,
      id: '7',
    });
    await phone.send(subscribe, pnp.port);
    const first = await phone.next(isResponse);
    await phone.send(subscribe, pnp.port);
    const second = await phone.next(isResponse);
    expect(second.text).toBe(first.text);
    expect(served).toHaveLength(1);
  });

  it('answers another event package 489 Bad Event, garbage not at all, and goes on serving', async () => {
    const log: string[] = [];
    const served: PnpServed[] = [];
    const pnp = await server('http://10.0.0.1/', served, log);
    const other = await peer();
    const presence = buildPnpSubscribe(PHONE, '127.0.0.1', {
      localAddress: '127.0.0.1',
      localPort: other.port,
      id: '9',
    }).replace(/^Event: .*$/m, 'Event: presence');
    for (const garbage of [
      Buffer.from([0xff, 0x00, 0x13, 0x37]),
      'hello\r\n\r\n',
      'SUBSCRIBE sip:x SIP/2.0\r\n\r\n',
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnobody\r\nCSeq: 2 NOTIFY\r\nContent-Length: 0\r\n\r\n',
      '\r\n\r\n',
    ])
      await other.send(garbage, pnp.port);
    await other.send(presence, pnp.port);
    const refusal = await other.next(isResponse);
    expect(refusal.text).toMatch(/^SIP\/2\.0 489 Bad Event\r\n/);
    expect(header(refusal.text, 'Allow-Events')).toBe('ua-profile');
    const noMac = buildPnpSubscribe(PHONE, '127.0.0.1', {
      localAddress: '127.0.0.1',
      localPort: other.port,
      id: '10',
    }).replace(/MAC00156574b150@/g, 'phone@');
    await other.send(noMac, pnp.port);
    expect((await other.next(isResponse)).text).toMatch(/^SIP\/2\.0 400 No MAC/);
    expect(served).toEqual([]);
    expect(log.filter((l) => l.startsWith('ignored')).length).toBeGreaterThanOrEqual(3);

    const outcome = await discover(pnp.port);
    expect(outcome.url).toBe('http://10.0.0.1/');
  });
});

describe('S2 the MAC in a PnP request URI', () => {
  it.each([
    ['sip:MAC001565f4f9e1@224.0.1.75', '001565f4f9e1'],
    ['<sip:MAC001565F4F9E1@224.0.1.75>', '001565f4f9e1'],
    ['sip:MAC%3a000413123456@224.0.1.75', '000413123456'],
    ['sip:phone@224.0.1.75', undefined],
    ['sip:MAC0015@224.0.1.75', undefined],
  ])('%s -> %s', (uri, mac) => {
    expect(macOfPnpUri(uri)).toBe(mac);
  });

  it('Event parameters are quoted, in the capture’s order, vendor lower case', () => {
    expect(uaProfileEvent('T46U', '108.86.0.90')).toBe(
      'ua-profile;profile-type="device";vendor="yealink";model="T46U";version="108.86.0.90"',
    );
  });
});
