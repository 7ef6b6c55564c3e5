// `autop diff --format json`, and the library's `diff` result (issue #17): the impact of the second
// tree on the phones of the first, with the two sides named, and every phone's own record.
import type { DiffResult } from './diffResult.js';

/** How the two sides are named: the trees as given, or `REV[:PATH]` for git revisions. */
export interface DiffLabels {
  readonly before: string;
  readonly after: string;
}

/** What `autop diff --format json` prints (schemas/diff-report.schema.json). */
export interface DiffDocument extends DiffResult {
  /** The tree (or `REV:PATH`) the phones are provisioned from now. */
  readonly before: string;
  /** The new tree (or revision). */
  readonly after: string;
}

export function diffDocument(result: DiffResult, labels: DiffLabels): DiffDocument {
  return { before: labels.before, after: labels.after, ...result };
}
