// Prints one round's report as `provision`, `dial` and `pin` do: for people, or as JSON; secrets
// masked unless asked for.
import type { RoundReport } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import { maskReport } from './mask.js';
import { renderText } from './text.js';

export function printRoundReport(
  report: RoundReport,
  params: ParameterCatalogue,
  options: { readonly json?: boolean; readonly showSecrets?: boolean },
): void {
  const shown = options.showSecrets ? report : maskReport(report, params);
  process.stdout.write(options.json ? JSON.stringify(shown, null, 2) + '\n' : renderText(shown));
}
