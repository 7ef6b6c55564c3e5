// The fleet's one SIP endpoint survives what the network sends it (issue #8 §2, a bad input is an
// outcome, not a crash): a request whose Via names port 0 cannot be answered and is logged.
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { startFleetSip } from '../../src/fleet/fleetSip.js';

describe('fleet SIP endpoint', () => {
  it('logs an answer it cannot send (Via port 0) and goes on answering', async () => {
    const lines: string[] = [];
    const endpoint = await startFleetSip({
      isPhone: () => false,
      onCheckSync: () => {},
      log: (l) => lines.push(l),
    });
    const client = createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
    const notify = (port: number, branch: string) =>
      [
        `NOTIFY sip:nobody@127.0.0.1:${endpoint.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${branch}`,
        'From: <sip:pbx@127.0.0.1>;tag=1',
        `To: <sip:nobody@127.0.0.1:${endpoint.port}>`,
        `Call-ID: ${branch}@127.0.0.1`,
        'CSeq: 1 NOTIFY',
        'Event: check-sync',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const answer = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
    client.send(notify(0, 'zero'), endpoint.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    expect(lines.join('\n')).toMatch(/could not send to 127\.0\.0\.1:0/);
    // Still alive: an ordinary request for an unknown user gets its 404.
    client.send(notify(client.address().port, 'next'), endpoint.port, '127.0.0.1');
    expect((await answer).split('\r\n')[0]).toBe('SIP/2.0 404 Not Found');
    client.close();
    await endpoint.close();
  });
});
