// `diff`: what provisioning from a new tree (or revision) would do to the phones provisioned from
// the old one: who changes, reboots, upgrades, what overwrite mode resets and MAC-local keeps. The
// document `autop diff --format json` prints (issue #17, issue #4 §4).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { InventoryPhone } from '../check/inventory.js';
import { syntheticPhones } from '../check/syntheticPhones.js';
import { UnreadableInput } from '../core/unreadableInput.js';
import { UsageError } from '../core/usageError.js';
import { diffDocument, type DiffDocument, type DiffLabels } from '../diff/diffJson.js';
import { diffTrees } from '../diff/diffTrees.js';
import { checkoutToTemp } from '../diff/gitRevision.js';
import type { DownloadKind } from '../engine/report.js';
import type { DiffResult } from '../diff/diffResult.js';
import { AutopError, guarded } from './errors.js';
import { engineFor } from './roundEngine.js';
import {
  catalogues,
  modelsOf,
  sizeLimitsOf,
  problemText,
  readInventoryInput,
  treeFolder,
  type InventoryInput,
} from './inputs.js';

export interface DiffOptions {
  /** The tree the phones are provisioned from now (a folder), or with `git` a revision (`origin/main`). */
  readonly before: string;
  /** The new tree, or with `git` a revision (`HEAD`). */
  readonly after: string;
  /**
   * `before` and `after` are revisions of a git repository (read with `git ls-tree`/`cat-file`, the
   * work tree untouched): `true` for the repository of the current folder, or which repository
   * (default: the current folder) and the tree's folder in it (default: its top).
   */
  readonly git?: boolean | { readonly repo?: string; readonly path?: string };
  /** The phones (as for `check`); default: one phone per model either tree names. */
  readonly inventory?: InventoryInput;
  /** Only phones of these models. */
  readonly models?: readonly string[];
  /** Passwords and AES keys in clear in the changes (default: masked). */
  readonly showSecrets?: boolean;
  /**
   * Rows of the inventory that cannot be used: without this, an AutopError (`inventory`) listing
   * them; with it, each is handed here (as `FILE:LINE: message`) and the phone is left out, as
   * `autop diff` does on stderr.
   */
  readonly onInventoryProblem?: (message: string) => void;
  /** The largest file accepted per kind of download, in bytes (as for `provision`). */
  readonly sizeLimits?: Partial<Record<DownloadKind, number>>;
}

/** Compares two trees or revisions; the impact, every phone's own record included. */
export function diff(options: DiffOptions): Promise<DiffDocument> {
  return guarded(async () => {
    const { result, labels } = await compareTrees(options);
    return diffDocument(result, labels);
  });
}

/**
 * The comparison behind `diff` and `autop diff` (which renders it as text, JSON or markdown); bad
 * options are a UsageError (the CLI's exit 2). `keepPhones`: every phone's own record (the JSON's).
 */
export async function compareTrees(
  options: DiffOptions,
  keepPhones = true,
): Promise<{ result: DiffResult; labels: DiffLabels }> {
  const { models } = catalogues();
  const only = modelsOf(options.models, models);
  const sizeLimits = sizeLimitsOf(options.sizeLimits);
  if (typeof options.before !== 'string' || typeof options.after !== 'string')
    throw new UsageError('give two trees (autop diff OLD_TREE NEW_TREE) or --git REV_A REV_B');
  const temporary: string[] = [];
  try {
    let before: string;
    let after: string;
    let labels: DiffLabels;
    if (options.git !== undefined && options.git !== false) {
      const git = options.git === true ? {} : options.git;
      const repo = resolve(git.repo ?? '.');
      const sides: string[] = [];
      for (const rev of [options.before, options.after]) {
        const got = await checkoutToTemp(repo, rev, git.path ?? '');
        if (!got.ok) throw new UnreadableInput(got.message);
        temporary.push(got.value);
        sides.push(got.value);
      }
      [before, after] = sides as [string, string];
      const where = git.path ? `:${git.path}` : '';
      labels = { before: `${options.before}${where}`, after: `${options.after}${where}` };
    } else {
      before = treeFolder(options.before, 'TREE_A');
      after = treeFolder(options.after, 'TREE_B');
      labels = { before: options.before, after: options.after };
    }

    let phones: InventoryPhone[];
    if (options.inventory !== undefined) {
      const read = await readInventoryInput(options.inventory, models);
      const problems = read.problems.map((p) => problemText(read.path, p));
      if (problems.length > 0 && !options.onInventoryProblem)
        throw new AutopError(
          'inventory',
          `${problems.length} ${problems.length === 1 ? 'row' : 'rows'} of the inventory cannot be used: ${problems.join('; ')}`,
          { problems },
        );
      for (const problem of problems) options.onInventoryProblem?.(problem);
      phones = only ? read.phones.filter((p) => only.some((m) => m.id === p.model.id)) : read.phones;
    } else {
      // One phone per model that either tree can serve.
      const byModel = new Map<string, InventoryPhone>();
      for (const dir of [before, after]) {
        for (const p of await syntheticPhones(dir, only ?? models.models))
          if (!byModel.has(p.model.id)) byModel.set(p.model.id, p);
      }
      phones = [...byModel.values()];
    }

    const result = await diffTrees({
      engine: engineFor(sizeLimits),
      before,
      after,
      phones,
      keepPhones,
      showSecrets: options.showSecrets === true,
    });
    return { result, labels };
  } finally {
    for (const dir of temporary) await rm(dir, { recursive: true, force: true });
  }
}
