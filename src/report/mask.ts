// Secrets (passwords, AES keys) never reach output unless the user asks (issue #2 §7).
import { paramOf } from '../engine/merge.js';
import type { RoundReport } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';

export const MASK = '********';

export function maskReport(report: RoundReport, params: ParameterCatalogue): RoundReport {
  const secret = (key: string): boolean => params.isSecret(paramOf(key));
  const hide = (key: string, value: string | undefined): string | undefined =>
    value !== undefined && secret(key) && value !== '' ? MASK : value;
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
