// `autop diff TREE_A TREE_B` or `autop diff --git REV_A REV_B`: what provisioning from the second
// tree would do to phones provisioned from the first (issue #4 §4).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readInventory, type InventoryPhone } from '../check/inventory.js';
import { syntheticPhones } from '../check/syntheticPhones.js';
import { diffTrees } from '../diff/diffTrees.js';
import { checkoutToTemp } from '../diff/gitRevision.js';
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from '../diff/render.js';
import { Engine } from '../engine/round.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { modelsFromOptions, treeFolder } from './check.js';
import { EXIT, UsageError } from './usage.js';

export interface DiffOptions {
  git?: string[];
  repo?: string;
  path?: string;
  inventory?: string;
  model?: string[];
  format?: string;
  showSecrets?: boolean;
}

const FORMATS = ['text', 'json', 'markdown'] as const;

export async function diffCommand(trees: string[], options: DiffOptions): Promise<number> {
  const format = options.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format ${format} is not one of ${FORMATS.join(', ')}`);
  const models = loadModelCatalogue();
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

    const engine = new Engine({ models, params: loadParameterCatalogue() });
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
