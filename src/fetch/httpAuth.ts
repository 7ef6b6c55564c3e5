// HTTP authentication as the phone does it (spec S5): read the server's WWW-Authenticate challenges
// and answer one with Basic (RFC 7617) or Digest MD5 / MD5-sess, qop=auth or RFC 2069's no-qop form
// (RFC 7616, RFC 2617). Pure: no sockets; the random client nonce is passed in.
import { createHash, randomBytes } from 'node:crypto';
import type { Credentials } from './fetcher.js';

/** One challenge (or one Authorization header's credentials): scheme and parameters, names lower case. */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
  /** The RFC 7235 `token68` form (`Negotiate abc==`), when the challenge has no parameters. */
  readonly token68?: string;
}

export type DigestAlgorithm = 'MD5' | 'MD5-sess';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** 'auth' (RFC 2617/7616) or null for an RFC 2069 server that offers no qop. */
  readonly qop: 'auth' | null;
  readonly stale: boolean;
}

/** The challenge the phone answers, chosen as the server asks (S5): Digest before Basic. */
export type ChosenAuth =
  | { readonly kind: 'digest'; readonly challenge: DigestChallenge }
  | { readonly kind: 'basic'; readonly realm?: string }
  | { readonly kind: 'unsupported'; readonly detail: string };

type Token =
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: 'quoted'; readonly v: string }
  | { readonly t: 'eq' }
  | { readonly t: 'comma' };

/**
 * Splits a header into words, quoted strings (escapes undone), `=` and `,`. A "word" is any run
 * without white space, `,`, `=` or `"`: looser than RFC 7230's token, so that token68 values
 * (`/`, `+`) and servers that leave nonces unquoted still parse.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === ',') {
      tokens.push({ t: 'comma' });
      i++;
    } else if (c === '=') {
      tokens.push({ t: 'eq' });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++; // the closing quote (an unterminated string runs to the end)
      tokens.push({ t: 'quoted', v: value });
    } else {
      const start = i;
      while (i < text.length && !/[\s,="]/.test(text[i]!)) i++;
      tokens.push({ t: 'word', v: text.slice(start, i) });
    }
  }
  return tokens;
}

const isValue = (t: Token | undefined): t is Extract<Token, { v: string }> =>
  t?.t === 'word' || t?.t === 'quoted';

/** `name = value` starts at index i. */
const paramAt = (tokens: readonly Token[], i: number): boolean =>
  tokens[i]?.t === 'word' && tokens[i + 1]?.t === 'eq' && isValue(tokens[i + 2]);

/**
 * Parses WWW-Authenticate (one or several headers, each with one or several challenges, RFC 7235
 * §4.1) or an Authorization header. A comma separates parameters and challenges alike: a word not
 * followed by `=` after a comma starts the next challenge.
 */
export function parseAuthHeader(values: string | readonly string[] | undefined): AuthChallenge[] {
  if (values === undefined) return [];
  const texts = typeof values === 'string' ? [values] : values;
  const challenges: AuthChallenge[] = [];
  for (const text of texts) {
    const tokens = tokenize(text);
    let i = 0;
    while (i < tokens.length) {
      const schemeToken = tokens[i]!;
      i++;
      if (schemeToken.t !== 'word') continue; // stray comma or junk between challenges
      const params = new Map<string, string>();
      let token68: string | undefined;
      const next = tokens[i];
      if (next?.t === 'word' && !paramAt(tokens, i)) {
        // token68: a word, optionally followed by `=` padding, then a comma or the end.
        let j = i + 1;
        let padding = '';
        while (tokens[j]?.t === 'eq') {
          padding += '=';
          j++;
        }
        if (j >= tokens.length || tokens[j]?.t === 'comma') {
          token68 = next.v + padding;
          i = j;
        }
      }
      while (token68 === undefined) {
        let j = i;
        while (tokens[j]?.t === 'comma') j++;
        if (!paramAt(tokens, j)) {
          i = j;
          break;
        }
        const name = tokens[j] as { v: string };
        const value = tokens[j + 2] as { v: string };
        params.set(name.v.toLowerCase(), value.v);
        i = j + 3;
      }
      challenges.push({
        scheme: schemeToken.v.toLowerCase(),
        params,
        ...(token68 !== undefined && { token68 }),
      });
    }
  }
  return challenges;
}

