import { describe, expect, it } from 'vitest';
import { parseAuthHeader } from '../../src/fetch/httpAuth.js';
import { BasicGuard } from '../../src/server/basicAuth.js';
import { DigestGuard } from '../../src/server/digestAuth.js';

// RFC 2617 §3.5's exchange, replayed against our server's check.
const RFC2617 = {
  realm: 'testrealm@host.com',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  opaque: '5ccc069c403ebaf9f0171e9517f40e41',
  authorization:
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
    'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
    'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
};

function rfcGuard(password = 'Circle Of Life', now: () => number = () => 0) {
  return new DigestGuard({
    user: 'Mufasa',
    password,
    realm: RFC2617.realm,
    opaque: RFC2617.opaque,
    newNonce: () => RFC2617.nonce,
    now,
    nonceLifetimeMs: 1000,
  });
}

const challengeOf = (check: ReturnType<DigestGuard['check']>) => {
  if (check.kind !== 'challenge') throw new Error('expected a challenge');
  return parseAuthHeader(check.header)[0]!;
};

describe('S5 server Digest (MD5, qop=auth)', () => {
  it('challenges a request without credentials with its realm, qop=auth, MD5, a nonce and opaque', () => {
    const challenge = challengeOf(rfcGuard().check(undefined, 'GET', '/dir/index.html'));
    expect(challenge.scheme).toBe('digest');
    expect(Object.fromEntries(challenge.params)).toEqual({
      realm: RFC2617.realm,
      qop: 'auth',
      algorithm: 'MD5',
      nonce: RFC2617.nonce,
      opaque: RFC2617.opaque,
    });
  });

  it("accepts RFC 2617 §3.5's answer to the nonce it issued, once", () => {
    const guard = rfcGuard();
    guard.check(undefined, 'GET', '/dir/index.html');
    expect(guard.check(RFC2617.authorization, 'GET', '/dir/index.html')).toEqual({ kind: 'ok' });
    // The same nonce count again is a replay.
    expect(guard.check(RFC2617.authorization, 'GET', '/dir/index.html').kind).toBe('challenge');
  });

  it('refuses a nonce it never issued, a wrong password, another URI or method', () => {
    expect(rfcGuard().check(RFC2617.authorization, 'GET', '/dir/index.html')).toMatchObject({
      kind: 'challenge',
      header: expect.stringContaining('stale=true') as string,
    });
    const wrong = rfcGuard('Circle of Lies');
    wrong.check(undefined, 'GET', '/dir/index.html');
    expect(
      challengeOf(wrong.check(RFC2617.authorization, 'GET', '/dir/index.html')).params.has('stale'),
    ).toBe(false);
    const guard = rfcGuard();
    guard.check(undefined, 'GET', '/dir/index.html');
    expect(guard.check(RFC2617.authorization, 'GET', '/dir/other.html').kind).toBe('challenge');
    expect(guard.check(RFC2617.authorization, 'PUT', '/dir/index.html').kind).toBe('challenge');
  });

  it('says stale=true when the right answer uses an expired nonce', () => {
    let now = 0;
    const guard = rfcGuard('Circle Of Life', () => now);
    guard.check(undefined, 'GET', '/dir/index.html');
    now = 5000;
    expect(
      challengeOf(guard.check(RFC2617.authorization, 'GET', '/dir/index.html')).params.get('stale'),
    ).toBe('true');
  });
});

describe('S5 server Basic', () => {
  const guard = new BasicGuard('Aladdin', 'open sesame', 'autop');
  it("accepts RFC 7617's example and refuses anything else", () => {
    expect(guard.check('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({ kind: 'ok' });
    expect(guard.check(`Basic ${Buffer.from('Aladdin:open sesamE').toString('base64')}`).kind).toBe(
      'challenge',
    );
    expect(guard.check(`Basic ${Buffer.from('aladdin:open sesame').toString('base64')}`).kind).toBe(
      'challenge',
    );
    expect(guard.check(undefined)).toEqual({
      kind: 'challenge',
      header: 'Basic realm="autop", charset="UTF-8"',
    });
  });
});
