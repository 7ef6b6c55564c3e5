// Who may use the provisioning server: one user, checked with Basic (basicAuth.ts) or Digest
// (digestAuth.ts), the two schemes a phone answers (spec S5). The shapes both guards share.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface AuthOptions {
  readonly user: string;
  readonly password: string;
  readonly scheme: 'basic' | 'digest';
  /** Shown by the client; default "autop". */
  readonly realm?: string;
}

export type AuthCheck = { readonly kind: 'ok' } | { readonly kind: 'challenge'; readonly header: string };

export interface AuthGuard {
  /** @param target the request-target as received (Digest signs it as `uri`). */
  check(authorization: string | undefined, method: string, target: string): AuthCheck;
}

export const DEFAULT_REALM = 'autop';

/** Compares secrets in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