/** Reads a Digest challenge the phone can answer; a reason when it cannot. */
function digestChallenge(challenge: AuthChallenge): DigestChallenge | string {
  const p = challenge.params;
  const nonce = p.get('nonce');
  if (nonce === undefined) return 'Digest without a nonce';
  const algorithmText = p.get('algorithm') ?? 'MD5';
  const algorithm = (['MD5', 'MD5-sess'] as const).find(
    (a) => a.toLowerCase() === algorithmText.toLowerCase(),
  );
  if (!algorithm) return `Digest algorithm=${algorithmText}`;
  const qopText = p.get('qop');
  let qop: 'auth' | null = null;
  if (qopText !== undefined) {
    const offered = qopText.split(',').map((q) => q.trim().toLowerCase());
    if (!offered.includes('auth')) return `Digest qop=${qopText}`;
    qop = 'auth';
  }
  const opaque = p.get('opaque');
  return {
    realm: p.get('realm') ?? '',
    nonce,
    ...(opaque !== undefined && { opaque }),
    algorithm,
    qop,
    stale: (p.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** S5: answer the scheme the server asks for; Digest when it offers both (the password stays off the wire). */
export function chooseAuth(challenges: readonly AuthChallenge[]): ChosenAuth {
  if (challenges.length === 0) {
    return { kind: 'unsupported', detail: 'the server answered 401 without a WWW-Authenticate challenge' };
  }
  const refused: string[] = [];
  for (const c of challenges) {
    if (c.scheme !== 'digest') continue;
    const digest = digestChallenge(c);
    if (typeof digest === 'string') refused.push(digest);
    else return { kind: 'digest', challenge: digest };
  }
  const basic = challenges.find((c) => c.scheme === 'basic');
  if (basic) {
    const realm = basic.params.get('realm');
    return { kind: 'basic', ...(realm !== undefined && { realm }) };
  }
  for (const c of challenges) if (c.scheme !== 'digest') refused.push(schemeName(c.scheme));
  return {
    kind: 'unsupported',
    detail: `the server asks for ${refused.join(' or ')}; the phone answers Basic or Digest (MD5, MD5-sess; qop=auth)`,
  };
}

function schemeName(scheme: string): string {
  return scheme.charAt(0).toUpperCase() + scheme.slice(1);
}

/** RFC 7617: `Basic base64(user:password)`, UTF-8. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

export interface DigestInputs {
  readonly algorithm: DigestAlgorithm;
  readonly user: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  /** The request-target exactly as sent: path and query. */
  readonly uri: string;
  readonly nonce: string;
  readonly qop: 'auth' | null;
  /** Eight hex digits, `00000001` for the first use of a nonce. */
  readonly nc: string;
  readonly cnonce: string;
}

/** The `response` value (RFC 7616 §3.4.1; RFC 2069 when qop is null). Shared with the server's check. */
export function digestResponse(d: DigestInputs): string {
  let ha1 = md5(`${d.user}:${d.realm}:${d.password}`);
  if (d.algorithm === 'MD5-sess') ha1 = md5(`${ha1}:${d.nonce}:${d.cnonce}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  return d.qop === null
    ? md5(`${ha1}:${d.nonce}:${ha2}`)
    : md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
}

export interface DigestRequest {
  readonly method: string;
  readonly uri: string;
  /** The count of requests made with this nonce, from 1. */
  readonly nc: number;
  readonly cnonce: string;
}

const quote = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** The Authorization header answering a Digest challenge; opaque is echoed (RFC 7616 §3.4). */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: Credentials,
  request: DigestRequest,
): string {
  const nc = request.nc.toString(16).padStart(8, '0');
  const response = digestResponse({
    algorithm: challenge.algorithm,
    user: credentials.user,
    realm: challenge.realm,
    password: credentials.password,
    method: request.method,
    uri: request.uri,
    nonce: challenge.nonce,
    qop: challenge.qop,
    nc,
    cnonce: request.cnonce,
  });
  const parts = [
    `username=${quote(credentials.user)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(request.uri)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  // RFC 2069 servers know neither qop nor cnonce/nc: send them only when the server offered qop.
  if (challenge.qop !== null)
    parts.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce=${quote(request.cnonce)}`);
  parts.push(`response=${quote(response)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** A fresh client nonce. */
export function newCnonce(): string {
  return randomBytes(16).toString('hex');
}
