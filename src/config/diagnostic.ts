// A finding about the tree or the round: which rule (spec id), where (file, line), what to do.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** The spec rule the finding rests on, e.g. `B3` or `C2`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** The file as the report names it (a path relative to the server root where it can be). */
  readonly file?: string;
  readonly line?: number;
}

export function error(rule: string, message: string, file?: string, line?: number): Diagnostic {
  return withLocation({ rule, severity: 'error', message }, file, line);
}

export function warning(rule: string, message: string, file?: string, line?: number): Diagnostic {
  return withLocation({ rule, severity: 'warning', message }, file, line);
}

function withLocation(d: Diagnostic, file?: string, line?: number): Diagnostic {
  return { ...d, ...(file !== undefined && { file }), ...(line !== undefined && { line }) };
}
