// The server side of HTTP Digest (RFC 7616, MD5, qop=auth): it issues nonces, accepts only its
// own, once per nonce count, and says `stale=true` when a right answer used an expired nonce.
import { randomBytes } from 'node:crypto';
import { digestResponse, parseAuthHeader } from '../fetch/httpAuth.js';
import { sameSecret, type AuthCheck, type AuthGuard } from './authGuard.js';

export interface DigestGuardOptions {
  readonly user: string;
  readonly password: string;
  readonly realm: string;
  /** How long a nonce is accepted; default 5 minutes. */
  readonly nonceLifetimeMs?: number;
  readonly now?: () => number;
  /** Makes nonces (tests pin them to replay RFC examples); default 16 random bytes, hex. */
  readonly newNonce?: () => string;
  readonly opaque?: string;
}

/** Nonces remembered at most; the oldest are forgotten first (a client then gets `stale=true`). */
const MAX_NONCES = 10_000;

export class DigestGuard implements AuthGuard {
  private readonly nonces = new Map<string, { issued: number; nc: number }>();
  private readonly lifetime: number;
  private readonly now: () => number;
  private readonly newNonce: () => string;
  private readonly opaque: string;

  constructor(private readonly options: DigestGuardOptions) {
    this.lifetime = options.nonceLifetimeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.newNonce = options.newNonce ?? (() => randomBytes(16).toString('hex'));
    this.opaque = options.opaque ?? randomBytes(16).toString('hex');
  }

  check(authorization: string | undefined, method: string, target: string): AuthCheck {
    const given = parseAuthHeader(authorization)[0];
    if (given?.scheme !== 'digest') return this.challenge(false);
    const p = given.params;
    const nonce = p.get('nonce');
    const response = p.get('response');
    const uri = p.get('uri');
    const nc = p.get('nc');
    const cnonce = p.get('cnonce');
    const algorithm = p.get('algorithm') ?? 'MD5';
    if (
      nonce === undefined ||
      response === undefined ||
      uri !== target ||
      p.get('username') !== this.options.user ||
      p.get('realm') !== this.options.realm ||
      p.get('opaque') !== this.opaque ||
      algorithm.toUpperCase() !== 'MD5' ||
      p.get('qop')?.toLowerCase() !== 'auth' ||
      nc === undefined ||
      !/^[0-9a-f]{8}$/i.test(nc) ||
      cnonce === undefined
    ) {
      return this.challenge(false);
    }
    const expected = digestResponse({
      algorithm: 'MD5',
      user: this.options.user,
      realm: this.options.realm,
      password: this.options.password,
      method,
      uri,
      nonce,
      qop: 'auth',
      nc,
      cnonce,
    });
    if (!sameSecret(expected, response.toLowerCase())) return this.challenge(false);
    const issued = this.nonces.get(nonce);
    // The password was right: an unknown or old nonce only needs renewing (RFC 7616 §3.3 stale).
    if (!issued || this.now() - issued.issued > this.lifetime) return this.challenge(true);
    const count = parseInt(nc, 16);
    if (count <= issued.nc) return this.challenge(false); // a replayed request
    issued.nc = count;
    return { kind: 'ok' };
  }

  private challenge(stale: boolean): AuthCheck {
    const now = this.now();
    for (const [nonce, { issued }] of this.nonces) {
      if (now - issued <= this.lifetime && this.nonces.size < MAX_NONCES) break;
      this.nonces.delete(nonce);
    }
    const nonce = this.newNonce();
    this.nonces.set(nonce, { issued: now, nc: 0 });
    const realm = this.options.realm.replace(/[\\"]/g, '\\$&');
    return {
      kind: 'challenge',
      header: `Digest realm="${realm}", qop="auth", algorithm=MD5, nonce="${nonce}", opaque="${this.opaque}"${stale ? ', stale=true' : ''}`,
    };
  }
}
