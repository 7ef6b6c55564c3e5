// `autop diff TREE_A TREE_B` or `autop diff --git REV_A REV_B`: what provisioning from the second
// tree would do to phones provisioned from the first (issue #4 §4).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readInventory, type InventoryPhone } from '../check/inventory.js';
import { syntheticPhones } from '../check/syntheticPhones.js';
import { diffTrees } from '../diff/diffTrees.js';
import { checkoutToTemp } from '../diff/gitRevision.js';
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from '../diff/render.js';
import { action } from './action.js';
import { modelsFromOptions } from './check.js';
import { showSecretsOption } from './provision.js';
import { EXIT, UsageError } from './usage.js';
import { addSizeOption, roundEngine, treeFolder, type SizeCliOptions } from './wire.js';

const FORMATS = ['text', 'json', 'markdown'] as const;

export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .description('what provisioning from a new tree would do to phones provisioned from the old one')
    .argument('[trees...]', 'TREE_A TREE_B: the tree the phones have now, and the new one')
    .option('--git <revs...>', 'compare two revisions of a git repository instead: REV_A REV_B')
    .option('--repo <dir>', 'the repository for --git (default: the current folder)')
    .option('--path <subdir>', "the tree's folder inside the repository for --git (default: its top)")
    .option('--inventory <file>', 'the phones (as for check); default: one phone per model the trees serve')
    .option('--model <models...>', 'only phones of these models')
    .option('--format <format>', 'text, json or markdown (for a pull-request comment)', 'text')
    .addOption(showSecretsOption());
  addSizeOption(command).action(action(diffCommand));
}

export interface DiffOptions extends SizeCliOptions {
  git?: string[];
  repo?: string;
  path?: string;
  inventory?: string;
  model?: string[];
  format?: string;
  showSecrets?: boolean;
}

export async function diffCommand(trees: string[], options: DiffOptions): Promise<number> {
  const format = options.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format ${format} is not one of ${FORMATS.join(', ')}`);
  const engine = roundEngine(options);
  const models = engine.catalogues.models;
  const only = modelsFromOptions(options.model);
  const temporary: string[] = [];
  try {
    let before: string;
    let after: string;
    let labels: { before: string; after: string };
    if (options.git !== undefined) {
      if (options.git.length !== 2 || trees.length > 0) {
        throw new UsageError('--git takes two revisions (autop diff --git main HEAD), and no TREE arguments');
      }
      const repo = resolve(options.repo ?? '.');
      const sides: string[] = [];
      for (const rev of options.git) {
        const got = await checkoutToTemp(repo, rev, options.path ?? '');
        if (!got.ok) throw new UsageError(got.message);
        temporary.push(got.value);
        sides.push(got.value);
      }
      [before, after] = sides as [string, string];
      const where = options.path ? `:${options.path}` : '';
      labels = { before: `${options.git[0]}${where}`, after: `${options.git[1]}${where}` };
    } else {
      if (trees.length !== 2)
        throw new UsageError('give two trees (autop diff OLD_TREE NEW_TREE) or --git REV_A REV_B');
      before = treeFolder(trees[0]!, 'TREE_A');
      after = treeFolder(trees[1]!, 'TREE_B');
      labels = { before: trees[0]!, after: trees[1]! };
    }

    let phones: InventoryPhone[];
    if (options.inventory !== undefined) {
      const read = await readInventory(options.inventory, models);
      if (read.kind === 'unreadable') throw new UsageError(read.message);
      for (const p of read.problems)
        process.stderr.write(
          `autop: ${options.inventory}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}\n`,
        );
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
      engine,
      before,
      after,
      phones,
      keepPhones: format === 'json',
      showSecrets: options.showSecrets ?? false,
    });
    const render =
      format === 'json' ? renderDiffJson : format === 'markdown' ? renderDiffMarkdown : renderDiffText;
    process.stdout.write(render(result, labels));
    return EXIT.ok;
  } finally {
    for (const dir of temporary) await rm(dir, { recursive: true, force: true });
  }
}
