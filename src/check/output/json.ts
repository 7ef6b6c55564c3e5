// `autop check --format json`: the findings, sorted, and one entry per phone naming its errors.
import type { CheckResult } from '../checkTree.js';
import { sortFindings } from '../finding.js';
import { summarise } from './summary.js';

export function renderCheckJson(result: CheckResult, tree: string): string {
  const sorted = sortFindings(result.findings);
  const position = new Map(sorted.map((f, i) => [f, i]));
  const document = {
    tree,
    summary: summarise(result),
    findings: sorted,
    phones: result.phones.map((p) => ({
      ...p,
      // Positions in `findings` above.
      errors: p.errors.map((id) => position.get(result.findings[id]!)!).sort((a, b) => a - b),
    })),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
