// The `phones` section of a fleet report, from the outcomes alone, so that a run and a merge of its
// shards derive it the same way (issue #8 §4, issue #15). Phones a stopped run did not finish
// (`interrupted`, `not-started`) are counted apart: they are in the total, never in `failed` or
// `failures`, and `--fail-on` judges the finished ones only.
import { failureReason, sortedRecord } from './metrics.js';
import { isUnfinished, type FleetReport, type PhoneOutcome } from './report.js';

type ModelTotals = FleetReport['phones']['byModel'][string];

export function phonesSection(outcomes: readonly PhoneOutcome[]): FleetReport['phones'] {
  const failures = new Map<string, number>();
  const byModel = new Map<string, { -readonly [K in keyof ModelTotals]: ModelTotals[K] }>();
  let provisioned = 0;
  let failed = 0;
  let reboots = 0;
  let upgrades = 0;
  let interrupted = 0;
  let notStarted = 0;
  for (const outcome of outcomes) {
    let model = byModel.get(outcome.model);
    if (!model)
      byModel.set(outcome.model, (model = { total: 0, provisioned: 0, failed: 0, reboots: 0, upgrades: 0 }));
    model.total++;
    model.reboots += outcome.reboots;
    reboots += outcome.reboots;
    if (outcome.upgradedTo !== undefined) {
      model.upgrades++;
      upgrades++;
    }
    if (outcome.status === 'provisioned') {
      model.provisioned++;
      provisioned++;
    } else if (outcome.status === 'interrupted') {
      interrupted++;
    } else if (outcome.status === 'not-started') {
      notStarted++;
    } else {
      model.failed++;
      failed++;
      const reason = failureReason(outcome);
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
  }
  return {
    total: outcomes.length,
    provisioned,
    failed,
    // Only in a stopped run: a finished run's report keeps its shape.
    ...(interrupted > 0 && { interrupted }),
    ...(notStarted > 0 && { notStarted }),
    reboots,
    upgrades,
    failures: sortedRecord(failures),
    byModel: sortedRecord<ModelTotals>(byModel, (m) => ({ ...m })),
  };
}

/** The phones whose part of the scenario was over: what `--fail-on` judges. */
export function finishedPhones(phones: FleetReport['phones']): { total: number; failed: number } {
  return {
    total: phones.total - (phones.interrupted ?? 0) - (phones.notStarted ?? 0),
    failed: phones.failed,
  };
}

export { isUnfinished };
