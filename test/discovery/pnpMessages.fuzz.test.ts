// Issue #13, the systematic part: the PnP readers (spec S2) under generated text. A NOTIFY, a
// SUBSCRIBE, a Request-URI or a Contact from the network is read, refused or ignored, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  headerOf,
  macOfPnpUri,
  readContact,
  readPnpNotify,
  readPnpSubscribe,
  readSipDatagram,
} from '../../src/discovery/pnpMessages.js';

const SEED = 1317;

/** Pieces of SIP URIs, right and wrong, and escapes that do not decode. */
const uriText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc
    .tuple(
      fc.constantFrom('sip:', 'sips:', '<sip:', 'tel:', ''),
      fc.constantFrom('MAC001565f4f9e1', 'MAC%3a000413123456', 'MAC%zz', '%', 'MAC%3', '', 'user'),
      fc.constantFrom('@', ''),
      fc.constantFrom('10.0.0.1', '[::1]', '[zz]', 'host', ''),
      fc.constantFrom(':5060', ':99999', ':', ''),
      fc.constantFrom(';transport=udp', '>', '>;tag=1', ''),
    )
    .map((parts) => parts.join('')),
);

const SUBSCRIBE = [
  'SUBSCRIBE sip:MAC001565f4f9e1@224.0.1.75:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1',
  'From: <sip:MAC001565f4f9e1@10.0.0.2:5060>;tag=1',
  'To: <sip:MAC001565f4f9e1@224.0.1.75:5060>',
  'Call-ID: 1@10.0.0.2',
  'CSeq: 1 SUBSCRIBE',
  'Contact: <sip:10.0.0.2:5060>',
  'Event: ua-profile;profile-type="device";vendor="Yealink";model="T46U";version="108.86.0.90"',
  'Expires: 0',
  'Content-Length: 0',
];

describe('#13 PnP messages under generated input', () => {
  it('URIs and Contact values: a MAC, an address, or nothing; never a throw', () => {
    fc.assert(
      fc.property(uriText, (text) => {
        const mac = macOfPnpUri(text);
        expect(mac === undefined || /^[0-9a-f]{12}$/.test(mac)).toBe(true);
        readContact(text);
        headerOf(`X\r\nContact: ${text}\r\n\r\n`, 'Contact', 'm');
      }),
      { seed: SEED, numRuns: 800 },
    );
  });

  it('NOTIFY bodies: a provisioning URL or a reason it is not one', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('application/url', 'text/plain', 'application/url;charset=x', ''), {
          nil: undefined,
        }),
        fc.oneof(
          fc.string({ maxLength: 80 }),
          uriText,
          fc.constantFrom('http://[', 'tftp://h/x', 'javascript:1'),
        ),
        (contentType, body) => {
          const reading = readPnpNotify({ contentType, body });
          expect(['url', 'unusable']).toContain(reading.kind);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('SUBSCRIBE datagrams with lines dropped, changed or replaced: served, refused or dropped', () => {
    const line = fc.oneof(
      fc.constantFrom(...SUBSCRIBE),
      uriText.map((u) => `SUBSCRIBE ${u} SIP/2.0`),
      uriText.map((u) => `From: ${u}`),
      uriText.map((u) => `Contact: ${u}`),
      fc.string({ maxLength: 40 }).map((e) => `Event: ${e}`),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 14 }), (lines) => {
        const datagram = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
        const incoming = readSipDatagram(datagram, () => {});
        if (incoming.kind === 'request') {
          const reading = readPnpSubscribe(incoming, headerOf(datagram.toString(), 'Contact', 'm'));
          expect(['pnp', 'refused']).toContain(reading.kind);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
