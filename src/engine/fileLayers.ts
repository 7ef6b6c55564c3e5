// C3 for one file and one model: the lines of a parsed CFG that a phone of that model applies, and
// the round keys they set. Computed once per (file, content, model token, prefix support) and kept
// in the ParseCache, so a file shared by a fleet is filtered once per model, not once per phone.
import type { CfgFile } from '../config/cfgFile.js';
import type { FileSettings } from './merge.js';
import { roundKeysOf, type KeyValue, type RoundKey } from './roundKeys.js';

export interface FileLayers extends FileSettings {
  /** The round keys (E1-E4, K1-K2) these lines set. */
  readonly keys: ReadonlyMap<RoundKey, KeyValue>;
  /** C3: `[$MODEL]` lines the firmware ignores because it does not understand the prefix. */
  readonly ignoredPrefixes: { readonly count: number; readonly firstLine: number } | null;
}

/**
 * @param token the phone's model token, upper case (undefined: a model without one, which no
 *   `[$MODEL]` line names)
 * @param modelFilter the firmware understands `[$MODEL]` prefixes (B5, C3)
 */
export function layersOf(
  file: string,
  parsed: CfgFile,
  token: string | undefined,
  modelFilter: boolean,
): FileLayers {
  let count = 0;
  let firstLine = 0;
  const settings = parsed.settings.some((s) => s.models !== null)
    ? parsed.settings.filter((setting) => {
        if (setting.models === null) return true;
        if (!modelFilter) {
          if (count++ === 0) firstLine = setting.line;
          return false;
        }
        return token !== undefined && setting.models.some((m) => m.toUpperCase() === token);
      })
    : parsed.settings;
  return {
    file,
    settings,
    keys: roundKeysOf(settings),
    ignoredPrefixes: count > 0 ? { count, firstLine } : null,
  };
}
