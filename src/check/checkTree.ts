// `autop check`: one round of the real engine per phone against a tree on disk, its diagnostics and
// the catalogue's checks gathered as deduplicated findings (issue #4 §1, §6). One engine and one
// caching fetcher serve every phone, so a shared file is read, hashed and parsed once; each report
// is reduced to findings and a small summary as soon as its round ends, and then dropped. The run's
// state is explicit (checkRun.ts); a phone's round (phoneRound.ts) and the tree's findings
// (treeFindings.ts) are functions over it.
import { openRun, type CheckInput, type CheckResult, type CheckRun } from './checkRun.js';
import { inventoryChoice } from './modelChoice.js';
import { forEachInOrder } from './orderedPool.js';
import { checkPhone, commitPhone } from './phoneRound.js';
import { treeFindings } from './treeFindings.js';

export type { CheckInput, CheckResult, PhoneSummary } from './checkRun.js';

const POOL = { concurrency: 8, window: 64 };

export async function checkTree(input: CheckInput): Promise<CheckResult> {
  const run = await openRun(input);
  inventoryProblems(run);
  await forEachInOrder(
    input.phones,
    POOL,
    (phone) => checkPhone(run, phone),
    (done) => commitPhone(run, done),
  );
  await treeFindings(run);
  return {
    findings: run.table.all,
    phones: run.summaries,
    files: run.files.length,
    choice: input.choice ?? inventoryChoice(input.phones),
    strict: input.strict ?? false,
  };
}

/** The inventory's rows that could not be checked, by line. */
function inventoryProblems(run: CheckRun): void {
  const inventory = run.input.inventory;
  for (const problem of inventory?.problems ?? []) {
    run.table.add({
      kind: 'inventory',
      rule: 'inventory',
      severity: 'error',
      ...(inventory!.file !== undefined && { file: inventory!.file }),
      ...(problem.line !== undefined && { line: problem.line }),
      message: problem.message,
    });
  }
}
