// Parser and printer for boot files (`*.boot`, spec B2-B7). Text in, a typed file out, never a throw.
import { maskUserInfo } from '../core/url.js';
import { error, warning, type Diagnostic } from './diagnostic.js';
import { checkModelTokens, HEADER, scanLines, type LineRules } from './lines.js';

export interface BootInclude {
  /** The target as written, relative to the boot file or absolute (B3). */
  readonly target: string;
  /** `[$MODEL]` tokens as written (B5); null: the include names no model. */
  readonly models: readonly string[] | null;
  readonly line: number;
}

export interface BootSetting<T> {
  readonly value: T;
  readonly line: number;
}

export interface BootFile {
  readonly hasHeader: boolean;
  readonly includes: readonly BootInclude[];
  /** `overwrite_mode` (B6); undefined when the key is absent (then 1 applies). */
  readonly overwriteMode?: BootSetting<0 | 1>;
  /** `specific_model.excluded_mode` (B7); undefined when absent (then 0 applies). */
  readonly excludedMode?: BootSetting<0 | 1>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ParseOptions {
  /** The file's name in diagnostics. */
  readonly file: string;
  /** Is this a `[$MODEL]` token the guide lists? Unknown tokens are reported when given. */
  readonly isToken?: (token: string) => boolean;
}

const INCLUDE = /^include:config(?:\s+(.*))?$/;
const BOOT_KEYS = { overwrite_mode: 'B6', 'specific_model.excluded_mode': 'B7' } as const;
const RULES: LineRules = {
  header: 'B2',
  prefix: 'B5',
  binary: 'the file has binary control characters; a boot file is plain text',
  unknownToken: 'no phone takes this include',
};

export function parseBootFile(text: string, options: ParseOptions): BootFile {
  const { file } = options;
  const diagnostics: Diagnostic[] = [];
  const includes: BootInclude[] = [];
  const settings: Partial<Record<keyof typeof BOOT_KEYS, BootSetting<0 | 1>>> = {};
  const scan = scanLines(text, file, RULES, diagnostics);
  if (scan.kind === 'binary') return { hasHeader: false, includes: [], diagnostics };

  for (const line of scan.lines) {
    const { number, rest: text } = line;
    const include = INCLUDE.exec(text);
    if (include) {
      const target = parseIncludeTarget(include[1] ?? '', file, number, diagnostics);
      if (target === undefined) continue;
      checkModelTokens(line, options, RULES, diagnostics);
      includes.push({ target, models: line.models, line: number });
      continue;
    }

    if (line.models) {
      diagnostics.push(
        error('B5', 'a [$MODEL] prefix in a boot file must be followed by include:config', file, number),
      );
      continue;
    }
    const eq = text.indexOf('=');
    if (eq < 0) {
      diagnostics.push(
        error(
          'B2',
          `"${shorten(text)}" is neither a comment, an include:config line nor a key = value line`,
          file,
          number,
        ),
      );
      continue;
    }
    const key = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (!(key in BOOT_KEYS)) {
      diagnostics.push(
        warning(
          'B6',
          `"${key}" is not a boot file key (only overwrite_mode and specific_model.excluded_mode are); the phone ignores it here`,
          file,
          number,
        ),
      );
      continue;
    }
    const rule = BOOT_KEYS[key as keyof typeof BOOT_KEYS];
    if (value !== '0' && value !== '1') {
      diagnostics.push(
        error(rule, `${key} must be 0 or 1, not "${value}"; the line is ignored`, file, number),
      );
      continue;
    }
    const existing = settings[key as keyof typeof BOOT_KEYS];
    if (existing) {
      diagnostics.push(
        warning(
          rule,
          `${key} is set again (first on line ${existing.line}); the last one wins`,
          file,
          number,
        ),
      );
    }
    settings[key as keyof typeof BOOT_KEYS] = { value: value === '1' ? 1 : 0, line: number };
  }

  return {
    hasHeader: scan.hasHeader,
    includes,
    ...(settings.overwrite_mode && { overwriteMode: settings.overwrite_mode }),
    ...(settings['specific_model.excluded_mode'] && {
      excludedMode: settings['specific_model.excluded_mode'],
    }),
    diagnostics,
  };
}

function parseIncludeTarget(
  raw: string,
  file: string,
  line: number,
  diagnostics: Diagnostic[],
): string | undefined {
  const text = raw.trim();
  let target: string;
  if (text.startsWith('<') || text.startsWith('"')) {
    const close = text.startsWith('<') ? '>' : '"';
    const end = text.indexOf(close, 1);
    if (end < 0) {
      diagnostics.push(
        error('B3', `the include target opened with ${text[0]} is never closed with ${close}`, file, line),
      );
      return undefined;
    }
    if (text.slice(end + 1).trim() !== '') {
      diagnostics.push(warning('B3', 'text after the include target is ignored', file, line));
    }
    target = text.slice(1, end).trim();
  } else {
    if (text !== '') {
      diagnostics.push(
        warning(
          'B3',
          'write the include target as <URL> or "URL" (a path with spaces needs them)',
          file,
          line,
        ),
      );
    }
    target = text;
  }
  if (target === '') {
    diagnostics.push(error('B3', 'include:config names no file', file, line));
    return undefined;
  }
  if (!/\.cfg$/i.test(target.split(/[?#]/)[0] ?? '')) {
    diagnostics.push(
      error(
        'B3',
        `include:config must name a .cfg file, not "${maskUserInfo(target)}"; the phone skips it`,
        file,
        line,
      ),
    );
    return undefined;
  }
  return target;
}

/** Boot file text fit to quote in a diagnostic: URL user info masked (#13.4), long text cut. */
function shorten(text: string): string {
  const masked = maskUserInfo(text);
  return masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
}

/** Prints a boot file that parses back to the same includes and keys. */
export function printBootFile(boot: Pick<BootFile, 'includes' | 'overwriteMode' | 'excludedMode'>): string {
  const out = [HEADER];
  if (boot.overwriteMode) out.push(`overwrite_mode = ${boot.overwriteMode.value}`);
  if (boot.excludedMode) out.push(`specific_model.excluded_mode = ${boot.excludedMode.value}`);
  for (const include of boot.includes) {
    const prefix = include.models ? `[${include.models.join(', ')}]` : '';
    const quoted = include.target.includes('"') ? `<${include.target}>` : `"${include.target}"`;
    out.push(`${prefix}include:config ${quoted}`);
  }
  return out.join('\n') + '\n';
}
