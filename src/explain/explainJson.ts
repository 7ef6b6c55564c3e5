// `autop explain --json`, and the library's `explain` result (issue #17): the phone and its round in
// brief, then per parameter every line that sets it, which one won and why the others lost.
import type { RoundReport } from '../engine/report.js';
import type { Explanation, ExplainResult } from './explanation.js';

/** What `autop explain --json` prints (schemas/explain-report.schema.json). */
export interface ExplainDocument {
  readonly phone: RoundReport['phone'];
  readonly mechanism: RoundReport['mechanism'];
  readonly status: RoundReport['status'];
  /** The configuration files the round applied, in order. */
  readonly applied: RoundReport['applied'];
  /** One per parameter explained (those asked for, or every one more than one line sets). */
  readonly parameters: readonly Explanation[];
}

export function explainDocument(result: ExplainResult): ExplainDocument {
  const { phone, mechanism, status, applied } = result.report;
  return { phone, mechanism, status, applied, parameters: result.explanations };
}
