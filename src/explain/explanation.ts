// What `autop explain` found for one phone, as data: per parameter, the lines that set it and the
// verdict on each; apart from the work of finding it (chain.ts).
import type { RoundReport } from '../engine/report.js';

export type Verdict = 'won' | 'lost' | 'reset' | 'ignored';

export interface ChainEntry {
  readonly file: string;
  readonly line: number;
  /** The value the line gives; null: a blank value (`key =`). */
  readonly value: string | null;
  readonly models: readonly string[] | null;
  readonly verdict: Verdict;
  readonly rule: string;
  readonly reason: string;
}

export interface Explanation {
  readonly key: string;
  /** The effective value after the round; null: the factory default. */
  readonly value: string | null;
  readonly default: string | null;
  readonly static: boolean;
  readonly entries: readonly ChainEntry[];
  /** What decided the value besides the lines: MAC-local, overwrite mode, the previous state. */
  readonly notes: readonly string[];
}

export interface ExplainResult {
  readonly report: RoundReport;
  readonly explanations: Explanation[];
}
