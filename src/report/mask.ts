// Secrets (passwords, AES keys) never reach output unless the user asks (issue #2 §7).
import { paramOf } from '../engine/merge.js';
import type { RoundReport } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';

export const MASK = '********';

/** The value as output may show it: a secret's non-empty value becomes MASK (the one rule for every output). */
export function shownValue<T extends string | null | undefined>(
  key: string,
  value: T,
  params: ParameterCatalogue,
): T | typeof MASK {
  return typeof value === 'string' && value !== '' && params.isSecret(paramOf(key)) ? MASK : value;
}

export function maskReport(report: RoundReport, params: ParameterCatalogue): RoundReport {
  const hide = (key: string, value: string | undefined): string | undefined => shownValue(key, value, params);
  return {
    ...report,
    config: Object.fromEntries(Object.entries(report.config).map(([k, v]) => [k, hide(k, v)!])),
    changes: report.changes.map((c) => ({
      ...c,
      ...(c.before !== undefined && { before: hide(c.key, c.before)! }),
      ...(c.after !== undefined && { after: hide(c.key, c.after)! }),
    })),
    provenance: Object.fromEntries(
      Object.entries(report.provenance).map(([k, p]) => [
        k,
        { ...p, overrode: p.overrode.map((o) => ({ ...o, value: hide(k, o.value)! })) },
      ]),
    ),
  };
}
