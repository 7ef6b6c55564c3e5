// What .boot and .cfg files share: the header (B2, C1), line splitting (C2: CRLF, BOM), and the
// `[$MODEL]` prefix (B5, C3).

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
