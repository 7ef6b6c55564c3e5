// The report of a round, assembled from its log and what its steps decided: one shape for every
// outcome, so that a round that stops early reports the same fields as one that ran to the end.
import { macWithColons } from '../core/mac.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import type { MergeResult } from './merge.js';
import { provenanceOf, visibleConfig } from './outcome.js';
import type { RoundReport, RoundStatus } from './report.js';
import { splitDiagnostics } from './report.js';
import type { RoundLog } from './roundContext.js';
import type { RoundInput, RoundResult } from './types.js';

type Decided = Partial<Omit<RoundReport, 'phone' | 'downloads' | 'skipped' | 'errors' | 'warnings'>> & {
  readonly status: RoundStatus;
};

/**
 * The report of a round and the flash it leaves: unchanged, and its configuration shown, unless the
 * round merged (then `merged` is what the report shows).
 */
export function roundResult(
  input: RoundInput,
  params: ParameterCatalogue,
  log: RoundLog,
  decided: Decided,
  next: PhoneState = input.state,
  merged?: Pick<MergeResult, 'config' | 'origins' | 'setBy'>,
): RoundResult {
  const { state, model } = input;
  const shown = merged ?? { config: state.config, origins: state.origins, setBy: new Map() };
  return {
    report: {
      phone: {
        mac: macWithColons(state.mac),
        model: model.id,
        product: model.product,
        firmware: state.firmware,
      },
      server: null,
      mechanism: 'none',
      boot: null,
      downloads: log.downloads,
      skipped: log.skipped,
      applied: [],
      updated: false,
      ...(input.detail !== 'lean'
        ? { config: visibleConfig(shown.config, params), provenance: provenanceOf(state, shown) }
        : { config: {}, provenance: {} }),
      changes: [],
      reboot: false,
      rebootReasons: [],
      firmware: null,
      ...splitDiagnostics(log.diagnostics),
      // `status` comes last, as reports have always printed it.
      ...decided,
    },
    state: next,
  };
}
