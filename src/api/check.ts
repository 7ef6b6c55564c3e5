// `check`: a round of the real engine for every phone of an inventory (or, without one, the models
// the tree names), and the findings with rule, file and line: the document `autop check --format
// json` prints (issue #17, issue #4).
import { checkTree } from '../check/checkTree.js';
import { chooseModels, inventoryChoice, type ModelChoice } from '../check/modelChoice.js';
import { checkDocument, type CheckDocument } from '../check/output/json.js';
import type { InventoryPhone } from '../check/inventory.js';
import { UsageError } from '../core/usageError.js';
import type { DownloadKind } from '../engine/report.js';
import type { CheckResult } from '../check/checkResult.js';
import { guarded } from './errors.js';
import { engineFor } from './roundEngine.js';
import {
  catalogues,
  inventoryFileInTree,
  sizeLimitsOf,
  modelsOf,
  readInventoryInput,
  treeFolder,
  type InventoryInput,
} from './inputs.js';

export interface CheckOptions {
  /** The provisioning tree: a folder of `.boot` and `.cfg` files. */
  readonly tree: string;
  /**
   * The phones: a CSV (`mac,model[,firmware][,state][,name]`) or JSON file, or the rows themselves.
   * Rows that cannot be used are findings (rule `inventory`), as in `autop check`. Default: one
   * phone per model the tree names, and phones of unknown model for its MAC files.
   */
  readonly inventory?: InventoryInput;
  /** Only phones of these models (`--model`). */
  readonly models?: readonly string[];
  /** Warnings are errors, in the findings themselves (`--strict`). */
  readonly strict?: boolean;
  /** The largest file accepted per kind of download, in bytes (as for `provision`). */
  readonly sizeLimits?: Partial<Record<DownloadKind, number>>;
}

/**
 * Checks a tree. Errors in the tree are findings in the result (`summary.errors`), not an
 * AutopError; a tree with nothing a phone asks for is (`usage`), as `autop check` refuses it.
 */
export function check(options: CheckOptions): Promise<CheckDocument> {
  return guarded(async () => checkDocument(await checkResult(options), options.tree));
}

/**
 * The check behind `check` and `autop check` (which renders it in its formats): the findings before
 * they become a document; bad options are a UsageError (the CLI's exit 2).
 */
export async function checkResult(options: CheckOptions): Promise<CheckResult> {
  const root = treeFolder(options.tree, 'TREE');
  const sizeLimits = sizeLimitsOf(options.sizeLimits);
  const { models } = catalogues();
  const only = modelsOf(options.models, models);
  let phones: readonly InventoryPhone[];
  let choice: ModelChoice;
  let inventory;
  if (options.inventory !== undefined) {
    const read = await readInventoryInput(options.inventory, models);
    phones = only ? read.phones.filter((p) => only.some((m) => m.id === p.model.id)) : read.phones;
    choice = inventoryChoice(phones);
    inventory = {
      ...(read.path !== undefined && { file: inventoryFileInTree(root, read.path) }),
      problems: read.problems,
    };
  } else {
    choice = await chooseModels(root, models, only);
    phones = choice.phones;
    if (phones.length === 0 && choice.unknown.macCfgs === 0) {
      // Checking nothing would pass any tree: a CI run must not go green on nothing.
      throw new UsageError(
        `${options.tree} has no boot file, no common CFG${only ? ' of the --model models' : ''} and no MAC file: nothing a phone asks for, so nothing to check; give --inventory FILE, or the tree's folder`,
      );
    }
  }
  return checkTree({
    tree: root,
    phones,
    engine: engineFor(sizeLimits),
    choice,
    strict: options.strict === true,
    ...(inventory && { inventory }),
  });
}
