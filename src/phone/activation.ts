// Activation codes (spec T8) and PINs (T9): what a user dials or types that starts a round
// against another URL. Pure: the phone's configuration in, the round to run (or why not) out.
import type { Credentials } from '../fetch/fetcher.js';
import type { ConfigView } from '../engine/settings.js';

/** Codes are digits, `#` and `*`, at most 32 characters (T8). */
const CODE = /^[0-9#*]{1,32}$/;
const SLOTS = 50;

export type Activation =
  | {
      readonly kind: 'run';
      readonly slot: number;
      readonly name: string;
      readonly url: string;
      /** The configured credentials; none when the phone must ask (T8). */
      readonly credentials?: Credentials;
    }
  | { readonly kind: 'refused'; readonly rule: 'T8' | 'T9'; readonly message: string };

/** Is any account registered? The emulator counts an enabled account with a user name as one. */
export function registeredAccount(config: Readonly<Record<string, string>>): string | undefined {
  for (const key in config) {
    const match = /^account\.(\d+)\.enable$/.exec(key);
    if (match && config[key] === '1' && (config[`account.${match[1]}.user_name`] ?? '') !== '')
      return `account.${match[1]}`;
  }
  return undefined;
}

/** T8: the activation code's slot, URL and credentials, or why the phone will not run it. */
export function resolveActivation(
  code: string,
  config: Readonly<Record<string, string>>,
  get: ConfigView,
): Activation {
  if (!CODE.test(code)) {
    return {
      kind: 'refused',
      rule: 'T8',
      message: `"${code}" is not an activation code (digits, # and *, at most 32)`,
    };
  }
  const account = registeredAccount(config);
  if (account) {
    return {
      kind: 'refused',
      rule: 'T8',
      message: `activation codes work only with no registered account; ${account} is registered`,
    };
  }
  for (let slot = 1; slot <= SLOTS; slot++) {
    const prefix = `static.autoprovision.${slot}`;
    if (get(`${prefix}.code`) !== code) continue;
    const url = get(`${prefix}.url`).trim();
    if (url === '')
      return { kind: 'refused', rule: 'T8', message: `${prefix}.code matches but ${prefix}.url is empty` };
    const user = get(`${prefix}.user`);
    return {
      kind: 'run',
      slot,
      name: get(`${prefix}.name`) || `activation ${slot}`,
      url,
      ...(user !== '' && { credentials: { user, password: get(`${prefix}.password`) } }),
    };
  }
  return { kind: 'refused', rule: 'T8', message: `no static.autoprovision.X.code is ${code}` };
}

/** T9: `static.custom_mac_cfg.url` with `$pin` replaced by what the user typed. */
export function resolvePin(
  pin: string,
  get: ConfigView,
): { kind: 'run'; url: string } | Extract<Activation, { kind: 'refused' }> {
  if (!/^[0-9A-Za-z_-]{1,64}$/.test(pin)) {
    return { kind: 'refused', rule: 'T9', message: `"${pin}" is not a PIN (letters, digits, _ and -)` };
  }
  const template = get('static.custom_mac_cfg.url').trim();
  if (template === '')
    return { kind: 'refused', rule: 'T9', message: 'static.custom_mac_cfg.url is not configured' };
  if (!/\$pin/i.test(template)) {
    return {
      kind: 'refused',
      rule: 'T9',
      message: `static.custom_mac_cfg.url (${template}) has no $pin to replace`,
    };
  }
  return { kind: 'run', url: template.replace(/\$pin/gi, pin) };
}

/** T8: credentials the user typed are kept for the next round. */
export function keepActivationCredentials(
  config: Readonly<Record<string, string>>,
  slot: number,
  credentials: Credentials,
): Record<string, string> {
  return {
    ...config,
    [`static.autoprovision.${slot}.user`]: credentials.user,
    [`static.autoprovision.${slot}.password`]: credentials.password,
  };
}
