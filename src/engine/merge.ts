// Layering a round's settings onto the phone's configuration: include order (B4), overwrite mode
// (B6), `%NULL%` and blank values (C2a), legacy keep-values (L1), MAC-local last (K3, K4).
import type { CfgSetting } from '../config/cfgFile.js';
import { settingValue } from '../config/cfgFile.js';
import type { Origin, PhoneState } from '../phone/state.js';

/** One file's settings as they reach the merge, in line order: its model filter already passed (C3). */
export interface FileSettings {
  /** As reports name the file. */
  readonly file: string;
  readonly settings: readonly CfgSetting[];
}

/** A round's files in the order they apply (B4, K4). */
export type Layers = readonly FileSettings[];

export interface SetBy {
  readonly file: string;
  readonly line: number;
  readonly value: string;
}

export type Reset = {
  readonly key: string;
  readonly reason: 'blank' | 'deleted';
  readonly file?: string;
  readonly line?: number;
};

export interface MergeResult {
  readonly config: Record<string, string>;
  readonly origins: Record<string, Origin>;
  readonly provisioned: Record<string, string>;
  /** Every line of this round that set a key, in order: the last one won unless MAC-local did. */
  readonly setBy: ReadonlyMap<string, readonly SetBy[]>;
  /** B6: keys overwrite mode sent back to their factory default. */
  readonly resets: readonly Reset[];
  /** K3: keys whose provisioned value MAC-local overrode. */
  readonly keptByLocal: readonly string[];
}

export interface MergeOptions {
  /** B6: overwrite mode 1 (a boot file without the key, or `overwrite_mode = 1`). */
  readonly overwrite: boolean;
  /** K3: the MAC-local settings to apply last, or null when `custom.protect` is off. */
  readonly local: Readonly<Record<string, string>> | null;
  /**
   * B6 Decision: files the round refused (no header and no key, a wrong key, a plain file under
   * `update_file_mode = 1`, outside the tree): what they set before is not deleted by their absence.
   */
  readonly refused?: ReadonlySet<string>;
}

/** The parameter of a merge key (`static.security.user_password:admin` → `static.security.user_password`). */
export function paramOf(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

export function isStaticKey(key: string): boolean {
  return key.startsWith('static.');
}

export function mergeRound(prev: PhoneState, layers: Layers, options: MergeOptions): MergeResult {
  const config: Record<string, string> = { ...prev.config };
  const origins: Record<string, Origin> = { ...prev.origins };
  const setBy = new Map<string, SetBy[]>();
  const blanks = new Map<string, { file: string; line: number }>();

  // B4: later files (and later lines) override earlier ones; collect the winner per key.
  for (const { file, settings } of layers) {
    for (const setting of settings) {
      const value = settingValue(setting.value);
      if (value === undefined) {
        // C2a, B6: a blank value resets under overwrite mode 1 and changes nothing otherwise (L1).
        if (options.overwrite) {
          blanks.set(setting.key, { file, line: setting.line });
          setBy.delete(setting.key);
        }
        continue;
      }
      blanks.delete(setting.key);
      const chain = setBy.get(setting.key);
      if (chain) chain.push({ file, line: setting.line, value });
      else setBy.set(setting.key, [{ file, line: setting.line, value }]);
    }
  }

  const provisioned: Record<string, string> = options.overwrite ? {} : { ...prev.provisioned };
  const resets: Reset[] = [];
  for (const [key, chain] of setBy) {
    const winner = chain[chain.length - 1]!;
    config[key] = winner.value;
    origins[key] = { kind: 'file', file: winner.file, line: winner.line };
    provisioned[key] = winner.value;
  }
  if (options.overwrite) {
    for (const [key, where] of blanks) {
      if (key in config) resets.push({ key, reason: 'blank', ...where });
      delete config[key];
      delete origins[key];
    }
    // B6: a non-static parameter the server set before and no longer sets goes back to its default;
    // a static one keeps its value and stays provisioned.
    for (const [key, value] of Object.entries(prev.provisioned)) {
      if (setBy.has(key) || blanks.has(key)) continue;
      const origin = prev.origins[key];
      const refused = origin?.kind === 'file' && options.refused?.has(origin.file) === true;
      if (isStaticKey(key) || refused) {
        provisioned[key] = value;
        continue;
      }
      if (key in config) resets.push({ key, reason: 'deleted' });
      delete config[key];
      delete origins[key];
    }
  }

  const keptByLocal: string[] = [];
  if (options.local) {
    for (const [key, value] of Object.entries(options.local)) {
      if (isStaticKey(key)) continue; // K1: static settings are never local
      if (setBy.has(key) && setBy.get(key)!.at(-1)!.value !== value) keptByLocal.push(key);
      config[key] = value;
      origins[key] = { kind: 'mac-local' };
    }
  }
  return { config, origins, provisioned, setBy, resets, keptByLocal };
}

/**
 * The value a round's files leave a key at, without merging: the reading of the layers that the
 * round's keys (roundKeys.ts) keep incrementally, and that the merge's property tests check it against.
 */
export function lastValue(layers: Layers, key: string, overwrite: boolean): string | null | undefined {
  for (let f = layers.length - 1; f >= 0; f--) {
    const { settings } = layers[f]!;
    for (let i = settings.length - 1; i >= 0; i--) {
      const setting = settings[i]!;
      if (setting.key !== key) continue;
      const value = settingValue(setting.value);
      if (value !== undefined) return value;
      if (overwrite) return null; // a blank resets to the factory default
    }
  }
  return undefined;
}
