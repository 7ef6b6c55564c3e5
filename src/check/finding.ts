// What `autop check` found: one finding per rule, place and message, however many phones it
// concerns (issue #4 §1, §6: one finding on site.cfg:12 for 10,000 phones, with a count).
/**
 * A diagnostic's severity (src/config/diagnostic.ts: error, warning), or `note`, which never fails a
 * check, not even with `--strict`. Spelt out rather than extended, so that the JSON Schemas have
 * one type of this name.
 */
export type Severity = 'error' | 'warning' | 'note';

/**
 * The kinds of finding `check` makes itself. Engine and parser diagnostics keep their spec rule as
 * their id (kind `diagnostic`); the others are `RULE/kind`, e.g. `B3/missing-include`.
 */
export type FindingKind =
  | 'diagnostic'
  | 'missing-include'
  | 'unused-model-include'
  | 'unused-file'
  | 'orphan-mac-file'
  | 'phone-without-mac-file'
  | 'unknown-parameter'
  | 'out-of-range'
  | 'account-beyond-model'
  | 'static-not-reset'
  | 'static-in-mac-local'
  | 'mac-boot-with-common-boot'
  | 'no-config'
  | 'firmware-not-fetched'
  | 'inventory';

export interface Finding {
  /** The stable id outputs use (SARIF ruleId, JUnit type, GitHub title): `C2`, `B3/missing-include`. */
  readonly id: string;
  readonly kind: FindingKind;
  /** The spec rule it rests on (`B3`), or `inventory`/`catalogue` for findings outside the spec. */
  readonly rule: string;
  readonly severity: Severity;
  /** A path relative to the tree (or the inventory's path as given); absent for findings about a phone alone. */
  readonly file?: string;
  /** Always there when `file` is: 1 for a finding about a whole file (code scanning needs a line). */
  readonly line?: number;
  readonly message: string;
  /** How many phones it concerns (0: a finding about the tree alone). */
  phones: number;
  /** The first few of them, as `00:15:65:74:b1:50`, for the reports. */
  readonly sample: string[];
}

export interface NewFinding {
  readonly kind: FindingKind;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

const SAMPLE = 5;

export function findingId(kind: FindingKind, rule: string): string {
  return kind === 'diagnostic' ? rule : `${rule}/${kind}`;
}

/**
 * Findings deduplicated by id, place and message; phones are counted, not listed. Every finding
 * about a file gets a line (1 when none applies). With `strict`, warnings are errors, so that every
 * output says what the exit status says.
 */
export class FindingTable {
  readonly all: Finding[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly strict = false) {}

  /** The finding's number in `all`, adding it the first time it is seen. */
  add(f: NewFinding): number {
    const severity: Severity = this.strict && f.severity === 'warning' ? 'error' : f.severity;
    const line = f.line ?? (f.file !== undefined ? 1 : undefined);
    const key = `${f.kind}\u0000${f.rule}\u0000${severity}\u0000${f.file ?? ''}\u0000${line ?? ''}\u0000${f.message}`;
    const known = this.index.get(key);
    if (known !== undefined) return known;
    const id = this.all.length;
    this.all.push({
      id: findingId(f.kind, f.rule),
      kind: f.kind,
      rule: f.rule,
      severity,
      ...(f.file !== undefined && { file: f.file }),
      ...(line !== undefined && { line }),
      message: f.message,
      phones: 0,
      sample: [],
    });
    this.index.set(key, id);
    return id;
  }

  /** Counts a phone against a finding; the caller makes sure a phone is counted once per finding. */
  attach(id: number, phone: string): void {
    const finding = this.all[id]!;
    finding.phones++;
    if (finding.sample.length < SAMPLE) finding.sample.push(phone);
  }

  count(severity: Severity): number {
    return this.all.filter((f) => f.severity === severity).length;
  }
}

/** Findings in a stable order: by file (findings about no file last), line, severity, id. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, note: 2 };
  return [...findings].sort(
    (a, b) =>
      (a.file === undefined ? 1 : 0) - (b.file === undefined ? 1 : 0) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      rank[a.severity] - rank[b.severity] ||
      a.id.localeCompare(b.id) ||
      a.message.localeCompare(b.message),
  );
}
