// `autop check --format json`: the findings, sorted, one entry per phone naming its errors and
// warnings, and which models were assumed and why.
import type { CheckResult } from '../checkTree.js';
import { sortFindings } from '../finding.js';
import { describeChoice } from './choiceText.js';
import { summarise } from './summary.js';

export function renderCheckJson(result: CheckResult, tree: string): string {
  const sorted = sortFindings(result.findings);
  const position = new Map(sorted.map((f, i) => [f, i]));
  // Positions in `findings` below.
  const positions = (ids: readonly number[]): number[] =>
    ids.map((id) => position.get(result.findings[id]!)!).sort((a, b) => a - b);
  const document = {
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
  return JSON.stringify(document, null, 2) + '\n';
}
