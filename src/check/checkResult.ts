// What `autop check` found, per phone and in all, as data: the result its outputs (and the
// library's check document) are made from, apart from the run's machinery (checkRun.ts).
import type { RoundReport } from '../engine/report.js';
import type { Finding } from './finding.js';
import type { ModelChoice } from './modelChoice.js';

export interface PhoneSummary {
  readonly mac: string;
  /** The model's id, or `unknown` for a phone whose model the tree does not tell. */
  readonly model: string;
  readonly firmware: string;
  readonly name?: string;
  readonly status: RoundReport['status'];
  readonly mechanism: RoundReport['mechanism'];
  readonly applied: readonly string[];
  readonly reboot: boolean;
  readonly upgrade: boolean;
  /** R3: the firmware the phone would install, and why (absent when no ROM is named). */
  readonly firmwareDecision?: { readonly rom: string; readonly install: boolean; readonly reason: string };
  /** Numbers (in `CheckResult.findings`) of the error findings that concern this phone. */
  readonly errors: number[];
  /** Numbers of its warnings. */
  readonly warnings: number[];
}

export interface CheckResult {
  readonly findings: readonly Finding[];
  readonly phones: readonly PhoneSummary[];
  readonly files: number;
  readonly choice: ModelChoice;
  readonly strict: boolean;
}
