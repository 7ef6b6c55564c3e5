// The hot path's strict SIP reader against sip.js, the parser of record (issue #14 §2): on generated
// messages, valid ones in every shape the storm sends and others bent in the ways that trip parsers,
// whatever the strict reader accepts it reads exactly as sip.js does, and whatever it refuses is
// read by sip.js. Property tests (fast-check).
import fc from 'fast-check';
import { Grammar } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { parseEventHeader, parseEventHeaderBySipJs } from '../../src/sip/event.js';
import { parseSipMessage, parseSipMessageBySipJs } from '../../src/sip/message.js';
import { buildCheckSyncNotify } from '../../src/sip/sender.js';
import { parseStrict, strictNameAddr, strictVia } from '../../src/sip/strictParse.js';
import { parseTopVia } from '../../src/sip/via.js';

// ---- Pieces of messages: the usual, and the odd ones parsers disagree on ----------------------

const hex = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });

/**
 * The generators of a message's pieces; each piece takes its odd form with weight `odd` against 10
 * for the usual one (0: always usual, the shape every field of the strict reader's subset has).
 */
function pieces(odd: number) {
  const usualOr = <T>(usual: fc.Arbitrary<T>, oddForm: fc.Arbitrary<T>): fc.Arbitrary<T> =>
    odd === 0 ? usual : fc.oneof({ weight: 10, arbitrary: usual }, { weight: odd, arbitrary: oddForm });
  const token = usualOr(
    fc.string({ unit: fc.constantFrom(...'abcXYZ019'), minLength: 1, maxLength: 8 }),
    fc.string({ unit: fc.constantFrom(..."aZ9-.!%*_+`'~"), minLength: 1, maxLength: 6 }),
  );

  const octet = usualOr(
    fc.integer({ min: 0, max: 255 }).map(String),
    fc.constantFrom('256', '01', '00', '999'),
  );
  const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  const hostname = usualOr(
    fc
      .array(fc.string({ unit: fc.constantFrom(...'abz09'), minLength: 1, maxLength: 5 }), {
        minLength: 0,
        maxLength: 2,
      })
      .map((labels) => [...labels, 'example'].join('.')),
    fc.constantFrom('PBX.Example.COM', 'a_b.example', 'a.b_c', 'x.1b', 'a.b.', '-.b', 'a-.b-', 'localhost'),
  );
  const host = usualOr(
    fc.oneof(
      { weight: 5, arbitrary: fc.constant('127.0.0.1') },
      { weight: 3, arbitrary: ipv4 },
      { weight: 2, arbitrary: hostname },
    ),
    fc.constantFrom('[::1]', '[2001:db8::5]', ''),
  );
  const port = usualOr(
    fc.oneof(
      fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`),
      fc.constant(''),
    ),
    fc.constantFrom(':', ':0', ':05060', ':123456', ':99999', ':x'),
  );
  const user = usualOr(
    fc.oneof(hex(12, 12), fc.constantFrom('pbx', 'autop', '1001', "a.b-c_d!~*'()")),
    fc.constantFrom('a%41', 'a;b', 'a:pw', 'a+b', 'é', 'a b', ''),
  );
  const uri = fc
    .tuple(
      usualOr(fc.constant('sip'), fc.constantFrom('sips', 'SIP', 'tel')),
      fc.option(user, { freq: 4 }),
      host,
      port,
      usualOr(fc.constant(''), fc.constantFrom(';transport=udp', ';lr', ';user=phone', '?h=v')),
    )
    .map(([scheme, u, h, p, params]) => `${scheme}:${u === null ? '' : `${u}@`}${h}${p}${params}`);

  const method = usualOr(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant('NOTIFY') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('OPTIONS', 'ACK', 'CANCEL', 'INVITE', 'BYE', 'INFO', 'MESSAGE'),
      },
    ),
    fc.constantFrom('NOTIFYX', 'notify', 'FOO', 'INVITES', 'ACKACK'),
  );

  const param = usualOr(
    fc.oneof(
      fc.tuple(token, token).map(([n, v]) => `;${n}=${v}`),
      token.map((n) => `;${n}`),
    ),
    fc.constantFrom(';', ';x=', ';x="q"', '; x=1', ';x =1', ';x=1.2.3.4', ';x=a b'),
  );
  const tagParam = usualOr(
    token.map((t) => `;tag=${t}`),
    fc.constantFrom(';TAG=abc', ';Tag=1', ';tag', ';tag=', ';tag=a;tag=b', ';tag="q"', ';tagx=1'),
  );
  const displayName = usualOr(
    fc.constantFrom('', '', '"PBX" ', '"PBX"', 'PBX ', 'Main PBX ', '"" ', '"a b.c-d_e" '),
    fc.constantFrom('"a\\"b" ', '"é" ', 'sip ', '"<x>" ', 'a,b ', '  ', 'PBX  '),
  );
  const nameAddr = fc
    .tuple(
      displayName,
      uri,
      fc.boolean(),
      fc.option(tagParam, { freq: 2 }),
      fc.array(param, { maxLength: 2 }),
    )
    .map(([display, u, angle, tag, params]) => {
      const rest = [...(tag === null ? [] : [tag]), ...params].join('');
      return angle || display !== '' ? `${display}<${u}>${rest}` : `${u}${rest}`;
    });

  const viaParam = usualOr(
    fc.oneof(
      { weight: 4, arbitrary: hex(4, 20).map((b) => `;branch=z9hG4bK${b}`) },
      { weight: 3, arbitrary: fc.constantFrom(';rport', ';rport=5060', ';received=127.0.0.1', ';alias') },
      { weight: 1, arbitrary: param },
    ),
    fc.constantFrom(
      ';BRANCH=z9hG4bKx',
      ';branch=',
      ';rport=',
      ';rport=x',
      ';RPORT',
      ';received=host',
      ';received=::1',
      ';ttl=1',
      ';maddr=10.0.0.1',
      ';branch=a;branch=b',
      ';received=1.2.3.4x',
    ),
  );
  const viaValue = fc
    .tuple(
      usualOr(
        fc.constant('SIP/2.0/UDP'),
        fc.constantFrom('SIP/2.0/TCP', 'SIP/2.0/WS', 'sip/2.0/udp', 'SIP/2.0/UDPX'),
      ),
      usualOr(fc.constant(' '), fc.constantFrom('  ', '\t')),
      host,
      port,
      fc.array(viaParam, { maxLength: 4 }),
    )
    .map(([protocol, gap, h, p, params]) => `${protocol}${gap}${h}${p}${params.join('')}`);
  const via = usualOr(
    viaValue,
    fc.tuple(viaValue, viaValue).map(([a, b]) => `${a}, ${b}`),
  );

  const callId = usualOr(
    fc.oneof(
      fc.tuple(hex(8, 24), host).map(([id, h]) => `${id}@${h}`),
      fc.constantFrom('a84b4c76e66710', '1-2345@127.0.0.1', 'x(y)<z>:"/[]?{}@w'),
    ),
    fc.constantFrom('a b@c', 'a@b@c', '', 'é@x', 'a,b'),
  );
  const cseq = usualOr(
    fc.tuple(fc.integer({ min: 0, max: 2 ** 31 }), method).map(([n, m]) => `${n} ${m}`),
    fc.constantFrom('1  NOTIFY', '1\tNOTIFY', 'x NOTIFY', '1', '01 NOTIFY', '12345678901 NOTIFY'),
  );
  const eventValue = usualOr(
    fc.oneof(
      fc.constantFrom('check-sync', 'check-sync;reboot=true', 'check-sync;reboot=false'),
      fc
        .tuple(
          fc.constantFrom('check-sync', 'Check-Sync', 'ua-profile', 'presence.winfo'),
          fc.array(
            usualOr(
              param,
              fc.constantFrom(';REBOOT=TRUE', ';reboot', ';reboot=true;reboot', ';Reboot=1;reboot=2'),
            ),
            { maxLength: 3 },
          ),
        )
        .map(([type, params]) => `${type}${params.join('')}`),
    ),
    fc.constantFrom(
      'check-sync ;reboot=true',
      'check-sync; reboot=true',
      'check-sync;reboot="true"',
      '',
      ';x',
      'a..b',
      'x.',
    ),
  );

  return { host, uri, method, nameAddr, viaValue, via, callId, cseq, eventValue, usualOr };
}

const usual = pieces(0);
const mixed = pieces(8);

type Header = readonly [name: string, value: string];

/** A NOTIFY's own headers, each in its usual form: what the strict reader reads itself. */
const usualHeaders = fc.tuple(
  usual.via.map((v): Header => ['Via', v]),
  usual.nameAddr.map((v): Header => ['From', v]),
  usual.nameAddr.map((v): Header => ['To', v]),
  usual.callId.map((v): Header => ['Call-ID', v]),
  usual.cseq.map((v): Header => ['CSeq', v]),
  usual.eventValue.map((v): Header => ['Event', v]),
  fc.constantFrom<Header>(['Max-Forwards', '70'], ['User-Agent', 'autop'], ['Require', 'foo, bar']),
);

/** The same headers, any of which may be odd. */
const mixedHeader: fc.Arbitrary<Header> = fc.oneof(
  mixed.via.map((v): Header => ['Via', v]),
  mixed.nameAddr.map((v): Header => ['From', v]),
  mixed.nameAddr.map((v): Header => ['To', v]),
  mixed.callId.map((v): Header => ['Call-ID', v]),
  mixed.cseq.map((v): Header => ['CSeq', v]),
  mixed.eventValue.map((v): Header => ['Event', v]),
);

/** A header added to a NOTIFY: one the hot path does not read, a doubled one, an odd name. */
const extraHeader: fc.Arbitrary<Header> = fc.oneof(
  mixed.via.map((v): Header => ['v', v]),
  mixed.nameAddr.map((v): Header => ['f', v]),
  mixed.nameAddr.map((v): Header => ['t', v]),
  mixed.eventValue.map((v): Header => ['o', v]),
  mixed.cseq.map((v): Header => ['CSEQ', v]),
  fc.constantFrom<Header>(
    ['Max-Forwards', 'x'],
    ['Max-Forwards', '70'],
    ['Allow-Events', 'check-sync'],
    ['Subscription-State', 'active'],
    ['X-Empty', ''],
    ['EVENT', 'check-sync'],
    ['Content-Type', 'application/sdp'],
    ['Contact', '<sip:pbx@10.0.0.1>'],
    ['Contact', 'bad contact'],
    ['Record-Route', '<sip:p@10.0.0.1;lr>'],
    ['Call_ID', 'abc'],
    ['X-Odd ', 'spaced name'],
    ['i', 'compact@call'],
    ['l', '0'],
  ),
);

/** A check-sync NOTIFY in the shape the storm sends: every field within the strict reader's subset. */
const canonicalNotify = fc
  .tuple(
    hex(12, 12),
    fc.integer({ min: 1024, max: 65535 }),
    hex(10, 20),
    hex(6, 12),
    hex(12, 24),
    fc.integer({ min: 1, max: 99999 }),
    fc.boolean(),
    fc.constantFrom('127.0.0.1', '10.0.0.1', '192.168.1.254'),
  )
  .map(([mac, localPort, branch, fromTag, callIdText, seq, reboot, local]) =>
    buildCheckSyncNotify(
      { host: '127.0.0.1', port: 5060, user: mac, reboot },
      {
        localAddress: local,
        localPort,
        branch: `z9hG4bK${branch}`,
        fromTag,
        callId: `${callIdText}@${local}`,
        cseq: seq,
        userAgent: 'autop',
      },
    ),
  );

/** The 200 OK our endpoint sends back (Via stamped with rport and received, To tagged). */
const canonicalOk = fc
  .tuple(hex(10, 20), fc.integer({ min: 1024, max: 65535 }), hex(6, 12), hex(12, 24), hex(12, 12))
  .map(([branch, p, tag, id, mac]) =>
    [
      'SIP/2.0 200 OK',
      `Via: SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bK${branch};rport=${p};received=127.0.0.1`,
      `From: <sip:autop@127.0.0.1>;tag=${tag}`,
      `To: <sip:${mac}@127.0.0.1:5060>;tag=${tag}0`,
      `Call-ID: ${id}@127.0.0.1`,
      'CSeq: 1 NOTIFY',
      'User-Agent: autop fleet',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );

const startLine = (p: ReturnType<typeof pieces>) =>
  p.usualOr(
    fc.oneof(
      { weight: 3, arbitrary: fc.tuple(p.method, p.uri).map(([m, u]) => `${m} ${u} SIP/2.0`) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            p.usualOr(
              fc.constantFrom('100', '200', '404', '481', '699'),
              fc.constantFrom('099', '2000', '20x'),
            ),
            p.usualOr(
              fc.constantFrom('OK', 'Not Found', '', 'Bad Request (Missing Event Header)'),
              fc.constantFrom('a"b', 'é', '100%', '%41', 'a<b>'),
            ),
          )
          .map(([code, reason]) => `SIP/2.0 ${code} ${reason}`),
      },
    ),
    fc.constantFrom('NOTIFY sip:a@b SIP/3.0', 'NOTIFY  sip:a@b SIP/2.0', 'garbage', ''),
  );

type Twist =
  | { readonly kind: 'start'; readonly line: string }
  | { readonly kind: 'replace'; readonly at: number; readonly header: Header }
  | { readonly kind: 'add'; readonly at: number; readonly header: Header }
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'shape'; readonly shape: Shape };

type Shape = 'folded' | 'bare-lf' | 'no-colon' | 'no-end' | 'wrong-length' | 'bad-length' | 'long-body';

const twist: fc.Arbitrary<Twist> = fc.oneof(
  startLine(mixed).map((line): Twist => ({ kind: 'start', line })),
  fc.tuple(fc.nat(20), mixedHeader).map(([at, header]): Twist => ({ kind: 'replace', at, header })),
  fc.tuple(fc.nat(20), extraHeader).map(([at, header]): Twist => ({ kind: 'add', at, header })),
  fc.nat(20).map((at): Twist => ({ kind: 'drop', at })),
  fc
    .constantFrom<Shape>('folded', 'bare-lf', 'no-colon', 'no-end', 'wrong-length', 'bad-length', 'long-body')
    .map((shape): Twist => ({ kind: 'shape', shape })),
);

/**
 * Any message: a request or response with a NOTIFY's headers in their usual forms, then up to three
 * twists, each an odd start line, an odd header in place of one, a header added (doubled, unread,
 * oddly named) or dropped, or an odd shape (a folded line, a bare LF, no blank line, a body longer
 * or shorter than its Content-Length).
 */
const anyMessage = fc
  .tuple(
    startLine(usual),
    usualHeaders,
    fc.constantFrom('', '', '', 'x', 'hello', 'é'),
    fc.array(twist, { maxLength: 3 }),
  )
  .map(([first, headers, body, twists]) => {
    let start = first;
    const lines: Header[] = [...headers];
    const shapes = new Set<Shape>();
    for (const t of twists) {
      if (t.kind === 'start') start = t.line;
      else if (t.kind === 'replace') lines[t.at % lines.length] = t.header;
      else if (t.kind === 'add') lines.splice(t.at % (lines.length + 1), 0, t.header);
      else if (t.kind === 'drop') lines.splice(t.at % lines.length, 1);
      else shapes.add(t.shape);
    }
    const text = lines.map(([n, v]) => `${n}: ${v}`);
    if (shapes.has('folded') && text.length > 0) text[0] = `${text[0]}\r\n  continued`;
    if (shapes.has('bare-lf') && text.length > 0) text[0] = `${text[0]}\nX: y`;
    if (shapes.has('no-colon')) text.push('No colon here');
    const length = Buffer.byteLength(body) + (shapes.has('wrong-length') ? 3 : 0);
    const head = [
      start,
      ...text,
      `Content-Length: ${shapes.has('bad-length') ? `${length} 0` : length}`,
    ].join('\r\n');
    if (shapes.has('no-end')) return `${head}\r\n`;
    return `${head}\r\n\r\n${body}${shapes.has('long-body') ? 'trailing' : ''}`;
  });

const RUNS = { numRuns: 600 };

/** A usual NOTIFY with one piece drawn from the odd-prone generators: each piece gets its share. */
const onePieceOdd: readonly (readonly [string, fc.Arbitrary<string>])[] = [
  [
    'the request line',
    fc
      .tuple(mixed.method, usual.uri, usualHeaders)
      .map(([m, u, headers]) => message(`${m} ${u} SIP/2.0`, headers)),
  ],
  [
    'the Request-URI',
    fc.tuple(mixed.uri, usualHeaders).map(([u, headers]) => message(`NOTIFY ${u} SIP/2.0`, headers)),
  ],
  ...(['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Event'] as const).map(
    (name, i) =>
      [
        `the ${name} header`,
        fc
          .tuple(
            startLine(usual),
            usualHeaders,
            mixedHeader.filter(([n]) => n === name),
          )
          .map(([start, headers, odd]) =>
            message(
              start,
              headers.map((h, at) => (at === i ? odd : h)),
            ),
          ),
      ] as const,
  ),
];

function message(start: string, headers: readonly Header[]): string {
  return [start, ...headers.map(([n, v]) => `${n}: ${v}`), 'Content-Length: 0', '', ''].join('\r\n');
}

describe('strict SIP reader and sip.js agree (issue #14 §2)', () => {
  it('reads every generated message exactly as sip.js does; what it refuses, sip.js reads', () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyMessage, (text) => {
        if (parseStrict(text)) accepted++;
        expect(parseSipMessage(text)).toEqual(parseSipMessageBySipJs(text));
      }),
      RUNS,
    );
    // The generator reaches the strict reader's path often, not only the refusals.
    expect(accepted).toBeGreaterThan(RUNS.numRuns / 8);
  });

  it.each(onePieceOdd)('reads %s as sip.js does, or hands the message to sip.js', (_, messages) => {
    fc.assert(
      fc.property(messages, (text) => {
        expect(parseSipMessage(text)).toEqual(parseSipMessageBySipJs(text));
      }),
      { numRuns: 200 },
    );
  });

  // Where a parser that looks right reads otherwise than sip.js: each in a NOTIFY of usual headers.
  it.each([
    [
      'a host name in capitals (sip.js writes URI hosts in lower case)',
      'NOTIFY sip:u@PBX.Example.COM SIP/2.0',
    ],
    ['a port with leading zeros', 'NOTIFY sip:u@127.0.0.1:05060 SIP/2.0'],
    ['a method with a known one as prefix (sip.js refuses it)', 'NOTIFYX sip:u@127.0.0.1 SIP/2.0'],
    ['a host name with a trailing dot (sip.js refuses it)', 'NOTIFY sip:u@pbx.example. SIP/2.0'],
    ['an IPv4 octet over 255, read as no host at all', 'NOTIFY sip:u@10.0.0.256 SIP/2.0'],
    ['a user with an escape', 'NOTIFY sip:%41b@127.0.0.1 SIP/2.0'],
    ['an IPv6 host', 'NOTIFY sip:u@[::1]:5060 SIP/2.0'],
    ['SIP/3.0', 'NOTIFY sip:u@127.0.0.1 SIP/3.0'],
  ])('reads a start line with %s as sip.js does', (_, start) => {
    const text = message(start, [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtrap'],
      ['From', '<sip:pbx@127.0.0.1>;tag=1'],
      ['To', '<sip:u@127.0.0.1>'],
      ['Call-ID', 'trap@127.0.0.1'],
      ['CSeq', '1 NOTIFY'],
      ['Event', 'check-sync'],
    ]);
    expect(parseSipMessage(text)).toEqual(parseSipMessageBySipJs(text));
  });

  it.each([
    ['a quoted display name', 'From', '"Main PBX" <sip:pbx@127.0.0.1>;tag=1'],
    ['a display name of tokens', 'From', 'Main PBX <sip:pbx@127.0.0.1>;tag=1'],
    ['a display name with a quote escaped', 'From', '"a\\"b" <sip:pbx@127.0.0.1>;tag=1'],
    ['a tag in capitals', 'From', '<sip:pbx@127.0.0.1>;TAG=abc'],
    ['two tags (sip.js keeps the last)', 'From', '<sip:pbx@127.0.0.1>;tag=a;tag=b'],
    ['a bare tag', 'From', '<sip:pbx@127.0.0.1>;tag'],
    ['a bare URI with a tag', 'From', 'sip:pbx@PBX.example;tag=1'],
    ['a Via rport with a value', 'Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa;rport=5070'],
    ['a Via branch in capitals', 'Via', 'SIP/2.0/UDP 127.0.0.1:5070;BRANCH=z9hG4bKa'],
    ['a Via received that is no address', 'Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa;received=pbx'],
    [
      'a Via with two values on one line',
      'Via',
      'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa, SIP/2.0/UDP h;branch=z9hG4bKb',
    ],
    ['a Via with an empty port', 'Via', 'SIP/2.0/UDP 127.0.0.1:;branch=z9hG4bKa'],
    ['a Call-ID of odd word characters', 'Call-ID', 'x(y)<z>:"/[]?{}@w'],
    ['a Call-ID with a space', 'Call-ID', 'a b@c'],
    ['a CSeq method with a known one as prefix', 'CSeq', '1 NOTIFYX'],
  ])('reads a NOTIFY with %s as sip.js does', (_, name, value) => {
    const headers: Header[] = [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtrap'],
      ['From', '<sip:pbx@127.0.0.1>;tag=1'],
      ['To', '<sip:u@127.0.0.1>'],
      ['Call-ID', 'trap@127.0.0.1'],
      ['CSeq', '1 NOTIFY'],
      ['Event', 'check-sync'],
    ];
    const text = message(
      'NOTIFY sip:u@127.0.0.1 SIP/2.0',
      headers.map((h) => (h[0] === name ? [name, value] : h)),
    );
    expect(parseSipMessage(text)).toEqual(parseSipMessageBySipJs(text));
  });

  it("reads the storm's NOTIFYs itself, field for field as sip.js", () => {
    fc.assert(
      fc.property(canonicalNotify, (text) => {
        expect(parseStrict(text)).toBeDefined();
        expect(parseSipMessage(text)).toEqual(parseSipMessageBySipJs(text));
      }),
      { numRuns: 200 },
    );
  });

  it("reads the endpoint's 200 OKs itself, field for field as sip.js", () => {
    fc.assert(
      fc.property(canonicalOk, (text) => {
        expect(parseStrict(text)).toBeDefined();
        expect(parseSipMessage(text)).toEqual(parseSipMessageBySipJs(text));
      }),
      { numRuns: 200 },
    );
  });

  it('reads the NOTIFY SIPp sends (test/sip/scenarios) itself', () => {
    const sipp = [
      'NOTIFY sip:00156574b150@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0',
      'From: <sip:pbx@127.0.0.1:5061>;tag=1234SIPpTag001',
      'To: <sip:00156574b150@127.0.0.1:5060>',
      'Call-ID: 1-1234@127.0.0.1',
      'CSeq: 1 NOTIFY',
      'Max-Forwards: 70',
      'Event: check-sync',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    expect(parseStrict(sipp)).toBeDefined();
    expect(parseSipMessage(sipp)).toEqual(parseSipMessageBySipJs(sipp));
  });

  it('reads a top Via as sip.js does, or refuses it', () => {
    fc.assert(
      fc.property(mixed.viaValue, (value) => {
        const strict = strictVia(value);
        if (strict) expect(strict).toEqual(parseTopVia([value]));
      }),
      RUNS,
    );
  });

  it('reads a From or To URI and tag as sip.js does, or refuses it', () => {
    fc.assert(
      fc.property(mixed.nameAddr, (value) => {
        const strict = strictNameAddr(value);
        if (!strict) return;
        const parsed = Grammar.parse(value, 'From') as
          { uri: { toString(): string }; getParam(name: string): string | undefined } | -1;
        expect(parsed).not.toBe(-1);
        if (parsed === -1) return;
        expect(strict).toEqual({ uri: parsed.uri.toString(), tag: parsed.getParam('tag') });
        // What buildResponse asks of a To: whether it has a tag already.
        const nameAddrHeader = Grammar.nameAddrHeaderParse(value);
        const tagged = nameAddrHeader ? nameAddrHeader.hasParam('tag') : /;\s*tag\s*=/i.test(value);
        expect(strict.tag !== undefined).toBe(tagged);
      }),
      RUNS,
    );
  });

  it('reads an Event header as sip.js does, or hands it to sip.js', () => {
    fc.assert(
      fc.property(mixed.eventValue, (value) => {
        expect(parseEventHeader(value)).toEqual(parseEventHeaderBySipJs(value));
      }),
      RUNS,
    );
  });
});
