// HTTP Basic (RFC 7617) on the server: the phone sends user and password in clear (base64), so
// pair it with HTTPS where that matters.
import { parseAuthHeader } from '../fetch/httpAuth.js';
import { sameSecret, type AuthCheck, type AuthGuard } from './authGuard.js';

export class BasicGuard implements AuthGuard {
  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly realm: string,
  ) {}

  check(authorization: string | undefined): AuthCheck {
    const given = parseAuthHeader(authorization)[0];
    if (given?.scheme === 'basic' && given.token68 !== undefined) {
      const decoded = Buffer.from(given.token68, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        const userOk = sameSecret(decoded.slice(0, colon), this.user);
        const passwordOk = sameSecret(decoded.slice(colon + 1), this.password);
        if (userOk && passwordOk) return { kind: 'ok' };
      }
    }
    return {
      kind: 'challenge',
      header: `Basic realm="${this.realm.replace(/[\\"]/g, '\\$&')}", charset="UTF-8"`,
    };
  }
}
