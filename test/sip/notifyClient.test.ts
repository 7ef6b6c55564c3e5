// The NOTIFY storm's sender (issue #14 §2): many check-sync NOTIFYs over one UDP socket, each its own
// non-INVITE client transaction (RFC 3261 §17.1.2), answers matched by the top Via branch and the
// CSeq method (§17.1.3), retransmitted on Timer E, given up on at the time limit. Against a peer on
// a real socket that answers as it is told.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { buildResponse, parseSipMessage, type SipRequest } from '../../src/sip/message.js';
import { openNotifyClient, type NotifyClient, type NotifyOutcome } from '../../src/sip/sender.js';
import { T1 } from '../../src/sip/timers.js';

interface Received {
  readonly request: SipRequest;
  readonly from: RemoteInfo;
}

/** A peer that hands every request to `answer`, which sends what it likes back. */
async function peer(answer: (received: Received, socket: Socket, all: Received[]) => void) {
  const socket = createSocket('udp4');
  const all: Received[] = [];
  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    const request = parseSipMessage(datagram);
    if (request.kind !== 'request') return;
    const received = { request, from };
    all.push(received);
    answer(received, socket, all);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: socket.address().port,
    all,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function reply(socket: Socket, { request, from }: Received, status: number): void {
  socket.send(
    buildResponse(request.echo, { status, toTag: 't', userAgent: 'peer' }),
    from.port,
    from.address,
  );
}

const userOf = (r: Received) => /^sip:([^@]+)@/.exec(r.request.uri)?.[1];

let client: NotifyClient | undefined;
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await client?.close();
  client = undefined;
  for (const close of closers) await close();
  closers = [];
});

describe('NOTIFY client: one socket, many transactions (RFC 3261 §17.1)', () => {
  it('matches each answer to its NOTIFY by branch, whatever order the answers come in', async () => {
    const users = ['a1', 'b2', 'c3', 'd4', 'e5'];
    // Holds every NOTIFY until all are in, then answers them last first, each with its own status.
    const phone = await peer((_, socket, all) => {
      if (all.length < users.length) return;
      for (const received of [...all].reverse())
        reply(socket, received, 200 + users.indexOf(userOf(received)!));
    });
    closers.push(phone.close);
    client = await openNotifyClient({ type: 'udp4' });
    const sent: string[] = [];
    const outcomes = await Promise.all(
      users.map((user) =>
        client!.send({ host: '127.0.0.1', port: phone.port, user, onSent: () => sent.push(user) }),
      ),
    );
    expect(outcomes.map((o) => (o.kind === 'answered' ? o.status : o.kind))).toEqual([
      200, 201, 202, 203, 204,
    ]);
    for (const o of outcomes)
      expect(o).toMatchObject({ kind: 'answered', transmissions: 1, provisional: [] });
    expect(sent.sort()).toEqual([...users].sort());
    // One socket: every NOTIFY came from the same port, each with a branch of its own.
    expect(new Set(phone.all.map((r) => r.from.port)).size).toBe(1);
    expect(new Set(phone.all.map((r) => r.request.topVia?.branch)).size).toBe(users.length);
    expect(client.inFlight).toBe(0);
  });

  it('retransmits a NOTIFY on Timer E until it is answered, and says how many went out', async () => {
    // Drops the first transmission, answers the second.
    const phone = await peer((received, socket, all) => {
      if (all.length >= 2) reply(socket, received, 200);
    });
    closers.push(phone.close);
    client = await openNotifyClient({ type: 'udp4' });
    const outcome = await client.send({ host: '127.0.0.1', port: phone.port, user: 'a1' });
    expect(outcome).toMatchObject({ kind: 'answered', status: 200, transmissions: 2 });
    // The answer came to the retransmission, T1 after the first one.
    expect((outcome as Extract<NotifyOutcome, { kind: 'answered' }>).latencyMs).toBeGreaterThanOrEqual(T1);
    expect(phone.all.map((r) => r.request.topVia?.branch)).toEqual([
      phone.all[0]!.request.topVia?.branch,
      phone.all[0]!.request.topVia?.branch,
    ]);
  });

  it('gives up on a NOTIFY never answered at its time limit, and answers the others meanwhile', async () => {
    const phone = await peer((received, socket) => {
      if (userOf(received) !== 'silent') reply(socket, received, 200);
    });
    closers.push(phone.close);
    client = await openNotifyClient({ type: 'udp4' });
    const [silent, answered] = await Promise.all([
      client.send({ host: '127.0.0.1', port: phone.port, user: 'silent', timeoutMs: 1200 }),
      client.send({ host: '127.0.0.1', port: phone.port, user: 'loud' }),
    ]);
    // Sent at 0, retransmitted at T1 (500 ms) and 3 T1 (1,500 ms is past the limit).
    expect(silent).toEqual({ kind: 'timeout', transmissions: 2, waitedMs: 1200 });
    expect(answered).toMatchObject({ kind: 'answered', status: 200 });
  });

  it('ignores answers to no NOTIFY of its own: another branch, another method', async () => {
    const phone = await peer((received, socket) => {
      const { request } = received;
      const other = {
        ...request.echo,
        via: request.echo.via.map((v) => v.replace(/branch=[^;]+/, 'branch=z9hG4bKother')),
      };
      socket.send(
        buildResponse(other, { status: 500, toTag: 't', userAgent: 'peer' }),
        received.from.port,
        received.from.address,
      );
      const options = { ...request.echo, cseq: '1 OPTIONS' };
      socket.send(
        buildResponse(options, { status: 501, toTag: 't', userAgent: 'peer' }),
        received.from.port,
        received.from.address,
      );
      reply(socket, received, 202);
    });
    closers.push(phone.close);
    client = await openNotifyClient({ type: 'udp4' });
    expect(await client.send({ host: '127.0.0.1', port: phone.port, user: 'a1' })).toMatchObject({
      kind: 'answered',
      status: 202,
    });
  });

  it('says a NOTIFY was not sent when it cannot be (port 0), without stopping the others', async () => {
    const phone = await peer((received, socket) => reply(socket, received, 200));
    closers.push(phone.close);
    client = await openNotifyClient({ type: 'udp4' });
    const sent: string[] = [];
    const [refused, fine] = await Promise.all([
      client.send({ host: '127.0.0.1', port: 0, user: 'nowhere', onSent: () => sent.push('nowhere') }),
      client.send({ host: '127.0.0.1', port: phone.port, user: 'a1', onSent: () => sent.push('a1') }),
    ]);
    expect(refused).toMatchObject({ kind: 'failed', transmissions: 0 });
    expect(fine).toMatchObject({ kind: 'answered', status: 200 });
    expect(sent).toEqual(['a1']);
  });
});
