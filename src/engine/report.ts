// What one provisioning round found and did: the `--json` contract of issue #2 §7, plus the detail
// the text report and `explain` print.
import type { Diagnostic } from '../config/diagnostic.js';
import type { FailureCause } from '../fetch/failureCause.js';
import type { Origin } from '../phone/state.js';
import type { SetBy } from './merge.js';

export type Mechanism = 'mac-boot' | 'common-boot' | 'legacy' | 'none';

/** `updated`/`unchanged`: the round ran; the others: it could not (the CLI exits 1). */
export type RoundStatus = 'updated' | 'unchanged' | 'no-server' | 'nothing-found' | 'failed';

/** Did the round run to the end (whatever it found)? Only then is the phone's new state kept. */
export function roundRan(status: RoundStatus): boolean {
  return status === 'updated' || status === 'unchanged';
}

export type DownloadKind = 'boot' | 'config' | 'mac-local' | 'firmware' | 'certificate' | 'key';

export interface Download {
  readonly url: string;
  /** The last path segment. */
  readonly name: string;
  /** The path below the server's root, as diagnostics name the file. */
  readonly file: string;
  readonly kind: DownloadKind;
  /** The boot file line whose include asked for this file (B3). */
  readonly requestedBy?: { readonly file: string; readonly line: number };
  /**
   * `not-fetched`: outside the tree of a `--tree` round (cause `offline` or `outside-root`), which
   * reads nothing else; the phone would fetch it (issue #12). Not a failure of the round.
   */
  readonly outcome: 'ok' | 'not-found' | 'not-fetched' | 'failed';
  readonly md5: string | null;
  readonly size?: number;
  readonly cause?: FailureCause;
  readonly detail?: string;
}

export type SkipReason = 'other-model' | 'excluded-mode' | 'model-filter-unsupported' | 'bad-url';

export interface SkippedInclude {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly models: readonly string[] | null;
  readonly reason: SkipReason;
}

export interface Change {
  readonly key: string;
  /** undefined: the factory default. */
  readonly before?: string;
  readonly after?: string;
  readonly how: 'set' | 'reset-blank' | 'reset-deleted' | 'mac-local';
  readonly origin?: Origin;
}

export interface Provenance {
  readonly origin: Origin;
  /** Earlier lines of this round, and the value before the round, that this value replaced. */
  readonly overrode: readonly (SetBy | { readonly file: 'previous'; readonly value: string })[];
}

export interface RebootReason {
  readonly rule: 'R1' | 'R2' | 'R3' | 'T7';
  readonly message: string;
  readonly param?: string;
}

export interface FirmwareReport {
  readonly url: string;
  readonly rom: string;
  readonly running: string;
  readonly version: string | null;
  readonly install: boolean;
  readonly reason: string;
  readonly size?: number;
  readonly md5?: string;
}

/** The boot file the round used (B1), and its keys (B6, B7). */
export interface BootSummary {
  /** As diagnostics name it, e.g. `y000000000000.boot`. */
  readonly file: string;
  /** B6 effective overwrite mode (true when the key is absent; false for a file the phone refused). */
  readonly overwrite: boolean;
  /** B7 effective (false where the firmware ignores the key). */
  readonly excludedMode: boolean;
}

export interface ReportDiagnostic {
  readonly rule: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

export interface RoundReport {
  readonly phone: {
    readonly mac: string;
    readonly model: string;
    readonly product: string;
    readonly firmware: string;
  };
  readonly server: { readonly url: string; readonly source: string } | null;
  readonly status: RoundStatus;
  readonly mechanism: Mechanism;
  /** The boot file the round used (B1), and its keys (B6, B7); null without a boot file. */
  readonly boot: BootSummary | null;
  readonly downloads: readonly Download[];
  readonly skipped: readonly SkippedInclude[];
  readonly applied: readonly string[];
  readonly updated: boolean;
  readonly config: Readonly<Record<string, string>>;
  readonly provenance: Readonly<Record<string, Provenance>>;
  readonly changes: readonly Change[];
  readonly reboot: boolean;
  readonly rebootReasons: readonly RebootReason[];
  readonly firmware: FirmwareReport | null;
  readonly errors: readonly ReportDiagnostic[];
  readonly warnings: readonly ReportDiagnostic[];
}

export function splitDiagnostics(diagnostics: readonly Diagnostic[]): {
  errors: ReportDiagnostic[];
  warnings: ReportDiagnostic[];
} {
  const strip = ({ severity: _s, ...rest }: Diagnostic): ReportDiagnostic => rest;
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').map(strip),
    warnings: diagnostics.filter((d) => d.severity === 'warning').map(strip),
  };
}
