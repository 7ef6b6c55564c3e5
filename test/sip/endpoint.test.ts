// The phone's SIP endpoint on a real UDP socket (spec T7): answered by our own sender, and by raw
// datagrams written here as a PBX, a softphone or a broken tool would send them.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSipEndpoint, type SipEndpoint } from '../../src/sip/endpoint.js';
import { TIMER_J } from '../../src/sip/serverTransactions.js';
import { sendCheckSync } from '../../src/sip/sender.js';
import type { CheckSyncEvent } from '../../src/sip/uas.js';

const UA = 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50';

/** A UDP socket on loopback that queues what it receives. */
interface Peer {
  readonly port: number;
  send(text: string | Buffer, port: number): void;
  /** The next datagram, or undefined after `ms` without one. */
  next(ms?: number): Promise<string | undefined>;
  close(): Promise<void>;
}

async function peer(): Promise<Peer> {
  const socket: Socket = createSocket('udp4');
  const queue: string[] = [];
  let waiting: ((text: string) => void) | undefined;
  socket.on('message', (datagram: Buffer) => {
    const text = datagram.toString('utf8');
    if (waiting) waiting(text);
    else queue.push(text);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: socket.address().port,
    send: (text, port) => socket.send(text, port, '127.0.0.1'),
    next: (ms = 1000) => {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          resolve(undefined);
        }, ms);
        waiting = (text) => {
          clearTimeout(timer);
          waiting = undefined;
          resolve(text);
        };
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

interface RequestParts {
  readonly method?: string;
  /** The port named in the Via (default: the peer's). */
  readonly viaPort: number;
  readonly branch?: string;
  readonly cseq?: number;
  readonly event?: string;
  /** Header names to leave out. */
  readonly omit?: readonly string[];
  readonly extra?: readonly string[];
  readonly viaParams?: string;
}

/** A request as a PBX writes it; `omit` and `extra` make it wrong on purpose. */
function request(parts: RequestParts): string {
  const method = parts.method ?? 'NOTIFY';
  const headers: [string, string][] = [
    [
      'Via',
      `SIP/2.0/UDP 127.0.0.1:${parts.viaPort};branch=${parts.branch ?? 'z9hG4bKpbx1'}${parts.viaParams ?? ''}`,
    ],
    ['Max-Forwards', '70'],
    ['From', '<sip:pbx@127.0.0.1>;tag=pbx1'],
    ['To', '<sip:1001@127.0.0.1>'],
    ['Call-ID', 'call-1@127.0.0.1'],
    ['CSeq', `${parts.cseq ?? 10} ${method}`],
  ];
  if (parts.event !== undefined) headers.push(['Event', parts.event]);
  const lines = headers.filter(([name]) => !parts.omit?.includes(name)).map(([n, v]) => `${n}: ${v}`);
  return [
    `${method} sip:1001@127.0.0.1 SIP/2.0`,
    ...lines,
    ...(parts.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const statusLine = (response: string | undefined) => response?.split('\r\n', 1)[0];
function header(response: string | undefined, name: string): string | undefined {
  const line = response?.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('T7 SIP endpoint: NOTIFY check-sync', () => {
  let endpoint: SipEndpoint;
  let client: Peer;
  let rounds: CheckSyncEvent[];
  let logged: string[];
  let now: number;

  beforeEach(async () => {
    rounds = [];
    logged = [];
    now = Date.UTC(2026, 10, 28, 9, 0, 0);
    endpoint = await startSipEndpoint({
      port: 0,
      userAgent: UA,
      onCheckSync: (event) => rounds.push(event),
      log: (line) => logged.push(line),
      now: () => now,
    });
    client = await peer();
  });
  afterEach(async () => {
    await client.close();
    await endpoint.close();
  });

  const ask = async (parts: Omit<RequestParts, 'viaPort'> & { viaPort?: number }, waitMs?: number) => {
    client.send(request({ viaPort: client.port, ...parts }), endpoint.port);
    return client.next(waitMs);
  };

  it('answers our sender 200 OK and starts one round, reboot not asked for', async () => {
    const outcome = await sendCheckSync({
      host: '127.0.0.1',
      port: endpoint.port,
      user: '1001',
      timeoutMs: 2000,
    });
    expect(outcome).toMatchObject({ kind: 'answered', status: 200, reason: 'OK', transmissions: 1 });
    expect(outcome.kind === 'answered' && outcome.from).toEqual({
      address: '127.0.0.1',
      port: endpoint.port,
    });
    expect(rounds).toEqual([
      {
        reboot: false,
        from: 'sip:autop@127.0.0.1',
        eventHeader: 'check-sync',
        source: { address: '127.0.0.1', port: expect.any(Number) as number },
      },
    ]);
  });

  it('reads reboot=true from the Event header our sender writes with --reboot', async () => {
    const outcome = await sendCheckSync({
      host: '127.0.0.1',
      port: endpoint.port,
      reboot: true,
      timeoutMs: 2000,
    });
    expect(outcome).toMatchObject({ kind: 'answered', status: 200 });
    expect(rounds).toEqual([
      expect.objectContaining({ reboot: true, eventHeader: 'check-sync;reboot=true' }),
    ]);
  });

  it('takes the event name and the reboot parameter in any case, and the compact header name o', async () => {
    expect(statusLine(await ask({ event: 'Check-Sync;Reboot=TRUE' }))).toBe('SIP/2.0 200 OK');
    expect(statusLine(await ask({ branch: 'z9hG4bKpbx2', extra: ['o: check-sync'] }))).toBe('SIP/2.0 200 OK');
    expect(rounds.map((r) => [r.reboot, r.eventHeader])).toEqual([
      [true, 'Check-Sync;Reboot=TRUE'],
      [false, 'check-sync'],
    ]);
  });

  it('builds the 200 per RFC 3261 §8.2.6: headers copied, a To tag added, the phone UA, no body', async () => {
    const response = await ask({ event: 'check-sync' });
    expect(statusLine(response)).toBe('SIP/2.0 200 OK');
    expect(header(response, 'Via')).toBe(`SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKpbx1`);
    expect(header(response, 'From')).toBe('<sip:pbx@127.0.0.1>;tag=pbx1');
    expect(header(response, 'To')).toMatch(/^<sip:1001@127\.0\.0\.1>;tag=[0-9a-f]+$/);
    expect(header(response, 'Call-ID')).toBe('call-1@127.0.0.1');
    expect(header(response, 'CSeq')).toBe('10 NOTIFY');
    expect(header(response, 'User-Agent')).toBe(UA);
    expect(header(response, 'Content-Length')).toBe('0');
    expect(response?.endsWith('\r\n\r\n')).toBe(true);
  });

  it('answers a retransmitted NOTIFY with the same 200 and starts no second round', async () => {
    const first = await ask({ event: 'check-sync' });
    now += 500; // RFC 3261 Timer E: the PBX sends it again after T1
    const again = await ask({ event: 'check-sync' });
    expect(again).toBe(first);
    expect(rounds).toHaveLength(1);
    expect(logged.some((l) => l.includes('retransmission'))).toBe(true);
  });

  it('forgets the transaction when Timer J (32 s) fires: the same NOTIFY then starts a new round', async () => {
    const first = await ask({ event: 'check-sync' });
    now += TIMER_J - 1;
    expect(await ask({ event: 'check-sync' })).toBe(first);
    expect(rounds).toHaveLength(1);
    now += 1;
    const later = await ask({ event: 'check-sync' });
    expect(statusLine(later)).toBe('SIP/2.0 200 OK');
    expect(header(later, 'To')).not.toBe(header(first, 'To'));
    expect(rounds).toHaveLength(2);
  });

  it('starts a round for each new transaction (a new branch), even at the same instant', async () => {
    await ask({ event: 'check-sync', branch: 'z9hG4bKa' });
    await ask({ event: 'check-sync', branch: 'z9hG4bKb', cseq: 11 });
    expect(rounds).toHaveLength(2);
  });

  it('refuses another event package with 489 Bad Event and says which it takes', async () => {
    const response = await ask({ event: 'ua-profile;profile-type="device"' });
    expect(statusLine(response)).toBe('SIP/2.0 489 Bad Event');
    expect(header(response, 'Allow-Events')).toBe('check-sync');
    expect(rounds).toEqual([]);
  });

  it('answers a NOTIFY without an Event header 400, and starts nothing', async () => {
    expect(statusLine(await ask({}))).toBe('SIP/2.0 400 Missing Event Header');
    expect(rounds).toEqual([]);
  });

  it('answers OPTIONS 200 OK with Allow', async () => {
    const response = await ask({ method: 'OPTIONS' });
    expect(statusLine(response)).toBe('SIP/2.0 200 OK');
    expect(header(response, 'Allow')).toBe('NOTIFY, OPTIONS, CANCEL');
    expect(header(response, 'User-Agent')).toBe(UA);
  });

  it.each(['INVITE', 'MESSAGE', 'REGISTER', 'SUBSCRIBE', 'BYE', 'INFO'])(
    'refuses %s with 405 Method Not Allowed and an Allow header (it takes no calls)',
    async (method) => {
      const response = await ask({ method, event: method === 'SUBSCRIBE' ? 'check-sync' : undefined });
      expect(statusLine(response)).toBe('SIP/2.0 405 Method Not Allowed');
      expect(header(response, 'Allow')).toBe('NOTIFY, OPTIONS, CANCEL');
      expect(header(response, 'CSeq')).toBe(`10 ${method}`);
      expect(rounds).toEqual([]);
    },
  );

  it('never answers an ACK, even the one that follows its 405 to an INVITE', async () => {
    expect(statusLine(await ask({ method: 'INVITE' }))).toBe('SIP/2.0 405 Method Not Allowed');
    expect(await ask({ method: 'ACK', cseq: 10 }, 300)).toBeUndefined();
    expect(await ask({ method: 'ACK', branch: 'z9hG4bKstray' }, 300)).toBeUndefined();
  });

  it('answers a CANCEL of a request it answered 200, and one of an unknown request 481 (RFC 3261 §9.2)', async () => {
    await ask({ event: 'check-sync', branch: 'z9hG4bKc1' });
    expect(statusLine(await ask({ method: 'CANCEL', branch: 'z9hG4bKc1' }))).toBe('SIP/2.0 200 OK');
    expect(statusLine(await ask({ method: 'CANCEL', branch: 'z9hG4bKnone' }))).toBe(
      'SIP/2.0 481 Call/Transaction Does Not Exist',
    );
    expect(rounds).toHaveLength(1);
  });

  it('refuses a required extension with 420 and names it Unsupported (RFC 3261 §8.2.2.3)', async () => {
    const response = await ask({ event: 'check-sync', extra: ['Require: 100rel, timer'] });
    expect(statusLine(response)).toBe('SIP/2.0 420 Bad Extension');
    expect(header(response, 'Unsupported')).toBe('100rel, timer');
    expect(rounds).toEqual([]);
  });

  it.each([
    ['From', 'SIP/2.0 400 Missing From Header'],
    ['To', 'SIP/2.0 400 Missing To Header'],
    ['Call-ID', 'SIP/2.0 400 Missing Call-ID Header'],
    ['CSeq', 'SIP/2.0 400 Missing CSeq Header'],
  ])('answers a NOTIFY without %s 400 Bad Request and starts nothing', async (omitted, expected) => {
    expect(statusLine(await ask({ event: 'check-sync', omit: [omitted] }))).toBe(expected);
    expect(rounds).toEqual([]);
  });

  it('answers a request whose CSeq names another method 400', async () => {
    const response = await ask({ event: 'check-sync', omit: ['CSeq'], extra: ['CSeq: 3 OPTIONS'] });
    expect(statusLine(response)).toBe('SIP/2.0 400 CSeq Method Does Not Match Request');
    expect(rounds).toEqual([]);
  });

  it('answers a request with a header sip.js cannot parse 400, saying which', async () => {
    const text = request({ viaPort: client.port, event: 'check-sync' }).replace(
      'From: <sip:pbx@127.0.0.1>;tag=pbx1',
      'From: <sip:pbx@127.0.0.1;tag=pbx1',
    );
    client.send(text, endpoint.port);
    const response = await client.next();
    expect(statusLine(response)).toBe("SIP/2.0 400 Bad Request (error parsing header 'From')");
    expect(header(response, 'Call-ID')).toBe('call-1@127.0.0.1');
    expect(rounds).toEqual([]);
  });

  it('ignores garbage, responses and keep-alives without crashing, logs them, and answers the next request', async () => {
    client.send(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a]), endpoint.port);
    client.send('hello world\r\n\r\n', endpoint.port);
    client.send('NOTIFY sip:1001@127.0.0.1 SIP/2.0\r\nVia: \r\n\r\n', endpoint.port);
    client.send(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\nCSeq: 1 NOTIFY\r\n\r\n',
      endpoint.port,
    );
    client.send('SIP/2.0 200 OK\r\nCSeq: nonsense\r\n\r\n', endpoint.port);
    client.send('\r\n\r\n', endpoint.port);
    client.send(Buffer.alloc(0), endpoint.port);
    expect(await client.next(300)).toBeUndefined();
    expect(statusLine(await ask({ event: 'check-sync' }))).toBe('SIP/2.0 200 OK');
    expect(rounds).toHaveLength(1);
    expect(logged.filter((l) => l.startsWith('ignored'))).toHaveLength(5);
  });

  it('goes on answering when the round handler throws', async () => {
    await endpoint.close();
    endpoint = await startSipEndpoint({
      port: 0,
      userAgent: UA,
      onCheckSync: () => {
        throw new Error('engine exploded');
      },
      log: (line) => logged.push(line),
    });
    expect(statusLine(await ask({ event: 'check-sync' }))).toBe('SIP/2.0 200 OK');
    expect(statusLine(await ask({ method: 'OPTIONS', branch: 'z9hG4bKo' }))).toBe('SIP/2.0 200 OK');
    expect(logged).toContain('check-sync handler failed: engine exploded');
  });
});

describe('starting the endpoint', () => {
  it('says which port it could not listen on', async () => {
    const taken = await peer();
    try {
      await expect(
        startSipEndpoint({ port: taken.port, userAgent: UA, onCheckSync: () => {} }),
      ).rejects.toThrow(`cannot listen for SIP on 127.0.0.1 UDP port ${taken.port}: bind EADDRINUSE`);
    } finally {
      await taken.close();
    }
  });
});

describe('RFC 3261 §18.2.2 where the response goes', () => {
  let endpoint: SipEndpoint;
  let sender: Peer;
  let elsewhere: Peer;

  beforeEach(async () => {
    endpoint = await startSipEndpoint({ port: 0, userAgent: UA, onCheckSync: () => {} });
    sender = await peer();
    elsewhere = await peer();
  });
  afterEach(async () => {
    await Promise.all([sender.close(), elsewhere.close(), endpoint.close()]);
  });

  it('to the sent-by port of the Via when the client does not ask for rport', async () => {
    sender.send(request({ viaPort: elsewhere.port, event: 'check-sync' }), endpoint.port);
    const response = await elsewhere.next();
    expect(statusLine(response)).toBe('SIP/2.0 200 OK');
    expect(await sender.next(200)).toBeUndefined();
  });

  it('to the source port with rport (RFC 3581), stamped into the Via it copies', async () => {
    sender.send(
      request({ viaPort: elsewhere.port, event: 'check-sync', viaParams: ';rport' }),
      endpoint.port,
    );
    const response = await sender.next();
    expect(header(response, 'Via')).toBe(
      `SIP/2.0/UDP 127.0.0.1:${elsewhere.port};branch=z9hG4bKpbx1;rport=${sender.port};received=127.0.0.1`,
    );
  });
});
