// The merge step of a round (B6, C2a, K1-K4): the gathered files layered onto the phone's
// configuration, MAC-local last, and what that changes (against factory defaults) and who reboots
// for it (R1, R2).
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import type { Gathered } from './gather.js';
import { mergeRound, type MergeResult } from './merge.js';
import { diffConfig, rebootReasonsFor } from './outcome.js';
import type { Change, RebootReason } from './report.js';
import type { Location } from './roundContext.js';
import { configView, type ConfigView } from './settings.js';

export interface Merged {
  readonly kind: 'merged';
  readonly result: MergeResult;
  /** The configuration after the merge, defaults filled in. */
  readonly view: ConfigView;
  /** The file and line each key's value came from (for diagnostics about a setting). */
  readonly setAt: (key: string) => Location | undefined;
  readonly changes: readonly Change[];
  /** R1, R2 (R3 is decided after the firmware step). */
  readonly rebootReasons: readonly RebootReason[];
  /** The files applied, MAC-local included when it was (K4). */
  readonly applied: readonly string[];
  /** K2, K3: the MAC-local settings the phone keeps after the round. */
  readonly local: Readonly<Record<string, string>>;
}

export function mergeStep(
  state: PhoneState,
  gathered: Extract<Gathered, { kind: 'ok' }>,
  params: ParameterCatalogue,
): Merged {
  const { overwrite, keys } = gathered;
  const defaultOf = (key: string): string | undefined => params.defaultOf(key);
  // K3: with overwrite mode 1 the MAC-local file downloaded from the server replaces the phone's copy.
  const local = gathered.macLocal && overwrite ? gathered.macLocal : state.local;
  const protect = keys.final('static.auto_provision.custom.protect', overwrite, defaultOf) === '1';
  const result = mergeRound(state, gathered.layers, {
    overwrite,
    local: protect ? local : null,
    refused: gathered.refused,
  });
  const applied =
    protect && Object.keys(local).length > 0
      ? [...gathered.applied, `${state.mac}-local.cfg`]
      : gathered.applied;
  const changes = diffConfig(state.config, result, params);
  const view = configView(result.config, params);
  const setAt = (key: string): Location | undefined => {
    const origin = result.origins[key];
    return origin?.kind === 'file' ? { file: origin.file, line: origin.line } : undefined;
  };
  const rebootReasons = rebootReasonsFor(changes, view, params);
  return { kind: 'merged', result, view, setAt, changes, rebootReasons, applied, local };
}
