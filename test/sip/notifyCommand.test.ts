// `autop notify HOST:PORT` (spec T7): what it puts on the wire, what it prints, its exit code, and
// its retransmissions (RFC 3261 §17.1.2) against a phone that is slow, refuses, or is not there.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTarget, runNotify, type NotifyIo } from '../../src/cli/notify.js';
import { UsageError } from '../../src/cli/usage.js';
import { startSipEndpoint, type SipEndpoint } from '../../src/sip/endpoint.js';
import { buildResponse, parseSipMessage, type SipRequest } from '../../src/sip/message.js';
import type { CheckSyncEvent } from '../../src/sip/uas.js';

function capture(): NotifyIo & { out: (t: string) => void; text: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  return { out: (t) => (out += t), err: (t) => (err += t), text: () => ({ out, err }) };
}

/** A peer that answers with `status` after ignoring the first `drop` requests, and keeps them all. */
async function scriptedPhone(status: number | undefined, drop = 0) {
  const socket: Socket = createSocket('udp4');
  const received: SipRequest[] = [];
  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    const request = parseSipMessage(datagram);
    if (request.kind !== 'request') return;
    received.push(request);
    if (status === undefined || received.length <= drop) return;
    const response = buildResponse(request.echo, { status, toTag: 'x', userAgent: 'scripted' });
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

describe('autop notify', () => {
  let endpoint: SipEndpoint;
  let rounds: CheckSyncEvent[];

  beforeEach(async () => {
    rounds = [];
    endpoint = await startSipEndpoint({
      port: 0,
      userAgent: 'Yealink SIP-T46U 108.86.0.90',
      onCheckSync: (e) => rounds.push(e),
    });
  });
  afterEach(async () => {
    await endpoint.close();
  });

  it('prints the 200 OK and where it came from, and exits 0', async () => {
    const io = capture();
    const code = await runNotify(`127.0.0.1:${endpoint.port}`, { reboot: true, timeout: '3000' }, io);
    expect(code).toBe(0);
    expect(io.text()).toEqual({ out: `200 OK from 127.0.0.1:${endpoint.port}\n`, err: '' });
    expect(rounds).toEqual([expect.objectContaining({ reboot: true })]);
  });

  it('sends a complete out-of-dialog NOTIFY (RFC 3261 §8.1.1) to sip:USER@HOST:PORT', async () => {
    const phone = await scriptedPhone(200);
    try {
      await runNotify(`127.0.0.1:${phone.port}`, { user: '1001', timeout: '3000' }, capture());
      const [notify] = phone.received;
      expect(notify).toMatchObject({
        method: 'NOTIFY',
        uri: `sip:1001@127.0.0.1:${phone.port}`,
        topVia: {
          transport: 'UDP',
          host: '127.0.0.1',
          rport: true,
          branch: expect.stringMatching(/^z9hG4bK[0-9a-f]+$/) as string,
        },
        fromTag: expect.stringMatching(/^[0-9a-f]+$/) as string,
        toTag: undefined,
        callId: expect.stringMatching(/^[0-9a-f]+@127\.0\.0\.1$/) as string,
        cseq: { number: 1, method: 'NOTIFY' },
        event: 'check-sync',
        body: '',
        echo: { to: `<sip:1001@127.0.0.1:${phone.port}>` },
      });
    } finally {
      await phone.close();
    }
  });

  it('retransmits the same NOTIFY until the phone answers (Timer E: after 500 ms, then 1000 ms)', async () => {
    const phone = await scriptedPhone(200, 2);
    try {
      const io = capture();
      const started = Date.now();
      expect(await runNotify(`127.0.0.1:${phone.port}`, { timeout: '5000' }, io)).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(phone.received).toHaveLength(3);
      expect(new Set(phone.received.map((r) => r.topVia?.branch)).size).toBe(1);
    } finally {
      await phone.close();
    }
  });

  it('prints a refusal and exits 1', async () => {
    const phone = await scriptedPhone(489);
    try {
      const io = capture();
      expect(await runNotify(`127.0.0.1:${phone.port}`, { timeout: '3000' }, io)).toBe(1);
      expect(io.text().out).toBe(`489 Bad Event from 127.0.0.1:${phone.port}\n`);
    } finally {
      await phone.close();
    }
  });

  it('says so and exits 1 when nothing answers within --timeout', async () => {
    const phone = await scriptedPhone(undefined);
    try {
      const io = capture();
      expect(await runNotify(`127.0.0.1:${phone.port}`, { timeout: '700' }, io)).toBe(1);
      expect(io.text().err).toBe(
        `autop: no answer from 127.0.0.1:${phone.port} within 700 ms (NOTIFY sent 2 times); is a phone listening on that UDP port?\n`,
      );
      expect(phone.received).toHaveLength(2);
    } finally {
      await phone.close();
    }
  });

  it.each([
    [['nowhere:70000', {}], /is not a phone address/],
    [['a:b:c', {}], /is not a phone address/],
    [['127.0.0.1:5060', { timeout: 'soon' }], /--timeout soon is not a number of milliseconds/],
    [['127.0.0.1:5060', { user: 'a b@c' }], /--user a b@c cannot be the user part of a SIP URI/],
  ] as const)('refuses %j as a usage error', async ([target, options], message) => {
    await expect(runNotify(target, options, capture())).rejects.toThrow(UsageError);
    await expect(runNotify(target, options, capture())).rejects.toThrow(message);
  });
});

describe('parseTarget', () => {
  it.each([
    ['192.168.1.50:5062', { host: '192.168.1.50', port: 5062 }],
    ['192.168.1.50', { host: '192.168.1.50', port: 5060 }],
    ['phone-42.example.com:5060', { host: 'phone-42.example.com', port: 5060 }],
    ['[fe80::1]:5070', { host: 'fe80::1', port: 5070 }],
    ['[::1]', { host: '::1', port: 5060 }],
    ['::1', { host: '::1', port: 5060 }],
  ])('%s', (target, expected) => {
    expect(parseTarget(target)).toEqual(expected);
  });
});
