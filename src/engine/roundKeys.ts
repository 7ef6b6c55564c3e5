// The few settings a round needs before it merges, kept as its files arrive: the E1-E4 keys that
// decrypt a later file, and the K1-K2 keys that decide whether MAC-local is downloaded before M1
// compares. One pass over each file's lines (cached with the file), one lookup per question: no
// scan of every setting of the round per file (#13.2: linear in size and include count).
import { settingValue, type CfgSetting } from '../config/cfgFile.js';
import type { ConfigView } from './settings.js';

export const ROUND_KEYS = [
  'static.auto_provision.update_file_mode',
  'static.auto_provision.aes_key_in_file',
  'static.auto_provision.aes_key.mac',
  'static.auto_provision.aes_key_16.mac',
  'static.auto_provision.aes_key.com',
  'static.auto_provision.aes_key_16.com',
  'static.auto_provision.custom.protect',
  'static.auto_provision.custom.sync',
  'static.auto_provision.custom.sync.path',
] as const;

export type RoundKey = (typeof ROUND_KEYS)[number];

const TRACKED: ReadonlySet<string> = new Set(ROUND_KEYS);

/** What the lines of one file (or of the round so far) leave a key at. */
export interface KeyValue {
  /** The last value set (`%NULL%` is ''); undefined when only blanks set it. */
  readonly value?: string;
  /** A blank (`key =`) came after that value: under overwrite mode the key goes to its default (B6). */
  readonly blankAfter: boolean;
}

/** The round keys a file's applicable lines set: computed once per file and model, with its layers. */
export function roundKeysOf(settings: readonly CfgSetting[]): ReadonlyMap<RoundKey, KeyValue> {
  const found = new Map<RoundKey, KeyValue>();
  for (const setting of settings) {
    if (!TRACKED.has(setting.key)) continue;
    const value = settingValue(setting.value);
    const key = setting.key as RoundKey;
    found.set(
      key,
      value === undefined ? { ...found.get(key), blankAfter: true } : { value, blankAfter: false },
    );
  }
  return found;
}

/** The round keys as the round's files have set them so far, over the phone's configuration before it. */
export class RoundKeys {
  private readonly values = new Map<RoundKey, KeyValue>();

  /** @param before the phone's configuration as the round started (its values and catalogued defaults). */
  constructor(private readonly before: ConfigView) {}

  /** A file's keys apply after everything before it (B4). */
  apply(file: ReadonlyMap<RoundKey, KeyValue>): void {
    // Most files set none of these keys: nothing to walk.
    if (file.size === 0) return;
    for (const [key, next] of file) {
      const value = next.value ?? this.values.get(key)?.value;
      this.values.set(
        key,
        value !== undefined ? { value, blankAfter: next.blankAfter } : { blankAfter: next.blankAfter },
      );
    }
  }

  /** While the files arrive (E1): the last value given so far; a blank changes nothing yet. */
  current(key: RoundKey): string {
    return this.values.get(key)?.value ?? this.before(key);
  }

  /**
   * Once every file is in, as the merge will leave the key: a blank under overwrite mode is the
   * factory default (B6, C2a), otherwise as `current`.
   */
  final(key: RoundKey, overwrite: boolean, defaultOf: (key: string) => string | undefined): string {
    const kept = this.values.get(key);
    if (overwrite && kept?.blankAfter) return defaultOf(key) ?? '';
    return this.current(key);
  }
}
