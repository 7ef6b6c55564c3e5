// `autop check --format json`, and the library's `check` result (issue #17): the findings, sorted,
// one entry per phone naming its errors and warnings, and which models were assumed and why.
import type { CheckResult, PhoneSummary } from '../checkResult.js';
import { sortFindings, type Finding } from '../finding.js';
import { describeChoice, type ChoiceDescription } from './choiceText.js';
import { summarise, type CheckSummary } from './summary.js';

/** What `autop check --format json` prints (schemas/check-report.schema.json). */
export interface CheckDocument {
  /** The tree as given (`autop check TREE`). */
  readonly tree: string;
  /** Warnings are errors (`--strict`). */
  readonly strict: boolean;
  readonly summary: CheckSummary;
  /** Which models were assumed, and why. */
  readonly models: ChoiceDescription;
  /** Sorted by file (findings about no file last), line, severity and id. */
  readonly findings: readonly Finding[];
  /** Every phone checked; its `errors` and `warnings` are positions in `findings`. */
  readonly phones: readonly PhoneSummary[];
}

export function checkDocument(result: CheckResult, tree: string): CheckDocument {
  const sorted = sortFindings(result.findings);
  const position = new Map(sorted.map((f, i) => [f, i]));
  // Positions in `findings` below.
  const positions = (ids: readonly number[]): number[] =>
    ids.map((id) => position.get(result.findings[id]!)!).sort((a, b) => a - b);
  return {
    tree,
    strict: result.strict,
    summary: summarise(result),
    models: describeChoice(result.choice),
    findings: sorted,
    phones: result.phones.map((p) => ({
      ...p,
      errors: positions(p.errors),
      warnings: positions(p.warnings),
    })),
  };
}

export function renderCheckJson(result: CheckResult, tree: string): string {
  return JSON.stringify(checkDocument(result, tree), null, 2) + '\n';
}
