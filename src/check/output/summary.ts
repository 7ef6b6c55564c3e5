// What every output of `autop check` states: counts, and the exit status they lead to.
import type { CheckResult } from '../checkResult.js';
import type { Finding, Severity } from '../finding.js';

export interface CheckSummary {
  readonly phones: number;
  readonly phonesWithErrors: number;
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  readonly notes: number;
}

export function summarise(result: CheckResult): CheckSummary {
  const count = (s: Severity): number => result.findings.filter((f) => f.severity === s).length;
  return {
    phones: result.phones.length,
    phonesWithErrors: result.phones.filter((p) => p.errors.length > 0).length,
    files: result.files,
    errors: count('error'),
    warnings: count('warning'),
    notes: count('note'),
  };
}

/** Errors fail the check (with `--strict`, warnings are errors already); notes never. */
export function failed(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `3 phones: 00:15:65:74:b1:50, 00:15:65:74:b1:51, …` */
export function phonesText(f: Finding): string {
  if (f.phones === 0) return '';
  const more = f.phones > f.sample.length ? ', …' : '';
  return `${plural(f.phones, 'phone')}: ${f.sample.join(', ')}${more}`;
}
