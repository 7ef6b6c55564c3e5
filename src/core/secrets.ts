// The one rule for secrets in output (issues #2 §7, #13.4): the value of a secret parameter
// (a password, an AES key) is shown as MASK, and URL user info anywhere in a shown text
// (`http://user:pass@host/` in any parameter, a quoted line, a URL) is masked, unless the user
// asks for secrets (`--show-secrets`).
import { maskUserInfo } from './url.js';

export const MASK = '********';

/** A value fit to print: MASK for a secret's non-empty value, else the text with URL user info masked. */
export function maskedValue(value: string, secret: boolean): string {
  if (value === '') return value;
  return secret ? MASK : maskUserInfo(value);
}
