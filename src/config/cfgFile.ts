// Parser and printer for CFG files (spec C1-C3): `[$MODEL] parameter = value` lines, split at the
// first `=`, trimmed, no quoting, `#` a comment only at the start of a line.
import { maskedValue } from '../core/secrets.js';
import { maskUserInfo } from '../core/url.js';
import { isSecretName } from '../models/parameters.js';
import { error, warning, type Diagnostic } from './diagnostic.js';
import { checkModelTokens, HEADER, scanLines, type LineRules } from './lines.js';
import type { ParseOptions } from './bootFile.js';

/** `value`: a value to set; `null`: `%NULL%`, the empty string (C2a); `blank`: `key =`, per B6/L1. */
export type CfgValue = { kind: 'value'; text: string } | { kind: 'null' } | { kind: 'blank' };

export interface CfgSetting {
  /** The merge identity: the parameter name, or `name:user` for multi-valued user passwords (C2). */
  readonly key: string;
  readonly param: string;
  readonly value: CfgValue;
  readonly models: readonly string[] | null;
  readonly line: number;
}

export interface CfgFile {
  readonly hasHeader: boolean;
  readonly settings: readonly CfgSetting[];
  readonly diagnostics: readonly Diagnostic[];
}

/** C2: set once per web user, so the user name is part of the identity. */
const MULTI_VALUED = new Set(['static.security.user_password', 'security.user_password']);
const PARAMETER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Keys a boot file takes (B6, B7), by the rule that says so. */
const BOOT_FILE_KEYS = { overwrite_mode: 'B6', 'specific_model.excluded_mode': 'B7' } as const;
export const NULL_VALUE = '%NULL%';
const RULES: LineRules = {
  header: 'C1',
  prefix: 'C3',
  binary:
    'the file has binary control characters; it is not a plain-text CFG (encrypted, with no key that applies?)',
  unknownToken: 'no phone applies this line',
};

export function parseCfgFile(text: string, options: ParseOptions): CfgFile {
  const { file } = options;
  const diagnostics: Diagnostic[] = [];
  const settings: CfgSetting[] = [];
  const seen = new Map<string, number>();
  const scan = scanLines(text, file, RULES, diagnostics);
  if (scan.kind === 'binary') return { hasHeader: false, settings: [], diagnostics };

  for (const line of scan.lines) {
    const { number, models } = line;
    const body = line.rest;
    const eq = body.indexOf('=');
    if (eq < 0) {
      diagnostics.push(
        error(
          'C2',
          `"${quoted(body.split(/\s/)[0] ?? '')}..." is not a "parameter = value" line (no "="); the phone ignores it`,
          file,
          number,
        ),
      );
      continue;
    }
    const param = body.slice(0, eq).trim();
    const valueText = body.slice(eq + 1).trim();
    if (!PARAMETER.test(param)) {
      diagnostics.push(
        error(
          'C2',
          param === ''
            ? 'the line has a value but no parameter name'
            : `"${quoted(param)}" is not a parameter name (letters, digits, ".", "_", "-")`,
          file,
          number,
        ),
      );
      continue;
    }
    if (param in BOOT_FILE_KEYS) {
      // B6: boot-file keys do nothing in a CFG; the line is not a parameter of the phone.
      diagnostics.push(
        warning(
          BOOT_FILE_KEYS[param as keyof typeof BOOT_FILE_KEYS],
          `${param} is a boot file key (B6, B7): in a CFG it does nothing; write it in the .boot file`,
          file,
          number,
        ),
      );
      continue;
    }
    checkModelTokens(line, options, RULES, diagnostics);
    const value: CfgValue =
      valueText === ''
        ? { kind: 'blank' }
        : valueText === NULL_VALUE
          ? { kind: 'null' }
          : { kind: 'value', text: valueText };
    let key = param;
    if (MULTI_VALUED.has(param) && value.kind === 'value') {
      const colon = value.text.indexOf(':');
      if (colon <= 0) {
        diagnostics.push(error('C2', `${param} takes "<user>:<password>"`, file, number));
        continue;
      }
      key = `${param}:${value.text.slice(0, colon)}`;
    }
    const identity = `${models ? [...models].sort().join(',') : ''}|${key}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      diagnostics.push(
        warning(
          'C2',
          `${key} is set again (first on line ${earlier}); the last one in the file wins`,
          file,
          number,
        ),
      );
    }
    seen.set(identity, number);
    settings.push({ key, param, value, models, line: number });
  }
  return { hasHeader: scan.hasHeader, settings, diagnostics };
}

/** The value a setting gives the parameter: `%NULL%` is the empty string; blank has none. */
export function settingValue(value: CfgValue): string | undefined {
  return value.kind === 'value' ? value.text : value.kind === 'null' ? '' : undefined;
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A piece of a bad line, fit to quote in a diagnostic (#13.4): when its apparent key names a secret
 * (`account.2.password:SECRET`, no "="), what follows the key is masked; URL user info always is.
 */
function quoted(text: string): string {
  const key = /^[A-Za-z0-9_.-]+/.exec(text)?.[0] ?? '';
  const rest = text.slice(key.length);
  if (key !== '' && rest !== '' && isSecretName(key))
    return `${shorten(key)}${rest[0]}${maskedValue(rest.slice(1), true)}`;
  return shorten(maskUserInfo(text));
}

/** Prints a CFG file that parses back to the same settings. */
export function printCfgFile(cfg: Pick<CfgFile, 'settings'>): string {
  const out = [HEADER];
  for (const s of cfg.settings) {
    const prefix = s.models ? `[${s.models.join(', ')}] ` : '';
    const value = s.value.kind === 'value' ? s.value.text : s.value.kind === 'null' ? NULL_VALUE : '';
    out.push(`${prefix}${s.param} = ${value}`.trimEnd());
  }
  return out.join('\n') + '\n';
}
