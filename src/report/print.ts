// Prints one round's report as `provision`, `dial` and `pin` do: for people, or as JSON; secrets
// masked unless asked for.
import type { RoundReport } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import { maskReport } from './mask.js';
import { renderText } from './text.js';
import { renderDiscovery } from './discovery.js';
import type { DiscoveryReport } from '../discovery/chain.js';
import { redactUrl } from '../engine/serverUrl.js';

export function printRoundReport(
  report: RoundReport,
  params: ParameterCatalogue,
  options: { readonly json?: boolean; readonly showSecrets?: boolean },
  discovery?: DiscoveryReport,
): void {
  const shown = options.showSecrets ? report : maskReport(report, params);
  if (options.json) {
    const document = discovery
      ? { discovery: maskDiscovery(discovery, options.showSecrets), ...shown }
      : shown;
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
  } else {
    process.stdout.write((discovery ? renderDiscovery(discovery) : '') + renderText(shown));
  }
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
