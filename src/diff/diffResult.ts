// What `autop diff` found, as data: the impact grouped, and each phone's record; apart from the
// rounds that find it (diffTrees.ts), so that the diff document's declarations need nothing else.
import type { Change, RebootReason, RoundReport } from '../engine/report.js';

export interface PhoneDiff {
  readonly mac: string;
  readonly model: string;
  readonly name?: string;
  /** The round against the first tree, which makes the "before". */
  readonly before: RoundReport['status'];
  /** The round against the second tree. */
  readonly after: RoundReport['status'];
  readonly changes: readonly Change[];
  readonly reboot: readonly RebootReason[];
  readonly upgrade: { readonly from: string; readonly to: string; readonly rom: string } | null;
  /** B6: keys the second round sends back to their factory default. */
  readonly resets: readonly Change[];
  /** K3: keys the second tree sets but MAC-local keeps at the user's value. */
  readonly keptByLocal: readonly string[];
}

/** Phones that share one impact, with how many there are and the first few. */
export interface Group<T> {
  readonly what: T;
  count: number;
  readonly sample: string[];
}

export interface DiffResult {
  readonly phones: number;
  readonly changed: number;
  readonly rebooting: number;
  readonly upgrading: number;
  readonly failed: number;
  readonly reboots: Group<RebootReason>[];
  readonly upgrades: Group<{ from: string; to: string }>[];
  readonly resets: Group<{ key: string; how: Change['how'] }>[];
  readonly keptByLocal: Group<string>[];
  readonly changes: Group<readonly Change[]>[];
  /** Every phone's record; only kept when asked (JSON). */
  readonly perPhone?: PhoneDiff[];
}
