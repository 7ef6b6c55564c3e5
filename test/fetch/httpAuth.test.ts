import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  basicAuthorization,
  chooseAuth,
  digestAuthorization,
  digestResponse,
  parseAuthHeader,
  type DigestChallenge,
} from '../../src/fetch/httpAuth.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('S5 WWW-Authenticate parsing', () => {
  it('reads several challenges in one header, quoted strings with commas and escapes included', () => {
    const parsed = parseAuthHeader(
      'Basic realm="pro, vision", Digest realm="a \\"b\\"", qop="auth,auth-int", nonce="n/+=", algorithm=MD5, Negotiate abc==',
    );
    expect(parsed.map((c) => c.scheme)).toEqual(['basic', 'digest', 'negotiate']);
    expect(parsed[0]!.params.get('realm')).toBe('pro, vision');
    expect(Object.fromEntries(parsed[1]!.params)).toEqual({
      realm: 'a "b"',
      qop: 'auth,auth-int',
      nonce: 'n/+=',
      algorithm: 'MD5',
    });
    expect(parsed[2]!.token68).toBe('abc==');
  });

  it('reads challenges spread over several headers, names in any case, a bare scheme', () => {
    const parsed = parseAuthHeader(['Bearer', 'DIGEST Realm=x, NONCE="1"']);
    expect(parsed.map((c) => c.scheme)).toEqual(['bearer', 'digest']);
    expect(parsed[1]!.params.get('nonce')).toBe('1');
    expect(parsed[1]!.params.get('realm')).toBe('x');
  });

  it('never throws on junk', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(Array.isArray(parseAuthHeader(text))).toBe(true);
      }),
    );
  });

  it('round-trips any user name and realm through the quoting of an Authorization header', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (user, realm) => {
        const challenge: DigestChallenge = { realm, nonce: 'n', algorithm: 'MD5', qop: 'auth', stale: false };
        const header = digestAuthorization(
          challenge,
          { user, password: 'p' },
          { method: 'GET', uri: '/a', nc: 1, cnonce: 'c' },
        );
        const [parsed] = parseAuthHeader(header);
        expect(parsed?.params.get('username')).toBe(user);
        expect(parsed?.params.get('realm')).toBe(realm);
      }),
    );
  });
});

describe('S5 choosing the scheme as the server asks', () => {
  it('prefers Digest when both are offered, whatever the order', () => {
    expect(chooseAuth(parseAuthHeader('Basic realm="r", Digest realm="r", nonce="n", qop="auth"')).kind).toBe(
      'digest',
    );
  });

  it('answers Basic when only Basic is offered', () => {
    expect(chooseAuth(parseAuthHeader('Basic realm="r"'))).toEqual({ kind: 'basic', realm: 'r' });
  });

  it('reads MD5-sess, RFC 2069 (no qop), opaque and stale', () => {
    const chosen = chooseAuth(
      parseAuthHeader('Digest realm="r", nonce="n", algorithm=MD5-sess, opaque="o", stale=TRUE'),
    );
    expect(chosen).toEqual({
      kind: 'digest',
      challenge: { realm: 'r', nonce: 'n', opaque: 'o', algorithm: 'MD5-sess', qop: null, stale: true },
    });
  });

  it('skips a Digest challenge it cannot answer for one it can', () => {
    const chosen = chooseAuth(
      parseAuthHeader(
        'Digest realm="r", nonce="a", algorithm=SHA-256, qop="auth", Digest realm="r", nonce="b", qop="auth"',
      ),
    );
    expect(chosen).toMatchObject({ kind: 'digest', challenge: { nonce: 'b', algorithm: 'MD5' } });
  });

  it('says what the server asked for when the phone cannot answer it', () => {
    expect(chooseAuth(parseAuthHeader('Digest realm="r", nonce="a", algorithm=SHA-256'))).toMatchObject({
      kind: 'unsupported',
      detail: expect.stringContaining('Digest algorithm=SHA-256') as string,
    });
    expect(chooseAuth(parseAuthHeader('Digest realm="r", nonce="a", qop="auth-int"'))).toMatchObject({
      kind: 'unsupported',
      detail: expect.stringContaining('qop=auth-int') as string,
    });
    expect(chooseAuth(parseAuthHeader('Negotiate'))).toMatchObject({
      kind: 'unsupported',
      detail: expect.stringContaining('Negotiate') as string,
    });
    expect(chooseAuth([])).toMatchObject({
      kind: 'unsupported',
      detail: expect.stringContaining('without a WWW-Authenticate') as string,
    });
  });
});

describe('S5 computing the answer', () => {
  it('Basic: RFC 7617 §2 example', () => {
    expect(basicAuthorization({ user: 'Aladdin', password: 'open sesame' })).toBe(
      'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    );
  });

  it('Digest MD5, qop=auth: RFC 7616 §3.9.1 example', () => {
    const challenge = chooseAuth(
      parseAuthHeader(
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, ' +
          'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      ),
    );
    if (challenge.kind !== 'digest') throw new Error('expected a Digest challenge');
    const header = digestAuthorization(
      challenge.challenge,
      { user: 'Mufasa', password: 'Circle of Life' },
      {
        method: 'GET',
        uri: '/dir/index.html',
        nc: 1,
        cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      },
    );
    const params = parseAuthHeader(header)[0]!.params;
    expect(params.get('response')).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(params.get('nc')).toBe('00000001');
    expect(params.get('qop')).toBe('auth');
    expect(params.get('opaque')).toBe('FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
    expect(params.get('uri')).toBe('/dir/index.html');
  });

  it('Digest MD5, qop=auth: RFC 2617 §3.5 example', () => {
    const challenge = chooseAuth(
      parseAuthHeader(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
          'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      ),
    );
    if (challenge.kind !== 'digest') throw new Error('expected a Digest challenge');
    const header = digestAuthorization(
      challenge.challenge,
      { user: 'Mufasa', password: 'Circle Of Life' },
      { method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: '0a4f113b' },
    );
    expect(parseAuthHeader(header)[0]!.params.get('response')).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('Digest without qop (RFC 2069): no qop, nc or cnonce, response over nonce and HA2 only', () => {
    const challenge: DigestChallenge = {
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      algorithm: 'MD5',
      qop: null,
      stale: false,
    };
    const header = digestAuthorization(
      challenge,
      { user: 'Mufasa', password: 'CircleOfLife' },
      { method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: 'x' },
    );
    const params = parseAuthHeader(header)[0]!.params;
    expect([params.has('qop'), params.has('nc'), params.has('cnonce')]).toEqual([false, false, false]);
    // RFC 2069 §2.4's example inputs. The response printed there does not follow from its own
    // formula; this is the formula's value (no server on this machine still speaks RFC 2069).
    expect(params.get('response')).toBe('1949323746fe6a43ef61f9606e7febea');
  });

  it('Digest MD5-sess: HA1 is hashed again with nonce and cnonce (RFC 2617 §3.2.2.2)', () => {
    const inputs = {
      user: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: 'auth' as const,
      nc: '00000001',
      cnonce: '0a4f113b',
    };
    const ha1 = md5(`${md5('Mufasa:testrealm@host.com:Circle Of Life')}:${inputs.nonce}:${inputs.cnonce}`);
    const expected = md5(`${ha1}:${inputs.nonce}:00000001:0a4f113b:auth:${md5('GET:/dir/index.html')}`);
    expect(digestResponse({ ...inputs, algorithm: 'MD5-sess' })).toBe(expected);
    expect(digestResponse({ ...inputs, algorithm: 'MD5' })).toBe('6629fae49393a05397450978507c4ef1');
  });
});
