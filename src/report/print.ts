// Prints one round's report as `provision`, `dial` and `pin` do: for people, or as the JSON document
// of provisionJson.ts (the library's `provision` result); secrets masked unless asked for.
import type { RoundReport } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import { maskReport } from './mask.js';
import { provisionDocument } from './provisionJson.js';
import { renderText } from './text.js';
import { renderDiscovery } from './discovery.js';
import type { DiscoveryReport } from '../discovery/chain.js';

export { maskDiscovery } from './mask.js';

export function printRoundReport(
  report: RoundReport,
  params: ParameterCatalogue,
  options: { readonly json?: boolean; readonly showSecrets?: boolean },
  discovery?: DiscoveryReport,
): void {
  if (options.json) {
    const document = provisionDocument(report, params, {
      showSecrets: options.showSecrets ?? false,
      ...(discovery && { discovery }),
    });
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
  } else {
    const shown = options.showSecrets ? report : maskReport(report, params);
    process.stdout.write((discovery ? renderDiscovery(discovery) : '') + renderText(shown));
  }
}
