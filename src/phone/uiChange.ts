// A change made on the phone's own screen or web page (spec K1, K3): with custom.protect = 1 a
// non-static change is recorded in MAC-local and survives provisioning; otherwise the next round
// may overwrite it.
import type { ParameterCatalogue } from '../models/parameters.js';
import { configView } from '../engine/settings.js';
import type { Origin, PhoneState } from './state.js';

export interface UiChangeResult {
  readonly state: PhoneState;
  /** Did the change go into the MAC-local file (K1)? */
  readonly local: boolean;
}

/** An empty value puts the parameter back to its factory default. */
export function applyUiChange(
  state: PhoneState,
  key: string,
  value: string,
  params: ParameterCatalogue,
): UiChangeResult {
  const protect = configView(state.config, params)('static.auto_provision.custom.protect') === '1';
  const local = protect && !key.startsWith('static.');
  const config = { ...state.config };
  const origins: Record<string, Origin> = { ...state.origins };
  if (value === '') {
    delete config[key];
    delete origins[key];
  } else {
    config[key] = value;
    origins[key] = local ? { kind: 'mac-local' } : { kind: 'ui' };
  }
  const next: PhoneState = { ...state, config, origins };
  if (!local) return { state: next, local };
  const localSettings = { ...state.local };
  if (value === '') delete localSettings[key];
  else localSettings[key] = value;
  return { state: { ...next, local: localSettings }, local };
}
