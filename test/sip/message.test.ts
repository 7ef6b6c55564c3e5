// Parsing datagrams with sip.js's parser into typed values, and building responses (RFC 3261
// §7, §8.2.6). Pure: no sockets here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventHeader, rebootRequested } from '../../src/sip/event.js';
import { buildResponse, parseSipMessage, type SipRequest } from '../../src/sip/message.js';
import { UserAgentServer } from '../../src/sip/uas.js';
import { parseTopVia, responseDestination, splitHeaderValues, stampTopVia } from '../../src/sip/via.js';

const NOTIFY = [
  'NOTIFY sip:1001@10.0.0.50:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'From: "PBX" <sip:pbx@10.0.0.1>;tag=1928301774',
  'To: <sip:1001@10.0.0.50>',
  'Call-ID: a84b4c76e66710@10.0.0.1',
  'CSeq: 314159 NOTIFY',
  'Event: check-sync;reboot=true',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function asRequest(text: string): SipRequest {
  const parsed = parseSipMessage(text);
  if (parsed.kind !== 'request') throw new Error(`not a request: ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseSipMessage', () => {
  it('reads what the endpoint needs from a check-sync NOTIFY', () => {
    expect(asRequest(NOTIFY)).toMatchObject({
      kind: 'request',
      method: 'NOTIFY',
      uri: 'sip:1001@10.0.0.50:5060',
      topVia: { transport: 'UDP', host: '10.0.0.1', port: 5060, branch: 'z9hG4bK776asdhds', rport: false },
      from: 'sip:pbx@10.0.0.1',
      fromTag: '1928301774',
      toTag: undefined,
      callId: 'a84b4c76e66710@10.0.0.1',
      cseq: { number: 314159, method: 'NOTIFY' },
      event: 'check-sync;reboot=true',
      require: [],
      body: '',
      echo: {
        via: ['SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds'],
        from: '"PBX" <sip:pbx@10.0.0.1>;tag=1928301774',
        to: '<sip:1001@10.0.0.50>',
        callId: 'a84b4c76e66710@10.0.0.1',
        cseq: '314159 NOTIFY',
      },
    });
  });

  it("reads reference §10's example, as sipsak users write it (bare URIs, no tag, no Via)", () => {
    const example = [
      'NOTIFY sip:1001@10.0.0.50 SIP/2.0',
      'To: sip:1001@10.0.0.50',
      'From: sip:sipsak@10.0.0.1',
      'CSeq: 10 NOTIFY',
      'Call-ID: 1234@10.0.0.1',
      'Event: check-sync;reboot=true',
      '',
      '',
    ].join('\r\n');
    expect(asRequest(example)).toMatchObject({
      from: 'sip:sipsak@10.0.0.1',
      fromTag: undefined,
      topVia: undefined,
    });
  });

  it('takes the first value of a Via line that carries two as the top Via (sip.js keeps the last)', () => {
    const twoInOne = NOTIFY.replace(
      'branch=z9hG4bK776asdhds',
      'branch=z9hG4bK776asdhds, SIP/2.0/UDP 10.9.9.9:5070;branch=z9hG4bKproxy',
    );
    expect(asRequest(twoInOne).topVia).toMatchObject({ host: '10.0.0.1', branch: 'z9hG4bK776asdhds' });
  });

  it('reads compact header names (RFC 3261 §7.3.3) and the Event compact form o', () => {
    const compact = [
      'NOTIFY sip:1001@10.0.0.50 SIP/2.0',
      'v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKc',
      'f: <sip:pbx@10.0.0.1>;tag=1',
      't: <sip:1001@10.0.0.50>',
      'i: c1',
      'CSeq: 1 NOTIFY',
      'o: check-sync',
      'l: 0',
      '',
      '',
    ].join('\r\n');
    expect(asRequest(compact)).toMatchObject({
      event: 'check-sync',
      callId: 'c1',
      topVia: { port: undefined },
    });
  });

  it('cuts the body at Content-Length in bytes, not characters (RFC 3261 §20.14)', () => {
    const body = 'http://prov.example.com/é/';
    const text =
      NOTIFY.replace('Content-Length: 0', `Content-Length: ${Buffer.byteLength(body)}`) + body + 'junk';
    expect(asRequest(text).body).toBe(body);
  });

  it('says a request whose body is shorter than its Content-Length is malformed, and answerable (§18.3)', () => {
    const parsed = parseSipMessage(NOTIFY.replace('Content-Length: 0', 'Content-Length: 40'));
    expect(parsed).toMatchObject({
      kind: 'malformed',
      reason: 'Content-Length 40 but 0 bytes of body',
      answerable: { method: 'NOTIFY', echo: { callId: 'a84b4c76e66710@10.0.0.1' } },
    });
  });

  it('reads a response: status, reason, top Via and CSeq', () => {
    const response =
      'SIP/2.0 489 Bad Event\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKr\r\nCSeq: 2 NOTIFY\r\n\r\n';
    expect(parseSipMessage(response)).toMatchObject({
      kind: 'response',
      status: 489,
      reason: 'Bad Event',
      topVia: { branch: 'z9hG4bKr' },
      cseq: { number: 2, method: 'NOTIFY' },
    });
  });

  it('turns what makes sip.js throw (a response with a bad CSeq) into a value', () => {
    expect(parseSipMessage('SIP/2.0 200 OK\r\nCSeq: x\r\n\r\n')).toMatchObject({
      kind: 'malformed',
      answerable: undefined,
    });
  });

  it('calls CRLFs alone a keep-alive (RFC 5626 §3.5.1)', () => {
    expect(parseSipMessage('\r\n\r\n')).toEqual({ kind: 'keep-alive' });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(['request', 'response', 'malformed', 'keep-alive']).toContain(
          parseSipMessage(Buffer.from(bytes)).kind,
        );
      }),
    );
  });

  it('never throws on a NOTIFY with lines dropped, doubled or cut short', () => {
    const lines = NOTIFY.split('\r\n');
    fc.assert(
      fc.property(
        fc.array(fc.nat(lines.length - 1), { maxLength: 14 }),
        fc.nat(NOTIFY.length),
        (picks, cut) => {
          const text =
            picks
              .map((i) => lines[i])
              .join('\r\n')
              .slice(0, cut) + '\r\n\r\n';
          const uas = new UserAgentServer({ userAgent: 'ua' });
          expect(() => uas.receive(text, { address: '10.0.0.1', port: 5060 }, 0)).not.toThrow();
        },
      ),
    );
  });
});

describe('buildResponse (RFC 3261 §8.2.6.2)', () => {
  const echo = asRequest(NOTIFY).echo;

  it('copies Via, From, Call-ID and CSeq, tags To, and sends the phone UA with no body', () => {
    expect(buildResponse(echo, { status: 200, toTag: 't1', userAgent: 'Yealink SIP-T46U 108.86.0.90' })).toBe(
      [
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds',
        'From: "PBX" <sip:pbx@10.0.0.1>;tag=1928301774',
        'To: <sip:1001@10.0.0.50>;tag=t1',
        'Call-ID: a84b4c76e66710@10.0.0.1',
        'CSeq: 314159 NOTIFY',
        'User-Agent: Yealink SIP-T46U 108.86.0.90',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('keeps a To tag already there (a request inside a dialog), and adds the headers asked for', () => {
    const response = buildResponse(
      { ...echo, to: '<sip:1001@10.0.0.50>;tag=dialog' },
      { status: 405, toTag: 't2', userAgent: 'ua', headers: [['Allow', 'NOTIFY, OPTIONS, CANCEL']] },
    );
    expect(response).toContain('To: <sip:1001@10.0.0.50>;tag=dialog\r\n');
    expect(response).toContain('SIP/2.0 405 Method Not Allowed\r\n');
    expect(response).toContain('Allow: NOTIFY, OPTIONS, CANCEL\r\n');
  });
});

describe('Via (RFC 3261 §18.2, RFC 3581)', () => {
  it('splits header values on commas outside quotes and angle brackets', () => {
    expect(splitHeaderValues('a;x="1,2", <sip:b,c>, d')).toEqual(['a;x="1,2"', '<sip:b,c>', 'd']);
  });

  it('stamps received when the sent-by host is not the source address, and fills in rport', () => {
    const via = [
      'SIP/2.0/UDP pbx.example.com:5070;branch=z9hG4bK1;rport',
      'SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK0',
    ];
    const top = parseTopVia(via)!;
    expect(top).toMatchObject({ host: 'pbx.example.com', port: 5070, rport: true });
    expect(stampTopVia(via, top, { address: '192.0.2.7', port: 40000 })).toEqual([
      'SIP/2.0/UDP pbx.example.com:5070;branch=z9hG4bK1;rport=40000;received=192.0.2.7',
      'SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK0',
    ]);
    expect(responseDestination(top, { address: '192.0.2.7', port: 40000 })).toEqual({
      address: '192.0.2.7',
      port: 40000,
    });
  });

  it('sends to port 5060 of the source address when the Via names no port and no rport', () => {
    const top = parseTopVia(['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1'])!;
    expect(
      stampTopVia(['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1'], top, { address: '10.0.0.1', port: 3333 }),
    ).toEqual(['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1']);
    expect(responseDestination(top, { address: '10.0.0.1', port: 3333 })).toEqual({
      address: '10.0.0.1',
      port: 5060,
    });
  });
});

describe('Event header (RFC 6665 §8.2.1)', () => {
  it.each([
    ['check-sync', 'check-sync', false],
    ['check-sync;reboot=true', 'check-sync', true],
    ['Check-Sync ; Reboot = "TRUE"', 'check-sync', true],
    ['check-sync;reboot=false', 'check-sync', false],
    ['check-sync;reboot', 'check-sync', false],
    ['ua-profile;profile-type="device"', 'ua-profile', false],
  ])('%s is package %s, reboot %s', (value, name, reboot) => {
    const event = parseEventHeader(value);
    expect(event?.package).toBe(name);
    expect(event && rebootRequested(event)).toBe(reboot);
  });

  it('is undefined when it is not an Event header value', () => {
    expect(parseEventHeader('check sync')).toBeUndefined();
    expect(parseEventHeader('')).toBeUndefined();
  });
});
