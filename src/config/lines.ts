// What .boot and .cfg files share: the header (B2, C1), line splitting (C2: CRLF, BOM), and the
// `[$MODEL]` prefix (B5, C3).
import { error, warning, type Diagnostic } from './diagnostic.js';

export const HEADER = '#!version:1.0.0.1';

export interface SourceLine {
  readonly number: number;
  readonly text: string;
}

/** Splits text into numbered lines; strips a UTF-8 BOM and the CR of CRLF line ends (C2). */
export function splitLines(text: string): SourceLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const raw = body.split('\n');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((line, i) => ({ number: i + 1, text: line.endsWith('\r') ? line.slice(0, -1) : line }));
}

export type HeaderCheck = 'ok' | 'other-version' | 'missing';

export function checkHeader(lines: readonly SourceLine[]): HeaderCheck {
  const first = lines[0]?.text.trim();
  if (first === HEADER) return 'ok';
  if (first?.startsWith('#!version:')) return 'other-version';
  return 'missing';
}

export type ModelPrefix =
  | { kind: 'none'; rest: string }
  | { kind: 'models'; models: string[]; rest: string }
  | { kind: 'malformed'; reason: string };

/** `[T46S, T23G] rest` → the tokens and what follows; no bracket → the whole line. */
export function splitModelPrefix(text: string): ModelPrefix {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('[')) return { kind: 'none', rest: trimmed };
  const close = trimmed.indexOf(']');
  if (close < 0) return { kind: 'malformed', reason: 'a "[" model list is never closed with "]"' };
  const models = trimmed
    .slice(1, close)
    .split(',')
    .map((m) => m.trim());
  if (models.some((m) => m === '')) {
    return {
      kind: 'malformed',
      reason: 'the [$MODEL] list has an empty entry; write models separated by commas',
    };
  }
  return { kind: 'models', models, rest: trimmed.slice(close + 1).trimStart() };
}

/** Control characters other than tab: a sign of a binary (perhaps encrypted) file. */
export function hasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/** The rules a file kind's findings rest on, and its words for them. */
export interface LineRules {
  /** The header's rule (B2, C1), also a binary file's. */
  readonly header: string;
  /** The `[$MODEL]` prefix's rule (B5, C3). */
  readonly prefix: string;
  /** Why a binary file is refused, for people. */
  readonly binary: string;
  /** What an unknown model token means for the line: "no phone takes this include". */
  readonly unknownToken: string;
}

/** A line that says something: comments and blank lines skipped, its `[$MODEL]` prefix split off. */
export interface ContentLine {
  readonly number: number;
  readonly models: string[] | null;
  readonly rest: string;
}

export type LineScan =
  | { readonly kind: 'binary' }
  | { readonly kind: 'text'; readonly hasHeader: boolean; readonly lines: Iterable<ContentLine> };

/**
 * What .boot and .cfg files check alike: a binary file is one finding, not one per line of garbage;
 * the header (B2, C1); then, line by line as the caller asks for them, the `[$MODEL]` prefix (B5,
 * C3). Findings go to `diagnostics` in line order, the caller's own among them.
 */
export function scanLines(text: string, file: string, rules: LineRules, diagnostics: Diagnostic[]): LineScan {
  if (hasControlCharacters(text)) {
    diagnostics.push(error(rules.header, rules.binary, file, 1));
    return { kind: 'binary' };
  }
  const lines = splitLines(text);
  const header = checkHeader(lines);
  if (header === 'missing') {
    diagnostics.push(
      error(
        rules.header,
        `the first line must be "${HEADER}"; the phone does not accept the file without it`,
        file,
        1,
      ),
    );
  } else if (header === 'other-version') {
    diagnostics.push(warning(rules.header, `the header should read exactly "${HEADER}"`, file, 1));
  }
  return {
    kind: 'text',
    hasHeader: header !== 'missing',
    lines: contentLines(lines, file, rules, diagnostics),
  };
}

function* contentLines(
  lines: readonly SourceLine[],
  file: string,
  rules: LineRules,
  diagnostics: Diagnostic[],
): Generator<ContentLine> {
  for (const { number, text: raw } of lines) {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    const prefix = splitModelPrefix(text);
    if (prefix.kind === 'malformed') {
      diagnostics.push(error(rules.prefix, prefix.reason, file, number));
      continue;
    }
    yield { number, models: prefix.kind === 'models' ? prefix.models : null, rest: prefix.rest };
  }
}

/** B5, C3: each `[$MODEL]` token of a line the phone would act on must be one the firmware knows. */
export function checkModelTokens(
  line: ContentLine,
  options: { readonly file: string; readonly isToken?: (token: string) => boolean },
  rules: LineRules,
  diagnostics: Diagnostic[],
): void {
  if (!line.models || !options.isToken) return;
  for (const model of line.models) {
    if (!options.isToken(model))
      diagnostics.push(
        error(
          rules.prefix,
          `[${model}] is not a model token the firmware knows, so ${rules.unknownToken}`,
          options.file,
          line.number,
        ),
      );
  }
}
