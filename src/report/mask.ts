// Secrets (passwords, AES keys, URL user info) never reach output unless the user asks (issues #2
// §7, #13.4): the rule is src/core/secrets.ts's, applied here to every value a report shows.
import { maskedValue } from '../core/secrets.js';
import { maskUserInfo } from '../core/url.js';
import { paramOf } from '../engine/merge.js';
import type { ReportDiagnostic, RoundReport } from '../engine/report.js';
import { redactUrl } from '../engine/serverUrl.js';
import type { DiscoveryReport } from '../discovery/discoveryReport.js';
import type { ParameterCatalogue } from '../models/parameters.js';

export { MASK } from '../core/secrets.js';

/**
 * The value as output may show it (the one rule for every output): a secret's non-empty value
 * becomes MASK, URL user info in any other value is masked.
 */
export function shownValue<T extends string | null | undefined>(
  key: string,
  value: T,
  params: ParameterCatalogue,
): T {
  return (typeof value === 'string' ? maskedValue(value, params.isSecret(paramOf(key))) : value) as T;
}

/** A diagnostic as output may show it: a message can quote a value or a URL. */
function shownDiagnostic(d: ReportDiagnostic): ReportDiagnostic {
  return { ...d, message: maskUserInfo(d.message) };
}

export function maskReport(report: RoundReport, params: ParameterCatalogue): RoundReport {
  const hide = (key: string, value: string | undefined): string | undefined => shownValue(key, value, params);
  return {
    ...report,
    skipped: report.skipped.map((s) => ({ ...s, target: maskUserInfo(s.target) })),
    downloads: report.downloads.map((d) =>
      d.detail === undefined ? d : { ...d, detail: maskUserInfo(d.detail) },
    ),
    errors: report.errors.map(shownDiagnostic),
    warnings: report.warnings.map(shownDiagnostic),
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

/** Passwords in discovered URLs (a one-key `ftp://user:pass@host/`) are masked like the rest. */
export function maskDiscovery(report: DiscoveryReport, showSecrets = false): DiscoveryReport {
  if (showSecrets) return report;
  const mask = (url: string): string => {
    try {
      return redactUrl(new URL(url));
    } catch {
      return url; // a bare host has no password
    }
  };
  return {
    ...report,
    sources: report.sources.map((s) =>
      s.heard.kind === 'address' ? { ...s, heard: { ...s.heard, url: mask(s.heard.url) } } : s,
    ),
    ...(report.winner && { winner: { ...report.winner, url: mask(report.winner.url) } }),
  };
}
